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

from ruamel.yaml.comments import CommentedMap

from agentops.actionplan import Action, ActionPlan, ActionType, ResourceType
from agentops.errors import SpecError
from agentops.kinds import EditError, Kind, Registry, active
from agentops.kinds.yamledit import add_entry, remove
from agentops.spec import (
    _plain,
    dump_document,
    normalize_stack_name,
    parse_document,
    validate_document,
)

__all__ = ["EditError", "EditResult", "apply_plan", "check_plan_applies"]


# Keys that describe where or what, never a field to set.
IGNORED_KEYS = {"provider", "region", "kind"}


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
    kinds: Registry | None = None,
) -> EditResult:
    """Apply every action to the spec texts (stack -> YAML); validate each edited spec.

    kinds: the registry the specs are read with (the active one when None): each action is
    carried out by the kind of the section it lands in. Raises EditError for an action that
    cannot be applied and SpecError for a result that does not validate. Nothing is written:
    the caller writes the returned texts.
    """
    registry = kinds if kinds is not None else active()
    docs, changes = _edited_documents(plan, texts, default_stack, now, registry)
    result = EditResult(changes=changes)
    for stack, doc in docs.items():
        text = dump_document(doc)
        # the text is what lands, so the text is what is checked (not the document it came from)
        validate_document(parse_document(text, f"stacks/{stack}.yaml"), f"stacks/{stack}.yaml",
                          registry)
        if text != texts[stack]:
            result.texts[stack] = text
    if not result.texts:
        raise _changes_nothing()
    return result


def check_plan_applies(
    plan: ActionPlan,
    texts: dict[str, str],
    default_stack: str | None = None,
    kinds: Registry | None = None,
) -> list[str]:
    """Whether the plan applies to the spec texts: apply_plan's errors for the same plan, and
    its change lines, without writing the edited specs out as text.

    For checking many plans against one repository (a written training set: one plan per
    command): the edited documents are validated as they are, which skips apply_plan's dump
    and re-read of each text (most of its time, and the same for every plan).
    """
    registry = kinds if kinds is not None else active()
    docs, changes = _edited_documents(plan, texts, default_stack,
                                      lambda: datetime.now(timezone.utc), registry)
    changed = False
    for stack, doc in docs.items():
        validate_document(doc, f"stacks/{stack}.yaml", registry)
        changed = changed or _plain(doc) != _plain(parse_document(texts[stack], stack))
    if not changed:
        raise _changes_nothing()
    return changes


def _changes_nothing() -> EditError:
    return EditError(
        "the plan changes nothing: the specs already say that",
        hint="check the values with `agentops interpret --json` and the current stacks/*.yaml",
    )


def _edited_documents(
    plan: ActionPlan,
    texts: dict[str, str],
    default_stack: str | None,
    now: Callable[[], datetime],
    registry: Registry,
) -> tuple[dict[str, CommentedMap], list[str]]:
    """The plan's actions carried out on round-trip documents of the stacks they touch:
    (stack -> edited document, one line per edit). Raises EditError as apply_plan says."""
    changing = [a for a in plan.actions if a.type != ActionType.show]
    if not changing:
        raise EditError(
            "the plan only reads (show): there is nothing to propose",
            hint="use `agentops plan` or `agentops interpret` to look; propose changes something",
        )
    docs: dict[str, CommentedMap] = {}
    changes: list[str] = []
    clusters_made: dict[str, str] = {}
    for action in changing:
        stack = _stack_of(action, default_stack, texts)
        if stack not in docs:
            docs[stack] = parse_document(texts[stack], f"stacks/{stack}.yaml")
        if action.type == ActionType.create and stack in clusters_made:
            # "create a cluster edge, deploy edge-proxy on it": what this plan puts on a
            # cluster goes on the cluster it creates (a kind with a `cluster` field).
            action = _on_cluster(action, clusters_made[stack], registry)
        changes.append(f"{stack}: {_apply(action, docs[stack], now, registry)}")
        if action.type == ActionType.create and action.name:
            section = _created_section(docs[stack], action.name, registry)
            if section == "clusters":
                clusters_made[stack] = action.name
    return docs, changes


