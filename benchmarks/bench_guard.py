"""What the interpreter costs around the model: parsing the plan line, the guard and the plan.

    cd /tmp && PYTHONPATH=<a revision's agentops> python /path/to/benchmarks/bench_guard.py [set ...]

Every command of the written sets (training/written/<set>.yaml, default: all) is read with
its own labelled plan line standing for the model's output: the command's facts, the plan
line parsed, the guard, the kinds held, the plan composed -- what Interpreter.run does
around the model, with the specs loaded once (loading them is the same for every revision).
Prints the median, 95th percentile and mean per command (a refusal counts: it is what the
guard does with that line) and the machine's load. Run two revisions one after the other in
the same session to compare them.

`--digests FILE` also writes, for every command, a digest of what comes out (the plan, or the
error) for its own plan line and for two other commands' lines of its set (wrong plans, which
exercise the refusals): two revisions that should behave the same (a refactor) give the same
file, and `diff` says which commands differ. Nothing of the commands or plans is written.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

# agentops first, from PYTHONPATH: training/written.py puts this checkout on sys.path
from agentops.actionplan import ActionPlan  # noqa: E402
from agentops.errors import AgentOpsError  # noqa: E402
from agentops.interpret import CommandFacts, compose  # noqa: E402
from agentops.planline import parse  # noqa: E402
from agentops.spec import Workspace  # noqa: E402

import written  # noqa: E402  (after agentops)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", help="written sets (default: all)")
    ap.add_argument("--repeat", type=int, default=2, help="passes over the commands (the first warms caches)")
    ap.add_argument("--digests", type=Path, help="write a digest of each command's outcomes here")
    args = ap.parse_args()
    import agentops

    print(f"agentops from {agentops.__file__}; load average {os.getloadavg()[0]:.2f}")
    times: list[float] = []
    digests: list[str] = []
    for path in written.set_paths(args.sets or None):
        samples, _ = written.load(path)
        workspace = Workspace(path.parent / f"{path.stem}-repo")
        specs, registry = workspace.load_all(), workspace.kinds
        names = [n for spec in specs.values() for n in spec.names()]
        for n in range(args.repeat):
            for sample in samples:
                start = time.perf_counter()
                try:
                    assert isinstance(read(sample.command, sample.plan, specs, registry, names), ActionPlan)
                except AgentOpsError:
                    pass
                if n == args.repeat - 1:
                    times.append(time.perf_counter() - start)
        if args.digests:
            digests += [f"{path.stem} {i} {v} {outcome(sample.command, line, specs, registry, names)}"
                        for i, sample in enumerate(samples)
                        for v, line in enumerate((sample.plan, samples[(i + 1) % len(samples)].plan,
                                                  samples[(i + 7) % len(samples)].plan))]
    times.sort()
    print(f"{len(times)} commands: median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, mean {statistics.mean(times) * 1000:.1f} ms "
          f"(load average {os.getloadavg()[0]:.2f})")
    if args.digests:
        args.digests.write_text("\n".join(digests) + "\n")
        print(f"{len(digests)} outcomes digested -> {args.digests}")


def read(command: str, line: str, specs, registry, names) -> ActionPlan:
    """What Interpreter.run does with a plan line written for `command`, specs loaded once."""
    facts = CommandFacts.of(command, list(specs))
    warnings: list[str] = []
    try:
        from agentops.interpret import read_against_command
    except ImportError:  # a revision before it (stop 29), for before/after comparisons
        from agentops.interpret import guard, hold_to_named_kinds

        actions = guard(parse(line, registry), facts, specs, None, warnings, (), registry)
        hold_to_named_kinds(actions, command, registry, names)
    else:
        actions = read_against_command(parse(line, registry), facts, specs, registry, None, warnings)
    return compose(command, actions, specs, warnings)


def outcome(command: str, line: str, specs, registry, names) -> str:
    """A digest of what the interpreter makes of `line` written for `command`: the plan, or the
    error's kind and message."""
    try:
        out = read(command, line, specs, registry, names).model_dump_json()
    except Exception as exc:  # noqa: BLE001 - what is raised is part of the outcome
        out = f"{type(exc).__name__}: {exc}"
    return hashlib.sha1(out.encode("utf-8")).hexdigest()[:12]


if __name__ == "__main__":
    main()
