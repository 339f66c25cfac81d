"""Autoscalers: a Kubernetes HorizontalPodAutoscaler (autoscaling/v2) scaling one deployment of
the stack between min and max replicas on CPU and/or memory utilisation.

Utilisation is a percentage of the pods' resource requests; a deployment here sets limits
only, which Kubernetes then also uses as requests, so an autoscaler on CPU needs its target's
limits.cpu (memory likewise): without it the autoscaler cannot compute anything, which is
refused when the spec is read. While an autoscaler runs, it owns the deployment's replica
count; the deployment's `replicas` is the count before the first scaling decision.

Scaling an autoscaler: min_size/max_size set min/max replicas; a plain count (replicas=N)
sets min replicas to N, moving max up when N is above it."""

from __future__ import annotations

from pydantic import Field, model_validator

from agentops.kinds.base import ActionMap, Alarm, EditError, EntryModel, describe
from agentops.kinds.clusters import CONTAINER_METRICS
from agentops.kinds.k8s_common import KubernetesKind, resource_policy, target_deployment

HPA_TYPES = {"kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
             "kubernetes:autoscaling/v1:HorizontalPodAutoscaler"}


class Autoscaler(EntryModel):
    """A HorizontalPodAutoscaler on one deployment of the stack."""

    cluster: str = Field(description="the clusters entry it is made on (the target's)")
    target: str = Field(description="the deployments entry it scales")
    min_replicas: int = Field(2, ge=1, le=1000)
    max_replicas: int = Field(10, ge=1, le=1000)
    cpu_utilization: int | None = Field(80, ge=1, le=1000,
                                        description="target average CPU, % of requests")
    memory_utilization: int | None = Field(None, ge=1, le=1000,
                                           description="target average memory, % of requests")

    @model_validator(mode="after")
    def _bounds(self) -> "Autoscaler":
        if self.max_replicas < self.min_replicas:
            raise ValueError(f"max_replicas ({self.max_replicas}) is below min_replicas "
                             f"({self.min_replicas})")
        if self.cpu_utilization is None and self.memory_utilization is None:
            raise ValueError("an autoscaler needs cpu_utilization or memory_utilization")
        return self


class AutoscalersKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "autoscalers"
    section = "autoscalers"
    model = Autoscaler
    noun = "autoscaler"
    words = ("autoscaler", "autoscalers", "hpa", "hpas", "horizontal pod autoscaler",
             "pod autoscaler", "autoscaling")
    kind_values = ("autoscaler",)
    default_name = "autoscaler"
    target_suffix = "hpa"
    description = "a HorizontalPodAutoscaler: one deployment between min and max replicas"
    spec_order = 24
    render_order = 7
    references = {"cluster": "clusters", "target": "deployments"}
    actions = {
        "create": ActionMap({"target": "target", "min_size": "min_replicas",
                             "max_size": "max_replicas", "replicas": "min_replicas",
                             "count": "min_replicas", "metric": "cpu_utilization|memory_utilization",
                             "threshold": "cpu_utilization|memory_utilization"},
                            note="metric=cpu|memory with threshold= sets that utilisation target"),
        "update": ActionMap({"min_size": "min_replicas", "max_size": "max_replicas",
                             "metric": "cpu_utilization|memory_utilization",
                             "threshold": "cpu_utilization|memory_utilization"}),
        "scale": ActionMap({"min_size": "min_replicas", "max_size": "max_replicas",
                            "replicas": "min_replicas", "count": "min_replicas"},
                           note="a plain count sets min replicas, moving max up if needed"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="the target deployment's Container Insights pod metrics"),
    }
    rules = ("k8s-hpa-min-replicas", "k8s-hpa-max-above-min")
    alarm_metrics = tuple(CONTAINER_METRICS)
    replace_on_change = {t: ("metadata.name", "metadata.namespace") for t in HPA_TYPES}
    provider_modules = ("pulumi_kubernetes.autoscaling.v2.HorizontalPodAutoscaler",
                        "pulumi_kubernetes.meta.v1._inputs")

    def check(self, spec, name: str, entry: Autoscaler) -> None:
        super().check(spec, name, entry)
        dep = target_deployment(spec, self.section, name, entry)
        if dep is None:
            return
        for resource, target in (("cpu", entry.cpu_utilization), ("memory", entry.memory_utilization)):
            if target is not None and not (dep.limits and getattr(dep.limits, resource)):
                raise ValueError(
                    f"autoscalers.{name}: scales on {resource} but deployment {entry.target!r} "
                    f"sets no {resource} limit (utilisation is measured against it); set "
                    f"deployments.{entry.target}.limits.{resource}")
        for other, theirs in spec.section(self.section).items():
            if other != name and theirs.target == entry.target:
                raise ValueError(f"autoscalers.{name} and autoscalers.{other} both scale "
                                 f"deployment {entry.target!r}; keep one")

    def render(self, ctx, name: str, entry: Autoscaler) -> None:
        from pulumi_kubernetes.autoscaling.v2 import HorizontalPodAutoscaler

        dep = ctx.spec.deployments[entry.target]
        metrics = [{"type": "Resource", "resource": {"name": resource, "target": {
                    "type": "Utilization", "average_utilization": value}}}
                   for resource, value in (("cpu", entry.cpu_utilization),
                                           ("memory", entry.memory_utilization))
                   if value is not None]
        hpa = HorizontalPodAutoscaler(
            name, metadata=self.metadata(name, dep.namespace),
            spec={"scale_target_ref": {"api_version": "apps/v1", "kind": "Deployment",
                                       "name": entry.target},
                  "min_replicas": entry.min_replicas, "max_replicas": entry.max_replicas,
                  "metrics": metrics},
            opts=self.options(ctx, name, entry, dep.namespace),
        )
        ctx.publish(self.section, name, hpa)

    def alarms(self, ctx, name: str, entry: Autoscaler, metric: str) -> list[Alarm]:
        # What an autoscaler scales on is its deployment's pods: an alert watches those.
        deployments = ctx.registry["deployments"]
        return deployments.alarms(ctx, entry.target, ctx.spec.deployments[entry.target], metric)

    # -- edits

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap

        self.mapped("create", name, params)
        deployments = doc.get("deployments") or {}
        target = params.get("target")
        if target is None or target not in deployments:
            raise EditError(
                f"create autoscalers.{name}: " + (f"no deployment named {target!r}" if target
                                                   else "which deployment does it scale?")
                + f" (deployments: {', '.join(deployments) or 'none'})",
                hint="name the deployment with target=")
        entry = CommentedMap()
        entry["cluster"] = deployments[target]["cluster"]
        entry["target"] = target
        for key, value in self._values("create", name, params).items():
            entry[key] = value
        return entry

    def update(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.yamledit import append

        self.mapped("update", name, params)
        values = self._values("update", name, params)
        if not values:
            raise EditError(f"update autoscalers.{name}: the action sets no parameter",
                            hint="parameters for autoscalers: min_size, max_size, metric with threshold")
        for key, value in values.items():
            append(entry, key, value)
        return f"update autoscalers.{name}: " + describe(params)

    def scale(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.yamledit import append

        self.mapped("scale", name, params)
        values = self._values("scale", name, params)
        if not values:
            raise EditError(f"scale autoscalers.{name}: the action says no size",
                            hint="say min_size/max_size, or a count for the minimum")
        for key, value in values.items():
            append(entry, key, value)
        count = params.get("replicas", params.get("count"))
        if count is not None and "max_size" not in params and count > entry.get("max_replicas", 10):
            # As a person would: a minimum above the maximum moves the maximum.
            append(entry, "max_replicas", count)
        return f"scale autoscalers.{name}: " + describe(params)

    def _values(self, action: str, name: str, params: dict) -> dict:
        out = {}
        if "min_size" in params:
            out["min_replicas"] = params["min_size"]
        if "max_size" in params:
            out["max_replicas"] = params["max_size"]
        count = params.get("replicas", params.get("count"))
        if count is not None and "min_size" not in params:
            out["min_replicas"] = count
        if "threshold" in params or "metric" in params:
            metric = str(params.get("metric", "cpu")).lower()
            if metric not in ("cpu", "memory") or "threshold" not in params:
                raise EditError(f"{action} autoscalers.{name}: scales on cpu or memory with a "
                                f"threshold (got metric={metric}"
                                f"{', no threshold' if 'threshold' not in params else ''})",
                                hint="e.g. metric=cpu threshold=70")
            out[f"{metric}_utilization"] = params["threshold"]
        return out

    # -- rules

    def policies(self) -> list:
        return [
            resource_policy(
                "k8s-hpa-min-replicas", "Autoscalers in production stacks keep at least "
                "minReplicas replicas (one pod is one node loss from an outage).", "mandatory",
                "high", HPA_TYPES, _min_replicas,
                minReplicas={"type": "integer", "default": 2, "minimum": 1}),
            resource_policy(
                "k8s-hpa-max-above-min", "Autoscalers' maxReplicas is at least their "
                "minReplicas.", "mandatory", "medium", HPA_TYPES, _max_above_min),
        ]


def _replicas(props) -> tuple[int, int | None]:
    spec = props.get("spec") or {}
    low = spec.get("minReplicas")
    high = spec.get("maxReplicas")
    return (1 if low is None else int(low)), (None if high is None else int(high))


def _min_replicas(args, report_violation) -> None:
    from agentops.policy_rules import is_production, setting

    config = args.get_config()
    if not is_production(args.urn, config):
        return
    minimum = int(setting(config, "minReplicas", 2))
    low, _ = _replicas(args.props)  # Kubernetes defaults minReplicas to one
    if low < minimum:
        report_violation(f"autoscaler '{args.name}' in a production stack may scale down to "
                         f"{low} replica(s); keep at least {minimum} (min_replicas)")


def _max_above_min(args, report_violation) -> None:
    low, high = _replicas(args.props)
    if high is not None and high < low:
        report_violation(f"autoscaler '{args.name}' has maxReplicas {high} below minReplicas "
                         f"{low}; raise max_replicas")
