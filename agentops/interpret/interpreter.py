"""Command -> guarded ActionPlan: the checks before the writer, the writer, the guard after it,
the naming conventions reviewers taught, the plan's sentences and its risk.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

from agentops.actionplan import Action, ActionPlan, ActionType, Parameters
from agentops.config import load_config
from agentops.errors import InterpretError
from agentops.interpret.clauses import does_something
from agentops.interpret.facts import CommandFacts, check_command
from agentops.interpret.guard import compose, guard
from agentops.interpret.lookup import _kind_of
from agentops.interpret.named_kinds import (_refuse_unknown_kinds, as_the_kind_for_it, as_the_kind_named,
                                            creates_said_and_not_written, hold_to_named_kinds,
                                            without_unasked_creates)
from agentops.interpret.whole_plan import without_empty_changes
from agentops.interpret.writer import ModelPlanWriter, PlanWriter
from agentops.spec import Workspace


@dataclass
class Interpretation:
    plan: ActionPlan
    raw: str
    examples: list[str] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0


class Interpreter:
    """Command -> guarded ActionPlan. `writer` writes the plan line (default: the local model,
    ModelPlanWriter); the checks before it and the guard after it are the same for any writer."""

    def __init__(self, model_path: str | None = None, use_memory: bool = True,
                 writer: PlanWriter | None = None):
        self.writer = writer or ModelPlanWriter(model_path, use_memory)
        self.use_memory = use_memory

    @property
    def embedder(self):
        """The writer's sentence embedder (None before the first command, or without one)."""
        return self.writer.embedder

    def interpret(self, command: str, workspace: Workspace, stack: str | None = None) -> ActionPlan:
        return self.run(command, workspace, stack).plan

    def run(self, command: str, workspace: Workspace, stack: str | None = None) -> Interpretation:
        text = check_command(command)
        if self.use_memory:
            from agentops.learn import refresh

            refresh(workspace.root)  # outcomes of earlier proposals (cheap when nothing moved)
        config = load_config(workspace.root)
        default_stack = workspace.resolve_stack(stack) if stack else None
        specs = workspace.load_all()
        # A kind the repository does not have is refused by name before the model runs.
        _refuse_unknown_kinds(text, workspace, specs)
        names = {n for spec in specs.values() for n in spec.names()}
        facts = CommandFacts.of(text, list(specs), names)
        written = self.writer.write(text, specs, workspace, config.model)

        from agentops.planline import parse

        try:
            actions = parse(written.text, workspace.kinds)
        except ValueError as exc:  # the grammar should make this impossible
            raise InterpretError(f"the model's plan is not valid: {exc}: {written.text!r}") from None
        warnings: list[str] = []
        actions, unread = self._with_left_out_clauses(actions, facts, names, specs, workspace, config.model,
                                                      warnings)
        actions = without_ticket_keys(actions, text, names, warnings)
        if written.cut:
            warnings.append(f"the model ran on past its token limit; its unfinished end was left out: "
                            f"{written.cut[:60]!r}")
        actions = read_against_command(actions, facts, specs, workspace.kinds, default_stack, warnings,
                                       _name_prefixes(workspace) if self.use_memory else ())
        # (said only where the guard's reading of the words did not supply it either: "push-alerts
        # retention in dev: 2 hours" is read as retention_seconds=7200 from the whole command)
        warnings.extend(f"the command says {name} ({clause!r}) and the plan does nothing to it: check that "
                        f"nothing asked was left out" for name, clause in unread
                        if not any(a.name == name and does_something(a) for a in actions))
        if self.use_memory:
            actions = apply_naming_conventions(actions, facts, _conventions(workspace), warnings)
        plan = compose(text, actions, specs, warnings)
        if self.use_memory:
            plan.warnings.extend(_cautions(plan, workspace))
        from agentops.risk import apply_risk

        return Interpretation(apply_risk(plan, config), written.text.strip(),
                              written.examples, written.tokens, written.seconds)

    def _with_left_out_clauses(self, actions: list[Action], facts: CommandFacts, names: set[str], specs,
                               workspace: Workspace, model_setting: str | None,
                               warnings: list[str]) -> tuple[list[Action], list[tuple[str, str]]]:
        """(the written actions, with those of a second look at each clause that names an
        existing resource no written action touches (agentops.interpret.clauses): the clause
        written again on its own, and its actions on that name kept; the (name, clause) whose
        reading added nothing, for a warning when the finished plan does nothing to it either,
        so that review looks for what is missing)."""
        from agentops.interpret.clauses import (as_a_command, joined, kept_of_clause, key_words, left_out,
                                                names_in_play, without_what_a_clause_said)
        from agentops.planline import parse

        text = facts.text
        missing = left_out(actions, text, names_in_play(actions, facts.stacks, specs), key_words(workspace.kinds))
        if not missing:
            return actions, []
        added: list = []  # (LeftOut, Action)
        unread: list[tuple[str, str]] = []
        read: dict[str, list[Action]] = {}  # a clause naming two left-out names is read once
        for item in missing:
            # (the clause's stacks read as the command's are: aliases, slips, stacks in names)
            command = as_a_command(item.clause, facts.stacks, CommandFacts.of(item.clause, list(specs), names).stacks)
            if command not in read:
                try:
                    read[command] = parse(self.writer.write(command, specs, workspace, model_setting).text,
                                          workspace.kinds)
                except (ValueError, InterpretError):
                    read[command] = []
            more = kept_of_clause(read[command], item.name)
            if more:
                warnings.append(f"{item.name}: read again on its own ({item.clause!r}); the first reading "
                                f"of the command left it out")
                added += [(item, a) for a in more]
            else:
                unread.append((item.name, item.clause))
        actions = without_what_a_clause_said(actions, added, text, warnings)
        return joined(actions, [(item.at, a) for item, a in added], text), unread


