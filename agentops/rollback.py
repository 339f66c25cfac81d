"""`agentops rollback REF`: `git revert` of a commit or merge, proposed like any other change.

The revert is made in a temporary worktree off the base branch (-m 1 for a merge: undo what
the merged branch brought in), planned offline, committed, and published as a branch and PR.
A revert that conflicts is reported with the files, and nothing is left behind.
"""

from __future__ import annotations

from agentops import gitops
from agentops.actionplan import Action, ActionPlan, ActionType, RiskLevel
from agentops.config import load_config
from agentops.errors import AgentOpsError
from agentops.propose import (
    ProposeResult,
    _branch_name,
    _offline_plan,
    _relative,
    _render_markdown,
    _stop_on_mandatory,
    plan_from_message,
    pr_body,
    publish_branch,
    review_steps,
)
from agentops.risk import assess
from agentops.spec import Workspace

INVERSE = {ActionType.create: ActionType.delete, ActionType.delete: ActionType.create}


def rollback(workspace: Workspace, ref: str, base: str | None = None,
             publish: bool = True, reason: str | None = None) -> ProposeResult:
    """`reason` goes into the revert's message: `agentops learn` shows it when a similar
    command comes again ("a similar change was reverted on ... : <reason>")."""
    config = load_config(workspace.root)
    repo = gitops.open_repo(workspace.root)
    target = gitops.resolve(repo, ref)
    base = base or gitops.default_base(repo, config.base_branch,
                                       configured="base_branch" in config.model_fields_set)
    rel = _relative(workspace, repo)
    original = repo.commit(target)
    subject = original.summary
    with gitops.worktree(repo, base) as tree:
        tree.revert(target, mainline=1 if gitops.is_merge(repo, target) else None)
        stacks = [p.stem for p in (tree.path / rel / "stacks").glob("*.yaml")
                  if tree.git.diff("--cached", "--name-only", "--", str(p))]
        if not tree.git.diff("--cached", "--name-only"):
            raise AgentOpsError(f"reverting {target[:12]} changes nothing on {base}",
                                hint="it may already be reverted")
        plan = _inverse_plan(repo, target, subject, stacks)
        tree_ws = Workspace(tree.path / rel)
        offline = _offline_plan(tree_ws, tree.base_sha, stacks, config)
        verdicts = [v for s in offline.stacks for v in s.verdicts]
        _stop_on_mandatory(verdicts)
        risk = assess(plan, config)
        if not plan.actions and any(config.is_production(s) for s in stacks):
            risk.level, risk.reasons = RiskLevel.high, ["high: reverts a change to production"]
        plan = plan.model_copy(update={"risk_level": risk.level,
                                       "confirmation_required": risk.confirmation_required})
        why = " ".join((reason or "").split())
        message = (f'Revert "{subject}"\n\nThis reverts commit {target}.\n\n'
                   f"{plan.interpretation}\n" + (f"\nReason: {why}\n" if why else ""))
        sha = tree.commit(["."], message)
    result = ProposeResult(
        branch="", commit=sha, base=base, stacks=stacks, changes=[f"revert {target[:12]}: {subject}"],
        diff=repo.git.diff(tree.base_sha, sha), risk_level=risk.level,
        confirmation_required=risk.confirmation_required, risk_reasons=risk.reasons,
        verdicts=verdicts, cost=[s.cost for s in offline.stacks if s.cost], action_plan=plan,
    )
    body = pr_body(result, _render_markdown(offline))
    result.branch, result.pr_url = publish_branch(
        repo, f"revert-{target[:8]}", sha, title=f'Revert "{subject}"'[:200], body=body,
        risk=risk.level, base=_branch_name(base), publish=publish)
    if result.pr_url is None:
        result.review = review_steps(result.branch, _branch_name(base))
    return result


def _inverse_plan(repo, target: str, subject: str, stacks: list[str]) -> ActionPlan:
    """The original ActionPlan with each action inverted, for risk and the PR body."""
    commit = repo.commit(target)
    carried = plan_from_message(commit.message)
    if carried is None and len(commit.parents) > 1:
        # A merge: the proposal commit is the merged branch's tip.
        carried = plan_from_message(commit.parents[1].message)
    actions = []
    for action in (carried.actions if carried else []):
        inverse = INVERSE.get(action.type, action.type)
        actions.append(Action(type=inverse, resource=action.resource, name=action.name,
                              stack=action.stack, description=f"undo: {action.description}"))
    return ActionPlan(
        command=f"rollback {target[:12]}",
        interpretation=f"Revert {target[:12]} ({subject}), restoring {', '.join(stacks) or 'the files'} "
                       f"as they were before it.",
        actions=actions,
    )
