"""Command -> ActionPlan, by the local model under a grammar.

The model writes only the typed actions (agentops.planline), prompted with the repository's
stacks and resource names and with few-shot examples chosen for this command. Deterministic
code then guards what it wrote against the command and the specs: values the command never
mentioned are dropped, names must exist, a delete needs a delete verb, and the sentences and
the risk are composed from the typed actions.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field

from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.config import load_config
from agentops.errors import InterpretError
from agentops.spec import SECTIONS, STACK_ALIASES, StackSpec, Workspace
from agentops.textnorm import MAX_COMMAND_CHARS, normalize_command  # noqa: F401 - public
# "one m5.xlarge instance", "two replicas": numbers the model may write as digits.
from agentops.planline import enum_values, is_enum
from agentops.textnorm import NUMBER_WORDS
N_MEMORIES = 2
# what the examples (curated and remembered) and the command usually add to the prompt's
# listing, for sizing the model's context before they are chosen (a longer prompt reloads it)
SHOTS_BYTES = 2000

DELETE_WORDS = {"delete", "remove", "destroy", "drop", "decommission", "deprovision",
                "terminate", "teardown", "purge", "wipe", "nuke", "erase", "demolish"}
DELETE_PHRASES = ("tear down", "get rid of", "take down", "shut down")
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
_LESS = r"down|decrease[ds]?|reduce[ds]?|lower(?:ed)?|shrink"


def _by(verbs: str, amount: str) -> re.Pattern:
    """"<verb> [up to three words] by <amount>" ("bump the memory by 50%")."""
    return re.compile(rf"\b(?:{verbs})\s+(?:[a-z]+\s+){{0,3}}?by\s+{amount}")


RELATIVE_PHRASES = (
    (re.compile(rf"\b(?:add|adding|plus|another|additional|extra)\s+{_N}\b"), "+"),
    (re.compile(rf"\b{_N}\s+(?:more|extra|additional)\b"), "+"),
    (_by(_MORE, rf"{_N}\b"), "+"),
    (re.compile(rf"\b{_N}\s+(?:[a-z]+\s+)?(?:fewer|less)\b"), "-"),
    (re.compile(rf"\b(?:remove|drop|cut|minus|subtract)\s+{_N}\b"), "-"),
    (_by(_LESS, rf"{_N}\b"), "-"),
)
# Sizes said as one end of a range ("let it grow to 12", "never fewer than 2 nodes", "max
# 20", "raise its floor to 6", "between 2 and 5"): which end each number is. A kind with a
# size range (min_size and max_size on separate fields: clusters, autoscalers) takes the
# number under that end, whatever key the model wrote it under (fit_to_kind).
_UPPER = (r"max(?:imum)?|upto|at\s+most"
          r"|no\s+more\s+than|cap(?:ped)?(?:\s+it)?(?:\s+at)?|ceiling(?:\s+of|\s+at)?|grow\s+to"
          r"|reach|top\s+out\s+at|peak\s+(?:of|at)")
_LOWER = (r"min(?:imum)?|at\s+least|no\s+(?:fewer|less)\s+than|never\s+(?:fewer|less)\s+than"
          r"|(?:never|not)\s+(?:\w+\s+)?below|floor(?:\s+of|\s+at)?|keep\s+at\s+least")
_SIZE_WORD = r"(?:size|count|nodes?|pods?|replicas?)"
SIZE_BOUNDS = (
    # an end word, then (after a few words: "raise the max size of the cluster to 20") the number
    (re.compile(rf"\b(?:max(?:imum)?|ceiling|cap)\b(?:\s+[a-z]+){{0,6}}?\s+(?:to|=|at|of)\s+{_N}\b"), "max"),
    (re.compile(rf"\b(?:min(?:imum)?|floor)\b(?:\s+[a-z]+){{0,6}}?\s+(?:to|=|at|of)\s+{_N}\b"), "min"),
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

    @classmethod
    def of(cls, text: str, stacks: list[str]) -> "CommandFacts":
        words = _words(text)
        vocab = {s: s for s in stacks} | {a: s for a, s in STACK_ALIASES.items() if s in stacks}
        mentioned: list[str] = []
        for w in words:
            hit = vocab.get(w) or _swapped(w, vocab) or next(
                iter(vocab[m] for m in difflib.get_close_matches(w, vocab, 1, 0.85) if len(w) >= 5), None
            )
            if hit and hit not in mentioned:
                mentioned.append(hit)
        # standalone numbers only: the "1" inside "api:1.9.1" or "10.0.0.0/8" is not a count
        numbers = {float(n) for n in re.findall(r"(?<![\w.:/-])\d+(?:\.\d+)?(?![\w:/-]|\.\d)", text)}
        # ranges: "3-10 nodes" (but not the digits of "us-east-1" or "api-2")
        numbers |= {float(n) for pair in re.findall(r"(?<![\w.:/-])(\d+)-(\d+)(?![\w:/.-])", text) for n in pair}
        numbers |= {float(NUMBER_WORDS[w]) for w in words if w in NUMBER_WORDS}
        # sizes typed with their unit: "20gb", "1tb"
        numbers |= {float(n) for n in re.findall(r"\b(\d+)(?:gb|gib|tb|tib|mb)\b", text.lower())}
        lowered = " ".join(words)
        destructive = any(
            w in DELETE_WORDS or difflib.get_close_matches(w, DELETE_WORDS, 1, 0.85) for w in words
        ) or any(p in lowered for p in DELETE_PHRASES)
        everything = any(w in ("all", "every", "each", "both") for w in words)
        facts = cls(text, words, numbers, mentioned, destructive, bool(INJECTION.search(text)), everything)
        facts.relative = _relative_changes(" ".join(words), text.lower())
        facts.quantities = _quantities(text)
        facts.bounds = _size_bounds(text)
        facts.old_values = _old_values(text.lower())
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

    def mentions_loosely(self, name: str, typos: bool = True) -> bool:
        """Whether the command names `name` the way people say names: as written (mentions),
        with a part abbreviated in the name and said in full ("billing-svc" as "the billing
        service", "order-db" as "order database"), or without a generic last part that the
        next word says instead ("checkout-api" as "the checkout service")."""
        if self.mentions(name, exact=not typos):
            return True
        parts = _words(name)
        for start in range(len(self.words)):
            window = self.words[start:start + len(parts)]
            if len(window) == len(parts) and all(_abbreviates(p, w) for p, w in zip(parts, window)):
                return True
        if len(parts) >= 2 and (parts[-1] in GENERIC_PARTS or parts[-1] in KIND_PART_WORDS):
            # "the checkout service" for checkout-api; "the transcode cluster" for transcode-eks
            head = parts[:-1]
            said_for_last = (GENERIC_PARTS | GENERIC_SAID) if parts[-1] in GENERIC_PARTS else set(
                KIND_PART_WORDS[parts[-1]])
            for start in range(len(self.words) - len(head)):
                if (self.words[start:start + len(head)] == head
                        and self.words[start + len(head)] in said_for_last):
                    return True
        if len(parts) >= 3 and any(p in GENERIC_PARTS for p in parts[1:-1]):
            # a generic middle part left out ("the search hpa" for search-svc-hpa, "the
            # checkout autoscaler" for checkout-api-hpa): the rest said in order, the last
            # part as itself or the word it stands for
            kept = [parts[0]] + [p for p in parts[1:-1] if p not in GENERIC_PARTS]
            last = {parts[-1], *KIND_PART_WORDS.get(parts[-1], ())}
            for start in range(len(self.words) - len(kept)):
                if self.words[start:start + len(kept)] == kept and self.words[start + len(kept)] in last:
                    return True
        return False

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
                          "repository", "registry", "topic", "instance", "server", "worker"})


# Last parts of names that stand for a kind, and the words people say for them ("the
# checkout autoscaler" for checkout-svc-hpa).
KIND_PART_WORDS = {"hpa": ("autoscaler", "hpa"), "pdb": ("pdb", "budget"), "sg": ("sg", "group", "firewall"),
                   "nlb": ("nlb", "lb", "balancer"), "alb": ("alb", "lb", "balancer"),
                   "ing": ("ingress",), "dns": ("dns", "record"), "record": ("record", "dns"),
                   "q": ("queue",), "dlq": ("dlq",), "cache": ("cache",), "config": ("config", "configmap"),
                   "eks": ("cluster", "eks"), "k8s": ("cluster",), "db": ("db", "database"),
                   "pg": ("db", "database", "postgres"), "ns": ("namespace", "ns"), "vpc": ("vpc", "network"),
                   "vol": ("volume", "disk"), "tbl": ("table",), "fn": ("function", "lambda"),
                   "lambda": ("lambda", "function"), "role": ("role",), "key": ("key",), "topic": ("topic",),
                   "cron": ("cron", "job", "cronjob"), "job": ("job", "cron")}


def _abbreviates(part: str, word: str) -> bool:
    """"svc" for "service", "db" for "database", "prod" for "production": a name part that is
    the word, or its first letter followed by a subsequence of the rest, where the part is
    the word's beginning ("prod", "notif") or drops its vowels ("svc", "mgmt"): "core" is a
    word of its own, not "courier" shortened."""
    if part == word:
        return True
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
    "mb": ("mb", "mib", "megabytes", "meg", "megs"),
    "gb": ("g", "gb", "gib", "gigabytes", "gig", "gigs"), "tb": ("tb", "tib", "terabytes"),
}
# Which units convert into one another: a key in seconds takes a time said in any unit.
_DIMENSION = {**{u: "time" for u in ("ms", "s", "m", "h", "d", "w", "y")},
              **{u: "size" for u in ("mb", "gb", "tb")}}
_UNIT_OF = {w: u for u, words in _UNIT_WORDS.items() for w in words}
# A lookahead, so that matches may overlap: in "a one day timeout", "a one" must not hide
# "one day".
_QUANTITY = re.compile(r"(?=(?<![0-9.])\b(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r"|a|an)\s*-?\s*([a-z]+)\b)")


def _quantities(text: str) -> list[tuple[float, str]]:
    return [(value, unit) for _, _, value, unit in _quantity_spans(text.lower())]


_NU = rf"{_N}(?:\s*(?:%|[a-z]+))?"  # a number and its unit word, if any
OLD_VALUE_PHRASES = (  # (pattern, which group is the old value)
    (re.compile(rf"\bfrom\s+{_NU}\s+to\s+{_N}\b"), 1),
    (re.compile(rf"\b{_NU}\s*(?:->|=>|\u2192)\s*{_N}\b"), 1),
    (re.compile(rf"\b{_NU}[,]?\s+not\s+{_N}\b"), 2),
    (re.compile(rf"\binstead\s+of\s+(?:the\s+|keeping\s+)?{_N}\b"), 1),
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


def _relative_changes(lowered: str, raw: str | None = None) -> dict:
    """{number: "+" | "-"} for the numbers said in relative phrases, and {None: "*2"} etc. for
    a multiplier word ({None: "+50%"} for a share: "50% more disk", read in `raw`, the text
    with its signs); {1: "+"} for "another <thing>"."""
    out: dict = {}
    raw = raw if raw is not None else lowered
    for pattern, op in RELATIVE_PHRASES:
        for word in pattern.findall(lowered):
            out[_number(word)] = op
    if ANOTHER.search(lowered):
        out.setdefault(1.0, "+")
    # a number written with its sign ("+4 nodes on transcode-eks", "replicas -2"); not a range's
    # dash ("3-5"), a name's ("us-east-1") or a flag's ("-n 5")
    for sign, number in re.findall(r"(?:^|(?<=[\s(,:]))([+-])(\d+)(?![\w.%])", raw):
        out.setdefault(float(number), sign)
    words = lowered.split()
    for i, word in enumerate(words):
        if word == "half" and (i == 0 or words[i - 1] not in ("in", "by", "to")):
            continue  # "half the stores close early": a share of something else, not "in half"
        if word in MULTIPLIERS:
            out[None] = MULTIPLIERS[word]
            break
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


@dataclass
class Interpretation:
    plan: ActionPlan
    raw: str
    examples: list[str] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0


def _start_loading(model, n_ctx: int) -> None:
    """Load the model file in a thread: llama.cpp reads it with the GIL released, so the
    Python imports that follow (outlines, lancedb) overlap it. An error is raised again, in
    the caller's thread, by the next load_llama."""
    import threading

    from agentops.model import load_llama

    def load() -> None:
        try:
            load_llama(model, n_ctx=n_ctx)
        except Exception:  # noqa: BLE001 - reported by the caller's own load_llama
            pass

    threading.Thread(target=load, name="agentops-model-load", daemon=True).start()


@dataclass
class WrittenPlan:
    """What a plan writer produced for one command: the plan line, before any guard."""

    text: str
    tokens: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)


