"""Which resource an action means: a name said in part, misspelt, by its kind ("its pdb"), as
"it", or not at all in a plan of several actions; whether a create is of something already
there; a new resource's name as the command says it.
"""

from __future__ import annotations

import difflib
import re

from agentops.actionplan import Action, ActionType, Parameters, ResourceType
from agentops.interpret.facts import GENERIC_PARTS, KIND_PART_WORDS, CommandFacts, _words
from agentops.interpret.lookup import _candidates, _fields, _is_stack_word, _is_vocabulary, _kind_of, _scale_or_update, kind_said, listed_between
from agentops.spec import SECTIONS, STACK_ALIASES, StackSpec


def _groups_named_as_such(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> list[Action]:
    """A new firewall group named by a plain word of the sentence ("let the office reach ssh",
    "reach grafana on 3000" written as name=office, name=grafana): where traffic comes from or
    goes to, not a group's name, unless the command gives it as one ("sg office", "a group
    called office"). The command names no group: a new one with the kind's default name."""
    out = list(kept)
    for i, action in enumerate(kept):
        if action.type != ActionType.create or not action.name or re.search(r"[-_0-9]", action.name):
            continue
        found = _kind_of(action, specs, registry)
        if found is None or found[0].resource_type != ResourceType.security:
            continue
        kind = found[0]
        words = "|".join(re.escape(w) for w in sorted({*kind.words, kind.noun, "named", "called", "name it"} - {""},
                                                      key=len, reverse=True))
        if re.search(rf"\b(?:{words})\s+[\"'`]?{re.escape(action.name)}\b", facts.text, re.I):
            continue
        warnings.append(f"{action.name!r} is what the rule is about, not a group the command names: "
                        "a new group with this rule")
        out[i] = action.model_copy(update={"name": None})
    return out


# Words after a kind word that are not a new resource's name ("a bucket in prod", "a new
# namespace for ml").
_NOT_A_NAME_AFTER_KIND = frozenset({
    "in", "on", "for", "to", "with", "and", "or", "that", "which", "called", "named", "name",
    "please", "pls", "too", "also", "now", "so", "of", "at", "from", "the", "a", "an", "per", "is",
    "as", "here", "there", "again", "only", "then", "we", "i", "it", "its", "this", "for", "by"})


# Words before a kind word that say what sort of thing, not its name ("a new private bucket")
_SORT_WORDS = frozenset({
    "new", "second", "third", "another", "small", "big", "large", "tiny", "separate", "dedicated", "private",
    "public", "internal", "external", "shared", "temporary", "temp", "spare", "extra", "empty", "fresh",
    "single", "simple", "basic", "standard", "default", "regional", "global", "managed", "proper", "real",
    "test", "scratch", "throwaway", "additional", "own", "one", "two", "three", "same", "different"})


def _named_after_its_kind(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                          registry, warnings: list[str]) -> list[Action]:
    """A new resource's name written right after its kind word ("new bucket podcast-artwork",
    "a namespace ml in dev") that the model left out. A name-like word (with a hyphen, an
    underscore or a digit) is read wherever the sentence goes on; a plain word only where the
    sentence goes on with the stack or ends there. Exactly one such word of a resource that is
    not there yet, for the plan's one unnamed create of the kind; otherwise the kind's default
    name stays."""
    text = facts.text
    used = ({a.name for a in kept if a.name}
            | {str(v).lower() for a in kept for v in a.parameters.set_values().values()})
    everywhere = {n for spec in specs.values() for _, n, _ in spec.resources()}
    stack_words = "|".join(re.escape(w) for w in sorted(
        {*specs, *(a for a, s in STACK_ALIASES.items() if s in specs)}, key=len, reverse=True))
    def as_value(action: Action) -> bool:
        # "table follows, hash key listener_id" written as name=listener-id: a value of the
        # create taken for its name, which the command never gives as one
        values = {str(v).lower().replace("_", "-") for v in action.parameters.set_values().values()}
        return (action.name is not None and action.name.replace("_", "-") in values
                and not re.search(rf"(?<![\w-]){re.escape(action.name)}(?![\w-])", text, re.I))

    def written(name: str) -> bool:
        return bool(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I))

    vocabulary = sorted(registry.words())
    # (a plain word is a name also where the sentence goes on with where it goes: "a namespace
    # elections on newsroom-eks"; not a word that says how, "running on reader-eks")
    existing = "|".join(re.escape(n) for n in sorted(
        {n for spec in specs.values() for _, n, _ in spec.resources() if re.search(r"[-\d]", n)}, key=len, reverse=True))
    where = rf"{stack_words}|{existing}" if existing else stack_words

    out = list(kept)
    for i, action in enumerate(kept):
        if action.type == ActionType.create and action.name and written(action.name) and not as_value(action) \
                and action.name not in facts.said_names and not _TAKEN_BACK.search(text) \
                and (found := _kind_of(action, specs, registry)) is not None \
                and (made := _made_by_its_kind_word(action, found[0], text, used, specs)):
            # "new vpc partner-net in prod for the repair-shop network integrations" written
            # name=repair-shop: the name said right after a making word and the kind's word
            warnings.append(f"named {made!r}: the command makes a {found[0].noun} {made} ({action.name!r} written)")
            out[i] = action.model_copy(update={"name": made})
            for j in range(i + 1, len(out)):
                if (out[j].stack, out[j].name) == (action.stack, action.name):
                    out[j] = out[j].model_copy(update={"name": made})
            continue
        if action.type != ActionType.create or (action.name and written(action.name) and not as_value(action)):
            continue
        found = _kind_of(action, specs, registry)
        if found is None:
            continue
        kind = found[0]
        unnamed = not action.name or as_value(action)
        if unnamed and sum(a.type == ActionType.create and (not a.name or as_value(a))
                           and _kind_of(a, specs, registry) == found for a in kept) != 1:
            continue
        # (a name there in another stack is new here: "a k8s namespace fraud-ns" in dev)
        taken = used | ({n for _, n, _ in specs[action.stack].resources()} if action.stack in specs else everywhere)
        words = sorted({*kind.words, *kind.kind_values, kind.noun} - {""}, key=len, reverse=True)
        pattern = re.compile(
            # the name in a lookahead: "dynamo table follows" is read at "dynamo" and at "table"
            rf"\b(?:{'|'.join(re.escape(w) for w in words)})\s+(?=[\"'`]?([a-z][a-z0-9_-]*[a-z0-9])\b[\"'`]?"
            rf"(?P<rest>\s+(?:in|on|for|at)\s+(?:the\s+)?(?:{where})(?![\w-])|\s*[,.;:!]|\s*$)?)", re.I)
        said, as_names = set(), set()  # as_names: said as a name is (name-like, or the stack or a place after it)
        for match in pattern.finditer(text):
            word = match.group(1).lower()
            if word in _NOT_A_NAME_AFTER_KIND or word in taken or _is_stack_word(word, specs) \
                    or _is_vocabulary(word, registry) or difflib.get_close_matches(word, vocabulary, 1, 0.8):
                continue  # ("ec2 instnaces in dev": a kind word with a slip, not a name)
            named = re.search(r"[-_0-9]", word) or (match.group("rest") is not None and not re.search(
                r"(?:ing|ly)$|^(?:just|mainly|mostly|right|directly)$", word))
            if named or not unnamed:
                said.add(word)
            if named:
                as_names.add(word)
        if unnamed and not said and sum(a.type == ActionType.create for a in kept) == 1:
            # or, for the plan's one create, the one new name-like word said as an item of a
            # list ("a postgres db for subrogation in prod: subro-db, db.m5.large, 250 GB")
            said = {m.group(1) for m in re.finditer(
                r"(?:^|[:,;]\s*)([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?=\s*(?:[,;]|$|\s+(?:in|on)\s))", text)
                if m.group(1) not in taken and not _is_stack_word(m.group(1), specs)}
        if unnamed and not said:
            # or right before it, where the sentence goes on with where it goes: "a payouts
            # namespace on tw-prod" (not a word that says what sort: "a new private bucket")
            before = re.compile(rf"\b(?:an?|new|another)\s+(?:new\s+)?([a-z][a-z0-9_-]*[a-z0-9])\s+"
                                rf"(?:{'|'.join(re.escape(w) for w in words)})"
                                rf"\s+(?:in|on|for|at)\s+(?:the\s+)?(?:{where})(?![\w-])", re.I)
            for match in before.finditer(text):
                word = match.group(1).lower()
                if not (word in _NOT_A_NAME_AFTER_KIND or word in _SORT_WORDS or word in taken
                        or _is_stack_word(word, specs) or _is_vocabulary(word, registry)
                        or difflib.get_close_matches(word, vocabulary, 1, 0.8) or re.search(r"(?:ing|ly|ed)$", word)):
                    said.add(word)
        if not unnamed:
            # a name the command does not write ("digest" for "a namespace digests"): the
            # one close to it written after the kind word
            # (or a name said as one, where the model's name is none of the command's: "a
            # configmap elections-config" written readers-eks)
            said = {w for w in said if difflib.SequenceMatcher(None, action.name, w).ratio() >= 0.85
                    or (not written(action.name) and w in as_names)}
        if len(said) == 1:
            name = said.pop()
            warnings.append(f"named {name!r}: the name written with the kind word"
                            + (f" ({action.name!r} written)" if action.name else ""))
            out[i] = action.model_copy(update={"name": name})
            for j in range(i + 1, len(out)):  # the plan's later actions on it follow
                if action.name and (out[j].stack, out[j].name) == (action.stack, action.name):
                    out[j] = out[j].model_copy(update={"name": name})
                # and so do what refers to it, or is put "on it" ("create a cluster ..., deploy
                # results-api on it": the plan's one create that refers to the kind, with no
                # reference of its own)
                values = out[j].parameters.set_values()
                if out[j].stack != action.stack:
                    continue
                if action.name and action.name in values.values():
                    values = {k: name if v == action.name else v for k, v in values.items()}
                elif out[j].type == ActionType.create and _ON_IT.search(text.lower()) \
                        and (other := _kind_of(out[j], specs, registry)) is not None:
                    keys = [k for k, section in other[0].references.items() if section == kind.section
                            and k in _fields(out[j], other[0]) and k not in values]
                    if len(keys) == 1 and sum(a.type == ActionType.create and (f := _kind_of(a, specs, registry))
                                              is not None and f[0].section == kind.section for a in out) == 1:
                        values = values | {keys[0]: name}
                        warnings.append(f"{keys[0]} {name!r}: the {kind.noun} the plan makes, said as 'it'")
                if values != out[j].parameters.set_values():
                    out[j] = out[j].model_copy(update={"parameters": Parameters.model_validate(values)})
    return out


