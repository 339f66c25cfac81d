"""Accuracy of the interpreter on an evaluation set (evals/commands.yaml).

Exact match: the interpreted actions, compared in order, equal the expected ones on type,
resource, name, stack and the set of non-null parameters (numbers compared as numbers). The
sentences, warnings and risk are not compared: they are derived from those fields. An item
whose `expect` is ERROR matches when interpretation raises an InterpretError.

Per-field accuracy compares the i-th expected action with the i-th interpreted one for every
expected action (a missing action counts as wrong on every field); `count` is whether the
number of actions is right.
"""

from __future__ import annotations

import re

import time
from dataclasses import dataclass, field
from pathlib import Path

from agentops.actionplan import Action
from agentops.errors import AgentOpsError, InterpretError

FIELDS = ("type", "resource", "name", "stack", "parameters")
ERROR = "ERROR"


@dataclass(frozen=True)
class EvalItem:
    command: str
    expect: str
    split: str


@dataclass
class ItemResult:
    item: EvalItem
    got: str  # the plan line, or "ERROR: ..."
    exact: bool
    fields: dict[str, tuple[int, int]]  # field -> (right, total)
    seconds: float


@dataclass
class SplitReport:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def exact(self) -> float:
        return sum(r.exact for r in self.results) / max(1, len(self.results))

    def field_accuracy(self, name: str) -> float:
        right = sum(r.fields.get(name, (0, 0))[0] for r in self.results)
        total = sum(r.fields.get(name, (0, 0))[1] for r in self.results)
        return right / total if total else 1.0


def load_eval_set(path: Path) -> list[EvalItem]:
    from ruamel.yaml import YAML

    if not path.is_file():
        raise AgentOpsError(f"no evaluation set at {path}", hint="e.g. agentops eval evals/commands.yaml")
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []
    items = []
    for n, row in enumerate(data, 1):
        try:
            items.append(EvalItem(str(row["command"]), str(row["expect"]), str(row.get("split", "tuning"))))
        except (KeyError, TypeError):
            raise AgentOpsError(f"{path}: item {n} needs `command` and `expect`") from None
    return items


def _key(action: Action) -> tuple:
    params = {k: float(v) if isinstance(v, (int, float)) else v for k, v in action.parameters.set_values().items()}
    return (action.type.value, action.resource.value, action.name, action.stack, params)


def score(expected: list[Action] | None, got: list[Action] | None) -> tuple[bool, dict[str, tuple[int, int]]]:
    """(exact match, per-field (right, total)) of one item; None means an InterpretError."""
    if expected is None or got is None:
        ok = expected is None and got is None
        return ok, {"count": (int(ok), 1)}
    fields = {"count": (int(len(expected) == len(got)), 1)}
    for i, name in enumerate(FIELDS):
        right = sum(
            1 for j, e in enumerate(expected) if j < len(got) and _key(e)[i] == _key(got[j])[i]
        )
        fields[name] = (right, len(expected))
    return [_key(a) for a in expected] == [_key(a) for a in got], fields


def run_eval(items: list[EvalItem], workspace, model_path: str | None = None, verbose: bool = False) -> dict[str, SplitReport]:
    from agentops.interpret import Interpreter
    from agentops.planline import parse, render

    # Memory is off: past commands of this repository must not leak answers into the score.
    interpreter = Interpreter(model_path, use_memory=False)
    reports: dict[str, SplitReport] = {}
    for item in items:
        expected = None if item.expect == ERROR else parse(item.expect)
        start = time.perf_counter()
        try:
            actions = interpreter.interpret(item.command, workspace).actions
            got_line = render(actions)
        except InterpretError as exc:
            actions, got_line = None, f"ERROR: {exc.message}"
        seconds = time.perf_counter() - start
        exact, fields = score(expected, actions)
        result = ItemResult(item, got_line, exact, fields, seconds)
        reports.setdefault(item.split, SplitReport()).results.append(result)
        if verbose and not exact:
            print(f"MISS [{item.split}] {item.command!r}\n  want: {item.expect}\n  got:  {got_line}")
    return reports


def miss_class(result: ItemResult) -> str:
    """What kind of miss a result is, without the command or its names: for reading a held-out
    set's misses in aggregate only (a refusal's message shape with names and values stripped,
    or which fields were wrong)."""
    if result.exact:
        return "right"
    if result.got.startswith("ERROR: "):
        shape = re.sub(r"'[^']*'|\"[^\"]*\"|\b\d+\b", "_", result.got[7:])
        return "refused: " + " ".join(shape.split()[:7])
    if result.item.expect == ERROR:
        return "answered where a refusal was expected"
    wrong = [name for name, (right, total) in result.fields.items() if right < total]
    return "wrong: " + ", ".join(wrong)


def print_miss_classes(reports: dict[str, SplitReport]) -> None:
    from collections import Counter

    for split, report in reports.items():
        counts = Counter(miss_class(r) for r in report.results if not r.exact)
        for what, n in counts.most_common():
            print(f"{split:<9} {n:>3}  {what}")


def print_report(reports: dict[str, SplitReport]) -> None:
    header = f"{'split':<9} {'n':>3} {'exact':>6}  " + " ".join(f"{f:>10}" for f in ("count", *FIELDS)) + "  s/cmd"
    print(header)
    for split in sorted(reports):
        rep = reports[split]
        mean = sum(r.seconds for r in rep.results) / max(1, len(rep.results))
        cols = " ".join(f"{rep.field_accuracy(f):>10.1%}" for f in ("count", *FIELDS))
        print(f"{split:<9} {len(rep.results):>3} {rep.exact:>6.1%}  {cols}  {mean:.2f}")
