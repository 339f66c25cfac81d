"""The versioned agent API (/api/v3/ai): a real uvicorn on loopback, real git, real HTTP and
websockets, with the interpreter's plan writer scripted (tests/conftest.py) so that the API,
not the model, is what is tested. tests/test_server.py keeps the one real-model test."""

from __future__ import annotations

import json
import socket
import threading
import time
import subprocess
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.gitrepo import make_stacks_repo
from tests.loopback import free_port as _free_port, serving
from agentops.apiusers import AuditLog, TokenBook
from agentops.errors import AgentOpsError
from agentops.interpret import Interpreter
from agentops.server import API, create_app
from tests.conftest import ScriptedPlanWriter

ALICE, BOB = "alice-token-1234", "bob-token-5678"
SCALE = "scale web in staging to 3 replicas"
DELETE = "delete the logs volume in prod"
LINES = {
    SCALE: "scale deployment name=web stack=staging replicas=3",
    DELETE: "delete storage name=logs-volume stack=prod",
    "restart ghost in dev": "restart deployment name=ghost stack=dev",
}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def make_repo(base: Path) -> Path:
    return make_stacks_repo(base / "infra")


def scripted_interpreter(writer=None) -> Interpreter:
    return Interpreter(writer=writer or ScriptedPlanWriter(LINES), use_memory=False)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """(base_url, repo, audit path): two users, the audit log in the git dir (the default)."""
    repo = make_repo(tmp_path_factory.mktemp("api"))
    book = TokenBook.from_pairs([("alice", ALICE), ("bob", BOB)], "test")
    with serving(lambda port: create_app(repo, tokens=book, interpreter=scripted_interpreter())) as (base, _):
        yield base, repo, repo / ".git" / "agentops" / "audit.jsonl"


def as_user(base: str, token: str | None = ALICE) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=60)


def audit_lines(path: Path) -> list[dict]:
    return AuditLog(path).read()


def assert_error_shape(response: httpx.Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "hint"} and isinstance(body["error"], str), body
    for word in words:
        assert word in body["error"], body
    return body


# -- the schema --------------------------------------------------------------------------------


def test_openapi_publishes_the_versioned_api_and_no_apply(api):
    base, _, _ = api
    schema = httpx.get(base + "/openapi.json").json()
    paths = schema["paths"]
    for path, method in [("interpret", "post"), ("execute", "post"), ("suggestions", "get"),
                         ("history", "get"), ("stacks", "get"), ("execute-stream", "post")]:
        assert method in paths[f"{API}/{path}"], path
    assert "/healthz" in paths
    assert paths["/propose"]["post"]["deprecated"] is True  # the old paths are aliases
    assert not [p for p in paths if "apply" in p or "merge" in p or "confirm" in p]
    result = schema["components"]["schemas"]["ExecuteResult"]
    assert result["properties"]["status"]["enum"] == ["proposed", "awaiting_confirmation"]
    assert {"branch", "pr_url", "risk_level", "verdicts", "cost", "summary"} <= set(result["properties"])
    assert "ErrorBody" in schema["components"]["schemas"]


# -- interpret, execute ------------------------------------------------------------------------


def test_interpret_returns_the_plan_and_is_audited(api):
    base, repo, audit = api
    response = as_user(base).post(f"{API}/interpret", json={"command": SCALE})
    assert response.status_code == 200, response.text
    plan = response.json()
    assert [(a["type"], a["name"], a["stack"]) for a in plan["actions"]] == [("scale", "web", "staging")]
    line = audit_lines(audit)[-1]
    assert line["user"] == "alice" and line["endpoint"] == f"{API}/interpret"
    assert line["command"] == SCALE and line["outcome"] == "interpreted"
    assert _git(repo, "branch", "--list", "agentops/*") == ""  # interpret writes nothing