def _created_section(doc: CommentedMap, name: str, registry: Registry) -> str | None:
    return next((section for section, entry in _entries(doc, registry) if entry == name), None)


def _on_cluster(action: Action, cluster: str, registry: Registry) -> Action:
    try:
        kind = create_kind(action, action.parameters.set_values(), registry)
    except EditError:
        return action
    if "cluster" not in kind.model.model_fields or action.parameters.set_values().get("cluster"):
        return action
    params = action.parameters.model_copy(update={"cluster": cluster})
    return action.model_copy(update={"parameters": params})


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


def _apply(action: Action, doc: CommentedMap, now: Callable[[], datetime],
           registry: Registry) -> str:
    params = {k: _number(v) for k, v in action.parameters.set_values().items()
              if k not in IGNORED_KEYS}
    kind = action.type
    if kind == ActionType.create:
        return _create(action, doc, params, registry)
    if kind == ActionType.monitor:
        return _monitor(action, doc, params, registry)
    section, name = _existing(action, doc, registry)
    owner = registry[section]
    entry = doc[section][name]
    if kind == ActionType.delete:
        return owner.delete(doc, name, params) or _delete(doc, section, name)
    if not owner.supports(kind):
        raise owner.unsupported(kind.value, name)
    if kind == ActionType.update:
        return owner.update(entry, name, params, now)
    if kind == ActionType.scale:
        return owner.scale(entry, name, params, now)
    if kind == ActionType.restart:
        return owner.restart(entry, name, params, now)
    if kind == ActionType.backup:
        return owner.backup(entry, name, params, now)
    raise EditError(f"unsupported action type {kind.value}")


def _entries(doc: CommentedMap, registry: Registry) -> list[tuple[str, str]]:
    """(section, name) of every entry of the document, in spec order."""
    return [(s, n) for s in registry.sections() if isinstance(doc.get(s), dict) for n in doc[s]]


def _existing(action: Action, doc: CommentedMap, registry: Registry) -> tuple[str, str]:
    """The (section, name) an action on an existing resource names. An action that names no
    resource is an error listing what exists: never the only one of its kind."""
    allowed = [k.section for k in _kinds_for(action.resource, action.parameters.kind, registry)]
    candidates = _entries(doc, registry)
    if action.name:
        for section, name in candidates:
            if name == action.name:
                return section, name
    listed = ", ".join(f"{s}.{n}" for s, n in candidates if s in allowed) or "none"
    what = f"no resource named {action.name!r}" if action.name else "the action names no resource"
    raise EditError(
        f"{action.type.value}: {what} in this stack ({action.resource.value}: {listed})",
        hint="name one of the existing resources, or create it first",
    )


def _kinds_for(resource: ResourceType, kind_word: str | None, registry: Registry) -> list[Kind]:
    """The kinds an action's resource type (narrowed by parameters.kind) may mean."""
    of_type = registry.of_type(resource)
    chosen = registry.by_kind_value(kind_word)
    if chosen is not None and chosen in of_type:
        return [chosen]
    return of_type


def _delete(doc: CommentedMap, section: str, name: str) -> str:
    remove(doc, section, name)
    return f"delete {section}.{name}"


# ---------------------------------------------------------------------------------------------
# New entries


def _create(action: Action, doc: CommentedMap, params: dict, registry: Registry) -> str:
    owner = create_kind(action, params, registry)
    if owner.resource_type == ResourceType.monitoring:
        return _monitor(action, doc, params, registry)
    name = action.name or _default_name(owner, doc, registry, params)
    _check_new_name(doc, name, registry)
    kind_word = (action.parameters.kind or "").lower() or None
    entry = owner.create_entry(name, dict(params), doc, kind_word)
    add_entry(doc, owner.section, name, entry, registry.sections())
    return f"create {owner.section}.{name}: " + (_describe(params) or "defaults")


