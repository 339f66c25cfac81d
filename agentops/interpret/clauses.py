"""A second look for what the writer left out: the clause of a several-part command that names an
existing resource no written action touches is written again on its own.

Why: the 270M model drops or merges actions in commands of three and four parts ("exam season:
lms-web-hpa min 10 max 40, lms-cache 5 nodes, core-eks 14 nodes (prod)" came back as two
actions, lms-cache's lost). The guard cannot add an action it has no words for, but the clause
that names the left-out resource is a short command of its own, and a short command is what
the model reads best. Its actions join the written ones *before* the guard, which then reads
the whole plan against the whole command as if the model had written it all: every rule that
holds a plan to its command (taken back, deleted in another clause, kinds named, ...) holds
the added actions too.

Only what the command says by its exact name (or its words in order: "the court records
scraper") is looked for (a name said loosely is the guard's to find), only in a clause that
asks something of it (a number or a verb), and only an action on that name is kept: a clause's
reading never adds anything else, nor changes what was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agentops.actionplan import Action, ActionType

# what a command's parts are split at: a list's commas and semicolons, "and"/"then"/"also",
# a colon's heading ("exam season: ...") and sentence ends
_CLAUSE_ENDS = re.compile(r"\s*(?:[,;]|:\s|\.\s|\band\s+then\b|\bthen\b|\band\b|\balso\b|\bplus\b)\s*")
# a clause asks something of what it names: a verb of change, or a value
_VERB = re.compile(r"\b(?:add|remove|drop|restart|bounce|kick|delete|scale|bump|set|make|rotate|raise|lower"
                   r"|give|grow|shrink|double|halve|back\s*up|backup|snapshot|create|move|point|change|update"
                   r"|upgrade|roll|keep|close|open|suspend|pause|resume|enable|disable|turn|alert|alarm"
                   r"|monitor|watch|increase|decrease|reduce|cut|extend|allow|block|tear\s+down|kill"
                   r"|retire|decommission|recycle|redeploy|cycle)\b", re.IGNORECASE)
# (a number of its own: not the digit of an instance type, a name or a time with its unit, "t3.medium", "40s")
_ASKS = re.compile(rf"{_VERB.pattern}|(?<![\w.:/-])\d+(?:\.\d+)?(?![\w:/-]|\.\d)", re.IGNORECASE)
# words that point at a resource as what another one is for, on or behind
_POINTING = frozenset({"for", "on", "to", "at", "in", "of", "from", "into", "behind", "against", "with", "->",
                       "onto", "via", "targeting", "target", "by", "owner"})
# the most actions one plan holds (agentops.planline)
_MOST = 4


@dataclass(frozen=True)
class LeftOut:
    """An existing resource's name the command says and no written action acts on, with the
    clause that says it and where the name is said."""

    name: str
    clause: str
    at: int


def _spots(name: str, text: str) -> list[int]:
    """Where `name` is said whole in `text` (not inside a longer name, a host or an image)."""
    return [m.start() for m in re.finditer(rf"(?<![\w./:@-]){re.escape(name.lower())}(?![\w/:@-]|\.\w)", text.lower())]


def _name_spots(name: str, text: str) -> list[int]:
    """Where a resource's name is said: as written, or its words in order, one space apart ("the
    court records scraper" for court-records-scraper; same length, so positions hold)."""
    parts = name.split("-")
    spoken = [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(' '.join(parts))}(?![\w-])", text.lower())] \
        if len(parts) > 1 and all(p.isalpha() for p in parts) else []
    return sorted(set(_spots(name, text)) | set(spoken))


def does_something(action: Action) -> bool:
    """Whether an action changes anything. A change written with nothing to set ("bump
    lms-submissions to 6" as an update of nothing) does not: it is left out of a plan of
    several (whole_plan.without_empty_changes)."""
    return action.type not in (ActionType.update, ActionType.scale) or bool(
        set(action.parameters.set_values()) - {"kind"} or action.relative)