class PlanWriter:
    """Writes the plan line (agentops.planline) for a command.

    The local model is the implementation agentops ships (ModelPlanWriter); the seam exists so
    that everything around the model (the guard, composition, risk, proposals) runs the same
    way with any writer, e.g. a scripted one in tests. A writer's output is never trusted:
    it is parsed against the typed Action models and guarded against the command and specs.
    """

    #: the sentence embedder the writer uses, when it has one (memory reuses it)
    embedder = None

    def write(self, text: str, specs: dict[str, StackSpec], workspace: Workspace,
              model_setting: str | None) -> WrittenPlan:
        raise NotImplementedError


class ModelPlanWriter(PlanWriter):
    """The local GGUF model under the plan-line grammar, prompted with the repository's stacks
    and names and with few-shot examples (curated and from memory) chosen for the command.
    Cheap to construct; the model, grammar index and example index load on first use."""

    def __init__(self, model_path: str | None = None, use_memory: bool = True):
        self.model_path = model_path
        self.use_memory = use_memory
        self._model = None
        self._generators: dict[str, object] = {}
        self._examples = None

    @property
    def embedder(self):
        """The sentence embedder in use (None before the first command)."""
        return self._examples.embedder if self._examples is not None else None

    def write(self, text: str, specs: dict[str, StackSpec], workspace: Workspace,
              model_setting: str | None) -> WrittenPlan:
        model = self._resolve(model_setting)

        from agentops.generate import ConstrainedGenerator
        from agentops.planline import MAX_TOKENS, grammar

        from agentops.model import context_for

        regex = grammar(list(specs), workspace.kinds)
        resources = listing(specs)
        prefix = prompt_prefix(resources)
        # the examples and the command are not chosen yet: room for them, counted generously
        n_ctx = context_for(len(prefix.encode("utf-8")) + SHOTS_BYTES, MAX_TOKENS)
        if not self._generators:
            _start_loading(model, n_ctx)
            self._example_index().table  # lancedb's import and the table, meanwhile
        if regex not in self._generators:
            self._generators[regex] = ConstrainedGenerator(model, regex, n_ctx)
        generator = self._generators[regex]
        shots = self._shots(text, workspace)
        prompt = build_prompt(resources, shots, text)
        result = generator(prompt, max_tokens=MAX_TOKENS, prefix=prefix)
        return WrittenPlan(result.text, result.tokens, result.seconds, [c for c, _ in shots])

    def _resolve(self, configured: str | None):
        if self._model is None:
            from agentops.model import resolve_model

            self._model = resolve_model(self.model_path, configured)
        return self._model

    def _example_index(self):
        from agentops.examples import ExampleIndex

        if self._examples is None:
            self._examples = ExampleIndex(self._model)
        return self._examples

    def _shots(self, text: str, workspace: Workspace) -> list[tuple[str, str]]:
        from agentops.adapter import ADAPTER_SHOTS, PLAIN_SHOTS

        n_examples = ADAPTER_SHOTS if self._model.adapter else PLAIN_SHOTS
        vector = self._example_index().embedder(text)
        shots = [(e.command, e.plan) for e in self._examples.similar(vector, n_examples, text)]
        if self.use_memory:
            from agentops.memory import Memory

            try:
                memory = Memory(workspace.root, self._examples.embedder)
                memory.embed_candidates()  # learned from history, not yet embedded
                # merged and reviewer-corrected commands only, corrections first
                past = memory.examples_for(text, N_MEMORIES, vector=vector)
            except Exception as exc:  # noqa: BLE001 - memory improves answers; it is not needed for one
                print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
                past = []
            # First in the list = last in the prompt, nearest the command (build_prompt): the
            # repository's own corrections outrank the curated examples.
            shots = [(e.command, e.plan) for e in past] + shots
        return shots


class Interpreter:
    """Command -> guarded ActionPlan. `writer` writes the plan line (default: the local model,
    ModelPlanWriter); the checks before it and the guard after it are the same for any writer."""

    def __init__(self, model_path: str | None = None, use_memory: bool = True,
                 writer: PlanWriter | None = None):
        self.writer = writer or ModelPlanWriter(model_path, use_memory)
        self.use_memory = use_memory

    @property
    def embedder(self):
        """The writer's sentence embedder (None before the first command, or without one)."""
        return self.writer.embedder

    def interpret(self, command: str, workspace: Workspace, stack: str | None = None) -> ActionPlan:
        return self.run(command, workspace, stack).plan

    def run(self, command: str, workspace: Workspace, stack: str | None = None) -> Interpretation:
        text = check_command(command)
        if self.use_memory:
            from agentops.learn import refresh

            refresh(workspace.root)  # outcomes of earlier proposals (cheap when nothing moved)
        config = load_config(workspace.root)
        default_stack = workspace.resolve_stack(stack) if stack else None
        specs = workspace.load_all()
        # A kind the repository does not have is refused by name before the model runs.
        _refuse_unknown_kinds(text, workspace, specs)
        facts = CommandFacts.of(text, list(specs))
        written = self.writer.write(text, specs, workspace, config.model)

        from agentops.planline import parse

        try:
            actions = parse(written.text, workspace.kinds)
        except ValueError as exc:  # the grammar should make this impossible
            raise InterpretError(f"the model's plan is not valid: {exc}: {written.text!r}") from None
        warnings: list[str] = []
        actions = guard(actions, facts, specs, default_stack, warnings,
                        _name_prefixes(workspace) if self.use_memory else (), workspace.kinds)
        hold_to_named_kinds(actions, text, workspace.kinds,
                            [n for spec in specs.values() for n in spec.names()])
        if self.use_memory:
            actions = apply_naming_conventions(actions, facts, _conventions(workspace), warnings)
        plan = compose(text, actions, specs, warnings)
        if self.use_memory:
            plan.warnings.extend(_cautions(plan, workspace))
        from agentops.risk import apply_risk

        return Interpretation(apply_risk(plan, config), written.text.strip(),
                              written.examples, written.tokens, written.seconds)


def apply_naming_conventions(actions: list[Action], facts: CommandFacts, conventions,
                             warnings: list[str]) -> list[Action]:
    """A new resource gets the name prefix reviewers kept adding to its type (learned from
    their corrections, Memory.naming_conventions), unless the command spells the name out
    with it. Said in a warning, with the evidence; only for creates (nothing existing is
    ever renamed or targeted by a convention)."""
    out = []
    for action in actions:
        conv = next((c for c in conventions if c.resource == action.resource.value), None)
        if (conv and action.type == ActionType.create and action.name
                and not action.name.startswith(conv.prefix)):
            name = conv.prefix + action.name
            warnings.append(
                f"named {name}, not {action.name}: reviewers added the prefix {conv.prefix!r} to "
                f"new {action.resource.value} names in {len(conv.evidence)} merged changes "
                f"(last: {conv.evidence[-1][:7]}); change it in review if this one should differ")
            action = action.model_copy(update={"name": name})
        out.append(action)
    return out


