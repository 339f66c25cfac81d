"""Kinds the command asks for by name: a kind the repository does not have is refused by name
before the model runs, and a plan whose kind is not the one the command names is refused after
it, never turned into another kind ("a queue" is never written as a topic).
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.errors import InterpretError
from agentops.interpret.facts import _words
from agentops.interpret.lookup import kind_said
from agentops.spec import StackSpec, Workspace


def hold_to_named_kinds(actions: list[Action], text: str, registry, names: list[str]) -> None:
    """Raise when a create makes a kind other than the one the command names ("a volume" written
    as a bucket, "a security group" as an instance): the model's nearest kind is a confident
    wrong answer. Only the command's own words count (agentops.kinds.kinds_named; names of
    existing resources are not read as kinds); a command that names no kind is not held."""
    from agentops.kinds import kinds_named

    named = kinds_named(text, [k for k in registry if k.interpreted], names)
    if not named:
        return
    lowered = f" {' '.join(_words(text))} "
    # (a create with no kind to compare is left to the edit, which refuses it with its own message)
    made = _kinds_made(actions, registry)
    # In a command of several actions ("create an eks cluster, deploy edge-proxy on it and
    # alert on its cpu") a create of a kind it does not name is fine when every kind it does
    # name is in the plan: nothing named was turned into something else.
    accounted = set(made.values()) | {k for k in registry
                                      if k.supports(ActionType.monitor) and k.resource_type == ResourceType.monitoring
                                      and any(a.type == ActionType.monitor for a in actions)}
    # "deploy etl on the batch cluster": a kind the plan's creates refer to by a value (the
    # cluster a deployment goes on) is named as a place, not as what to make.
    for i, kind in made.items():
        values = actions[i].parameters.set_values()
        for key, field_name in kind.fields_for("create").items():
            section = kind.references.get(field_name)
            if key in values and section in registry:
                accounted.add(registry[section])
    # "2 replicas on port 8080": a word of a kind ("port", a firewall's) that is a key of what
    # the plan makes, said as that thing's ("on port", "listening on port"; not "open port"),
    # says that key, not the kind
    taken = {key: str(actions[i].parameters.set_values()[key]) for i, kind in made.items()
             for key in kind.fields_for("create") if key in actions[i].parameters.set_values()}
    for kind in named:
        found = {w for w in (*kind.words, *kind.kind_values, kind.noun) if w and f" {w.lower()} " in lowered}
        # (or the word right before the value the plan gives that key: "3 replicas, port 8080";
        # not "open port 8080", which asks for a rule)
        if found and all(w.rstrip("s") in taken and (re.search(
                rf"\b(?:on|at|with|listens\s+on|listening\s+on|serves\s+on|serving\s+on)\s+{re.escape(w)}\b",
                lowered) or re.search(rf"(?<!open )(?<!allow )(?<!close )(?<!block )\b{re.escape(w)}\s+"
                                     rf"{re.escape(taken[w.rstrip('s')])}\b", lowered))
                for w in found):
            accounted.add(kind)
    # "allow 10.42.0.0/16 to reach postgres (5432)": a firewall rule's destination, said by
    # what listens there, is where the traffic goes, not a kind to make
    if any(kind.resource_type == ResourceType.security and "port" in actions[i].parameters.set_values()
           for i, kind in made.items()):
        for kind in named:
            words = "|".join(re.escape(w) for w in sorted({*kind.words, kind.noun} - {""}, key=len, reverse=True))
            if re.search(rf"\b(?:reach|access|connect\s+to|talk\s+to|get\s+to|hit|into)\s+(?:the\s+|our\s+)?"
                         rf"(?:[\w-]+\s+)?(?:{words})\b", lowered):
                accounted.add(kind)
    all_named_in_plan = all(k in accounted for k in named)
    for i, action in enumerate(actions):
        if i not in made:
            continue
        kind = made[i]
        said = ", ".join(k.noun for k in named)
        if kind not in named and not all_named_in_plan:
            raise InterpretError(
                f"the command asks for a {said}, but the interpreter wrote a {kind.noun}: "
                f"refusing rather than guessing",
                hint="say the kind plainly (see `agentops kinds`), or write the change in "
                     "stacks/<stack>.yaml or as a plan file (propose --plan-file)")
        value = (action.parameters.kind or "").lower()
        others = [v for v in kind.kind_values if v != value and f" {v} " in lowered]
        if value and others and f" {value} " not in lowered:
            raise InterpretError(
                f"the command asks for a {others[0]}, but the interpreter wrote a {value}: "
                f"refusing rather than guessing",
                hint=f"say the kind plainly ({', '.join(kind.kind_values)})")


_COUNTS = {"two": 2, "three": 3, "four": 4, "both": 2, "2": 2, "3": 3, "4": 4}


def _creates_counted(text: str, kind) -> int | None:
    """How many of `kind` the command asks for by count ("two new queues in staging: a ... and
    b ..."); None where it says no count."""
    words = kind_said(kind)
    said = re.findall(rf"\b({'|'.join(_COUNTS)})\s+(?:new\s+|more\s+|fresh\s+)?(?:{words})s?\b", text.lower())
    return _COUNTS[said[0]] if len(said) == 1 else None


def _each_as_the_kind_counted(actions: list[Action], creates: list[int], kind, registry,
                              warnings: list[str]) -> list[Action]:
    """"two new queues in staging: crowding-dlq keeping messages 14 days and crowding-jobs
    keeping them 4 days" written with the second as a function: every create the command counts
    is of the kind it counts; a value that kind does not take is left out (the readings of the
    words find what the command says of it)."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError

    out = list(actions)
    for i in creates:
        action = actions[i]
        values = action.parameters.set_values()
        try:
            made = create_kind(action, values, registry)
        except EditError:
            made = None
        if made is kind:
            continue
        takes = set(kind.fields_for("create"))
        foreign = sorted(set(values) - takes - {"kind"})
        warnings.append(f"read the create of {action.name or 'a new resource'!r} as a {kind.noun}: the command "
                        f"asks for {len(creates)} of them" + (f" ({', '.join(foreign)} left out)" if foreign else ""))
        out[i] = action.model_copy(update={"resource": kind.resource_type, "parameters": type(action.parameters)
                                           .model_validate({k: v for k, v in values.items() if k in takes}
                                                           | {"kind": kind.kind_values[0]})})
    return out


def _kinds_made(actions: list[Action], registry, by_kind_value: bool = False) -> dict[int, object]:
    """The kind each create of the plan makes, by its index. `by_kind_value`: a create written
    under another resource type than its kind's is of the kind its kind= value names (else it
    has none here)."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError

    made: dict[int, object] = {}
    for i, action in enumerate(actions):
        if action.type == ActionType.create:
            try:
                made[i] = create_kind(action, action.parameters.set_values(), registry)
            except EditError:
                value = (action.parameters.kind or "").lower()
                if by_kind_value and value:
                    made.update({i: k for k in registry if value in k.kind_values})
    return made


