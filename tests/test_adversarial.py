"""Adversarial cases, replayed as a careless or hostile user would: the `agentops` CLI in a
real git repository (a subprocess, so signals, exit codes and tracebacks are the real ones), and
the HTTP API on a real uvicorn on loopback. Each case was a failure once (issue 9); each test
says what must hold: a clear error and a non-zero exit, nothing written outside the
repository, no stray branch or worktree, no secret in any output.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from tests.gitrepo import make_stacks_repo
from agentops.actionplan import Action, ActionPlan, Parameters

REPO_STACKS = Path(__file__).resolve().parents[1] / "stacks"
SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dcXq"  # Stripe's documented test-format key shape


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def cli(cwd: Path, *args: str, timeout: float = 240, env: dict | None = None,
        ) -> subprocess.CompletedProcess:
    """`agentops ARGS` in `cwd`, as a user runs it (a process of its own)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "agentops", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=full_env)


def clean_failure(out: subprocess.CompletedProcess, *expected: str) -> str:
    """Assert a user error: non-zero exit, `error:` line, no traceback; returns stderr."""
    text = out.stdout + out.stderr
    assert out.returncode not in (0, None), text
    assert "Traceback" not in text, text
    assert "error:" in out.stderr, text
    for part in expected:
        assert part in text, (part, text)
    return out.stderr


def agentops_branches(root: Path) -> list[str]:
    return _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/agentops/").split()


def worktrees(root: Path) -> int:
    return _git(root, "worktree", "list", "--porcelain").count("worktree ")


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    for var in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    return make_stacks_repo(tmp_path / "infra")


def plan_file(tmp_path: Path, command: str = "scale api in dev to 3 replicas", stack="dev",
              name="api", replicas=3) -> Path:
    plan = ActionPlan(
        command=command, interpretation=f"Scale {name} in {stack} to {replicas} replicas.",
        actions=[Action(type="scale", resource="deployment", name=name, stack=stack,
                        parameters=Parameters(replicas=replicas), description="scale")])
    path = tmp_path / f"plan-{random.randrange(1 << 30)}.json"
    path.write_text(plan.model_dump_json())
    return path


# ---------------------------------------------------------------------------------------------
# 2. nothing written through a committed symlink


def test_propose_refuses_a_symlinked_spec_and_writes_nothing_outside(repo, tmp_path):
    outside = tmp_path / "outside.yaml"
    shutil.copy(REPO_STACKS / "dev.yaml", outside)
    before = outside.read_bytes()
    (repo / "stacks" / "qa.yaml").symlink_to(outside)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "qa is a link")

    out = cli(repo, "propose", "--no-push", "--plan-file",
              str(plan_file(tmp_path, "scale api in qa to 5 replicas", stack="qa", replicas=5)))
    clean_failure(out, "symbolic link", "qa.yaml")
    assert outside.read_bytes() == before
    assert agentops_branches(repo) == [] and worktrees(repo) == 1
    # check, plan and cost refuse it the same way (nothing read through the link)
    for args in (["check"], ["plan"], ["cost"]):
        clean_failure(cli(repo, *args), "symbolic link")


def test_a_symlinked_stacks_dir_is_refused(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(str(repo / "stacks"), elsewhere)
    (repo / "stacks").symlink_to(elsewhere, target_is_directory=True)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "stacks is a link")
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path)))
    clean_failure(out, "symbolic link")
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before
    assert agentops_branches(repo) == []


def test_safe_path_helper_refuses_escapes(tmp_path):
    from agentops.safepath import UnsafePathError, checked

    root = tmp_path / "r"
    (root / "stacks").mkdir(parents=True)
    assert checked(root, Path("stacks/new.yaml")) == root.resolve() / "stacks" / "new.yaml"
    for bad in (Path("../x.yaml"), tmp_path / "x.yaml", Path("stacks/../../x.yaml")):
        with pytest.raises(UnsafePathError, match="outside the repository"):
            checked(root, bad)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        checked(root, Path("link/x.yaml"))


