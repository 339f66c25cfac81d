"""Few-shot examples, chosen per command by similarity.

The curated set (agentops/data/examples.yaml) is embedded with the GGUF itself (llama.cpp
embedding mode, mean-pooled, normalised) and stored in a LanceDB table under the user cache,
keyed by the examples' content and the model file, so it is built once. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

from agentops.config import user_cache_dir
from agentops.model import ModelFile, load_llama

TABLE = "examples"
EXAMPLES_FILE = "data/examples.yaml"
# Bump when the way vectors are computed changes: cached tables of old vectors are rebuilt.
EMBEDDING_VERSION = "mean-pooled-shared-context-1+fts"


@dataclass(frozen=True)
class Example:
    command: str
    plan: str  # the plan line, in agentops.planline's format


def curated_examples() -> list[Example]:
    from ruamel.yaml import YAML

    text = files("agentops").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8")
    return [Example(str(e["command"]), str(e["plan"])) for e in YAML(typ="safe").load(text)]


class Embedder:
    """Sentence vectors from the GGUF's own hidden states (mean-pooled, normalised).

    The vectors come from a second, small llama.cpp context on the model the generator has
    already loaded: loading the file again in embedding mode would cost as much as the rest
    of a command, and the generator's own context keeps its prompt cache.
    """

    N_CTX = 128

    def __init__(self, model: ModelFile):
        self.model = model
        self._ctx = None
        self._batch = None
        self._llm = None

    def _open(self) -> None:
        import llama_cpp
        from llama_cpp import _internals

        self._llm = load_llama(self.model)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = params.n_batch = params.n_ubatch = self.N_CTX
        params.n_threads = params.n_threads_batch = os.cpu_count() or 2
        params.embeddings = True
        params.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_MEAN
        self._ctx = _internals.LlamaContext(model=self._llm._model, params=params, verbose=False)
        self._batch = _internals.LlamaBatch(n_tokens=self.N_CTX, embd=0, n_seq_max=1, verbose=False)

    def __call__(self, text: str) -> list[float]:
        import llama_cpp

        if self._ctx is None:
            self._open()
        tokens = self._llm.tokenize(text.lower().encode("utf-8"))[: self.N_CTX]
        self._ctx.kv_cache_clear()
        self._batch.reset()
        self._batch.add_sequence(tokens, 0, True)
        self._ctx.decode(self._batch)
        out = llama_cpp.llama_get_embeddings_seq(self._ctx.ctx, 0)[: self._llm.n_embd()]
        norm = math.sqrt(sum(v * v for v in out)) or 1.0
        return [v / norm for v in out]


def connect(db_dir: Path):
    """lancedb, connected to db_dir, with its Rust warnings ("No existing dataset ... it will be
    created") kept out of the user's terminal."""
    os.environ.setdefault("LANCEDB_LOG", "error")
    os.environ.setdefault("LANCE_LOG", "error")
    import lancedb

    return lancedb.connect(str(db_dir))


def _open_or_create(db_dir: Path, rows_fn):
    db = connect(db_dir)
    try:
        return db.open_table(TABLE)
    except Exception:  # noqa: BLE001 - missing or unreadable: (re)build it
        pass
    table = db.create_table(TABLE, data=rows_fn(), mode="overwrite")
    # Full-text index for the lexical half of hybrid search; stemmed so "alarms" finds "alarm".
    table.create_fts_index("command", use_tantivy=False, replace=True, stem=True,
                           remove_stop_words=True)
    return table


class ExampleIndex:
    def __init__(self, model: ModelFile, embedder: Embedder | None = None):
        self.embedder = embedder or Embedder(model)
        self._examples: list[Example] | None = None
        # Keyed by the examples file's bytes (parsing it costs more than a warm command's
        # search), the model, lancedb (a table written by another version's file format is
        # not always readable) and how vectors are computed.
        raw = files("agentops").joinpath(EXAMPLES_FILE).read_bytes()
        key = hashlib.sha256(
            raw + "\0".join(["", model.fingerprint, version("lancedb"), EMBEDDING_VERSION]).encode()
        ).hexdigest()[:16]
        self.db_dir = user_cache_dir() / "examples" / key
        self._table = None

    @property
    def examples(self) -> list[Example]:
        if self._examples is None:
            self._examples = curated_examples()
        return self._examples

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

    def similar(self, vector: list[float], k: int, text: str | None = None) -> list[Example]:
        """The k examples nearest the command: hybrid search (the model's sentence vectors and
        BM25 over the words, fused by reciprocal rank) when `text` is given. A 270M model's
        vectors alone rank by shape more than by verb; the words alone miss typos."""
        try:
            hits = self._search(vector, k, text)
        except Exception:  # noqa: BLE001 - a damaged cache entry is rebuilt, never fatal
            import shutil

            shutil.rmtree(self.db_dir, ignore_errors=True)
            self._table = None
            hits = self._search(vector, k, text)
        return [Example(h["command"], h["plan"]) for h in hits]

    def _search(self, vector: list[float], k: int, text: str | None) -> list[dict]:
        if not text or not re.search(r"[a-z0-9]", text.lower()):
            return self.table.search(vector).metric("cosine").limit(k).to_list()
        from lancedb.rerankers import RRFReranker

        query = (self.table.search(query_type="hybrid").vector(vector).text(_fts_text(text))
                 .metric("cosine").rerank(RRFReranker()).limit(k))
        return query.to_list()


def _fts_text(text: str) -> str:
    # Plain words only: the full-text query parser gives meaning to quotes, colons and signs.
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
