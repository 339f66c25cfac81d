from agentops.cli import run

run()
