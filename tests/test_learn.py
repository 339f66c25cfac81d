"""Learning from review: outcomes of proposals read from real git history (merge, squash,
reviewer amendment, revert, deleted branch, closed PR), the memory's schema and its rebuild,
history and suggest. Real git repositories in temp dirs, real LanceDB; no model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import make_stacks_repo
from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.edit import apply_plan
from agentops.learn import learn, refresh
from agentops.memory import SCHEMA_VERSION, Memory
from agentops.propose import commit_message



def _git(cwd: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                                if not (Path(p) / "gh").exists()))
    return make_stacks_repo(tmp_path / "infra", "Reviewer", "reviewer@example.com")


def plan_of(command: str, *actions: Action) -> ActionPlan:
    return ActionPlan(command=command, interpretation=command, actions=list(actions))


def scale(name="api", stack="dev", replicas=3) -> ActionPlan:
    return plan_of(f"scale {name} in {stack} to {replicas} replicas",
                   Action(type="scale", resource="deployment", name=name, stack=stack,
                          parameters=Parameters(replicas=replicas)))


def bucket(name="logs", stack="dev") -> ActionPlan:
    return plan_of(f"create a bucket named {name} in {stack}",
                   Action(type="create", resource="storage", name=name, stack=stack,
                          parameters=Parameters(kind="bucket")))


def proposal(repo: Path, plan: ActionPlan, branch: str | None = None) -> tuple[str, str]:
    """A proposal commit exactly as agentops.propose writes it (the specs edited by
    agentops.edit, the command and ActionPlan in the message) on agentops/<slug>."""
    from agentops.gitops import slugify

    branch = branch or f"agentops/{slugify(plan.command)}"
    _git(repo, "switch", "-q", "-c", branch, "main")
    texts = {p.stem: p.read_text() for p in (repo / "stacks").glob("*.yaml")}
    edit = apply_plan(plan, texts)
    for name, text in edit.texts.items():
        (repo / "stacks" / f"{name}.yaml").write_text(text)
    _git(repo, "add", "stacks")
    _git(repo, "commit", "-q", "-m", commit_message(f"agentops: {plan.command}", plan),
         env={"GIT_AUTHOR_NAME": "agentops", "GIT_AUTHOR_EMAIL": "agentops@localhost"})
    sha = _git(repo, "rev-parse", "HEAD")
    _git(repo, "switch", "-q", "main")
    return branch, sha


def merge(repo: Path, branch: str, how: str = "no-ff") -> str:
    if how == "no-ff":
        _git(repo, "merge", "-q", "--no-ff", branch, "-m", f"Merge branch '{branch}'")
    elif how == "ff":
        _git(repo, "merge", "-q", "--ff-only", branch)
    else:  # squash, as GitHub's button writes it: "<PR title> (#N)", the title the proposal's
        subject = _git(repo, "log", "--reverse", "--format=%s", f"main..{branch}").splitlines()[0]
        _git(repo, "merge", "-q", "--squash", branch)
        _git(repo, "commit", "-q", "-m", f"{subject} (#7)")
    return _git(repo, "rev-parse", "HEAD")


def edit_on(repo: Path, branch: str, stack: str, old: str, new: str, message: str) -> None:
    """A reviewer's fixup commit on the proposal branch."""
    _git(repo, "switch", "-q", branch)
    path = repo / "stacks" / f"{stack}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _git(repo, "commit", "-q", "-am", message)
    _git(repo, "switch", "-q", "main")


def by_command(repo: Path) -> dict:
    return {e.command: e for e in Memory(repo).entries()}


# ---------------------------------------------------------------------------------------------


def test_merged_unchanged_by_merge_fast_forward_and_squash(repo):
    b1, s1 = proposal(repo, scale(replicas=3))
    m1 = merge(repo, b1)
    b2, s2 = proposal(repo, scale("web", "staging", 5))
    merge(repo, b2, "ff")
    b3, s3 = proposal(repo, bucket("archive", "prod"))
    m3 = merge(repo, b3, "squash")
    report = learn(repo)
    entries = by_command(repo)
    assert report.counts == {"merged": 3}
    first = entries["scale api in dev to 3 replicas"]
    assert (first.outcome, first.sha, first.merge_sha, first.branch) == ("merged", s1, m1, b1)
    assert first.decided_by == "Reviewer" and first.example_line == first.plan_line
    assert entries["scale web in staging to 5 replicas"].merge_sha == _git(repo, "rev-parse", b2)
    squashed = entries["create a bucket named archive in prod"]
    assert squashed.outcome == "merged" and squashed.merge_sha == m3 and squashed.pr == "#7"


