"""Which values an action sets: literals by their shape (instance types, images, CIDRs),
quantities in the units of their keys, values the command introduces by name, metrics and
thresholds of alarms; values the command does not say are dropped.
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.interpret.facts import (
    _DIMENSION,
    _N,
    _UNIT_OF,
    _UNIT_WORDS,
    ENUM_WORDS,
    KEY_UNITS,
    OLD_VALUE_PHRASES,
    UNIT_FACTORS,
    CommandFacts,
    _abbreviates,
    _key_unit,
    _number,
    _quantity_spans,
    _words,
)
from agentops.interpret.lookup import (
    _INT_KEYS,
    _changes_of_what_is_there,
    _fields,
    _find,
    _fmt,
    _is_stack_word,
    _kind_of,
    _regions,
    _stack_clauses,
    _scale_or_update,
    _with_kinds,
)
from agentops.interpret.relative import _size_key, resolve_relative
from agentops.interpret.whole_plan import ASKS_TO_WATCH
from agentops.planline import INT_KEYS, enum_values, is_enum
from agentops.spec import StackSpec
from agentops.textnorm import NUMBER_WORDS

_ORDINALS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_ORDINAL = re.compile(r"\ba\s+(" + "|".join(_ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+([a-z]+)")
_COUNTED = frozenset({"replica", "pod", "node", "box", "boxe", "instance", "server", "vm", "host", "machine",
                      "copy", "worker", "container"})


def _ordinal_sizes(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                   warnings: list[str]) -> list[Action]:
    """A size said as an ordinal ("give it a third replica", "c5.xlarge and a third box"): the
    kind's size key is that many, where the plan left it out or wrote one more."""
    regions = _regions(kept, facts.text.lower())
    out = list(kept)
    for i, action, found in _changes_of_what_is_there(kept, specs, registry):
        kind = found[0]
        nouns = _COUNTED | {n.rstrip("s") for n in kind.count_nouns if " " not in n}
        said = {_ORDINALS.get(m.group(1)) or int(re.match(r"\d+", m.group(1)).group())
                for m in _ORDINAL.finditer(regions[i]) if m.group(2).rstrip("s") in nouns}
        fields = kind.fields_for("scale")
        key = _size_key(kind, "scale")
        # of two keys for the one size field, the one named like it (an instance's count)
        key = next((k for k in fields if key and fields[k] == fields[key] and k == fields[k]), key)
        params = action.parameters.set_values()
        if len(said) != 1 or key is None or (key in params and action.relative.get(key) != "+1"):
            continue
        params[key] = said.pop()
        relative = {k: v for k, v in action.relative.items() if k != key}
        warnings.append(f"{key} {params[key]}: said as an ordinal")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params), "relative": relative,
                                           "type": _scale_or_update(action.model_copy(update={"relative": relative}),
                                                                    params, kind, found[1])})
    return out


def _without_no_op_values(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """A value a change writes that the resource already has and that the command does not
    say ("transcode-worker-hpa: min 10" written with target=transcode-worker, its target now)
    changes nothing: left out of the plan, so that the review shows what changes. A value the
    command says stays, as said ("image X and 3 replicas" where it runs 3); a change of nothing
    but such values stays as written (the edit says there is nothing to change)."""
    out = list(kept)
    for i, action, found in _changes_of_what_is_there(kept, specs, registry):
        kind, entry = found
        # a key the change does not take but the create does (an autoscaler's target) is
        # read through the create's fields
        fields = kind.fields_for("create") | _fields(action, kind)
        params = action.parameters.set_values()
        same = [key for key, value in params.items()
                if key not in action.relative and key != "kind" and key in fields
                and any(getattr(entry, f, None) == value for f in fields[key].split("|"))
                and not (float(value) in facts.numbers if isinstance(value, (int, float)) and not isinstance(value, bool)
                         else re.search(rf"(?<![\w.-]){re.escape(str(value))}(?![\w-]|\.\w)", facts.text, re.I))]
        if same and len(same) < len([k for k in params if k != "kind"]):
            warnings.append(f"{', '.join(same)}: {action.name!r} has that already, nothing to change")
            left = {k: v for k, v in params.items() if k not in same}
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(left)})
    return out


# A number said as what an alarm fires past ("goes above 20ms", "over 85%", "more than 10").
_EXCEEDS = re.compile(r"(?:\babove|\bover|\bexceeds?|\bexceeding|\bmore\s+than|\bgreater\s+than|>|\bpasses"
                      r"|\btops|\bhits|\breaches|\bbeyond|\bpast|\blonger\s+than|\bolder\s+than)\s+"
                      r"(?:[a-z]+\s+)??(\d+(?:\.\d+)?|an?|" + "|".join(NUMBER_WORDS) + r")\s*([a-z]+)?")


def _phrase_numbers(template: str, text: str) -> set[float]:
    """The numbers `text` says in the shape of one of a kind's phrases ("at most {n}")."""
    # (the text is lowered: so is the template, "{n} WCUs" as "{n} wcus")
    pattern = re.escape(template.lower()).replace(r"\{n\}", _N).replace(r"\{unit\}", r"[a-z]+")
    return {_number(m.group(1)) for m in re.finditer(rf"\b{pattern}\b", text)}


