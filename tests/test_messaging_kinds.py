"""The queues (SQS) and topics (SNS) kinds: spec validation, rendering under Pulumi's mocks,
cost, their CrossGuard rules, edits, and the interpreter's refusal (they are written in specs
by hand until the interpreter learns them)."""

from __future__ import annotations

import json

import pytest

from agentops import kinds, offline
from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.config import RepoConfig
from agentops.errors import InterpretError, SpecError
from agentops.spec import load_spec_text

SPEC = """\
provider: aws
region: us-east-1
tags: {owner: payments}
queues:
  jobs:
    dead_letter_after: 5
  audit: {encrypted: false}
topics:
  orders:
    queues: [jobs]
"""


def by_type(graph, type_: str) -> dict:
    return {r.name: r for r in graph.resources if r.type == type_}


@pytest.fixture(scope="module")
def graph():
    return offline.capture(SPEC, "prod")


def test_queues_render_encrypted_with_a_dead_letter_queue(graph):
    queues = by_type(graph, "aws:sqs/queue:Queue")
    assert set(queues) == {"jobs", "jobs-dlq", "audit"}
    jobs = queues["jobs"]
    assert jobs.spec_ref == "queues.jobs"
    assert jobs.inputs["sqsManagedSseEnabled"] is True
    assert jobs.inputs["visibilityTimeoutSeconds"] == 30
    assert jobs.inputs["tags"] == {"owner": "payments", "environment": "prod",
                                   "agentops:resource": "queues.jobs"}
    # The redrive policy points at the dead-letter queue (its ARN is known after apply).
    assert queues["jobs-dlq"].urn in jobs.dependencies
    assert queues["jobs-dlq"].inputs["messageRetentionSeconds"] == 1209600
    assert queues["audit"].inputs["sqsManagedSseEnabled"] is False
    parent = graph.by_urn()[jobs.parent]
    assert (parent.type, parent.name) == ("agentops:spec:queues", "jobs")


def test_topic_renders_encrypted_and_subscribes_its_queues(graph):
    topic = by_type(graph, "aws:sns/topic:Topic")["orders"]
    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    assert topic.spec_ref == "topics.orders"
    subscription = by_type(graph, "aws:sns/topicSubscription:TopicSubscription")["orders-to-jobs"]
    assert subscription.inputs["protocol"] == "sqs"
    jobs = by_type(graph, "aws:sqs/queue:Queue")["jobs"]
    assert {topic.urn, jobs.urn} <= set(subscription.dependencies)
    policy = by_type(graph, "aws:sqs/queuePolicy:QueuePolicy")["orders-to-jobs"]
    assert jobs.urn in policy.dependencies


def test_specs_are_validated_with_positions_and_references():
    with pytest.raises(SpecError) as info:
        load_spec_text("queues:\n  jobs:\n    retention_seconds: 5\n", "stacks/dev.yaml")
    assert "stacks/dev.yaml:3:5: queues.jobs.retention_seconds" in str(info.value)
    with pytest.raises(SpecError, match=r"topics.orders.queues: no queues entry 'nope' \(defined: none\)"):
        load_spec_text("topics:\n  orders: {queues: [nope]}\n", "stacks/dev.yaml")
    with pytest.raises(SpecError, match="a topic delivers only to queues of its own type"):
        load_spec_text("queues:\n  q: {fifo: true}\ntopics:\n  t: {queues: [q]}\n", "stacks/dev.yaml")


def test_fifo_queues_and_topics_are_named_fifo():
    graph = offline.capture("queues:\n  q: {fifo: true}\ntopics:\n  t: {fifo: true, queues: [q]}\n", "dev")
    assert by_type(graph, "aws:sqs/queue:Queue")["q"].inputs["name"] == "q.fifo"
    assert by_type(graph, "aws:sns/topic:Topic")["t"].inputs["fifoTopic"] is True


def test_cost_lists_them_as_unpriced_never_zero():
    from agentops.cost import estimate

    cost = estimate(load_spec_text(SPEC, "stacks/prod.yaml"), "prod")
    lines = {l.resource: l for l in cost.lines}
    assert lines["queues.jobs"].monthly_usd is None and "usage-based" in lines["queues.jobs"].detail
    assert lines["topics.orders"].monthly_usd is None
    assert {"queues.jobs", "queues.audit", "topics.orders"} <= set(cost.unpriced)


