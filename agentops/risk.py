"""Risk level of an ActionPlan: computed, never taken from the model.

Default table (DESIGN.md): show and monitoring are low; create/update outside production are
medium; any other change in production and a delete outside it are high; a delete in
production and any security change are critical. Policy verdicts can only raise the level.
confirmation_required is true for high and critical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agentops.actionplan import Action, ActionPlan, ActionType, ResourceType, RiskLevel
from agentops.config import RepoConfig

READ_ONLY = {ActionType.show}


@dataclass
class RiskAssessment:
    level: RiskLevel
    reasons: list[str] = field(default_factory=list)

    @property
    def confirmation_required(self) -> bool:
        return self.level.rank >= RiskLevel.high.rank


def action_risk(action: Action, config: RepoConfig) -> tuple[RiskLevel, str]:
    prod = config.is_production(action.stack)
    where = f"in {action.stack}" if action.stack else "in an unnamed stack"
    if action.type in READ_ONLY:
        return RiskLevel.low, f"{action.type.value} is read-only"
    if action.type == ActionType.monitor or (
        action.resource == ResourceType.monitoring and action.type != ActionType.delete
    ):
        return RiskLevel.low, f"{action.type.value} of monitoring only adds visibility"
    if action.resource == ResourceType.security:
        return RiskLevel.critical, f"security change {where}"
    if action.type == ActionType.delete:
        level = RiskLevel.critical if prod else RiskLevel.high
        return level, f"delete {where}"
    if prod:
        return RiskLevel.high, f"{action.type.value} {where} (production)"
    return RiskLevel.medium, f"{action.type.value} {where}"


def assess(
    plan: ActionPlan, config: RepoConfig, policy_floor: RiskLevel | None = None
) -> RiskAssessment:
    """The highest risk of any action, raised to `policy_floor` when policies demand it."""
    level, reasons = RiskLevel.low, []
    for action in plan.actions:
        action_level, reason = action_risk(action, config)
        reasons.append(f"{action_level.value}: {reason}")
        if action_level.rank > level.rank:
            level = action_level
    if policy_floor is not None and policy_floor.rank > level.rank:
        reasons.append(f"{policy_floor.value}: raised by policy verdicts")
        level = policy_floor
    return RiskAssessment(level, reasons)


def apply_risk(plan: ActionPlan, config: RepoConfig) -> ActionPlan:
    """The plan with risk_level and confirmation_required set from the table."""
    result = assess(plan, config)
    return plan.model_copy(
        update={
            "risk_level": result.level,
            "confirmation_required": result.confirmation_required,
        }
    )
