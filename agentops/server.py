"""The HTTP API: the same stages as the CLI, for chat bots and internal portals.

One process keeps the model and its compiled grammar loaded, so an interpretation costs only
the decoding. The model is not thread-safe: calls into it are serialised by a lock, while the
plan and git work of different requests may overlap (proposals never share a worktree).
Binding to anything but loopback requires a bearer token (AGENTOPS_API_TOKEN).
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
    root: Path, token: str | None = None, model_path: str | None = None, interpreter=None
) -> FastAPI:
    """The API over the repository at `root`; `interpreter` lets a caller share a loaded one."""
    workspace = Workspace.find(root)
    app = FastAPI(title="agentops", version="1")
    model_lock = threading.Lock()
    state: dict[str, object] = {"interpreter": interpreter} if interpreter else {}

    def loaded_interpreter():
        from agentops.interpret import Interpreter

        if "interpreter" not in state:
            state["interpreter"] = Interpreter(model_path=model_path)
        return state["interpreter"]

    def authorized(authorization: str | None = Header(default=None)) -> None:
        if token is None:
            return
        expected = f"Bearer {token}"
        if authorization is None or not hmac.compare_digest(authorization, expected):
            raise HTTPException(status_code=401, detail="missing or wrong bearer token")

    @app.exception_handler(AgentOpsError)
    async def _user_error(_, exc: AgentOpsError):
        status = 404 if isinstance(exc, UnknownStackError) else 422
        return JSONResponse(status_code=status, content={"error": exc.message, "hint": exc.hint})

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "repository": str(workspace.root)}

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
            with model_lock:
                interpreter = loaded_interpreter()
                action_plan = interpreter.interpret(request.command, workspace, stack=request.stack)
                embedder = interpreter.embedder
        result = run_propose(workspace, action_plan, embedder=embedder)
        return result.model_dump(mode="json")

    return app


def serve(root: Path, host: str, port: int, model_path: str | None = None) -> None:
    import uvicorn

    token = os.environ.get("AGENTOPS_API_TOKEN")
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        raise AgentOpsError(
            f"refusing to serve on {host} without authentication",
            hint="set AGENTOPS_API_TOKEN, or bind to 127.0.0.1",
        )
    uvicorn.run(create_app(root, token=token, model_path=model_path), host=host, port=port)
