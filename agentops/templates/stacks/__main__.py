"""Pulumi entry point: the stack's spec is stacks/<pulumi stack>.yaml, rendered by agentops."""

from pathlib import Path

from agentops.program import main

main(str(Path(__file__).parent))
