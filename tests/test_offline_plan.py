"""The offline plan: base vs head graphs from real git revisions, the diff, the renderers, and
the parts of the real (Automation API) path that run without the pulumi CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from agentops import automation, offline
from agentops.diff import diff_graphs
from agentops.errors import GitError, PulumiUnavailable, SpecError, UnknownStackError
from agentops.plan import Plan, StackPlan, build_plan
from agentops.planrender import MARKDOWN_LIMIT, render
from agentops.diff import Change, FieldChange
from agentops.spec import Workspace

BASE = """\
provider: aws
region: us-east-1
tags: {owner: team}
clusters:
  main: {}
deployments:
  api:
    cluster: main
    image: ghcr.io/acme/api:1.0
    replicas: 2
    port: 8080
    secret_env: {DB_PASSWORD: dbPassword}
databases:
  orders:
    engine: postgres
storage:
  assets: {kind: bucket}
  old-logs: {kind: bucket}
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, check=True, capture_output=True, text=True,
    ).stdout.strip()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "dev.yaml").write_text(BASE)
    (tmp_path / "stacks" / "staging.yaml").write_text(BASE)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def edit_dev(repo: Path) -> None:
    text = (BASE.replace("replicas: 2", "replicas: 5")
            .replace("engine: postgres", "engine: mysql")
            .replace("  old-logs: {kind: bucket}\n", "  new-data: {kind: volume, size_gb: 10}\n"))
    (repo / "stacks" / "dev.yaml").write_text(text)


def test_plan_finds_create_update_delete_replace(repo):
    edit_dev(repo)
    plan = build_plan(Workspace(repo))
    dev = next(s for s in plan.stacks if s.stack == "dev")
    staging = next(s for s in plan.stacks if s.stack == "staging")
    assert staging.status == "unchanged" and staging.changes == []
    assert dev.status == "changed"
    by = {(c.kind, c.type, c.name): c for c in dev.changes}
    update = by[("update", "kubernetes:apps/v1:Deployment", "api")]
    assert [(f.path, f.old, f.new) for f in update.fields] == [("spec.replicas", 2, 5)]
    assert update.spec_ref == "deployments.api"
    replace = by[("replace", "aws:rds/instance:Instance", "orders")]
    assert "engine" in replace.replace_reason
    assert ("create", "aws:ebs/volume:Volume", "new-data") in by
    assert ("delete", "aws:s3/bucket:Bucket", "old-logs") in by
    assert dev.counts == {"create": 1, "update": 1, "replace": 1, "delete": 4}
    assert plan.base.rev == git(repo, "rev-parse", "HEAD")


def test_default_base_is_merge_base_with_main(repo):
    git(repo, "checkout", "-qb", "feature")
    edit_dev(repo)
    git(repo, "commit", "-qam", "change on a branch")
    plan = build_plan(Workspace(repo))
    assert plan.base.rev == git(repo, "rev-parse", "main")
    assert "merge base with main" in plan.base.label
    assert any(s.changes for s in plan.stacks if s.stack == "dev")


def test_no_main_branch_falls_back_to_head(repo):
    git(repo, "branch", "-m", "main", "trunk")
    edit_dev(repo)
    plan = build_plan(Workspace(repo))
    assert plan.base.rev == git(repo, "rev-parse", "HEAD")
    assert "no main branch" in plan.base.label


def test_added_and_removed_stacks_are_all_creates_and_deletes(repo):
    (repo / "stacks" / "staging.yaml").unlink()
    (repo / "stacks" / "prod.yaml").write_text(BASE)
    plan = build_plan(Workspace(repo))
    status = {s.stack: s for s in plan.stacks}
    assert status["prod"].status == "added"
    assert {c.kind for c in status["prod"].changes} == {"create"}
    assert status["prod"].counts["create"] == status["prod"].resources_after > 5
    assert status["staging"].status == "removed"
    assert {c.kind for c in status["staging"].changes} == {"delete"}


