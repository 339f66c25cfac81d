"""Command: init (scaffold a GitOps repository)."""

from __future__ import annotations

from pathlib import Path

import typer

from agentops.cli import app


@app.command()
def init(
    directory: Path = typer.Argument(..., help="where to create the repository"),
    force: bool = typer.Option(False, "--force", "--add", help="add to a non-empty directory "
                               "or an existing repository (existing files are kept)"),
    owners: str = typer.Option("@your-org/platform", "--owners", help="CODEOWNERS reviewers"),
    package: str = typer.Option("agentops", "--package", help="the pip requirement CI installs "
                                "agentops from (written to requirements.txt)"),
) -> None:
    """Scaffold a GitOps repository: stacks/, policies/, .github/workflows, CODEOWNERS, config."""
    from agentops.scaffold import init as run_init

    result = run_init(directory, force=force, owners=owners, package=package)
    print(f"initialised {result.root} ({len(result.written)} files, commit {result.commit[:12] or 'none'})")
    for rel in result.skipped:
        print(f"  kept existing {rel}")
    for note in result.notes:
        print(f"note: {note}")
    print(f'next: cd {result.root} && agentops propose "scale api in dev to 3 replicas"')
