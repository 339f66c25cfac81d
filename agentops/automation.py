"""The real path: `pulumi preview` / `pulumi up` through the Automation API.

Used by CI and by `agentops plan --real` on a machine with the `pulumi` CLI. The Pulumi
project is stacks/ (Pulumi.yaml + __main__.py), the backend is a local `file://` state
directory unless PULUMI_BACKEND_URL says otherwise. The engine's event stream is turned into
the same Change objects as the offline plan, so one renderer serves both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from agentops.diff import Change, FieldChange
from agentops.errors import PulumiUnavailable
from agentops.findings import Verdict
from agentops.plan import BaseRef, Plan, StackPlan
from agentops.program import spec_ref_of_type
from agentops.spec import Workspace, normalize_stack_name

STATE_DIR = ".pulumi"
PREVIEW_NOTE = "Real `pulumi preview` against the stack's recorded state (Automation API)."
_OPS = {"create": "create", "update": "update", "delete": "delete", "replace": "replace"}


@dataclass(frozen=True)
class StackSelection:
    """Everything `create_or_select_stack` is called with, computed without the CLI."""

    stack_name: str
    work_dir: str
    env_vars: dict[str, str] = field(default_factory=dict)


def require_cli() -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise PulumiUnavailable(
            "the `pulumi` CLI is not on PATH, so a real preview cannot run here",
            hint="install it (https://www.pulumi.com/docs/install/) or drop --real to get the "
                 "offline desired-state plan",
        )
    return path


def backend_url(workspace: Workspace, environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("PULUMI_BACKEND_URL") or (workspace.root / STATE_DIR).resolve().as_uri()


def selection(workspace: Workspace, stack: str, environ: dict[str, str] | None = None) -> StackSelection:
    name = workspace.resolve_stack(stack)  # UnknownStackError lists the stacks
    return StackSelection(
        stack_name=name,
        work_dir=str(workspace.stacks_dir),
        env_vars={"PULUMI_BACKEND_URL": backend_url(workspace, environ)},
    )


def run_options(policy_pack: Path | None, on_event: Callable[[Any], None] | None = None,
                pack_config: Path | None = None) -> dict[str, Any]:
    """Keyword arguments for Stack.preview / Stack.up. `pack_config`: the pack's configuration
    file (`--policy-pack-config`), which carries .agentops.yaml's per-stack settings to CI."""
    options: dict[str, Any] = {"diff": True, "color": "never", "suppress_progress": True}
    if policy_pack is not None:
        options["policy_packs"] = [str(policy_pack)]
        if pack_config is not None:
            options["policy_pack_configs"] = [str(pack_config)]
    if on_event is not None:
        options["on_event"] = on_event
    return options


def _policy_pack(workspace: Workspace) -> Path | None:
    from agentops.policy import find_pack

    # The same pack the offline checks run (one finder for both).
    return find_pack(workspace.root)


@contextlib.contextmanager
def _pack_options(workspace: Workspace, on_event: Callable[[Any], None]):
    """run_options with the pack and its configuration written from .agentops.yaml to a
    temporary file for the run."""
    from agentops.config import load_config
    from agentops.policy import dump_pack_config

    pack = _policy_pack(workspace)
    if pack is None:
        yield run_options(None, on_event)
        return
    with tempfile.TemporaryDirectory(prefix="agentops-pack-") as tmp:
        path = Path(tmp) / "policy-config.json"
        path.write_text(dump_pack_config(load_config(workspace.root), workspace.root), encoding="utf-8")
        yield run_options(pack, on_event, path)


def open_stack(sel: StackSelection):
    from pulumi import automation as auto

    if sel.env_vars["PULUMI_BACKEND_URL"].startswith("file://"):
        Path(sel.env_vars["PULUMI_BACKEND_URL"][len("file://"):]).mkdir(parents=True, exist_ok=True)
    opts = auto.LocalWorkspaceOptions(work_dir=sel.work_dir, env_vars=sel.env_vars)
    return auto.create_or_select_stack(stack_name=sel.stack_name, work_dir=sel.work_dir, opts=opts)


