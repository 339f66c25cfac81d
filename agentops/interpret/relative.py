"""Relative values ("double it", "+2", "by 30%"): read from the command, and resolved by
deterministic code against what the spec holds (resolve_relative), never by the model.
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType, Parameters
from agentops.errors import InterpretError
from agentops.interpret.facts import (
    _DIMENSION,
    FACTOR_OF_WHAT,
    UNIT_FACTORS,
    CommandFacts,
    _key_unit,
    factors_said,
)
from agentops.interpret.lookup import _fields, _find, _fmt, _has_size_range, _kind_of
from agentops.spec import StackSpec
from agentops.textnorm import NUMBER_WORDS


def _read_relative(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """A scale or update whose value is the number of a relative phrase in the command ("add
    three replicas to search" written as replicas=3) is the change, not the result; a
    multiplier word ("halve the batch workers") applies to the size the model wrote, or the
    kind's size key when it wrote none it could justify. Only for an existing target."""
    if action.type not in (ActionType.scale, ActionType.update) or not action.name:
        return action
    action = _an_amount_for_a_change_of_nothing(action, facts, specs, registry)
    action = _on_a_key_it_has(action, facts, specs, registry)
    action = _on_the_key_said(action, facts, specs, registry)
    action = _on_the_end_said(action, facts, specs, registry)
    action = _an_amount_of_what_it_counts(action, facts, specs, registry)
    action = _the_count_said_with_its_noun(action, facts, specs, registry)
    # (not where the command says a factor in words: "cut its memory in half, it uses 200MB"
    # written as /200 is the half, the 200MB a reason)
    quantity = {k: _said_in_its_unit(k, v, facts) if None not in facts.relative else None
                for k, v in action.relative.items()}
    if any(q is not None for q in quantity.values()):
        # "visibility timeout 2 minutes" written as *2: the number of a quantity said in the
        # key's unit of measure is the value, not a multiplier (the processing "twice" of the
        # reason is no change of it)
        params = action.parameters.set_values() | {k: q for k, q in quantity.items() if q is not None}
        return action.model_copy(update={"parameters": Parameters.model_validate(params), "relative": {
            k: v for k, v in action.relative.items() if quantity[k] is None}})
    if any(v in ("*1", "/1") for v in action.relative.values()):
        # a factor of one changes nothing ("drop it to 1 replica" written as *1): the model's own
        action = action.model_copy(update={"relative": {k: v for k, v in action.relative.items()
                                                         if v not in ("*1", "/1")}})
    if any(v[0] in "*/" for v in action.relative.values()) and not facts.relative \
            and not _FACTOR_WORDS.search(FACTOR_OF_WHAT.sub(" ", facts.text.lower())):
        # "the double-booked rooms bug" written as replicas=*2: the command says no change by
        # a factor or an amount at all, so the model's multiplier is its own
        return action.model_copy(update={"relative": {k: v for k, v in action.relative.items() if v[0] not in "*/"}})
    if action.relative and None in facts.relative:
        # a multiplier the model wrote is the one the command's word says ("double the RCUs
        # at 7am" written as *7, "cut it in half" as /200)
        said = facts.relative[None]
        share = re.fullmatch(r"[-+](\d+)%", said)
        # (of several factors said, "double a and halve b", the model's is one of them: its own)
        factors = set(factors_said(facts.text.lower()))
        fixed = {k: (said if (v[0] in "*/" and not (len(factors) > 1 and v in factors))
                     or (share and v[1:] == share.group(1)) else v)
                 for k, v in action.relative.items()}
        if fixed != action.relative:
            return action.model_copy(update={"relative": fixed})
    said = {n: op for n, op in facts.relative.items() if n is not None}
    if action.relative and None not in facts.relative and len(said) == 1 and any(
            v[0] in "*/" for v in action.relative.values()):
        # a multiplier where the command says none but one change by an amount ("take it down
        # by one" written as /2): the amount said
        (number, op), = said.items()
        fixed = {k: (f"{op}{_fmt(number)}" if v[0] in "*/" else v) for k, v in action.relative.items()}
        return action.model_copy(update={"relative": fixed})
    if len(said) == 1 and any(v[0] in "+-" for v in action.relative.values()):
        # an amount the model wrote that the command does not say, where it says one: "fraud-worker
        # +3" written as +2 is +3, "down by one" written as +1 is -1. Only of a key counted in no
        # unit (an amount in days or minutes is the model's in the key's unit: "two more days" is
        # +172800), never a one ("and the cache by a node": a one the command says as "a")
        (number, op), = said.items()
        fixed = {k: (f"{op}{_fmt(number)}" if v[0] in "+-" and _key_unit(k) is None and (
            float(v[1:]) == number or (float(v[1:]) not in facts.relative and float(v[1:]) != 1 and (
                float(v[1:]) not in facts.numbers or float(v[1:]) in {n for n, _ in facts.quantities})))
            else v) for k, v in action.relative.items()}
        if fixed != action.relative:
            return action.model_copy(update={"relative": fixed})
    if len(said) > 1 and len(action.relative) == len(said):
        # "card-swipes prod: +100 read, +200 write" written +100 and +20: an amount no phrase
        # says, beside the others said, is the one said amount no other key took
        amounts = {k: float(v[1:]) for k, v in action.relative.items() if v[0] in "+-"}
        unsaid = [k for k, n in amounts.items() if n not in said]
        left = [n for n in said if n not in amounts.values()]
        if len(unsaid) == 1 and len(left) == 1 and _key_unit(unsaid[0]) is None:
            fixed = dict(action.relative) | {unsaid[0]: f"{said[left[0]]}{_fmt(left[0])}"}
            return action.model_copy(update={"relative": fixed})
    if action.relative or not facts.relative:
        return action
    found = _find(action, specs)
    if found is None:
        return action
    kind = registry[found[0]] if found[0] in registry else None
    if kind is None:
        return action
    fields = kind.fields_for(action.type.value)
    params = action.parameters.set_values()
    relative: dict[str, str] = {}
    sizes = [k for k in params if k in fields and isinstance(params[k], int) and not isinstance(params[k], bool)]
    # "give capture-thumbnailer another 512MB" written storage_gb=512 on a function: a size the
    # kind does not have, said as a relative amount, goes as one (_on_a_key_it_has moves it)
    unheld = [k for k in params if k not in fields and _key_unit(k) and isinstance(params[k], int)
              and not isinstance(params[k], bool) and facts.relative.get(float(params[k])) in ("+", "-")]
    if unheld and not sizes:
        moved = _on_a_key_it_has(action.model_copy(update={
            "relative": {k: f"{facts.relative[float(params[k])]}{params[k]}" for k in unheld},
            "parameters": Parameters.model_validate({k: v for k, v in params.items() if k not in unheld})}),
            facts, specs, registry)
        if moved.relative and all(k in fields for k in moved.relative):
            return moved
    share = re.fullmatch(r"[-+](\d+)%", facts.relative.get(None) or "")
    for key in sizes:
        op = facts.relative.get(float(params[key]))
        if share and params[key] == int(share.group(1)):
            relative[key] = facts.relative[None]  # "50% more disk" written as storage_gb=50
        elif op:
            relative[key] = f"{op}{params[key]}"
    if not relative and None in facts.relative and not any(float(params[k]) in facts.numbers for k in sizes):
        # (a size the command says as a number is that size: "up to 30 pods, the 20 cap got
        # hit twice" is 30, not twice the cap)
        # ("results-notifier memory x2": the size key whose word is said, else the kind's size)
        named = [k for k in {**kind.fields_for("update"), **fields} if any(
            re.search(rf"\b{w}\b", facts.text.lower()) for w in _KEY_SAID.get(k, ()))]
        key = sizes[0] if sizes else named[0] if len(named) == 1 else _size_key(kind, action.type.value)
        if key:
            relative[key] = facts.relative[None]
    amounts = {n: op for n, op in facts.relative.items() if n is not None}
    counts = [k for k in fields if k in ("count", "replicas")][:1]
    if not relative and not sizes and None not in facts.relative and len(amounts) == 1 \
            and action.type == ActionType.scale and counts and list(fields)[0] == counts[0] \
            and not set(params) - {"kind"} - _unsaid_numbers(params, facts):
        # "leaderboard redis: add a replica" written as a scale that sets nothing (or only a
        # number the command never says, which the guard drops: read_capacity=1024): the one
        # amount the command says is of what the kind counts
        (number, op), = amounts.items()
        relative[counts[0]] = f"{op}{_fmt(number)}"
    if not relative:
        return action
    for key in relative:
        params.pop(key, None)
    return action.model_copy(update={"parameters": Parameters.model_validate(params),
                                     "relative": relative})


# what people call a size key's quantity ("another gig of memory", "more disk")
_KEY_SAID = {"memory_mb": ("memory", "mem", "ram"), "storage_gb": ("storage", "disk", "space", "volume")}


def _an_amount_for_a_change_of_nothing(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                       registry) -> Action:
    """"gtfs-feed-api prod -1", "support desk +1 pod", "give gtfs-zip-export another gig of
    memory" written as a change that sets nothing: the one amount the command says, on the key
    its unit is of ("gig": the kind's one size key, or the one whose word is said), else on
    what the kind counts. Two amounts, a factor, or no key to take it: left as written."""
    if action.changed_keys() or len(facts.relative) != 1 or action.type not in (ActionType.scale, ActionType.update):
        return action  # (a backup or a restart beside the change sets nothing, and is none)
    found = _find(action, specs)
    if found is None or found[0] not in registry:
        return action
    kind = registry[found[0]]
    (number, sign), = facts.relative.items()
    if sign not in ("+", "-"):
        return action
    fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(ActionType.scale) else {})}
    lowered = facts.text.lower()
    unit = re.search(r"\b(?:another|\d+|one|an?)\s*(gigs?|gb|gib|megs?|mb|mib|tb|terabytes?)\b", lowered)
    if unit:
        said = unit.group(1)
        said = "gb" if said.startswith("g") else "mb" if said.startswith("m") else "tb"
        keys = [k for k in fields if _key_unit(k) and _DIMENSION.get(_key_unit(k)) == "size"]
        named = [k for k in keys if any(re.search(rf"\b{w}\b", lowered) for w in _KEY_SAID.get(k, ()))]
        keys = named or keys
        if len(keys) != 1 or (said, _key_unit(keys[0])) not in UNIT_FACTORS:
            return action
        key, amount = keys[0], number * UNIT_FACTORS[(said, _key_unit(keys[0]))]
    else:
        key, amount = next((k for k in ("replicas", "count") if k in fields), None), number
        # ("(?!)" matches nothing: a kind with no count nouns is said by its amount alone)
        nouns = "|".join(re.escape(n) for n in kind.count_nouns) or "(?!)"
        # the amount alone ("prod -1") or with what the kind counts ("two more pods")
        alone = re.search(rf"(?<![\w.])[+-]\s*{_fmt(number)}(?:\s+(?:{nouns})|s?\b)(?!\s*[a-z%])", lowered) \
            or re.search(rf"[+-]?\s*\b{_fmt(number)}\s+(?:more\s+|extra\s+|fewer\s+|less\s+)?(?:{nouns})\b"
                         rf"|\b(?:one|an?)\s+(?:more|extra|fewer|less)\s+(?:{nouns}|\w+)"
                         rf"|\b(?:drop|remove|cut|take|lose|add)\s+(?:one|an?)\s+(?:{nouns})\b", lowered)
        if key is None or not alone:
            return action
    scaled = kind.supports(ActionType.scale) and key in kind.fields_for("scale")
    return action.model_copy(update={"relative": {key: f"{sign}{_fmt(amount)}"},
                                     "type": ActionType.scale if scaled else ActionType.update})