def test_head_specs_override_the_work_tree(repo):
    plan = build_plan(Workspace(repo), stacks=["dev"],
                      head_specs={"dev": BASE.replace("replicas: 2", "replicas: 3")})
    (dev,) = plan.stacks
    assert [c.fields[0].new for c in dev.changes] == [3]
    assert (repo / "stacks" / "dev.yaml").read_text() == BASE


def test_stack_filter_and_aliases(repo):
    edit_dev(repo)
    plan = build_plan(Workspace(repo), stacks=["development"])
    assert [s.stack for s in plan.stacks] == ["dev"]
    with pytest.raises(UnknownStackError) as err:
        build_plan(Workspace(repo), stacks=["qa"])
    assert "dev, staging" in err.value.hint


def test_unknown_revision(repo):
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        build_plan(Workspace(repo), base_rev="nope")


def test_syntax_error_in_base_revision_names_rev_file_line_column(repo):
    (repo / "stacks" / "dev.yaml").write_text("provider: aws\nregion: [us-east-1\n")
    git(repo, "commit", "-qam", "broken")
    (repo / "stacks" / "dev.yaml").write_text(BASE)
    with pytest.raises(SpecError) as err:
        build_plan(Workspace(repo), base_rev="HEAD")
    short = git(repo, "rev-parse", "--short=7", "HEAD")
    assert f"{short}:stacks/dev.yaml:3:1" in err.value.message


def test_secret_values_never_reach_any_format():
    secret = "sup3r-s3cret-for-test"
    graph = offline.capture(BASE, "dev", config={"dbPassword": secret})
    head = offline.capture(BASE.replace("replicas: 2", "replicas: 3"), "dev", config={"dbPassword": secret + "x"})
    plan = Plan(base={"rev": None, "label": "test"},
                stacks=[StackPlan(stack="dev", status="changed", changes=diff_graphs(graph, head))])
    for fmt in ("text", "markdown", "json"):
        assert secret not in render(plan, fmt)
    # Both sides redact to the same placeholder: a changed secret value is not visible offline.
    assert [c.type for c in plan.stacks[0].changes] == ["kubernetes:apps/v1:Deployment"]


def test_diff_estimates_replace_on_kubernetes_selector_and_urn_move():
    base = offline.capture(BASE, "dev")
    head = base.model_copy(deep=True)
    dep = next(r for r in head.resources if r.type == "kubernetes:apps/v1:Deployment")
    dep.inputs["spec"]["selector"]["matchLabels"]["app"] = "api2"
    bucket = next(r for r in head.resources if r.type == "aws:s3/bucket:Bucket" and r.name == "assets")
    bucket.urn = bucket.urn.replace("agentops:spec:storage", "agentops:spec:moved")
    changes = {(c.kind, c.name, c.type): c for c in diff_graphs(base, head)}
    sel = changes[("replace", "api", "kubernetes:apps/v1:Deployment")]
    assert sel.replace_reason.startswith("spec.selector.matchLabels.app")
    moved = changes[("replace", "assets", "aws:s3/bucket:Bucket")]
    assert moved.old_urn and "URN" in moved.replace_reason


def big_plan(n: int) -> Plan:
    changes = [Change(kind="update", urn=f"urn:pulumi:dev::p::t::r{i}", type="aws:ec2/instance:Instance",
                      name=f"r{i}", fields=[FieldChange(path="instanceType", old="t3.micro", new="t3.large")])
               for i in range(n)]
    return Plan(base={"rev": None, "label": "test"},
                stacks=[StackPlan(stack=s, status="changed", changes=changes) for s in ("dev", "prod")])


def test_markdown_is_capped_with_summary_kept_and_note():
    plan = big_plan(5000)
    md = render(plan, "markdown")
    assert len(md) <= MARKDOWN_LIMIT
    assert md.startswith("## agentops plan")
    assert "| prod | 5000 to update |" in md  # the summary of every stack survives
    assert "trimmed to fit" in md
    assert md.count("<details>") == md.count("</details>")
    assert md.count("```") % 2 == 0


