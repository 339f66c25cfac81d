"""Offline policy evaluation and cost estimate timings.

    python benchmarks/bench_policy_cost.py [--instances N]

Captures stacks/prod.yaml (plus an instance group of N, default 200, to scale the graph) under
Pulumi's mocks once, then times evaluate_graph (pack already loaded) and cost.estimate.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from agentops import cost, offline, policy
    from agentops.config import RepoConfig
    from agentops.spec import load_spec_text

    text = (ROOT / "stacks" / "prod.yaml").read_text()
    text = text.replace("instances:\n", f"instances:\n  fleet: {{count: {args.instances}, "
                        "instance_type: t3.micro, network: core}\n", 1)
    start = time.perf_counter()
    graph = offline.capture(text, "prod")
    print(f"capture: {len(graph.resources)} resources in {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    policy.load_pack(ROOT)
    print(f"load pack (first, includes pulumi_policy import): {time.perf_counter() - start:.3f} s")
    config = RepoConfig(policy={"max-instances": {"maxInstances": {"prod": 100000}}})
    med, best = timed(lambda: policy.evaluate_graph(graph, config, root=ROOT), args.repeat)
    print(f"evaluate_graph: median {med * 1000:.1f} ms, best {best * 1000:.1f} ms "
          f"({med / len(graph.resources) * 1e6:.0f} us/resource)")
    spec = load_spec_text(text, "prod.yaml")
    med, best = timed(lambda: cost.estimate(spec, "prod"), args.repeat * 20)
    print(f"cost.estimate: median {med * 1000:.2f} ms, best {best * 1000:.2f} ms")


if __name__ == "__main__":
    main()