def _on_a_key_it_has(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """"give invoice-pdf-render another 512 megs" written storage_gb=+512 on a function, which
    has none: the kind's one key of that dimension, by the amount the command says in a unit
    of it (in that key's unit). Otherwise as written (and refused: nothing to start from)."""
    found = _find(action, specs)
    if found is None or found[0] not in registry or not action.relative:
        return action
    kind = registry[found[0]]
    fields = {**kind.fields_for("update"), **kind.fields_for(action.type.value)}
    relative, params = dict(action.relative), action.parameters.set_values()
    for key in [k for k in relative if k not in fields and _key_unit(k)]:
        amount = re.fullmatch(r"([+-])(\d+)", relative[key])
        same = [k for k in fields if k not in relative and k not in params and _key_unit(k)
                and _DIMENSION.get(_key_unit(k)) == _DIMENSION.get(_key_unit(key))]
        said = {u for n, u in facts.quantities if amount and n == float(amount.group(2))
                and len(same) == 1 and UNIT_FACTORS.get((u, _key_unit(same[0])))}
        if len(said) != 1:
            continue
        factor = UNIT_FACTORS[(said.pop(), _key_unit(same[0]))]
        relative[same[0]] = f"{amount.group(1)}{_fmt(float(amount.group(2)) * factor)}"
        relative.pop(key)
    if relative == action.relative:
        return action
    scaled = set(relative) & set(kind.fields_for("scale")) if kind.supports(ActionType.scale) else set()
    return action.model_copy(update={"relative": relative, "type": ActionType.scale if scaled else ActionType.update})


def _on_the_key_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """"dr-dispatch-trigger memory x2" written replicas=*2 on a function that has no reserved
    concurrency to double: a change on a key the resource has no value of moves to the one
    key of the kind whose word the command says ("memory", "disk") and that it has a value of.
    Otherwise as written (and refused: nothing to start from)."""
    found = _find(action, specs)
    if found is None or found[0] not in registry or not action.relative:
        return action
    kind, entry = registry[found[0]], found[1]
    fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(ActionType.scale) else {})}
    lowered = facts.text.lower()
    relative = dict(action.relative)

    def has(key: str) -> bool:
        return any(isinstance(getattr(entry, f, None), int) for f in (fields.get(key) or "").split("|") if f)

    for key in [k for k in relative if not has(k)]:
        said = [k for k, words in _KEY_SAID.items() if k in fields and k not in relative and has(k)
                and any(re.search(rf"\b{w}\b", lowered) for w in words)]
        if len(said) == 1:
            relative[said[0]] = relative.pop(key)
    if relative == action.relative:
        return action
    params = {k: v for k, v in action.parameters.set_values().items() if k not in action.relative}
    scaled = kind.supports(ActionType.scale) and set(relative) <= set(kind.fields_for("scale")) and not (
        set(params) - {"kind"})
    return action.model_copy(update={"relative": relative, "parameters": Parameters.model_validate(params),
                                     "type": ActionType.scale if scaled else ActionType.update})


