"""The apply gate decides from what was merged: real git repositories (a bare remote in a temp
dir), the local GitHub server (tests/fake_github.py) reading PR heads and commits from that
remote, and the offline plan of the merged head. No `pulumi` CLI: the gate runs before it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.apply import ApprovalMissing, apply
from agentops.forge import Forge, RepoRef
from agentops.gate import check_approvals, review_verdicts
from agentops.propose import commit_message
from agentops.rollback import rollback
from agentops.spec import Workspace
from fake_github import FakeGitHub

REPO_STACKS = Path(__file__).resolve().parents[1] / "stacks"
PEOPLE = {"dave": "dave@example.com", "bob": "bob@example.com", "carol": "carol@example.com",
          "tester": "tester@example.com"}


def _git(cwd: Path, *args: str, who: str | None = None, committer: str | None = None) -> str:
    env = dict(os.environ)
    if who:
        committer = committer or who
        env.update(GIT_AUTHOR_NAME=who, GIT_AUTHOR_EMAIL=PEOPLE[who],
                   GIT_COMMITTER_NAME=committer, GIT_COMMITTER_EMAIL=PEOPLE[committer])
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


@pytest.fixture
def gh(tmp_path, monkeypatch):
    """A repository on main with the three stacks, its bare remote, and the GitHub server."""
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = tmp_path / "infra"
    (root / "stacks").mkdir(parents=True)
    for name in ("dev", "staging", "prod"):
        shutil.copy(REPO_STACKS / f"{name}.yaml", root / "stacks" / f"{name}.yaml")
    (root / ".github").mkdir()
    (root / ".github" / "CODEOWNERS").write_text(
        "*  @acme/platform\n/stacks/prod.yaml  @carol @acme/dba\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "tester")
    _git(root, "config", "user.email", PEOPLE["tester"])
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "stacks")
    bare = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(bare))
    _git(root, "remote", "add", "origin", "https://github.com/acme/infra.git")
    _git(root, "config", "remote.origin.pushurl", str(bare))
    _git(root, "push", "-q", "origin", "main")
    with FakeGitHub() as fake:
        fake.state.git_dir = str(bare)
        fake.state.logins = {email: login for login, email in PEOPLE.items()}
        fake.state.pr_author = "dave"
        fake.state.teams[("acme", "dba")] = ["erin"]
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        fake.root = root
        fake.forge = Forge(RepoRef("github.com", "acme", "infra", fake.url), fake.state.token)
        yield fake


def edit(root: Path, stack: str, *change) -> None:
    """Replace old with new in stacks/<stack>.yaml: edit(root, stack, old, new) or
    edit(root, stack, [(old, new), ...])."""
    pairs = change[0] if len(change) == 1 else [change]
    spec = root / "stacks" / f"{stack}.yaml"
    text = spec.read_text()
    for old, new in pairs:
        assert old in text, f"{old!r} not in {stack}.yaml"
        text = text.replace(old, new, 1)
    spec.write_text(text)


# The orders database and the alarm on it, gone from prod (a valid spec: the plan runs).
DELETE_ORDERS = [("""databases:
  orders:
    engine: postgres
    engine_version: "16"
    instance_class: db.m5.large
    storage_gb: 200
    backup_retention_days: 14
    deletion_protection: true
    multi_az: true
    network: core
    backup:
      schedule: cron(0 5 * * ? *)
      retention_days: 35
""", ""), ("""  orders-cpu:
    target: orders
    metric: cpu
    threshold: 75
