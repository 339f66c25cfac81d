"""Model resolution, the corrupt/missing-file errors, and the on-disk index cache."""

from __future__ import annotations

import pytest

from agentops.errors import ModelError
from agentops.generate import ConstrainedGenerator, index_cache_path
from agentops.model import ENV_MODEL, resolve_model
from agentops.planline import grammar


def test_missing_model_names_path(tmp_path):
    with pytest.raises(ModelError) as err:
        resolve_model(str(tmp_path / "nope.gguf"))
    assert str(tmp_path / "nope.gguf") in err.value.message
    assert "--model" in err.value.hint


def test_corrupt_model_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model at all")
    monkeypatch.setenv(ENV_MODEL, str(bad))
    with pytest.raises(ModelError) as err:
        resolve_model()
    assert "corrupt" in err.value.message and str(bad) in err.value.message


def test_precedence_explicit_over_env_over_config(tmp_path, monkeypatch):
    default = resolve_model()
    assert default.is_default and default.path.stat().st_size > 100_000_000
    monkeypatch.setenv(ENV_MODEL, str(default.path))
    assert not resolve_model(configured="/nowhere.gguf").is_default  # env wins over config
    with pytest.raises(ModelError):
        resolve_model(explicit="/nowhere.gguf")  # explicit wins over env


@pytest.mark.model
def test_corrupt_index_cache_is_rebuilt():
    model = resolve_model()
    regex = r" (restart|scale) deployment name=(web|api) stack=(alpha|beta)\n\n?"  # small: quick to compile
    path = index_cache_path(regex, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage")
    gen = ConstrainedGenerator(model, regex)
    assert path.stat().st_size > 1000  # rebuilt and re-cached
    out = gen("Command: restart web in beta\nPlan: restart deployment name=web stack=beta\n\n"
              "Command: restart api in alpha\nPlan:")
    assert out.text.startswith(" restart")


def test_numpy_mask_matches_the_bit_layout():
    """Bit j of the little-endian int32 words allows token j; beyond the mask, nothing is."""
    import numpy as np

    from agentops.generate import apply_token_bitmask

    rng = np.random.default_rng(7)
    for n_vocab, n_words in ((100, 4), (262_144, 8192), (70, 2)):
        mask = rng.integers(-2**31, 2**31 - 1, size=(1, n_words), dtype=np.int32)
        logits = rng.standard_normal((1, n_vocab)).astype(np.float32)
        original = logits.copy()
        apply_token_bitmask(logits, mask)
        words = mask[0].astype(np.int64) & 0xFFFFFFFF
        for j in list(range(min(n_vocab, 70))) + [n_vocab - 1]:
            allowed = j < 32 * n_words and bool((words[j // 32] >> (j % 32)) & 1)
            assert (logits[0, j] == original[0, j]) if allowed else (logits[0, j] == -np.inf), j


@pytest.mark.model
def test_cached_prompt_prefix_gives_the_same_plan():
    """A new process restores the shared prompt prefix from disk; the answer must not change."""
    from pathlib import Path

    from agentops.generate import restore_prefix
    from agentops.interpret import build_prompt, listing, prompt_prefix
    from agentops.spec import Workspace

    specs = Workspace(Path(__file__).resolve().parents[1]).load_all()
    model = resolve_model()
    gen = ConstrainedGenerator(model, grammar(list(specs)))
    shots = [("restart the web deployment in staging", "restart deployment name=web stack=staging")]
    prompt = build_prompt(listing(specs), shots, "restart api in prod")
    gen.llm.reset()
    plain = gen(prompt).text
    for _ in range(2):  # the first may write the cache entry, the second surely reads it
        gen.llm.reset()
        assert restore_prefix(gen.llm, model, prompt_prefix(listing(specs))) > 100
        assert gen(prompt).text == plain
    assert plain.strip().startswith("restart deployment name=api")


@pytest.mark.model
def test_grammar_allows_every_token_that_spells_an_allowed_piece():
    """Gemma spells a newline two ways (token 107 and the byte token <0x0A>); outlines' own
    llama.cpp vocabulary kept only one of them, and the mask forbade the one the model uses."""
    from outlines_core import Guide

    from agentops.generate import load_or_build_index, vocabulary
    from agentops.model import load_llama

    model = resolve_model()
    llm = load_llama(model)
    newline_ids = vocabulary(llm).get("\n")
    assert len(newline_ids) >= 2 and llm.tokenize(b"\n", add_bos=False)[0] in newline_ids
    regex = r" (restart|scale) deployment name=(web|api)\n\n?"
    guide = Guide(load_or_build_index(regex, model))
    for token in llm.tokenize(b" restart deployment name=web", add_bos=False):
        guide.advance(token)
    assert set(newline_ids) <= set(guide.get_tokens())


def test_context_grows_with_the_prompt():
    from agentops.model import BASE_CONTEXT, context_for

    assert context_for(0, 192) == BASE_CONTEXT
    assert context_for(3 * 1800, 192) == BASE_CONTEXT  # 1,800 tokens and the answer
    assert context_for(3 * 4000, 192) == 3 * BASE_CONTEXT  # 4,192: the next multiple
    assert context_for(3 * 4096, 192) % BASE_CONTEXT == 0


@pytest.mark.model
def test_a_repository_listing_longer_than_the_base_context_is_read(tmp_path):
    """A repository of 300 resources lists more than 2,048 tokens: before, llama.cpp failed
    mid-evaluation ('llama_decode returned 1', a traceback). The context is sized to the
    prompt, and a resource the long listing names is found and acted on."""
    from agentops.interpret import Interpreter, listing, prompt_prefix
    from agentops.spec import Workspace

    (tmp_path / "stacks").mkdir()
    queues = "\n".join(f"  orders-stage-{i}-queue: {{retention_seconds: 86400}}" for i in range(300))
    (tmp_path / "stacks" / "prod.yaml").write_text(f"queues:\n{queues}\n")
    workspace = Workspace(tmp_path)
    specs = workspace.load_all()
    model = resolve_model()
    from agentops.model import load_llama

    tokens = len(load_llama(model).tokenize(prompt_prefix(listing(specs)).encode()))
    assert tokens > 2048
    plan = Interpreter(use_memory=False).interpret("delete the orders-stage-217-queue in prod", workspace)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "orders-stage-217-queue")]
