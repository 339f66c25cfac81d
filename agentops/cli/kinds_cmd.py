"""Command: `agentops kinds` (the registry of resource kinds, as text, markdown or JSON)."""

from __future__ import annotations

import json
from enum import Enum

import typer

from agentops.cli import app


class KindsFormat(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


def describe_kinds(registry) -> list[dict]:
    """One record per kind: what `agentops kinds` prints and the README's table shows."""
    out = []
    for kind in registry:
        out.append({
            "kind": kind.name,
            "section": kind.section,
            "resource": kind.resource_type.value,
            "words": sorted({kind.noun, *kind.kind_values, *kind.words} - {""}),
            "actions": list(kind.actions),
            "parameters": {a: dict(kind.fields_for(a)) for a in kind.actions if kind.fields_for(a)},
            "cost": kind.cost_coverage or ("priced" if kind.priced else "unpriced"),
            "alarm_metrics": list(kind.alarm_metrics),
            # the unit an alarm's threshold is written in, where the metric has one (a Lambda's
            # latency is its Duration, in ms; a queue's the age of its oldest message, in s)
            "alarm_units": {m: u for m, u in kind.metric_units.items() if m in kind.alarm_metrics},
            "rules": list(dict.fromkeys([*kind.rules, *(p.name for p in kind.policies())])),
            "interpreted": kind.interpreted,
            "source": "repository" if registry.root and kind.source_file and
                      not kind.source_file.startswith(_package_dir()) else "agentops",
            "description": kind.description,
        })
    return out


def _package_dir() -> str:
    from pathlib import Path

    import agentops

    return str(Path(agentops.__file__).resolve().parent)


def markdown_table(records: list[dict]) -> str:
    """The README's table of kinds (generated: `agentops kinds --format markdown`)."""
    lines = ["| kind | section | resource | words | commands | actions | parameters | cost | rules |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in records:
        params = sorted({k for fields in r["parameters"].values() for k in fields})
        lines.append(
            f"| {r['kind']} | `{r['section']}` | {r['resource']} | {', '.join(r['words'])} | "
            f"{'yes' if r['interpreted'] else 'spec only'} | {', '.join(r['actions'])} | {', '.join(params) or '-'} | {r['cost']} | "
            f"{', '.join(r['rules']) or '-'} |"
        )
    return "\n".join(lines) + "\n"


def _with_unit(metric: str, units: dict) -> str:
    """"latency (ms)": a metric with the unit its threshold is in."""
    return f"{metric} ({units[metric]})" if metric in units else metric


def _text(records: list[dict]) -> str:
    out = []
    for r in records:
        out.append(f"{r['kind']} ({r['section']}: {r['resource']}, {r['source']})"
                   + (f" - {r['description']}" if r["description"] else ""))
        out.append(f"  words:      {', '.join(r['words'])}")
        out.append(f"  commands:   {'yes' if r['interpreted'] else 'not yet: write it in the spec'}")
        out.append(f"  actions:    {', '.join(r['actions'])}")
        for action, fields in r["parameters"].items():
            out.append(f"  {action + ':':<11} " + ", ".join(f"{k} -> {v}" for k, v in fields.items()))
        out.append(f"  cost:       {r['cost']}")
        out.append(f"  alarms:     {', '.join(_with_unit(m, r['alarm_units']) for m in r['alarm_metrics']) or '-'}")
        out.append(f"  rules:      {', '.join(r['rules']) or '-'}")
    return "\n".join(out) + "\n"


@app.command()
def kinds(
    fmt: KindsFormat = typer.Option(KindsFormat.text, "--format", help="text, markdown or json"),
) -> None:
    """The resource kinds agentops knows here (built-in, installed and the repository's own)."""
    from agentops import kinds as registry_module
    from agentops.errors import SpecError
    from agentops.spec import Workspace

    try:
        registry = Workspace.find().kinds
    except SpecError:  # outside a repository: the installed kinds
        registry = registry_module.installed()
    records = describe_kinds(registry)
    if fmt == KindsFormat.json:
        print(json.dumps(records, indent=2))
    elif fmt == KindsFormat.markdown:
        print(markdown_table(records), end="")
    else:
        print(_text(records), end="")
