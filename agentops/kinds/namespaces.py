"""Namespaces: a Kubernetes Namespace on one of the stack's clusters, with its labels (an
`owner` label says who answers for what runs in it; the k8s-namespace-owner rule wants one).

The entry's name is the namespace's, unless `name:` says otherwise (entry names are unique
across a stack, so a namespace called `api` next to a deployment `api` is written as
`api-ns: {cluster: main, name: api}`). The config maps, ingresses, cron jobs and other objects
of this family that go into a namespace the stack makes are applied after it."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from agentops.kinds.base import ActionMap, EditError, EntryModel, describe
from agentops.kinds.k8s_common import KubernetesKind, check_dns_label, check_labels, resource_policy

NAMESPACE_TYPE = "kubernetes:core/v1:Namespace"
OWNER_LABEL = "owner"


class Namespace(EntryModel):
    """A Kubernetes Namespace on one of the stack's clusters."""

    cluster: str = Field(description="the clusters entry it is made on")
    name: str | None = Field(None, description="its name in Kubernetes (the entry's when unset)")
    labels: dict[str, str] = Field(default_factory=dict,
                                   description="Kubernetes labels; `owner` names who answers for it")

    _name = field_validator("name")(lambda v: v if v is None else check_dns_label(v))
    _labels = field_validator("labels")(check_labels)


def k8s_name(name: str, entry: Namespace) -> str:
    return entry.name or name


# words that end an owner's phrase without being a team ("hand it over to the prod cluster")
_NOT_TEAMS = frozenset({"the", "a", "an", "it", "us", "me", "them", "prod", "production", "staging", "stage",
                        "stg", "dev", "development", "team", "cluster", "namespace", "ns"})


class NamespacesKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "namespaces"
    section = "namespaces"
    model = Namespace
    noun = "namespace"
    value_intros = {"owner": ("owner", "owned by", "belongs to", "owning team", "owner label")}
    words = ("namespace", "namespaces", "kubernetes namespace", "k8s namespace")
    kind_values = ("namespace",)
    default_name = "namespace"
    description = "a Kubernetes Namespace on one of the stack's clusters, with its labels"
    spec_order = 20
    # After clusters (their provider), before deployments and the objects that go into it.
    render_order = 5
    actions = {
        "create": ActionMap({"owner": "labels.owner"}, note="owner= sets the owner label"),
        "update": ActionMap({"owner": "labels.owner"}, note="owner= sets the owner label"),
        "delete": ActionMap(note="deleting a namespace deletes everything in it"),
    }
    rules = ("k8s-namespace-owner",)
    replace_on_change = {NAMESPACE_TYPE: ("metadata.name",)}
    provider_modules = ("pulumi_kubernetes.core.v1.Namespace", "pulumi_kubernetes.meta.v1._inputs")

    def check(self, spec, name: str, entry: Namespace) -> None:
        super().check(spec, name, entry)
        own = k8s_name(name, entry)
        for other, theirs in spec.section(self.section).items():
            if other != name and theirs.cluster == entry.cluster and k8s_name(other, theirs) == own:
                raise ValueError(f"namespaces.{name} and namespaces.{other} both make namespace "
                                 f"{own!r} on cluster {entry.cluster!r}; keep one")

    def render(self, ctx, name: str, entry: Namespace) -> None:
        from pulumi_kubernetes.core.v1 import Namespace as K8sNamespace

        real = k8s_name(name, entry)
        # No namespace of its own: `options` would otherwise look up the namespace it makes.
        opts = self.options(ctx, name, entry, namespace="")
        namespace = K8sNamespace(name, metadata=self.metadata(real, None, entry.labels), opts=opts)
        ctx.memo[("k8s-namespace", entry.cluster, real)] = namespace
        ctx.publish(self.section, name, namespace)

    def value_from_words(self, key: str, text: str, entry):
        """The owner a command gives in words that do not introduce it (value_intros reads
        "owned by X", "owner X"): "make X the owner", "X owns it", "hand it over to X", "set
        the owner of it to X", "for team X", "(team: X)". One team said, or nothing."""
        if key != "owner":
            return None
        lowered = " ".join(text.lower().split())
        team = r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)"
        said = {m.group(1) for pattern in (
            rf"\bmake\s+{team}\s+(?:the\s+)?owners?\b",
            rf"(?<![\w-]){team}\s+(?:now\s+)?owns\b",
            rf"\b(?:hand|give|transfer|reassign|move)\b[^,;.]*?\b(?:over\s+)?to\s+(?:the\s+)?{team}",
            rf"\bowner(?:ship)?\s+(?:of\s+[^,;.]*?\s+)?(?:to|->)\s+(?:the\s+)?{team}",
            rf"\bfor\s+(?:the\s+)?team\s+{team}",
            rf"\bteam\s*[:=]\s*{team}",
        ) for m in re.finditer(pattern, lowered)} - _NOT_TEAMS
        if entry is not None:
            said.discard(str((entry.labels or {}).get(OWNER_LABEL, "")))
        return said.pop() if len(said) == 1 else None

    # -- edits: owner= is a label

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        entry["cluster"] = self.cluster_for(name, params, doc)
        self.mapped("create", name, params)  # refuses keys other than owner, listing it
        if "owner" in params:
            entry["labels"] = CommentedMap({OWNER_LABEL: str(params["owner"])})
        return entry

    def update(self, entry, name: str, params: dict, now) -> str:
        from ruamel.yaml.comments import CommentedMap

        from agentops.kinds.yamledit import append

        self.mapped("update", name, params)
        if "owner" not in params:
            raise EditError(f"update namespaces.{name}: the action sets no parameter",
                            hint="parameters for namespaces: owner")
        if not isinstance(entry.get("labels"), CommentedMap):
            append(entry, "labels", CommentedMap())
        append(entry["labels"], OWNER_LABEL, str(params["owner"]))
        return f"update namespaces.{name}: " + describe(params)

    # -- rules

    def policies(self) -> list:
        return [resource_policy(
            "k8s-namespace-owner", "Kubernetes namespaces carry an owner label (ownerLabel), so "
            "every workload has someone who answers for it.", "mandatory", "medium",
            {NAMESPACE_TYPE}, _owner_label,
            ownerLabel={"type": "string", "default": OWNER_LABEL})]


def _owner_label(args, report_violation) -> None:
    from agentops.policy_rules import setting

    label = str(setting(args.get_config(), "ownerLabel", OWNER_LABEL))
    labels = (args.props.get("metadata") or {}).get("labels") or {}
    if not labels.get(label):
        report_violation(f"namespace '{args.name}' has no '{label}' label; say who owns it "
                         f"(labels: {{{label}: team-name}}, or 'set owner of {args.name} to ...')")
