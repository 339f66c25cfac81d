"""Two `agentops propose --plan-file` processes at once, N times, in a fresh repository:
counts the runs where either process failed or crashed (exit code shown).

    python benchmarks/stress_concurrent_propose.py [--pairs 16]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

AGENTOPS = str(Path(sys.executable).parent / "agentops")
STACKS = Path(__file__).resolve().parents[1] / "stacks"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "infra"
        shutil.copytree(STACKS, repo / "stacks")
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "stacks")
        plan = Path(tmp) / "plan.json"
        plan.write_text(json.dumps({"command": "scale api in dev to 3 replicas", "interpretation": "x",
                                    "actions": [{"type": "scale", "resource": "deployment", "name": "api",
                                                 "stack": "dev", "parameters": {"replicas": 3}}]}))
        failed = 0
        for _ in range(args.pairs):
            procs = [subprocess.Popen([AGENTOPS, "propose", "--plan-file", str(plan), "--json"], cwd=repo,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                     for _ in range(2)]
            errors = [p.communicate()[1] for p in procs]
            codes = [p.returncode for p in procs]
            if any(codes):
                failed += 1
                print(f"exit codes {codes}: {[e.strip().splitlines()[-1:] for e in errors]}")
            for branch in git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/agentops/").split():
                git(repo, "branch", "-q", "-D", branch)
        print(f"failed pairs: {failed} of {args.pairs}")


if __name__ == "__main__":
    main()
