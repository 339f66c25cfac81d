"""`agentops apply`: `pulumi up` for each stack whose spec changed, in a fixed order.

Runs in CI on a push to main. dev before staging before prod (then the rest by name), and the
first failure stops the run: a change that broke dev never reaches prod. With
--require-approvals the confirmation gate (agentops.gate) runs first: the merged PR behind the
head commit must carry the approvals that the risk of what was merged needs (.agentops.yaml
`approvals`); PR review is the confirmation. The gate needs no `pulumi` CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from agentops import gitops
from agentops.errors import AgentOpsError
from agentops.gate import ApprovalMissing, GateDecision, check_approvals, required_level  # noqa: F401
from agentops.spec import Workspace

ORDER = ("dev", "staging", "prod")


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
    approvals: str | None = None  # the gate's decision in one line, for the log
    gate: GateDecision | None = None


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


def apply(workspace: Workspace, stack: str | None = None, changed: str | None = None,
          require_approvals: bool = False, up: Callable | None = None, forge=None,
          on_stack: Callable[[StackOutcome], None] | None = None,
          on_gate: Callable[[GateDecision], None] | None = None) -> ApplyReport:
    """Run `pulumi up` stack by stack; raise ApplyFailed at the first failure. With
    require_approvals the gate decides first; `on_gate` gets its decision (for the log and the
    job summary) whether it passed or not, and ApprovalMissing stops the run when it did not."""
    from agentops import automation

    stacks, head = stacks_to_apply(workspace, stack, changed)
    report = ApplyReport(stacks=stacks)
    if not stacks:
        return report
    if require_approvals:
        range_base = parse_range(changed)[0] if changed else None
        decision = check_approvals(workspace, head or _head(workspace), forge=forge,
                                   range_base=range_base)
        report.gate, report.approvals = decision, decision.summary()
        if on_gate:
            on_gate(decision)
        if not decision.passed:
            raise ApprovalMissing(
                decision.why,
                hint="nothing was applied; " + (
                    "get the approvals on the PR's final commit and re-run the apply job"
                    if decision.change is not None else
                    "changes are applied after review: revert it and propose it as a PR")
                + " (the job summary says how the level was computed)")
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