# the words of a range's ends ("raise the max on claims-eks by 4 nodes", "the floor")
_END_WORDS = {"max_size": r"max(?:imum)?|ceiling|cap|upper\s+(?:bound|limit)",
              "min_size": r"min(?:imum)?|floor|lower\s+(?:bound|limit)"}


def _on_the_end_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """"raise the max on claims-eks in prod by 4 nodes" written count=+4, "double ... the max
    on ocr-worker-hpa" written replicas=*2: a change of what a kind with a size range counts,
    where the command names one end of the range and not the other, is of that end. And an
    amount said in the words of another of the kind's keys ("add 100 RCUs" written count=+100
    on a table) is of that key."""
    found = _find(action, specs)
    if found is None or found[0] not in registry or not action.relative:
        return action
    kind = registry[found[0]]
    fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(ActionType.scale) else {})}
    whole = lowered = facts.text.lower()
    # (in the parts of the command that name it: "double the telematics hpa max and add a node to
    # the yard cluster" says no end of the yard's)
    parts = [p for p in re.split(r"[,;]|\band\b|\bthen\b", lowered)
             if CommandFacts.of(p, list(specs)).mentions_loosely(action.name, kind_first=True)]
    if parts:
        lowered = " ".join(parts)
    relative = dict(action.relative)
    # (an end said with a value of its own, "raise its max to 18", is that value's)
    ends = [k for k, words in _END_WORDS.items() if k in fields and re.search(rf"\b(?:{words})\b", lowered)
            and not re.search(rf"\b(?:{words})\b\s+(?:\w+\s+){{0,2}}?(?:to|at|of|=|:)?\s*\d", lowered)]
    for key in [k for k in relative if k in ("count", "replicas")]:
        if len(ends) == 1 and ends[0] not in relative:
            relative[ends[0]] = relative.pop(key)
    from agentops.interpret.values import _phrase_numbers

    for key in [k for k in relative if k not in kind.phrases]:
        amount = re.fullmatch(r"[+-](\d+)", relative[key])
        said = [k for k, templates in kind.phrases.items() if k in fields and k not in relative and amount
                and any(float(amount.group(1)) in _phrase_numbers(t, whole) for t in templates)]
        if len(said) == 1:
            relative[said[0]] = relative.pop(key)
    if relative == action.relative:
        return action
    params = {k: v for k, v in action.parameters.set_values().items() if k not in action.relative}
    return action.model_copy(update={"relative": relative, "parameters": Parameters.model_validate(params)})


