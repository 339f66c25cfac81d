"""A new resource the command does not name is named in the plan, as the edit would name it.

"create an hpa for dispatch-svc in prod, 6 to 16 replicas" names no autoscaler. The edit names
a new entry of a kind that acts on a target after it (agentops.edit.name_for_target: like the
stack's others, tracking-ingest-hpa for tracking-ingest, so dispatch-svc-hpa), and the plan a
reviewer reads says that name, with where it comes from, rather than leaving it to the diff.
"""

from __future__ import annotations

from agentops.actionplan import Action, ActionType
from agentops.interpret.lookup import _kind_of
from agentops.spec import StackSpec


def name_as_the_stack_would(actions: list[Action], specs: dict[str, StackSpec], registry,
                            warnings: list[str]) -> list[Action]:
    """Creates without a name, of a kind that acts on a target the action gives: named as the
    edit would name them (agentops.edit.name_for_target), said in a warning; unless that name
    is taken in the stack or by another action of the plan (then the edit's default)."""
    from agentops.edit import name_for_target

    taken = {(a.stack, a.name) for a in actions if a.name}
    out = []
    for action in actions:
        target = action.parameters.set_values().get("target")
        found = _kind_of(action, specs, registry) if (
            action.type == ActionType.create and not action.name and isinstance(target, str)
            and action.stack in specs) else None
        kind = found[0] if found else None
        if kind is not None and "target" in kind.references:
            spec = specs[action.stack]
            entries = spec.section(kind.section) or {}
            name = name_for_target(kind, {n: getattr(e, "target", None) for n, e in entries.items()}, target,
                                   {*spec.names(), *(n for s, n in taken if s == action.stack)})
            if name:
                warnings.append(f"named {name}, after its target {target!r} (the command gives no name); "
                                "rename it in review if it should differ")
                taken.add((action.stack, name))
                action = action.model_copy(update={"name": name})
        out.append(action)
    return out