_MAKING = r"(?:new|create|add|make|provision|spin\s+up|stand\s+up|set\s+up)"
# a command that corrects itself ("... royale-nlb ... wait no, ... call it arena-test-nlb")
_TAKEN_BACK = re.compile(r"\b(?:wait|actually|scratch\s+that|i\s+mean|sorry|no\s+wait|instead)\b", re.I)


def _made_by_its_kind_word(action: Action, kind, text: str, used: set[str], specs: dict[str, StackSpec]) -> str | None:
    """The one name-like word said right after a making word and the kind's word ("new vpc
    partner-net"), that is not the action's name, not there in its stack and not a value; None
    where the action's own name is said so, or none or several are."""
    words = kind_said(kind)
    made = {m.group(1).lower() for m in re.finditer(
        rf"\b{_MAKING}\s+(?:an?\s+|the\s+)?(?:{words})\s+(?:called\s+|named\s+)?([a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])",
        text, re.I)}
    there = {n for _, n, _ in specs[action.stack].resources()} if action.stack in specs else set()
    if action.name.lower() in made or len(made) != 1:
        return None
    name = made.pop()
    return name if name not in there and name not in used else None


def _names_as_written(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                      warnings: list[str]) -> list[Action]:
    """A new resource's name as the command writes it: the model's near copy ("refund-key"
    for "refunds-key") is the one name-like token of the command close to it that is no
    resource yet; the plan's later actions on it follow."""
    text = facts.text
    names = {n for spec in specs.values() for _, n, _ in spec.resources()}
    tokens = {t.rstrip(".,;:)!?").lower() for t in re.findall(r"[A-Za-z0-9][\w.-]*", text) if "-" in t}
    out = list(kept)
    for i, action in enumerate(kept):
        name = action.name
        if action.type != ActionType.create or not name or "-" not in name \
                or re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I):
            continue
        close = [t for t in tokens - names - {a.name for a in kept}
                 if difflib.SequenceMatcher(None, name, t).ratio() >= 0.85]
        if len(close) != 1:
            continue
        warnings.append(f"named {close[0]!r}, as the command writes it ({name!r} written)")
        for j in range(i, len(out)):
            if out[j].name == name and out[j].stack == action.stack:
                out[j] = out[j].model_copy(update={"name": close[0]})
    return out