def test_execute_proposes_a_branch_recording_the_user(api):
    base, repo, audit = api
    response = as_user(base, BOB).post(f"{API}/execute", json={"command": SCALE})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "proposed" and body["risk_level"] in ("low", "medium")
    assert body["requested_by"] == "bob" and body["pr_url"] is None
    assert body["branch"].startswith("agentops/") and "staging" in body["summary"]
    assert [c["stack"] for c in body["cost"]] == ["staging"] and isinstance(body["cost_delta_usd"], float)
    message = _git(repo, "log", "-1", "--format=%B", body["branch"])
    assert "Requested-by: bob" in message
    assert "replicas: 3" in _git(repo, "show", f"{body['branch']}:stacks/staging.yaml")
    # Proposing never applies: main is where it was, the checkout untouched.
    assert _git(repo, "rev-parse", "main") != _git(repo, "rev-parse", body["branch"])
    assert _git(repo, "status", "--porcelain") == ""  # the audit log is not in the tree
    line = audit_lines(audit)[-1]
    assert (line["user"], line["outcome"], line["branch"]) == ("bob", "proposed", body["branch"])
    assert ALICE not in audit.read_text() and BOB not in audit.read_text()


def test_execute_of_a_critical_change_awaits_confirmation(api):
    base, repo, _ = api
    response = as_user(base).post(f"{API}/execute", json={"command": DELETE})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "awaiting_confirmation" and body["risk_level"] == "critical"
    assert body["confirmation_required"] is True and "awaiting confirmation" in body["summary"]
    assert "logs-volume" in _git(repo, "show", "main:stacks/prod.yaml")  # nothing applied


def test_execute_a_given_plan(api):
    base, repo, _ = api
    plan = as_user(base).post(f"{API}/interpret", json={"command": SCALE}).json()
    plan["command"] = "scale web in staging to 3 replicas (reviewed)"
    response = as_user(base).post(f"{API}/execute", json={"plan": plan})
    assert response.status_code == 200, response.text
    assert response.json()["plan"]["actions"][0]["parameters"]["replicas"] == 3


def test_errors_have_one_shape(api):
    base, repo, audit = api
    alice = as_user(base)
    assert_error_shape(alice.post(f"{API}/execute", json={}), 422, "exactly one of")
    body = assert_error_shape(alice.post(f"{API}/interpret", content=b"{not json",
                                         headers={"content-type": "application/json"}), 422)
    assert body["details"]
    assert_error_shape(alice.post(f"{API}/interpret", json={"command": "   "}), 422, "empty")
    body = assert_error_shape(alice.post(f"{API}/execute", json={"command": "restart ghost in dev"}),
                              422, "ghost")
    assert audit_lines(audit)[-1]["outcome"].startswith("422")
    assert_error_shape(alice.get("/api/v3/ai/nothing"), 404)
    assert_error_shape(alice.get(f"{API}/execute"), 405)
    assert_error_shape(alice.post(f"{API}/interpret", content=b"x" * 600_000,
                                  headers={"content-type": "application/json"}), 413)
    assert_error_shape(alice.post(f"{API}/plan", json={"base": "HEAD", "stacks": ["qa"]}), 404,
                       "unknown stack 'qa'")
    assert_error_shape(alice.get(f"{API}/history", params={"outcome": "nope"}), 422, "nope")
    assert _git(repo, "branch", "--list", "agentops/restart*") == ""  # a failure leaves nothing


@pytest.mark.parametrize("token", [None, "wrong-token-0000", ALICE + "x"])
def test_bad_or_missing_token_is_401_and_logged_without_it(api, token):
    base, _, audit = api
    response = as_user(base, token).post(f"{API}/interpret", json={"command": SCALE})
    assert_error_shape(response, 401, "token")
    assert response.headers["www-authenticate"] == "Bearer"
    line = audit_lines(audit)[-1]
    assert line["user"] is None and line["outcome"].startswith("401")
    if token:
        assert token not in audit.read_text()


def test_reads_suggestions_stacks_history(api):
    base, _, _ = api
    alice = as_user(base)
    suggestions = alice.get(f"{API}/suggestions", params={"query": "scale api in pr"}).json()
    assert suggestions[0]["text"] == "scale api in prod"
    stacks = {s["name"]: s for s in alice.get(f"{API}/stacks").json()}
    assert stacks["prod"]["resources"]["deployments"] == ["api", "web"]
    alice.post(f"{API}/execute", json={"command": SCALE})
    history = alice.get(f"{API}/history").json()
    mine = [h for h in history if h["command"] == SCALE and h["outcome"] == "open"]
    assert mine and all(h["requested_by"] in ("alice", "bob") for h in mine)
    assert "alice" in {h["requested_by"] for h in mine}  # this test's proposal
    assert as_user(base, None).get(f"{API}/history").status_code == 401