def _an_amount_of_what_it_counts(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                 registry) -> Action:
    """"add two nodes to care-eks ... and raise its max to 18" written max_size=+2: an amount
    said with the kind's count noun ("two nodes") is of what it counts, not of a range's end."""
    found = _find(action, specs)
    if found is None or found[0] not in registry:
        return action
    kind = registry[found[0]]
    fields = {**kind.fields_for("update"), **(kind.fields_for("scale") if kind.supports(ActionType.scale) else {})}
    counted = next((k for k in fields if k in ("count", "replicas")), None)
    if not counted or not kind.count_nouns or counted in action.relative or counted in action.parameters.set_values():
        return action
    nouns = "|".join(re.escape(n) for n in sorted(kind.count_nouns, key=len, reverse=True))
    relative = dict(action.relative)
    for key in [k for k in relative if k in ("min_size", "max_size")]:
        amount = re.fullmatch(r"[+-](\d+)", relative[key])
        if not amount:
            continue
        words = {w for w, n in NUMBER_WORDS.items() if n == int(amount.group(1))} | {amount.group(1)}
        number = '|'.join(re.escape(w) for w in words)
        said = rf"\b(?:{number})\s+(?:more\s+|extra\s+|new\s+)?(?:{nouns})\b"
        # (not where the end is what the amount is said of: "raise the max on claims-eks by 4 nodes")
        of_the_end = rf"\b(?:{_END_WORDS[key]})\b[^,;.]*?\bby\s+(?:{number})\b"
        if re.search(said, facts.text.lower()) and not re.search(of_the_end, facts.text.lower()):
            relative[counted] = relative.pop(key)
    if relative == action.relative:
        return action
    return action.model_copy(update={"relative": relative})


