"""What a command says, read without the model: its words, numbers and units, the stacks it
names, whether it asks to delete, relative phrases ("double", "by 3", "+4 nodes"), size bounds,
and the vocabulary those readings share. CommandFacts is what every later check holds the
model's plan to; check_command is the first gate every way in (CLI, plan file, HTTP API) uses.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from agentops.spec import STACK_ALIASES
from agentops.textnorm import NUMBER_WORDS, normalize_command

DELETE_WORDS = {"delete", "remove", "destroy", "drop", "decommission", "deprovision",
                "terminate", "teardown", "purge", "wipe", "nuke", "erase", "demolish"}
DELETE_PHRASES = ("tear down", "get rid of", "take down", "shut down")
# Said of a whole resource, these ask to delete it too ("kill the grade events topic", "retire
# the notify worker", "the jumpbox and its sg can both go", "close port 22 on bastion-ssh": a
# rule's delete) -- not where "kill" is of pods, which is a restart.
DELETE_SAID = re.compile(r"\b(?:retire|kill(?!\s+(?:the\s+|its\s+|all\s+)?(?:\w+\s+)?pods?\b))\b"
                         r"|\bcan\s+(?:both\s+|all\s+)?go\b")
# "don't delete it", "no need to remove the key", "never tear down prod": a delete word said
# under a no asks for no delete (the words before it, "don't" read as don + t)
_NEGATION = re.compile(r"(?:\b(?:not|never|t|dont|cannot|cant|wont|without)|\bno\s+need\s+to|\binstead\s+of)"
                       r"(?:\s+\w+)?\s*$")


# "drop the formulary-cache to 1 node", "drop it down to two", "drop by 2": a lower value, not
# a delete
_DROP_TO = re.compile(r"(?:\S+\s+){0,6}?(?:down\s+)?(?:to|by)\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|a\b|an\b)")


_SOME_OF_WHAT_IT_COUNTS = re.compile(
    r"(?:an?|one|two|three|four|five|\d+)\s+(?:more\s+)?(?:replicas?|nodes?|pods?|instances?|boxes|box|servers?"
    r"|workers?|hosts?|machines?|vms?|containers?)\b(?!\s+(?:group|pool|type))")
DROPPED_TO = re.compile(r"\bdrop\s+" + _DROP_TO.pattern
                        + r"|\b(?:drop|remove|cut|lose|terminate)\s+" + _SOME_OF_WHAT_IT_COUNTS.pattern)


def _asks_to_delete(words: list[str], lowered: str) -> bool:
    """Whether the command asks to delete something: a delete word, phrase or saying
    (DELETE_WORDS, DELETE_PHRASES, DELETE_SAID) that no negation right before it takes back."""
    said = [i for i, w in enumerate(words)
            if (w in DELETE_WORDS or difflib.get_close_matches(w, DELETE_WORDS, 1, 0.85))
            and not (w == "drop" and _DROP_TO.match(" ".join(words[i + 1:i + 9])))
            # "drop a replica from X", "remove 2 nodes": fewer of what it counts, not a delete
            and not _SOME_OF_WHAT_IT_COUNTS.match(" ".join(words[i + 1:i + 4]))]
    starts = [len(lowered[:m.start()].split()) for p in DELETE_PHRASES
              for m in re.finditer(rf"\b{re.escape(p)}\b", lowered)]
    starts += [len(lowered[:m.start()].split()) for m in DELETE_SAID.finditer(lowered)]
    return any(not _NEGATION.search(" ".join(words[max(0, i - 3):i])) for i in [*said, *starts])


# "close port 22 on bastion-ssh": a delete of that port's rules only (CommandFacts.rule_only)
CLOSE_PORT = re.compile(r"\b(?:close|revoke)\s+(?:port\s+)?\d{1,5}\b")
INJECTION = re.compile(
    r"ignore (all |any |everything |every |the |your )*(previous|prior|above|earlier|instructions|rules)"
    r"|disregard|system\s*:|assistant\s*:|you are (now )?(root|admin|an admin|the admin|in developer mode)"
    r"|you are now|new instructions|<\s*/?\s*(s|start_of_turn|end_of_turn|system)\b|\[inst\]",
    re.IGNORECASE,
)
# Values of these parameters must be written in the command itself.
LITERAL_KEYS = ("region", "instance_type", "image", "cidr")
PROVIDER_WORDS = {
    "aws": ("aws", "amazon", "ec2", "eks", "rds", "s3", "ebs"),
    "gcp": ("gcp", "google", "gce", "gke"),
    "azure": ("azure",),
}
# Closed-vocabulary parameters the command must name (a guessed protocol or metric is noise).
ENUM_WORDS = {
    "protocol": {},
    "engine": {"postgres": ("postgres", "postgresql", "pg"), "mysql": ("mysql",)},
    "metric": {"cpu": ("cpu", "processor"), "memory": ("memory", "mem", "ram"),
               "disk": ("disk", "storage"),
               "errors": ("errors", "error", "5xx", "5xxs", "500s", "failures", "failure", "failed", "failing",
                          "fails", "fail", "exceptions", "throttles"),
               "connections": ("connections", "connection"),
               "latency": ("latency", "duration", "age", "slow", "slower", "response", "p99", "p95",
                           "older", "oldest", "longer"),
               "network": ("network", "bandwidth", "traffic")},
}

class _SectionNouns(dict):
    """section -> the one word the prompt uses for its kind (Kind.noun), of the kinds in
    effect (agentops.kinds.active(): the repository's own kinds included)."""

    def __getitem__(self, section: str) -> str:
        from agentops.kinds import active

        return active()[section].noun


SECTION_NOUN = _SectionNouns()
# Changes said relative to the current value ("add three replicas", "one node fewer", "down
# by 2"): the operator each phrase means, for the number it carries. A plan that writes that
# number as an absolute value of a scale or update is read as the change (resolve_relative).
_N = r"(\d+|" + "|".join(NUMBER_WORDS) + ")"
# Words of a change up or down by an amount ("bump it by 2", "reduce retention by 3 days").
_MORE = r"up|increase[ds]?|raise[ds]?|grow|grows|bump(?:ed)?"
_LESS = r"down|decrease[ds]?|reduce[ds]?|lower(?:ed)?|shrink|drop|cut"


def _by(verbs: str, amount: str) -> re.Pattern:
    """"<verb> [up to eight words of one clause] by <amount>" ("bump the memory by 50%", "bump
    the vis timeout on the carrier webhooks queue by 60 seconds")."""
    return re.compile(rf"\b(?:{verbs})\s+(?:[a-z0-9][\w.-]*\s+){{0,8}}?by\s+{amount}")


RELATIVE_PHRASES = (
    (re.compile(rf"\b(?:add|adding|plus|another|additional|extra)\s+{_N}\b"), "+"),
    # "another 30s of timeout", "an extra 50gb": the number written against its unit
    (re.compile(rf"\b(?:another|additional|extra|add|adding|plus)\s+{_N}(?=(?:s|secs?|m|mins?|h|hrs?|d|gb|mb|tb|g)\b)"), "+"),
    (re.compile(rf"\b{_N}\s+(?:more|extra|additional)\b"), "+"),
    (_by(_MORE, rf"{_N}\b"), "+"),
    # "bump the volume by 50gb": the amount written against its unit
    (_by(_MORE, rf"{_N}(?=(?:s|secs?|m|mins?|h|hrs?|d|gb|mb|tb|g)\b)"), "+"),
    (re.compile(rf"\b{_N}\s+(?:[a-z]+\s+)?(?:fewer|less)\b"), "-"),
    # "min one lower", "max two higher", "go 4 replicas higher"
    (re.compile(rf"\b{_N}\s+(?:[a-z]+\s+)?lower\b"), "-"),
    (re.compile(rf"\b{_N}\s+(?:[a-z]+\s+)?higher\b"), "+"),
    (re.compile(rf"\b(?:remove|drop|cut|minus|subtract)\s+{_N}\b"), "-"),
    # "take 3 replicas off crew-dispatch", "knock two nodes off"
    (re.compile(rf"\b(?:take|knock|shave)\s+{_N}\s+(?:[a-z]+\s+)?(?:off|away)\b"), "-"),
    (_by(_LESS, rf"{_N}\b"), "-"),
    (_by(_LESS, rf"{_N}(?=(?:s|secs?|m|mins?|h|hrs?|d|gb|mb|tb|g)\b)"), "-"),
)
# Sizes said as one end of a range ("let it grow to 12", "never fewer than 2 nodes", "max
# 20", "raise its floor to 6", "between 2 and 5"): which end each number is. A kind with a
# size range (min_size and max_size on separate fields: clusters, autoscalers) takes the
# number under that end, whatever key the model wrote it under (fit_to_kind).
_UPPER = (r"max(?:imum)?|upto|at\s+most"
          r"|no\s+more\s+than|cap(?:ped)?(?:\s+it)?(?:\s+at)?|ceiling(?:\s+of|\s+at)?|grow\s+to"
          r"|reach|top\s+out\s+at|peak\s+(?:of|at)"
          # "burst to 40 nodes", "go as high as 40", "node group limit 40"
          r"|burst(?:ing)?\s+(?:up\s+)?to|as\s+high\s+as|limit(?:\s+(?:of|at|to|is))?")
_LOWER = (r"min(?:imum)?|at\s+least|no\s+(?:fewer|less)\s+than|never\s+(?:fewer|less)\s+than"
          r"|(?:never|not)\s+(?:\w+\s+)?below|floor(?:\s+of|\s+at)?|keep\s+at\s+least|as\s+low\s+as")
_SIZE_WORD = r"(?:size|count|nodes?|pods?|replicas?)"
SIZE_BOUNDS = (
    # an end word, then (after a few words: "raise the max size of the cluster to 20") the number
    # ("minimum node count on the prod core cluster should be 8")
    (re.compile(rf"\b(?:max(?:imum)?|ceiling|cap)\b(?:\s+[a-z]+){{0,8}}?\s+(?:to|=|at|of|be)\s+{_N}\b"), "max"),
    (re.compile(rf"\b(?:min(?:imum)?|floor)\b(?:\s+[a-z]+){{0,8}}?\s+(?:to|=|at|of|be)\s+{_N}\b"), "min"),
    (re.compile(rf"\b(?:{_UPPER})(?:\s+{_SIZE_WORD})?\s+{_N}\b"), "max"),
    (re.compile(rf"\b(?:{_LOWER})(?:\s+{_SIZE_WORD})?\s+{_N}\b"), "min"),
)
# After the number ("16 max", "3 nodes minimum"): read last, so "min 1 max 6" keeps 1 a
# minimum; "5 min" alone is minutes.
SIZE_BOUNDS_AFTER = (
    (re.compile(rf"\b{_N}\s+(?:{_SIZE_WORD}\s+)?(?:max|maximum|tops|at\s+most)\b"), "max"),
    (re.compile(rf"\b{_N}\s+(?:{_SIZE_WORD}\s+(?:min|minimum)|minimum|at\s+least)\b"), "min"),
)
_UP_TO = re.compile(rf"\bup\s+to\s+{_N}\b")
_RESIZE_VERBS = frozenset({"scale", "scaled", "scaling", "bump", "bumped", "grow", "increase", "raise",
                           "take", "bring", "resize", "size", "spin", "spun", "ramp", "ramped", "crank",
                           "cranked", "boost", "boosted"})
# "between 2 and 5", "2-9 replicas" ("min 1 max 6" is read above; "from 3 to 5" is a change):
# (pattern, read in the raw text, where a dash is not a word character)
SIZE_RANGES = (
    (re.compile(rf"\bbetween\s+{_N}\s+and\s+{_N}\b"), False),
    (re.compile(r"(?<![\w.:/-])(\d+)\s*-\s*(\d+)\s+(?:nodes?|pods?|replicas?|instances?)\b"), True),
    (re.compile(rf"(?<!from )\b{_N}\s+to\s+{_N}\s+(?:nodes?|pods?|replicas?)\b"), False),
)


def _number(word: str) -> float:
    """A number as said: digits, or a number word ("twelve"); "a"/"an" is one."""
    if word in ("a", "an"):
        return 1.0
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else float(word)


def _size_bounds(text: str) -> dict:
    """{number: "min" | "max"} for the numbers the command says as an end of a size range."""
    lowered = text.lower()
    # words, with the punctuation that ends a clause kept as a word of its own: "to 4, max 9"
    # says no "4 max", and "minimum, 12" no "minimum 12"
    clauses = " ".join(re.findall(r"[a-z0-9]+|[,;.!?()]", lowered))
    out: dict = {}

    for pattern, raw in SIZE_RANGES:
        for low, high in pattern.findall(lowered if raw else clauses):
            out.setdefault(_number(low), "min")
            out.setdefault(_number(high), "max")
    for pattern, end in SIZE_BOUNDS + SIZE_BOUNDS_AFTER:
        for word in pattern.findall(clauses):
            out.setdefault(_number(word), end)
    # "let it go up to 30 pods" is a ceiling; "scale main up to 5 nodes" is a size
    for match in _UP_TO.finditer(clauses):
        before = clauses[:match.start()].split()[-4:]
        if not any(w in _RESIZE_VERBS for w in before):
            out.setdefault(_number(match.group(1)), "max")
    return out


# "double", "halve": a relative change with no number of its own.
MULTIPLIERS = {"double": "*2", "doubled": "*2", "twice": "*2", "triple": "*3", "tripled": "*3",
               "halve": "/2", "halved": "/2", "half": "/2"}
# A change by a share of what is there ("50% more disk", "grow it by 20 percent", "cut the
# workers by 25%"): resolved against the spec like the other relative forms (resolve_relative).
_PCT = r"(\d{1,3})\s*(?:%|percent|pct)"
PERCENT_PHRASES = (
    (_by(_MORE + "|boost|add|expand", _PCT), "+"),
    (re.compile(rf"{_PCT}\s+(?:more|extra|bigger|larger|higher)\b"), "+"),
    (_by(_LESS + "|cut|trim", _PCT), "-"),
    (re.compile(rf"{_PCT}\s+(?:less|fewer|smaller|lower)\b"), "-"),
)
# "another node": one more.
ANOTHER = re.compile(r"\banother\s+(?!\d|" + "|".join(NUMBER_WORDS) + r"\b)[a-z]")
# "add a replica", "adding an extra node": one more of what is counted.
ADD_ONE = re.compile(r"\badd(?:ing)?\s+an?\s+(?:new\s+|extra\s+|more\s+)?(?:replica|node|pod|instance|box|server"
                     r"|worker|host|machine|vm|copy|container)s?\b(?![\s-]+(?:group|pool|type|selector|affinity))")
# "drop a replica from X", "lose a node": one fewer
DROP_ONE = re.compile(r"\b(?:drop|remove|cut|lose|take\s+away)\s+an?\s+(?:replica|node|pod|instance|box|server"
                      r"|worker|host|machine|vm|container)\b(?![\s-]+(?:group|pool|type|selector|affinity))")


def check_command(command: str) -> str:
    """The command as agentops reads it (agentops.textnorm): blank, over-long, control or
    invisible characters and homoglyph disguises are refused with an InterpretError, and so is
    a secret typed into it (agentops.secrets), before any model, branch or memory sees it."""
    from agentops.secrets import refuse_in_command

    text = normalize_command(command)
    refuse_in_command(text)
    return text


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _swapped(word: str, vocab: dict[str, str]) -> str | None:
    """The stack a word names with two neighbouring letters swapped ("dve", "stgaing"): the
    commonest slip, and too short a word for a similarity ratio to tell."""
    for i in range(len(word) - 1):
        fixed = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if fixed != word and fixed in vocab:
            return vocab[fixed]
    return None


@dataclass
class CommandFacts:
    """What the command itself says, for guarding the model's output."""

    text: str
    words: list[str]
    numbers: set[float]
    stacks: list[str]
    destructive: bool
    injected: bool
    everything: bool = False  # "all", "every", "each": the command names a whole set
    # number said in a relative phrase -> its operator ("add three" -> {3: "+"}); and the
    # operator of a multiplier word ("halve" -> "/2"), under key None
    relative: dict = field(default_factory=dict)
    # (number, unit) pairs the command says ("4 days", "512 mb"), for keys in other units
    quantities: list = field(default_factory=list)
    # the names the command gives after "named" / "called", in order
    said_names: list = field(default_factory=list)
    # number said as an end of a size range -> "min" | "max" ("let it grow to 12" -> {12: "max"})
    bounds: dict = field(default_factory=dict)
    # numbers said as the value a change leaves behind ("min 6 -> 7", "30 min not 15",
    # "every 180 days instead of 90"): never a value to set
    old_values: set = field(default_factory=set)
    # deletes it asks for are of one rule's port only ("close port 22 on bastion-ssh"): a delete
    # that takes no port is not asked for
    rule_only: bool = False
    # stacks whose word is said only inside a resource's name ("clinic-dev", "dev-images"):
    # a stack the model writes for such a name is not overruled by it
    stacks_in_names: list = field(default_factory=list)

    @classmethod
    def of(cls, text: str, stacks: list[str], names: frozenset[str] | set[str] = frozenset()) -> "CommandFacts":
        """names: the resources' names; a stack's word said only inside one of them
        ("ravensmoor-apps keep 200 and dev-images keep 5") says no stack."""
        words = _words(text)
        vocab = {s: s for s in stacks} | {a: s for a, s in STACK_ALIASES.items() if s in stacks}
        mentioned: list[str] = []
        outside_names = re.sub(r"[a-z0-9][a-z0-9-]*", lambda m: " " if "-" in m.group() and m.group() in names
                               else m.group(), text.lower()) if names else text
        for w in _words(outside_names):
            hit = vocab.get(w) or _swapped(w, vocab) or next(
                iter(vocab[m] for m in difflib.get_close_matches(w, vocab, 1, 0.85) if len(w) >= 5), None
            )
            if hit and hit not in mentioned:
                mentioned.append(hit)
        in_names = [vocab[w] for w in dict.fromkeys(words) if w in vocab and vocab[w] not in mentioned]
        # standalone numbers only: the "1" inside "api:1.9.1" or "10.0.0.0/8" is not a count,
        # nor the account of "318224590671.dkr.ecr..." (a model copies it as replicas=)
        # ("8443/tcp" is a port with its protocol)
        numbers = {float(n) for n in re.findall(r"(?<![\w.:/-])\d+(?:\.\d+)?(?![\w:-]|/(?!(?:tcp|udp)\b)|\.\w)",
                                                text, re.IGNORECASE)}
        # ranges: "3-10 nodes" (but not the digits of "us-east-1" or "api-2")
        numbers |= {float(n) for pair in re.findall(r"(?<![\w.:/-])(\d+)-(\d+)(?![\w:/.-])", text) for n in pair}
        # ("the staging one too", "that one": a pronoun, not a count)
        numbers |= {float(NUMBER_WORDS[w]) for i, w in enumerate(words) if w in NUMBER_WORDS and not (
            w == "one" and i and (words[i - 1] in _ONE_AS_PRONOUN or (
                words[i - 1] in _STACKS and i > 1 and words[i - 2] in ("the", "this", "that"))))}
        # sizes typed with their unit: "20gb", "1tb"
        numbers |= {float(n) for n in re.findall(r"\b(\d+)(?:gb|gib|tb|tib|mb)\b", text.lower())}
        # thousands: "10k connections", "1.5k rps"
        numbers |= {float(n) * 1000 for n in re.findall(r"(?<![\w.:/-])(\d+(?:\.\d+)?)k\b", text.lower())}
        lowered = " ".join(words)
        destructive = _asks_to_delete(words, lowered)
        rule_only = not destructive and bool(CLOSE_PORT.search(lowered))
        everything = any(w in ("all", "every", "each", "both") for w in words)
        facts = cls(text, words, numbers, mentioned, destructive or rule_only, bool(INJECTION.search(text)),
                    everything)
        facts.rule_only = rule_only
        facts.stacks_in_names = in_names
        facts.relative = _relative_changes(" ".join(words), text.lower())
        facts.quantities = _quantities(text)
        facts.bounds = _size_bounds(text)
        facts.old_values = _old_values(text.lower())
        for was, now in re.findall(r"(?<![\w.])(\d+)\s*(?:->|=>|→)\s*(\d+)(?![\w.])", text):
            # "min 6 -> 7": the new value is of the end the old one is
            if float(was) in facts.bounds and float(now) not in facts.bounds:
                facts.bounds[float(now)] = facts.bounds[float(was)]
        facts.said_names = list(dict.fromkeys(
            m.lower() for m in re.findall(r"\b(?:named|called|(?:name|call)\s+it)\s+[\"'`]?([A-Za-z][A-Za-z0-9-]*)", text)))
        return facts

    def mentions(self, name: str, exact: bool = False) -> bool:
        """Whether the command names `name`: written out ("api-v2" as "api-v2", "api v2" or
        "apiv2"), or, unless `exact`, a one-word alphabetic name with a typo ("ordrs")."""
        parts = _words(name)
        joined = " ".join(self.words)
        if f" {' '.join(parts)} " in f" {joined} " or name.replace("-", "") in self.words:
            return True
        if len(parts) >= 2 and parts[-1].isalpha() and not parts[-1].endswith("s") \
                and f" {' '.join(parts)}s " in f" {joined} ":
            return True  # "the loadgen runners" for loadgen-runner: its words, the last a plural
        squeezed = name.replace("-", "")
        if len(squeezed) >= 6 and any("".join(self.words[i:i + n]) == squeezed
                                      for n in (2, 3, 4) for i in range(len(self.words) - n + 1)):
            return True  # "game server udp" for gameserver-udp: the name spaced otherwise
        if exact or len(name) < 4 or not name.replace("-", "").isalpha():
            # Names with digits are told apart by them ("cache1" and "cache2" are one letter
            # apart): a near miss is another resource, not a typo.
            return False
        if len(parts) == 1:
            return bool(difflib.get_close_matches(name, [w for w in self.words if w.isalpha()], 1, 0.8))
        # "substitutoins worker": one part of five letters or more said with a slip, the rest
        # as written
        for start in range(len(self.words) - len(parts) + 1):
            window = self.words[start:start + len(parts)]
            slips = [(p, w) for p, w in zip(parts, window) if p != w]
            if len(slips) == 1 and len(slips[0][0]) >= 5 and slips[0][1].isalpha() \
                    and difflib.SequenceMatcher(None, *slips[0]).ratio() >= 0.8:
                return True
        return False

    def mentions_loosely(self, name: str, typos: bool = True, kind_first: bool = False,
                         typed_wins: bool = True) -> bool:
        """Whether the command names `name` the way people say names: as written (mentions),
        with a part abbreviated in the name and said in full ("billing-svc" as "the billing
        service", "order-db" as "order database"), or without a generic last part that the
        next word says instead ("checkout-api" as "the checkout service")."""
        if self.mentions(name, exact=not typos):
            return True
        parts = _words(name)
        # (a name of one short part, "ev", is said as itself: not as the start of "evicting")
        for start in range(len(self.words) if len(parts) > 1 or len(parts[0]) > 2 else 0):
            if self._says_parts(parts, start):
                return True
        if len(parts) >= 2 and (parts[-1] in GENERIC_PARTS or parts[-1] in KIND_PART_WORDS):
            # "the checkout service" for checkout-api; "the transcode cluster" for transcode-eks
            head = parts[:-1]
            # ("the appointments redis" for appointments-cache: a generic part's kind's words too)
            said_for_last = ((GENERIC_PARTS | GENERIC_SAID) if parts[-1] in GENERIC_PARTS else set()) | set(
                KIND_PART_WORDS.get(parts[-1], ()))
            lowered = self.text.lower()
            for start in range(len(self.words) - len(head)):
                word = self.words[start + len(head)]
                if (self.words[start:start + len(head)] == head and word in said_for_last
                        # ("fares-api" typed as one name is that name, not fares-worker said
                        # with its generic part as another; a new resource's name may still
                        # be made of it: `typed_wins` False, "ingress for records-api" named
                        # records-ingress)
                        and not (typed_wins and re.search(rf"(?<![\w-]){re.escape('-'.join(head + [word]))}(?![\w-])", lowered))):
                    return True
            if kind_first and parts[-1] in KIND_PART_WORDS:
                # "an hpa for timetable api", "the budget on the parent portal": the kind's
                # word first, then what it is for (asked for where an existing resource is
                # looked for: a new one "for" something is not the one there)
                for start, word in enumerate(self.words):
                    if word not in said_for_last:
                        continue
                    rest = self.words[start + 1:start + 3]
                    if rest[:1] and rest[0] in ("for", "on", "of"):
                        after = start + 2 + (rest[1:] == ["the"])
                        if self.words[after:after + len(head)] == head:
                            return True
        if len(parts) >= 3 and any(p in GENERIC_PARTS for p in parts[1:-1]):
            # a generic middle part left out ("the search hpa" for search-svc-hpa, "the
            # checkout autoscaler" for checkout-api-hpa), or some said and some not ("the
            # driver app hpa" for driver-app-api-hpa): the rest said in order, the last part as
            # itself or the word it stands for
            last = {parts[-1], *KIND_PART_WORDS.get(parts[-1], ())}

            def says(i: int, rest: list[str]) -> bool:
                if not rest:
                    return i < len(self.words) and self.words[i] in last
                if i < len(self.words) and self.words[i] == rest[0] and says(i + 1, rest[1:]):
                    return True
                return rest[0] in GENERIC_PARTS and says(i, rest[1:])

            for start in range(len(self.words)):
                if self.words[start] == parts[0] and says(start + 1, parts[1:-1]):
                    return True
        return False

    def _says_parts(self, parts: list[str], start: int) -> bool:
        """Whether the words from `start` say `parts` in order, each part as its word or an
        abbreviation of it, or a short part as the initials of as many words ("arena-gs" as
        "arena game servers")."""
        if not parts:
            return True
        if start >= len(self.words):
            return False
        part, word = parts[0], self.words[start]
        # (a plural part said in the singular: "the sandbox image registry"; not "ad" for ads)
        if (_abbreviates(part, word) or (part == word + "s" and len(word) >= 4)) \
                and self._says_parts(parts[1:], start + 1):
            return True
        said = self.words[start:start + len(part)]
        if not (2 <= len(part) <= 3 and part.isalpha() and len(said) == len(part)
                and "".join(w[0] for w in said) == part):
            return False
        # ("dtn-nodes" as "the data transfer nodes": the initials' last word is the next part)
        return self._says_parts(parts[1:], start + len(part)) or (
            len(parts) > 1 and _abbreviates(parts[1], said[-1]) and self._says_parts(parts[2:], start + len(part)))

    def says_number(self, key: str, value: float) -> bool:
        """Whether the command says `value` for `key`: as a number, or as a quantity in another
        unit that converts to the key's ("4 days" for retention_seconds=345600, "2 GB" for
        memory_mb=2048)."""
        if float(value) in self.numbers:
            return True
        unit = _key_unit(key)
        if unit is None:
            return False
        for number, said in self.quantities:
            factor = UNIT_FACTORS.get((said, unit))
            if factor is not None and abs(number * factor - float(value)) < 1e-6:
                return True
        return False


# Last parts of names that say what a thing is rather than which ("checkout-api"), and the
# words people say in their place ("the checkout service").
GENERIC_PARTS = frozenset({"api", "svc", "service", "app", "srv", "server", "worker", "workers",
                           "db", "queue", "q", "topic", "fn", "func", "function", "bucket",
                           "cache", "table", "cluster", "job", "cron", "role", "key", "secret",
                           "lb", "alb", "ingress", "dns", "repo", "registry"})
GENERIC_SAID = frozenset({"deployment", "database", "queue", "function", "lambda", "bucket",
                          "cache", "table", "cluster", "service", "app", "job", "cronjob",
                          "role", "key", "secret", "balancer", "ingress", "record", "repo",
                          "repository", "registry", "topic", "instance", "server", "worker",
                          # what people call machines ("2 more transcode boxes" for transcode-workers)
                          "instances", "servers", "workers", "box", "boxes", "vm", "vms", "machine",
                          "machines"})


# Last parts of names that stand for a kind, and the words people say for them ("the
# checkout autoscaler" for checkout-svc-hpa).
KIND_PART_WORDS = {"hpa": ("autoscaler", "hpa"), "pdb": ("pdb", "budget"), "sg": ("sg", "group", "firewall"),
                   "nlb": ("nlb", "lb", "balancer"), "alb": ("alb", "lb", "balancer"),
                   "ing": ("ingress",), "dns": ("dns", "record"), "record": ("record", "dns"),
                   "q": ("queue",), "dlq": ("dlq",), "cache": ("cache", "redis", "valkey", "elasticache"), "config": ("config", "configmap"),
                   "eks": ("cluster", "eks"), "k8s": ("cluster",), "db": ("db", "database", "postgres", "mysql", "rds"),
                   "pg": ("db", "database", "postgres"), "ns": ("namespace", "ns"), "vpc": ("vpc", "network"),
                   "vol": ("volume", "disk"), "tbl": ("table",), "fn": ("function", "lambda"),
                   "lambda": ("lambda", "function"), "role": ("role",), "key": ("key",), "topic": ("topic",),
                   "cron": ("cron", "job", "cronjob"), "job": ("job", "cron")}


_ONE_AS_PRONOUN = frozenset({"the", "this", "that", "which", "each", "every", "any", "another", "other",
                             "same", "new", "old", "current", "existing", "last", "first", "no"})
_STACKS = frozenset({"dev", "staging", "prod", "qa", "test", "sandbox", "uat"}) | frozenset(STACK_ALIASES.values())


def _abbreviates(part: str, word: str) -> bool:
    """"svc" for "service", "db" for "database", "prod" for "production": a name part that is
    the word, or its first letter followed by a subsequence of the rest, where the part is
    the word's beginning ("prod", "notif") or drops its vowels ("svc", "mgmt"): "core" is a
    word of its own, not "courier" shortened."""
    if part == word:
        return True
    stack = STACK_ALIASES.get(word, word)
    if stack in _STACKS:
        # "staging" abbreviates only a stack's own short names ("stg"), never another part
        # ("fares db staging" does not say fares-db-sg)
        return STACK_ALIASES.get(part, part) == stack
    # Names with digits are told apart by them ("a00" is not "a000"): never abbreviations.
    if len(part) < 2 or len(part) >= len(word) or part[0] != word[0] or not (part + word).isalpha():
        return False
    if not word.startswith(part) and re.search(r"[aeiou]", part[1:]):
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in part[1:])


