"""Config maps: a Kubernetes ConfigMap of non-secret configuration on one of the stack's
clusters.

A ConfigMap is stored and shown in clear (kubectl, the plan, the PR, the spec in git), so a
value that looks like a secret (a key named like a password or token, a private key, an access
key, a credentials URL, a long random-looking string) is refused when the spec is read, naming
the key and never the value: secrets go in Pulumi config and reach pods as Kubernetes Secrets
(a deployment's secret_env). The k8s-configmap-no-secrets rule checks the same on any
ConfigMap a program makes."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from agentops.kinds.base import ActionMap, EditError
from agentops.kinds.k8s_common import KubernetesKind, OnCluster, refuse_secrets, resource_policy, secret_reason

CONFIG_MAP_TYPE = "kubernetes:core/v1:ConfigMap"
_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


# a configuration key as people write one: upper case, with an underscore (QUEUE_TIMEOUT_S)
_WRITTEN_KEY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w-])")


class ConfigMap(OnCluster):
    """A Kubernetes ConfigMap of non-secret configuration (key -> value)."""

    data: dict[str, str] = Field(default_factory=dict, description="key -> value, never secrets")
    immutable: bool = False

    @field_validator("data", mode="before")
    @classmethod
    def _as_text(cls, data: Any) -> Any:
        # YAML reads `workers: 4` or `debug: true` as numbers and booleans; Kubernetes keeps
        # text, written as a person would (true, not True).
        if not isinstance(data, dict):
            return data
        return {k: (str(v).lower() if isinstance(v, bool) else str(v))
                if isinstance(v, (bool, int, float)) else v for k, v in data.items()}

    @field_validator("data")
    @classmethod
    def _keys(cls, data: dict[str, str]) -> dict[str, str]:
        for key in data:
            if len(key) > 253 or not _KEY.match(key):
                raise ValueError(f"{key!r} is not a ConfigMap key (letters, digits, '-', '_' "
                                 f"and '.', at most 253 characters)")
        return data

    @model_validator(mode="after")
    def _no_secrets(self) -> "ConfigMap":
        refuse_secrets(self.data, "data")
        return self


_EDIT = ActionMap({"key": "data.<key>", "value": "data.<key>"},
                  note="key= and value= set one entry of data")


class ConfigMapsKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "config_maps"
    section = "config_maps"
    model = ConfigMap
    noun = "config map"
    words = ("configmap", "configmaps", "config map", "config maps", "configuration map")
    kind_values = ("configmap",)
    default_name = "config"
    description = "a Kubernetes ConfigMap of non-secret configuration on one of the clusters"
    spec_order = 21
    render_order = 7
    actions = {
        "create": _EDIT,
        "update": _EDIT,
        "delete": ActionMap({"key": "data.<key>"}, note="key= removes one entry of data"),
    }
    rules = ("k8s-configmap-no-secrets",)
    replace_on_change = {CONFIG_MAP_TYPE: ("metadata.name", "metadata.namespace")}
    provider_modules = ("pulumi_kubernetes.core.v1.ConfigMap", "pulumi_kubernetes.meta.v1._inputs")

    def render(self, ctx, name: str, entry: ConfigMap) -> None:
        from pulumi_kubernetes.core.v1 import ConfigMap as K8sConfigMap

        config_map = K8sConfigMap(
            name, metadata=self.metadata(name, entry.namespace), data=dict(entry.data),
            immutable=entry.immutable or None, opts=self.options(ctx, name, entry),
        )
        ctx.publish(self.section, name, config_map)

    # -- words: an entry's key and value written in the command

    def value_from_words(self, key: str, text: str, entry):
        """The one entry key the command writes ("remove SANDBOX_PAYMENTS from store-config":
        an UPPER_SNAKE word, or a key the map has, said as written) and the value written after
        it ("BAN_MODE=enforce", "set QUEUE_TIMEOUT_S to 120"); None where it writes none or
        several."""
        if key not in ("key", "value"):
            return None
        have = set(entry.data) if entry is not None else set()

        def as_words(k: str) -> str:
            # MAX_PARTY_SIZE said "max party size": a key of two parts or more, in words
            parts = k.lower().split("_")
            return r"\s+".join(map(re.escape, parts)) if len(parts) > 1 and all(parts) else re.escape(k)

        keys = set(_WRITTEN_KEY.findall(text)) | {k for k in have if re.search(
            rf"(?<![\w-])(?:{re.escape(k)}|{as_words(k)})(?![\w-])", text, re.I)}
        if len(keys) != 1:
            return None
        said = keys.pop()
        if key == "key":
            return said
        named = rf"(?:{re.escape(said)}|{as_words(said)})"
        m = re.search(rf"(?<![\w-]){named}\s*(?:=|:|->|\bto\b|\bis\b)\s*([\w./:@+-]+)", text, re.I) \
            or re.search(rf"(?<![\w-]){named}(?:\s+[\w-]+){{0,6}}?\s+(?:(?:back\s+)?to|->)\s*([\w./:@+-]+)", text, re.I)
        # ("LOG_LEVEL back to info", "FEED_TTL_SECONDS in the feed builder config to 1800")
        if m:
            return m.group(1).rstrip(".,;:")
        lowered = text.lower()
        # "turn QUEUE_MODE on": the flag's word as said, right after the key
        m = re.search(rf"\b(?:turn|switch|flip|set)\s+(?:the\s+)?{named}\s+(on|off)\b", text, re.I)
        if m:
            return m.group(1).lower()
        now = str(entry.data.get(said, "")).lower() if entry is not None else ""
        if now in ("on", "off"):
            # "turn the sale banner on" where it is "off": the map's own words for it
            turned = re.findall(rf"\bturn\s+(?:it\s+|the\s+)?(?:{as_words(said)}\s+)?(on|off)\b", lowered)
            if len(set(turned)) == 1:
                return turned[0]
        # "turn on STACKABLE_COUPONS", "disable LEGACY_CHECKOUT": a flag
        if re.search(r"\b(?:turn\s+on|switch\s+on|enable|flip\s+on)\b", lowered):
            return "true"
        if re.search(r"\b(?:turn\s+off|switch\s+off|disable|flip\s+off)\b", lowered):
            return "false"
        return None

    # -- edits: key= / value= address one item of data

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        entry["cluster"] = self.cluster_for(name, params, doc)
        item = self._item("create", name, params)
        if item is not None:
            entry["data"] = CommentedMap([item])
        return entry

    def update(self, entry, name: str, params: dict, now) -> str:
        from ruamel.yaml.comments import CommentedMap

        from agentops.kinds.yamledit import append

        item = self._item("update", name, params)
        if item is None:
            raise EditError(f"update config_maps.{name}: the action sets no entry",
                            hint="say the key and its value, e.g. key=LOG_LEVEL value=debug")
        if not isinstance(entry.get("data"), CommentedMap):
            append(entry, "data", CommentedMap())
        append(entry["data"], item[0], item[1])
        return f"update config_maps.{name}: set data {item[0]}"

    def delete(self, doc, name: str, params: dict) -> str | None:
        self.mapped("delete", name, params)
        if "key" not in params:
            return None  # the whole config map
        data = doc[self.section][name].get("data") or {}
        key = str(params["key"])
        if key not in data:
            raise EditError(f"delete config_maps.{name}: no key {key!r} "
                            f"(keys: {', '.join(data) or 'none'})",
                            hint="name one of the config map's keys")
        del data[key]
        return f"delete config_maps.{name}: data {key}"

    def _item(self, action: str, name: str, params: dict) -> tuple[str, str] | None:
        self.mapped(action, name, params)
        if not params:
            return None
        if "key" not in params or "value" not in params:
            raise EditError(f"{action} config_maps.{name}: needs both key= and value=",
                            hint="e.g. key=LOG_LEVEL value=debug")
        value = params["value"]
        value = str(value).lower() if isinstance(value, bool) else str(value)
        return str(params["key"]), value

    # -- rules

    def policies(self) -> list:
        return [resource_policy(
            "k8s-configmap-no-secrets", "ConfigMaps hold no secret-looking values (keys named "
            "like passwords or tokens, private keys, access keys, credentials in URLs): secrets "
            "go in Kubernetes Secrets from Pulumi config.", "mandatory", "critical",
            {CONFIG_MAP_TYPE}, _no_secrets)]


def _no_secrets(args, report_violation) -> None:
    data = args.props.get("data") or {}
    for key, value in data.items():
        reason = secret_reason(str(key), str(value))
        if reason:
            # The key and the reason only: the value must not reach the report.
            report_violation(f"ConfigMap '{args.name}': {reason}; move it to a Secret (Pulumi "
                             f"config --secret, a deployment's secret_env)")
