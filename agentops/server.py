"""The HTTP API: the same stages as the CLI, for chat bots and internal portals.

The versioned API lives under /api/v3/ai (OpenAPI schema at /openapi.json):

    POST /api/v3/ai/interpret        {command, stack?}          -> the ActionPlan
    POST /api/v3/ai/execute          {command | plan, stack?}   -> ExecuteResult (a proposal)
    WS   /api/v3/ai/execute-stream   send {command | plan, stack?}; one JSON message per stage
    POST /api/v3/ai/execute-stream   the same stages as server-sent events (text/event-stream)
    POST /api/v3/ai/plan             {base?, stacks?}           -> the offline plan
    GET  /api/v3/ai/suggestions?query=&limit=                   -> completions
    GET  /api/v3/ai/history?outcome=&stack=&limit=              -> past commands and outcomes
    GET  /api/v3/ai/stacks                                      -> stacks and their resources
    GET  /healthz
    GET  /                           the web console (agentops/data/console.html + console.js)

In GitOps, executing is proposing: the branch (and, with a forge, the PR) is made and its
review is the confirmation. Nothing this API returns or accepts merges or applies a change.
The unversioned paths of the first API (/interpret, /plan, /propose, /suggest, /stacks) stay
as deprecated aliases with their old answers.

Errors are one JSON shape everywhere: {"error": what is wrong, "hint": what to do or null}
(plus "details" for a body that does not validate), as the CLI prints them; never a 500 for
bad input and never the body echoed back whole.

One process keeps one model; it is not thread-safe, so interpretations take turns
(`ModelQueue`): at most `queue_depth` wait, and beyond that a request is a 429 with
Retry-After. Plan and git work of different requests may overlap (proposals never share a
worktree). Users and the audit log: agentops.apiusers. Binding to anything but loopback
requires tokens; without them only requests addressed to loopback by name, from loopback
pages, are served (agentops.httpguard: DNS rebinding, cross-site websockets).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Literal

from fastapi import Depends, FastAPI, Header, Request, WebSocket
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from agentops.actionplan import ActionPlan, RiskLevel
from agentops.apiusers import AuditLog, TokenBook, audit_path
from agentops.errors import AgentOpsError, UnknownStackError
from agentops.findings import CostDelta, Verdict
from agentops.spec import Workspace

MAX_COMMAND_CHARS = 1000
API = "/api/v3/ai"
#: the user recorded when the server runs without tokens (loopback only)
LOCAL_USER = "local"
DEFAULT_QUEUE_DEPTH = 8
DEFAULT_RETRY_AFTER_S = 5


class ApiError(AgentOpsError):
    """An AgentOpsError with an HTTP status of its own (401, 429, ...)."""

    def __init__(self, status: int, message: str, hint: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message, hint)
        self.status = status
        self.headers = headers or {}


class ErrorBody(BaseModel):
    """The one error shape: what is wrong and what to do (as the CLI prints them)."""

    error: str
    hint: str | None = None
    details: list[dict] | None = None


class InterpretRequest(BaseModel):
    command: str = Field(max_length=MAX_COMMAND_CHARS * 4)
    stack: str | None = None


class PlanRequest(BaseModel):
    base: str | None = None
    stacks: list[str] | None = None


class ExecuteRequest(BaseModel):
    """Exactly one of `command` (interpreted first) or `plan` (an ActionPlan, e.g. from
    /interpret after a person read it)."""

    command: str | None = Field(default=None, max_length=MAX_COMMAND_CHARS * 4)
    plan: ActionPlan | None = None
    stack: str | None = None


ProposeRequest = ExecuteRequest  # the first API's name


class StackSummary(BaseModel):
    name: str
    region: str
    resources: dict[str, list[str]]


class ExecuteResult(BaseModel):
    """A proposal made by the API. `awaiting_confirmation`: high or critical risk; the
    confirmation is the PR's review (or the branch's merge), never another API call."""

    status: Literal["proposed", "awaiting_confirmation"]
    summary: str
    plan: ActionPlan
    branch: str
    commit: str
    base: str
    pr_url: str | None
    review: list[str]
    risk_level: RiskLevel
    risk_reasons: list[str]
    confirmation_required: bool
    verdicts: list[Verdict]
    cost: list[CostDelta]
    cost_delta_usd: float
    changes: list[str]
    warnings: list[str]
    requested_by: str


def execute_result(result, user: str) -> ExecuteResult:
    delta = round(sum(c.delta_usd for c in result.cost), 2)
    stacks = ", ".join(result.stacks)
    summary = (f"{len(result.changes)} spec change(s) in {stacks}; risk {result.risk_level.value}"
               f"; {len(result.verdicts)} policy verdict(s); cost {delta:+,.2f} USD/month; "
               + (f"PR {result.pr_url}" if result.pr_url else f"branch {result.branch}")
               + ("; awaiting confirmation: the PR's review" if result.confirmation_required
                  else ""))
    return ExecuteResult(
        status="awaiting_confirmation" if result.confirmation_required else "proposed",
        summary=summary, plan=result.action_plan, branch=result.branch, commit=result.commit,
        base=result.base, pr_url=result.pr_url, review=result.review,
        risk_level=result.risk_level, risk_reasons=result.risk_reasons,
        confirmation_required=result.confirmation_required, verdicts=result.verdicts,
        cost=result.cost, cost_delta_usd=delta, changes=result.changes,
        warnings=result.warnings, requested_by=user)


class ModelQueue:
    """One caller in the model at a time, at most `depth` more waiting; beyond that, a 429.

    The model (llama.cpp) is one per process and not thread-safe; an unbounded wait would let
    a burst pile up threads and time out every client instead of telling the late ones to
    come back."""

    def __init__(self, depth: int = DEFAULT_QUEUE_DEPTH, retry_after: int = DEFAULT_RETRY_AFTER_S):
        self.depth = depth
        self.retry_after = retry_after
        self._model = threading.Lock()
        self._count = threading.Lock()
        self.pending = 0  # in the model + waiting

    @contextmanager
    def turn(self):
        with self._count:
            if self.pending > self.depth:
                raise ApiError(429, f"the model is busy: {self.pending - 1} request(s) are "
                               "already waiting", f"retry after {self.retry_after} seconds",
                               headers={"Retry-After": str(self.retry_after)})
            self.pending += 1
        try:
            with self._model:
                yield
        finally:
            with self._count:
                self.pending -= 1


class QueuedWriter:
    """A plan writer that waits its turn in the ModelQueue (agentops.interpret.PlanWriter)."""

    def __init__(self, inner, queue: ModelQueue):
        self.inner = inner
        self.queue = queue

    @property
    def embedder(self):
        return self.inner.embedder

    def write(self, text, specs, workspace, model_setting):
        with self.queue.turn():
            return self.inner.write(text, specs, workspace, model_setting)


def create_app(
    root: Path, token: str | None = None, model_path: str | None = None, interpreter=None,
    port: int | None = None, tokens: TokenBook | None = None, audit: AuditLog | None = None,
    queue_depth: int = DEFAULT_QUEUE_DEPTH, retry_after: int = DEFAULT_RETRY_AFTER_S,
) -> FastAPI:
    """The API over the repository at `root`; `interpreter` lets a caller share a loaded one.
    `tokens` (or one shared `token`) maps bearer tokens to users; without any, requests must
    be addressed to localhost/127.0.0.1/[::1] (`port`: the port they must name, when known).
    `audit`: where requests are recorded (default: <git-common-dir>/agentops/audit.jsonl)."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from agentops.httpguard import LOOPBACK_NAMES, RequestGuard, excerpt

    workspace = Workspace.find(root)
    book = tokens if tokens is not None else (TokenBook.single(token) if token else TokenBook())
    audit_log = audit or AuditLog(audit_path(workspace.root))
    app = FastAPI(
        title="agentops", version="3",
        description="Plain-language infrastructure changes as reviewed GitOps proposals. "
                    "Executing is proposing: nothing this API returns applies a change.")
    app.add_middleware(RequestGuard, allowed_hosts=None if book else LOOPBACK_NAMES, port=port)
    queue = ModelQueue(queue_depth, retry_after)
    state: dict[str, object] = {"interpreter": interpreter} if interpreter else {}
    app.state.queue = queue
    app.state.audit = audit_log

    def loaded_interpreter():
        """The interpreter whose plan writer (the model) takes turns through the queue: the
        checks, spec loading and guard around it run concurrently."""
        from agentops.interpret import Interpreter

        if "interpreter" not in state:
            state["interpreter"] = Interpreter(model_path=model_path)
        if "queued" not in state:
            inner = state["interpreter"]
            state["queued"] = Interpreter(writer=QueuedWriter(inner.writer, queue),
                                          use_memory=inner.use_memory)
        return state["queued"]

    def user_of(authorization: str | None, endpoint: str) -> str:
        if not book:
            return LOCAL_USER
        user = book.user_of(authorization)
        if user is None:
            # Logged without the token (not even a prefix of it).
            audit_log.write(user=None, endpoint=endpoint, command=None,
                            outcome="401: missing or wrong bearer token")
            raise ApiError(401, "missing or wrong bearer token",
                           "send `Authorization: Bearer TOKEN` with a token from the server's "
                           "token file", headers={"WWW-Authenticate": "Bearer"})
        return user

    def authorized(request: Request, authorization: str | None = Header(default=None)) -> str:
        return user_of(authorization, request.url.path)

    # -- errors: one shape ------------------------------------------------------------------

    def error_response(status: int, error: str, hint: str | None, headers=None, details=None):
        body = {"error": excerpt(error, 2000), "hint": hint}
        if details is not None:
            body["details"] = details
        return JSONResponse(status_code=status, content=body, headers=headers)

    def status_of(exc: AgentOpsError) -> int:
        if isinstance(exc, ApiError):
            return exc.status
        return 404 if isinstance(exc, UnknownStackError) else 422

    @app.exception_handler(AgentOpsError)
    async def _user_error(_, exc: AgentOpsError):
        return error_response(status_of(exc), exc.message, exc.hint,
                              getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(_, exc: RequestValidationError):
        # FastAPI's default echoes each bad input whole (a 1 MB command comes back as 1 MB).
        errors = [{"loc": list(e.get("loc", ())), "msg": excerpt(str(e.get("msg", "")), 300),
                   "type": e.get("type"), "input": excerpt(e.get("input"))}
                  for e in exc.errors()[:20]]
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "the body"
        return error_response(422, f"the request is invalid: {where}: {first['msg']}",
                              "see the request schema at /openapi.json", details=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_, exc: StarletteHTTPException):
        hint = {404: "the API is under /api/v3/ai; see /docs or /openapi.json",
                405: "see /openapi.json for each path's methods"}.get(exc.status_code)
        return error_response(exc.status_code, str(exc.detail), hint,
                              getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _bug(_, exc: Exception):
        # A bug, not bad input: a JSON answer in the one shape, without internals.
        return error_response(500, f"internal error ({type(exc).__name__})",
                              "this is a bug in agentops: report it with the request")

    errors = {s: {"model": ErrorBody} for s in (401, 404, 413, 422, 429)}

    # -- the stages, shared by execute and its streams -------------------------------------

    def interpret_command(command: str, stack: str | None) -> ActionPlan:
        _refuse_secret(command)
        return loaded_interpreter().interpret(command, workspace, stack=stack)

    def run_execute(request: ExecuteRequest, user: str, endpoint: str,
                    emit: Callable[[str, dict], None] = lambda stage, data: None,
                    ) -> tuple[ExecuteResult, object]:
        """interpretation -> planning -> proposal, emitting each stage as it completes; the
        outcome goes to the audit log whatever the caller does meanwhile (a disconnected
        client does not stop a proposal half-way: it finishes, or fails leaving nothing)."""
        from agentops.propose import propose as run_propose

        command = request.command if request.plan is None else request.plan.command
        try:
            if (request.command is None) == (request.plan is None):
                raise ApiError(422, "give exactly one of 'command' or 'plan'",
                               "send {\"command\": \"...\"} or {\"plan\": ActionPlan}")
            plan = request.plan
            if plan is None:
                plan = interpret_command(request.command, request.stack)
            emit("interpretation", {"plan": plan.model_dump(mode="json")})
            embedder = getattr(state.get("interpreter"), "embedder", None)
            result = run_propose(workspace, plan, stack=request.stack, embedder=embedder,
                                 requested_by=user, progress=emit)
            answer = execute_result(result, user)
        except AgentOpsError as exc:
            audit_log.write(user=user, endpoint=endpoint, command=command,
                            outcome=f"{status_of(exc)}: {exc.message}"[:500])
            raise
        audit_log.write(user=user, endpoint=endpoint, command=command, outcome=answer.status,
                        branch=answer.branch, pr_url=answer.pr_url, risk=answer.risk_level.value)
        emit("proposal", {"branch": answer.branch, "commit": answer.commit,
                          "pr_url": answer.pr_url, "status": answer.status,
                          "risk_level": answer.risk_level.value})
        return answer, result

    def stream_stages(request: ExecuteRequest, user: str, endpoint: str):
        """(asyncio.Queue of (stage, data), the future of the work). The work runs in a
        thread of its own and is never cancelled by the client going away."""
        loop = asyncio.get_running_loop()
        messages: asyncio.Queue = asyncio.Queue()

        def emit(stage: str, data: dict) -> None:
            loop.call_soon_threadsafe(messages.put_nowait, (stage, data))

        def work() -> None:
            try:
                answer, _ = run_execute(request, user, endpoint, emit)
                emit("complete", answer.model_dump(mode="json"))
            except AgentOpsError as exc:
                emit("error", {"status": status_of(exc), "error": exc.message, "hint": exc.hint})
            except Exception as exc:  # a bug: the stream still ends in the one shape
                emit("error", {"status": 500, "error": f"internal error ({type(exc).__name__})",
                               "hint": "this is a bug in agentops: report it with the request"})

        thread = threading.Thread(target=work, name="agentops-execute", daemon=False)
        thread.start()
        return messages, thread

    # -- the versioned API ------------------------------------------------------------------

    @app.get("/healthz")
    def healthz(authorization: str | None = Header(default=None)) -> dict:
        # Where the repository lives is for authenticated callers only.
        if book and book.user_of(authorization) is not None:
            return {"status": "ok", "repository": str(workspace.root), "api": API}
        return {"status": "ok", "api": API}

    @app.get(f"{API}/stacks", responses=errors)
    def stacks(user: str = Depends(authorized)) -> list[StackSummary]:
        out = []
        for name, spec in workspace.load_all().items():
            sections: dict[str, list[str]] = {}
            for section, rname, _ in spec.resources():
                sections.setdefault(section, []).append(rname)
            out.append(StackSummary(name=name, region=spec.region, resources=sections))
        return out

    suggester = None

    @app.get(f"{API}/suggestions", responses=errors)
    def suggestions(query: str = "", limit: int = 10, user: str = Depends(authorized)) -> list[dict]:
        """Completions of a partial command (specs and merged commands; no model)."""
        nonlocal suggester
        from agentops.suggest import Suggester

        if suggester is None:
            suggester = Suggester(workspace.root)
        return [s.as_dict() for s in suggester(query[:1000], max(1, min(limit, 50)))]

    @app.get(f"{API}/history", responses=errors)
    def history(outcome: str | None = None, stack: str | None = None, limit: int = 50,
                user: str = Depends(authorized)) -> list[dict]:
        """Past commands, newest first, with their outcomes (as `agentops history`)."""
        from agentops.learn import history_entries
        from agentops.memory import ALL_OUTCOMES

        if outcome is not None and outcome not in ALL_OUTCOMES:
            raise ApiError(422, f"unknown outcome {excerpt(outcome, 40)!r}",
                           f"one of: {', '.join(ALL_OUTCOMES)}")
        rows = history_entries(workspace.root, outcome, stack)[:max(1, min(limit, 500))]
        requesters = _requesters(workspace.root, [r["sha"] for r in rows if r.get("sha")])
        for row in rows:
            row["requested_by"] = requesters.get(row.get("sha") or "")
        return rows

    @app.post(f"{API}/interpret", responses=errors)
    def interpret(request: InterpretRequest, http: Request,
                  user: str = Depends(authorized)) -> ActionPlan:
        """The ActionPlan for a command: nothing is written."""
        try:
            plan = interpret_command(request.command, request.stack)
        except AgentOpsError as exc:
            audit_log.write(user=user, endpoint=http.url.path, command=request.command,
                            outcome=f"{status_of(exc)}: {exc.message}"[:500])
            raise
        audit_log.write(user=user, endpoint=http.url.path, command=request.command,
                        outcome="interpreted", risk=plan.risk_level.value)
        return plan

    @app.post(f"{API}/execute", responses=errors)
    def execute(request: ExecuteRequest, http: Request,
                user: str = Depends(authorized)) -> ExecuteResult:
        """Propose: the branch (and with a forge the PR) is made; its review confirms it."""
        return run_execute(request, user, http.url.path)[0]

    @app.post(f"{API}/plan", responses=errors)
    def plan(request: PlanRequest, user: str = Depends(authorized)) -> dict:
        """The offline plan of the working tree against `base` (nothing is written)."""
        from agentops.plan import build_plan

        return build_plan(workspace, request.base, request.stacks).model_dump(mode="json")

    @app.post(f"{API}/execute-stream", responses={
        **errors, 200: {"content": {"text/event-stream": {}},
                        "description": "one event per stage: interpretation, planning, "
                                       "proposal, then complete or error"}})
    async def execute_events(request: ExecuteRequest, http: Request,
                             user: str = Depends(authorized)):
        """The stages of execute as server-sent events (`event: STAGE`, `data: JSON`)."""
        messages, _ = stream_stages(request, user, http.url.path)

        async def events():
            while True:
                stage, data = await messages.get()
                yield f"event: {stage}\ndata: {json.dumps({'stage': stage, **data})}\n\n"
                if stage in ("complete", "error"):
                    return

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @app.websocket(f"{API}/execute-stream")
    async def execute_stream(websocket: WebSocket):
        """Receive {command | plan, stack?}; send {stage, ...} per stage as it completes."""
        await websocket.accept()
        try:
            user = user_of(websocket.headers.get("authorization"), websocket.url.path)
            raw = await websocket.receive_text()
            try:
                request = ExecuteRequest.model_validate_json(raw)
            except ValueError as exc:
                first = str(exc).splitlines()[:3]
                raise ApiError(422, f"the message is not an execute request: {' '.join(first)}",
                               "send {\"command\": \"...\"} or {\"plan\": ActionPlan}") from None
        except AgentOpsError as exc:
            await websocket.send_json({"stage": "error", "status": status_of(exc),
                                       "error": exc.message, "hint": exc.hint})
            await websocket.close(code=1008 if status_of(exc) == 401 else 1003)
            return
        except Exception:  # the client left before sending its request
            return
        messages, _ = stream_stages(request, user, websocket.url.path)
        while True:
            stage, data = await messages.get()
            try:
                await websocket.send_json({"stage": stage, **data})
            except Exception:
                return  # the client went away: the work finishes in its thread regardless
            if stage in ("complete", "error"):
                break
        await websocket.close()

    # -- the web console: one page and its script, from agentops/data ------------------------

    console_headers = {
        # The page runs only its own script and talks only to this server; no framing.
        "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                   "frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
    }

    @app.get("/", include_in_schema=False)
    def console() -> HTMLResponse:
        return HTMLResponse(_console_file("console.html"), headers=console_headers)

    @app.get("/console.js", include_in_schema=False)
    def console_script() -> Response:
        return Response(_console_file("console.js"), media_type="text/javascript",
                        headers=console_headers)

    # -- the first API's paths, kept as deprecated aliases --------------------------------

    app.get("/stacks", deprecated=True, responses=errors,
            summary=f"Alias of GET {API}/stacks")(stacks)
    app.post("/interpret", deprecated=True, responses=errors,
             summary=f"Alias of POST {API}/interpret")(interpret)
    app.post("/plan", deprecated=True, responses=errors,
             summary=f"Alias of POST {API}/plan")(plan)

    @app.get("/suggest", deprecated=True, responses=errors,
             summary=f"Alias of GET {API}/suggestions (q= for query=)")
    def suggest(q: str = "", limit: int = 10, user: str = Depends(authorized)) -> list[dict]:
        return suggestions(q, limit, user)

    @app.post("/propose", deprecated=True, responses=errors,
              summary=f"The first API's execute (answers the ProposeResult); use {API}/execute")
    def propose(request: ExecuteRequest, http: Request, user: str = Depends(authorized)) -> dict:
        return run_execute(request, user, http.url.path)[1].model_dump(mode="json")

    return app


def _requesters(root: Path, shas: list[str]) -> dict[str, str]:
    """sha -> the `Requested-by:` user of that proposal commit (one git call for all)."""
    import subprocess

    from agentops.propose import REQUESTED_BY, USER_NAME

    if not shas:
        return {}
    out = subprocess.run(["git", "log", "--no-walk=unsorted", "--format=%H%x00%B%x01", *shas],
                         cwd=root, capture_output=True, text=True)
    found = {}
    for record in out.stdout.split("\x01"):
        sha, _, message = record.strip().partition("\x00")
        for line in message.splitlines():
            user = line.removeprefix(REQUESTED_BY).strip()
            if line.startswith(REQUESTED_BY) and USER_NAME.fullmatch(user):
                found[sha] = user
                break
    return found


def _console_file(name: str) -> str:
    from importlib.resources import files

    return files("agentops").joinpath("data", name).read_text(encoding="utf-8")


def _refuse_secret(command: str) -> None:
    from agentops.interpret import check_command

    check_command(command)


def serve(root: Path, host: str, port: int, model_path: str | None = None,
          tokens_file: Path | None = None, queue_depth: int = DEFAULT_QUEUE_DEPTH) -> None:
    import uvicorn

    book = TokenBook.from_env(tokens_file=tokens_file)
    if host not in ("127.0.0.1", "localhost", "::1") and not book:
        raise AgentOpsError(
            f"refusing to serve on {host} without authentication",
            hint="set AGENTOPS_API_TOKENS_FILE (or AGENTOPS_API_TOKEN), or bind to 127.0.0.1",
        )
    audit = AuditLog(audit_path(Workspace.find(root).root))
    from agentops.httpguard import MAX_BODY_BYTES

    uvicorn.run(create_app(root, tokens=book, model_path=model_path, port=port, audit=audit,
                           queue_depth=queue_depth), host=host, port=port,
                ws_max_size=MAX_BODY_BYTES)
