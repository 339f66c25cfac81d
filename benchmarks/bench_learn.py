"""`agentops learn` over a generated repository with N proposals (default 1,000).

The repository is written with `git fast-import` (real commits, real merges): each proposal is
a commit in agentops.propose's exact message format (command + ActionPlan) on its own branch,
then, by turns: merged unchanged (--no-ff merge, 70%), amended by a reviewer (a fixup commit on
the branch before the merge, 10%), merged then reverted with a reason (10%), left open (5%),
squash-merged (5%). Merged branches are deleted, as GitHub does.

Measured: wall and CPU (this process and its git children; load-robust on a shared machine),
medians of --repeat runs, with the machine's load average printed alongside:
  cold         learn() with no memory (the table written from nothing)
  unchanged    refresh() when no ref moved (the start of every interpret / propose)
  incremental  refresh() after one more proposal was merged
  process      `agentops learn` as a whole process: cold (no memory), then warm (its cache)

    python benchmarks/bench_learn.py [--proposals 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentops.actionplan import Action, ActionPlan, Parameters  # noqa: E402
from agentops.propose import commit_message  # noqa: E402

N_DEPLOYMENTS = 20
HEADER = "provider: aws\nregion: us-east-1\ntags: {owner: platform, environment: dev}\n"


def spec_text(replicas: dict[str, int]) -> str:
    lines = [HEADER, "clusters:\n  main: {version: '1.31', instance_type: m5.large, desired_size: 2, "
             "min_size: 1, max_size: 5}\n", "deployments:\n"]
    for name, n in replicas.items():
        lines.append(f"  {name}:\n    cluster: main\n    image: ghcr.io/acme/{name}:1.0.0\n"
                     f"    replicas: {n}\n")
    return "".join(lines)


def scale_plan(name: str, replicas: int) -> ActionPlan:
    command = f"scale {name} in dev to {replicas} replicas"
    return ActionPlan(command=command, interpretation=f"Scale {name} in dev to {replicas}.",
                      actions=[Action(type="scale", resource="deployment", name=name, stack="dev",
                                      parameters=Parameters(replicas=replicas),
                                      description=f"Scale deployment {name} in dev to {replicas} replicas.")])


class Stream:
    def __init__(self):
        self.parts: list[bytes] = []
        self.mark = 0
        self.clock = 1_700_000_000

    def data(self, text: str) -> None:
        raw = text.encode()
        self.parts.append(b"data %d\n" % len(raw) + raw + b"\n")

    def commit(self, ref: str, message: str, parents: list[int], files: dict[str, str],
               who: str = "Dev <dev@example.com>") -> int:
        self.mark += 1
        self.clock += 60
        self.parts.append(f"commit {ref}\nmark :{self.mark}\n"
                          f"author {who} {self.clock} +0000\ncommitter {who} {self.clock} +0000\n".encode())
        self.data(message)
        if parents:
            self.parts.append(f"from :{parents[0]}\n".encode())
        for p in parents[1:]:
            self.parts.append(f"merge :{p}\n".encode())
        for path, text in files.items():
            self.parts.append(f"M 100644 inline {path}\n".encode())
            self.data(text)
        return self.mark

    def reset(self, ref: str, mark: int | None = None) -> None:
        self.parts.append(f"reset {ref}\n".encode() + (f"from :{mark}\n\n".encode() if mark else b"\n"))


def generate(root: Path, proposals: int) -> dict[str, int]:
    """Write the repository; returns how many proposals of each fate it holds."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    names = [f"svc-{i:02d}" for i in range(N_DEPLOYMENTS)]
    replicas = {n: 1 for n in names}
    s = Stream()
    main = s.commit("refs/heads/main", "stacks", [], {"stacks/dev.yaml": spec_text(replicas)})
    kinds: dict[str, int] = {}
    to_revert: list[tuple[int, str, str, int]] = []  # (merge mark, subject, name, replicas before)
    for i in range(proposals):
        name = names[i % N_DEPLOYMENTS]
        target = replicas[name] % 9 + 1
        plan = scale_plan(name, target)
        branch = f"refs/heads/agentops/p{i:04d}"
        head = dict(replicas, **{name: target})
        tip = s.commit(branch, commit_message(f"agentops: {plan.command}", plan), [main],
                       {"stacks/dev.yaml": spec_text(head)}, who="agentops <agentops@localhost>")
        turn = i % 20
        if turn == 14:  # open: the branch stays
            kinds["open"] = kinds.get("open", 0) + 1
            continue
        if turn == 15:  # squash-merged: GitHub's message, the PR title then the commits' messages
            body = commit_message(f"agentops: {plan.command}", plan)
            main = s.commit("refs/heads/main", f"agentops: {plan.command} (#{i})\n\n* {body}", [main],
                            {"stacks/dev.yaml": spec_text(head)}, who="Reviewer <r@example.com>")
            replicas = head
            s.reset(branch)
            kinds["merged"] = kinds.get("merged", 0) + 1
            continue
        if turn in (16, 17):  # amended: the reviewer changes the count before merging
            head = dict(head, **{name: target + 1})
            tip = s.commit(branch, "review: one more", [tip], {"stacks/dev.yaml": spec_text(head)},
                           who="Reviewer <r@example.com>")
            kinds["amended"] = kinds.get("amended", 0) + 1
        before = replicas[name]
        main = s.commit("refs/heads/main", f"Merge pull request #{i} from acme/agentops/p{i:04d}",
                        [main, tip], {"stacks/dev.yaml": spec_text(head)}, who="Reviewer <r@example.com>")
        replicas = head
        s.reset(branch)  # deleted after the merge, as GitHub does
        if turn in (18, 19):
            to_revert.append((main, f"agentops: {plan.command}", name, before))
            kinds["reverted"] = kinds.get("reverted", 0) + 1
        elif turn not in (16, 17):
            kinds["merged"] = kinds.get("merged", 0) + 1
    marks = root / ".git" / "bench-marks"
    subprocess.run(["git", "fast-import", "--quiet", f"--export-marks={marks}"], cwd=root,
                   input=b"".join(s.parts), check=True)
    # Reverts later on main, naming the merges' shas (known only now).
    sha_of = dict(line.split() for line in marks.read_text().splitlines())
    r = Stream()
    r.mark, r.clock = s.mark, s.clock
    for merge_mark, subject, name, before in to_revert:
        replicas = dict(replicas, **{name: before})
        main = r.commit("refs/heads/main",
                        f'Revert "{subject}"\n\nThis reverts commit {sha_of[f":{merge_mark}"]}.\n\n'
                        f"Reason: {name} was unstable at that size\n",
                        [main], {"stacks/dev.yaml": spec_text(replicas)}, who="Oncall <o@example.com>")
    subprocess.run(["git", "fast-import", "--quiet", f"--import-marks={marks}"], cwd=root,
                   input=b"".join(r.parts), check=True)
    marks.unlink()
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return kinds


