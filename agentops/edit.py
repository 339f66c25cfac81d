"""Apply an ActionPlan's actions to stack specs, round-trip.

Edits go through ruamel's round-trip documents so comments, key order, quoting and blank lines
of untouched lines survive: the diff a reviewer sees is the change and nothing else. Every
edited document is validated before anything is returned, so a caller never writes a spec the
program would reject.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from agentops.actionplan import Action, ActionPlan, ActionType, ResourceType
from agentops.errors import AgentOpsError, SpecError
from agentops.spec import SECTIONS, dump_document, normalize_stack_name, parse_document, validate_document


class EditError(AgentOpsError):
    """An action that cannot be applied to the spec as it stands."""


# Canonical parameter key -> spec field, per section. Keys not listed are refused with the
# allowed ones, so a misread command never silently does nothing.
FIELD_MAP: dict[str, dict[str, str]] = {
    "network": {"cidr": "cidr", "count": "az_count"},
    "instances": {"count": "count", "instance_type": "instance_type", "storage_gb": "volume_gb",
                  "image": "ami"},
    "clusters": {"instance_type": "instance_type", "min_size": "min_size",
                 "max_size": "max_size", "count": "desired_size", "replicas": "desired_size"},
    "deployments": {"image": "image", "replicas": "replicas", "port": "port",
                    "count": "replicas"},
    "databases": {"engine": "engine", "storage_gb": "storage_gb",
                  "instance_type": "instance_class"},
    "storage": {"storage_gb": "size_gb"},
    "alerts": {"metric": "metric", "threshold": "threshold"},
    "security": {},
}
# Keys that describe where or what, never a field to set.
IGNORED_KEYS = {"provider", "region", "kind"}
INFRA_KINDS = {"instance": "instances", "instances": "instances", "ec2": "instances",
               "vm": "instances", "cluster": "clusters", "eks": "clusters",
               "network": "network", "vpc": "network"}


@dataclass
class EditResult:
    """New spec texts by stack (only the stacks that changed) and one line per edit."""

    texts: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)

    def diff(self, before: dict[str, str]) -> str:
        out = []
        for stack, text in self.texts.items():
            out.extend(difflib.unified_diff(
                before[stack].splitlines(keepends=True), text.splitlines(keepends=True),
                f"a/stacks/{stack}.yaml", f"b/stacks/{stack}.yaml"))
        return "".join(out)


def apply_plan(
    plan: ActionPlan,
    texts: dict[str, str],
    default_stack: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> EditResult:
    """Apply every action to the spec texts (stack -> YAML); validate each edited spec.

    Raises EditError for an action that cannot be applied and SpecError for a result that
    does not validate. Nothing is written: the caller writes the returned texts.
    """
    changing = [a for a in plan.actions if a.type != ActionType.show]
    if not changing:
        raise EditError(
            "the plan only reads (show): there is nothing to propose",
            hint="use `agentops plan` or `agentops interpret` to look; propose changes something",
        )
    docs: dict[str, CommentedMap] = {}
    result = EditResult()
    for action in changing:
        stack = _stack_of(action, default_stack, texts)
        if stack not in docs:
            docs[stack] = parse_document(texts[stack], f"stacks/{stack}.yaml")
        result.changes.append(f"{stack}: {_apply(action, docs[stack], now)}")
    for stack, doc in docs.items():
        text = dump_document(doc)
        validate_document(parse_document(text, f"stacks/{stack}.yaml"), f"stacks/{stack}.yaml")
        if text != texts[stack]:
            result.texts[stack] = text
    if not result.texts:
        raise EditError(
            "the plan changes nothing: the specs already say that",
            hint="check the values with `agentops interpret --json` and the current stacks/*.yaml",
        )
    return result


def _stack_of(action: Action, default: str | None, texts: dict[str, str]) -> str:
    raw = action.stack or default
    if not raw:
        raise EditError(
            f"the action {action.type.value} {action.name or action.resource.value} names no stack",
            hint=f"say which stack (--stack S); stacks: {', '.join(sorted(texts))}",
        )
    stack = normalize_stack_name(raw)
    if stack not in texts:
        raise SpecError(f"unknown stack {raw!r}", hint=f"stacks: {', '.join(sorted(texts))}")
    return stack


# ---------------------------------------------------------------------------------------------
# One action


def _apply(action: Action, doc: CommentedMap, now: Callable[[], datetime]) -> str:
    params = {k: _number(v) for k, v in action.parameters.set_values().items()
              if k not in IGNORED_KEYS}
    kind = action.type
    if kind == ActionType.create:
        return _create(action, doc, params)
    if kind == ActionType.monitor:
        return _monitor(action, doc, params)
    section, name = _existing(action, doc)
    entry = doc[section][name]
    if kind == ActionType.delete:
        return _delete(doc, section, name, params)
    if kind == ActionType.update:
        if section == "security":
            return _add_rule(entry, name, params)
        _set_fields(entry, section, name, params)
        return f"update {section}.{name}: " + _describe(params)
    if kind == ActionType.scale:
        return _scale(entry, section, name, params)
    if kind == ActionType.restart:
        if section != "deployments":
            raise EditError(f"restart applies to deployments; {name!r} is in {section}",
                            hint=f"deployments: {_names(doc, 'deployments')}")
        _append(entry, "restarted_at", now().strftime("%Y-%m-%dT%H:%M:%SZ"))
        return f"restart deployments.{name} (restarted_at {entry['restarted_at']})"
    if kind == ActionType.backup:
        return _backup(entry, section, name, params)
    raise EditError(f"unsupported action type {kind.value}")


def _existing(action: Action, doc: CommentedMap) -> tuple[str, str]:
    """The (section, name) an action on an existing resource refers to."""
    allowed = _sections_for(action.resource, action.parameters.kind)
    candidates = [(s, n) for s in SECTIONS if isinstance(doc.get(s), dict) for n in doc[s]]
    if action.name:
        for section, name in candidates:
            if name == action.name:
                return section, name
    elif len(in_kind := [c for c in candidates if c[0] in allowed]) == 1:
        return in_kind[0]
    listed = ", ".join(f"{s}.{n}" for s, n in candidates if s in allowed) or "none"
    what = f"no resource named {action.name!r}" if action.name else "the action names no resource"
    raise EditError(
        f"{action.type.value}: {what} in this stack ({action.resource.value}: {listed})",
        hint="name one of the existing resources, or create it first",
    )


def _sections_for(resource: ResourceType, kind: str | None) -> list[str]:
    if resource == ResourceType.infrastructure:
        if kind and kind.lower() in INFRA_KINDS:
            return [INFRA_KINDS[kind.lower()]]
        return ["instances", "clusters", "network"]
    return [s for s, (_, rtype, _) in SECTIONS.items() if rtype == resource.value]


def _mapped(section: str, name: str, params: dict) -> dict[str, Any]:
    mapping = FIELD_MAP[section]
    unknown = sorted(set(params) - set(mapping))
    if unknown:
        raise EditError(
            f"{section}.{name}: cannot set {', '.join(unknown)} on {section}",
            hint=f"parameters for {section}: {', '.join(sorted(mapping)) or 'none'}",
        )
    return {mapping[k]: v for k, v in params.items()}


def _set_fields(entry: CommentedMap, section: str, name: str, params: dict) -> None:
    if not params:
        raise EditError(f"update {section}.{name}: the action sets no parameter",
                        hint=f"parameters for {section}: {', '.join(sorted(FIELD_MAP[section]))}")
    for key, value in _mapped(section, name, params).items():
        _append(entry, key, value)


def _scale(entry: CommentedMap, section: str, name: str, params: dict) -> str:
    size = params.get("replicas", params.get("count"))
    if section == "deployments" and size is not None:
        _append(entry, "replicas", size)
        return f"scale deployments.{name} to {size} replicas"
    if section == "instances" and size is not None:
        _append(entry, "count", size)
        return f"scale instances.{name} to {size} instances"
    if section == "clusters" and (size is not None or "min_size" in params or "max_size" in params):
        for key in ("min_size", "max_size"):
            if key in params:
                _append(entry, key, params[key])
        if size is not None:
            _append(entry, "desired_size", size)
            # Scaling past the node group's bounds means moving the bound, as a person would.
            if size > entry.get("max_size", 3):
                _append(entry, "max_size", size)
            if size < entry.get("min_size", 1):
                _append(entry, "min_size", size)
        return f"scale clusters.{name}: " + _describe(params)
    raise EditError(
        f"scale {section}.{name}: needs replicas (deployments), count (instances) or "
        f"count/min_size/max_size (clusters)",
        hint="say the new size, e.g. 'scale api in dev to 3 replicas'",
    )


def _backup(entry: CommentedMap, section: str, name: str, params: dict) -> str:
    if section not in ("databases", "storage"):
        raise EditError(f"backup applies to databases and storage; {name!r} is in {section}")
    block = CommentedMap()
    block["schedule"] = params.get("schedule", "cron(0 5 * * ? *)")
    block["retention_days"] = int(params.get("retention_days", 30))
    _append(entry, "backup", block)
    return f"backup {section}.{name} ({block['schedule']}, {block['retention_days']} days)"


def _delete(doc: CommentedMap, section: str, name: str, params: dict) -> str:
    if section == "security" and "port" in params:
        rules = doc[section][name].get("rules") or []
        keep = [r for r in rules if r.get("port") != params["port"]]
        if len(keep) == len(rules):
            raise EditError(f"security.{name} has no rule for port {params['port']}")
        for index in reversed(range(len(rules))):
            if rules[index].get("port") == params["port"]:
                del rules[index]
        return f"delete security.{name} rule for port {params['port']}"
    _remove(doc, section, name)
    return f"delete {section}.{name}"


def _add_rule(group: CommentedMap, name: str, params: dict) -> str:
    if "port" not in params:
        raise EditError(f"security.{name}: a rule change needs a port",
                        hint="e.g. 'allow port 443 from 10.0.0.0/8 on web-ingress'")
    rules = group.get("rules")
    if rules is None:
        rules = CommentedSeq()
        _append(group, "rules", rules)
    rule = _rule(params)
    _append_item(rules, rule)
    return f"update security.{name}: add rule {_describe(params)}"


def _rule(params: dict) -> CommentedMap:
    rule = CommentedMap()
    rule["port"] = params["port"]
    rule["cidr"] = params.get("cidr", "0.0.0.0/0")
    rule["protocol"] = params.get("protocol", "tcp")
    return rule


# ---------------------------------------------------------------------------------------------
# New entries


def _create(action: Action, doc: CommentedMap, params: dict) -> str:
    section = _create_section(action, params)
    if action.resource == ResourceType.monitoring:
        return _monitor(action, doc, params)
    name = action.name or _default_name(section, doc)
    _check_new_name(doc, name)
    if section == "security":
        entry = CommentedMap()
        rules = CommentedSeq()
        if "port" in params:
            rules.append(_rule(params))
        entry["rules"] = rules
    else:
        entry = CommentedMap()
        if section == "storage":
            entry["kind"] = "volume" if (action.parameters.kind or "").lower() == "volume" else "bucket"
        if section == "deployments":
            clusters = list(doc.get("clusters") or {})
            if len(clusters) != 1 and "cluster" not in params:
                raise EditError(
                    f"create deployments.{name}: which cluster? (clusters: {', '.join(clusters) or 'none'})",
                    hint="create a cluster first or name one" if not clusters else "name the cluster",
                )
            entry["cluster"] = params.pop("cluster", None) or clusters[0]
        if section == "databases" and "engine" not in params:
            entry["engine"] = "postgres"
        for key, value in _mapped(section, name, {k: v for k, v in params.items()}).items():
            entry[key] = value
    _add_entry(doc, section, name, entry)
    return f"create {section}.{name}: " + (_describe(params) or "defaults")


def _create_section(action: Action, params: dict) -> str:
    kind = (action.parameters.kind or "").lower()
    if action.resource == ResourceType.infrastructure:
        if kind in INFRA_KINDS:
            return INFRA_KINDS[kind]
        if {"min_size", "max_size"} & set(params):
            return "clusters"
        if {"count", "instance_type"} & set(params):
            return "instances"
        raise EditError(
            "create infrastructure: which kind? (instance, cluster or network)",
            hint="say e.g. 'create 2 t3.small instances named batch in dev'",
        )
    if action.resource == ResourceType.storage and kind and kind not in ("bucket", "volume"):
        raise EditError(f"create storage: kind {kind!r} is not one of bucket, volume")
    return _sections_for(action.resource, kind)[0]


def _monitor(action: Action, doc: CommentedMap, params: dict) -> str:
    """An alert on an existing resource: `name` is the target (or the alert, with `target`)."""
    existing = {n: s for s in SECTIONS if isinstance(doc.get(s), dict) for n in doc[s]}
    target = params.pop("target", None)
    alert_name = None
    if target is None:
        target = action.name
    else:
        alert_name = action.name
    if target not in existing or existing[target] == "alerts":
        choices = ", ".join(n for n, s in existing.items() if s != "alerts") or "none"
        raise EditError(
            f"monitor: no resource named {target!r} to watch (resources: {choices})",
            hint="name the resource the alert watches",
        )
    metric = params.get("metric", "cpu")
    if "threshold" not in params:
        raise EditError(f"monitor {target}: needs a threshold",
                        hint="e.g. 'alert when api cpu is above 80 in prod'")
    alert_name = alert_name or f"{target}-{metric}"[:40].rstrip("-")
    _check_new_name(doc, alert_name)
    entry = CommentedMap()
    entry["target"] = target
    for key, value in _mapped("alerts", alert_name, params).items():
        entry[key] = value
    _add_entry(doc, "alerts", alert_name, entry)
    return f"monitor {target}: alerts.{alert_name} {metric} > {params['threshold']}"


def _default_name(section: str, doc: CommentedMap) -> str:
    base = {"instances": "instance", "clusters": "cluster", "network": "network",
            "deployments": "app", "databases": "db", "storage": "storage",
            "security": "firewall"}[section]
    taken = {n for s in SECTIONS if isinstance(doc.get(s), dict) for n in doc[s]}
    index = 1
    while f"{base}-{index}" in taken:
        index += 1
    return f"{base}-{index}"


def _check_new_name(doc: CommentedMap, name: str) -> None:
    for section in SECTIONS:
        if isinstance(doc.get(section), dict) and name in doc[section]:
            raise EditError(f"create: {section}.{name} already exists",
                            hint="names are unique across a stack: pick another, or update it")
    if not re.match(r"^[a-z][a-z0-9-]{0,39}$", name):
        raise EditError(f"create: {name!r} is not a valid resource name",
                        hint="lowercase letters, digits and '-', starting with a letter")


# ---------------------------------------------------------------------------------------------
# Round-trip surgery: keep the blank line / comment that trails a block with the block's end


def _trailing(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, slot) of the comment token that trails `node`'s last line."""
    if isinstance(node, CommentedMap) and len(node):
        key = list(node)[-1]
        deeper = _trailing(node[key])
        return deeper or (node, key, 2)
    if isinstance(node, CommentedSeq) and len(node):
        deeper = _trailing(node[-1])
        return deeper or (node, len(node) - 1, 0)
    return None