def test_init_does_not_write_through_a_symlinked_folder(tmp_path):
    target = tmp_path / "new"
    target.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (target / "stacks").symlink_to(outside, target_is_directory=True)
    out = cli(tmp_path, "init", "--force", str(target))
    clean_failure(out, "symbolic link")
    assert list(outside.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# 4. SIGTERM / SIGHUP clean up like Ctrl-C; kill -9 leftovers are pruned by the next run


def _default_signals() -> None:
    # A test run under nohup passes SIGHUP on as ignored, and agentops rightly leaves an
    # ignored signal ignored: the proposal here must start as from a terminal.
    for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)


def _start_propose(repo: Path, plan: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "agentops", "propose", "--no-push",
                             "--plan-file", str(plan)], cwd=repo, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_default_signals)


def _wait_for_worktree(repo: Path, proc: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Polled while the proposal's git adds the worktree: a listing of a half-registered
        # one can fail (exit 128) for a moment; the next poll sees it whole.
        listed = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=repo,
                                capture_output=True, text=True)
        listing = listed.stdout.splitlines() if listed.returncode == 0 else []
        extra = [Path(line.split(" ", 1)[1]) for line in listing
                 if line.startswith("worktree ") and Path(line.split(" ", 1)[1]) != repo]
        if extra:
            return extra[0]
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError("the proposal's worktree never appeared")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_during_propose_leaves_no_worktree_or_branch(repo, tmp_path, signum):
    proc = _start_propose(repo, plan_file(tmp_path))
    tree = _wait_for_worktree(repo, proc)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum or (signum == signal.SIGINT and proc.returncode == 130), err
    assert "Traceback" not in err, err
    assert worktrees(repo) == 1
    assert not tree.exists() and not tree.parent.exists()
    assert agentops_branches(repo) == []
    assert _git(repo, "status", "--porcelain") == ""


def test_kill_9_leftovers_are_pruned_by_the_next_proposal(repo, tmp_path):
    proc = _start_propose(repo, plan_file(tmp_path))
    tree = _wait_for_worktree(repo, proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert tree.exists() and worktrees(repo) == 2  # what kill -9 leaves behind

    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path, replicas=4)))
    assert out.returncode == 0, out.stderr
    assert worktrees(repo) == 1
    assert not tree.parent.exists()


def test_a_live_proposal_is_never_pruned(repo):
    from agentops import gitops

    repo_obj = gitops.open_repo(repo)
    with gitops.worktree(repo_obj, "main") as tree:
        assert gitops.prune_stale(repo_obj) == []  # our own process: alive
        assert tree.path.exists()


# ---------------------------------------------------------------------------------------------
# 5. one decoding path: binary or control characters are file:line errors everywhere


@pytest.mark.parametrize("content", [random.Random(5).randbytes(3000), b"\x00\x01\x02",
                                     b"provider: aws\nregion: us-east-1\x07\n",
                                     b"\xef\xbb\xbfprovider: aws\ntags: {owner: \xff}\n"],
                         ids=["urandom", "nul-bytes", "bell", "bad-utf8-after-bom"])
def test_undecodable_spec_is_a_file_line_error_everywhere(repo, tmp_path, content):
    (repo / "stacks" / "prod.yaml").write_bytes(content)
    for args in (["check"], ["plan"], ["cost"], ["scan"]):
        err = clean_failure(cli(repo, *args), "stacks/prod.yaml:")
        assert "agentops check" not in err  # check's hint must not say "run check"
    _git(repo, "commit", "-qam", "a damaged spec")
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path)))
    clean_failure(out, "stacks/prod.yaml:")
    assert agentops_branches(repo) == [] and worktrees(repo) == 1


def test_spec_decoding_names_line_and_column():
    from agentops.errors import SpecError
    from agentops.specio import decode

    assert decode(b"\xef\xbb\xbfa: 1\n", "s.yaml") == "a: 1\n"  # a BOM is fine
    with pytest.raises(SpecError, match=r"^s\.yaml:2:4: not UTF-8"):
        decode(b"a: 1\nb: \xc3(\n", "s.yaml")
    with pytest.raises(SpecError, match=r"^s\.yaml:1:3: control character"):
        decode(b"a:\x00 1", "s.yaml")


