"""propose / rollback / apply with real git repositories and bare remotes in temp dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import git
import pytest

from tests.gitrepo import make_stacks_repo
from agentops import gitops
from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.apply import ApplyFailed, ApprovalMissing, apply, order_stacks
from agentops.errors import AgentOpsError, GitError, PolicyViolation, PulumiUnavailable, SpecError
from agentops.forge import Forge, ForgeError, RepoRef
from agentops.propose import plan_from_message, propose
from agentops.rollback import rollback
from agentops.spec import Workspace
from fake_github import FakeGitHub



def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    monkeypatch.setenv("PATH", os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep)
                                                if not (Path(p) / "gh").exists()))
    return make_stacks_repo(tmp_path / "infra")


@pytest.fixture
def github(repo, tmp_path, monkeypatch):
    """A bare remote for pushes, the fake GitHub API for the forge."""
    bare = tmp_path / "remote.git"
    _git(tmp_path, "init", "-q", "--bare", str(bare))
    _git(repo, "remote", "add", "origin", "https://github.com/acme/infra.git")
    _git(repo, "config", "remote.origin.pushurl", str(bare))
    _git(repo, "push", "-q", "origin", "main")
    with FakeGitHub() as fake:
        monkeypatch.setenv("GITHUB_TOKEN", fake.state.token)
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        fake.bare = bare
        yield fake


def scale_plan(replicas=3, stack="dev", name="api") -> ActionPlan:
    return ActionPlan(
        command=f"scale {name} in {stack} to {replicas} replicas",
        interpretation=f"Scale the {name} deployment in {stack} to {replicas} replicas.",
        actions=[Action(type="scale", resource="deployment", name=name, stack=stack,
                        parameters=Parameters(replicas=replicas), description="scale")],
    )


def snapshot(root: Path) -> tuple:
    """Everything a proposal must not disturb: branch, HEAD, index, status, refs, worktrees."""
    return (_git(root, "symbolic-ref", "HEAD"), _git(root, "rev-parse", "HEAD"),
            _git(root, "status", "--porcelain"), _git(root, "diff"), _git(root, "diff", "--cached"),
            _git(root, "for-each-ref"), _git(root, "worktree", "list", "--porcelain"))


def branches(root: Path) -> list[str]:
    return _git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads/agentops/").split()


# ---------------------------------------------------------------------------------------------
# propose


def test_propose_local_branch_one_commit_small_diff(repo):
    before = snapshot(repo)
    result = propose(Workspace(repo), scale_plan())
    assert result.branch == "agentops/scale-api-in-dev-to-3"
    assert result.pr_url is None and any("git diff main..." in s for s in result.review)
    # The user's checkout is exactly as it was (apart from the new branch ref).
    after = snapshot(repo)
    assert after[:5] == before[:5] and after[6] == before[6]
    # One commit on top of main, carrying the command and the ActionPlan.
    assert _git(repo, "rev-list", "--count", f"main..{result.branch}") == "1"
    message = _git(repo, "log", "-1", "--format=%B", result.branch)
    assert "scale api in dev to 3 replicas" in message
    carried = plan_from_message(message)
    assert carried.actions[0].parameters.replicas == 3 and carried.risk_level.value == "medium"
    # The diff is the one line.
    diff = _git(repo, "diff", "-U0", f"main...{result.branch}")
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert changed == ["-    replicas: 1", "+    replicas: 3"]
    assert result.risk_level.value == "medium" and not result.confirmation_required


def test_mandatory_policy_violation_stops_the_proposal(repo):
    """An unpinned image in prod breaks k8s-image-pinned (mandatory): listed, nothing committed."""
    before = snapshot(repo)
    plan = ActionPlan(
        command="update api in prod to nginx:latest", interpretation="Update api.",
        actions=[Action(type="update", resource="deployment", name="api", stack="prod",
                        parameters=Parameters(image="nginx:latest"), description="update")],
    )
    with pytest.raises(PolicyViolation) as err:
        propose(Workspace(repo), plan)
    assert "k8s-image-pinned" in err.value.message and "nothing was committed" in err.value.message
    assert branches(repo) == [] and snapshot(repo) == before


def test_outcomes_are_remembered_for_later_interpretations(repo):
    """A proposal is remembered at once as open (with its commit and branch), a failure as
    failed; neither is a few-shot example until history says it was merged (test_learn.py)."""
    from agentops.memory import Memory

    result = propose(Workspace(repo), scale_plan(replicas=4))
    with pytest.raises(AgentOpsError):
        propose(Workspace(repo), scale_plan(name="ghost"))
    entries = {e.command: e for e in Memory(repo).entries()}
    opened = entries["scale api in dev to 4 replicas"]
    assert (opened.outcome, opened.branch, opened.sha) == ("open", result.branch, result.commit)
    assert opened.example_line is None
    failed = entries["scale ghost in dev to 3 replicas"]
    assert failed.outcome == "failed" and "ghost" in failed.reason
    assert _git(repo, "status", "--porcelain") == ""  # kept in .git, not in the working tree


def test_dirty_tree_is_no_obstacle_and_untouched(repo):
    spec = repo / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text() + "# my local note\n")
    (repo / "scratch.txt").write_text("wip")
    _git(repo, "add", "scratch.txt")
    before = snapshot(repo)
    result = propose(Workspace(repo), scale_plan())
    assert snapshot(repo)[:5] == before[:5]
    assert spec.read_text().endswith("# my local note\n")
    assert any("differs from the base" in w for w in result.warnings)
    # The proposal is built from main, not from the dirty file.
    assert "# my local note" not in _git(repo, "show", f"{result.branch}:stacks/dev.yaml")


def test_invalid_result_leaves_nothing(repo):
    before = snapshot(repo)
    plan = scale_plan(replicas=5000)  # over the spec's limit of 1000
    with pytest.raises(SpecError, match="replicas"):
        propose(Workspace(repo), plan)
    assert snapshot(repo) == before
    assert branches(repo) == []


def test_unknown_resource_lists_what_exists(repo):
    with pytest.raises(AgentOpsError, match=r"no resource named 'payments'.*deployments.api"):
        propose(Workspace(repo), scale_plan(name="payments"))
    assert branches(repo) == []


def test_show_only_plan_is_refused(repo):
    plan = ActionPlan(command="show dev", interpretation="Show dev.",
                      actions=[Action(type="show", resource="deployment", stack="dev")])
    with pytest.raises(AgentOpsError, match="nothing to propose"):
        propose(Workspace(repo), plan)


def test_prod_change_needs_confirmation(repo):
    result = propose(Workspace(repo), scale_plan(stack="production", replicas=8))
    assert result.risk_level.value == "high" and result.confirmation_required
    assert result.stacks == ["prod"]


def test_publish_pushes_and_opens_labelled_pr(repo, github):
    result = propose(Workspace(repo), scale_plan())
    assert result.pr_url and result.pr_url.endswith("/pull/1")
    pr = github.state.pulls[1]
    assert pr["head"]["ref"] == result.branch and pr["base"]["ref"] == "main"
    assert {lb["name"] for lb in pr["labels"]} == {"agentops", "risk:medium"}
    body = pr["body"]
    for part in ("**Interpretation:**", "### Actions", "### Risk: **medium**",
                 "**Confirmation needed:** no", "### Policy verdicts", "### Cost", "### Plan"):
        assert part in body
    assert len(body) <= 65_536
    remote_sha = _git(github.bare, "rev-parse", f"refs/heads/{result.branch}")
    assert remote_sha == result.commit


def test_requested_by_is_in_the_commit_and_the_pr_body(repo, github):
    result = propose(Workspace(repo), scale_plan(), requested_by="alice@example.com")
    assert "**Requested by:** alice@example.com" in github.state.pulls[1]["body"]
    message = _git(repo, "log", "-1", "--format=%B", result.branch)
    assert "\nRequested-by: alice@example.com\n" in message
    from agentops.propose import plan_from_message

    assert plan_from_message(message) is not None  # the plan still reads back


def test_a_bad_requester_name_is_refused_before_anything(repo):
    with pytest.raises(AgentOpsError, match="not a valid user name"):
        propose(Workspace(repo), scale_plan(), requested_by="eve\nSigned-off-by: boss")
    assert branches(repo) == []


def test_push_failure_leaves_nothing(repo, github):
    _git(repo, "config", "remote.origin.pushurl", str(repo.parent / "missing.git"))
    before = snapshot(repo)
    with pytest.raises(GitError, match="push"):
        propose(Workspace(repo), scale_plan())
    assert snapshot(repo) == before
    assert github.state.pulls == {}


def test_pr_failure_removes_local_and_remote_branch(repo, github):
    github.state.fail["POST /pulls"] = 422
    before = snapshot(repo)
    with pytest.raises(ForgeError, match="422"):
        propose(Workspace(repo), scale_plan())
    assert snapshot(repo) == before
    assert _git(github.bare, "for-each-ref", "refs/heads/agentops/") == ""


def test_two_concurrent_proposes_do_not_collide(repo, tmp_path):
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(scale_plan().model_dump_json())
    agentops = Path(sys.executable).parent / "agentops"
    procs = [subprocess.Popen([str(agentops), "propose", "--plan-file", str(plan_file), "--json"],
                              cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    names = sorted(json.loads(out)["branch"] for out, _ in outs)
    assert names == ["agentops/scale-api-in-dev-to-3",
                     "agentops/scale-api-in-dev-to-3-2"]
    assert _git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_cli_plan_file_errors_are_clear(repo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"command": "x"}')
    agentops = Path(sys.executable).parent / "agentops"
    out = subprocess.run([str(agentops), "propose", "--plan-file", str(bad)], cwd=repo,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "is not an ActionPlan" in out.stderr
    assert branches(repo) == []


# ---------------------------------------------------------------------------------------------
# rollback


def _merge(repo: Path, branch: str) -> str:
    _git(repo, "merge", "-q", "--no-ff", "-m", f"Merge {branch}", branch)
    return _git(repo, "rev-parse", "HEAD")


def test_rollback_of_a_merge_is_a_new_proposal(repo):
    proposal = propose(Workspace(repo), scale_plan(stack="prod", replicas=8))
    merge = _merge(repo, proposal.branch)
    before = snapshot(repo)
    result = rollback(Workspace(repo), merge)
    assert result.branch == f"agentops/revert-{merge[:8]}"
    assert snapshot(repo)[:5] == before[:5]
    assert _git(repo, "show", f"{result.branch}:stacks/prod.yaml") == \
        _git(repo, "show", "HEAD~1:stacks/prod.yaml")
    message = _git(repo, "log", "-1", "--format=%B", result.branch)
    assert f"This reverts commit {merge}" in message
    assert result.risk_level.value == "high" and result.stacks == ["prod"]


def test_conflicting_revert_is_reported_and_leaves_nothing(repo):
    first = propose(Workspace(repo), scale_plan(replicas=3))
    _merge(repo, first.branch)
    second = propose(Workspace(repo), scale_plan(replicas=5))
    _merge(repo, second.branch)
    before = snapshot(repo)
    with pytest.raises(GitError, match=r"conflicts .*stacks/dev.yaml"):
        rollback(Workspace(repo), first.commit)
    assert snapshot(repo) == before


def test_rollback_unknown_ref(repo):
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        rollback(Workspace(repo), "nope")


# ---------------------------------------------------------------------------------------------
# apply


def test_apply_order_and_stop_at_first_failure(repo):
    for stack in ("prod", "staging", "dev"):
        spec = repo / "stacks" / f"{stack}.yaml"
        spec.write_text(spec.read_text() + f"# touched {stack}\n")
    _git(repo, "commit", "-qam", "touch all")
    calls = []

    def up(workspace, stack):
        calls.append(stack)
        if stack == "staging":
            raise RuntimeError("AccessDenied: not allowed")
        return None

    with pytest.raises(ApplyFailed, match=r"(?s)staging.*AccessDenied.*applied: dev; not attempted: prod"):
        apply(Workspace(repo), changed="HEAD~1..HEAD", up=up)
    assert calls == ["dev", "staging"]
    assert order_stacks(["zeta", "prod", "alpha", "dev"]) == ["dev", "prod", "alpha", "zeta"]


def test_apply_only_changed_stacks(repo):
    spec = repo / "stacks" / "staging.yaml"
    spec.write_text(spec.read_text() + "# touched\n")
    _git(repo, "commit", "-qam", "touch staging")
    calls = []
    report = apply(Workspace(repo), changed="HEAD~1..HEAD", up=lambda ws, s: calls.append(s))
    assert calls == ["staging"] and report.stacks == ["staging"]


def test_apply_without_pulumi_cli_is_clear(repo, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(PulumiUnavailable, match="pulumi` CLI is not on PATH"):
        apply(Workspace(repo), stack="dev")


def test_apply_bad_range(repo):
    with pytest.raises(AgentOpsError, match="not BASE..HEAD"):
        apply(Workspace(repo), changed="HEAD")
    with pytest.raises(GitError, match="unknown revision"):
        apply(Workspace(repo), changed="nope..HEAD")


def test_approval_gate(repo, github):
    github.state.git_dir = str(github.bare)  # PR heads and commits from the pushed branches
    proposal = propose(Workspace(repo), scale_plan(stack="prod", replicas=8))
    merge = _merge(repo, proposal.branch)
    github.merge(1, merge)
    forge = Forge(RepoRef("github.com", "acme", "infra", github.url), github.state.token)
    calls = []
    up = lambda ws, s: calls.append(s)  # noqa: E731
    with pytest.raises(ApprovalMissing, match=r"PR #1 is risk high and has 0 approval\(s\) on its merged head; 1 needed"):
        apply(Workspace(repo), changed="HEAD~1..HEAD", require_approvals=True, up=up, forge=forge)
    assert calls == []
    github.review(1, "alice", "APPROVED")
    report = apply(Workspace(repo), changed="HEAD~1..HEAD", require_approvals=True, up=up, forge=forge)
    assert calls == ["prod"] and "1/1 approvals (alice)" in report.approvals


def test_direct_push_to_prod_without_pr_is_refused(repo, github):
    spec = repo / "stacks" / "prod.yaml"
    spec.write_text(spec.read_text().replace("replicas: 4", "replicas: 6"))
    _git(repo, "commit", "-qam", "hand edit")
    forge = Forge(RepoRef("github.com", "acme", "infra", github.url), github.state.token)
    with pytest.raises(ApprovalMissing, match="without a merged pull request"):
        apply(Workspace(repo), changed="HEAD~1..HEAD", require_approvals=True,
              up=lambda ws, s: None, forge=forge)


def test_gitops_helpers(repo):
    r = git.Repo(repo)
    assert gitops.slugify("Scale API in PROD to 8 replicas, please!") == "scale-api-in-prod-to-8"
    assert gitops.slugify("!!!") == "change"
    sha = gitops.resolve(r, "HEAD")
    assert gitops.create_branch(r, "x", sha) == "agentops/x"
    assert gitops.create_branch(r, "x", sha) == "agentops/x-2"


@pytest.mark.model
def test_propose_end_to_end_with_the_real_model(repo):
    """`agentops propose COMMAND`: the default model interprets, the rest as above."""
    agentops = Path(sys.executable).parent / "agentops"
    out = subprocess.run([str(agentops), "propose", "scale api in dev to 3 replicas", "--json"],
                         cwd=repo, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["branch"].startswith("agentops/") and result["stacks"] == ["dev"]
    assert "replicas: 3" in _git(repo, "show", f"{result['branch']}:stacks/dev.yaml")
