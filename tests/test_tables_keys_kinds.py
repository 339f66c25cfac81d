"""The tables (DynamoDB) and keys (KMS) kinds: validation, rendering under Pulumi's mocks,
cost, their rules, edits and alarms, and the interpreter's refusal until it learns them."""

from __future__ import annotations

import pytest

from agentops import kinds, offline
from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.config import RepoConfig
from agentops.errors import InterpretError, SpecError
from agentops.spec import load_spec_text

SPEC = """\
region: us-east-1
tags: {owner: data}
tables:
  sessions: {range_key: started_at, range_key_type: N}
  events: {billing: provisioned, read_capacity: 5, write_capacity: 5, point_in_time_recovery: false, deletion_protection: false, encrypted: false}
keys:
  app: {}
  legacy: {rotation: false, deletion_window_days: 7}
alerts:
  sessions-errors: {target: sessions, metric: errors, threshold: 1}
"""


@pytest.fixture(scope="module")
def graph():
    return offline.capture(SPEC, "prod")


def by_type(graph, type_: str) -> dict:
    return {r.name: r for r in graph.resources if r.type == type_}


def test_tables_render_with_recovery_encryption_and_protection(graph):
    tables = by_type(graph, "aws:dynamodb/table:Table")
    sessions, events = tables["sessions"], tables["events"]
    assert sessions.spec_ref == "tables.sessions"
    assert sessions.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert sessions.inputs["attributes"] == [{"name": "id", "type": "S"},
                                             {"name": "started_at", "type": "N"}]
    assert sessions.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert sessions.inputs["serverSideEncryption"] == {"enabled": True}
    assert sessions.inputs["deletionProtectionEnabled"] is True
    assert "readCapacity" not in sessions.inputs
    assert (events.inputs["billingMode"], events.inputs["readCapacity"]) == ("PROVISIONED", 5)


def test_keys_render_rotated_with_an_alias(graph):
    keys = by_type(graph, "aws:kms/key:Key")
    assert keys["app"].inputs["enableKeyRotation"] is True
    assert keys["legacy"].inputs["deletionWindowInDays"] == 7
    alias = by_type(graph, "aws:kms/alias:Alias")["app"]
    assert alias.inputs["name"] == "alias/app" and keys["app"].urn in alias.dependencies


def test_alarm_on_a_table_watches_dynamodb(graph):
    alarm = by_type(graph, "aws:cloudwatch/metricAlarm:MetricAlarm")["sessions-errors"]
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/DynamoDB", "SystemErrors")


def test_rules(graph):
    from agentops.policy import evaluate_graph

    found = {(v.policy, v.resource) for v in evaluate_graph(graph, RepoConfig())}
    assert ("dynamodb-pitr-production", "tables.events") in found
    assert ("dynamodb-deletion-protection-production", "tables.events") in found
    assert ("dynamodb-kms-encryption", "tables.events") in found
    assert ("kms-key-rotation", "keys.legacy") in found
    assert not any(r in ("tables.sessions", "keys.app") for _, r in found)


def test_validation():
    with pytest.raises(SpecError, match="a provisioned table needs read_capacity and write_capacity"):
        load_spec_text("tables:\n  t: {billing: provisioned}\n", "stacks/dev.yaml")
    with pytest.raises(SpecError, match="apply to provisioned tables only"):
        load_spec_text("tables:\n  t: {read_capacity: 5}\n", "stacks/dev.yaml")
    with pytest.raises(SpecError, match=r"stacks/dev.yaml:3:5: keys.k.deletion_window_days"):
        load_spec_text("keys:\n  k:\n    deletion_window_days: 3\n", "stacks/dev.yaml")


def test_cost_prices_keys_and_lists_tables_as_unpriced():
    from agentops.cost import estimate

    cost = estimate(load_spec_text(SPEC, "stacks/prod.yaml"), "prod")
    lines = {l.resource: l for l in cost.lines}
    assert lines["keys.app"].monthly_usd == 1.0 and lines["keys.legacy"].monthly_usd == 1.0
    assert lines["tables.events"].monthly_usd is None
    assert "DynamoDB provisioned 5 RCU / 5 WCU" == lines["tables.events"].type
    assert {"tables.sessions", "tables.events"} <= set(cost.unpriced)


def test_edits():
    from agentops.edit import EditError, apply_plan

    def plan(action):
        return ActionPlan(command="c", interpretation="i", actions=[action])

    texts = {"prod": SPEC}
    create = Action(type=ActionType.create, resource=ResourceType.database, name="carts",
                    stack="prod", parameters=Parameters(kind="table"))
    spec = load_spec_text(apply_plan(plan(create), texts).texts["prod"], "stacks/prod.yaml")
    assert spec.tables["carts"].point_in_time_recovery is True
    key = Action(type=ActionType.create, resource=ResourceType.security, name="billing",
                 stack="prod", parameters=Parameters(kind="key"))
    assert "billing: {}" in apply_plan(plan(key), texts).texts["prod"]
    # A database with no kind is still an RDS instance; a nameless delete is refused.
    db = Action(type=ActionType.create, resource=ResourceType.database, name="orders",
                stack="prod", parameters=Parameters(engine="mysql"))
    assert "databases:\n  orders:\n    engine: mysql" in apply_plan(plan(db), texts).texts["prod"]
    nameless = Action(type=ActionType.delete, resource=ResourceType.database, stack="prod",
                      parameters=Parameters(kind="table"))
    with pytest.raises(EditError, match=r"names no resource.*tables.sessions, tables.events"):
        apply_plan(plan(nameless), texts)


@pytest.mark.parametrize("command, phrase", [
    ("create a dynamodb table called sessions in dev", "dynamodb table"),
    ("add a kms key named billing in prod", "kms key"),
])
def test_interpreter_refuses_them_by_name(command, phrase):
    with pytest.raises(InterpretError) as info:
        kinds.refuse_unknown(command, kinds.installed())
    assert f"agentops cannot interpret commands for '{phrase}' yet" in info.value.message