# ---------------------------------------------------------------------------------------------
# 6. a plan file whose command holds a NUL or other control characters


@pytest.mark.parametrize("command", ["scale api\x00 in dev to 3", "scale api\x1b[2J in dev",
                                     "   "])
def test_plan_file_with_control_characters_is_a_clear_error(repo, tmp_path, command):
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path, command)))
    clean_failure(out)
    assert "GitCommandError" not in out.stderr
    assert agentops_branches(repo) == [] and worktrees(repo) == 1


@pytest.mark.parametrize("field", ["interpretation", "description", "name"])
def test_plan_file_with_control_characters_anywhere_is_a_clear_error(repo, tmp_path, field):
    path = plan_file(tmp_path)
    plan = json.loads(path.read_text())
    if field == "interpretation":
        plan[field] = "Scale\x00 api"
    else:
        plan["actions"][0][field] = "api\x00\x1b[31m"
    path.write_text(json.dumps(plan))
    out = cli(repo, "propose", "--no-push", "--plan-file", str(path))
    clean_failure(out, "control characters")
    assert "GitCommandError" not in out.stderr and agentops_branches(repo) == []


# ---------------------------------------------------------------------------------------------
# 7. HTTP: no 500 on bad input, no echo of big bodies, bytes compare, Host allowlist


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(repo):
    """Start a real uvicorn on loopback: serve(token=None) -> base URL."""
    from agentops.server import create_app

    servers = []

    def start(token: str | None = None) -> str:
        port = _free_port()
        config = uvicorn.Config(create_app(repo, token=token, port=port), host="127.0.0.1",
                                port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def _post_raw(base: str, path: str, body: bytes, **headers) -> httpx.Response:
    return httpx.post(base + path, content=body, timeout=60,
                      headers={"content-type": "application/json", **headers})


def test_lone_surrogate_is_a_400_not_a_500(serve):
    base = serve()
    for path, body in (("/interpret", b'{"command": "\\ud800 scale api in dev"}'),
                       ("/propose", b'{"command": "scale \\udfff api"}'),
                       ("/propose", b'{"plan": {"command": "x", "interpretation": "\\ud800"}}')):
        response = _post_raw(base, path, body)
        assert response.status_code == 400, response.text
        assert "surrogate" in response.json()["error"]
    # a valid surrogate pair (an emoji) is ordinary text: it reaches the endpoint
    ok = _post_raw(base, "/propose", b'{"command": "a", "plan": null, "stack": "\\ud83d\\ude00"}')
    assert ok.status_code not in (400, 500)


def test_hostile_names_and_values_are_4xx_not_500(serve, tmp_path):
    base = serve()
    outside = tmp_path / "leak.yaml"
    shutil.copy(REPO_STACKS / "dev.yaml", outside)
    for body in ({"stacks": [f"../../{outside.stem}"]}, {"stacks": ["a\u0000b"]},
                 {"stacks": ["/etc/passwd"]}, {"base": "\u0000"}, {"base": "no-such-rev"},
                 {"stacks": "dev"}, {"stacks": [{"a": 1}]}, [1, 2]):
        response = httpx.post(base + "/plan", json=body, timeout=120)
        assert response.status_code in (404, 422), (body, response.status_code, response.text)
    plan = json.loads(plan_file(tmp_path, stack="../../x").read_text())
    for stack in ("../../x", "a\u0000b"):
        plan["actions"][0]["stack"] = stack
        response = httpx.post(base + "/propose", json={"plan": plan}, timeout=120)
        assert 400 <= response.status_code < 500, (stack, response.text)
    for raw in (b"{", b"null", b'{"command": 5}', b"\xff\xfe", b'{"command": "x"' + b" " * 10):
        response = _post_raw(base, "/interpret", raw)
        assert 400 <= response.status_code < 500, (raw, response.text)


def test_non_ascii_bearer_token_is_a_401(serve):
    base = serve(token="s3cr3t-token")
    for value in ("Bearer tökén".encode("utf-8"), "Bearer s3cr3t-tokén".encode("latin-1"),
                  b"Bearer \xff\xfe"):
        response = httpx.get(base + "/stacks", headers={"authorization": value}, timeout=30)
        assert response.status_code == 401, (value, response.text)
    right = httpx.get(base + "/stacks", headers={"authorization": "Bearer s3cr3t-token"})
    assert right.status_code == 200


def test_non_ascii_configured_token_compares_as_bytes(serve):
    base = serve(token="tökén-ß")
    right = httpx.get(base + "/stacks", headers={"authorization": "Bearer tökén-ß".encode("utf-8")})
    assert right.status_code == 200
    wrong = httpx.get(base + "/stacks", headers={"authorization": "Bearer tökén-s".encode("utf-8")})
    assert wrong.status_code == 401


def test_big_bodies_are_refused_or_never_echoed(serve):
    base = serve()
    huge = json.dumps({"command": "x" * 1_000_000}).encode()
    response = _post_raw(base, "/interpret", huge)
    assert response.status_code == 413 and len(response.content) < 1000
    big = json.dumps({"command": "y" * 300_000}).encode()  # under the limit, over max_length
    response = _post_raw(base, "/interpret", big)
    assert response.status_code == 422 and len(response.content) < 5000, len(response.content)
    assert "y" * 1000 not in response.text


def test_dns_rebinding_host_is_refused_without_a_token(serve):
    base = serve()
    port = base.rsplit(":", 1)[1]
    for host in ("evil.example.com", f"evil.example.com:{port}", f"127.0.0.1.nip.io:{port}",
                 f"localhost:{int(port) + 1}"):
        response = httpx.get(base + "/stacks", headers={"host": host}, timeout=30)
        assert response.status_code == 403, (host, response.text)
        response = _post_raw(base, "/propose", b'{"command": "delete database orders in prod"}',
                             host=host)
        assert response.status_code == 403
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        assert httpx.get(base + "/stacks", headers={"host": host}).status_code == 200


def test_healthz_reveals_no_path_to_unauthenticated_callers(serve, repo):
    for base, headers, shows in ((serve(), {}, False),
                                 (serve(token="t0ken"), {}, False),
                                 (serve(token="t0ken"), {"authorization": "Bearer wrong"}, False),
                                 (serve(token="t0ken"), {"authorization": "Bearer t0ken"}, True)):
        response = httpx.get(base + "/healthz", headers=headers)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert (str(repo) in response.text) == shows
        assert (repo.name in response.text) == shows


# ---------------------------------------------------------------------------------------------
# 8. a repository whose only branch is master, without a remote


def test_master_only_repository_proposes_against_master(repo, tmp_path):
    _git(repo, "branch", "-m", "main", "master")
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert "off master" in out.stdout and "proposing against master" in out.stderr
    steps = [line.strip() for line in out.stdout.splitlines() if line.startswith("  git ")]
    assert steps and not any("HEAD" in s for s in steps)
    branch = agentops_branches(repo)[0]
    for step in steps:  # the printed review steps work as printed
        if "agentops plan" in step:
            step = step.replace("agentops plan", f"{sys.executable} -m agentops plan")
        done = subprocess.run(step, shell=True, cwd=repo, capture_output=True, text=True)
        assert done.returncode == 0, (step, done.stderr)
    assert _git(repo, "symbolic-ref", "--short", "HEAD") == "master"
    assert branch in _git(repo, "log", "-1", "--format=%s")


def test_configured_base_branch_that_does_not_exist_is_refused(repo, tmp_path):
    (repo / ".agentops.yaml").write_text("base_branch: trunk\n")
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path)))
    clean_failure(out, "'trunk'", "main")
    assert agentops_branches(repo) == []