_EACH = re.compile(r"\b(?:each|both|all)\b")


def _each_named(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                warnings: list[str]) -> list[Action]:
    """One change the command asks of several resources it names ("storefront-images and
    fulfilment-images in prod: keep 200 each", "fares-images, rider-images and realtime-images
    should all keep 100") that the model wrote for fewer: the same change of each other one of
    the same kind in that stack that the command names -- in one list with a name the plan
    acts on, or, with "each"/"both"/"all", the one other named."""
    if not kept or any(a.type not in (ActionType.update, ActionType.scale, ActionType.restart, ActionType.backup,
                                      ActionType.monitor) or not a.name or a.stack not in specs for a in kept):
        return kept
    first = kept[0]
    if any((a.type, a.stack, a.parameters, a.relative) != (first.type, first.stack, first.parameters, first.relative)
           for a in kept[1:]):
        return kept  # not one change said of each
    spec = specs[first.stack]
    sections = {(spec.find(a.name) or (None,))[0] for a in kept}
    if len(sections) != 1 or None in sections:
        return kept
    section = sections.pop()
    acted = {a.name for a in kept}
    lowered = facts.text.lower()
    others = [n for s, n, _ in spec.resources()
              if s == section and n not in acted and facts.mentions(n, exact=True)]
    others = [n for n in others if not any(o != n and f"-{n}-" in f"-{o}-" for o in others + list(acted))]

    def at(name: str) -> tuple[int, int] | None:
        found = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", lowered)
        return found.span() if found else None

    spans = {n: at(n) for n in list(acted) + others}
    chain = sorted((s, n) for n, s in spans.items() if s is not None)
    listed = []
    for name in others:
        if spans[name] is None:
            continue
        # in one list with a name acted on: nothing but separators between it and its neighbours
        index = [n for _, n in chain].index(name)
        group = {name}
        for step in (-1, 1):
            i = index
            while 0 <= i + step < len(chain):
                a, b = sorted([chain[i][0], chain[i + step][0]])
                if not listed_between(lowered[a[1]:b[0]]):
                    break
                i += step
                group.add(chain[i][1])
        if group & acted:
            listed.append(name)
    if not listed and len(others) == 1 and len(kept) == 1 and _EACH.search(lowered):
        listed = others
    if not listed:
        return kept
    warnings.append(f"the same change of {', '.join(repr(n) for n in listed)}: the command asks it of each")
    out = kept + [first.model_copy(update={"name": n}) for n in listed]
    out.sort(key=lambda a: spans[a.name][0] if spans.get(a.name) else len(lowered))
    return out


def _named_target(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                  created: dict, others: frozenset[str] = frozenset()) -> str | None:
    """The one resource of the action's stack (and resource type, unless an alert watches it)
    that the command names, loosely for a change and exactly for a delete; None when it names
    none or several. `others`: what the plan's other actions act on; of several named, those
    are not this action's ("audio-eks max to 20 and the playback hpa max to 32")."""
    stacks, names = _candidates(action, specs, created)
    # No typo tolerance here: "passes" is one letter from "assets", and a repair must rest
    # on the name being said.
    said = [n for n in names
            if (facts.mentions(n, exact=True) if action.type == ActionType.delete
                else facts.mentions_loosely(n, typos=False, kind_first=True))]
    # "web" inside "web-ingress", "outage-map" inside "outage-map-api": the longer name said is
    # the one meant, where the shorter is said only as its part
    said = [n for n in said if not any(o != n and (n in _words(o.replace("-", " ")) or _only_inside(n, o, facts))
                                       for o in said)]
    # ("the claims team ... outage-photos": the namespace outage is said only as the start of
    # another resource's name, of whatever kind)
    everywhere = {n for spec in specs.values() for n in spec.names()}
    said = [n for n in said if not any(o != n and _only_inside(n, o, facts) and facts.mentions(o, exact=True)
                                       for o in everywhere)]
    if len(said) > 1 and others and action.type != ActionType.monitor:
        # (an alarm is often on what another action of the plan changes or makes)
        said = [n for n in said if n not in others]
    if not said and action.type != ActionType.delete:
        return _record_named_by_host(action, facts, specs, created)
    return said[0] if len(said) == 1 else None


def _only_inside(short: str, long: str, facts: CommandFacts) -> bool:
    """Whether `short`'s words run inside `long`'s and every time the command says them in a
    row, they begin or continue a saying of `long` ("outage map api" says outage-map-api, and
    outage-map only as its start)."""
    parts, whole = _words(short), _words(long)
    at = next((i for i in range(len(whole) - len(parts) + 1) if whole[i:i + len(parts)] == parts), None)
    if at is None or len(parts) >= len(whole):
        return False
    words = facts.words
    said = [i for i in range(len(words)) if words[i:i + len(parts)] == parts]
    return bool(said) and all(words[i - at:i - at + len(whole)] == whole for i in said if i >= at) \
        and all(i >= at for i in said)


