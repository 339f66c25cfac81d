"""Deployments: a Kubernetes Deployment (and a Service when it has a port) on one of the
stack's clusters. Restart is declarative: a restart annotation on the pod template, bumped as
`kubectl rollout restart` does."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.imageref import ImageRef
from agentops.kinds.base import ActionMap, Alarm, EditError, EntryModel, Kind
from agentops.kinds.clusters import CONTAINER_METRICS, k8s_provider

RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt"


class Limits(EntryModel):
    cpu: str | None = None
    memory: str | None = None


class Deployment(EntryModel):
    """A Kubernetes Deployment (and a Service when it has a port) on one of the clusters."""

    cluster: str
    image: ImageRef  # an OCI reference by the distribution grammar (agentops.imageref)
    replicas: int = Field(1, ge=0, le=1000)
    port: int | None = Field(80, ge=1, le=65535)
    namespace: str = "default"
    env: dict[str, str] = Field(default_factory=dict)
    secret_env: dict[str, str] = Field(
        default_factory=dict,
        description="env var -> Pulumi config key holding a secret (pulumi config set --secret)",
    )
    limits: Limits | None = None
    restarted_at: str | None = Field(
        None, description="bumped to restart the pods, as `kubectl rollout restart` does"
    )


_FIELDS = {"image": "image", "replicas": "replicas", "port": "port", "count": "replicas"}


class DeploymentsKind(Kind):
    name = "deployments"
    section = "deployments"
    model = Deployment
    resource_type = ResourceType.deployment
    noun = "deployment"
    words = ("deployment", "deployments", "app", "apps", "pod", "pods", "workload",
             "container", "containers")
    kind_values = ()
    default_name = "app"
    description = "a Kubernetes Deployment and Service on one of the stack's clusters"
    spec_order = 3
    render_order = 6
    references = {"cluster": "clusters"}
    count_nouns = ("replicas", "pods", "copies")
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "scale": ActionMap({"replicas": "replicas", "count": "replicas"}),
        "restart": ActionMap(note="bumps restarted_at (the pod template's restart annotation)"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="Container Insights pod metrics"),
    }
    rules = ("k8s-min-replicas", "k8s-image-pinned", "k8s-resource-limits")
    alarm_metrics = tuple(CONTAINER_METRICS)
    replace_on_change = {
        "kubernetes:apps/v1:Deployment": ("metadata.name", "metadata.namespace", "spec.selector"),
        "kubernetes:core/v1:Service": ("metadata.name", "metadata.namespace", "spec.clusterIP"),
        "kubernetes:core/v1:Secret": ("metadata.name", "metadata.namespace", "type"),
    }
    # meta.v1: its input types only (object metadata), which every Kubernetes resource reads.
    provider_modules = ("pulumi_kubernetes.apps.v1.Deployment", "pulumi_kubernetes.core.v1.Secret",
                        "pulumi_kubernetes.core.v1.Service", "pulumi_kubernetes.meta.v1._inputs")
    priced = True
    cost_coverage = "runs on its cluster's nodes (priced there)"

    def config_secrets(self, dep: Deployment) -> tuple[str, ...]:
        return tuple(dep.secret_env.values())

    def render(self, ctx, name: str, dep: Deployment) -> None:
        import pulumi
        from pulumi_kubernetes.apps.v1 import Deployment as K8sDeployment
        from pulumi_kubernetes.core.v1 import Secret, Service

        parent = ctx.component(self.section, name).parent
        opts = pulumi.ResourceOptions(parent=parent, provider=k8s_provider(ctx, dep.cluster))
        labels = {"app": name, "app.kubernetes.io/managed-by": "agentops"}
        meta = {"name": name, "namespace": dep.namespace, "labels": labels}
        env = [{"name": k, "value": v} for k, v in dep.env.items()]
        if dep.secret_env:
            config = ctx.config or pulumi.Config()
            # The values stay Pulumi secrets end to end: in a Kubernetes Secret, never in the
            # Deployment's spec.
            Secret(
                f"{name}-secrets",
                metadata={"name": f"{name}-secrets", "namespace": dep.namespace, "labels": labels},
                string_data={var: config.require_secret(key) for var, key in dep.secret_env.items()},
                opts=opts,
            )
            env += [
                {"name": var, "value_from": {"secret_key_ref": {"name": f"{name}-secrets", "key": var}}}
                for var in dep.secret_env
            ]
        container: dict[str, Any] = {"name": name, "image": dep.image}
        if env:
            container["env"] = env
        if dep.port:
            container["ports"] = [{"container_port": dep.port}]
        if dep.limits:
            container["resources"] = {"limits": dep.limits.model_dump(exclude_none=True)}
        template_meta: dict[str, Any] = {"labels": labels}
        if dep.restarted_at:
            template_meta["annotations"] = {RESTART_ANNOTATION: dep.restarted_at}
        K8sDeployment(
            name,
            metadata=meta,
            spec={
                "replicas": dep.replicas,
                "selector": {"match_labels": {"app": name}},
                "template": {"metadata": template_meta, "spec": {"containers": [container]}},
            },
            opts=opts,
        )
        if dep.port:
            Service(
                name, metadata=meta,
                spec={"selector": {"app": name},
                      "ports": [{"port": dep.port, "target_port": dep.port, "protocol": "TCP"}]},
                opts=opts,
            )

    def alarms(self, ctx, name: str, dep: Deployment, metric: str) -> list[Alarm]:
        cluster = ctx.output("clusters", dep.cluster)
        metric_name = f"pod_{CONTAINER_METRICS.get(metric, 'cpu_utilization')}"
        return [Alarm("", "ContainerInsights", metric_name,
                      {"ClusterName": cluster.name, "Namespace": dep.namespace, "Service": name})]

    # -- edits

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap

        clusters = list(doc.get("clusters") or {})
        if len(clusters) != 1 and "cluster" not in params:
            raise EditError(
                f"create deployments.{name}: which cluster? (clusters: {', '.join(clusters) or 'none'})",
                hint="create a cluster first or name one" if not clusters else "name the cluster",
            )
        entry = CommentedMap()
        entry["cluster"] = params.pop("cluster", None) or clusters[0]
        for key, value in self.mapped("create", name, params).items():
            entry[key] = value
        return entry

    def scale(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.yamledit import append

        size = params.get("replicas", params.get("count"))
        if size is None:
            raise EditError(f"scale deployments.{name}: needs replicas",
                            hint="say the new size, e.g. 'scale api in dev to 3 replicas'")
        append(entry, "replicas", size)
        return f"scale deployments.{name} to {size} replicas"

    def restart(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.yamledit import append

        append(entry, "restarted_at", now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        return f"restart deployments.{name} (restarted_at {entry['restarted_at']})"

    def cost(self, p, name: str, dep: Deployment, spec) -> list:
        return [self.line(name, "Kubernetes deployment", 0.0,
                          f"runs on clusters.{dep.cluster}'s nodes, priced there")]