def test_remote_default_branch_is_the_base(repo, tmp_path):
    bare = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", "-b", "develop", str(bare))
    _git(repo, "branch", "develop")
    _git(repo, "remote", "add", "origin", str(bare))
    _git(repo, "push", "-q", "origin", "develop")
    _git(repo, "remote", "set-head", "origin", "develop")
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path)))
    assert out.returncode == 0, out.stderr
    assert "off develop" in out.stdout and "origin/develop" in out.stderr


# ---------------------------------------------------------------------------------------------
# 10. secrets: a policy over specs, redaction in plans and PRs, refused in commands


def _put_secret_env(repo: Path, stack: str = "dev") -> None:
    spec = repo / "stacks" / f"{stack}.yaml"
    spec.write_text(spec.read_text().replace("      LOG_LEVEL: debug\n",
                                             f"      LOG_LEVEL: debug\n      API_KEY: {SECRET}\n"))
    assert SECRET in spec.read_text()


def test_check_and_scan_report_a_plaintext_secret(repo):
    _put_secret_env(repo)
    for args in (["check"], ["scan"], ["check", "--format", "json"]):
        out = cli(repo, *args)
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert "no-plaintext-secrets" in out.stdout and "env API_KEY" in out.stdout
        assert SECRET not in out.stdout + out.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_plans_redact_plaintext_secrets(repo, fmt):
    _put_secret_env(repo)
    out = cli(repo, "plan", "--format", fmt)
    assert out.returncode == 0, out.stderr
    assert SECRET not in out.stdout and SECRET[:12] not in out.stdout
    assert "[redacted" in out.stdout


