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
from agentops.secrets import SecretInCommandError

FIELDS = ("type", "resource", "name", "stack", "parameters")
ERROR = "ERROR"


@dataclass(frozen=True)
class EvalItem:
    command: str
    expect: str  # a plan line, "none" or ERROR; for a structured item, its rendering
    split: str
    # Structured items (a set with `items:`): the expected actions by kind, compared by what
    # they do (kind, name, stack, values) rather than by the plan line's spelling.
    actions: tuple = ()
    structured: bool = False
    # what kind of command it is (multi, relative, new-kind...): scores are also given per tag
    tags: tuple = ()


@dataclass(frozen=True)
class EvalSet:
    items: list
    repository: Path | None = None  # the repository the commands are written against


@dataclass
class ItemResult:
    item: EvalItem
    got: str  # the plan line, or "ERROR: ..."
    exact: bool
    fields: dict[str, tuple[int, int]]  # field -> (right, total)
    seconds: float
    # Structured items: whether the interpreted plan changes the specs exactly as the expected
    # one does (a scale and an update of the same field to the same value are one change).
    same_effect: bool | None = None
    # Structured items: (kind, parameter key, "missing" | "extra" | "wrong value") for each key
    # of the actions at the same position that differs: what a miss gets wrong, by key only.
    key_misses: tuple = ()


@dataclass
class SplitReport:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def exact(self) -> float:
        return sum(r.exact for r in self.results) / max(1, len(self.results))

    @property
    def effect(self) -> float | None:
        """Share of items whose plan has the expected effect (structured sets only)."""
        scored = [r for r in self.results if r.same_effect is not None]
        return sum(r.same_effect for r in scored) / len(scored) if scored else None

    def field_accuracy(self, name: str) -> float:
        right = sum(r.fields.get(name, (0, 0))[0] for r in self.results)
        total = sum(r.fields.get(name, (0, 0))[1] for r in self.results)
        return right / total if total else 1.0


def load_eval_set(path: Path) -> list[EvalItem]:
    return load_eval_file(path).items


def load_eval_file(path: Path) -> EvalSet:
    """A list of {command, expect: plan line | none | ERROR, split}, or a mapping
    {repository: DIR (relative to the file), items: [{command, expect, split?}]} whose expect is
    a list of {action, kind, name?, stack?, parameters?}, `none` or `refuse`. A create says
    `kind: volume` (a kind value other than the kind's default) in its parameters."""
    from ruamel.yaml import YAML

    if not path.is_file():
        raise AgentOpsError(f"no evaluation set at {path}", hint="e.g. agentops eval evals/commands.yaml")
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or []
    repository = None
    structured = isinstance(data, dict)
    if structured:
        if data.get("repository"):
            repository = (path.parent / str(data["repository"])).resolve()
        data = data.get("items") or []
    items = []
    for n, row in enumerate(data, 1):
        try:
            if structured:
                items.append(_structured_item(row, path.stem))
            else:
                items.append(EvalItem(str(row["command"]), str(row["expect"]), str(row.get("split", "tuning"))))
        except (KeyError, TypeError, ValueError) as exc:
            missing = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            raise AgentOpsError(
                f"{path}: item {n} does not read ({missing})",
                hint="an item is {command, expect}; in a file with `repository:`, expect is a list of "
                     "{action, kind, name, stack, parameters}, `none` or `refuse`") from None
    return EvalSet(items, repository)


def _structured_item(row: dict, default_split: str) -> EvalItem:
    expect = row["expect"]
    split = str(row.get("split", default_split))
    tags = tuple(str(t) for t in (row.get("classes") or ()))
    if expect in ("none", None, []):
        return EvalItem(str(row["command"]), "none", split, (), True, tags)
    if expect in ("refuse", ERROR):
        return EvalItem(str(row["command"]), ERROR, split, (), True, tags)
    actions = []
    for a in expect:
        # `kind` stays when written: a storage create says bucket or volume that way. A kind's
        # default value (its first) is dropped when the registry is at hand (with_registry).
        params = {k: _number(v) for k, v in (a.get("parameters") or {}).items()}
        actions.append((str(a["action"]), str(a["kind"]), a.get("name"), a.get("stack"),
                        tuple(sorted(params.items(), key=lambda kv: kv[0]))))
    text = " ; ".join(f"{t} {k} name={n} stack={st} {dict(p)}" for t, k, n, st, p in actions)
    return EvalItem(str(row["command"]), text, split, tuple(actions), True, tags)


