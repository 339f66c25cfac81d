"""The `agentops` command line.

One Typer app; each stage of the flow registers its commands from its own module below, so a
command's code sits next to nothing but its own options and output. Heavy libraries (Pulumi,
llama.cpp, outlines, LanceDB) are imported inside the commands, never here: `agentops --help`
stays instant.
"""

from __future__ import annotations

import sys

from agentops.errors import AgentOpsError

_app = None


def __getattr__(name: str):
    # `app` is built on first use: importing Typer (and the pydantic it pulls in) is most of
    # the time of `agentops suggest`, which does without it (see run()).
    global _app
    if name == "app":
        if _app is None:
            import typer

            _app = typer.Typer(
                name="agentops",
                help="Plain-language commands in, reviewed Pulumi changes out.",
                no_args_is_help=True,
                add_completion=False,
                pretty_exceptions_enable=False,
                rich_markup_mode=None,
            )

            @_app.callback()
            def _options(
                version: bool = typer.Option(False, "--version", help="print agentops' version and exit",
                                             callback=_show_version, is_eager=True),
            ) -> None:
                """Plain-language commands in, reviewed Pulumi changes out."""
        return _app
    raise AttributeError(name)


def _show_version(value: bool) -> None:
    if value:
        import typer

        from agentops import __version__

        print(f"agentops {__version__}")
        raise typer.Exit()


def fail(error: AgentOpsError) -> None:
    """Print a user error (what is wrong, what to do) on stderr and exit non-zero."""
    from rich.console import Console
    from rich.markup import escape

    # The message and hint are plain text: brackets in them ("agentops[model]", a list) are
    # not markup.
    console = Console(stderr=True, highlight=False)
    console.print(f"[bold red]error:[/] {escape(error.message)}", markup=True, soft_wrap=True)
    if error.hint:
        console.print(f"[yellow]hint:[/] {escape(error.hint)}", markup=True, soft_wrap=True)
    raise SystemExit(error.exit_code)


def _register_commands() -> None:
    # Imported for their @app.command() side effect.
    from agentops.cli import (  # noqa: F401
        gitops_cmds,
        init_cmd,
        interpret_cmds,
        kinds_cmd,
        learn_cmds,
        plan_cmd,
        policy_cmds,
        serve_cmd,
    )


def main(argv: list[str] | None = None) -> None:
    from agentops.interrupts import Terminated, installed

    _register_commands()
    try:
        with installed():  # SIGTERM/SIGHUP clean up like Ctrl-C
            __getattr__("app")(args=argv, prog_name="agentops")
    except AgentOpsError as error:
        fail(error)
    except ModuleNotFoundError as error:
        # A command reached an optional dependency the install lacks (the commands check
        # first; this catches what a check missed): name the extra, not a traceback.
        from agentops.extras import MissingExtra, extra_of

        extra = extra_of(error.name)
        if extra is None:
            raise
        fail(MissingExtra(extra, "this command", [error.name]))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Terminated as stop:
        print(f"{stop}: stopped, temporary state removed", file=sys.stderr)
        raise SystemExit(stop.exit_code) from None


def run() -> None:
    """The console script: main(), then leave without interpreter finalization.

    Native libraries loaded by a command (LanceDB's Rust runtime, gRPC from the Pulumi SDK)
    keep threads that can call into Python while it shuts down; now and then that aborts the
    process ("PyGILState_Release ... finalizing", exit -6) after the work is done and printed.
    Everything a command writes is complete before it returns, so the process flushes its
    output and exits directly with the command's status.
    """
    import os

    if sys.argv[1:2] == ["suggest"]:
        # Per keystroke of a console: answered without Typer, whose import (it pulls in
        # pydantic) costs more than the whole suggestion.
        from agentops.suggest import main as suggest_main

        code = suggest_main(sys.argv[2:])
        sys.stdout.flush()
        os._exit(code)
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)