# a ticket's key as people paste it ("ELECTION-12:", "PLAT-3310", "INC-4471"), upper case as written
_TICKET_KEY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]+-\d+)(?![\w-])")


def without_ticket_keys(actions: list[Action], text: str, names: set[str], warnings: list[str]) -> list[Action]:
    """Actions the writer wrote on a ticket's key ("ELECTION-12: liveblog-api prod needs a cpu
    alert at 70" written as an alarm on election-12), where nothing has that name: left out
    beside an action that stands. Alone, the guard refuses it as not there."""
    keys = {k.lower() for k in _TICKET_KEY.findall(text)}
    if not keys:
        return actions
    kept = [a for a in actions if not (a.name and a.name.lower() in keys and a.name not in names)]
    if not kept or len(kept) == len(actions):
        return actions
    warnings.extend(f"left out the {a.type.value} of {a.name!r}: it is the command's ticket, not a resource"
                    for a in actions if a not in kept)
    return kept


def read_against_command(actions: list[Action], facts: CommandFacts, specs, registry,
                         default_stack: str | None, warnings: list[str], name_prefixes=()) -> list[Action]:
    """The writer's actions read against the command and the specs: the kind the command names
    (or the kind for the resource written: a budget's number written on its deployment), the
    guard, kinds held to the ones named (raises InterpretError), then creates nobody asked for
    left out. The one sequence every caller uses (Interpreter.run, bench_guard.py)."""
    text = facts.text
    names = [n for spec in specs.values() for n in spec.names()]
    # the kind the command names, where the model wrote another that takes the same values
    # (read before the guard: its readings of memory, timeouts, ... are the kind's)
    actions = as_the_kind_named(actions, text, registry, names, warnings)
    actions = as_the_kind_for_it(actions, text, specs, registry, names, warnings)
    actions = creates_said_and_not_written(actions, text, specs, registry, names, warnings)
    written = actions
    actions = guard(actions, facts, specs, default_stack, warnings, name_prefixes, registry)
    # a change written with nothing to set, still empty: left out of a plan of several
    actions = without_empty_changes(written, actions, specs, warnings, registry)
    # held first: a create of a kind the command never names is the sign of a plan gone
    # astray, refused there, unless every kind named is in the plan; only then is it left out
    hold_to_named_kinds(actions, text, registry, names)
    actions = without_unasked_creates(actions, text, registry, names, warnings)
    actions = _suspend_as_said(actions, text, specs, registry, warnings)
    _refuse_what_its_kind_cannot_do(actions, specs, registry)
    return actions