def _keys_by_phrase(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                    warnings: list[str]) -> list[Action]:
    """A number the model wrote under one of a kind's keys while the command says it in the
    words of another key of the kind (Kind.phrases: "at most 5 down at once" is a budget's
    max_unavailable, not its min_available): moved to that key."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action in enumerate(kept):
        found = _kind_of(action, specs, registry)
        if found is None or not found[0].phrases:
            continue
        kind, params, lowered = found[0], action.parameters.set_values(), regions[i].lower()
        fields = _fields(action, kind)
        unphrased: list[str] = []  # keys of the kind's phrases whose number no phrase says
        if found[1] is not None and action.type in (ActionType.update, ActionType.scale):
            # a change of what is there may move to the key of the kind's other change ("cap
            # the webhook handler at 20 concurrent executions" written as an update, handler=20:
            # a scale of its reserved concurrency); _scale_or_update then names it
            fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(
                ActionType.scale) else {})}
        for key in [k for k in params if k in kind.phrases or (
                k != "kind" and not isinstance(params[k], bool) and re.fullmatch(r"\d+", str(params[k])))]:
            # "min available 50%" written as 50: the share said
            if re.fullmatch(r"\d+", str(params[key])) and re.search(rf"(?<![\d.]){params[key]}\s*%", lowered) \
                    and not re.search(rf"(?<![\d.]){params[key]}(?![\d.%\s]|\s*%)", lowered):
                params[key] = f"{params[key]}%"
                continue
            try:
                number = float(params[key])
            except (TypeError, ValueError):
                continue
            said_by = {k for k, templates in kind.phrases.items()
                       if any(number in _phrase_numbers(t, lowered) for t in templates)}
            if not said_by and key in kind.phrases and found[1] is not None:
                unphrased.append(key)
            if key in said_by or len(said_by) != 1:
                continue
            other = said_by.pop()
            if other in params or other not in fields:
                continue
            warnings.append(f"{other} {params[key]}: said in its words, not {key}'s")
            params[other] = params.pop(key)
        if action.type in (ActionType.update, ActionType.scale) and found[1] is not None and not action.relative \
                and (not set(params) - {"kind"} or unphrased and set(unphrased) == set(params) - {"kind"}):
            # a change that sets nothing, where the command says one key's value in its words
            # ("let 50% go at once" is a budget's max_unavailable); or sets only numbers that no
            # words of a key say ("min available 5, 6 blocks the node upgrades" written
            # max_unavailable=6)
            plain = re.sub(r"(\d)\s*%", r"\1", lowered)
            said = {k: {(n, bool(re.search(rf"(?<![\d.]){_fmt(n)}\s*%", lowered)))
                        for t in kind.phrases[k] for n in _phrase_numbers(t, plain)}
                    for k in kind.phrases if k in fields}
            said = {k: v for k, v in said.items() if v}
            if len(said) == 1 and len(next(iter(said.values()))) == 1:
                (key, ((number, share),)), = said.items()
                for other in unphrased:
                    warnings.append(f"{other} {params.pop(other)}: said in no words of {other}")
                params[key] = f"{_fmt(number)}%" if share else int(number)
                warnings.append(f"{key} {params[key]}: said in its words")
        elif action.type in (ActionType.create, ActionType.update, ActionType.scale) and not action.relative:
            # a key the command says in its words, one number, that the action left out ("20
            # reads / 10 writes" written write_capacity=20 alone, "pdb ... with min available
            # 2" written without it): added, where no other value of the plan is that number
            taken = {float(v) for a in kept for v in a.parameters.set_values().values()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)}
            # (in the whole command where no other action of the plan is of this kind: a part
            # ends where the next name is said, "pdb x for cms-api with min available 2, then
            # restart cms-api")
            alone = sum(1 for a in kept if a.type != ActionType.delete and (f := _kind_of(a, specs, registry))
                        and f[0] is kind) == 1
            where = facts.text.lower() if alone and action.type == ActionType.create else lowered
            # (not a value said as what was: "min 6 -> 7", "instead of keeping 6")
            taken |= set(facts.old_values) | {float(m.group(1)) for m in re.finditer(r"(\d+)\s*(?:->|=>|→)", where)}
            for key in [k for k in kind.phrases if k in fields and k not in params]:
                numbers = {n for t in kind.phrases[key] for n in _phrase_numbers(t, where)}
                if len(numbers) == 1 and (number := numbers.pop()) not in taken and number == int(number) \
                        and not re.search(rf"(?<![\d.]){_fmt(number)}\s*%", where):
                    params[key] = int(number)
                    taken.add(number)
                    warnings.append(f"{key} {params[key]}: said in its words")
        out[i] = action.model_copy(update={"type": _scale_or_update(action, params, kind, found[1]),
                                           "parameters": Parameters.model_validate(params)})
    return out


def _said_metrics(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                  warnings: list[str]) -> list[Action]:
    """A new alarm whose metric the plan left out: the one metric of the watched kind
    (Kind.alarm_metrics) its part of the command says ("alert if shipment-status fails more
    than 10 deliveries": errors), or the only one the kind alarms on; and its threshold, where
    left out, the one number said after a word of exceeding ("goes above 20ms")."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action in enumerate(kept):
        params = action.parameters.set_values()
        if action.type != ActionType.monitor or not action.name:
            continue
        found = _find(action, specs)
        kind = registry[found[0]] if found is not None and found[0] in registry else None
        if found is None:
            # an alarm on what the plan creates ("create table X ... and alert when its
            # latency goes over 20ms"): the kind its create makes
            made = next((a for a in kept if a.type == ActionType.create
                         and (a.name, a.stack) == (action.name, action.stack)), None)
            made_kind = _kind_of(made, specs, registry) if made is not None else None
            kind = made_kind[0] if made_kind is not None else None
        if kind is None or not kind.alarm_metrics:
            continue
        if "metric" not in params:
            words = set(_words(regions[i]))
            said = [m for m in kind.alarm_metrics if words & set(ENUM_WORDS["metric"].get(m, (m,)))]
            metric = said[0] if len(said) == 1 else (kind.alarm_metrics[0] if len(kind.alarm_metrics) == 1 else None)
            if metric:
                warnings.append(f"metric {metric}: " + ("said in the command" if said else
                                                         f"the only one a {kind.noun} alarms on"))
                params["metric"] = metric
        if "threshold" not in params:
            unit = kind.metric_units.get(params.get("metric"))
            over = set()
            for m in _EXCEEDS.finditer(regions[i].lower()):
                number, said_unit = _number(m.group(1)), _UNIT_OF.get(m.group(2) or "")
                if m.group(2) == "k" and m.group(1)[:1].isdigit():
                    number *= 1000  # "above 10k"
                factor = UNIT_FACTORS.get((said_unit, unit)) if said_unit and unit else None
                if said_unit and unit and factor is None:
                    continue  # a quantity in another dimension: not this threshold
                over.add(number * factor if factor else number)
            if len(over) == 1:
                params["threshold"] = over.pop()
                warnings.append(f"threshold {_fmt(params['threshold'])}: said in the command")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


def _an_alerts_new_metric(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """"switch the arrivals-api-memory alarm in prod to watch cpu at 80 instead" written as a
    change of the threshold alone: a change of an alert whose metric the plan left out takes the
    one metric its part of the command says outside the alert's name, where that is not the
    metric it watches now."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action, (kind, entry) in _changes_of_what_is_there(kept, specs, registry):
        params = action.parameters.set_values()
        if "metric" in params or "metric" not in kind.fields_for("update") or entry is None:
            continue
        region = regions[i].lower().replace(action.name or "\0", " ")
        # (said as what it is to watch: "to watch cpu", "on cpu instead"; not "cpu is fine")
        said = [m for m, said_as in ENUM_WORDS["metric"].items() if any(re.search(
            rf"\b(?:watch(?:es|ing)?|track(?:s|ing)?|to|on|onto|use|using)\s+(?:the\s+)?{re.escape(w)}\b"
            rf"|\b{re.escape(w)}\s+instead\b", region) for w in said_as)]
        if len(said) != 1 or said[0] == getattr(entry, "metric", None):
            continue
        warnings.append(f"metric {said[0]}: said in the command for {action.name!r}, which watches "
                        f"{getattr(entry, 'metric', None)} now")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | {"metric": said[0]})})
    return out


# the words of the metrics a utilisation target is of (an autoscaler scales on cpu or memory)
_METRIC_OF = {w: m for m in ("cpu", "memory") for w in ENUM_WORDS["metric"][m]}
_UTILISED = "|".join(_METRIC_OF)
_UTILISATION = re.compile(
    rf"(\d{{1,3}})\s*%\s*(?:of\s+)?({_UTILISED})\b"
    rf"|\b({_UTILISED})\b(?:\s+(?:utili[sz]ation|usage|util|target|at|of|to|around|on|is))*\s+(\d{{1,3}})\s*%")


_SCALE_ON = re.compile(rf"\bscale\s+(?:up\s+)?on\s+({_UTILISED})\s+(?:at|to|of|around)\s+(\d{{1,3}})(?![\d.])"
                       # "memory target 70", "target cpu 65": a target's number is a share, % or not
                       rf"|\b({_UTILISED})\s+target\s+(?:of\s+|at\s+|to\s+|=\s*)?(\d{{1,3}})(?![\d.])"
                       rf"|\btarget\s+({_UTILISED})\s+(?:of\s+|at\s+|to\s+|=\s*)?(\d{{1,3}})(?![\d.])")


def _utilisation_targets(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                         warnings: list[str]) -> list[Action]:
    """A utilisation target said for a kind that scales on one (an autoscaler: "target 65%
    cpu", "70% cpu", "cpu at 50%"): its metric and threshold, where the plan left them out."""
    regions = _regions(kept, facts.text.lower())
    out = list(kept)
    changes = (ActionType.create, ActionType.update, ActionType.scale)
    if not ASKS_TO_WATCH.search(facts.text):
        # "paywall-api-hpa cpu target 60% in prod" written as an alarm on the autoscaler: a
        # command that asks to watch nothing and says a target changes what it scales on
        for i, action, (kind, entry) in _with_kinds(kept, specs, registry, (ActionType.monitor,)):
            if entry is not None and kind.resource_type != ResourceType.monitoring and kind.supports(
                    ActionType.update) and {"metric", "threshold"} <= set(kind.fields_for("update")) \
                    and re.search(r"\btarget", regions[i]) and _UTILISATION.search(regions[i]):
                warnings.append(f"an update of {action.name!r}, not an alarm: the command says a target, "
                                "and asks to watch nothing")
                kept = [*kept[:i], action.model_copy(update={"type": ActionType.update}), *kept[i + 1:]]
        out = list(kept)
    for i, action, found in _with_kinds(kept, specs, registry, changes):
        fields = {**_fields(action, found[0]), **found[0].fields_for("update")}
        if "metric" not in fields or "threshold" not in fields or found[0].resource_type == ResourceType.monitoring:
            continue  # (an alert's threshold is read as an alarm's, _said_metrics)
        said = {(_METRIC_OF[m.group(2) or m.group(3)], int(m.group(1) or m.group(4)))
                for m in _UTILISATION.finditer(regions[i])}
        # "should scale on memory at 70": the share said with no % after "scale on"
        scale_on = {(_METRIC_OF[m.group(1) or m.group(3) or m.group(5)], int(m.group(2) or m.group(4) or m.group(6)))
                    for m in _SCALE_ON.finditer(regions[i])}
        said |= scale_on
        params = action.parameters.set_values()
        if len(said) != 1:
            continue
        (metric, threshold), = said
        added = {k: v for k, v in (("metric", metric), ("threshold", threshold)) if k not in params}
        if not added or params.get("metric", metric) != metric or any(
                j != i and (a.name, a.stack) == (action.name, action.stack) and a.parameters.metric == metric
                for j, a in enumerate(out)):
            continue  # (another action of the plan on it sets that target: "cpu target 60, max 12")
        # "have it target 50% cpu" written as max_size=50: the share is the utilisation, a
        # size said nowhere else
        for key in [k for k in ("min_size", "max_size", "count", "replicas")
                    if k in params and k not in action.relative and params[k] == threshold
                    and (not re.search(rf"(?<![\d.]){threshold}(?!\s*%|[\d.])", regions[i]) or scale_on)]:
            warnings.append(f"{key} {params.pop(key)}: the share of {metric} said, not a size")
        warnings.append(f"{metric} at {threshold}%: the utilisation the command says")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | added),
                                           "type": ActionType.update if action.type == ActionType.scale
                                           and "threshold" not in found[0].fields_for("scale") else action.type})
    return out