# Key suffix -> the unit its value is in; (unit said, key unit) -> factor.
KEY_UNITS = {"_seconds": "s", "_mb": "mb", "_gb": "gb", "_days": "d", "_hours": "h", "ttl": "s"}


def _key_unit(key: str) -> str | None:
    """The unit a key's value is in, by its suffix (retention_seconds: s), or None."""
    return next((u for suffix, u in KEY_UNITS.items() if key.endswith(suffix)), None)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
UNIT_FACTORS = {
    **{(a, "s"): f for a, f in _SECONDS.items()},
    **{(a, "ms"): f * 1000 for a, f in _SECONDS.items()}, ("ms", "ms"): 1,
    **{(a, "d"): f / 86400 for a, f in _SECONDS.items() if f >= 86400},
    **{(a, "h"): f / 3600 for a, f in _SECONDS.items() if f >= 3600},
    ("gb", "mb"): 1024, ("mb", "mb"): 1, ("tb", "mb"): 1024 * 1024,
    ("tb", "gb"): 1024, ("gb", "gb"): 1,
}
_UNIT_WORDS = {
    "ms": ("ms", "msec", "msecs", "millisecond", "milliseconds"),
    "s": ("s", "sec", "secs", "second", "seconds"), "m": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"), "d": ("d", "day", "days"),
    "w": ("wk", "wks", "week", "weeks"), "y": ("yr", "yrs", "year", "years"),
    "mb": ("mb", "mib", "mi", "megabytes", "meg", "megs"),
    "gb": ("g", "gb", "gib", "gi", "gigabyte", "gigabytes", "gig", "gigs"),
    "tb": ("tb", "tib", "ti", "terabyte", "tera", "teras", "terabytes"),
}
# Which units convert into one another: a key in seconds takes a time said in any unit.
_DIMENSION = {**{u: "time" for u in ("ms", "s", "m", "h", "d", "w", "y")},
              **{u: "size" for u in ("mb", "gb", "tb")}}
