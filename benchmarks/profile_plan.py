"""Where one `agentops plan --format json` spends its time: each phase of each process (the
plan process, the loader, the capture workers), with its wall and CPU seconds, in start order.

    python benchmarks/profile_plan.py [--resources 1000] [--cache]

Runs in a temp repository made like bench_plan's (a generated stack, a few entries changed in
the work tree), with an empty graph cache unless --cache (then a second run reads both graphs
from it). CPU seconds say what a phase costs whatever else the machine runs; on an idle 2-core
machine the wall time of the whole is the longest chain of phases (the plan process until it
hands the jobs over, the loader, one worker, then the plan process again).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_plan import make_repo  # noqa: E402

T0 = time.perf_counter()
LOG: list[str] = []  # lines from this process; children write theirs to the pipe below


def _log_line(line: str) -> None:
    os.write(_LOG_FD, (line + "\n").encode())


def _timed(owner, name: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            _log_line(f"{start - T0:7.3f} {time.perf_counter() - start:7.3f} "
                      f"{time.process_time() - cpu:7.3f}  {os.getpid():>7}  {owner.__name__}.{name}")

    setattr(owner, name, wrapper)


def main() -> None:
    global _LOG_FD
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--cache", action="store_true", help="time a second run, from the cache")
    args = parser.parse_args()

    read_fd, _LOG_FD = os.pipe()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        make_repo(root, args.resources)
        os.environ["AGENTOPS_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.pop("AGENTOPS_GRAPH_CACHE", None)
        os.chdir(root)

        from agentops import offline, plan, planrender

        for owner, name in [(plan, "_read_sides"), (plan, "_load_pack"), (plan, "_cost"),
                            (plan, "diff_graphs"), (plan, "_verdicts"), (planrender, "render"),
                            (offline, "_import_sdk"), (offline, "_preload"),
                            (offline, "_run_workers"), (offline, "_capture_result")]:
            _timed(owner, name)
        from agentops.cli import main as cli_main

        runs = 2 if args.cache else 1
        for run in range(runs):
            global T0
            T0 = time.perf_counter()
            cpu = time.process_time()
            devnull = os.open(os.devnull, os.O_WRONLY)
            saved = os.dup(1)
            os.dup2(devnull, 1)
            try:
                cli_main(["plan", "--format", "json"])
            except SystemExit:
                pass
            finally:
                os.dup2(saved, 1)
            _log_line(f"{0:7.3f} {time.perf_counter() - T0:7.3f} {time.process_time() - cpu:7.3f}"
                      f"  {os.getpid():>7}  whole run {run + 1} (plan process only for CPU)")
        os.close(_LOG_FD)
        with os.fdopen(read_fd) as pipe:
            lines = pipe.read().splitlines()
    print(f"{'start':>7} {'wall':>7} {'cpu':>7}  {'pid':>7}  phase   "
          f"(seconds; {args.resources} resources; load {os.getloadavg()[0]:.2f})")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
