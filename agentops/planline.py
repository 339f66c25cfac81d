"""The compact line the model writes for a command's actions, and its grammar.

The model generates only the typed actions; the sentences of an ActionPlan are composed from
them afterwards. One line, actions separated by " ; ", `key=value` fields:

    create infrastructure stack=dev kind=instance provider=aws count=3 region=us-east-1
    scale deployment name=api stack=prod replicas=8 ; restart deployment name=web stack=prod
    none

The order (type, resource, name, stack, parameters) is the order in which the model decides.
This is ~4x fewer tokens than the equivalent JSON, and latency is tokens. The regex is what
outlines compiles; it depends only on the repository's stack names, so one index serves every
command of a repository.
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.kinds import active, installed

NAME = r"[a-z][a-z0-9-]*"
INT = r"[1-9][0-9]*|0"
MAX_ACTIONS = 4

# parameter key -> value pattern, in Parameters' field order (the order render() writes). Closed vocabularies are enums; the rest are shaped patterns
# whose values are checked against the command's own words afterwards.
PARAM_PATTERNS: dict[str, str] = {
    "provider": r"(aws|gcp|azure)",
    "region": r"[a-z]{2}-[a-z]{4,9}-[1-9]",
    # The kinds' parameters.kind values (Kind.kind_values); grammar() reads the kinds in effect.
    "kind": None,  # type: ignore[dict-item]
    "count": f"({INT})",
    "instance_type": r"(db\.)?[a-z][0-9][a-z]{0,3}\.([0-9]{1,2})?(nano|micro|small|medium|large|xlarge|metal)",
    "min_size": f"({INT})",
    "max_size": f"({INT})",
    "image": r"[a-z0-9][a-z0-9./_-]*:[A-Za-z0-9._-]+",
    "replicas": f"({INT})",
    "engine": r"(postgres|mysql)",
    "storage_gb": f"({INT})",
    "metric": r"(cpu|memory|disk|network|connections|errors|latency)",
    "threshold": r"[0-9]+(\.[0-9]+)?",
    "port": f"({INT})",
    "cidr": r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/[0-9]{1,2}",
    "protocol": r"(tcp|udp|icmp|all)",
}
INT_KEYS = {k for k, v in PARAM_PATTERNS.items() if v == f"({INT})"}


def _alt(values) -> str:
    return "(" + "|".join(re.escape(v) for v in values) + ")"


def kind_pattern(kinds=None) -> str:
    """The `kind=` values of the kinds in effect (`kinds`, or the active registry)."""
    return _alt((kinds if kinds is not None else active()).kind_values())


PARAM_PATTERNS["kind"] = kind_pattern(installed())


def grammar(stacks: list[str], kinds=None) -> str:
    """The regex of one plan line (with its newline) for a repository with these stacks and
    kinds (the active registry when None)."""
    patterns = {**PARAM_PATTERNS, "kind": kind_pattern(kinds)}
    action = (
        _alt(t.value for t in ActionType)
        + " "
        + _alt(r.value for r in ResourceType)
        + f"( name={NAME})?"
        + (f"( stack={_alt(stacks)})?" if stacks else "")
        + "".join(f"( {k}={v})?" for k, v in patterns.items())
    )
    # Parameters come at most once each, in Parameters' field order: a key cannot repeat (the
    # 270M model otherwise loops on one) and the DFA stays linear in the number of keys
    # (compile time is states x vocabulary). "\n\n" is allowed because it is one Gemma token,
    # the one the examples' layout makes most likely.
    # The leading space: after "Plan:" the model's natural next token is " word", not "word".
    return f" (none|{action}( ; {action}){{0,{MAX_ACTIONS - 1}}})\n\n?"


def render(actions: list[Action]) -> str:
    """Actions -> the line, exactly as the grammar writes it (for few-shot examples)."""
    if not actions:
        return "none"
    parts = []
    for a in actions:
        words = [a.type.value, a.resource.value]
        if a.name:
            words.append(f"name={a.name}")
        if a.stack:
            words.append(f"stack={a.stack}")
        for key, value in a.parameters.set_values().items():
            if key in PARAM_PATTERNS:
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                words.append(f"{key}={value}")
        parts.append(" ".join(words))
    return " ; ".join(parts)


def parse(line: str) -> list[Action]:
    """The line -> typed actions. Raises ValueError on anything the grammar would not allow."""
    line = line.strip()
    if line == "none":
        return []
    actions = []
    for part in line.split(" ; "):
        words = part.split(" ")
        if len(words) < 2:
            raise ValueError(f"incomplete action {part!r}")
        fields: dict = {"type": words[0], "resource": words[1]}
        params: dict = {}
        for word in words[2:]:
            key, sep, value = word.partition("=")
            if not sep or not value:
                raise ValueError(f"malformed field {word!r}")
            if key in ("name", "stack"):
                fields[key] = value
            elif key in PARAM_PATTERNS:
                params[key] = value
            else:
                raise ValueError(f"unknown field {key!r}")
        fields["parameters"] = Parameters.model_validate(params)
        actions.append(Action.model_validate(fields))
    return actions