def test_old_paths_are_aliases(api):
    base, _, _ = api
    alice = as_user(base)
    assert alice.post("/interpret", json={"command": SCALE}).json()["actions"][0]["name"] == "web"
    assert alice.get("/suggest", params={"q": "scale api in pr"}).json()[0]["text"] == "scale api in prod"
    old = alice.post("/propose", json={"command": SCALE}).json()
    assert old["branch"].startswith("agentops/") and "diff" in old  # the first API's answer
    assert alice.get("/stacks").status_code == 200


# -- streaming ---------------------------------------------------------------------------------


def sse_events(response: httpx.Response) -> list[dict]:
    events = []
    for block in response.text.split("\n\n"):
        data = [line[len("data: "):] for line in block.splitlines() if line.startswith("data: ")]
        if data:
            events.append(json.loads(data[0]))
    return events


def test_server_sent_events_stream_each_stage(api):
    base, repo, _ = api
    with as_user(base).stream("POST", f"{API}/execute-stream", json={"command": SCALE}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        response.read()
    events = sse_events(response)
    assert [e["stage"] for e in events] == ["interpretation", "planning", "proposal", "complete"]
    planning = events[1]["stacks"]
    assert planning[0]["stack"] == "staging" and planning[0]["changes"] and planning[0]["cost"]
    assert events[2]["branch"] == events[3]["branch"]
    assert "Requested-by: alice" in _git(repo, "log", "-1", "--format=%B", events[2]["branch"])


def test_websocket_streams_each_stage_and_errors_with_hint(api):
    base, _, _ = api
    url = base.replace("http://", "ws://") + f"{API}/execute-stream"
    with connect(url, additional_headers={"Authorization": f"Bearer {ALICE}"}) as ws:
        ws.send(json.dumps({"command": DELETE}))
        stages = [json.loads(ws.recv(timeout=60)) for _ in range(4)]
    assert [s["stage"] for s in stages] == ["interpretation", "planning", "proposal", "complete"]
    assert stages[3]["status"] == "awaiting_confirmation"
    with connect(url, additional_headers={"Authorization": f"Bearer {ALICE}"}) as ws:
        ws.send(json.dumps({"command": "restart ghost in dev"}))
        messages = [json.loads(ws.recv(timeout=60))]
        while messages[-1]["stage"] not in ("complete", "error"):
            messages.append(json.loads(ws.recv(timeout=60)))
    assert messages[-1]["stage"] == "error" and messages[-1]["status"] == 422
    assert "ghost" in messages[-1]["error"] and messages[-1]["hint"]
    with pytest.raises(ConnectionClosed):
        with connect(url, additional_headers={"Authorization": f"Bearer {ALICE}"}) as ws:
            ws.send("{not json")
            bad = json.loads(ws.recv(timeout=30))
            ws.recv(timeout=30)
    assert bad["stage"] == "error" and bad["status"] == 422 and "not an execute request" in bad["error"]
    with pytest.raises(ConnectionClosed) as closed:
        with connect(url, additional_headers={"Authorization": "Bearer nope-nope-nope"}) as ws:
            refused = json.loads(ws.recv(timeout=30))  # refused before it reads any request
            ws.recv(timeout=30)
    assert refused["stage"] == "error" and refused["status"] == 401 and refused["hint"]
    assert closed.value.rcvd.code == 1008


class GatedWriter(ScriptedPlanWriter):
    """A scripted writer that holds each call until `gate` is set: a slow model, on cue."""

    def __init__(self, lines):
        super().__init__(lines)
        self.gate = threading.Event()
        self.entered = threading.Semaphore(0)

    def write(self, text, specs, workspace, model_setting):
        self.entered.release()
        assert self.gate.wait(60), "the test never opened the gate"
        return super().write(text, specs, workspace, model_setting)


def _wait_for(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_disconnect_mid_stream_leaves_a_whole_proposal_or_nothing(tmp_path):
    repo = make_repo(tmp_path)
    writer = GatedWriter(LINES)
    audit = tmp_path / "audit" / "audit.jsonl"
    factory = lambda port: create_app(repo, interpreter=scripted_interpreter(writer), port=port,
                                      audit=AuditLog(audit))
    with serving(factory) as (base, _):
        url = base.replace("http://", "ws://") + f"{API}/execute-stream"
        for command in (SCALE, "restart ghost in dev"):
            with connect(url) as ws:
                ws.send(json.dumps({"command": command}))
                assert writer.entered.acquire(timeout=30)  # the request is in the model
            # The client is gone; now the model answers and the work goes on without it.
            writer.gate.set()
            _wait_for(lambda: len(AuditLog(audit).read()) >= (1 if command == SCALE else 2))
            writer.gate.clear()
    done, failed = AuditLog(audit).read()
    assert done["outcome"] == "proposed" and done["user"] == "local"
    # The proposal finished: its branch carries the whole commit.
    message = _git(repo, "log", "-1", "--format=%B", done["branch"])
    assert "ActionPlan:" in message and "Requested-by: local" in message
    assert failed["outcome"].startswith("422")
    assert _git(repo, "branch", "--list", "agentops/*").split() == [done["branch"]]
    assert len(_git(repo, "worktree", "list").splitlines()) == 1  # no worktree left behind
    assert _git(repo, "status", "--porcelain") == ""


def test_sse_client_gone_mid_stream_still_gets_a_whole_proposal(tmp_path):
    repo = make_repo(tmp_path)
    writer = GatedWriter(LINES)
    audit = tmp_path / "audit.jsonl"
    factory = lambda port: create_app(repo, interpreter=scripted_interpreter(writer), port=port,
                                      audit=AuditLog(audit))
    with serving(factory) as (base, _):
        host, port = base.removeprefix("http://").split(":")
        body = json.dumps({"command": SCALE}).encode()
        with socket.create_connection((host, int(port))) as raw:  # a client that just leaves
            raw.sendall(b"POST " + f"{API}/execute-stream".encode() + b" HTTP/1.1\r\n"
                        b"Host: " + f"{host}:{port}".encode() + b"\r\n"
                        b"Content-Type: application/json\r\nContent-Length: "
                        + str(len(body)).encode() + b"\r\n\r\n" + body)
            assert writer.entered.acquire(timeout=30)
        writer.gate.set()
        _wait_for(lambda: AuditLog(audit).read())
    (line,) = AuditLog(audit).read()
    assert line["outcome"] == "proposed"
    assert "ActionPlan:" in _git(repo, "log", "-1", "--format=%B", line["branch"])
    assert len(_git(repo, "worktree", "list").splitlines()) == 1


# -- load --------------------------------------------------------------------------------------


def test_beyond_the_queue_is_429_with_retry_after(tmp_path):
    repo = make_repo(tmp_path)
    writer = GatedWriter(LINES)
    factory = lambda port: create_app(repo, interpreter=scripted_interpreter(writer), port=port,
                                      audit=AuditLog(tmp_path / "audit.jsonl"), queue_depth=1,
                                      retry_after=7)
    with serving(factory) as (base, app):
        answers: list[httpx.Response] = []

        def call():
            answers.append(httpx.post(base + f"{API}/interpret", json={"command": SCALE}, timeout=60))

        threads = [threading.Thread(target=call) for _ in range(2)]
        threads[0].start()
        assert writer.entered.acquire(timeout=30)  # one in the model
        threads[1].start()
        _wait_for(lambda: app.state.queue.pending == 2)  # one waiting: the queue is full
        response = httpx.post(base + f"{API}/interpret", json={"command": SCALE}, timeout=30)
        body = assert_error_shape(response, 429, "busy")
        assert response.headers["retry-after"] == "7" and "7 seconds" in body["hint"]
        writer.gate.set()
        for thread in threads:
            thread.join(timeout=60)
    assert [r.status_code for r in answers] == [200, 200]
    assert app.state.queue.pending == 0


# -- loopback without tokens -------------------------------------------------------------------


def test_tokenless_server_refuses_other_origins_and_websockets_from_them(tmp_path):
    repo = make_repo(tmp_path)
    factory = lambda port: create_app(repo, interpreter=scripted_interpreter(), port=port,
                                      audit=AuditLog(tmp_path / "audit.jsonl"))
    with serving(factory) as (base, _):
        evil = {"origin": "http://evil.example"}
        assert_error_shape(httpx.post(base + f"{API}/execute", json={"command": SCALE},
                                      headers=evil), 403, "localhost")
        url = base.replace("http://", "ws://") + f"{API}/execute-stream"
        with pytest.raises(Exception):
            with connect(url, additional_headers=evil) as ws:
                ws.send(json.dumps({"command": SCALE}))
                ws.recv(timeout=10)
        same = {"origin": base}
        assert httpx.get(base + f"{API}/stacks", headers=same).status_code == 200
    assert _git(repo, "branch", "--list", "agentops/*") == ""


# -- the token book ----------------------------------------------------------------------------


def test_token_file_maps_tokens_to_users(tmp_path):
    path = tmp_path / "tokens"
    path.write_text("# who token\nalice  aaaaaaaa-1111\n\n  bob\tbbbbbbbb-2222\n", encoding="utf-8")
    book = TokenBook.read_file(path)
    assert book.user_of("Bearer aaaaaaaa-1111") == "alice"
    assert book.user_of("Bearer bbbbbbbb-2222") == "bob"
    assert book.user_of("Bearer aaaaaaaa-111") is None and book.user_of(None) is None
    env = {"AGENTOPS_API_TOKENS": "carol=cccccccc-3333, dave=dddddddd-4444",
           "AGENTOPS_API_TOKEN": "shared-token-5555", "AGENTOPS_API_TOKENS_FILE": str(path)}
    both = TokenBook.from_env(env)
    assert [both.user_of(f"Bearer {t}") for t in
            ("aaaaaaaa-1111", "cccccccc-3333", "dddddddd-4444", "shared-token-5555")] == \
        ["alice", "carol", "dave", "api"]
    assert not TokenBook.from_env({})


@pytest.mark.parametrize("text, words", [
    ("alice\n", "expected `USER TOKEN`"),
    ("alice aaaaaaaa-1 extra\n", "3 field(s)"),
    ("alice short\n", "shorter than 8"),
    ("alice aaaaaaaa-1111\nbob aaaaaaaa-1111\n", "share a token"),
    ("al\nce aaaaaaaa-1111\n", "expected"),
    ("al;ce aaaaaaaa-1111\n", "not a valid user name"),
])
def test_bad_token_files_are_refused_by_line(tmp_path, text, words):
    path = tmp_path / "tokens"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AgentOpsError) as info:
        TokenBook.read_file(path)
    assert words in info.value.message and info.value.hint
    assert "aaaaaaaa-1111" not in info.value.message  # a token is never repeated back


# -- where the audit log may go, and serving beyond loopback -----------------------------------


def test_audit_log_is_never_in_the_working_tree(tmp_path):
    from agentops.apiusers import audit_path

    repo = make_repo(tmp_path)
    assert audit_path(repo, {}) == repo / ".git" / "agentops" / "audit.jsonl"
    outside = tmp_path / "logs" / "audit.jsonl"
    assert audit_path(repo, {"AGENTOPS_AUDIT_LOG": str(outside)}) == outside
    in_git = repo / ".git" / "audit.jsonl"
    assert audit_path(repo, {"AGENTOPS_AUDIT_LOG": str(in_git)}) == in_git
    for inside in (repo / "audit.jsonl", repo / "stacks" / "audit.jsonl"):
        with pytest.raises(AgentOpsError, match="inside the working tree") as info:
            audit_path(repo, {"AGENTOPS_AUDIT_LOG": str(inside)})
        assert info.value.hint
    with pytest.raises(AgentOpsError, match="not inside a git repository"):
        audit_path(tmp_path, {})


def test_serving_beyond_loopback_needs_tokens(tmp_path, monkeypatch):
    from agentops.server import serve

    repo = make_repo(tmp_path)
    for name in ("AGENTOPS_API_TOKEN", "AGENTOPS_API_TOKENS", "AGENTOPS_API_TOKENS_FILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AgentOpsError, match="without authentication") as info:
        serve(repo, "0.0.0.0", _free_port())
    assert "AGENTOPS_API_TOKENS_FILE" in info.value.hint