def _the_count_said_with_its_noun(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                  registry) -> Action:
    """"validator-sync to 5 replicas, 300 new validators got provisioned" written replicas=300:
    where the command says one number with the kind's count noun ("5 replicas") and the model
    wrote another for the count, one not said with it, the count is the number said with it."""
    found = _find(action, specs)
    if found is None or found[0] not in registry or not registry[found[0]].count_nouns:
        return action
    kind = registry[found[0]]
    params = action.parameters.set_values()
    counted = next((k for k in ("replicas", "count") if k in params and k not in action.relative), None)
    if counted is None or isinstance(params[counted], bool):
        return action
    nouns = "|".join(re.escape(n) for n in sorted(kind.count_nouns, key=len, reverse=True))
    words = "|".join(NUMBER_WORDS)
    lowered = facts.text.lower()
    said = {float(NUMBER_WORDS.get(m.group(1), m.group(1)))
            for m in re.finditer(rf"(?<![\w.+-])(\d+|{words})\s+(?:{nouns})\b", lowered)}
    if re.search(rf"\b(?:more|extra|fewer|less|another)\s+(?:{nouns})\b|\b(?:\d+|{words})\s+(?:more|extra|fewer|less)\b",
                 lowered):
        return action  # an amount, read as such elsewhere
    if len(said) != 1 or float(params[counted]) in said:
        return action
    # (the number written is a count of something else: "300 new validators", not "b to 3")
    written = _fmt(params[counted])
    if not re.search(rf"(?<![\w.+-]){re.escape(written)}\s+(?:new\s+|more\s+|extra\s+)?(?!(?:{nouns})\b)[a-z]+s\b", lowered):
        return action
    number = said.pop()
    value = int(number) if number.is_integer() else number
    return action.model_copy(update={"parameters": Parameters.model_validate(params | {counted: value})})


