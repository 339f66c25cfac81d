"""How often the second look (agentops.interpret.clauses.left_out) would read a clause again when
the writer's plan is right: each written set's labelled plan line stands for the model's, and
every command whose right plan still leaves a said name out is listed. A right plan should
almost never trigger it; each one listed is an extra decode, or worse, a reading to check.

    cd /tmp && python /path/to/benchmarks/second_look_firing.py <set> ...   # training/written/<set>.yaml

No model is loaded. Never run it on evals/ (held-out sets are scored in aggregate only).
"""

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

from agentops.interpret.clauses import key_words, left_out, names_in_play  # noqa: E402
from agentops.interpret.facts import CommandFacts  # noqa: E402
from agentops.planline import parse  # noqa: E402
from agentops.spec import Workspace  # noqa: E402

import written  # noqa: E402


def main() -> None:
    fired = total = 0
    for name in sys.argv[1:]:
        path = written.HERE / f"{name}.yaml"
        samples, _ = written.load(path)
        workspace = Workspace.find((path.parent / yaml.safe_load(path.read_text())["repository"]).resolve())
        specs = workspace.load_all()
        names = {n for spec in specs.values() for n in spec.names()}
        words = key_words(workspace.kinds)
        for sample in samples:
            if sample.plan == "none":
                continue
            total += 1
            actions = parse(sample.plan, workspace.kinds)
            stacks = CommandFacts.of(sample.command, list(specs), names).stacks
            missing = left_out(actions, sample.command, names_in_play(actions, stacks, specs), words)
            if missing:
                fired += 1
                print(f"[{name}] {sample.command!r}: {[m.name for m in missing]}")
    print(f"fires on {fired} of {total} right plans")


if __name__ == "__main__":
    main()