""", "")]


def open_pr(gh, branch: str, commits: list[tuple], labels=(), author="dave") -> int:
    """A branch off main with one commit per (stack, (old, new) or [(old, new), ...], message),
    pushed, and a PR."""
    root = gh.root
    _git(root, "switch", "-q", "-c", branch, "main")
    for stack, change, message in commits:
        edit(root, stack, change if isinstance(change, list) else [change])
        _git(root, "commit", "-qam", message, who=author)
    _git(root, "push", "-q", "origin", branch)
    _git(root, "switch", "-q", "main")
    pr = gh.forge.open_pull_request(branch, "main", branch, "body", list(labels))
    return pr.number


def push_commit(gh, branch: str, stack: str, change: tuple, message: str, who: str,
                committer: str | None = None) -> str:
    root = gh.root
    _git(root, "switch", "-q", branch)
    edit(root, stack, change if isinstance(change, list) else [change])
    _git(root, "commit", "-qam", message, who=who, committer=committer)
    _git(root, "push", "-q", "origin", branch)
    _git(root, "switch", "-q", "main")
    return _git(root, "rev-parse", branch)


def merge(gh, number: int, branch: str, how: str = "merge") -> tuple[str, str]:
    """Merge the PR's branch into main as GitHub would (merge commit or squash); (before, after)."""
    root = gh.root
    before = _git(root, "rev-parse", "main")
    if how == "merge":
        _git(root, "merge", "-q", "--no-ff", "-m", f"Merge pull request #{number}", branch)
    else:
        _git(root, "merge", "-q", "--squash", branch)
        title, _, rest = _git(root, "log", "-1", "--format=%B", branch).partition("\n")
        _git(root, "commit", "-q", "-m", f"{title} (#{number})\n{rest}")
    _git(root, "push", "-q", "origin", "main")
    after = _git(root, "rev-parse", "main")
    gh.merge(number, after)
    return before, after


def gate(gh, before: str, after: str):
    return check_approvals(Workspace(gh.root), after, forge=gh.forge, range_base=before)


def source(decision, name: str):
    return next(s for s in decision.level.sources if s.source == name)


# ---------------------------------------------------------------------------------------------
# The level comes from the merged diff; labels and messages can only raise it


def test_mislabelled_pr_deleting_a_prod_database_is_critical(gh):
    n = open_pr(gh, "drop-orders", [("prod", DELETE_ORDERS, "tidy up prod")], labels=["risk:low"])
    gh.review(n, "bob", "APPROVED")
    before, after = merge(gh, n, "drop-orders")
    decision = gate(gh, before, after)
    assert decision.level.level.value == "critical" and decision.needed == 2
    assert "diff" in decision.level.decided_by() and "label" not in decision.level.decided_by()
    assert source(decision, "label").level.value == "low"
    assert any("delete databases.orders in prod" in r for r in source(decision, "diff").reasons)
    assert decision.level.diff.shape.startswith("merge commit")
    assert not decision.passed and "1 approval(s) on its merged head; 2 needed" in decision.why
    # A second approver on the merged head lets it through.
    gh.review(n, "carol", "APPROVED")
    assert gate(gh, before, after).passed


def test_forged_commit_message_does_not_lower_the_level(gh):
    low = ActionPlan(command="scale api in dev to 2 replicas", interpretation="scale",
                     actions=[Action(type="scale", resource="deployment", name="api", stack="dev",
                                     parameters=Parameters(replicas=2))])
    message = commit_message("agentops: scale api in dev to 2 replicas", low)
    n = open_pr(gh, "forged", [("prod", DELETE_ORDERS, message)])
    before, after = merge(gh, n, "forged", how="squash")
    decision = gate(gh, before, after)
    assert source(decision, "message").level.value == "medium"
    assert decision.level.level.value == "critical" and decision.needed == 2
    assert not decision.passed


def test_label_and_message_can_raise_the_level(gh):
    # A dev scale is medium by the diff (no approval); the label claims critical: critical.
    n = open_pr(gh, "dev-scale", [("dev", ("replicas: 1", "replicas: 3"), "scale api in dev")],
                labels=["risk:critical"])
    before, after = merge(gh, n, "dev-scale")
    decision = gate(gh, before, after)
    assert source(decision, "diff").level.value == "medium"
    assert decision.level.level.value == "critical" and decision.level.decided_by() == ["label"]
    assert not decision.passed


# ---------------------------------------------------------------------------------------------
# Which approvals count


def test_stale_approval_on_an_earlier_commit_does_not_count(gh):
    n = open_pr(gh, "two-steps", [("dev", ("replicas: 1", "replicas: 3"), "harmless dev change")])
    first = gh.head_sha(n)
    gh.review(n, "bob", "APPROVED")  # on the harmless first commit
    push_commit(gh, "two-steps", "prod", ("replicas: 4", "replicas: 9"), "and prod too", who="dave")
    before, after = merge(gh, n, "two-steps")
    decision = gate(gh, before, after)
    assert decision.level.level.value == "high" and decision.needed == 1
    bob = next(r for r in decision.reviews if r.reviewer == "bob")
    assert not bob.counted and bob.commit == first and "not on the merged head" in bob.why
    assert not decision.passed
    gh.review(n, "bob", "APPROVED", commit_id=gh.state.pulls[n]["head"]["sha"])
    assert gate(gh, before, after).passed