def test_small_markdown_is_not_trimmed():
    md = render(big_plan(3), "markdown")
    assert "trimmed" not in md and md.count("<details>") == 2
    assert "Offline desired-state plan" in md and "not `pulumi preview`" in md


def test_json_schema_is_stable_and_versioned():
    data = json.loads(render(big_plan(2), "json"))
    assert data["schema_version"] == 1 and data["kind"] == "offline"
    stack = data["stacks"][0]
    assert set(stack) >= {"stack", "status", "counts", "changes", "verdicts", "cost", "resources_before"}
    assert stack["counts"]["update"] == 2
    assert stack["changes"][0]["fields"][0] == {"path": "instanceType", "old": "t3.micro", "new": "t3.large"}
    assert "schema_version" in Plan.model_json_schema()["properties"]


def test_text_has_colour_only_when_asked():
    plan = big_plan(1)
    assert "\x1b[" not in render(plan, "text")
    assert "\x1b[" in render(plan, "text", color=True)
    assert "~ update aws:ec2/instance:Instance r0" in render(plan, "text")


# ------------------------------------------------------------------------------------------
# The real path, as far as it runs without the pulumi CLI


RECORDED_EVENTS = [
    {"sequence": 0, "timestamp": 1, "preludeEvent": {"config": {}}},
    {"sequence": 1, "timestamp": 1, "resourcePreEvent": {"metadata": {
        "op": "same", "urn": "urn:pulumi:dev::agentops::agentops:spec:deployments::api",
        "type": "agentops:spec:deployments", "provider": "",
        "new": {"type": "agentops:spec:deployments", "urn": "urn:pulumi:dev::agentops::agentops:spec:deployments::api", "custom": False}}}},
    {"sequence": 2, "timestamp": 2, "resourcePreEvent": {"metadata": {
        "op": "update",
        "urn": "urn:pulumi:dev::agentops::agentops:spec:deployments$kubernetes:apps/v1:Deployment::api",
        "type": "kubernetes:apps/v1:Deployment", "provider": "", "diffs": ["spec"],
        "old": {"type": "kubernetes:apps/v1:Deployment", "urn": "u", "custom": True,
                "parent": "urn:pulumi:dev::agentops::agentops:spec:deployments::api",
                "inputs": {"spec": {"replicas": 2}, "data": "[secret]"}},
        "new": {"type": "kubernetes:apps/v1:Deployment", "urn": "u", "custom": True,
                "parent": "urn:pulumi:dev::agentops::agentops:spec:deployments::api",
                "inputs": {"spec": {"replicas": 5}, "data": "[secret]"}}}}},
    {"sequence": 3, "timestamp": 3, "resourcePreEvent": {"metadata": {
        "op": "replace", "urn": "urn:pulumi:dev::agentops::aws:rds/instance:Instance::orders",
        "type": "aws:rds/instance:Instance", "provider": "", "keys": ["engine"], "diffs": ["engine"],
        "old": {"type": "aws:rds/instance:Instance", "urn": "x", "custom": True, "inputs": {"engine": "postgres"}},
        "new": {"type": "aws:rds/instance:Instance", "urn": "x", "custom": True, "inputs": {"engine": "mysql"}}}}},
    {"sequence": 4, "timestamp": 4, "policyEvent": {
        "resourceUrn": "urn:pulumi:dev::agentops::aws:rds/instance:Instance::orders",
        "message": "engine change needs a migration", "color": "never", "policyName": "db-engine",
        "policyPackName": "agentops", "policyPackVersion": "1", "policyPackVersionTag": "1",
        "enforcementLevel": "advisory"}},
    {"sequence": 5, "timestamp": 5, "summaryEvent": {"maybeCorrupt": False, "durationSeconds": 1,
                                                     "resourceChanges": {"update": 1, "replace": 1},
                                                     "policyPacks": {}}},
]