_UNIT_OF = {w: u for u, words in _UNIT_WORDS.items() for w in words}
# A lookahead, so that matches may overlap: in "a one day timeout", "a one" must not hide
# "one day".
# A number said as a word ends at a word boundary: "an hour" is not "a" of "n hour".
_QUANTITY = re.compile(r"(?=(?<![0-9.])\b(\d+(?:\.\d+)?|(?:" + "|".join(NUMBER_WORDS)
                       # ("one more day", "2 extra gigs": the unit after the word of more)
                       + r"|an|a)\b)\s*-?\s*(?:(?:more|extra|additional)\s+)?([a-z]+)\b)")


def _quantities(text: str) -> list[tuple[float, str]]:
    return [(value, unit) for _, _, value, unit in _quantity_spans(text.lower())]


_NU = rf"{_N}(?:\s*(?:%|[a-z]+))?"  # a number and its unit word, if any
OLD_VALUE_PHRASES = (  # (pattern, which group is the old value)
    (re.compile(rf"\bfrom\s+{_NU}\s+to\s+{_N}\b"), 1),
    (re.compile(rf"\b{_NU}\s*(?:->|=>|\u2192)\s*{_N}\b"), 1),
    (re.compile(rf"\b{_NU}[,]?\s+not\s+{_N}\b"), 2),
    (re.compile(rf"\binstead\s+of\s+(?:the\s+|keeping\s+)?{_N}\b"), 1),
    # "only keeps 10, make it 25", "is at 4 now, set it to 6": what it is, then the new value
    (re.compile(rf"\b(?:keeps|has|is\s+at|is\s+on|sits\s+at|runs)\s+{_NU}(?:\s+now)?[,;.]?\s+"
                rf"(?:so\s+|pls\s+|please\s+)?(?:make|set|bump|raise|change|take|move)\s+it\s+(?:to\s+)?{_N}\b"), 1),
)


