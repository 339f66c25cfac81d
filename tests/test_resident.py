"""The resident model process: a real server on a real Unix socket, answering through the same
Interpreter seam as everything else (a scripted plan writer here; the real model in the
end-to-end test), and the CLI's fallback when there is none."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agentops import resident
from agentops.errors import InterpretError

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(monkeypatch):
    # a socket directory of this test's own (short: a Unix socket path has ~100 bytes); the
    # model caches stay shared
    import tempfile

    run = Path(tempfile.mkdtemp(prefix="ao-run-"))
    monkeypatch.setenv("AGENTOPS_RESIDENT_DIR", str(run))
    monkeypatch.setenv("AGENTOPS_RESIDENT", "1")
    yield run
    shutil.rmtree(run, ignore_errors=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    shutil.copytree(REPO / "stacks", tmp_path / "repo" / "stacks")
    return tmp_path / "repo"


@pytest.fixture
def server(cache):
    from tests.conftest import ScriptedPlanWriter
    from agentops.interpret import Interpreter

    writer = ScriptedPlanWriter({"scale api in prod to 5 replicas":
                                 "scale deployment name=api stack=prod replicas=5"})
    srv = resident.Server(idle=30, own_build=resident.build(),
                          make_interpreter=lambda model: Interpreter(use_memory=False, writer=writer))
    thread = threading.Thread(target=srv.serve, daemon=True)
    thread.start()
    for _ in range(100):
        if resident.socket_path().exists():
            break
        time.sleep(0.02)
    yield srv
    resident.stop()
    thread.join(5)


def test_a_command_is_answered_by_the_resident_process(server, repo):
    plan = resident.interpret(repo, "scale api in prod to 5 replicas", None, None)
    assert [(a.type.value, a.name, a.parameters.replicas) for a in plan.actions] == [("scale", "api", 5)]
    assert resident.status()["served"] == 1


def test_its_refusals_are_the_same_errors(server, repo):
    with pytest.raises(InterpretError, match="no kind for 'kafka"):
        resident.interpret(repo, "create a kafka topic events in dev", None, None)


def test_the_socket_is_the_users_alone(server):
    mode = resident.socket_path().stat().st_mode & 0o777
    assert mode & 0o077 == 0
    assert resident.runtime_dir().stat().st_mode & 0o077 == 0


def test_a_process_of_other_code_says_stale_and_exits(server, repo):
    answer = resident._ask({"v": resident.PROTOCOL, "build": "other", "op": "interpret",
                            "root": str(repo), "command": "scale api in prod to 5 replicas"})
    assert answer == {"ok": False, "stale": True}
    time.sleep(0.2)
    assert resident.status() is None  # it exited


@pytest.mark.parametrize("request_bytes", [
    b"not json\n", b"[1, 2]\n", b'{"v": 99, "op": "status"}\n',
])
def test_bad_requests_get_an_error_not_a_crash(server, request_bytes):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(resident.socket_path()))
    conn.sendall(request_bytes)
    answer = json.loads(resident._read_line(conn))
    conn.close()
    assert answer["ok"] is False and "bad request" in answer["error"]
    assert resident.status()["ok"] is True  # still serving


def test_a_root_without_stacks_is_refused(server, tmp_path):
    with pytest.raises(InterpretError, match="not a repository with stacks"):
        resident.interpret(tmp_path, "scale api in prod to 5 replicas", None, None)


def test_without_a_resident_process_the_client_says_so(cache):
    with pytest.raises(resident.Unavailable):
        resident.interpret(Path("/nonexistent"), "x", None, None)


def test_it_is_off_where_ci_is_set(monkeypatch):
    monkeypatch.delenv("AGENTOPS_RESIDENT", raising=False)
    monkeypatch.setenv("CI", "true")
    assert not resident.enabled()
    monkeypatch.setenv("AGENTOPS_RESIDENT", "1")
    assert resident.enabled()


def test_the_cli_starts_one_and_the_next_command_uses_it(cache, repo):
    # End to end with the real model: the first `agentops interpret` interprets itself and
    # leaves a resident process; the second is answered by it, with the same plan.
    env = {**os.environ, "AGENTOPS_RESIDENT_DIR": str(cache), "AGENTOPS_RESIDENT": "1"}
    env.pop("CI", None)
    cli = [sys.executable, "-m", "agentops", "interpret", "--json", "scale api in prod to 5 replicas"]
    try:
        first = subprocess.run(cli, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stderr
        for _ in range(600):
            state = subprocess.run([sys.executable, "-m", "agentops", "resident", "status"], cwd=repo,
                                   env=env, capture_output=True, text=True, timeout=60).stdout
            if "pid" in state:
                break
            time.sleep(0.5)
        assert "0 commands served" in state
        second = subprocess.run(cli, cwd=repo, env=env, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr
        assert json.loads(second.stdout)["actions"] == json.loads(first.stdout)["actions"]
        state = subprocess.run([sys.executable, "-m", "agentops", "resident", "status"], cwd=repo,
                               env=env, capture_output=True, text=True, timeout=60).stdout
        assert "1 commands served" in state
    finally:
        subprocess.run([sys.executable, "-m", "agentops", "resident", "stop"], cwd=repo, env=env,
                       capture_output=True, timeout=60)