def _conventions(workspace: Workspace):
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).naming_conventions()
    except Exception as exc:  # noqa: BLE001 - conventions help; they are not needed
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []


def _name_prefixes(workspace: Workspace) -> list[str]:
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).name_prefixes()
    except Exception as exc:  # noqa: BLE001 - conventions help; they are not needed
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []


def _cautions(plan: ActionPlan, workspace: Workspace) -> list[str]:
    """"a similar change was reverted on DATE in SHA: reason" for a plan close to a change
    that history says was reverted or rejected."""
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).cautions(plan)
    except Exception as exc:  # noqa: BLE001 - a warning source, never a failure
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []


def hold_to_named_kinds(actions: list[Action], text: str, registry, names: list[str]) -> None:
    """Raise when a create makes a kind other than the one the command names ("a volume" written
    as a bucket, "a security group" as an instance): the model's nearest kind is a confident
    wrong answer. Only the command's own words count (agentops.kinds.kinds_named; names of
    existing resources are not read as kinds); a command that names no kind is not held."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError, kinds_named

    named = kinds_named(text, [k for k in registry if k.interpreted], names)
    if not named:
        return
    lowered = f" {' '.join(_words(text))} "
    made: dict[int, object] = {}
    for i, action in enumerate(actions):
        if action.type == ActionType.create:
            try:
                made[i] = create_kind(action, action.parameters.set_values(), registry)
            except EditError:
                pass  # no kind to compare: the edit refuses it with its own message
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
    taken_keys = {key for i, kind in made.items() for key in kind.fields_for("create")
                  if key in actions[i].parameters.set_values()}
    for kind in named:
        found = {w for w in (*kind.words, *kind.kind_values, kind.noun) if w and f" {w.lower()} " in lowered}
        if found and all(w.rstrip("s") in taken_keys and re.search(
                rf"\b(?:on|at|with|listens\s+on|listening\s+on|serves\s+on|serving\s+on)\s+{re.escape(w)}\b",
                lowered) for w in found):
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


def _refuse_unknown_kinds(text: str, workspace: Workspace, specs: dict[str, StackSpec]) -> None:
    """InterpretError "agentops has no kind for 'sqs queue'; it knows: ..." when the command
    names a kind of infrastructure the repository's registry lacks (agentops.kinds.vocabulary);
    existing resource names are never read as kinds."""
    from agentops.kinds import refuse_unknown

    registry = workspace.kinds
    names = [n for spec in specs.values() for n in spec.names()]
    refuse_unknown(text, registry, names)


Listing = dict[str, list[tuple[str, str]]]  # stack -> [(resource name, what it is)]


def listing(specs: dict[str, StackSpec]) -> Listing:
    """What the prompt says exists: each stack's resource names with a one-word kind (its
    kind's noun_of: a storage entry says bucket or volume)."""
    return {stack: [(name, spec.kinds()[section].noun_of(res))
                    for section, name, res in spec.resources()]
            for stack, spec in specs.items()}


def prompt_prefix(resources: Listing) -> str:
    """The part of every prompt that does not depend on the command."""
    return build_prompt(resources, [], "").rsplit("Command: ", 1)[0]


def build_prompt(resources: Listing, shots: list[tuple[str, str]], command: str) -> str:
    """The prompt, the same in training (training/train_lora.py) and here."""
    # Fixed part first (stacks and names), so llama.cpp reuses its KV cache across commands.
    lines = [
        "Translate infrastructure commands into plans. Stacks: " + ", ".join(resources) + ".",
        "A plan is: type resource name= stack= parameters; several actions joined by ' ; ';",
        "'none' when the command is not about this infrastructure.",
        "Existing resources:",
    ]
    for stack, names in resources.items():
        lines.append(f"{stack}: " + " ".join(f"{n}({kind})" for n, kind in names))
    lines.append("")
    # Most similar example last: nearest to the command it should inform.
    for shot_command, plan_line in reversed(shots):
        lines += [f"Command: {shot_command}", f"Plan: {plan_line}", ""]
    lines += [f"Command: {command}", "Plan:"]
    return "\n".join(lines)