def _without_old_values(kept: list[Action], facts: CommandFacts, warnings: list[str]) -> list[Action]:
    """Values the command says as what was (CommandFacts.old_values: "30 min not 15") taken out
    of the plan, and an action left with nothing to change that repeats another's target
    (the model wrote the old value as a second update) dropped."""
    if not facts.old_values:
        return kept
    out: list[Action] = []
    for action in kept:
        params = action.parameters.set_values()
        old = [k for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
               and float(v) in facts.old_values and k not in action.relative]
        if action.type == ActionType.create or old == ["min_size"] and "max_size" in params and re.search(
                rf"(?<!max\s)(?<!min\s)(?<!maximum\s)(?<!minimum\s)\bfrom\s+{_fmt(params['min_size'])}\s+to\s+"
                rf"{_fmt(params['max_size'])}\b", facts.text.lower()):
            # "an hpa from 4 to 12": a new one has no value it was, and a range's two ends
            # written as its ends are both new
            old = []
        if not old:
            out.append(action)
            continue
        goes_to = _old_to_new(facts.text.lower())
        for key in old:
            was = params.pop(key)
            if action.type in (ActionType.update, ActionType.scale) and len(goes_to.get(float(was), ())) == 1 \
                    and not goes_to[float(was)] & {float(v) for v in params.values()
                                                   if isinstance(v, (int, float)) and not isinstance(v, bool)}:
                # (not where another key has the value it goes to: "max from 4 to 6" written
                # min_size=4 max_size=6 is a change of the max alone)
                # "lms-web 8->12, lms-submissions 4->6" written replicas=8: the value it goes to
                (params[key],) = goes_to[float(was)]
                if isinstance(was, int):
                    params[key] = int(params[key])
                warnings.append(f"{key} {_fmt(float(params[key]))}: the command says it goes from {_fmt(float(was))} "
                                f"to {_fmt(float(params[key]))}")
                continue
            warnings.append(f"{key} {was}: the value the command says it was, not one to set")
        emptied = not any(k != "kind" for k in params) and not action.relative
        if emptied and action.type in (ActionType.update, ActionType.scale) and any(
                (a.name, a.stack) == (action.name, action.stack) for a in kept if a is not action):
            continue
        out.append(action.model_copy(update={"parameters": Parameters.model_validate(params)}))
    return out


def _old_to_new(lowered: str) -> dict[float, set[float]]:
    """{old: {new}} of the changes a command says as from one number to another ("8->12",
    "from 4 to 6")."""
    out: dict[float, set[float]] = {}
    for pattern, _ in OLD_VALUE_PHRASES[:2]:
        for m in pattern.finditer(lowered):
            was, now = [g for g in m.groups() if g is not None][:2]
            out.setdefault(_number(was), set()).add(_number(now))
    return out


