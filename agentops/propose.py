"""`agentops propose`: an ActionPlan becomes a reviewed change on its own branch.

interpret (or a plan file) -> edit the specs in a temporary worktree -> validate -> offline
plan -> policy verdicts (a mandatory violation stops here) -> risk -> one commit -> a branch
agentops/<slug> -> with a GitHub remote and a token: push and open a PR whose body is the plan.
Any failure leaves no branch, no commit reachable from a ref, no file changed in the user's
checkout.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import git
from pydantic import BaseModel, Field

from agentops import gitops, safepath, secrets
from agentops.actionplan import ActionPlan, RiskLevel
from agentops.config import RepoConfig, load_config
from agentops.errors import AgentOpsError, PolicyViolation
from agentops.findings import CostDelta, Verdict
from agentops.risk import assess, policy_floor
from agentops.spec import Workspace, normalize_stack_name

if TYPE_CHECKING:
    from agentops.examples import Embedder

PLAN_TRAILER = "ActionPlan:"
REQUESTED_BY = "Requested-by:"
#: what an API user name may be: it lands in commit messages, PR bodies and the audit log
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")


def check_user_name(name: str) -> str:
    if not USER_NAME.fullmatch(name):
        raise AgentOpsError(f"{excerpt_name(name)!r} is not a valid user name",
                            hint="use letters, digits and . _ @ + - (at most 64 characters)")
    return name


def excerpt_name(name: str) -> str:
    return name if len(name) <= 40 else name[:40] + "..."


class ProposeResult(BaseModel):
    branch: str
    commit: str
    base: str
    stacks: list[str]
    changes: list[str]
    diff: str
    risk_level: RiskLevel
    confirmation_required: bool
    risk_reasons: list[str] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    cost: list[CostDelta] = Field(default_factory=list)
    pr_url: str | None = None
    review: list[str] = Field(default_factory=list)  # how to review and merge without a forge
    warnings: list[str] = Field(default_factory=list)
    action_plan: ActionPlan


def load_plan_file(path: Path) -> ActionPlan:
    try:
        return ActionPlan.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AgentOpsError(f"cannot read plan file {path}: {exc.strerror}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0:3]
        raise AgentOpsError(
            f"{path} is not an ActionPlan: {' '.join(first)}",
            hint="write it with `agentops interpret --json COMMAND > plan.json`",
        ) from None


def check_plan_text(plan: ActionPlan) -> None:
    """The command as the interpreter would accept it (no control characters, not blank, not
    over-long), and no secret-looking value anywhere in the plan: a plan from a file or an API
    caller goes into a branch name, a commit message and the memory."""
    from agentops.interpret import check_command

    check_command(plan.command)
    secrets.refuse_in_command(plan.command)
    texts = _strings(plan.model_dump(mode="json"))
    secrets.refuse_in_command(" ".join(texts))
    # Names, descriptions and the interpretation land in the commit message too: no NUL, no
    # terminal escapes (a newline or tab is text).
    # A lone surrogate (undecodable bytes in argv arrive as one) cannot be written to git.
    bad = sorted({repr(c) for t in texts for c in t
                  if unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t"})
    if bad:
        raise AgentOpsError(f"the plan holds control characters ({', '.join(bad)})",
                            hint="write names, descriptions and the interpretation as plain text")


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def commit_message(title: str, plan: ActionPlan, extra: str = "") -> str:
    body = json.dumps(plan.model_dump(mode="json", exclude_defaults=False), indent=2)
    return secrets.redact(f"{title}\n\n{plan.interpretation}\n{extra}\n{PLAN_TRAILER}\n{body}\n")


def plan_from_message(message: str) -> ActionPlan | None:
    """The ActionPlan a proposal commit carries, or None (a hand-written commit)."""
    _, sep, rest = message.partition(f"\n{PLAN_TRAILER}\n")
    if not sep:
        return None
    try:
        return ActionPlan.model_validate_json(rest.strip())
    except ValueError:
        return None


def propose(
    workspace: Workspace,
    plan: ActionPlan,
    stack: str | None = None,
    base: str | None = None,
    publish: bool = True,
    embedder: Embedder | None = None,
    requested_by: str | None = None,
    progress: Callable[[str, dict], None] | None = None,
) -> ProposeResult:
    """Build, commit and (with a forge) publish the proposal for `plan`. `embedder`: the
    interpreter's, so recording the outcome in memory does not load the model again.
    `requested_by`: the API user who asked (a `Requested-by:` line in the commit message and
    the PR body). `progress(stage, data)`: called with the offline plan ("planning") before
    the commit, for callers that stream the stages."""
    check_plan_text(plan)  # before anything is recorded or written
    if requested_by is not None:
        check_user_name(requested_by)
    from agentops.learn import refresh

    refresh(workspace.root)  # what became of earlier proposals (cheap when nothing moved)
    try:
        result = _propose(workspace, plan, stack, base, publish, requested_by, progress)
    except AgentOpsError as exc:
        _remember(workspace, plan, f"failed: {exc.message}", embedder)
        raise
    _remember(workspace, result.action_plan, "open", embedder, result)
    return result


def _propose(workspace: Workspace, plan: ActionPlan, stack: str | None, base: str | None,
             publish: bool, requested_by: str | None = None,
             progress: Callable[[str, dict], None] | None = None) -> ProposeResult:
    from agentops.edit import apply_plan

    config = load_config(workspace.root)
    repo = gitops.open_repo(workspace.root)
    base_note = None
    if base is None:
        base, why = gitops.choose_base(repo, config.base_branch,
                                       configured="base_branch" in config.model_fields_set)
        if base != config.base_branch:
            base_note = f"proposing against {base}: {why}"
    rel = _relative(workspace, repo)
    plan = _with_stacks(plan, stack)
    with gitops.worktree(repo, base) as tree:
        tree_ws = Workspace(tree.path / rel)
        names = _committed_stacks(tree_ws, base, rel)
        before = {n: tree_ws.spec_text(n) for n in names}
        edit = apply_plan(plan, before, default_stack=stack)
        for name, text in edit.texts.items():
            safepath.write_text(tree.path, tree_ws.spec_path(name), text, "stack spec")
        offline = _offline_plan(tree_ws, tree.base_sha, list(edit.texts), config)
        verdicts = [v for s in offline.stacks for v in s.verdicts]
        if progress is not None:
            progress("planning", {"stacks": [s.model_dump(mode="json") for s in offline.stacks]})
        _stop_on_mandatory(verdicts)
        risk = assess(plan, config, policy_floor(verdicts, config))
        plan = plan.model_copy(update={"risk_level": risk.level,
                                       "confirmation_required": risk.confirmation_required})
        paths = [str((rel / "stacks" / f"{n}.yaml").as_posix()) for n in edit.texts]
        extra = f"\n{REQUESTED_BY} {requested_by}\n" if requested_by else ""
        sha = tree.commit(paths, commit_message(f"agentops: {plan.command}"[:200], plan, extra))
    result = ProposeResult(
        branch="", commit=sha, base=base, stacks=list(edit.texts), changes=edit.changes,
        diff=edit.diff(before), risk_level=risk.level,
        confirmation_required=risk.confirmation_required, risk_reasons=risk.reasons,
        verdicts=verdicts, cost=[s.cost for s in offline.stacks if s.cost], action_plan=plan,
        warnings=list(plan.warnings) + _dirty_warnings(workspace, before, edit.texts)
        + ([base_note] if base_note else []),
    )
    sha_of_base = tree.base_sha
    markdown = _render_markdown(offline)
    body = pr_body(result, markdown, requested_by)
    result.branch, result.pr_url = publish_branch(
        repo, gitops.slugify(plan.command), sha, title=f"agentops: {plan.command}",
        body=body, risk=risk.level, base=_branch_name(base), publish=publish)
    if result.pr_url is None:
        named = gitops.branch_of(repo, base)  # "HEAD" -> the current branch; a sha -> None
        result.review = review_steps(result.branch, (base if base.startswith("origin/") else
                                                     named) if named else sha_of_base)
    return result


def publish_branch(repo: git.Repo, slug: str, sha: str, title: str, body: str,
                   risk: RiskLevel, base: str, publish: bool = True) -> tuple[str, str | None]:
    """Create the branch; with a forge, push it and open the PR. Undo all of it on failure."""
    from agentops.forge import LABEL, Forge

    branch = gitops.create_branch(repo, slug, sha)
    forge = Forge.from_remote(gitops.remote_url(repo)) if publish else None
    if forge is None:
        return branch, None
    pushed = False
    try:
        gitops.push(repo, branch)
        pushed = True
        pr = forge.open_pull_request(branch, base, title, body, [LABEL, f"risk:{risk.value}"])
    except BaseException:
        if pushed:
            gitops.delete_remote_branch(repo, branch)
        gitops.delete_branch(repo, branch)
        raise
    return branch, pr.url


def review_steps(branch: str, base: str) -> list[str]:
    """Commands that review and merge the proposal. `base`: a branch ("main", "origin/main")
    or, when the base was no branch, the commit it started from."""
    import re

    target = base.removeprefix("origin/")
    into = ("<the branch to merge into>" if re.fullmatch(r"[0-9a-f]{40}", base) else target)
    return [
        f"git diff {base}...{branch}",
        f"git switch {branch} && agentops plan --base {base}",
        f"git switch {into} && git merge --no-ff {branch}",
    ]


def pr_body(result: ProposeResult, plan_markdown: str, requested_by: str | None = None) -> str:
    """Summary first (never trimmed), the plan last (trimmed by forge.fit when too long)."""
    plan = result.action_plan
    lines = [
        "## agentops proposal",
        "",
        f"**Command:** `{plan.command}`",
        "",
        *([f"**Requested by:** {requested_by}", ""] if requested_by else []),
        f"**Interpretation:** {plan.interpretation}",
        "",
        "### Actions",
        *[f"- `{a.type.value}` {a.resource.value} **{a.name or '-'}** in `{a.stack or '-'}`"
          f"{_params(a.parameters.set_values())}{' — ' + a.description if a.description else ''}"
          for a in plan.actions],
        "",
        f"### Risk: **{result.risk_level.value}**",
        *[f"- {r}" for r in result.risk_reasons],
        "",
        "**Confirmation needed:** " + (
            "yes: this PR needs its approvals before merge; apply checks them"
            if result.confirmation_required else "no"),
        "",
        "### Policy verdicts",
        *([f"- {v.enforcement} `{v.policy}` ({v.severity}): {v.message}"
           + (f" [{v.resource}]" if v.resource else "") for v in result.verdicts]
          or ["- no violations"]),
        "",
        "### Cost (monthly, estimated)",
        *([f"- {c.stack}: ${c.before_usd:,.2f} → ${c.after_usd:,.2f} ({c.delta_usd:+,.2f})"
           + (f"; unpriced: {', '.join(c.unpriced)}" if c.unpriced else "") for c in result.cost]
          or ["- not estimated"]),
        "",
        "### Spec changes",
        *[f"- {c}" for c in result.changes],
        "",
        "### Plan",
        "",
        plan_markdown,
    ]
    if result.warnings:
        lines[2:2] = ["> " + w for w in result.warnings] + [""]
    return secrets.redact("\n".join(lines))


# ---------------------------------------------------------------------------------------------


def _with_stacks(plan: ActionPlan, default: str | None) -> ActionPlan:
    """Every action's stack by its canonical name ("production" -> prod), so risk sees it."""
    actions = [a.model_copy(update={"stack": normalize_stack_name(a.stack or default)})
               if (a.stack or default) else a for a in plan.actions]
    return plan.model_copy(update={"actions": actions})