def without_unasked_creates(actions: list[Action], text: str, registry, names: list[str],
                            warnings: list[str]) -> list[Action]:
    """A plan of several actions keeps no create that nobody asked for: one with no name that
    says nothing but a kind the command does not name ("..., and a loyalty-config configmap
    there" followed by a bare "create kind=kms_key"), or that repeats another create of the
    plan (same kind and stack, no value of its own, no name or the other's). What the command asks for
    is untouched; the repeat or the bare kind was the model running on past the command."""
    from agentops.kinds import kinds_named

    named = kinds_named(text, [k for k in registry if k.interpreted], names)
    made = _kinds_made(actions, registry, by_kind_value=True)
    if len(actions) < 2:
        # alone: a create of nothing named, of a kind not named, with no value ("postmortem is
        # up in confluence, please read" written as a bare queue) is nothing asked
        if made and not actions[0].name and not actions[0].changed_keys() and made[0] not in named:
            warnings.append(f"left out a create of a {made[0].noun} that the command does not ask for")
            return []
        return actions
    dropped: set[int] = set()
    for i, kind in made.items():
        action = actions[i]
        values = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
        others = {(k, repr(v)) for j, a in enumerate(actions) if j != i
                  for k, v in a.parameters.set_values().items() if k != "kind"}
        # of a kind not named, with nothing of its own: no value, or only another action's
        # ("bump depot-net to 3 AZs, the Eastside garage comes online" written with a create of
        # eastside-garage count=3; "..., 300 validators on the Route 9 buses" a bare "route")
        bare = kind not in named and (not action.name and not values
                                      or action.name and values and {(k, repr(v)) for k, v in values.items()} <= others)
        repeat = next((j for j, other in made.items() if j < i and j not in dropped and other is kind
                       and action.stack == actions[j].stack and action.name in (None, actions[j].name)
                       and values.items() <= actions[j].parameters.set_values().items()), None)
        if bare or repeat is not None:
            dropped.add(i)
            warnings.append(f"left out a create of a {kind.noun} that the command does not ask for"
                            + (f" (it repeats action {repeat + 1})" if repeat is not None else ""))
    for i, action in enumerate(actions):
        if action.type == ActionType.create and i not in made and not action.changed_keys():
            # no kind, no value: nothing says what it would be ("the Route 9 buses" as "route")
            dropped.add(i)
            warnings.append(f"left out a create of {action.name or 'something'!r} that says neither a kind nor a value")
    return [a for i, a in enumerate(actions) if i not in dropped] if len(dropped) < len(actions) else actions


