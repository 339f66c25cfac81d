"""`agentops suggest`: as a whole process, and in process as `agentops serve` answers it.

The repository is this one's stacks plus a history of --proposals merged proposals (written by
bench_learn's generator, so `suggest` also reads merged commands from git). Partial commands
of every shape: a verb, a name, a stack, a value, a whole merged command.

    python benchmarks/bench_suggest.py [--proposals 200] [--repeat 15]

Reports wall and CPU medians (the process figure includes its git children) and the load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_learn import clocked, generate  # noqa: E402

PARTIALS = ["sc", "scale svc-0", "scale svc-01 in d", "scale svc-01 in dev to ", "restart ",
            "create a dep", "scale svc-03 in dev to 4", "del"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-suggest-"))
    try:
        root = tmp / "infra"
        generate(root, args.proposals)
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        process = []
        for i in range(args.repeat):
            text = PARTIALS[i % len(PARTIALS)]
            out, wall, cpu = clocked(lambda: subprocess.run(
                [sys.executable, "-m", "agentops", "suggest", text], cwd=root, env=env,
                capture_output=True, text=True, check=True))
            assert out.stdout.strip(), f"no suggestion for {text!r}"
            process.append((wall, cpu))

        from agentops.suggest import Suggester

        suggester = Suggester(root)
        _, first, _ = clocked(lambda: suggester("sc"))
        in_process = []
        for i in range(args.repeat * 10):
            text = PARTIALS[i % len(PARTIALS)]
            found, wall, cpu = clocked(lambda: suggester(text))
            assert found
            in_process.append((wall, cpu))
        for label, runs in (("whole process", process), ("in process", in_process)):
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"  {label:<14} wall median {statistics.median(walls) * 1000:7.1f} ms "
                  f"(p90 {sorted(walls)[int(len(walls) * 0.9)] * 1000:.1f}), "
                  f"CPU median {statistics.median(cpus) * 1000:7.1f} ms  [{len(runs)} runs]")
        print(f"  in process, first call (reads specs and history): {first * 1000:.1f} ms")
        print(f"example: {[s.text for s in suggester('scale svc-01 in dev to ')][:3]}")
        print(f"load average: {os.getloadavg()[0]:.2f} (cpus: {os.cpu_count()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