def test_pr_bodies_redact_a_secret_committed_by_hand(repo, tmp_path, monkeypatch):
    """A secret committed by hand (the team made the rule advisory) shows up in the plan of
    any change to that container, and in the plan of the rollback that removes it: both PR
    bodies carry the plan, redacted."""
    sys.path.insert(0, str(Path(__file__).parent))
    from fake_github import FakeGitHub

    from agentops.propose import propose
    from agentops.rollback import rollback
    from agentops.spec import Workspace

    (repo / ".agentops.yaml").write_text("policy:\n  no-plaintext-secrets: advisory\n")
    _put_secret_env(repo)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "a secret committed by hand")
    leak = _git(repo, "rev-parse", "HEAD")
    bare = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(bare))
    _git(repo, "remote", "add", "origin", "https://github.com/acme/infra.git")
    _git(repo, "config", "remote.origin.pushurl", str(bare))
    _git(repo, "push", "-q", "origin", "main")
    plan = ActionPlan(command="update api in dev to image ghcr.io/acme/api:1.9.0",
                      interpretation="Update api's image.",
                      actions=[Action(type="update", resource="deployment", name="api",
                                      stack="dev", parameters=Parameters(image="ghcr.io/acme/api:1.9.0"))])
    with FakeGitHub() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        result = propose(Workspace(repo), plan)
        undo = rollback(Workspace(repo), leak)
        bodies = [fake.state.pulls[n]["body"] for n in (1, 2)]
    assert result.pr_url and undo.pr_url
    assert all(SECRET not in body for body in bodies)
    assert "[redacted Stripe-style live/test key]" in bodies[1]  # the rollback's plan shows env
    for branch in (result.branch, undo.branch):
        assert SECRET not in _git(repo, "log", "-1", "--format=%B", branch)


def test_a_secret_typed_into_a_command_is_refused_before_anything(repo, tmp_path):
    command = f"set API_KEY of api in dev to {SECRET}"
    missing_model = {"AGENTOPS_MODEL": str(tmp_path / "no-such-model.gguf")}
    for args in (["propose", "--no-push", command], ["interpret", command]):
        out = cli(repo, *args, env=missing_model)  # refused before the model would load
        err = clean_failure(out, "looks like a secret", "pulumi config set --secret", "secret_env")
        assert SECRET not in err
    out = cli(repo, "propose", "--no-push", "--plan-file", str(plan_file(tmp_path, command)))
    clean_failure(out, "looks like a secret")
    assert agentops_branches(repo) == []
    assert not (repo / ".git" / "agentops" / "memory").exists()  # nothing remembered


