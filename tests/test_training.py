"""The adapter's training code: synthetic labels, the PyTorch Gemma 3 against llama.cpp, and
the exported LoRA file as llama.cpp reads it. Real model, real llama.cpp, real PyTorch."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "training"))

import synth  # noqa: E402

from agentops.interpret import CommandFacts  # noqa: E402
from agentops.interpret.guard import _params  # noqa: E402
from agentops.planline import grammar, parse, render  # noqa: E402

PROMPT = "Command: scale api in prod to 8 replicas\nPlan: scale deployment name=api stack=prod replicas=8"


def test_synthetic_labels_are_plan_lines_the_guard_keeps_whole():
    # A label must be a line the grammar allows, and say nothing the command does not: the
    # interpreter's guard, which drops unstated values and stacks, leaves it unchanged.
    for s in synth.generate(1500, seed=3):
        stacks = list(s.listing)
        actions = parse(s.plan)
        assert render(actions) == s.plan
        assert re.fullmatch(grammar(stacks), f" {s.plan}\n"), s.plan
        facts = CommandFacts.of(s.command, stacks)
        for a in actions:
            assert _params(a.parameters, facts, []) == a.parameters, (s.command, s.plan)
            assert a.stack is None or a.stack in facts.stacks, (s.command, s.plan)


def test_synthetic_commands_are_not_evaluation_commands():
    from agentops.evaluate import load_eval_set

    evals = {item.command.strip().lower()
             for path in (ROOT / "evals").glob("*.yaml") for item in load_eval_set(path)}
    assert len(evals) > 300  # every set was read, the structured wild.yaml included
    samples = synth.generate(3000, seed=7)
    generated = {s.command.strip().lower() for s in samples}
    # Off-topic one-liners and injections answered with none may coincide ("tell me a joke");
    # no infrastructure command may.
    nothing = {s.command.strip().lower() for s in samples if s.plan == "none"}
    overlap = (generated & evals) - {o.lower() for o in synth.OFF_TOPIC} - nothing
    assert not overlap


def test_synthetic_set_covers_every_action_and_resource():
    from agentops.actionplan import ActionType, ResourceType

    import synth_kinds

    samples = synth.generate(2000, seed=5)
    seen = {(a.type, a.resource) for s in samples for a in parse(s.plan)}
    assert {t for t, _ in seen} == set(ActionType)
    assert {r for _, r in seen} == set(ResourceType)
    # every kind's kind= value, several actions with references, and relative changes
    values = {a.parameters.kind for s in samples for a in parse(s.plan)}
    assert {v for k in synth_kinds.generic_kinds() for v in k.kind_values} <= values
    assert any(len(parse(s.plan)) >= 3 for s in samples)
    assert any(a.relative for s in samples for a in parse(s.plan))


@pytest.fixture(scope="module")
def torch_model():
    import gemma3

    from agentops.model import default_model_path

    return gemma3.load(str(default_model_path()), rank=8, alpha=16)


def _llama_logits(tokens=None, lora: str | None = None):
    import llama_cpp

    from agentops.model import _disable_extra_buffers, _quiet_llama_log, default_model_path

    _disable_extra_buffers()
    _quiet_llama_log()
    llm = llama_cpp.Llama(str(default_model_path()), n_ctx=128, logits_all=True, verbose=False,
                          lora_path=lora)
    tokens = tokens or llm.tokenize(PROMPT.encode())
    llm.eval(tokens)
    return tokens, np.array(llm.scores[: len(tokens)])


@pytest.mark.model
def test_pytorch_gemma3_reads_the_gguf_as_llama_cpp_does(torch_model):
    import torch

    tokens, ref = _llama_logits()
    for layer in torch_model.modules():
        if hasattr(layer, "lora_b"):
            torch.nn.init.zeros_(layer.lora_b)
    with torch.no_grad():
        ours = torch_model.logits(torch_model.hidden(torch.tensor([tokens])))[0].numpy()
    # llama.cpp computes with quantised activations: close, not equal.
    assert (ours.argmax(-1) == ref.argmax(-1)).mean() == 1.0
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.995


@pytest.mark.model
def test_shared_prefix_forward_equals_the_full_forward(torch_model):
    import torch

    torch.manual_seed(0)
    prefix = torch.randint(0, 5000, (1, 30))
    tokens = torch.cat([prefix.expand(3, 30), torch.randint(0, 5000, (3, 12))], 1)
    with torch.no_grad():
        full = torch_model.hidden(tokens)[:, 30:]
        shared = torch_model.hidden_shared(tokens, 30)
    assert torch.allclose(full, shared, atol=5e-3, rtol=1e-3)


@pytest.mark.model
def test_a_batch_run_in_chunks_gets_the_whole_batchs_gradient(torch_model):
    # train_step splits a batch past its memory budget into chunks of rows; the gradients
    # must add up to what the whole batch gives (two repositories' prompts, uneven lengths).
    import torch
    import train_lora
    from train_lora import Encoded, chunks, train_step

    torch.manual_seed(1)
    a, b = torch.randint(0, 5000, (24,)).tolist(), torch.randint(0, 5000, (20,)).tolist()
    group = [Encoded(a + torch.randint(0, 5000, (n,)).tolist(), 24) for n in (6, 9)] + \
            [Encoded(b + torch.randint(0, 5000, (n,)).tolist(), 20) for n in (5, 11, 7)]
    params = [p for p in torch_model.parameters() if p.requires_grad]
    saved = [p.detach().clone() for p in params]  # the fixture is shared: put it back after
    for p in params:
        torch.nn.init.normal_(p, std=0.02)

    def gradients(budget):
        for p in params:
            p.grad = None
        loss = train_step(torch_model, group, budget)
        return loss, [p.grad.clone() for p in params]

    assert len(chunks(group, train_lora.MAX_ATTENTION_CELLS)) == 1
    assert len(chunks(group, 2_000)) > 1  # the small budget does split it
    whole_loss, whole = gradients(train_lora.MAX_ATTENTION_CELLS)
    split_loss, split = gradients(2_000)
    with torch.no_grad():
        for p, before in zip(params, saved):
            p.copy_(before)
            p.grad = None
    assert abs(whole_loss - split_loss) < 1e-3 * whole_loss
    # the forward runs under bf16 autocast: the same gradient up to bf16's rounding
    whole, split = torch.cat([g.ravel() for g in whole]), torch.cat([g.ravel() for g in split])
    assert (whole - split).norm() < 0.03 * whole.norm()
    # and a chunking that dropped or double-counted a row would be far off
    assert torch.nn.functional.cosine_similarity(whole, split, dim=0) > 0.999


@pytest.mark.model
def test_exported_adapter_changes_llama_cpp_as_it_changes_pytorch(torch_model, tmp_path):
    import gemma3
    import torch

    torch.manual_seed(1)
    with torch.no_grad():
        for layer in torch_model.modules():
            if isinstance(layer, gemma3.LoraLinear):
                layer.lora_b.normal_(0, 0.02)
    path = tmp_path / "random.gguf"
    gemma3.save_adapter(torch_model, str(path), 16, {})
    tokens, base = _llama_logits()
    _, adapted = _llama_logits(tokens, lora=str(path))
    with torch.no_grad():
        ours = torch_model.logits(torch_model.hidden(torch.tensor([tokens])))[0].numpy()
        for layer in torch_model.modules():
            if isinstance(layer, gemma3.LoraLinear):
                torch.nn.init.zeros_(layer.lora_b)
        ours_base = torch_model.logits(torch_model.hidden(torch.tensor([tokens])))[0].numpy()
    delta_llama, delta_torch = adapted - base, ours - ours_base
    assert np.abs(delta_torch).mean() > 0.5  # the random adapter really moves the model
    assert np.corrcoef(delta_llama.ravel(), delta_torch.ravel())[0, 1] > 0.97


def test_a_training_run_stops_and_resumes_from_its_checkpoint(tmp_path):
    # A real (tiny) run: two steps, stopped as a session would be, then resumed to the third;
    # the checkpoint says where it stands and the resumed run starts there.
    import json
    import subprocess

    base = [sys.executable, str(ROOT / "training" / "train_lora.py"), "--samples", "16",
            "--curated-copies", "0", "--batch", "4", "--rank", "4", "--checkpoint", str(tmp_path / "ck"),
            "--out", str(tmp_path / "adapter.gguf"), "--every", "1000",
            "--shots-cache", str(tmp_path / "shots")]
    first = subprocess.run(base + ["--stop-after", "2"], capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-2000:]
    state = json.loads((tmp_path / "ck" / "state.json").read_text())
    assert state["step"] == 2 and state["total"] == 4 and state["args"]["samples"] == "16"
    assert (tmp_path / "ck" / "adapter.gguf").stat().st_size > 0
    second = subprocess.run(base + ["--resume", "--stop-after", "3"], capture_output=True, text=True,
                            timeout=900)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resuming at step 2" in second.stdout
    # the few-shot examples retrieved by the first run are read back, not retrieved again
    assert "retrieved shots" in first.stdout and "shots read back" in second.stdout
    assert "retrieved shots" not in second.stdout
    assert "step 0/" not in second.stdout and "step 1/" not in second.stdout
    assert json.loads((tmp_path / "ck" / "state.json").read_text())["step"] == 3
    # A finished run resumed (its out file lost with an earlier machine) writes --out from its
    # checkpoint, tensors unchanged, and trains nothing; the checkpoint stays as it was.
    third = subprocess.run(base + ["--resume"], capture_output=True, text=True, timeout=900)
    assert third.returncode == 0, third.stderr[-2000:]
    assert json.loads((tmp_path / "ck" / "state.json").read_text())["step"] == 4
    (tmp_path / "adapter.gguf").unlink()
    checkpoint_state = (tmp_path / "ck" / "state.json").read_text()
    fourth = subprocess.run(base + ["--resume"], capture_output=True, text=True, timeout=900)
    assert fourth.returncode == 0, fourth.stderr[-2000:]
    assert "is finished" in fourth.stdout and "step " not in fourth.stdout
    assert (tmp_path / "ck" / "state.json").read_text() == checkpoint_state
    import gguf

    def tensors(path):
        return {t.name: np.array(t.data).tobytes() for t in gguf.GGUFReader(str(path)).tensors}

    assert tensors(tmp_path / "adapter.gguf") == tensors(tmp_path / "ck" / "adapter.gguf")
    meta = gguf.GGUFReader(str(tmp_path / "adapter.gguf")).fields
    assert "agentops.generator" in meta and "agentops.training" in meta


def test_the_written_training_sets_turn_into_plan_lines_the_model_can_write():
    import written

    total = 0
    for path in sorted((ROOT / "training" / "written").glob("*.yaml")):
        samples, errors = written.load(path)
        total += len(samples)
        # what the plan line cannot say is reported, not trained on; it stays rare
        assert len(errors) <= 0.02 * (len(samples) + len(errors)), (path.name, errors[:3])
        line = re.compile(grammar(list(samples[0].listing)))
        for s in samples:
            assert line.fullmatch(f" {s.plan}\n"), s.plan
    assert total >= 700


def test_a_written_item_that_does_not_fit_is_reported_with_what_is_wrong(tmp_path):
    import shutil

    import written

    shutil.copytree(ROOT / "stacks", tmp_path / "repo" / "stacks")
    (tmp_path / "set.yaml").write_text(
        "repository: repo\nitems:\n"
        "- command: add two replicas to api in prod\n"
        "  expect: [{action: scale, kind: deployments, name: api, stack: prod, parameters: {replicas: '+2'}}]\n"
        "- command: halve the ghost deployment\n"
        "  expect: [{action: scale, kind: deployments, name: ghost, stack: prod, parameters: {replicas: '/2'}}]\n"
        "- command: api in prod on port plus one\n"
        "  expect: [{action: update, kind: deployments, name: api, stack: prod, parameters: {port: '+1'}}]\n"
        "- command: make it a queue thing\n"
        "  expect: [{action: create, kind: queue, name: q, stack: prod}]\n"
        "- command: how are you\n"
        "  expect: none\n")
    samples, errors = written.load(tmp_path / "set.yaml")
    assert [s.plan for s in samples] == ["scale deployment name=api stack=prod replicas=+2", "none"]
    messages = " | ".join(m for _, m in errors)
    assert "'ghost': no such resource" in messages
    assert "port cannot be relative" in messages
    assert "no kind 'queue'" in messages


@pytest.mark.parametrize("text, said", [
    ("repository: repo\nitems:\n- command: scale api\n  expect: [{type: scale, kind: deployments, name: api}]\n",
     "item 1 does not read (no 'action')"),
    ('items:\n  - command: "a\n  bad: [\n', "while scanning a quoted scalar"),
])
def test_a_written_set_that_does_not_read_is_named_without_a_traceback(tmp_path, text, said):
    import shutil
    import subprocess

    shutil.copytree(ROOT / "stacks", tmp_path / "repo" / "stacks")
    (tmp_path / "set.yaml").write_text(text)
    done = subprocess.run([sys.executable, str(ROOT / "training" / "written.py"), "check", str(tmp_path / "set.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr
