"""Applying ActionPlans to specs round-trip: the diff is the change and nothing else."""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.edit import EditError, apply_plan, check_plan_applies
from agentops.errors import SpecError
from agentops.spec import dump_document, load_spec_text, parse_document

STACKS = Path(__file__).resolve().parents[1] / "stacks"
TEXTS = {n: (STACKS / f"{n}.yaml").read_text() for n in ("dev", "staging", "prod")}
NOW = lambda: datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)  # noqa: E731


def edit(*actions, stack=None):
    plan = ActionPlan(command="c", interpretation="i", actions=list(actions))
    return apply_plan(plan, TEXTS, default_stack=stack, now=NOW)


def changed_lines(result, stack="dev"):
    diff = difflib.unified_diff(TEXTS[stack].splitlines(), result.texts[stack].splitlines(), n=0, lineterm="")
    return [l for l in diff if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def A(type, resource, name=None, stack="dev", **params):
    return Action(type=type, resource=resource, name=name, stack=stack, parameters=Parameters(**params))


def test_scale_deployment_is_a_one_line_diff():
    result = edit(A("scale", "deployment", "api", replicas=3))
    assert changed_lines(result) == ["-    replicas: 1", "+    replicas: 3"]
    assert result.texts["dev"].startswith("# Development")  # comments kept


def test_scale_cluster_moves_the_bound():
    result = edit(A("scale", "infrastructure", "main", count=5))
    assert changed_lines(result) == ["-    desired_size: 2", "-    max_size: 3",
                                     "+    desired_size: 5", "+    max_size: 5"] or \
        sorted(changed_lines(result)) == sorted(["-    desired_size: 2", "+    desired_size: 5",
                                                 "-    max_size: 3", "+    max_size: 5"])


def test_create_entries_keep_blank_lines_and_validate():
    result = edit(A("create", "deployment", "worker", image="ghcr.io/acme/worker:1", replicas=2),
                  A("create", "infrastructure", "batch", kind="instance", count=2, instance_type="t3.small"),
                  A("create", "storage", "scratch", kind="volume", storage_gb=50))
    spec = load_spec_text(result.texts["dev"], "dev")
    assert spec.deployments["worker"].cluster == "main" and spec.deployments["worker"].replicas == 2
    assert spec.instances["batch"].count == 2 and spec.instances["batch"].instance_type == "t3.small"
    assert spec.storage["scratch"].kind == "volume" and spec.storage["scratch"].size_gb == 50
    # Only additions: nothing existing was rewritten.
    assert all(l.startswith("+") or l == "-" for l in changed_lines(result))
    assert "\n\ndatabases:" in result.texts["dev"] and "\n\ninstances:" in result.texts["dev"]


def test_update_restart_backup_monitor():
    result = edit(A("update", "deployment", "web", image="ghcr.io/acme/web:2.4.0"),
                  A("restart", "deployment", "api"),
                  A("backup", "database", "orders"),
                  A("monitor", "monitoring", "orders", metric="cpu", threshold=80.0))
    spec = load_spec_text(result.texts["dev"], "dev")
    assert spec.deployments["web"].image == "ghcr.io/acme/web:2.4.0"
    assert spec.deployments["api"].restarted_at == "2025-03-01T12:00:00Z"
    assert spec.databases["orders"].backup.retention_days == 30
    assert spec.alerts["orders-cpu"].target == "orders" and spec.alerts["orders-cpu"].threshold == 80
    assert "threshold: 80\n" in result.texts["dev"]


def test_security_rule_add_and_remove():
    added = edit(A("update", "security", "web-ingress", port=22, cidr="10.0.0.0/8"))
    rules = load_spec_text(added.texts["dev"], "dev").security["web-ingress"].rules
    assert [(r.port, r.cidr) for r in rules] == [(443, "0.0.0.0/0"), (22, "10.0.0.0/8")]
    removed = edit(A("delete", "security", "web-ingress", port=443))
    assert load_spec_text(removed.texts["dev"], "dev").security["web-ingress"].rules == []


def test_delete_removes_entry_and_empty_section():
    result = edit(A("delete", "storage", "assets"))
    assert "storage:" not in result.texts["dev"] and "\n\nsecurity:" in result.texts["dev"]


def test_unknown_name_lists_what_exists():
    with pytest.raises(EditError, match=r"no resource named 'nope'.*deployments.api, deployments.web"):
        edit(A("restart", "deployment", "nope"))


def test_wrong_parameter_names_the_allowed_ones():
    with pytest.raises(EditError, match=r"cannot set engine.*\n.*image, port, replicas"):
        edit(A("update", "deployment", "api", engine="mysql"))


def test_invalid_result_is_a_spec_error():
    with pytest.raises(SpecError, match="replicas"):
        edit(A("scale", "deployment", "api", replicas=-1))


def test_duplicate_create_and_missing_stack():
    with pytest.raises(EditError, match="already exists"):
        edit(A("create", "deployment", "api", image="x:1"))
    with pytest.raises(EditError, match="names no stack"):
        edit(A("restart", "deployment", "api", stack=None))
    assert edit(A("restart", "deployment", "api", stack=None), stack="dev").texts["dev"]


def test_show_only_and_no_change_are_refused():
    with pytest.raises(EditError, match="nothing to propose"):
        edit(A("show", "deployment", "api"))
    with pytest.raises(EditError, match="changes nothing"):
        edit(A("scale", "deployment", "api", replicas=1))


# check_plan_applies: the same verdicts as apply_plan, for checking many plans (written sets)


def plan_of(*actions):
    return ActionPlan(command="c", interpretation="i", actions=list(actions))


def test_checking_a_plan_gives_the_changes_apply_plan_makes_and_writes_nothing():
    plan = plan_of(A("scale", "deployment", "api", replicas=3),
                   A("create", "storage", "scratch", kind="volume", storage_gb=50))
    before = dict(TEXTS)
    assert check_plan_applies(plan, TEXTS) == apply_plan(plan, TEXTS, now=NOW).changes
    assert TEXTS == before


@pytest.mark.parametrize("action, error, message", [
    (A("scale", "deployment", "ghost", replicas=3), EditError, "no resource named 'ghost'"),
    (A("scale", "deployment", "api", replicas=1), EditError, "changes nothing"),
    (A("scale", "deployment", "api", replicas=-2), SpecError, "replicas"),
])
def test_checking_a_plan_refuses_what_apply_plan_refuses(action, error, message):
    with pytest.raises(error, match=message):
        apply_plan(plan_of(action), TEXTS, now=NOW)
    with pytest.raises(error, match=message):
        check_plan_applies(plan_of(action), TEXTS)


def test_each_parse_of_a_spec_is_the_callers_own_document():
    first = parse_document(TEXTS["dev"], "stacks/dev.yaml")
    first["deployments"]["api"]["replicas"] = 99
    again = parse_document(TEXTS["dev"], "stacks/dev.yaml")
    assert again["deployments"]["api"]["replicas"] == 1
    assert dump_document(again) == dump_document(parse_document(TEXTS["dev"], "stacks/dev.yaml"))