def test_self_approval_does_not_count(gh):
    n = open_pr(gh, "self", [("prod", ("replicas: 4", "replicas: 6"), "scale prod")])
    gh.review(n, "dave", "APPROVED")  # the PR's author
    before, after = merge(gh, n, "self")
    decision = gate(gh, before, after)
    assert decision.reviews[0].reviewer == "dave" and not decision.reviews[0].counted
    assert "the PR's author cannot approve it" in decision.reviews[0].why
    assert not decision.passed


def test_approval_by_the_last_committer_does_not_count(gh):
    n = open_pr(gh, "pushed-by-bob", [("prod", ("replicas: 4", "replicas: 6"), "scale prod")])
    # dave wrote the final commit, bob committed it (a rebase, an amend, a cherry-pick).
    push_commit(gh, "pushed-by-bob", "prod", ("replicas: 6", "replicas: 7"), "a bit more",
                who="dave", committer="bob")
    gh.review(n, "bob", "APPROVED")
    before, after = merge(gh, n, "pushed-by-bob")
    decision = gate(gh, before, after)
    bob = decision.reviews[0]
    assert not bob.counted and "the committer of the merged head commit cannot approve it" in bob.why
    assert not decision.passed
    gh.review(n, "carol", "APPROVED")
    assert gate(gh, before, after).approvers == ["carol"]


def test_latest_review_per_reviewer_wins():
    from agentops.forge import MergedChange, Review

    change = MergedChange(1, "u", author="dave", head_sha="h", reviews=[
        Review(1, "bob", "APPROVED", "h", "2025-01-01T00:00:01"),
        Review(2, "bob", "CHANGES_REQUESTED", "h", "2025-01-01T00:00:02"),
        Review(3, "bob", "COMMENTED", "h", "2025-01-01T00:00:03"),  # a comment changes nothing
        Review(4, "carol", "CHANGES_REQUESTED", "h", "2025-01-01T00:00:04"),
        Review(5, "carol", "APPROVED", "h", "2025-01-01T00:00:05"),
        Review(6, "erin", "APPROVED", "h", "2025-01-01T00:00:06"),
        Review(7, "erin", "DISMISSED", "h", "2025-01-01T00:00:07"),
    ])
    verdicts = {v.reviewer: v for v in review_verdicts(change)}
    assert not verdicts["bob"].counted and verdicts["bob"].state == "CHANGES_REQUESTED"
    assert verdicts["carol"].counted
    assert not verdicts["erin"].counted


# ---------------------------------------------------------------------------------------------
# Merge shapes: squash, merge commit, direct push, a push of several commits, revert


def test_squash_merge_is_rated_parent_to_commit(gh):
    n = open_pr(gh, "sq", [("prod", ("replicas: 4", "replicas: 6"), "scale api in prod")])
    gh.review(n, "carol", "APPROVED")
    before, after = merge(gh, n, "sq", how="squash")
    decision = gate(gh, before, after)
    assert decision.level.diff.shape.startswith("single-parent commit")
    assert decision.level.diff.base == before and decision.level.level.value == "high"
    assert [a.type.value for a in _actions(decision)] == ["scale"]
    assert decision.passed and decision.approvers == ["carol"]


def test_direct_push_is_rated_by_its_diff(gh):
    root = gh.root
    before = _git(root, "rev-parse", "main")
    edit(root, "dev", "replicas: 1", "replicas: 3")
    _git(root, "commit", "-qam", "hand edit in dev")
    after = _git(root, "rev-parse", "main")
    decision = gate(gh, before, after)
    assert decision.change is None and decision.level.level.value == "medium" and decision.passed
    # The same in prod needs an approval, and there is no PR to carry one.
    edit(root, "prod", "replicas: 4", "replicas: 6")
    _git(root, "commit", "-qam", "hand edit in prod")
    with pytest.raises(ApprovalMissing, match="without a merged pull request, and its risk "
                                              r"\(high\) needs 1 approval"):
        apply(Workspace(root), changed=f"{after}..HEAD", require_approvals=True,
              up=lambda ws, s: pytest.fail("applied"), forge=gh.forge)


