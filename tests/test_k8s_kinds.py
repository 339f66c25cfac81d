"""The namespaces and cronjobs kinds (Kubernetes, on the stack's clusters): validation,
rendering under Pulumi's mocks through the cluster's provider, cost, rules and refusal."""

from __future__ import annotations

import pytest

from agentops import kinds, offline
from agentops.config import RepoConfig
from agentops.errors import InterpretError, SpecError
from agentops.spec import load_spec_text

SPEC = """\
tags: {owner: platform}
clusters:
  main: {}
namespaces:
  payments: {cluster: main, labels: {team: payments}}
  legacy: {cluster: main, pod_security: privileged}
cronjobs:
  nightly-report: {cluster: main, image: "ghcr.io/acme/report:2.1.0", schedule: "0 3 * * *", namespace: payments, command: [report, --yesterday]}
  cleanup: {cluster: main, image: "busybox:latest", schedule: "@hourly"}
"""


@pytest.fixture(scope="module")
def graph():
    return offline.capture(SPEC, "dev")


def by_type(graph, type_: str) -> dict:
    return {r.name: r for r in graph.resources if r.type == type_}


def test_namespace_and_cronjob_render_through_the_clusters_provider(graph):
    provider = next(r for r in graph.resources if r.type == "pulumi:providers:kubernetes")
    ns = by_type(graph, "kubernetes:core/v1:Namespace")["payments"]
    assert ns.spec_ref == "namespaces.payments"
    assert ns.inputs["metadata"]["labels"] == {
        "team": "payments", "pod-security.kubernetes.io/enforce": "baseline",
        "app.kubernetes.io/managed-by": "agentops"}
    assert ns.provider.startswith(provider.urn)
    job = by_type(graph, "kubernetes:batch/v1:CronJob")["nightly-report"]
    assert job.spec_ref == "cronjobs.nightly-report"
    assert job.inputs["spec"]["schedule"] == "0 3 * * *"
    assert job.inputs["spec"]["concurrencyPolicy"] == "Forbid"
    container = job.inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container == {"name": "nightly-report", "image": "ghcr.io/acme/report:2.1.0",
                         "command": ["report", "--yesterday"]}
    assert job.provider.startswith(provider.urn)


def test_rules(graph):
    from agentops.policy import evaluate_graph

    found = {(v.policy, v.resource) for v in evaluate_graph(graph, RepoConfig())}
    assert ("k8s-namespace-not-privileged", "namespaces.legacy") in found
    assert ("k8s-cronjob-image-pinned", "cronjobs.cleanup") in found
    assert ("k8s-namespace-not-privileged", "namespaces.payments") not in found
    assert ("k8s-cronjob-image-pinned", "cronjobs.nightly-report") not in found


def test_validation_and_cost():
    with pytest.raises(SpecError, match="not a cron schedule"):
        load_spec_text("clusters:\n  main: {}\ncronjobs:\n  j: {cluster: main, image: a:1, schedule: soon}\n",
                       "stacks/dev.yaml")
    with pytest.raises(SpecError, match=r"namespaces.ns.cluster: no cluster named 'blue' \(defined: main\)"):
        load_spec_text("clusters:\n  main: {}\nnamespaces:\n  ns: {cluster: blue}\n", "stacks/dev.yaml")
    from agentops.cost import estimate

    lines = {l.resource: l for l in estimate(load_spec_text(SPEC, "s"), "dev").lines}
    assert lines["cronjobs.cleanup"].monthly_usd == 0.0
    assert "clusters.main" in lines["cronjobs.cleanup"].detail


@pytest.mark.parametrize("command, phrase", [
    ("add a cron job that runs the report nightly in dev", "cron job"),
    ("create a kubernetes namespace called payments in prod", "kubernetes namespace"),
])
def test_interpreter_refuses_them_by_name(command, phrase):
    with pytest.raises(InterpretError) as info:
        kinds.refuse_unknown(command, kinds.installed())
    assert f"agentops cannot interpret commands for '{phrase}' yet" in info.value.message
    assert "cronjobs:" in info.value.hint or "namespaces:" in info.value.hint
