"""`agentops plan` from the command line: formats, and every bad input exits non-zero with a
message that says what is wrong."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from agentops.cli import main

SPEC = """\
provider: aws
region: us-east-1
tags: {owner: team}
instances:
  web:
    count: 2
    instance_type: t3.micro
storage:
  assets: {kind: bucket}
"""


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "stacks").mkdir()
    for stack in ("dev", "prod"):
        (tmp_path / "stacks" / f"{stack}.yaml").write_text(SPEC)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(["plan", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err


def scale(repo: Path, stack: str = "dev", count: int = 3) -> None:
    (repo / "stacks" / f"{stack}.yaml").write_text(SPEC.replace("count: 2", f"count: {count}"))


def test_text_plan(repo, capsys):
    scale(repo)
    code, out, _ = run(capsys)
    assert code == 0
    assert "Offline desired-state plan" in out and "not `pulumi preview`" in out
    assert "stack dev: 1 to create" in out
    assert "+ create aws:ec2/instance:Instance web-2 [instances.web]" in out
    assert "stack prod: no changes" in out


def test_json_plan_for_one_stack(repo, capsys):
    scale(repo, "prod", 1)
    code, out, _ = run(capsys, "--stack", "production", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [s["stack"] for s in data["stacks"]] == ["prod"]
    assert data["stacks"][0]["counts"] == {"create": 0, "update": 0, "replace": 0, "delete": 1}


def test_markdown_plan(repo, capsys):
    scale(repo)
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out.startswith("## agentops plan") and "<details>" in out


def test_yaml_syntax_error_names_file_line_column(repo, capsys):
    (repo / "stacks" / "dev.yaml").write_text(SPEC + "storage: [oops\n")
    code, _, err = run(capsys)
    assert code != 0
    assert "stacks/dev.yaml:" in err and "YAML syntax error" in err
    line_col = err.split("stacks/dev.yaml:")[1].split(":")[:2]
    assert all(part.isdigit() for part in line_col)


def test_schema_error_names_field_and_allowed_values(repo, capsys):
    (repo / "stacks" / "dev.yaml").write_text(SPEC.replace("kind: bucket", "kind: tape"))
    code, _, err = run(capsys)
    assert code != 0
    assert "stacks/dev.yaml:9:12:" in err and "storage.assets.kind" in err
    assert "'bucket' or 'volume'" in err


def test_unknown_stack_lists_stacks(repo, capsys):
    code, _, err = run(capsys, "--stack", "qa")
    assert code != 0
    assert "unknown stack 'qa'" in err and "dev, prod" in err


def test_unknown_revision(repo, capsys):
    code, _, err = run(capsys, "--base", "no-such-rev")
    assert code != 0
    assert "unknown revision 'no-such-rev'" in err


def test_real_without_pulumi_cli(repo, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(repo))
    code, _, err = run(capsys, "--real")
    assert code != 0
    assert "`pulumi` CLI is not on PATH" in err and "drop --real" in err


def test_outside_a_repository_with_stacks(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys)
    assert code != 0 and "no stacks/ directory" in err


def test_whole_process_exit_code(repo):
    (repo / "stacks" / "dev.yaml").write_text("region: [\n")
    proc = subprocess.run(["agentops", "plan"], cwd=repo, capture_output=True, text=True)
    assert proc.returncode != 0 and "stacks/dev.yaml:2:1" in proc.stderr
