"""Readings of the plan as a whole: a change of what the plan itself creates is part of the
create, "the same image" as another resource's, an alert the command does not ask for is
dropped, an alarm said by its resource's kind ("the cluster's cpu").
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType, Parameters
from agentops.interpret.facts import ENUM_WORDS, UNIT_FACTORS, CommandFacts, _key_unit, _words
from agentops.interpret.lookup import _deleted_in_another_clause, _fields, _find, _fmt, _kind_of, _regions, _scale_or_update, listed_between, stack_said
from agentops.interpret.relative import resolve_relative
from agentops.interpret.targets import _longer_name_said
from agentops.spec import STACK_ALIASES, StackSpec


def _stacks_per_value(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                      warnings: list[str]) -> list[Action]:
    """One resource changed twice in one stack with two numbers, where the command says each
    number with its own stack ("scale claims-api to 4 in staging and 10 in prod" written with
    both in staging): each number's stack. Only where every number is said with exactly one
    stack, each a different one."""
    lowered = facts.text.lower()
    out = list(kept)
    groups: dict[tuple, list[int]] = {}
    for i, action in enumerate(kept):
        values = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
        if action.type in (ActionType.scale, ActionType.update) and action.name and action.stack \
                and len(values) == 1 and not action.relative:
            groups.setdefault((action.name, action.stack, action.type, *values), []).append(i)
    for (name, stack, _, key), indexes in groups.items():
        numbers = [kept[i].parameters.set_values()[key] for i in indexes]
        if len(indexes) < 2 or len(set(map(str, numbers))) != len(numbers):
            continue
        homes = {}
        for i, number in zip(indexes, numbers):
            said = {s for s in specs for m in re.finditer(
                rf"(?<![\w.]){re.escape(str(number))}\s+(?:\w+\s+)?(?:in|on|for)\s+{stack_said(s)}\b"
                rf"|\b{stack_said(s)}\b\s*(?::|=|->|to|at)?\s*{re.escape(str(number))}(?![\w.%])", lowered)}
            if len(said) != 1:
                break
            homes[i] = said.pop()
        else:
            if len(set(homes.values())) != len(homes) or all(h == stack for h in homes.values()) \
                    or not all(specs[h].find(name) for h in homes.values()):
                continue
            for i, home in homes.items():
                if home != stack:
                    warnings.append(f"{key} {numbers[indexes.index(i)]} of {name!r} in {home}: the stack the "
                                    "command says with it")
                    out[i] = kept[i].model_copy(update={"stack": home})
    return out


def _values_per_stack(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                      warnings: list[str]) -> list[Action]:
    """One resource changed in several stacks, with a number said for each stack ("write
    capacity +50 in prod and +5 in staging", "replicas prod: 6, staging: 2") where the model
    wrote one number for all: each stack's own. Only where the actions change one key alike and
    each stack is said with exactly one number."""
    lowered = facts.text.lower()
    out = list(kept)
    by_name: dict[str, list[int]] = {}
    for i, action in enumerate(kept):
        if action.type in (ActionType.scale, ActionType.update) and action.name and action.stack:
            by_name.setdefault(action.name, []).append(i)
    for name, indexes in by_name.items():
        if len(indexes) < 2 or len({kept[i].stack for i in indexes}) != len(indexes):
            continue
        keys = {tuple(sorted({k for k, v in kept[i].parameters.set_values().items() if k != "kind"
                              and isinstance(v, int) and not isinstance(v, bool)} | set(kept[i].relative)))
                for i in indexes}
        if len(keys) != 1 or len(next(iter(keys))) != 1:
            continue
        key = next(iter(keys))[0]
        said = {}
        for i in indexes:
            stack = kept[i].stack
            words = stack_said(stack)
            numbers = {m.group(1) for m in re.finditer(
                rf"(?<![\w.])([+-]?\d+)\s+(?:in|on|for)\s+{words}\b", lowered)} | {m.group(1) for m in re.finditer(
                rf"\b{words}\b\s*(?::|=|->|to|at)?\s*([+-]?\d+)(?![\w.%])", lowered)}
            if len(numbers) != 1:
                break
            said[i] = numbers.pop()
        else:
            if len(set(said.values())) != len(said):
                continue
            for i, number in said.items():
                action = kept[i]
                if key in action.relative:
                    op = number[0] if number[0] in "+-" else action.relative[key][0]
                    value = f"{op}{number.lstrip('+-')}"
                    if value == action.relative[key]:
                        continue
                    warnings.append(f"{key} {value} in {action.stack}: the amount said for that stack")
                    out[i] = resolve_relative(action.model_copy(update={"relative": {**action.relative, key: value}}),
                                              specs, registry, warnings)
                elif number.isdigit() and int(number) != action.parameters.set_values()[key]:
                    warnings.append(f"{key} {number} in {action.stack}: the value said for that stack")
                    out[i] = action.model_copy(update={"parameters": Parameters.model_validate(
                        action.parameters.set_values() | {key: int(number)})})
    return out


def _one_create_per_name(kept: list[Action], facts: CommandFacts, registry, warnings: list[str]) -> list[Action]:
    """Two creates of one name in one stack, of different kinds ("table grooming-slots ..., and a
    cache grooming-cache" written with a cache grooming-slots too): the one whose kind's word
    the command says right before the name; none or several such, all kept (the edit refuses)."""
    lowered = facts.text.lower()
    groups: dict[tuple, list[int]] = {}
    for i, action in enumerate(kept):
        if action.type == ActionType.create and action.name:
            groups.setdefault((action.name, action.stack), []).append(i)
    dropped = set()
    for (name, _), indexes in groups.items():
        if len(indexes) < 2:
            continue

        def said_before(i: int) -> bool:
            kind = registry.by_kind_value(kept[i].parameters.kind) if kept[i].parameters.kind else None
            words = {w for w in (*kind.words, kind.noun, *kind.kind_values) if w} if kind else set()
            return bool(words) and bool(re.search(
                rf"\b(?:{'|'.join(re.escape(w) for w in sorted(words, key=len, reverse=True))})\s+"
                rf"(?:\w+\s+)?{re.escape(name)}(?![\w-])", lowered))

        said = [i for i in indexes if said_before(i)]
        if len(said) == 1:
            for i in indexes:
                if i != said[0]:
                    warnings.append(f"left out the second create of {name!r}: the command says it is a "
                                    f"{kept[said[0]].parameters.kind}")
                    dropped.add(i)
    return [a for i, a in enumerate(kept) if i not in dropped]


_WATCH_WORDS = re.compile(r"\b(?:alert\w*|alarm\w*|monitor\w*|watch\w*|eye|pag(?:e|er|ed|es|ing)|notif\w*)\b", re.I)


def _within_another(kept: list[Action], specs: dict[str, StackSpec], registry,
                    warnings: list[str], text: str = "") -> list[Action]:
    """A change of a resource that another change of the same resource in the plan holds
    whole ("session cache prod: cache.r6g.large and 3 nodes" written as instance_type, then
    instance_type and count): one change, the fuller one, named by what it changes
    (_scale_or_update)."""
    changes = (ActionType.scale, ActionType.update)
    out = []
    absorbed = set()
    for i, action in enumerate(kept):
        mine = action.parameters.set_values()
        held = action.type in changes and any(
            j != i and other.type in changes and (other.name, other.stack) == (action.name, action.stack)
            and mine.items() <= (theirs := other.parameters.set_values()).items()
            and action.relative.items() <= other.relative.items()
            and (len(theirs) + len(other.relative), j) > (len(mine) + len(action.relative), i)
            for j, other in enumerate(kept))
        if held:
            warnings.append(f"one change of {action.name!r}: another action of the plan holds this one")
            absorbed.add((action.name, action.stack))
            continue
        if action.type == ActionType.monitor and not set(mine) - {"kind"} and not _WATCH_WORDS.search(text) and any(
                j != i and other.type in changes and (other.name, other.stack) == (action.name, action.stack)
                and set(other.parameters.set_values()) - {"kind"} for j, other in enumerate(kept)):
            # "televet-signaling-pdb: let 50% go at once" written as its change and a monitor of
            # it that watches nothing: the change is what is asked
            warnings.append(f"left out the monitor of {action.name!r}: it watches nothing, and another "
                            "action of the plan changes it")
            continue
        out.append(action)
    for i, action in enumerate(out):
        found = _kind_of(action, specs, registry) if (action.name, action.stack) in absorbed else None
        if found is not None:
            params = action.parameters.set_values()
            out[i] = action.model_copy(update={"type": _scale_or_update(action, params, *found)})
    return out


_SAME = re.compile(r"\b(?:the\s+)?same\s+([a-z]+(?:\s+[a-z]+)?)")


def _same_as_another(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                     warnings: list[str]) -> list[Action]:
    """"deploy <image> on feed-builder and point the rss-refresh cron at the same image": the
    key the command says "the same" of takes, on the action that lacks it, the one value
    another action of the plan has for it."""
    out = list(kept)
    for m in _SAME.finditer(facts.text.lower()):
        said = m.group(1).replace(" ", "_")
        for i, action in enumerate(kept):
            if action.type not in (ActionType.create, ActionType.update):
                continue
            found = _kind_of(action, specs, registry)
            if found is None:
                continue
            fields = _fields(action, found[0])
            key = next((k for k in (said, said.split("_")[0]) if k in fields), None)
            params = out[i].parameters.set_values()
            if key is None or key in params:
                continue
            values = {str(a.parameters.set_values()[key]) for j, a in enumerate(out)
                      if j != i and key in a.parameters.set_values()}
            if len(values) == 1:
                value = next(a.parameters.set_values()[key] for j, a in enumerate(out)
                             if j != i and key in a.parameters.set_values())
                warnings.append(f"{key} {value}: the same as another action's, as the command says")
                out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | {key: value})})
    return out


def _references_said_as_such(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                             warnings: list[str]) -> list[Action]:
    """A change's reference to a resource that is not there ("noisy in the QA logs" written as
    cluster=qa on a cron job), that the command does not say as one (not "the qa cluster",
    "cluster qa", "on qa", "to qa"): a word of the sentence, dropped. Said as one, it stays,
    and the edit names what is missing."""
    out = list(kept)
    made = {(a.stack, a.name) for a in kept if a.type == ActionType.create}
    lowered = facts.text.lower()
    for i, action in enumerate(kept):
        if action.type not in (ActionType.update, ActionType.scale) or action.stack not in specs:
            continue
        found = _kind_of(action, specs, registry)
        if found is None:
            continue
        kind = found[0]
        fields = {**kind.fields_for("create"), **_fields(action, kind)}
        params = action.parameters.set_values()
        dropped = []
        for key, value in params.items():
            section = kind.references.get(fields.get(key, ""))
            if section not in registry or not isinstance(value, str) or (action.stack, value) in made:
                continue
            there = specs[action.stack].find(value)
            if there and there[0] == section:
                continue
            words = "|".join(re.escape(w) for w in sorted({*registry[section].words, registry[section].noun} - {""},
                                                          key=len, reverse=True))
            v = re.escape(value.lower())
            if re.search(rf"\b(?:{v}\s+(?:{words})|(?:{words})\s+{v}|(?:on|to|onto|into)\s+(?:the\s+)?{v})\b", lowered):
                continue
            dropped.append(key)
        if dropped:
            for key in dropped:
                warnings.append(f"{key}={params.pop(key)} dropped: no such {registry[kind.references[fields[key]]].noun}, "
                                "and the command does not say it as one")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


def _lists_in_one(kept: list[Action], warnings: list[str]) -> list[Action]:
    """Two actions of one type on one resource, each with a part of one list ("swap policies
    to A and B" written as an update to A and another to B): one action with the whole list,
    in the order said. Only where nothing else they set differs."""
    out: list[Action] = []
    for action in kept:
        mine = action.parameters.set_values()
        lists = {k for k, v in mine.items() if isinstance(v, list)}
        into = next((i for i, a in enumerate(out) if lists and a.type == action.type
                     and a.type in (ActionType.create, ActionType.update) and a.name
                     and (a.name, a.stack) == (action.name, action.stack) and not a.relative
                     and not action.relative and _differ_in_lists_only(a.parameters.set_values(), mine)),
                    None)
        if into is None:
            out.append(action)
            continue
        theirs = out[into].parameters.set_values()
        merged = theirs | mine | {k: list(dict.fromkeys([*theirs[k], *mine[k]])) for k in lists & set(theirs)}
        warnings.append(f"one {action.type.value} of {action.name!r}: the plan said its "
                        f"{', '.join(sorted(lists & set(theirs)))} in parts")
        out[into] = out[into].model_copy(update={"parameters": Parameters.model_validate(merged)})
    return out


def _differ_in_lists_only(theirs: dict, mine: dict) -> bool:
    """Whether two actions' values differ only in lists both set (and share at least one)."""
    shared = [k for k in set(theirs) & set(mine) if isinstance(theirs[k], list) and isinstance(mine[k], list)]
    return bool(shared) and all(theirs.get(k) == mine.get(k) for k in (set(theirs) | set(mine)) - set(shared)
                                if k in theirs and k in mine)


def _into_its_create(kept: list[Action], warnings: list[str]) -> list[Action]:
    """A change of what the plan itself creates is part of that create ("a redis cache
    session-cache, cache.r6g.large, 2 nodes" written as a create and then a scale of it): the
    new resource is made with the values, in one action. A change by an amount stays (there is
    nothing to count from yet; resolve_relative refuses it)."""
    out: list[Action] = []
    for action in kept:
        made = next((i for i, a in enumerate(out) if a.type == ActionType.create and a.name
                     and (a.name, a.stack) == (action.name, action.stack)), None)
        if (made is not None and action.type in (ActionType.scale, ActionType.update)
                and not action.relative):
            merged = out[made].parameters.set_values() | action.parameters.set_values()
            warnings.append(f"the {action.type.value} of {action.name!r} is part of its create: "
                            "the plan makes it so")
            out[made] = out[made].model_copy(update={"parameters": Parameters.model_validate(merged)})
            continue
        out.append(action)
    return out


# What asks for an alert: a new alarm is never read from a command that speaks of a metric
# only as the reason for something else ("restart it, the memory leak is back").
ASKS_TO_WATCH = re.compile(
    r"\b(?:alert\w*|alarm\w*|pag(?:e|er|ed|es|ing)|notif\w*|ping|tell|monitor\w*|watch\w*|warn\w*"
    r"|know|if|when|whenever|once|fires?|fired|threshold|trigger\w*|pagerduty|slack|on-?call|eye)\b", re.I)


def _unasked_monitors(kept: list[Action], facts: CommandFacts, warnings: list[str]) -> list[Action]:
    """A monitor action in a plan whose command asks for no alert, next to the actions it
    does ask for, is the model's addition: dropped."""
    if ASKS_TO_WATCH.search(facts.text) or all(a.type == ActionType.monitor for a in kept):
        return kept
    dropped = [a for a in kept if a.type == ActionType.monitor]
    for action in dropped:
        warnings.append(f"dropped an alert on {action.name!r}: the command asks for none")
    return [a for a in kept if a.type != ActionType.monitor]


# "put an errors alarm on it at 5", "alert on its errors over 10", "a cpu alert on X above 80"
# "alarm if delivery errors go over 1", "errors alarm on the lambda at 1" (the plan's one target)
_ALARM_ON = re.compile(
    r"\b(?:(?P<metric>[a-z0-9]+)\s+(?:alarm|alert)\s+on\s+(?P<what>it|them|the\s+[a-z]+|[a-z0-9][a-z0-9-]*)"
    r"|(?:alarm|alert)\s+on\s+(?:its|(?P<owner>[a-z0-9][a-z0-9-]*)'s)\s+(?P<metric2>[a-z0-9]+)"
    r"|(?:alarm|alert|page|ping|notify|tell)\w*\s+(?:me\s+|us\s+|on-?call\s+)?(?:if|when|whenever|once)\s+"
    r"(?:its\s+|the\s+)?(?:[a-z]+\s+)?(?P<metric3>[a-z0-9]+)\s+(?:go|goes|get|gets|is|are)(?=\s+(?:over|above|past))"
    # "and alarm on 5xx over 20": the metric itself after "on", of the plan's one target
    r"|(?:alarm|alert)\w*\s+on\s+(?:its\s+)?(?P<metric4>[a-z0-9]+)(?=\s+(?:at|over|above|past|>)))"
    r"\s+(?:(?:at|over|above|past|>)\s*|when\s+(?:it\s+)?(?:goes|is|gets)\s+(?:over|above)\s+)"
    r"(?P<n>\d+(?:\.\d+)?)\s*%?(?![\w.])")


def _alarms_asked_for(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                      warnings: list[str]) -> list[Action]:
    """An alarm the command asks for in so many words ("new lambda X ... put an errors alarm on
    it at 5") that the model left out of a plan of other actions: a monitor of the one resource
    "it" is (the plan's one target) or the one named, with the metric said where its kind alarms
    on it and the threshold said. Nothing where the plan has a monitor already, or any part is
    not certain."""
    if not kept or any(a.type == ActionType.monitor for a in kept):
        return kept
    targets = list(dict.fromkeys((a.name, a.stack) for a in kept if a.name))
    added = []
    for m in _ALARM_ON.finditer(facts.text.lower()):
        what = m.group("what") or m.group("owner")
        metric_word = m.group("metric") or m.group("metric2") or m.group("metric3") or m.group("metric4")
        said_metrics = {w for words in ENUM_WORDS["metric"].values() for w in words} | set(ENUM_WORDS["metric"])
        if what in said_metrics and metric_word not in said_metrics:
            # ("and alarm on 5xx over 20": read as "<word> alarm on <what>", the what is the metric)
            metric_word, what = what, None
        if what in (None, "it", "them") or what.startswith("the "):
            fitting = targets
            if what and what.startswith("the ") and len(targets) > 1:
                # "an errors alarm on the lambda": the one target of the kind said
                word = what[4:]
                fitting = [t for t in targets if (found := _kind_of(next(a for a in kept if (a.name, a.stack) == t),
                                                                    specs, registry))
                           and word in {w.lower() for w in (*found[0].words, *found[0].kind_values, found[0].noun) if w}]
            if len(fitting) != 1:
                continue
            name, stack = fitting[0]
        else:
            name, stack = what, next((s for n, s in targets if n == what), None)
            if stack is None:
                continue
        action = next(a for a in kept if (a.name, a.stack) == (name, stack))
        found = _kind_of(action, specs, registry)
        metric = next((k for k, words in ENUM_WORDS["metric"].items() if metric_word in words or metric_word == k),
                      None)
        if found is None or metric is None or metric not in found[0].alarm_metrics:
            continue
        added.append(Action(type=ActionType.monitor, resource=action.resource, name=name, stack=stack,
                            parameters=Parameters(metric=metric, threshold=float(m.group("n")))))
        warnings.append(f"added the {metric} alarm on {name!r} at {m.group('n')} the command asks for")
    return kept + added


_METRIC_WORDS = "|".join(sorted({w for words in ENUM_WORDS["metric"].values() for w in words}, key=len, reverse=True))
# "cpu 75, disk 85, connections 250": a metric said with its threshold
_METRIC_AT = re.compile(rf"\b({_METRIC_WORDS})\s*(?:at|over|above|>|>=|of|:|=)?\s*(\d+(?:\.\d+)?)\s*%?(?![\w.])")


def _each_alarm_listed(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str]) -> list[Action]:
    """"billing-db prod alarms please: cpu 75, disk 85, connections 250" written as the cpu alarm
    alone: where the plan's alarms are all on one resource and the command lists several
    metrics of its kind with a threshold each (each metric once), an alarm for each one the
    plan left out, after the plan's."""
    monitors = [a for a in kept if a.type == ActionType.monitor]
    if not monitors or len({(a.name, a.stack) for a in monitors}) != 1 or not ASKS_TO_WATCH.search(facts.text):
        return kept
    listed: dict[str, list[float]] = {}
    for m in _METRIC_AT.finditer(facts.text.lower()):
        metric = next((k for k, words in ENUM_WORDS["metric"].items() if m.group(1) in words or m.group(1) == k), None)
        if metric:
            listed.setdefault(metric, []).append(float(m.group(2)))
    found = _kind_of(monitors[0], specs, registry)
    if len(listed) < 2 or found is None or any(len(v) != 1 for v in listed.values()) \
            or not set(listed) <= set(found[0].alarm_metrics):
        return kept
    have = {a.parameters.metric for a in monitors}
    if not have <= set(listed) or any(a.parameters.threshold != listed[a.parameters.metric][0] for a in monitors):
        return kept
    first = monitors[0]
    added = [first.model_copy(update={"parameters": Parameters(metric=metric, threshold=values[0])})
             for metric, values in listed.items() if metric not in have]
    for action in added:
        warnings.append(f"added the {action.parameters.metric} alarm on {first.name!r} at "
                        f"{_fmt(action.parameters.threshold)}: the command lists it")
    return kept + added
# "the cluster's cpu", "the table latency": an alarm's resource said by its kind word
_KIND_POSSESSIVE = re.compile(rf"\bthe\s+([a-z][a-z-]*?)(?:'s|s')?\s+(?:{_METRIC_WORDS})\b")


def _watched_as_said(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                     warnings: list[str]) -> list[Action]:
    """An alarm whose resource the command says by its kind ("create cluster ml-eks, deploy
    recs-trainer on it, and alert on the cluster's cpu") and the model put on another of the
    plan's resources: on the one resource of that kind the plan acts on."""
    said = {registry.by_kind_value(m.group(1)) for m in _KIND_POSSESSIVE.finditer(facts.text.lower())}
    said.discard(None)
    if len(said) != 1:
        return kept
    meant_kind = said.pop()

    def kind_of(action: Action):
        if action.type == ActionType.monitor:
            made = next((a for a in kept if a.type == ActionType.create
                         and (a.name, a.stack) == (action.name, action.stack)), None)
            found = _kind_of(made, specs, registry) if made is not None else None
            if found is None:
                there = _find(action, specs)
                return registry[there[0]] if there is not None and there[0] in registry else None
            return found[0]
        found = _kind_of(action, specs, registry)
        return found[0] if found is not None else None

    out = list(kept)
    for i, action in enumerate(kept):
        if action.type != ActionType.monitor or not action.name or kind_of(action) in (meant_kind, None):
            continue
        others = {(a.name, a.stack) for a in kept if a.type != ActionType.monitor and a.name
                  and a.stack == action.stack and kind_of(a) is meant_kind}
        if len(others) == 1:
            name = others.pop()[0]
            warnings.append(f"the alarm is on {name!r}: the command says the {meant_kind.noun}'s")
            out[i] = action.model_copy(update={"name": name})
    return out


def _without_copied_values(kept: list[Action], specs: dict[str, StackSpec], registry,
                           warnings: list[str]) -> list[Action]:
    """In a plan of several actions, a change whose every value is another action's, copied
    onto a resource whose kind takes none of it (a table's write_capacity on the cron job
    season-rollover, named from "the season reset"), is left out: the edit would refuse it."""
    changes = (ActionType.scale, ActionType.update)
    if len(kept) < 2:
        return kept
    out = []
    for i, action in enumerate(kept):
        values = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
        found = _kind_of(action, specs, registry) if action.type in changes and action.name and values else None
        if found is not None and found[1] is not None and not action.relative:
            takes = {k for t in ("update", "scale") if found[0].supports(ActionType(t)) for k in found[0].fields_for(t)}
            if not set(values) & takes and any(j != i and values.items() <= other.parameters.set_values().items()
                                               for j, other in enumerate(kept)):
                warnings.append(f"left out the {action.type.value} of {action.name!r}: {', '.join(values)} is "
                                f"another action's, and a {found[0].noun} takes none of it")
                continue
        out.append(action)
    return out or kept


def _values_said_for_one(kept: list[Action], facts: CommandFacts, warnings: list[str]) -> list[Action]:
    """A written value (not a number, a name or a reference) that two changes of different
    resources carry, said once in the command and in the part of one of them ("meter-read-
    validator gets 512MB, and the billing db rotator moves to python3.13" written with
    runtime=python3.13 on both): the other's copy is left out. Only from a change that keeps
    something else to set: the copy may be all the model read of it."""
    changes = (ActionType.scale, ActionType.update)
    if len(kept) < 2 or len({a.name for a in kept if a.type in changes}) < 2:
        return kept
    regions = _regions(kept, facts.text)
    lowered = facts.text.lower()
    out = list(kept)
    for i, action in enumerate(kept):
        if action.type not in changes or not action.name:
            continue
        values = action.parameters.set_values()
        for key, value in values.items():
            if key in ("kind", "target", "cluster") or not isinstance(value, str) or not re.search(r"[a-z]", value, re.I):
                continue
            spots = [m.start() for m in re.finditer(rf"(?<![\w.-]){re.escape(value.lower())}(?![\w-]|\.\w)", lowered)]
            holders = [j for j, other in enumerate(kept) if j != i and other.type in changes and other.name
                       and other.name != action.name and other.parameters.set_values().get(key) == value]
            if len(spots) != 1 or len(holders) != 1:
                continue
            j = holders[0]
            mine, theirs = value.lower() in regions[i].lower(), value.lower() in regions[j].lower()
            current = out[i].parameters.set_values()
            if theirs and not mine and regions[i] != regions[j] and set(current) - {"kind", key}:
                warnings.append(f"left {key} out of the {action.type.value} of {action.name!r}: the command "
                                f"says {value} of {kept[j].name!r}")
                out[i] = out[i].model_copy(update={"parameters": Parameters.model_validate(
                    {k: v for k, v in current.items() if k != key})})
    return out


def without_empty_changes(written: list[Action], kept: list[Action], specs: dict[str, StackSpec],
                          warnings: list[str], registry=None) -> list[Action]:
    """In a plan of several actions, a change the model wrote with no value that is still
    empty after the guard's readings ("matchmaker config: QUEUE_TIMEOUT_S to 120, players are
    bailing" followed by an update of the namespace players, nothing set) is left out with a
    warning: it changes nothing, and the edit would refuse the whole plan for it. So is one the
    model wrote as another kind than its target's, whose values the guard dropped ("players
    are bailing at 90s" written as a scale of a cluster "players" to 90, the namespace players
    left with nothing to set): what it said fits neither the command nor the target. Any other
    one whose values the guard dropped (the model said something the command does not) stays,
    and the edit says what is missing: the command's intent there is not known."""
    if len(kept) < 2:
        return kept
    changes = (ActionType.scale, ActionType.update)
    referenced = {str(v) for a in kept for k, v in a.parameters.set_values().items() if k in ("target", "cluster")}
    blank = {a.name for a in written if a.type in changes and not a.relative and (
        not set(a.parameters.set_values()) - {"kind"} or _written_as_another_kind(a, specs, registry))}
    # ("expose waitlist-svc at ..., ingress waitlist-ing" written with a create of waitlist-svc,
    # which is there: what another action of the plan acts on, not a change of its own)
    blank |= {a.name for a in written if a.type == ActionType.create and a.name in referenced}
    out = []
    for action in kept:
        if (action.type in changes and action.name in blank
                and not action.changed_keys()
                and _find(action, specs) is not None):
            warnings.append(f"left out the {action.type.value} of {action.name!r}: it sets nothing")
            continue
        out.append(action)
    return out or kept


def _written_as_another_kind(action: Action, specs: dict[str, StackSpec], registry) -> bool:
    """Whether the model wrote the action with a kind (kind=cluster) that is not its target's."""
    said = registry.by_kind_value(action.parameters.kind) if registry is not None else None
    found = _find(action, specs)
    return said is not None and found is not None and found[0] != said.section


# What a kind's size is counted in, beyond its own count_nouns: an amount said of anything
# else ("three more stores come online") is not an amount of it.
_COUNTED_WORDS = frozenset({"replica", "pod", "node", "box", "boxe", "instance", "server", "vm", "host", "machine",
                            "copy", "worker", "container", "unit", "gb", "gig", "tb", "mb", "day", "minute",
                            "second", "hour", "percent", "more", "extra", "additional", "less", "fewer"})


def _one_change_of_a_key(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                         warnings: list[str]) -> list[Action]:
    """Two changes of one key of one resource ("store-sync boxes in prod: add two, three more
    stores come online monday" written as +2 and +3): the one whose amount the command says of
    something else than what the kind counts ("three more stores") is the reason's, left out;
    so is the one whose value another action of the plan has (copied from it); where that does
    not tell them apart, both stay (the edit and review see the conflict)."""
    from agentops.textnorm import NUMBER_WORDS

    changes = (ActionType.scale, ActionType.update)
    words = facts.words

    def said_of_other(number: str, kind) -> bool:
        nouns = {n.rstrip("s") for n in kind.count_nouns if " " not in n} | _COUNTED_WORDS
        spots = [i for i, w in enumerate(words) if w == number or NUMBER_WORDS.get(w) == int(number)]
        return bool(spots) and all(
            i + 1 < len(words) and (nxt := words[i + 2] if words[i + 1] in ("more", "extra", "additional")
                                    and i + 2 < len(words) else words[i + 1]).rstrip("s") not in nouns
            and nxt.isalpha() and nxt not in NUMBER_WORDS for i in spots)

    dropped = set()
    for i, action in enumerate(kept):
        found = _kind_of(action, specs, registry) if action.type in changes and action.name else None
        if found is None:
            continue
        for j in range(i + 1, len(kept)):
            other = kept[j]
            if other.type not in changes or (other.name, other.stack) != (action.name, action.stack):
                continue
            for key in set(action.relative) & set(other.relative):
                mine, theirs = action.relative[key], other.relative[key]
                if mine == theirs or not (mine[1:].isdigit() and theirs[1:].isdigit()):
                    continue
                reasons = [k for k, r in ((i, mine), (j, theirs)) if said_of_other(r[1:], found[0])]
                if len(reasons) == 1:
                    dropped.add(reasons[0])
                    warnings.append(f"left out {key} {kept[reasons[0]].relative[key]} on {action.name!r}: the "
                                    f"command says that amount of something else than its {found[0].noun}'s")
            mine, theirs = action.parameters.set_values(), other.parameters.set_values()
            for key in (set(mine) & set(theirs)) - {"kind"}:
                # "a new CNAME ... ttl 300, and bring status-record's ttl down to 60" written with
                # status-record's ttl changed to 300 and to 60: the value another action of the
                # plan has (the new record's) is copied from it
                if mine[key] == theirs[key]:
                    continue
                copied = [k for k, v in ((i, mine[key]), (j, theirs[key]))
                          if any(n not in (i, j) and a.parameters.set_values().get(key) == v for n, a in enumerate(kept))]
                if len(copied) == 1 and copied[0] not in dropped:
                    dropped.add(copied[0])
                    warnings.append(f"left out {key}={kept[copied[0]].parameters.set_values()[key]!r} on "
                                    f"{action.name!r}: another action's value, copied")
                    continue
                # "meter-reads-db needs 3000 GB, ... AMI 2.0 doubles the interval data" written
                # storage_gb=3000 and =2: of a key with a unit, the value said in a unit of it
                unit = _key_unit(key)
                in_its_unit = [k for k, v in ((i, mine[key]), (j, theirs[key])) if unit and isinstance(v, (int, float))
                               and any(abs(n * UNIT_FACTORS.get((u, unit), 0) - float(v)) < 1e-6
                                       for n, u in facts.quantities)]
                if len(in_its_unit) == 1 and not {i, j} & dropped:
                    left = ({i, j} - set(in_its_unit)).pop()
                    dropped.add(left)
                    warnings.append(f"left out {key}={kept[left].parameters.set_values()[key]!r} on {action.name!r}: "
                                    f"the command says the other in {key}'s unit")
    return [a for k, a in enumerate(kept) if k not in dropped]


_POINT = re.compile(r"\b(?:point|re-?point|route|re-?route|send|switch|direct|aim)\w*\b")


def _pointed_at(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                warnings: list[str]) -> list[Action]:
    """"point the store ingress on staging at the gateway for now" written as an update that
    sets nothing: the change of what it acts on (its `target`) to the one resource of the
    section the target names that the command says after "at"/"to" -- only with a verb of
    pointing, only the plan's one such update."""
    if not _POINT.search(" ".join(facts.words)):
        return kept
    out = list(kept)
    candidates = []
    for i, action in enumerate(kept):
        found = _kind_of(action, specs, registry) if action.type == ActionType.update and action.name else None
        if found is None or found[1] is None or "target" not in _fields(action, found[0]):
            continue
        if set(action.parameters.set_values()) - {"kind"} or "target" not in found[0].references:
            continue
        candidates.append((i, action, found))
    if len(candidates) != 1:
        return kept
    i, action, (kind, entry) = candidates[0]
    section = kind.references["target"]
    lowered = " ".join(facts.words)
    said = {name for name in specs[action.stack].section(section)
            if name != getattr(entry, "target", None) and name != action.name
            and re.search(rf"\b(?:at|to)\s+(?:the\s+)?{re.escape(' '.join(name.split('-')))}\b", lowered)}
    # ("at outage-map-api" says outage-map only as its start)
    said = {n for n in said if not any(o != n and o.startswith(n + "-") for o in said)}
    if len(said) != 1:
        return kept
    target = said.pop()
    warnings.append(f"target {target}: the command points {action.name!r} at it")
    out[i] = action.model_copy(update={"parameters": Parameters.model_validate(
        action.parameters.set_values() | {"target": target})})
    return out


def _referrers_deleted_first(kept: list[Action], specs: dict[str, StackSpec], registry,
                             warnings: list[str]) -> list[Action]:
    """Deletes of resources one of which refers to another ("tear down the dev alb and the
    api-dev-dns record that points at it"): the one that refers goes first (the record, then
    the load balancer), as a person deleting them would order them and as the plan reads
    without a moment where a reference points at nothing. Otherwise the order said."""
    from agentops.interpret.targets import _referenced

    slots = [i for i, a in enumerate(kept) if a.type == ActionType.delete and a.name
             and not set(a.parameters.set_values()) - {"kind"}]
    if len(slots) < 2:
        return kept
    refers: dict[int, set[str]] = {}
    for i in slots:
        found = _find(kept[i], specs)
        refers[i] = _referenced(found[1], registry[found[0]]) if found and found[0] in registry else set()
    rank: dict[int, int] = {}

    def depth(i: int, seen: frozenset = frozenset()) -> int:
        # how many deletes of the plan refer to this one, through others: those go before it
        if i not in rank:
            referrers = [j for j in slots if j not in seen and j != i and kept[i].name in refers[j]
                         and kept[j].stack == kept[i].stack]
            rank[i] = 1 + max((depth(j, seen | {i}) for j in referrers), default=-1)
        return rank[i]

    order = sorted(slots, key=lambda i: (depth(i), slots.index(i)))
    if order == slots:
        return kept
    out = list(kept)
    for slot, i in zip(slots, order):
        out[slot] = kept[i]
    warnings.append("the deletes are ordered so that what refers to another goes first: "
                    + ", ".join(kept[i].name for i in order))
    return out


_RESTART = re.compile(r"\b(?:restart|bounce|kick(?!\s+off)|recycle)\b")


def _another_metric_of_what_an_alert_watches(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                                             registry, warnings: list[str]) -> list[Action]:
    """"connections alarms in prod: ops-alb at 500, transit-alb at 8000" written with the second
    as a change of transit-alb-errors' threshold: a change of an alert the command does not
    name, on a metric it does not say, beside a monitor of the metric it does say, is a monitor
    of what that alert watches (named by the command) on that metric."""
    monitors = {a.parameters.metric for a in kept if a.type == ActionType.monitor and a.parameters.metric}
    if len(monitors) != 1:
        return kept
    metric = monitors.pop()
    out = []
    for action in kept:
        found = _find(action, specs) if action.type == ActionType.update and action.name else None
        entry = found[1] if found is not None and found[0] == "alerts" else None
        watched = getattr(entry, "target", None)
        said = set(ENUM_WORDS["metric"].get(getattr(entry, "metric", ""), (getattr(entry, "metric", ""),)))
        if (entry is None or not watched or facts.mentions(action.name, exact=True)
                or not facts.mentions(watched, exact=True) or said & set(facts.words)
                or set(action.changed_keys()) - {"threshold"}):
            out.append(action)
            continue
        warnings.append(f"read the change of {action.name!r} as a {metric} alarm on {watched!r}: the command names "
                        f"{watched!r}, not that {getattr(entry, 'metric', '')} alarm")
        out.append(action.model_copy(update={
            "type": ActionType.monitor, "name": watched, "resource": _resource_of(watched, action.stack, specs),
            "parameters": Parameters.model_validate({"metric": metric} | action.parameters.set_values())}))
    return out


def _resource_of(name: str, stack: str | None, specs: dict[str, StackSpec]):
    from agentops.actionplan import ResourceType
    from agentops.spec import SECTIONS

    found = specs[stack].find(name) if stack in specs else None
    return ResourceType(SECTIONS[found[0]][1]) if found else ResourceType.monitoring


def _the_key_of_the_change_before(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                                  warnings: list[str]) -> list[Action]:
    """"ttl on status-dns to 120 and mail-spf to 1800" written with the second change setting
    nothing: a change of nothing whose own part of the command says one number ("mail-spf to
    1800"), after a change that sets one key its kind takes too ("psp-api-key rotation every
    30 days and the payments kms key every 180": a secret's, then a key's), sets that key."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action in enumerate(kept):
        if action.type not in (ActionType.update, ActionType.scale) or i == 0:
            continue
        mine, before = _find(action, specs), _find(kept[i - 1], specs)
        keys = kept[i - 1].changed_keys()
        if mine is None or before is None or len(keys) != 1 or kept[i - 1].relative or mine[0] not in registry:
            continue
        takes = {k for t in ("update", "scale") if registry[mine[0]].supports(ActionType(t))
                 for k in registry[mine[0]].fields_for(t)}
        if action.changed_keys() & takes:
            continue  # (a key its kind does not take, "port=1800" on a record, is none said)
        numbers = re.findall(r"(?<![\w.:/-])(\d+(?:\.\d+)?)(?![\w:/-]|\.\w)", regions[i])
        key = keys.pop()
        if key not in takes or len(numbers) != 1 or regions[i] == facts.text \
                or not re.search(rf"\b(?:to|every)\s+{numbers[0]}\b", regions[i]):
            continue
        value = float(numbers[0])
        warnings.append(f"{key} {numbers[0]} for {action.name!r}: the key of the change said before it")
        kind_value = {"kind": action.parameters.kind} if action.parameters.kind else {}
        out[i] = action.model_copy(update={"type": _scale_or_update(
            action.model_copy(update={"type": ActionType.update}), {key: value}, registry[mine[0]], mine[1]),
                                           "resource": registry[mine[0]].resource_type,
                                           "parameters": Parameters.model_validate(
                                               kind_value | {key: int(value) if value.is_integer() else value})})
    return out


def _the_verb_said_of_both(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """"restart arrivals-api and arrivals-predictor" written with the second as an update that
    sets nothing, "remove acquirer-mock and its nlb" with the nlb as one: an action that sets
    nothing (or a restart its kind cannot do), beside the plan's restarts or deletes, is that
    verb too, where its kind takes it and the command names it (a delete: by its name in full,
    or as what belongs to one named, in a command that asks to delete)."""
    from agentops.interpret.targets import said_as_its

    def kind_of(action: Action):
        found = _find(action, specs) if action.name else None
        return registry[found[0]] if found is not None and found[0] in registry else None

    def idle(action: Action) -> bool:
        kind = kind_of(action)
        return action.type in (ActionType.update, ActionType.scale) and not action.changed_keys() or (
            action.type == ActionType.restart and kind is not None and not kind.supports(ActionType.restart))

    verbs = {a.type for a in kept if a.type in (ActionType.restart, ActionType.delete) and not idle(a)}
    if len(verbs) != 1:
        return kept
    verb = verbs.pop()
    out = []
    for action in kept:
        kind = kind_of(action)
        if not idle(action) or action.type == verb or kind is None or not kind.supports(verb):
            out.append(action)
            continue
        said = (facts.destructive and (facts.mentions(action.name, exact=True)
                                       or said_as_its(action, facts, specs, registry))
                if verb == ActionType.delete else facts.mentions_loosely(action.name, typos=False))
        if not said or not _listed_with(action, [a for a in kept if a.type == verb], facts, specs) or (
                verb == ActionType.delete and _deleted_in_another_clause(
                    action.model_copy(update={"type": verb}), kept, facts)):
            # (not a name said only in a clause that deletes nothing: "drop results-batch in
            # staging and dev, results-publisher does the batch now")
            out.append(action)
            continue
        warnings.append(f"read the {action.type.value} of {action.name!r} as a {verb.value}: the command says it "
                        f"of both, and the {action.type.value} sets nothing")
        out.append(action.model_copy(update={"type": verb, "parameters": Parameters(), "relative": {}}))
    return out


# what else may stand between two objects of one verb ("a and its nlb", "the deployment and
# avl-simulator-nlb", "(in staging)"), beside list words and stacks: no other verb
_OF_A_LIST = frozenset({"its", "their", "also", "too", "in", "on", "from", "of", "both", "with", "it",
                        "deployment", "deployments", "service", "app", "(", ")"})


def _listed_with(action: Action, others: list[Action], facts: CommandFacts, specs: dict[str, StackSpec]) -> bool:
    """Whether the command says the action's resource in one list with a resource of `others`
    ("restart a and b", "remove a and its nlb"): between the last word of the other's name
    and where this one's is said ("its <kind>", its name, or its words), only list words and
    stack names."""
    lowered = facts.text.lower()
    stacks = set(specs) | set(STACK_ALIASES)

    def spots(name: str) -> list[tuple[int, int]]:
        said = [name, " ".join(_words(name))]
        return [m.span() for s in said for m in re.finditer(rf"(?<![\w-]){re.escape(s)}(?![\w-])", lowered)]

    mine = spots(action.name) or [m.span() for m in re.finditer(r"\b(?:its|their)\s+[a-z][\w-]*", lowered)]
    for other in others:
        for _, end in spots(other.name):
            for start, _ in mine:
                if start < end:
                    continue
                if listed_between(lowered[end:start], _OF_A_LIST | stacks):
                    return True
    return False


def _listed_clause(rest: str, spec: StackSpec) -> str:
    """The clause after a verb, to the next comma or full stop, and on over commas that list
    names ("restart fares-api, fares-worker and validator-sync in staging")."""
    names = sorted(spec.names(), key=len, reverse=True)
    parts = re.split(r"(?<=[,])", re.split(r"[.;:!?]", rest, maxsplit=1)[0])
    clause = parts[0]
    for part in parts[1:]:
        # names and what lists them, then the end or where and how ("fares-worker and
        # validator-sync in staging"); not names that a sentence of their own is about
        # ("fares-worker and rider-api are fine")
        rest, listed = part, False
        while True:
            rest = re.sub(r"^\s*(?:(?:and|&|the|,)\s*)*", "", rest)
            name = next((n for n in names if re.match(rf"{re.escape(n)}(?![\w-])", rest)), None)
            if name is None:
                break
            rest, listed = rest[len(name):], True
        if not listed or not re.match(r"\s*(?:$|in\b|on\b|too\b|as\s+well\b|please\b|pls\b|\(|for\b|now\b)", rest):
            break
        clause += part
    return clause.rstrip(",")


# Where a command takes back what it said before ("back up bill-statements... sorry I mean
# reg-filings", "raise its retention? no - just the two backups", "a and b... no, just a")
TAKEN_BACK = re.compile(r"\bsorry,?\s+i\s+mean[t]?\b|(?:\?|\.\.\.|\u2026)\s*no\b|\bno,?\s*[-\u2013\u2014]?\s*just\b"
                        r"|\bscratch\s+that\b|\bactually,?\s+no\b|\bno\s+wait\b")


# a verb of something to do, said after a command takes back what it said before
_ACTS = re.compile(r"\b(?:add|remove|drop|restart|bounce|delete|scale|bump|set|make|rotate|raise|lower|give|grow"
                   r"|shrink|double|halve|back\s+up|snapshot|create|move|point|change|update|upgrade|roll|keep)\b")


def _taken_back(kept: list[Action], facts: CommandFacts, warnings: list[str]) -> list[Action]:
    """Actions on names the command says only in the part it takes back -- the clause right
    before "sorry I mean", "? no", "... no, just" ("back up billing-db and portal-db, and raise
    bill-statements retention? no - just the two db backups", "restart lms-web? no, not yet")
    -- left out by name."""
    lowered = facts.text.lower()
    spans = []
    names = [a.name for a in kept if a.name]
    for mark in TAKEN_BACK.finditer(lowered):
        after = lowered[mark.end():]
        if _ACTS.search(after) and not any(re.search(rf"(?<![\w-]){re.escape(n.lower())}(?![\w-])", after)
                                          for n in names):
            # "... no wait, just rotate it to the new cert", "by 50%... actually no, just add
            # one node": what it takes back is what to do, not what to do it to
            continue
        head = lowered[:mark.start()].rstrip(" .\u2026,-\u2013\u2014?")
        cuts = [m.end() for m in re.finditer(r"[,;:]\s*|\.\s+|\band\b|\bthen\b", head)]
        spans.append((max(cuts, default=0), len(head)))

    def said_at(name: str) -> list[int]:
        return [m.start() for said in {name.lower(), " ".join(_words(name))}
                for m in re.finditer(rf"(?<![\w-]){re.escape(said)}(?![\w-])", lowered)]

    def taken_back(action: Action) -> bool:
        spots = said_at(action.name) if action.name else []
        return bool(spots) and all(any(a <= p < b for a, b in spans) for p in spots)

    if not spans:
        return kept
    out = []
    for action in kept:
        if taken_back(action):
            warnings.append(f"left out the {action.type.value} of {action.name!r}: the command takes it back")
            continue
        out.append(action)
    return out


# "back it up once it's there", "take a snapshot of it after"
_BACK_IT_UP = re.compile(r"\bback\s+(?:it|them)\s+up\b|\b(?:take|make|do)\s+an?\s+(?:backup|snapshot)\s+(?:of\s+it\b)?"
                         r"|\bsnapshot\s+it\b")


def _backup_of_what_it_makes(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                             warnings: list[str]) -> list[Action]:
    """"create claims-archive-db in prod: postgres, db.m5.large, 500gb. back it up once it's
    there" written as the create alone: the backup asked of "it", where the plan makes one
    thing whose kind takes a backup and has none; after its create. Not where it is taken back
    ("don't back it up")."""
    from agentops.interpret.facts import _NEGATION

    lowered = facts.text.lower()
    said = _BACK_IT_UP.search(lowered)
    made = [a for a in kept if a.type == ActionType.create and a.name]
    if not said or len(made) != 1 or any(a.type == ActionType.backup for a in kept) \
            or _NEGATION.search(" ".join(re.findall(r"\w+", lowered[:said.start()]))[-40:]):
        return kept
    found = _kind_of(made[0], specs, registry)
    if found is None or not found[0].supports(ActionType.backup):
        return kept
    warnings.append(f"added the backup of {made[0].name!r} the command asks for once it is made")
    backup = Action(type=ActionType.backup, resource=made[0].resource, name=made[0].name, stack=made[0].stack)
    at = kept.index(made[0]) + 1
    return kept[:at] + [backup] + kept[at:]


def _said_restarts(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                   warnings: list[str]) -> list[Action]:
    """A restart the command says of a resource that the plan left out ("driver-app-api to
    <image> and restart eta-predictor, it holds the old driver schema" written as the update
    alone): added, for each resource that can restart named in the clause after the verb (to the
    next comma or full stop), in the plan's one stack. Not where the verb is taken back ("don't
    restart it"), nor for a resource the plan already acts on."""
    from agentops.actionplan import ResourceType
    from agentops.interpret.facts import _NEGATION
    from agentops.spec import SECTIONS

    stacks = {a.stack for a in kept if a.stack} or set(facts.stacks)
    if len(stacks) != 1 or not kept or next(iter(stacks)) not in specs:
        return kept
    stack = next(iter(stacks))
    lowered = facts.text.lower()
    acted = {a.name for a in kept}
    added: list[Action] = []
    for m in _RESTART.finditer(lowered):
        if _NEGATION.search(" ".join(re.findall(r"\w+", lowered[:m.start()]))[-40:]):
            continue
        clause = _listed_clause(lowered[m.end():], specs[stack])
        said = CommandFacts.of(clause, list(specs))
        # "the fares worker" says fares-worker as written: not also fares-api with its generic
        # last part said otherwise (a loose reading of words that say another name exactly)
        exact = {n.split("-")[0] for _, n, _ in specs[stack].resources() if said.mentions(n, exact=True)}
        for section, name, _ in specs[stack].resources():
            kind = registry[section] if section in registry else None
            if kind is None or not kind.supports(ActionType.restart) or name in acted \
                    or not said.mentions_loosely(name, typos=False, kind_first=True):
                continue
            if name.split("-")[0] in exact and not said.mentions(name, exact=True):
                continue
            restart = Action(type=ActionType.restart, resource=ResourceType(SECTIONS[section][1]), name=name,
                             stack=stack)
            if _longer_name_said(restart, said, specs):
                # "restart crew-dispatch-sync", "bounce the outage map api": crew-dispatch and
                # outage-map are said only as the start of the longer name
                continue
            acted.add(name)
            added.append(restart)
    if added:
        warnings.append("added the restart the command says of " + ", ".join(a.name for a in added))
    out = kept + added
    if added and all(a.type == ActionType.restart for a in out):
        # restarts alone: in the order the command says them
        def said_at(action: Action) -> int:
            found = re.search(rf"(?<![\w-]){re.escape(action.name)}(?![\w-])", lowered)
            return found.start() if found else len(lowered)
        out.sort(key=said_at)
    return out


def _one_change_per_resource(kept: list[Action], warnings: list[str]) -> list[Action]:
    """Two changes of one type on one resource in one stack, each setting keys the other does
    not ("reader-eks in staging: one more node and raise the max by 2" written as two scales):
    one action that sets both, where the first stood; so are two creates of one new resource
    whose values agree. A scale beside an update ("scale headend-gw to 2 and run it as
    c5.xlarge") stays two actions: a size and a setting."""
    def agree(a: Action, b: Action) -> bool:
        # two creates of one new resource ("a configmap elections-config ... with RACE_FEED=ap"
        # written as two creates, one with the value): one, where no key says two things
        x, y = a.parameters.set_values(), b.parameters.set_values()
        return all(x[k] == y[k] for k in x.keys() & y.keys())

    out: list[Action] = []
    for action in kept:
        into = next((i for i, a in enumerate(out) if a.type == action.type and a.name
                     and (a.name, a.stack) == (action.name, action.stack)
                     and ((a.type in (ActionType.scale, ActionType.update)
                           and a.changed_keys() and action.changed_keys()
                           and not a.changed_keys() & action.changed_keys())
                          or (a.type == ActionType.create and a.resource == action.resource and agree(a, action)))),
                    None)
        if into is None:
            out.append(action)
            continue
        first = out[into]
        warnings.append(f"one {action.type.value} of {action.name!r}: the plan "
                        + ("wrote it twice" if action.type == ActionType.create else "changed it in two parts"))
        out[into] = first.model_copy(update={
            "parameters": Parameters.model_validate(first.parameters.set_values() | action.parameters.set_values()),
            "relative": {**first.relative, **action.relative}})
    return out


# "take a backup first", "snapshot it beforehand", "back it up before that"
_BACKUP_FIRST = re.compile(r"\b(?:first|beforehand|before\s+(?:that|it|we|you|doing|anything|the\s+change))\b")


def _backups_first(kept: list[Action], facts: CommandFacts, warnings: list[str]) -> list[Action]:
    """A backup the command asks to take first ("bump comments-db to 400 GB, add an alarm on
    it, and take a backup first") goes before the plan's other actions on that resource."""
    if not _BACKUP_FIRST.search(facts.text.lower()):
        return kept
    out = list(kept)
    for action in [a for a in kept if a.type == ActionType.backup and a.name]:
        i = out.index(action)
        before = next((j for j, a in enumerate(out[:i]) if (a.name, a.stack) == (action.name, action.stack)
                       and a.type not in (ActionType.create, ActionType.backup)), None)
        if before is not None:
            out.insert(before, out.pop(i))
            warnings.append(f"the backup of {action.name!r} first, as the command asks")
    return out