def _unsaid_numbers(params: dict, facts: CommandFacts) -> set[str]:
    """The keys of `params` whose number the command does not say (the guard leaves them out)."""
    return {k for k, v in params.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
            and float(v) not in facts.numbers}


# Words of a factor, wherever the reading of the command's relative phrases does not take
# them ("keep half as many", "a third of its pods"): the model's factor may be the command's.
_FACTOR_WORDS = re.compile(r"(?<![\w-])(?:double[ds]?|twice|triple[ds]?|halve[ds]?|half|thirds?|quarters?|times"
                           r"|[2-9]x|x[2-9])(?![\w-])")


def _said_in_its_unit(key: str, relative: str, facts: CommandFacts):
    """The value of `key` where its relative value "*N" or "/N" is the number of the one
    quantity the command says in a unit of the key's measure ("2 minutes" for *2 on a key in
    seconds), in the key's unit; else None."""
    unit = _key_unit(key)
    if unit is None or relative[0] not in "*/" or re.search(
            rf"(?<![\w.]){re.escape(relative[1:])}x(?!\w)|(?<!\w)x{re.escape(relative[1:])}(?![\w.])", facts.text.lower()):
        return None  # ("visibility timeout 2x please, workers take longer than 2 min": the factor)
    found = {number * (1 if said == unit else UNIT_FACTORS[(said, unit)]) for number, said in facts.quantities
             if (said == unit or (said, unit) in UNIT_FACTORS) and _fmt(number) == relative[1:]}
    if len(found) != 1:
        return None
    value = found.pop()
    return int(value) if float(value).is_integer() else value


def _size_key(kind, action: str) -> str | None:
    """The key a plain size means for a kind ("double search" -> replicas)."""
    fields = kind.fields_for(action)
    for key in ("replicas", "count", "min_size", "storage_gb", "memory_mb"):
        if key in fields:
            return key
    return None


