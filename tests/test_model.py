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
    regex = grammar(["alpha", "beta"])
    path = index_cache_path(regex, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage")
    gen = ConstrainedGenerator(model, regex)
    assert path.stat().st_size > 1_000_000  # rebuilt and re-cached
    out = gen("Command: restart web in beta\nPlan: restart deployment name=web stack=beta\n\n"
              "Command: restart api in alpha\nPlan:")
    assert out.text.startswith(" restart")
