"""Commands: learn (outcomes from history into memory), history (past commands and what
became of them), suggest (completions of a partial command; no model)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from agentops.cli import app


@app.command()
def learn(
    as_json: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """Read what became of every proposal (merged, amended, reverted, rejected, open) and the
    hand edits from git history into the memory. Idempotent; safe to run concurrently."""
    from agentops.learn import learn as run_learn
    from agentops.spec import Workspace

    report = run_learn(Workspace.find().root)
    if as_json:
        print(json.dumps({"entries": report.entries, "changed": report.changed,
                          "rebuilt": report.rebuilt, "outcomes": report.counts,
                          "seconds": round(report.seconds, 3)}))
        return
    counts = ", ".join(f"{n} {o}" for o, n in sorted(report.counts.items())) or "nothing yet"
    print(f"learned {report.entries} entries ({report.changed} changed): {counts}"
          + (" [memory rebuilt from history]" if report.rebuilt else ""))


@app.command()
def history(
    outcome: Optional[str] = typer.Option(None, "--outcome", "-o", help="merged|amended|reverted|"
                                          "rejected|open|hand-edit|failed"),
    stack: Optional[str] = typer.Option(None, "--stack", "-s", help="only changes to this stack"),
    as_json: bool = typer.Option(False, "--json", help="print the entries as JSON"),
) -> None:
    """Past commands with their outcome, risk, branch or PR, who merged or reverted them, and
    the time from proposal to merge (learned from history first)."""
    from agentops.errors import AgentOpsError
    from agentops.learn import history_entries
    from agentops.memory import ALL_OUTCOMES
    from agentops.spec import Workspace, normalize_stack_name

    if outcome is not None and outcome not in ALL_OUTCOMES:
        raise AgentOpsError(f"unknown outcome {outcome!r}",
                            hint=f"one of: {', '.join(ALL_OUTCOMES)}")
    workspace = Workspace.find()
    rows = history_entries(workspace.root, outcome,
                           normalize_stack_name(stack) if stack else None)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        print("no past commands" + (" match" if outcome or stack else " yet"))
        return
    for row in rows:
        where = row["pr"] or row["branch"] or row["sha"][:7]
        who = f" by {row['decided_by']}" if row["decided_by"] else ""
        if row["approvers"]:
            who += f", approved by {', '.join(row['approvers'])}"
        took = f" after {row['time_to_merge']}" if row["time_to_merge"] else ""
        print(f"{row['proposed_at'][:16].replace('T', ' ')}  {row['outcome']:<9} "
              f"{row['risk'] or '-':<8} {row['command']}")
        detail = f"    {where}{who}{took}"
        if row["reason"]:
            detail += f": {row['reason']}"
        print(detail)
        if row["outcome"] == "amended" and row["correction"]:
            print(f"    proposed: {row['plan']}\n    merged:   {row['correction']}")


@app.command()
def suggest(
    text: list[str] = typer.Argument(None, help="the start of a command"),
    limit: int = typer.Option(10, "--limit", "-n"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Completions of a partial command from this repository's specs and merged commands
    (no model is loaded)."""
    from agentops.errors import AgentOpsError
    from agentops.suggest import Suggester, find_root

    root = find_root()
    if root is None:
        raise AgentOpsError("no stacks/ directory here or above",
                            hint="run it inside a repository made by `agentops init`")
    # Keep a trailing space: "scale api in " asks for the next word.
    raw = " ".join(text or [])
    found = Suggester(root)(raw, limit)
    if as_json:
        print(json.dumps([s.as_dict() for s in found], indent=2))
        return
    for s in found:
        print(f"{s.text}\t{s.source}\t{s.detail}")
