"""The GitHub client against a local HTTP server that answers the REST endpoints it uses."""

from __future__ import annotations

import pytest

from agentops.forge import (
    GITHUB_LIMIT,
    PREVIEW_MARKER,
    Forge,
    ForgeError,
    RepoRef,
    fit,
    github_token,
    parse_remote,
)
from fake_github import FakeGitHub


@pytest.fixture
def fake():
    with FakeGitHub() as server:
        yield server


@pytest.fixture
def forge(fake):
    return Forge(RepoRef("github.com", "acme", "infra", fake.url), fake.state.token)


@pytest.mark.parametrize("url", [
    "https://github.com/acme/infra.git",
    "https://github.com/acme/infra",
    "git@github.com:acme/infra.git",
    "ssh://git@github.com/acme/infra.git",
    "https://x-access-token:abc@github.com/acme/infra.git",
])
def test_parse_remote_github_forms(url):
    ref = parse_remote(url, env={})
    assert (ref.owner, ref.name, ref.api_url) == ("acme", "infra", "https://api.github.com")


def test_parse_remote_enterprise_and_non_github():
    env = {"GITHUB_API_URL": "https://ghe.corp.example/api/v3"}
    ref = parse_remote("git@ghe.corp.example:platform/infra.git", env=env)
    assert ref.full_name == "platform/infra" and ref.api_url == "https://ghe.corp.example/api/v3"
    assert parse_remote("git@gitlab.com:acme/infra.git", env={}) is None
    assert parse_remote("/srv/git/infra.git", env={}) is None
    assert parse_remote("https://github.com/acme", env={}) is None


def test_token_from_env(monkeypatch, tmp_path):
    assert github_token({"GITHUB_TOKEN": "t1"}) == "t1"
    assert github_token({"GH_TOKEN": "t2"}) == "t2"
    # No env token and no gh CLI on PATH: none.
    monkeypatch.setenv("PATH", str(tmp_path))
    assert github_token({}) is None


def test_token_from_gh_cli(monkeypatch, tmp_path):
    gh = tmp_path / "gh"
    gh.write_text("#!/bin/sh\n[ \"$1 $2\" = 'auth token' ] && echo gho_fromcli\n")
    gh.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert github_token({}) == "gho_fromcli"


def test_open_pull_request_with_labels(fake, forge):
    pr = forge.open_pull_request("agentops/scale-api", "main", "scale api", "body",
                                 ["agentops", "risk:medium"])
    assert pr.number == 1 and pr.url.endswith("/pull/1")
    stored = fake.state.pulls[1]
    assert stored["head"]["ref"] == "agentops/scale-api" and stored["base"]["ref"] == "main"
    assert [lb["name"] for lb in stored["labels"]] == ["agentops", "risk:medium"]


def test_huge_body_is_fitted(fake, forge):
    body = "## Summary\nkeep me\n\n" + "\n".join(f"line {i} " + "x" * 80 for i in range(5000))
    forge.open_pull_request("agentops/big", "main", "big", body, [])
    stored = fake.state.pulls[1]["body"]
    assert len(stored) <= GITHUB_LIMIT
    assert stored.startswith("## Summary\nkeep me") and "trimmed" in stored


def test_fit_closes_open_blocks():
    text = "<details>\n```\n" + "y\n" * 40000
    out = fit(text)
    assert len(out) <= GITHUB_LIMIT
    assert out.count("```") % 2 == 0 and out.count("</details>") == 1


def test_comment_is_updated_in_place(fake, forge):
    pr = forge.open_pull_request("agentops/a", "main", "a", "b", [])
    first = forge.upsert_comment(pr.number, "preview 1")
    second = forge.upsert_comment(pr.number, "preview 2" + "z" * 70000)
    assert first == second
    comments = list(fake.state.comments.values())
    assert len(comments) == 1
    assert comments[0]["body"].startswith(PREVIEW_MARKER + "\npreview 2")
    assert len(comments[0]["body"]) <= GITHUB_LIMIT


def test_merged_change_reports_reviews_with_their_commits(fake, forge):
    from agentops.gate import review_verdicts

    pr = forge.open_pull_request("agentops/a", "main", "a", "b", ["agentops", "risk:critical"])
    fake.state.pulls[pr.number]["head"]["sha"] = "1" * 40
    fake.review(pr.number, "dora", "APPROVED")  # on the first head
    fake.state.pulls[pr.number]["head"]["sha"] = "2" * 40  # a later push
    fake.merge(pr.number, "abc123")
    fake.review(pr.number, "alice", "APPROVED")
    fake.review(pr.number, "bob", "APPROVED")
    fake.review(pr.number, "bob", "CHANGES_REQUESTED")  # bob's latest word counts
    fake.review(pr.number, "carol", "COMMENTED")
    fake.review(pr.number, "agentops-bot", "APPROVED")  # the author cannot approve
    change = forge.merged_change("abc123")
    assert change.number == pr.number and change.risk_level == "critical"
    assert change.author == "agentops-bot" and change.head_sha == "2" * 40
    assert [(r.reviewer, r.state, r.commit_id[0]) for r in change.reviews] == [
        ("dora", "APPROVED", "1"), ("alice", "APPROVED", "2"), ("bob", "APPROVED", "2"),
        ("bob", "CHANGES_REQUESTED", "2"), ("carol", "COMMENTED", "2"),
        ("agentops-bot", "APPROVED", "2")]
    counted = [v.reviewer for v in review_verdicts(change) if v.counted]
    assert counted == ["alice"]
    assert forge.merged_change("def456") is None


def test_team_members(fake, forge):
    fake.state.teams[("acme", "dba")] = ["erin", "frank"]
    assert forge.team_members("acme", "dba") == ["erin", "frank"]
    assert forge.team_members("acme", "nobody") is None  # unreadable or missing: not a member


def test_drift_issue_opened_once_then_updated(fake, forge):
    url1 = forge.upsert_issue("Drift in prod", "first")
    url2 = forge.upsert_issue("Drift in prod", "second")
    assert url1 == url2
    issues = [i for i in fake.state.issues.values() if i["pull_request"] is None]
    assert len(issues) == 1 and issues[0]["body"] == "second"


def test_refusal_is_a_clear_error(fake, forge):
    fake.state.fail["POST /pulls"] = 403
    with pytest.raises(ForgeError, match="403 injected failure"):
        forge.open_pull_request("agentops/a", "main", "a", "b", [])


def test_bad_token_is_a_clear_error(fake):
    forge = Forge(RepoRef("github.com", "acme", "infra", fake.url), "wrong")
    with pytest.raises(ForgeError, match="401"):
        forge.upsert_issue("t", "b")
