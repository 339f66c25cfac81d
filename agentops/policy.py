"""The CrossGuard pack, run offline on a mock resource graph.

policies/__main__.py is executed with pulumi_policy.PolicyPack replaced by a stand-in that only
records its arguments (the real constructor starts a gRPC server and blocks). Each policy's
validations are then called the way the pulumi-policy analyzer calls them, with
ResourceValidationArgs / StackValidationArgs / PolicyResource built from the graph, values
unknown at preview time behind pulumi-policy's own unknown-checking proxy, and the policy
config resolved the CrossGuard way (schema defaults, then the repository's settings).

The repository's settings live in .agentops.yaml under `policy:`, in the shape of a CrossGuard
policy-pack config file, so `agentops policy-config` can hand CI the same settings:

    policy:
      all: advisory                       # optional: level for every policy
      ec2-imdsv2: disabled                # a level for one policy
      instance-type-allowlist:            # or its level and config properties
        enforcementLevel: mandatory
        allowedTypes: {dev: ["t3.*"], "*": ["t3.*", "m5.*"]}
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import runpy
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops.config import RepoConfig
from agentops.errors import AgentOpsError
from agentops.findings import Verdict
from agentops.graph import Resource, ResourceGraph

POLICIES_DIR = "policies"
PACK_ENTRY = "__main__.py"
PACK_MANIFEST = "PulumiPolicy.yaml"
LEVELS = ("advisory", "mandatory", "remediate", "disabled")
# What agentops.offline leaves where a value is only known after apply.
_OFFLINE_UNKNOWN = "(known after apply)"


@dataclass
class LoadedPack:
    """What the pack's PolicyPack(...) call was given."""

    name: str
    policies: list[Any]  # pulumi_policy.Policy
    enforcement_level: str = "advisory"
    source: str = "agentops.policy_rules"


@dataclass
class ResolvedPolicy:
    policy: Any
    enforcement: str
    config: dict[str, Any] = field(default_factory=dict)


_PACKS: dict[tuple, LoadedPack] = {}


# --- loading --------------------------------------------------------------------------------


@contextlib.contextmanager
def _capturing_policy_pack(captured: list[LoadedPack], source: str):
    import pulumi_policy
    import pulumi_policy.policy as policy_module

    class CapturedPolicyPack:
        def __init__(self, name, policies, enforcement_level=None, *args, **kwargs):
            level = enforcement_level.value if enforcement_level is not None else "advisory"
            captured.append(LoadedPack(name, list(policies), level, source))

    saved = pulumi_policy.PolicyPack, policy_module.PolicyPack
    pulumi_policy.PolicyPack = policy_module.PolicyPack = CapturedPolicyPack
    try:
        yield
    finally:
        pulumi_policy.PolicyPack, policy_module.PolicyPack = saved


def find_pack(root: Path) -> Path | None:
    """The repository's policy pack: <root>/policies when it holds a CrossGuard pack, None when
    the repository has none (agentops' packaged rules are checked then).

    The one place that decides it, for the offline plan, `check`, `scan`, `policy-config` and
    the real preview's --policy-pack alike. A pack needs both PulumiPolicy.yaml (what
    `pulumi preview --policy-pack` reads) and __main__.py (the program); a policies/ folder
    with one and not the other is an error, never silently skipped.
    """
    pack = Path(root) / POLICIES_DIR
    present = [name for name in (PACK_MANIFEST, PACK_ENTRY) if (pack / name).is_file()]
    if not present:
        return None
    if len(present) == 1:
        lacking = PACK_ENTRY if present == [PACK_MANIFEST] else PACK_MANIFEST
        raise AgentOpsError(
            f"{pack} has {present[0]} but no {lacking}: it is not a complete policy pack",
            hint=f"restore {POLICIES_DIR}/{lacking} (`agentops init --force` writes the missing "
                 f"files of the pack), or remove {POLICIES_DIR}/ to check agentops' packaged rules",
        )
    return pack


def pack_root(root: Path) -> Path | None:
    """`root` when it has a policy pack of its own (find_pack), else None: the `root` argument
    load_pack, evaluate_graph and pack_config take."""
    return Path(root) if find_pack(root) is not None else None


def _pack_files(pack: Path) -> tuple:
    """What a loaded pack depends on: every Python file of the pack, by version."""
    files = sorted(p for p in pack.rglob("*.py") if "__pycache__" not in p.parts)
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def _run_pack(pack: Path) -> None:
    """Run the pack as CrossGuard's Python host does (pulumi/policy/__main__.py:
    `runpy.run_path(<pack directory>)`): its __main__.py as the program, with the directory
    first on sys.path, so the team's modules beside it import in both places. The team's
    modules are forgotten afterwards, so the next load (another repository, an edited file)
    imports its own and not the ones of this run."""
    before = set(sys.modules)
    try:
        runpy.run_path(str(pack), run_name="__main__")
    finally:
        inside = os.path.realpath(pack) + os.sep
        for name in set(sys.modules) - before:
            where = getattr(sys.modules[name], "__file__", None) or ""
            if where and os.path.realpath(where).startswith(inside):
                del sys.modules[name]


