"""The risk table (docs/risk.md), policy floors, diff risk, and the repository's overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops.actionplan import Action, ActionPlan, RiskLevel
from agentops.config import RepoConfig, load_config
from agentops.errors import AgentOpsError
from agentops.findings import Verdict
from agentops.risk import apply_risk, assess, assess_changes, policy_floor


def plan(*actions: tuple[str, str, str | None]) -> ActionPlan:
    return ActionPlan(command="c", interpretation="i", actions=[
        Action(type=t, resource=r, stack=s, name="x") for t, r, s in actions])


@pytest.mark.parametrize("action, level", [
    (("show", "deployment", "prod"), "low"),
    (("monitor", "database", "prod"), "low"),
    (("create", "monitoring", "prod"), "low"),
    (("create", "deployment", "dev"), "medium"),
    (("update", "database", "staging"), "medium"),
    (("scale", "deployment", "prod"), "high"),
    (("restart", "deployment", "prod"), "high"),
    (("delete", "storage", "dev"), "high"),
    (("delete", "monitoring", "dev"), "high"),
    (("delete", "database", "prod"), "critical"),
    (("create", "security", "dev"), "critical"),
])
def test_default_table(action, level):
    result = assess(plan(action), RepoConfig())
    assert result.level == RiskLevel(level)
    assert result.confirmation_required == (level in ("high", "critical"))


def test_highest_action_wins_and_reasons_are_listed():
    result = assess(plan(("show", "deployment", "dev"), ("delete", "database", "prod")), RepoConfig())
    assert result.level == RiskLevel.critical
    assert result.reasons == ["low: show is read-only", "critical: delete in prod"]


def test_production_stacks_override():
    config = RepoConfig(production_stacks=["prod", "staging"])
    assert assess(plan(("update", "database", "staging")), config).level == RiskLevel.high
    assert assess(plan(("scale", "deployment", "prod")), RepoConfig(production_stacks=[])).level \
        == RiskLevel.medium


def test_risk_rules_override_first_match_wins():
    config = RepoConfig.model_validate({"risk": {"rules": [
        {"action": "scale", "resource": "deployment", "stack": "production", "level": "medium"},
        {"resource": "deployment", "stack": "other", "level": "low"},
        {"action": "create", "resource": "security", "stack": "dev", "level": "medium"},
        {"action": "scale", "level": "critical"},
    ]}})
    assert assess(plan(("scale", "deployment", "prod")), config).level == RiskLevel.medium
    assert assess(plan(("scale", "deployment", "dev")), config).level == RiskLevel.low
    assert assess(plan(("create", "security", "dev")), config).level == RiskLevel.medium
    assert assess(plan(("create", "security", "staging")), config).level == RiskLevel.critical
    assert assess(plan(("scale", "database", "dev")), config).level == RiskLevel.critical
    assert "risk.rules[0]" in assess(plan(("scale", "deployment", "prod")), config).reasons[0]


def verdict(enforcement: str, severity: str) -> Verdict:
    return Verdict(policy="p", enforcement=enforcement, severity=severity, message="m")


def test_policy_floor():
    config = RepoConfig()
    assert policy_floor([], config) is None
    assert policy_floor([verdict("mandatory", "low")], config) == RiskLevel.high
    assert policy_floor([verdict("mandatory", "critical")], config) == RiskLevel.critical
    assert policy_floor([verdict("advisory", "critical")], config) == RiskLevel.medium  # capped
    assert policy_floor([verdict("advisory", "low")], config) == RiskLevel.low
    custom = RepoConfig.model_validate({"risk": {"mandatory_policy_floor": "critical",
                                                 "advisory_policy_cap": "high"}})
    assert policy_floor([verdict("mandatory", "medium")], custom) == RiskLevel.critical
    assert policy_floor([verdict("advisory", "critical")], custom) == RiskLevel.high


def test_policy_floor_raises_but_never_lowers():
    low = plan(("show", "deployment", "dev"))
    raised = assess(low, RepoConfig(), policy_floor=RiskLevel.high)
    assert raised.level == RiskLevel.high and raised.reasons[-1] == "high: raised by policy verdicts"
    kept = assess(plan(("delete", "database", "prod")), RepoConfig(), policy_floor=RiskLevel.medium)
    assert kept.level == RiskLevel.critical


def test_apply_risk_sets_the_plan_fields():
    out = apply_risk(plan(("scale", "deployment", "production-like")), RepoConfig(
        production_stacks=["production-like"]))
    assert out.risk_level == RiskLevel.high and out.confirmation_required is True
    out = apply_risk(plan(("create", "deployment", "dev")), RepoConfig())
    assert out.risk_level == RiskLevel.medium and out.confirmation_required is False


def test_assess_changes_rates_a_hand_edit():
    config = RepoConfig()
    assert assess_changes([], config).level == RiskLevel.low
    assert assess_changes([("dev", "update")], config).level == RiskLevel.medium
    assert assess_changes([("prod", "create", "deployments.api")], config).level == RiskLevel.high
    assert assess_changes([("dev", "delete", "storage.old")], config).level == RiskLevel.high
    # A replace destroys the resource: in production that is a delete.
    assert assess_changes([("prod", "replace", "databases.orders")], config).level == RiskLevel.critical
    # A change under security.* is a security change wherever it is.
    result = assess_changes([("dev", "update", "security.web"), ("dev", "create", "alerts.cpu")], config)
    assert result.level == RiskLevel.critical
    assert result.reasons[1].startswith("low: create of alerts.cpu")
    gated = assess_changes([("dev", "update")], config, policy_floor=RiskLevel.high)
    assert gated.level == RiskLevel.high and gated.confirmation_required
    with pytest.raises(ValueError, match="unknown change operation"):
        assess_changes([("dev", "explode")], config)


def test_assess_changes_uses_the_overrides():
    config = RepoConfig.model_validate({"production_stacks": ["live"], "risk": {"rules": [
        {"action": "update", "resource": "deployment", "stack": "live", "level": "medium"}]}})
    assert assess_changes([("live", "update", "deployments.api")], config).level == RiskLevel.medium
    assert assess_changes([("live", "update", "databases.db")], config).level == RiskLevel.high
    assert assess_changes([("prod", "update", "databases.db")], config).level == RiskLevel.medium


def test_override_file(tmp_path: Path):
    (tmp_path / ".agentops.yaml").write_text(
        "production_stacks: [prod, eu-prod]\n"
        "approvals: {high: 2, critical: 3}\n"
        "risk:\n"
        "  rules:\n"
        "    - {action: restart, stack: production, level: medium}\n"
        "  advisory_policy_cap: low\n")
    config = load_config(tmp_path)
    assert config.is_production("eu-prod")
    assert config.approvals.for_level("critical") == 3
    assert assess(plan(("restart", "deployment", "eu-prod")), config).level == RiskLevel.medium
    assert policy_floor([verdict("advisory", "high")], config) == RiskLevel.low

    (tmp_path / ".agentops.yaml").write_text("risk:\n  rules:\n    - {action: scale, level: huge}\n")
    with pytest.raises(AgentOpsError, match=r"risk\.rules\.0\.level"):
        load_config(tmp_path)


def test_typo_in_a_risk_rule_is_an_error(tmp_path: Path):
    (tmp_path / ".agentops.yaml").write_text("risk:\n  rules:\n    - {action: scael, level: low}\n")
    with pytest.raises(AgentOpsError, match=r"risk\.rules\.0\.action") as info:
        load_config(tmp_path)
    assert info.value.hint
