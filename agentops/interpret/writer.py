"""Who writes the plan line: the PlanWriter seam and the writer agentops ships, the local GGUF
model under the plan-line grammar (ModelPlanWriter), with its prompt (the repository's stacks
and names, then few-shot examples chosen for the command, curated and remembered).

A writer's output is never trusted; agentops.interpret.guard reads it against the command.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from agentops.spec import StackSpec, Workspace

N_MEMORIES = 2
# what the examples (curated and remembered) and the command usually add to the prompt's
# listing, for sizing the model's context before they are chosen (a longer prompt reloads it)
SHOTS_BYTES = 2000


def _start_loading(model, n_ctx: int) -> None:
    """Load the model file in a thread: llama.cpp reads it with the GIL released, so the
    Python imports that follow (outlines, lancedb) overlap it. An error is raised again, in
    the caller's thread, by the next load_llama."""
    import threading

    from agentops.model import load_llama

    def load() -> None:
        try:
            load_llama(model, n_ctx=n_ctx)
        except Exception:  # noqa: BLE001 - reported by the caller's own load_llama
            pass

    threading.Thread(target=load, name="agentops-model-load", daemon=True).start()


@dataclass
class WrittenPlan:
    """What a plan writer produced for one command: the plan line, before any guard."""

    text: str
    tokens: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)
    # the unfinished end of a plan line cut off at the token limit, left out ("" if none)
    cut: str = ""


class PlanWriter:
    """Writes the plan line (agentops.planline) for a command.

    The local model is the implementation agentops ships (ModelPlanWriter); the seam exists so
    that everything around the model (the guard, composition, risk, proposals) runs the same
    way with any writer, e.g. a scripted one in tests. A writer's output is never trusted:
    it is parsed against the typed Action models and guarded against the command and specs.
    """

    #: the sentence embedder the writer uses, when it has one (memory reuses it)
    embedder = None

    def write(self, text: str, specs: dict[str, StackSpec], workspace: Workspace,
              model_setting: str | None) -> WrittenPlan:
        raise NotImplementedError


class ModelPlanWriter(PlanWriter):
    """The local GGUF model under the plan-line grammar, prompted with the repository's stacks
    and names and with few-shot examples (curated and from memory) chosen for the command.
    Cheap to construct; the model, grammar index and example index load on first use."""

    def __init__(self, model_path: str | None = None, use_memory: bool = True):
        self.model_path = model_path
        self.use_memory = use_memory
        self._model = None
        self._generators: dict[str, object] = {}
        self._examples = None

    @property
    def embedder(self):
        """The sentence embedder in use (None before the first command)."""
        return self._examples.embedder if self._examples is not None else None

    def write(self, text: str, specs: dict[str, StackSpec], workspace: Workspace,
              model_setting: str | None) -> WrittenPlan:
        model = self._resolve(model_setting)

        from agentops.generate import ConstrainedGenerator
        from agentops.model import context_for
        from agentops.planline import MAX_TOKENS, grammar

        regex = grammar(list(specs), workspace.kinds)
        resources = listing(specs)
        prefix = prompt_prefix(resources)
        # the examples and the command are not chosen yet: room for them, counted generously
        n_ctx = context_for(len(prefix.encode("utf-8")) + SHOTS_BYTES, MAX_TOKENS)
        if not self._generators:
            _start_loading(model, n_ctx)
            self._example_index().table  # lancedb's import and the table, meanwhile
        if regex not in self._generators:
            self._generators[regex] = ConstrainedGenerator(model, regex, n_ctx)
        generator = self._generators[regex]
        shots = self._shots(text, workspace)
        prompt = build_prompt(resources, shots, text)
        result = generator(prompt, max_tokens=MAX_TOKENS, prefix=prefix)
        return WrittenPlan(result.text, result.tokens, result.seconds, [c for c, _ in shots], result.cut)

    def _resolve(self, configured: str | None):
        if self._model is None:
            from agentops.model import resolve_model

            self._model = resolve_model(self.model_path, configured)
        return self._model

    def _example_index(self):
        from agentops.examples import ExampleIndex

        if self._examples is None:
            self._examples = ExampleIndex(self._model)
        return self._examples

    def _shots(self, text: str, workspace: Workspace) -> list[tuple[str, str]]:
        from agentops.adapter import ADAPTER_SHOTS, PLAIN_SHOTS

        n_examples = ADAPTER_SHOTS if self._model.adapter else PLAIN_SHOTS
        vector = self._example_index().embedder(text)
        shots = [(e.command, e.plan) for e in self._examples.similar(vector, n_examples, text)]
        if self.use_memory:
            from agentops.memory import Memory

            try:
                memory = Memory(workspace.root, self._examples.embedder)
                memory.embed_candidates()  # learned from history, not yet embedded
                # merged and reviewer-corrected commands only, corrections first
                past = memory.examples_for(text, N_MEMORIES, vector=vector)
            except Exception as exc:  # noqa: BLE001 - memory improves answers; it is not needed for one
                print(f"warning: memory of past commands is unreadable, not used: {exc}", file=sys.stderr)
                past = []
            # First in the list = last in the prompt, nearest the command (build_prompt): the
            # repository's own corrections outrank the curated examples.
            shots = [(e.command, e.plan) for e in past] + shots
        return shots


Listing = dict[str, list[tuple[str, str]]]  # stack -> [(resource name, what it is)]


def listing(specs: dict[str, StackSpec]) -> Listing:
    """What the prompt says exists: each stack's resource names with a one-word kind (its
    kind's noun_of: a storage entry says bucket or volume)."""
    return {stack: [(name, spec.kinds()[section].noun_of(res))
                    for section, name, res in spec.resources()]
            for stack, spec in specs.items()}


def prompt_prefix(resources: Listing) -> str:
    """The part of every prompt that does not depend on the command."""
    return build_prompt(resources, [], "").rsplit("Command: ", 1)[0]


def build_prompt(resources: Listing, shots: list[tuple[str, str]], command: str) -> str:
    """The prompt, the same in training (training/train_lora.py) and here."""
    # Fixed part first (stacks and names), so llama.cpp reuses its KV cache across commands.
    lines = [
        "Translate infrastructure commands into plans. Stacks: " + ", ".join(resources) + ".",
        "A plan is: type resource name= stack= parameters; several actions joined by ' ; ';",
        "'none' when the command is not about this infrastructure.",
        "Existing resources:",
    ]
    for stack, names in resources.items():
        lines.append(f"{stack}: " + " ".join(f"{n}({kind})" for n, kind in names))
    lines.append("")
    # Most similar example last: nearest to the command it should inform.
    for shot_command, plan_line in reversed(shots):
        lines += [f"Command: {shot_command}", f"Plan: {plan_line}", ""]
    lines += [f"Command: {command}", "Plan:"]
    return "\n".join(lines)
