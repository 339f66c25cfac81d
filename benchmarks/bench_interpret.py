"""Interpreter benchmarks: run on a quiet machine with `python benchmarks/bench_interpret.py`.

Prints: whole-process `agentops interpret --json` median latency (warm cache), in-process
latency per command, constrained vs unconstrained tokens/s for the same prompt, the cold-cache
first run (empty AGENTOPS_CACHE_DIR: model assembly + grammar compile + example index), and
peak memory (max RSS) of the CLI process.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = [
    "scale api in prod to 8 replicas",
    "Create 3 AWS EC2 instances in us-east-1",
    "restart web in staging",
    "back up the orders database in prod",
    "Show me all infrastructures",
]


def cli(command: str, env=None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "agentops", "interpret", "--json", command],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    cli(COMMANDS[0])  # warm the caches
    runs = [cli(c) for c in COMMANDS for _ in range(2)]
    print(f"whole-process interpret --json, warm cache: median {statistics.median(runs):.2f} s "
          f"(min {min(runs):.2f}, max {max(runs):.2f}, n={len(runs)})")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the CLI process: {peak:.0f} MiB")

    from agentops.interpret import Interpreter, build_prompt, listing
    from agentops.spec import Workspace

    ws = Workspace(REPO)
    interp = Interpreter(use_memory=False)
    interp.interpret(COMMANDS[0], ws)
    times, tok, sec = [], 0, 0.0
    for command in COMMANDS * 2:
        start = time.perf_counter()
        result = interp.run(command, ws)
        times.append(time.perf_counter() - start)
        tok, sec = tok + result.tokens, sec + result.seconds
    print(f"in-process per command: median {statistics.median(times):.2f} s (n={len(times)})")

    gen = next(iter(interp._generators.values()))
    prompt = build_prompt(listing(ws.load_all()), interp._shots(COMMANDS[1], ws), COMMANDS[1])
    gen(prompt)  # prompt now in the KV cache for both runs
    con = gen(prompt, max_tokens=64)
    unc = gen.unconstrained(prompt + con.text[:0], max_tokens=con.tokens)
    # both timings include the (cached-prefix) prompt step; equal token counts
    c_rate, u_rate = con.tokens / con.seconds, unc.tokens / unc.seconds
    print(f"constrained {c_rate:.1f} tok/s vs unconstrained {u_rate:.1f} tok/s "
          f"({c_rate / u_rate:.0%}) over {con.tokens} tokens")

    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, AGENTOPS_CACHE_DIR=cache)
        print(f"cold cache first run (assemble model, compile grammar, index examples): "
              f"{cli(COMMANDS[0], env):.1f} s")


if __name__ == "__main__":
    main()
