"""Captured resource graphs on disk, keyed by everything that decides them.

A plan captures the base revision and the head. The base is normally the same from one plan to
the next (the merge base with main), and so is the head of a plan run twice; capturing either
again would only repeat the same work. An entry's key is a SHA-256 over:

- the spec: its validated, canonical JSON (comments and formatting do not change a graph, a
  default that changes in agentops/spec.py does), or its text when it was not validated here;
- the stack, the project and the Pulumi config the capture was given;
- the source of the modules that decide a graph (agentops/program.py, offline.py, spec.py,
  graph.py, kinds/base.py and the other shared kinds modules) and this file's KEY_VERSION;
- every kind module of the spec's registry, built-in, installed or the repository's own
  (Registry.fingerprint): a changed or new kind file invalidates cached graphs;
- the Python version, the installed pulumi, pulumi-aws and pulumi-kubernetes (their dist-info
  names, which carry the version, and when their files were written) and every PULUMI_*
  environment variable.

Entries live in <user cache>/graphs (`AGENTOPS_CACHE_DIR` moves it); the least recently used
go beyond MAX_ENTRIES. An entry that cannot be read is a miss, never an error. Setting
AGENTOPS_GRAPH_CACHE=0 turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from agentops.graph import ResourceGraph

if TYPE_CHECKING:
    from agentops.spec import SpecBase as StackSpec

KEY_VERSION = 1
MAX_ENTRIES = 64
_SOURCES = ("program.py", "offline.py", "spec.py", "graph.py", "kinds/base.py",
            "kinds/loading.py", "kinds/backups.py", "kinds/iam_util.py")
_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_kubernetes")


def enabled() -> bool:
    return os.environ.get("AGENTOPS_GRAPH_CACHE", "1") not in ("0", "false", "no", "off")


def key(spec: "StackSpec | str", stack: str, project: str,
        config: dict[str, str] | None = None) -> str:
    """The cache key of capturing `spec` (validated, or its text) as `stack` of `project`."""
    text = spec if isinstance(spec, str) else spec.model_dump_json()
    if isinstance(spec, str):
        from agentops.kinds import active

        registry = active()  # what a text job is validated with in the worker
    else:
        registry = spec.kinds()
    material = {
        "kinds": registry.fingerprint(),
        "spec": text,
        "validated": not isinstance(spec, str),
        "stack": stack,
        "project": project,
        "config": sorted((config or {}).items()),
        "environment": _environment(),
        "pulumi_env": sorted((k, v) for k, v in os.environ.items() if k.startswith("PULUMI_")),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def load(entry_key: str) -> ResourceGraph | None:
    path = _dir() / f"{entry_key}.json"
    try:
        graph = ResourceGraph.model_validate_json(path.read_bytes())
        os.utime(path)  # recently used: kept longest
        return graph
    except (OSError, ValueError):
        return None  # missing, or damaged: captured again and rewritten


def store(entry_key: str, graph_json: str) -> None:
    """Write an entry (atomically: a reader never sees half of one), then trim the cache."""
    folder = _dir()
    tmp = folder / f".{entry_key}.{os.getpid()}.tmp"
    try:
        tmp.write_text(graph_json, encoding="utf-8")
        os.replace(tmp, folder / f"{entry_key}.json")
        _trim(folder)
    except OSError:
        tmp.unlink(missing_ok=True)  # a cache that cannot be written only costs time


def _trim(folder: Path) -> None:
    entries = []
    for path in folder.glob("*.json"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        path.unlink(missing_ok=True)


def _dir() -> Path:
    from agentops.config import user_cache_dir

    path = user_cache_dir() / "graphs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@lru_cache(maxsize=1)
def _environment() -> dict:
    """What, besides the spec, decides a graph: agentops' own capture code and the SDK."""
    here = Path(__file__).resolve().parent
    sources = hashlib.sha256(str(KEY_VERSION).encode())
    for name in _SOURCES:
        sources.update(name.encode() + b"\0" + (here / name).read_bytes())
    return {"python": sys.version, "agentops": sources.hexdigest(),
            "sdk": [_installed(name) for name in _PACKAGES]}


def _installed(package: str) -> list:
    """A package's dist-info names (they carry its version) and when its __init__ was written,
    without importing it (importlib.metadata alone costs more than a cache hit saves here)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return [package, None]
    init = Path(spec.origin)
    site = init.parent.parent
    stat = init.stat()
    dist_infos = sorted(p.name for p in site.glob(f"{package.replace('_', '[-_]')}-*.dist-info"))
    return [package, str(init), stat.st_size, stat.st_mtime_ns, dist_infos]
