"""The LanceDB memory of past commands, on disk, with real embeddings from the GGUF."""

from __future__ import annotations

import pytest

from agentops.memory import Memory
from agentops.planline import parse
from agentops.actionplan import ActionPlan

pytestmark = pytest.mark.model


def _plan(command, line):
    return ActionPlan(command=command, interpretation="", actions=parse(line))


def test_record_and_recall(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    memory = Memory(tmp_path)
    assert memory.similar("scale api", 3) == []
    memory.record("scale api in prod to 8 replicas", _plan("x", "scale deployment name=api stack=prod replicas=8"), "merged")
    memory.record("create a bucket named logs in dev", _plan("y", "create storage name=logs stack=dev kind=bucket"), "rejected")
    reopened = Memory(tmp_path)  # persisted on disk, not just in this object
    hits = reopened.similar("scale the api in production to 5 replicas", 2)
    assert hits[0].command == "scale api in prod to 8 replicas"
    assert hits[0].succeeded and hits[0].plan.actions[0].parameters.replicas == 8
    assert {h.outcome for h in hits} == {"merged", "rejected"}
    assert not (tmp_path / ".agentops").exists()  # in the git dir, not the working tree


def test_in_a_repository_memory_lives_in_the_git_dir(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    memory = Memory(tmp_path)
    memory.record("restart web in dev", _plan("z", "restart deployment name=web stack=dev"), "proposed")
    assert (tmp_path / ".git" / "agentops" / "memory").is_dir()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path, capture_output=True, text=True)
    assert status.stdout == ""  # the working tree is untouched
