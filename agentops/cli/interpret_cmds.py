"""Commands: (to be written)."""

from agentops.cli import app  # noqa: F401
