"""Training commands written by people (helper sessions briefed to write like users), not by the
generator: turned into training samples, and checked before they are.

    python training/written.py check training/written/<set>.yaml   # every item, with its error
    python training/written.py show  training/written/<set>.yaml   # the samples it makes

A written set has the layout of a structured evaluation set (agentops.evaluate: `repository:`
and `items:` of {command, expect}), written against its own repository of stacks, with one
difference: a relative change keeps what the command says ("+3", "-1", "*2", "/2") rather than
the result, because that is what the model is to write (agentops.planline; code resolves it).
A create of a kind with several kind values says which in its parameters when it is not the
first (storage: `kind: volume, storage_gb: 50`; a bucket otherwise).

Why written data: the generator's phrasing comes from key names and templates, and the sets
written apart showed that people write otherwise (issue 11). The authors of these sets never
saw an evaluation set, the generator, the curated examples or any model output.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentops.actionplan import Action, ActionPlan, ActionType  # noqa: E402
from agentops.evaluate import ERROR, expected_actions, load_eval_file  # noqa: E402
from agentops.interpret.lookup import _scale_or_update  # noqa: E402
from agentops.planline import RELATIVE, grammar, parse, plan_keys, render  # noqa: E402

HERE = Path(__file__).resolve().parent / "written"


def _actions(expected: tuple, registry, specs, keys) -> list[Action]:
    """A written item's actions (agentops.evaluate.expected_actions, with the relative values
    kept as said); raises ValueError naming what does not fit. `keys`: planline.plan_keys."""
    created: set[tuple[str | None, str]] = set()
    absolute, relatives = [], []
    for type_, kind_name, name, stack, params in expected:
        if not any(k.name == kind_name for k in registry):
            raise ValueError(f"no kind {kind_name!r} (agentops kinds lists them)")
        if type_ not in {t.value for t in ActionType}:
            raise ValueError(f"no action {type_!r}")
        if stack is not None and stack not in specs:
            raise ValueError(f"no stack {stack!r}")
        if type_ != "create" and name:
            stacks = [stack] if stack else list(specs)
            if not any((s, name) in created or specs[s].find(name) for s in stacks):
                raise ValueError(f"{type_} {kind_name} {name!r}: no such resource in {stacks}")
        if type_ == "create":
            created.add((stack, name))
        relative = {}
        for key, value in params:
            if key not in keys:
                raise ValueError(f"{key!r} is no key of the plan line")
            if isinstance(value, str) and re.fullmatch(RELATIVE, value):
                if not keys[key].relative:
                    raise ValueError(f"{key} cannot be relative")
                relative[key] = value
        absolute.append((type_, kind_name, name, stack, tuple((k, v) for k, v in params if k not in relative)))
        relatives.append(relative)
    actions = expected_actions(tuple(absolute), registry)
    out = []
    for action, relative, (_, kind_name, *_rest) in zip(actions, relatives, expected):
        kind = next(k for k in registry if k.name == kind_name)
        action = action.model_copy(update={"relative": relative})
        # a change of a size alone is a scale, of anything else an update, whichever word the
        # label has ("max 30" on an autoscaler, "node type" of a cache): the type the guard
        # gives it (lookup._scale_or_update), so that a set teaches and scores one convention
        changed = {k: v for k, v in action.parameters.set_values().items() if k != "kind"}
        # (the entry is one that exists: only whether there is one is read)
        out.append(action.model_copy(update={"type": _scale_or_update(action, changed, kind, entry=True)}))
    return out


def load(path: Path, strict: bool = False):
    """(samples, errors): synth.Sample for every usable item; errors as (command, message).
    Refusals are left out: the model writes what it reads and the guard refuses."""
    import synth

    from agentops.edit import check_plan_applies
    from agentops.interpret import listing, resolve_relative
    from agentops.spec import Workspace

    evalset = load_eval_file(path)
    if evalset.repository is None:
        raise SystemExit(f"{path}: needs `repository:`")
    workspace = Workspace.find(evalset.repository)
    specs = workspace.load_all()
    registry = workspace.kinds
    shown = listing(specs)
    texts = {s: workspace.spec_text(s) for s in workspace.stack_names()}
    line_shape = re.compile(grammar(list(specs), registry))
    keys = plan_keys(registry)
    samples, errors = [], []
    for item in evalset.items:
        if item.expect == ERROR:
            continue
        if item.expect == "none":
            samples.append(synth.Sample(shown, item.command, "none"))
            continue
        try:
            actions = _actions(item.actions, registry, specs, keys)
            if len(actions) > 4:
                raise ValueError("more than 4 actions")
            # it must apply to the specs as written (relative values resolved first)
            resolved = [resolve_relative(a, specs, registry, []) for a in actions]
            if not any(a.type == ActionType.show for a in resolved):
                check_plan_applies(ActionPlan(command=item.command, interpretation="", actions=resolved),
                                   texts, kinds=registry)
        except Exception as exc:  # noqa: BLE001 - reported per item
            errors.append((item.command, f"{type(exc).__name__}: {exc}"))
            continue
        line = render(actions, registry)
        # what the model cannot write (a value the plan line has no shape for) teaches nothing
        if not line_shape.fullmatch(f" {line}\n") or len(parse(line, registry)) != len(actions):
            errors.append((item.command, f"the plan line cannot say it: {line}"))
            continue
        samples.append(synth.Sample(shown, item.command, line))
    return samples, errors


def set_paths(names: list[str] | None = None, folder: Path = HERE) -> list[Path]:
    """The written sets `names` (every set in `folder` when None); a missing one is an error."""
    if names is None:
        return sorted(folder.glob("*.yaml"))
    paths = [folder / f"{name}.yaml" for name in names]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"no written set {', '.join(missing)} in {folder}")
    return paths


def load_all(names: list[str] | None = None, folder: Path = HERE):
    samples = []
    for path in set_paths(names, folder):
        got, _ = load(path)
        samples += got
    return samples


if __name__ == "__main__":
    from ruamel.yaml import YAMLError

    from agentops.errors import AgentOpsError

    if len(sys.argv) < 3 or sys.argv[1] not in ("check", "show"):
        sys.exit("usage: python training/written.py check|show training/written/<set>.yaml ...")
    mode, *paths = sys.argv[1:]
    bad = 0
    for p in paths:
        try:
            samples, errors = load(Path(p))
        except (AgentOpsError, YAMLError) as exc:  # a file that does not read: what is wrong, no traceback
            print(f"{p}: {exc}" if isinstance(exc, YAMLError) else exc, file=sys.stderr)
            sys.exit(2)
        if mode == "show":
            for s in samples:
                print(f"{s.command!r:90} -> {s.plan}")
        for command, message in errors:
            print(f"ERROR {command!r}: {message}")
        print(f"{p}: {len(samples)} usable, {len(errors)} with errors")
        bad += len(errors)
    sys.exit(1 if bad else 0)
