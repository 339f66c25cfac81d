"""Constrained decoding: outlines' outlines-core index over llama-cpp-python.

The index (a DFA over the model's 262k-token vocabulary) costs seconds to compile, so it is
built once per process and pickled under the user cache, keyed by the regex, the model file
and the outlines-core version. A cache entry that does not load is rebuilt, never fatal.

Generation calls llama.cpp directly with outlines' logits processor rather than through
outlines' model wrapper: the wrapper resets the KV cache after every call, and keeping it lets
consecutive prompts that share a prefix (the instructions) skip re-evaluating it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from agentops.config import user_cache_dir
from agentops.errors import ModelError
from agentops.model import ModelFile, _progress, load_llama


@dataclass
class Generation:
    text: str
    tokens: int
    seconds: float


def _require_numba() -> None:
    # Without numba, outlines-core's numpy kernels fail inside llama.cpp's ctypes callback, the
    # error is swallowed and decoding runs unconstrained (DESIGN.md): refuse to start instead.
    try:
        import numba  # noqa: F401
    except ImportError as exc:
        raise ModelError(
            f"numba cannot be imported ({exc}); constrained decoding would silently turn off",
            hint="pip install numba",
        ) from None


def index_cache_path(regex: str, model: ModelFile) -> Path:
    key = hashlib.sha256(
        "\0".join([regex, model.fingerprint, version("outlines_core")]).encode()
    ).hexdigest()[:24]
    return user_cache_dir() / "indexes" / f"{key}.pickle"


def load_or_build_index(regex: str, model: ModelFile):
    path = index_cache_path(regex, model)
    if path.is_file():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt
            path.unlink(missing_ok=True)
    _progress("compiling the output grammar for this model (once; cached for later runs)")
    import outlines
    from outlines.backends.outlines_core import OutlinesCoreBackend

    backend = OutlinesCoreBackend(outlines.from_llamacpp(load_llama(model), chat_mode=False))
    index = backend.get_regex_logits_processor(regex).index
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    return index


class ConstrainedGenerator:
    """Text that matches `regex`, from one model; the processor is built once and reused."""

    def __init__(self, model: ModelFile, regex: str):
        _require_numba()
        from outlines.backends.outlines_core import OutlinesCoreLogitsProcessor

        self.model = model
        self.regex = regex
        self._pattern = re.compile(regex)
        self.llm = load_llama(model)
        self.processor = OutlinesCoreLogitsProcessor(load_or_build_index(regex, model), "numpy")

    def __call__(self, prompt: str, max_tokens: int = 96) -> Generation:
        from llama_cpp import LogitsProcessorList

        self.processor.reset()
        start = time.perf_counter()
        out = self.llm.create_completion(
            prompt,
            max_tokens=max_tokens,
            temperature=0.0,
            logits_processor=LogitsProcessorList([self.processor]),
            stop=["\n"],
        )
        seconds = time.perf_counter() - start
        text = out["choices"][0]["text"]
        if not self._pattern.fullmatch(text + "\n"):
            raise ModelError(
                f"the model's output does not match the grammar: {text[:200]!r}",
                hint="constrained decoding is not in effect: check that numba and outlines-core "
                "import, or raise max_tokens",
            )
        return Generation(text, out["usage"]["completion_tokens"], seconds)

    def unconstrained(self, prompt: str, max_tokens: int) -> Generation:
        """The same prompt without the grammar: for benchmarks only."""
        start = time.perf_counter()
        out = self.llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
        return Generation(
            out["choices"][0]["text"], out["usage"]["completion_tokens"], time.perf_counter() - start
        )
