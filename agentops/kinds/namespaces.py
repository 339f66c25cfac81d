"""Namespaces: a Kubernetes namespace on one of the stack's clusters, with labels (Pod Security
Admission's enforce level among them). Written in specs by hand for now (interpreted = False)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind
from agentops.kinds.clusters import k8s_provider

NAMESPACE = "kubernetes:core/v1:Namespace"
PSA_LABEL = "pod-security.kubernetes.io/enforce"


class Namespace(EntryModel):
    """A Kubernetes namespace."""

    cluster: str
    pod_security: Literal["privileged", "baseline", "restricted"] = "baseline"
    labels: dict[str, str] = Field(default_factory=dict)


def _pod_security(args, report_violation) -> None:
    labels = (args.props.get("metadata") or {}).get("labels") or {}
    if labels.get(PSA_LABEL) == "privileged":
        report_violation(f"namespace '{args.name}' lets pods run privileged; set pod_security: "
                         f"baseline or restricted")


class NamespacesKind(Kind):
    name = "namespaces"
    section = "namespaces"
    model = Namespace
    resource_type = ResourceType.deployment
    noun = "namespace"
    words = ("namespaces",)
    kind_values = ("namespace",)
    interpreted = False
    grammar_rank = 15
    default_name = "namespace"
    description = "a Kubernetes namespace with a Pod Security Admission level"
    spec_order = 13
    render_order = 3  # after clusters, before what runs in it
    references = {"cluster": "clusters"}
    actions = {"create": ActionMap(), "delete": ActionMap()}
    rules = ("k8s-namespace-not-privileged",)
    replace_on_change = {NAMESPACE: ("metadata.name",)}
    provider_modules = ("pulumi_kubernetes.core.v1.Namespace", "pulumi_kubernetes.meta.v1._inputs")
    priced = True
    cost_coverage = "no charge of its own (runs on its cluster's nodes)"

    def render(self, ctx, name: str, ns: Namespace) -> None:
        import pulumi
        from pulumi_kubernetes.core.v1 import Namespace as K8sNamespace

        parent = ctx.component(self.section, name).parent
        opts = pulumi.ResourceOptions(parent=parent, provider=k8s_provider(ctx, ns.cluster))
        labels = {**ns.labels, PSA_LABEL: ns.pod_security,
                  "app.kubernetes.io/managed-by": "agentops"}
        created = K8sNamespace(name, metadata={"name": name, "labels": labels}, opts=opts)
        ctx.publish(self.section, name, created)

    def cost(self, p, name: str, ns: Namespace, spec) -> list:
        return [self.line(name, "Kubernetes namespace", 0.0,
                          f"no charge; its pods run on clusters.{ns.cluster}'s nodes")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [resource_policy("k8s-namespace-not-privileged", "Namespaces do not allow "
                                "privileged pods (Pod Security Admission).",
                                EnforcementLevel.MANDATORY, Severity.HIGH, {NAMESPACE},
                                _pod_security)]
