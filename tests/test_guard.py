"""The guard between the model and the specs, tested without the model.

The plan writer is scripted through the interpreter's public seam (Interpreter(writer=...)),
so these tests say what the guard does with ANY model output: the real model is one writer
among others, and the guard is what stands between it and a change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentops.spec import load_spec_text
from agentops.actionplan import ActionType, RiskLevel
from agentops.errors import InterpretError
from agentops.interpret import TARGETED, CommandFacts, guard
from agentops.planline import parse
from agentops.spec import Workspace, load_spec_text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return Workspace(tmp_path)


# -- the wrong-target delete (issue: "delete database payments in prod" deleted orders)


@pytest.mark.parametrize("line", [
    "delete database stack=prod",              # nameless: the only database in prod is orders
    "delete database name=orders stack=prod",  # a name the command never says
])
def test_delete_of_a_missing_database_never_hits_the_one_that_exists(scripted, workspace, line):
    interpreter = scripted(line)
    with pytest.raises(InterpretError) as err:
        interpreter.interpret("delete database payments in prod", workspace)
    message = str(err.value)
    assert "cannot delete" in message
    assert "orders" in message  # what exists is listed, so the user can say it


def test_a_named_missing_database_is_reported_by_name(scripted, workspace):
    with pytest.raises(InterpretError, match="'payments'.*no resource of that name"):
        scripted("delete database name=payments stack=prod").interpret(
            "delete database payments in prod", workspace)


def test_a_delete_of_a_named_resource_still_works(scripted, workspace):
    plan = scripted("delete database name=orders stack=prod").interpret(
        "delete database orders in prod", workspace)
    assert [(a.type, a.name, a.stack) for a in plan.actions] == [(ActionType.delete, "orders", "prod")]
    assert plan.risk_level == RiskLevel.critical


def test_a_delete_takes_no_typo_for_a_name(scripted, workspace):
    # a near miss may be another resource: a delete needs the name as written
    with pytest.raises(InterpretError, match="does not name 'orders'"):
        scripted("delete database name=orders stack=prod").interpret(
            "delete database ordrs in prod", workspace)
    # a non-destructive change tolerates the typo
    plan = scripted("backup database name=orders stack=prod").interpret(
        "back up database ordrs in prod", workspace)
    assert plan.actions[0].name == "orders"


def test_names_with_digits_are_never_fuzzy(workspace):
    facts = CommandFacts.of("restart cache2 in dev", ["dev"])
    assert not facts.mentions("cache1")
    assert facts.mentions("cache2")


def test_all_names_the_whole_set(scripted, workspace):
    plan = scripted("delete database stack=prod").interpret("delete all production databases", workspace)
    prod = workspace.load_all()["prod"]
    dbs = [n for s, n, _ in prod.resources() if s == "databases"]
    assert sorted(a.name for a in plan.actions) == sorted(dbs)
    assert all(a.type == ActionType.delete for a in plan.actions)
    assert plan.risk_level == RiskLevel.critical


@pytest.mark.parametrize("command,line", [
    ("scale it to 5 replicas in dev", "scale deployment stack=dev replicas=5"),
    ("restart the deployment in dev", "restart deployment stack=dev"),
    ("back up the database in prod", "backup database stack=prod"),
    ("alert when cpu is above 80 in prod", "monitor database stack=prod metric=cpu threshold=80"),
])
def test_no_pick_by_elimination_for_any_targeted_action(scripted, workspace, command, line):
    with pytest.raises(InterpretError, match="names no existing resource"):
        scripted(line).interpret(command, workspace)


def test_a_model_supplied_target_is_refused_not_dropped(scripted, workspace):
    # "scale search" where no search exists: the model's nearest guess must not be used
    with pytest.raises(InterpretError, match="does not name 'api'"):
        scripted("scale deployment name=api stack=prod replicas=3").interpret(
            "scale search to 3 replicas in prod", workspace)


# -- the guard, by property: whatever the model writes


NAMES = st.from_regex(r"[a-z][a-z0-9]{2,7}(-[a-z0-9]{2,5})?", fullmatch=True)
SECTION_OF = {"deployment": "deployments", "database": "databases"}


def _spec_text(deployments: list[str], databases: list[str]) -> str:
    lines = ["provider: aws", "region: us-east-1", "clusters:", "  main: {version: '1.31', instance_type: m5.large}"]
    if deployments:
        lines.append("deployments:")
        lines += [f"  {n}: {{cluster: main, image: 'ghcr.io/acme/{n}:1.0', replicas: 2}}" for n in deployments]
    if databases:
        lines.append("databases:")
        lines += [f"  {n}: {{engine: postgres, instance_class: db.t3.micro, storage_gb: 20}}" for n in databases]
    return "\n".join(lines) + "\n"


@st.composite
def scenarios(draw):
    existing = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    deployments = [n for i, n in enumerate(existing) if i % 2 == 0 and n != "main"]
    databases = [n for i, n in enumerate(existing) if i % 2 == 1 and n != "main"]
    said = draw(st.sampled_from(existing + [draw(NAMES)]))  # an existing name or any other
    verb = draw(st.sampled_from(["delete", "remove", "scale", "restart", "back up", "update"]))
    noun = draw(st.sampled_from(["deployment", "database", "service", "db", ""]))
    extra = draw(st.sampled_from(["", " now", " please", " in prod", " to 3 replicas"]))
    command = f"{verb} {noun} {said}{extra}".replace("  ", " ")
    # the model's line: any action type, any resource, any or no name
    n_actions = draw(st.integers(1, 3))
    parts = []
    for _ in range(n_actions):
        atype = draw(st.sampled_from([t.value for t in ActionType]))
        resource = draw(st.sampled_from(["deployment", "database"]))
        name = draw(st.sampled_from(existing + [said, None]))
        parts.append(f"{atype} {resource}" + (f" name={name}" if name else "") + " stack=prod"
                     + (" replicas=3" if atype == "scale" else ""))
    return deployments, databases, command, " ; ".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_no_targeted_action_ever_acts_on_a_resource_the_command_does_not_name(scenario):
    deployments, databases, command, line = scenario
    specs = {"prod": load_spec_text(_spec_text(deployments, databases), "prod.yaml")}
    facts = CommandFacts.of(command, list(specs))
    try:
        actions = guard(parse(line), facts, specs, None, [])
    except InterpretError:
        return  # refusing is always allowed
    created: set[str] = set()
    for action in actions:
        if action.type in TARGETED:
            assert action.name, f"a nameless {action.type.value} passed the guard: {line!r}"
            # a delete names its target exactly; other changes may say it in words
            said = (facts.mentions(action.name, exact=True) if action.type == ActionType.delete
                    else facts.mentions_loosely(action.name))
            assert said or facts.everything, (
                f"{action.type.value} {action.name!r} acts on a resource {command!r} does not name")
            # an existing resource, or one an earlier action of the same plan creates
            assert specs["prod"].find(action.name) or action.name in created, f"{action.name!r} does not exist"
        if action.type == ActionType.create and action.name:
            created.add(action.name)
        if action.type == ActionType.delete:
            assert facts.destructive, f"a delete without a delete verb in {command!r}"


# -- a create makes the kind the command names, or nothing


@pytest.mark.parametrize("command,line,said", [
    ("create a 100 GB volume called scratch in dev", "create storage name=scratch stack=dev kind=bucket", "volume"),
    ("create a security group named edge in dev", "create infrastructure name=edge stack=dev kind=instance", "firewall"),
    ("add a postgres database named ledger in dev", "create storage name=ledger stack=dev kind=bucket", "database"),
])
def test_a_create_of_another_kind_than_the_command_names_is_refused(scripted, workspace, command, line, said):
    with pytest.raises(InterpretError, match=f"asks for a .*{said}"):
        scripted(line).interpret(command, workspace)


def test_a_create_of_the_named_kind_passes(scripted, workspace):
    plan = scripted("create storage name=scratch stack=dev kind=volume storage_gb=100").interpret(
        "create a 100 GB volume called scratch in dev", workspace)
    assert [(a.type, a.name, a.parameters.kind) for a in plan.actions] == [(ActionType.create, "scratch", "volume")]


@pytest.mark.parametrize("command,noun", [
    ("create an SQS queue called jobs in dev", "queue"),
    ("add a redis cache cluster to prod", "cache"),
    ("set up a lambda function for thumbnails in staging", "function"),
])
def test_a_kind_the_command_names_is_never_turned_into_another(scripted, workspace, command, noun):
    # Every kind is interpreted now; a model that still writes its nearest old kind is refused.
    interpreter = scripted("create storage name=jobs stack=dev kind=bucket")  # what a model might say
    with pytest.raises(InterpretError, match=f"asks for a (.*, )?{noun}, but the interpreter wrote a bucket"):
        interpreter.interpret(command, workspace)


@pytest.mark.parametrize("command,line,section,values", [
    ("create an SQS queue called jobs in dev, keep messages 4 days",
     "create infrastructure name=jobs stack=dev kind=queue retention_seconds=345600", "queues",
     {"retention_seconds": 345600}),
    ("set up a lambda function called thumbs in staging from image "
     "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4 with 1 GB of memory",
     "create infrastructure name=thumbs stack=staging kind=function "
     "image=123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4 memory_mb=1024", "functions",
     {"memory_mb": 1024}),
])
def test_new_kinds_are_interpreted_with_their_own_keys_in_their_units(scripted, workspace, command, line,
                                                                     section, values):
    from agentops.edit import apply_plan

    plan = scripted(line).interpret(command, workspace)
    said = dict(w.split("=", 1) for w in line.split()[2:] if not w.startswith(("name=", "stack=")))
    assert {k: str(v) for k, v in plan.actions[0].parameters.set_values().items()} == said
    stack = plan.actions[0].stack
    texts = {stack: (workspace.root / "stacks" / f"{stack}.yaml").read_text()}
    result = apply_plan(plan, texts)
    spec = load_spec_text(result.texts[stack], f"{stack}.yaml")
    found = spec.find(plan.actions[0].name)
    assert found[0] == section
    for key, value in values.items():
        assert getattr(found[1], key) == value


def test_a_value_the_command_does_not_say_is_dropped_from_a_new_kind(scripted, workspace):
    plan = scripted("create infrastructure name=jobs stack=dev kind=queue retention_seconds=600").interpret(
        "create an SQS queue called jobs in dev", workspace)
    assert plan.actions[0].parameters.set_values() == {"kind": "queue"}


def test_a_kind_nobody_registered_is_refused_by_name(scripted, workspace):
    interpreter = scripted("create storage name=events stack=dev kind=bucket")
    with pytest.raises(InterpretError, match="no kind for 'kafka( topic)?'"):
        interpreter.interpret("create a kafka topic events in dev", workspace)
    assert interpreter.writer.calls == []


def test_an_edit_never_falls_back_to_another_kind_of_the_type(workspace):
    from agentops.actionplan import ActionPlan
    from agentops.edit import apply_plan
    from agentops.kinds import EditError

    from agentops.actionplan import Action, Parameters, ResourceType

    action = Action(type=ActionType.create, resource=ResourceType.database, name="sessions", stack="prod",
                    parameters=Parameters(kind="cache"))
    plan = ActionPlan(command="x", interpretation="x", actions=[action])
    texts = {s: (workspace.stacks_dir / f"{s}.yaml").read_text() for s in workspace.stack_names()}
    with pytest.raises(EditError, match="'cache' is a infrastructure kind"):
        apply_plan(plan, texts)
