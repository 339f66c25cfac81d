"""Few-shot examples, chosen per command by similarity.

The curated set (agentops/data/examples.yaml) is embedded with the GGUF itself (llama.cpp
embedding mode, mean-pooled, normalised) and stored in a LanceDB table under the user cache,
keyed by the examples' content and the model file, so it is built once. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from agentops.config import user_cache_dir
from agentops.model import ModelFile, load_llama

TABLE = "examples"


@dataclass(frozen=True)
class Example:
    command: str
    plan: str  # the plan line, in agentops.planline's format


def curated_examples() -> list[Example]:
    from ruamel.yaml import YAML

    text = files("agentops").joinpath("data/examples.yaml").read_text(encoding="utf-8")
    return [Example(str(e["command"]), str(e["plan"])) for e in YAML(typ="safe").load(text)]


class Embedder:
    """Sentence vectors from the GGUF's own hidden states."""

    def __init__(self, model: ModelFile):
        self.model = model
        self._llm = None

    def __call__(self, text: str) -> list[float]:
        if self._llm is None:
            self._llm = load_llama(self.model, embedding=True)
        out = self._llm.embed(text.lower()[:400])
        if out and isinstance(out[0], list):  # per-token vectors: mean-pool them
            out = [sum(col) / len(out) for col in zip(*out)]
        norm = math.sqrt(sum(v * v for v in out)) or 1.0
        return [v / norm for v in out]


def _open_or_create(db_dir: Path, rows_fn):
    import lancedb

    db = lancedb.connect(str(db_dir))
    try:
        return db.open_table(TABLE)
    except (ValueError, FileNotFoundError):
        pass
    return db.create_table(TABLE, data=rows_fn(), mode="overwrite")


class ExampleIndex:
    def __init__(self, model: ModelFile, embedder: Embedder | None = None):
        self.embedder = embedder or Embedder(model)
        self.examples = curated_examples()
        key = hashlib.sha256(
            ("\n".join(f"{e.command}\t{e.plan}" for e in self.examples) + model.fingerprint).encode()
        ).hexdigest()[:16]
        self.db_dir = user_cache_dir() / "examples" / key
        self._table = None

    def _rows(self) -> list[dict]:
        from agentops.model import _progress

        _progress(f"indexing {len(self.examples)} examples (once; cached)")
        return [
            {"vector": self.embedder(e.command), "command": e.command, "plan": e.plan}
            for e in self.examples
        ]

    @property
    def table(self):
        if self._table is None:
            self._table = _open_or_create(self.db_dir, self._rows)
        return self._table

    def similar(self, vector: list[float], k: int) -> list[Example]:
        hits = self.table.search(vector).metric("cosine").limit(k).to_list()
        return [Example(h["command"], h["plan"]) for h in hits]