def _not_the_value_it_has(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """"the portal alb errors alarm is useless at 250, set it to 50" written threshold=250, the
    value it has now: a change to what is there is none; the one other number its part of the
    command says as a value to go to ("to 50", "-> 50", "at 50") is meant."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action, (kind, entry) in _changes_of_what_is_there(kept, specs, registry):
        fields = {**kind.fields_for("update"), **kind.fields_for(action.type.value)}
        params = action.parameters.set_values()
        for key, value in list(params.items()):
            if isinstance(value, str) and key not in action.relative and key != "kind" \
                    and (new := _written_as_going_from(value, regions[i])) is not None \
                    and any(getattr(entry, f, None) == value for f in (fields.get(key) or "").split("|")):
                # "alumni db: db.t3.large -> db.m5.large" written instance_type=db.t3.large
                params[key] = new
                warnings.append(f"{key} {new}, not {value}: {action.name} has {value} now, and the command "
                                f"says to go to {new}")
                out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
                continue
            if key in action.relative or not isinstance(value, (int, float)) or isinstance(value, bool) \
                    or _key_unit(key):
                continue  # (a key with a unit is read from its quantities, _said_units)
            current = next((getattr(entry, f, None) for f in (fields.get(key) or "").split("|")
                            if getattr(entry, f, None) is not None), None)
            if not isinstance(current, (int, float)) or isinstance(current, bool) or float(current) != float(value):
                continue
            goes_to = {float(m.group(1)) for m in re.finditer(
                r"(?:\bto|\bat|->|→|=|\bbe)\s+(\d+(?:\.\d+)?)(?![\w.%])"
                r"(?!\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|d|days?|[gmt]i?b|[gmt]i|gigs?|megs?)\b)",
                regions[i].lower())}
            goes_to.discard(float(value))
            if len(goes_to) != 1:
                continue
            params[key] = goes_to.pop()
            if isinstance(value, int):
                params[key] = int(params[key])
            warnings.append(f"{key} {_fmt(float(params[key]))}, not {_fmt(float(value))}: {action.name} has "
                            f"{_fmt(float(value))} now, and the command says to go to {_fmt(float(params[key]))}")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


def _written_as_going_from(value: str, text: str) -> str | None:
    """The value `text` says `value` goes to ("t3.micro -> t3.small", "from t3.micro to
    t3.small"): one token said right after it and an arrow or "to", of the same shape (its
    letters before the first dot or digit: db.t3 and db.m5 are both "db"); else None."""
    m = re.search(rf"(?<![\w.-]){re.escape(value)}\s*(?:->|=>|→|\bto\b|\binto\b)\s*([\w][\w.:/-]*[\w])", text, re.I)
    if not m or m.group(1).lower() == value.lower():
        return None

    def shape(v: str) -> str:
        return re.match(r"[a-z]*", v.lower()).group()

    return m.group(1) if shape(m.group(1)) == shape(value) and re.search(r"\d", m.group(1)) else None


# Values a command writes out whose shape says which key they are: an image reference, an AMI,
# a code archive, a Lambda runtime, a certificate ARN.
_LITERAL_SHAPES = {
    "image": re.compile(r"(?<![\w./:-])((?:[a-z0-9.-]+(?::\d+)?/)+[a-z0-9._/-]+(?::[\w.-]+|@sha256:[0-9a-f]{64})"
                        r"|ami-[0-9a-f]{8,17})(?![\w/:-])"),
    "code": re.compile(r"(?<!\S)(s3://[\w./-]+)"),
    "runtime": re.compile(r"\b(python3\.\d+|nodejs\d+\.x|java\d+|dotnet\d+|ruby3\.\d+|provided\.al2(?:023)?)\b"),
    # a Lambda handler, module.function ("index.handler", "app.lambda_handler", "src/main.handle")
    "handler": re.compile(r"(?<![\w./:-])((?:[\w-]+/)*[A-Za-z_]\w*\.(?:\w*handler|handle|main|run))(?![\w.:/-])"),
    "certificate_arn": re.compile(r"(arn:aws:acm:[\w-]+:\d{12}:certificate/[\w-]+)"),
    "cidr": re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})(?![\w.])"),
    # an EC2, ElastiCache or RDS instance type ("c5.4xlarge", "cache.r6g.large", "db.t4g.micro")
    "instance_type": re.compile(r"(?<![\w.-])((?:cache\.|db\.)?[a-z][a-z0-9-]*\d[a-z0-9-]*"
                               r"\.(?:nano|micro|small|medium|large|metal|\d*xlarge))(?![\w.-])"),
    "time_zone": re.compile(r"(?<![\w/])((?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian"
                            r"|Pacific)/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?)(?![\w/])"),
    # an AWS region ("eu-west-1"), for a kind that takes one
    # (not inside a host name or an ARN: "<account>.dkr.ecr.us-east-2.amazonaws.com" is where
    # an image is, "arn:aws:acm:us-east-1:..." where a certificate is)
    "region": re.compile(r"(?<![\w.:/-])((?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:north|south|east|west|central"
                         r"|northeast|southeast|northwest|southwest)-\d)(?![\w:/-]|\.\w)"),
    # an ingress's host and path, written as one ("api.example.com/slots"); not a registry's
    # image path (an image has a tag or digest)
    "host": re.compile(r"(?<![\w./@:-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w.-])(?!/\S*[:@])"),
    # (or on its own after the words that introduce one: "serve it under /news", "path /v2")
    "path": re.compile(r"(?:(?<![\w./@:-])(?:[a-z0-9-]+\.)+[a-z]{2,}|\b(?:under|path|prefix|route)\s*(?:to\s+|[:=]\s*)?)"
                       r"(/[\w./-]*[\w/]|/)(?![\w.:@-])"),
}


def _said_literals(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                   warnings: list[str]) -> list[Action]:
    """A value the command writes out, whose shape says its key (an image reference, a code
    archive, a runtime, a certificate ARN), for an action that takes the key and left it out
    ("driver-app-api to <image> and restart eta-predictor" written without image=). Read in
    the action's own part of the command (_regions); a value another action of the plan
    already carries, or two values of one shape, are left alone."""
    text = facts.text.rstrip(".,;!? ")
    regions = _regions(kept, text)  # case kept: image tags and ARNs are case-sensitive
    used = {str(v) for a in kept for v in a.parameters.set_values().values()}
    out = list(kept)
    for i, action, found in _with_kinds(kept, specs, registry, (ActionType.create, ActionType.update, ActionType.scale)):
        kind = found[0]
        if action.type == ActionType.scale and (action.changed_keys() or not kind.supports(ActionType.update)):
            continue  # (a scale that sets nothing may be an update: "move support-desk to <image>")
        params = action.parameters.set_values()
        fields = _fields(action, kind) if action.type != ActionType.scale else kind.fields_for("update")
        added = {}
        # a value of one key's shape under another key ("to python3.13" written as
        # code=python3.13): under the key whose shape it has (not host or path, whose shape
        # other values share)
        for key in [k for k in params if k != "kind"]:
            value = str(params[key])
            own = _LITERAL_SHAPES.get(key)
            shaped = [k for k, shape in _LITERAL_SHAPES.items() if k not in ("host", "path")
                      and k != key and k in fields and k not in params and shape.fullmatch(value)]
            if len(shaped) == 1 and not (own and own.fullmatch(value)):
                warnings.append(f"{shaped[0]} {value}: a {shaped[0]}, not a {key}")
                params[shaped[0]] = params.pop(key)
                added[shaped[0]] = params[shaped[0]]
        for key, shape in _LITERAL_SHAPES.items():
            if key not in fields and not (key == "region" and action.type == ActionType.create):
                continue  # (a new resource's region is every kind's: the plan says where)
            if key in params:
                # "geo-proxy:0.4.1" copied from "<registry>/geo-proxy:0.4.1", "r6g.large" from
                # "cache.r6g.large": the value written whole. A value without its key's shape
                # ("host=creator-dashboard") is the one value of that shape written.
                said = {v.rstrip(".,;)") for v in shape.findall(regions[i])}
                value = str(params[key])
                if any(value.endswith("." + v) or value.endswith("/" + v) for v in said):
                    continue  # "r6g.large" said, cache.r6g.large written: the value in full
                whole = {v for v in said if v != value and (v.endswith("/" + value) or v.endswith("." + value))}
                if not whole and not shape.fullmatch(value) and not shape.search(f" {value} "):
                    whole = said - used
                if len(whole) == 1:
                    added[key] = whole.pop()
                continue
            values = {v.rstrip(".,;)") for v in shape.findall(regions[i])} - used
            if key == "image":
                values = {v for v in values if v.startswith("ami-") == (kind.section == "instances")}
            if len(values) == 1:
                added[key] = values.pop()
        current = getattr(found[1], "image", None) if found[1] is not None else None
        if ("image" in fields and "image" not in params and "image" not in added and isinstance(current, str)
                and ":" in current.rsplit("/", 1)[-1] and action.type == ActionType.update
                and not set(params) - {"kind"}):
            # "roll the creator dashboard back to 7.0.3": a version said for what runs an image,
            # in an update that says nothing else, is that image at that tag
            tags = set(re.findall(r"\b(?:back\s+)?to\s+(v?\d+\.\d+(?:\.\d+)?(?:-[\w.]+)?)(?![\w.%])(?!\s*(?:gb|mb|gi|mi|g|m|x|%)\b)",
                                  regions[i], re.I))
            if len(tags) == 1:
                added["image"] = f"{current.rsplit(':', 1)[0]}:{tags.pop()}"
        for key, prefix in kind.value_prefixes.items():
            value = added.get(key, params.get(key))
            if isinstance(value, str) and value and not value.startswith(prefix):
                added[key] = prefix + value  # "r6g.large" of a cache: cache.r6g.large
                warnings.append(f"{key} {added[key]}: {value} with the prefix a {kind.noun}'s {key} carries")
        if added:
            for key, value in added.items():
                if params.get(key) != value and not any(w.startswith(f"{key} {value}: ") for w in warnings):
                    warnings.append(f"{key} {value}: written in the command")
                used.add(value)
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | added),
                                               "type": ActionType.update if action.type == ActionType.scale
                                               else action.type})
    return out


# A written value of a free key: a name, an id, a path ("data-team", "customer_id", "Z0PRD7",
# "index.handler", "mapsApiKeyV2"). A plain lower-case word ("the", "analytics") is too often
# the sentence itself to be read as a value.
_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*[A-Za-z0-9]|[A-Za-z0-9]")
_NAME_LIKE = re.compile(r".*(?:[-_./:@0-9]|[a-z][A-Z]).*")
_INTRO_GAP = r"(?:\s*(?:[:=]|->|=>)\s*|\s+(?:is|to|of|as|by|be|should\s+be|set\s+to|called|named|the|=)\s+|\s+)"
# words that end a key's phrase without being its value ("owned by us", "tls please")
_PLAIN_NOT_VALUES = frozenset({"us", "me", "them", "it", "this", "that", "default", "none", "nobody",
                               "someone", "anyone", "everyone", "now", "again", "too", "please", "pls",
                               "the", "a", "an", "team", "teams", "on", "off", "enabled", "disabled"})
# enum values that are everyday words too ("replace the old job"): not read as the value said
_ENUM_EVERYDAY = frozenset({"allow", "forbid", "replace", "true", "false", "a", "http"})


def _intro_words_are_no_values(kept: list[Action], specs: dict[str, StackSpec], registry,
                               warnings: list[str]) -> list[Action]:
    """A value that is the word introducing another key's ("ingress quotes-web-ing, tls secret
    quotes-tls" written with ingress_class=tls as well as tls_secret=quotes-tls): no value of
    its own, left out."""
    out = list(kept)
    for i, action, (kind, _) in _with_kinds(kept, specs, registry, (ActionType.create, ActionType.update)):
        params = action.parameters.set_values()
        intros = {k: {w.lower() for w in words} for k, words in kind.value_intros.items()}
        dropped = [k for k, v in params.items() if isinstance(v, str) and k != "kind"
                   and any(v.lower() in words for other, words in intros.items() if other != k)]
        if dropped:
            for key in dropped:
                warnings.append(f"{key} {params[key]!r} dropped: the word that introduces another value, not one")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(
                {k: v for k, v in params.items() if k not in dropped})})
    return out


def _images_named_after_them(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                             warnings: list[str]) -> list[Action]:
    """Each change's image, where the command writes one image per resource, named after it
    ("ship 4.13.0 of claims-api and claims-worker (<registry>/claims-api:4.13.0 and
    <registry>/claims-worker:4.13.0)" written with claims-api's image on both, or claims-api
    as a change of nothing): the image written whose repository is the resource's name. Only
    where that image is one, and the action carries none or another image the command writes."""
    if len(kept) < 2:
        return kept
    written = {v.rstrip(".,;)") for v in _LITERAL_SHAPES["image"].findall(facts.text) if not v.startswith("ami-")}

    def repository(image: str) -> str:
        return image.rsplit("/", 1)[-1].split("@")[0].split(":")[0].lower()

    out = list(kept)
    for i, action, (kind, _) in _with_kinds(kept, specs, registry, (ActionType.update, ActionType.scale)):
        if "image" not in kind.fields_for("update") or not action.name:
            continue
        params = action.parameters.set_values()
        mine = [w for w in written if repository(w) == action.name.lower()]
        carried = params.get("image")
        if len(mine) != 1 or carried == mine[0] or (carried is not None and carried not in written) \
                or (carried is None and (set(params) - {"kind"} or action.relative)):
            continue
        warnings.append(f"image {mine[0]} for {action.name!r}: the image the command writes under its name")
        out[i] = action.model_copy(update={"type": ActionType.update,
                                           "parameters": Parameters.model_validate(params | {"image": mine[0]})})
    return out


def _introduced_values(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str]) -> list[Action]:
    """Values of a kind's free keys the command writes after the words that introduce them
    (the key's own words, Kind.value_intros: "owned by data-team", "sort key sku", "tls
    secret api-tls", "zone Z0PRD7"), and, for a create, the one value of a closed vocabulary
    it says ("a valkey cache", "a new CNAME"), for an action that takes the key and left it
    out. Read in the action's own part of the command (_regions); a value must look like one
    (_NAME_LIKE), be no resource, stack or value another action carries, and be the only one
    said for the key; otherwise the key stays out."""
    text = facts.text.rstrip(".,;!? ")
    regions = _regions(kept, text)
    used = {str(v) for a in kept for v in a.parameters.set_values().values()} | {
        a.name for a in kept if a.name}
    names = {n for spec in specs.values() for _, n, _ in spec.resources()}
    out = list(kept)
    changes = (ActionType.create, ActionType.update, ActionType.scale)
    for i, action, found in _with_kinds(kept, specs, registry, changes):
        kind, entry = found
        params = action.parameters.set_values()
        fields = _fields(action, kind)
        shapes = kind.plan_keys()
        added = {}
        counted = next((k for k in fields if k in ("count", "replicas")), None)  # the kind's own first
        if kind.count_nouns and counted and not {"count", "replicas"} & (set(params) | set(action.relative)):
            # ("1 replica": a count noun said in the singular too)
            nouns = "|".join(re.escape(n[:-1]) + "s?" if n.endswith("s") and not n.endswith("ies") else re.escape(n)
                             for n in sorted(kind.count_nouns, key=len, reverse=True))
            # (a number another action of the plan has is its: "roll it to <image> and bump it to
            # 3 replicas" written as an update and a scale)
            taken = {float(v) for a in kept for v in a.parameters.set_values().values()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)} | {
                float(m) for a in kept for v in a.relative.values() for m in re.findall(r"\d+(?:\.\d+)?", v)}
            # a number said as an end of a range ("never fewer than 8 nodes") is that end's; an
            # instance type may come between ("4 m6i.xlarge nodes")
            counts = {_number(m.group(1)) for m in re.finditer(
                rf"\b{_N}\s+(?:more\s+|new\s+)?(?:[a-z][a-z0-9-]*\.[a-z0-9]+\s+)?(?:{nouns})\b",
                regions[i].lower())} - taken - set(facts.bounds)
            if len(counts) == 1:
                added[counted] = int(counts.pop())
        if counted and counted not in added and not {"count", "replicas"} & (set(params) | set(action.relative)) \
                and (field := str(fields.get(counted) or "")) not in ("", "count", "replicas") and "|" not in field:
            # "scan-ingest reserved concurrency to 400": a number right after the words of the
            # spec field the kind counts in (a function's reserved_concurrency)
            # ("desired 14" for a cluster's desired_size)
            words = (re.escape(field[:-len("_size")].replace("_", " ")) + "(?: size)?" if field.endswith("_size")
                     else re.escape(field.replace("_", " ")))
            # (the resource said between: "reserved concurrency on claim-submitter in stg to 10")
            its = (rf"(?:\s+(?:on|of|for)\s+(?:the\s+)?{re.escape(action.name.lower())}(?:\s+(?:in|on)\s+[a-z]+)?)?"
                   if action.name else "")
            said = {int(m.group(1)) for m in re.finditer(
                rf"(?<![\w-]){words}{its}\s*(?:[:=]|->|\s(?:to|of|is|at))?\s*(\d+)"
                rf"(?![\w%:/-]|\.\w)", regions[i].lower())}
            if len(said) == 1:
                added[counted] = said.pop()
        for key in fields if action.type != ActionType.scale else ():
            # "ttl 300", "port 443", "ttl to 60": a number written right after its key's own
            # name, for a create or change that left the key out (one number; none in a unit,
            # which the readings of units take: "ttl 1 hour")
            if key in params or key in action.relative or key in ("count", "replicas") or not (
                    key in INT_KEYS or (key in shapes and shapes[key].convert is int)):
                continue
            # (a port said after its protocol: "HTTPS on 443")
            # ("https 443" too)
            named = re.escape(key.replace('_', ' ')) + (r"|\b(?:https?|tcp|udp|tls|grpc)(?:\s+on)?" if key == "port" else "")
            said = {int(m.group(1)) for m in re.finditer(
                rf"(?<![\w-])(?:{named})\s*(?:[:=]|->|\s(?:to|of|is|at|on))?\s*(\d+)"
                rf"(?![\w.%:/-])(?!\s*(?:{_A_UNIT})\b)", regions[i].lower())}
            if len(said) == 1:
                added[key] = said.pop()
        for key in fields if action.type != ActionType.scale else ():
            if key in params or key not in shapes or key in kind.references:
                continue
            shape = shapes[key]
            if is_enum(shape):
                # (a change that sets nothing else takes it too: "switch session-cache to valkey";
                # not the value it has now)
                if action.type != ActionType.create and (set(params) - {"kind"} or action.relative or added):
                    continue
                now = str(getattr(entry, str(fields.get(key) or key), "") or "").lower() if entry is not None else ""
                # (and right before the new one's name, which begins its part: "plus a CNAME
                # waitlist-record: ...")
                before = re.search(rf"((?:\S+\s+){{1,2}}){re.escape(action.name)}(?![\w-])", text, re.I) \
                    if action.type == ActionType.create and action.name else None
                # (a change: not the value it has now, which the command may name as the old one:
                # "switch session-cache to valkey, redis licence thing")
                said = {v for v in enum_values(shape) if len(v) >= 3 and v.lower() not in _ENUM_EVERYDAY
                        and (action.type == ActionType.create or v.lower() != now)
                        and re.search(rf"(?<![\w.-]){re.escape(v)}(?![\w.-])",
                                      regions[i] + " " + (before.group(1) if before else ""), re.I)}
                if len(said) == 1:
                    added[key] = said.pop()
                continue
            if not shape.literal or shape.convert is not str:
                continue
            pattern = _introduced(kind, key, r"(" + _VALUE.pattern + r")")
            # (overlapping: "from config key paypalApiKey" is read from "config key" too, not only
            # as "from config" and the value "key")
            found_values = [(m.group(1).rstrip(".,;)"), regions[i][m.end(1):])
                            for m in re.finditer(f"(?={pattern})", regions[i], re.I)]
            # a plain word is a value only where its phrase ends with it ("owned by payments in
            # prod"), not where the sentence goes on ("owned by the data team")
            values = {v for v, after in found_values
                      if (_NAME_LIKE.fullmatch(v) or (v.lower() not in _PLAIN_NOT_VALUES and re.match(
                          r"\s*(?:$|[,.;)!?]|(?:in|on|and|for|with|please|pls|now|too)\b)", after)))
                      and v not in names and v not in used
                      and not _is_stack_word(v, specs) and not re.fullmatch(r"[\d.]+", v)}
            if len(values) == 1:
                added[key] = values.pop()
        if added:
            for key, value in added.items():
                warnings.append(f"{key} {value}: said in the command")
                used.add(str(value))
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | added)})
    return out


_OLD_WORD = r"(?:instead\s+of|rather\s+than|not|from|replacing)"


def _not_the_old_value(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str]) -> list[Action]:
    """A closed vocabulary's value the command says only as the one it replaces ("scale on
    memory at 75% instead of cpu" written metric=cpu): the one other value of that key it says."""
    lowered = facts.text.lower()
    out = list(kept)
    from agentops.planline import plan_keys

    every = plan_keys(registry)
    for i, action, found in _with_kinds(kept, specs, registry, (ActionType.create, ActionType.update)):
        shapes = every | found[0].plan_keys()  # (metric is every kind's: the plan line's own key)
        params = action.parameters.set_values()
        fixed = {}
        for key, value in params.items():
            shape = shapes.get(key)
            if shape is None or not is_enum(shape) or not isinstance(value, str):
                continue
            spots = list(re.finditer(rf"(?<![\w.-]){re.escape(value.lower())}(?![\w.-])", lowered))
            if not spots or not all(re.search(rf"{_OLD_WORD}\s+(?:the\s+)?$", lowered[:m.start()]) for m in spots):
                continue
            others = {v for v in enum_values(shape) if v != value and len(v) >= 3
                      and re.search(rf"(?<![\w.-]){re.escape(v.lower())}(?![\w.-])", lowered)}
            if len(others) == 1:
                fixed[key] = others.pop()
        if fixed:
            for key, value in fixed.items():
                warnings.append(f"{key} {value}, not {params[key]}: the command says {params[key]} is what it replaces")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | fixed)})
    return out