def _record_named_by_host(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                          created: dict) -> str | None:
    """"point status.example.com at ...", "remove the status.larchfield.farm record": the one DNS
    record of the action's stack the command names by the host name it is -- its identity,
    written out in full (or its first labels said as a record's: "the partners.stg dns record",
    where they begin one record's host only), so a delete may name it so too. A change is of that record whatever
    type the model wrote ("patch.example.gg needs to point at ..." written as a deployment);
    a delete, only where the model wrote a record's type. A change of an ingress may name it by
    its host's first label said as an ingress's ("the ranks ingress")."""
    stacks, names = _candidates(action, specs, created)
    records = [(n, e.record.rstrip(".").lower()) for stack in stacks for _, n, e in specs[stack].resources()
               if (n in names or action.type != ActionType.delete) and isinstance(getattr(e, "record", None), str)]
    lowered = facts.text.lower()
    said = [n for n, host in records if re.search(rf"(?<![\w.-]){re.escape(host)}(?![\w-])", lowered)]
    if not said:
        # "the partners.stg dns record": the host's first labels, two or more, said as a record's
        # ("... record"), where they begin one record's host only
        for m in re.finditer(r"(?<![\w.-])([a-z0-9-]+(?:\.[a-z0-9-]+)+)\s+(?:dns\s+|route\s*53\s+)?records?\b", lowered):
            begun = [n for n, host in records if host.startswith(m.group(1) + ".")]
            if len(begun) == 1:
                said.append(begun[0])
    if not said and action.type != ActionType.delete:
        # "the ranks ingress on staging should serve under /api/ranks": an ingress by its host's
        # first label (or labels) said as an ingress's, where they begin one ingress's host only
        hosts = [(n, e.host.lower()) for stack in stacks for _, n, e in specs[stack].resources()
                 if n in names and isinstance(getattr(e, "host", None), str) and hasattr(e, "path")]
        for m in re.finditer(r"(?<![\w.-])([a-z0-9-]+(?:\.[a-z0-9-]+)*)\s+ingress\b", lowered):
            begun = [n for n, host in hosts if host.startswith(m.group(1) + ".")]
            if len(begun) == 1:
                said.append(begun[0])
    said = list(dict.fromkeys(said))
    return said[0] if len(said) == 1 else None


def _belonging_to(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], kept: list[Action],
                  registry) -> str | None:
    """"playback-api to 16 replicas, and bump its pdb to min available 12" (or "playback-api's
    pdb") written with a name that is not there: the one resource of the kind said that is on
    the resource said ("its": the plan's one target before it), by its reference to it (a
    budget's target) or by its name (<owner>-pdb). Never for a delete."""
    if action.type == ActionType.delete or action.stack not in specs:
        return None
    spec = specs[action.stack]
    lowered = facts.text.lower()
    before = {a.name for a in kept if a.name and a.stack == action.stack}
    found = set()
    values = action.changed_keys()
    for kind in registry:
        if not kind.interpreted or not kind.section or not getattr(spec, kind.section, None):
            continue
        if not kind.supports(action.type) or not values <= set(kind.fields_for(action.type.value)):
            continue  # ("hpa min 8 max 24, and the pdb to max unavailable 2": each its own)
        words = kind_said(kind)
        for m in re.finditer(rf"(?:\b(?:(its|their)|([a-z0-9][\w-]*)'s)\s+|(\bthe\s+|[:;,]\s*))(?:{words})\b",
                             lowered):
            if m.group(3) is not None:
                # "appointments-api prod: hpa min 8 ..., and loosen the pdb": the kind's word
                # said bare, of the one resource the command names in full
                said = [n for n in spec.names() if facts.mentions(n, exact=True)]
                owner = said[0] if len(said) == 1 else None
                if owner and (spec.find(owner) or ("",))[0] == kind.section:
                    continue  # "carrier-webhooks ... piling up in the queue": the queue named itself
            else:
                owner = m.group(2) or (next(iter(before)) if len(before) == 1 else None)
            if not owner:
                continue
            for name, entry in getattr(spec, kind.section).items():
                if owner in _referenced(entry, kind) or name.startswith(owner + "-"):
                    found.add(name)
    return found.pop() if len(found) == 1 else None