@pytest.mark.parametrize("value", [
    "AKIAIOSFODNN7EXAMPLE", "sk-live-51HnQeLkD8aB3cF9gH2jK", SECRET,
    "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZkdISUpL",
])
def test_detector_flags_known_formats_and_random_tokens(value):
    from agentops.secrets import flagged, redact

    assert flagged(value)
    assert value not in redact(f"x={value} y")


@pytest.mark.parametrize("command", ["set DB_PASSWORD=hunter2hunter2 in api-config",
                                     "K=aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW on web"])
def test_a_secret_written_as_key_value_is_still_found(command):
    from agentops.secrets import flagged, redact

    assert flagged(command) and "hunter2hunter2" not in redact(command) and "aB3dE5fG7hJ9" not in redact(command)


@pytest.mark.parametrize("value", [
    "ghcr.io/acme/api:1.8.2", "ghcr.io/acme/api@sha256:" + "a3f1" * 16, "t3.medium",
    "550e8400-e29b-41d4-a716-446655440000", "ami-0abcdef1234567890", "us-east-1",
    "agentops/scale-api-in-dev-to-3-replicas", "0123456789abcdef0123456789abcdef01234567",
    "LOG_LEVEL=debug", "cron(0 5 * * ? *)", "https://example.com/path/to/thing",
    # Pulumi type tokens and identifiers: camel-case words, not random (found by the
    # mixed-kind plan benchmark: every bucket's access block was "redacted" in plans)
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "kubernetes:policy/v1:PodDisruptionBudget", "aws:elasticache/replicationGroup:ReplicationGroup",
    # a config entry written KEY=value (a written set's command was refused as a secret)
    "DEFAULT_BITRATE=128k", "MAX_PARTY_SIZE=5", "FEATURE_NEW_CHECKOUT_FLOW=enabled",
])
def test_detector_leaves_ordinary_values_alone(value):
    from agentops.secrets import flagged, redact

    assert flagged(value) is None and redact(value) == value


# ---------------------------------------------------------------------------------------------
# 11. memory: outside a repository nothing is written; a damaged table is rebuilt once


def test_outside_a_git_repository_propose_is_refused_first_and_writes_nothing(tmp_path):
    root = tmp_path / "plain"
    shutil.copytree(REPO_STACKS, root / "stacks")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    # With no model at all: the refusal must come before any model load.
    out = cli(root, "propose", "--no-push", "scale api in dev to 3 replicas",
              env={"AGENTOPS_MODEL": str(tmp_path / "no-such-model.gguf")})
    clean_failure(out, "not inside a git repository")
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert not (root / ".agentops").exists()


def test_memory_outside_a_repository_records_nothing(tmp_path):
    from agentops.memory import Memory

    memory = Memory(tmp_path, embedder=lambda text: [1.0, 0.0])
    memory.record("scale api", ActionPlan(command="scale api", interpretation=""), "proposed")
    assert memory.similar("scale api", vector=[1.0, 0.0]) == []
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_memory_table_is_set_aside_once_and_rebuilt(tmp_path, capfd):
    from agentops.memory import Memory, memory_dir

    _git(tmp_path, "init", "-q")
    vec = lambda text: [float(len(text)), 1.0, 0.5]  # noqa: E731 - a fixed embedding, real LanceDB
    plan = ActionPlan(command="scale api", interpretation="")
    Memory(tmp_path, embedder=vec).record("scale api", plan, "proposed")
    table = memory_dir(tmp_path) / "commands.lance"
    for data in (table / "data").glob("*.lance"):
        data.write_bytes(data.read_bytes()[:20])  # truncated, as by a crash or a full disk
    for manifest in (table / "_versions").glob("*.manifest"):
        manifest.write_bytes(manifest.read_bytes()[:10])
    capfd.readouterr()
    assert Memory(tmp_path, embedder=vec).similar("scale api", vector=vec("scale api")) == []
    first = capfd.readouterr().err
    assert first.count("warning:") == 1 and "damaged" in first
    assert list(table.parent.glob("commands.lance.damaged-*"))
    assert Memory(tmp_path, embedder=vec).similar("scale api", vector=vec("scale api")) == []
    assert capfd.readouterr().err == ""  # no warning on every later run
    memory = Memory(tmp_path, embedder=vec)
    memory.record("scale web", ActionPlan(command="scale web", interpretation=""), "proposed")
    assert [r.command for r in Memory(tmp_path, embedder=vec).similar("x", vector=vec("scale web"))] == ["scale web"]


