"""`agentops init DIR`: a complete repository, one commit, refusals, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import git
import pytest

from agentops import scaffold
from agentops.errors import AgentOpsError
from agentops.spec import Workspace

AGENTOPS = Path(sys.executable).parent / "agentops"


def run(*args, cwd=None):
    return subprocess.run([str(AGENTOPS), *args], cwd=cwd, capture_output=True, text=True)


def test_init_creates_a_committed_repository(tmp_path):
    target = tmp_path / "infra"
    out = run("init", str(target))
    assert out.returncode == 0, out.stderr
    repo = git.Repo(target)
    assert repo.active_branch.name == "main" and not repo.is_dirty(untracked_files=True)
    tracked = set(repo.git.ls_files().split())
    for rel in (".agentops.yaml", ".gitignore", ".github/CODEOWNERS", "requirements.txt",
                ".github/workflows/preview.yml", ".github/workflows/apply.yml",
                ".github/workflows/drift.yml", "stacks/Pulumi.yaml", "stacks/__main__.py",
                "stacks/dev.yaml", "stacks/staging.yaml", "stacks/prod.yaml"):
        assert rel in tracked, rel
    assert ".agentops/" in (target / ".gitignore").read_text()
    # The starter specs validate, and the workflows are this repository's own.
    assert Workspace(target).stack_names() == ["dev", "prod", "staging"]
    Workspace(target).load_all()
    root = Path(__file__).resolve().parents[1]
    for name in ("preview.yml", "apply.yml", "drift.yml"):
        assert (target / ".github/workflows" / name).read_bytes() == \
            (root / ".github/workflows" / name).read_bytes()
    # The policy pack (the team's from now on): this repository's own, file for file.
    pack = sorted(p.name for p in (root / "policies").iterdir() if p.is_file())
    assert pack == ["PulumiPolicy.yaml", "__main__.py", "requirements.txt", "team_rules.py"]
    for name in pack:
        assert f"policies/{name}" in tracked, name
        assert (target / "policies" / name).read_bytes() == (root / "policies" / name).read_bytes()
    # No staging directory left next to it.
    assert [p.name for p in tmp_path.iterdir()] == ["infra"]


def test_non_empty_dir_is_refused(tmp_path):
    target = tmp_path / "infra"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    out = run("init", str(target))
    assert out.returncode != 0 and "is not empty" in out.stderr and "--force" in out.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_existing_repository_is_refused_then_added_to(tmp_path):
    target = tmp_path / "repo"
    target.mkdir()
    repo = git.Repo.init(target, initial_branch="main")
    (target / ".gitignore").write_text("custom\n")
    with pytest.raises(AgentOpsError, match="not empty"):
        scaffold.init(target)
    result = scaffold.init(target, force=True)
    assert ".gitignore" in result.skipped and (target / ".gitignore").read_text() == "custom\n"
    assert "stacks/dev.yaml" in repo.git.ls_files()
    assert repo.git.status("--porcelain") == "?? .gitignore"


def test_subdirectory_of_a_repository_is_refused(tmp_path):
    git.Repo.init(tmp_path / "outer")
    with pytest.raises(AgentOpsError, match="inside the git repository"):
        scaffold.init(tmp_path / "outer" / "infra")
    assert not (tmp_path / "outer" / "infra").exists()


def test_failure_leaves_nothing(tmp_path, monkeypatch):
    def broken(repo, paths):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scaffold, "_commit", broken)
    with pytest.raises(RuntimeError):
        scaffold.init(tmp_path / "infra")
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")
    with pytest.raises(RuntimeError):
        scaffold.init(existing, force=True)
    assert sorted(p.name for p in existing.iterdir()) == ["keep.txt"]


def test_propose_works_in_a_fresh_repository(tmp_path):
    target = tmp_path / "infra"
    assert run("init", str(target)).returncode == 0
    plan = tmp_path / "plan.json"
    plan.write_text('{"command": "scale api in dev to 2 replicas", "interpretation": "Scale api.",'
                    ' "actions": [{"type": "scale", "resource": "deployment", "name": "api",'
                    ' "stack": "dev", "parameters": {"replicas": 2}}]}')
    out = run("propose", "--plan-file", str(plan), cwd=target)
    assert out.returncode == 0, out.stderr
    assert "agentops/scale-api-in-dev-to-2" in out.stdout and "git diff main..." in out.stdout


def test_repository_pack_is_the_scaffolded_pack():
    # One source: the pack `init` writes (agentops/templates/policies, package data) is this
    # repository's own policies/, file for file.
    root = Path(__file__).resolve().parents[1]
    template = root / "agentops" / "templates" / "policies"

    def files(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}

    assert files(root / "policies") == files(template)
    assert {k: v for k, v in scaffold.scaffold_files().items() if k.startswith("policies/")} == \
        {f"policies/{k}": v for k, v in files(template).items()}