def create_kind(action: Action, params: dict, registry: Registry) -> Kind:
    """The kind a create action makes: the one its parameters.kind names among the kinds of
    its resource type, the only kind of that type, or the one its parameters imply."""
    kind_word = (action.parameters.kind or "").lower()
    of_type = registry.of_type(action.resource)
    values = ", ".join(v for k in of_type for v in (k.kind_values or (k.noun,)))
    if kind_word:
        chosen = registry.by_kind_value(kind_word)
        if chosen is not None and chosen in of_type:
            return chosen
        # A kind word that names another type's kind (database + kind=cache) or no kind at all
        # is refused: falling back to "the" kind of the type would make a cache an RDS instance.
        where = (f"; {kind_word!r} is a {chosen.resource_type.value} kind ({chosen.section})"
                 if chosen is not None else "")
        raise EditError(
            f"create {action.resource.value}: kind {kind_word!r} is not one of {values or 'none'}{where}",
            hint=f"kinds agentops knows: {registry.known()}",
        )
    # Without a kind word, only the kinds that need none are meant (a security resource is a
    # firewall rule, not a KMS key; infrastructure is an instance, cluster or network).
    of_type = [k for k in of_type if k.interpreted and not k.needs_kind_word] or of_type
    if len(of_type) == 1:
        return of_type[0]
    for candidate in sorted(of_type, key=lambda k: (k.render_order, k.spec_order)):
        if set(candidate.implied_by) & set(params):
            return candidate
    raise EditError(
        f"create {action.resource.value}: which kind? ({values or 'none'})",
        hint="say e.g. 'create 2 t3.small instances named batch in dev'",
    )


def _monitor_kind(registry: Registry) -> Kind:
    for kind in registry.of_type(ResourceType.monitoring):
        if kind.supports(ActionType.monitor):
            return kind
    raise EditError("monitor: no kind of this repository makes alerts",
                    hint=f"kinds agentops knows: {registry.known()}")


def _monitor(action: Action, doc: CommentedMap, params: dict, registry: Registry) -> str:
    """An alert on an existing resource: `name` is the target (or the alert, with `target`)."""
    alerts = _monitor_kind(registry)
    existing = {n: s for s, n in _entries(doc, registry)}
    target = params.pop("target", None)
    alert_name = None
    if target is None:
        target = action.name
    else:
        alert_name = action.name
    if target not in existing or existing[target] == alerts.section:
        choices = ", ".join(n for n, s in existing.items() if s != alerts.section) or "none"
        raise EditError(
            f"monitor: no resource named {target!r} to watch (resources: {choices})",
            hint="name the resource the alert watches",
        )
    watched = registry[existing[target]]
    if not watched.supports(ActionType.monitor):
        raise EditError(f"monitor: {existing[target]} has no metric agentops can watch "
                        f"({target!r} is in {existing[target]})",
                        hint=f"kinds that can be watched: "
                             f"{', '.join(k.section for k in registry if k.supports('monitor') and k is not alerts)}")
    metric = params.get("metric", "cpu")
    if "threshold" not in params:
        raise EditError(f"monitor {target}: needs a threshold",
                        hint="e.g. 'alert when api cpu is above 80 in prod'")
    alert_name = alert_name or f"{target}-{metric}"[:40].rstrip("-")
    _check_new_name(doc, alert_name, registry)
    entry = CommentedMap()
    entry["target"] = target
    for key, value in alerts.mapped("monitor", alert_name, params).items():
        entry[key] = value
    add_entry(doc, alerts.section, alert_name, entry, registry.sections())
    return f"monitor {target}: {alerts.section}.{alert_name} {metric} > {params['threshold']}"