def add_merged_proposal(root: Path, n: int) -> None:
    """One more proposal, merged, through plain git (what happens between two commands)."""
    spec = root / "stacks" / "dev.yaml"
    text = spec.read_text()
    plan = scale_plan("svc-00", 20 + n)
    git = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True)  # noqa: E731
    git("switch", "-q", "-c", f"agentops/extra-{n}")
    import re

    spec.write_text(re.sub(r"(svc-00:\n(?:    .*\n)*?    replicas: )\d+", rf"\g<1>{20 + n}", text, count=1))
    git("-c", "user.name=agentops", "-c", "user.email=a@localhost", "commit", "-qam",
        commit_message(f"agentops: {plan.command}", plan))
    git("switch", "-q", "main")
    git("-c", "user.name=Reviewer", "-c", "user.email=r@example.com", "merge", "-q", "--no-ff",
        f"agentops/extra-{n}", "-m", f"Merge agentops/extra-{n}")
    git("branch", "-q", "-D", f"agentops/extra-{n}")


def clocked(fn):
    """(result, wall seconds, CPU seconds of this process and the children it waited for)."""
    import resource

    def cpu():
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime

    c, t = cpu(), time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t, cpu() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proposals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from agentops.learn import learn, refresh
    from agentops.memory import Memory

    tmp = Path(tempfile.mkdtemp(prefix="bench-learn-"))
    try:
        root = tmp / "infra"
        t0 = time.perf_counter()
        kinds = generate(root, args.proposals)
        commits = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=root,
                                 capture_output=True, text=True).stdout.strip()
        print(f"generated {args.proposals} proposals ({kinds}), {commits} commits "
              f"in {time.perf_counter() - t0:.1f}s")
        learn(root)  # warm the imports (lancedb, pydantic) once: the process runs pay them
        results: dict[str, list[tuple[float, float]]] = {
            "cold": [], "unchanged": [], "incremental": [], "process cold": [], "process warm": []}
        counts = None
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        for i in range(args.repeat):
            shutil.rmtree(Memory(root).path, ignore_errors=True)
            report, wall, cpu = clocked(lambda: learn(root))
            results["cold"].append((wall, cpu))
            counts = report.counts
            report, wall, cpu = clocked(lambda: refresh(root))
            assert report.skipped
            results["unchanged"].append((wall, cpu))
            add_merged_proposal(root, i)
            report, wall, cpu = clocked(lambda: refresh(root))
            assert report.changed == 1, report
            results["incremental"].append((wall, cpu))
        for _ in range(args.repeat):
            shutil.rmtree(Memory(root).path, ignore_errors=True)
            for label in ("process cold", "process warm"):
                _, wall, cpu = clocked(lambda: subprocess.run(
                    [sys.executable, "-m", "agentops", "learn", "--json"], cwd=root, env=env,
                    check=True, capture_output=True))
                results[label].append((wall, cpu))
        print(f"outcomes learned: {json.dumps(counts)}")
        for label, runs in results.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"  {label:<14} wall median {statistics.median(walls) * 1000:7.0f} ms, "
                  f"CPU median {statistics.median(cpus) * 1000:7.0f} ms  "
                  f"(wall runs: {', '.join(f'{v * 1000:.0f}' for v in walls)})")
        print(f"load average: {os.getloadavg()[0]:.2f} (cpus: {os.cpu_count()})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
