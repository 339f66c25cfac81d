"""`agentops apply`: `pulumi up` for each stack whose spec changed, in a fixed order.

Runs in CI on a push to main. dev before staging before prod (then the rest by name), and the
first failure stops the run: a change that broke dev never reaches prod. With
--require-approvals the merged PR behind the head commit must carry the approvals its risk
level needs (.agentops.yaml `approvals`): PR review is the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from agentops import gitops
from agentops.config import RepoConfig, load_config
from agentops.errors import AgentOpsError
from agentops.spec import Workspace

ORDER = ("dev", "staging", "prod")


class ApprovalMissing(AgentOpsError):
    """A high-risk change reached main without the approvals its risk needs."""


class ApplyFailed(AgentOpsError):
    """`pulumi up` failed for a stack; later stacks were not touched."""


@dataclass
class StackOutcome:
    stack: str
    ok: bool
    summary: str


@dataclass
class ApplyReport:
    stacks: list[str]
    outcomes: list[StackOutcome] = field(default_factory=list)
    approvals: str | None = None  # what the gate found, for the log


def order_stacks(stacks: list[str]) -> list[str]:
    known = [s for s in ORDER if s in stacks]
    return known + sorted(s for s in set(stacks) if s not in ORDER)


def parse_range(spec: str) -> tuple[str, str]:
    base, sep, head = spec.partition("..")
    if not sep or not base or not head or head.startswith("."):
        raise AgentOpsError(f"--changed {spec!r} is not BASE..HEAD",
                            hint="e.g. --changed main~1..main, or in CI "
                                 "--changed ${{ github.event.before }}..${{ github.sha }}")
    return base, head


def stacks_to_apply(workspace: Workspace, stack: str | None, changed: str | None) -> tuple[list[str], str | None]:
    """(stacks in apply order, head revision of the range or None)."""
    if stack and changed:
        raise AgentOpsError("give --stack or --changed, not both")
    if stack:
        return [workspace.resolve_stack(stack)], None
    if not changed:
        raise AgentOpsError("which stacks? give --stack S or --changed BASE..HEAD")
    base, head = parse_range(changed)
    repo = gitops.open_repo(workspace.root)
    if set(base) == {"0"}:
        # The first push of a branch: GitHub sends an all-zero `before`; everything is new.
        names = workspace.stack_names()
    else:
        names = gitops.changed_stacks(repo, base, head)
    present = set(workspace.stack_names())
    return order_stacks([n for n in names if n in present]), gitops.resolve(repo, head)


def required_level(workspace: Workspace, head_sha: str, stacks: list[str], config: RepoConfig,
                   label_level: str | None) -> str:
    """The risk level the change is gated at: the PR's label, else the commit's ActionPlan,
    else high when a production stack changed (an unlabelled change is not trusted low)."""
    if label_level in ("low", "medium", "high", "critical"):
        return label_level
    from agentops.propose import plan_from_message
    from agentops.risk import assess

    repo = gitops.open_repo(workspace.root)
    commit = repo.commit(head_sha)
    for candidate in [commit, *commit.parents[1:]]:
        plan = plan_from_message(candidate.message)
        if plan is not None:
            return assess(plan, config).level.value
    return "high" if any(config.is_production(s) for s in stacks) else "medium"


def check_approvals(workspace: Workspace, head_sha: str, stacks: list[str], config: RepoConfig,
                    forge=None) -> str:
    """Raise ApprovalMissing unless the merged PR for head_sha has enough approvals."""
    from agentops.forge import Forge

    repo = gitops.open_repo(workspace.root)
    forge = forge or Forge.from_remote(gitops.remote_url(repo))
    if forge is None:
        raise ApprovalMissing(
            "--require-approvals needs the GitHub repository and a token to read the PR reviews",
            hint="set GITHUB_TOKEN (in Actions: permissions pull-requests: read) and an origin "
                 "remote on GitHub",
        )
    change = forge.merged_change(head_sha)
    level = required_level(workspace, head_sha, stacks, config, change.risk_level if change else None)
    needed = config.approvals.for_level(level)
    if change is None:
        if needed:
            raise ApprovalMissing(
                f"{head_sha[:12]} reached {config.base_branch} without a merged pull request, "
                f"and its risk ({level}) needs {needed} approval(s)",
                hint="changes are applied after review: revert it and propose it as a PR",
            )
        return f"no merged PR for {head_sha[:12]}; risk {level} needs no approval"
    if change.approvals < needed:
        raise ApprovalMissing(
            f"PR #{change.number} is risk {level} and has {change.approvals} approval(s); "
            f"{needed} needed ({change.url})",
            hint="nothing was applied; get the approvals and re-run the apply job, or change "
                 "`approvals` in .agentops.yaml",
        )
    return (f"PR #{change.number}: risk {level}, {change.approvals}/{needed} approvals "
            f"({', '.join(change.approvers) or 'none needed'})")


def apply(workspace: Workspace, stack: str | None = None, changed: str | None = None,
          require_approvals: bool = False, up: Callable | None = None, forge=None,
          on_stack: Callable[[StackOutcome], None] | None = None) -> ApplyReport:
    """Run `pulumi up` stack by stack; raise ApplyFailed at the first failure."""
    from agentops import automation

    config = load_config(workspace.root)
    stacks, head = stacks_to_apply(workspace, stack, changed)
    report = ApplyReport(stacks=stacks)
    if not stacks:
        return report
    if require_approvals:
        report.approvals = check_approvals(workspace, head or _head(workspace), stacks, config, forge)
    if up is None:
        automation.require_cli()  # PulumiUnavailable before anything runs
        up = automation.up
    for name in stacks:
        try:
            result = up(workspace, name)
        except AgentOpsError as exc:
            outcome = StackOutcome(name, False, exc.message)
        except Exception as exc:  # noqa: BLE001 the engine's own errors: report, then stop
            outcome = StackOutcome(name, False, f"{type(exc).__name__}: {exc}")
        else:
            outcome = StackOutcome(name, True, _summary(result))
        report.outcomes.append(outcome)
        if on_stack:
            on_stack(outcome)
        if not outcome.ok:
            done = [o.stack for o in report.outcomes if o.ok]
            skipped = stacks[len(report.outcomes):]
            raise ApplyFailed(
                f"pulumi up failed for {name}: {outcome.summary}\n"
                f"  applied: {', '.join(done) or 'none'}; not attempted: {', '.join(skipped) or 'none'}",
                hint=f"fix the spec or the cloud problem and re-run; `agentops rollback` reverts the change",
            )
    return report


def _head(workspace: Workspace) -> str:
    return gitops.resolve(gitops.open_repo(workspace.root), "HEAD")


def _summary(result) -> str:
    counts = getattr(result, "counts", None)
    if isinstance(counts, dict):
        return ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "no changes"
    return "done"
