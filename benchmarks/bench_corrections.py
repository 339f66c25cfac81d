"""Corrections replay: does the interpreter pick up a team convention from reviewers' fixes?

The team's convention: every new bucket's name carries the prefix "plat-" ("a bucket named
invoices" is plat-invoices). The default model does not know it. Replayed here with the real
model, real git and the real memory:

  k = 0, 1, 2, 3, 5 corrections: agentops proposes "create a bucket named <x> in <stack>"
  (the plan the command says, proposed by agentops.propose), a reviewer renames the bucket to
  plat-<x> on the branch and merges it (--no-ff), `agentops learn` reads it back as an amended
  proposal with its correction (two or more corrections make it a naming convention that
  interpret applies to new resources of that type, with a warning). After each k, 30 new commands that need the convention (other
  names, other phrasings, dev and staging) are interpreted with memory on, and the plan line is
  compared exactly with the expected one (create storage name=plat-<x> stack=<s> kind=bucket),
  with the learned convention applied and as the model wrote it (few-shot corrections alone).

    python benchmarks/bench_corrections.py [--points 0,1,2,3,5] [--commands 30]

Slow (the model interprets 30 x len(points) commands): run once, on a quiet machine if you can;
the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentops.actionplan import Action, ActionPlan, Parameters  # noqa: E402

PREFIX = "plat-"
REPO_STACKS = Path(__file__).resolve().parents[1] / "stacks"
TRAINING = [("logs", "dev"), ("backups", "staging"), ("exports", "dev"), ("media", "staging"),
            ("reports", "dev")]
NAMES = ["invoices", "receipts", "avatars", "uploads", "archive", "metrics", "billing", "audit",
         "images", "videos", "emails", "payroll", "ledger", "catalog", "static", "fonts",
         "thumbnails", "snapshots", "dumps", "traces"]
PHRASES = ["create a bucket named {n} in {s}", "add a bucket called {n} to {s}",
           "make an s3 bucket {n} in {s}", "create bucket {n} in the {s} stack",
           "new bucket named {n} for {s}", "please create a storage bucket called {n} in {s}"]


def test_commands(n: int) -> list[tuple[str, str]]:
    out = []
    for i in range(n):
        name = NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i // len(NAMES) + 1))
        stack = ("dev", "staging")[i % 2]
        command = PHRASES[i % len(PHRASES)].format(n=name, s=stack)
        out.append((command, f"create storage name={PREFIX}{name} stack={stack} kind=bucket"))
    return out


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_repo(root: Path) -> None:
    (root / "stacks").mkdir(parents=True)
    for name in ("dev", "staging", "prod"):
        shutil.copy(REPO_STACKS / f"{name}.yaml", root / "stacks" / f"{name}.yaml")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Reviewer")
    git(root, "config", "user.email", "reviewer@example.com")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "stacks")


def correct(root: Path, name: str, stack: str) -> None:
    """One proposal, amended by a reviewer (the team prefix) and merged."""
    from agentops.propose import propose
    from agentops.spec import Workspace

    command = f"create a bucket named {name} in {stack}"
    plan = ActionPlan(command=command, interpretation=command, actions=[
        Action(type="create", resource="storage", name=name, stack=stack,
               parameters=Parameters(kind="bucket"))])
    result = propose(Workspace(root), plan, publish=False)
    git(root, "switch", "-q", result.branch)
    spec = root / "stacks" / f"{stack}.yaml"
    text = spec.read_text()
    spec.write_text(text.replace(f"\n  {name}:", f"\n  {PREFIX}{name}:", 1))
    git(root, "commit", "-q", "-am", "review: team prefix on bucket names")
    git(root, "switch", "-q", "main")
    git(root, "merge", "-q", "--no-ff", result.branch, "-m", f"Merge {result.branch}")
    git(root, "branch", "-q", "-D", result.branch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", default="0,1,2,3,5")
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    points = [int(p) for p in args.points.split(",")]

    from agentops.interpret import Interpreter
    from agentops.learn import learn
    from agentops.memory import Memory
    from agentops.planline import render
    from agentops.spec import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="bench-corrections-"))
    try:
        root = tmp / "infra"
        make_repo(root)
        os.chdir(root)
        interpreter = Interpreter(use_memory=True)
        commands = test_commands(args.commands)
        done = 0
        curve = []
        for k in points:
            while done < k:
                correct(root, *TRAINING[done])
                done += 1
            report = learn(root)
            right = by_model = 0
            started = time.perf_counter()
            for command, expected in commands:
                plan = interpreter.interpret(command, Workspace(root))
                got = render(plan.actions)
                right += got == expected
                # What the model (with the corrections as few-shot examples) and the guard
                # wrote, before the learned convention renamed anything.
                renamed = [w for w in plan.warnings if "reviewers added the prefix" in w]
                model_line = got.replace(f"name={PREFIX}", "name=") if renamed else got
                by_model += model_line == expected
                if args.verbose and got != expected:
                    print(f"    k={k} miss: {command!r}: {got}", flush=True)
            seconds = time.perf_counter() - started
            curve.append((k, by_model, right))
            print(f"k={k} corrections (learned: {report.counts.get('amended', 0)} amended; "
                  f"conventions {[c.prefix for c in Memory(root).naming_conventions()]}): "
                  f"exact {right}/{len(commands)} = {right / len(commands):.0%}; "
                  f"model + few-shot alone {by_model}/{len(commands)} = {by_model / len(commands):.0%}"
                  f"  ({seconds / len(commands):.2f} s/command, load {os.getloadavg()[0]:.1f})", flush=True)
        print("curve (exact, with learned conventions): "
              + ", ".join(f"{k}: {r / len(commands):.0%}" for k, _, r in curve))
        print("curve (model + few-shot corrections alone): "
              + ", ".join(f"{k}: {m / len(commands):.0%}" for k, m, _ in curve))
        print(f"load average: {os.getloadavg()[0]:.2f} (cpus: {os.cpu_count()})")
    finally:
        os.chdir("/")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