def _spelt_as_said(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                   warnings: list[str]) -> list[Action]:
    """A free text value of a kind's own key (a config map's key, an owner) written in another
    case than the command writes it ("TICK_RATE" copied as Tick_RATE): the command's spelling,
    where the command writes it once. The guard's check that a value is said ignores case, so
    without this the respelt key would be a new entry beside the one meant. Not a closed
    vocabulary's value: those are the kind's own spelling (Forbid, HTTPS)."""
    out = list(kept)
    for i, action, found in _with_kinds(kept, specs, registry,
                                        (ActionType.create, ActionType.update, ActionType.delete)):
        shapes = found[0].plan_keys()
        params = action.parameters.set_values()
        respelt = {}
        for key, value in params.items():
            shape = shapes.get(key)
            if shape is None or not shape.literal or shape.convert is not str or is_enum(shape) \
                    or not isinstance(value, str):
                continue
            said = re.findall(rf"(?<![\w.-]){re.escape(value)}(?![\w-])", facts.text, re.I)
            if len(set(said)) == 1 and said[0] != value:
                respelt[key] = said[0]
        if respelt:
            for key, value in respelt.items():
                warnings.append(f"{key} {value}: as the command spells it, not {params[key]!r}")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | respelt)})
    return out


def _far_from_its_key(key: str, written: str, params: dict, text: str) -> bool:
    """Whether an entry's value the model wrote is said nowhere near the entry's key ("turn
    QUEUE_MODE on ..., friday's onsale is going to be a zoo" written value=friday): then the
    kind's reading of the words after the key is asked."""
    said_key = params.get("key")
    if re.search(rf"(?:\bto|=|:|\bis|\bas)\s*{re.escape(written)}(?![\w-])", text, re.I):
        return False  # said as a value ("on dev set it to 20"): the model's
    return key == "value" and isinstance(said_key, str) and bool(re.search(
        rf"(?<![\w-]){re.escape(said_key)}(?![\w-])", text, re.I)) and not re.search(
        rf"(?<![\w-]){re.escape(said_key)}\W+(?:[\w-]+\W+){{0,3}}?{re.escape(written)}(?![\w-])", text, re.I)