def guard(
    actions: list[Action],
    facts: CommandFacts,
    specs: dict[str, StackSpec],
    default_stack: str | None,
    warnings: list[str],
    name_prefixes: tuple[str, ...] | list[str] = (),
    registry=None,
) -> list[Action]:
    """What the model wrote, held to what the command says and the specs contain.
    `name_prefixes`: the repository's naming conventions learned from reviewers' corrections
    (Memory.name_prefixes): a new resource may carry one in front of the name the command says.

    Actions are read in order, and a later action may act on what an earlier one creates
    ("create a worker deployment ... and alert me when its memory passes 70%"): the plan's own
    creates count as existing for the actions after them."""
    from agentops.kinds import active

    registry = registry if registry is not None else active()
    kept: list[Action] = []
    created: dict[tuple[str | None, str], Action] = {}
    completed: set[str] = set()  # names the command says by their first part (_whole_name)
    if actions and NOT_A_REQUEST.search(facts.text.lower()):
        warnings.append("the command says it asks for nothing (a note or a thank-you): nothing to do")
        return []
    if _only_asks(facts.text) and any(a.type != ActionType.show for a in actions):
        # "is the shipment-status topic encrypted?": a question changes nothing; listing is
        # all a question gets
        warnings.append("the command is a question: nothing changes")
        actions = [a for a in actions if a.type == ActionType.show]
        if not actions:
            return []
    actions = _one_per_stack_said(actions, facts, specs, warnings)
    for action in actions:
        if action.type == ActionType.delete and (not facts.destructive or facts.injected):
            warnings.append(
                "dropped a delete the command did not ask for in so many words"
                + (" (the command looks like a prompt injection)" if facts.injected else "")
            )
            continue
        action = action.model_copy(update={"stack": _stack(action.stack, facts, default_stack)})
        action = _rule_without_a_group(action, facts, specs, warnings)
        if action.type == ActionType.delete and action.name and (action.stack, action.name) in created:
            # "a new nlb picking-public-lb ..., and delete the old picking-lb" written as a delete
            # of the new one: nobody makes a resource to delete it in the same breath. The one
            # other resource the command names in full is meant; none or several: refused.
            meant = [n for n in (specs[action.stack].names() if action.stack in specs else [])
                     if facts.mentions(n, exact=True) and all(a.name != n for a in actions)
                     and n not in {str(v) for a in actions for v in a.parameters.set_values().values()}
                     and SECTIONS[specs[action.stack].find(n)[0]][1] == action.resource.value]
            meant = [n for n in meant if not any(o != n and n in o for o in meant)]
            if len(meant) != 1:
                _refuse_target(action, specs, f"it deletes {action.name!r}, which this plan creates")
            warnings.append(f"read the delete of {action.name!r} (which this plan creates) as "
                            f"{meant[0]!r}, the resource the command names")
            action = action.model_copy(update={"name": meant[0]})
        if (action.type == ActionType.create and action.relative and action.name
                and _exists(action, specs, {})):
            # "add one store-sync box" written as a create of store-sync +1: a change by an
            # amount of what is there
            warnings.append(f"read a create of {action.name!r} by an amount as a change of it")
            action = action.model_copy(update={"type": ActionType.update})
        if (action.type == ActionType.create and action.relative and action.name
                and not _exists(action, specs, created)):
            # "+50 GB on the scratch volume" written as a create of "scratch": a change by an
            # amount is of something there, the one resource the command names
            change = action.model_copy(update={"type": ActionType.update})
            there = _named_target(change, facts, specs, created) or _whole_name(change, facts, specs, created)
            if there:
                warnings.append(f"read a create of {action.name!r} by an amount as a change of {there!r}")
                completed.add(there)
                action = change.model_copy(update={"name": there})
        if (action.type in TARGETED and action.name and not _is_stack_word(action.name, specs)
                and not _exists(action, specs, created)):
            if _is_vocabulary(action.name, registry) or not facts.mentions(action.name, exact=True):
                # A name that is not there: the command may name the resource in words the
                # model did not copy ("the order events queue"), or the model took another word
                # for the name ("scale api and alert on memory" -> name=memory). The one
                # resource the command does name is meant; none or several, and the checks
                # below refuse. A name the command itself says and that does not exist is
                # refused, never swapped for another -- unless it is the first part of exactly
                # one name ("checkout" for checkout-svc, _whole_name).
                others = frozenset(a.name for a in actions if a is not action and a.name)
                repaired = _named_target(action, facts, specs, created, others) or _misspelt_name(
                    action, facts, specs, created) or _belonging_to(action, facts, specs, kept, registry) \
                    or _referred_back(action, facts, kept)
                if repaired and repaired != action.name:
                    warnings.append(f"read {action.name!r} as {repaired!r}, the "
                                    f"{action.resource.value} resource the command names")
                    completed.add(repaired)  # said, if not by its name ("its pdb")
                    action = action.model_copy(update={"name": repaired})
            elif whole := _whole_name(action, facts, specs, created):
                warnings.append(f"read {action.name!r} as {whole!r}, the one {action.resource.value} "
                                "resource whose name starts with it")
                completed.add(whole)
                action = action.model_copy(update={"name": whole})
            elif meant := _misspelt_name(action, facts, specs, created):
                warnings.append(f"read {action.name!r} as {meant!r}: the command says its name with a slip")
                completed.add(meant)
                action = action.model_copy(update={"name": meant})
        if action.name and (action.type == ActionType.delete or (
                action.type == ActionType.update and not set(action.parameters.set_values()) - {"kind"}
                and not action.relative)) and (longer := _longer_name_said(action, facts, specs)):
            # (and an update that says nothing to change on the shorter one: "set
            # FEED_TTL_SECONDS in the feed builder config to 1800" written as feed-builder)
            # "delete the edi gateway role" written as a delete of the instance edi-gateway:
            # every time the command says edi-gateway it says edi-gateway-role. Deletes only:
            # "monitor api memory" names api and its metric, not the alert api-memory
            warnings.append(f"read {action.name!r} as {longer!r}: the command names the longer one")
            action = action.model_copy(update={"name": longer})
        action = _read_relative(action, facts, specs, registry)
        action = action.model_copy(update={"parameters": _params(action.parameters, facts, warnings, action.name)})
        if action.name and _is_stack_word(action.name, specs):
            # "delete all production databases": the stack taken for a name, not a target
            action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and _conventional(action.name, facts, name_prefixes):
            warnings.append(f"the name {action.name!r} follows this repository's naming convention "
                            f"({_conventional(action.name, facts, name_prefixes)!r} + the name said), "
                            "learned from reviewers' corrections")
        if (action.name and action.type != ActionType.create and action.name not in completed
                and action.type != ActionType.delete and not facts.mentions_loosely(action.name)
                and _said_in_part(action, facts, specs, created)):
            # "bump picking by 2" written as picking-svc: the one resource whose name starts
            # with the part said (as _whole_name reads it the other way round)
            completed.add(action.name)
        if (action.name and action.type != ActionType.create and action.name not in completed
                and not (facts.mentions(action.name, exact=True) if action.type == ActionType.delete
                         else facts.mentions_loosely(action.name))):
            others = frozenset(a.name for a in actions if a is not action and a.name)
            meant = _named_target(action, facts, specs, created, others) \
                if action.type not in (ActionType.delete, ActionType.monitor) and len(actions) > 1 else None
            if meant and meant not in others:
                # "audio-eks max to 20 and the playback hpa max to 32" written with the second
                # on ad-stitcher (from "ad spots"): in a plan of several actions, the one
                # resource the command names that no other action takes is this one's
                warnings.append(f"read {action.name!r} as {meant!r}: the command names it, not {action.name!r}")
                action = action.model_copy(update={"name": meant})
            elif action.type in TARGETED:
                # The model named a resource the command never names (copied from an example,
                # or the nearest existing one): acting on it would be a confident wrong answer.
                _refuse_target(action, specs, f"the command does not name {action.name!r}")
            else:
                action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and not facts.mentions_loosely(action.name) \
                and not _conventional(action.name, facts, name_prefixes):
            action = action.model_copy(update={"name": None})
        elif action.name and action.type == ActionType.create and _said_as_purpose(action.name, facts):
            # "a new firewall for the prometheus federation": what it is for, not its name
            warnings.append(f"{action.name!r} is what the new resource is for, not a name the "
                            "command gives it: it takes the kind's default name")
            action = action.model_copy(update={"name": None})
        if (action.type == ActionType.create and len(facts.said_names) == 1
                and action.name != facts.said_names[0]
                and not (action.name and _conventional(action.name, facts, name_prefixes))
                and not _is_stack_word(facts.said_names[0], specs)
                and sum(a.type == ActionType.create for a in actions) == 1):
            # "a bucket named invoices" written as name=bills (or no name): the one name the
            # command gives after "named"/"called" is the name of the one thing it creates
            action = action.model_copy(update={"name": facts.said_names[0]})
        if action.type in TARGETED and not action.name:
            if facts.everything and action.stack in specs:
                # "delete all production databases": the command names the set itself, so
                # the action becomes one per member, each named in the plan a reviewer reads.
                members = _members(action, specs[action.stack])
                if not members:
                    _refuse_target(action, specs, f"there is no {action.resource.value} resource to act on")
                for name in members:
                    named = action.model_copy(update={"name": name})
                    if named not in kept:
                        kept.append(named)
                continue
            # No pick by elimination ("the only database", "the dev cluster"): a change to an
            # existing resource needs the command to name it.
            _refuse_target(action, specs, "the command names no existing resource to act on")
        _check_exists(action, specs, created)
        if (action.stack is None and action.name and action.type in TARGETED
                and action.type != ActionType.delete):
            # "restart the order worker": a name that exists in one stack only says where
            homes = [s for s, spec in specs.items() if spec.find(action.name)]
            if len(homes) == 1:
                warnings.append(f"stack {homes[0]}: the only stack with {action.name!r}")
                action = action.model_copy(update={"stack": homes[0]})
        action = _resource_from_spec(action, specs, created)
        action = _alarm_already_there(action, facts, specs, registry, warnings)
        action = fit_to_kind(action, specs, registry, created, facts)
        action = _named_for_its_target(action, specs, registry, warnings)
        action = _said_target(action, facts, specs, registry, created, warnings)
        action = _said_values(action, facts, specs, registry)
        action = resolve_relative(action, specs, registry, warnings)
        if action.type == ActionType.create and action.name:
            created[(action.stack, action.name)] = action
        if action not in kept:
            kept.append(action)
    kept = _add_said_ends(kept, facts, specs, registry)
    kept = _ordinal_sizes(kept, facts, specs, registry, warnings)
    kept = _creates_of_what_is_there(kept, facts, specs, registry, warnings)
    kept = _without_old_values(kept, facts, warnings)
    kept = _keys_by_phrase(kept, facts, specs, registry, warnings)
    kept = _said_metrics(kept, facts, specs, registry, warnings)
    kept = _utilisation_targets(kept, facts, specs, registry, warnings)
    kept = _said_units(kept, facts, specs, registry, warnings)
    kept = _said_literals(kept, facts, specs, registry, warnings)
    kept = _introduced_values(kept, facts, specs, registry, warnings)
    kept = _same_as_another(kept, facts, specs, registry, warnings)
    kept = _references_said_as_such(kept, facts, specs, registry, warnings)
    # the readings above can make two actions the model wrote differently the same
    kept = [a for i, a in enumerate(kept) if a not in kept[:i]]
    kept = _within_another(kept, specs, registry, warnings)
    kept = _into_its_create(kept, warnings)
    kept = _without_no_op_values(kept, facts, specs, registry, warnings)
    kept = _unasked_monitors(kept, facts, warnings)
    kept = _watched_as_said(kept, facts, specs, registry, warnings)
    kept = _names_as_written(kept, facts, specs, warnings)
    kept = _groups_named_as_such(kept, facts, specs, registry, warnings)
    kept = _named_after_its_kind(kept, facts, specs, registry, warnings)
    kept = _each_named(kept, facts, specs, warnings)
    return _values_from_words(kept, facts, specs, registry, warnings)


def _within_another(kept: list[Action], specs: dict[str, StackSpec], registry,
                    warnings: list[str]) -> list[Action]:
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
        out.append(action)
    for i, action in enumerate(out):
        found = _kind_of(action, specs, registry) if (action.name, action.stack) in absorbed else None
        if found is not None:
            params = action.parameters.set_values()
            out[i] = action.model_copy(update={"type": _scale_or_update(action, params, *found)})
    return out


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


_METRIC_WORDS = "|".join(sorted({w for words in ENUM_WORDS["metric"].values() for w in words}, key=len, reverse=True))
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


def _named_after_its_kind(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                          registry, warnings: list[str]) -> list[Action]:
    """A new resource's name written right after its kind word ("new bucket podcast-artwork",
    "a namespace ml in dev") that the model left out. A name-like word (with a hyphen, an
    underscore or a digit) is read wherever the sentence goes on; a plain word only where the
    sentence goes on with the stack or ends there. Exactly one such word of a resource that is
    not there yet, for the plan's one unnamed create of the kind; otherwise the kind's default
    name stays."""
    text = facts.text
    taken = ({n for spec in specs.values() for _, n, _ in spec.resources()}
             | {a.name for a in kept if a.name}
             | {str(v).lower() for a in kept for v in a.parameters.set_values().values()})
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

    out = list(kept)
    for i, action in enumerate(kept):
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
        words = sorted({*kind.words, *kind.kind_values, kind.noun} - {""}, key=len, reverse=True)
        pattern = re.compile(
            # the name in a lookahead: "dynamo table follows" is read at "dynamo" and at "table"
            rf"\b(?:{'|'.join(re.escape(w) for w in words)})\s+(?=[\"'`]?([a-z][a-z0-9_-]*[a-z0-9])\b[\"'`]?"
            rf"(?P<rest>\s+(?:in|on|for|at)\s+(?:{stack_words})\b|\s*[,.;:!]|\s*$)?)", re.I)
        said = set()
        for match in pattern.finditer(text):
            word = match.group(1).lower()
            if word in _NOT_A_NAME_AFTER_KIND or word in taken or _is_stack_word(word, specs) \
                    or _is_vocabulary(word, registry) or difflib.get_close_matches(word, vocabulary, 1, 0.8):
                continue  # ("ec2 instnaces in dev": a kind word with a slip, not a name)
            if re.search(r"[-_0-9]", word) or match.group("rest") is not None or not unnamed:
                said.add(word)
        if not unnamed:
            # a name the command does not write ("digest" for "a namespace digests"): the
            # one close to it written after the kind word
            said = {w for w in said if difflib.SequenceMatcher(None, action.name, w).ratio() >= 0.85}
        if len(said) == 1:
            name = said.pop()
            warnings.append(f"named {name!r}: the name written after the kind word"
                            + (f" ({action.name!r} written)" if action.name else ""))
            out[i] = action.model_copy(update={"name": name})
            for j in range(i + 1, len(out)):  # the plan's later actions on it follow
                if action.name and (out[j].stack, out[j].name) == (action.stack, action.name):
                    out[j] = out[j].model_copy(update={"name": name})
    return out