# How a repository names what acts on a target, from the target's name: whole
# (checkout-svc -> checkout-svc-pdb), less a generic last part (catalog-api -> catalog-ingress),
# less any last part (telemetry-ingest -> telemetry-hpa).
# The generic last parts of a service's name (what a budget, autoscaler or ingress acts on);
# narrower than the interpreter's GENERIC_PARTS, which also holds kind words (db, queue).
GENERIC_LAST_PARTS = frozenset({"api", "svc", "service", "app", "srv", "server", "web", "worker", "workers"})
_SIBLING_RULES = {
    "whole": lambda target: target,
    "generic": lambda target: target.rsplit("-", 1)[0] if "-" in target
    and target.rsplit("-", 1)[1] in GENERIC_LAST_PARTS else target,
    "stem": lambda target: target.rsplit("-", 1)[0],
}


def sibling_name(targets: dict[str, object], target: str) -> str | None:
    """The name this stack would give a new entry acting on `target`, where every entry of its
    section with a target (`targets`: name -> its target) is named from it by one rule and one
    suffix ("<target>-pdb", "<target less -svc>-ingress"); None where they follow no one rule
    (or there are none)."""
    fits = None
    for name, theirs in targets.items():
        if not isinstance(theirs, str):
            continue
        ways = {(rule, name[len(head) + 1:]) for rule, make in _SIBLING_RULES.items()
                if name.startswith((head := make(theirs)) + "-") and "-" not in name[len(head) + 1:]}
        fits = ways if fits is None else fits & ways
    if not fits or len({suffix for _, suffix in fits}) != 1:
        return None
    names = {_SIBLING_RULES[rule](target) + "-" + suffix for rule, suffix in fits}
    return names.pop() if len(names) == 1 else None


def name_for_target(owner: Kind, targets: dict[str, object], target: str, taken) -> str | None:
    """A new entry's name, of a kind that acts on a target (an autoscaler, a budget, an
    ingress, a load balancer service), where the command gives none: named like its siblings
    (sibling_name); else after its target with the one last part its siblings share
    (kestrelhaul's ingresses all end in -ing); else with the kind's own (Kind.target_suffix:
    dispatch-svc-hpa). None where that name is taken (`taken`: the stack's names), not a valid
    name, or the kind names nothing after its target."""
    like = sibling_name(targets, target)
    if like is None:
        suffixes = {name.rsplit("-", 1)[1] for name, theirs in targets.items()
                    if isinstance(theirs, str) and "-" in name}
        suffix = suffixes.pop() if len(suffixes) == 1 else owner.target_suffix
        like = f"{target}-{suffix}" if suffix else None
    if like is None or like in taken or not re.match(r"^[a-z][a-z0-9-]{0,39}$", like):
        return None
    return like


def _default_name(owner: Kind, doc: CommentedMap, registry: Registry, params: dict | None = None) -> str:
    """A new entry's name where the command gives none: after its target (name_for_target)
    for a kind that acts on one, else <default name>-<n>."""
    taken = {n for _, n in _entries(doc, registry)}
    target = (params or {}).get("target")
    if isinstance(target, str) and "target" in owner.references:
        entries = doc.get(owner.section) or {}
        like = name_for_target(owner, {n: e.get("target") if hasattr(e, "get") else None
                                       for n, e in entries.items()}, target, taken)
        if like:
            return like
    base = owner.default_name or owner.noun or owner.section
    index = 1
    while f"{base}-{index}" in taken:
        index += 1
    return f"{base}-{index}"


def _check_new_name(doc: CommentedMap, name: str, registry: Registry) -> None:
    for section, existing in _entries(doc, registry):
        if existing == name:
            raise EditError(f"create: {section}.{name} already exists",
                            hint="names are unique across a stack: pick another, or update it")
    if not re.match(r"^[a-z][a-z0-9-]{0,39}$", name):
        raise EditError(f"create: {name!r} is not a valid resource name",
                        hint="lowercase letters, digits and '-', starting with a letter")


def _number(value: Any) -> Any:
    # 80.0 -> 80: the spec reads as a person would write it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _describe(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())
