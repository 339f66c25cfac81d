"""A git repository holding this repository's stacks, committed on main: what the GitOps,
learning, API and adversarial tests start from (each sets its own environment around it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO_STACKS = Path(__file__).resolve().parents[1] / "stacks"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_stacks_repo(root: Path, name: str = "Tester", email: str = "tester@example.com") -> Path:
    """root/stacks/{dev,staging,prod}.yaml in a new repository, one commit on main by `name`."""
    (root / "stacks").mkdir(parents=True)
    for stack in ("dev", "staging", "prod"):
        shutil.copy(REPO_STACKS / f"{stack}.yaml", root / "stacks" / f"{stack}.yaml")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", name)
    git(root, "config", "user.email", email)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "stacks")
    return root
