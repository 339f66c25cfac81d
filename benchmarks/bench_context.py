"""How long each written set's repository listing is in the default model's tokens, the
context agentops loads for it (agentops.model.context_for), and what loading the model with
the base context and with the largest one costs:

    python benchmarks/bench_context.py

The listing is the part of every prompt that names the repository's resources
(agentops.interpret.prompt_prefix); past 2,048 tokens a fixed context made llama.cpp fail.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import llama_cpp

from agentops.interpret import SHOTS_BYTES, listing, prompt_prefix
from agentops.model import BASE_CONTEXT, context_for, resolve_model
from agentops.planline import MAX_TOKENS
from agentops.spec import Workspace

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    model = resolve_model()
    vocab = llama_cpp.Llama(str(model.path), vocab_only=True, verbose=False)
    largest = BASE_CONTEXT
    for repo in sorted((ROOT / "training" / "written").glob("*-repo")):
        prefix = prompt_prefix(listing(Workspace.find(repo).load_all()))
        tokens = len(vocab.tokenize(prefix.encode("utf-8")))
        n_ctx = context_for(len(prefix.encode("utf-8")) + SHOTS_BYTES, MAX_TOKENS)
        largest = max(largest, n_ctx)
        print(f"{repo.name:<20} listing {tokens:>5} tokens  context {n_ctx}")
    for n_ctx in (BASE_CONTEXT, largest):
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            llm = llama_cpp.Llama(str(model.path), n_ctx=n_ctx, n_batch=512, verbose=False)
            seconds.append(time.perf_counter() - start)
            llm.close()
        print(f"model load at n_ctx {n_ctx}: median {statistics.median(seconds):.3f} s (n=3)")


if __name__ == "__main__":
    main()
