"""A Plan for people (text, coloured by rich), for a PR (markdown) or for programs (json).

Markdown goes into PR bodies and comments, which GitHub refuses over 65,536 characters: the
summary always stays, and stack details are trimmed from the end, with a note saying so.
Secret inputs are already redacted in the graphs a plan is built from; plaintext values that
look like secrets (agentops.secrets) are redacted here, in every format.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

from agentops.diff import Change
from agentops.plan import Plan, StackPlan

Format = Literal["text", "markdown", "json"]
MARKDOWN_LIMIT = 65_536
_SYMBOL = {"create": "+", "update": "~", "replace": "+-", "delete": "-"}
_COLOUR = {"create": "green", "update": "yellow", "replace": "magenta", "delete": "red"}
_VALUE_WIDTH = 120


def render(plan: Plan, fmt: Format = "text", color: bool = False,
           limit: int = MARKDOWN_LIMIT) -> str:
    from agentops.secrets import redact_model

    plan = redact_model(plan)  # plaintext secrets in specs never reach a plan or a PR comment
    if fmt == "json":
        return plan.model_dump_json(indent=2)
    if fmt == "markdown":
        return render_markdown(plan, limit)
    return render_text(plan, color)


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _summary_line(stack: StackPlan) -> str:
    if stack.status == "unchanged":
        return "no changes (spec unchanged)"
    c = stack.counts
    parts = [f"{c[k]} to {k}" for k in ("create", "update", "replace", "delete") if c[k]]
    text = ", ".join(parts) or "no resource changes"
    if stack.status in ("added", "removed"):
        text = f"stack {stack.status}: {text}"
    return text


def _cost_line(stack: StackPlan) -> str | None:
    if stack.cost is None:
        return None
    cost = stack.cost
    line = (f"cost: ${cost.before_usd:,.2f} -> ${cost.after_usd:,.2f}/month "
            f"({cost.delta_usd:+,.2f}; prices as of {cost.prices_as_of})")
    if cost.unpriced:
        line += f"; not priced: {', '.join(cost.unpriced)}"
    return line


def _change_head(change: Change) -> str:
    where = f" [{change.spec_ref}]" if change.spec_ref else ""
    return f"{_SYMBOL[change.kind]} {change.kind} {change.type} {change.name}{where}"


def _change_fields(change: Change) -> list[str]:
    lines = [f"{f.path}: {_value(f.old)} -> {_value(f.new)}" for f in change.fields]
    if change.replace_reason:
        lines.append(f"replace (estimated): {change.replace_reason}")
    return lines


# ---------------------------------------------------------------------------------------------
# text


def render_text(plan: Plan, color: bool = False) -> str:
    from rich.console import Console
    from rich.markup import escape

    out = io.StringIO()
    console = Console(file=out, force_terminal=color, no_color=not color, width=120,
                      highlight=False, soft_wrap=True)
    console.print(f"[bold]{escape(plan.note)}[/]")
    console.print(f"base: {escape(plan.base.label)}")
    for stack in plan.stacks:
        console.print()
        console.print(f"[bold]stack {escape(stack.stack)}[/]: {escape(_summary_line(stack))}")
        for change in stack.changes:
            console.print(f"  [{_COLOUR[change.kind]}]{escape(_change_head(change))}[/]")
            for line in _change_fields(change):
                console.print(f"      {escape(line)}")
        for verdict in stack.verdicts:
            colour = "red" if verdict.blocking else "yellow"
            target = f" ({verdict.resource})" if verdict.resource else ""
            console.print(f"  [{colour}]policy {verdict.enforcement} {escape(verdict.policy)}"
                          f"{escape(target)}: {escape(verdict.message)}[/]")
        cost = _cost_line(stack)
        if cost:
            console.print(f"  {escape(cost)}")
        for note in stack.notes:
            console.print(f"  [dim]note: {escape(note)}[/]")
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# markdown


def _md_summary(plan: Plan) -> list[str]:
    lines = ["## agentops plan", "", f"> {plan.note}", "", f"Base: {plan.base.label}", "",
             "| stack | change | policies | cost / month |", "|---|---|---|---|"]
    for stack in plan.stacks:
        blocking = sum(1 for v in stack.verdicts if v.blocking)
        policies = (f"{blocking} blocking, {len(stack.verdicts) - blocking} advisory"
                    if stack.verdicts else "-")
        cost = f"{stack.cost.delta_usd:+,.2f} USD" if stack.cost else "-"
        lines.append(f"| {stack.stack} | {_summary_line(stack)} | {policies} | {cost} |")
    return lines


def _md_details(stack: StackPlan) -> list[str]:
    lines = ["", "<details>", f"<summary><b>{stack.stack}</b>: {_summary_line(stack)}</summary>",
             "", "```diff"]
    for change in stack.changes:
        lines.append(_change_head(change))
        lines.extend(f"    {line}" for line in _change_fields(change))
    lines.append("```")
    if stack.verdicts:
        lines += ["", "| policy | enforcement | resource | message |", "|---|---|---|---|"]
        lines += [f"| {v.policy} | {v.enforcement} | {v.resource or '-'} | "
                  f"{v.message.replace('|', '/')} |" for v in stack.verdicts]
    cost = _cost_line(stack)
    if cost:
        lines += ["", cost]
    lines += [f"", *[f"_note: {n}_" for n in stack.notes]] if stack.notes else []
    lines += ["", "</details>"]
    return lines


def render_markdown(plan: Plan, limit: int = MARKDOWN_LIMIT) -> str:
    """Summary first, one <details> per changed stack; never longer than `limit`."""
    head = "\n".join(_md_summary(plan)) + "\n"
    detail_lines: list[str] = []
    for stack in plan.stacks:
        if stack.changes or stack.verdicts:
            detail_lines += _md_details(stack)
    full = head + "\n".join(detail_lines) + "\n"
    if len(full) <= limit:
        return full
    note = ("\n\n_The details above were trimmed to fit GitHub's 65,536-character limit; run "
            "`agentops plan --format text` for the whole plan._\n")
    budget = limit - len(head) - len(note) - len("```\n</details>\n")
    kept, used = [], 0
    for line in detail_lines:
        if used + len(line) + 1 > budget:
            break
        kept.append(line)
        used += len(line) + 1
    # Close whatever the cut left open, so the page still renders.
    closing = []
    if sum(1 for line in kept if line.startswith("```")) % 2:
        closing.append("```")
    if kept.count("<details>") > kept.count("</details>"):
        closing.append("</details>")
    body = head + "\n".join(kept + closing) + note
    return body[:limit]
