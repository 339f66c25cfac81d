"""What the readings share: where an action lands in the specs (its kind and entry), which
part of the command is about which action, and small facts about kinds' fields.
"""

from __future__ import annotations

import re

from agentops.actionplan import Action, ActionType
from agentops.interpret.facts import (
    ENUM_WORDS,
    GENERIC_PARTS,
    GENERIC_SAID,
    KIND_PART_WORDS,
    CommandFacts,
    _asks_to_delete,
    _words,
)
from agentops.spec import SECTIONS, STACK_ALIASES, StackSpec


def _with_kinds(kept: list[Action], specs: dict[str, StackSpec], registry, types: tuple[ActionType, ...]):
    """(index, action, (kind, entry or None)) of the plan's actions of `types` whose kind is
    known (_kind_of): the loop of the readings that look at an action's kind."""
    for i, action in enumerate(kept):
        if action.type in types:
            found = _kind_of(action, specs, registry)
            if found is not None:
                yield i, action, found


def _changes_of_what_is_there(kept: list[Action], specs: dict[str, StackSpec], registry):
    """_with_kinds of the plan's scales and updates of a resource in the specs: the readings
    that compare a change with what is there."""
    for i, action, found in _with_kinds(kept, specs, registry, (ActionType.scale, ActionType.update)):
        if found[1] is not None:
            yield i, action, found


def _is_vocabulary(name: str, registry) -> bool:
    """A word of the command's vocabulary rather than a name: a metric ("memory"), a kind
    ("queue"), an action or unit word. The model sometimes takes one for the resource."""
    metric_words = {w for words in ENUM_WORDS["metric"].values() for w in words}
    return (name in metric_words or name in ("latency", "network", "threshold", "alert", "alarm")
            or name in registry.words() or name in {t.value for t in ActionType})


def _exists(action: Action, specs: dict[str, StackSpec], created: dict) -> bool:
    stacks = [action.stack] if action.stack else list(specs)
    return (any(s in specs and specs[s].find(action.name) for s in stacks)
            or any((s, action.name) in created for s in (*stacks, None)))


def _candidates(action: Action, specs: dict[str, StackSpec], created: dict) -> tuple[list[str], dict[str, None]]:
    """(stacks, names) an action may be meant for: the resources of its stack (every stack
    when it names none) of its resource type (any, for a monitor), and what the plan creates
    there, in spec order."""
    stacks = [action.stack] if action.stack in specs else list(specs)
    names = {name: None for stack in stacks for section, name, _ in specs[stack].resources()
             if action.type == ActionType.monitor or SECTIONS[section][1] == action.resource.value}
    names.update({name: None for (stack, name) in created if stack in stacks or stack is None})
    return stacks, names


def _find(action: Action, specs: dict[str, StackSpec]):
    """(section, entry) of the action's target in its stack, or None."""
    for stack, spec in specs.items():
        if action.stack and stack != action.stack:
            continue
        found = spec.find(action.name) if action.name else None
        if found:
            return found
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def stack_said(stack: str) -> str:
    """A pattern of the words a stack is said by: its name and its aliases (spec.STACK_ALIASES:
    "prd", "production"), longest first."""
    words = sorted({stack, *(a for a, s in STACK_ALIASES.items() if s == stack)}, key=len, reverse=True)
    return "(?:" + "|".join(map(re.escape, words)) + ")"


# where a clause of its own begins: after a comma, a semicolon, a sentence's end, or a word
# that joins one action to the next
_CLAUSE = re.compile(r"[,;]\s*(?:and\s+|then\s+|plus\s+|also\s+)?|\.\s+|\b(?:and|then|plus|also)\s+")


# What stands between names said as one list ("a, b and the c"); a reader adds the words its
# list may also hold (a stack, "its", the kind's noun)
LIST_WORDS = frozenset({"and", "&", "+", "plus", "the", ","})