def said_as_its(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> bool:
    """Whether a delete's resource is said as what belongs to a resource named in full: "remove
    acquirer-mock and its nlb" (or "acquirer-mock's nlb") for acquirer-mock-nlb, the one
    resource of the kind said that refers to acquirer-mock. "its" is of the one name said
    before it; no name before it, or two: not said."""
    spec = specs.get(action.stack)
    found = spec.find(action.name) if spec is not None and action.name else None
    if found is None or found[0] not in registry:
        return False
    kind, lowered = registry[found[0]], facts.text.lower()
    words = kind_said(kind)
    for m in re.finditer(rf"\b(?:(?:its|their)|([a-z0-9][\w-]*)'s)\s+(?:{words})\b", lowered):
        if m.group(1):
            owners = [m.group(1)] if spec.find(m.group(1)) else []
        else:
            before = CommandFacts.of(facts.text[:m.start()], list(specs))
            owners = [n for n in spec.names() if n != action.name and before.mentions(n, exact=True)]
            # (the namespace "fares" is said inside "fares-api": the longer name is the one said)
            owners = [n for n in owners if not any(o != n and f"-{n}-" in f"-{o}-" for o in owners)]
        if len(owners) != 1:
            continue
        theirs = [n for n, e in getattr(spec, kind.section).items()
                  if owners[0] in _referenced(e, kind) or n.startswith(owners[0] + "-")]
        if theirs == [action.name]:
            return True
    return False


def _referenced(entry, kind) -> set[str]:
    """The names an entry refers to through its kind's references (a topic's subscribers are a
    list of queues; most references are one name)."""
    names: set[str] = set()
    for field in kind.references:
        value = getattr(entry, field, None)
        names.update(value if isinstance(value, (list, tuple, set)) else [value] if value else [])
    return names


_BACK = re.compile(r"\b(?:its|it|it's|their|them)\b")


def _referred_back(action: Action, facts: CommandFacts, kept: list[Action]) -> str | None:
    """"restart payouts-svc in prod and page us if its memory goes over 85%" written with the
    alarm on a name nobody said: a later action of the plan that the command speaks of as "it"
    is on the plan's one target before it (never for a delete)."""
    if action.type == ActionType.delete or not action.name or not _BACK.search(facts.text.lower()):
        return None
    if any(part in facts.words for part in _words(action.name) if len(part) >= 3 and part not in GENERIC_PARTS):
        return None  # "restart the worker, it is stuck": a name said, if not one that exists
    before = {a.name for a in kept if a.name and a.stack == action.stack}
    return before.pop() if len(before) == 1 else None


def _longer_name_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                      anywhere: bool = False) -> str | None:
    """The one existing resource whose name is the action's name and more, where each time
    the command says the action's name it is part of saying that longer one ("the edi gateway
    role": edi-gateway-role, not the instance edi-gateway). `anywhere`: the more may come
    before it too ("the stale shipment sweeper" copied as shipment-sweeper), for a name that
    is not there."""
    stacks = [action.stack] if action.stack in specs else list(specs)
    mine = _words(action.name)

    def said(parts: list[str]) -> int:
        return sum(facts.words[i:i + len(parts)] == parts for i in range(len(facts.words)))

    def said_longer(parts: list[str]) -> int:
        # each part as its word or an abbreviation of it ("track page ingress": track-page-ing),
        # a last part that stands for a kind as the kind's word ("the gateway autoscaler")
        said_for_last = KIND_PART_WORDS.get(parts[-1], ())
        last = len(parts) - 1
        return sum(bool(facts._says_parts(parts, i) or (
            said_for_last and facts._says_parts(parts[:-1], i)
            and i + last < len(facts.words) and facts.words[i + last] in said_for_last))
            for i in range(len(facts.words)))

    def holds(name: str) -> bool:
        parts = _words(name)
        if not anywhere:
            return name.startswith(action.name + "-")
        return len(parts) > len(mine) and any(parts[i:i + len(mine)] == mine
                                              for i in range(len(parts) - len(mine) + 1))

    times = said(mine)
    if not times:
        return None
    longer = {n for stack in stacks for _, n, _ in specs[stack].resources()
              if holds(n) and said_longer(_words(n)) == times}
    return longer.pop() if len(longer) == 1 else None


def _misspelt_name(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                   created: dict) -> str | None:
    """The resource a name the command says with a slip is meant for ("substitutoins worker"
    copied as name=substitutoins, "fulfilment" spelt the other way): the one resource of the
    action's stack and type whose name (or its first parts) is close to the written one and
    that the command names with at most one slip. Never for a delete: a delete names its
    target as it is."""
    if action.type == ActionType.delete or not action.name:
        return None
    _, names = _candidates(action, specs, created)
    written = action.name.lower()
    if written in GENERIC_PARTS:
        # "inventroy svc: scale to 8" written as name=svc: the one name ending so that the
        # command says with a slip
        meant = [n for n in names if n.endswith("-" + written) and facts.mentions_loosely(n)]
        return meant[0] if len(meant) == 1 else None
    width = len(_words(written))

    def close(name: str) -> bool:
        head = "-".join(name.split("-")[:width])
        return max(difflib.SequenceMatcher(None, written, name).ratio(),
                   difflib.SequenceMatcher(None, written, head).ratio()) >= 0.85

    lowered = facts.text.lower()

    def garbled(name: str) -> bool:
        # "televet-api" copied as veteet-api: one part of the name the command says, written
        # as a word the command never says, the other parts as they are
        mine, theirs = written.split("-"), name.split("-")
        if len(mine) != len(theirs) or len(mine) < 2:
            return False
        differ = [i for i in range(len(mine)) if mine[i] != theirs[i]]
        return len(differ) == 1 and len(mine[differ[0]]) >= 3 and mine[differ[0]] not in lowered \
            and facts.mentions(name, exact=True)

    meant = [n for n in sorted(names) if n != written and (close(n) or garbled(n)) and facts.mentions_loosely(n)]
    # "fulfilment" and "fulfilment-images": the name said in full is the one meant
    meant = [n for n in meant if not any(o != n and o.startswith(n + "-") for o in meant)] \
        if len(meant) > 1 and any(facts.mentions(n) for n in meant) else meant
    return meant[0] if len(meant) == 1 else None


def _rule_without_a_group(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                          warnings: list[str]) -> Action:
    """A firewall rule the command gives without naming a group ("let 10.30.0.0/16 reach port
    5432 in staging"), which the model wrote as a change of a group the command does not name
    (or of one that is not there): a new group with that rule. Adding the rule to some group
    the command never names would open a port where nobody asked."""
    if (action.resource != ResourceType.security or action.type not in (ActionType.update, ActionType.scale)
            or action.parameters.port is None or action.stack not in specs):
        return action
    groups = [n for s, n, _ in specs[action.stack].resources() if SECTIONS[s][1] == ResourceType.security.value]
    if any(facts.mentions_loosely(n, typos=False) for n in groups) or (
            # a group name written out ("on edi-sftp") that is not there: refused below, by name
            action.name and "-" in action.name and action.name in facts.text.lower()):
        return action
    warnings.append("the command names no firewall group: a new group with this rule")
    return action.model_copy(update={"type": ActionType.create, "name": None})


# How a command asks for a new alert, rather than speaking of one there ("the route cache
# memory alarm: warn over 75%").
NEW_ALERT = re.compile(r"\b(?:alert|alarm|page|notify|ping|tell)\s+(?:me|us|someone|the\s+team|if|when|on)\b"
                       r"|\b(?:monitor|watch)\b"
                       r"|\b(?:add|create|set\s+up|new|want|need)\s+(?:an?\s+|another\s+)?(?:\w+\s+)?(?:alert|alarm)")


