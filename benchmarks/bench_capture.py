"""In-process offline capture of a generated stack, with the offline runner's linear wait for
outstanding outputs and with the Pulumi SDK's own wait (quadratic since pulumi 3.229).

    python benchmarks/bench_capture.py [--resources 1000]
"""

from __future__ import annotations

import argparse
import time

from bench_plan import generate

from agentops import offline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1000)
    args = parser.parse_args()
    text = generate(args.resources, "base")
    offline.capture(generate(10, "base"), "dev")  # module loading paid here, not timed
    linear = offline._wait_for_rpcs_linear
    for label, wait in (("linear wait (shipped)", linear), ("SDK wait", None)):
        if wait is None:
            from pulumi.runtime import stack as sdk_stack

            offline._wait_for_rpcs_linear = sdk_stack.wait_for_rpcs
        start = time.perf_counter()
        graph = offline.capture(text, "dev")
        print(f"{label:22s} {len(graph.resources)} resources: {time.perf_counter() - start:.2f} s")
    offline._wait_for_rpcs_linear = linear


if __name__ == "__main__":
    main()