# A number said as what an alarm fires past ("goes above 20ms", "over 85%", "more than 10").
_EXCEEDS = re.compile(r"(?:\babove|\bover|\bexceeds?|\bexceeding|\bmore\s+than|\bgreater\s+than|>|\bpasses"
                      r"|\btops|\bhits|\breaches|\bbeyond|\bpast|\blonger\s+than|\bolder\s+than)\s+"
                      r"(?:[a-z]+\s+)??(\d+(?:\.\d+)?|an?|" + "|".join(NUMBER_WORDS) + r")\s*([a-z]+)?")


def _phrase_numbers(template: str, text: str) -> set[float]:
    """The numbers `text` says in the shape of one of a kind's phrases ("at most {n}")."""
    pattern = re.escape(template).replace(r"\{n\}", _N).replace(r"\{unit\}", r"[a-z]+")
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
        for key in [k for k in params if k in kind.phrases]:
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
            if key in said_by or len(said_by) != 1:
                continue
            other = said_by.pop()
            if other in params or other not in fields:
                continue
            warnings.append(f"{other} {params[key]}: said in its words, not {key}'s")
            params[other] = params.pop(key)
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
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
                factor = UNIT_FACTORS.get((said_unit, unit)) if said_unit and unit else None
                if said_unit and unit and factor is None:
                    continue  # a quantity in another dimension: not this threshold
                over.add(number * factor if factor else number)
            if len(over) == 1:
                params["threshold"] = over.pop()
                warnings.append(f"threshold {_fmt(params['threshold'])}: said in the command")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


# the words of the metrics a utilisation target is of (an autoscaler scales on cpu or memory)
_METRIC_OF = {w: m for m in ("cpu", "memory") for w in ENUM_WORDS["metric"][m]}
_UTILISED = "|".join(_METRIC_OF)
_UTILISATION = re.compile(
    rf"(\d{{1,3}})\s*%\s*(?:of\s+)?({_UTILISED})\b"
    rf"|\b({_UTILISED})\b(?:\s+(?:utili[sz]ation|usage|util|target|at|of|to|around|on|is))*\s+(\d{{1,3}})\s*%")


def _utilisation_targets(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                         warnings: list[str]) -> list[Action]:
    """A utilisation target said for a kind that scales on one (an autoscaler: "target 65%
    cpu", "70% cpu", "cpu at 50%"): its metric and threshold, where the plan left them out."""
    regions = _regions(kept, facts.text.lower())
    out = list(kept)
    changes = (ActionType.create, ActionType.update, ActionType.scale)
    for i, action, found in _with_kinds(kept, specs, registry, changes):
        fields = {**_fields(action, found[0]), **found[0].fields_for("update")}
        if "metric" not in fields or "threshold" not in fields or found[0].resource_type == ResourceType.monitoring:
            continue  # (an alert's threshold is read as an alarm's, _said_metrics)
        said = {(_METRIC_OF[m.group(2) or m.group(3)], int(m.group(1) or m.group(4)))
                for m in _UTILISATION.finditer(regions[i])}
        params = action.parameters.set_values()
        if len(said) != 1:
            continue
        (metric, threshold), = said
        added = {k: v for k, v in (("metric", metric), ("threshold", threshold)) if k not in params}
        if not added or params.get("metric", metric) != metric:
            continue
        warnings.append(f"{metric} at {threshold}%: the utilisation the command says")
        out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | added),
                                           "type": ActionType.update if action.type == ActionType.scale
                                           and "threshold" not in found[0].fields_for("scale") else action.type})
    return out


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


_EACH = re.compile(r"\b(?:each|both)\b")


def _each_named(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                warnings: list[str]) -> list[Action]:
    """One change the command asks of each of two resources it names ("storefront-images and
    fulfilment-images in prod: keep 200 each") that the model wrote for one: the same change
    of the other, where the command names exactly one other resource of the same kind in
    that stack."""
    if len(kept) != 1 or not _EACH.search(facts.text.lower()):
        return kept
    action = kept[0]
    if action.type not in (ActionType.update, ActionType.scale, ActionType.restart, ActionType.backup) \
            or not action.name or action.stack not in specs:
        return kept
    found = specs[action.stack].find(action.name)
    if found is None:
        return kept
    others = [n for s, n, _ in specs[action.stack].resources()
              if s == found[0] and n != action.name and facts.mentions(n, exact=True)]
    if len(others) != 1:
        return kept
    warnings.append(f"the same change of {others[0]!r}: the command asks it of each")
    return [action, action.model_copy(update={"name": others[0]})]


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
                else facts.mentions_loosely(n, typos=False))]
    # "web" inside "web-ingress": the longer name said is the one meant
    said = [n for n in said if not any(o != n and n in _words(o.replace("-", " ")) and o in said
                                       for o in said)]
    if len(said) > 1 and others and action.type != ActionType.monitor:
        # (an alarm is often on what another action of the plan changes or makes)
        said = [n for n in said if n not in others]
    if not said and action.type != ActionType.delete:
        # "point status.example.com at ...": a DNS record named by the host name it is
        said = [n for stack in stacks for _, n, e in specs[stack].resources()
                if n in names and isinstance(getattr(e, "record", None), str)
                and re.search(rf"(?<![\w.-]){re.escape(e.record.rstrip('.'))}(?![\w-])", facts.text.lower())]
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
    for kind in registry:
        if not kind.interpreted or not kind.section or not getattr(spec, kind.section, None):
            continue
        words = "|".join(re.escape(w) for w in sorted({*kind.words, *kind.kind_values, kind.noun} - {""},
                                                      key=len, reverse=True))
        for m in re.finditer(rf"\b(?:(its|their)|([a-z0-9][\w-]*)'s)\s+(?:{words})\b", lowered):
            owner = m.group(2) or (next(iter(before)) if len(before) == 1 else None)
            if not owner:
                continue
            for name, entry in getattr(spec, kind.section).items():
                refs = {getattr(entry, f, None) for f in kind.references}
                if owner in refs or name.startswith(owner + "-"):
                    found.add(name)
    return found.pop() if len(found) == 1 else None


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


def _longer_name_said(action: Action, facts: CommandFacts, specs: dict[str, StackSpec]) -> str | None:
    """The one existing resource whose name is the action's name and more, where each time
    the command says the action's name it is part of saying that longer one ("the edi gateway
    role": edi-gateway-role, not the instance edi-gateway)."""
    stacks = [action.stack] if action.stack in specs else list(specs)
    mine = _words(action.name)

    def said(parts: list[str]) -> int:
        return sum(facts.words[i:i + len(parts)] == parts for i in range(len(facts.words)))

    times = said(mine)
    if not times:
        return None
    longer = {n for stack in stacks for _, n, _ in specs[stack].resources()
              if n.startswith(action.name + "-") and said(_words(n)) == times}
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

    meant = [n for n in sorted(names) if n != written and close(n) and facts.mentions_loosely(n)]
    # "fulfilment" and "fulfilment-images": the name said in full is the one meant
    meant = [n for n in meant if not any(o != n and o.startswith(n + "-") for o in meant)] \
        if len(meant) > 1 and any(facts.mentions(n) for n in meant) else meant
    return meant[0] if len(meant) == 1 else None


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
        if not old:
            out.append(action)
            continue
        for key in old:
            warnings.append(f"{key} {params.pop(key)}: the value the command says it was, not one to set")
        emptied = not any(k != "kind" for k in params) and not action.relative
        if emptied and action.type in (ActionType.update, ActionType.scale) and any(
                (a.name, a.stack) == (action.name, action.stack) for a in kept if a is not action):
            continue
        out.append(action.model_copy(update={"parameters": Parameters.model_validate(params)}))
    return out


