"""Cold `agentops plan --format json` runs of several revisions, interleaved, on one generated
stack: wall and whole-tree CPU per run, with the load average when each run started.

    python benchmarks/interleave_plan.py --pythonpath /tmp/bef --pythonpath $PWD [--mix every]
        [--resources 1000] [--repeat 5]

Each --pythonpath is a folder holding an agentops/ (`git archive REV agentops | tar -x -C DIR`);
run from outside the checkout (the working directory precedes PYTHONPATH). The revisions take
turns run by run, so a change in the machine's load falls on all of them alike. On a shared
machine read the CPU column first: while another session keeps a core busy the plan's process
tree gets one core's worth (autogroup scheduling), and its wall time follows its CPU.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_plan  # noqa: E402


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pythonpath", action="append", required=True,
                        help="a folder holding the agentops/ to run (repeat to compare)")
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mix", choices=("base", "every"), default="base")
    args = parser.parse_args()
    bench_plan.MIX = args.mix

    runs: dict[str, list[tuple[float, float, float]]] = {p: [] for p in args.pythonpath}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        bench_plan.make_repo(root, args.resources)
        for _ in range(args.repeat):
            for path in args.pythonpath:
                cache = Path(tempfile.mkdtemp(dir=tmp))
                env = {**os.environ, "AGENTOPS_CACHE_DIR": str(cache), "PYTHONPATH": path}
                env.pop("AGENTOPS_GRAPH_CACHE", None)
                load = os.getloadavg()[0]
                cpu, start = _children_cpu(), time.perf_counter()
                subprocess.run([sys.executable, "-m", "agentops", "plan", "--format", "json"],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, check=True)
                runs[path].append((time.perf_counter() - start, _children_cpu() - cpu, load))
                shutil.rmtree(cache)
    print(f"{args.resources} resources, --mix {args.mix}, {args.repeat} cold runs each, "
          f"interleaved; medians [min, max]")
    for path, results in runs.items():
        wall = [r[0] for r in results]
        cpu = [r[1] for r in results]
        load = [r[2] for r in results]
        print(f"{path}: wall {statistics.median(wall):.2f} s [{min(wall):.2f}, {max(wall):.2f}]"
              f"  tree CPU {statistics.median(cpu):.2f} s  load(1 min) {min(load):.2f}-{max(load):.2f}")


if __name__ == "__main__":
    main()
