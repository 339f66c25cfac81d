"""CODEOWNERS: who owns a path, read the way GitHub reads the file.

GitHub looks for the file in .github/, the repository root and docs/, in that order, and uses
the first it finds. Each line is a gitignore-style pattern and its owners (@user, @org/team or
an email); the LAST matching line wins, and a matching line with no owners means the path has
none. The apply gate reads the file as it was before the change it rates, so a PR cannot make
its own author an owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: tuple[str, ...]
    line: int


def parse(text: str) -> list[Rule]:
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        pattern, *owners = line.split()
        rules.append(Rule(pattern, tuple(owners), number))
    return rules


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    directory = pattern.endswith("/")
    body = pattern.strip("/")
    out, i = [], 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "^" if anchored else "^(?:.*/)?"
    # A pattern naming a directory owns everything under it; a plain one, the path itself or
    # (when it is a directory) what is under it.
    suffix = "/.*$" if directory else "(?:/.*)?$"
    return re.compile(prefix + "".join(out) + suffix)


def owners_of(rules: list[Rule], path: str) -> tuple[Rule | None, tuple[str, ...]]:
    """(the rule that decides, its owners) for a repository-relative path."""
    path = path.lstrip("/")
    for rule in reversed(rules):
        if _regex(rule.pattern).match(path):
            return rule, rule.owners
    return None, ()