def _relative(workspace: Workspace, repo: git.Repo) -> Path:
    top = Path(repo.working_tree_dir).resolve()
    try:
        return workspace.root.resolve().relative_to(top)
    except ValueError:
        raise AgentOpsError(f"{workspace.root} is not inside the repository {top}") from None


def _committed_stacks(tree_ws: Workspace, base: str, rel: Path) -> list[str]:
    names = tree_ws.stack_names() if tree_ws.stacks_dir.is_dir() else []
    if not names:
        raise AgentOpsError(
            f"{base} has no committed stack specs in {(rel / 'stacks').as_posix()}/",
            hint="commit stacks/*.yaml on the base branch first: proposals branch from it",
        )
    return names


def _offline_plan(tree_ws: Workspace, base_sha: str, stacks: list[str], config: RepoConfig):
    from agentops.plan import build_plan

    return build_plan(tree_ws, base_rev=base_sha, stacks=stacks, config=config)


def _render_markdown(offline) -> str:
    from agentops.planrender import render

    return render(offline, "markdown")


def _stop_on_mandatory(verdicts: list[Verdict]) -> None:
    blocking = [v for v in verdicts if v.blocking]
    if blocking:
        listed = "\n  ".join(f"{v.policy}: {v.message}" + (f" [{v.resource}]" if v.resource else "")
                             for v in blocking)
        raise PolicyViolation(
            f"the change violates {len(blocking)} mandatory "
            f"polic{'y' if len(blocking) == 1 else 'ies'}; nothing was committed\n  {listed}",
            hint="change the command so the result complies, or change the policy in policies/",
        )


