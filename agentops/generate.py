"""Constrained decoding: outlines' outlines-core index over llama-cpp-python.

The index (a DFA over the model's 262k-token vocabulary) costs seconds to compile, so it is
built once per process and pickled under the user cache, keyed by the regex, the model file
and the outlines-core version. A cache entry that does not load is rebuilt, never fatal.

Generation calls llama.cpp directly with outlines' logits processor rather than through
outlines' model wrapper: the wrapper resets the KV cache after every call, and keeping it lets
consecutive prompts that share a prefix (the instructions) skip re-evaluating it. A new
process gets that prefix's evaluated state from the disk cache too (restore_prefix), and the
token mask is applied with numpy rather than outlines-core's numba kernel (masking_processor).
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
from agentops.model import BASE_CONTEXT, ModelFile, _progress, load_llama


@dataclass
class Generation:
    text: str
    tokens: int
    seconds: float
    # the unfinished end of a plan the model ran on past max_tokens, left out ("" if none)
    cut: str = ""


def masking_processor(index):
    """outlines' logits processor over outlines-core's Guide, with the token mask applied by
    numpy. outlines-core's own numpy kernel is a `numba.njit` loop: numba's import and
    compiler start-up cost ~1 s of every new process, and without numba that kernel fails
    inside llama.cpp's ctypes callback, where the error is swallowed and decoding silently runs
    unconstrained (docs/interpreter.md). The mask itself is one vectorised step."""
    from outlines.backends.outlines_core import OutlinesCoreLogitsProcessor
    from outlines_core import Guide

    class NumpyMaskProcessor(OutlinesCoreLogitsProcessor):
        def _setup(self, batch_size: int, vocab_size: int) -> None:
            import numpy as np

            self.bias_logits = self._bias_logits_numpy
            self._guides = [Guide(self.index) for _ in range(batch_size)]
            self._bitmasks = [np.full((1, (vocab_size + 31) // 32), -1, dtype=np.int32)
                              for _ in range(batch_size)]

        def _bias_logits_numpy(self, batch_size: int, logits):
            for i in range(batch_size):
                mask = self._bitmasks[i]
                self._guides[i].write_mask_into(mask.ctypes.data, mask.size, mask.itemsize)
                apply_token_bitmask(self.tensor_adapter.unsqueeze(logits[i]), mask)
            return logits

    return NumpyMaskProcessor(index, "numpy")


def apply_token_bitmask(logits, mask) -> None:
    """In place: logits of tokens the mask forbids become -inf. Bit j of the int32 mask words
    (little-endian) allows token j, as in outlines-core's kernels."""
    import numpy as np

    n_cols = logits.shape[1]
    cutoff = 32 * mask.shape[1]
    if n_cols > cutoff:
        logits[:, cutoff:] = -np.inf
    allowed = np.unpackbits(np.ascontiguousarray(mask).view(np.uint8), axis=1,
                            bitorder="little")[:, : min(n_cols, cutoff)]
    logits[:, : allowed.shape[1]][allowed == 0] = -np.inf


# Bump when the way the vocabulary is read changes: cached indexes of the old one are rebuilt.
VOCABULARY_VERSION = "all-ids-1"


def index_cache_path(regex: str, model: ModelFile) -> Path:
    key = hashlib.sha256(
        "\0".join([regex, model.fingerprint, version("outlines_core"), VOCABULARY_VERSION]).encode()
    ).hexdigest()[:24]
    return user_cache_dir() / "indexes" / f"{key}.pickle"


def vocabulary(llm):
    """outlines-core's Vocabulary of a llama.cpp model, with every token id of each piece.

    outlines' own llama.cpp tokenizer keeps one id per piece (a dict from piece to id), so
    where two tokens spell the same text the later wins: Gemma's newline token (107) loses to
    the byte-fallback token <0x0A>, and the mask then forbids the token a model trained on the
    plan line actually ends with. outlines-core's Vocabulary holds a list of ids per piece.
    """
    import ctypes

    from llama_cpp import llama_model_get_vocab, llama_token_to_piece
    from outlines_core import Vocabulary

    vocab = llama_model_get_vocab(llm.model)
    eos = llm.token_eos()
    pieces: dict[str, list[int]] = {}
    buf = (ctypes.c_char * 256)()
    for token in range(llm.n_vocab()):
        n = llama_token_to_piece(vocab, token, buf, len(buf), 0, True)
        if n < 0 or token == eos:
            continue
        piece = buf[:n].decode("utf-8", errors="replace")
        if piece:
            pieces.setdefault(piece, []).append(token)
    return Vocabulary(eos, pieces)