def listed_between(text: str, more: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether `text` (lowered, what stands between two names) holds nothing but list words
    and `more`: no verb or clause of its own ("a and b", not "a and restart b")."""
    return all(t in LIST_WORDS or t in more for t in re.findall(r"[a-z0-9][\w-]*|[^\s\w]", text))


def _regions(kept: list[Action], text: str) -> list[str]:
    """Each action's part of the command: from where its name is said to where another
    action's is (the part before the first name goes with it). One action, or names not said:
    the whole command."""
    lowered = text.lower()
    starts: dict[str, int] = {}
    for action in kept:
        if action.name and action.name not in starts:
            for said in (action.name, " ".join(_words(action.name))):
                # the name whole: "payout-jobs" is not the start of "payout-jobs-dlq"
                found = re.search(rf"(?<![\w-]){re.escape(said.lower())}(?![\w-])", lowered)
                if found:
                    starts[action.name] = found.start()
                    break
    if len(starts) < 2:
        return _stack_clauses(kept, text) or [text] * len(kept)
    # a later action's part starts at the clause that says it ("..., and suspend b": the verb
    # before b's name is b's), where that clause begins a few words before the name
    first = min(starts.values())
    for name, pos in list(starts.items()):
        if pos == first:
            continue
        before = [m for m in _CLAUSE.finditer(lowered, max(first + 1, pos - 30), pos)
                  if not re.search(r"\d", lowered[m.end():pos])]
        if before:
            starts[name] = before[-1].end()
    cuts = sorted(starts.values())
    out = []
    for action in kept:
        pos = starts.get(action.name) if action.name else None
        if pos is None:
            out.append(text)
            continue
        later = [c for c in cuts if c > pos]
        begin = 0 if pos == cuts[0] else pos
        out.append(text[begin: later[0] if later else len(text)])
    return out


def _stack_clauses(kept: list[Action], text: str) -> list[str] | None:
    """One resource changed in several stacks, a clause each ("submission-events: 5 days
    retention in prod, 1 day in dev"): each action's part is the clause that says its stack
    (the first with what comes before it); None where the stacks are not said a clause each."""
    names = {a.name for a in kept}
    stacks = [a.stack for a in kept]
    if len(kept) < 2 or len(names) != 1 or None in names or None in stacks or len(set(stacks)) != len(stacks):
        return None
    lowered = text.lower()
    if re.search(r"\b(?:same|too|as\s+well|likewise|ditto)\b", lowered):
        return None  # "...; same for prod": one change said once for both
    # (clauses by their marks only: "give it a and b" is one list, not two clauses)
    cuts = [0] + [m.end() for m in re.finditer(r"[,;]\s*|\.\s+", lowered)] + [len(text)]
    clauses = [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]
    found = []
    for stack in stacks:
        saying = [c for c in clauses if re.search(rf"\b{stack_said(stack)}\b", lowered[c[0]:c[1]])]
        if len(saying) != 1 or saying[0] in found:
            return None
        found.append(saying[0])
    first = min(found)
    return [text[0 if c == first else c[0]:c[1]] for c in found]


# words a list of things to act on may hold beside names and stacks ("..., the scratch-jobs
# queue, the fixture-loader cron and then sandbox-net itself")
_LIST_OF_THINGS = frozenset({"in", "on", "from", "also", "too", "then", "itself", "its", "a", "an", "of", "both",
                             "finally", "lastly", "after", "that"}) | GENERIC_SAID | GENERIC_PARTS | frozenset(
    KIND_PART_WORDS) | frozenset(w for said in KIND_PART_WORDS.values() for w in said)


# verbs that say a resource goes on working ("results-publisher does the batch now")
_GOES_ON = frozenset({"does", "do", "handles", "handle", "runs", "serves", "covers", "owns", "takes", "took",
                      "replaces", "replaced", "stays", "remains", "keeps", "has", "needs", "uses", "still", "now",
                      "will", "already", "picks", "picked", "works"})


def _deleted_in_another_clause(action: Action, actions: list[Action], facts: CommandFacts) -> str | None:
    """The name another delete of the plan has, said in a clause that asks a delete, where
    every time the command says this action's name it is in a clause that asks none and says it
    goes on working ("results-publisher does the batch now"); else None."""
    lowered = facts.text.lower()

    def spots(name: str) -> list[int]:
        return [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", lowered)]

    bounds = [0] + [m.end() for m in re.finditer(r"[,;:]\s*|\.\s+|\b(?:because|since|but|so)\b", lowered)]
    bounds.append(len(lowered))

    def clause(pos: int) -> tuple[int, int]:
        i = max(k for k in range(len(bounds) - 1) if bounds[k] <= pos)
        return bounds[i], bounds[i + 1]

    def asks(pos: int) -> bool:
        start, end = clause(pos)
        return _asks_to_delete(_words(lowered[start:end]), lowered[start:end])

    if not action.name or not spots(action.name):
        return None
    skip = _LIST_OF_THINGS | frozenset(facts.stacks) | set(STACK_ALIASES) | {"the"}
    for pos in spots(action.name):
        # the first word after the name in its clause, past the words of what it is and where
        # ("the hull-valuation lambda and ...", "sandbox-net itself"): only a verb that says it
        # goes on working makes the clause its own ("results-publisher does the batch now");
        # "and", a comma, the end or "is no longer needed" leave the model's delete standing
        after = re.findall(r"[a-z0-9][\w'-]*|[,&+]", lowered[pos + len(action.name):clause(pos)[1]])
        if asks(pos) or next((w for w in after if w not in skip), None) not in _GOES_ON:
            return None
    return next((a.name for a in actions if a.type == ActionType.delete and a.name and a.name != action.name
                 and any(asks(p) for p in spots(a.name))), None)


def _kind_of(action: Action, specs: dict[str, StackSpec], registry):
    """(kind, spec entry or None) the action lands on; None where that is not known yet (an
    action on what this plan creates, a create whose kind the edit would refuse)."""
    if action.type == ActionType.show:
        return None
    found = _find(action, specs) if action.type != ActionType.create else None
    if found is not None:
        return registry[found[0]], found[1]
    from agentops.edit import create_kind
    from agentops.kinds import EditError

    if action.type != ActionType.create:
        return None  # an action on a resource this plan creates: its create decides
    try:
        return create_kind(action, action.parameters.set_values(), registry), None
    except EditError:
        return None


def kind_said(kind, values: bool = True) -> str:
    """A regex alternation of the words a kind is said by (its words, its noun and, with
    `values`, its kind= values), longest first: "dns record" before "record"."""
    words = {*kind.words, kind.noun, *(kind.kind_values if values else ())} - {""}
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _fields(action: Action, kind) -> dict:
    return kind.fields_for(action.type.value if kind.supports(action.type) else "update")


def _has_size_range(fields: dict) -> bool:
    """A kind whose action takes both ends of a size range, on fields of their own (a cluster's
    node group, an autoscaler); a disruption budget's min_size is its min_available, no range."""
    return "min_size" in fields and "max_size" in fields and fields["min_size"] != fields["max_size"]


def _scale_or_update(action: Action, params: dict, kind, entry) -> ActionType:
    """A change of an existing resource's size alone is a scale, and a change of anything else
    an update, whichever word the model wrote: the two edit the spec alike, and the plan a
    reviewer reads (and the history) names the change by what it changes. The size keys are
    the kind's own (Kind.fields_for("scale"): a table's read capacity, a cache's node count)."""
    if entry is None or action.type not in (ActionType.scale, ActionType.update):
        return action.type
    changed = {k for k in params if k != "kind"} | set(action.relative)
    if action.type == ActionType.scale and not kind.supports(ActionType.scale) and kind.supports(ActionType.update):
        return ActionType.update  # a budget, a queue: nothing to scale, its settings change
    if not changed or not kind.supports(ActionType.scale):
        return action.type
    sizes = kind.fields_for("scale")
    if action.type == ActionType.update and changed <= set(sizes):
        return ActionType.scale
    if action.type == ActionType.scale and not changed <= set(sizes) and changed <= set(kind.fields_for("update")):
        return ActionType.update
    return action.type


_INT_KEYS = frozenset({"count", "replicas", "min_size", "max_size", "storage_gb"})


def _is_stack_word(name: str, specs: dict[str, StackSpec]) -> bool:
    # "delete all production databases": the model may take the stack for a resource name
    return name in specs or STACK_ALIASES.get(name) in specs
