"""Where agentops may write: inside the repository (or its own cache and temp dirs), never
through a symbolic link.

A committed symlink (`stacks/qa.yaml -> /tmp/outside.yaml`, or `stacks -> /etc`) would make a
proposal's edit land on whatever the link points at, outside the review. Every writer asks
`checked()` first; a spec read (`agentops.spec.Workspace.spec_path`) asks too, so such a
repository is refused with a clear error before anything is read, edited or written.
"""

from __future__ import annotations

import os
from pathlib import Path

from agentops.errors import AgentOpsError


class UnsafePathError(AgentOpsError):
    """A path agentops would write through leaves the repository or crosses a symlink."""


def checked(root: Path, path: Path, what: str = "file") -> Path:
    """`path` (absolute, or relative to `root`) when it lies inside `root` and no component
    from `root` down to it is a symbolic link; else UnsafePathError. The path need not exist
    yet (a file about to be created is checked through its existing parents)."""
    root = Path(root)
    real_root = Path(os.path.realpath(root))
    path = path if path.is_absolute() else root / path
    try:
        rel = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        try:  # the caller may hold the resolved form of root, or the literal one
            rel = Path(os.path.abspath(path)).relative_to(real_root)
        except ValueError:
            raise UnsafePathError(
                f"refusing to write {path}: it is outside the repository {root}",
                hint="agentops only writes inside the repository it works on",
            ) from None
    here = real_root
    for part in rel.parts:
        here = here / part
        if here.is_symlink():
            target = os.readlink(here)
            raise UnsafePathError(
                f"refusing {what} {_shown(root, here)}: it is a symbolic link (to {target})",
                hint="agentops reads and writes stack specs only as regular files inside the "
                     "repository: replace the link with the file itself (`git rm` the link, "
                     "commit the real file)",
            )
    if not Path(os.path.realpath(here)).is_relative_to(real_root):
        raise UnsafePathError(f"refusing {what} {_shown(root, here)}: it resolves outside {root}")
    return here


def write_text(root: Path, path: Path, text: str, what: str = "file") -> Path:
    """Write `text` to `path` inside `root` (see checked()); returns the path written."""
    target = checked(root, path, what)
    target.write_text(text, encoding="utf-8")
    return target


def _shown(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(os.path.realpath(root)))
    except ValueError:
        return str(path)