def _old_values(lowered: str) -> set[float]:
    """The numbers a command says as what a value was ("6 -> 7": 6), less any it also says as
    a new value."""
    old, new = set(), set()
    for pattern, group in OLD_VALUE_PHRASES:
        for m in pattern.finditer(lowered):
            words = [g for g in m.groups() if g is not None]
            value = words[group - 1]
            old.add(_number(value))
            for other in words[:group - 1] + words[group:]:
                new.add(_number(other))
    return old - new


# "the double offers": a factor's word after a determiner is a word of what, not a change
FACTOR_OF_WHAT = re.compile(r"\b(?:the|a|an|those|these)\s+(?:double|triple)\b"
                            # "give it half a gig", "half an hour": a quantity, not a factor
                            r"|\bhalf\s+an?\s+(?:gigs?|gb|gib|gigabytes?|teras?|tb|terabytes?|megs?|mb|hours?|days?"
                            r"|minutes?|mins?)\b")
# what "twice" multiplies when it is a factor ("twice the memory", "twice as many pods", "make it
# twice its size"); after a verb it says how often something happened
_TWICE_OF = {"the", "as", "its", "their", "our", "that", "this", "what", "current", "today's", "now"}


def factors_said(lowered: str, raw: str | None = None) -> list[str]:
    """The multipliers ("*2", "/2") of the factor words a command says, in order ("double a
    and halve b": *2, /2); none for a word of a compound, a share of something else, how often
    something happened or a word of what."""
    raw = raw if raw is not None else lowered
    out = []
    words = lowered.split()
    hyphenated = set(re.findall(r"\b([a-z]+)-[a-z]", raw))
    for i, word in enumerate(words):
        if word not in MULTIPLIERS and len(word) >= 5:
            # "dobule the ocr workers": a factor's word with two letters swapped
            word = next((m for m in MULTIPLIERS if len(m) == len(word) and sorted(m) == sorted(word)
                         and sum(a != b for a, b in zip(m, word)) == 2), word)
        if word in hyphenated and not re.search(rf"\b{word}(?!-)\b", raw):
            continue  # "the double-booked rooms bug": a word of a compound, not a change
        if word == "half" and (i == 0 or words[i - 1] not in ("in", "by", "to")):
            continue  # "half the stores close early": a share of something else, not "in half"
        if word == "twice" and (i + 1 == len(words) or words[i + 1].strip(",.;:!?") not in _TWICE_OF):
            continue  # "they get processed twice", "hit twice this week": how often, not a factor
        if FACTOR_OF_WHAT.fullmatch(" ".join(words[max(0, i - 1):i + 1])):
            continue  # "while we fix the double offers": a word of what, not a change by a factor
        if word in MULTIPLIERS:
            out.append(MULTIPLIERS[word])
    return out