# "resume the court records scraper", "pause the election scraper": a kind that has no restart
# but a suspend switch (a cron job) is switched
_RESUME = re.compile(r"\b(?:resume|resumed|unpause|un-pause|unsuspend|un-suspend|re-?enable|turn\s+(?:it\s+)?back\s+on)\b")
_PAUSE = re.compile(r"\b(?:pause|suspend|disable|switch\s+off|turn\s+off|stop)\b")


def _suspend_as_said(actions: list[Action], text: str, specs, registry, warnings: list[str]) -> list[Action]:
    """A restart written for "resume X" or "pause X" on a kind that takes no restart but has a
    suspend switch (a cron job): the switch, as the command says it. Only where the command says
    one of the two, not both."""
    lowered = text.lower()
    resume, pause = bool(_RESUME.search(lowered)), bool(_PAUSE.search(lowered))
    if resume == pause:
        return actions
    out = []
    for action in actions:
        found = _kind_of(action, specs, registry) if action.type == ActionType.restart and action.name else None
        if found is not None and not found[0].supports(ActionType.restart) and "suspend" in found[0].fields_for("update"):
            warnings.append(f"{'resumed' if resume else 'suspended'} {action.name!r}: a {found[0].noun} is not "
                            f"restarted, it is switched on or off")
            action = action.model_copy(update={"type": ActionType.update,
                                               "parameters": Parameters.model_validate({"suspend": not resume})})
        out.append(action)
    return out


def _refuse_what_its_kind_cannot_do(actions: list[Action], specs, registry) -> None:
    """InterpretError for an action on an existing resource whose kind does not take it
    ("restart fares-db": a database has no restart), named with what the kind takes: refused
    here, not at the edit, so that no plan is shown that cannot be applied."""
    for action in actions:
        if action.type in (ActionType.create, ActionType.show) or not action.name:
            continue
        found = _kind_of(action, specs, registry)
        if action.type == ActionType.monitor:
            # an alarm on what exists, of a kind that cannot be watched ("monitor the data-desk
            # namespace", "an alarm on the stripe-api-key secret"): refused here, as the edit would
            if found is not None and found[1] is not None and not found[0].supports(ActionType.monitor):
                raise InterpretError(
                    f"cannot monitor {action.name!r}: a {found[0].noun} has no metric to alarm on",
                    hint="alarms watch what reports a metric (`agentops kinds` lists each kind's metrics)")
            continue
        if found is not None and not found[0].supports(action.type):
            kind = found[0]
            raise InterpretError(
                f"cannot {action.type.value} {action.name!r}: a {kind.noun} takes "
                f"{', '.join(a for a in kind.actions)}, not {action.type.value}",
                hint=f"say what to change of {action.name!r} (`agentops kinds` lists what each kind takes)")


def apply_naming_conventions(actions: list[Action], facts: CommandFacts, conventions,
                             warnings: list[str]) -> list[Action]:
    """A new resource gets the name prefix reviewers kept adding to its type (learned from
    their corrections, Memory.naming_conventions), unless the command spells the name out
    with it. Said in a warning, with the evidence; only for creates (nothing existing is
    ever renamed or targeted by a convention)."""
    out = []
    for action in actions:
        conv = next((c for c in conventions if c.resource == action.resource.value), None)
        if (conv and action.type == ActionType.create and action.name
                and not action.name.startswith(conv.prefix)):
            name = conv.prefix + action.name
            warnings.append(
                f"named {name}, not {action.name}: reviewers added the prefix {conv.prefix!r} to "
                f"new {action.resource.value} names in {len(conv.evidence)} merged changes "
                f"(last: {conv.evidence[-1][:7]}); change it in review if this one should differ")
            action = action.model_copy(update={"name": name})
        out.append(action)
    return out


def _conventions(workspace: Workspace):
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).naming_conventions()
    except Exception as exc:  # noqa: BLE001 - conventions help; they are not needed
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []


def _name_prefixes(workspace: Workspace) -> list[str]:
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).name_prefixes()
    except Exception as exc:  # noqa: BLE001 - conventions help; they are not needed
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []


def _cautions(plan: ActionPlan, workspace: Workspace) -> list[str]:
    """"a similar change was reverted on DATE in SHA: reason" for a plan close to a change
    that history says was reverted or rejected."""
    from agentops.memory import Memory

    try:
        return Memory(workspace.root).cautions(plan)
    except Exception as exc:  # noqa: BLE001 - a warning source, never a failure
        print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
        return []