def _acted_on(actions: list[Action]) -> set[str]:
    """The names the written actions act on (a change of nothing acts on nothing: its clause
    is as good as unread)."""
    return {action.name for action in actions if action.name and does_something(action)}


def _clause_at(text: str, at: int) -> tuple[int, int]:
    """The span of the clause holding position `at` (_CLAUSE_ENDS both sides)."""
    start, end = 0, len(text)
    for m in _CLAUSE_ENDS.finditer(text):
        if m.end() <= at:
            start = m.end()
        elif m.start() > at:
            end = m.start()
            break
    return start, end


def key_words(registry) -> frozenset[str]:
    """The words of the keys the kinds change ("concurrency" of concurrency_policy, "suspend",
    "runtime"): a clause that says one asks something ("let storm-drill overlap (concurrency
    Allow)"), with or without a number. Words that name what a thing is for or in, not what
    changes, are not among them."""
    keys = {key for kind in registry for t in (ActionType.update, ActionType.scale) if kind.supports(t)
            for key in kind.fields_for(t.value)}
    return frozenset(w for key in keys for w in key.split("_") if len(w) > 2) - _NOT_A_CHANGE


# words of keys that say what a thing is for, on or called, not a change asked of it
_NOT_A_CHANGE = frozenset({"key", "value", "values", "target", "owner", "code", "path", "config", "arn",
                           "class", "size", "days", "seconds", "count", "time", "zone", "instance", "ingress",
                           "read", "write", "max", "min", "available", "host"})


def left_out(actions: list[Action], text: str, names: set[str],
             words: frozenset[str] = frozenset()) -> list[LeftOut]:
    """The existing names (`names`) no written action acts on, said in a clause of their own
    that asks something of them (a verb, a number or one of the key `words`), in the order
    said. Nothing for a plan of nothing ("none" is a reading of the whole command) or a
    command of one part."""
    if not actions:
        return []
    acted_on = _acted_on(actions)
    referred = {v for a in actions for v in a.parameters.set_values().values() if isinstance(v, str)}
    out = []
    for name in names - acted_on:
        # a resource's name as people type one (a plain word, "gateway", "store", is as often
        # the word as the name), and not a part of one acted on ("appointments-api" of the
        # "appointments-api memory alert", appointments-api-memory)
        if not re.search(r"[-\d]", name) or any(f"-{name}-" in f"-{other}-" for other in acted_on):
            continue
        for at in _name_spots(name, text):
            start, end = _clause_at(text, at)
            if (start, end) == (0, len(text)):
                continue
            clause = text[start:end]
            # a clause of its own: no name acted on is said in it (the target of a create,
            # "for card-access-api on 8443", is the create's)
            if any(start <= spot < end for other in acted_on for spot in _name_spots(other, text)):
                continue
            rest = clause[:at - start] + " " + clause[at - start + len(name):]
            # (a ticket's key is no number asked: "since DATA-290")
            rest = re.sub(r"(?<![\w-])[A-Z][A-Z0-9]+-\d+(?![\w-])", " ", rest)
            before = re.findall(r"[\w>-]+", clause[:at - start].lower())
            pointed_at = bool(before) and before[-1] in _POINTING
            # what an action refers to ("an hpa for billing-svc in prod, 3 to 9 pods") is left
            # out only where a verb is said of it ("..., and bump lms-submissions to 6"); so is
            # a name another thing is for ("a c6i.4xlarge for route-planner benchmarks")
            if (name in referred or pointed_at) and (not _VERB.search(rest) or (name in referred and pointed_at)):
                continue
            # its words, the name aside, ask something ("lms-cache 5 nodes")
            if _ASKS.search(rest) or set(re.findall(r"[a-z]+", rest.lower())) & words:
                out.append(LeftOut(name, clause.strip(), at))
                break
    return sorted(out, key=lambda o: o.at)


