"""Command -> ActionPlan, by the local model under a grammar.

The model writes only the typed actions (agentops.planline), prompted with the repository's
stacks and resource names and with few-shot examples chosen for this command. Deterministic
code then guards what it wrote against the command and the specs: values the command never
mentioned are dropped, names must exist, a delete needs a delete verb, and the sentences and
the risk are composed from the typed actions.

    from agentops.interpret import Interpreter
    plan = Interpreter().interpret("add a third replica to checkout-api", workspace)

The modules, in the order a command meets them:

- facts: what the command says, read without the model (CommandFacts, check_command)
- named_kinds: kinds asked for by name that the repository lacks, refused before the model
- writer: the PlanWriter seam and the local model behind it (ModelPlanWriter), its prompt
- guard: the written plan held to the command and the specs, by the readings of
  targets, values, relative and whole_plan (over what lookup finds in the specs)
- interpreter: all of it in order (Interpreter)

Everything else in the package is its own business: names with a leading underscore may change.
"""

from agentops.interpret.facts import CommandFacts, check_command
from agentops.interpret.guard import TARGETED, compose, describe, fit_to_kind, guard, matching_resources
from agentops.interpret.interpreter import Interpretation, Interpreter, apply_naming_conventions, read_against_command
from agentops.interpret.named_kinds import hold_to_named_kinds
from agentops.interpret.relative import resolve_relative
from agentops.interpret.writer import (
    N_MEMORIES,
    SHOTS_BYTES,
    Listing,
    ModelPlanWriter,
    PlanWriter,
    WrittenPlan,
    build_prompt,
    listing,
    prompt_prefix,
)
from agentops.textnorm import MAX_COMMAND_CHARS, normalize_command

__all__ = [
    "MAX_COMMAND_CHARS",
    "N_MEMORIES",
    "SHOTS_BYTES",
    "TARGETED",
    "CommandFacts",
    "Interpretation",
    "Interpreter",
    "Listing",
    "ModelPlanWriter",
    "PlanWriter",
    "WrittenPlan",
    "apply_naming_conventions",
    "build_prompt",
    "check_command",
    "compose",
    "describe",
    "fit_to_kind",
    "guard",
    "hold_to_named_kinds",
    "listing",
    "matching_resources",
    "normalize_command",
    "prompt_prefix",
    "read_against_command",
    "resolve_relative",
]