def _values_from_words(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str]) -> list[Action]:
    """A value the command says in words rather than writes (Kind.value_from_words: "every
    weekday at 6:30" is the schedule "30 6 * * 1-5"), for the plan's one create or update that
    reads one, where the plan has no value the command writes. The guard drops a free value the
    command does not write, so without this a schedule said in words is lost. Two actions that
    would read it differently (two cron jobs, a create and an update): which one it is for is
    not certain, so neither -- unless each reads it in its own part of the command
    (lookup._regions: "create cron job a ... every weekday at 6pm ..., and suspend b"). Where
    the whole command reads as nothing for any action (two times: "a at 2am and b at 3am"),
    each action that reads a value in its own part takes it."""
    kept, readings = _readings_of_words(kept, facts, specs, registry, warnings, [facts.text] * len(kept))
    whole = {i: added for i, _, added in readings}
    if len(readings) == 1 and len(kept) > 1 and any(
            j != readings[0][0] and set(readings[0][2]) & set(a.parameters.set_values()) for j, a in enumerate(kept)):
        # one action reads from the whole command a value of a key another action of the plan
        # sets ("move the court records scraper to 5am and the election results scraper to
        # every 10 minutes": the */10 is the other's): what its own part of the command reads
        regions = _coordinated(_regions(kept, facts.text), kept)
        _, own = _readings_of_words(kept, facts, specs, registry, [], regions)
        readings = [r for r in own if r[0] == readings[0][0]]
    if len(readings) > 1 and not _one_reading(kept, readings) or not readings and len(kept) > 1:
        regions = _coordinated(_regions(kept, facts.text), kept)
        kept, readings = _readings_of_words(kept, facts, specs, registry, [], regions)
        # each reads in its own part: what the whole command reads as nothing (two times), or
        # the same as the whole command ("move a and b to 3am")
        own = len({regions[i] for i, _, _ in readings}) == len(readings) and (
            not whole or all(whole.get(i) == added for i, _, added in readings))
        if len(readings) > 1 and not _one_reading(kept, readings) and not own:
            return kept
    # one action reads it; or several of one type read the same flag ("pause eta-backfill and
    # carrier-rate-sync"): the word is said of each of them (not a time: "move a to 3am and b
    # to 4am" reads one schedule of both times for each)
    kept = list(kept)
    for i, params, added in readings:
        for key, value in added.items():
            warnings.append(f"{key} {value!r}: read from the command's words")
        kept[i] = kept[i].model_copy(update={"parameters": Parameters.model_validate(params | added)})
    return kept


def _coordinated(regions: list[str], kept: list[Action]) -> list[str]:
    """Parts of the command where one name is joined to the next name by "and" or a comma and
    says nothing itself ("move a and b to 3am": a's part is "move a and", b's "b to 3am"): the
    next part is its too, so that both read what is said once of both. (Not where the next
    part starts with a verb of its own: "pause a and resume b".)"""
    out = list(regions)
    for i in range(len(out) - 2, -1, -1):
        following = kept[i + 1].name or ""
        starts = out[i + 1].lower().lstrip().startswith((following, " ".join(_words(following)))) if following else False
        if out[i] != out[i + 1] and starts and re.search(r"(?:,|\band|&|\bplus)\s*$", out[i]) \
                and not re.search(r"\d", out[i]):
            out[i] = out[i] + out[i + 1]
    return out


def _one_reading(kept: list[Action], readings: list) -> bool:
    """Whether several actions' readings are one flag said of each ("pause a and b")."""
    return (len({repr(sorted(added.items())) for _, _, added in readings}) == 1
            and len({kept[i].type for i, _, _ in readings}) == 1
            and all(isinstance(v, bool) for v in readings[0][2].values()))


def _outside(name: str | None, text: str) -> str:
    """`text` with the resource's own name blanked (same length: positions stay), where the name
    has parts ("cms-api-internal"): its words are the name's, not values."""
    if not name or "-" not in name:
        return text
    return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lambda m: " " * len(m.group()), text, flags=re.I)


def _readings_of_words(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str], texts: list[str]) -> tuple[list[Action], list]:
    """(the plan with a delete's one entry read in place, [(index, params, values read)]): what
    each action reads from `texts[index]`, its text (the command, or its own part of it)."""
    readings = []
    for i, action in enumerate(kept):
        text = texts[i]
        found = _kind_of(action, specs, registry) if action.type in (
            ActionType.create, ActionType.update, ActionType.delete) else None
        if found is None:
            continue
        kind, entry = found
        params = action.parameters.set_values()
        if action.type == ActionType.delete:
            # "remove SANDBOX_PAYMENTS from store-config": a delete that takes a key removes
            # that entry, never the whole resource the model named
            # "drop the 5432 rule from vpn-debug": a firewall's delete that takes a port removes
            # that port's rules
            for key in [k for k in ("key", "port") if k in _fields(action, kind) and k not in params]:
                said = kind.value_from_words(key, text, entry) if kind.supports(ActionType.delete) else None
                if said is not None:
                    warnings.append(f"{key} {said!r}: the command removes one entry, not the whole {kind.noun}")
                    kept = list(kept)
                    kept[i] = action.model_copy(update={"parameters": Parameters.model_validate(
                        params | {key: said})})
                    break
            continue
        # a flag the model wrote the other way round ("un-suspend" read as suspend=true) is
        # what the words say
        # and a value the command writes out ("schedule -> 0 */2 * * *") beats the model's copy
        # of it that the command does not ("*/0 * * *")
        added = {}
        for key in _fields(action, kind):
            written = params.get(key)
            if written is not None and not isinstance(written, bool) and str(written) in facts.text \
                    and not _far_from_its_key(key, str(written), params, facts.text) \
                    and str(written) not in (action.name or "").split("-"):
                # the model's value, written in the command: kept (not a part of the resource's
                # own name: "seatmap ingress ... the nginx class" written ingress_class=seatmap)
                continue
            # (outside the resource's own name: "make cms-api-internal listen on 9090" says
            # nothing of whether it is internal)
            value = kind.value_from_words(key, _outside(action.name, text), entry)
            if value is None or value == written:
                continue
            if written is None or isinstance(written, bool) or (isinstance(value, str) and value in facts.text) or (
                    # "sale banner" written sale-banner, the map's key SALE_BANNER: one word spelt two ways
                    isinstance(value, str) and str(written) not in facts.text
                    and re.sub(r"[-_\s]", "", str(written).lower()) == re.sub(r"[-_\s]", "", value.lower())):
                added[key] = value
        if added:
            readings.append((i, params, added))
    return kept, readings


def _said_values(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """A create that left out a key its command says in words (Kind.said_values: "a role for
    ECS tasks" is service=ecs-tasks): the one value the command says, the longest phrase first
    ("eventbridge scheduler" before "eventbridge"), outside the action's own name; so does a
    change that takes the key ("open 443 to the world": cidr 0.0.0.0/0). Two values said: left
    as written."""
    if action.type not in (ActionType.create, ActionType.update):
        return action
    found = _kind_of(action, specs, registry)
    if found is None or not found[0].said_values:
        return action
    kind, params = found[0], action.parameters.set_values()
    text = " ".join(_words(facts.text))
    if action.name:
        text = re.sub(rf"\b{re.escape(' '.join(_words(action.name)))}\b", " | ", text)
    fields = _fields(action, kind)
    for key, said in kind.said_values.items():
        if key in params or key not in fields:
            continue
        values, rest = set(), f" {text} "
        for phrase in sorted(said, key=len, reverse=True):
            if f" {phrase} " in rest:
                values.add(said[phrase])
                rest = rest.replace(f" {phrase} ", " | ")
        if len(values) == 1:
            params[key] = values.pop()
    return action.model_copy(update={"parameters": Parameters.model_validate(params)})


# Words of a key's phrases that say nothing about which key ("keep messages for {n} {unit}"),
# and words other kinds' names use: not read as the key said.
_KEY_STOP = frozenset({"for", "of", "it", "its", "the", "a", "an", "at", "after", "let", "run", "out",
                       "time", "while", "with", "to", "every", "cache", "set", "give", "make"})


def _unit_keys(action: Action, kind, entry, params: dict, specs: dict[str, StackSpec], registry) -> dict[str, str]:
    """key -> unit, for the action's keys in a unit (retention_seconds, memory_mb) and the
    threshold of an alarm on a time metric, in the unit the watched kind gives it
    (Kind.metric_units): a new alarm (monitor) or an existing alert's change."""
    units = {k: u for k in _fields(action, kind) if (u := _key_unit(k))}
    if action.type == ActionType.monitor:
        metric = params.get("metric")
        if metric in kind.metric_units:
            units["threshold"] = kind.metric_units[metric]
    elif "threshold" in _fields(action, kind) and entry is not None and hasattr(entry, "target"):
        watched = _find(action.model_copy(update={"name": entry.target}), specs)
        if watched is not None and watched[0] in registry:
            unit = registry[watched[0]].metric_units.get(getattr(entry, "metric", None))
            if unit:
                units["threshold"] = unit
    return units


def _key_words(kind, key: str, others: list[str]) -> set[str]:
    """The words that say `key` of `kind` ("retention", "memory", "ram"): the key's own parts
    and the words of its phrases (Kind.phrases), less those another key of the kind shares."""
    def words_of(k: str) -> set[str]:
        stem = next((k[: -len(sfx)] for sfx in KEY_UNITS if k.endswith(sfx) and k != sfx), k)
        out = {w for w in stem.split("_") if w}
        for phrase in kind.phrases.get(k, ()):
            out |= {w for w in re.findall(r"[a-z]+", phrase.replace("{n}", " ").replace("{unit}", " "))
                    if len(w) >= 3}
        return out - _KEY_STOP

    own = words_of(key)
    for other in others:
        if other != key:
            own -= words_of(other)
    return own


def _near_quantities(region: str, spans, words: set[str]) -> list[tuple[int, float, str]]:
    """The quantities said next to a word of `words` in `region` (a key's words): after it
    ("retention to 5 days", "timeout 90s") within a few words, or just before it ("a 5 day
    retention", "3 GB of memory"); (distance, number, unit), nearest first."""
    found = []
    for m in re.finditer(r"[a-z]+", region):
        w = m.group(0)
        # (or as asked of something new: "keeping them 4 days" of "keep messages for {n} {unit}";
        # not "keeps stuff for 14 days", what it does now)
        if not any(w == k or (len(w) >= 3 and _abbreviates(w, k)) or (len(k) >= 4 and w == k + "ing")
                   for k in words):
            continue
        for start, end, value, unit in spans:
            between = region[m.end():start] if start >= m.end() else region[end:m.start()]
            # (an aside without a number is no break: "visibility timeout on the queue (prod) -> 10 min")
            between = re.sub(r"\([^()\d]{0,24}\)", " ", between)
            if start >= m.end():
                # (a colon right before the quantity introduces it: "retention in dev: 2 hours")
                between = re.sub(r":\s*$", " ", between)
            if re.search(r"[,;:(.!?]|\band\b", between) or (start < m.end() and end > m.start()):
                continue
            gap = len(re.findall(r"[a-z0-9]+", between))
            if start >= m.end() and gap <= 7:
                found.append((gap, value, unit))
            elif start < m.end() and gap <= 2:
                found.append((gap, value, unit))
    return sorted(found)


def _key_by_its_value_now(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """A change that sets nothing, where the command says one key's value as it is now and one
    other amount of its kind ("the dispatch-requests-dlq keeps stuff for 14 days ... lower it to
    5 days", its retention 14 days now): that key, to the other amount. Only where exactly one
    key of the kind has the value said, and exactly one other amount of that dimension is said."""
    out = list(kept)
    for i, action, (kind, entry) in _changes_of_what_is_there(kept, specs, registry):
        if action.changed_keys():
            continue
        if any(j != i and (a.name, a.stack) == (action.name, action.stack) for j, a in enumerate(kept)):
            continue  # another action of the plan changes it: this one is a repeat
        fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(ActionType.scale) else {})}
        now_said = []
        for key, field_name in fields.items():
            unit = _key_unit(key)
            now = getattr(entry, field_name.split("|")[0], None)
            if isinstance(now, bool) or not isinstance(now, (int, float)):
                continue
            if unit is None and key in ("replicas", "count"):
                # a count said as it is now ("six is not enough ..., make it nine", 6 replicas now);
                # a deployment's count is its replicas: one key
                if float(now) in facts.numbers and not any(k in ("replicas", "count") for k, _, _ in now_said):
                    now_said.append((key, unit, now))
            elif unit and any(UNIT_FACTORS.get((said, unit)) and number * UNIT_FACTORS[(said, unit)] == now
                              for number, said in facts.quantities):
                now_said.append((key, unit, now))
        if len(now_said) != 1:
            continue
        key, unit, now = now_said[0]
        if unit is None:
            # the other plain numbers said (not a quantity in a unit: "the 5 minute window")
            others = facts.numbers - {float(now)} - {number for number, _ in facts.quantities} - {
                n for n in facts.relative if n is not None}
        else:
            others = {number * UNIT_FACTORS[(said, unit)] for number, said in facts.quantities
                      if UNIT_FACTORS.get((said, unit)) and number * UNIT_FACTORS[(said, unit)] != now}
        if len(others) != 1:
            continue
        value = others.pop()
        if value != int(value):
            continue
        warnings.append(f"{key} {int(value)}: the command says its value now ({_fmt(now)}) and this one")
        params = action.parameters.set_values() | {key: int(value)}
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params),
                                           "type": _scale_or_update(action, params, kind, entry)})
    return out