def _alarm_already_there(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry,
                         warnings: list[str]) -> Action:
    """A monitor of what an existing alert already watches is a change of that alert, not a
    second alarm: "edge-alb-errors alarm: fire at 25" (the alert named) or "route cache memory
    alarm: warn over 75%" (an alert on route-cache's memory there) update its threshold. So
    is a change of the watched resource's threshold in a command that speaks of its alert
    ("move its cpu alert to 85" written as an update of the database with threshold=85)."""
    if not action.name or action.stack not in specs:
        return action
    if action.type == ActionType.update:
        keys = set(action.parameters.set_values()) - {"kind"}
        said = {float(n) for n in re.findall(r"\bthreshold\s*(?:to|at|of|=|:|->)?\s*(\d+(?:\.\d+)?)(?![\w.])",
                                             facts.text.lower())}
        if not keys and not action.relative and len(said) == 1:
            # "orders-db cpu alarm threshold to 85" written as an update of orders-db that sets
            # nothing: the threshold the command says, of the alert it names
            action = action.model_copy(update={"parameters": Parameters.model_validate(
                action.parameters.set_values() | {"threshold": said.pop()})})
            keys = {"threshold"}
        if "threshold" not in keys or keys - {"threshold", "metric"} or not (
                {"alert", "alarm", "alerts", "alarms"} & set(facts.words)):
            return action
    elif action.type != ActionType.monitor:
        return action
    from agentops.edit import _monitor_kind
    from agentops.kinds import EditError

    spec = specs[action.stack]
    try:
        section = _monitor_kind(registry).section  # the kind the edit makes alerts with
    except EditError:
        return action
    params = action.parameters.set_values()
    found = spec.find(action.name)
    if found is not None and found[0] == section:
        # (a monitor of an alert itself is a change of it, whatever words ask for one:
        # "refill-queue-latency alert on prod: page at 10 minutes")
        if action.type == ActionType.update:
            return action  # a change of the alert itself
        name, entry = action.name, found[1]
    elif NEW_ALERT.search(facts.text.lower()):
        return action  # "alert me when ...", "add an alarm": a new alert asked for
    else:
        watching = [(n, e) for s, n, e in spec.resources() if s == section
                    and getattr(e, "target", None) == action.name
                    and ("metric" not in params or getattr(e, "metric", None) == params["metric"])]
        if len(watching) != 1 or "threshold" not in params:
            return action
        name, entry = watching[0]
        warnings.append(f"{name} already watches {action.name}'s {entry.metric}: its threshold changes")
    if params.get("metric") == getattr(entry, "metric", None):
        params.pop("metric")
    params.pop("kind", None)
    return action.model_copy(update={"type": ActionType.update, "name": name,
                                     "resource": ResourceType.monitoring,
                                     "parameters": Parameters.model_validate(params)})


_CREATE_WORDS = re.compile(r"\b(?:create|creating|new|add|adding|make|provision|launch|deploy|set\s+up"
                           r"|spin\s+up|stand\s+up|build|introduce)\b")


def _creates_of_what_is_there(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                              registry, warnings: list[str]) -> list[Action]:
    """A create of a resource that is there, of the same kind: with another action of the
    plan on it ("edi archive bucket - kick off a backup" written as create + backup), the
    create is dropped; in a command with no word of making anything ("lambda geofence-eval:
    runtime nodejs22.x"), it is the change of it. Otherwise the edit refuses it as there."""
    out: list[Action] = []
    for action in kept:
        if action.type != ActionType.create or not action.name or action.stack not in specs:
            out.append(action)
            continue
        found = specs[action.stack].find(action.name)
        made = _kind_of(action, specs, registry)
        if found is None and made is not None and not _asks_to_make(facts.text, made[0], action.name):
            # "we need four transcode boxes in staging" written as a create of "transcode": the
            # one resource of that kind there whose name begins with it, said loosely, when the
            # command makes nothing
            longer = [n for s, n, _ in specs[action.stack].resources() if s == made[0].section
                      and n.startswith(action.name + "-") and facts.mentions_loosely(n)]
            if len(longer) == 1:
                warnings.append(f"read the create of {action.name!r} as {longer[0]!r}: the command names it, "
                                "and makes nothing")
                action = action.model_copy(update={"name": longer[0]})
                found = specs[action.stack].find(action.name)
        if made is None and found is not None and found[0] in registry \
                and (action.parameters.kind or "") in registry[found[0]].kind_values:
            # "create security ... kind=load_balancer": a kind= of the one there, under another
            # resource type (which the edit would refuse), is of that kind
            made = (registry[found[0]], None)
        keys = {k for k in action.parameters.set_values() if k != "kind"}
        if (found is not None and made is not None and made[0].section != found[0] and found[0] in registry
                and made[0].resource_type == ResourceType.security
                and not keys <= set(registry[found[0]].fields_for("update"))):
            # "let 192.168.0.0/16 reach the catalog db on 5432" written as a firewall named
            # catalog-db: the rule is for traffic to it, and the database takes no rule; the
            # command names no group, so a new one
            warnings.append(f"{action.name!r} is a {registry[found[0]].noun} the rule lets traffic reach, "
                            "not a firewall group: a new group with this rule")
            out.append(action.model_copy(update={"name": None}))
            continue
        if (found is not None and made is not None and made[0].section != found[0]
                and found[0] in registry and not _asks_to_make(facts.text, registry[found[0]], action.name)
                and keys <= set(registry[found[0]].fields_for("update"))):
            # "let 203.0.113.0/24 through ingest-nlb" written as a create of a load balancer of
            # that name: a change of the one there, whatever kind the model guessed
            warnings.append(f"{action.name!r} is there already (a {registry[found[0]].noun}), and the "
                            "command makes nothing: a change of it")
            params = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
            out.append(action.model_copy(update={"type": ActionType.update,
                                                 "resource": ResourceType(SECTIONS[found[0]][1]),
                                                 "parameters": Parameters.model_validate(params)}))
            continue
        if found is None or made is None or made[0].section != found[0]:
            out.append(action)
            continue
        if any(a is not action and a.name == action.name and a.stack == action.stack for a in kept):
            warnings.append(f"{action.name!r} is there already: not created again")
            continue
        if not _asks_to_make(facts.text, made[0], action.name):
            warnings.append(f"{action.name!r} is there already, and the command makes nothing: a change of it")
            # (a size is a scale: "four transcode boxes")
            changed = action.model_copy(update={"type": ActionType.update})
            action = action.model_copy(update={"type": _scale_or_update(
                changed, action.parameters.set_values(), made[0], found[1]),
                "resource": ResourceType(SECTIONS[found[0]][1])})
        out.append(action)
    return out


