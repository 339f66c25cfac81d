"""Score the interpreter on a written training set (training/written/<set>.yaml) that the
adapter at hand has not been trained on: a second measure, next to evals/wild.yaml, of how it
reads commands written by people it never saw.

    cd /tmp && python /path/to/benchmarks/eval_written.py training/written/<set>.yaml ...

A written set keeps relative changes as said ("+2"); an evaluation set holds the result. This
turns each relative value into the value the spec gives (agentops.interpret.resolve_relative,
the code the interpreter runs), writes the set as an evaluation set into a temporary folder and
runs agentops.evaluate on it. Only aggregates print (per set and over all sets), unless
`--misses` is given: a written set is training data, not a held-out set, so its misses may be
read item by item to find what the guard or the generator lacks (never do this with evals/).
Which sets an adapter was trained on: agentops/data/adapters/PROVENANCE.md.

`--oracle`: each command's labelled plan line stands for the model's (LabelledPlanWriter): what
the guard makes of a right answer, in seconds rather than minutes; no model is loaded.
"""

import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from agentops.evaluate import load_eval_file, print_miss_classes, print_report, run_eval  # noqa: E402
from agentops.interpret import resolve_relative  # noqa: E402
from agentops.planline import RELATIVE, plan_keys  # noqa: E402
from agentops.spec import Workspace  # noqa: E402

import written  # noqa: E402


def as_evalset(path: Path, out: Path) -> Path:
    """The written set at `path` with relative values resolved, as an evaluation set in `out`."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    repository = (path.parent / raw["repository"]).resolve()
    workspace = Workspace.find(repository)
    specs, registry = workspace.load_all(), workspace.kinds
    keys = plan_keys(registry)
    parsed = load_eval_file(path)
    for item, parsed_item in zip(raw["items"], parsed.items):
        if not isinstance(item.get("expect"), list):
            continue
        said = [a.get("parameters") or {} for a in item["expect"]]
        try:
            actions = written._actions(parsed_item.actions, registry, specs, keys)
        except ValueError:
            continue  # (written.py check names it; the item is scored as labelled)
        for action, label in zip(actions, item["expect"]):
            # the type training reads the label as ("node type cache.t4g.medium" labelled scale
            # is an update: written._actions), so that a set is scored as it teaches
            label["action"] = action.type.value
        if not any(isinstance(v, str) and re.fullmatch(RELATIVE, v) for p in said for v in p.values()):
            continue
        for action, params in zip(actions, said):
            resolved = resolve_relative(action, specs, registry, []).parameters.set_values()
            for key in action.relative:
                params[key] = resolved[key]
    raw["repository"] = str(repository)
    target = out / path.name
    target.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return target


class LabelledPlanWriter:
    """`--oracle`: each command's labelled plan line stands for the model's output, so the
    score is what the guard and the edit do to a right answer (the ceiling the model is held
    to; a reading that breaks right answers shows here first). Plugged in through run_eval's
    writer, the interpreter's public seam."""

    embedder = None

    def __init__(self, path: Path):
        samples, _ = written.load(path)
        self.lines = {s.command: s.plan for s in samples}

    def write(self, text, specs, workspace, model_setting):
        from agentops.interpret import WrittenPlan

        return WrittenPlan(self.lines.get(text, "none"))


def main() -> None:
    totals = [0, 0]
    args = sys.argv[1:]
    verbose = "--misses" in args
    oracle = "--oracle" in args
    args = [a for a in args if a not in ("--misses", "--oracle")]
    if any(Path(a).resolve().is_relative_to(ROOT / "evals") for a in args):
        sys.exit("eval_written.py reads training/written/ sets; held-out sets (evals/) are scored "
                 "in aggregate with benchmarks/eval_revision.py")
    with tempfile.TemporaryDirectory() as tmp:
        for arg in args:
            evalset = load_eval_file(as_evalset(Path(arg).resolve(), Path(tmp)))
            start = time.time()
            writer = LabelledPlanWriter(Path(arg).resolve()) if oracle else None
            reports = run_eval(evalset.items, Workspace.find(evalset.repository), verbose=verbose, writer=writer)
            print(f"== {arg} ({time.time() - start:.0f}s)")
            print_report(reports)
            print_miss_classes(reports)
            results = [r for split in reports.values() for r in split.results]
            totals[0] += sum(bool(r.exact) for r in results)
            totals[1] += len(results)
    print(f"== all: {totals[0]}/{totals[1]} exact ({100 * totals[0] / max(totals[1], 1):.1f}%)")


if __name__ == "__main__":
    main()