def load_pack(root: Path | None = None) -> LoadedPack:
    """The pack of the repository at `root` (cached per version of its files), or agentops'
    packaged rules when `root` is None."""
    if root is None:
        key: tuple = ("packaged",)
        if key not in _PACKS:
            from agentops.policy_rules import policies

            _PACKS[key] = LoadedPack("agentops", policies())
        return _PACKS[key]
    pack = find_pack(Path(root))
    if pack is None:
        raise AgentOpsError(
            f"no policy pack at {Path(root) / POLICIES_DIR}",
            hint="restore policies/ (agentops init writes it), or run without a workspace",
        )
    entry = pack / PACK_ENTRY
    key = (str(pack.resolve()), _pack_files(pack))
    if key not in _PACKS:
        captured: list[LoadedPack] = []
        with _capturing_policy_pack(captured, str(entry)):
            try:
                _run_pack(pack)
            except Exception as exc:  # the pack is user code: say where it failed
                raise AgentOpsError(f"{entry}: the policy pack failed to load: {exc}",
                                    hint="run `python policies` to see the error") from exc
        if len(captured) != 1:
            raise AgentOpsError(f"{entry} made {len(captured)} PolicyPack(...) calls; one expected",
                                hint="a pack file builds exactly one PolicyPack")
        _PACKS[key] = captured[0]
    return _PACKS[key]


# --- configuration --------------------------------------------------------------------------


def _schema_defaults(policy) -> dict[str, Any]:
    schema = getattr(policy, "config_schema", None)
    props = (schema.properties if schema else None) or {}
    return {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}


def _schema_keys(policy) -> set[str]:
    schema = getattr(policy, "config_schema", None)
    return set((schema.properties if schema else None) or {})


def _check_level(value: Any, where: str) -> str:
    if value not in LEVELS:
        raise AgentOpsError(f".agentops.yaml: policy.{where}: {value!r} is not an enforcement level",
                            hint=f"use one of: {', '.join(LEVELS)}")
    return value


def resolve(pack: LoadedPack, config: RepoConfig) -> list[ResolvedPolicy]:
    """Each policy with its enforcement level and config, as CrossGuard would resolve them."""
    settings = dict(config.policy or {})
    names = {p.name for p in pack.policies}
    unknown = sorted(set(settings) - names - {"all"})
    if unknown:
        raise AgentOpsError(
            f".agentops.yaml: policy: no polic{'y' if len(unknown) == 1 else 'ies'} named "
            f"{', '.join(unknown)}",
            hint=f"policies in the pack: {', '.join(sorted(names))}",
        )
    pack_level = _check_level(settings["all"], "all") if "all" in settings else None
    resolved = []
    for policy in pack.policies:
        own = policy.enforcement_level.value if policy.enforcement_level else pack.enforcement_level
        level = pack_level or own
        props = _schema_defaults(policy)
        # .agentops.yaml's production stacks, for every policy that declares the setting (all
        # of agentops'; a team rule may not, and CI's config file must hold only declared ones).
        if "productionStacks" in _schema_keys(policy):
            props["productionStacks"] = list(config.production_stacks)
        entry = settings.get(policy.name)
        if isinstance(entry, str):
            level = _check_level(entry, policy.name)
        elif isinstance(entry, dict):
            entry = dict(entry)
            if "enforcementLevel" in entry:
                level = _check_level(entry.pop("enforcementLevel"), f"{policy.name}.enforcementLevel")
            extra = sorted(set(entry) - _schema_keys(policy))
            if extra:
                raise AgentOpsError(
                    f".agentops.yaml: policy.{policy.name}: unknown setting(s) {', '.join(extra)}",
                    hint=f"settings of {policy.name}: "
                         f"{', '.join(sorted(_schema_keys(policy))) or 'none'}, enforcementLevel",
                )
            props.update(entry)
        elif entry is not None:
            raise AgentOpsError(f".agentops.yaml: policy.{policy.name}: expected a level or a mapping",
                                hint="e.g. `ec2-imdsv2: advisory` or `{enforcementLevel: mandatory}`")
        resolved.append(ResolvedPolicy(policy, level, props))
    return resolved


