"""The base install and the model extra: base commands never import the model stack, commands
that need it say which extra to install, CI installs only the base.

(tests/test_wheel.py runs the same commands in a real base-only virtualenv made from the wheel.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import agentops
from agentops import extras, scaffold
from agentops.errors import AgentOpsError

ROOT = Path(__file__).resolve().parents[1]
# The model extra's modules and the heavy libraries they bring.
MODEL_STACK = set(extras.EXTRAS["model"]) | {"pyarrow", "lance", "torch", "starlette"}


def _agentops(cwd: Path, *args: str, importtime: bool = False, prelude: str = ""):
    flags = ["-X", "importtime"] if importtime else []
    code = f"{prelude}\nfrom agentops.cli import main\nmain({list(args)!r})"
    return subprocess.run([sys.executable, *flags, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def _imported(stderr: str) -> set[str]:
    """Top-level module names from `python -X importtime` output (this process and the
    processes forked from it: the flag is inherited)."""
    names = set()
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)", line)
        if match:
            names.add(match.group(1).partition(".")[0])
    return names


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("extras") / "infra"
    scaffold.init(root)
    spec = root / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1\n", "replicas: 2\n", 1))
    return root


@pytest.mark.parametrize("args", [
    ("--version",), ("--help",), ("plan",), ("check",), ("scan",), ("cost",), ("policy-config",),
    ("ci-env",),
])
def test_base_commands_never_import_the_model_stack(repo, args):
    out = _agentops(repo, *args, importtime=True)
    assert out.returncode == 0, out.stderr[-3000:]
    names = _imported(out.stderr)
    assert "agentops" in names and "typer" in names  # the measurement sees imports at all
    assert names & MODEL_STACK == set(), args
    if args[0] in ("plan", "check", "scan"):
        assert "pulumi" in names  # forked capture processes are seen too


def test_init_imports_no_model_stack(tmp_path):
    out = _agentops(tmp_path, "init", str(tmp_path / "infra"), importtime=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _imported(out.stderr) & MODEL_STACK == set()


# A model stack that is not there: its modules made unimportable in the process.
_NO_MODEL = ("import sys\nfor name in " + repr(sorted(extras.EXTRAS["model"])) +
             ":\n    sys.modules[name] = None\n")


@pytest.mark.parametrize("args", [
    ("interpret", "scale api in dev to 3 replicas"),
    ("propose", "scale api in dev to 3 replicas"),
    ("eval", "evals/commands.yaml"),
    ("serve",),
])
def test_model_commands_name_the_extra(repo, args):
    out = _agentops(repo, *args, prelude=_NO_MODEL)
    assert out.returncode == 1
    assert f"agentops {args[0]} needs agentops' 'model' extra" in out.stderr
    assert "pip install 'agentops[model]'" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_model_import_a_check_missed_is_still_named(repo):
    # What a command's own check did not catch (here: the check is bypassed) reaches the CLI as
    # ModuleNotFoundError and is reported the same way.
    prelude = ("import sys\nsys.modules['llama_cpp'] = None\n"
               "import agentops.extras as e\ne.require = lambda *a, **k: None\n")
    out = _agentops(repo, "interpret", "scale api in dev to 3 replicas", prelude=prelude)
    assert out.returncode == 1, out.stderr
    assert "needs agentops' 'model' extra" in out.stderr and "Traceback" not in out.stderr


def test_require_and_missing():
    assert extras.missing("model") == []  # this environment has the extra
    extras.require("model", "agentops interpret")
    saved = extras.EXTRAS["model"]
    try:
        extras.EXTRAS["model"] = (*saved, "no_such_module_xyz")
        assert extras.missing("model") == ["no_such_module_xyz"]
        with pytest.raises(AgentOpsError, match="no_such_module_xyz") as info:
            extras.require("model", "agentops serve")
        assert "pip install 'agentops[model]'" in info.value.hint
    finally:
        extras.EXTRAS["model"] = saved
    assert extras.extra_of("llama_cpp.llama_cpp") == "model"
    assert extras.extra_of("pulumi") is None and extras.extra_of(None) is None


def test_version():
    out = _agentops(ROOT, "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"agentops {agentops.__version__}"
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(agentops.__version__)}\b", changelog, re.M)


def test_ci_installs_only_the_base():
    yaml = YAML(typ="safe")
    seen = 0
    for folder in (ROOT / ".github" / "workflows", ROOT / "agentops" / "templates" / ".github" / "workflows"):
        for path in folder.glob("*.yml"):
            doc = yaml.load(path.read_text())
            for job in doc["jobs"].values():
                for step in job.get("steps", []):
                    run = step.get("run", "")
                    for line in run.splitlines():
                        installs = [a.strip() for a in re.findall(r"pip install ([^;&|]+)", line)]
                        if installs:
                            # agentops itself (no extra, not editable) or the scaffolded pin
                            assert installs == [".", "-r requirements.txt"], (path.name, line)
                            seen += 1
    assert seen == 6  # preview, apply and drift, here and in the templates
    # What `pip install -r requirements.txt` installs in a scaffolded repository: the base.
    requirements = scaffold.scaffold_files()["requirements.txt"].decode()
    assert [line for line in requirements.splitlines() if line and not line.startswith("#")] == ["agentops"]


def test_rollback_and_apply_import_no_model_stack(tmp_path):
    root = tmp_path / "infra"
    scaffold.init(root)
    spec = root / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text().replace("replicas: 1\n", "replicas: 2\n", 1))
    subprocess.run(["git", "commit", "-qam", "scale api"], cwd=root, check=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                        "PATH": "/usr/bin:/bin"})
    out = _agentops(root, "rollback", "--no-push", "HEAD", importtime=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert _imported(out.stderr) & MODEL_STACK == set()
    # No pulumi CLI here: apply refuses, clearly, and still loads nothing of the model stack.
    out = _agentops(root, "apply", "--stack", "dev", importtime=True)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "the `pulumi` CLI is not on PATH" in out.stderr
    assert _imported(out.stderr) & MODEL_STACK == set()
