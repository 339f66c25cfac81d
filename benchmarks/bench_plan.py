"""Time the whole `agentops plan` process on generated stacks of about 10, 100 and 1000 Pulumi
resources (base and head both rendered), and report the peak memory of the processes.

    python benchmarks/bench_plan.py [--sizes 10,100,1000] [--repeat 3]

Each size gets a temp git repository: the base commit has the generated stack, the work tree
changes a few entries (scale, image bump, one new bucket, one deleted alert), so both revisions
run. Target (issue 2): 1000 resources in <= 3 s wall, peak memory < 500 MB, on 2 cores.
Two memory figures: the largest single process (ru_maxrss of RUSAGE_CHILDREN, a maximum over
all descendants) and the peak of the whole process tree (the `agentops plan` process and its
base/head workers together), sampled every 10 ms as the sum of PSS, so pages the forked
workers share with their parent are counted once.
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

# Cloud resources per generated unit (components not counted): an instance group of 3 is 3,
# a bucket 4 (bucket, encryption, public access block, versioning), a deployment with a port 2,
# an alert on a group of 3 instances 3. The fixed part (providers, a 2-zone network, a cluster) is 19.
UNIT_RESOURCES = 3 + 4 + 2 + 3
FIXED_RESOURCES = 19


def generate(n_resources: int, variant: str) -> str:
    """A stack spec that renders to about n_resources Pulumi resources."""
    units = max(1, round((n_resources - FIXED_RESOURCES) / UNIT_RESOURCES))
    lines = ["provider: aws", "region: us-east-1", "tags:", "  owner: bench", "",
             "network:", "  core:", "    cidr: 10.0.0.0/16", "    az_count: 2", "",
             "clusters:", "  main:", "    network: core", ""]
    lines.append("instances:")
    for i in range(units):
        count = 4 if variant == "head" and i % 50 == 0 else 3
        lines += [f"  vm-{i}:", f"    count: {count}", "    instance_type: t3.micro", "    network: core"]
    lines.append("storage:")
    for i in range(units + (1 if variant == "head" else 0)):
        lines += [f"  bucket-{i}:", "    kind: bucket"]
    lines.append("deployments:")
    for i in range(units):
        image = "2.0" if variant == "head" and i % 25 == 0 else "1.0"
        lines += [f"  app-{i}:", "    cluster: main", f"    image: ghcr.io/acme/app:{image}", "    port: 8080"]
    alerts = units - (1 if variant == "head" else 0)
    lines.append("alerts:" if alerts else "alerts: {}")
    for i in range(alerts):
        lines += [f"  cpu-{i}:", f"    target: vm-{i}", "    threshold: 80"]
    return "\n".join(lines) + "\n"


def make_repo(root: Path, size: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    (root / "stacks").mkdir(parents=True)
    (root / "stacks" / "dev.yaml").write_text(generate(size, "base"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=root, check=True, env=env)
    (root / "stacks" / "dev.yaml").write_text(generate(size, "head"))


def agentops_cmd() -> list[str]:
    exe = shutil.which("agentops")
    return [exe] if exe else [sys.executable, "-m", "agentops"]


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return pids


def _pss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def run_once(root: Path) -> tuple[float, str, float]:
    """(wall seconds, stdout, peak PSS of the process tree in MB)."""
    import tempfile as _tf

    with _tf.TemporaryFile("w+") as out, _tf.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([*agentops_cmd(), "plan", "--format", "json"], cwd=root,
                                stdout=out, stderr=err, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _pss_mb(_tree(proc.pid)))
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        out.seek(0), err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"agentops plan failed:\n{err.read()}")
        return elapsed, out.read(), peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import json

    print(f"{'target':>7} {'base':>6} {'head':>6} {'changes':>8} {'median s':>9} {'min s':>7} "
          f"{'max RSS 1 proc MB':>18} {'peak PSS tree MB':>17}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            make_repo(root, size)
            times, out, tree_peak = [], "", 0.0
            for _ in range(args.repeat):
                elapsed, out, peak = run_once(root)
                times.append(elapsed)
                tree_peak = max(tree_peak, peak)
            stack = json.loads(out)["stacks"][0]
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{size:>7} {stack['resources_before']:>6} {stack['resources_after']:>6} "
                  f"{len(stack['changes']):>8} {statistics.median(times):>9.2f} {min(times):>7.2f} "
                  f"{peak_mb:>18.0f} {tree_peak:>17.0f}")


if __name__ == "__main__":
    main()
