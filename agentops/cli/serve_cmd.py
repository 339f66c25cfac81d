"""`agentops serve`: the HTTP API (agentops.server)."""

from __future__ import annotations

from pathlib import Path

import typer

from agentops.cli import app


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to bind; non-loopback needs AGENTOPS_API_TOKEN"),
    port: int = typer.Option(8765, help="TCP port"),
    repo: Path = typer.Option(Path("."), help="the GitOps repository to serve"),
    model: str | None = typer.Option(None, "--model", help="GGUF file (default: Gemma 3 270M)"),
    tokens: Path | None = typer.Option(
        None, "--tokens", help="token file: one `USER TOKEN` per line (or AGENTOPS_API_TOKENS_FILE)"),
    queue_depth: int = typer.Option(8, help="requests that may wait for the model; beyond: 429"),
) -> None:
    """Serve the agent API (/api/v3/ai: interpret, execute, execute-stream, suggestions,
    history, stacks) over HTTP (FastAPI); executing is proposing, nothing is applied."""
    from agentops.extras import require

    require("model", "agentops serve")
    from agentops.server import serve as run

    run(repo, host, port, model_path=model, tokens_file=tokens, queue_depth=max(0, queue_depth))
