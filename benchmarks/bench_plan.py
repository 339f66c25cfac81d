"""Time the whole `agentops plan` process on generated stacks of about 10, 100 and 1000 Pulumi
resources (base and head both rendered), cold and warm, and report its peak memory.

    python benchmarks/bench_plan.py [--sizes 10,100,1000] [--repeat 5] [--pythonpath DIR] [--mix every]

--pythonpath DIR runs `python -m agentops` with DIR first on the path: another revision's
agentops/ (`git archive REV agentops | tar -x -C DIR`), to compare with it on the same machine
at the same time.

Each size gets a temp git repository: the base commit has the generated stack, the work tree
changes a few entries (scale, image bump, one new bucket, one deleted alert), so both revisions
run. Target (issue 2): 1000 resources in <= 3 s wall, peak memory < 500 MB, on 2 cores.

--mix every generates stacks that mix every built-in kind (issue 10): each unit also holds one
entry of each AWS service and Kubernetes kind (queues, topics, functions, tables, caches, load
balancers, DNS records, registries, secrets, KMS keys, IAM roles, namespaces, ConfigMaps,
ingresses, CronJobs, autoscalers, LoadBalancer Services, disruption budgets).

Three timings, each the median (and min) of --repeat runs of `agentops plan --format json`,
and the CPU time (user + system) of a cold run's whole process tree, which other work on the
machine changes far less than the wall time:
  cold        an empty graph cache for every run (AGENTOPS_CACHE_DIR is a fresh folder): both
              revisions are captured. This is the figure the target is about.
  warm base   the base revision's graph is cached (as after an earlier plan against the same
              base), the head is not: only the head is captured.
  warm        both graphs cached (the same plan run again): nothing is captured.
Memory is measured in one more cold run, not in the timed ones (sampling /proc costs CPU),
every 20 ms: the largest RSS of a single process, and the peak of the whole process tree (the
`agentops plan` process, its loader and its workers) as the sum of PSS, so pages the forked
processes share are counted once.
The load average is printed with each size: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import json
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
    """A stack spec that renders to about n_resources Pulumi resources. variant: "base", or
    "head" (a few entries changed, one bucket added, one alert removed), or "head2" (another
    change of the same size, to prime a cache with a head that is not the timed one)."""
    units = max(1, round((n_resources - FIXED_RESOURCES) / UNIT_RESOURCES))
    changed = variant != "base"
    lines = ["provider: aws", "region: us-east-1", "tags:", "  owner: bench", "",
             "network:", "  core:", "    cidr: 10.0.0.0/16", "    az_count: 2", "",
             "clusters:", "  main:", "    network: core", ""]
    lines.append("instances:")
    for i in range(units):
        count = {"head": 4, "head2": 5}.get(variant, 3) if i % 50 == 0 else 3
        lines += [f"  vm-{i}:", f"    count: {count}", "    instance_type: t3.micro", "    network: core"]
    lines.append("storage:")
    for i in range(units + (1 if changed else 0)):
        lines += [f"  bucket-{i}:", "    kind: bucket"]
    lines.append("deployments:")
    for i in range(units):
        image = "2.0" if changed and i % 25 == 0 else "1.0"
        lines += [f"  app-{i}:", "    cluster: main", f"    image: ghcr.io/acme/app:{image}", "    port: 8080"]
    alerts = units - (1 if changed else 0)
    lines.append("alerts:" if alerts else "alerts: {}")
    for i in range(alerts):
        lines += [f"  cpu-{i}:", f"    target: vm-{i}", "    threshold: 80"]
    return "\n".join(lines) + "\n"


# --mix every: per unit, one entry of every other built-in kind; measured (`agentops plan
# --format json` on one unit) at about this many Pulumi resources per unit.
MIXED_UNIT_RESOURCES = 31
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4.2"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
MIX = "base"  # --mix


def generate_mixed(n_resources: int, variant: str) -> str:
    """Like generate(), with one entry of every other built-in kind per unit (--mix every)."""
    units = max(1, round((n_resources - FIXED_RESOURCES) / (UNIT_RESOURCES + MIXED_UNIT_RESOURCES)))
    text = generate(FIXED_RESOURCES + units * UNIT_RESOURCES, variant)
    # the generated deployments get CPU limits (an autoscaler on CPU needs them)
    text = text.replace("    port: 8080\n", "    port: 8080\n    limits: {cpu: 500m, memory: 512Mi}\n")
    sections: dict[str, list[str]] = {}

    def add(section: str, name: str, entry: str) -> None:
        sections.setdefault(section, []).append(f"  {name}: {entry}")

    for i in range(units):
        add("keys", f"key-{i}", "{rotation_days: 180}")
        add("roles", f"role-{i}", "{service: ecs-tasks, policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]}")
        add("secrets", f"secret-{i}", f"{{config_key: secret{i}, kms_key: key-{i}}}")
        add("queues", f"queue-{i}", f"{{kms_key: key-{i}}}")
        add("topics", f"topic-{i}", f"{{subscribers: [queue-{i}]}}")
        timeout = 90 if variant != "base" and i % 25 == 0 else 60
        add("functions", f"fn-{i}", f"{{image: {IMAGE}, timeout_seconds: {timeout}}}")
        add("tables", f"table-{i}", "{point_in_time_recovery: true}")
        add("caches", f"cache-{i}", "{engine: redis, node_type: cache.t3.small, nodes: 1, network: core}")
        add("load_balancers", f"lb-{i}", f'{{network: core, certificate_arn: "{CERT}", target_port: 8080}}')
        add("dns_records", f"dns-{i}", f"{{zone_id: Z0123456789ABCDEF, record: r{i}.example.com, target: lb-{i}}}")
        add("registries", f"registry-{i}", "{keep_images: 50}")
        add("namespaces", f"ns-{i}", "{cluster: main, labels: {owner: bench}}")
        add("config_maps", f"cm-{i}", "{cluster: main, data: {LOG_LEVEL: info}}")
        add("ingresses", f"ing-{i}", f"{{cluster: main, host: app{i}.example.com, target: app-{i}, tls_secret: app-tls}}")
        add("cron_jobs", f"cron-{i}", "{cluster: main, schedule: '0 3 * * *', image: 'ghcr.io/acme/report:1.4.0', "
                                       "limits: {cpu: 250m, memory: 256Mi}}")
        add("autoscalers", f"hpa-{i}", f"{{cluster: main, target: app-{i}, min_replicas: 2, max_replicas: 6}}")
        add("lb_services", f"lbs-{i}", f"{{cluster: main, target: app-{i}, port: 443, internal: true}}")
        add("disruption_budgets", f"pdb-{i}", f"{{cluster: main, target: app-{i}, max_unavailable: 1}}")
    return text + "".join(f"{section}:\n" + "\n".join(lines) + "\n" for section, lines in sections.items())


def make_repo(root: Path, size: int) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    (root / "stacks").mkdir(parents=True)
    make = generate_mixed if MIX == "every" else generate
    (root / "stacks" / "dev.yaml").write_text(make(size, "base"))
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "base"], cwd=root, check=True, env=env)
    (root / "stacks" / "dev.yaml").write_text(make(size, "head"))


PYTHONPATH: str | None = None  # --pythonpath
CPU_SECONDS: list[float] = []  # user + system CPU of each run's whole process tree


def _children_cpu() -> float:
    # A process's children's times include their own waited-for children: the loader and the
    # workers are counted with the `agentops plan` process that started them.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def agentops_cmd() -> list[str]:
    exe = shutil.which("agentops")
    return [exe] if exe and not PYTHONPATH else [sys.executable, "-m", "agentops"]


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


def _memory_mb(pids: list[int]) -> tuple[float, float]:
    """(sum of PSS, largest RSS) over the processes, in MB."""
    pss, rss = 0, 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = max(rss, int(line.split()[1]))
        except OSError:
            pass
    return pss / 1024, rss / 1024


def run_once(root: Path, cache_dir: Path,
             sample_memory: bool = False) -> tuple[float, str, tuple[float, float]]:
    """(wall seconds, stdout, (peak PSS of the process tree, largest RSS of one process) in MB,
    zeros unless sampled). The CPU seconds of the whole tree go to CPU_SECONDS."""
    env = {**os.environ, "AGENTOPS_CACHE_DIR": str(cache_dir)}
    env.pop("AGENTOPS_GRAPH_CACHE", None)
    if PYTHONPATH:
        env["PYTHONPATH"] = PYTHONPATH
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        cpu_before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen([*agentops_cmd(), "plan", "--format", "json"], cwd=root,
                                stdout=out, stderr=err, text=True, env=env)
        peak = (0.0, 0.0)
        if sample_memory:
            while proc.poll() is None:
                pss, rss = _memory_mb(_tree(proc.pid))
                peak = (max(peak[0], pss), max(peak[1], rss))
                time.sleep(0.02)
        proc.wait()
        elapsed = time.perf_counter() - start
        CPU_SECONDS.append(_children_cpu() - cpu_before)
        out.seek(0), err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"agentops plan failed:\n{err.read()}")
        return elapsed, out.read(), peak


def _primed(root: Path, scratch: Path, head_variant: str, size: int) -> Path:
    """A cache folder holding the base graph and the graph of `head_variant`."""
    cache = scratch / f"primed-{head_variant}"
    spec = root / "stacks" / "dev.yaml"
    timed_head = spec.read_text()
    spec.write_text((generate_mixed if MIX == "every" else generate)(size, head_variant))
    try:
        run_once(root, cache)
    finally:
        spec.write_text(timed_head)
    cache.mkdir(parents=True, exist_ok=True)  # a revision without the cache writes nothing
    return cache


def _timed(root: Path, scratch: Path, repeat: int, primed: Path | None, expected: str) -> list[float]:
    times = []
    for i in range(repeat):
        cache = scratch / f"run-{time.monotonic_ns()}-{i}"
        if primed is not None:
            shutil.copytree(primed, cache)
        elapsed, out, _ = run_once(root, cache)
        if out != expected:
            raise SystemExit("a plan read from the cache differs from the one captured cold")
        times.append(elapsed)
        shutil.rmtree(cache, ignore_errors=True)
    return times


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pythonpath", help="run the agentops package found in this folder")
    parser.add_argument("--mix", choices=("base", "every"), default="base",
                        help="every: stacks that mix every built-in kind")
    args = parser.parse_args()
    global PYTHONPATH, MIX
    PYTHONPATH = args.pythonpath
    MIX = args.mix

    print(f"{os.cpu_count()} cores; medians of {args.repeat} runs, min in brackets")
    print(f"{'target':>7} {'base':>5} {'head':>5} {'changes':>7} {'cold s':>13} {'warm base s':>13} "
          f"{'warm s':>13} {'cold CPU s':>10} {'RSS 1 proc MB':>13} {'PSS tree MB':>11}  load avg before/after")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root, scratch = Path(tmp) / "repo", Path(tmp) / "caches"
            make_repo(root, size)
            load_before = _load()
            _, out, (tree_pss, process_rss) = run_once(root, scratch / "memory", sample_memory=True)
            stack = json.loads(out)["stacks"][0]
            CPU_SECONDS.clear()
            cold = _timed(root, scratch, args.repeat, None, out)
            cold_cpu = statistics.median(CPU_SECONDS)
            warm_base = _timed(root, scratch, args.repeat, _primed(root, scratch, "head2", size), out)
            warm = _timed(root, scratch, args.repeat, _primed(root, scratch, "head", size), out)

            def fmt(times: list[float]) -> str:
                return f"{statistics.median(times):.2f} [{min(times):.2f}]"

            print(f"{size:>7} {stack['resources_before']:>5} {stack['resources_after']:>5} "
                  f"{len(stack['changes']):>7} {fmt(cold):>13} {fmt(warm_base):>13} {fmt(warm):>13} "
                  f"{cold_cpu:>10.2f} {process_rss:>13.0f} {tree_pss:>11.0f}  {load_before} / {_load()}", flush=True)


if __name__ == "__main__":
    main()
