"""Fixtures shared across test modules."""

from __future__ import annotations

import os

import pytest

# No resident model process is started by the CLI commands tests run (tests/test_resident.py
# starts its own, in a directory of its own).
os.environ["AGENTOPS_RESIDENT"] = "0"


@pytest.fixture(scope="session")
def interpreter():
    """One interpreter (the real default model, loaded on first use) for the whole session:
    loading and the grammar index are paid once, as in `agentops serve`. Memory is off so that
    no test's outcome leaks into another's prompt."""
    from agentops.interpret import Interpreter

    return Interpreter(use_memory=False)


class ScriptedPlanWriter:
    """A plan writer that answers with given plan lines instead of the model: plugged in
    through Interpreter(writer=...), the public seam, so that the checks and the guard around
    the model are tested without it. `lines` maps a command to its plan line; `default`
    answers any other command."""

    embedder = None

    def __init__(self, lines: dict[str, str] | None = None, default: str = "none"):
        self.lines = dict(lines or {})
        self.default = default
        self.calls: list[str] = []

    def write(self, text, specs, workspace, model_setting):
        from agentops.interpret import WrittenPlan

        self.calls.append(text)
        return WrittenPlan(self.lines.get(text, self.default))


@pytest.fixture
def scripted():
    """An Interpreter whose plan writer is scripted: scripted(line) or scripted({cmd: line})."""
    from agentops.interpret import Interpreter

    def make(lines: str | dict[str, str]) -> Interpreter:
        writer = ScriptedPlanWriter(default=lines) if isinstance(lines, str) else ScriptedPlanWriter(lines)
        return Interpreter(writer=writer)

    return make