# Values a command writes out whose shape says which key they are: an image reference, an AMI,
# a code archive, a Lambda runtime, a certificate ARN.
_LITERAL_SHAPES = {
    "image": re.compile(r"(?<![\w./:-])((?:[a-z0-9.-]+(?::\d+)?/)+[a-z0-9._/-]+(?::[\w.-]+|@sha256:[0-9a-f]{64})"
                        r"|ami-[0-9a-f]{8,17})(?![\w/:-])"),
    "code": re.compile(r"(?<!\S)(s3://[\w./-]+)"),
    "runtime": re.compile(r"\b(python3\.\d+|nodejs\d+\.x|java\d+|dotnet\d+|ruby3\.\d+|provided\.al2(?:023)?)\b"),
    "certificate_arn": re.compile(r"(arn:aws:acm:[\w-]+:\d{12}:certificate/[\w-]+)"),
    "cidr": re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3}/\d{1,2})(?![\w.])"),
    # an EC2, ElastiCache or RDS instance type ("c5.4xlarge", "cache.r6g.large", "db.t4g.micro")
    "instance_type": re.compile(r"(?<![\w.-])((?:cache\.|db\.)?[a-z][a-z0-9-]*\d[a-z0-9-]*"
                               r"\.(?:nano|micro|small|medium|large|metal|\d*xlarge))(?![\w.-])"),
    "time_zone": re.compile(r"(?<![\w/])((?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian"
                            r"|Pacific)/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?)(?![\w/])"),
    # an ingress's host and path, written as one ("api.example.com/slots"); not a registry's
    # image path (an image has a tag or digest)
    "host": re.compile(r"(?<![\w./@:-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w.-])(?!/\S*[:@])"),
    "path": re.compile(r"(?<![\w./@:-])(?:[a-z0-9-]+\.)+[a-z]{2,}(/[\w./-]*[\w/])(?![\w.:@-])"),
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
    for i, action, found in _with_kinds(kept, specs, registry, (ActionType.create, ActionType.update)):
        kind = found[0]
        params = action.parameters.set_values()
        fields = _fields(action, kind)
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
            if key not in fields:
                continue
            if key in params:
                # "geo-proxy:0.4.1" copied from "<registry>/geo-proxy:0.4.1", "r6g.large" from
                # "cache.r6g.large": the value written whole. A value without its key's shape
                # ("host=creator-dashboard") is the one value of that shape written.
                said = {v.rstrip(".,;)") for v in shape.findall(regions[i])}
                value = str(params[key])
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
        if added:
            for key, value in added.items():
                if params.get(key) != value:
                    warnings.append(f"{key} {value}: written in the command")
                used.add(value)
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params | added)})
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
        if kind.count_nouns and "count" in fields and not {"count", "replicas"} & (set(params) | set(action.relative)):
            nouns = "|".join(re.escape(n) for n in sorted(kind.count_nouns, key=len, reverse=True))
            taken = {float(v) for v in params.values() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            # a number said as an end of a range ("never fewer than 8 nodes") is that end's
            counts = {_number(m.group(1)) for m in re.finditer(
                rf"\b{_N}\s+(?:more\s+|new\s+)?(?:{nouns})\b", regions[i].lower())} - taken - set(facts.bounds)
            if len(counts) == 1:
                added["count"] = int(counts.pop())
        for key in fields if action.type != ActionType.scale else ():
            if key in params or key not in shapes or key in kind.references:
                continue
            shape = shapes[key]
            if is_enum(shape):
                if action.type != ActionType.create:
                    continue
                said = {v for v in enum_values(shape) if len(v) >= 3 and v.lower() not in _ENUM_EVERYDAY
                        and re.search(rf"(?<![\w.-]){re.escape(v)}(?![\w.-])", regions[i], re.I)}
                if len(said) == 1:
                    added[key] = said.pop()
                continue
            if not shape.literal or shape.convert is not str:
                continue
            intros = {key.replace("_", " "), *kind.value_intros.get(key, ())}
            pattern = (r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(intros, key=len, reverse=True))
                       + r")" + _INTRO_GAP + r"(" + _VALUE.pattern + r")")
            found_values = [(m.group(1).rstrip(".,;)"), regions[i][m.end():])
                            for m in re.finditer(pattern, regions[i], re.I)]
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


_STACK_LIST_WORDS = frozenset({"and", "in", "on", "both", "plus", "also", "&"})


def _listed_stacks(facts: CommandFacts, specs: dict[str, StackSpec]) -> list[str]:
    """The stacks a command lists together ("in staging and prod", "in dev, stg and prod",
    "in both prod and staging"), in the order said; [] when it names fewer than two or names
    them apart ("promote staging's image to prod")."""
    vocab = {s: s for s in specs} | {a: s for a, s in STACK_ALIASES.items() if s in specs}
    lowered = facts.text.lower()
    said = [(m.start(), m.end(), vocab[m.group(0)]) for m in re.finditer(r"[a-z0-9]+", lowered)
            if m.group(0) in vocab]
    if len({s for _, _, s in said}) < 2:
        return []
    between = re.findall(r"[a-z0-9]+|[^\sa-z0-9]", lowered[said[0][1]:said[-1][0]])
    if any(t not in _STACK_LIST_WORDS and t != "," and t not in vocab for t in between):
        return []
    return list(dict.fromkeys(s for _, _, s in said))


def _one_per_stack_said(actions: list[Action], facts: CommandFacts, specs: dict[str, StackSpec],
                        warnings: list[str]) -> list[Action]:
    """A command that lists several stacks for one change ("restart the dispatch service in
    staging and prod", "+200 GB in both prod and staging") that the model wrote for one of
    them: the change once per stack, in the order said (each resolved against its own
    stack's spec: "+200 GB" from each one's size). Not for creates, nor when the plan
    already spans stacks."""
    stacks = _listed_stacks(facts, specs)
    if not stacks or not actions or any(a.type == ActionType.create for a in actions):
        return actions
    if len({a.stack for a in actions}) == 1 and actions[0].stack in (*stacks, None) and all(
            a.name and all(specs[s].find(a.name) for s in stacks) for a in actions):
        warnings.append(f"the command lists {', '.join(stacks)}: one action per stack")
        return [a.model_copy(update={"stack": s}) for a in actions for s in stacks]
    # Written once per stack, with one of them on a word of the command's reason that is no
    # resource ("restart notify worker in dev, stg and prod, sendgrid changed their endpoint"
    # -> restart sendgrid in staging): the one change the command asks, in every stack listed.
    there = [a for a in actions if a.name and all(specs[s].find(a.name) for s in stacks)
             and facts.mentions_loosely(a.name)]
    if len({a.type for a in actions}) != 1 or len({a.name for a in there}) != 1 or len(
            {repr((a.name, sorted(a.parameters.set_values().items()), sorted(a.relative.items()))) for a in there}) != 1:
        return actions
    if any(a.name and any(spec.find(a.name) for spec in specs.values()) for a in actions if a not in there):
        return actions
    if {a.stack for a in actions} - {*stacks, None}:
        return actions
    warnings.append(f"the command lists {', '.join(stacks)}: one action per stack, on {there[0].name!r}")
    return [there[0].model_copy(update={"stack": s}) for s in stacks]


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


# A message that says it asks for nothing ("fyi ... no action needed", "just curious, not
# changing anything", "thanks, the bump did it"): whatever the model read into it, nothing
# changes. Ahead of any plan, as a delete needs its own words.
NOT_A_REQUEST = re.compile(
    r"\bno\s+action\s+(?:needed|required|necessary)\b|\bnot\s+changing\s+anything\b"
    r"|\bdon'?t\s+change\s+anything\b|\bjust\s+(?:curious|checking|watching|asking|wondering|fyi)\b"
    r"|^\s*(?:thanks|thank\s+you|thx|ty|great\s+work|nice\s+work|good\s+job|kudos|fyi)\b"
    # chat that answers or takes back ("nvm, ignore my last message", "lgtm, merged", "ack")
    r"|^\s*(?:nvm|never\s*mind|ignore\s+my\s+last|lgtm|ack\b|lol\b|good\s+(?:morning|afternoon|evening)\b"
    r"|cool,?\s+merged)"
    # a notice ("heads up: ...", "reminder: change freeze ..."), a standing no ("please don't
    # scale anything in prod until ..."), a request to explain or review, a talk for later
    r"|^\s*(?:heads[\s-]+up|reminder|fyi|psa)\b\s*[:,-]"
    r"|^\s*(?:please\s+)?(?:don'?t|do\s+not)\s+(?:scale|change|touch|deploy|restart|delete|remove|modify)"
    r"\s+anything\b"
    r"|^\s*(?:can|could)\s+(?:someone|anyone)\s+(?:explain|tell\s+me|review)\b|^\s*remind\s+me\s+what\b"
    r"|\blet'?s\s+(?:talk|chat)\s+about\s+it\b")


_QUESTION = re.compile(r"^\s*(?:is|are|does|do|did|was|were|what|what's|whats|which|who|whose|where|why|when"
                       r"|how\s+(?:do|does|did|many|much|long|often|is|are))\b[^?]*\?")
_CHANGE_WORDS = frozenset({"scale", "bump", "set", "change", "add", "create", "delete", "remove", "raise",
                           "lower", "increase", "decrease", "restart", "deploy", "move", "make", "give",
                           "drop", "update", "double", "halve", "open", "close", "rotate", "attach",
                           "pause", "resume", "enable", "disable", "please", "pls"})


def _only_asks(text: str) -> bool:
    """Whether a command is a question and nothing more ("is the topic encrypted?", "how many
    arena servers are we running?"): a wh- or yes/no question, and no change asked after it."""
    m = _QUESTION.match(text.lower())
    return bool(m) and not (set(_words(text[m.end():])) & _CHANGE_WORDS)


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
        if "threshold" not in keys or keys - {"threshold", "metric"} or not (
                {"alert", "alarm", "alerts", "alarms"} & set(facts.words)):
            return action
    elif action.type != ActionType.monitor:
        return action
    if NEW_ALERT.search(facts.text.lower()):
        return action  # "alert me when ...", "add an alarm": a new alert asked for
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
        if action.type == ActionType.update:
            return action  # a change of the alert itself
        name, entry = action.name, found[1]
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
            action = action.model_copy(update={"type": ActionType.update})
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