def test_reviewer_amendment_becomes_the_correction(repo):
    """The team prefixes bucket names; the reviewer renamed it on the branch before merging."""
    branch, sha = proposal(repo, bucket("logs", "dev"))
    edit_on(repo, branch, "dev", "\n  logs:", "\n  team-a-logs:", "review: team prefix")
    merge(repo, branch)
    learn(repo)
    entry = by_command(repo)["create a bucket named logs in dev"]
    assert entry.outcome == "amended"
    assert entry.plan_line == "create storage name=logs stack=dev kind=bucket"
    assert entry.correction_line == "create storage name=team-a-logs stack=dev kind=bucket"
    assert entry.example_line == entry.correction_line  # what the few-shot example teaches
    assert entry.correction.actions[0].name == "team-a-logs"


def test_squash_that_differs_from_the_proposal_is_amended(repo):
    branch, _ = proposal(repo, scale(replicas=3))
    edit_on(repo, branch, "dev", "replicas: 3", "replicas: 2", "review: 2 is enough")
    merge(repo, branch, "squash")
    learn(repo)
    entry = by_command(repo)["scale api in dev to 3 replicas"]
    assert entry.outcome == "amended"
    assert entry.correction_line == "scale deployment name=api stack=dev replicas=2"


def test_revert_with_reason_and_the_warning_it_gives(repo, scripted):
    branch, _ = proposal(repo, scale(replicas=3))
    merged = merge(repo, branch)
    _git(repo, "revert", "--no-edit", "-m", "1", merged)
    _git(repo, "commit", "-q", "--amend", "-m",
         _git(repo, "log", "-1", "--format=%B") + "\n\nReason: api ran out of memory at 3 replicas")
    revert = _git(repo, "rev-parse", "HEAD")
    learn(repo)
    entry = by_command(repo)["scale api in dev to 3 replicas"]
    assert (entry.outcome, entry.revert_sha) == ("reverted", revert)
    assert entry.reason == "api ran out of memory at 3 replicas"
    assert entry.example_line is None  # never a few-shot example
    # A new command on the same resource, the same way: the plan says what happened before.
    from agentops.spec import Workspace

    plan = scripted("scale deployment name=api stack=dev replicas=4").interpret(
        "scale api in dev to 4 replicas", Workspace(repo))
    day = entry.decided_at[:10]
    assert any(w.startswith(f"a similar change was reverted on {day} in {revert[:7]}: "
                            "api ran out of memory at 3 replicas") for w in plan.warnings)
    other = scripted("scale deployment name=web stack=dev replicas=4").interpret(
        "scale web in dev to 4 replicas", Workspace(repo))
    assert not any("similar change" in w for w in other.warnings)


def test_a_revert_that_is_itself_reverted_restores_merged(repo):
    branch, _ = proposal(repo, scale(replicas=3))
    merged = merge(repo, branch)
    _git(repo, "revert", "--no-edit", "-m", "1", merged)
    _git(repo, "revert", "--no-edit", "HEAD")
    learn(repo)
    assert by_command(repo)["scale api in dev to 3 replicas"].outcome == "merged"


def test_deleted_branch_is_rejected_open_stays_open(repo):
    from agentops.propose import propose
    from agentops.spec import Workspace

    result = propose(Workspace(repo), scale(replicas=5), publish=False)  # real propose: row at once
    opened, _ = proposal(repo, scale("web", "dev", 2))
    entries = by_command(repo)
    assert entries["scale api in dev to 5 replicas"].outcome == "open"
    assert entries["scale api in dev to 5 replicas"].sha == result.commit
    _git(repo, "branch", "-D", result.branch)
    learn(repo)
    entries = by_command(repo)
    gone = entries["scale api in dev to 5 replicas"]
    assert gone.outcome == "rejected" and "deleted" in gone.reason
    assert entries["scale web in dev to 2 replicas"].outcome == "open"
    assert entries["scale web in dev to 2 replicas"].branch == opened