def test_recorded_preview_event_stream_parses_to_changes():
    lines = [json.dumps(e) for e in RECORDED_EVENTS]
    events = automation.events_from_json(lines)
    stack = automation.stack_plan_from_events("dev", events)
    by = {c.kind: c for c in stack.changes}
    assert set(by) == {"update", "replace"}
    assert [(f.path, f.old, f.new) for f in by["update"].fields] == [("spec", {"replicas": 2}, {"replicas": 5})]
    assert by["update"].spec_ref == "deployments.api"
    assert by["replace"].replace_reason == "engine cannot change in place"
    (verdict,) = stack.verdicts
    assert (verdict.policy, verdict.enforcement, verdict.resource) == ("db-engine", "advisory", "orders")


def test_stack_selection_and_options(tmp_path, monkeypatch):
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "prod.yaml").write_text(BASE)
    shutil.copytree(Path(__file__).resolve().parents[1] / "policies", tmp_path / "policies")
    ws = Workspace(tmp_path)
    sel = automation.selection(ws, "production", environ={})
    assert sel.stack_name == "prod" and sel.work_dir == str(tmp_path / "stacks")
    assert sel.env_vars["PULUMI_BACKEND_URL"] == (tmp_path / ".pulumi").resolve().as_uri()
    sel = automation.selection(ws, "prod", environ={"PULUMI_BACKEND_URL": "s3://state"})
    assert sel.env_vars["PULUMI_BACKEND_URL"] == "s3://state"
    with pytest.raises(UnknownStackError):
        automation.selection(ws, "qa", environ={})
    opts = automation.run_options(automation._policy_pack(ws), on_event=print)
    assert opts["policy_packs"] == [str(tmp_path / "policies")]
    assert opts["on_event"] is print and opts["diff"] is True
    # The pack's configuration (.agentops.yaml's per-stack settings) travels to the CLI as
    # --policy-pack-config, from a file that exists only for the run.
    with automation._pack_options(ws, print) as opts:
        (config_file,) = opts["policy_pack_configs"]
        assert opts["policy_packs"] == [str(tmp_path / "policies")]
        assert isinstance(json.loads(Path(config_file).read_text()), dict)
    assert not Path(config_file).exists()
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PulumiUnavailable, match="not on PATH"):
        automation.preview_plan(ws)


def test_policy_verdicts_and_cost_appear_in_every_format(repo):
    """The real pack and the real pricing table run on the head graph of a changed stack."""
    from agentops.cost import delta, estimate
    from agentops.spec import load_spec_text

    edit_dev(repo)
    spec = repo / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text().replace("api:1.0", "api:latest"))
    plan = build_plan(Workspace(repo), stacks=["dev"])
    (dev,) = plan.stacks
    pinned = [v for v in dev.verdicts if v.policy == "k8s-image-pinned"]
    assert pinned and pinned[0].enforcement == "mandatory" and "latest" in pinned[0].message
    before = estimate(load_spec_text(BASE, "dev.yaml"), "dev")
    after = estimate(load_spec_text((repo / "stacks" / "dev.yaml").read_text(), "dev.yaml"), "dev")
    expected = delta(before, after, "dev")
    assert dev.cost == expected and dev.cost.delta_usd != 0.0
    text = render(plan, "text")
    assert "k8s-image-pinned" in text and f"${expected.after_usd:,.2f}" in text
    md = render(plan, "markdown")
    assert "k8s-image-pinned" in md and f"{expected.delta_usd:+,.2f} USD" in md
    data = json.loads(render(plan, "json"))
    assert any(v["policy"] == "k8s-image-pinned" for v in data["stacks"][0]["verdicts"])
    assert data["stacks"][0]["cost"]["after_usd"] == expected.after_usd