def _dirty_warnings(workspace: Workspace, base_texts: dict[str, str], changed: dict[str, str]) -> list[str]:
    out = []
    for name in changed:
        try:
            mine = workspace.spec_text(name)
        except AgentOpsError:  # missing, a link or not text: not the proposal's concern here
            mine = None
        if mine is not None and mine != base_texts.get(name):
            out.append(f"stacks/{name}.yaml in your checkout differs from the base: those "
                       f"edits are not part of this proposal (your files were not touched)")
    return out


def _branch_name(base: str) -> str:
    return base.removeprefix("origin/")


def _params(values: dict) -> str:
    return (" (" + ", ".join(f"{k}={v}" for k, v in values.items()) + ")") if values else ""


def _remember(workspace: Workspace, plan: ActionPlan, outcome: str,
              embedder: Embedder | None, result: ProposeResult | None = None) -> None:
    # Memory helps later interpretations; a failure to record must not undo a proposal.
    # A proposal's row is keyed as `agentops learn` keys it, so learning updates that row;
    # it is written now so that a branch deleted before the next learn is still known.
    from agentops.memory import Memory

    try:
        extra = {}
        if result is not None:
            from agentops.learn import proposal_key

            authored = gitops.open_repo(workspace.root).commit(result.commit).authored_date
            extra = {"sha": result.commit, "key": proposal_key(plan.command, authored),
                     "branch": result.branch, "pr": result.pr_url or ""}
        Memory(workspace.root, embedder).record(plan.command, plan, outcome, **extra)
    except (AgentOpsError, OSError) as exc:
        import sys

        print(f"warning: the outcome was not recorded in memory: {exc}", file=sys.stderr)
