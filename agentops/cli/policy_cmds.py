"""Commands: `agentops check`, `scan`, `cost` and `policy-config`."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from agentops.cli import app

SEVERITY_ORDER = ("critical", "high", "medium", "low")


class Format(str, Enum):
    text = "text"
    json = "json"


def _verdicts_by_stack(stacks: list[str] | None):
    """[(stack, [Verdict])] for the chosen stacks (all when None), each graph captured under
    Pulumi's mocks in its own process."""
    from agentops import offline
    from agentops.config import load_config
    from agentops.policy import evaluate_graph, pack_root
    from agentops.spec import Workspace

    workspace = Workspace.find()
    config = load_config(workspace.root)
    names = [workspace.resolve_stack(s) for s in stacks] if stacks else workspace.stack_names()
    jobs = []
    for name in names:
        jobs.append((workspace.spec_text(name), name, workspace.display(workspace.spec_path(name))))
    graphs = offline.capture_many(jobs)
    root = pack_root(workspace.root)  # None: agentops' packaged rules (no pack of its own)
    return [(name, evaluate_graph(graph, config, root=root)) for name, graph in zip(names, graphs)]


def _blocking_error(results) -> None:
    from agentops.errors import PolicyViolation

    blocking = [(s, v) for s, verdicts in results for v in verdicts if v.blocking]
    if blocking:
        raise PolicyViolation(
            f"{len(blocking)} mandatory policy violation(s) in "
            f"{', '.join(sorted({s for s, _ in blocking}))}",
            hint="fix the stack spec (each message says how), or change the policy's level or "
                 "settings under `policy:` in .agentops.yaml",
        )


def _verdict_line(stack: str, v) -> str:
    where = f"{stack}/{v.resource}" if v.resource else stack
    return f"  [{v.enforcement}] {v.policy} ({where}): {v.message}"


def _print_json(results) -> None:
    payload = [{"stack": s, "verdicts": [v.model_dump() for v in verdicts]} for s, verdicts in results]
    sys.stdout.write(json.dumps(payload, indent=2) + "\n")


@app.command()
def check(
    stack: list[str] = typer.Option(None, "--stack", "-s", help="check only this stack (repeatable)"),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
) -> None:
    """Run the policy pack offline on each stack's resource graph; exit non-zero on a
    mandatory violation."""
    results = _verdicts_by_stack(stack or None)
    if fmt == Format.json:
        _print_json(results)
    else:
        for name, verdicts in results:
            mandatory = sum(v.blocking for v in verdicts)
            status = "ok" if not verdicts else f"{mandatory} mandatory, {len(verdicts) - mandatory} advisory"
            print(f"{name}: {status}")
            for v in sorted(verdicts, key=lambda v: (not v.blocking, SEVERITY_ORDER.index(v.severity))):
                print(_verdict_line(name, v))
    _blocking_error(results)


@app.command()
def scan(
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
) -> None:
    """Security scan: the policy pack over every stack, findings grouped by severity; exit
    non-zero on a mandatory violation."""
    results = _verdicts_by_stack(None)
    if fmt == Format.json:
        _print_json(results)
    else:
        findings = [(s, v) for s, verdicts in results for v in verdicts]
        print(f"scanned {len(results)} stack(s): {len(findings)} finding(s)")
        for severity in SEVERITY_ORDER:
            group = [(s, v) for s, v in findings if v.severity == severity]
            if group:
                print(f"{severity.upper()} ({len(group)})")
                for s, v in group:
                    print(_verdict_line(s, v))
    _blocking_error(results)


@app.command()
def cost(
    stack: list[str] = typer.Option(None, "--stack", "-s", help="only this stack (repeatable)"),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="text or json"),
) -> None:
    """Estimated monthly cost per resource and per stack (on-demand list prices)."""
    from agentops.cost import estimate
    from agentops.spec import Workspace

    workspace = Workspace.find()
    names = [workspace.resolve_stack(s) for s in stack] if stack else workspace.stack_names()
    costs = [estimate(workspace.load(name), name) for name in names]
    if fmt == Format.json:
        payload = [{**c.model_dump(), "total_usd": c.total_usd, "unpriced": c.unpriced} for c in costs]
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    for c in costs:
        print(f"{c.stack} ({c.region}): ${c.total_usd:,.2f}/month, prices as of {c.prices_as_of}")
        for line in c.lines:
            amount = "unpriced" if line.monthly_usd is None else f"${line.monthly_usd:,.2f}"
            print(f"  {line.resource:<28} {amount:>12}  {line.type}  ({line.detail})")
        if c.unpriced:
            print(f"  not in the total: {', '.join(c.unpriced)}")


@app.command("policy-config")
def policy_config() -> None:
    """The policy settings of .agentops.yaml as a CrossGuard config file, for
    `pulumi preview --policy-pack policies --policy-pack-config FILE`."""
    from agentops.config import load_config
    from agentops.policy import dump_pack_config, pack_root
    from agentops.spec import Workspace

    workspace = Workspace.find()
    sys.stdout.write(dump_pack_config(load_config(workspace.root), pack_root(workspace.root)) + "\n")