def resolve_relative(action: Action, specs: dict[str, StackSpec], registry,
                     warnings: list[str]) -> Action:
    """Action.relative ("+3", "-1", "*2", "/2") -> the absolute value, computed from the
    target's current value in the spec; the relative form stays on the action for review.
    Refused (InterpretError) when there is nothing to compute from."""
    if not action.relative:
        return action
    found = _find(action, specs) if action.type != ActionType.create else None
    if found is None:
        raise InterpretError(
            f"cannot {action.type.value} {action.name or 'a new resource'} by "
            f"{', '.join(f'{k} {v}' for k, v in action.relative.items())}: a relative change "
            "needs an existing resource to start from",
            hint="say the value itself, e.g. 'with 3 replicas'")
    section, entry = found
    kind = registry[section]
    fields = kind.fields_for(action.type.value) or kind.fields_for("update")
    params = action.parameters.set_values()
    relative = dict(action.relative)
    for key in [k for k in relative if k not in fields and k not in kind.parameters()]:
        if set(params) - {"kind"} or len(relative) > 1:
            # a key the kind has nowhere, beside a change it does take ("concurrency policy
            # Forbid, two runs ... doubled the files" written with read_capacity=*2): left out
            warnings.append(f"{key} {relative.pop(key)}: {section} has no {key}; left out")
    for key, change in relative.items():
        field_name = fields.get(key)
        current = None
        for candidate in (field_name or "").split("|"):
            current = getattr(entry, candidate, None) if candidate else None
            if current is not None:
                break
        if not isinstance(current, int) or isinstance(current, bool):
            raise InterpretError(
                f"cannot change {key} of {section}.{action.name} by {change}: "
                f"it has no current {key} to start from",
                hint=f"say the value itself; {section} takes: {', '.join(sorted(fields)) or 'none'}")
        if change.endswith("%"):
            # a share of what is there, to the nearest whole unit
            share = current * int(change[1:-1]) / 100
            value = current + (1 if change[0] == "+" else -1) * int(share + 0.5)
            if share != int(share):
                warnings.append(f"{key} {current}{change} rounded to {value}")
            if value < 0:
                raise InterpretError(f"cannot change {key} of {section}.{action.name} by {change}: "
                                     f"it is {current}, and {value} is below zero", hint="say the value itself")
            params[key] = value
            continue
        op, amount = change[0], int(change[1:])
        if op == "+":
            value = current + amount
        elif op == "-":
            value = current - amount
        elif op == "*":
            value = current * amount
        else:
            value = -(-current // amount)  # halving 5 replicas keeps 3: round up, not down
            if current % amount:
                warnings.append(f"{key} {current}{change} rounded up to {value}")
        if value < 0:
            raise InterpretError(f"cannot change {key} of {section}.{action.name} by {change}: "
                                 f"it is {current}, and {value} is below zero",
                                 hint="say the value itself")
        params[key] = value
    return action.model_copy(update={"parameters": Parameters.model_validate(params), "relative": relative})


_ENDS = {"min": "min_size", "max": "max_size"}


def _sizes_to_their_ends(params: dict, facts: CommandFacts, fields: dict, relative) -> None:
    """A size the command says as an end of the range ("let it grow to 12") under that end's
    key, whichever size key the model wrote; and a size said with no end word under a range
    end moved to the plain size, where the kind has one apart from the ends ("3 nodes" is a
    cluster's desired size, not its minimum)."""
    plain = next((k for k in ("count", "replicas") if k in fields
                  and fields[k] not in (fields["min_size"], fields["max_size"])), None)
    for key in ("min_size", "max_size"):
        # "shop cluster to 1 node" written as count=1 max_size=1, "hpa min 3" as min_size=3
        # max_size=3: an end that only repeats a size said as something else is not said
        others = [k for k in ("count", "replicas", "min_size", "max_size")
                  if k != key and k in params and k not in relative and params[k] == params.get(key)]
        if key in params and key not in relative and others and facts.bounds.get(float(params[key])) != (
                "max" if key == "max_size" else "min"):
            del params[key]
    for key in [k for k in ("count", "replicas", "min_size", "max_size") if k in params and k not in relative]:
        end = facts.bounds.get(float(params[key]))
        if end is not None:
            if key != _ENDS[end] and _ENDS[end] not in params:
                params[_ENDS[end]] = params.pop(key)
        elif (key in _ENDS.values() and plain and not any(k in params for k in ("count", "replicas"))
              and float(params[key]) in facts.numbers):
            params[plain] = params.pop(key)


def _add_said_ends(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry) -> list[Action]:
    """An end of a size range the command says ("and let it grow to 5") that the plan left out,
    added to the one action of the plan on a kind with a size range. With two such actions, or
    a number another action uses, which one it belongs to is not certain: left as written."""
    ranged = []
    for i, action in enumerate(kept):
        found = _kind_of(action, specs, registry)
        if found is not None and _has_size_range(_fields(action, found[0])):
            ranged.append(i)
    if len(ranged) != 1 or not facts.bounds:
        return kept
    i = ranged[0]
    params = kept[i].parameters.set_values()
    # (a size resolved from an amount is no number the command says: "bump gateway by 2" to 8
    # leaves "its hpa floor to 8" free)
    used = [float(v) for a in kept for k, v in a.parameters.set_values().items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in a.relative]

    def free(n: float) -> bool:
        # (a number said once more than the plan uses it: "to 12 replicas ... and its hpa floor
        # to 12 as well")
        said = len(re.findall(rf"(?<![\w.]){_fmt(n)}(?![\w.])", facts.text))
        return used.count(n) < said if n in used else True

    candidates: dict[str, list[int]] = {}
    for n, end in facts.bounds.items():
        if _ENDS[end] not in params and free(n) and n not in facts.relative and n == int(n):
            candidates.setdefault(_ENDS[end], []).append(int(n))
    # two numbers for one end: which is meant is not certain
    added = {key: numbers[0] for key, numbers in candidates.items() if len(numbers) == 1}
    if not added:
        return kept
    kept = list(kept)
    kept[i] = kept[i].model_copy(update={"parameters": Parameters.model_validate(params | added)})
    return kept
