"""Risk level of an ActionPlan: computed, never taken from the model.

Default table (docs/risk.md): show and monitoring are low; create/update outside production are
medium; any other change in production and a delete outside it are high; a delete in
production and any security change are critical. Policy verdicts can only raise the level.
confirmation_required is true for high and critical.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

from agentops.actionplan import Action, ActionPlan, ActionType, ResourceType, RiskLevel
from agentops.config import RepoConfig, RiskRule
from agentops.findings import Verdict

READ_ONLY = {ActionType.show}


@dataclass
class RiskAssessment:
    level: RiskLevel
    reasons: list[str] = field(default_factory=list)

    @property
    def confirmation_required(self) -> bool:
        return self.level.rank >= RiskLevel.high.rank


def _rule_matches(rule: RiskRule, op: str, resource: str | None, stack: str | None,
                  config: RepoConfig) -> bool:
    if rule.action is not None and rule.action != op:
        return False
    if rule.resource is not None and rule.resource != resource:
        return False
    if rule.stack is None:
        return True
    if rule.stack == "production":
        return config.is_production(stack)
    if rule.stack == "other":
        return not config.is_production(stack)
    return rule.stack == stack


def _override(op: str, resource: str | None, stack: str | None,
              config: RepoConfig) -> tuple[RiskLevel, str] | None:
    for i, rule in enumerate(config.risk.rules):
        if _rule_matches(rule, op, resource, stack, config):
            where = f"in {stack}" if stack else "in an unnamed stack"
            return RiskLevel(rule.level), f"{op} of {resource or 'a resource'} {where} (risk.rules[{i}])"
    return None


def action_risk(action: Action, config: RepoConfig) -> tuple[RiskLevel, str]:
    override = _override(action.type.value, action.resource.value, action.stack, config)
    if override is not None:
        return override
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
    return _highest((action_risk(a, config) for a in plan.actions), policy_floor)


def _highest(rated: Iterable[tuple[RiskLevel, str]], policy_floor: RiskLevel | None) -> RiskAssessment:
    level, reasons = RiskLevel.low, []
    for item_level, reason in rated:
        reasons.append(f"{item_level.value}: {reason}")
        if item_level.rank > level.rank:
            level = item_level
    if policy_floor is not None and policy_floor.rank > level.rank:
        reasons.append(f"{policy_floor.value}: raised by policy verdicts")
        level = policy_floor
    return RiskAssessment(level, reasons)


def policy_floor(verdicts: Iterable[Verdict], config: RepoConfig) -> RiskLevel | None:
    """The least risk policy verdicts allow: a mandatory violation at least the configured floor
    (or its severity when higher), an advisory one its severity capped at the configured cap."""
    floor = RiskLevel(config.risk.mandatory_policy_floor)
    cap = RiskLevel(config.risk.advisory_policy_cap)
    levels = []
    for verdict in verdicts:
        severity = RiskLevel(verdict.severity)
        if verdict.enforcement == "mandatory":
            levels.append(max(floor, severity, key=lambda lv: lv.rank))
        elif verdict.enforcement == "advisory":
            levels.append(min(cap, severity, key=lambda lv: lv.rank))
    return max(levels, key=lambda lv: lv.rank) if levels else None


# A plan's change kinds as the table's action types. A replace destroys the resource before or
# after creating its successor: for a database or a volume that is a delete.
_OPERATIONS = {"create": "create", "update": "update", "replace": "delete", "delete": "delete"}


def change_risk(stack: str, op: str, spec_ref: str | None, config: RepoConfig) -> tuple[RiskLevel, str]:
    from agentops.spec import SECTIONS

    if op not in _OPERATIONS:
        raise ValueError(f"unknown change operation {op!r} (expected {', '.join(_OPERATIONS)})")
    section = spec_ref.split(".", 1)[0] if spec_ref else None
    resource = SECTIONS[section][1] if section in SECTIONS else ResourceType.infrastructure.value
    override = _override(op, resource, stack, config)
    if override is not None:
        return override
    action = Action(type=ActionType(_OPERATIONS[op]), resource=ResourceType(resource), stack=stack,
                    name=spec_ref.split(".", 1)[1] if spec_ref and "." in spec_ref else None,
                    description=f"{op} {spec_ref or 'a resource'} in {stack}")
    level, reason = action_risk(action, config)
    return level, f"{op} of {spec_ref or 'a resource'}: {reason}"


def assess_changes(
    changes: Iterable[Sequence[str | None]],
    config: RepoConfig,
    policy_floor: RiskLevel | None = None,
) -> RiskAssessment:
    """Risk of a diff without an ActionPlan (a hand edit, CI's approval gate): each change is
    (stack, op) or (stack, op, spec_ref), op one of create/update/replace/delete and spec_ref
    "section.name" when known (it tells a security change from others). No change is low."""
    return _highest((change_risk(c[0], c[1], c[2] if len(c) > 2 else None, config)
                     for c in changes), policy_floor)


def apply_risk(plan: ActionPlan, config: RepoConfig) -> ActionPlan:
    """The plan with risk_level and confirmation_required set from the table."""
    result = assess(plan, config)
    return plan.model_copy(
        update={
            "risk_level": result.level,
            "confirmation_required": result.confirmation_required,
        }
    )