def _said_units(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                warnings: list[str]) -> list[Action]:
    """Values said with a unit, in the unit of the key that takes them ("keep messages 14 days"
    is retention_seconds=1209600, "2 gigs" memory_mb=2048, a queue alarm "older than 10
    minutes" threshold=600). The model copies the number it reads ("14"), writes it under a
    key of another unit (storage_gb on a function) or leaves it out; the command's unit and the
    key's words decide. Each action reads its own part of the command (from its name to the
    next action's), so that two actions of one plan do not take each other's values."""
    lowered = facts.text.lower()
    regions = _regions(kept, lowered)
    per_stack = _stack_clauses(kept, lowered) is not None
    out = list(kept)
    for i, action in enumerate(kept):
        if action.type not in (ActionType.create, ActionType.update, ActionType.scale, ActionType.monitor):
            continue
        found = _kind_of(action, specs, registry)
        if found is None and action.type == ActionType.monitor:
            # an alarm on what the plan creates: the kind its create makes
            made = [a for a in kept if a.type == ActionType.create and (a.name, a.stack) == (action.name, action.stack)]
            found = _kind_of(made[0], specs, registry) if made else None
        if found is None:
            continue
        kind, entry = found
        params = action.parameters.set_values()
        region = regions[i]
        spans = _quantity_spans(region)
        if action.type == ActionType.monitor and "metric" not in params:
            # "alert when messages are older than 10 minutes" on a queue: the one time metric
            # of the kind, when the threshold is said as a time
            timed = [m for m, u in kind.metric_units.items() if _DIMENSION.get(u) == "time"]
            if len(timed) == 1 and set(kind.alarm_metrics) >= set(timed) and any(
                    _DIMENSION.get(u) == "time" and u != "ms" for _, _, _, u in spans) and re.search(
                    r"\b(older|oldest|age|sits?|sitting|waiting|stuck)\b", region):
                params["metric"] = timed[0]
        changed = False
        # a number under a key that counts (count, replicas) that the command says only with a
        # unit ("give it a 100gb disk" written as count=100): the kind's one free key of that
        # unit's dimension takes it, in its own unit (a change of it: an update, not a scale)
        changes = {k: u for k in {**kind.fields_for("update"), **_fields(action, kind)} if (u := _key_unit(k))}
        for key in [k for k in params if k in _INT_KEYS and not _key_unit(k) and k not in action.relative]:
            value = params[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            # (said bare anywhere, "3 boxes", it may be a count; "1500 GB root volumes" is not)
            with_a_unit = {start for start, _, v, u in spans if v == float(value) and u in _DIMENSION}
            if any(m.start() not in with_a_unit for m in re.finditer(
                    rf"(?<![\w.]){re.escape(_fmt(float(value)))}(?![\w.])", region)):
                continue
            with_unit = {u for _, _, v, u in spans if v == float(value) and u in _DIMENSION}
            free = [k for k, u in changes.items() if k not in params and k != "threshold"
                    and any(UNIT_FACTORS.get((w, u)) for w in with_unit)]
            if len(with_unit) == 1 and len(free) == 1:
                unit = with_unit.pop()
                params[free[0]] = int(float(value) * UNIT_FACTORS[(unit, changes[free[0]])])
                params.pop(key)
                warnings.append(f"{free[0]} {params[free[0]]}: {_fmt(float(value))} "
                                f"{_UNIT_WORDS[unit][-1]} is not a {key}")
                changed = True
        units = _unit_keys(action, kind, entry, params, specs, registry)
        if not units and not changed:
            continue
        # a unit key the kind does not take (storage_gb on a function): the kind's one free key
        # of the same dimension, when there is one
        for key in [k for k in params if k not in units and k not in _fields(action, kind) and _key_unit(k)]:
            unit = _key_unit(key)
            free = [k for k, u in units.items() if _DIMENSION.get(u) == _DIMENSION.get(unit) and k not in params]
            if len(free) == 1:
                params[free[0]] = params.pop(key)
                changed = True
        # a value under one key that the command says next to another key's words ("visibility
        # timeout to 10 min" written as retention_seconds=600): under that key
        for key in [k for k in units if k != "threshold" and k in params and k not in action.relative]:
            value = params[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue
            in_its_unit = [(v, u) for _, _, v, u in spans if UNIT_FACTORS.get((u, units[key]))]
            if per_stack and len(in_its_unit) == 1:
                # "5 days retention in prod, 1 day in dev" written 5 days in both: the one
                # quantity said in this stack's clause
                v, u = in_its_unit[0]
                if int(v * UNIT_FACTORS[(u, units[key])]) != value:
                    params[key] = int(v * UNIT_FACTORS[(u, units[key])])
                    warnings.append(f"{key} {params[key]} in {action.stack}: {_fmt(v)} {_UNIT_WORDS[u][-1]} "
                                    f"is what the command says there")
                    changed = True
                continue

            def says(k: str) -> bool:
                # (the nearest quantity to the key's words: "keep messages 2 days with a 90 second
                # visibility timeout" says 2 days of retention, not 90 seconds)
                near = _near_quantities(region, spans, _key_words(kind, k, list(units)))
                return any(v == float(value) or v * UNIT_FACTORS.get((u, units[k]), 0) == float(value)
                           for gap, v, u in near if gap == near[0][0])

            if says(key):
                continue
            other = [k for k in units if k != key and k != "threshold" and k not in params
                     and _DIMENSION.get(units[k]) == _DIMENSION.get(units[key]) and says(k)]
            if len(other) == 1:
                params[other[0]] = params.pop(key)
                changed = True
                continue
            # "keep messages 2 days with a 90 second visibility timeout" written retention=90
            # too: the quantity said next to this key's words, in its unit
            near = [(v, u) for _, v, u in _near_quantities(region, spans, _key_words(kind, key, list(units)))
                    if UNIT_FACTORS.get((u, units[key]))]
            if near and (len(near) == 1 or near[0] != near[1]):
                params[key] = int(near[0][0] * UNIT_FACTORS[(near[0][1], units[key])])
                warnings.append(f"{key} {params[key]}: {_fmt(near[0][0])} {_UNIT_WORDS[near[0][1]][-1]} said "
                                f"with its words, not {_fmt(float(value))}")
                changed = True
        relative = dict(action.relative)
        region_words = set(re.findall(r"[a-z]+", region))

        def named(k: str) -> bool:
            return bool(_key_words(kind, k, list(units)) & region_words)

        for key in [k for k in relative if k in units and k != "threshold" and not named(k)]:
            # "halve the visibility timeout" written as retention_seconds=/2: the change is of
            # the one key of that dimension the command names
            other = [k for k in units if k not in relative and k not in params and k != "threshold"
                     and _DIMENSION.get(units[k]) == _DIMENSION.get(units[key]) and named(k)]
            if len(other) == 1:
                relative[other[0]] = relative.pop(key)
                params.pop(key, None)
                warnings.append(f"{other[0]} {relative[other[0]]}: the command names {other[0]}, not {key}")
                changed = True
        for key, unit in units.items():
            if key in relative:
                # "bump the vis timeout by 2 minutes": the amount, not a value, in the key's unit
                amount = re.fullmatch(r"([+-])(\d+(?:\.\d+)?)", relative[key])
                said = {u for _, _, v, u in spans if amount and v == float(amount.group(2))}
                factor = UNIT_FACTORS.get((said.pop(), unit)) if len(said) == 1 else None
                if factor and factor != 1:
                    relative[key] = f"{amount.group(1)}{_fmt(float(amount.group(2)) * factor)}"
                    warnings.append(f"{key} {relative[key]}: the amount as the command says it")
                    changed = True
                elif amount and float(amount.group(2)) not in facts.numbers and not said:
                    # "add a day of retention" written +8600: an amount the command never says;
                    # the one quantity of the key's dimension it does say
                    same = {(v, u) for _, _, v, u in spans if UNIT_FACTORS.get((u, unit))}
                    if len(same) == 1:
                        v, u = same.pop()
                        relative[key] = f"{amount.group(1)}{_fmt(v * UNIT_FACTORS[(u, unit)])}"
                        warnings.append(f"{key} {relative[key]}: {_fmt(v)} {_UNIT_WORDS[u][-1]} as the command says it")
                        changed = True
                continue
            value = params.get(key)
            words = _key_words(kind, key, list(units))
            if action.type == ActionType.create:
                # (what a new one is to do: "a queue that keeps messages 14 days"; of one there,
                # "keeps stuff for 14 days" is what it does now)
                words |= {w + "s" for w in words if len(w) >= 4}
            near = _near_quantities(region, spans, words) if key != "threshold" else []
            said = [(v, u) for _, v, u in near if UNIT_FACTORS.get((u, unit))]
            if value is None:
                if said:
                    reading = said[0]
                else:
                    # no key word: the kind's one key of that dimension takes the one quantity
                    same = [k for k, u in units.items() if _DIMENSION.get(u) == _DIMENSION.get(unit)]
                    candidates = {(v, u) for _, _, v, u in spans if _DIMENSION.get(u) == _DIMENSION.get(unit)
                                  and UNIT_FACTORS.get((u, unit))}
                    if key == "threshold" or len(same) != 1 or len(candidates) != 1:
                        continue
                    reading = candidates.pop()
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                plain = [(v, u) for _, _, v, u in spans if v == float(value)]
                near = {r[0] * UNIT_FACTORS[(r[1], unit)] for r in said}
                if said and float(value) not in near and not any(r[0] == float(value) for r in said) \
                        and len(near) == 1:
                    # the key's words say another value ("we lose them after 3 days. bump
                    # retention to two weeks" written as 3 days): the one said next to them
                    reading = said[0]
                elif plain and not any(UNIT_FACTORS.get((u, unit)) for _, u in plain) and len(plain) == len(
                        re.findall(rf"(?<![\w.]){re.escape(_fmt(float(value)))}(?![\w.])", region)):
                    # said only as a quantity of another kind ("2 gigs" as timeout_seconds=2)
                    params.pop(key)
                    warnings.append(f"{key} dropped: the command says {_fmt(float(value))} as "
                                    f"{_UNIT_WORDS[plain[0][1]][-1]}, not a {key}")
                    changed = True
                    continue
                else:
                    # the number as said, in another unit ("14" of "14 days")
                    if not plain or any(UNIT_FACTORS.get((u, unit)) == 1 for _, u in plain):
                        continue
                    mine = [r for r in said if r[0] == float(value)] or plain
                    reading = mine[0]
            else:
                continue
            factor = UNIT_FACTORS.get((reading[1], unit))
            if factor is None:
                continue
            converted = reading[0] * factor
            if converted != int(converted) or converted == value:
                continue
            params[key] = int(converted)
            warnings.append(f"{key} {int(converted)}: {_fmt(reading[0])} {_UNIT_WORDS[reading[1]][-1]} "
                            "as the command says it")
            changed = True
        if changed:
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params), "relative": relative,
                                               "type": _scale_or_update(action, params, kind, entry)})
            if relative != action.relative:
                out[i] = resolve_relative(out[i], specs, registry, warnings)
    # "create queue X and alert if messages sit there longer than 5 minutes": the time is the
    # alarm's threshold, not also the queue's retention
    alarmed = {a.parameters.threshold for a in out if a.type == ActionType.monitor and a.parameters.threshold}
    for i, action in enumerate(out):
        if action.type == ActionType.monitor or not alarmed:
            continue
        params = action.parameters.set_values()
        # (not a value said in another unit: "a 2 minute visibility timeout, and a latency alarm
        # on it at 120" -- 120 seconds, said as 2 minutes, is the queue's)
        taken = [k for k, v in params.items() if _key_unit(k) and v in alarmed and not (float(v) in facts.numbers and any(
            n != float(v) and abs(n * UNIT_FACTORS.get((u, _key_unit(k)), 0) - float(v)) < 1e-6
            for n, u in facts.quantities))]
        if taken:
            for key in taken:
                warnings.append(f"{key} dropped: the command says {params.pop(key)} for the alarm")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


