"""A bounded load benchmark of the agent API on loopback: a real uvicorn in a child process,
called over real HTTP by 1, 5 and 20 concurrent clients.

    python benchmarks/bench_api.py [--requests 100] [--memory 1000] [--real]

Measures POST /api/v3/ai/interpret latency (p50/p95 per concurrency), the server's resident
memory after 10 requests and after --memory requests, and the time to the first streamed stage
(interpretation) vs the whole execute over server-sent events.

By default the plan writer is SCRIPTED (a fixed plan line, no model): the figures are the
API's own cost (HTTP, checks, guard, queue), not the model's. --real loads the default model
(slow: keep --requests small). Every run is bounded: at most --requests per concurrency level.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "scale web in staging to 3 replicas"
LINE = "scale deployment name=web stack=staging replicas=3"


class FixedPlanWriter:
    """Scripted: answers every command with LINE (measures the API, not the model)."""

    embedder = None

    def write(self, text, specs, workspace, model_setting):
        from agentops.interpret import WrittenPlan

        return WrittenPlan(LINE)


def serve(repo: str, port: int, real: bool) -> None:
    import uvicorn

    from agentops.apiusers import AuditLog
    from agentops.interpret import Interpreter
    from agentops.server import create_app

    interpreter = Interpreter() if real else Interpreter(writer=FixedPlanWriter(), use_memory=False)
    app = create_app(Path(repo), interpreter=interpreter, port=port, queue_depth=64,
                     audit=AuditLog(Path(repo).parent / "audit.jsonl"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_repo(base: Path) -> Path:
    root = base / "infra"
    shutil.copytree(ROOT / "stacks", root / "stacks")
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Bench"],
                 ["config", "user.email", "bench@example.com"], ["add", "."],
                 ["commit", "-q", "-m", "stacks"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def interpret_burst(base: str, clients: int, total: int) -> tuple[list[float], int]:
    def one(_):
        with httpx.Client(base_url=base, timeout=600) as client:
            start = time.perf_counter()
            response = client.post("/api/v3/ai/interpret", json={"command": COMMAND})
            return time.perf_counter() - start, response.status_code

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(total)))
    bad = sum(1 for _, status in results if status != 200)
    return [t for t, status in results if status == 200], bad


def stream_once(base: str, command: str) -> tuple[float, float]:
    start = time.perf_counter()
    first = None
    with httpx.Client(base_url=base, timeout=600) as client:
        with client.stream("POST", "/api/v3/ai/execute-stream", json={"command": command}) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    stage = json.loads(line[6:])["stage"]
                    if first is None:
                        first = time.perf_counter() - start
                    if stage in ("complete", "error"):
                        assert stage == "complete", line
                        break
    return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100, help="per concurrency level")
    parser.add_argument("--memory", type=int, default=1000, help="requests for the memory check")
    parser.add_argument("--streams", type=int, default=5)
    parser.add_argument("--real", action="store_true", help="the real model (slow)")
    parser.add_argument("--serve", nargs=2, metavar=("REPO", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve[0], int(args.serve[1]), args.real)

    with tempfile.TemporaryDirectory() as tmp:
        repo = make_repo(Path(tmp))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        child = subprocess.Popen([sys.executable, __file__, "--serve", str(repo), str(port)]
                                 + (["--real"] if args.real else []), env=os.environ)
        base = f"http://127.0.0.1:{port}"
        # A `timeout` (SIGTERM) must not orphan the server: exit through the finally below.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or child.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            writer = "real model" if args.real else "scripted writer (no model)"
            print(f"# agent API on loopback, {writer}; load average {os.getloadavg()[0]:.2f}, "
                  f"{os.cpu_count()} CPUs")
            interpret_burst(base, 1, 3)  # warm-up: imports, first spec load, (model load)
            for clients in (1, 5, 20):
                times, bad = interpret_burst(base, clients, args.requests)
                print(f"interpret, {clients:2d} concurrent: n={len(times)} "
                      f"p50 {statistics.median(times) * 1000:7.1f} ms  "
                      f"p95 {percentile(times, 95) * 1000:7.1f} ms  non-200: {bad}")
            interpret_burst(base, 1, 10 - 3 if not args.real else 1)
            after_10 = rss_mib(child.pid)
            interpret_burst(base, 5, max(0, args.memory - 10))
            after_n = rss_mib(child.pid)
            print(f"server RSS after 10 requests {after_10:.1f} MiB, after {args.memory}: "
                  f"{after_n:.1f} MiB ({after_n - after_10:+.1f} MiB)")
            firsts, wholes = [], []
            for i in range(args.streams):
                first, whole = stream_once(base, f"{COMMAND} (run {i})")
                firsts.append(first)
                wholes.append(whole)
            print(f"execute-stream (SSE), n={args.streams}: first stage (interpretation) "
                  f"median {statistics.median(firsts) * 1000:.1f} ms, whole execute median "
                  f"{statistics.median(wholes) * 1000:.1f} ms")
        finally:
            child.terminate()
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