def test_pull_request_closed_unmerged_is_rejected(repo, tmp_path, monkeypatch):
    from fake_github import FakeGitHub

    bare = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(bare))
    _git(repo, "remote", "add", "origin", "https://github.com/acme/infra.git")
    _git(repo, "config", "remote.origin.pushurl", str(bare))
    with FakeGitHub() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        from agentops.propose import propose
        from agentops.spec import Workspace

        result = propose(Workspace(repo), scale(replicas=6))
        assert result.pr_url
        learn(repo)
        assert by_command(repo)["scale api in dev to 6 replicas"].outcome == "open"
        fake.close(1)
        learn(repo)  # the branch still exists locally: only the forge knows
        entry = by_command(repo)["scale api in dev to 6 replicas"]
        assert entry.outcome == "rejected" and entry.pr == result.pr_url
        assert "closed unmerged" in entry.reason


def test_hand_edits_are_recorded_fixups_are_not(repo):
    path = repo / "stacks" / "prod.yaml"
    text = path.read_text()
    path.write_text(text.replace("replicas: 4", "replicas: 6", 1))
    _git(repo, "commit", "-q", "-am", "prod api needs 6 for the sale")
    branch, _ = proposal(repo, scale(replicas=3))
    edit_on(repo, branch, "dev", "replicas: 3", "replicas: 2", "fixup")
    merge(repo, branch)
    learn(repo)
    hand = [e for e in Memory(repo).entries() if e.kind == "hand-edit"]
    assert [h.command for h in hand] == ["prod api needs 6 for the sale"]
    assert hand[0].correction_line == "scale deployment name=api stack=prod replicas=6"
    assert hand[0].example_line is None


def test_learn_is_idempotent_and_refresh_is_cheap(repo):
    branch, _ = proposal(repo, scale(replicas=3))
    merge(repo, branch)
    first = learn(repo)
    rows = Memory(repo).entries()
    second = learn(repo)
    assert (first.changed, second.changed) == (1, 0)
    assert Memory(repo).entries() == rows  # same rows, same recorded_at
    assert refresh(repo).skipped  # refs unchanged: nothing read but the refs
    proposal(repo, scale("web", "dev", 2))
    again = refresh(repo)
    assert not again.skipped and again.changed == 1


def test_two_concurrent_learns(repo):
    for n in range(4):
        branch, _ = proposal(repo, scale(replicas=n + 2))
        merge(repo, branch)
    procs = [subprocess.Popen([sys.executable, "-m", "agentops", "learn", "--json"], cwd=repo,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    reports = [json.loads(o[0]) for o in outs]
    assert all(r["entries"] == 4 for r in reports)
    assert sorted(r["changed"] for r in reports) == [0, 4]  # the second found it done
    assert len(Memory(repo).entries()) == 4


def test_damaged_table_is_rebuilt_from_history(repo):
    branch, _ = proposal(repo, scale(replicas=3))
    merge(repo, branch)
    learn(repo)
    table = Memory(repo).path / "outcomes.lance"
    for f in table.rglob("*"):
        if f.is_file():
            f.write_bytes(b"not a lance file")
    # A reader finds it damaged (the interpreter's memory use): the next refresh, though no
    # ref moved, is a full pass that rebuilds it from history.
    from agentops.memory import DamagedMemory

    with pytest.raises(DamagedMemory):
        Memory(repo).entries()
    report = refresh(repo)
    assert report.rebuilt and not report.skipped
    assert by_command(repo)["scale api in dev to 3 replicas"].outcome == "merged"


def test_v1_memory_is_migrated(repo):
    """A v1 table (vectors and a one-time outcome per row): failures are carried over, the
    vectors kept, proposals learned again from git."""
    from agentops.examples import connect

    memory = Memory(repo)
    memory.path.mkdir(parents=True)
    plan = scale(replicas=9)
    connect(memory.path).create_table("commands", data=[
        {"vector": [0.1, 0.2], "command": plan.command, "plan_line": "x", "plan_json": plan.model_dump_json(),
         "outcome": "failed: no deployment named ghost", "recorded_at": "2026-01-01T00:00:00+00:00"},
        {"vector": [0.3, 0.4], "command": "restart web in dev", "plan_line": "y", "plan_json": plan.model_dump_json(),
         "outcome": "proposed agentops/restart-web-in-dev", "recorded_at": "2026-01-01T00:00:00+00:00"},
    ])
    assert memory.schema_version() == 1
    learn(repo)
    assert memory.schema_version() == SCHEMA_VERSION
    entries = memory.entries()
    assert [(e.command, e.outcome, e.reason) for e in entries] == [
        (plan.command, "failed", "no deployment named ghost")]
    assert memory._vector_commands() == {plan.command, "restart web in dev"}


def test_history_cli_filters_and_json(repo):
    b1, _ = proposal(repo, scale(replicas=3))
    merge(repo, b1)
    b2, _ = proposal(repo, bucket("logs", "prod"))
    env = {**os.environ}
    run = lambda *a: subprocess.run([sys.executable, "-m", "agentops", *a], cwd=repo,  # noqa: E731
                                    capture_output=True, text=True, env=env)
    out = run("history", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {(r["command"], r["outcome"]) for r in rows} == {
        ("scale api in dev to 3 replicas", "merged"), ("create a bucket named logs in prod", "open")}
    merged = next(r for r in rows if r["outcome"] == "merged")
    assert merged["time_to_merge"] and merged["decided_by"] == "Reviewer"
    only = json.loads(run("history", "--json", "--stack", "production").stdout)
    assert [r["command"] for r in only] == ["create a bucket named logs in prod"]
    text = run("history", "--outcome", "merged")
    assert "scale api in dev to 3 replicas" in text.stdout and "logs" not in text.stdout
    bad = run("history", "--outcome", "lost")
    assert bad.returncode != 0 and "unknown outcome 'lost'" in bad.stderr and "Traceback" not in bad.stderr


def test_suggest_from_specs_and_merged_commands(repo):
    from agentops.suggest import Suggester

    b1, _ = proposal(repo, scale(replicas=3))
    merge(repo, b1)
    b2, _ = proposal(repo, scale("web", "dev", 7))
    merge(repo, b2)
    _git(repo, "revert", "--no-edit", "-m", "1", "HEAD")
    suggest = Suggester(repo)
    texts = [s.text for s in suggest("scale a")]
    assert texts[0] == "scale api in dev to 3 replicas"  # merged before: whole command first
    assert "scale web in dev to 7 replicas" not in [s.text for s in suggest("scale w")]  # reverted
    assert "scale api" in texts
    assert [s.text for s in suggest("res")] == ["restart"]
    stacks = [s.text for s in suggest("scale api in pr")]
    assert stacks == ["scale api in prod"]
    values = suggest("scale api in prod to ")
    assert any(s.source == "value" and s.text.startswith("scale api in prod to ") and "now replicas=" in s.detail
               for s in values)
    # A spec edit is seen at once (the cache is keyed by the specs' mtimes).
    path = repo / "stacks" / "dev.yaml"
    path.write_text(path.read_text().replace("\n  api:", "\n  payments:", 1))
    assert any(s.text == "restart payments" for s in suggest("restart pay"))
    out = subprocess.run([sys.executable, "-m", "agentops", "suggest", "--json", "scale api in pr"],
                         cwd=repo, capture_output=True, text=True)
    assert out.returncode == 0 and json.loads(out.stdout)[0]["text"] == "scale api in prod"


class WordsEmbedder:
    """A deterministic bag-of-words sentence vector (hashed words), standing in for the GGUF's
    vectors so that the selection logic around the vector search is tested without the model."""

    DIM = 64

    def __call__(self, text: str) -> list[float]:
        import math
        import zlib

        vec = [0.0] * self.DIM
        for word in text.lower().split():
            vec[zlib.crc32(word.encode()) % self.DIM] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]


def test_few_shot_candidates_corrections_first_never_reverted_or_rejected(repo):
    b1, _ = proposal(repo, bucket("logs", "dev"))
    edit_on(repo, b1, "dev", "\n  logs:", "\n  team-a-logs:", "review: team prefix")
    merge(repo, b1)
    b2, _ = proposal(repo, bucket("cache", "dev"))
    merge(repo, b2)
    b3, _ = proposal(repo, bucket("tmp", "dev"))
    merge(repo, b3)
    _git(repo, "revert", "--no-edit", "-m", "1", "HEAD")
    proposal(repo, bucket("open", "dev"))
    learn(repo)
    memory = Memory(repo, WordsEmbedder())
    assert memory.embed_candidates() == 2  # merged + amended only: vectors for what can teach
    assert memory.embed_candidates() == 0
    shots = memory.examples_for("create a bucket named reports in dev", 3)
    assert [(s.command, s.plan) for s in shots] == [
        ("create a bucket named logs in dev", "create storage name=team-a-logs stack=dev kind=bucket"),
        ("create a bucket named cache in dev", "create storage name=cache stack=dev kind=bucket"),
    ]


def test_rollback_reason_is_learned(repo):
    from agentops.rollback import rollback
    from agentops.spec import Workspace

    branch, _ = proposal(repo, scale(replicas=3))
    merged = merge(repo, branch)
    result = rollback(Workspace(repo), merged, publish=False, reason="latency doubled")
    merge(repo, result.branch)
    learn(repo)
    entry = by_command(repo)["scale api in dev to 3 replicas"]
    assert entry.outcome == "reverted" and entry.reason == "latency doubled"
    rows = {e.command: e for e in Memory(repo).entries()}
    assert not any(e.kind == "hand-edit" for e in rows.values())  # the revert is no hand edit


def test_a_naming_convention_learned_from_review_passes_the_guard(repo, scripted):
    """Reviewers prefixed a new bucket's name; a later create may carry that prefix in front
    of the name the command says, and nothing else the command does not say."""
    from agentops.spec import Workspace

    line = "create storage name=plat-invoices stack=dev kind=bucket"
    before = scripted(line).interpret("create a bucket named invoices in dev", Workspace(repo))
    assert before.actions[0].name == "invoices"  # the prefix not said, not learned: the name said
    branch, _ = proposal(repo, bucket("logs", "dev"))
    edit_on(repo, branch, "dev", "\n  logs:", "\n  plat-logs:", "review: team prefix")
    merge(repo, branch)
    assert Memory(repo).name_prefixes() == []  # not learned until learn runs
    after = scripted(line).interpret("create a bucket named invoices in dev", Workspace(repo))
    assert after.actions[0].name == "plat-invoices"  # interpret's own refresh learned it
    assert any("naming convention" in w for w in after.warnings)
    other = scripted("create storage name=plat-reports stack=dev kind=bucket").interpret(
        "create a bucket named invoices in dev", Workspace(repo))
    assert other.actions[0].name == "invoices"  # the prefix, but not the name said: the name said


def test_a_naming_convention_shown_twice_is_applied_to_new_resources(repo, scripted):
    from agentops.spec import Workspace

    line = "create storage name=invoices stack=dev kind=bucket"
    command = "create a bucket named invoices in dev"
    for n, name in enumerate(("logs", "exports")):
        branch, _ = proposal(repo, bucket(name, "dev"))
        edit_on(repo, branch, "dev", f"\n  {name}:", f"\n  plat-{name}:", "review: team prefix")
        merged = merge(repo, branch)
        plan = scripted(line).interpret(command, Workspace(repo))
        if n == 0:  # one correction is not yet a convention
            assert plan.actions[0].name == "invoices"
    assert plan.actions[0].name == "plat-invoices"
    assert any(w.startswith("named plat-invoices, not invoices: reviewers added the prefix 'plat-' "
                            f"to new storage names in 2 merged changes (last: {merged[:7]})")
               for w in plan.warnings)
    # another type, an existing resource: untouched
    db = scripted("create database name=users stack=dev engine=postgres").interpret(
        "create a postgres database called users in dev", Workspace(repo))
    assert db.actions[0].name == "users"
    scaled = scripted("scale deployment name=api stack=dev replicas=2").interpret(
        "scale api in dev to 2 replicas", Workspace(repo))
    assert scaled.actions[0].name == "api"


def test_approvers_come_from_the_merged_pull_request(repo, tmp_path, monkeypatch):
    from fake_github import FakeGitHub

    _git(repo, "remote", "add", "origin", "https://github.com/acme/infra.git")
    with FakeGitHub() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        from agentops.forge import Forge

        branch, _ = proposal(repo, scale(replicas=3))
        forge = Forge.from_remote("https://github.com/acme/infra.git")
        pr = forge.open_pull_request(branch, "main", "agentops: scale", "body", [])
        merged = merge(repo, branch)
        fake.merge(pr.number, merged)
        fake.review(pr.number, "alice", "APPROVED")
        learn(repo)
        entry = by_command(repo)["scale api in dev to 3 replicas"]
        assert (entry.pr, entry.approvers) == (pr.url, "alice")
        calls = len(fake.state.requests)
        learn(repo)  # asked once per merge commit
        assert not any("/pulls" in path and "commits" in path for _, path in fake.state.requests[calls:])
