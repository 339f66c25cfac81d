"""Fixtures shared across test modules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def interpreter():
    """One interpreter (the real default model, loaded on first use) for the whole session:
    loading and the grammar index are paid once, as in `agentops serve`. Memory is off so that
    no test's outcome leaks into another's prompt."""
    from agentops.interpret import Interpreter

    return Interpreter(use_memory=False)
