"""The compact line the model writes for a command's actions, and its grammar.

The model generates only the typed actions; the sentences of an ActionPlan are composed from
them afterwards. One line, actions separated by " ; ", `key=value` fields:

    create infrastructure stack=dev kind=instance provider=aws count=3 region=us-east-1
    scale deployment name=api stack=prod replicas=+3 ; restart deployment name=web stack=prod
    create infrastructure name=jobs stack=dev kind=queue retention_seconds=345600
    none

The order (type, resource, name, stack, parameters) is the order in which the model decides.
This is ~4x fewer tokens than the equivalent JSON, and latency is tokens. The regex is what
outlines compiles; it depends only on the repository's stack names and kinds, so one index
serves every command of a repository.

Parameters are the canonical keys (agentops.actionplan.Parameters) followed by the keys the
kinds in effect declare beyond them (a queue's retention_seconds, a function's memory_mb), each
with a value pattern derived from the kind's entry model (agentops.kinds.base.plan_keys). An
integer may be written relative to the value in the spec: `replicas=+3`, `count=-1`,
`replicas=*2`, `replicas=/2`; deterministic code resolves it (agentops.interpret.resolve_relative)
and the plan a reviewer reads holds the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.kinds import active, installed

NAME = r"[a-z][a-z0-9-]*"
INT = r"[1-9][0-9]*|0"
MAX_ACTIONS = 4
# Tokens one action may take at most (the longest sensible action: a create with five
# parameters is ~35 Gemma tokens); the generation budget is MAX_ACTIONS of them.
TOKENS_PER_ACTION = 48
MAX_TOKENS = MAX_ACTIONS * TOKENS_PER_ACTION
# A relative integer: "+3" (three more), "-1" (one fewer), "*2" (double), "/2" (halve).
RELATIVE = r"[-+*/]([1-9][0-9]*)"
RELATIVE_OPS = "+-*/"


@dataclass(frozen=True)
class PlanKey:
    """One `key=value` field of the plan line: the value's pattern, how its text becomes a
    value, whether it may be said relative to the spec (integers), and whether the value must
    be written in the command itself (free strings: a guessed host name is noise)."""

    pattern: str
    convert: Callable[[str], Any] = str
    relative: bool = False
    literal: bool = False
    # whether the value may hold spaces, written quoted (a cron schedule); only where needed:
    # every free-text state costs the grammar index a transition for most of the vocabulary
    spaced: bool = False

    def regex(self) -> str:
        if self.relative:
            return f"({self.pattern}|{RELATIVE})"
        if self.spaced:
            return f"({self.pattern}|{QUOTED})"
        return self.pattern


def _number(text: str) -> float:
    return float(text)


def _bool(text: str) -> bool:
    return text == "true"


# Canonical parameter keys, in Parameters' field order (the order render() writes). Closed
# vocabularies are enums; the rest are shaped patterns whose values are checked against the
# command's own words afterwards.
CANONICAL_KEYS: dict[str, PlanKey] = {
    "provider": PlanKey(r"(aws|gcp|azure)"),
    "region": PlanKey(r"[a-z]{2}-[a-z]{4,9}-[1-9]"),
    # The kinds' parameters.kind values (Kind.kind_values); grammar() reads the kinds in effect.
    "kind": PlanKey(""),
    "count": PlanKey(f"({INT})", int, relative=True),
    "instance_type": PlanKey(
        r"(db\.|cache\.)?[a-z][0-9][a-z]{0,3}\.([0-9]{1,2})?(nano|micro|small|medium|large|xlarge|metal)"),
    "min_size": PlanKey(f"({INT})", int, relative=True),
    "max_size": PlanKey(f"({INT})", int, relative=True),
    # a container image with its tag, or a machine image id (an instance group's ami)
    "image": PlanKey(r"([a-z0-9][a-z0-9./_-]*:[A-Za-z0-9._-]+|ami-[0-9a-f]{8,17})"),
    "replicas": PlanKey(f"({INT})", int, relative=True),
    "engine": PlanKey(r"(postgres|mysql|redis|valkey)"),
    "storage_gb": PlanKey(f"({INT})", int, relative=True),
    "metric": PlanKey(r"(cpu|memory|disk|network|connections|errors|latency)"),
    "threshold": PlanKey(r"[0-9]+(\.[0-9]+)?", _number),
    "port": PlanKey(f"({INT})", int),
    "cidr": PlanKey(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/[0-9]{1,2}"),
    "protocol": PlanKey(r"(tcp|udp|icmp|all)"),
}
# Kept for readers of the previous names (benchmarks/experiment_narrowed_grammar.py).
PARAM_PATTERNS: dict[str, str] = {k: v.pattern for k, v in CANONICAL_KEYS.items()}
INT_KEYS = {k for k, v in CANONICAL_KEYS.items() if v.convert is int}

# A free string of a kind's own key: one word of the characters host names, paths, ARNs,
# schedules (written with _ for spaces is not asked: the model writes what the command says)
# and ids use. Checked against the command afterwards (PlanKey.literal).
WORD = r"[A-Za-z0-9*/][A-Za-z0-9._:/*@+%-]*"
# A list: words joined by commas, no spaces ("values=10.0.0.1,10.0.0.2").
WORDS = f"{WORD}(,{WORD})*"
# A value with spaces, quoted ("schedule=\"0 3 * * *\""): printable, no quote or semicolon.
QUOTED = r'"[ !#-:<-~]*"'


def _alt(values) -> str:
    return "(" + "|".join(re.escape(v) for v in values) + ")"


def kind_pattern(kinds=None) -> str:
    """The `kind=` values of the kinds in effect (`kinds`, or the active registry)."""
    return _alt((kinds if kinds is not None else active()).kind_values())


PARAM_PATTERNS["kind"] = kind_pattern(installed())


def plan_keys(kinds=None) -> dict[str, PlanKey]:
    """Every `key=value` field of the plan line for the kinds in effect, in the order the
    line writes them: the canonical keys, then the kinds' own keys (agentops.kinds.base
    Kind.plan_keys) in alphabetical order. A key two kinds declare with different value
    shapes takes the more general one (a string)."""
    registry = kinds if kinds is not None else active()
    keys = {**CANONICAL_KEYS, "kind": PlanKey(kind_pattern(registry))}
    extra: dict[str, PlanKey] = {}
    for kind in registry:
        if not kind.interpreted:
            continue
        for key, spec in kind.plan_keys().items():
            if key in keys:
                if is_enum(keys[key]) and is_enum(spec):
                    # a canonical enum a kind's entry spells its own way (a load balancer's
                    # protocol=HTTPS next to a firewall rule's tcp): both spellings are values
                    have = enum_values(keys[key])
                    more = [v for v in enum_values(spec) if v not in have]
                    if more:
                        keys[key] = PlanKey(_alt(have + more))
                continue
            seen = extra.get(key)
            if seen is None or seen == spec:
                extra[key] = spec
            elif is_enum(seen) and is_enum(spec):
                # two enums: one alternation of both
                extra[key] = PlanKey(_alt(sorted(set(enum_values(seen)) | set(enum_values(spec)))))
            else:
                extra[key] = PlanKey(WORD, str, literal=True)
    return {**keys, **dict(sorted(extra.items()))}


def is_enum(key: PlanKey) -> bool:
    """Whether a plan key is a closed vocabulary: an alternation of plain words."""
    return (key.convert is str and key.pattern.startswith("(") and key.pattern.endswith(")")
            and re.fullmatch(r"\((?:[A-Za-z0-9_.\\-]+\|)*[A-Za-z0-9_.\\-]+\)", key.pattern) is not None)


def enum_values(key: PlanKey) -> list[str]:
    return [v.replace("\\", "") for v in key.pattern[1:-1].split("|")]


def grammar(stacks: list[str], kinds=None) -> str:
    """The regex of one plan line (with its newline) for a repository with these stacks and
    kinds (the active registry when None)."""
    keys = plan_keys(kinds)
    action = (
        _alt(t.value for t in ActionType)
        + " "
        + _alt(r.value for r in ResourceType)
        + f"( name={NAME})?"
        + (f"( stack={_alt(stacks)})?" if stacks else "")
        + "".join(f"( {k}={v.regex()})?" for k, v in keys.items())
    )
    # Parameters come at most once each, in a fixed order: a key cannot repeat (the 270M model
    # otherwise loops on one) and the DFA stays linear in the number of keys (compile time is
    # states x vocabulary). Actions repeat with `*`, not `{0,3}`: a bounded repeat unrolls the
    # action's DFA once per action, and with every kind's keys that made the index 4x larger
    # (228 MB, 0.7 s to load, 45 s to compile); MAX_ACTIONS is held by parse() and the token
    # budget. "\n\n" is allowed because it is one Gemma token, the one the examples' layout
    # makes most likely. The leading space: after "Plan:" the model's natural next token is
    # " word", not "word".
    return f" (none|{action}( ; {action})*)\n\n?"


def _text(value: Any) -> str:
    if isinstance(value, str) and (" " in value or value == ""):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def render(actions: list[Action], kinds=None) -> str:
    """Actions -> the line, exactly as the grammar writes it (for few-shot examples)."""
    if not actions:
        return "none"
    order = list(plan_keys(kinds))
    parts = []
    for a in actions:
        words = [a.type.value, a.resource.value]
        if a.name:
            words.append(f"name={a.name}")
        if a.stack:
            words.append(f"stack={a.stack}")
        values = {k: _text(v) for k, v in a.parameters.set_values().items()}
        values.update(a.relative)
        for key in order:
            if key in values:
                words.append(f"{key}={values[key]}")
        parts.append(" ".join(words))
    return " ; ".join(parts)


_FIELD = re.compile(r'\S+="[^"]*"|\S+')


def parse(line: str, kinds=None) -> list[Action]:
    """The line -> typed actions. Raises ValueError on anything the grammar would not allow.
    Relative integers ("replicas=+3") go to Action.relative, for resolution against the spec."""
    line = line.strip()
    if line == "none":
        return []
    keys = plan_keys(kinds)
    actions = []
    parts = line.split(" ; ")
    if len(parts) > MAX_ACTIONS:
        raise ValueError(f"{len(parts)} actions: a plan holds at most {MAX_ACTIONS}")
    for part in parts:
        words = _FIELD.findall(part)
        if len(words) < 2:
            raise ValueError(f"incomplete action {part!r}")
        fields: dict = {"type": words[0], "resource": words[1]}
        params: dict = {}
        relative: dict = {}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or not value:
                raise ValueError(f"malformed field {word!r}")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            if key in ("name", "stack"):
                fields[key] = value
            elif key in keys:
                spec = keys[key]
                if spec.relative and value[0] in RELATIVE_OPS and re.fullmatch(RELATIVE, value):
                    relative[key] = value
                    continue
                if spec.pattern.startswith(f"{WORD}(,"):
                    params[key] = value.split(",")
                    continue
                try:
                    params[key] = spec.convert(value)
                except ValueError:
                    raise ValueError(f"malformed value {word!r}") from None
            else:
                raise ValueError(f"unknown field {key!r}")
        fields["parameters"] = Parameters.model_validate(params)
        fields["relative"] = relative
        actions.append(Action.model_validate(fields))
    return actions
