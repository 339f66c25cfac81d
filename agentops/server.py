"""The HTTP API: the same stages as the CLI, for chat bots and internal portals.

One process keeps the model and its compiled grammar loaded, so an interpretation costs only
the decoding. The model is not thread-safe: calls into it are serialised by a lock, while the
plan and git work of different requests may overlap (proposals never share a worktree).
Binding to anything but loopback requires a bearer token (AGENTOPS_API_TOKEN); without one,
only requests addressed to loopback by name are served (agentops.httpguard: DNS rebinding).
Bad input is a 4xx that names the problem, never a 500, and never echoes the body back whole.
"""

from __future__ import annotations

import hmac
import os
import threading
from pathlib import Path

from fastapi import Depends, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from agentops.actionplan import ActionPlan
from agentops.errors import AgentOpsError, UnknownStackError
from agentops.spec import Workspace

MAX_COMMAND_CHARS = 1000


class InterpretRequest(BaseModel):
    command: str = Field(max_length=MAX_COMMAND_CHARS * 4)
    stack: str | None = None


class PlanRequest(BaseModel):
    base: str | None = None
    stacks: list[str] | None = None


class ProposeRequest(BaseModel):
    command: str | None = None
    plan: ActionPlan | None = None
    stack: str | None = None


class StackSummary(BaseModel):
    name: str
    region: str
    resources: dict[str, list[str]]


def create_app(
    root: Path, token: str | None = None, model_path: str | None = None, interpreter=None,
    port: int | None = None,
) -> FastAPI:
    """The API over the repository at `root`; `interpreter` lets a caller share a loaded one.
    Without a token, requests must be addressed to localhost/127.0.0.1/[::1] (`port`: the
    port they must name, when known)."""
    from fastapi.exceptions import RequestValidationError

    from agentops.httpguard import LOOPBACK_NAMES, RequestGuard, excerpt

    workspace = Workspace.find(root)
    app = FastAPI(title="agentops", version="1")
    app.add_middleware(RequestGuard, allowed_hosts=None if token else LOOPBACK_NAMES, port=port)
    model_lock = threading.Lock()
    state: dict[str, object] = {"interpreter": interpreter} if interpreter else {}

    def loaded_interpreter():
        from agentops.interpret import Interpreter

        if "interpreter" not in state:
            state["interpreter"] = Interpreter(model_path=model_path)
        return state["interpreter"]

    def token_ok(authorization: str | None) -> bool:
        # Bytes, constant time: a header is latin-1 text to the server, any byte may arrive.
        expected = f"Bearer {token}".encode("utf-8")
        given = (authorization or "").encode("latin-1", errors="replace")
        return authorization is not None and hmac.compare_digest(given, expected)

    def authorized(authorization: str | None = Header(default=None)) -> None:
        if token is not None and not token_ok(authorization):
            raise HTTPException(status_code=401, detail="missing or wrong bearer token")

    @app.exception_handler(AgentOpsError)
    async def _user_error(_, exc: AgentOpsError):
        status = 404 if isinstance(exc, UnknownStackError) else 422
        return JSONResponse(status_code=status, content={"error": excerpt(exc.message, 2000),
                                                         "hint": exc.hint})

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_, exc: RequestValidationError):
        # FastAPI's default echoes each bad input whole (a 1 MB command comes back as 1 MB).
        errors = [{"loc": list(e.get("loc", ())), "msg": excerpt(str(e.get("msg", "")), 300),
                   "type": e.get("type"), "input": excerpt(e.get("input"))}
                  for e in exc.errors()[:20]]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.get("/healthz")
    def healthz(authorization: str | None = Header(default=None)) -> dict:
        # Where the repository lives is for authenticated callers only.
        if token is not None and token_ok(authorization):
            return {"status": "ok", "repository": str(workspace.root)}
        return {"status": "ok"}

    @app.get("/stacks", dependencies=[Depends(authorized)])
    def stacks() -> list[StackSummary]:
        out = []
        for name, spec in workspace.load_all().items():
            sections: dict[str, list[str]] = {}
            for section, rname, _ in spec.resources():
                sections.setdefault(section, []).append(rname)
            out.append(StackSummary(name=name, region=spec.region, resources=sections))
        return out

    suggester = None

    @app.get("/suggest", dependencies=[Depends(authorized)])
    def suggest(q: str = "", limit: int = 10) -> list[dict]:
        """Completions of a partial command (specs and merged commands; no model)."""
        nonlocal suggester
        from agentops.suggest import Suggester

        if suggester is None:
            suggester = Suggester(workspace.root)
        return [s.as_dict() for s in suggester(q[:1000], max(1, min(limit, 50)))]

    @app.post("/interpret", dependencies=[Depends(authorized)])
    def interpret(request: InterpretRequest) -> ActionPlan:
        _refuse_secret(request.command)
        with model_lock:
            return loaded_interpreter().interpret(request.command, workspace, stack=request.stack)

    @app.post("/plan", dependencies=[Depends(authorized)])
    def plan(request: PlanRequest) -> dict:
        from agentops.plan import build_plan

        result = build_plan(workspace, request.base, request.stacks)
        return result.model_dump(mode="json")

    @app.post("/propose", dependencies=[Depends(authorized)])
    def propose(request: ProposeRequest) -> dict:
        from agentops.propose import propose as run_propose

        if (request.command is None) == (request.plan is None):
            raise HTTPException(422, detail="give exactly one of 'command' or 'plan'")
        action_plan = request.plan
        # Recording the outcome embeds the command: reuse the loaded model when there is one.
        embedder = state["interpreter"].embedder if "interpreter" in state else None
        if action_plan is None:
            _refuse_secret(request.command)
            with model_lock:
                interpreter = loaded_interpreter()
                action_plan = interpreter.interpret(request.command, workspace, stack=request.stack)
                embedder = interpreter.embedder
        result = run_propose(workspace, action_plan, embedder=embedder)
        return result.model_dump(mode="json")

    return app


def _refuse_secret(command: str) -> None:
    from agentops.interpret import check_command

    check_command(command)


def serve(root: Path, host: str, port: int, model_path: str | None = None) -> None:
    import uvicorn

    token = os.environ.get("AGENTOPS_API_TOKEN")
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        raise AgentOpsError(
            f"refusing to serve on {host} without authentication",
            hint="set AGENTOPS_API_TOKEN, or bind to 127.0.0.1",
        )
    uvicorn.run(create_app(root, token=token, model_path=model_path, port=port), host=host,
                port=port)