def test_a_push_of_several_commits_is_rated_as_a_whole(gh):
    root = gh.root
    before = _git(root, "rev-parse", "main")
    edit(root, "prod", DELETE_ORDERS)
    _git(root, "commit", "-qam", "drop orders")
    edit(root, "dev", "replicas: 1", "replicas: 3")
    _git(root, "commit", "-qam", "harmless last commit")
    after = _git(root, "rev-parse", "main")
    decision = gate(gh, before, after)
    assert "pushed range (2 commits" in decision.level.diff.shape
    assert decision.level.level.value == "critical" and not decision.passed


def test_revert_pr_is_gated_by_what_it_undoes(gh):
    # A bucket added to prod (merged with its approval), then reverted: the revert deletes it.
    n = open_pr(gh, "add-bucket", [("prod", ("storage:\n", "storage:\n  exports:\n    kind: bucket\n"),
                                    "add an exports bucket")])
    gh.review(n, "carol", "APPROVED")
    _, merged = merge(gh, n, "add-bucket")
    proposal = rollback(Workspace(gh.root), merged)
    revert_pr = int(proposal.pr_url.rsplit("/", 1)[1])
    assert proposal.risk_level.value == "high"  # the revert's own label: no ActionPlan to invert
    gh.review(revert_pr, "carol", "APPROVED")
    before, after = merge(gh, revert_pr, proposal.branch)
    decision = gate(gh, before, after)
    assert [(a.type.value, a.name) for a in _actions(decision)] == [("delete", "exports")]
    assert decision.level.level.value == "critical" and decision.needed == 2
    assert not decision.passed


# ---------------------------------------------------------------------------------------------
# Settings, CODEOWNERS, and what the log and the job summary say


def test_gate_settings_are_read_from_before_the_change(gh):
    # A PR that lowers the approvals it needs is judged by the settings it replaces.
    (gh.root / ".agentops.yaml").write_text("approvals: {high: 1, critical: 2}\n")
    _git(gh.root, "add", ".agentops.yaml")
    _git(gh.root, "commit", "-qm", "settings")
    _git(gh.root, "push", "-q", "origin", "main")
    n = open_pr(gh, "relax", [("prod", ("replicas: 4", "replicas: 6"), "scale prod")])
    _git(gh.root, "switch", "-q", "relax")
    (gh.root / ".agentops.yaml").write_text("approvals: {high: 0, critical: 0}\n")
    _git(gh.root, "commit", "-qam", "no approvals please", who="dave")
    _git(gh.root, "push", "-q", "origin", "relax")
    _git(gh.root, "switch", "-q", "main")
    before, after = merge(gh, n, "relax")
    decision = gate(gh, before, after)
    assert decision.needed == 1 and not decision.passed
    assert source(decision, "settings").level.value == "high"


def test_codeowners_owner_must_approve_when_required(gh):
    (gh.root / ".agentops.yaml").write_text("approvals: {high: 1, critical: 2, require_codeowners: true}\n")
    _git(gh.root, "add", ".agentops.yaml")
    _git(gh.root, "commit", "-qm", "settings")
    _git(gh.root, "push", "-q", "origin", "main")
    n = open_pr(gh, "owners", [("prod", ("replicas: 4", "replicas: 6"), "scale prod")])
    gh.review(n, "bob", "APPROVED")  # not an owner of stacks/prod.yaml
    before, after = merge(gh, n, "owners")
    decision = gate(gh, before, after)
    assert decision.approvers == ["bob"] and not decision.passed
    assert "CODEOWNERS owner of stacks/prod.yaml" in decision.why
    assert decision.owners["stacks/prod.yaml"] == ["@carol", "@acme/dba"]
    gh.review(n, "erin", "APPROVED")  # a member of @acme/dba
    decision = gate(gh, before, after)
    assert decision.passed and decision.owner_approvals["stacks/prod.yaml"] == ["erin (@acme/dba)"]


def test_policy_verdicts_on_the_merged_head_raise_the_level(gh):
    # A public bucket in dev: medium by the table; the packaged rules flag it.
    n = open_pr(gh, "public", [("dev", ("storage:\n", "storage:\n  share:\n    kind: bucket\n    public: true\n"),
                                "share files")])
    before, after = merge(gh, n, "public")
    decision = gate(gh, before, after)
    policy = source(decision, "policy")
    assert policy.level is not None and policy.level.rank > source(decision, "diff").level.rank
    assert decision.level.level == policy.level and "policy" in decision.level.decided_by()


