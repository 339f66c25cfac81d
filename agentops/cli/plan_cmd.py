"""Command: `agentops plan`."""

from __future__ import annotations

import sys
from enum import Enum

import typer

from agentops.cli import app


class PlanFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def plan(
    stack: list[str] = typer.Option(None, "--stack", "-s", help="plan only this stack (repeatable)"),
    base: str = typer.Option(None, "--base", help="revision to compare with (default: merge base with the base branch)"),
    fmt: PlanFormat = typer.Option(PlanFormat.text, "--format", "-f", help="text, markdown or json"),
    real: bool = typer.Option(False, "--real", help="run the real `pulumi preview` (needs the pulumi CLI)"),
) -> None:
    """What the change from REV to the work tree does, per stack (an offline desired-state
    plan unless --real)."""
    from agentops.planrender import render
    from agentops.spec import Workspace

    workspace = Workspace.find()
    if real:
        from agentops import automation

        result = automation.preview_plan(workspace, stacks=stack or None)
    else:
        from agentops.plan import build_plan

        result = build_plan(workspace, base_rev=base, stacks=stack or None)
    text = render(result, fmt.value, color=fmt == PlanFormat.text and sys.stdout.isatty())
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