def names_in_play(actions: list[Action], stacks_said: list[str], specs: dict) -> set[str]:
    """The resource names a second look may find: those of the stacks in play (the plan's and
    the command's), where these are known; else of every stack. "the listings hpa" spells
    listings-hpa, which is in staging only: not a name a prod plan left out."""
    stacks = {a.stack for a in actions if a.stack} | set(stacks_said)
    chosen = stacks if stacks and stacks <= set(specs) else set(specs)
    return {n for s in chosen for n in specs[s].names()}


def as_a_command(clause: str, stacks_said: list[str], stacks_in_clause: list[str]) -> str:
    """The clause as a command of its own: with the stack the whole command says, when it says
    one and the clause none ("... and suspend payroll-export there")."""
    if len(stacks_said) == 1 and not stacks_in_clause:
        return f"{clause} in {stacks_said[0]}"
    return clause


def joined(written: list[Action], added: list[tuple[int, Action]], text: str) -> list[Action]:
    """The written actions with the clauses' actions put in where the command says them (the
    written ones keep their order), at most a plan's worth (_MOST) in all."""
    if len(written) + len(added) > _MOST:
        added = added[:max(0, _MOST - len(written))]

    def said_at(action: Action) -> int:
        spots = _name_spots(action.name, text) if action.name else []
        return spots[0] if spots else len(text)

    out = list(written)
    for at, action in sorted(added, key=lambda pair: pair[0]):
        i = next((i for i, a in enumerate(out) if said_at(a) > at), len(out))
        out.insert(i, action)
    return out


def kept_of_clause(actions: list[Action], name: str) -> list[Action]:
    """The actions a clause's own reading adds: those on the left-out name only, and no create
    (the name exists: a create of it is a misreading, never a second look's to add)."""
    return [a for a in actions if a.name == name and a.type != ActionType.create]


def _numbers(text: str) -> list[float]:
    """The standalone numbers of `text` (not the digits of a name, a version or an address)."""
    return [float(n) for n in re.findall(r"(?<![\w.:/-])\d+(?:\.\d+)?(?![\w:/-]|\.\d)", text)]


def without_what_a_clause_said(written: list[Action], read: list[tuple[LeftOut, Action]],
                               text: str, warnings: list[str]) -> list[Action]:
    """The written actions without the numbers that only a left-out clause says: the model that
    merged "core-eks staging to 6 nodes and research-eks staging to 3" into one action gave
    core-eks research-eks's 3 (max_size=3); once research-eks's own clause is read, that 3 is
    its, not core-eks's. Only a number (or a written value: "concurrency Allow") said once in
    the whole command, inside that clause, and set by the clause's own reading."""
    said = _numbers(text)
    theirs: set = set()
    for item, action in read:
        values = {float(v) for v in action.parameters.set_values().values()
                  if isinstance(v, (int, float)) and not isinstance(v, bool)}
        theirs |= {n for n in _numbers(item.clause) if said.count(n) == 1 and n in values}
        # and a written value ("concurrency Allow") said once, in that clause
        theirs |= {v.lower() for v in action.parameters.set_values().values() if isinstance(v, str)
                   and v != action.name and len(_spots(v, text)) == 1 and _spots(v, item.clause)}
    if not theirs:
        return written

    def taken(v) -> bool:
        if isinstance(v, str):
            return v.lower() in theirs
        return isinstance(v, (int, float)) and not isinstance(v, bool) and float(v) in theirs

    out = []
    for action in written:
        values = action.parameters.set_values()
        copied = [k for k, v in values.items() if k not in ("kind", "target", "cluster") and taken(v)
                  and k not in action.relative]
        if copied:
            warnings.append(f"left {', '.join(copied)} out of the {action.type.value} of {action.name!r}: "
                            f"what it sets is said of another resource, in its own part of the command")
            action = action.model_copy(update={"parameters": type(action.parameters).model_validate(
                {k: v for k, v in values.items() if k not in copied})})
        out.append(action)
    return out