def as_the_kind_named(actions: list[Action], text: str, registry, names: list[str],
                      warnings: list[str]) -> list[Action]:
    """"new lambda pod-ocr from image ..." written as a deployment: where the command names
    exactly one kind and the plan's one create is of another kind, of the same resource family
    or none of its values foreign to the named kind, the create is of the kind named -- the
    kind the command says, not a guess; every value the model wrote must be one the named kind
    takes on a create, else hold_to_named_kinds refuses as before."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError, kinds_named

    named = kinds_named(text, [k for k in registry if k.interpreted], names)
    creates = [i for i, a in enumerate(actions) if a.type == ActionType.create]
    if len(named) == 1 and len(creates) > 1 and named[0].kind_values \
            and _creates_counted(text, named[0]) == len(creates):
        return _each_as_the_kind_counted(actions, creates, named[0], registry, warnings)
    if len(named) == 2 and len(creates) == 1 and len(actions) == 1:
        # "can I get a vm in dev ... actuarial-sandbox, t3.xlarge, 100gb disk" written as a
        # volume: of two kinds named, the one that takes a value the command writes in a shape
        # of its own (an instance type) that the written kind does not take
        from agentops.interpret.values import _LITERAL_SHAPES

        action = actions[0]
        try:
            made = create_kind(action, action.parameters.set_values(), registry)
        except EditError:  # (kind=volume under infrastructure: the kind its kind= says)
            made = registry.by_kind_value(action.parameters.kind)
        shaped = {k for k, shape in _LITERAL_SHAPES.items() if k not in ("host", "path") and shape.search(text)}
        other = [k for k in named if k is not made and made in named and k.kind_values
                 and shaped & set(k.fields_for("create")) - set(made.fields_for("create"))]
        if len(other) != 1:
            return actions
        named = other
    if len(named) != 1 or len(creates) != 1 or len(actions) != 1 or not named[0].kind_values:
        return actions
    kind, action = named[0], actions[creates[0]]
    values = action.parameters.set_values()
    try:
        made = create_kind(action, values, registry)
    except EditError:
        made = registry.by_kind_value(action.parameters.kind)
        if made is None:
            return actions
    keys = set(values) - {"kind"}
    if made is kind or not keys or not keys <= set(kind.fields_for("create")):
        return actions
    warnings.append(f"the command asks for a {kind.noun}; the interpreter wrote a {made.noun} with values "
                    f"a {kind.noun} takes: read as a {kind.noun}")
    fixed = action.model_copy(update={"resource": kind.resource_type, "parameters": type(action.parameters)
                                      .model_validate(values | {"kind": kind.kind_values[0]})})
    return [fixed]


# words before a kind's word that make the name after it a place or a reference, not a new thing
_PLACE_WORDS = frozenset({"on", "in", "into", "to", "from", "for", "behind", "via", "of", "with", "under", "onto",
                          "through", "against", "at", "reads", "uses", "using", "its", "their", "old", "existing",
                          "current"})


def creates_said_and_not_written(actions: list[Action], text: str, specs: dict[str, StackSpec], registry,
                                 names: list[str], warnings: list[str]) -> list[Action]:
    """"set up the crowding pipeline in dev: queue crowding-jobs (1 day retention), lambda
    crowding-ingest ..." written without the queue: in a plan that creates, a new name said
    right after a kind's word ("queue crowding-jobs", "a topic called crowding-events") that is
    in no stack and no action is a create of that kind the model left out -- in the stack of
    the plan's creates (one stack only), with the values the guard reads from its part of the
    command. Only names of several parts (a plain word after a kind's word is English)."""
    creates = [a for a in actions if a.type == ActionType.create]
    stacks = {a.stack for a in creates}
    if not creates or len(stacks) != 1:
        return actions
    taken = {n.lower() for n in names} | {a.name for a in actions if a.name} | {
        str(v).lower() for a in actions for v in a.parameters.set_values().values()}
    lowered = text.lower()
    made = set(_kinds_made(actions, registry, by_kind_value=True).values())
    keys = {k for kind in registry for k in kind.parameters()}
    added = []
    for kind in (k for k in registry if k.interpreted and k.kind_values and k not in made):
        words = "|".join(re.escape(w.lower()) for w in sorted({*kind.words, *kind.kind_values, kind.noun} - {""},
                                                               key=len, reverse=True))
        for m in re.finditer(rf"(?<![\w-])(?:{words})\s+(?:(?:called|named)\s+)?"
                             r"(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w./:-])", lowered):
            name = m.group("name")
            before = re.findall(r"[a-z0-9]+", lowered[:m.start()])[-1:]
            if name in taken or any(a.name == name for a in added):
                continue
            if before and (before[0] in _PLACE_WORDS or any(
                    f"{before[0]}_{w}" in keys for w in re.findall(r"[a-z]+", m.group(0)[:m.start("name") - m.start()]))):
                # "on cluster X", "for the queue X": a place or a reference; "tls secret X": a key's value
                continue
            added.append(Action(type=ActionType.create, resource=kind.resource_type, name=name,
                                stack=next(iter(stacks)), parameters=Parameters(kind=kind.kind_values[0])))
            warnings.append(f"added the create of {kind.noun} {name!r} the command asks for")
    if not added:
        return actions
    # in the order the command says them
    return sorted([*actions, *added], key=lambda a: lowered.find(a.name) if a.name and a.name in lowered else len(lowered))


def _refuse_unknown_kinds(text: str, workspace: Workspace, specs: dict[str, StackSpec]) -> None:
    """InterpretError "agentops has no kind for 'sqs queue'; it knows: ..." when the command
    names a kind of infrastructure the repository's registry lacks (agentops.kinds.vocabulary);
    existing resource names are never read as kinds."""
    from agentops.kinds import refuse_unknown

    registry = workspace.kinds
    names = [n for spec in specs.values() for n in spec.names()]
    refuse_unknown(text, registry, names)


def as_the_kind_for_it(actions: list[Action], text: str, specs: dict[str, StackSpec], registry,
                       names: list[str], warnings: list[str]) -> list[Action]:
    """"pdb for driver-app-api in prod: at least 4 pods available" written as a scale of
    driver-app-api to 4 replicas: where the command names exactly one kind, one that is *for*
    the kind of the resource the plan changes (its `target` reference: a budget, an autoscaler
    of a deployment), and says the number the model wrote in the words of one of that kind's
    keys (Kind.phrases: "at least 4" is a budget's min_available), the change is of that kind's
    resource for it: the one there (an update), or a new one (a create for it). A number said
    otherwise ("scale checkout to 4, its pdb at least 2") leaves the plan as it is."""
    from agentops.interpret.lookup import _find
    from agentops.interpret.values import _phrase_numbers
    from agentops.kinds import kinds_named

    if len(actions) != 1:
        return actions
    action = actions[0]
    found = _find(action, specs) if action.type in (ActionType.scale, ActionType.update) and action.name \
        and not action.relative and action.stack in specs else None
    # (the changed resource's own kind may be named too: "at least 4 pods available")
    named = [k for k in kinds_named(text, [k for k in registry if k.interpreted], names)
             if k.section != found[0]] if found else []
    if len(named) != 1:
        return actions
    kind, section = named[0], found[0]
    values = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
    if kind.references.get("target") != section or not kind.kind_values \
            or len(values) != 1:
        return actions
    (written, value), = values.items()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return actions
    lowered = " ".join(_words(text))
    said_by = {k for k, templates in kind.phrases.items()
               if any(number in _phrase_numbers(t, lowered) for t in templates)}
    if len(said_by) != 1:
        return actions
    key = said_by.pop()
    theirs = [n for n, e in specs[action.stack].section(kind.section).items()
              if getattr(e, "target", None) == action.name]
    change = "update" if theirs else "create"
    if len(theirs) > 1 or key not in kind.fields_for(change):
        return actions
    params = {"kind": kind.kind_values[0], key: value} | ({} if theirs else {"target": action.name})
    warnings.append(f"the command asks about the {kind.noun} for {action.name!r}; the interpreter wrote "
                    f"{written}={value} on {action.name!r} itself: read as the {kind.noun}'s {key}")
    return [action.model_copy(update={
        "type": ActionType(change), "resource": kind.resource_type, "name": theirs[0] if theirs else None,
        "parameters": type(action.parameters).model_validate(params)})]