def _said_as_value(name: str, facts: CommandFacts, registry) -> str | None:
    """The key whose value the command gives as `name`, after the words that introduce it
    (Kind.value_intros: "owned by yard-team", "-> owner qa-automation", "tls secret api-tls"),
    or None: a name the model copied from a value is not the resource's name."""
    for kind in registry:
        for key in kind.value_intros:
            if re.search(_introduced(kind, key, re.escape(name) + r"(?![\w-])"), facts.text, re.I):
                return key
    return None


# a unit after a number: the number is a quantity in it, not the key's value as written
_A_UNIT = r"ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|gb|gib|mb|mib|tb|k"


def _introduced(kind, key: str, value: str) -> str:
    """The pattern of `value` written after the words that introduce `key` (its own words and
    Kind.value_intros: "owned by", "tls secret"), longest words first."""
    intros = sorted({key.replace("_", " "), *kind.value_intros.get(key, ())}, key=len, reverse=True)
    return r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in intros) + r")" + _INTRO_GAP + value


# A release said by its version ("ship scheduler-ui 3.5.0 to stg", "roll out timetable-api
# v4.12.1"): major.minor.patch (and a pre-release), or v and major.minor, standing alone.
_VERSION = re.compile(r"(?<![\w./:@-])(v?\d+\.\d+\.\d+(?:-[a-z0-9][a-z0-9.]*)?|v\d+\.\d+)(?![\w/:@-]|\.\w)")


def _versions_as_images(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                        warnings: list[str]) -> list[Action]:
    """A change of what runs an image, where the command says a version and no image ("deploy
    billing-svc 2.8.0 to staging"): the image it runs now with that tag (its repository kept,
    a "v" as the current tag writes it). One version said in the action's part of the command,
    a current image with a tag; otherwise nothing is added."""
    regions = _regions(kept, facts.text)
    out = list(kept)
    for i, action, found in _with_kinds(kept, specs, registry, (ActionType.update, ActionType.scale)):
        kind, entry = found
        params = action.parameters.set_values()
        current = getattr(entry, "image", None)
        if "image" in params or entry is None or not isinstance(current, str) \
                or "image" not in kind.fields_for("update"):
            continue
        if any(j != i and (o.name, o.stack) == (action.name, action.stack) and "image" in o.parameters.set_values()
               for j, o in enumerate(kept)):
            continue  # "deploy X 2.9.2 ... and give it one more replica": the other action sets it
        repository, colon, tag = current.rpartition(":")
        if not colon or "/" in tag:
            continue
        said = set(_VERSION.findall(regions[i].lower()))
        if len(said) != 1:
            continue
        version = said.pop()
        if tag.startswith("v") != version.startswith("v"):
            version = f"v{version}" if tag.startswith("v") else version[1:]
        image = f"{repository}:{version}"
        if image == current:
            continue
        warnings.append(f"image {image}: the version said, on the image {action.name} runs now")
        params["image"] = image
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params),
                                           "type": _scale_or_update(action, params, kind, entry)})
    return out
