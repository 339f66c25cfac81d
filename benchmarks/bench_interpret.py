"""Interpreter benchmarks: run on a quiet machine with `python benchmarks/bench_interpret.py`.

Prints, for the repository's own stacks:
- whole-process `agentops interpret --json`, warm caches, without a resident process
  (AGENTOPS_RESIDENT=0): median and range;
- where one such process spends its time (a fresh process timing each phase: imports, model
  load, grammar index, example index and embedding, prompt, decoding, guard);
- whole-process with a warm resident model process (agentops/resident.py): median and range;
- in-process per command (as `agentops serve` answers): median;
- constrained vs unconstrained tokens/s for the same prompt;
- with --cold, the first run on an empty cache (model assembly, grammar compile, example index).
The machine's load average is printed with the figures.
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

REPO = Path(__file__).resolve().parents[1]
COMMANDS = [
    "scale api in prod to 8 replicas",
    "Create 3 AWS EC2 instances in us-east-1",
    "restart web in staging",
    "back up the orders database in prod",
    "Show me all infrastructures",
]

PHASES = r'''
import time, sys
t0 = time.perf_counter(); marks = []
def mark(name): marks.append((name, time.perf_counter()))
from agentops.interpret import Interpreter, check_command, listing, build_prompt, prompt_prefix
from agentops.spec import Workspace
mark("imports (agentops.interpret, pydantic, ...)")
ws = Workspace(__import__("pathlib").Path(sys.argv[1])); specs = ws.load_all(); ws.kinds
mark("specs and kinds")
interp = Interpreter(use_memory=False); writer = interp.writer
model = writer._resolve(None)
from agentops.model import load_llama
load_llama(model)
mark("model load (llama.cpp, adapter)")
from agentops.generate import ConstrainedGenerator
from agentops.planline import grammar, MAX_TOKENS
gen = ConstrainedGenerator(model, grammar(list(specs), ws.kinds))
mark("grammar index (from the cache)")
shots = writer._shots(sys.argv[2], ws)
mark("example index, embedding, retrieval")
res = listing(specs)
prompt = build_prompt(res, shots, sys.argv[2])
out = gen(prompt, max_tokens=MAX_TOKENS, prefix=prompt_prefix(res))
mark(f"prompt and decoding ({out.tokens} tokens)")
from agentops.planline import parse
from agentops.interpret import CommandFacts, guard
guard(parse(out.text, ws.kinds), CommandFacts.of(sys.argv[2], list(specs)), specs, None, [], (), ws.kinds)
mark("guard")
prev = t0
for name, t in marks:
    print(f"  {t - prev:6.3f} s  {name}"); prev = t
print(f"  {prev - t0:6.3f} s  in all (after interpreter start-up)")
'''


def cli(command: str, env=None) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "agentops", "interpret", "--json", command],
                   cwd=REPO, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def summary(runs: list[float]) -> str:
    return (f"median {statistics.median(runs):.2f} s (min {min(runs):.2f}, max {max(runs):.2f}, "
            f"n={len(runs)}; load {os.getloadavg()[0]:.1f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs of each command")
    ap.add_argument("--cold", action="store_true", help="also time a first run on an empty cache")
    args = ap.parse_args()
    plain = dict(os.environ, AGENTOPS_RESIDENT="0")
    cli(COMMANDS[0], plain)  # warm the caches
    runs = [cli(c, plain) for c in COMMANDS for _ in range(args.repeat)]
    print(f"whole-process interpret --json, warm cache, no resident process: {summary(runs)}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the CLI process: {peak:.0f} MiB")
    print("where one whole process spends its time (after Python's own start-up):")
    subprocess.run([sys.executable, "-c", PHASES, str(REPO), COMMANDS[0]], check=True)

    run_dir = tempfile.mkdtemp(prefix="ao-bench-")
    resident = dict(os.environ, AGENTOPS_RESIDENT="1", AGENTOPS_RESIDENT_DIR=run_dir)
    resident.pop("CI", None)
    try:
        cli(COMMANDS[0], resident)  # interprets itself, starts the resident process
        for _ in range(240):
            state = subprocess.run([sys.executable, "-m", "agentops", "resident", "status"], cwd=REPO,
                                   env=resident, capture_output=True, text=True).stdout
            if "pid" in state:
                break
            time.sleep(0.5)
        cli(COMMANDS[0], resident)  # its first command loads the grammar index
        runs = [cli(c, resident) for c in COMMANDS for _ in range(args.repeat)]
        print(f"whole-process interpret --json, warm resident process: {summary(runs)}")
    finally:
        subprocess.run([sys.executable, "-m", "agentops", "resident", "stop"], cwd=REPO, env=resident,
                       capture_output=True)
        shutil.rmtree(run_dir, ignore_errors=True)

    from agentops.interpret import Interpreter, build_prompt, listing
    from agentops.spec import Workspace

    ws = Workspace(REPO)
    interp = Interpreter(use_memory=False)
    interp.interpret(COMMANDS[0], ws)
    times = []
    for command in COMMANDS * args.repeat:
        start = time.perf_counter()
        interp.run(command, ws)
        times.append(time.perf_counter() - start)
    print(f"in-process per command: {summary(times)}")

    writer = interp.writer
    gen = next(iter(writer._generators.values()))
    prompt = build_prompt(listing(ws.load_all()), writer._shots(COMMANDS[1], ws), COMMANDS[1])
    gen(prompt)  # prompt now in the KV cache for both runs
    con = gen(prompt, max_tokens=64)
    unc = gen.unconstrained(prompt, max_tokens=con.tokens)
    c_rate, u_rate = con.tokens / con.seconds, unc.tokens / unc.seconds
    print(f"constrained {c_rate:.1f} tok/s vs unconstrained {u_rate:.1f} tok/s "
          f"({c_rate / u_rate:.0%}) over {con.tokens} tokens")

    if args.cold:
        with tempfile.TemporaryDirectory() as cache:
            env = dict(plain, AGENTOPS_CACHE_DIR=cache)
            print(f"cold cache first run (assemble model, compile grammar, index examples): "
                  f"{cli(COMMANDS[0], env):.1f} s")


if __name__ == "__main__":
    main()
