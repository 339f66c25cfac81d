"""Where kinds come from: the `agentops.kinds` entry-point group and a repository's folder.

Built-in kinds are registered in agentops' own pyproject.toml under the same entry-point group
a third-party package uses (as simonw/llm's default plugins go through its plugin door).
BUILTIN_KINDS mirrors that table for an installation whose metadata predates a built-in kind
(an editable install made before the kind was added): a built-in missing from the installed
entry points is still loaded, from the same "module:Class" value (tests/test_kinds.py holds the
two equal).

A repository's kinds: `kinds: {path: kinds}` in .agentops.yaml names a folder inside the
repository; each `*.py` file in it is executed as a module of its own and every Kind subclass
it defines is registered. The folder must resolve inside the repository and no file in it may
be a symlink leaving it: a plan never runs code from outside the repository it plans.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import threading
from functools import lru_cache
from pathlib import Path

from agentops.kinds.base import Kind, KindError, Registry

ENTRY_POINT_GROUP = "agentops.kinds"

BUILTIN_KINDS: dict[str, str] = {
    "network": "agentops.kinds.network:NetworkKind",
    "instances": "agentops.kinds.instances:InstancesKind",
    "clusters": "agentops.kinds.clusters:ClustersKind",
    "deployments": "agentops.kinds.deployments:DeploymentsKind",
    "databases": "agentops.kinds.databases:DatabasesKind",
    "storage": "agentops.kinds.storage:StorageKind",
    "alerts": "agentops.kinds.alerts:AlertsKind",
    "security": "agentops.kinds.security:SecurityKind",
    "queues": "agentops.kinds.queues:QueuesKind",
    "topics": "agentops.kinds.topics:TopicsKind",
    "functions": "agentops.kinds.functions:FunctionsKind",
    "tables": "agentops.kinds.tables:TablesKind",
    "caches": "agentops.kinds.caches:CachesKind",
    "load_balancers": "agentops.kinds.load_balancers:LoadBalancersKind",
    "dns_records": "agentops.kinds.dns_records:DnsRecordsKind",
    "registries": "agentops.kinds.registries:RegistriesKind",
    "secrets": "agentops.kinds.secrets:SecretsKind",
    "keys": "agentops.kinds.keys:KeysKind",
    "roles": "agentops.kinds.roles:RolesKind",
    "namespaces": "agentops.kinds.namespaces:NamespacesKind",
    "config_maps": "agentops.kinds.config_maps:ConfigMapsKind",
    "ingresses": "agentops.kinds.ingresses:IngressesKind",
    "cron_jobs": "agentops.kinds.cron_jobs:CronJobsKind",
    "autoscalers": "agentops.kinds.autoscalers:AutoscalersKind",
    "lb_services": "agentops.kinds.lb_services:LoadBalancerServicesKind",
    "disruption_budgets": "agentops.kinds.disruption_budgets:DisruptionBudgetsKind",
}

_lock = threading.Lock()
_active: Registry | None = None


def _load_reference(value: str, origin: str) -> type[Kind]:
    module_name, _, attr = value.partition(":")
    try:
        obj = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise KindError(f"the kind {origin} ({value}) cannot be loaded: {exc}",
                        hint="fix or uninstall the package that registers it") from None
    if not (isinstance(obj, type) and issubclass(obj, Kind)):
        raise KindError(f"the kind {origin} ({value}) is not a subclass of agentops.kinds.Kind")
    return obj


def _instance(cls: type[Kind]) -> Kind:
    if cls.source_file is None:
        module = sys.modules.get(cls.__module__)
        cls.source_file = getattr(module, "__file__", None)
    return cls()


def _entry_points() -> dict[str, str]:
    """name -> "module:Class" of the group's entry points, from every distribution on sys.path.

    importlib.metadata would parse every installed distribution's metadata (about 70 ms with
    this project's dependencies, on every command); the group's header is looked for in each
    entry_points.txt first, and only the files that have it are parsed, the same way."""
    import configparser
    import os

    found: dict[str, str] = {}
    header = f"[{ENTRY_POINT_GROUP}]"
    seen: set[str] = set()
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            path = os.path.join(folder or ".", name, "entry_points.txt")
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except OSError:
                continue
            if header not in text:
                continue
            dist = name.rsplit("-", 1)[0].lower() if name.count("-") else name
            if dist in seen:  # the first on sys.path wins, as importlib.metadata's does
                continue
            seen.add(dist)
            parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
            parser.optionxform = str  # entry-point names are case-sensitive
            parser.read_string(text)
            for key, value in parser.items(ENTRY_POINT_GROUP):
                found.setdefault(key.strip(), value.strip())
    return found


@lru_cache(maxsize=1)
def installed() -> Registry:
    """The built-in kinds and those installed packages register (no repository's own)."""
    references = {**BUILTIN_KINDS, **_entry_points()}
    return Registry([_instance(_load_reference(value, repr(name)))
                     for name, value in references.items()])


def _team_files(root: Path, folder: str) -> list[Path]:
    base = root.resolve()
    path = (root / folder)
    resolved = path.resolve()
    where = f".agentops.yaml: kinds.path {folder!r}"
    if resolved != base and base not in resolved.parents:
        raise KindError(f"{where} is outside the repository ({resolved})",
                        hint="a repository's kinds live in a folder inside it, e.g. `kinds`")
    if not resolved.is_dir():
        raise KindError(f"{where}: no such folder in the repository",
                        hint=f"create {folder}/ with one module per kind, or remove `kinds:`")
    files = []
    for file in sorted(path.glob("*.py")):
        if file.name.startswith("_"):
            continue
        real = file.resolve()
        if file.is_symlink() and (base not in real.parents):
            raise KindError(f"{where}: {file.name} is a symlink leaving the repository ({real})",
                            hint="keep the kind's code in the repository itself")
        files.append(file)
    return files


def _load_team_module(root: Path, file: Path) -> list[type[Kind]]:
    # A module name of its own per repository and file, so two repositories' kinds never mix.
    tag = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    module_name = f"agentops_team_kinds_{tag}.{file.stem}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the repository's code: say which file failed
        sys.modules.pop(module_name, None)
        raise KindError(f"{file}: the kind module failed to load: {type(exc).__name__}: {exc}",
                        hint=f"run `python {file}` to see the error") from None
    found = [obj for obj in vars(module).values()
             if isinstance(obj, type) and issubclass(obj, Kind) and obj.__module__ == module_name
             and obj.section]
    if not found:
        raise KindError(f"{file} defines no kind (a subclass of agentops.kinds.Kind with a section)",
                        hint="see agentops/kinds/base.py's docstring for how to write one")
    for cls in found:
        cls.source_file = str(file)
    return found


_TEAM: dict[tuple, Registry] = {}


def for_repository(root: Path | str | None) -> Registry:
    """The kinds in effect in a repository: installed ones plus its own (.agentops.yaml's
    `kinds.path`). Cached per repository and per version of its kind files. It also becomes
    the process's active registry (see active())."""
    global _active
    base = installed()
    if root is None:
        registry = base
    else:
        root = Path(root)
        folder = _configured_folder(root)
        if folder is None:
            registry = base
        else:
            files = _team_files(root, folder)
            key = (str(root.resolve()), tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size)
                                              for f in files))
            with _lock:
                if key not in _TEAM:
                    team = [cls() for f in files for cls in _load_team_module(root, f)]
                    _TEAM[key] = Registry([*base, *team], root=str(root.resolve()))
                registry = _TEAM[key]
    _active = registry
    return registry


def _configured_folder(root: Path) -> str | None:
    from agentops.config import load_config

    settings = load_config(root).kinds
    return settings.path if settings else None


def active() -> Registry:
    """The registry of the repository this process works on (the last for_repository()), or
    the installed kinds. Spec loading and edits default to it."""
    return _active if _active is not None else installed()


def reset_active() -> None:
    """Back to the installed kinds (tests, a server switching repositories)."""
    global _active
    _active = None