def _number(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        # a list of one is the value itself ("values: [10.0.0.1]" and "values: 10.0.0.1")
        return str(value[0]) if len(value) == 1 else tuple(str(v) for v in value)
    return str(value)


def by_kind(actions: list[Action], specs: dict, registry) -> tuple:
    """Interpreted actions in the structured form: (action, kind name, name, stack, values),
    the kind being the section an existing target is in, or the kind a create makes."""
    from agentops.edit import create_kind
    from agentops.kinds import EditError

    out = []
    made: dict = {}
    for a in actions:
        kind = None
        if a.name and a.type.value != "create":
            for stack, spec in specs.items():
                if a.stack and stack != a.stack:
                    continue
                found = spec.find(a.name)
                if found:
                    kind = registry[found[0]].name
                    break
            kind = kind or made.get(a.name)
        if kind is None and a.type.value == "create":
            try:
                kind = create_kind(a, a.parameters.set_values(), registry).name
            except EditError:
                kind = None
        if kind is None and a.parameters.kind:
            chosen = registry.by_kind_value(a.parameters.kind)
            kind = chosen.name if chosen is not None else None
        if kind is None and a.type.value == "show":
            kinds = registry.of_type(a.resource)
            kind = kinds[0].name if len(kinds) == 1 else a.resource.value
        if a.type.value == "create" and a.name:
            made[a.name] = kind
        other = a.type.value == "create" and kind is not None and _other_kind_value(
            _kind_named(registry, kind), a.parameters.kind)
        params = {k: _number(v) for k, v in a.parameters.set_values().items() if k != "kind" or other}
        out.append((a.type.value, kind, a.name, a.stack, tuple(sorted(params.items(), key=lambda kv: kv[0]))))
    return tuple(out)


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


def same_effect(expected: tuple | None, got: list[Action] | None, workspace) -> bool:
    """Whether the interpreted actions change the specs exactly as the expected ones: both
    applied (agentops.edit.apply_plan) to the repository's specs, the texts compared. A
    refusal, nothing to do, or a plan that only shows is compared as the actions themselves."""
    from agentops.actionplan import ActionPlan, ActionType, Parameters
    from agentops.edit import apply_plan

    if expected is None or got is None or not expected or not got:
        return False
    wanted = expected_actions(expected, workspace.kinds)
    if wanted is None:
        return False
    if any(a.type == ActionType.show for a in wanted) or any(a.type == ActionType.show for a in got):
        return False
    texts = {s: workspace.spec_text(s) for s in workspace.stack_names()}
    try:
        want = apply_plan(ActionPlan(command="", interpretation="", actions=wanted), texts,
                          now=_FIXED_TIME).texts
    except Exception:  # noqa: BLE001 - an expectation the edits cannot apply: strict only
        return False
    try:
        have = apply_plan(ActionPlan(command="", interpretation="", actions=list(got)), texts,
                          now=_FIXED_TIME).texts
    except Exception:  # noqa: BLE001 - the interpreted plan does not apply: not the same
        return False
    return want == have


def _kind_named(registry, name: str):
    return next((k for k in registry if k.name == name), None)


def _other_kind_value(kind, value) -> bool:
    """Whether `value` (parameters.kind) says something beyond the kind itself: one of its kind
    values other than the first, its default (storage: volume, not bucket)."""
    return kind is not None and value in kind.kind_values[1:]


def with_registry(expected: tuple | None, registry) -> tuple | None:
    """A structured item's actions as they are compared: a written `kind` parameter kept only
    where it is another than the kind's default (by_kind does the same to an interpreted plan)."""
    if expected is None:
        return None
    out = []
    for type_, kind_name, name, stack, params in expected:
        kind = _kind_named(registry, kind_name)
        kept = tuple((k, v) for k, v in params if k != "kind" or _other_kind_value(kind, v))
        out.append((type_, kind_name, name, stack, kept))
    return tuple(out)


def expected_actions(expected: tuple, registry) -> list[Action] | None:
    """A structured item's expected actions as Actions (a create carries its kind's value: the
    one written, or the kind's default)."""
    from agentops.actionplan import ActionType, Parameters

    out = []
    for type_, kind_name, name, stack, params in expected:
        kind = _kind_named(registry, kind_name)
        if kind is None:
            return None
        values = dict(params)
        said = values.pop("kind", None)
        if _other_kind_value(kind, said):
            values["kind"] = said
        elif type_ == "create" and kind.kind_values:
            values["kind"] = kind.kind_values[0]
        values = {k: (list(v) if isinstance(v, tuple) else int(v) if isinstance(v, float) and v.is_integer() else v)
                  for k, v in values.items()}
        out.append(Action(type=ActionType(type_), resource=kind.resource_type, name=name, stack=stack,
                          parameters=Parameters.model_validate(values)))
    return out


def _FIXED_TIME():
    from datetime import datetime, timezone

    return datetime(2026, 1, 1, tzinfo=timezone.utc)


def score_structured(expected: tuple | None, got: tuple | None) -> tuple[bool, dict[str, tuple[int, int]]]:
    """score() for structured items: actions as (action, kind, name, stack, values)."""
    if expected is None or got is None:
        ok = expected is None and got is None
        return ok, {"count": (int(ok), 1)}
    fields = {"count": (int(len(expected) == len(got)), 1)}
    for i, name in enumerate(("type", "resource", "name", "stack", "parameters")):
        right = sum(1 for j, e in enumerate(expected) if j < len(got) and e[i] == got[j][i])
        fields[name] = (right, len(expected))
    return tuple(expected) == tuple(got), fields


def run_eval(items: list[EvalItem], workspace, model_path: str | None = None, verbose: bool = False,
             writer=None) -> dict[str, SplitReport]:
    from agentops.interpret import Interpreter
    from agentops.planline import parse, render

    # Memory is off: past commands of this repository must not leak answers into the score.
    interpreter = Interpreter(model_path, use_memory=False, writer=writer)
    specs = workspace.load_all() if any(i.structured for i in items) else {}
    reports: dict[str, SplitReport] = {}
    for item in items:
        if item.structured:
            expected = None if item.expect == ERROR else with_registry(item.actions, workspace.kinds)
        else:
            expected = None if item.expect == ERROR else parse(item.expect)
        start = time.perf_counter()
        try:
            actions = interpreter.interpret(item.command, workspace).actions
            got_line = render(actions)
        except (InterpretError, SecretInCommandError) as exc:
            # a refusal, as the CLI answers it: scored against the item, never a crash of the run
            actions, got_line = None, f"ERROR: {exc.message}"
        seconds = time.perf_counter() - start
        if item.structured:
            got = None if actions is None else by_kind(actions, specs, workspace.kinds)
            exact, fields = score_structured(expected, got)
            effect = exact or same_effect(expected, actions, workspace)
            misses = key_misses(expected, got)
        else:
            exact, fields = score(expected, actions)
            effect, misses = None, ()
        result = ItemResult(item, got_line, exact, fields, seconds, effect, misses)
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
        # the message's shape only: no quoted names, numbers, or a plan line it may carry
        message = result.got[7:].split(": ", 1)[0] if "plan is not valid" in result.got else result.got[7:]
        shape = re.sub(r"'[^']*'|\"[^\"]*\"|\b\d+\b", "_", message)
        return "refused: " + " ".join(shape.split()[:7])
    if result.item.expect == ERROR:
        return "answered where a refusal was expected"
    wrong = [name for name, (right, total) in result.fields.items() if right < total]
    return "wrong: " + ", ".join(wrong)


def key_misses(expected: tuple | None, got: tuple | None) -> tuple:
    """(kind, key, how) for each parameter the interpreted action at the same position, on the
    same kind, gets wrong: missing, extra or a wrong value. Keys and kinds only, never values."""
    out = []
    for want, have in zip(expected or (), got or ()):
        if want[1] != have[1]:
            continue
        wanted, had = dict(want[4]), dict(have[4])
        for key in sorted(set(wanted) | set(had)):
            if key not in had:
                out.append((want[1], key, "missing"))
            elif key not in wanted:
                out.append((want[1], key, "extra"))
            elif wanted[key] != had[key]:
                out.append((want[1], key, "wrong value"))
    return tuple(out)


def print_key_misses(reports: dict[str, SplitReport], top: int = 15) -> None:
    """The parameter keys most often wrong across a structured set's items, by kind and how."""
    from collections import Counter

    counts = Counter(m for report in reports.values() for r in report.results for m in r.key_misses)
    for (kind, key, how), n in counts.most_common(top):
        print(f"key   {n:>3}  {kind}.{key} {how}")


def print_miss_classes(reports: dict[str, SplitReport]) -> None:
    from collections import Counter

    for split, report in reports.items():
        counts = Counter(miss_class(r) for r in report.results if not r.exact)
        for what, n in counts.most_common():
            print(f"{split:<9} {n:>3}  {what}")


def print_by_tag(reports: dict[str, SplitReport]) -> None:
    """Exact match per item tag (a structured set's `classes`), in aggregate."""
    from collections import defaultdict

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for report in reports.values():
        for r in report.results:
            for tag in r.item.tags:
                totals[tag][0] += r.exact
                totals[tag][1] += 1
    effects: dict[str, int] = defaultdict(int)
    for report in reports.values():
        for r in report.results:
            for tag in r.item.tags:
                effects[tag] += bool(r.exact or r.same_effect)
    for tag, (right, n) in sorted(totals.items()):
        print(f"class {tag:<18} exact {right:>3}/{n:<3} {right / n:6.1%}   same effect {effects[tag]:>3}/{n:<3}")


def print_tag_miss_classes(reports: dict[str, SplitReport]) -> None:
    """Per item tag, how its misses went wrong (miss_class: shapes, never commands or names),
    in aggregate: which mechanism a class of the issue lacks, without reading its items."""
    from collections import Counter, defaultdict

    by_tag: dict[str, Counter] = defaultdict(Counter)
    for report in reports.values():
        for r in report.results:
            if not r.exact:
                for tag in r.item.tags:
                    by_tag[tag][miss_class(r)] += 1
    for tag, counts in sorted(by_tag.items()):
        for what, n in counts.most_common():
            print(f"class {tag:<18} {n:>3}  {what}")


def print_report(reports: dict[str, SplitReport]) -> None:
    header = f"{'split':<9} {'n':>3} {'exact':>6}  " + " ".join(f"{f:>10}" for f in ("count", *FIELDS)) + "  s/cmd"
    print(header)
    for split in sorted(reports):
        rep = reports[split]
        mean = sum(r.seconds for r in rep.results) / max(1, len(rep.results))
        cols = " ".join(f"{rep.field_accuracy(f):>10.1%}" for f in ("count", *FIELDS))
        print(f"{split:<9} {len(rep.results):>3} {rep.exact:>6.1%}  {cols}  {mean:.2f}")
    for split in sorted(reports):
        effect = reports[split].effect
        if effect is not None:
            # refusals and nothing-to-do count as right only when exact
            both = sum(bool(r.exact or r.same_effect) for r in reports[split].results)
            print(f"{split:<9} same effect on the specs (exact, or the same spec change): "
                  f"{both}/{len(reports[split].results)} = {both / len(reports[split].results):.1%}")
