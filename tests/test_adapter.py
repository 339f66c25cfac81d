"""The shipped LoRA adapter: which model it applies to, the override, and bad files."""

from __future__ import annotations

import shutil

import pytest

from agentops import adapter as adapters
from agentops.errors import ModelError
from agentops.model import ENV_MODEL, load_llama, resolve_model


def test_the_default_model_gets_the_shipped_adapter():
    model = resolve_model()
    assert model.adapter is not None
    assert model.adapter.path.name.endswith(".gguf") and model.adapter.fits(model.path)
    # The prompt cache depends on the adapter; the grammar index (vocabulary) does not.
    assert model.weights_key != model.fingerprint and model.weights_key.startswith(model.fingerprint)


def test_another_model_file_runs_without_it(tmp_path, monkeypatch):
    other = tmp_path / "other-model.gguf"
    with resolve_model().path.open("rb") as fh:
        other.write_bytes(fh.read(4096))  # a GGUF header is enough to be resolved
    monkeypatch.setenv(ENV_MODEL, str(other))
    assert resolve_model().adapter is None


def test_adapter_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(adapters.ENV_ADAPTER, "none")
    assert resolve_model().adapter is None


def test_missing_adapter_override_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv(adapters.ENV_ADAPTER, str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelError) as err:
        resolve_model()
    assert "nope.gguf" in err.value.message and "none" in err.value.hint


@pytest.mark.model
def test_corrupt_adapter_is_a_clear_model_error(tmp_path, monkeypatch):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    monkeypatch.setenv(adapters.ENV_ADAPTER, str(bad))
    with pytest.raises(ModelError) as err:
        load_llama(resolve_model())
    assert "broken.gguf" in err.value.message and adapters.ENV_ADAPTER in err.value.hint


def test_sidecar_mismatch_means_no_adapter(tmp_path):
    shipped = resolve_model().adapter
    copy = tmp_path / shipped.path.name
    shutil.copy(shipped.path, copy)
    (tmp_path / "base.gguf").write_bytes(b"GGUF")
    adapters.write_sidecar(copy, tmp_path / "base.gguf")
    meta = adapters.read(copy)
    assert meta is not None and not meta.fits(resolve_model().path)
