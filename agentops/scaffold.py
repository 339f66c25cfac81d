"""`agentops init DIR`: a GitOps repository ready for propose / preview / apply.

Every file comes from agentops/templates/, which the wheel carries as package data (so an
installed agentops writes the same files as a checkout: tests/test_wheel.py). The workflows and
the policy pack there are the same files as this repository's .github/workflows and policies/:
one source, tests keep them identical. The pack written is the team's from then on: it selects
agentops' rules and adds the team's own (policies/team_rules.py).

A new repository is assembled in a temporary directory next to DIR and moved into place only
when complete, so a failure leaves nothing half-written; with --force (adding to an existing
directory or repository) only missing files are written, and they are removed again if the
commit fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import git

from agentops.errors import AgentOpsError

TEMPLATES = Path(__file__).parent / "templates"
# Template names that cannot be dotfiles inside a package, and where they go.
RENAMES = {"dot-agentops.yaml": ".agentops.yaml", "dot-gitignore": ".gitignore",
           "CODEOWNERS": ".github/CODEOWNERS"}
DEFAULT_OWNERS = "@your-org/platform"
DEFAULT_PACKAGE = "agentops"
COMMIT_MESSAGE = "agentops init: stacks, policies, workflows\n"


@dataclass
class InitResult:
    root: Path
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # existing files left alone (--force)
    commit: str = ""
    notes: list[str] = field(default_factory=list)


def scaffold_files(owners: str = DEFAULT_OWNERS, package: str = DEFAULT_PACKAGE) -> dict[str, bytes]:
    """Relative path -> content of every file `init` writes."""
    files: dict[str, bytes] = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        rel = path.relative_to(TEMPLATES).as_posix()
        data = path.read_bytes()
        if rel in ("CODEOWNERS", "requirements.txt"):
            data = data.decode().replace("{owners}", owners).replace("{package}", package).encode()
        files[RENAMES.get(rel, rel)] = data
    return files


def init(target: Path, force: bool = False, owners: str = DEFAULT_OWNERS,
         package: str = DEFAULT_PACKAGE) -> InitResult:
    target = target.expanduser().absolute()
    if target.exists() and not target.is_dir():
        raise AgentOpsError(f"{target} exists and is not a directory")
    in_repo = _enclosing_repo(target)
    non_empty = target.is_dir() and any(target.iterdir())
    if not force and (non_empty or in_repo):
        why = f"{target} is not empty" if non_empty else f"{target} is inside the git repository {in_repo}"
        raise AgentOpsError(why, hint="pick a new or empty directory, or add agentops to it "
                                      "with --force (existing files are kept)")
    files = scaffold_files(owners, package)
    if non_empty or in_repo:
        result = _add_to_existing(target, files, in_repo)
    else:
        result = _create_new(target, files)
    return result


def _enclosing_repo(target: Path) -> Path | None:
    probe = target
    while not probe.exists():
        probe = probe.parent
    try:
        repo = git.Repo(probe, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    return Path(repo.working_tree_dir) if repo.working_tree_dir else None


def _write(root: Path, files: dict[str, bytes]) -> list[str]:
    from agentops.safepath import checked

    # Every path is checked before the first write: never through a link in DIR.
    paths = {rel: checked(root, Path(rel), "scaffold file") for rel in files}
    for rel, data in files.items():
        path = paths[rel]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(files)


def _create_new(target: Path, files: dict[str, bytes]) -> InitResult:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.agentops-init-", dir=target.parent))
    try:
        written = _write(staging, files)
        repo = git.Repo.init(staging, initial_branch="main")
        sha = _commit(repo, written)
        repo.close()
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return InitResult(target, written=written, commit=sha)


def _add_to_existing(target: Path, files: dict[str, bytes], in_repo: Path | None) -> InitResult:
    target.mkdir(parents=True, exist_ok=True)
    missing = {rel: data for rel, data in files.items()
               if not (target / rel).exists() and not (target / rel).is_symlink()}
    skipped = sorted(set(files) - set(missing))
    created_dirs = sorted({p for rel in missing for p in (target / rel).parents
                           if not p.exists() and target in p.parents}, key=lambda p: -len(p.parts))
    made_repo = in_repo is None
    try:
        written = _write(target, missing)
        repo = git.Repo.init(target, initial_branch="main") if made_repo else git.Repo(in_repo)
        paths = [os.path.relpath(target / rel, repo.working_tree_dir) for rel in written]
        sha = _commit(repo, paths) if paths else ""
    except BaseException:
        for rel in missing:
            (target / rel).unlink(missing_ok=True)
        for folder in created_dirs:
            with contextlib.suppress(OSError):
                folder.rmdir()
        if made_repo:
            shutil.rmtree(target / ".git", ignore_errors=True)
        raise
    return InitResult(target, written=written, skipped=skipped, commit=sha)


def _commit(repo: git.Repo, paths: list[str]) -> str:
    from agentops.gitops import _identity_env

    repo.git.add("--", *paths)
    repo.git.update_environment(**_identity_env(repo))
    # Only the scaffold's files: whatever else the user had staged stays staged, uncommitted.
    repo.git.commit("--no-verify", "-q", "-m", COMMIT_MESSAGE, "--", *paths)
    return repo.head.commit.hexsha