def load_or_build_index(regex: str, model: ModelFile):
    path = index_cache_path(regex, model)
    if path.is_file():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt
            path.unlink(missing_ok=True)
    _progress("compiling the output grammar for this model (once; cached for later runs)")
    from outlines_core import Index

    index = Index(regex, vocabulary(load_llama(model)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)  # atomic: a concurrent reader never sees half a file
    return index


def _state_cache_path(model: ModelFile, prefix: str) -> Path:
    key = hashlib.sha256(
        "\0".join([prefix, model.weights_key, version("llama_cpp_python")]).encode()
    ).hexdigest()[:24]
    return user_cache_dir() / "prompt-states" / f"{key}.pickle"


def restore_prefix(llm, model: ModelFile, prefix: str) -> int:
    """Put the model in the state it has after reading `prefix` (the instructions and the
    repository's resources, the same for every command): from the disk cache when there, else
    by evaluating it once and saving the state. Returns the number of prefix tokens.

    A new process then reads only the part of the prompt that differs per command. Only the
    llama.cpp context state and the token ids are kept: llama-cpp-python's own save_state
    would also copy its whole logits buffer (hundreds of MB for a 262k vocabulary).
    """
    import ctypes

    import llama_cpp

    tokens = llm.tokenize(prefix.encode("utf-8"))
    path = _state_cache_path(model, prefix)
    if path.is_file():
        try:
            with path.open("rb") as fh:
                saved_tokens, data = pickle.load(fh)
            if saved_tokens == tokens:
                buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
                if llama_cpp.llama_state_set_data(llm._ctx.ctx, buf, len(data)) == len(data):
                    llm.input_ids[: len(tokens)] = tokens
                    llm.n_tokens = len(tokens)
                    return len(tokens)
        except Exception:  # noqa: BLE001 - an unreadable entry is rebuilt below
            pass
        path.unlink(missing_ok=True)
    llm.reset()
    llm.eval(tokens)
    size = llama_cpp.llama_state_get_size(llm._ctx.ctx)
    buf = (ctypes.c_uint8 * int(size))()
    written = int(llama_cpp.llama_state_get_data(llm._ctx.ctx, buf, size))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        pickle.dump((tokens, bytes(buf)[:written]), fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
    return len(tokens)


class ConstrainedGenerator:
    """Text that matches `regex`, from one model; the processor is built once and reused."""

    def __init__(self, model: ModelFile, regex: str, n_ctx: int = BASE_CONTEXT):
        self.model = model
        self.regex = regex
        self._pattern = re.compile(regex)
        # The index first: a cached one needs no model, so it loads while the model does.
        self.processor = masking_processor(load_or_build_index(regex, model))
        self.llm = load_llama(model, n_ctx=n_ctx)

    def _fit_context(self, prompt: str, max_tokens: int) -> None:
        """A context that holds the prompt and `max_tokens` more: the model again with a larger
        one when this one is short (llama.cpp would fail mid-evaluation), or a clear error
        when even the model's trained context is short."""
        needed = len(self.llm.tokenize(prompt.encode("utf-8"))) + max_tokens
        if needed <= self.llm.n_ctx():
            return
        trained = self.llm.n_ctx_train() or needed
        if needed > trained:
            from agentops.errors import InterpretError

            raise InterpretError(
                f"the prompt needs {needed} tokens of context and the model has {trained}: "
                "the repository lists more resources than the model can read at once",
                hint="interpret against fewer stacks (split the repository), or use a model "
                "with a longer context (the model setting in .agentops.yaml)")
        n_ctx = min(trained, -(-needed // BASE_CONTEXT) * BASE_CONTEXT)
        self.llm = load_llama(self.model, n_ctx=n_ctx)

    def __call__(self, prompt: str, max_tokens: int = 96, prefix: str | None = None) -> Generation:
        """`prefix`: the start of `prompt` that every command shares; in a new process its
        evaluated state comes from the disk cache (see restore_prefix)."""
        from llama_cpp import LogitsProcessorList

        self._fit_context(prompt, max_tokens)
        if prefix and self.llm.n_tokens == 0 and prompt.startswith(prefix):
            restore_prefix(self.llm, self.model, prefix)
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
        if out["choices"][0].get("finish_reason") == "length":
            # The grammar allowed it but the model kept going (a run-away value: "image=ni..."
            # for a schedule change): the plan up to the last field it finished, where that
            # is a whole plan line; the guard reads it against the command as any other.
            whole = self._finished_part(text)
            if whole:
                return Generation(whole, out["usage"]["completion_tokens"], seconds, cut=text[len(whole):].strip())
            from agentops.errors import InterpretError

            raise InterpretError(
                f"the model did not finish a plan within {max_tokens} tokens: {text[:80]!r}...",
                hint="rephrase the command more simply, or split it into several commands",
            )
        if not self._pattern.fullmatch(text + "\n"):
            raise ModelError(
                f"the model's output does not match the grammar: {text[:200]!r}",
                hint="constrained decoding is not in effect: check that outlines and outlines-core "
                "import, or raise max_tokens",
            )
        return Generation(text, out["usage"]["completion_tokens"], seconds)

    def _finished_part(self, text: str) -> str:
        """`text` without the field it was writing when it ran out (the run-away one), where
        the rest is a whole plan line by the grammar; "" otherwise. Only that one field: what
        the model finished before it is kept as it wrote it."""
        head = text[:text.rfind(" ")].rstrip(" ;") if " " in text.strip() else ""
        return head if head.strip() and self._pattern.fullmatch(head + "\n") else ""

    def unconstrained(self, prompt: str, max_tokens: int) -> Generation:
        """The same prompt without the grammar: for benchmarks only."""
        start = time.perf_counter()
        out = self.llm.create_completion(prompt, max_tokens=max_tokens, temperature=0.0)
        return Generation(
            out["choices"][0]["text"], out["usage"]["completion_tokens"], time.perf_counter() - start
        )