def test_rules_catch_unencrypted_queues_and_topics_and_missing_dead_letters(graph):
    from agentops.policy import evaluate_graph

    verdicts = evaluate_graph(graph, RepoConfig())
    found = {(v.policy, v.resource) for v in verdicts}
    assert ("sqs-encrypted", "queues.audit") in found
    assert ("sqs-encrypted", "queues.jobs") not in found
    # Production: the queue without a dead-letter queue is flagged (advisory), not the other.
    assert ("sqs-dead-letter-production", "queues.audit") in found
    assert ("sqs-dead-letter-production", "queues.jobs") not in found
    plain = offline.capture(SPEC.replace("queues: [jobs]", "queues: [jobs]\n    encrypted: false"), "dev")
    found = {(v.policy, v.resource) for v in evaluate_graph(plain, RepoConfig())}
    assert ("sns-encrypted", "topics.orders") in found
    assert not any(p == "sqs-dead-letter-production" for p, _ in found)  # not production


def test_alerts_on_queues_watch_sqs_metrics():
    graph = offline.capture(SPEC + "alerts:\n  jobs-age: {target: jobs, metric: latency, threshold: 600}\n", "dev")
    alarm = by_type(graph, "aws:cloudwatch/metricAlarm:MetricAlarm")["jobs-age"]
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")


def test_edits_create_monitor_and_delete():
    from agentops.edit import EditError, apply_plan

    def plan(*actions):
        return ActionPlan(command="c", interpretation="i", actions=list(actions))

    texts = {"prod": SPEC}
    create = Action(type=ActionType.create, resource=ResourceType.infrastructure, name="emails",
                    stack="prod", parameters=Parameters(kind="queue"))
    text = apply_plan(plan(create), texts).texts["prod"]
    assert "  emails: {}\n" in text or "  emails:\n" in text
    assert load_spec_text(text, "stacks/prod.yaml").queues["emails"].encrypted is True
    delete = Action(type=ActionType.delete, resource=ResourceType.infrastructure, name="audit",
                    stack="prod")
    assert "audit" not in apply_plan(plan(delete), texts).texts["prod"]
    scale = Action(type=ActionType.scale, resource=ResourceType.infrastructure, name="jobs",
                   stack="prod", parameters=Parameters(count=3))
    with pytest.raises(EditError, match="scale does not apply to queues"):
        apply_plan(plan(scale), texts)
    # Deleting a queue a topic sends to is refused by validation, naming the topic's field.
    gone = Action(type=ActionType.delete, resource=ResourceType.infrastructure, name="jobs",
                  stack="prod")
    with pytest.raises(SpecError, match="topics.orders.queues: no queues entry 'jobs'"):
        apply_plan(plan(gone), texts)


@pytest.mark.parametrize("command, phrase", [
    ("create an SQS queue called jobs in dev", "sqs queue"),
    ("add an sns topic named orders to prod", "sns topic"),
])
def test_interpreter_refuses_them_by_name_until_it_learns_them(command, phrase):
    registry = kinds.installed()
    with pytest.raises(InterpretError) as info:
        kinds.refuse_unknown(command, registry)
    assert f"agentops cannot interpret commands for '{phrase}' yet" in info.value.message
    assert "stacks/<stack>.yaml" in info.value.hint
    # The grammar does not offer them to the model either.
    from agentops.planline import grammar

    assert "queue" not in grammar(["dev"]) and "topic" not in grammar(["dev"])


def test_preload_covers_what_rendering_them_imports(tmp_path):
    # As tests/test_offline_fast.py does for the other kinds: after _preload(), rendering loads
    # no provider module and completes no thin package (Kind.provider_modules is complete).
    import subprocess
    import sys

    # The registries, tables, keys, namespaces and cronjobs kinds too.
    (tmp_path / "prod.yaml").write_text(SPEC + "registries:\n  images: {keep_images: 3}\n"
                                        "tables:\n  t: {}\nkeys:\n  k: {}\n"
                                        "clusters:\n  c: {}\nnamespaces:\n  n: {cluster: c}\n"
                                        "cronjobs:\n  j: {cluster: c, image: 'a:1', schedule: '@daily'}\n")
    script = f"""
import json, sys
from agentops import offline
from agentops.spec import load_spec_text
spec = load_spec_text(open({str(tmp_path / "prod.yaml")!r}).read(), "prod.yaml")
offline._import_sdk()
offline._preload([spec])
before = set(sys.modules)
offline.capture_spec(spec, "prod")
late = sorted(m for m in set(sys.modules) - before
              if m.startswith(("pulumi_aws", "pulumi_kubernetes")))
late += sorted(name for name, m in sys.modules.items()
               if isinstance(m, offline._ThinPackage) and m.__dict__.get("_complete"))
print(json.dumps(late))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
