"""The evaluator and the structured held-out set (evals/wild.yaml): a plan writer that answers
every command with its expected plan scores 100% (the set's expectations apply to its own
repository and survive the guard), and a wrong answer is scored wrong. No model here, and no
item is shown: the set is held out, and only aggregates are asserted."""

from __future__ import annotations

from pathlib import Path

from agentops.evaluate import (ERROR, expected_actions, load_eval_file, run_eval, same_effect,
                               score_structured)
from agentops.planline import render
from agentops.spec import Workspace

ROOT = Path(__file__).resolve().parents[1]
WILD = ROOT / "evals" / "wild.yaml"


class _Oracle:
    """Answers each command with its expected plan line (a refusal: a line naming nothing)."""

    embedder = None

    def __init__(self, lines):
        self.lines = lines

    def write(self, text, specs, workspace, model_setting):
        from agentops.interpret import WrittenPlan

        return WrittenPlan(self.lines.get(text, "none"))


def _wild():
    evalset = load_eval_file(WILD)
    return evalset, Workspace.find(evalset.repository)


def test_the_wild_set_is_large_structured_and_has_its_own_repository():
    evalset, workspace = _wild()
    assert len(evalset.items) >= 100 and all(i.structured for i in evalset.items)
    assert set(workspace.stack_names()) == {"dev", "staging", "prod"}
    kinds = {a[1] for i in evalset.items for a in i.actions}
    assert len(kinds) >= 24  # every kind, near enough


def test_an_oracle_scores_nearly_everything_on_the_wild_set():
    # The guard holds the oracle to the command like the model: what it still misses is an
    # expectation the deterministic code cannot reach (counted, never shown).
    evalset, workspace = _wild()
    registry = workspace.kinds
    lines = {i.command: render(expected_actions(i.actions, registry)) for i in evalset.items
             if i.expect != ERROR and i.actions}
    reports = run_eval(evalset.items, workspace, writer=_Oracle(lines))
    report = reports["wild"]
    # What an oracle cannot get right by construction: a refusal of a name that does not
    # exist (it writes nothing there; a model writes the name and the guard refuses it) and a
    # relative change (it writes the result, which the command never says; a model writes +N).
    unreachable = sum(1 for i in evalset.items
                      if "relative" in i.tags or (i.expect == ERROR and "missing-kind" not in i.tags))
    reachable = len(report.results) - unreachable
    right = sum(r.exact for r in report.results)
    assert right >= reachable - 6, f"oracle: {right} right of {reachable} reachable"
    # every refusal of a kind the registry does not have is made before any plan is written
    assert all(r.exact for r in report.results if "missing-kind" in r.item.tags)


def test_a_scale_and_an_update_of_one_field_have_the_same_effect():
    evalset, workspace = _wild()
    specs = workspace.load_all()
    stack, spec = next((s, sp) for s, sp in specs.items()
                       if any(sec == "deployments" for sec, _, _ in sp.resources()))
    name = next(n for sec, n, _ in spec.resources() if sec == "deployments")
    expected = (("scale", "deployments", name, stack, (("replicas", 7.0),)),)
    got = expected_actions((("update", "deployments", name, stack, (("replicas", 7.0),)),), workspace.kinds)
    assert not score_structured(expected, tuple())[0]
    assert same_effect(expected, got, workspace)
    other = expected_actions((("scale", "deployments", name, stack, (("replicas", 6.0),)),), workspace.kinds)
    assert not same_effect(expected, other, workspace)


def test_key_misses_name_the_kind_key_and_how_never_the_value():
    from agentops.evaluate import key_misses

    want = (("create", "queues", "jobs", "dev", (("retention_seconds", 345600.0), ("visibility_timeout_seconds", 30.0))),
            ("scale", "deployments", "api", "dev", (("replicas", 6.0),)))
    got = (("create", "queues", "jobs", "dev", (("retention_seconds", 4.0), ("fifo", True))),
           ("scale", "clusters", "api", "dev", (("count", 6.0),)))
    assert key_misses(want, got) == (("queues", "fifo", "extra"), ("queues", "retention_seconds", "wrong value"),
                                     ("queues", "visibility_timeout_seconds", "missing"))
    assert key_misses(want, None) == ()


def test_a_structured_item_can_create_a_volume_and_a_bucket_is_not_one(tmp_path):
    # `kind: volume` in an item's parameters is part of what it says (a storage create is a
    # bucket unless it says otherwise); `kind: bucket`, the default, says nothing more.
    from agentops.evaluate import by_kind, with_registry

    evalset, workspace = _wild()
    registry = workspace.kinds
    stack = sorted(workspace.stack_names())[0]
    volume = (("create", "storage", "scratch-vol", stack, (("kind", "volume"), ("storage_gb", 50.0))),)
    bucket = (("create", "storage", "scratch-vol", stack, (("kind", "bucket"),)),)
    [made] = expected_actions(volume, registry)
    assert made.parameters.kind == "volume" and made.parameters.storage_gb == 50
    assert expected_actions(bucket, registry)[0].parameters.kind == "bucket"
    assert with_registry(bucket, registry) == (("create", "storage", "scratch-vol", stack, ()),)
    assert with_registry(volume, registry) == volume
    specs = workspace.load_all()
    # an interpreted volume create reads back as the item; a bucket create of that name does not
    assert score_structured(with_registry(volume, registry), by_kind([made], specs, registry))[0]
    [as_bucket] = expected_actions(bucket, registry)
    assert not score_structured(with_registry(volume, registry), by_kind([as_bucket], specs, registry))[0]
    assert same_effect(volume, [made], workspace) and not same_effect(volume, [as_bucket], workspace)
