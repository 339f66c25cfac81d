"""The registries kind (ECR): validation, rendering under Pulumi's mocks, cost, its rules,
edits, and what it refuses (an alert on it: ECR has no metric agentops can watch)."""

from __future__ import annotations

import json

import pytest

from agentops import offline
from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.config import RepoConfig
from agentops.errors import SpecError
from agentops.spec import load_spec_text

SPEC = """\
tags: {owner: build}
registries:
  api: {keep_images: 20}
  scratch: {immutable_tags: false, scan_on_push: false}
"""


@pytest.fixture(scope="module")
def graph():
    return offline.capture(SPEC, "dev")


def by_type(graph, type_: str) -> dict:
    return {r.name: r for r in graph.resources if r.type == type_}


def test_repository_renders_scanned_immutable_and_expiring(graph):
    repos = by_type(graph, "aws:ecr/repository:Repository")
    api = repos["api"]
    assert api.spec_ref == "registries.api"
    assert api.inputs["imageTagMutability"] == "IMMUTABLE"
    assert api.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert api.inputs["encryptionConfigurations"] == [{"encryptionType": "AES256"}]
    assert api.inputs["tags"]["owner"] == "build"
    policy = by_type(graph, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert set(policy) == {"api"}  # scratch keeps every image
    rule = json.loads(policy["api"].inputs["policy"])["rules"][0]
    assert rule["selection"]["countNumber"] == 20 and rule["action"] == {"type": "expire"}


def test_rules_scan_on_push_and_immutable_tags(graph):
    from agentops.policy import evaluate_graph

    verdicts = {(v.policy, v.resource): v for v in evaluate_graph(graph, RepoConfig())}
    assert verdicts[("ecr-scan-on-push", "registries.scratch")].enforcement == "mandatory"
    assert verdicts[("ecr-immutable-tags", "registries.scratch")].enforcement == "advisory"
    assert not any(r == "registries.api" for _, r in verdicts)


def test_validation_and_cost():
    with pytest.raises(SpecError, match=r"stacks/dev.yaml:3:5: registries.api.encryption"):
        load_spec_text("registries:\n  api:\n    encryption: DES\n", "stacks/dev.yaml")
    with pytest.raises(SpecError, match="no metric agentops can watch"):
        load_spec_text(SPEC + "alerts:\n  a: {target: api, threshold: 1}\n", "stacks/dev.yaml")
    from agentops.cost import estimate

    cost = estimate(load_spec_text(SPEC, "stacks/dev.yaml"), "dev")
    assert {"registries.api", "registries.scratch"} <= set(cost.unpriced)


def test_edits_create_delete_and_refuse_monitoring():
    from agentops.edit import EditError, apply_plan

    def plan(action):
        return ActionPlan(command="c", interpretation="i", actions=[action])

    texts = {"dev": SPEC}
    create = Action(type=ActionType.create, resource=ResourceType.infrastructure, name="web",
                    stack="dev", parameters=Parameters(kind="registry"))
    spec = load_spec_text(apply_plan(plan(create), texts).texts["dev"], "stacks/dev.yaml")
    assert spec.registries["web"].immutable_tags is True
    delete = Action(type=ActionType.delete, resource=ResourceType.infrastructure, name="scratch",
                    stack="dev")
    assert "scratch" not in apply_plan(plan(delete), texts).texts["dev"]
    monitor = Action(type=ActionType.monitor, resource=ResourceType.infrastructure, name="api",
                     stack="dev", parameters=Parameters(threshold=1))
    with pytest.raises(EditError, match="registries has no metric agentops can watch"):
        apply_plan(plan(monitor), texts)
