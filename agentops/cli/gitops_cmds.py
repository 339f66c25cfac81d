"""Commands: propose, apply, rollback, and the two CI helpers (pr-comment, drift-issue)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from agentops.cli import app


def _workspace():
    from agentops.spec import Workspace

    return Workspace.find()


def _print_result(result, as_json: bool) -> None:
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"branch {result.branch} ({result.commit[:12]}) off {result.base}")
    for change in result.changes:
        print(f"  {change}")
    need = " (confirmation needed: PR approvals)" if result.confirmation_required else ""
    print(f"risk: {result.risk_level.value}{need}")
    for verdict in result.verdicts:
        print(f"  {verdict.enforcement} {verdict.policy}: {verdict.message}")
    if result.pr_url:
        print(f"pull request: {result.pr_url}")
    else:
        print("no GitHub remote or token: the branch is the proposal. Review and merge it with:")
        for step in result.review:
            print(f"  {step}")


@app.command()
def propose(
    command: Optional[str] = typer.Argument(None, help="what to change, in plain language"),
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="stack for actions that name none"),
    plan_file: Optional[Path] = typer.Option(None, "--plan-file", help="an ActionPlan JSON "
                                             "(from `agentops interpret --json`) instead of COMMAND"),
    base: Optional[str] = typer.Option(None, "--base", help="branch to propose against (default: main)"),
    no_push: bool = typer.Option(False, "--no-push", help="only create the local branch"),
    as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
) -> None:
    """Turn COMMAND into a branch agentops/<slug> with one commit (and a PR on GitHub)."""
    from agentops.errors import AgentOpsError
    from agentops.extras import require
    from agentops.propose import load_plan_file, propose as run_propose

    if (command is None) == (plan_file is None):
        raise AgentOpsError("give a COMMAND or --plan-file FILE (one of them)",
                            hint='e.g. agentops propose "scale api in dev to 3 replicas"')
    from agentops import gitops

    # The interpreter, and the memory every proposal is recorded in (LanceDB, the model's
    # sentence vectors), are the model extra's.
    require("model", "agentops propose")
    workspace = _workspace()
    gitops.open_repo(workspace.root)  # outside a repository: refused before any model load
    embedder = None
    if plan_file is not None:
        plan = load_plan_file(plan_file)
    else:
        from agentops.interpret import Interpreter, check_command

        check_command(command)  # before the model sees it

        interpreter = Interpreter()
        plan = interpreter.interpret(command, workspace, stack=stack)
        embedder = interpreter.embedder
    result = run_propose(workspace, plan, stack=stack, base=base, publish=not no_push,
                         embedder=embedder)
    _print_result(result, as_json)


@app.command()
def rollback(
    ref: str = typer.Argument(..., help="the commit or merge to revert"),
    base: Optional[str] = typer.Option(None, "--base", help="branch to revert on (default: main)"),
    no_push: bool = typer.Option(False, "--no-push", help="only create the local branch"),
    reason: Optional[str] = typer.Option(None, "--reason", "-r", help="why: kept in the revert's "
                                         "message, shown when a similar command comes again"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Revert REF on a new branch, proposed (and planned) like any other change."""
    from agentops.rollback import rollback as run_rollback

    _print_result(run_rollback(_workspace(), ref, base=base, publish=not no_push, reason=reason),
                  as_json)


@app.command()
def apply(
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="apply this stack"),
    changed: Optional[str] = typer.Option(None, "--changed", help="apply the stacks whose "
                                          "spec changed in BASE..HEAD"),
    require_approvals: bool = typer.Option(False, "--require-approvals", help="refuse unless "
                                           "the merged PR has the approvals its risk needs"),
) -> None:
    """`pulumi up` for the changed stacks: dev, staging, prod, then the rest; stops at a failure.

    With --require-approvals the gate's decision (level, how it was computed, who approved
    which commit, why it passed or stopped) is printed and, in GitHub Actions, written to the
    job summary ($GITHUB_STEP_SUMMARY), before anything is applied."""
    from agentops.apply import apply as run_apply

    def show(outcome):
        print(f"{'ok' if outcome.ok else 'FAILED'} {outcome.stack}: {outcome.summary}", flush=True)

    def gate(decision):
        print(decision.text(), flush=True)
        _job_summary(decision.markdown())

    report = run_apply(_workspace(), stack=stack, changed=changed,
                       require_approvals=require_approvals, on_stack=show, on_gate=gate)
    if not report.stacks:
        print("no stack spec changed: nothing to apply")


def _job_summary(markdown: str) -> None:
    """Append to the GitHub Actions job summary when the job has one (a no-op elsewhere)."""
    import os

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    except OSError as exc:
        # The summary is a copy of what the log already says: losing it must not stop the job.
        print(f"warning: could not write the job summary to {path}: {exc.strerror}", file=sys.stderr)


@app.command("pr-comment")
def pr_comment(
    number: int = typer.Option(..., "--pr", help="pull request number"),
    file: Path = typer.Argument(..., help="markdown to post ('-' for stdin)"),
) -> None:
    """Post FILE as the agentops comment on a PR, editing the previous one in place (CI)."""
    print(_forge().upsert_comment(number, _read(file)))


@app.command("drift-issue")
def drift_issue(
    stack: str = typer.Option(..., "--stack", "-s"),
    file: Path = typer.Argument(..., help="the drift report ('-' for stdin)"),
) -> None:
    """Open, or update, the one drift issue for STACK (CI's scheduled drift check)."""
    print(_forge().upsert_issue(f"Drift detected in stack {stack}", _read(file)))


def _read(file: Path) -> str:
    """The text to post, with secret-looking values redacted (whatever produced it)."""
    from agentops.secrets import redact

    return redact(sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8"))


def _forge():
    import os

    from agentops import gitops
    from agentops.errors import AgentOpsError
    from agentops.forge import Forge, RepoRef, github_token, parse_remote

    # In Actions, GITHUB_REPOSITORY names the repository whatever the remote looks like.
    token = github_token()
    repo_env = os.environ.get("GITHUB_REPOSITORY")
    if repo_env and token:
        owner, name = repo_env.split("/", 1)
        api = os.environ.get("GITHUB_API_URL", "https://api.github.com")
        return Forge(RepoRef("", owner, name, api), token)
    url = gitops.remote_url(gitops.open_repo(Path.cwd()))
    ref = parse_remote(url) if url else None
    if ref is None or token is None:
        raise AgentOpsError("no GitHub repository or token",
                            hint="set GITHUB_TOKEN and GITHUB_REPOSITORY, or run inside a "
                                 "clone whose origin is on GitHub")
    return Forge(ref, token)



@app.command("ci-env")
def ci_env() -> None:
    """Print .agentops.yaml's `ci:` settings as KEY=VALUE lines (for $GITHUB_ENV)."""
    from agentops.config import load_config

    for key, value in load_config(_workspace().root).ci.env().items():
        if "\n" in value:
            from agentops.errors import AgentOpsError

            raise AgentOpsError(f".agentops.yaml ci.{key.lower()}: a value must be one line")
        print(f"{key}={value}")