def test_memory_never_stores_a_secret(tmp_path):
    from agentops.memory import Memory

    _git(tmp_path, "init", "-q")
    memory = Memory(tmp_path, embedder=lambda text: [1.0, 0.0])
    memory.record(f"set key {SECRET}", ActionPlan(command=f"set key {SECRET}", interpretation=""),
                  "failed: x")
    assert not memory.exists()


# ---------------------------------------------------------------------------------------------
# 12. an invalid container image reference fails check with file:line


@pytest.mark.parametrize("image", ["ghcr.io/acme/API:1.0", "api:1.2 3", "api@sha256:xyz",
                                   "ghcr.io//api:1", "api:", ":1.0", "api:-bad",
                                   "api@sha256:" + "a" * 63])
def test_invalid_image_reference_fails_check_with_file_line(repo, image):
    spec = repo / "stacks" / "dev.yaml"
    text = spec.read_text()
    line = text[: text.index("image: ghcr.io/acme/api:1.8.2")].count("\n") + 1
    spec.write_text(text.replace("image: ghcr.io/acme/api:1.8.2", f"image: {json.dumps(image)}"))
    for args in (["check"], ["plan"], ["cost"]):
        clean_failure(cli(repo, *args), f"stacks/dev.yaml:{line}:", "image")


@pytest.mark.parametrize("image", [
    "nginx", "nginx:1.27", "library/nginx:latest", "ghcr.io/acme/api:1.8.2",
    "localhost:5000/team/api:v2", "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:2024-01-01",
    "ghcr.io/acme/api@sha256:" + "ab" * 32, "ghcr.io/acme/api:1.0@sha256:" + "ab" * 32,
    "[::1]:5000/api:1", "my_registry.internal/a__b/c-d.e:TAG_1.0",
])
def test_valid_image_references_pass(image):
    from agentops.imageref import check_image_ref

    assert check_image_ref(image) == image


def test_ci_comments_and_drift_issues_are_redacted(repo, tmp_path):
    """What CI posts (the real preview's markdown, a drift report) goes through the same
    redaction, whatever produced the text."""
    sys.path.insert(0, str(Path(__file__).parent))
    from fake_github import FakeGitHub

    report = tmp_path / "preview.md"
    report.write_text(f"~ api env API_KEY: {SECRET}\n+ token ghp_{'a1B2c3D4e5' * 4}\n")
    with FakeGitHub() as fake:
        fake.state.issues[7] = {"number": 7, "title": "pr", "body": "", "labels": [], "state": "open"}
        env = {"GITHUB_TOKEN": fake.state.token, "GITHUB_API_URL": fake.url,
               "GITHUB_REPOSITORY": f"{fake.state.owner}/{fake.state.name}"}
        out = cli(repo, "pr-comment", "--pr", "7", str(report), env=env)
        assert out.returncode == 0, out.stderr
        drift = cli(repo, "drift-issue", "--stack", "prod", str(report), env=env)
        assert drift.returncode == 0, drift.stderr
        posted = [c["body"] for c in fake.state.comments.values()]
        posted += [i["body"] or "" for i in fake.state.issues.values()]
    assert posted and all(SECRET not in text and "ghp_" not in text for text in posted)
    assert any("[redacted Stripe-style live/test key]" in text for text in posted)
