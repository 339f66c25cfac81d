"""`agentops suggest TEXT`: completions of a partial command, from the repository itself.

Two sources, no model: the stack specs (verbs, the kinds of resources the specs hold, resource
names, stacks, current values) and history (commands merged on the base branch, from the
proposal commits, minus those reverted since). Ranked: whole merged commands that continue the
text first, then the next word. Kept light on purpose (PyYAML's C loader and two `git log`s;
no pydantic, no LanceDB): it runs on every keystroke of a console. `Suggester` caches what it
read, keyed by the specs' mtimes and the base branch's tip, for `agentops serve`.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

VERBS = ("create", "delete", "scale", "update", "restart", "backup", "monitor", "show")
# Settings at the top of a spec, not sections of resources.
STACK_SETTINGS = ("provider", "region", "tags")
STACK_WORDS = {"production": "prod", "staging": "staging", "development": "dev"}
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{40})")
_PR = re.compile(r"\s*\(#\d+\)\s*$")


@dataclass
class Suggestion:
    text: str                 # the whole command, completed
    source: str               # history | verb | kind | name | stack | value
    detail: str = ""          # what it is / its current settings
    score: float = 0.0

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "score"}


@dataclass
class Vocabulary:
    stacks: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)          # noun -> section
    names: dict[str, list[tuple[str, str, dict]]] = field(default_factory=dict)  # name -> [(stack, section, settings)]
    merged: list[str] = field(default_factory=list)              # merged commands, newest first


def find_root(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "stacks").is_dir():
            return candidate
    return None


def read_vocabulary(root: Path) -> Vocabulary:
    import yaml

    vocab = Vocabulary()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted((root / "stacks").glob("*.yaml")):
        try:
            spec = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except (OSError, yaml.YAMLError):
            continue  # suggestions are best effort; `agentops check` reports a broken spec
        if not isinstance(spec, dict) or not any(isinstance(v, dict) for v in spec.values()):
            continue  # Pulumi.<stack>.yaml and other non-spec files
        stack = path.stem
        if stack.lower().startswith("pulumi"):
            continue
        vocab.stacks.append(stack)
        for section, entries in spec.items():
            if section in STACK_SETTINGS or not isinstance(entries, dict):
                continue
            noun = section[:-1] if section.endswith("s") and not section.endswith("ss") else section
            vocab.kinds.setdefault(noun, section)
            for name, settings in entries.items():
                settings = settings if isinstance(settings, dict) else {}
                if isinstance(settings.get("kind"), str):
                    vocab.kinds.setdefault(settings["kind"], section)
                vocab.names.setdefault(str(name), []).append((stack, section, settings))
    vocab.merged = merged_commands(root, base_branch(root))
    return vocab


def base_branch(root: Path) -> str:
    """.agentops.yaml's base_branch (default main), read without the config models."""
    import yaml

    try:
        data = yaml.load((root / ".agentops.yaml").read_text(encoding="utf-8"),
                         Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        return str(data.get("base_branch") or "main") if isinstance(data, dict) else "main"
    except (OSError, yaml.YAMLError):
        return "main"


def merged_commands(root: Path, base: str = "main") -> list[str]:
    """Commands whose proposals are on the base branch and not reverted, newest first."""
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return out.stdout if out.returncode == 0 else ""

    rev = base if git("rev-parse", "--verify", "-q", base).strip() else "HEAD"
    reverted = set(_REVERTS.findall(git("log", rev, "--format=%b", "--grep=This reverts commit")))
    if reverted:
        # A reverted merge (or squash) undoes the proposal commits it brought in.
        parents = dict(line.split(" ", 1) for line in git("log", rev, "--format=%H %P").splitlines()
                       if " " in line)
        mainline, sha = set(), git("rev-parse", rev).strip()
        while sha:
            mainline.add(sha)
            sha = (parents.get(sha) or "").split(" ")[0]
        for merge in [m for m in reverted if len((parents.get(m) or "").split()) > 1]:
            todo = (parents[merge].split())[1:]
            while todo:
                sha = todo.pop()
                if sha in mainline or sha in reverted:
                    continue
                reverted.add(sha)
                todo.extend((parents.get(sha) or "").split())
    out: dict[str, None] = {}
    for line in git("log", rev, "--format=%H %s", "--grep=^ActionPlan:").splitlines():
        sha, _, subject = line.partition(" ")
        if subject.startswith("agentops: ") and sha not in reverted:
            out.setdefault(_PR.sub("", subject.removeprefix("agentops: ")).strip(), None)
    return list(out)


def _settings_text(settings: dict) -> str:
    shown = [f"{k}={v}" for k, v in settings.items()
             if isinstance(v, (str, int, float)) and not isinstance(v, bool)][:5]
    return ", ".join(shown)


def suggest(text: str, vocab: Vocabulary, limit: int = 10) -> list[Suggestion]:
    """Completions of `text`, best first."""
    typed = text.lstrip()
    words = typed.split()
    partial = "" if (not typed or typed[-1].isspace()) else words[-1]
    context = words if not partial else words[:-1]
    head = typed[: len(typed) - len(partial)]
    lower = typed.lower()
    out: list[Suggestion] = []

    # Whole commands merged before that continue (or contain) what was typed.
    typed_words = [w.lower() for w in words]
    for rank, command in enumerate(vocab.merged):
        c = command.lower()
        if c == lower.strip():
            continue
        if c.startswith(lower):
            score = 100 - rank * 0.01
        elif typed_words and all(w in c for w in typed_words):
            score = 60 - rank * 0.01
        else:
            continue
        out.append(Suggestion(command, "history", "merged before", score))

    def add(word: str, source: str, detail: str, score: float) -> None:
        if partial and not word.lower().startswith(partial.lower()):
            return
        if word.lower() == partial.lower():
            return
        out.append(Suggestion(f"{head}{word}", source, detail, score))

    ctx = [w.lower() for w in context]
    last = ctx[-1] if ctx else ""
    named = [w for w in ctx if w in vocab.names]
    if not ctx:
        for verb in VERBS:
            add(verb, "verb", "action", 50)
    elif last in ("in", "on", "to") and last != "to" or last in ("stack",):
        stacks_of = {s for n in named for s, _, _ in vocab.names[n]}
        for stack in vocab.stacks:
            add(stack, "stack", "has " + ", ".join(named) if stack in stacks_of and named else "stack",
                45 + (5 if stack in stacks_of else 0))
    elif last == "to" and named:
        # "scale api in prod to ": the current values of what the command names
        stack = next((w for w in ctx if w in vocab.stacks), None)
        for name in named:
            for s, section, settings in vocab.names[name]:
                if stack and s != stack:
                    continue
                for key, value in settings.items():
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        add(f"{value} {key}", "value", f"now {key}={value} ({name} in {s})", 40)
    else:
        verb = ctx[0] if ctx[0] in VERBS else None
        for name, places in vocab.names.items():
            detail = "; ".join(f"{section[:-1] if section.endswith('s') else section} in {s}: "
                               f"{_settings_text(settings)}" for s, section, settings in places[:3])
            add(name, "name", detail, 35 + (5 if verb and verb != "create" else 0))
        for noun, section in vocab.kinds.items():
            add(noun, "kind", f"kind ({section})", 30 + (5 if verb == "create" else 0))
        if named:
            add("in", "word", "then a stack", 20)
            for stack in vocab.stacks:
                add(stack, "stack", "stack", 25)
        if verb is None:
            for v in VERBS:
                add(v, "verb", "action", 15)
    # The best of each text, best first; ties by text for a stable order.
    best: dict[str, Suggestion] = {}
    for s in out:
        if s.text not in best or s.score > best[s.text].score:
            best[s.text] = s
    return sorted(best.values(), key=lambda s: (-s.score, s.text))[:limit]


class Suggester:
    """suggest() with the vocabulary cached until a spec file or the base branch changes."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._key = None
        self._vocab: Vocabulary | None = None

    def _fingerprint(self) -> tuple:
        specs = tuple((p.name, p.stat().st_mtime_ns) for p in sorted((self.root / "stacks").glob("*.yaml")))
        head = _ref_sha(self.root, base_branch(self.root))
        return specs, head

    def __call__(self, text: str, limit: int = 10) -> list[Suggestion]:
        key = self._fingerprint()
        if key != self._key or self._vocab is None:
            self._vocab, self._key = read_vocabulary(self.root), key
        return suggest(text, self._vocab, limit)


def _ref_sha(root: Path, base: str) -> str:
    out = subprocess.run(["git", "rev-parse", "-q", "--verify", base], cwd=root,
                         capture_output=True, text=True)
    return out.stdout.strip()


def main(argv: list[str]) -> int:
    """`agentops suggest [--json] [-n N] TEXT...` without the Typer app (see cli.run); the
    same options and output as the Typer command, which `agentops --help` lists."""
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(prog="agentops suggest", description="Completions of a "
                                     "partial command from this repository's specs and merged commands.")
    parser.add_argument("text", nargs="*")
    parser.add_argument("--limit", "-n", type=int, default=10)
    parser.add_argument("--json", dest="as_json", action="store_true")
    args = parser.parse_args(argv)
    root = find_root()
    if root is None:
        print("error: no stacks/ directory here or above\n"
              "hint: run it inside a repository made by `agentops init`", file=sys.stderr)
        return 1
    found = Suggester(root)(" ".join(args.text), args.limit)
    if args.as_json:
        print(json.dumps([s.as_dict() for s in found], indent=2))
    else:
        for s in found:
            print(f"{s.text}\t{s.source}\t{s.detail}")
    return 0
