"""Disruption budgets: a Kubernetes PodDisruptionBudget for one deployment of the stack, so a
node drain (an upgrade, a scale-in) takes down at most so many of its pods at a time.

Exactly one of min_available / max_unavailable (a count or a percentage like "50%"). A budget
that allows no disruption at all (max_unavailable 0, or min_available at or above the
deployment's replicas, or 100%) blocks every drain, and so every node upgrade: it is refused
when the spec is read, and the k8s-pdb-allows-disruption rule checks the same on any budget."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from agentops.kinds.base import ActionMap, EditError, EntryModel
from agentops.kinds.k8s_common import KubernetesKind, resource_policy, target_deployment

PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget"
_PERCENT = re.compile(r"^(\d{1,3})%$")


def _check_amount(value: int | str | None) -> int | str | None:
    if value is None or isinstance(value, int):
        if isinstance(value, int) and value < 0:
            raise ValueError(f"{value} is negative")
        return value
    match = _PERCENT.match(value)
    if not match or int(match.group(1)) > 100:
        raise ValueError(f"{value!r} is not a pod count or a percentage (like 1 or 50%)")
    return value


class DisruptionBudget(EntryModel):
    """A PodDisruptionBudget for one deployment."""

    cluster: str = Field(description="the clusters entry it is made on (the target's)")
    target: str = Field(description="the deployments entry whose pods it protects")
    min_available: int | str | None = Field(None, description="pods that stay up (count or %)")
    max_unavailable: int | str | None = Field(None, description="pods that may go (count or %)")

    _amounts = field_validator("min_available", "max_unavailable")(_check_amount)

    @model_validator(mode="after")
    def _one(self) -> "DisruptionBudget":
        if self.min_available is not None and self.max_unavailable is not None:
            raise ValueError("set min_available or max_unavailable, not both")
        return self

    def budget(self) -> tuple[str, int | str]:
        """(field, value) in effect: one pod at a time when neither is set."""
        if self.min_available is not None:
            return "min_available", self.min_available
        return "max_unavailable", 1 if self.max_unavailable is None else self.max_unavailable


_AMOUNTS = {"min_size": "min_available", "min_available": "min_available",
            "max_unavailable": "max_unavailable"}
_FIELDS = {"target": "target", **_AMOUNTS}


class DisruptionBudgetsKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "disruption_budgets"
    section = "disruption_budgets"
    model = DisruptionBudget
    noun = "disruption budget"
    # how people say either amount ("at most 5 down at once", "keep at least 2 available"): the
    # guard moves a number the model wrote under the other key (interpret.values._keys_by_phrase)
    phrases = {"max_unavailable": ("at most {n}", "no more than {n}", "max {n}", "{n} down", "{n} unavailable",
                                   "{n} at a time", "{n} go at a time", "{n} at once", "{n} go at once",
                                   "max unavailable {n}", "maximum unavailable {n}"),
               "min_available": ("at least {n}", "keep {n}", "min {n}", "{n} available", "{n} up", "{n} running",
                                 "min available {n}", "minimum available {n}")}
    words = ("disruption budget", "disruption budgets", "pod disruption budget", "pdb", "pdbs")
    kind_values = ("pdb",)
    default_name = "pdb"
    target_suffix = "pdb"
    description = "a PodDisruptionBudget: how many of a deployment's pods a drain may take"
    spec_order = 26
    render_order = 7
    references = {"cluster": "clusters", "target": "deployments"}
    actions = {
        "create": ActionMap(_FIELDS, note="min_size= is min_available"),
        "update": ActionMap(_AMOUNTS, note="setting one of the two removes the other"),
        "delete": ActionMap(),
    }
    rules = ("k8s-pdb-allows-disruption",)
    replace_on_change = {PDB_TYPE: ("metadata.name", "metadata.namespace")}
    provider_modules = ("pulumi_kubernetes.policy.v1.PodDisruptionBudget",
                        "pulumi_kubernetes.meta.v1._inputs")

    def check(self, spec, name: str, entry: DisruptionBudget) -> None:
        super().check(spec, name, entry)
        dep = target_deployment(spec, self.section, name, entry)
        if dep is None:
            return
        field, value = entry.budget()
        blocked = (value in (0, "0%") if field == "max_unavailable" else
                   value == "100%" or (isinstance(value, int) and 0 < dep.replicas <= value))
        if blocked:
            raise ValueError(
                f"disruption_budgets.{name} lets no pod of {entry.target!r} "
                f"({dep.replicas} replica(s)) be evicted, which blocks every node drain and "
                f"upgrade; allow at least one (max_unavailable: 1)")

    def render(self, ctx, name: str, entry: DisruptionBudget) -> None:
        from pulumi_kubernetes.policy.v1 import PodDisruptionBudget

        dep = ctx.spec.deployments[entry.target]
        field, value = entry.budget()
        spec = {"selector": {"match_labels": {"app": entry.target}}, field: value}
        pdb = PodDisruptionBudget(name, metadata=self.metadata(name, dep.namespace), spec=spec,
                                  opts=self.options(ctx, name, entry, dep.namespace))
        ctx.publish(self.section, name, pdb)

    def create_entry(self, name: str, params: dict, doc, kind_word):
        deployments = doc.get("deployments") or {}
        target = params.get("target")
        if target is None or target not in deployments:
            raise EditError(
                f"create disruption_budgets.{name}: " + (f"no deployment named {target!r}"
                                                          if target else "for which deployment?")
                + f" (deployments: {', '.join(deployments) or 'none'})",
                hint="name the deployment with target=")
        params.setdefault("cluster", deployments[target]["cluster"])
        return super().create_entry(name, params, doc, kind_word)

    def update(self, entry, name: str, params: dict, now) -> str:
        # One of the two at a time: setting one removes the other.
        message = super().update(entry, name, params, now)
        for key, other in (("min_available", "max_unavailable"), ("max_unavailable", "min_available")):
            if key in self.mapped("update", name, params) and other in entry:
                del entry[other]
        return message

    # -- rules

    def policies(self) -> list:
        return [resource_policy(
            "k8s-pdb-allows-disruption", "Pod disruption budgets allow at least one eviction "
            "(one that allows none blocks every node drain and upgrade).", "mandatory", "medium",
            {PDB_TYPE}, _allows_disruption)]


def _none_allowed(value) -> bool:
    # Numbers arrive as floats from the CrossGuard analyzer (protobuf Struct), ints offline.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 0
    return str(value).strip() == "0%"


def _allows_disruption(args, report_violation) -> None:
    spec = args.props.get("spec") or {}
    if ("maxUnavailable" in spec and _none_allowed(spec.get("maxUnavailable"))) \
            or str(spec.get("minAvailable")).strip() == "100%":
        report_violation(f"disruption budget '{args.name}' allows no eviction; node drains and "
                         f"upgrades will hang. Allow at least one (max_unavailable: 1)")
