"""Commands: interpret (command -> ActionPlan) and eval (accuracy on an evaluation set)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from agentops.cli import app


@app.command()
def interpret(
    command: list[str] = typer.Argument(..., help="the command, in plain language"),
    json_out: bool = typer.Option(False, "--json", help="print the ActionPlan as JSON"),
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="stack to use when the command names none"),
    model: Optional[str] = typer.Option(None, "--model", help="path to a GGUF model file"),
) -> None:
    """Turn a plain-language command into an ActionPlan (nothing is changed)."""
    from agentops.extras import require

    require("model", "agentops interpret")
    from agentops.errors import InterpretError
    from agentops.interpret import Interpreter
    from agentops.spec import Workspace

    workspace = Workspace.find()  # the command is checked first thing in Interpreter.run
    text = " ".join(command)
    plan, start_resident = None, False
    from agentops import resident

    if resident.enabled():
        # A resident model process answers in what the in-process path costs once loaded;
        # without one, this command interprets itself and leaves one for the next.
        from agentops.config import load_config

        try:
            plan = resident.interpret(workspace.root.resolve(), text, stack,
                                      model or load_config(workspace.root).model)
        except resident.Unavailable:
            start_resident = True
    if plan is None:
        plan = Interpreter(model).interpret(text, workspace, stack)
    if json_out:
        print(plan.model_dump_json(indent=2))
    else:
        _print_plan(plan)
    if start_resident:
        sys.stdout.flush()
        resident.start_background()
    if not plan.actions:
        # Nothing understood: say so (already printed) and fail, so scripts notice.
        raise InterpretError(plan.interpretation, hint="rephrase it as a change or query on the stacks")


def _print_plan(plan) -> None:
    from rich.console import Console

    console = Console(highlight=False)
    console.print(plan.interpretation)
    for action in plan.actions:
        params = " ".join(f"{k}={v}" for k, v in action.parameters.set_values().items())
        console.print(f"  - {action.type.value} {action.resource.value} "
                      f"{action.name or '*'} [{action.stack or '?'}] {params}", markup=False)
    console.print(f"risk: {plan.risk_level.value}; confirmation required: "
                  f"{'yes' if plan.confirmation_required else 'no'}")
    for warning in plan.warnings:
        console.print(f"warning: {warning}", style="yellow", markup=False)


@app.command("eval")
def eval_cmd(
    file: Path = typer.Argument(..., help="evaluation set (YAML), e.g. evals/commands.yaml"),
    split: Optional[str] = typer.Option(None, "--split", help="only this split (tuning|heldout)"),
    model: Optional[str] = typer.Option(None, "--model", help="path to a GGUF model file"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="print every miss"),
    classes: bool = typer.Option(False, "--classes",
                                 help="count misses by class (no commands shown: for held-out sets)"),
) -> None:
    """Exact-match and per-field accuracy of the interpreter on an evaluation set."""
    from agentops.extras import require

    require("model", "agentops eval")
    from agentops.evaluate import (load_eval_file, print_by_tag, print_key_misses, print_miss_classes, print_report,
                                   run_eval)
    from agentops.spec import Workspace

    evalset = load_eval_file(file)
    items = evalset.items
    if split:
        items = [i for i in items if i.split == split]
    # A set written against a repository of its own (`repository:` in the file) runs there.
    workspace = Workspace.find(evalset.repository) if evalset.repository else Workspace.find()
    report = run_eval(items, workspace, model, verbose=verbose)
    print_report(report)
    if classes:
        print_miss_classes(report)
        print_by_tag(report)
        print_key_misses(report)


@app.command("resident")
def resident_cmd(
    action: str = typer.Argument("status", help="status | stop | start"),
) -> None:
    """The resident model process `agentops interpret` keeps loaded between commands
    (AGENTOPS_RESIDENT=0 turns it off): its status, or stop or start it."""
    from agentops import resident
    from agentops.errors import AgentOpsError

    if action == "status":
        state = resident.status()
        if state is None:
            print("no resident interpreter (the next `agentops interpret` starts one"
                  + ("" if resident.enabled() else "; off here: AGENTOPS_RESIDENT=0 or CI set") + ")")
        else:
            print(f"resident interpreter: pid {state.get('pid')}, {state.get('served')} commands "
                  f"served, up {state.get('up_seconds')} s, socket {resident.socket_path()}")
    elif action == "stop":
        print("stopped" if resident.stop() else "none was running")
    elif action == "start":
        if resident.status() is None:
            resident.start_background()
        print("starting (loads the model in the background)")
    else:
        raise AgentOpsError(f"unknown action {action!r}", hint="agentops resident status|stop|start")
