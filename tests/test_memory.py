"""The LanceDB memory of past commands, on disk, with real embeddings from the GGUF."""

from __future__ import annotations

import pytest

from agentops.actionplan import ActionPlan
from agentops.memory import Memory
from agentops.planline import parse

pytestmark = pytest.mark.model


def _plan(command, line):
    return ActionPlan(command=command, interpretation="", actions=parse(line))


@pytest.fixture(scope="module")
def embedder():
    from agentops.examples import Embedder
    from agentops.model import resolve_model

    return Embedder(resolve_model())


def test_record_and_recall(tmp_path, embedder):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    memory = Memory(tmp_path, embedder)
    assert memory.similar("scale api", 3) == []
    memory.record("scale api in prod to 8 replicas", _plan("x", "scale deployment name=api stack=prod replicas=8"), "merged")
    memory.record("create a bucket named logs in dev", _plan("y", "create storage name=logs stack=dev kind=bucket"), "rejected")
    reopened = Memory(tmp_path, embedder)  # persisted on disk, not just in this object
    hits = reopened.similar("scale the api in production to 5 replicas", 2)
    assert hits[0].command == "scale api in prod to 8 replicas"
    assert hits[0].succeeded and hits[0].plan.actions[0].parameters.replicas == 8
    assert {h.outcome for h in hits} == {"merged", "rejected"}
    # only what was merged (or corrected) is a few-shot example
    assert [e.command for e in reopened.examples_for("scale web in prod to 2 replicas", 2)] == [
        "scale api in prod to 8 replicas"]
    assert not (tmp_path / ".agentops").exists()  # in the git directory, not the working tree


def test_outside_a_repository_there_is_no_memory(tmp_path, embedder):
    memory = Memory(tmp_path, embedder)
    memory.record("restart web in dev", _plan("z", "restart deployment name=web stack=dev"), "merged")
    assert memory.similar("restart web in dev", 2) == []
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_in_a_repository_memory_lives_in_the_git_dir(tmp_path, embedder):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    memory = Memory(tmp_path, embedder)
    memory.record("restart web in dev", _plan("z", "restart deployment name=web stack=dev"), "proposed")
    assert (tmp_path / ".git" / "agentops" / "memory").is_dir()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True)
    assert status.stdout == ""  # the working tree is untouched