def test_cli_log_and_job_summary(gh, tmp_path):
    n = open_pr(gh, "cli", [("prod", DELETE_ORDERS, "tidy up")], labels=["risk:low"])
    gh.review(n, "bob", "APPROVED")
    before, after = merge(gh, n, "cli")
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                   if not (Path(p) / "pulumi").exists())}
    out = subprocess.run([sys.executable, "-m", "agentops", "apply", "--changed",
                          f"{before}..{after}", "--require-approvals"], cwd=gh.root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "gate: STOPPED" in out.stdout and "level: critical" in out.stdout
    assert "label: low (a claim: it can only raise the level)" in out.stdout
    assert "bob: APPROVED on" in out.stdout and "counted (approved the merged head)" in out.stdout
    assert "2 needed" in out.stderr and "Traceback" not in out.stderr
    text = summary.read_text()
    assert text.startswith("## agentops apply gate: ⛔ stopped")
    assert "| diff | critical |" in text and "| `bob` | APPROVED |" in text
    # With the second approval the gate passes; the apply itself then needs the pulumi CLI.
    gh.review(n, "carol", "APPROVED")
    out = subprocess.run([sys.executable, "-m", "agentops", "apply", "--changed",
                          f"{before}..{after}", "--require-approvals"], cwd=gh.root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert "gate: PASSED" in out.stdout and "pulumi` CLI is not on PATH" in out.stderr
    assert summary.read_text().count("## agentops apply gate") == 2
    assert "✅ passed" in summary.read_text()


def _actions(decision):
    """The actions the gate read back from the merged diff."""
    return decision.level.actions


def test_unreadable_prod_change_is_critical_when_resources_may_be_gone(gh):
    n = open_pr(gh, "garbled", [("prod", ("databases:\n  orders:\n", "databases:\n  orders: [\n"),
                                 "oops")])
    before, after = merge(gh, n, "garbled")
    decision = gate(gh, before, after)
    diff = source(decision, "diff")
    assert diff.level.value == "critical" and "could not be read back" in diff.reasons[0]
    assert source(decision, "plan").level.value == "high"  # the head does not plan either
    assert decision.needed == 2 and not decision.passed


def test_unreadable_change_that_keeps_every_resource_is_high(gh):
    n = open_pr(gh, "unknown-section", [("dev", ("storage:\n", "widgets: {a: {}}\nstorage:\n"),
                                         "a section agentops does not know")])
    gh.review(n, "carol", "APPROVED")
    before, after = merge(gh, n, "unknown-section")
    decision = gate(gh, before, after)
    assert source(decision, "diff").level.value == "high"
    assert "unknown section 'widgets'" in source(decision, "diff").reasons[0]
    assert decision.level.level.value == "high" and decision.passed


def test_approvals_do_not_count_when_the_merge_brought_in_another_commit(gh):
    n = open_pr(gh, "swapped", [("prod", ("replicas: 4", "replicas: 6"), "scale prod")])
    gh.review(n, "carol", "APPROVED")
    # A commit the PR never showed, merged in its place.
    _git(gh.root, "switch", "-q", "swapped")
    edit(gh.root, "prod", DELETE_ORDERS)
    _git(gh.root, "commit", "-qam", "unreviewed", who="dave")
    _git(gh.root, "switch", "-q", "main")  # not pushed: GitHub's PR head stays the reviewed one
    before, after = merge(gh, n, "swapped")
    decision = gate(gh, before, after)
    carol = decision.reviews[0]
    assert not carol.counted and carol.why == "the merged commit is not the PR's head"
    assert decision.level.level.value == "critical" and not decision.passed


@pytest.mark.parametrize("label,expected", [
    (None, "high"), ("low", "high"), ("medium", "high"), ("high", "high"),
    ("critical", "critical"), ("urgent", "high"),
])
def test_a_label_only_ever_raises_the_diff_level(gh, label, expected):
    from agentops.config import RepoConfig
    from agentops.gate import required_level

    root = gh.root
    edit(root, "prod", "replicas: 4", "replicas: 6")
    _git(root, "commit", "-qam", "scale prod")
    level = required_level(Workspace(root), _git(root, "rev-parse", "HEAD"), RepoConfig(),
                           label_level=label, run_plan=False)
    assert level.level.value == expected
    assert [a.type.value for a in level.actions] == ["scale"]
    if label == "urgent":
        label_source = next(s for s in level.sources if s.source == "label")
        assert label_source.level is None and "not a level" in label_source.reasons[0]