def _take_trailing(node: Any):
    spot = _trailing(node)
    if spot is None:
        return None
    container, key, slot = spot
    item = container.ca.items.get(key)
    if not item or len(item) <= slot or item[slot] is None:
        return None
    token, item[slot] = item[slot], None
    return token


def _put_trailing(node: Any, token) -> None:
    if token is None:
        return
    spot = _trailing(node)
    if spot is None:
        return
    container, key, slot = spot
    item = container.ca.items.setdefault(key, [None] * (4 if isinstance(container, CommentedMap) else 2))
    while len(item) <= slot:
        item.append(None)
    item[slot] = token


def _append(mapping: CommentedMap, key: str, value: Any) -> None:
    if key in mapping:
        mapping[key] = value
        return
    token = _take_trailing(mapping)
    mapping[key] = value
    _put_trailing(mapping, token)


def _append_item(seq: CommentedSeq, value: Any) -> None:
    token = _take_trailing(seq)
    seq.append(value)
    _put_trailing(seq, token)


def _add_entry(doc: CommentedMap, section: str, name: str, entry: CommentedMap) -> None:
    if isinstance(doc.get(section), CommentedMap):
        _append(doc[section], name, entry)
        return
    block = CommentedMap()
    block[name] = entry
    # A new section goes where SECTIONS orders it, so every spec reads the same way.
    order = list(SECTIONS)
    later = [k for k in doc if k in order and order.index(k) > order.index(section)]
    if later:
        position = list(doc).index(later[0])
        previous = list(doc)[position - 1] if position else None
        doc.insert(position, section, block)
        if previous is not None:
            # What trailed the previous section (a blank line, a comment about the next one)
            # now trails the new section; the previous one ends with a plain blank line.
            token = _take_trailing(doc[previous])
            _put_trailing(block, token)
            _put_trailing(doc[previous], _blank(token))
    else:
        token = _take_trailing(doc)
        doc[section] = block
        _put_trailing(doc, token)


def _blank(token):
    from ruamel.yaml.tokens import CommentToken

    return CommentToken("\n\n", token.start_mark, None) if token is not None else None


def _remove(doc: CommentedMap, section: str, name: str) -> None:
    block = doc[section]
    last = list(block)[-1] == name
    token = _take_trailing(block) if last else None
    del block[name]
    if not block:
        del doc[section]
        return
    _put_trailing(block, token)


def _number(value: Any) -> Any:
    # 80.0 -> 80: the spec reads as a person would write it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _names(doc: CommentedMap, section: str) -> str:
    return ", ".join(doc.get(section) or {}) or "none"


def _describe(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())