_MAKING_VERBS = frozenset({"create", "creating", "make", "provision", "launch", "set up", "spin up",
                           "stand up", "build", "introduce"})


def _asks_to_make(text: str, kind, name: str) -> bool:
    """Whether the command asks to make something: a verb of making, or "new"/"add"/"deploy"
    said of the kind or the resource ("a new alb", "add a queue"); "new cert arn:..." on the
    partner alb is a change of it, not a second alb."""
    lowered = text.lower()
    things = {w for w in (*kind.words, kind.noun, *kind.kind_values, kind.section, name, " ".join(_words(name)))}
    for m in _CREATE_WORDS.finditer(lowered):
        made = re.match(rf"\s+(?:the\s+|our\s+)?{re.escape(name)}(?:\s+(?:in|on)\s+[\w-]+)?\s+(\w[\w-]*)",
                        lowered[m.end():])
        if m.group(0) == "make" and made and made.group(1) not in (
                "with", "from", "for", "and", "to", "that", "which", "called", "named", "using", "of"):
            continue  # "make validator-sync-nlb internet-facing": what it is to be, not a new one
        if re.sub(r"\s+", " ", m.group(0)) in _MAKING_VERBS:
            return True
        following = " ".join(_words(lowered[m.end():])[:4])
        if any(re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", following) for t in things if t):
            return True
    return False


def _said_as_purpose(name: str, facts: CommandFacts) -> bool:
    """Whether a one-word name is said only as what a thing is for ("for the prometheus
    federation", "for rate limiting"), never as a name (after "named"/"called", a kind word, or
    as a hyphenated name)."""
    if not name.isalpha():
        return False
    lowered = " ".join(facts.words)
    said = [m.start() for m in re.finditer(rf"\b{re.escape(name)}\b", lowered)]
    return bool(said) and all(re.search(r"\bfor\s+(?:the\s+|our\s+|a\s+|an\s+)?$", lowered[:i])
                              for i in said)


def _the_one_named_that_takes_it(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                                 registry) -> str | None:
    """"game server udp ports need 27015 too ... from anywhere" written on the secret
    steam-api-key (from "steam"), which takes no port: the one resource of the action's stack
    the command names loosely (gameserver-udp, said as words) whose kind takes every value
    the change sets. None where the target takes them, it is typed as is, or none or several
    fit."""
    if action.type not in (ActionType.scale, ActionType.update) or not action.name or action.stack not in specs:
        return None
    found = specs[action.stack].find(action.name)
    keys = action.changed_keys()
    if found is None or found[0] not in registry or not keys or _typed(action.name, facts):
        return None

    def takes(kind) -> set:
        return {k for a in ("update", "scale") if kind.supports(ActionType(a)) for k in kind.fields_for(a)}

    if keys <= takes(registry[found[0]]):
        return None
    fits = {name for section, name, _ in specs[action.stack].resources()
            if name != action.name and section in registry and keys <= takes(registry[section])
            and facts.mentions_loosely(name, typos=False, kind_first=True)}
    return fits.pop() if len(fits) == 1 else None


def _typed(name: str, facts: CommandFacts) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", facts.text.lower()) is not None


def _a_word_of_a_kind_said(name: str, facts: CommandFacts, registry) -> bool:
    """Whether a one-word name is a word of a kind's name of several words that the command
    says as that kind ("a disruption budget" written as name=disruption, "a cron job" as
    name=cron), and never as a name ("named disruption")."""
    if not name.isalpha() or name in facts.said_names:
        return False
    lowered = f" {' '.join(facts.words)} "
    return any(f" {phrase} " in lowered for kind in registry
               for phrase in (*kind.words, kind.noun) if " " in phrase and name in phrase.split())


def _whole_name(action: Action, facts: CommandFacts, specs: dict[str, StackSpec],
                created: dict) -> str | None:
    """The one existing resource of the action's type (in its stack) whose name is the name
    the model wrote and more ("checkout" for checkout-svc, "royale" for royale-gs, "payments
    pdb" for payments-svc-pdb: the same first part, the rest in order), where the command says
    the name the model wrote. For a delete only where the command says that name in full
    ("delete the twilio token secret" written as twilio: twilio-token): what a delete removes
    is named in full."""
    name = action.name
    if not name or not facts.mentions(name, exact=True):
        return None
    stacks = [action.stack] if action.stack in specs else list(specs)

    def longer(n: str) -> bool:
        # "checkout" of checkout-svc, "payments pdb" of payments-svc-pdb: the name said, its
        # first part first, with parts the command leaves out
        said, whole = _words(name), _words(n)
        if len(whole) <= len(said) or whole[0] != said[0]:
            return False
        rest = iter(whole[1:])
        return all(p in rest for p in said[1:])

    # a monitor watches a resource; the alerts it makes are not what it names
    whole = {n for stack in stacks for section, n, _ in specs[stack].resources()
             if longer(n) and (section != "alerts" if action.type == ActionType.monitor
                               else SECTIONS[section][1] == action.resource.value)}
    whole |= {n for (stack, n) in created if longer(n) and (stack in stacks or stack is None)}
    if action.type == ActionType.delete:
        whole = {n for n in whole if facts.mentions(n, exact=True)}
    if len(whole) > 1:
        # "the lobby service" of lobby-svc and lobby-nlb: the one the rest of the command says
        whole = {n for n in whole if facts.mentions_loosely(n, typos=False)}
    return whole.pop() if len(whole) == 1 else None


def _said_in_part(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], created: dict) -> bool:
    """Whether the command names the action's resource by its first parts ("picking" for
    picking-svc), which read back (_whole_name) are that resource and no other."""
    parts = _words(action.name)
    return any(_whole_name(action.model_copy(update={"name": "-".join(parts[:k])}), facts, specs, created)
               == action.name for k in range(1, len(parts)))


