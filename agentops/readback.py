"""Read a spec diff back into ActionPlan actions: what a change to stacks/*.yaml does.

The apply gate rates what reached main, not what a PR's label or commit message claims, so it
needs the actions a diff amounts to, whoever wrote it (agentops, a reviewer's fixup, a hand
edit, a revert). This module walks the two sides generically, as plain dicts: every section of
a stack spec is a map from a resource name to its settings, so

    entry only in head             -> create
    entry only in base             -> delete          (a rename is a delete and a create)
    entry changed                  -> scale / restart / backup when only those fields changed,
                                      update otherwise
    any change in a security entry -> a security update (the risk table rates it critical)
    region or provider changed     -> every resource is re-created elsewhere: a delete of each
                                      resource of the base (and a create of each of the head)
    tags changed                   -> an update of the stack's infrastructure

What it cannot read (a section it does not know, an entry that is not a mapping, YAML that does
not parse) raises UnreadableDiff, naming the stack and the reason: the caller must then rate
the change without it (the apply gate: high, critical when the stack is a production stack and
something may be deleted; see `possibly_deleted`). It never guesses an action.

The section -> resource type mapping comes from agentops.spec.SECTIONS through
`section_resource_types()`, one place to change when sections become registered kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.errors import AgentOpsError

# Stack-level settings that are not sections of resources.
STACK_SETTINGS = ("provider", "region", "tags")
# Settings whose change moves every resource of the stack: nothing is updated in place.
RELOCATING_SETTINGS = ("provider", "region")

# Fields whose change alone is a more specific action than "update", whatever the section.
# Ordered by how specific they are; a change touching fields of two groups (or any other
# field) is an update.
FIELD_ACTIONS: dict[ActionType, frozenset[str]] = {
    ActionType.scale: frozenset({"replicas", "count", "desired_size", "min_size", "max_size"}),
    ActionType.restart: frozenset({"restarted_at"}),
    ActionType.backup: frozenset({"backup", "backup_retention_days"}),
}

# Changed fields copied into the action's parameters (the canonical keys of DESIGN.md).
_PARAMETER_KEYS = frozenset(Parameters.model_fields)


class UnreadableDiff(AgentOpsError):
    """A spec change that cannot be read back into actions."""

    def __init__(self, stack: str, reason: str):
        super().__init__(f"stacks/{stack}.yaml: the change cannot be read back: {reason}",
                         hint="rate it by hand; the apply gate treats it as high risk")
        self.stack = stack
        self.reason = reason


def section_resource_types() -> dict[str, ResourceType]:
    """Spec section -> the ActionPlan resource type of its entries (the one mapping to change
    when sections become registered kinds)."""
    from agentops.spec import SECTIONS

    return {section: ResourceType(entry[1]) for section, entry in SECTIONS.items()}


def actions_from_spec_diff(base_specs: Mapping[str, Mapping | None],
                           head_specs: Mapping[str, Mapping | None]) -> list[Action]:
    """The actions that turn each base spec into its head spec.

    Both arguments map a stack name to its spec as plain data (a dict, as YAML loads it); a
    stack missing from one side, or mapped to None, does not exist there (a new or removed
    stack file). Raises UnreadableDiff for a stack whose change cannot be read back.
    """
    types = section_resource_types()
    actions: list[Action] = []
    for stack in sorted(set(base_specs) | set(head_specs)):
        base = _spec(stack, base_specs.get(stack), types)
        head = _spec(stack, head_specs.get(stack), types)
        actions.extend(_stack_actions(stack, base, head, types))
    return actions


def _spec(stack: str, spec: Mapping | None, types: dict[str, ResourceType]) -> dict | None:
    """A validated-enough view of one side: {section: {name: entry}} plus the settings."""
    if spec is None:
        return None
    if not isinstance(spec, Mapping):
        raise UnreadableDiff(stack, f"the spec is a {type(spec).__name__}, not a mapping")
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key in STACK_SETTINGS:
            out[key] = value
            continue
        if key not in types:
            raise UnreadableDiff(stack, f"unknown section {key!r} (known: "
                                        f"{', '.join([*STACK_SETTINGS, *types])})")
        if value is None:
            value = {}
        if not isinstance(value, Mapping):
            raise UnreadableDiff(stack, f"section {key!r} is a {type(value).__name__}, "
                                        f"not a map of resource names")
        for name, entry in value.items():
            if entry is not None and not isinstance(entry, Mapping):
                raise UnreadableDiff(stack, f"{key}.{name} is a {type(entry).__name__}, "
                                            f"not a mapping of settings")
        out[key] = {str(n): dict(e or {}) for n, e in value.items()}
    return out


def _entries(spec: dict | None, types: dict[str, ResourceType]) -> dict[tuple[str, str], dict]:
    if spec is None:
        return {}
    return {(section, name): entry
            for section in types for name, entry in (spec.get(section) or {}).items()}


def _stack_actions(stack: str, base: dict | None, head: dict | None,
                   types: dict[str, ResourceType]) -> list[Action]:
    before, after = _entries(base, types), _entries(head, types)
    actions: list[Action] = []
    moved = [k for k in RELOCATING_SETTINGS
             if base is not None and head is not None and base.get(k) != head.get(k)]
    if moved:
        why = ", ".join(f"{k} {base.get(k)!r} -> {head.get(k)!r}" for k in moved)
        # Every resource is re-created where the new settings say: the old ones are deleted.
        for (section, name), entry in before.items():
            actions.append(_action(ActionType.delete, section, name, stack, types, entry,
                                   f"delete {section}.{name} in {stack}: re-created because {why}"))
        for (section, name), entry in after.items():
            actions.append(_action(ActionType.create, section, name, stack, types, entry,
                                   f"create {section}.{name} in {stack} ({why})"))
        return actions
    if base is not None and head is not None and base.get("tags") != head.get("tags"):
        actions.append(Action(type=ActionType.update, resource=ResourceType.infrastructure,
                              stack=stack, description=f"change the stack tags of {stack}"))
    for key in list(before) + [k for k in after if k not in before]:
        section, name = key
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if old is None:
            actions.append(_action(ActionType.create, section, name, stack, types, new,
                                   f"create {section}.{name} in {stack}"))
        elif new is None:
            actions.append(_action(ActionType.delete, section, name, stack, types, old,
                                   f"delete {section}.{name} in {stack}"))
        else:
            changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            kind = _change_type(changed)
            params = {k: new.get(k) for k in changed}
            actions.append(_action(kind, section, name, stack, types, params,
                                   f"{kind.value} {section}.{name} in {stack}: "
                                   f"{', '.join(changed)} changed"))
    return actions


def _change_type(changed: list[str]) -> ActionType:
    for action_type, fields in FIELD_ACTIONS.items():
        if changed and set(changed) <= fields:
            return action_type
    return ActionType.update


def _action(kind: ActionType, section: str, name: str, stack: str,
            types: dict[str, ResourceType], values: Mapping, description: str) -> Action:
    # Only canonical keys with plain scalar values travel as parameters; the rest stays in the
    # description (a parameter that does not validate must not hide the action).
    params = {k: v for k, v in values.items()
              if k in _PARAMETER_KEYS and isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    try:
        parameters = Parameters(**params)
    except ValueError:
        parameters = Parameters()
    return Action(type=kind, resource=types[section], name=name, stack=stack,
                  parameters=parameters, description=description)


# ---------------------------------------------------------------------------------------------
# Spec texts (as git holds them)


@dataclass
class ReadBack:
    """The actions of a change between two sets of spec texts, and what could not be read."""

    actions: list[Action] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # stack -> reason
    # Stacks whose unreadable change may delete something: a resource name of the base is
    # not found in the head, or the head could not be read at all.
    possibly_deleted: set[str] = field(default_factory=set)


def read_back(base_texts: Mapping[str, str | None], head_texts: Mapping[str, str | None]) -> ReadBack:
    """actions_from_spec_diff over YAML texts (stack -> text, None or missing: no file), stack
    by stack, so one unreadable stack does not hide the actions of the others."""
    out = ReadBack()
    for stack in sorted(set(base_texts) | set(head_texts)):
        base_text, head_text = base_texts.get(stack), head_texts.get(stack)
        if base_text == head_text:
            continue
        try:
            base, head = _load(stack, base_text), _load(stack, head_text)
            out.actions.extend(actions_from_spec_diff({stack: base}, {stack: head}))
        except UnreadableDiff as exc:
            out.unreadable[stack] = exc.reason
            if _may_delete(base_text, head_text):
                out.possibly_deleted.add(stack)
    return out


def _load(stack: str, text: str | None) -> Mapping | None:
    from agentops.spec import _plain, parse_document

    if text is None:
        return None
    try:
        return _plain(parse_document(text, f"stacks/{stack}.yaml"))
    except AgentOpsError as exc:
        raise UnreadableDiff(stack, exc.message) from None


def _names(text: str | None) -> set[str] | None:
    """Best-effort resource names of a spec text (entries of every mapping section); None when
    the text cannot be parsed at all."""
    if text is None:
        return set()
    try:
        data = _load("-", text)
    except UnreadableDiff:
        return None
    names: set[str] = set()
    for key, value in (data or {}).items():
        if key not in STACK_SETTINGS and isinstance(value, Mapping):
            names.update(f"{key}.{n}" for n in value)
    return names


def _may_delete(base_text: str | None, head_text: str | None) -> bool:
    before, after = _names(base_text), _names(head_text)
    if after is None:
        return True  # the head cannot be read: nothing says its resources survive
    if before is None:
        return False  # nothing readable existed before
    return bool(before - after)