def pack_config(config: RepoConfig, root: Path | None = None) -> dict[str, Any]:
    """The CrossGuard policy-pack config JSON for `pulumi preview --policy-pack-config`: the
    same levels and settings the offline checks use."""
    return {r.policy.name: {"enforcementLevel": r.enforcement, **r.config}
            for r in resolve(load_pack(root), config)}


# --- evaluation -----------------------------------------------------------------------------


def _preview_value(value: Any) -> Any:
    """Offline placeholders for unknowns -> pulumi-policy's unknown sentinel, so a rule that
    reads one fails the same way it does in `pulumi preview`."""
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

    if isinstance(value, dict):
        return {k: _preview_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_preview_value(v) for v in value]
    return UNKNOWN_STRING_VALUE if value == _OFFLINE_UNKNOWN else value


def _policy_args(graph: ResourceGraph):
    """(ResourceValidationArgs factory inputs, PolicyResource list), built once per graph."""
    from pulumi_policy import PolicyCustomTimeouts, PolicyProviderResource, PolicyResource, PolicyResourceOptions
    from pulumi_policy.proxy import unknown_checking_proxy

    by_urn = graph.by_urn()
    built: dict[str, Any] = {}
    for r in graph.resources:
        opts = PolicyResourceOptions(r.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [],
                                     r.parent)
        props = unknown_checking_proxy(_preview_value(r.inputs))
        built[r.urn] = PolicyResource(r.type, props, r.urn, r.name, opts, None, None, [], {})
    for r in graph.resources:
        res = built[r.urn]
        res.parent = built.get(r.parent) if r.parent else None
        res.dependencies = [built[d] for d in r.dependencies if d in built]
        if r.provider and r.provider in by_urn:
            prov = by_urn[r.provider]
            res.provider = PolicyProviderResource(prov.type, unknown_checking_proxy(
                _preview_value(prov.inputs)), prov.urn, prov.name)
    return built


def _run(result) -> None:
    if asyncio.iscoroutine(result) or asyncio.isfuture(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


def _label(resource: Resource | None, urn: str | None) -> str | None:
    if resource is not None:
        return resource.spec_ref or resource.name
    return urn.rsplit("::", 1)[-1] if urn else None


def evaluate_graph(graph: ResourceGraph, config: RepoConfig, root: Path | None = None) -> list[Verdict]:
    """Every violation of the pack on one stack's resource graph. `root`: the workspace whose
    policies/ to run (the packaged rules when None)."""
    from pulumi_policy import ResourceValidationArgs, StackValidationArgs, StackValidationPolicy
    from pulumi_policy.policy import _NotApplicableError
    from pulumi_policy.proxy import UnknownValueError

    resolved = resolve(load_pack(root), config)
    built = _policy_args(graph)
    by_urn = graph.by_urn()
    verdicts: list[Verdict] = []

    for item in resolved:
        if item.enforcement == "disabled":
            continue
        policy = item.policy
        level = "mandatory" if item.enforcement == "remediate" else item.enforcement
        severity = policy.severity.value if policy.severity else "medium"

        def report(message: str, urn: str | None = None, *, _default: str | None = None) -> None:
            target = urn or _default
            verdicts.append(Verdict(policy=policy.name, enforcement=level, severity=severity,
                                    message=message, urn=target,
                                    resource=_label(by_urn.get(target or ""), target)))

        try:
            if isinstance(policy, StackValidationPolicy):
                args = StackValidationArgs(list(built.values()), dict(item.config))
                _run(policy.validate(args, report))
                continue
            for r in graph.resources:
                if not r.custom:
                    continue
                res = built[r.urn]
                args = ResourceValidationArgs(r.type, res.props, r.urn, r.name, res.opts,
                                              res.provider, dict(item.config))
                try:
                    _run(policy.validate(args, lambda m, u=None, _u=r.urn: report(m, u, _default=_u)))
                except (UnknownValueError, _NotApplicableError) as exc:
                    _cannot_run(verdicts, policy.name, exc, r.urn, _label(r, r.urn))
        except (UnknownValueError, _NotApplicableError) as exc:
            _cannot_run(verdicts, policy.name, exc, None, None)
    return verdicts


def _cannot_run(verdicts: list[Verdict], name: str, exc: Exception, urn: str | None,
                label: str | None) -> None:
    # As the pulumi-policy analyzer does: a value unknown until apply makes the check advisory
    # for this preview; "not applicable" is no finding at all.
    message = getattr(exc, "message", None)
    if message is None:
        return
    verdicts.append(Verdict(policy=name, enforcement="advisory", severity="low", urn=urn,
                            resource=label, message=f"can't run during preview: {message}"))


def blocking(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.blocking]


def dump_pack_config(config: RepoConfig, root: Path | None = None) -> str:
    return json.dumps(pack_config(config, root), indent=2, sort_keys=True)