def _named_for_its_target(action: Action, specs: dict[str, StackSpec], registry,
                          warnings: list[str]) -> Action:
    """A create of a kind that acts on a target (an autoscaler, a disruption budget, an
    ingress, a load balancer service), named with its target's name ("an autoscaler for
    lobby-svc" written as name=lobby-svc): the name is the target's; the new resource takes the
    kind's default name, and the target is that resource."""
    if action.type != ActionType.create or not action.name or action.stack not in specs:
        return action
    found = specs[action.stack].find(action.name)
    kind = _kind_of(action, specs, registry)
    if found is None or kind is None:
        return action
    kind = kind[0]
    section = kind.references.get("target")
    params = action.parameters.set_values()
    if found[0] == kind.section or not section or "target" not in _fields(action, kind) \
            or section not in (found[0], "*") or params.get("target", action.name) != action.name:
        return action
    warnings.append(f"{action.name!r} is the {found[0]} resource the new {kind.noun} acts on, "
                    f"not its name: the new {kind.noun} takes a name of its own")
    return action.model_copy(update={"name": None, "parameters": Parameters.model_validate(
        params | {"target": action.name})})


# "deploy X on it", "onto it", "on the new cluster"
_ON_IT = re.compile(r"\b(?:on|onto|into|in)\s+(?:it|that|the\s+new\s+(?:one|cluster))\b")


def _said_target(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry,
                 created: dict, warnings: list[str]) -> Action:
    """A create's target, or the cluster it goes on, said in words ("an hpa for the parent
    portal", "a pdb on checkout", "a deployment feature-store on it" after a new cluster
    analytics) that the model left out or wrote as a name that is not there: the one resource
    of the kind the key refers to (Kind.references) that the command names, in the action's
    stack or made by an earlier action of the plan. None or several named: left as written
    (the edit refuses a target that is not there, with the ones that are)."""
    if action.type != ActionType.create or action.stack not in specs:
        return action
    found = _kind_of(action, specs, registry)
    if found is None:
        return action
    kind = found[0]
    # the action's own name says the target's too ("api-hpa"): not a second mention of it
    # (whole: a namespace "edge" is not said inside "edge-eks")
    text = re.sub(rf"(?<![\w-]){re.escape(action.name)}(?![\w-])", " ", facts.text, flags=re.I) \
        if action.name else facts.text
    said = CommandFacts.of(text, list(specs))
    for key in ("target", "cluster"):
        section = kind.references.get(key)
        if not section or section == "*" or key not in _fields(action, kind):
            continue
        names = [n for s, n, _ in specs[action.stack].resources() if s == section]
        for (stack, name), made in created.items():
            made_kind = _kind_of(made, specs, registry)
            if stack == action.stack and made_kind is not None and made_kind[0].section == section:
                names.append(name)
        written = action.parameters.set_values().get(key)
        if written in names:
            continue
        named = [n for n in dict.fromkeys(names) if n != action.name and said.mentions_loosely(n)
                 and not _only_inside_longer_names(n, text)]
        made = [name for (stack, name), a in created.items() if stack == action.stack and name
                and (k := _kind_of(a, specs, registry)) is not None and k[0].section == section]
        if len(named) > 1:
            # "for comments-api" with cms-api there too (cms said loosely as "comments"): the
            # one written exactly, where one is
            named = [n for n in named if said.mentions(n, exact=True)] if sum(
                said.mentions(n, exact=True) for n in named) == 1 else named
        if not named and len(made) == 1 and not written and _ON_IT.search(facts.text.lower()):
            # "create a cluster ..., deploy results-api on it": what the plan made before it,
            # whatever the model named it (a name it made up follows the name said, later)
            named = made
        if len(named) != 1:
            continue
        if written:
            warnings.append(f"read {key} {written!r} as {named[0]!r}, "
                            f"the {section} resource the command names")
        params = action.parameters.set_values() | {key: named[0]}
        action = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return action



def _only_inside_longer_names(name: str, text: str) -> bool:
    """Whether every time `text` writes `name` it is a part of a longer name ("platform" in
    "platform-tools"): that says the longer one, not `name`."""
    spots = list(re.finditer(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text.lower()))
    return bool(spots) and all(text[max(0, m.start() - 1):m.start()] == "-" or text[m.end():m.end() + 1] == "-"
                               for m in spots)


def _the_one_that_takes_it(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry,
                           kept: list[Action]) -> str | None:
    """"catalog api prod: 3 more pods and 5 more on the hpa max" written with the second on
    catalog-api, which has no max: the one resource of a kind the command says by its word
    (hpa, pdb, autoscaler, budget) that is on the target (references it: an autoscaler's
    target) or on the plan's target before it ("its hpa min up by 2"), and that takes every
    value the action changes. None where the target takes them, or none or several fit."""
    if action.type not in (ActionType.scale, ActionType.update) or not action.name or action.stack not in specs:
        return None
    found = _kind_of(action, specs, registry)
    keys = action.changed_keys()
    if found is None or found[1] is None or not keys:
        return None

    def takes(kind) -> set:
        return {k for a in ("update", "scale") if kind.supports(ActionType(a)) for k in kind.fields_for(a)}

    if keys <= takes(found[0]):
        return None
    spec = specs[action.stack]
    owners = {action.name} | {a.name for a in kept if a.name and a.stack == action.stack}
    fits = set()
    for kind in registry:
        if not kind.interpreted or not kind.section or not kind.references or not keys <= takes(kind):
            continue
        words = {*kind.words, kind.noun, *(w for part, said in KIND_PART_WORDS.items() if part in kind.kind_values
                                            or part in kind.words for w in said)} - {""}
        if not any(re.search(rf"\b{re.escape(w)}\b", " ".join(facts.words)) for w in words):
            continue
        for name, entry in spec.section(kind.section).items():
            if _referenced(entry, kind) & owners:
                fits.add(name)
    return fits.pop() if len(fits) == 1 else None
