"""The HTTP API, served by a real uvicorn on loopback and called over real HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.server import create_app
from tests.gitrepo import make_stacks_repo
from tests.loopback import serving

TOKEN = "s3cr3t-token"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    return make_stacks_repo(tmp_path_factory.mktemp("api") / "infra")


@pytest.fixture(scope="module")
def server(repo, interpreter):
    """The server on loopback with a bearer token; yields its base URL."""
    with serving(lambda port: create_app(repo, token=TOKEN, interpreter=interpreter)) as (base, _):
        yield base


def client(base: str, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=base, headers=headers, timeout=60)


def test_health_needs_no_token(server):
    response = client(server, token=None).get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.parametrize("token", [None, "wrong"])
def test_missing_or_wrong_token_is_refused(server, token):
    response = client(server, token=token).get("/stacks")
    assert response.status_code == 401


def test_stacks_lists_resources_by_section(server):
    stacks = {s["name"]: s for s in client(server).get("/stacks").json()}
    assert set(stacks) == {"dev", "staging", "prod"}
    assert stacks["prod"]["resources"]["deployments"] == ["api", "web"]


def test_plan_of_an_unchanged_tree_has_no_changes(server):
    response = client(server).post("/plan", json={"base": "HEAD"})
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] and all(not s["changes"] for s in body["stacks"])


def test_unknown_stack_is_404_with_hint(server):
    response = client(server).post("/plan", json={"base": "HEAD", "stacks": ["qa"]})
    assert response.status_code == 404
    assert "unknown stack 'qa'" in response.json()["error"]
    assert "dev, prod, staging" in response.json()["hint"]


def test_propose_a_plan_makes_a_branch(server, repo):
    plan = ActionPlan(
        command="scale web in staging to 3 replicas",
        interpretation="Scale web in staging to 3 replicas.",
        actions=[Action(type="scale", resource="deployment", name="web", stack="staging",
                        parameters=Parameters(replicas=3))],
    )
    response = client(server).post("/propose", json={"plan": plan.model_dump(mode="json")})
    assert response.status_code == 200, response.text
    branch = response.json()["branch"]
    assert branch.startswith("agentops/")
    shown = subprocess.run(["git", "show", f"{branch}:stacks/staging.yaml"], cwd=repo,
                           check=True, capture_output=True, text=True).stdout
    assert "replicas: 3" in shown
    # The user's checkout stays on main, untouched.
    head = subprocess.run(["git", "symbolic-ref", "--short", "HEAD"], cwd=repo,
                          capture_output=True, text=True).stdout.strip()
    assert head == "main"


def test_propose_needs_exactly_one_of_command_or_plan(server):
    response = client(server).post("/propose", json={})
    assert response.status_code == 422


def test_bad_plan_name_is_a_clear_422(server):
    plan = ActionPlan(
        command="restart nothing", interpretation="Restart ghost.",
        actions=[Action(type="restart", resource="deployment", name="ghost", stack="dev")],
    )
    response = client(server).post("/propose", json={"plan": plan.model_dump(mode="json")})
    assert response.status_code == 422
    assert "ghost" in response.json()["error"]


@pytest.mark.model
def test_interpret_over_http_is_the_model_plan_with_computed_risk(server):
    response = client(server).post("/interpret", json={"command": "Delete all production databases"})
    assert response.status_code == 200, response.text
    plan = response.json()
    assert [a["type"] for a in plan["actions"]] == ["delete"]
    assert plan["risk_level"] == "critical" and plan["confirmation_required"] is True


def test_blank_command_is_a_clear_422(server):
    response = client(server).post("/interpret", json={"command": "   "})
    assert response.status_code == 422
    assert "empty" in response.json()["error"]


def test_suggest_completes_from_the_specs(server):
    response = client(server).get("/suggest", params={"q": "scale api in pr"})
    assert response.status_code == 200
    assert response.json()[0] == {"text": "scale api in prod", "source": "stack", "detail": "has api"}
    assert client(server, token=None).get("/suggest", params={"q": "x"}).status_code == 401