def _read_relative(action: Action, facts: CommandFacts, specs: dict[str, StackSpec], registry) -> Action:
    """A scale or update whose value is the number of a relative phrase in the command ("add
    three replicas to search" written as replicas=3) is the change, not the result; a
    multiplier word ("halve the batch workers") applies to the size the model wrote, or the
    kind's size key when it wrote none it could justify. Only for an existing target."""
    if action.type not in (ActionType.scale, ActionType.update) or not action.name:
        return action
    if action.relative and None in facts.relative:
        # a multiplier the model wrote is the one the command's word says ("double the RCUs
        # at 7am" written as *7, "cut it in half" as /200)
        said = facts.relative[None]
        share = re.fullmatch(r"[-+](\d+)%", said)
        fixed = {k: (said if v[0] in "*/" or (share and v[1:] == share.group(1)) else v)
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
    share = re.fullmatch(r"[-+](\d+)%", facts.relative.get(None) or "")
    for key in sizes:
        op = facts.relative.get(float(params[key]))
        if share and params[key] == int(share.group(1)):
            relative[key] = facts.relative[None]  # "50% more disk" written as storage_gb=50
        elif op:
            relative[key] = f"{op}{params[key]}"
    if not relative and None in facts.relative:
        key = sizes[0] if sizes else _size_key(kind, action.type.value)
        if key:
            relative[key] = facts.relative[None]
    if not relative:
        return action
    for key in relative:
        params.pop(key, None)
    return action.model_copy(update={"parameters": Parameters.model_validate(params),
                                     "relative": relative})


def _size_key(kind, action: str) -> str | None:
    """The key a plain size means for a kind ("double search" -> replicas)."""
    fields = kind.fields_for(action)
    for key in ("replicas", "count", "min_size", "storage_gb", "memory_mb"):
        if key in fields:
            return key
    return None


def _find(action: Action, specs: dict[str, StackSpec]):
    """(section, entry) of the action's target in its stack, or None."""
    for stack, spec in specs.items():
        if action.stack and stack != action.stack:
            continue
        found = spec.find(action.name) if action.name else None
        if found:
            return found
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
    for key, change in action.relative.items():
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
    return action.model_copy(update={"parameters": Parameters.model_validate(params)})


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
    text = re.sub(re.escape(action.name), " ", facts.text, flags=re.I) if action.name else facts.text
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
        named = [n for n in dict.fromkeys(names) if n != action.name and said.mentions_loosely(n)]
        if len(named) != 1:
            continue
        if written:
            warnings.append(f"read {key} {written!r} as {named[0]!r}, "
                            f"the {section} resource the command names")
        params = action.parameters.set_values() | {key: named[0]}
        action = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return action


def _values_from_words(kept: list[Action], facts: CommandFacts, specs: dict[str, StackSpec], registry,
                       warnings: list[str]) -> list[Action]:
    """A value the command says in words rather than writes (Kind.value_from_words: "every
    weekday at 6:30" is the schedule "30 6 * * 1-5"), for the plan's one create or update that
    reads one, where the plan has no value the command writes. The guard drops a free value the
    command does not write, so without this a schedule said in words is lost. Two actions that
    would read it (two cron jobs): which one it is for is not certain, so neither."""
    readings = []
    for i, action in enumerate(kept):
        found = _kind_of(action, specs, registry) if action.type in (
            ActionType.create, ActionType.update, ActionType.delete) else None
        if found is None:
            continue
        kind, entry = found
        params = action.parameters.set_values()
        if action.type == ActionType.delete:
            # "remove SANDBOX_PAYMENTS from store-config": a delete that takes a key removes
            # that entry, never the whole resource the model named
            if "key" in _fields(action, kind) and "key" not in params and kind.supports(ActionType.delete):
                said = kind.value_from_words("key", facts.text, entry)
                if said is not None:
                    warnings.append(f"key {said!r}: the command removes one entry, not the whole {kind.noun}")
                    kept = list(kept)
                    kept[i] = action.model_copy(update={"parameters": Parameters.model_validate(
                        params | {"key": said})})
            continue
        # a flag the model wrote the other way round ("un-suspend" read as suspend=true) is
        # what the words say
        added = {key: value for key in _fields(action, kind)
                 if (key not in params or isinstance(params[key], bool))
                 and (value := kind.value_from_words(key, facts.text, entry)) is not None
                 and value != params.get(key)}
        if added:
            readings.append((i, params, added))
    if len(readings) != 1:
        return kept
    i, params, added = readings[0]
    for key, value in added.items():
        warnings.append(f"{key} {value!r}: read from the command's words")
    kept = list(kept)
    kept[i] = kept[i].model_copy(update={"parameters": Parameters.model_validate(params | added)})
    return kept


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


def _quantity_spans(lowered: str) -> list[tuple[int, int, float, str]]:
    """(start, end, number, unit) of each quantity the command says ("4 days", "2gb")."""
    out = []
    for m in _QUANTITY.finditer(lowered):
        number, unit = m.group(1), m.group(2)
        if unit in _UNIT_OF:
            value = _number(number)
            said = re.match(rf"{re.escape(number)}\s*-?\s*{re.escape(unit)}", lowered[m.start():])
            out.append((m.start(), m.start() + (said.end() if said else len(number) + len(unit)),
                        value, _UNIT_OF[unit]))
    return out


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
        if not any(w == k or (len(w) >= 3 and _abbreviates(w, k)) for k in words):
            continue
        for start, end, value, unit in spans:
            between = region[m.end():start] if start >= m.end() else region[end:m.start()]
            if re.search(r"[,;:(.!?]|\band\b", between) or (start < m.end() and end > m.start()):
                continue
            gap = len(re.findall(r"[a-z0-9]+", between))
            if start >= m.end() and gap <= 7:
                found.append((gap, value, unit))
            elif start < m.end() and gap <= 2:
                found.append((gap, value, unit))
    return sorted(found)


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
            if not isinstance(value, (int, float)) or isinstance(value, bool) or re.search(
                    rf"(?<![\w.]){re.escape(_fmt(float(value)))}(?![\w.])", region):
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
        for key in [k for k in units if k != "threshold" and k in params]:
            value = params[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                continue

            def says(k: str) -> bool:
                return any(v == float(value) or v * UNIT_FACTORS.get((u, units[k]), 0) == float(value)
                           for _, v, u in _near_quantities(region, spans, _key_words(kind, k, list(units))))

            if says(key):
                continue
            other = [k for k in units if k != key and k != "threshold" and k not in params
                     and _DIMENSION.get(units[k]) == _DIMENSION.get(units[key]) and says(k)]
            if len(other) == 1:
                params[other[0]] = params.pop(key)
                changed = True
        for key, unit in units.items():
            value = params.get(key)
            words = _key_words(kind, key, list(units))
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
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params),
                                               "type": _scale_or_update(action, params, kind, entry)})
    # "create queue X and alert if messages sit there longer than 5 minutes": the time is the
    # alarm's threshold, not also the queue's retention
    alarmed = {a.parameters.threshold for a in out if a.type == ActionType.monitor and a.parameters.threshold}
    for i, action in enumerate(out):
        if action.type == ActionType.monitor or not alarmed:
            continue
        params = action.parameters.set_values()
        taken = [k for k, v in params.items() if _key_unit(k) and v in alarmed]
        if taken:
            for key in taken:
                warnings.append(f"{key} dropped: the command says {params.pop(key)} for the alarm")
            out[i] = action.model_copy(update={"parameters": Parameters.model_validate(params)})
    return out


def _fmt(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _regions(kept: list[Action], text: str) -> list[str]:
    """Each action's part of the command: from where its name is said to where another
    action's is (the part before the first name goes with it). One action, or names not said:
    the whole command."""
    lowered = text.lower()
    starts: dict[str, int] = {}
    for action in kept:
        if action.name and action.name not in starts:
            for said in (action.name, " ".join(_words(action.name))):
                pos = lowered.find(said.lower())
                if pos >= 0:
                    starts[action.name] = pos
                    break
    if len(starts) < 2:
        return [text] * len(kept)
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


def _fields(action: Action, kind) -> dict:
    return kind.fields_for(action.type.value if kind.supports(action.type) else "update")


def _has_size_range(fields: dict) -> bool:
    """A kind whose action takes both ends of a size range, on fields of their own (a cluster's
    node group, an autoscaler); a disruption budget's min_size is its min_available, no range."""
    return "min_size" in fields and "max_size" in fields and fields["min_size"] != fields["max_size"]


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
    used = {float(v) for a in kept for v in a.parameters.set_values().values()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}
    candidates: dict[str, list[int]] = {}
    for n, end in facts.bounds.items():
        if _ENDS[end] not in params and n not in used and n not in facts.relative and n == int(n):
            candidates.setdefault(_ENDS[end], []).append(int(n))
    # two numbers for one end: which is meant is not certain
    added = {key: numbers[0] for key, numbers in candidates.items() if len(numbers) == 1}
    if not added:
        return kept
    kept = list(kept)
    kept[i] = kept[i].model_copy(update={"parameters": Parameters.model_validate(params | added)})
    return kept


def fit_to_kind(action: Action, specs: dict[str, StackSpec], registry, created: dict,
                facts: CommandFacts | None = None) -> Action:
    """Parameter keys held to the kind the action lands on: a size written under a key the
    kind does not take for this action (a deployment scaled with count) moves to the one size
    key it does take; a size the command says as an end of a range goes under that end
    (_sizes_to_their_ends); of two keys for one spec field the one named like the field is used
    (replicas for a deployment's replicas); a kind= value of another kind is corrected to the
    target's own (a deployment has none)."""
    found = _kind_of(action, specs, registry)
    if found is None:
        return action
    kind, entry = found
    params = action.parameters.set_values()
    fields = _fields(action, kind)
    if facts is not None and _has_size_range(fields):
        _sizes_to_their_ends(params, facts, fields, action.relative)
    sizes = [k for k in fields if k in _INT_KEYS]
    for key in [k for k in params if k not in fields and k in _INT_KEYS and k not in action.relative]:
        free = [k for k in sizes if k not in params and fields[k] not in
                {fields[p] for p in params if p in fields}]
        if len(free) == 1:
            params[free[0]] = params.pop(key)
    for key in [k for k in params if k in fields]:
        same = [k for k in fields if fields[k] == fields[key] and k != key]
        if same and key != fields[key] and fields[key] in same and fields[key] not in params:
            params[fields[key]] = params.pop(key)
    if facts is not None and action.type != ActionType.monitor:  # an alarm's keys are the alert's
        anywhere = {k for a in ("create", "update", "scale") for k in kind.fields_for(a)}
        # only another kind's own keys: the common ones (provider, region, ...) are read by the
        # edit and the program whichever kind takes them
        for key in [k for k in params if k not in anywhere and k not in Parameters.model_fields
                    and k not in action.relative]:
            # a key of another kind that the command never says ("write_capacity=2" on a queue,
            # read from "two weeks"): the model's, not the command's
            stems = [w[:5] for w in key.split("_") if len(w) >= 3]
            if not any(w.startswith(stem) for stem in stems for w in facts.words):
                params.pop(key)
    value = params.get("kind")
    if value is not None and value not in kind.kind_values:
        if entry is not None and kind.kind_values:
            own = kind.noun_of(entry)
            params["kind"] = own if own in kind.kind_values else kind.kind_values[0]
        elif not kind.kind_values:
            params.pop("kind")
    return action.model_copy(update={"type": _scale_or_update(action, params, kind, entry),
                                     "parameters": Parameters.model_validate(params)})


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


def _conventional(name: str, facts: CommandFacts, prefixes) -> str | None:
    """The learned prefix `name` carries in front of a name the command says, if any (only for
    names the command does not say as they are)."""
    if facts.mentions(name):
        return None
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix) and facts.mentions(name[len(prefix):]):
            return prefix
    return None