# ---------------------------------------------------------------------------------------------
# Event stream -> changes


def _redacted(value: Any) -> Any:
    from agentops.offline import _plain

    return _plain(value, [False]) if value is not None else None


def changes_from_events(events: Iterable[Any]) -> list[Change]:
    """EngineEvents (automation.events) -> Changes; `same` steps and components are left out."""
    steps = [e.resource_pre_event.metadata for e in events if e.resource_pre_event]
    names = {}  # component URN -> spec_ref, from the component steps themselves
    for step in steps:
        ref = spec_ref_of_type(step.type, step.urn.rsplit("::", 1)[-1])
        if ref:
            names[step.urn] = ref
    changes = []
    for step in steps:
        kind = _OPS.get(str(step.op.value))
        state = step.new or step.old
        if kind is None or (state is not None and state.custom is False):
            continue
        fields = []
        if kind in ("update", "replace") and step.old and step.new:
            old, new = _redacted(step.old.inputs) or {}, _redacted(step.new.inputs) or {}
            for key in step.diffs or sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    fields.append(FieldChange(path=key, old=old.get(key), new=new.get(key)))
        changes.append(Change(
            kind=kind, urn=step.urn, type=step.type, name=step.urn.rsplit("::", 1)[-1],
            spec_ref=names.get(state.parent) if state else None, fields=fields,
            replace_reason=f"{', '.join(step.keys)} cannot change in place" if kind == "replace" and step.keys else None,
        ))
    return changes


def verdicts_from_events(events: Iterable[Any]) -> list[Verdict]:
    out = []
    for event in events:
        policy = event.policy_event
        if policy is None:
            continue
        level = policy.enforcement_level if policy.enforcement_level in ("mandatory", "advisory") else "advisory"
        out.append(Verdict(policy=policy.policy_name, enforcement=level, message=policy.message,
                           urn=policy.resource_urn or None,
                           resource=(policy.resource_urn or "").rsplit("::", 1)[-1] or None))
    return out


def events_from_json(lines: Iterable[str | dict]) -> list[Any]:
    """A recorded event log (`pulumi preview --event-log`, one JSON object per line)."""
    import json

    from pulumi.automation.events import EngineEvent

    return [EngineEvent.from_json(json.loads(l) if isinstance(l, str) else l)
            for l in lines if l and (not isinstance(l, str) or l.strip())]


def stack_plan_from_events(stack: str, events: list[Any]) -> StackPlan:
    changes = changes_from_events(events)
    return StackPlan(stack=stack, status="changed" if changes else "unchanged", changes=changes,
                     verdicts=verdicts_from_events(events))


# ---------------------------------------------------------------------------------------------
# Running it


def preview_plan(workspace: Workspace, stacks: list[str] | None = None) -> Plan:
    """`pulumi preview` for each stack (all by default), as a Plan."""
    require_cli()
    names = [normalize_stack_name(s) for s in stacks] if stacks else workspace.stack_names()
    plans = []
    for name in names:
        sel = selection(workspace, name)
        events: list[Any] = []
        with _pack_options(workspace, events.append) as options:
            open_stack(sel).preview(**options)
        plans.append(stack_plan_from_events(sel.stack_name, events))
    return Plan(kind="pulumi-preview", note=PREVIEW_NOTE,
                base=BaseRef(rev=None, label="the stack's last deployed state"), stacks=plans)


def up(workspace: Workspace, stack: str) -> StackPlan:
    """`pulumi up` for one stack (CI, after merge); returns what it did."""
    require_cli()
    sel = selection(workspace, stack)
    events: list[Any] = []
    with _pack_options(workspace, events.append) as options:
        open_stack(sel).up(**options)
    return stack_plan_from_events(sel.stack_name, events)
