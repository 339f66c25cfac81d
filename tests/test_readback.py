"""Reading a spec diff back into actions (agentops.readback), directly and as properties."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentops.actionplan import ActionPlan
from agentops.config import RepoConfig
from agentops.readback import (
    UnreadableDiff,
    actions_from_spec_diff,
    read_back,
    section_resource_types,
)
from agentops.risk import assess
from agentops.spec import SECTIONS, _plain, parse_document

STACKS = Path(__file__).resolve().parents[1] / "stacks"


def spec(stack: str = "prod") -> dict:
    return _plain(parse_document((STACKS / f"{stack}.yaml").read_text(), stack))


def kinds(actions) -> list[tuple[str, str, str | None, str]]:
    return [(a.type.value, a.resource.value, a.name, a.stack) for a in actions]


def one(base: dict, head: dict, stack: str = "prod"):
    return actions_from_spec_diff({stack: base}, {stack: head})


def test_mapping_comes_from_the_spec_sections():
    types = section_resource_types()
    assert set(types) == set(SECTIONS)
    assert types["databases"].value == "database" and types["security"].value == "security"


def test_no_change_no_action():
    assert one(spec(), spec()) == []


def test_create_delete_and_rename():
    base, head = spec(), spec()
    del head["databases"]["orders"]
    head["storage"]["exports"] = {"kind": "bucket"}
    head["deployments"]["api2"] = head["deployments"].pop("api")  # a rename re-creates
    got = kinds(one(base, head))
    assert ("delete", "database", "orders", "prod") in got
    assert ("create", "storage", "exports", "prod") in got
    assert ("delete", "deployment", "api", "prod") in got
    assert ("create", "deployment", "api2", "prod") in got
    assert len(got) == 4
    bucket = next(a for a in one(base, head) if a.name == "exports")
    assert bucket.parameters.kind == "bucket"


@pytest.mark.parametrize("section,name,change,expected", [
    ("deployments", "api", {"replicas": 9}, "scale"),
    ("clusters", "main", {"desired_size": 5, "max_size": 12}, "scale"),
    ("instances", "bastion", {"count": 2}, "scale"),
    ("deployments", "api", {"restarted_at": "2025-01-01T00:00:00Z"}, "restart"),
    ("databases", "orders", {"backup": {"schedule": "cron(0 6 * * ? *)", "retention_days": 7}}, "backup"),
    ("databases", "orders", {"backup_retention_days": 7}, "backup"),
    ("deployments", "api", {"image": "ghcr.io/acme/api:1.9.0"}, "update"),
    ("deployments", "api", {"replicas": 9, "image": "ghcr.io/acme/api:1.9.0"}, "update"),  # mixed
    ("databases", "orders", {"engine": "mysql"}, "update"),
])
def test_changed_fields_say_the_action(section, name, change, expected):
    base, head = spec(), spec()
    head[section][name].update(change)
    (action,) = one(base, head)
    assert (action.type.value, action.name) == (expected, name)
    assert all(k in action.description for k in change)


def test_scale_carries_the_new_value():
    base, head = spec(), spec()
    head["deployments"]["api"]["replicas"] = 9
    (action,) = one(base, head)
    assert action.parameters.replicas == 9


def test_security_rule_change_is_a_security_update_and_critical():
    base, head = spec("dev"), spec("dev")
    name = next(iter(head["security"]))
    head["security"][name]["rules"][0]["cidr"] = "0.0.0.0/0"
    head["security"][name]["rules"][0]["port"] = 22
    (action,) = one(base, head, "dev")
    assert (action.type.value, action.resource.value) == ("update", "security")
    plan = ActionPlan(command="-", interpretation="-", actions=[action])
    assert assess(plan, RepoConfig()).level.value == "critical"


def test_region_change_recreates_every_resource():
    base, head = spec(), spec()
    head["region"] = "eu-west-1"
    got = one(base, head)
    deletes = [a for a in got if a.type.value == "delete"]
    creates = [a for a in got if a.type.value == "create"]
    total = sum(len(base.get(s) or {}) for s in SECTIONS)
    assert len(deletes) == total == len(creates)
    assert "region 'us-east-1' -> 'eu-west-1'" in deletes[0].description


def test_tags_change_is_an_infrastructure_update():
    base, head = spec(), spec()
    head["tags"]["owner"] = "someone-else"
    assert kinds(one(base, head)) == [("update", "infrastructure", None, "prod")]


def test_new_and_removed_stacks():
    got = actions_from_spec_diff({}, {"qa": {"deployments": {"api": {"cluster": "c", "image": "i"}},
                                             "clusters": {"c": {}}}})
    assert sorted(kinds(got)) == [("create", "deployment", "api", "qa"),
                                  ("create", "infrastructure", "c", "qa")]
    gone = actions_from_spec_diff({"prod": spec()}, {"prod": None})
    assert {a.type.value for a in gone} == {"delete"}
    assert len(gone) == sum(len(spec().get(s) or {}) for s in SECTIONS)


@pytest.mark.parametrize("head,reason", [
    ({"widgets": {"a": {}}}, "unknown section 'widgets'"),
    ({"databases": ["orders"]}, "section 'databases' is a list"),
    ({"databases": {"orders": "big"}}, "databases.orders is a str"),
    (["not", "a", "mapping"], "the spec is a list"),
])
def test_unreadable_changes_are_named(head, reason):
    with pytest.raises(UnreadableDiff, match=reason) as info:
        actions_from_spec_diff({"prod": spec()}, {"prod": head})
    assert info.value.stack == "prod"


def test_read_back_texts_keeps_readable_stacks_and_flags_possible_deletes():
    prod = (STACKS / "prod.yaml").read_text()
    dev = (STACKS / "dev.yaml").read_text()
    out = read_back({"prod": prod, "dev": dev},
                    {"prod": prod + "\nwidgets: {x: 1}\n", "dev": dev.replace("replicas: 1", "replicas: 3", 1)})
    assert out.unreadable.keys() == {"prod"} and "widgets" in out.unreadable["prod"]
    assert out.possibly_deleted == set()  # every name of the base is still there
    assert [a.type.value for a in out.actions] == ["scale"]
    broken = read_back({"prod": prod}, {"prod": prod.replace("databases:\n  orders:", "databases:\n  orders: [")})
    assert "prod" in broken.unreadable and broken.possibly_deleted == {"prod"}
    dropped = read_back({"prod": prod}, {"prod": "widgets: {}\n"})
    assert dropped.possibly_deleted == {"prod"}
    # Comments and formatting only: nothing to read back.
    assert read_back({"prod": prod}, {"prod": "# note\n" + prod}).actions == []


# ---------------------------------------------------------------------------------------------
# Properties: random edits of a real spec


def _entries(data: dict) -> set[tuple[str, str]]:
    return {(s, n) for s in SECTIONS for n in (data.get(s) or {})}


edits = st.lists(st.tuples(
    st.sampled_from(["delete", "create", "scale", "touch"]),
    st.sampled_from(sorted(SECTIONS)),
    st.integers(min_value=0, max_value=5),
), max_size=8)


def _mutate(data: dict, plan) -> dict:
    data = copy.deepcopy(data)
    for op, section, i in plan:
        entries = data.setdefault(section, {}) or {}
        data[section] = entries
        names = sorted(entries)
        if op == "create":
            entries[f"new-{section}-{i}"] = {"count": i}
        elif names and op == "delete":
            entries.pop(names[i % len(names)])
        elif names and op == "scale":
            entries[names[i % len(names)]]["replicas"] = 100 + i
        elif names and op == "touch":
            entries[names[i % len(names)]]["note"] = f"v{i}"
    return data


@settings(max_examples=150, deadline=None)
@given(edits)
def test_every_changed_entry_gets_exactly_one_action(plan):
    base = spec()
    head = _mutate(base, plan)
    actions = one(base, head)
    touched = [(a.type.value, a.name) for a in actions]
    names = [n for _, n in touched]
    assert len(names) == len(set(names)), "one action per entry"
    created = {n for _, n in _entries(head) - _entries(base)}
    deleted = {n for _, n in _entries(base) - _entries(head)}
    changed = {n for s, n in _entries(base) & _entries(head) if base[s][n] != head[s][n]}
    assert {n for t, n in touched if t == "create"} == created
    assert {n for t, n in touched if t == "delete"} == deleted
    assert {n for t, n in touched if t not in ("create", "delete")} == changed


@settings(max_examples=100, deadline=None)
@given(edits)
def test_reading_the_diff_backwards_swaps_creates_and_deletes(plan):
    base = spec()
    head = _mutate(base, plan)
    forward = {(a.type.value, a.name) for a in one(base, head)}
    backward = {(a.type.value, a.name) for a in one(head, base)}
    swap = {"create": "delete", "delete": "create"}
    assert {(swap.get(t, t), n) for t, n in forward} == backward
