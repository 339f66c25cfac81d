"""The interpreter's LoRA adapter for the default model.

The 270M base model, prompted with examples alone, copies the nearest example more than it
reads the command (docs/interpreter.md). The adapter (trained by training/train_lora.py on synthetic
commands, never on the evaluation sets) teaches it the plan line. It ships inside the package
and is applied by llama.cpp at load time (`lora_path`), only to the exact base model file it
was trained against: a sidecar JSON records that file's name and size. Any other GGUF runs
without it, prompted with more examples instead.

$AGENTOPS_ADAPTER overrides: a path to another adapter GGUF, or `none` to run without one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

ENV_ADAPTER = "AGENTOPS_ADAPTER"
ADAPTER_FILE = "data/adapters/gemma3-270m-agentops-lora.gguf"
# Few-shot examples in a prompt: with the adapter the model needs fewer, and each one is
# ~30 tokens of per-command prompt (latency); without it, more examples carry the format.
ADAPTER_SHOTS = 2
PLAIN_SHOTS = 4
BASE_NAME_KEY = "agentops.base_model.name"
BASE_SIZE_KEY = "agentops.base_model.size"


@dataclass(frozen=True)
class Adapter:
    path: Path
    base_name: str
    base_size: int

    @property
    def fingerprint(self) -> str:
        st = self.path.stat()
        return f"{self.path.name}-{st.st_size}-{int(st.st_mtime)}"

    def fits(self, model_path: Path) -> bool:
        return model_path.name == self.base_name and model_path.stat().st_size == self.base_size


def sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def write_sidecar(path: Path, base: Path) -> None:
    sidecar(path).write_text(json.dumps(
        {BASE_NAME_KEY: base.name, BASE_SIZE_KEY: base.stat().st_size}, indent=1) + "\n")


def read(path: Path) -> Adapter | None:
    try:
        meta = json.loads(sidecar(path).read_text())
        return Adapter(path, str(meta[BASE_NAME_KEY]), int(meta[BASE_SIZE_KEY]))
    except (OSError, ValueError, KeyError):
        return None


def adapter_for(model_path: Path) -> Adapter | None:
    """The adapter to apply to this model file, or None."""
    override = os.environ.get(ENV_ADAPTER, "").strip()
    if override.lower() in ("none", "off", "0", "false"):
        return None
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            from agentops.errors import ModelError

            raise ModelError(f"adapter file not found: {path} (from ${ENV_ADAPTER})",
                             hint=f"point ${ENV_ADAPTER} at a LoRA GGUF, or set it to `none`")
        meta = read(path)
        # An explicit adapter is trusted to fit the model (llama.cpp checks the shapes).
        return meta or Adapter(path, model_path.name, model_path.stat().st_size)
    path = Path(str(files("agentops").joinpath(ADAPTER_FILE)))
    meta = read(path) if path.is_file() else None
    return meta if meta and meta.fits(model_path) else None