def _members(action: Action, spec: StackSpec) -> list[str]:
    """The names `action` covers in one stack when the command says "all" of a resource type
    (and of a kind, when the action says which: "all volumes")."""
    kind = (action.parameters.kind or "").lower()
    out = []
    for section, name, resource in spec.resources():
        if SECTIONS[section][1] != action.resource.value:
            continue
        if kind and kind not in (SECTION_NOUN[section], getattr(resource, "kind", None)):
            continue
        out.append(name)
    return out


# Actions on one existing resource. They act only on a resource the command names: never on a
# name the model supplied from elsewhere, never on the only resource of a kind.
TARGETED = frozenset({ActionType.delete, ActionType.scale, ActionType.update, ActionType.restart,
                      ActionType.backup, ActionType.monitor})


def _refuse_target(action: Action, specs: dict[str, StackSpec], reason: str) -> None:
    """Raise: `action` has no target the command names. The error lists what does exist."""
    stacks = [action.stack] if action.stack in specs else list(specs)
    noun = action.resource.value
    existing = []
    for stack in stacks:
        names = [n for section, n, _ in specs[stack].resources()
                 if SECTIONS[section][1] == noun or noun == "monitoring"]
        existing.append(f"{stack}: {', '.join(names) or 'none'}")
    where = f" in {action.stack}" if action.stack in specs else ""
    example = {"delete": "delete database orders in prod", "scale": "scale api in prod to 4 replicas",
               "restart": "restart api in dev", "backup": "back up database orders in prod",
               "monitor": "alert when api cpu is above 80% in prod",
               "update": "set the image of api in dev to ghcr.io/acme/api:2.0"}[action.type.value]
    raise InterpretError(
        f"cannot {action.type.value} a {noun} resource{where}: {reason}",
        hint=f"name one that exists, e.g. \"{example}\" -- {noun} resources by stack: {'; '.join(existing)}",
    )


def _is_stack_word(name: str, specs: dict[str, StackSpec]) -> bool:
    # "delete all production databases": the model may take the stack for a resource name
    return name in specs or STACK_ALIASES.get(name) in specs


def _stack(stack: str | None, facts: CommandFacts, default: str | None) -> str | None:
    if stack in facts.stacks or (stack and stack == default):
        return stack
    if len(facts.stacks) == 1:
        return facts.stacks[0]
    if stack and len(facts.stacks) > 1:
        return stack if stack in facts.stacks else facts.stacks[0]
    return default


def _params(params: Parameters, facts: CommandFacts, warnings: list[str], name: str | None = None) -> Parameters:
    from agentops.planline import INT_KEYS

    values = params.set_values()
    for key in [k for k, v in values.items() if name and v == name and k not in ("target", "cluster", "kind")]:
        # "service=telematics-glue-role" on the role of that name: the name copied into a
        # value, not a value the command says
        del values[key]
    lowered = facts.text.lower()
    squeezed = re.sub(r"[^a-z0-9]", "", lowered)
    for key, value in list(values.items()):
        ok = True
        if key in INT_KEYS:
            ok = float(value) in facts.numbers
        elif key == "threshold":
            # "older than 10 minutes": a threshold may be said in a unit of time (seconds)
            ok = float(value) in facts.numbers or facts.says_number("threshold_seconds", value)
        elif key not in Parameters.model_fields:
            ok = _said(key, value, facts, lowered, squeezed)
        elif key in LITERAL_KEYS:
            ok = str(value).lower() in lowered
        elif key in ENUM_WORDS:
            # a kind's own spelling (a load balancer's HTTPS) is said in any case
            said = ENUM_WORDS[key].get(value, (str(value).lower(),))
            ok = any(w in facts.words for w in said) or (
                # "memroy": a slip in a metric word of five letters or more still names it
                key == "metric" and any(difflib.get_close_matches(w, [x for x in said if len(x) >= 5], 1, 0.8)
                                        for w in facts.words if len(w) >= 5))
        elif key == "provider":
            ok = any(w in facts.words for w in PROVIDER_WORDS.get(value, ()))
        if not ok:
            del values[key]
    return Parameters.model_validate(values)


def _said(key: str, value, facts: CommandFacts, lowered: str, squeezed: str) -> bool:
    """Whether the command says the value of a kind's own key (agentops.kinds.base.plan_keys):
    a number (in the key's unit or another: "4 days" for seconds), a flag by a word of its
    key ("suspend", "internal"), a word or list written in the command."""
    if isinstance(value, bool):
        stems = [w[:5] for w in key.split("_") if len(w) >= 4]
        return any(w.startswith(stem) for stem in stems for w in facts.words)
    if isinstance(value, (int, float)):
        return facts.says_number(key, value)
    items = value if isinstance(value, list) else [value]
    for item in items:
        text = str(item).lower()
        if len(text) < 3:
            if text not in facts.words:
                return False
        elif text not in lowered and ("." in text or re.sub(r"[^a-z0-9]", "", text) not in squeezed):
            # "api v2" for api-v2 is the value said; "enforce.trust" from "enforce. trust" is two
            # sentences run together, not a value
            return False
    return True


def _resource_from_spec(action: Action, specs: dict[str, StackSpec], created: dict | None = None) -> Action:
    # An existing name fixes the resource type: the spec knows what `web` is, and the plan's
    # own create what a resource it makes is.
    if action.type == ActionType.create or not action.name:
        return action
    made = (created or {}).get((action.stack, action.name)) or (created or {}).get((None, action.name))
    if made is not None:
        return action if action.type == ActionType.monitor else action.model_copy(update={"resource": made.resource})
    found = _find(action, specs)
    if found:
        return action.model_copy(update={"resource": ResourceType(SECTIONS[found[0]][1])})
    return action


def _check_exists(action: Action, specs: dict[str, StackSpec], created: dict | None = None) -> None:
    if action.type in (ActionType.create, ActionType.show) or not action.name:
        return
    if _exists(action, specs, created or {}):
        return
    stacks = [action.stack] if action.stack else list(specs)
    if any(specs[s].find(action.name) for s in stacks if s in specs):
        return
    where = action.stack or "any stack"
    existing = "; ".join(f"{s}: {', '.join(specs[s].names()) or 'none'}" for s in stacks if s in specs)
    raise InterpretError(
        f"cannot {action.type.value} {action.name!r}: no resource of that name in {where}",
        hint=f"existing resources -- {existing}",
    )


def matching_resources(action: Action, specs: dict[str, StackSpec]) -> list[str]:
    """For a show: 'stack/name (kind)' of every resource the action covers."""
    out = []
    for stack, spec in specs.items():
        if action.stack and stack != action.stack:
            continue
        for section, name, _ in spec.resources():
            if SECTIONS[section][1] != action.resource.value:
                continue
            if action.name and name != action.name:
                continue
            out.append(f"{stack}/{name} ({SECTION_NOUN[section]})")
    return out


def describe(action: Action) -> str:
    what = action.name or f"all {action.resource.value} resources"
    if action.type == ActionType.create:
        what = f"{action.resource.value} {action.name}" if action.name else f"new {action.resource.value}"
    where = f" in {action.stack}" if action.stack else ""
    params = action.parameters.set_values()
    detail = f" with {', '.join(f'{k}={v}' for k, v in params.items())}" if params else ""
    return f"{action.type.value.capitalize()} {what}{where}{detail}."


def compose(command: str, actions: list[Action], specs: dict[str, StackSpec], warnings: list[str]) -> ActionPlan:
    actions = [a.model_copy(update={"description": describe(a)}) for a in actions]
    if not actions:
        interpretation = "Not understood as an infrastructure change or query: nothing to do."
    else:
        interpretation = " ".join(a.description for a in actions)
        for a in actions:
            if a.type == ActionType.show:
                found = matching_resources(a, specs)
                interpretation += f" Found {len(found)}: {', '.join(found) or 'none'}."
        if any(a.stack is None and a.type != ActionType.show for a in actions):
            warnings.append("no stack named: pass --stack or say which stack (dev, staging, prod...)")
    return ActionPlan(command=command, interpretation=interpretation, actions=actions, warnings=warnings)