def _relative_changes(lowered: str, raw: str | None = None) -> dict:
    """{number: "+" | "-"} for the numbers said in relative phrases, and {None: "*2"} etc. for
    a multiplier word ({None: "+50%"} for a share: "50% more disk", read in `raw`, the text
    with its signs); {1: "+"} for "another <thing>"."""
    out: dict = {}
    raw = raw if raw is not None else lowered
    for pattern, op in RELATIVE_PHRASES:
        for word in pattern.findall(lowered):
            out[_number(word)] = op
    if ANOTHER.search(lowered) or ADD_ONE.search(lowered):
        out.setdefault(1.0, "+")
    if DROP_ONE.search(lowered):
        out.setdefault(1.0, "-")
    # a number written with its sign ("+4 nodes on transcode-eks", "replicas -2"); not a range's
    # dash ("3-5"), a name's ("us-east-1") or a flag's ("-n 5")
    for sign, number in re.findall(r"(?:^|(?<=[\s(,:]))([+-])(\d+)(?![\w.%])", raw):
        out.setdefault(float(number), sign)
    # "rotate it twice as often", "half as often": a frequency said of a period (every N
    # days), which changes the other way
    often = re.search(r"\b(twice|double|two times|three times|triple|half)\s+as\s+(?:often|frequently)\b", lowered)
    if often:
        out[None] = {"twice": "/2", "double": "/2", "two times": "/2", "three times": "/3",
                     "triple": "/3", "half": "*2"}[often.group(1)]
        return out
    factors = factors_said(lowered, raw)
    if factors:
        out[None] = factors[0]
    if None not in out:
        # "patch origin pods x2", "2x the workers"; "50% more disk", "cut it by 25 percent"
        times = re.search(r"(?<![\w.])(?:x([2-4])|([2-4])x)(?![\w.])", lowered)
        if times:
            out[None] = "*" + (times.group(1) or times.group(2))
        else:
            for pattern, op in PERCENT_PHRASES:
                m = pattern.search(raw)
                if m:
                    out[None] = f"{op}{int(_number(m.group(1)))}%"
                    out.pop(_number(m.group(1)), None)  # "50 more" read from "50% more": the share
                    break
    return out


def _quantity_spans(lowered: str) -> list[tuple[int, int, float, str]]:
    """(start, end, number, unit) of each quantity the command says ("4 days", "2gb")."""
    out = []
    for m in _QUANTITY.finditer(lowered):
        number, unit = m.group(1), m.group(2)
        if unit in _UNIT_OF:
            value = _number(number)
            if number in ("a", "an") and re.search(r"\bhalf\s+$", lowered[:m.start()]):
                value = 0.5  # "half a tera"
            said = re.match(rf"{re.escape(number)}\s*-?\s*{re.escape(unit)}", lowered[m.start():])
            out.append((m.start(), m.start() + (said.end() if said else len(number) + len(unit)),
                        value, _UNIT_OF[unit]))
    return out
