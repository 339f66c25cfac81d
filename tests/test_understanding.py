"""How commands are understood beyond one plain action: actions that refer to what an earlier
action creates, values said relative to the spec, sizes under the key the kind takes, names
said in words. The model is replaced by a scripted plan writer (tests/conftest.py), so each
test pins the deterministic code around it; the edits are applied to real specs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from agentops.edit import apply_plan
from agentops.errors import InterpretError
from agentops.interpret import CommandFacts
from agentops.planline import MAX_TOKENS, parse, render
from agentops.spec import Workspace, load_spec_text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    shutil.copytree(REPO / "stacks", tmp_path / "stacks")
    return Workspace(tmp_path)


def _applied(plan, workspace):
    stacks = {a.stack for a in plan.actions}
    texts = {s: (workspace.root / "stacks" / f"{s}.yaml").read_text() for s in stacks}
    result = apply_plan(plan, texts)
    return {s: load_spec_text(t, f"{s}.yaml") for s, t in result.texts.items()}


# -- references between actions


def test_a_later_action_acts_on_what_an_earlier_one_creates(scripted, workspace):
    command = ("stand up a queue-worker deployment in staging from image ghcr.io/acme/qw:2.1 "
               "and alert me when its memory passes 70%")
    line = ("create deployment name=queue-worker stack=staging image=ghcr.io/acme/qw:2.1 ; "
            "monitor deployment name=queue-worker stack=staging metric=memory threshold=70")
    plan = scripted(line).interpret(command, workspace)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "queue-worker"),
                                                              ("monitor", "queue-worker")]
    spec = _applied(plan, workspace)["staging"]
    assert spec.find("queue-worker")[0] == "deployments"
    alerts = [entry for section, _, entry in spec.resources() if section == "alerts"]
    assert any(a.target == "queue-worker" and a.metric == "memory" and a.threshold == 70 for a in alerts)


def test_the_headline_command_cluster_deployment_alert_is_one_plan(scripted, workspace):
    command = ("create an eks cluster named edge in prod, deploy ghcr.io/acme/edge:1.0 as edge-proxy "
               "on it with 2 replicas and alert when its cpu is above 80")
    line = ("create infrastructure name=edge stack=prod provider=aws kind=cluster ; "
            "create deployment name=edge-proxy stack=prod image=ghcr.io/acme/edge:1.0 replicas=2 ; "
            "monitor deployment name=edge-proxy stack=prod metric=cpu threshold=80")
    plan = scripted(line).interpret(command, workspace)
    assert len(plan.actions) == 3
    spec = _applied(plan, workspace)["prod"]
    assert spec.find("edge")[0] == "clusters" and spec.find("edge-proxy")[0] == "deployments"


def test_a_reference_to_something_neither_there_nor_created_is_refused(scripted, workspace):
    line = ("create deployment name=queue-worker stack=staging image=ghcr.io/acme/qw:2.1 ; "
            "monitor deployment name=other-worker stack=staging metric=memory threshold=70")
    with pytest.raises(InterpretError):
        scripted(line).interpret("deploy ghcr.io/acme/qw:2.1 as queue-worker in staging and alert "
                                 "when other-worker memory passes 70", workspace)


def test_four_actions_fit_the_token_budget():
    # Counted with the default model's own tokenizer: the longest sensible four-action line.
    import llama_cpp

    from agentops.model import resolve_model

    llm = llama_cpp.Llama(str(resolve_model().path), vocab_only=True, verbose=False)
    line = " ; ".join(["create deployment name=queue-worker-long-name stack=staging "
                       "image=ghcr.io/acme/queue-worker:2.10.3 replicas=12 port=8080"] * 4)
    assert len(llm.tokenize((" " + line + "\n").encode(), add_bos=False)) < MAX_TOKENS


# -- relative values


@pytest.mark.parametrize("command,line,want", [
    ("add three replicas to api in prod", "scale deployment name=api stack=prod replicas=+3", 7),
    ("add three replicas to api in prod", "scale deployment name=api stack=prod replicas=3", 7),
    ("run one fewer replica of api in prod", "scale deployment name=api stack=prod replicas=1", 3),
    ("double api in prod", "scale deployment name=api stack=prod replicas=*2", 8),
    ("double api in prod", "scale deployment name=api stack=prod replicas=2", 8),
    ("halve api in prod", "scale deployment name=api stack=prod", 2),
    ("scale api in prod to 3 replicas", "scale deployment name=api stack=prod replicas=3", 3),
])
def test_a_relative_change_is_computed_from_the_spec(scripted, workspace, command, line, want):
    plan = scripted(line).interpret(command, workspace)
    assert plan.actions[0].parameters.replicas == want
    assert _applied(plan, workspace)["prod"].find("api")[1].replicas == want


def test_the_review_shows_how_a_relative_value_came_about(scripted, workspace):
    plan = scripted("scale deployment name=api stack=prod replicas=+3").interpret(
        "add three replicas to api in prod", workspace)
    assert plan.actions[0].relative == {"replicas": "+3"}
    assert render(plan.actions) == "scale deployment name=api stack=prod replicas=+3"


def test_a_cluster_one_node_fewer(scripted, workspace):
    plan = scripted("scale infrastructure name=main stack=prod kind=cluster count=-1").interpret(
        "main cluster in prod: one node fewer", workspace)
    # prod's main cluster has desired_size 4
    assert plan.actions[0].parameters.count == 3


def test_a_relative_change_below_zero_or_on_a_new_resource_is_refused(scripted, workspace):
    with pytest.raises(InterpretError, match="below zero"):
        scripted("scale deployment name=api stack=prod replicas=-9").interpret(
            "remove nine replicas from api in prod", workspace)
    with pytest.raises(InterpretError, match="needs an existing resource"):
        scripted("create deployment name=fresh stack=prod image=ghcr.io/acme/f:1 replicas=+2").interpret(
            "deploy ghcr.io/acme/f:1 as fresh in prod with 2 more replicas", workspace)


def test_relative_phrases_are_read_from_the_command():
    facts = CommandFacts.of("add three replicas to search, then two nodes fewer, and halve batch", ["prod"])
    assert facts.relative == {3.0: "+", 2.0: "-", None: "/2"}
    assert CommandFacts.of("scale api to 3 replicas", ["prod"]).relative == {}


# -- sizes under the key the kind takes


def test_a_deployment_scaled_with_count_gets_replicas(scripted, workspace):
    plan = scripted("scale deployment name=api stack=prod kind=instance count=6").interpret(
        "scale api in prod to 6", workspace)
    assert plan.actions[0].parameters.set_values() == {"replicas": 6}


def test_a_size_change_written_as_an_update_is_a_scale(scripted, workspace):
    plan = scripted("update deployment name=api stack=prod replicas=6").interpret(
        "set api in prod to 6 replicas", workspace)
    assert [(a.type.value, a.parameters.set_values()) for a in plan.actions] == [("scale", {"replicas": 6})]
    plan = scripted("update infrastructure name=main stack=prod kind=cluster max_size=9").interpret(
        "let main in prod grow to 9 nodes", workspace)
    assert plan.actions[0].type.value == "scale"


def test_a_scale_that_changes_more_than_a_size_is_an_update(scripted, workspace):
    plan = scripted("scale infrastructure name=main stack=prod kind=cluster instance_type=m5.xlarge count=4").interpret(
        "move main in prod to m5.xlarge with 4 nodes", workspace)
    assert plan.actions[0].type.value == "update"
    assert plan.actions[0].parameters.instance_type == "m5.xlarge"
    # an image is no size: a deployment's image change stays an update
    plan = scripted("update deployment name=api stack=prod image=ghcr.io/acme/api:2.0").interpret(
        "roll api in prod to ghcr.io/acme/api:2.0", workspace)
    assert plan.actions[0].type.value == "update"


# -- names said in words


@pytest.mark.parametrize("name,said,loosely", [
    ("order-events", "purge the order events queue", True),
    ("billing-svc", "restart the billing service", True),
    ("checkout-api", "restart the checkout service", True),
    # generic middle parts, one said and one left out
    ("driver-app-api-hpa", "driver app hpa in prod should scale at 60% cpu", True),
    ("search-svc-hpa", "the search hpa max to 12", True),
    ("driver-app-api-hpa", "driver hpa in prod", True),
    ("driver-app-api-hpa", "the driver app api in prod", False),
    # a plural part said in the singular
    ("sandbox-images", "the sandbox image registry", True),
    ("a00", "restart a000", False),
    ("cache1", "restart cache2", False),
])
def test_names_said_in_words(name, said, loosely):
    assert CommandFacts.of(said, []).mentions_loosely(name) is loosely


def test_a_metric_word_taken_for_a_name_is_read_as_the_resource_the_command_names(scripted, workspace):
    line = ("scale deployment name=api stack=prod replicas=5 ; "
            "monitor deployment name=memory stack=prod metric=memory threshold=80")
    plan = scripted(line).interpret("scale api in prod to 5 and add an alert when memory passes 80", workspace)
    assert [(a.type.value, a.name) for a in plan.actions] == [("scale", "api"), ("monitor", "api")]
    assert any("read 'memory' as 'api'" in w for w in plan.warnings)


def test_a_delete_is_never_repaired_onto_another_name(scripted, workspace):
    # the wrong-target delete: a name that does not exist is refused, never swapped
    with pytest.raises(InterpretError):
        scripted("delete database name=payments stack=prod").interpret(
            "delete the payments database in prod", workspace)


# -- a kind's own keys in their units


@pytest.mark.parametrize("command,key,value,said", [
    ("keep messages 4 days", "retention_seconds", 345600, True),
    ("keep messages 4 days", "retention_seconds", 4, True),
    ("timeout of 3 minutes", "timeout_seconds", 180, True),
    ("2 GB of memory", "memory_mb", 2048, True),
    ("512 MB of memory", "memory_mb", 512, True),
    ("2 GB of memory", "memory_mb", 2000, False),
])
def test_values_in_other_units(command, key, value, said):
    assert CommandFacts.of(command, []).says_number(key, value) is said


@pytest.mark.parametrize("line", [
    "create storage name=bills stack=dev kind=bucket",   # a synonym of the name
    "create storage name=invoces stack=dev kind=bucket",  # a slip in it
    "create storage stack=dev kind=bucket",               # none
])
def test_the_name_after_named_is_the_name_of_what_is_created(scripted, workspace, line):
    plan = scripted(line).interpret("create a bucket named invoices in dev", workspace)
    assert plan.actions[0].name == "invoices"


def test_two_names_said_leave_the_model_s_choice_to_the_guard(scripted, workspace):
    plan = scripted("create storage name=bills stack=dev kind=bucket").interpret(
        "create a bucket named invoices in dev like the one called receipts", workspace)
    assert plan.actions[0].name is None


# -- the plan line for every kind


def test_every_kind_s_own_keys_are_in_the_grammar_with_shapes_from_its_model():
    import re

    from agentops.kinds import installed
    from agentops.planline import grammar, plan_keys

    keys = plan_keys(installed())
    assert keys["retention_seconds"].convert is int and keys["retention_seconds"].relative
    assert keys["suspend"].pattern == "(true|false)"
    assert "python3.12" in keys["runtime"].pattern.replace("\\", "")
    regex = grammar(["dev"], installed())
    for line in ('create infrastructure name=jobs stack=dev kind=queue retention_seconds=86400',
                 'update infrastructure name=nightly stack=dev kind=cronjob schedule="0 3 * * *"',
                 'scale deployment name=api stack=dev replicas=/2',
                 'create infrastructure name=www stack=dev kind=dns_record values=10.0.0.1,10.0.0.2'):
        assert re.fullmatch(regex, f" {line}\n"), line
        assert render(parse(line)) == line


def test_a_quoted_value_round_trips_and_reaches_the_spec(scripted, workspace):
    parsed = parse('create infrastructure name=nightly stack=dev kind=cronjob schedule="0 3 * * *" '
                   'image=ghcr.io/acme/report:1.2')
    assert parsed[0].parameters.model_extra["schedule"] == "0 3 * * *"


# -- end to end: one branch holds every action of a four-action plan


def test_propose_puts_a_four_action_plan_with_references_on_one_branch(scripted, tmp_path, monkeypatch):
    import subprocess

    from agentops.propose import propose

    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    root = tmp_path / "infra"
    shutil.copytree(REPO / "stacks", root / "stacks")
    for argv in (["init", "-q", "-b", "main"], ["config", "user.name", "T"],
                 ["config", "user.email", "t@example.com"], ["add", "."], ["commit", "-q", "-m", "stacks"]):
        subprocess.run(["git", *argv], cwd=root, check=True, capture_output=True)
    workspace = Workspace(root)
    command = ("create an eks cluster named edge in staging, deploy ghcr.io/acme/edge:1.0 as edge-proxy on it "
               "with 2 replicas, alert when its cpu is above 80 and add three replicas to api")
    line = ("create infrastructure name=edge stack=staging provider=aws kind=cluster ; "
            "create deployment name=edge-proxy stack=staging image=ghcr.io/acme/edge:1.0 replicas=2 ; "
            "monitor deployment name=edge-proxy stack=staging metric=cpu threshold=80 ; "
            "scale deployment name=api stack=staging replicas=+3")
    plan = scripted(line).interpret(command, workspace)
    assert len(plan.actions) == 4
    result = propose(workspace, plan, publish=False)
    assert result.stacks == ["staging"]
    spec = load_spec_text(subprocess.run(["git", "show", f"{result.branch}:stacks/staging.yaml"], cwd=root,
                                         check=True, capture_output=True, text=True).stdout, "staging.yaml")
    assert spec.find("edge")[0] == "clusters"
    assert spec.find("edge-proxy")[1].cluster == "edge"  # "on it": the cluster it creates
    assert any(sec == "alerts" and e.target == "edge-proxy" for sec, _, e in spec.resources())
    assert spec.find("api")[1].replicas == 5  # 2 in staging, three more
    branches = subprocess.run(["git", "branch", "--list", "agentops/*"], cwd=root, check=True,
                              capture_output=True, text=True).stdout.split()
    assert branches == [result.branch]


# -- values as the kinds spell them


def test_the_plan_line_says_a_kinds_own_spelling_a_percentage_and_a_machine_image():
    line = ("create infrastructure name=edge-alb stack=prod kind=load_balancer port=443 protocol=HTTPS ; "
            "create infrastructure name=api-pdb stack=prod kind=pdb max_unavailable=30% ; "
            "update infrastructure name=bastion stack=prod image=ami-0c1f3a8b5e2d4f601")
    import re

    from agentops.planline import grammar

    assert re.fullmatch(grammar(["prod"]), f" {line}\n")
    actions = parse(line)
    assert actions[0].parameters.protocol == "HTTPS"
    assert actions[1].parameters.set_values()["max_unavailable"] == "30%"
    assert actions[2].parameters.image == "ami-0c1f3a8b5e2d4f601"
    # a firewall rule's protocol stays the canonical lowercase one; a made-up one is no value
    assert not re.fullmatch(grammar(["prod"]), " update security name=x stack=prod protocol=SCTP\n")


def test_a_load_balancers_protocol_said_in_lowercase_is_kept(scripted, workspace):
    line = ("create infrastructure name=edge-alb stack=prod kind=load_balancer port=443 protocol=HTTP")
    plan = scripted(line).interpret("a plain http alb named edge-alb in prod on 443", workspace)
    assert plan.actions[0].parameters.protocol == "HTTP"
    # not said: dropped (the kind's default applies), never guessed
    plan = scripted(line).interpret("an alb named edge-alb in prod on 443", workspace)
    assert plan.actions[0].parameters.protocol is None


def test_quantities_overlap_and_keep_decimals():
    from agentops.interpret.facts import _quantities

    # "a one" must not hide "one day"; "2.5 hours" is not also "5 hours"
    assert _quantities("a one day timeout, 2.5 hours") == [(1.0, "d"), (2.5, "h")]
    assert CommandFacts.of("a one day timeout", ["prod"]).says_number("timeout_seconds", 86400)


# -- what runs on a cluster goes on the one the command names


def _second_cluster(workspace):
    path = workspace.root / "stacks" / "prod.yaml"
    text = path.read_text()
    text = text.replace("clusters:\n", "clusters:\n  batch:\n    instance_type: t3.large\n"
                        "    desired_size: 2\n    min_size: 1\n    max_size: 3\n    network: core\n", 1)
    path.write_text(text)


def test_a_deployment_goes_on_the_cluster_the_command_names(scripted, workspace):
    _second_cluster(workspace)
    line = "create deployment name=etl stack=prod image=ghcr.io/acme/etl:1.2 cluster=batch"
    plan = scripted(line).interpret("deploy ghcr.io/acme/etl:1.2 as etl on the batch cluster in prod", workspace)
    spec = _applied(plan, workspace)["prod"]
    assert spec.find("etl")[1].cluster == "batch"
    # with two clusters and none said, which one is asked, never guessed
    unsaid = scripted("create deployment name=etl stack=prod image=ghcr.io/acme/etl:1.2").interpret(
        "deploy ghcr.io/acme/etl:1.2 as etl in prod", workspace)
    with pytest.raises(Exception, match="which cluster"):
        _applied(unsaid, workspace)


# -- the ends of a size range said in words


@pytest.mark.parametrize("command,line,expected", [
    # a ceiling the model wrote as the size
    ("let main in prod grow to 12 nodes",
     "scale infrastructure name=main stack=prod kind=cluster count=12", {"max_size": 12}),
    ("main cluster in prod should never drop below 2 nodes",
     "scale infrastructure name=main stack=prod kind=cluster count=2", {"min_size": 2}),
    ("cap main in prod at 16 nodes and keep at least 5 up",
     "scale infrastructure name=main stack=prod kind=cluster count=16 min_size=5",
     {"max_size": 16, "min_size": 5}),
    # a size said with no end word is the desired size, not an end
    ("main in prod: 6 nodes please",
     "scale infrastructure name=main stack=prod kind=cluster min_size=6", {"count": 6}),
    ("scale main in prod up to 5 nodes",
     "scale infrastructure name=main stack=prod kind=cluster count=5", {"count": 5}),
    # an end the plan left out, the one action on a ranged kind takes it
    ("grow main in prod to 6 nodes and let it go up to 9",
     "scale infrastructure name=main stack=prod kind=cluster count=6", {"count": 6, "max_size": 9}),
    ("main in prod: between 2 and 8 nodes",
     "scale infrastructure name=main stack=prod kind=cluster min_size=2", {"min_size": 2, "max_size": 8}),
])
def test_a_size_said_as_an_end_of_the_range_goes_under_that_end(scripted, workspace, command, line, expected):
    plan = scripted(line).interpret(command, workspace)
    assert plan.actions[0].parameters.set_values() == {"kind": "cluster"} | expected or \
        plan.actions[0].parameters.set_values() == expected
    spec = _applied(plan, workspace)["prod"]
    node_group = spec.find("main")[1]
    for key, value in expected.items():
        assert getattr(node_group, "desired_size" if key == "count" else key) == value
    # prod's main runs 4 nodes between 3 and 10: an end moved past them takes the size along
    assert node_group.min_size <= node_group.desired_size <= node_group.max_size
    if "count" not in expected:
        assert node_group.desired_size == min(max(4, expected.get("min_size", 0)), expected.get("max_size", 99))


def test_an_autoscaler_range_said_as_pods_takes_both_ends(scripted, workspace):
    plan = scripted("create infrastructure name=api-hpa stack=prod kind=autoscaler target=api max_size=9").interpret(
        "add an hpa named api-hpa for api in prod, 3 to 9 pods", workspace)
    values = plan.actions[0].parameters.set_values()
    assert (values["min_size"], values["max_size"]) == (3, 9)


def test_an_end_said_for_one_of_two_ranged_actions_is_not_guessed(scripted, workspace):
    # "max 9" could be either cluster's: neither gets it
    line = ("scale infrastructure name=main stack=prod kind=cluster count=6 ; "
            "scale infrastructure name=main stack=staging kind=cluster count=4")
    plan = scripted(line).interpret("main in prod to 6 nodes and main in staging to 4, max 9", workspace)
    assert all("max_size" not in a.parameters.set_values() for a in plan.actions)


@pytest.mark.parametrize("text,bounds", [
    ("let it go up to 30 pods, the 20 cap got hit", {30: "max"}),
    ("imaging-eks: floor of 3 nodes, ceiling 10, run 4 for now", {3: "min", 10: "max"}),
    ("raise the max size of the production cluster to 20", {20: "max"}),
    ("set the xray autoscaler to 3-9 replicas", {3: "min", 9: "max"}),
    ("grow the dev cluster from 3 to 5 nodes", {}),
    ("scale the main cluster up to 5 nodes", {}),
    ("alert when latency is above 300 ms for 5 min", {}),
    ("main: 3 nodes minimum, 12 max", {3: "min", 12: "max"}),
    ("main: min 1 max 6", {1: "min", 6: "max"}),
])
def test_the_ends_of_a_range_are_read_from_the_words(text, bounds):
    assert CommandFacts.of(text, []).bounds == {float(k): v for k, v in bounds.items()}


# -- a create's target said in words


@pytest.mark.parametrize("command,line", [
    # left out by the model
    ("add an hpa named api-hpa for the api deployment in prod, 2 to 8 pods",
     "create infrastructure name=api-hpa stack=prod kind=autoscaler min_size=2 max_size=8"),
    # written as a name that is not there
    ("add an hpa named api-hpa for the api deployment in prod, 2 to 8 pods",
     "create infrastructure name=api-hpa stack=prod kind=autoscaler target=apis min_size=2 max_size=8"),
])
def test_a_target_the_command_names_is_the_target(scripted, workspace, command, line):
    plan = scripted(line).interpret(command, workspace)
    assert plan.actions[0].parameters.set_values()["target"] == "api"
    spec = _applied(plan, workspace)["prod"]
    assert spec.find("api-hpa")[1].target == "api"


def test_a_target_made_by_an_earlier_action_is_found_and_two_named_are_not_guessed(scripted, workspace):
    line = ("create deployment name=edge stack=prod image=ghcr.io/acme/edge:1.0 ; "
            "create infrastructure name=edge-pdb stack=prod kind=pdb min_size=1")
    plan = scripted(line).interpret(
        "deploy ghcr.io/acme/edge:1.0 as edge in prod with a pdb named edge-pdb keeping at least 1 up", workspace)
    assert plan.actions[1].parameters.set_values()["target"] == "edge"
    line = "create infrastructure name=both-pdb stack=prod kind=pdb min_size=1"
    plan = scripted(line).interpret("a pdb named both-pdb for api or web in prod, at least 1 up", workspace)
    assert "target" not in plan.actions[0].parameters.set_values()


@pytest.mark.parametrize("command,name,service", [
    ("iam role for eventbridge scheduler, reminder-scheduler-role, prod", "reminder-scheduler-role", "scheduler"),
    ("new role task-runner in prod for our ECS tasks", "task-runner", "ecs-tasks"),
    ("a role named etl-crawler for glue crawlers in prod", "etl-crawler", "glue"),
    ("a role named lambda-glue in prod for lambda or glue, not sure", "lambda-glue", None),  # two said
])
def test_a_value_said_in_words_fills_a_key_the_plan_left_out(scripted, workspace, command, name, service):
    plan = scripted(f"create security name={name} stack=prod kind=iam_role").interpret(command, workspace)
    assert plan.actions[0].parameters.set_values().get("service") == service
    if service:
        spec = _applied(plan, workspace)["prod"]
        assert spec.find(name)[1].service == service


# -- a schedule said in words


@pytest.mark.parametrize("words,current,cron", [
    ("run it every 15 minutes", None, "*/15 * * * *"),
    ("every weekday at 6:30am", None, "30 6 * * 1-5"),
    ("nightly at 2am", None, "0 2 * * *"),
    ("mondays 7am eastern", None, "0 7 * * 1"),
    ("on the 1st of every month at 4am instead of weekly", None, "0 4 1 * *"),
    ("twice a day, at 3 and 15", None, "0 3,15 * * *"),
    ("hourly", None, "0 * * * *"),
    ("month-end close runs on the 2nd at 1am instead", None, "0 1 2 * *"),
    ("run it on the last day of the month at 1am", None, None),
    ("run at 4am instead of 2:30", None, "0 4 * * *"),
    ("move it to 5am", "0 2 * * 1", "0 5 * * 1"),  # a time alone keeps the days
    ("every night at 11pm", "0 2 * * 1", "0 23 * * *"),
    # the time a move goes to, not the time in its reason
    ("move the invoice run to 3am, the db backup overlaps at 2", None, "0 3 * * *"),
    ("change it to run at 5pm, not at 3pm", None, "0 17 * * *"),
    ("at 9am and 5pm on weekdays", None, "0 9,17 * * 1-5"),
    ("at half past six every morning", None, "30 6 * * *"),
    ("quarter to 7, monday through friday", None, "45 6 * * 1-5"),
    ("run it at 0300", None, "0 3 * * *"),
    ("every half hour", None, "*/30 * * * *"),
    ("every other day at 4am", None, "0 4 */2 * *"),
    ("sync schedule in prod -> 0 */2 * * *", None, "0 */2 * * *"),
    ("at 7 in the evening every day", None, "0 19 * * *"),
    ("at 10 at night on weekdays", None, "0 22 * * 1-5"),
    ("at 15 minutes past every hour", None, "15 * * * *"),
    ("every hour on the hour", None, "0 * * * *"),
    ("hourly at :15", None, "15 * * * *"),
    ("run it hourly at 45", None, "45 * * * *"),
    ("every other hour", None, "0 */2 * * *"),
    # whole day names whose stems are not "wed" + "day": a weekly job, never a daily one
    ("every wednesday at 3am", None, "0 3 * * 3"),
    ("every saturday and sunday at 10", None, "0 10 * * 0,6"),
    ("every 2 hours on weekdays", None, "0 */2 * * 1-5"),
    ("every hour at :30", None, "30 * * * *"),
    ("every evening at 7", None, "0 19 * * *"),
    ("twice daily at 6 and 18", None, "0 6,18 * * *"),
    # an hour said as a word; weeknights; a repeat inside a window of hours
    ("every morning at six", None, "0 6 * * *"),
    ("at seven thirty every day", None, "30 7 * * *"),
    ("every evening at eight", None, "0 20 * * *"),
    ("every weeknight at 10pm", None, "0 22 * * 1-5"),
    ("every 15 minutes between 8am and 6pm", None, "*/15 8-17 * * *"),
    ("every 10 min from 9 to 5 on weekdays", None, "*/10 9-16 * * 1-5"),
    ("every 20 min from 6am till midnight", None, "*/20 6-23 * * *"),
    ("change it from every 5 minutes to every 10 minutes", None, "*/10 * * * *"),
    # not said clearly: left out, never guessed
    ("every 5 minutes during business hours", None, None),  # whose hours
    ("every 2 hours from 8 to 6", None, None),  # a step from which hour
    ("scale it at two replicas", None, None),
    ("weekly please", None, None),
    ("nightly", None, None),
    ("at 2am or 3am", None, None),
    ("move it to 3am or 4am", None, None),
    ("every 2 weeks at 1am", None, None),
    ("scale api to 3 replicas", None, None),
])
def test_a_schedule_said_in_words_is_read_as_cron(words, current, cron):
    from agentops.kinds.schedule_words import cron_from_words

    assert cron_from_words(words, current) == cron


def test_a_cron_job_created_with_its_schedule_in_words(scripted, workspace):
    # the model writes the schedule it reads; the guard keeps only what the command says, and
    # reads the words for it
    line = ('create infrastructure name=nightly-report stack=prod kind=cronjob '
            'image=ghcr.io/acme/report:1.4 schedule="0 3 * * *"')
    plan = scripted(line).interpret(
        "add a cron job nightly-report in prod running ghcr.io/acme/report:1.4 every weekday at 6:30am", workspace)
    assert plan.actions[0].parameters.set_values()["schedule"] == "30 6 * * 1-5"
    assert any("read from the command's words" in w for w in plan.warnings)
    spec = _applied(plan, workspace)["prod"]
    assert spec.find("nightly-report")[1].schedule == "30 6 * * 1-5"


# -- values said with a unit, in the unit of the key that takes them

def _written_repo(tmp_path, name: str) -> Workspace:
    """A copy of a written set's repository (training/written/<name>-repo): the names and
    kinds its commands were written against."""
    shutil.copytree(REPO / "training" / "written" / f"{name}-repo" / "stacks", tmp_path / "stacks")
    return Workspace(tmp_path)


@pytest.fixture
def kestrel(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "kestrelhaul")


@pytest.fixture
def bramble(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "bramblecart")


@pytest.fixture
def cinder(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "cinderpeak")


def _params(plan):
    return [(a.name, a.parameters.set_values()) for a in plan.actions]


@pytest.mark.parametrize("command, line, want", [
    # the number copied without its unit
    ("add a dead letter queue pod-uploads-dlq in dev with 14 day retention",
     "create infrastructure name=pod-uploads-dlq stack=dev kind=queue retention_seconds=14",
     {"retention_seconds": 1209600}),
    # left out: the key's words say which key, the unit how much
    ("bump retention on carrier-webhooks in prod to two weeks",
     "update infrastructure name=carrier-webhooks stack=prod kind=queue",
     {"retention_seconds": 1209600}),
    ("eta-recalc in prod: vis timeout 2 minutes pls, the recalcs take longer than 30s now",
     "update infrastructure name=eta-recalc stack=prod",
     {"visibility_timeout_seconds": 120}),
    # no key word: the kind's one size key takes the one size said
    ("label renderer lambda in prod is OOMing on the 4x6 thermal batch, give it 2 gigs",
     "update infrastructure name=label-renderer stack=prod kind=function",
     {"memory_mb": 2048}),
    # under a key of another kind, in another unit
    ("label-renderer in prod to 2 gb", "update infrastructure name=label-renderer stack=prod storage_gb=2",
     {"memory_mb": 2048}),
])
def test_a_value_said_with_a_unit_lands_in_the_keys_unit(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert len(plan.actions) == 1
    assert plan.actions[0].parameters.set_values().items() >= want.items()


def test_each_action_reads_its_own_part_of_the_command(scripted, kestrel):
    command = ("for the month-end crunch in prod: invoice-jobs visibility timeout to 10 min and "
               "invoice-pdf-gen memory to 3 gigs")
    line = ("update infrastructure name=invoice-jobs stack=prod kind=queue retention_seconds=600 ; "
            "update infrastructure name=invoice-pdf-gen stack=prod kind=function")
    plan = scripted(line).interpret(command, kestrel)
    assert _params(plan) == [("invoice-jobs", {"kind": "queue", "visibility_timeout_seconds": 600}),
                             ("invoice-pdf-gen", {"kind": "function", "memory_mb": 3072})]


def test_a_queue_age_alarm_said_in_minutes_is_in_seconds(scripted, kestrel):
    plan = scripted("monitor infrastructure name=dispatch-requests stack=staging threshold=5").interpret(
        "alert if dispatch-requests messages are older than five minutes in staging", kestrel)
    assert plan.actions[0].parameters.set_values() == {"metric": "latency", "threshold": 300}
    # an existing age alarm's change: the watched queue's unit
    plan = scripted("update monitoring name=tracking-events-age stack=prod threshold=15").interpret(
        "the tracking-events-age alarm fires every morning during the 5am ping burst. raise it to "
        "15 minutes (prod)", kestrel)
    assert plan.actions[0].parameters.set_values() == {"threshold": 900}


def test_a_number_said_without_a_unit_is_left_as_written(scripted, kestrel):
    plan = scripted("update infrastructure name=label-renderer stack=prod kind=function memory_mb=1536").interpret(
        "label-renderer in prod: memory 1536", kestrel)
    assert plan.actions[0].parameters.set_values()["memory_mb"] == 1536
    # two sizes said, no key word: which one is memory is not certain, so none is added
    plan = scripted("update infrastructure name=label-renderer stack=prod kind=function").interpret(
        "label-renderer in prod: the 4 gb batch needs 2 gb more", kestrel)
    assert "memory_mb" not in plan.actions[0].parameters.set_values()


# -- a name said by its first part

def test_a_name_said_by_its_first_part_is_the_one_resource_it_starts(scripted, bramble):
    plan = scripted("scale deployment name=checkout stack=prod replicas=3").interpret(
        "checkout is melting since the 2-for-1 promo went live, add 3 more checkout pods in prod", bramble)
    assert [(a.name, a.parameters.replicas) for a in plan.actions] == [("checkout-svc", 9)]
    assert any("'checkout' as 'checkout-svc'" in w for w in plan.warnings)
    plan = scripted("restart deployment name=payments stack=prod").interpret(
        "can payments get a restart in prd? the PSP rotated their intermediate cert", bramble)
    assert [a.name for a in plan.actions] == ["payments-svc"]


def test_a_name_said_in_full_or_for_a_delete_is_never_completed(scripted, bramble):
    with pytest.raises(InterpretError, match="no resource of that name"):
        scripted("delete deployment name=checkout stack=prod").interpret(
            "delete checkout in prod", bramble)
    with pytest.raises(InterpretError, match="no resource of that name"):
        scripted("scale deployment name=checkout-api stack=prod replicas=4").interpret(
            "scale checkout-api in prod to 4", bramble)


@pytest.mark.parametrize("command, line, want", [
    ("pause the eta backfill in staging until the model retrain is done",
     "update infrastructure name=eta-backfill stack=staging", {"suspend": True}),
    ("un-suspend eta-backfill in prod, new model is live",
     "update infrastructure name=eta-backfill stack=prod suspend=true", {"suspend": False}),
    ("the edi archive purge overlapped itself twice last weekend. don't let runs overlap in prod",
     "update infrastructure name=edi-archive-purge stack=prod", {"concurrency_policy": "Forbid"}),
])
def test_a_cron_jobs_flags_said_in_words(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values().items() >= want.items()


@pytest.mark.parametrize("command, want", [
    ("halt the eta backfill in prod until the retrain lands", {"suspend": True}),
    ("put eta-backfill in prod on hold for the migration", {"suspend": True}),
    ("eta-backfill in prod should run in jst", {"time_zone": "Asia/Tokyo"}),
])
def test_more_ways_of_saying_a_cron_jobs_flags(scripted, kestrel, command, want):
    plan = scripted("update infrastructure name=eta-backfill stack=prod").interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values().items() >= want.items()


def test_a_multiplier_the_model_wrote_is_the_one_the_command_says(scripted, bramble):
    plan = scripted("scale infrastructure name=delivery-slots stack=prod kind=table read_capacity=*7").interpret(
        "delivery-slots table in prod is throttling reads at 7am, double the RCUs", bramble)
    assert plan.actions[0].relative == {"read_capacity": "*2"}
    assert plan.actions[0].parameters.set_values()["read_capacity"] == 800


def test_a_monitor_of_what_an_alert_already_watches_changes_that_alert(scripted, kestrel):
    plan = scripted("monitor infrastructure name=route-cache stack=staging metric=memory threshold=75").interpret(
        "route cache memory alarm in stg: warn over 75%", kestrel)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("update", "route-cache-memory", {"threshold": 75})]
    spec = _applied(plan, kestrel)["staging"]
    assert spec.find("route-cache-memory")[1].threshold == 75
    assert sum(1 for s, _, e in spec.resources() if s == "alerts" and e.target == "route-cache") == 1
    # another metric of the same resource: a new alarm
    plan = scripted("monitor infrastructure name=route-cache stack=staging metric=cpu threshold=75").interpret(
        "alert on route-cache cpu over 75 in staging", kestrel)
    assert plan.actions[0].type.value == "monitor"


def test_a_create_named_for_its_target_takes_a_name_of_its_own(scripted, cinder):
    plan = scripted("create infrastructure name=leaderboard-api stack=prod kind=pdb max_unavailable=1 "
                    "target=leaderboard-api").interpret(
        "add a pdb for leaderboard-api in prod, at most one pod down at a time", cinder)
    action = plan.actions[0]
    assert action.name is None and action.parameters.set_values()["target"] == "leaderboard-api"
    spec = _applied(plan, cinder)["prod"]
    assert spec.find("leaderboard-api")[0] == "deployments"
    # named as cinderpeak names its budgets (matchmaker-svc -> matchmaker-pdb, arena-gs -> arena-pdb)
    assert spec.find("leaderboard-pdb")[1].target == "leaderboard-api"
    # a create of the same kind as what is there is not renamed: it is refused by the edit
    with pytest.raises(Exception, match="already"):
        _applied(scripted("create deployment name=leaderboard-api stack=prod image=ghcr.io/a/b:1").interpret(
            "create deployment leaderboard-api in prod from ghcr.io/a/b:1", cinder), cinder)


def test_a_firewall_rule_with_no_group_named_is_a_new_group(scripted, cinder):
    for line in ("update security name=store-admin stack=prod port=8443 cidr=10.40.0.0/16 protocol=tcp",
                 "update security name=db-access stack=prod port=8443 cidr=10.40.0.0/16 protocol=tcp"):
        plan = scripted(line).interpret(
            "open tcp 8443 from 10.40.0.0/16 in prod for the internal store admin", cinder)
        action = plan.actions[0]
        assert (action.type.value, action.name, action.parameters.port) == ("create", None, 8443)
        spec = _applied(plan, cinder)["prod"]
        assert spec.find("db-access")[1].rules == specs_rules(cinder, "db-access")
    # a group the command names keeps the rule
    plan = scripted("update security name=db-access stack=prod port=5432 cidr=10.20.0.0/16").interpret(
        "allow 10.20.0.0/16 to 5432 on db-access in prod", cinder)
    assert (plan.actions[0].type.value, plan.actions[0].name) == ("update", "db-access")
    # a group named in full that is not there is refused, not made
    with pytest.raises(InterpretError):
        scripted("update security name=edi-sftp stack=prod port=22").interpret(
            "allow port 22 on edi-sftp in prod", cinder)


def specs_rules(workspace, name):
    return workspace.load_all()["prod"].find(name)[1].rules


def test_the_value_a_command_says_it_was_is_not_set(scripted, kestrel):
    plan = scripted("update monitoring name=carrier-webhooks-age stack=staging threshold=30 ; "
                    "update monitoring name=carrier-webhooks-age stack=staging threshold=15").interpret(
        "carrier-webhooks-age alarm on staging should be 30 min not 15", kestrel)
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("carrier-webhooks-age", {"threshold": 1800})]
    plan = scripted("update security name=driver-pii-key stack=prod kind=kms_key rotation_days=180 ; "
                    "update security name=driver-pii-key stack=prod kind=kms_key rotation_days=90").interpret(
        "driver PII key in prod: rotate every 180 days instead of 90, compliance signed off", kestrel)
    assert [(a.name, a.parameters.set_values().get("rotation_days")) for a in plan.actions] == [
        ("driver-pii-key", 180)]


def test_a_value_written_out_goes_to_the_key_its_shape_says(scripted, kestrel):
    image = "318204776519.dkr.ecr.us-east-2.amazonaws.com/driver-app-api:7.1.0"
    plan = scripted("update deployment name=driver-app-api stack=prod ; "
                    "restart deployment name=eta-predictor stack=prod").interpret(
        f"driver app release 7.1 in prod: driver-app-api to {image} and restart eta-predictor, "
        "it holds the old driver schema", kestrel)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("update", "driver-app-api", {"image": image}), ("restart", "eta-predictor", {})]
    plan = scripted("update infrastructure name=carrier-webhook-handler stack=staging kind=function").interpret(
        "point carrier-webhook-handler in stg at s3://kestrelhaul-lambda-artifacts/carrier-webhook-handler-1.10.0.zip",
        kestrel)
    assert plan.actions[0].parameters.set_values()["code"] == \
        "s3://kestrelhaul-lambda-artifacts/carrier-webhook-handler-1.10.0.zip"


def test_one_change_in_several_stacks_listed_together_is_one_action_per_stack(scripted, bramble):
    plan = scripted("update database name=orders-db stack=prod storage_gb=+200").interpret(
        "orders db: +200 GB in both prod and staging", bramble)
    specs = bramble.load_all()
    assert [(a.stack, a.parameters.storage_gb) for a in plan.actions] == [
        ("prod", specs["prod"].find("orders-db")[1].storage_gb + 200),
        ("staging", specs["staging"].find("orders-db")[1].storage_gb + 200)]
    plan = scripted("restart deployment name=notify-worker stack=dev").interpret(
        "restart notify worker in dev, stg and prod, sendgrid changed their endpoint", bramble)
    assert [a.stack for a in plan.actions] == ["dev", "staging", "prod"]
    # stacks named apart: left as written
    plan = scripted("restart deployment name=notify-worker stack=prod").interpret(
        "restart notify-worker in prod; staging can wait", bramble)
    assert [a.stack for a in plan.actions] == ["prod"]


def test_a_name_said_without_its_generic_middle_part(scripted, bramble):
    assert CommandFacts.of("search hpa stg min 3", ["staging"]).mentions_loosely("search-svc-hpa")
    assert CommandFacts.of("double the max on the checkout autoscaler", []).mentions_loosely("checkout-svc-hpa")
    assert not CommandFacts.of("double the max on the checkout autoscaler", []).mentions_loosely("checkout-svc-pdb")
    plan = scripted("update infrastructure name=payments-pdb stack=prod kind=pdb max_unavailable=2").interpret(
        "payments pdb prod: allow 2 unavailable, the node upgrade keeps stalling", bramble)
    assert [a.name for a in plan.actions] == ["payments-svc-pdb"]


@pytest.mark.parametrize("command", [
    "fyi the nightly invoice run took 47 min last night, longest yet. no action needed, just watching it",
    "thanks, the carrier-webhooks retention change fixed the lost updates",
    "what does the eta-backfill job run on in prod? just curious, not changing anything",
    "nvm, ignore my last message about the invoice run",
    "heads up: load test on prod between 2 and 4pm, don't panic about the alarms",
    "reminder: change freeze from friday 18:00, no prod changes without an incident number",
    "please don't scale anything in prod until the month-end close is done",
    "can someone explain why the invoice run is a cron job and not a lambda?",
    "we should move the invoice run onto the big cluster at some point, let's talk about it at planning",
])
def test_a_message_that_asks_for_nothing_changes_nothing(scripted, kestrel, command):
    plan = scripted("update infrastructure name=nightly-invoice-run stack=prod kind=cronjob").interpret(command, kestrel)
    assert plan.actions == []


def test_a_request_with_thanks_at_the_end_is_still_a_request(scripted, kestrel):
    plan = scripted("update infrastructure name=dispatch-requests-dlq stack=prod kind=queue retention_seconds=5").interpret(
        "Hi team, the dispatch-requests-dlq in production keeps stuff for 14 days but legal says 5 days "
        "max. Could someone lower it to 5 days? Thanks!", kestrel)
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("dispatch-requests-dlq", {"kind": "queue", "retention_seconds": 432000})]


def test_what_a_new_resource_is_for_is_not_its_name(scripted, cinder):
    plan = scripted("create security name=prometheus stack=dev port=9090 cidr=10.10.0.0/16").interpret(
        "new firewall for the prometheus federation in dev: 9090 from 10.10.0.0/16", cinder)
    assert (plan.actions[0].type.value, plan.actions[0].name) == ("create", None)
    plan = scripted("create security name=voice stack=prod port=10000").interpret(
        "a security group voice in prod allowing 10000 for voice traffic", cinder)
    assert plan.actions[0].name == "voice"


def test_a_create_by_an_amount_is_a_change_of_what_is_there(scripted, bramble):
    plan = scripted("create storage name=search stack=prod kind=volume storage_gb=+100").interpret(
        "give the search volume in prod another 100 GB", bramble)
    action = plan.actions[0]
    assert (action.type.value, action.name, action.parameters.storage_gb) == ("update", "search-index-vol", 600)


def test_monitor_said_as_a_verb_asks_for_an_alert(scripted, workspace):
    plan = scripted("monitor deployment name=api stack=prod metric=memory threshold=90").interpret(
        "monitor api memory in prod with threshold 90", workspace)
    assert plan.actions[0].type.value == "monitor"


def test_the_value_said_next_to_the_keys_words_wins(scripted, kestrel):
    plan = scripted("update infrastructure name=carrier-webhooks stack=prod kind=queue retention_seconds=259200").interpret(
        "carrier webhooks are piling up every time a carrier has an outage and we lose them after 3 days. "
        "bump retention on carrier-webhooks in prod to two weeks", kestrel)
    assert plan.actions[0].parameters.set_values()["retention_seconds"] == 1209600
    plan = scripted("update infrastructure name=label-renderer stack=prod kind=function memory_mb=2048 "
                    "timeout_seconds=2").interpret(
        "label renderer lambda in prod is OOMing, give it 2 gigs", kestrel)
    assert plan.actions[0].parameters.set_values() == {"kind": "function", "memory_mb": 2048}


def test_two_actions_made_the_same_by_the_readings_are_one(scripted, kestrel):
    plan = scripted("update infrastructure name=customer-notify stack=prod retention_seconds=12 ; "
                    "update infrastructure name=customer-notify stack=prod retention_seconds=43200").interpret(
        "customer notify queue on production: retention 12 hours", kestrel)
    assert len(plan.actions) == 1


@pytest.mark.parametrize("command, line, kept", [
    ("is the shipment-status topic encrypted with our key or the aws one in prod?",
     "create infrastructure name=shipment-status stack=prod kind=topic", 0),
    ("which queues do we have in prod?", "show infrastructure stack=prod", 1),
])
def test_a_question_changes_nothing(scripted, kestrel, command, line, kept):
    assert len(scripted(line).interpret(command, kestrel).actions) == kept


def test_a_question_followed_by_a_request_is_a_request(scripted, kestrel):
    plan = scripted("update infrastructure name=dispatch-requests stack=dev kind=queue visibility_timeout_seconds=/2").interpret(
        "why are retries so slow on dispatch-requests in dev? halve the visibility timeout", kestrel)
    assert len(plan.actions) == 1


def test_a_create_of_what_is_there(scripted, kestrel):
    plan = scripted("create storage name=edi-archive stack=staging kind=bucket ; "
                    "backup storage name=edi-archive stack=staging").interpret(
        "edi archive bucket in staging - kick off a backup", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("backup", "edi-archive")]
    plan = scripted("create infrastructure name=geofence-eval stack=staging kind=function runtime=nodejs22.x").interpret(
        "lambda geofence-eval in stg: runtime nodejs22.x", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("update", "geofence-eval")]


def test_an_alarms_threshold_is_not_also_a_value_of_what_it_watches(scripted, kestrel):
    plan = scripted("create infrastructure name=pod-uploads stack=prod kind=queue retention_seconds=300 ; "
                    "monitor infrastructure name=pod-uploads stack=prod threshold=5").interpret(
        "create queue pod-uploads in prod and alert if messages sit there longer than 5 minutes", kestrel)
    assert [a.parameters.set_values() for a in plan.actions] == [
        {"kind": "queue"}, {"metric": "latency", "threshold": 300}]


def test_a_key_of_another_kind_the_command_never_says_is_dropped(scripted, kestrel):
    plan = scripted("create infrastructure name=pickup-requests-dlq stack=staging kind=queue "
                    "retention_seconds=2 write_capacity=2").interpret(
        "create queue pickup-requests-dlq in staging with two weeks retention", kestrel)
    assert plan.actions[0].parameters.set_values() == {"kind": "queue", "retention_seconds": 1209600}


# -- values written after the words that introduce them


@pytest.mark.parametrize("command, line, want", [
    # the key's own words, and the kind's (Kind.value_intros)
    ("the data-jobs namespace in prod belongs to analytics-team now",
     "update infrastructure name=data-jobs stack=prod kind=namespace", {"owner": "analytics-team"}),
    ("create a table substitution-prefs in prod, partition key customer_id, sort key sku_id",
     "create infrastructure name=substitution-prefs stack=prod kind=table hash_key=customer_id",
     {"hash_key": "customer_id", "range_key": "sku_id"}),
    # a closed vocabulary's one value said, on a create
    ("new valkey cache in prod called slot-cache, 2 nodes, cache.r6g.large",
     "create infrastructure name=slot-cache stack=prod kind=cache count=2 instance_type=cache.r6g.large",
     {"engine": "valkey"}),
    # shapes that say their key: a time zone, an ingress's host and path
    ("slot-rollover prod: use America/New_York, the east coast stores open first",
     "update infrastructure name=slot-rollover stack=prod", {"time_zone": "America/New_York"}),
    ("new ingress slot-planner-ingress for the slot planner in prod: api.bramblecart.com/slots, tls secret api-tls",
     "create infrastructure name=slot-planner-ingress stack=prod kind=ingress target=slot-planner",
     {"host": "api.bramblecart.com", "path": "/slots", "tls_secret": "api-tls"}),
])
def test_a_value_written_after_its_words_is_read(scripted, bramble, command, line, want):
    plan = scripted(line).interpret(command, bramble)
    assert len(plan.actions) == 1
    assert plan.actions[0].parameters.set_values().items() >= want.items()


@pytest.mark.parametrize("command, line, unwanted", [
    # a plain word is the sentence, not a value ("owned by the data team")
    ("the data-jobs namespace in prod is owned by the data team now",
     "update infrastructure name=data-jobs stack=prod kind=namespace", "owner"),
    # two caches' engines said: which one is meant is not certain
    ("new cache slot-cache in prod, redis or valkey, 2 nodes",
     "create infrastructure name=slot-cache stack=prod kind=cache count=2", "engine"),
    # an image's registry host is no ingress host
    ("new cronjob photo-purge in prod on ops daily at 04:30, image 318204772951.dkr.ecr.us-east-1.amazonaws.com/photo-purge:1.0.0",
     "create infrastructure name=photo-purge stack=prod kind=cronjob cluster=ops "
     "image=318204772951.dkr.ecr.us-east-1.amazonaws.com/photo-purge:1.0.0", "host"),
])
def test_a_value_not_written_as_one_is_not_read(scripted, bramble, command, line, unwanted):
    plan = scripted(line).interpret(command, bramble)
    assert unwanted not in plan.actions[0].parameters.set_values()


@pytest.mark.parametrize("command, line, stack, want", [
    # every budget here is <target>-pdb, every ingress <target less a generic part>-ingress
    ("pdb for picking-svc in prod, keep at least 2 available during node drains",
     "create infrastructure stack=prod kind=pdb min_available=2 target=picking-svc", "prod", "picking-svc-pdb"),
    ("new ingress for basket-svc in prod at api.bramblecart.com/basket",
     "create infrastructure stack=prod kind=ingress target=basket-svc", "prod", "basket-ingress"),
    # courier-tracker-lb and picking-lb both fit "less a generic part"
    ("new internal nlb for dispatch-svc in staging on port 8080",
     "create infrastructure stack=staging kind=lb_service port=8080 internal=true target=dispatch-svc",
     "staging", "dispatch-lb"),
])
def test_a_new_resource_on_a_target_is_named_like_its_siblings(scripted, bramble, command, line, stack, want):
    # the plan says no name was given; the spec entry is named as the stack names the others
    plan = scripted(line).interpret(command, bramble)
    assert [a.name for a in plan.actions] == [None]
    assert _applied(plan, bramble)[stack].find(want) is not None


def test_no_sibling_rule_takes_the_last_part_they_share(scripted, kestrel):
    # kestrelhaul's ingresses follow no one rule for the head (shipment-api-ing for
    # shipment-api, track-page-ing), but all end in -ing: after the target, with that
    plan = scripted("create infrastructure stack=staging kind=ingress target=route-planner").interpret(
        "new ingress for route-planner in staging at routes.stg.kestrelhaul.com", kestrel)
    assert [a.name for a in plan.actions] == [None]
    assert _applied(plan, kestrel)["staging"].find("route-planner-ing") is not None


def test_a_name_after_the_target_that_is_taken_falls_back_to_the_default(scripted, kestrel):
    # shipment-api-ing is there in prod: the new one is ingress-1, as before
    plan = scripted("create infrastructure stack=prod kind=ingress target=shipment-api").interpret(
        "new ingress for shipment-api in prod at ship.kestrelhaul.com", kestrel)
    assert [a.name for a in plan.actions] == [None]
    assert _applied(plan, kestrel)["prod"].find("ingress-1") is not None


def test_a_threshold_change_of_a_watched_resource_is_its_alerts(scripted, bramble):
    plan = scripted("update database name=orders-db stack=prod instance_type=db.r6g.4xlarge ; "
                    "update database name=orders-db stack=prod metric=cpu threshold=85").interpret(
        "bump the orders db in prod to db.r6g.4xlarge and move its cpu alert to 85", bramble)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("update", "orders-db", {"instance_type": "db.r6g.4xlarge"}),
        ("update", "orders-db-cpu", {"threshold": 85})]


# -- names said with a slip, a word of the reason taken for a name


@pytest.mark.parametrize("command, line, want", [
    ("substitutoins worker prod needs 2 more replicas, backlog is growing",
     "scale deployment name=substitutoins stack=prod replicas=+2", ("substitutions-worker", {"replicas": 5})),
    ("fulfilment ns on stg -> owner ops-team",
     "update infrastructure name=fulfillment stack=staging kind=namespace owner=ops-team",
     ("fulfilment", {"kind": "namespace", "owner": "ops-team"})),
    # "core" is a word of its own, not "courier" shortened: the courier alb is the one named
    ("alert on 5xx on the courier alb in prod over 25",
     "monitor infrastructure name=coursera-alb stack=prod metric=errors threshold=25",
     ("courier-alb", {"metric": "errors", "threshold": 25})),
])
def test_a_name_said_with_a_slip_is_the_resource_meant(scripted, bramble, command, line, want):
    plan = scripted(line).interpret(command, bramble)
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [want]


def test_a_delete_is_never_repaired_from_a_slip(scripted, bramble):
    with pytest.raises(InterpretError):
        scripted("delete deployment name=substitutoins stack=prod").interpret(
            "delete substitutoins worker in prod", bramble)


def test_a_word_of_the_reason_is_not_a_stack_s_target(scripted, bramble):
    plan = scripted("restart deployment name=notify-worker stack=dev ; restart deployment name=sendgrid "
                    "stack=staging ; restart deployment name=notify-worker stack=prod").interpret(
        "restart notify worker in dev, stg and prod, sendgrid changed their endpoint", bramble)
    assert [(a.name, a.stack) for a in plan.actions] == [
        ("notify-worker", "dev"), ("notify-worker", "staging"), ("notify-worker", "prod")]


@pytest.mark.parametrize("command, want", [
    # the amount said, not a multiplier the command never says ("half the stores" is context)
    ("Picking app in prod: take it down by one, half the stores close early for the holiday", 3),
    ("cut picking-svc in half in prod", 2),
])
def test_a_multiplier_is_the_one_said(scripted, bramble, command, want):
    plan = scripted("scale deployment name=picking-svc stack=prod replicas=/2").interpret(command, bramble)
    assert plan.actions[0].parameters.replicas == want


def test_a_delete_of_what_the_plan_creates_is_of_the_one_named_or_refused(scripted, bramble):
    command = ("expose picking-svc in staging on a new public nlb picking-public-lb port 443 limited to "
               "172.20.0.0/14, and delete the old picking-lb")
    line = ("create infrastructure name=picking-public-lb stack=staging kind=lb_service port=443 "
            "cidr=172.20.0.0/14 target=picking-svc ; delete infrastructure name=picking-public-lb stack=staging")
    plan = scripted(line).interpret(command, bramble)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "picking-public-lb"),
                                                              ("delete", "picking-lb")]
    with pytest.raises(InterpretError):
        scripted(line).interpret("expose picking-svc in staging on a new public nlb picking-public-lb "
                                 "port 443 and delete the old one", bramble)


@pytest.mark.parametrize("command, line, want", [
    # an amount added to what is there, written as a create
    ("Could someone add one store-sync box in prod and bump picking by 2? Thanks!",
     "create infrastructure name=store-sync stack=prod kind=instance count=+1 ; "
     "scale deployment name=picking-svc stack=prod replicas=+2",
     [("scale", "store-sync", {"kind": "instance", "count": 4}), ("scale", "picking-svc", {"replicas": 6})]),
    # a range end that only repeats the size said
    ("shrink dev for the holidays: shop cluster to 1 node",
     "scale infrastructure name=shop stack=dev kind=cluster count=1 max_size=1",
     [("scale", "shop", {"kind": "cluster", "count": 1})]),
    ("search hpa stg min 3", "scale infrastructure name=search-svc-hpa stack=staging kind=autoscaler min_size=3 max_size=3",
     [("scale", "search-svc-hpa", {"kind": "autoscaler", "min_size": 3})]),
    # one change held whole by another of the same resource
    ("session cache prod: cache.r6g.large and 3 nodes",
     "scale infrastructure name=session-cache stack=prod instance_type=cache.r6g.large ; "
     "scale infrastructure name=session-cache stack=prod kind=cache count=3 instance_type=cache.r6g.large",
     [("update", "session-cache", {"kind": "cache", "count": 3, "instance_type": "cache.r6g.large"})]),
    # the same change of each resource named
    ("storefront-images and fulfilment-images in prod: keep 200 each",
     "update infrastructure name=storefront-images stack=prod kind=registry count=200",
     [("update", "storefront-images", {"kind": "registry", "count": 200}),
      ("update", "fulfilment-images", {"kind": "registry", "count": 200})]),
    # a new resource's name as written, and the cluster the plan makes for what goes on it
    ("kms key refunds-key in staging, rotate every 180 days",
     "create security name=refund-key stack=staging kind=kms_key rotation_days=180",
     [("create", "refunds-key", {"kind": "kms_key", "rotation_days": 180})]),
    ("create a cluster edge in dev with 1 t3.medium node and a deployment geo-proxy on it, "
     "318204772951.dkr.ecr.us-east-1.amazonaws.com/geo-proxy:0.4.1, port 8080",
     "create infrastructure name=edge stack=dev kind=cluster count=1 instance_type=t3.medium ; "
     "create deployment name=geo-proxy stack=dev image=geo-proxy:0.4.1 port=8080",
     [("create", "edge", {"kind": "cluster", "count": 1, "instance_type": "t3.medium"}),
      ("create", "geo-proxy", {"image": "318204772951.dkr.ecr.us-east-1.amazonaws.com/geo-proxy:0.4.1",
                               "port": 8080, "cluster": "edge"})]),
    # a city's time
    ("new cronjob basket-reminder on shop in staging every day at 6pm Chicago time, image "
     "318204772951.dkr.ecr.us-east-1.amazonaws.com/basket-reminder:0.2.0",
     "create infrastructure name=basket-reminder stack=staging kind=cronjob "
     "image=318204772951.dkr.ecr.us-east-1.amazonaws.com/basket-reminder:0.2.0 schedule=\"0 18 * * *\"",
     [("create", "basket-reminder", {"kind": "cronjob", "cluster": "shop", "schedule": "0 18 * * *",
                                     "image": "318204772951.dkr.ecr.us-east-1.amazonaws.com/basket-reminder:0.2.0",
                                     "time_zone": "America/Chicago"})]),
])
def test_plans_held_to_what_the_command_says(scripted, bramble, command, line, want):
    plan = scripted(line).interpret(command, bramble)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == want


@pytest.mark.parametrize("command, line, want", [
    # a record's name and value written with an arrow, and a record named by its host
    ("new CNAME help.bramblecart.com -> bramblecart.zendesk.com in prod, zone Z0PRD7BRAMBLE3, call it help-record",
     "create infrastructure name=help-record stack=prod kind=dns_record zone_id=Z0PRD7BRAMBLE3",
     {"type": "CNAME", "record": "help.bramblecart.com", "values": "bramblecart.zendesk.com"}),
    ("point status-record in prod at bramblecart.instatus.com",
     "update infrastructure name=status-record stack=prod kind=dns_record", {"values": "bramblecart.instatus.com"}),
    # a count said with the kind's nouns
    ("create vpc labs in dev with 10.70.0.0/16 over 2 zones",
     "create infrastructure name=labs stack=dev kind=network cidr=10.70.0.0/16", {"count": 2}),
    ("ecr repo loyalty-images in prod, keep the last 30 images",
     "create infrastructure name=loyalty-images stack=prod kind=registry", {"count": 30}),
    # a plain word where the phrase ends with it
    ("the data-jobs namespace in prod is owned by analytics now",
     "update infrastructure name=data-jobs stack=prod kind=namespace", {"owner": "analytics"}),
])
def test_values_read_from_how_people_write_them(scripted, bramble, command, line, want):
    plan = scripted(line).interpret(command, bramble)
    assert plan.actions[0].parameters.set_values().items() >= want.items()


@pytest.mark.parametrize("command, line, want", [
    # a delete that names one entry of a config map removes that entry, never the whole map
    ("remove SANDBOX_PAYMENTS from store-config in staging, we're testing real receipts",
     "delete infrastructure name=store-config stack=staging kind=configmap",
     ("delete", "store-config", {"kind": "configmap", "key": "SANDBOX_PAYMENTS"})),
    ("matchmaker config in prod: set QUEUE_TIMEOUT_S to 120, players are bailing at 90s",
     "update infrastructure name=matchmaker-config stack=prod kind=configmap",
     ("update", "matchmaker-config", {"kind": "configmap", "key": "QUEUE_TIMEOUT_S", "value": "120"})),
    # two sentences run together are not a value
    ("anticheat config in prod: BAN_MODE=enforce. trust & safety approved in TS-812",
     "update infrastructure name=anticheat-config stack=prod key=BAN_MODE value=enforce.trust",
     ("update", "anticheat-config", {"key": "BAN_MODE", "value": "enforce"})),
    # a name spaced otherwise, and "from anywhere"
    ("game server udp ports need 27015 too for the steam query protocol in prod, from anywhere",
     "update security name=gameserver-udp stack=prod port=27015 protocol=udp",
     ("update", "gameserver-udp", {"port": 27015, "cidr": "0.0.0.0/0", "protocol": "udp"})),
])
def test_config_entries_and_rules_as_people_write_them(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("line", ["update database name=audit-db stack=prod storage_gb=50",
                                  "update database name=audit-db stack=prod storage_gb=*2",
                                  "update database name=audit-db stack=prod storage_gb=+50"])
def test_a_share_of_what_is_there_is_resolved_against_the_spec(scripted, tmp_path, line):
    orbit = _written_repo(tmp_path, "orbitpay")  # audit-db has 250 GB
    plan = scripted(line).interpret("audit-db in prod needs 50% more disk", orbit)
    assert plan.actions[0].parameters.storage_gb == 375 and plan.actions[0].relative == {"storage_gb": "+50%"}


def test_times_two_written_as_x2(scripted, cinder):
    plan = scripted("scale deployment name=patch-origin stack=prod replicas=2").interpret(
        "patch origin pods x2 in prod before the 40GB season download goes out", cinder)
    assert plan.actions[0].relative == {"replicas": "*2"}


@pytest.mark.parametrize("command, line, want", [
    # a rotation said as a frequency, a config key said after "pulumi config"
    ("create a kms key edi-key in prod, rotation yearly", "create security name=edi-key stack=prod kind=kms_key",
     ("create", "edi-key", {"kind": "kms_key", "rotation_days": 365})),
    ("add a secret samsara-api-token in prod, value from pulumi config samsaraApiToken",
     "create security name=samsara-api-token stack=prod kind=secret",
     ("create", "samsara-api-token", {"kind": "secret", "config_key": "samsaraApiToken"})),
    # AWS managed policies by name are their ARNs; the role's own name is no service
    ("the glue crawlers over the telematics exports need their own role in staging: telematics-glue-role, "
     "service-role/AWSGlueServiceRole",
     "create security name=telematics-glue-role stack=staging kind=iam_role service=telematics-glue-role",
     ("create", "telematics-glue-role", {"kind": "iam_role", "service": "glue",
                                         "policies": "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"})),
    ("create an iam role for lambda called pod-ocr-role in dev with AWSLambdaBasicExecutionRole",
     "create security name=pod-ocr-role stack=dev kind=iam_role service=lambda",
     ("create", "pod-ocr-role", {"kind": "iam_role", "service": "lambda",
                                 "policies": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"})),
    # a delete of the longer name the command says in full, never of the shorter one inside it
    ("delete the edi gateway role in staging, the boxes use the instance profile from the AMI now",
     "delete infrastructure name=edi-gateway stack=staging kind=instance",
     ("delete", "edi-gateway-role", {"kind": "iam_role"})),
    ("we moved SMS to the in-app inbox, delete the twilio token secret from prod",
     "delete security name=twilio stack=prod kind=secret", ("delete", "twilio-token", {"kind": "secret"})),
])
def test_security_kinds_as_people_write_them(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [want]


def test_a_delete_of_a_name_said_in_part_is_refused(scripted, kestrel):
    with pytest.raises(InterpretError):
        scripted("delete security name=twilio stack=prod kind=secret").interpret("delete twilio in prod", kestrel)
    plan = scripted("delete infrastructure name=edi-gateway stack=staging kind=instance").interpret(
        "delete the edi gateway in staging", kestrel)
    assert plan.actions[0].name == "edi-gateway"


@pytest.mark.parametrize("repo, command, line, want", [
    ("kestrelhaul", "alert if shipment-status in staging fails more than 10 deliveries",
     "monitor infrastructure name=shipment-status stack=staging threshold=10", {"metric": "errors", "threshold": 10}),
    # the only metric the kind alarms on
    ("bramblecart", "alert when the search index volume in prod is over 85% full",
     "monitor storage name=search-index-vol stack=prod threshold=85", {"metric": "disk", "threshold": 85}),
    # a threshold left out, said past a word of exceeding, in the metric's unit
    ("kestrelhaul", "add an alarm on invoice-jobs in prod: message age over an hour",
     "monitor infrastructure name=invoice-jobs stack=prod", {"metric": "latency", "threshold": 3600}),
])
def test_an_alarm_s_metric_and_threshold_as_said(scripted, tmp_path, repo, command, line, want):
    plan = scripted(line).interpret(command, _written_repo(tmp_path, repo))
    assert plan.actions[0].parameters.set_values() == want


def test_a_monitor_of_a_name_and_its_metric_is_not_the_alert_named_so(scripted, workspace):
    plan = scripted("monitor deployment name=api stack=prod metric=memory threshold=90").interpret(
        "monitor api memory in prod with threshold 90", workspace)
    assert [(a.type.value, a.name) for a in plan.actions] == [("monitor", "api")]


@pytest.mark.parametrize("command, line, want", [
    # a budget's amount in the other key's words moves there; a budget is updated, not scaled
    ("arena-pdb in prod: at most 5 down at once instead of the percentage",
     "scale infrastructure name=arena-pdb stack=prod kind=pdb min_available=5",
     ("update", {"kind": "pdb", "max_unavailable": 5})),
    ("arena-pdb in prod: keep at least 5 available", "update infrastructure name=arena-pdb stack=prod kind=pdb min_available=5",
     ("update", {"kind": "pdb", "min_available": 5})),
    # the node count said with the kind's noun, apart from the ends of the range
    ("prod platform cluster: run 10 nodes, floor of 8, ceiling of 16",
     "scale infrastructure name=platform stack=prod kind=cluster min_size=8 max_size=16",
     ("scale", {"kind": "cluster", "count": 10, "min_size": 8, "max_size": 16})),
    ("platform cluster in prod: never fewer than 8 nodes from now on",
     "scale infrastructure name=platform stack=prod kind=cluster min_size=8 max_size=8",
     ("scale", {"kind": "cluster", "min_size": 8})),
])
def test_amounts_under_the_key_their_words_say(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert [(a.type.value, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("command, line, want", [
    # "new cert" on the partner alb: a change of it, not a second alb
    ("partner alb in prod: new cert arn:aws:acm:us-east-1:318204772951:certificate/4f2e9c7b-1a3d-4b8e-9f60-2c5d7e8a1b34",
     "create infrastructure name=partner-alb stack=prod kind=load_balancer "
     "certificate_arn=arn:aws:acm:us-east-1:318204772951:certificate/4f2e9c7b-1a3d-4b8e-9f60-2c5d7e8a1b34",
     ("update", "partner-alb", {"kind": "load_balancer", "certificate_arn":
                                "arn:aws:acm:us-east-1:318204772951:certificate/4f2e9c7b-1a3d-4b8e-9f60-2c5d7e8a1b34"})),
    ("promo flags prd: turn on STACKABLE_COUPONS", "update infrastructure name=promo-flags stack=prod key=STACKABLE_COUPONS",
     ("update", "promo-flags", {"key": "STACKABLE_COUPONS", "value": "true"})),
    ("courier tracker lb in prod: only allow 52.14.0.0/16, that's the courier app's egress",
     "update infrastructure name=courier-tracker-lb stack=prod kind=lb_service",
     ("update", "courier-tracker-lb", {"kind": "lb_service", "cidr": "52.14.0.0/16"})),
])
def test_changes_written_as_people_write_them(scripted, bramble, command, line, want):
    plan = scripted(line).interpret(command, bramble)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("command, line, want", [
    # a name whose last part is a kind word said as the kind ("the transcode cluster": transcode-eks)
    ("add two nodes to the prod transcode cluster", "scale infrastructure name=transcode-eks stack=prod kind=cluster count=+2",
     ("scale", "transcode-eks", {"kind": "cluster", "count": 8})),
    # a create of what is there as another kind, nothing made: a change of the one there
    ("let 203.0.113.0/24 (the new hosting partner) through ingest-nlb in prod",
     "create infrastructure name=ingest-nlb stack=prod kind=load_balancer",
     ("update", "ingest-nlb", {"cidr": "203.0.113.0/24"})),
    # a share said for a budget's amount
    ("switch playback-api-pdb on stg to max unavailable 25%",
     "update infrastructure name=playback-api-pdb stack=staging kind=pdb max_unavailable=25",
     ("update", "playback-api-pdb", {"kind": "pdb", "max_unavailable": "25%"})),
])
def test_galecrest_phrasings(scripted, tmp_path, command, line, want):
    plan = scripted(line).interpret(command, _written_repo(tmp_path, "galecrest"))
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [want]


def test_a_delete_by_a_name_said_loosely_is_still_refused(scripted, tmp_path):
    with pytest.raises(InterpretError):
        scripted("delete infrastructure name=playback-api-hpa stack=staging").interpret(
            "drop the playback hpa in staging", _written_repo(tmp_path, "galecrest"))


@pytest.mark.parametrize("command, want", [("stop dispatch-daily-report from running in prod for now", True),
                                           ("re-enable dispatch-daily-report in prod", False)])
def test_a_cron_job_paused_and_resumed_in_words(scripted, kestrel, command, want):
    plan = scripted("update infrastructure name=dispatch-daily-report stack=prod kind=cronjob").interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values()["suspend"] is want


# -- stop 25: a plan's changes of what it creates, no-op values, unasked alerts, names after the
# kind word, instance types and hosts by their shape, a size said with a unit under a count

@pytest.fixture
def gale(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "galecrest")


def _actions(plan):
    return [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions]


def test_a_change_of_what_the_plan_creates_is_part_of_the_create(scripted, gale):
    line = ("create infrastructure name=token-cache stack=prod kind=cache engine=redis count=3 ; "
            "scale infrastructure name=token-cache stack=prod kind=cache count=3 instance_type=cache.r6g.large")
    plan = scripted(line).interpret("a redis cache token-cache for prod: 3 nodes of cache.r6g.large", gale)
    assert _actions(plan) == [("create", "token-cache", {"kind": "cache", "engine": "redis", "count": 3,
                                                         "instance_type": "cache.r6g.large"})]
    spec = _applied(plan, gale)["prod"]
    assert spec.find("token-cache")[1].node_type == "cache.r6g.large"


def test_a_change_by_an_amount_of_what_the_plan_creates_is_not_merged(scripted, gale):
    line = ("create infrastructure name=token-cache stack=prod kind=cache engine=redis ; "
            "scale infrastructure name=token-cache stack=prod kind=cache count=+1")
    with pytest.raises(InterpretError, match="relative change needs an existing resource"):
        scripted(line).interpret("a redis cache token-cache for prod, then one more node", gale)


def test_a_value_the_resource_already_has_is_left_out_of_a_change(scripted, gale):
    plan = scripted("scale infrastructure name=transcode-worker-hpa stack=prod kind=autoscaler "
                    "min_size=12 target=transcode-worker").interpret("transcode-worker-hpa in prod: floor of 12", gale)
    # (the target, said only inside the hpa's own name, is not said: left out before it is compared)
    assert _actions(plan) == [("scale", "transcode-worker-hpa", {"kind": "autoscaler", "min_size": 12})]
    plan = scripted("update deployment name=playback-api stack=prod image=ghcr.io/galecrest/playback-api:4.3.0 "
                    "cluster=audio-eks").interpret(
        "playback-api in prod on the audio eks cluster: image ghcr.io/galecrest/playback-api:4.3.0", gale)
    assert plan.actions[0].parameters.set_values() == {"image": "ghcr.io/galecrest/playback-api:4.3.0"}
    assert any("has that already" in w for w in plan.warnings)
    # a value the command says is kept, as said, even where it is the resource's now
    plan = scripted("update deployment name=playback-api stack=prod image=ghcr.io/galecrest/playback-api:9.9.9 "
                    "replicas=8").interpret("playback-api in prod: ghcr.io/galecrest/playback-api:9.9.9, keep 8 replicas", gale)
    assert plan.actions[0].parameters.set_values() == {"image": "ghcr.io/galecrest/playback-api:9.9.9", "replicas": 8}
    # a change of nothing else: left as written, for the edit to say there is nothing to change
    plan = scripted("update infrastructure name=transcode-worker-hpa stack=prod kind=autoscaler "
                    "target=transcode-worker").interpret("point transcode-worker-hpa in prod at transcode-worker", gale)
    assert plan.actions[0].parameters.set_values()["target"] == "transcode-worker"


@pytest.mark.parametrize("command, kept", [
    ("restart transcode-worker in prod, the ffmpeg memory leak is back", ["restart"]),
    ("restart transcode-worker in prod and warn us if memory passes 90%", ["restart", "monitor"]),
])
def test_an_alert_the_command_does_not_ask_for_is_dropped(scripted, gale, command, kept):
    line = ("restart deployment name=transcode-worker stack=prod ; "
            "monitor deployment name=transcode-worker stack=prod metric=memory threshold=90")
    plan = scripted(line).interpret(command, gale)
    assert [a.type.value for a in plan.actions] == kept


@pytest.mark.parametrize("command, line, name", [
    ("new bucket episode-artwork in prod", "create storage stack=prod kind=bucket", "episode-artwork"),
    ("we need a namespace ml in dev for the recs experiments, owned by data-science",
     "create infrastructure stack=dev kind=namespace owner=data-science", "ml"),
    ("rss ingress for prod: feeds.galecrest.fm/rss to feed-builder, name it rss-ingress",
     "create infrastructure stack=prod kind=ingress host=feeds.galecrest.fm target=feed-builder", "rss-ingress"),
    # a plain word after the kind word that is not where the sentence names the stack: no name
    ("a new bucket please, in prod", "create storage stack=prod kind=bucket", None),
    ("new namespace for the ml people in dev", "create infrastructure stack=dev kind=namespace", None),
    # a kind word with a slip is not a name
    ("creat 2 ec2 instnaces in dev", "create infrastructure stack=dev kind=instance count=2", None),
])
def test_a_new_resources_name_after_its_kind_word(scripted, gale, command, line, name):
    plan = scripted(line).interpret(command, gale)
    assert plan.actions[0].name == name


@pytest.mark.parametrize("command, line, want", [
    # written in part: made whole
    ("feed-cache on staging to cache.r6g.large",
     "update infrastructure name=feed-cache stack=staging kind=cache instance_type=r6g.large",
     {"kind": "cache", "instance_type": "cache.r6g.large"}),
    # left out: the one instance type written
    ("spin up a t3.small box called feed-debugger in dev",
     "create infrastructure name=feed-debugger stack=dev kind=instance", {"kind": "instance", "instance_type": "t3.small"}),
    # a value without its key's shape: the one host written
    ("point creators-ingress in prod at creator-dashboard's new host creators.galecrest.com",
     "update infrastructure name=creators-ingress stack=prod host=creator-dashboard",
     {"host": "creators.galecrest.com"}),
])
def test_values_by_their_shape(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert plan.actions[0].parameters.set_values() == want


def test_a_size_said_with_a_unit_is_not_a_count(scripted, gale):
    plan = scripted("scale infrastructure name=sandbox-box stack=dev kind=instance count=100").interpret(
        "sandbox-box in dev: give it a 100gb disk", gale)
    assert _actions(plan) == [("update", "sandbox-box", {"kind": "instance", "storage_gb": 100})]
    # a count said as a count stays one
    plan = scripted("scale infrastructure name=sandbox-box stack=dev kind=instance count=2").interpret(
        "sandbox-box in dev: run 2 of them", gale)
    assert _actions(plan) == [("scale", "sandbox-box", {"kind": "instance", "count": 2})]


def test_a_value_taken_for_a_new_resources_name_gives_way_to_the_name_said(scripted, gale):
    plan = scripted("create infrastructure name=listener-id stack=prod kind=table hash_key=listener_id").interpret(
        "create a dynamo table subscriptions in prod, hash key listener_id", gale)
    assert _actions(plan) == [("create", "subscriptions", {"kind": "table", "hash_key": "listener_id"})]


def test_a_value_of_another_keys_shape_moves_to_that_key(scripted, gale):
    plan = scripted("update infrastructure name=rss-validator stack=prod code=python3.13").interpret(
        "rss-validator in prod to python3.13", gale)
    assert _actions(plan) == [("update", "rss-validator", {"runtime": "python3.13"})]


@pytest.mark.parametrize("command, line, want", [
    # "takes longer than": latency, in the watched kind's unit
    ("alert when rss-validator in staging takes longer than 10 seconds",
     "monitor infrastructure name=rss-validator stack=staging threshold=10", {"metric": "latency", "threshold": 10000}),
    # an alarm on what the plan creates reads the created kind's metrics
    ("create table play-sessions in staging with hash key session_id and alert when its latency goes over 20ms",
     "create infrastructure name=play-sessions stack=staging kind=table hash_key=session_id ; "
     "monitor infrastructure name=play-sessions stack=staging metric=latency", {"metric": "latency", "threshold": 20}),
])
def test_an_alarms_metric_and_threshold_in_words(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert plan.actions[-1].parameters.set_values() == want


def test_an_alarm_said_by_its_resources_kind_is_on_that_resource(scripted, gale):
    command = ("create a cluster ml-eks in staging with 2 nodes, deploy recs-trainer on it from "
               "ghcr.io/galecrest/recs-trainer:0.1.0, and alert on the cluster's cpu above 80")
    line = ("create infrastructure name=ml-eks stack=staging kind=cluster count=2 ; "
            "create deployment name=recs-trainer stack=staging image=ghcr.io/galecrest/recs-trainer:0.1.0 cluster=ml-eks ; "
            "monitor infrastructure name=recs-trainer stack=staging metric=cpu threshold=80")
    plan = scripted(line).interpret(command, gale)
    assert [(a.type.value, a.name) for a in plan.actions] == [
        ("create", "ml-eks"), ("create", "recs-trainer"), ("monitor", "ml-eks")]
    # said of the deployment: stays on it
    plan = scripted(line).interpret(command.replace("the cluster's cpu", "the deployment's cpu"), gale)
    assert plan.actions[-1].name == "recs-trainer"


def test_a_new_name_the_command_does_not_write_is_the_close_one_after_the_kind_word(scripted, gale):
    line = "create infrastructure name=digest stack=prod kind=namespace cluster=audio-eks owner=growth"
    plan = scripted(line).interpret("and a namespace digests on audio-eks in prod owned by growth", gale)
    assert plan.actions[0].name == "digests"
    # the name written as the model wrote it: kept
    plan = scripted(line).interpret("a namespace digest on audio-eks in prod owned by growth", gale)
    assert plan.actions[0].name == "digest"


@pytest.mark.parametrize("command, line, want", [
    ("icecast-relay in prod: c5.xlarge and a third box",
     "update infrastructure name=icecast-relay stack=prod kind=instance instance_type=c5.xlarge",
     ("update", {"kind": "instance", "count": 3, "instance_type": "c5.xlarge"})),
    ("give recs-engine in staging a third replica", "scale deployment name=recs-engine stack=staging",
     ("scale", {"replicas": 3})),
    # one more than there is, written as +1: the ordinal says the same, as a number
    ("give recs-engine in staging a third replica", "scale deployment name=recs-engine stack=staging replicas=+1",
     ("scale", {"replicas": 3})),
])
def test_a_size_said_as_an_ordinal(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert [(a.type.value, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("command, want", [("ingest-nlb on staging should be internal only", True),
                                           ("ingest-nlb in staging: VPC only from now on", True),
                                           ("make ingest-nlb in staging public again, no longer internal", False)])
def test_an_nlb_made_internal_or_public_in_words(scripted, gale, command, want):
    plan = scripted("update infrastructure name=ingest-nlb stack=staging kind=lb_service").interpret(command, gale)
    assert plan.actions[0].parameters.set_values()["internal"] is want
    assert _applied(plan, gale)["staging"].find("ingest-nlb")[1].internal is want


@pytest.mark.parametrize("command, made", [
    ("allow 10.42.0.0/16 to reach postgres (5432) in dev", True),
    ("let 203.0.113.0/24 reach the payouts database on 5432 in prod", True),
    # a database asked for, a firewall written: still refused
    ("create a postgres database in dev open on 5432 to 10.42.0.0/16", False),
])
def test_a_rules_destination_said_by_what_listens_there(scripted, gale, command, made):
    interpreter = scripted("create security stack=dev cidr=10.42.0.0/16 port=5432")
    if made:
        assert interpreter.interpret(command, gale).actions[0].parameters.port == 5432
    else:
        with pytest.raises(InterpretError, match="asks for a database"):
            interpreter.interpret(command, gale)


def test_a_port_of_what_the_plan_makes_is_not_a_firewall_asked_for(scripted, gale):
    line = "create deployment name=rss-proxy stack=staging image=ghcr.io/galecrest/rss-proxy:1.0.0 replicas=2 port=8080 cluster=audio-eks"
    plan = scripted(line).interpret(
        "stand up rss-proxy on audio-eks in staging: ghcr.io/galecrest/rss-proxy:1.0.0, 2 replicas on port 8080", gale)
    assert plan.actions[0].parameters.port == 8080
    with pytest.raises(InterpretError, match="asks for a firewall"):
        scripted(line).interpret("open port 8080 in staging for the office", gale)


def test_a_later_action_said_as_it_is_on_the_plans_target(scripted, gale):
    line = ("restart deployment name=payouts-svc stack=prod ; "
            "monitor deployment name=paysens-svc stack=prod metric=memory threshold=85")
    plan = scripted(line).interpret("restart payouts-svc in prod and page us if its memory goes over 85%", gale)
    assert [(a.type.value, a.name) for a in plan.actions] == [("restart", "payouts-svc"), ("monitor", "payouts-svc")]
    # a name the command says that does not exist is refused, "it" or not
    with pytest.raises(InterpretError, match="payday-worker"):
        scripted("scale deployment name=payouts-svc stack=prod replicas=4 ; "
                 "restart deployment name=payday-worker stack=prod").interpret(
            "scale payouts-svc in prod to 4 and restart the payday worker, it is stuck", gale)


def test_a_target_the_command_never_names_is_the_one_it_names_that_no_other_action_takes(scripted, gale):
    line = ("scale infrastructure name=audio-eks stack=prod kind=cluster max_size=20 ; "
            "scale infrastructure name=ad-stitcher stack=prod max_size=32")
    plan = scripted(line).interpret("prod audio-eks max to 20 and the playback hpa max to 32, ahead of the ad spots", gale)
    assert [(a.name, a.parameters.max_size) for a in plan.actions] == [("audio-eks", 20), ("playback-api-hpa", 32)]
    # alone: the one the command names, as it takes what the action sets (a max size)
    plan = scripted("scale infrastructure name=ad-stitcher stack=prod max_size=32").interpret(
        "the playback hpa max to 32 in prod, ahead of the ad spots", gale)
    assert [(a.name, a.parameters.max_size) for a in plan.actions] == [("playback-api-hpa", 32)]
    # a delete: refused as before
    with pytest.raises(InterpretError, match="does not name 'ad-stitcher'"):
        scripted("delete infrastructure name=ad-stitcher stack=prod").interpret(
            "delete the playback hpa in prod, ahead of the ad spots", gale)


@pytest.mark.parametrize("command, line, want", [
    ("playback-api in prod to 16 replicas, and bump its pdb to min available 12",
     "scale deployment name=playback-api stack=prod replicas=16 ; "
     "update infrastructure name=playback-pdb stack=prod kind=pdb min_available=12", "playback-api-pdb"),
    ("bump playback-api's hpa max to 40 in prod", "scale infrastructure name=playback-hpa stack=prod max_size=40",
     "playback-api-hpa"),
])
def test_a_resource_said_as_another_ones(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert plan.actions[-1].name == want


def test_the_same_value_as_another_action(scripted, gale):
    plan = scripted("update deployment name=feed-builder stack=prod image=ghcr.io/galecrest/feed-builder:2.15.1 ; "
                    "update infrastructure name=rss-refresh stack=prod").interpret(
        "feed builder prod: deploy ghcr.io/galecrest/feed-builder:2.15.1 and point the rss-refresh cron at the same image",
        gale)
    assert [a.parameters.image for a in plan.actions] == ["ghcr.io/galecrest/feed-builder:2.15.1"] * 2
    spec = _applied(plan, gale)["prod"]
    assert spec.find("rss-refresh")[1].image == "ghcr.io/galecrest/feed-builder:2.15.1"


@pytest.mark.parametrize("command, line, want", [
    # a word of the sentence taken for a reference: dropped; said as one, it stays
    ("run the staging rss refresh weekdays at 6:30 only, it's noisy in the QA logs",
     'update infrastructure name=rss-refresh stack=staging kind=cronjob cluster=qa schedule="30 6 * * 1-5"',
     ("rss-refresh", {"kind": "cronjob", "schedule": "30 6 * * 1-5"})),
    ("move rss-refresh in staging onto the qa cluster", "update infrastructure name=rss-refresh stack=staging kind=cronjob cluster=qa",
     ("rss-refresh", {"kind": "cronjob", "cluster": "qa"})),
    # runs that may overlap, said around the name
    ("let rss-refresh runs overlap in staging, one slow feed shouldn't hold up the rest",
     "update infrastructure name=rss-refresh stack=staging kind=cronjob",
     ("rss-refresh", {"kind": "cronjob", "concurrency_policy": "Allow"})),
    ("stop rss-refresh runs in staging from overlapping", "update infrastructure name=rss-refresh stack=staging kind=cronjob",
     ("rss-refresh", {"kind": "cronjob", "concurrency_policy": "Forbid"})),
    # the config said by name and kind word, the key and its value said apart
    ("feeds go stale in prod, set FEED_TTL_SECONDS in the feed builder config to 1800",
     "update deployment name=feed-builder stack=prod",
     ("feed-builder-config", {"key": "FEED_TTL_SECONDS", "value": "1800"})),
    ("LOG_LEVEL back to info on the staging feed builder config pls", "update deployment name=feed-builder stack=staging",
     ("feed-builder-config", {"key": "LOG_LEVEL", "value": "info"})),
    # a version said for what runs an image
    ("roll the creator dashboard in prod back to 7.0.3, 7.1.0 broke the payouts tab",
     "update deployment name=creator-dashboard stack=prod",
     ("creator-dashboard", {"image": "ghcr.io/galecrest/creator-dashboard:7.0.3"})),
])
def test_galecrest_changes_in_words(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("command, line, want", [
    ("transcode-eks in prod: +4 nodes, the backlog is deep", "scale infrastructure name=transcode-eks stack=prod kind=cluster count=4", 10),
    ("transcode-eks prod nodes -2, the backlog cleared", "scale infrastructure name=transcode-eks stack=prod kind=cluster count=2", 4),
])
def test_a_number_written_with_its_sign_is_a_change_by_it(scripted, gale, command, line, want):
    plan = scripted(line).interpret(command, gale)
    assert plan.actions[0].parameters.count == want


@pytest.fixture
def cinder_gale(tmp_path):
    return {name: _written_repo(tmp_path / name, name) for name in ("cinderpeak", "galecrest")}


@pytest.mark.parametrize("repo, command, line, want", [
    # an autoscaler's utilisation target in words
    ("cinderpeak", "autoscaler for profile-svc in production named profile-hpa, six to 20 replicas, 70% cpu",
     "create infrastructure name=profile-hpa stack=prod kind=autoscaler min_size=6 max_size=20 target=profile-svc",
     ("profile-hpa", {"kind": "autoscaler", "min_size": 6, "max_size": 20, "metric": "cpu", "threshold": 70,
                      "target": "profile-svc"})),
    ("cinderpeak", "gateway-hpa in prod: have it target 50% cpu instead",
     "update infrastructure name=gateway-hpa stack=prod kind=autoscaler",
     ("gateway-hpa", {"kind": "autoscaler", "metric": "cpu", "threshold": 50})),
    # numbers in words past twelve
    ("cinderpeak", "spin the load test bots up to twenty on stage", "scale deployment name=loadtest-bots stack=staging replicas=20",
     ("loadtest-bots", {"replicas": 20})),
    ("cinderpeak", "scale loadtest-bots to sixteen in staging", "scale deployment name=loadtest-bots stack=staging replicas=16",
     ("loadtest-bots", {"replicas": 16})),
    # a generic part written as the name, the first part said with a slip
    ("cinderpeak", "inventroy svc in prod: scale to 8", "scale deployment name=svc stack=prod replicas=8",
     ("inventory-svc", {"replicas": 8})),
])
def test_cinderpeak_phrasings(scripted, cinder_gale, repo, command, line, want):
    plan = scripted(line).interpret(command, cinder_gale[repo])
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [want]


@pytest.mark.parametrize("command, line", [
    ("let 192.168.0.0/16 reach the catalog db on 5432 in prod",
     "create security name=catalog-db stack=prod cidr=192.168.0.0/16 port=5432"),
    ("open 8443 to 10.0.0.0/8 for the transcode workers in prod",
     "create security name=transcode-worker stack=prod cidr=10.0.0.0/8 port=8443"),
])
def test_a_rule_named_for_what_it_lets_traffic_reach_is_a_new_group(scripted, gale, command, line):
    plan = scripted(line).interpret(command, gale)
    assert [(a.type.value, a.resource.value, a.name) for a in plan.actions] == [("create", "security", None)]
    new = set(_applied(plan, gale)["prod"].security) - set(gale.load_all()["prod"].security)
    assert len(new) == 1  # one new group, the database or deployment untouched


def test_an_alert_asked_for_as_keeping_an_eye_is_kept(scripted, gale):
    plan = scripted("restart deployment name=transcode-worker stack=prod ; "
                    "monitor deployment name=transcode-worker stack=prod metric=memory threshold=90").interpret(
        "restart transcode-worker in prod and keep an eye on its memory above 90%", gale)
    assert [a.type.value for a in plan.actions] == ["restart", "monitor"]


@pytest.mark.parametrize("command, line, name", [
    ("let the office 203.0.113.0/24 reach ssh on 22 in dev",
     "create security name=office stack=dev cidr=203.0.113.0/24 port=22", None),
    ("let 10.8.0.0/16 reach grafana on 3000 in staging",
     "create security name=grafana stack=staging cidr=10.8.0.0/16 port=3000", None),
    # given as the group's name: kept
    ("new sg grafana in staging: 3000 from 10.8.0.0/16",
     "create security name=grafana stack=staging cidr=10.8.0.0/16 port=3000", "grafana"),
    ("a security group called monitoring in staging with 3000 from 10.8.0.0/16",
     "create security name=monitoring stack=staging cidr=10.8.0.0/16 port=3000", "monitoring"),
])
def test_a_new_groups_name_is_one_the_command_gives_it(scripted, gale, command, line, name):
    assert scripted(line).interpret(command, gale).actions[0].name == name


# -- stop 27: quantities said with "a"/"an", amounts in units, names said around the model's


@pytest.mark.parametrize("command, line, want", [
    # "an hour" is one hour (the quantity reader once read it as "a" + "n")
    ("label-print messages are stale after an hour, cut retention to an hour in prod",
     "update infrastructure name=label-print stack=prod", {"retention_seconds": 3600}),
    ("keep eta-recalc messages a day in staging",
     "update infrastructure name=eta-recalc stack=staging kind=queue", {"retention_seconds": 86400}),
])
def test_a_quantity_said_with_a_or_an_is_one_of_its_unit(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values().items() >= want.items()


@pytest.mark.parametrize("command, written, amount, value", [
    # the amount in the key's unit, computed from the spec's 90 s
    ("bump the vis timeout on the carrier webhooks queue by 2 minutes in prod", 2, "+120", 210),
    ("bump the vis timeout on the carrier webhooks queue by 60 seconds in prod", 60, "+60", 150),
])
def test_a_change_by_an_amount_with_a_unit_is_that_amount(scripted, kestrel, command, written, amount, value):
    line = f"update infrastructure name=carrier-webhooks stack=prod kind=queue visibility_timeout_seconds={written}"
    action = scripted(line).interpret(command, kestrel).actions[0]
    assert action.relative == {"visibility_timeout_seconds": amount}
    assert action.parameters.set_values()["visibility_timeout_seconds"] == value


def test_a_change_by_a_factor_lands_on_the_key_the_command_names(scripted, kestrel):
    # "halve the visibility timeout" written on retention: the key named takes the change
    plan = scripted("update infrastructure name=dispatch-requests stack=dev kind=queue retention_seconds=/2").interpret(
        "can we halve the visibility timeout on dispatch-requests in dev? retries are slow", kestrel)
    action = plan.actions[0]
    assert set(action.relative) == {"visibility_timeout_seconds"}
    assert "retention_seconds" not in action.parameters.set_values()


def test_a_size_said_as_a_number_is_not_multiplied_by_a_word_of_the_reason(scripted, cinder):
    # "hit twice" is how often, not a factor: the 250 said is the size
    plan = scripted("scale infrastructure name=arena-hpa stack=staging kind=autoscaler max_size=25").interpret(
        "the hpa for arena in staging: let it go up to 25 pods, the 20 cap got hit twice", cinder)
    assert plan.actions[0].parameters.set_values()["max_size"] == 25
    assert not plan.actions[0].relative


@pytest.mark.parametrize("command, line, meant", [
    # the model copied the name without a part the command says before it
    ("stale shipment sweeper in prod: run it every 15 minutes",
     'update infrastructure name=shipment-sweeper stack=prod kind=cronjob schedule="*/15 * * * *"',
     "stale-shipment-sweeper"),
    # ... under another resource type: the resource found says which
    ("cap the carrier webhook handler at 20 concurrent executions in prod",
     "scale deployment name=carrier-webhook stack=prod replicas=20", "carrier-webhook-handler"),
])
def test_a_name_copied_in_part_is_the_longer_name_the_command_says(scripted, kestrel, command, line, meant):
    action = scripted(line).interpret(command, kestrel).actions[0]
    assert action.name == meant
    assert action.resource.value == "infrastructure"


def test_a_name_said_with_initials_is_that_resource(scripted, cinder):
    # "arena game servers" is arena-gs: "gs" the initials of the words said
    action = scripted("scale deployment name=arena-game stack=staging replicas=*2").interpret(
        "double the arena game servers on staging for the playtest", cinder).actions[0]
    assert action.name == "arena-gs"


def test_a_name_after_the_kind_word_is_said(scripted, cinder):
    # "the hpa for arena": arena-hpa, said with its kind word first
    action = scripted("scale infrastructure name=arena-hpa stack=staging kind=autoscaler max_size=30").interpret(
        "raise the max of the hpa for arena to 30 in staging", cinder).actions[0]
    assert action.name == "arena-hpa" and action.parameters.set_values()["max_size"] == 30


def test_a_delete_of_a_name_copied_in_part_is_the_name_said_in_full_only(scripted, bramble):
    line = "delete infrastructure name=partner-creds stack=dev kind=secret"
    plan = scripted(line).interpret("delete courier-partner-creds in dev, that partner never launched", bramble)
    assert plan.actions[0].name == "courier-partner-creds"
    # said in part only: a delete names its target in full, or it is refused
    with pytest.raises(InterpretError):
        scripted(line).interpret("delete the partner creds in dev, that partner never launched", bramble)


def test_a_schedule_the_command_writes_out_beats_the_models_copy(scripted, kestrel):
    plan = scripted('update infrastructure name=carrier-rate-sync stack=prod schedule="*/0 * * *"').interpret(
        "carrier-rate-sync schedule in prod -> 0 */2 * * *", kestrel)
    assert plan.actions[0].parameters.set_values()["schedule"] == "0 */2 * * *"


@pytest.mark.parametrize("command, line, want", [
    ("create an s3 bucket called audit-logs in prod in us-east-2",
     "create storage name=audit-logs stack=prod kind=bucket", "us-east-2"),
    # a region inside an image's registry host or an ARN says where those are, not the new one
    ("new lambda pod-ocr in prod from image 318204776519.dkr.ecr.us-east-2.amazonaws.com/pod-ocr:0.1.0",
     "create infrastructure name=pod-ocr stack=prod kind=function", None),
    ("new alb edge-alb in prod, cert arn:aws:acm:us-east-1:318204776519:certificate/88aa21f3-0c1d",
     "create infrastructure name=edge-alb stack=prod kind=load_balancer", None),
])
def test_a_new_resources_region_is_the_one_written(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values().get("region") == want


def test_thousands_said_with_k(scripted, kestrel):
    plan = scripted("monitor infrastructure name=route-cache stack=prod metric=connections threshold=10").interpret(
        "page us when connections on the prod route cache go above 10k", kestrel)
    assert plan.actions[0].parameters.set_values()["threshold"] == 10000


@pytest.mark.parametrize("command, written, want", [
    ("beef up the prod route cache to r6g.xlarge nodes", "cache.r6g.xlarge", "cache.r6g.xlarge"),
    ("route-cache prod -> t4g.small pls", "t4g.small", "cache.t4g.small"),
])
def test_a_caches_node_type_said_without_its_prefix_takes_it(scripted, kestrel, command, written, want):
    plan = scripted(f"update infrastructure name=route-cache stack=prod instance_type={written}").interpret(
        command, kestrel)
    assert plan.actions[0].parameters.set_values()["instance_type"] == want
    _applied(plan, kestrel)  # and the spec takes it


@pytest.mark.parametrize("command, want", [
    ("carrier-gateway-lb in prod: set internal to false, partners call it directly", False),
    ("carrier-gateway-lb in prod has to be reachable from outside the vpc", False),
    ("make carrier-gateway-lb in prod internal only", True),
    # a no up to three words before it (stop 30), and a no that is not of it
    ("carrier-gateway-lb in production doesn't need to be internal anymore, partners hit it directly", False),
    ("carrier-gateway-lb in production should not be internal", False),
    ("no, make carrier-gateway-lb in production internal", True),
])
def test_whether_a_service_is_internal_said_in_words(scripted, kestrel, command, want):
    plan = scripted("update infrastructure name=carrier-gateway-lb stack=prod kind=lb_service internal=true").interpret(
        command, kestrel)
    assert plan.actions[0].parameters.set_values()["internal"] is want


# -- stop 28: values taken for names, flags said of several, stack descriptions, the spec's
# own checks of a value, providers

def test_a_value_taken_for_the_name_of_a_new_one_is_the_value(scripted, kestrel):
    # the name is the word after the kind's
    plan = scripted("create infrastructure name=yard-team stack=prod kind=namespace").interpret(
        "create a namespace yard in prod owned by yard-team", kestrel)
    assert (plan.actions[0].name, plan.actions[0].parameters.set_values().get("owner")) == ("yard", "yard-team")


def test_a_value_taken_for_the_name_of_one_there_is_the_value(scripted, cinder):
    # the resource the command names
    plan = scripted("update infrastructure name=qa-automation stack=staging kind=namespace").interpret(
        "qa namespace on stg -> owner qa-automation", cinder)
    assert (plan.actions[0].name, plan.actions[0].parameters.set_values().get("owner")) == ("qa", "qa-automation")


def test_a_flag_said_of_several_jobs_is_read_for_each(scripted, kestrel):
    plan = scripted("update infrastructure name=eta-backfill stack=staging ; "
                    "update infrastructure name=carrier-rate-sync stack=staging").interpret(
        "pause eta-backfill and carrier-rate-sync in staging, we're load testing this weekend", kestrel)
    assert [a.parameters.set_values().get("suspend") for a in plan.actions] == [True, True]
    # two different words, each in its own job's part of the command (stop 34: was neither)
    plan = scripted("update infrastructure name=eta-backfill stack=staging ; "
                    "update infrastructure name=carrier-rate-sync stack=staging").interpret(
        "pause eta-backfill and resume carrier-rate-sync in staging", kestrel)
    assert [a.parameters.set_values().get("suspend") for a in plan.actions] == [True, False]
    # two words said of both: which is which is not certain, so neither
    plan = scripted("update infrastructure name=eta-backfill stack=staging ; "
                    "update infrastructure name=carrier-rate-sync stack=staging").interpret(
        "pause or resume eta-backfill and carrier-rate-sync in staging", kestrel)
    assert [a.parameters.set_values().get("suspend") for a in plan.actions] == [None, None]


@pytest.mark.parametrize("command, line", [
    ("cap the carrier webhook handler at 20 concurrent executions in staging",
     "update infrastructure name=carrier-webhook-handler stack=staging handler=20"),
    ("carrier-webhook-handler in staging: reserved concurrency to 20",
     "update infrastructure name=carrier-webhook-handler stack=staging memory_mb=20"),
    ("carrier-webhook-handler staging, 20 concurrent max",
     "scale infrastructure name=carrier-webhook-handler stack=staging kind=function"),
])
def test_a_functions_concurrency_said_in_words_is_its_count(scripted, kestrel, command, line):
    action = scripted(line).interpret(command, kestrel).actions[0]
    assert (action.type.value, action.parameters.set_values().get("count")) == ("scale", 20)


def test_a_resource_said_only_by_its_stack_and_kind_is_not_picked(scripted, kestrel):
    # no pick by elimination (DESIGN.md): the one cluster of staging is not named by "the
    # staging cluster", whatever the model wrote
    for line in ("scale infrastructure name=dispatch-svc stack=staging count=+2",
                 "scale infrastructure stack=staging kind=cluster count=+2"):
        with pytest.raises(InterpretError):
            scripted(line).interpret("add two nodes to the staging cluster", kestrel)


@pytest.mark.parametrize("command, line, want", [
    # the short name exists (a namespace billing), but every time it is said it is billing-db
    ("alert on billing db cpu over 80 percent in staging",
     "monitor infrastructure name=billing stack=staging metric=cpu threshold=80", "billing-db"),
    ("edi sftp creds rotation every 45 days in staging",
     "update security name=edi-sftp stack=staging rotation_days=45", "edi-sftp-creds"),
    # a delete of a longer name said in full, one part abbreviated in the name
    ("delete the track page ingress in staging, the public tracking page moved to the CDN",
     "delete infrastructure name=track-page stack=staging kind=ingress", "track-page-ing"),
])
def test_the_longer_name_the_command_says(scripted, kestrel, command, line, want):
    assert scripted(line).interpret(command, kestrel).actions[0].name == want


def test_the_longer_name_is_not_read_where_the_more_is_a_metric(scripted, workspace):
    plan = scripted("monitor infrastructure name=api stack=prod metric=memory threshold=80").interpret(
        "alert when api memory goes above 80% in prod", workspace)
    assert plan.actions[0].name == "api"


def test_a_single_action_on_a_name_not_said_takes_the_named_one_that_takes_its_values(scripted, kestrel):
    plan = scripted("update infrastructure name=dispatch-svc stack=prod key=MAX_STOPS_PER_ROUTE value=26").interpret(
        "MAX_STOPS_PER_ROUTE should be 26 in the prod dispatch config, LTL routes are longer now", kestrel)
    assert plan.actions[0].name == "dispatch-config"
    # a name said as the reason does not take a schedule: refused, not moved onto it
    with pytest.raises(InterpretError):
        scripted('update infrastructure name=edi-gateway stack=prod schedule="0 3 * * *"').interpret(
            "move the 3am run in prod, the shipments db backup overlaps at 2", kestrel)


def test_twice_as_often_halves_a_period(scripted, kestrel):
    plan = scripted("update security name=stripe-secret stack=prod kind=secret rotation_days=*2").interpret(
        "rotate the stripe secret twice as often in prod", kestrel)
    assert plan.actions[0].parameters.set_values()["rotation_days"] == 90


def test_a_value_the_kinds_spec_refuses_is_left_out(scripted, kestrel):
    plan = scripted("create security name=driver-app-build-role stack=staging kind=iam_role service=codebuild ; "
                    "create security name=driver-app-build-role stack=staging kind=iam_role "
                    "service=aws:policy/AmazonEC2ContainerRegistryPowerUser").interpret(
        "codebuild needs a service role for the driver app builds: driver-app-build-role, staging, attach "
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser", kestrel)
    assert [a.parameters.set_values() for a in plan.actions] == [{
        "kind": "iam_role", "service": "codebuild",
        "policies": "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"}]
    plan = scripted("create security name=rate-workflow-role stack=prod kind=iam_role policies=yet service=states"
                    ).interpret("role for step functions, name rate-workflow-role, prod, no policies yet", kestrel)
    assert "policies" not in plan.actions[0].parameters.set_values()


def test_a_provider_other_than_aws_is_refused(scripted, cinder):
    with pytest.raises(InterpretError, match="gcp"):
        scripted("create infrastructure name=tournament stack=prod provider=gcp kind=cluster count=3").interpret(
            "create a gke cluster called tournament in prod with 3 nodes", cinder)
    plan = scripted("create infrastructure name=tournament stack=prod provider=aws kind=cluster count=3").interpret(
        "create an aws eks cluster called tournament in prod with 3 nodes", cinder)
    assert plan.actions[0].parameters.set_values()["provider"] == "aws"
    # an AWS service said: provider=aws kept as said
    plan = scripted("create infrastructure name=tournament stack=prod provider=aws kind=cluster count=3").interpret(
        "create an eks cluster called tournament in prod with 3 nodes", cinder)
    assert plan.actions[0].parameters.set_values()["provider"] == "aws"


def test_a_share_of_cpu_is_not_a_size(scripted, cinder):
    plan = scripted("update deployment name=gateway stack=prod max_size=50").interpret(
        "the gateway autoscaler in prod reacts too late, have it target 50% cpu instead", cinder)
    action = plan.actions[0]
    assert (action.name, action.parameters.set_values()) == ("gateway-hpa", {"metric": "cpu", "threshold": 50})


def test_a_multiplier_that_is_the_number_of_a_quantity_said_is_the_quantity(scripted, kestrel):
    plan = scripted("update infrastructure name=eta-recalc stack=prod visibility_timeout_seconds=*2").interpret(
        "eta-recalc in prd: visibility timeout 2 minutes pls, the recalcs take longer than 30s now and get "
        "processed twice", kestrel)
    assert plan.actions[0].parameters.set_values()["visibility_timeout_seconds"] == 120
    # said as a multiplier, it is one
    plan = scripted("update infrastructure name=eta-recalc stack=prod visibility_timeout_seconds=*2").interpret(
        "double the visibility timeout on eta-recalc in prod", kestrel)
    assert plan.actions[0].relative == {"visibility_timeout_seconds": "*2"}


@pytest.mark.parametrize("command, port", [
    ("drop the 5432 rule from vpn-debug in dev", 5432),
    ("remove port 22 from vpn-debug in dev", 22),
    # no port said as a rule's: the whole group, as the command says
    ("delete vpn-debug in dev, it had 3 rules nobody uses", None),
])
def test_a_firewall_delete_that_names_a_rules_port_removes_that_rule(scripted, kestrel, command, port):
    plan = scripted("delete security name=vpn-debug stack=dev").interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values().get("port") == port


@pytest.mark.parametrize("command, line, want", [
    ("catalog api prod: 3 more pods and 5 more on the hpa max",
     "scale deployment name=catalog-api stack=prod replicas=+3 ; scale deployment name=catalog-api stack=prod max_size=+5",
     [("catalog-api", {"replicas": 9}), ("catalog-api-hpa", {"max_size": 25})]),
])
def test_a_change_its_target_cannot_take_goes_to_its_kind_said(scripted, bramble, command, line, want):
    assert _params(scripted(line).interpret(command, bramble)) == want


def test_its_hpa_on_a_name_not_said_is_the_targets_hpa(scripted, cinder):
    plan = scripted("scale deployment name=gateway stack=prod replicas=+2 ; "
                    "scale infrastructure name=gateway-pdb stack=prod min_size=8").interpret(
        "bump gateway by 2 in prod and raise its hpa floor to 8 so it doesn't just scale back down", cinder)
    assert _params(plan) == [("gateway", {"replicas": 8}), ("gateway-hpa", {"min_size": 8})]


def test_a_create_of_another_kind_than_the_one_named_is_of_the_one_named_where_its_values_fit(scripted, kestrel):
    command = ("new lambda pod-ocr in dev from image 318204776519.dkr.ecr.us-east-2.amazonaws.com/pod-ocr:0.1.0, "
               "1 gig memory, 2 minute timeout")
    plan = scripted("create deployment name=pod-ocr stack=dev "
                    "image=318204776519.dkr.ecr.us-east-2.amazonaws.com/pod-ocr:0.1.0").interpret(command, kestrel)
    assert plan.actions[0].parameters.set_values() == {
        "kind": "function", "image": "318204776519.dkr.ecr.us-east-2.amazonaws.com/pod-ocr:0.1.0",
        "memory_mb": 1024, "timeout_seconds": 120}
    # a value the named kind does not take (replicas): refused as before, never guessed
    with pytest.raises(InterpretError, match="asks for a function"):
        scripted("create deployment name=pod-ocr stack=dev replicas=2 "
                 "image=318204776519.dkr.ecr.us-east-2.amazonaws.com/pod-ocr:0.1.0").interpret(command, kestrel)


def test_a_key_word_before_the_value_the_plan_gives_it_is_no_kind_asked_for(scripted, cinder):
    image = "318224590671.dkr.ecr.us-east-1.amazonaws.com/replay-svc:1.0.0"
    plan = scripted(f"create deployment name=replay-svc stack=prod cluster=platform image={image} replicas=3 "
                    "port=8080").interpret(
        f"deploy {image} as replay-svc on the platform cluster in prod, 3 replicas, port 8080", cinder)
    assert plan.actions[0].parameters.set_values()["port"] == 8080


def test_a_create_of_what_is_there_written_under_another_resource_type_is_a_change(scripted, kestrel):
    arn = "arn:aws:acm:us-east-2:318204776519:certificate/5e6f7a8b-1c2d-4e3f-9a0b-c1d2e3f4a5b6"
    plan = scripted(f"create security name=partner-alb stack=prod kind=load_balancer certificate_arn={arn}").interpret(
        f"new cert for the partner ALB in prod: {arn}", kestrel)
    assert (plan.actions[0].type.value, plan.actions[0].name) == ("update", "partner-alb")


def test_what_a_value_is_now_said_before_the_new_one(scripted, cinder):
    plan = scripted("scale infrastructure name=sandbox stack=dev kind=cluster count=10 ; "
                    "scale infrastructure name=sandbox stack=dev kind=cluster count=25").interpret(
        "sandbox image registry in dev only keeps 10, make it 25", cinder)
    assert _params(plan) == [("sandbox-images", {"kind": "registry", "count": 25})]


def test_a_record_named_by_its_host_may_be_deleted_so(scripted, tmp_path):
    shutil.copytree(REPO / "training" / "written" / "larchfield-repo" / "stacks", tmp_path / "stacks")
    plan = scripted("delete infrastructure name=status-dns stack=prod kind=dns_record").interpret(
        "remove the status.larchfield.farm record in prod, we self-host the status page now", Workspace(tmp_path))
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "status-cname")]


@pytest.mark.parametrize("command, destructive", [
    ("kill the grade events topic in prod", True),
    ("retire the notify worker in staging", True),
    ("the jumpbox and its ssh security group can both go", True),
    ("kill the api pods in dev", False),  # a restart, in kubernetes' words
    ("can we go to 4 replicas", False),
])
def test_words_that_ask_to_delete(command, destructive):
    assert CommandFacts.of(command, ["prod", "dev"]).destructive is destructive


def test_closing_a_port_deletes_that_rule_never_the_group(scripted, cinder):
    command = "close 6379 on dev-internal, nothing in dev talks to redis over the sg anymore"
    plan = scripted("delete security name=dev-internal stack=dev").interpret(command, cinder)
    assert _params(plan) == [("dev-internal", {"port": 6379})]
    # two ports said: which rule is not certain, and the whole group is not asked for
    plan = scripted("delete security name=dev-internal stack=dev").interpret(
        "close 6379 and 5432 on dev-internal", cinder)
    assert plan.actions == []


@pytest.fixture
def bright(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "brightwell")


@pytest.mark.parametrize("command, line, want", [
    ("ship scheduler-ui 3.5.0 to stg", "update deployment name=scheduler-ui stack=staging",
     "ghcr.io/brightwell/scheduler-ui:3.5.0"),
    # "double-booked" is no factor: the model's replicas=*2 is its own
    ("roll out timetable-api 4.12.1 to production, it has the hotfix for the double-booked rooms bug",
     "scale deployment name=timetable-api stack=prod replicas=*2", "ghcr.io/brightwell/timetable-api:4.12.1"),
])
def test_a_version_said_is_the_current_image_at_that_tag(scripted, bright, command, line, want):
    plan = scripted(line).interpret(command, bright)
    assert [(a.type.value, a.parameters.set_values()) for a in plan.actions] == [("update", {"image": want})]


def test_two_versions_said_give_no_image(scripted, bright):
    plan = scripted("update deployment name=scheduler-ui stack=staging").interpret(
        "ship scheduler-ui 3.5.0 to stg, 3.4.9 had the login bug", bright)
    assert "image" not in plan.actions[0].parameters.set_values()


def test_the_stack_of_another_resource_named_where_the_command_names_none(scripted, bright):
    plan = scripted("restart deployment name=solver-engine").interpret(
        "restart everything in the solver engine deployment on the batch cluster", bright)
    assert [(a.name, a.stack) for a in plan.actions] == [("solver-engine", "prod")]


def test_a_port_said_by_its_protocol(scripted, gale):
    plan = scripted("update security name=office-ssh stack=dev cidr=203.0.113.7/32").interpret(
        "ssh from 203.0.113.7/32 on office-ssh in dev, I'm working from the cabin this week", gale)
    assert _params(plan) == [("office-ssh", {"port": 22, "cidr": "203.0.113.7/32"})]
    # two protocols said: which port is not certain
    plan = scripted("update security name=office-ssh stack=dev cidr=203.0.113.7/32").interpret(
        "open https and ssh from 203.0.113.7/32 on office-ssh in dev", gale)
    assert "port" not in plan.actions[0].parameters.set_values()


def test_a_name_said_last_with_longer_names_around(scripted, cinder):
    # gateway-hpa and gateway-pdb start with it: the command's last word is no crash
    plan = scripted("restart deployment name=gateway stack=prod").interpret("prod: restart gateway", cinder)
    assert [(a.type.value, a.name) for a in plan.actions] == [("restart", "gateway")]


@pytest.mark.parametrize("repo, command, line, want", [
    # a factor said as "2x" next to a time said in minutes: the factor
    ("mossgate", "dispatch jobs queue prod, visibility timeout 2x please, workers take longer than 2 min on big orders",
     "update infrastructure name=dispatch-jobs stack=prod kind=queue visibility_timeout_seconds=*2",
     {"visibility_timeout_seconds": 240}),
    # factor words the relative reading leaves to the model
    ("cinderpeak", "tools-images prod: keep half as many images, storage bill is silly",
     "update infrastructure name=tools-images stack=prod kind=registry count=/2", {"count": 10}),
    ("orbitpay", "cut employer-portal to a third of its pods in prod, traffic's dead after the holidays",
     "scale deployment name=employer-portal stack=prod replicas=/3", {"replicas": 1}),
])
def test_a_factor_said_in_words_the_model_wrote_stays(scripted, tmp_path, repo, command, line, want):
    plan = scripted(line).interpret(command, _written_repo(tmp_path, repo))
    values = plan.actions[0].parameters.set_values()
    assert {k: values[k] for k in want} == want


def test_a_longer_name_is_not_read_from_a_word_of_the_sentence(scripted, bramble, tmp_path):
    # store-sync-in is there too: "store sync in prod" says store-sync
    plan = scripted("update infrastructure name=store-sync stack=prod instance_type=c6i.2xlarge").interpret(
        "store-sync in prod to c6i.2xlarge", bramble)
    assert plan.actions[0].name == "store-sync"


def test_a_new_resource_in_another_region_than_its_stacks_is_refused(scripted, kestrel):
    # kestrelhaul's prod is in us-east-2: the edit would make it there, whatever the plan said
    with pytest.raises(InterpretError, match="eu-west-1.*us-east-2"):
        scripted("create storage name=audit-logs stack=prod kind=bucket").interpret(
            "create an s3 bucket called audit-logs in prod in eu-west-1", kestrel)


def test_a_reference_held_in_a_list_is_read_as_its_names(scripted, cinder):
    # an instance's security groups are a list: the instances on bastion-ssh take the count
    plan = scripted("scale infrastructure name=bastion-ssh stack=prod kind=security count=2").interpret(
        "give the bastion-ssh instances 2 servers in prod", cinder)
    assert [(a.name, a.parameters.set_values().get("count")) for a in plan.actions] == [("bastion", 2)]


@pytest.mark.parametrize("command, line, want", [
    ("edi gateway boxes in prod: go to 3 instances, the new retailer sends 10x the 856s",
     "scale infrastructure name=retailer stack=prod kind=instance count=3", ("edi-gateway", {"count": 3})),
    ("invoice jobs queue (production) - visibility timeout needs to be 15 min, pdf generation for the big "
     "shippers runs ~10 min", "scale infrastructure name=pdf stack=prod visibility_timeout_seconds=900",
     ("invoice-jobs", {"visibility_timeout_seconds": 900})),
])
def test_a_word_of_the_reason_taken_for_the_target_is_read_as_the_resource_named(scripted, kestrel, command,
                                                                                 line, want):
    plan = scripted(line).interpret(command, kestrel)
    name, values = want
    assert [a.name for a in plan.actions] == [name]
    assert {k: plan.actions[0].parameters.set_values()[k] for k in values} == values


@pytest.mark.parametrize("command", [
    "scale the checkout deployment to 3 in prod",       # said as a name, before its kind
    "scale checkout to 3 in prod like dispatch-svc",    # the subject; the resource named after it a comparison
])
def test_a_missing_name_said_as_the_target_is_refused_not_read_as_another(scripted, kestrel, command):
    with pytest.raises(InterpretError, match="cannot scale 'checkout': no resource of that name"):
        scripted("scale deployment name=checkout stack=prod replicas=3").interpret(command, kestrel)


def test_a_later_action_on_the_last_part_of_what_the_plan_makes_is_on_it(scripted, kestrel):
    plan = scripted("create infrastructure name=exception-triage stack=prod kind=queue retention_seconds=432000 ; "
                    "monitor infrastructure name=triage stack=prod metric=latency threshold=1800").interpret(
        "set up shipment exceptions in prod: queue exception-triage with a 5 day retention, and alert if "
        "triage messages get older than 30 minutes", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "exception-triage"),
                                                             ("monitor", "exception-triage")]


@pytest.mark.parametrize("command, line, kinds", [
    # a bare create of a kind the command never names, after what it asks for
    ("new namespace loyalty on shop in staging owned by growth-team, and a loyalty-config configmap there "
     "with POINTS_PER_DOLLAR=1",
     "create infrastructure name=loyalty stack=staging kind=namespace cluster=shop owner=growth-team ; "
     "create infrastructure name=loyalty-config stack=staging kind=configmap cluster=shop key=POINTS_PER_DOLLAR "
     "value=1 ; create infrastructure stack=staging kind=kms_key", ["namespace", "configmap"]),
    # a create that repeats another of the plan, with nothing of its own
    ("new security group courier-web in prod with 443 open to 0.0.0.0/0, and an nlb courier-public-lb in front "
     "of courier-tracker on 443",
     "create security name=courier-web stack=prod kind=firewall port=443 cidr=0.0.0.0/0 ; create infrastructure "
     "name=courier-public-lb stack=prod kind=lb_service port=443 cidr=0.0.0.0/0 target=courier-tracker ; "
     "create security stack=prod kind=lb_service port=443 cidr=0.0.0.0/0", ["firewall", "lb_service"]),
    # bare creates of kinds the command names are what it asks for
    ("a bucket and a queue in dev", "create storage stack=dev kind=bucket ; create infrastructure stack=dev kind=queue",
     ["bucket", "queue"]),
    # the same create in another stack is no repeat
    ("create a bucket named archive in dev and a bucket named archive in prod",
     "create storage name=archive stack=dev kind=bucket ; create storage name=archive stack=prod kind=bucket",
     ["bucket", "bucket"]),
])
def test_a_create_nobody_asked_for_is_left_out(scripted, bramble, command, line, kinds):
    plan = scripted(line).interpret(command, bramble)
    assert [a.parameters.kind for a in plan.actions] == kinds


def test_a_plan_gone_astray_is_refused_before_any_create_is_left_out(scripted, bramble):
    # the queue is a kind the command never names: the sign of a wrong plan, refused, not
    # dropped to let the rest through
    # (either as a kind the command never names, or, "boxes" being what people call the
    # machines the command names, as an alarm on a name it never says)
    with pytest.raises(InterpretError, match="interpreter wrote a queue|does not name 'refund-requests'"):
        scripted("create infrastructure name=refund-requests stack=prod kind=queue ; monitor infrastructure "
                 "name=refund-requests stack=prod metric=latency threshold=300").interpret(
            "alert when the store-sync boxes in prod go over 80% cpu", bramble)


@pytest.mark.parametrize("command, line, stack, want", [
    # every autoscaler of kestrelhaul is <target>-hpa
    ("create an hpa for dispatch-svc in prod, 6 to 16 replicas",
     "create infrastructure name=dispatch-svc stack=prod kind=autoscaler min_size=6 max_size=16", "prod",
     "dispatch-svc-hpa"),
    # dev has no budget: after the target, with the kind's own suffix (Kind.target_suffix)
    ("pdb for shipment-api in dev, at most 1 down",
     "create infrastructure stack=dev kind=pdb max_unavailable=1 target=shipment-api", "dev", "shipment-api-pdb"),
])
def test_a_new_resource_for_a_target_is_named_after_it_by_the_edit(scripted, kestrel, command, line, stack, want):
    # the plan says no name was given (the labels of commands written apart leave it so);
    # the spec entry takes the name
    plan = scripted(line).interpret(command, kestrel)
    assert [a.name for a in plan.actions] == [None]
    assert _applied(plan, kestrel)[stack].find(want) is not None


@pytest.mark.parametrize("command, line, want", [
    # no budget for driver-app-api in prod: a new one, for it
    ("pdb for driver-app-api in prod: at least 4 pods available",
     "scale deployment name=driver-app-api stack=prod replicas=4",
     ("create", None, {"min_available": 4, "target": "driver-app-api"})),
    # dispatch-svc has its budget: that one changes
    ("pdb for dispatch-svc in prod: at most 2 down at once", "scale deployment name=dispatch-svc stack=prod replicas=2",
     ("update", "dispatch-svc-pdb", {"max_unavailable": 2})),
])
def test_a_number_said_of_a_budget_written_on_its_deployment_is_the_budgets(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    kind, name, values = want
    assert [(a.type.value, a.name, a.parameters.kind) for a in plan.actions] == [(kind, name, "pdb")]
    if kind == "create":
        assert _applied(plan, kestrel)["prod"].find("driver-app-api-pdb") is not None
    assert {k: plan.actions[0].parameters.set_values()[k] for k in values} == values


def test_a_number_said_of_the_deployment_stays_the_deployments(scripted, kestrel):
    # the 4 is the deployment's ("to 4 pods"); the budget's number is another
    plan = scripted("scale deployment name=dispatch-svc stack=prod replicas=4").interpret(
        "scale dispatch-svc in prod to 4 pods, pdb at least 2", kestrel)
    assert [(a.type.value, a.name, a.parameters.set_values().get("replicas")) for a in plan.actions] == [
        ("scale", "dispatch-svc", 4)]


@pytest.mark.parametrize("command", [
    "don't delete driver-pii-key in dev, just rotate it yearly",
    "no need to remove driver-pii-key in dev; rotate it yearly",
    "we can't drop driver-pii-key in dev yet, rotate it yearly instead",
])
def test_a_delete_word_taken_back_asks_for_no_delete(scripted, kestrel, command):
    plan = scripted("delete security name=driver-pii-key stack=dev").interpret(command, kestrel)
    assert not any(a.type.value == "delete" for a in plan.actions)
    assert any("did not ask for" in w for w in plan.warnings)


def test_a_change_that_sets_nothing_of_what_the_command_deletes_is_the_delete(scripted, kestrel):
    plan = scripted("update security name=driver-pii-key stack=dev").interpret(
        "the driver-pii-key in dev isn't used by anything, dev uses fake drivers. delete it", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "driver-pii-key")]


@pytest.mark.parametrize("command, line", [
    # the delete is of a key in it, not of the resource
    ("remove LOG_LEVEL from dispatch-config in prod", "update infrastructure name=dispatch-config stack=prod"),
    # taken back
    ("don't delete driver-pii-key in dev, it's fine", "update security name=driver-pii-key stack=dev"),
])
def test_a_change_that_sets_nothing_is_no_delete_unless_the_resource_is_deleted(scripted, kestrel, command, line):
    plan = scripted(line).interpret(command, kestrel)
    assert not any(a.type.value == "delete" for a in plan.actions)


def test_a_word_of_the_kind_asked_for_is_no_name(scripted, cinder):
    plan = scripted("create infrastructure name=party-svc stack=prod kind=autoscaler min_size=3 max_size=10 ; "
                    "create infrastructure name=disruption kind=pdb min_available=1").interpret(
        "party-svc in prod needs an autoscaler (3-10 pods) and a disruption budget with at most 1 unavailable", cinder)
    assert [(a.name, a.parameters.kind) for a in plan.actions] == [(None, "autoscaler"), (None, "pdb")]
    # said as a name, it is the name
    plan = scripted("create infrastructure name=disruption stack=prod kind=pdb max_unavailable=1 target=party-svc"
                    ).interpret("a disruption budget named disruption for party-svc in prod, at most 1 unavailable",
                                cinder)
    assert [a.name for a in plan.actions] == ["disruption"]


@pytest.mark.parametrize("command, line, want", [
    ("the build cache volume in production needs to be a terabyte",
     "update storage name=build-cache stack=prod kind=volume", 1024),
    ("make a new volume p4-archive in dev, half a tera", "create storage name=p4-archive stack=dev kind=volume", 512),
])
def test_a_size_said_as_a_unit_word_alone_is_read(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert plan.actions[0].parameters.set_values()["storage_gb"] == want


def test_a_change_that_says_a_keys_value_now_and_another_sets_that_key(scripted, kestrel):
    command = ("Hi team, the dispatch-requests-dlq in production keeps stuff for 14 days but legal says 5 days "
               "max for shipper PII. Could someone lower it to 5 days? Thanks!")
    plan = scripted("update infrastructure name=dispatch-requests-dlq stack=prod kind=queue").interpret(
        command, kestrel)
    assert plan.actions[0].parameters.set_values()["retention_seconds"] == 5 * 86400
    # two other amounts: which one is meant is not said
    plan = scripted("update infrastructure name=dispatch-requests-dlq stack=prod kind=queue").interpret(
        "the dispatch-requests-dlq in prod keeps stuff for 14 days, make it 5 days or 7 days", kestrel)
    assert "retention_seconds" not in plan.actions[0].parameters.set_values()


@pytest.mark.parametrize("command, line, want", [
    ("leaderboard redis in prod: add a replica, reads are hot since the weekly reset",
     "scale infrastructure name=leaderboard-redis stack=prod kind=cache", ("count", 4, "+1")),
    ("add two nodes to gamefleet in staging", "scale infrastructure name=gamefleet stack=staging kind=cluster",
     ("count", 6, "+2")),
    # "add a replica" written as replicas=1: one more, not one
    ("add a replica to arena-gs in staging", "scale deployment name=arena-gs stack=staging replicas=1",
     ("replicas", 7, "+1")),
])
def test_an_amount_said_of_what_a_kind_counts_is_its_size(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    key, value, relative = want
    assert plan.actions[0].parameters.set_values()[key] == value and plan.actions[0].relative == {key: relative}


def test_adding_a_node_group_is_no_amount():
    from agentops.interpret.facts import CommandFacts

    assert CommandFacts.of("add a node group to gamefleet in staging", ["staging"]).relative == {}
    assert CommandFacts.of("add a node to gamefleet in staging", ["staging"]).relative == {1.0: "+"}


@pytest.mark.parametrize("command, line, want", [
    # a value of another action copied onto a resource whose kind takes none of it
    ("leaderboard-scores table in prod: write capacity 1600, the season reset write storm is coming",
     "scale infrastructure name=leaderboard-scores stack=prod kind=table write_capacity=1600 ; "
     "update infrastructure name=season-rollover stack=prod write_capacity=1600", ["leaderboard-scores"]),
    # a change that sets nothing, of a resource the reason mentions
    ("matchmaker config in prod: set QUEUE_TIMEOUT_S to 120, players are bailing at 90s in the high elo pool",
     "update infrastructure name=matchmaker-config stack=prod key=QUEUE_TIMEOUT_S value=120 ; "
     "update infrastructure name=players stack=prod kind=namespace", ["matchmaker-config"]),
])
def test_a_change_that_changes_nothing_is_left_out_of_a_plan_of_several(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert [a.name for a in plan.actions] == want


def test_a_tls_secret_introduced_by_secret_is_read(scripted, cinder):
    plan = scripted("update infrastructure name=store-ingress stack=prod kind=ingress").interpret(
        "store ingress in production: swap the cert to secret store-tls-2027", cinder)
    assert plan.actions[0].parameters.set_values()["tls_secret"] == "store-tls-2027"


def test_an_amount_said_of_something_else_is_not_a_second_change_of_the_key(scripted, bramble):
    plan = scripted("scale infrastructure name=store-sync stack=prod kind=instance count=+2 ; "
                    "scale infrastructure name=store-sync stack=prod kind=instance count=+3").interpret(
        "store-sync boxes in prod: add two, three more stores come online monday", bramble)
    assert [(a.name, a.relative) for a in plan.actions] == [("store-sync", {"count": "+2"})]
    # both said of what the kind counts: both stay, for review
    plan = scripted("scale infrastructure name=store-sync stack=prod kind=instance count=+2 ; "
                    "scale infrastructure name=store-sync stack=prod kind=instance count=+3").interpret(
        "store-sync in prod: add two boxes, then three more boxes next week", bramble)
    assert len(plan.actions) == 2


def test_a_monitor_with_nothing_to_watch_where_no_alert_is_asked_is_a_change(scripted, kestrel):
    plan = scripted("monitor infrastructure name=stale-shipment-sweeper stack=staging kind=cronjob").interpret(
        "stale shipment sweeper in staging: run it every 15 minutes", kestrel)
    assert [(a.type.value, a.parameters.set_values().get("schedule")) for a in plan.actions] == [
        ("update", "*/15 * * * *")]
    # asked to watch: a monitor it stays, and a cron job cannot be watched (stop 37: refused
    # by name before any plan, as the edit would refuse it)
    with pytest.raises(InterpretError, match="has no metric to alarm on"):
        scripted("monitor infrastructure name=stale-shipment-sweeper stack=staging kind=cronjob").interpret(
            "keep an eye on stale-shipment-sweeper in staging", kestrel)


def test_a_plan_cut_off_in_a_runaway_value_keeps_its_finished_part(kestrel):
    import re

    from agentops.generate import ConstrainedGenerator
    from agentops.planline import grammar

    generator = ConstrainedGenerator.__new__(ConstrainedGenerator)  # the grammar alone, no model
    generator._pattern = re.compile(grammar(list(kestrel.load_all()), kestrel.kinds))
    ran_on = " update infrastructure name=nightly-invoice-run stack=prod kind=cronjob image=ni" + "n" * 300
    assert generator._finished_part(ran_on) == " update infrastructure name=nightly-invoice-run stack=prod kind=cronjob"
    # a second action's run-away value: the rest of the plan stays as written
    two = " scale deployment name=dispatch-svc stack=prod replicas=3 ; update infrastructure name=eta-recalc " \
          "stack=prod visibility_timeout_seconds=" + "1" * 300
    assert generator._finished_part(two) == (" scale deployment name=dispatch-svc stack=prod replicas=3 ; "
                                             "update infrastructure name=eta-recalc stack=prod")
    assert generator._finished_part(" upd") == ""


def test_a_cut_off_plan_is_read_against_the_command_and_says_so(scripted, kestrel):
    from agentops.interpret import Interpreter, WrittenPlan

    class CutOff:
        embedder = None

        def write(self, text, specs, workspace, model_setting):
            return WrittenPlan(" update infrastructure name=nightly-invoice-run stack=prod kind=cronjob", cut="image=ni")

    plan = Interpreter(writer=CutOff(), use_memory=False).interpret(
        "move the nightly invoice run in prod to 3am, the shipments db backup overlaps at 2", kestrel)
    assert [(a.name, a.parameters.set_values().get("schedule")) for a in plan.actions] == [
        ("nightly-invoice-run", "0 3 * * *")]
    assert any("unfinished end was left out" in w for w in plan.warnings)


@pytest.mark.parametrize("words, runtime", [
    ("create a python 3.12 function fuel-surcharge-calc", "python3.12"),
    ("a node 22 lambda", "nodejs22.x"),
    ("on java 21", "java21"),
    ("python 2.5 please", None),          # not a runtime Lambda knows
    ("python 3.12 or node 22", None),     # two said
])
def test_a_functions_runtime_said_as_people_say_it(kestrel, words, runtime):
    assert kestrel.kinds["functions"].value_from_words("runtime", words, None) == runtime


def test_an_update_pointed_at_another_resource_takes_it_as_its_target(scripted, cinder):
    plan = scripted("update infrastructure name=store-ingress stack=staging kind=ingress ; "
                    "update deployment name=store-api stack=staging").interpret(
        "point the store ingress on staging at the gateway for now, store-api is being rebuilt", cinder)
    assert [(a.name, a.parameters.set_values().get("target")) for a in plan.actions] == [("store-ingress", "gateway")]


def test_deletes_go_referrers_first(scripted, cinder):
    plan = scripted("delete infrastructure name=dev-alb stack=dev ; delete infrastructure name=api-dev-dns stack=dev"
                    ).interpret("tear down the dev alb and the api-dev-dns record that points at it, the sandbox "
                                "goes through the ingress now", cinder)
    assert [a.name for a in plan.actions] == ["api-dev-dns", "dev-alb"]
    # no reference between them: the order said
    plan = scripted("delete infrastructure name=dev-alb stack=dev ; delete storage name=dev-scratch stack=dev").interpret(
        "delete dev-alb and the dev-scratch bucket in dev", cinder)
    assert [a.name for a in plan.actions] == ["dev-alb", "dev-scratch"]


def test_a_port_change_of_a_firewall_the_command_deletes_a_rule_of_is_that_rules_delete(scripted, cinder):
    plan = scripted("update security name=db-access stack=prod port=3306").interpret(
        "db-access in prod: mysql 3306 rule can go, liveops db is the only mysql and it's reached through the proxy",
        cinder)
    assert [(a.type.value, a.name, a.parameters.port) for a in plan.actions] == [("delete", "db-access", 3306)]
    # taken back: no delete
    plan = scripted("update security name=db-access stack=prod port=3306").interpret(
        "db-access in prod: don't remove the 3306 rule", cinder)
    assert not any(a.type.value == "delete" for a in plan.actions)


def test_a_change_on_a_resource_that_cannot_take_it_is_on_the_one_named_that_can(scripted, cinder):
    plan = scripted("update security name=steam-api-key stack=prod port=27015 protocol=udp").interpret(
        "game server udp ports need 27015 too for the steam query protocol in prod, from anywhere", cinder)
    assert [a.name for a in plan.actions] == ["gameserver-udp"]
    # typed as is: left to the edit, which says what the secret takes
    plan = scripted("update security name=steam-api-key stack=prod port=27015 protocol=udp").interpret(
        "steam-api-key in prod: open udp 27015 from anywhere, for the game server", cinder)
    assert [a.name for a in plan.actions] == ["steam-api-key"]


@pytest.mark.parametrize("words, zone", [
    ("run it daily at noon ET", "America/New_York"),
    ("at 4am PT every day", "America/Los_Angeles"),
    ("run the pt report at 4am", None),     # not after a time: another word
])
def test_a_cron_jobs_zone_said_by_its_two_letters_after_a_time(kestrel, words, zone):
    assert kestrel.kinds["cron_jobs"].value_from_words("time_zone", words, None) == zone


@pytest.mark.parametrize("command, line, want", [
    ("driver app release 7.1 in prod: driver-app-api to 318204776519.dkr.ecr.us-east-2.amazonaws.com/driver-app-api:"
     "7.1.0 and restart eta-predictor, it holds the old driver schema",
     "update deployment name=driver-app-api stack=prod image=318204776519.dkr.ecr.us-east-2.amazonaws.com/"
     "driver-app-api:7.1.0", [("update", "driver-app-api"), ("restart", "eta-predictor")]),
    # taken back
    ("bump shipment-api to 5 in prod, don't restart dispatch-svc", "scale deployment name=shipment-api stack=prod "
     "replicas=5", [("scale", "shipment-api")]),
    # a question asks for none
    ("is it safe to restart dispatch-svc in prod now?", "show deployment name=dispatch-svc stack=prod",
     [("show", "dispatch-svc")]),
])
def test_a_restart_the_command_says_is_in_the_plan(scripted, kestrel, command, line, want):
    plan = scripted(line).interpret(command, kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == want


def test_eventbridge_said_as_what_a_role_serves_is_no_kind_asked_for(scripted, kestrel):
    plan = scripted("create security name=invoice-events-role stack=prod kind=iam_role service=events").interpret(
        "eventbridge needs to assume a role to kick off the invoice pipeline: create invoice-events-role in prod "
        "for events", kestrel)
    assert [(a.name, a.parameters.set_values().get("service")) for a in plan.actions] == [
        ("invoice-events-role", "events")]
    with pytest.raises(InterpretError, match="no kind for 'eventbridge rule'"):
        scripted("create security name=x stack=prod kind=iam_role").interpret("set up an eventbridge rule in prod",
                                                                              kestrel)


@pytest.mark.parametrize("command, line, want", [
    ("max party size in the prod matchmaker config -> 5",
     "update infrastructure name=matchmaker-config stack=prod kind=configmap max_size=5",
     {"key": "MAX_PARTY_SIZE", "value": "5"}),
    ("turn the sale banner on in the prod store config, the summer sale starts in an hour",
     "update infrastructure name=store-config stack=prod key=sale-banner", {"key": "SALE_BANNER", "value": "on"}),
])
def test_a_config_maps_key_said_in_words_is_its_key(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert {k: v for k, v in plan.actions[0].parameters.set_values().items() if k != "kind"} == want


def test_an_empty_change_of_what_the_reason_mentions_is_left_out_with_a_warning(scripted, cinder):
    plan = scripted("update infrastructure name=matchmaker-config stack=prod key=QUEUE_TIMEOUT_S value=120 ; "
                    "update infrastructure name=players stack=prod kind=namespace").interpret(
        "matchmaker config in prod: set QUEUE_TIMEOUT_S to 120, players are bailing at 90s in the high elo pool",
        cinder)
    assert any(w == "left out the update of 'players': it sets nothing" for w in plan.warnings)



def test_a_secret_named_is_not_an_ingress_tls_secret(scripted, cinder):
    plan = scripted("create security name=xbox-credentials stack=prod kind=secret config_key=xboxClientSecret"
                    ).interpret("add a secret xbox-credentials in prod from config key xboxClientSecret", cinder)
    assert [a.name for a in plan.actions] == ["xbox-credentials"]


# -- stop 31: what the model writes beside the command's words (cinderpeak, read with the model)


@pytest.mark.parametrize("command, line, want", [
    # the account id inside an image reference is no number the command says; "3 replicas" is
    ("deploy 318224590671.dkr.ecr.us-east-1.amazonaws.com/replay-svc:1.0.0 to prod as replay-svc on the "
     "platform cluster, port 8080, 3 replicas",
     "create deployment name=replay-svc stack=prod image=318224590671.dkr.ecr.us-east-1.amazonaws.com/replay-svc:1.0.0 "
     "replicas=318224590671 port=8080 cluster=platform",
     {"image": "318224590671.dkr.ecr.us-east-1.amazonaws.com/replay-svc:1.0.0", "replicas": 3, "port": 8080,
      "cluster": "platform"}),
    # a count said with the instance type between ("4 m6i.xlarge nodes")
    ("create cluster esports-eks in prod with 4 m6i.xlarge nodes (min 2, max 6)",
     "create infrastructure name=esports-eks stack=prod kind=cluster instance_type=m6i.xlarge min_size=2 max_size=6",
     {"kind": "cluster", "count": 4, "instance_type": "m6i.xlarge", "min_size": 2, "max_size": 6}),
    # a config map's key as the command spells it, not the model's respelling
    ("lower TICK_RATE to 30 in gameserver-config on staging",
     "update infrastructure name=gameserver-config stack=staging key=Tick_RATE value=30",
     {"key": "TICK_RATE", "value": "30"}),
    # a record's type and ttl said in words, on a create
    ("create an A record for esports.cinderpeak.gg pointing at 198.51.100.42 in hosted zone Z03817442K1CPGGD, "
     "production, ttl 300",
     "create infrastructure name=echos stack=prod kind=dns_record ttl=198",
     {"kind": "dns_record", "record": "esports.cinderpeak.gg", "ttl": 300, "type": "A", "values": "198.51.100.42",
      "zone_id": "Z03817442K1CPGGD"}),
    # a port said after its key's name
    ("create an alb called esports-alb in prod, https on port 443 with cert "
     "arn:aws:acm:us-east-1:318224590671:certificate/88aa21f3-0c1d-4e5f-a6b7-c8d9e0f1a2b3",
     "create infrastructure name=esports-alb stack=prod kind=load_balancer certificate_arn=443",
     {"kind": "load_balancer", "port": 443, "protocol": "HTTPS",
      "certificate_arn": "arn:aws:acm:us-east-1:318224590671:certificate/88aa21f3-0c1d-4e5f-a6b7-c8d9e0f1a2b3"}),
    # "add a replica" where the model wrote a number the command never says
    ("leaderboard redis in prod: add a replica, reads are hot since the weekly reset",
     "scale infrastructure name=leaderboard-redis stack=prod kind=cache read_capacity=1024",
     {"kind": "cache", "count": 4}),
])
def test_values_the_command_says_beside_what_the_model_wrote(scripted, cinder, command, line, want):
    plan = scripted(line).interpret(command, cinder)
    assert [a.parameters.set_values() for a in plan.actions] == [want]


def test_a_key_no_action_of_the_kind_takes_is_left_out_by_name(scripted, cinder):
    plan = scripted("update infrastructure name=leaderboard-snapshot stack=prod kind=cronjob min_available=15").interpret(
        "leaderboard snapshot job in prod every 15 minutes instead of hourly", cinder)
    assert plan.actions[0].parameters.set_values() == {"kind": "cronjob", "schedule": "*/15 * * * *"}
    assert "min_available=15 is not a key of cron_jobs: left out" in plan.warnings
    # a key of another action of the kind stays: moving a cron job to another cluster
    plan = scripted("update infrastructure name=leaderboard-snapshot stack=prod kind=cronjob cluster=gamefleet").interpret(
        "move the leaderboard snapshot job in prod onto the gamefleet cluster", cinder)
    assert plan.actions[0].parameters.set_values().get("cluster") == "gamefleet"


def test_an_action_written_twice_is_one(scripted, cinder):
    plan = scripted("delete security name=db-access stack=prod port=3306 ; delete security name=db-access stack=prod port=3306"
                    ).interpret("db-access in prod: mysql 3306 rule can go, liveops db is the only mysql and it's "
                                "reached through the proxy", cinder)
    assert render(plan.actions) == "delete security name=db-access stack=prod port=3306"


def test_a_change_written_as_another_kind_and_left_empty_is_left_out(scripted, cinder):
    # "players are bailing at 90s": a scale of a cluster "players" to 90; players is a
    # namespace, 90 no size of it: nothing of it stands
    plan = scripted("update infrastructure name=matchmaker-config stack=prod key=QUEUE_TIMEOUT_S value=120 ; "
                    "scale infrastructure name=players kind=cluster count=90").interpret(
        "matchmaker config in prod: set QUEUE_TIMEOUT_S to 120, players are bailing at 90s in the high elo pool", cinder)
    assert [a.name for a in plan.actions] == ["matchmaker-config"]
    assert "left out the update of 'players': it sets nothing" in plan.warnings
    # written as its own kind with a value the command does not say: it stays, for the edit to refuse
    plan = scripted("update infrastructure name=matchmaker-config stack=prod key=QUEUE_TIMEOUT_S value=120 ; "
                    "update infrastructure name=players kind=namespace owner=elo-team").interpret(
        "matchmaker config in prod: set QUEUE_TIMEOUT_S to 120, players are bailing at 90s in the high elo pool", cinder)
    assert [a.name for a in plan.actions] == ["matchmaker-config", "players"]


def test_a_record_named_by_its_host_is_the_target_whatever_type_was_written(scripted, cinder):
    plan = scripted("update deployment name=patch-cinderpeak stack=prod image=d2m4newcdn9.cloudfront.net.target:point"
                    ).interpret("patch.cinderpeak.gg needs to point at the new cloudfront distribution "
                                "d2m4newcdn9.cloudfront.net, prod", cinder)
    assert _params(plan) == [("patch-dns", {"values": "d2m4newcdn9.cloudfront.net"})]


def test_the_stack_said_with_the_targets_name_is_its(scripted, cinder):
    command = ("QA passed 4.13.0 on staging. roll matchmaker-svc in prod to "
               "318224590671.dkr.ecr.us-east-1.amazonaws.com/matchmaker:4.13.0")
    plan = scripted("update deployment name=matchmaker-svc stack=staging "
                    "image=318224590671.dkr.ecr.us-east-1.amazonaws.com/matchmaker:4.13.0").interpret(command, cinder)
    assert [(a.name, a.stack) for a in plan.actions] == [("matchmaker-svc", "prod")]
    # stacks listed for one change: one action per stack, as before
    plan = scripted("restart deployment name=matchmaker-svc stack=staging").interpret(
        "restart matchmaker-svc in staging and prod", cinder)
    assert [a.stack for a in plan.actions] == ["staging", "prod"]


def test_a_word_of_the_sentence_taken_for_a_target_is_left_out_beside_a_real_one(scripted, cinder):
    command = "season 4 launches thursday and the matchmaker is already sweating in load tests. bump it by 4 in prod pls"
    plan = scripted("scale deployment name=launches schedule=4 ; scale deployment name=matchmaker stack=prod replicas=+4"
                    ).interpret(command, cinder)
    assert _params(plan) == [("matchmaker-svc", {"replicas": 12})]
    assert any("left out the scale of 'launches'" in w for w in plan.warnings)
    # alone, it is refused as not there: nothing else stands
    with pytest.raises(InterpretError, match="launches"):
        scripted("scale deployment name=launches stack=prod replicas=+4").interpret(command, cinder)
    # the first part of a name may be meant (season-rollover, lobby-svc): refused, never dropped
    with pytest.raises(InterpretError, match="season"):
        scripted("scale deployment name=season schedule=4 ; scale deployment name=matchmaker stack=prod replicas=+4"
                 ).interpret(command, cinder)
    with pytest.raises(InterpretError, match="lobby"):
        scripted("restart deployment name=matchmaker stack=prod ; update infrastructure name=lobby stack=prod key=skill"
                 ).interpret("restart matchmaker and lobby in prod, the skill window change needs both to reload", cinder)


def test_a_name_said_in_words_is_found_across_types(scripted, cinder):
    # "arena game servers" written arena-game, kind=instance: arena-gs (a deployment), though
    # the namespace "gameservers" is said too; its count is the deployment's replicas
    plan = scripted("scale infrastructure name=arena-game stack=staging kind=instance count=*2").interpret(
        "double the arena game servers on staging for tonight's playtest", cinder)
    assert [(a.type.value, a.name, a.resource.value) for a in plan.actions] == [("scale", "arena-gs", "deployment")]
    assert plan.actions[0].parameters.set_values() == {"replicas": 12}


def test_a_range_end_equal_to_another_actions_resolved_size_is_still_said(scripted, cinder):
    # gateway 6 + 2 = 8, and "its hpa floor to 8": the 8 said is the floor's
    plan = scripted("scale deployment name=gateway stack=prod replicas=+2 ; "
                    "scale infrastructure name=gateway-hpa stack=prod kind=autoscaler").interpret(
        "bump gateway by 2 in prod and raise its hpa floor to 8 so it doesn't just scale back down", cinder)
    assert _params(plan) == [("gateway", {"replicas": 8}), ("gateway-hpa", {"kind": "autoscaler", "min_size": 8})]


@pytest.mark.parametrize("command", [
    "make esports-ops the owner of the anticheat namespace in prod",
    "esports-ops owns the anticheat namespace in prod now",
    "hand the anticheat namespace in prod over to esports-ops",
    "set the owner of the anticheat ns in prod to esports-ops",
    "transfer ownership of anticheat namespace in prod to esports-ops",
])
def test_a_namespaces_owner_said_in_other_words(scripted, cinder, command):
    plan = scripted("update infrastructure name=anticheat stack=prod kind=namespace").interpret(command, cinder)
    assert _params(plan) == [("anticheat", {"kind": "namespace", "owner": "esports-ops"})]


def test_an_owner_not_said_is_not_read(scripted, cinder):
    plan = scripted("create infrastructure name=analytics stack=staging kind=namespace").interpret(
        "hand over a new namespace analytics in staging to the prod cluster folks", cinder)
    assert "owner" not in plan.actions[0].parameters.set_values()


def test_a_time_zone_written_out_is_the_jobs(scripted, cinder):
    plan = scripted("update infrastructure name=leaderboard-snapshot stack=prod kind=cronjob").interpret(
        "leaderboard snapshot job in prod: each day at 7 AM (America/Chicago)", cinder)
    assert plan.actions[0].parameters.set_values() == {"kind": "cronjob", "schedule": "0 7 * * *",
                                                       "time_zone": "America/Chicago"}


def test_the_new_value_of_a_range_end_said_was_to_now(scripted, cinder):
    plan = scripted("scale infrastructure name=platform stack=prod kind=cluster count=7").interpret(
        "platform cluster prod min 6 -> 7", cinder)
    assert _params(plan) == [("platform", {"kind": "cluster", "min_size": 7})]


def test_a_kind_agentops_lacks_said_as_the_reasons_subject_is_no_request(scripted, cinder):
    plan = scripted("delete infrastructure name=patch-ingress stack=prod").interpret(
        "kill the patch-ingress in prod, the CDN pulls from the bucket directly now", cinder)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "patch-ingress")]
    # asked for, it is refused by name as before
    with pytest.raises(InterpretError, match="no kind for 'cdn'"):
        scripted("create storage name=cdn stack=prod").interpret("the cdn needs a new origin in prod", cinder)


def test_a_cluster_said_only_inside_another_name_is_not_said(scripted, cinder):
    # "platform" is a cluster of cinderpeak's prod; "platform-tools" says no cluster
    plan = scripted("create infrastructure name=tools-config stack=prod kind=configmap cluster=platform key=MODE value=on"
                    ).interpret("new config map tools-config in prod for platform-tools, MODE=on", cinder)
    assert "cluster" not in plan.actions[0].parameters.set_values()
    plan = scripted("create infrastructure name=tools-config stack=prod kind=configmap cluster=platform key=MODE value=on"
                    ).interpret("new config map tools-config in prod on the platform cluster, MODE=on", cinder)
    assert plan.actions[0].parameters.set_values()["cluster"] == "platform"


def test_of_two_changes_of_one_key_the_copy_of_another_actions_value_is_left_out(scripted, bramble):
    plan = scripted("create infrastructure name=help-record stack=staging kind=dns_record ttl=300 type=CNAME "
                    "zone_id=Z0STG7BRAMBLE2 ; update infrastructure name=status-record stack=staging kind=dns_record "
                    "ttl=300 ; update infrastructure name=status-record stack=staging kind=dns_record ttl=60").interpret(
        "new CNAME in staging zone Z0STG7BRAMBLE2 for help.stg.bramblecart.dev -> bramblecart-stg.zendesk.com named "
        "help-record, ttl 300, and bring status-record's ttl down to 60", bramble)
    assert [(a.type.value, a.name, a.parameters.set_values().get("ttl")) for a in plan.actions] == [
        ("create", "help-record", 300), ("update", "status-record", 60)]
    assert "left out ttl=300 on 'status-record': another action's value, copied" in plan.warnings


def test_a_new_budgets_cluster_is_its_targets(scripted, bramble):
    command = "ops cluster in prod: min 5 nodes, and add a pdb for the slot planner with max 1 unavailable"
    plan = scripted("scale infrastructure name=ops stack=prod kind=cluster min_size=5 ; "
                    "create infrastructure stack=prod kind=pdb cluster=ops max_unavailable=1 target=slot-planner"
                    ).interpret(command, bramble)
    assert [a.parameters.set_values() for a in plan.actions] == [
        {"kind": "cluster", "min_size": 5}, {"kind": "pdb", "max_unavailable": 1, "target": "slot-planner"}]
    # another cluster than the target's stays, for the edit to refuse
    plan = scripted("create infrastructure stack=prod kind=pdb cluster=shop max_unavailable=1 target=slot-planner"
                    ).interpret("add a pdb for the slot planner in prod on the shop cluster with max 1 unavailable",
                                bramble)
    assert plan.actions[0].parameters.set_values()["cluster"] == "shop"


# -- stop 32: "twice" of how often, a factor said over a unit quantity, an empty change of what
# it deletes, hosts said in part, lists said in parts, plain words written joined, new names

@pytest.mark.parametrize("command, value, relative", [
    # "processed twice" says how often, not a factor: the quantity in the key's unit is the value
    ("eta-recalc in prd: visibility timeout 2 minutes pls, the recalcs take longer than 30s now and get "
     "processed twice", 120, {}),
    # a factor said of it still is one (eta-recalc's is 30 s in the spec)
    ("eta-recalc in prod: make the visibility timeout twice what it is", 60, {"visibility_timeout_seconds": "*2"}),
])
def test_twice_is_a_factor_only_of_something(scripted, kestrel, command, value, relative):
    plan = scripted("update infrastructure name=eta-recalc stack=prod kind=queue visibility_timeout_seconds=1800"
                    ).interpret(command, kestrel)
    action = plan.actions[0]
    assert (action.parameters.set_values()["visibility_timeout_seconds"], action.relative) == (value, relative)


def test_a_factor_in_words_wins_over_a_quantity_said_as_the_reason(scripted, kestrel):
    # "/200" from "using 200MB": the command says "in half"
    plan = scripted("scale infrastructure name=rate-shopper stack=dev kind=function memory_mb=/200").interpret(
        "cut rate-shopper's memory in half in dev, it's barely using 200MB", kestrel)
    assert plan.actions[0].relative == {"memory_mb": "/2"}


def test_an_update_with_only_an_unsaid_number_of_what_it_deletes_is_the_delete(scripted, kestrel):
    plan = scripted("update security name=driver-pii-key stack=dev port=22").interpret(
        "the driver-pii-key in dev isn't used by anything, dev uses fake drivers. delete it", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "driver-pii-key")]


def test_a_record_named_by_its_hosts_first_labels(scripted, kestrel):
    line = ("delete infrastructure name=partners-record stack=staging ; "
            "delete infrastructure name=partner-alb stack=staging")
    plan = scripted(line).interpret("in staging delete the partners.stg dns record and then the partner alb", kestrel)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "partners-record"), ("delete", "partner-alb")]
    # labels that begin no record's host (or one said without "record") name nothing
    with pytest.raises(InterpretError, match="does not name 'partners-record'"):
        scripted(line).interpret("in staging delete the partners.prd dns record and then the partner alb", kestrel)


def test_a_list_said_in_parts_is_one_change(scripted, kestrel):
    glue, s3 = ("arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    plan = scripted(f"update security name=telematics-crawler-role stack=prod policies={glue} ; "
                    f"update security name=telematics-crawler-role stack=prod policies={s3}").interpret(
        f"telematics crawler role in prod: swap policies to {glue} and {s3}", kestrel)
    assert [(a.name, a.parameters.set_values()["policies"]) for a in plan.actions] == [
        ("telematics-crawler-role", [glue, s3])]


def test_plain_words_written_joined_are_no_name_beside_an_action_that_stands(scripted, kestrel):
    line = ("scale infrastructure name=edi-gateway stack=prod kind=instance count=3 ; "
            "scale infrastructure name=new-retailer stack=prod kind=instance count=10")
    plan = scripted(line).interpret("edi gateway boxes in prod: go to 3 instances, the new retailer sends 10x the 856s",
                                    kestrel)
    assert [(a.name, a.parameters.count) for a in plan.actions] == [("edi-gateway", 3)]
    # typed joined, it is a name: refused as not there
    with pytest.raises(InterpretError, match="new-retailer"):
        scripted(line).interpret("edi gateway boxes in prod: go to 3 instances, and new-retailer to 10", kestrel)


@pytest.mark.parametrize("command, want", [
    ("new nightly job in prod: lane-rate-rollup at 1:30am central, image "
     "318204776519.dkr.ecr.us-east-2.amazonaws.com/lane-rate-rollup:1.0.0, no overlapping runs", "lane-rate-rollup"),
    # only a name inside the image (and a region inside it) says none; nor does an English compound
    ("new nightly job in prod at 1:30am central, no dead-letter handling, image "
     "318204776519.dkr.ecr.us-east-2.amazonaws.com/lane-rate-rollup:1.0.0", None),
    # nor one that names something there ("like eta-backfill")
    ("new nightly job in prod like eta-backfill at 1:30am central, image "
     "318204776519.dkr.ecr.us-east-2.amazonaws.com/lane-rate-rollup:1.0.0", None),
])
def test_a_new_one_takes_the_one_new_name_said(scripted, kestrel, command, want):
    plan = scripted("create infrastructure name=nightly-invoice-run stack=prod kind=cronjob "
                    "image=318204776519.dkr.ecr.us-east-2.amazonaws.com/lane-rate-rollup:1.0.0").interpret(command, kestrel)
    assert plan.actions[0].name == want


def test_a_last_part_written_for_a_name_whose_first_part_is_said(scripted, bramble):
    command = "can payments get a restart in prd? the PSP rotated their intermediate cert and the svc caches the old chain"
    plan = scripted("restart deployment name=svc stack=prod").interpret(command, bramble)
    assert [(a.type.value, a.name) for a in plan.actions] == [("restart", "payments-svc")]
    # without the first part said, "svc" names nothing: refused
    with pytest.raises(InterpretError, match="'svc'"):
        scripted("restart deployment name=svc stack=prod").interpret(
            "restart it in prd, the svc caches the old chain", bramble)


def test_an_ingress_named_by_its_hosts_first_label(scripted, cinder):
    # leaderboard-ingress serves ranks.stg.cinderpeak.gg
    plan = scripted("update infrastructure name=ranks-ingress stack=staging kind=ingress path=/api/ranks").interpret(
        "the ranks ingress on staging should serve under /api/ranks", cinder)
    assert [(a.name, a.parameters.set_values().get("path")) for a in plan.actions] == [("leaderboard-ingress", "/api/ranks")]
    # a label no ingress's host begins with names none
    with pytest.raises(InterpretError, match="ranking-ingress"):
        scripted("update infrastructure name=ranking-ingress stack=staging kind=ingress path=/api/ranks").interpret(
            "the ranking ingress on staging should serve under /api/ranks", cinder)


@pytest.fixture
def thorn(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "thornwick")


@pytest.mark.parametrize("command, line, want", [
    ("fraud-checks visibility timeout 90s in prod. same for staging",
     "update infrastructure name=fraud-checks stack=prod kind=queue visibility_timeout_seconds=90",
     [("fraud-checks", "prod"), ("fraud-checks", "staging")]),
    ("bastion to t3.small in prod, and the staging one too",
     "update infrastructure name=bastion stack=prod kind=instance instance_type=t3.small",
     [("bastion", "prod"), ("bastion", "staging")]),
    ("restart checkout-svc in all three envs", "restart deployment name=checkout-svc",
     [("checkout-svc", "dev"), ("checkout-svc", "staging"), ("checkout-svc", "prod")]),
    # a second stack said apart from the change is not a list ("move it from staging to prod")
    ("fraud-checks visibility timeout 90s in prod, staging stays as it is",
     "update infrastructure name=fraud-checks stack=prod kind=queue visibility_timeout_seconds=90",
     [("fraud-checks", "prod")]),
])
def test_the_same_change_said_again_for_another_stack(scripted, thorn, command, line, want):
    plan = scripted(line).interpret(command, thorn)
    assert [(a.name, a.stack) for a in plan.actions] == want


@pytest.mark.parametrize("command, line, want", [
    # "another 30s": an amount in the key's unit
    ("ticket-pdf-render in prod, give it another 30s of timeout",
     "update infrastructure name=ticket-pdf-render stack=prod kind=function timeout_seconds=30",
     {"timeout_seconds": "+30"}),
    # the amount and the sign said win over the model's
    ("scanner-sync down by one in prod, we over-provisioned for the festival",
     "scale deployment name=scanner-sync stack=prod replicas=+1", {"replicas": "-1"}),
    ("fraud-worker prod +3, the queue is backing up behind the model for 2 min at a time",
     "scale deployment name=fraud-worker stack=prod replicas=+2", {"replicas": "+3"}),
])
def test_amounts_as_said(scripted, thorn, command, line, want):
    assert scripted(line).interpret(command, thorn).actions[0].relative == want


def test_a_factor_word_of_what_is_no_factor_and_a_factor_of_one_is_none(scripted, thorn):
    plan = scripted("update infrastructure name=waitlist-release stack=prod kind=cronjob suspend=true ; "
                    "scale deployment name=waitlist-svc replicas=*1").interpret(
        "suspend the waitlist-release job in prod and drop waitlist-svc to 1 replica while we fix the double offers",
        thorn)
    assert [(a.name, a.parameters.set_values(), a.relative) for a in plan.actions] == [
        ("waitlist-release", {"kind": "cronjob", "suspend": True}, {}), ("waitlist-svc", {"replicas": 1}, {})]


@pytest.mark.parametrize("command, line, want", [
    ("scan-ingest reserved concurrency to 400 in prod for saturday's stadium show",
     "scale infrastructure name=scan-ingest stack=prod kind=queue concurrency_policy=Forbid", ("scan-ingest", 400)),
    ("tw-prod: min 8, max 30, desired 14. and checkout-svc to 10",
     "scale infrastructure name=tw-prod kind=cluster min_size=8 max_size=30", ("tw-prod", 14)),
])
def test_a_count_said_by_its_spec_fields_words(scripted, thorn, command, line, want):
    action = scripted(line).interpret(command, thorn).actions[0]
    assert (action.name, action.parameters.count) == want


@pytest.mark.parametrize("command, line, want", [
    # a closed vocabulary's value said for a change that sets nothing; not the one it has
    ("switch session-cache in staging to valkey", "update infrastructure name=session-cache stack=staging kind=cache",
     {"kind": "cache", "engine": "valkey"}),
    ("switch session-cache in staging to redis", "update infrastructure name=session-cache stack=staging kind=cache",
     {"kind": "cache"}),
    # the value said as what it replaces is not the one meant
    ("inventory-hold-hpa should scale on memory at 75% instead of cpu, it's the lock table that grows",
     "update infrastructure name=inventory-hold-hpa stack=prod metric=cpu threshold=75",
     {"metric": "memory", "threshold": 75}),
    # overlapping intros ("from config key X")
    ("new secret paypal-api-key in prod, value comes from config key paypalApiKey",
     "create security name=paypal-api-key stack=prod kind=secret", {"kind": "secret", "config_key": "paypalApiKey"}),
    # a config map's value said right after its key beats the model's word from elsewhere
    ("turn QUEUE_MODE on in the prod checkout config, friday's onsale is going to be a zoo",
     "update infrastructure name=checkout-config stack=prod key=QUEUE_MODE value=friday",
     {"key": "QUEUE_MODE", "value": "on"}),
    ("set PAYOUT_DAY to friday in the prod checkout config",
     "update infrastructure name=checkout-config stack=prod key=PAYOUT_DAY value=friday",
     {"key": "PAYOUT_DAY", "value": "friday"}),
    # a port said after its protocol
    ("new alb promoter-alb in dev, HTTPS on 443, cert arn:aws:acm:us-west-2:604118273390:certificate/"
     "77d0a3e5-5c1b-4f2a-8e96-c3b4d1f0a852",
     "create infrastructure name=promoter-alb stack=dev kind=load_balancer protocol=HTTPS",
     {"kind": "load_balancer", "port": 443, "protocol": "HTTPS",
      "certificate_arn": "arn:aws:acm:us-west-2:604118273390:certificate/77d0a3e5-5c1b-4f2a-8e96-c3b4d1f0a852"}),
])
def test_values_said_in_words_of_their_own(scripted, thorn, command, line, want):
    assert scripted(line).interpret(command, thorn).actions[0].parameters.set_values() == want


@pytest.mark.parametrize("command, line, want", [
    ("ticket-pdfs bucket in dev can go", "update storage name=ticket-pdfs stack=dev kind=bucket", "delete"),
    ("ticket-pdfs bucket in dev can't go yet, legal wants the pdfs", "update storage name=ticket-pdfs stack=dev kind=bucket",
     "update"),
])
def test_an_empty_change_of_what_can_go_is_its_delete(scripted, thorn, command, line, want):
    assert scripted(line).interpret(command, thorn).actions[0].type.value == want


def test_a_kinds_word_and_a_first_part_name_the_one_of_that_kind(scripted, thorn):
    # seatmap-ing, not seatmap-cache nor seatmap-api
    plan = scripted("update infrastructure name=seatmap-ingress stack=dev kind=ingress").interpret(
        "seatmap ingress on dev should use the nginx class", thorn)
    assert plan.actions[0].name == "seatmap-ing"


def test_the_stack_where_the_kind_said_is_on_the_target(scripted, thorn):
    # inventory-hold is in every stack, its hpa in prod only
    plan = scripted("scale infrastructure name=inventory-hold kind=autoscaler min_size=+2").interpret(
        "add two to the hpa floor for inventory-hold", thorn)
    assert [(a.name, a.stack, a.relative) for a in plan.actions] == [("inventory-hold-hpa", "prod", {"min_size": "+2"})]


def test_a_kind_the_team_is_on_now_is_context(scripted, thorn):
    plan = scripted("delete infrastructure name=email-bounce-handler stack=prod ; "
                    "delete security name=sendgrid-key stack=prod").interpret(
        "delete email-bounce-handler in prod and the sendgrid-key secret, we're fully on SES now", thorn)
    assert [a.name for a in plan.actions] == ["email-bounce-handler", "sendgrid-key"]
    with pytest.raises(InterpretError, match="no kind for 'ses'"):
        scripted("update infrastructure name=email-bounce-handler stack=prod").interpret(
            "move the bounce mails to SES in prod", thorn)


@pytest.mark.parametrize("command, line, want", [
    ("new topic payout-events in prod, plus a payout-jobs queue with 7 days retention to hang off it",
     "create infrastructure name=payout-events stack=prod kind=topic ; "
     "create infrastructure stack=prod kind=queue retention_seconds=604800", ["payout-events", "payout-jobs"]),
    ("prod: ecr repo payout-images keeping 30 images, and a payouts namespace on tw-prod owned by finance-eng",
     "create infrastructure stack=prod kind=registry count=30 ; "
     "create infrastructure stack=prod kind=namespace cluster=tw-prod owner=finance-eng", ["payout-images", "payouts"]),
    # a word of what sort, before the kind word, is no name
    ("create a test namespace on tw-prod in prod", "create infrastructure stack=prod kind=namespace cluster=tw-prod",
     [None]),
])
def test_new_names_said_beside_their_kinds_word(scripted, thorn, command, line, want):
    assert [a.name for a in scripted(line).interpret(command, thorn).actions] == want


def test_a_create_named_with_a_key_of_another_is_left_out(scripted, thorn):
    command = ("new lambda refund-notifier in staging: s3://thornwick-lambda-artifacts/refund-notifier-0.1.0.zip, "
               "python3.12, handler app.handler, 256MB, 15s timeout")
    plan = scripted("create infrastructure name=refund-notifier stack=staging kind=function "
                    "code=s3://thornwick-lambda-artifacts/refund-notifier-0.1.0.zip runtime=python3.12 ; "
                    "create deployment name=handler stack=staging timeout_seconds=15").interpret(command, thorn)
    assert [(a.name, a.parameters.set_values().get("memory_mb"), a.parameters.set_values().get("handler"))
            for a in plan.actions] == [("refund-notifier", 256, "app.handler")]


def test_an_ingress_address_said_as_one(scripted, thorn):
    command = "expose waitlist-svc in prod at tickets.thornwick.com/waitlist, ingress waitlist-ing, tls secret thornwick-tls, class alb"
    plan = scripted("create deployment name=waitlist-svc stack=prod image=tickets.thornwick.com/waitlist-ing/tls:x ; "
                    "create infrastructure name=waitlist-ing kind=ingress host=ticket.thornwick.com/waitlist").interpret(
        command, thorn)
    # the create of waitlist-svc (there already, the ingress's target) changes nothing: left out
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [("waitlist-ing", {
        "kind": "ingress", "host": "tickets.thornwick.com", "path": "/waitlist", "target": "waitlist-svc",
        "tls_secret": "thornwick-tls", "ingress_class": "alb"})]


def test_an_alarms_threshold_said_for_a_change_that_sets_nothing(scripted, thorn):
    plan = scripted("update database name=orders-db stack=prod").interpret(
        "orders-db cpu alarm threshold to 85 in prod, it pages on every single onsale", thorn)
    assert [(a.name, a.parameters.threshold) for a in plan.actions] == [("orders-db-cpu", 85)]


def test_its_hpa_for_an_empty_change_of_a_word_and_a_number_said_twice(scripted, thorn):
    plan = scripted("scale deployment name=checkout-svc stack=prod replicas=12 ; "
                    "update infrastructure name=checkout stack=prod kind=namespace").interpret(
        "bump checkout-svc to 12 replicas in prod and raise its hpa floor to 12 as well, otherwise it just scales back down",
        thorn)
    assert [(a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("checkout-svc", {"replicas": 12}), ("checkout-svc-hpa", {"kind": "autoscaler", "min_size": 12})]
    # said once, the number is the deployment's only
    plan = scripted("scale deployment name=checkout-svc stack=prod replicas=12 ; "
                    "update infrastructure name=checkout stack=prod kind=namespace").interpret(
        "bump checkout-svc to 12 replicas in prod and raise its hpa floor to match", thorn)
    assert "min_size" not in plan.actions[-1].parameters.set_values()


def test_a_restart_of_a_job_turned_back_on_is_its_flag(scripted, thorn):
    plan = scripted("restart infrastructure name=abandoned-cart-nudge stack=prod").interpret(
        "turn the abandoned cart nudge back on in prod, marketing signed off on the copy", thorn)
    assert [(a.type.value, a.parameters.set_values().get("suspend")) for a in plan.actions] == [("update", False)]
    # no flag said: a restart a cron job cannot do, refused by name with what it takes (stop
    # 34: before, the plan showed it and the edit refused it)
    with pytest.raises(InterpretError, match="cron job takes create, update, delete, not restart"):
        scripted("restart infrastructure name=abandoned-cart-nudge stack=prod").interpret(
            "restart the abandoned cart nudge in prod", thorn)


def test_a_create_named_with_a_part_of_a_path_is_left_out(scripted, kestrel):
    plan = scripted("create security name=telematics-glue-role stack=staging kind=iam_role service=glue ; "
                    "create security name=service-role stack=staging kind=iam_role service=awsglue").interpret(
        "the glue crawlers over the telematics exports need their own role in staging: telematics-glue-role, "
        "service-role/AWSGlueServiceRole", kestrel)
    assert [(a.name, a.parameters.set_values().get("policies")) for a in plan.actions] == [
        ("telematics-glue-role", "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")]


@pytest.mark.parametrize("command, want", [
    ("tw-prod should be able to burst to 40 nodes", {"kind": "cluster", "max_size": 40}),
    ("allow tw-prod to go as high as 40 nodes", {"kind": "cluster", "max_size": 40}),
    ("tw-prod node group limit 40", {"kind": "cluster", "max_size": 40}),
    ("scale tw-prod to 40 nodes", {"kind": "cluster", "count": 40}),
])
def test_a_clusters_ceiling_in_more_words(scripted, thorn, command, want):
    plan = scripted("scale infrastructure name=tw-prod stack=prod kind=cluster count=40").interpret(command, thorn)
    assert plan.actions[0].parameters.set_values() == want


@pytest.mark.parametrize("command, line, want", [
    # an amount in a unit is the model's in the key's unit; a "drop ... to 1 day" is no delete
    ("give customer-notify in staging another hour of retention",
     "update infrastructure name=customer-notify stack=staging retention_seconds=+3600",
     ("update", {"retention_seconds": "+3600"})),
    ("drop the customer-notify retention to 1 day in staging",
     "update infrastructure name=customer-notify stack=staging retention_seconds=86400", ("update", {})),
])
def test_amounts_and_values_in_a_unit_stay_the_models(scripted, kestrel, command, line, want):
    action = scripted(line).interpret(command, kestrel).actions[0]
    assert (action.type.value, action.relative) == want


def test_a_backup_of_what_takes_none_is_the_change_said_or_stays(scripted, thorn):
    line = "scale deployment name=fraud-worker stack=prod replicas=+2 ; backup infrastructure name=fraud-checks stack=prod"
    plan = scripted(line).interpret("fraud-worker prod +3 and fraud-checks visibility to 2 min, the queue is backing up",
                                    thorn)
    assert [(a.type.value, a.name) for a in plan.actions] == [("scale", "fraud-worker"), ("update", "fraud-checks")]
    assert plan.actions[1].parameters.set_values()["visibility_timeout_seconds"] == 120
    # a backup of a queue, said: refused by name with what a queue takes (stop 34: before, the
    # plan showed it and the edit refused it)
    with pytest.raises(InterpretError, match="queue takes create, update, delete, monitor, not backup"):
        scripted("backup infrastructure name=fraud-checks stack=prod").interpret("back up fraud-checks in prod", thorn)


@pytest.mark.parametrize("command, want", [
    ("new lambda wallet-pass-refresh in prod from 604118273390.dkr.ecr.us-west-2.amazonaws.com/wallet-pass-gen:1.6.3, "
     "512 megs, 60s timeout. put an errors alarm on it at 5", [("create", None), ("monitor", ("errors", 5))]),
    # a metric the kind does not alarm on, or no threshold: nothing added
    ("new lambda wallet-pass-refresh in prod from 604118273390.dkr.ecr.us-west-2.amazonaws.com/wallet-pass-gen:1.6.3, "
     "512 megs, 60s timeout. put a disk alarm on it at 5", [("create", None)]),
    ("new lambda wallet-pass-refresh in prod from 604118273390.dkr.ecr.us-west-2.amazonaws.com/wallet-pass-gen:1.6.3, "
     "512 megs, 60s timeout, we'll want an errors alarm on it later", [("create", None)]),
])
def test_an_alarm_asked_for_in_so_many_words(scripted, thorn, command, want):
    plan = scripted("create infrastructure name=wallet-pass-refresh stack=prod kind=function "
                    "image=604118273390.dkr.ecr.us-west-2.amazonaws.com/wallet-pass-gen:1.6.3 memory_mb=512 "
                    "timeout_seconds=60").interpret(command, thorn)
    assert [(a.type.value, (a.parameters.metric, a.parameters.threshold) if a.type.value == "monitor" else None)
            for a in plan.actions] == want


def test_a_config_value_said_for_it_stays(scripted, cinder):
    plan = scripted("update infrastructure name=gameserver-config stack=staging key=TICK_RATE value=30 ; "
                    "update infrastructure name=gameserver-config stack=dev key=TICK_RATE value=20").interpret(
        "lower TICK_RATE to 30 in gameserver-config on staging and on dev set it to 20", cinder)
    assert [(a.stack, a.parameters.set_values()["value"]) for a in plan.actions] == [("staging", "30"), ("dev", "20")]


def test_a_name_before_a_colon_is_said(scripted, thorn):
    plan = scripted("create infrastructure name=waitlist-ing stack=prod kind=ingress host=waitlist.thornwick.com "
                    "target=waitlist-svc tls_secret=thornwick-tls ; create infrastructure name=waitlist-record stack=prod "
                    "kind=dns_record record=waitlist.thornwick.com type=CNAME values=tickets.thornwick.com "
                    "zone_id=Z0582214THORNWK1").interpret(
        "ingress waitlist-ing for waitlist-svc on waitlist.thornwick.com in prod (tls thornwick-tls), plus a CNAME "
        "waitlist-record: waitlist.thornwick.com -> tickets.thornwick.com in zone Z0582214THORNWK1", thorn)
    assert [a.name for a in plan.actions] == ["waitlist-ing", "waitlist-record"]


@pytest.mark.parametrize("command, want", [
    ("delete email-bounce-handler in prod and the sendgrid-key secret, we're fully on SES now",
     [("delete", "email-bounce-handler"), ("delete", "sendgrid-key")]),
    # another verb between: not the delete's object (the change that sets nothing is left out)
    ("delete email-bounce-handler in prod and rotate the sendgrid-key secret",
     [("delete", "email-bounce-handler")]),
])
def test_the_second_object_of_a_delete(scripted, thorn, command, want):
    plan = scripted("delete monitoring name=email-bounce-handler stack=prod ; "
                    "update security name=sendgrid-key stack=prod").interpret(command, thorn)
    assert [(a.type.value, a.name) for a in plan.actions] == want


def test_a_closed_value_said_right_before_a_new_ones_name(scripted, thorn):
    plan = scripted("create infrastructure name=waitlist-ing stack=prod kind=ingress host=waitlist-svc tls_secret=thornwick-tls ; "
                    "create infrastructure name=waitlist-record kind=dns_record zone_id=Z0582214THORNWK1").interpret(
        "ingress waitlist-ing for waitlist-svc on waitlist.thornwick.com in prod (tls thornwick-tls), plus a CNAME "
        "waitlist-record: waitlist.thornwick.com -> tickets.thornwick.com in zone Z0582214THORNWK1", thorn)
    assert plan.actions[1].parameters.set_values()["type"] == "CNAME"
    assert "type" not in plan.actions[0].parameters.set_values()


# --- stop 33: readings mined from thornwick and ashbury (written apart) ---

def test_a_name_that_starts_another_is_its_own_part(scripted, thorn):
    # "payout-jobs" is not the start of "payout-jobs-dlq": each action reads its own part
    plan = scripted("create infrastructure name=payout-jobs-dlq stack=staging kind=queue retention_seconds=1209600 ; "
                    "create infrastructure name=payout-jobs stack=staging kind=queue retention_seconds=345600 "
                    "visibility_timeout_seconds=300").interpret(
        "staging: payout-jobs-dlq with 14 days retention, and payout-jobs with 4 days retention and a 5 minute "
        "visibility timeout", thorn)
    assert [a.parameters.set_values() for a in plan.actions] == [
        {"kind": "queue", "retention_seconds": 1209600},
        {"kind": "queue", "retention_seconds": 345600, "visibility_timeout_seconds": 300}]


@pytest.mark.parametrize("line", ["update infrastructure name=seatmap-ing stack=dev",
                                  "update infrastructure name=seatmap-ing stack=dev ingress_class=seatmap"])
@pytest.mark.parametrize("command, want", [
    ("seatmap ingress on dev should use the nginx class", {"ingress_class": "nginx"}),
    ("move the seatmap ingress on dev to the alb ingress class", {"ingress_class": "alb"}),
    # no controller's word before "class": nothing read
    ("seatmap ingress on dev should use the default class", {}),
])
def test_an_ingress_class_said_before_its_word(scripted, thorn, line, command, want):
    plan = scripted(line).interpret(command, thorn)
    params = plan.actions[0].parameters.set_values()
    assert {k: v for k, v in params.items() if k == "ingress_class" and v != "seatmap"} == want


@pytest.fixture
def ash(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "ashbury")


@pytest.mark.parametrize("command, line, want", [
    # a delete of a name in one stack only: that stack, as for any change
    ("delete qa-runner-role, the runners use SSM via the bastion now", "delete security name=qa-runner-role",
     [("qa-runner-role", "staging")]),
    # a name in every stack: none picked (the plan asks which)
    ("delete the reminder-queue", "delete infrastructure name=reminder-queue", [("reminder-queue", None)]),
])
def test_a_delete_takes_the_only_stack_of_its_name(scripted, ash, command, line, want):
    plan = scripted(line).interpret(command, ash)
    assert [(a.name, a.stack) for a in plan.actions] == want


def test_a_schedule_said_for_one_of_two_cron_actions(scripted, ash):
    # each action reads its own part ("..., and suspend records-archive": the verb is the second's)
    plan = scripted("create infrastructure name=lab-results-digest stack=prod kind=cronjob "
                    "image=418273645091.dkr.ecr.us-east-1.amazonaws.com/labs-api:1.22.0 ; "
                    "update infrastructure name=records-archive stack=prod suspend=true").interpret(
        "create cron job lab-results-digest in prod every weekday at 6pm central using "
        "418273645091.dkr.ecr.us-east-1.amazonaws.com/labs-api:1.22.0, and suspend records-archive until legal "
        "signs off", ash)
    create, update = (a.parameters.set_values() for a in plan.actions)
    assert (create["schedule"], create["time_zone"]) == ("0 18 * * 1-5", "America/Chicago")
    assert "suspend" not in create and update == {"suspend": True}


def test_two_factors_said_each_its_own(scripted, ash):
    # "double a and halve b": the model's factor is the one said of its own action, not the first
    plan = scripted("scale deployment name=appointments-worker stack=prod replicas=*2 ; "
                    "scale deployment name=reminders-svc stack=prod replicas=/2").interpret(
        "double appointments-worker and halve reminders-svc in production", ash)
    now = ash.load_all()["prod"].deployments
    assert [a.parameters.replicas for a in plan.actions] == [
        now["appointments-worker"].replicas * 2, now["reminders-svc"].replicas // 2]


@pytest.mark.parametrize("said, want", [("25ms", 25), ("1s", 1000)])
def test_a_threshold_typed_with_its_unit(scripted, ash, said, want):
    plan = scripted("create infrastructure name=rx-audit-log stack=prod kind=table hash_key=rx_id range_key=event_ts ; "
                    "monitor infrastructure name=rx-audit-log stack=prod metric=latency threshold="
                    + said.rstrip("ms")).interpret(
        f"create a dynamo table rx-audit-log in prod, hash key rx_id, range key event_ts, plus a latency alarm on "
        f"it at {said}", ash)
    assert plan.actions[1].parameters.threshold == want


def test_a_version_is_not_read_onto_the_other_action_of_the_image(scripted, ash):
    image = "418273645091.dkr.ecr.us-east-1.amazonaws.com/refill-worker:2.9.2"
    plan = scripted(f"update deployment name=refill-worker stack=prod image={image} ; "
                    "scale deployment name=refill-worker stack=prod replicas=+1").interpret(
        f"deploy refill-worker 2.9.2 to prod ({image}) and give it one more replica while it catches up", ash)
    assert [(a.type.value, a.parameters.image) for a in plan.actions] == [("update", image), ("scale", None)]


@pytest.mark.parametrize("command, want", [
    # the kinds' words said bare, of the one resource the command names: each its own kind
    ("appointments-api prod: hpa min 8 max 24, and loosen the pdb to max unavailable 2",
     ["appointments-api-hpa", "appointments-api-pdb"]),
])
def test_bare_kind_words_of_the_one_resource_named(scripted, ash, command, want):
    plan = scripted("scale infrastructure name=appointments-api-hpa stack=prod min_size=8 max_size=24 ; "
                    "update infrastructure name=appointments-api-pdb stack=prod max_unavailable=2").interpret(command, ash)
    assert [a.name for a in plan.actions] == want


def test_bare_kind_word_with_two_resources_named_is_refused(scripted, ash):
    with pytest.raises(InterpretError):
        scripted("scale infrastructure name=appointments-api-hpa stack=prod min_size=8 max_size=24").interpret(
            "appointments-api and records-api prod: hpa min 8 max 24", ash)


@pytest.mark.parametrize("command, want", [
    ("claims-export-role in staging should have AmazonS3ReadOnlyAccess and AmazonSQSReadOnlyAccess",
     ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]),
    ("claims-export-role in staging should have AmazonSQSReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"),
])
def test_managed_policies_by_name(scripted, ash, command, want):
    plan = scripted("update security name=claims-export-role stack=staging").interpret(command, ash)
    assert plan.actions[0].parameters.set_values()["policies"] == want


@pytest.mark.parametrize("command, ok", [
    ("shrink the appointments redis in prod by a node, it's been at 20% memory for a month", True),
    # the kind's word alone, no first part: not a name said
    ("shrink the redis in prod by a node", False),
])
def test_a_cache_said_as_redis(scripted, ash, command, ok):
    interpret = scripted("scale infrastructure name=appointments-cache stack=prod count=-1").interpret
    if ok:
        assert [a.name for a in interpret(command, ash).actions] == ["appointments-cache"]
    else:
        with pytest.raises(InterpretError):
            interpret(command, ash)


@pytest.mark.parametrize("line, command, want", [
    # one part of a name the command says, copied as a word it never says ("veteet" for televet)
    ("scale deployment name=veteet-api stack=prod replicas=8 ; scale deployment name=veteet-signaling stack=prod replicas=6",
     "scale televet-api to 8 and televet-signaling to 6 in prod, adoption-day promo goes live at noon",
     ["televet-api", "televet-signaling"]),
    ("scale infrastructure name=veteet-api-hpa stack=prod max_size=30", "televet-api-hpa prod max 30",
     ["televet-api-hpa"]),
])
def test_a_name_copied_with_one_part_garbled(scripted, ash, line, command, want):
    assert [a.name for a in scripted(line).interpret(command, ash).actions] == want


def test_a_garbled_part_of_two_names_said_is_no_slip(scripted, ash):
    # veteet-api may be televet-api or records-api, both said: neither
    with pytest.raises(InterpretError):
        scripted("scale deployment name=veteet-api stack=prod replicas=8").interpret(
            "scale televet-api or records-api to 8 in prod, whichever is hotter", ash)


@pytest.mark.parametrize("command, want", [
    ("owner-app-bff prod: six is not enough during the 5pm pickup window, make it nine", 9),
    # no other number: nothing read
    ("owner-app-bff prod: six is not enough during the pickup window", None),
])
def test_a_count_said_as_it_is_now_and_the_new_one(scripted, ash, command, want):
    plan = scripted("update deployment name=owner-app-bff stack=prod").interpret(command, ash)
    assert (plan.actions[0].parameters.replicas if plan.actions else None) == want


def test_a_monitor_of_an_alert_is_its_change(scripted, ash):
    plan = scripted("monitor monitoring name=refill-queue-latency stack=prod metric=latency threshold=10").interpret(
        "refill-queue-latency alert on prod: page at 10 minutes, not 15", ash)
    assert [(a.type.value, a.name, a.parameters.set_values()) for a in plan.actions] == [
        ("update", "refill-queue-latency", {"threshold": 600})]


def test_retention_said_as_messages_sticking_around(scripted, ash):
    plan = scripted("update infrastructure name=refill-queue stack=prod kind=queue").interpret(
        "refill-queue in prod: messages need to stick around a week. pharmacists come back monday to failed "
        "weekend refills and they're gone", ash)
    assert plan.actions[0].parameters.set_values()["retention_seconds"] == 604800


def test_a_count_field_said_with_the_resource_between(scripted, ash):
    plan = scripted("scale infrastructure name=claim-submitter stack=staging kind=function").interpret(
        "set reserved concurrency on claim-submitter in stg to 10", ash)
    assert plan.actions[0].parameters.count == 10


@pytest.mark.parametrize("command, line, want", [
    ("give invoice-pdf-render another 512 megs in prod", "storage_gb=+512", "+512"),
    ("give invoice-pdf-render another 1 gb in prod", "storage_gb=+1", "+1024"),
])
def test_an_amount_on_a_key_the_kind_lacks(scripted, ash, command, line, want):
    plan = scripted(f"update infrastructure name=invoice-pdf-render stack=prod {line}").interpret(command, ash)
    assert plan.actions[0].relative == {"memory_mb": want}


def test_an_amount_on_a_key_the_kind_lacks_said_in_no_unit_is_refused(scripted, ash):
    # "another gig": no number said with a unit, so no amount in memory_mb to read: refused
    with pytest.raises(InterpretError):
        scripted("update infrastructure name=invoice-pdf-render stack=prod storage_gb=+1").interpret(
            "give invoice-pdf-render another gig in prod", ash)


@pytest.mark.parametrize("command, want", [
    ("turn on PITR for refill-idempotency in staging", "backup"),
    ("turn on encryption for refill-idempotency in staging", None),
])
def test_a_backup_said_of_a_change_that_sets_nothing(scripted, ash, command, want):
    plan = scripted("update infrastructure name=refill-idempotency stack=staging kind=table").interpret(command, ash)
    assert (plan.actions[0].type.value if plan.actions and plan.actions[0].type.value == "backup" else None) == want


def test_scale_on_a_metric_at_a_share_without_percent(scripted, ash):
    plan = scripted("scale infrastructure name=records-api-hpa stack=prod kind=autoscaler min_size=70").interpret(
        "records-api autoscaler in prod should scale on memory at 70 instead of 80", ash)
    params = plan.actions[0].parameters.set_values()
    assert (params.get("metric"), params.get("threshold"), params.get("min_size")) == ("memory", 70, None)


@pytest.mark.parametrize("command, want", [
    ("televet-signaling-pdb: let 50% go at once, drains take an hour otherwise", "50%"),
    ("televet-signaling-pdb: let 2 go at once, drains take an hour otherwise", 2),
])
def test_a_budget_said_in_its_words_and_a_monitor_of_nothing(scripted, ash, command, want):
    plan = scripted("update infrastructure name=televet-signaling-pdb stack=prod ; "
                    "monitor infrastructure name=televet-signaling-pdb stack=prod").interpret(command, ash)
    assert [(a.type.value, a.parameters.set_values().get("max_unavailable")) for a in plan.actions] == [("update", want)]


def test_a_monitor_asked_for_beside_a_change_stays(scripted, ash):
    # it stays, and a budget cannot be watched: refused by name (stop 37), as the edit would
    with pytest.raises(InterpretError, match="a disruption budget has no metric to alarm on|has no metric to alarm on"):
        scripted("update infrastructure name=televet-signaling-pdb stack=prod max_unavailable=2 ; "
                 "monitor infrastructure name=televet-signaling-pdb stack=prod").interpret(
            "televet-signaling-pdb: let 2 go at once and keep an eye on it", ash)


@pytest.mark.parametrize("command, line, want", [
    ("device-tokens: write capacity +50 in prod and +5 in staging",
     "write_capacity=+50", [{"write_capacity": "+50"}, {"write_capacity": "+5"}]),
    ("device-tokens: write capacity 100 in prod and 15 in staging", "write_capacity=100", [{}, {}]),
])
def test_a_value_said_for_each_stack(scripted, ash, command, line, want):
    plan = scripted(f"scale infrastructure name=device-tokens stack=prod {line} ; "
                    f"scale infrastructure name=device-tokens stack=staging {line}").interpret(command, ash)
    assert [a.relative for a in plan.actions] == want
    if not want[0]:
        assert [a.parameters.write_capacity for a in plan.actions] == [100, 15]


@pytest.mark.parametrize("command, want", [
    ("drop the formulary-cache to 1 node in prod and put a memory alarm on it at 80%", ["scale", "monitor"]),
    ("drop the formulary-cache in prod", ["delete"]),
])
def test_drop_to_a_value_is_a_change(scripted, ash, command, want):
    plan = scripted("delete infrastructure name=formulary-cache stack=prod kind=cache ; "
                    "monitor infrastructure name=formulary-cache stack=prod metric=memory threshold=80").interpret(command, ash)
    assert [a.type.value for a in plan.actions][:len(want)] == want


@pytest.mark.parametrize("command, want", [
    ("grooming launch prep in staging: create queue grooming-bookings-queue, table grooming-slots with pk clinic_id "
     "and sk slot_start, and a cache grooming-cache", ["queue", "table", "cache"]),
    # neither kind said before the name: both kept (the edit refuses two of one name)
    ("grooming launch prep in staging: create grooming-bookings-queue, grooming-slots with pk clinic_id "
     "and sk slot_start, and grooming-cache", ["queue", "table", "cache", "cache"]),
])
def test_two_creates_of_one_name(scripted, ash, command, want):
    plan = scripted("create infrastructure name=grooming-bookings-queue stack=staging kind=queue ; "
                    "create infrastructure name=grooming-slots stack=staging kind=table hash_key=clinic_id "
                    "range_key=slot_start ; create infrastructure name=grooming-slots stack=staging kind=cache ; "
                    "create infrastructure name=grooming-cache stack=staging kind=cache").interpret(command, ash)
    assert [a.parameters.kind for a in plan.actions] == want


@pytest.mark.parametrize("line", [
    "update infrastructure name=bastion stack=prod kind=instance instance_type=t3.small ; "
    "scale infrastructure name=bastion stack=staging kind=instance count=1",
    "update infrastructure name=bastion stack=prod kind=instance instance_type=t3.small ; "
    "update infrastructure name=bastion stack=staging",
])
def test_the_same_change_said_for_another_stack(scripted, thorn, line):
    # "the staging one": a pronoun, no count of one; the empty change there is the same change
    plan = scripted(line).interpret("bastion to t3.small in prod, and the staging one too", thorn)
    assert [(a.stack, a.parameters.instance_type, a.parameters.count) for a in plan.actions] == [
        ("prod", "t3.small", None), ("staging", "t3.small", None)]


def test_one_said_as_a_count_stays_a_count(scripted, thorn):
    plan = scripted("scale infrastructure name=bastion stack=staging kind=instance count=1").interpret(
        "bastion in staging down to one box", thorn)
    assert plan.actions[0].parameters.count == 1


@pytest.mark.parametrize("command, want", [
    ("add a dns record lab-sftp-dns on prod: lab-sftp.ashburyvet.com, A, 203.0.113.45, zone Z04ASHBURYVET01",
     {"record": "lab-sftp.ashburyvet.com", "type": "A", "values": "203.0.113.45"}),
    # "a" the article is no type; two addresses: no value read
    ("add a dns record lab-sftp-dns on prod for lab-sftp.ashburyvet.com, 203.0.113.45 or 203.0.113.46, "
     "zone Z04ASHBURYVET01", {"record": "lab-sftp.ashburyvet.com"}),
])
def test_a_record_said_as_a_list(scripted, ash, command, want):
    plan = scripted("create infrastructure name=lab-sftp-dns stack=prod kind=dns_record zone_id=Z04ASHBURYVET01"
                    ).interpret(command, ash)
    params = plan.actions[0].parameters.set_values()
    assert {k: params[k] for k in ("record", "type", "values") if k in params} == want


@pytest.mark.parametrize("command, line, want", [
    ("labs-partner-nlb: also allow 192.0.2.0/24 (idexx's new egress range)",
     "update security name=idexx-ingress cidr=192.0.2.0/24", ("labs-partner-nlb", "prod")),
])
def test_a_change_of_a_name_nowhere_on_the_one_named_that_takes_it(scripted, ash, command, line, want):
    plan = scripted(line).interpret(command, ash)
    assert [(a.name, a.stack) for a in plan.actions] == [want]


def test_a_change_of_a_name_nowhere_with_two_named_is_refused(scripted, ash):
    with pytest.raises(InterpretError):
        scripted("update security name=idexx-ingress cidr=192.0.2.0/24").interpret(
            "labs-partner-nlb and televet-turn-nlb: also allow 192.0.2.0/24", ash)


@pytest.mark.parametrize("command, want", [
    ("add two nodes to care-eks in prod and raise its max to 18", {"count": "+2"}),
    # no count noun with the amount: the end the model wrote
    ("let care-eks in prod grow by two more", {"max_size": "+2"}),
])
def test_an_amount_said_with_a_count_noun_is_of_the_count(scripted, ash, command, want):
    plan = scripted("scale infrastructure name=care-eks stack=prod kind=cluster max_size=+2").interpret(command, ash)
    assert plan.actions[0].relative == want


@pytest.mark.parametrize("command, want", [
    ("create ecr repo reminders-images in staging keeping 20 images, and one in prod keeping 60",
     [("create", "staging", 20), ("create", "prod", 60)]),
])
def test_another_create_said_as_one_in_another_stack(scripted, ash, command, want):
    plan = scripted("create infrastructure name=reminders-images stack=staging kind=registry count=20 ; "
                    "update infrastructure name=reminders-images stack=prod count=60").interpret(command, ash)
    assert [(a.type.value, a.stack, a.parameters.count) for a in plan.actions] == want


def test_a_change_of_what_the_plan_makes_elsewhere_is_refused(scripted, ash):
    # no "one in prod": a change of a name prod does not have
    with pytest.raises(InterpretError):
        scripted("create infrastructure name=reminders-images stack=staging kind=registry count=20 ; "
                 "update infrastructure name=reminders-images stack=prod count=60").interpret(
            "create ecr repo reminders-images in staging keeping 20 images, and keep 60 in prod", ash)


def test_a_kind_word_said_of_the_resource_named_itself(scripted, kestrel):
    # "piling up in the queue": carrier-webhooks is the queue; not its dlq
    plan = scripted("update infrastructure name=carrier-webhooks stack=prod kind=queue retention_seconds=1209600").interpret(
        "carrier webhooks are piling up in the queue every time a carrier has an outage and we lose them after "
        "3 days. bump retention on carrier-webhooks in prod to two weeks", kestrel)
    assert [a.name for a in plan.actions] == ["carrier-webhooks"]


def test_one_after_a_stack_said_as_a_place_is_a_count(scripted, tmp_path):
    ws = _written_repo(tmp_path, "saltmarsh")
    plan = scripted("create infrastructure name=vessel-lookup stack=dev kind=cache instance_type=cache.t4g.micro "
                    "engine=valkey count=1").interpret(
        "spin up a valkey cache called vessel-lookup in dev, one cache.t4g.micro node", ws)
    assert plan.actions[0].parameters.count == 1


# --- stop 34 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("words, zone", [
    ("run it at 6am Lisbon time", "Europe/Lisbon"),
    ("at 9 in the Melbourne time zone", "Australia/Melbourne"),
    ("3am sao paulo time", "America/Sao_Paulo"),
    ("New York local time 5pm", "America/New_York"),
    ("at 2am central", "America/Chicago"),
    # not a city of the zone database, or two of them: no zone
    ("at 4am run time", None),
    ("at christmas time, 6am", None),
    ("6am lisbon time or 7am berlin time", None),
])
def test_a_time_zone_said_by_its_city(words, zone):
    from agentops.kinds.cron_jobs import CronJobsKind

    assert CronJobsKind().value_from_words("time_zone", words, None) == zone


@pytest.fixture
def ferry(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "ferrydale")


def test_a_restart_said_of_a_name_as_words_adds_no_other_of_its_first_part(scripted, ferry):
    # "the fares worker" is fares-worker as written; fares-api ("fares" + a generic part said
    # otherwise) is not said
    plan = scripted("restart deployment name=fares-worker stack=prod").interpret(
        "restart the fares worker on prod, it's stuck on a poisoned message again", ferry)
    assert [a.name for a in plan.actions] == ["fares-worker"]


def test_an_end_word_several_words_before_its_number(scripted, ferry):
    plan = scripted("scale infrastructure name=ops-eks stack=prod max_size=12").interpret(
        "raise the max size of the ops cluster in production to 12", ferry)
    assert plan.actions[0].parameters.set_values() == {"max_size": 12}


@pytest.mark.parametrize("command, want", [
    # a time for each job, each in its own part of the command
    ("prod crons: fare-settlement-batch at 2am and gtfs-nightly-build at 3am please, they collide on the db",
     ["0 2 * * *", "0 3 * * *"]),
    # one time said of both
    ("prod: move fare-settlement-batch and gtfs-nightly-build to 3am", ["0 3 * * *", "0 3 * * *"]),
])
def test_schedules_said_of_two_jobs(scripted, ferry, command, want):
    plan = scripted('update infrastructure name=fare-settlement-batch stack=prod schedule="0 1 * * *" ; '
                    'update infrastructure name=gtfs-nightly-build stack=prod schedule="0 1 * * *"').interpret(command, ferry)
    assert [a.parameters.schedule for a in plan.actions] == want


def test_a_port_said_with_its_protocol(scripted, ferry):
    plan = scripted("update security name=radio-bridge-sg stack=prod port=8443 cidr=10.0.0.0/8 protocol=tcp").interpret(
        "radio-bridge-sg in prod: allow 8443/tcp from 10.0.0.0/8", ferry)
    assert plan.actions[0].parameters.port == 8443


def test_a_cluster_said_of_a_new_ingress_is_kept(scripted, ferry):
    line = ("create infrastructure name=maintenance-ingress stack=prod kind=ingress cluster=ops-eks "
            "host=maint.rideferrydale.com target=maintenance-portal")
    plan = scripted(line).interpret(
        "ingress maintenance-ingress on ops-eks in prod for the maintenance portal at maint.rideferrydale.com", ferry)
    assert plan.actions[0].parameters.set_values().get("cluster") == "ops-eks"
    # not said with it: the target's own cluster says nothing more
    plan = scripted(line).interpret(
        "ingress maintenance-ingress in prod for the maintenance portal at maint.rideferrydale.com, ops-eks", ferry)
    assert "cluster" not in plan.actions[0].parameters.set_values()


def test_a_new_autoscalers_range_said_from_to(scripted, ferry):
    plan = scripted("create infrastructure name=arrivals-predictor-hpa stack=prod kind=autoscaler min_size=4 "
                    "max_size=12 metric=cpu threshold=75 target=arrivals-predictor").interpret(
        "for arrivals-predictor in prod: an hpa arrivals-predictor-hpa from 4 to 12 at 75% cpu", ferry)
    assert (plan.actions[0].parameters.min_size, plan.actions[0].parameters.max_size) == (4, 12)


def test_a_change_from_a_value_to_another_still_drops_the_old(scripted, ferry):
    plan = scripted("scale infrastructure name=fares-api-hpa stack=staging min_size=4 max_size=6").interpret(
        "fares-api-hpa in staging: max from 4 to 6", ferry)
    assert plan.actions[0].parameters.set_values() == {"max_size": 6}


def test_a_delete_said_as_the_plural_of_its_name(scripted, ferry):
    plan = scripted("delete infrastructure name=loadgen-runner stack=staging").interpret(
        "kill the loadgen runners in staging, rehearsal is done", ferry)
    assert [a.name for a in plan.actions] == ["loadgen-runner"]


@pytest.mark.parametrize("command", [
    "remove acquirer-mock and its nlb from staging, certification passed",
    "remove acquirer-mock's nlb and acquirer-mock from staging",
])
def test_a_delete_of_what_belongs_to_a_resource_named(scripted, ferry, command):
    plan = scripted("delete infrastructure name=acquirer-mock-nlb stack=staging ; "
                    "delete deployment name=acquirer-mock stack=staging").interpret(command, ferry)
    assert {a.name for a in plan.actions} == {"acquirer-mock-nlb", "acquirer-mock"}


@pytest.mark.parametrize("command, line", [
    # "its" of nothing named
    ("remove its nlb from staging", "delete infrastructure name=acquirer-mock-nlb stack=staging"),
    # another kind said than the one written
    ("remove fares-api and its pdb from staging",
     "delete infrastructure name=fares-api-hpa stack=staging ; delete deployment name=fares-api stack=staging"),
])
def test_a_delete_of_its_something_not_said_is_refused(scripted, ferry, command, line):
    with pytest.raises(InterpretError):
        scripted(line).interpret(command, ferry)


def test_a_kind_no_registry_has_said_as_what_is_now(scripted, ferry):
    plan = scripted("delete infrastructure name=ops-alb stack=prod").interpret(
        "decommission the ops alb in prod, the back-office apps are on the VPN portal now", ferry)
    assert [a.name for a in plan.actions] == ["ops-alb"]
    # asked for, it is refused by name
    with pytest.raises(InterpretError, match="vpn"):
        scripted("none").interpret("make sure the ops apps in prod are on a VPN", ferry)


def test_a_cluster_said_of_the_deployment_is_not_the_ingresss(scripted, ferry):
    plan = scripted("create deployment name=crowding-api stack=prod cluster=transit-eks "
                    "image=602915384770.dkr.ecr.us-west-2.amazonaws.com/crowding-api:0.3.0 ; "
                    "create infrastructure name=crowding-ingress stack=prod kind=ingress cluster=transit-eks "
                    "host=crowd.rideferrydale.com target=crowding-api").interpret(
        "deploy crowding-api on transit-eks in prod from 602915384770.dkr.ecr.us-west-2.amazonaws.com/crowding-api:0.3.0 "
        "and put ingress crowding-ingress in front of it at crowd.rideferrydale.com", ferry)
    assert [a.parameters.set_values().get("cluster") for a in plan.actions] == ["transit-eks", None]


def test_an_action_its_kind_cannot_do_is_refused_by_name(scripted, ferry):
    with pytest.raises(InterpretError, match="database takes .* not restart"):
        scripted("restart database name=fares-db stack=prod").interpret("restart fares-db in prod, connections are wedged",
                                                                       ferry)


@pytest.mark.parametrize("command, line", [
    # a bare create of a kind not named, with nothing else
    ("postmortem for INC-2291 (validator allow-list lag) is up in confluence, please read before standup",
     "create infrastructure kind=queue"),
])
def test_a_create_nobody_asked_for_alone_is_nothing(scripted, ferry, command, line):
    assert scripted(line).interpret(command, ferry).actions == []


@pytest.mark.parametrize("command, line, want", [
    # a create copying another action's value, of a kind not named
    ("bump the AZ count on depot-net in prod to 3, the Eastside garage comes online in Jan",
     "update infrastructure name=depot-net stack=prod kind=network count=3 ; "
     "create infrastructure name=eastside-garage stack=prod kind=instance count=3", ["depot-net"]),
    # a create with neither a kind nor a value; and the count said with its noun
    ("validator-sync prod to 5 replicas, 300 new validators got provisioned on the Route 9 buses",
     "scale deployment name=validator-sync stack=prod replicas=300 ; create infrastructure name=route stack=prod",
     ["validator-sync"]),
])
def test_creates_nobody_asked_for_beside_a_change(scripted, ferry, command, line, want):
    plan = scripted(line).interpret(command, ferry)
    assert [a.name for a in plan.actions] == want


def test_the_count_said_with_its_noun_over_a_count_of_something_else(scripted, ferry):
    plan = scripted("scale deployment name=validator-sync stack=prod replicas=300").interpret(
        "validator-sync prod to 5 replicas, 300 new validators got provisioned on the Route 9 buses", ferry)
    assert plan.actions[0].parameters.replicas == 5
    # two counts, each its own: as written
    plan = scripted("scale deployment name=validator-sync stack=prod replicas=5 ; "
                    "scale deployment name=fares-api stack=prod replicas=3").interpret(
        "scale validator-sync to 5 replicas and fares-api to 3 in prod", ferry)
    assert [a.parameters.replicas for a in plan.actions] == [5, 3]


@pytest.mark.parametrize("command, line, want", [
    ("after the cert rotation restart fares-api, fares-worker and validator-sync in staging",
     "restart deployment name=fares-api stack=staging ; restart deployment name=validator-sync stack=staging",
     ["fares-api", "fares-worker", "validator-sync"]),
    # a name that a sentence of its own is about is not in the list
    ("restart fares-api in prod, fares-worker and rider-app-bff are fine", "restart deployment name=fares-api stack=prod",
     ["fares-api"]),
    ("ECR lifecycle in prod: fares-images, rider-images and realtime-images should all keep 100 images",
     "update infrastructure name=fares-images stack=prod kind=registry count=100 ; "
     "update infrastructure name=rider-images stack=prod kind=registry count=100",
     ["fares-images", "rider-images", "realtime-images"]),
    ("vehicle-state and fare-cards in prod: alarm on errors above 25 for both",
     "monitor infrastructure name=vehicle-state stack=prod metric=errors threshold=25", ["vehicle-state", "fare-cards"]),
    # another said apart: not the same change
    ("fares-images in prod keep 100, rider-images stays at 50",
     "update infrastructure name=fares-images stack=prod kind=registry count=100", ["fares-images"]),
])
def test_one_change_of_each_in_a_list(scripted, ferry, command, line, want):
    plan = scripted(line).interpret(command, ferry)
    assert [a.name for a in plan.actions] == want


def test_a_key_the_kind_has_nowhere_beside_a_change_it_takes(scripted, ferry):
    plan = scripted("update infrastructure name=telemetry-compaction stack=prod kind=cronjob concurrency_policy=Forbid "
                    "read_capacity=*2").interpret(
        "telemetry-compaction prd: concurrency policy Forbid, two runs overlapped last night and doubled the files", ferry)
    assert plan.actions[0].parameters.set_values() == {"kind": "cronjob", "concurrency_policy": "Forbid"}


@pytest.mark.parametrize("command, line, key", [
    ("scale telemetry-ingest to zero in staging, nothing sends to it until next month",
     "scale deployment name=telemetry-ingest stack=staging replicas=0 ; update deployment name=telemetry-ingest "
     "stack=staging port=0", "port"),
    ("move gtfs-nightly-build in prod to 3:30am",
     'update infrastructure name=gtfs-nightly-build stack=prod kind=cronjob image=3:30am schedule="30 3 * * *"', "image"),
])
def test_values_of_no_shape_of_their_key(scripted, ferry, command, line, key):
    plan = scripted(line).interpret(command, ferry)
    assert all(key not in a.parameters.set_values() for a in plan.actions)


@pytest.mark.parametrize("command, line, want", [
    ("gtfs-feed-api prod -1", "update deployment name=gtfs-feed-api stack=prod", {"replicas": "-1"}),
    ("support desk +1 pod on prod, fare increase emails are pouring in", "scale deployment name=support-desk stack=prod",
     {"replicas": "+1"}),
    ("give gtfs-zip-export another gig of memory in prod", "update infrastructure name=gtfs-zip-export stack=prod",
     {"memory_mb": "+1024"}),
])
def test_an_amount_for_a_change_that_sets_nothing(scripted, ferry, command, line, want):
    plan = scripted(line).interpret(command, ferry)
    assert plan.actions[0].relative == want


def test_an_empty_change_of_a_word_beside_one_that_stands(scripted, ferry):
    plan = scripted("scale deployment name=ticketing-web stack=prod replicas=2 ; scale deployment name=fare-free "
                    "stack=prod").interpret(
        "scale ticketing-web down to 2 in production, traffic dropped since the fare-free week ended", ferry)
    assert [a.name for a in plan.actions] == ["ticketing-web"]


def test_a_copy_of_a_change_onto_a_name_never_said(scripted, ferry):
    plan = scripted("scale deployment name=fares-api stack=prod replicas=+2 ; "
                    "scale deployment name=fares-worker stack=prod replicas=+2").interpret(
        "add two more replicas to fares-api in prod, card taps are timing out", ferry)
    assert [a.name for a in plan.actions] == ["fares-api"]


def test_make_it_something_is_a_change(scripted, ferry):
    plan = scripted("create infrastructure name=validator-sync-nlb stack=staging kind=load_balancer").interpret(
        "make validator-sync-nlb in staging internet-facing for the vendor's bench rig", ferry)
    assert [(a.type.value, a.parameters.set_values().get("internal")) for a in plan.actions] == [("update", False)]


def test_an_update_of_a_name_nowhere_that_the_command_adds(scripted, ferry):
    plan = scripted("update infrastructure name=dkim-dns stack=prod kind=dns_record record=k1._domainkey.rideferrydale.com "
                    "type=CNAME values=dkim.mailgun.org zone_id=Z07FERRYDALE0001 ttl=3600").interpret(
        "mailgun DKIM: add dkim-dns in prod, CNAME k1._domainkey.rideferrydale.com to dkim.mailgun.org, zone "
        "Z07FERRYDALE0001, ttl 3600", ferry)
    assert plan.actions[0].type.value == "create"
    # no word of making: refused as not there
    with pytest.raises(InterpretError):
        scripted("update infrastructure name=dkim-dns stack=prod kind=dns_record ttl=3600").interpret(
            "dkim-dns in prod ttl 3600", ferry)


@pytest.mark.parametrize("command, line, want", [
    ("restart arrivals-api and arrivals-predictor in prod, new model weights landed",
     "restart deployment name=arrivals-api stack=prod ; update deployment name=arrivals-predictor stack=prod",
     [("restart", "arrivals-api"), ("restart", "arrivals-predictor")]),
    ("tear down the avl simulator in dev (the deployment and avl-simulator-nlb), we replay real traces now",
     "delete deployment name=avl-simulator stack=dev ; restart infrastructure name=avl-simulator-nlb stack=dev",
     [("delete", "avl-simulator-nlb"), ("delete", "avl-simulator")]),
    # another verb between: not the delete's object
    ("delete acquirer-mock in staging and rotate the acquirer-mock-nlb",
     "delete deployment name=acquirer-mock stack=staging ; update infrastructure name=acquirer-mock-nlb stack=staging",
     [("delete", "acquirer-mock")]),
])
def test_one_verb_of_both(scripted, ferry, command, line, want):
    plan = scripted(line).interpret(command, ferry)
    assert [(a.type.value, a.name) for a in plan.actions] == want


def test_an_image_said_for_a_change_written_as_an_empty_scale(scripted, ferry):
    plan = scripted("scale infrastructure name=ops-eks stack=prod kind=cluster count=6 ; "
                    "scale deployment name=support-desk stack=prod").interpret(
        "bump ops-eks in prod to 6 nodes and move support-desk to "
        "602915384770.dkr.ecr.us-west-2.amazonaws.com/support-desk:1.8.0", ferry)
    assert [(a.type.value, a.name) for a in plan.actions] == [("scale", "ops-eks"), ("update", "support-desk")]
    assert plan.actions[1].parameters.image.endswith("support-desk:1.8.0")


def test_a_create_in_each_stack_listed_takes_the_values_said_once(scripted, ferry):
    plan = scripted("create security name=crowding-api-key stack=staging kind=secret config_key=crowdingApiKey ; "
                    "create security name=crowding-api-key stack=prod kind=secret").interpret(
        "create secret crowding-api-key from config key crowdingApiKey in staging and in prod", ferry)
    assert [a.parameters.set_values().get("config_key") for a in plan.actions] == ["crowdingApiKey"] * 2


def test_the_key_of_the_change_said_before(scripted, ferry):
    plan = scripted("update infrastructure name=status-dns stack=prod kind=dns_record ttl=120 ; "
                    "update infrastructure name=mail-spf stack=prod").interpret(
        "ttl on status-dns to 120 and mail-spf to 1800", ferry)
    assert [a.parameters.set_values().get("ttl") for a in plan.actions] == [120, 1800]


@pytest.mark.parametrize("command", [
    "hmm, not sure we need more replicas, p95 latency looks fine now",
    "can you explain what a pod disruption budget actually protects against?",
])
def test_doubts_and_questions_ask_nothing(scripted, ferry, command):
    assert scripted("scale deployment name=fares-api stack=prod replicas=+1").interpret(command, ferry).actions == []


def test_a_step_function_is_refused_by_name(scripted, ferry):
    with pytest.raises(InterpretError, match="step function"):
        scripted("create infrastructure name=fare-settlement kind=function").interpret(
            "create a step function to orchestrate the nightly fare settlement", ferry)


@pytest.mark.parametrize("command, line", [
    ("restart the arrivals deployment in prod", "restart deployment name=arrivals-api stack=prod"),
])
def test_a_first_part_and_a_generic_word_that_fit_two(scripted, ferry, command, line):
    with pytest.raises(InterpretError, match="arrivals-predictor"):
        scripted(line).interpret(command, ferry)
    # a word that tells one apart: that one
    plan = scripted("restart deployment name=fares-api stack=prod").interpret("restart the fares service in prod", ferry)
    assert [a.name for a in plan.actions] == ["fares-api"]


def test_capacity_units_said_by_their_abbreviation(scripted, ferry):
    plan = scripted("scale infrastructure name=tap-dedupe-keys stack=staging kind=table read_capacity=100").interpret(
        "tap-dedupe-keys staging WCU 100", ferry)
    assert plan.actions[0].parameters.set_values().get("write_capacity") == 100


def test_a_change_of_an_alert_not_named_is_another_metric_of_what_it_watches(scripted, ferry):
    plan = scripted("monitor infrastructure name=ops-alb stack=prod metric=connections threshold=500 ; "
                    "update monitoring name=transit-alb-errors stack=prod threshold=8000").interpret(
        "connections alarms in prod: ops-alb at 500, transit-alb at 8000", ferry)
    assert [(a.type.value, a.name, a.parameters.metric) for a in plan.actions] == [
        ("monitor", "ops-alb", "connections"), ("monitor", "transit-alb", "connections")]
    # the alert named: its change
    plan = scripted("update monitoring name=transit-alb-errors stack=prod threshold=150").interpret(
        "transit-alb-errors in prod: threshold 150", ferry)
    assert (plan.actions[0].type.value, plan.actions[0].name) == ("update", "transit-alb-errors")


@pytest.mark.parametrize("command, line, want", [
    # the model's own lines for these commands (ferrydale, a8bdf6f): a made-up value the guard
    # drops leaves a change of nothing but the amount said
    ("gtfs-feed-api prod -1", "update deployment name=gtfs-feed-api stack=prod image=gtfs-feed-api/ghcr.io/acme/api:1.9.0",
     {"replicas": "-1"}),
    ("give gtfs-zip-export another gig of memory in prod", "update infrastructure name=gtfs-zip-export stack=prod memory_mb=72",
     {"memory_mb": "+1024"}),
])
def test_an_amount_once_made_up_values_are_gone(scripted, ferry, command, line, want):
    assert scripted(line).interpret(command, ferry).actions[0].relative == want


def test_the_key_of_the_change_before_over_a_key_its_kind_does_not_take(scripted, ferry):
    plan = scripted("update infrastructure name=status-dns kind=dns_record ttl=120 ; "
                    "update security name=mail-spf stack=prod port=1800").interpret(
        "ttl on status-dns to 120 and mail-spf to 1800", ferry)
    assert [(a.name, a.parameters.set_values().get("ttl")) for a in plan.actions] == [("status-dns", 120),
                                                                                     ("mail-spf", 1800)]


# ---- stop 35: readings from ferrydale's remaining misses (the model's own lines, c66eea7)

@pytest.mark.parametrize("command", ["arrivals-predictor in prd, drop by 2, the backfill is done",
                                     "drop arrivals-predictor in prod by 2"])
def test_drop_by_an_amount_is_a_change_not_a_delete(scripted, ferry, command):
    plan = scripted("delete deployment name=arrivals-predictor stack=prod").interpret(command, ferry)
    assert [(a.type.value, a.relative) for a in plan.actions] == [("scale", {"replicas": "-2"})]
    # dropped without an amount: the delete it says
    plan = scripted("delete deployment name=arrivals-predictor stack=prod").interpret(
        "drop arrivals-predictor in prod, the backfill is done", ferry)
    assert [a.type.value for a in plan.actions] == ["delete"]


@pytest.mark.parametrize("command, line", [
    ("support desk +1 pod on prod, fare increase emails are pouring in",
     "scale deployment name=support-desk stack=prod replicas=+1 ; scale deployment name=fare stack=prod replicas=+8"),
    ("scale ticketing-web down to 2 in production, traffic dropped since the fare-free week ended",
     "scale deployment name=ticketing-web stack=prod replicas=2 ; scale deployment name=fare-free stack=prod replicas=2"),
])
def test_a_copy_of_a_change_onto_a_word_of_the_reason_is_left_out(scripted, ferry, command, line):
    plan = scripted(line).interpret(command, ferry)
    assert len(plan.actions) == 1 and plan.actions[0].name in ("support-desk", "ticketing-web")
    assert any(re.search(r"left out the scale of 'fare(-free)?'", w) for w in plan.warnings)


@pytest.mark.parametrize("command, line", [
    # listed with the resource that is there, or with a value of its own: a missing name, refused
    ("scale ticketing-web and fare-free to 2 in production",
     "scale deployment name=ticketing-web stack=prod replicas=2 ; scale deployment name=fare-free stack=prod replicas=2"),
    ("scale ticketing-web to 2 in production, fare-web to 3",
     "scale deployment name=ticketing-web stack=prod replicas=2 ; scale deployment name=fare-web stack=prod replicas=3"),
])
def test_a_missing_name_asked_for_is_still_refused(scripted, ferry, command, line):
    with pytest.raises(InterpretError, match="no resource of that name"):
        scripted(line).interpret(command, ferry)


def test_a_count_said_with_its_noun_on_a_kind_without_a_range(scripted, ferry):
    plan = scripted("scale infrastructure name=arrivals-cache stack=prod kind=cache max_size=5").interpret(
        "arrivals-cache prod to 5 nodes", ferry)
    assert plan.actions[0].parameters.set_values().get("count") == 5
    # no noun of what it counts: left out, as before
    plan = scripted("scale infrastructure name=arrivals-cache stack=prod kind=cache max_size=5").interpret(
        "arrivals-cache prod max 5", ferry)
    assert "count" not in plan.actions[0].parameters.set_values()


@pytest.mark.parametrize("command, line, metric", [
    ("switch the arrivals-api-memory alarm in prod to watch cpu at 80 instead",
     "update monitoring name=arrivals-api-memory stack=prod threshold=80", "cpu"),
    ("move arrivals-api-memory in prod to cpu", "update monitoring name=arrivals-api-memory stack=prod", "cpu"),
    # a metric said as context, or the one it watches: no new metric
    ("arrivals-api-memory alarm in prod: raise to 90, cpu is fine",
     "update monitoring name=arrivals-api-memory stack=prod threshold=90", None),
    ("arrivals-api-memory alarm in prod: raise to 90, memory climbs at night",
     "update monitoring name=arrivals-api-memory stack=prod threshold=90", None),
])
def test_an_alert_switched_to_another_metric(scripted, ferry, command, line, metric):
    assert scripted(line).interpret(command, ferry).actions[0].parameters.metric == metric


def test_a_factor_on_a_key_the_kind_has_nowhere_beside_a_change_that_stands(scripted, ferry):
    plan = scripted("update infrastructure name=telemetry-compaction stack=prod concurrency_policy=Forbid ; "
                    "scale infrastructure name=telemetry-compaction stack=prod read_capacity=*2").interpret(
        "telemetry-compaction prd: concurrency policy Forbid, two runs overlapped last night and doubled the "
        "parquet files", ferry)
    assert [a.parameters.set_values().get("concurrency_policy") for a in plan.actions] == ["Forbid"]
    # alone, it is refused: nothing to start from
    with pytest.raises(InterpretError):
        scripted("scale infrastructure name=telemetry-compaction stack=prod read_capacity=*2").interpret(
            "double telemetry-compaction in prod", ferry)


def test_a_value_after_an_aside_of_the_stack(scripted, ferry):
    plan = scripted("update infrastructure name=fare-settlement stack=prod kind=queue visibility_timeout_seconds=300"
                    ).interpret("visibility timeout on the fare settlement queue (prod) → 10 min, batches take "
                                "longer than 5 now", ferry)
    assert plan.actions[0].parameters.set_values().get("visibility_timeout_seconds") == 600


def test_each_create_counted_is_of_the_kind_counted(scripted, ferry):
    line = ("create infrastructure name=crowding-dlq stack=staging kind=queue retention_seconds=1209600 ; "
            "create infrastructure name=crowding-jobs stack=staging kind=function timeout_seconds=345600")
    plan = scripted(line).interpret("two new queues in staging: crowding-dlq keeping messages 14 days and "
                                    "crowding-jobs keeping them 4 days", ferry)
    assert [(a.parameters.kind, a.parameters.set_values().get("retention_seconds")) for a in plan.actions] == [
        ("queue", 1209600), ("queue", 345600)]
    # a function said too: the plan's function stands as written
    plan = scripted(line).interpret("new queue crowding-dlq in staging keeping messages 14 days and a lambda "
                                    "crowding-jobs with a 4 day timeout", ferry)
    assert [a.parameters.kind for a in plan.actions] == ["queue", "function"]


def test_a_create_said_by_kind_and_new_name_and_left_out_is_added(scripted, ferry):
    command = ("set up the crowding pipeline in dev: queue crowding-jobs (1 day retention), lambda crowding-ingest "
               "from s3://ferrydale-lambda-artifacts-dev/crowding-ingest/main.zip with python3.12 and handler "
               "ingest.handler, and an errors alarm on the lambda at 1")
    plan = scripted("create infrastructure name=crowding-ingest stack=dev kind=function "
                    "code=s3://ferrydale-lambda-artifacts-dev/crowding-ingest/main.zip handler=ingest.handler "
                    "runtime=python3.12").interpret(command, ferry)
    assert [(a.type.value, a.name, a.parameters.kind) for a in plan.actions] == [
        ("create", "crowding-jobs", "queue"), ("create", "crowding-ingest", "function"),
        ("monitor", "crowding-ingest", None)]
    assert plan.actions[0].parameters.set_values()["retention_seconds"] == 86400
    assert (plan.actions[2].parameters.metric, plan.actions[2].parameters.threshold) == ("errors", 1)


@pytest.mark.parametrize("command", [
    # a place or a reference, a key's value, or a create of that kind already in the plan
    "new lambda crowding-ingest in dev reading from queue fare-settlement-v2, python3.12, handler ingest.handler",
    "new lambda crowding-ingest in dev with python3.12, handler ingest.handler, tls secret crowding-tls",
])
def test_no_create_added_for_a_name_said_as_a_place_or_a_value(scripted, ferry, command):
    plan = scripted("create infrastructure name=crowding-ingest stack=dev kind=function runtime=python3.12 "
                    "handler=ingest.handler").interpret(command, ferry)
    assert [a.name for a in plan.actions] == ["crowding-ingest"]


def test_an_alarm_asked_with_if_and_left_out_is_added(scripted, ferry):
    plan = scripted("create infrastructure name=crowding-events stack=staging kind=topic").interpret(
        "new sns topic crowding-events in staging, alarm if delivery errors go over 1", ferry)
    assert [(a.type.value, a.parameters.metric, a.parameters.threshold) for a in plan.actions] == [
        ("create", None, None), ("monitor", "errors", 1)]
    # no alarm asked: none added
    plan = scripted("create infrastructure name=crowding-events stack=staging kind=topic").interpret(
        "new sns topic crowding-events in staging, delivery errors went over 1 on the old one", ferry)
    assert [a.type.value for a in plan.actions] == ["create"]


# ---- stop 35: hollowmere (a seventeenth set written apart; its misses after its first run)

@pytest.fixture
def hollow(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "hollowmere")


@pytest.mark.parametrize("command, line", [
    ("rollout restart crew-dispatch-sync in prod pls, it's stuck on a stale token from the WFM side",
     "restart deployment name=crew-dispatch-sync stack=prod"),
    ("bounce the outage map api on staging", "restart deployment name=outage-map stack=staging"),
])
def test_no_restart_added_of_a_name_said_only_as_the_start_of_a_longer_one(scripted, hollow, command, line):
    plan = scripted(line).interpret(command, hollow)
    assert len(plan.actions) == 1 and plan.actions[0].name in ("crew-dispatch-sync", "outage-map-api")
    # both said: both restarted
    plan = scripted("restart deployment name=outage-map stack=staging").interpret(
        "restart outage-map-api and outage-map on staging", hollow)
    assert sorted(a.name for a in plan.actions) == ["outage-map", "outage-map-api"]


@pytest.mark.parametrize("command, line", [
    ("outage-map-api-hpa in prod should scale on cpu at 50%, 60 reacts too late when the storm hits",
     "scale infrastructure name=outage-map-api-hpa stack=prod metric=cpu threshold=50 ; "
     "scale deployment name=storm stack=prod replicas=60"),
    ("double outage-sms-notifier reserved concurrency in prod, storm texts are throttling",
     "scale infrastructure name=outage-sms-notifier stack=prod kind=function ; "
     "scale deployment name=storm stack=prod replicas=*2"),
])
def test_the_first_part_of_a_name_in_the_reason_with_values_said_before_it(scripted, hollow, command, line):
    plan = scripted(line).interpret(command, hollow)
    assert "storm" not in [a.name for a in plan.actions] and len(plan.actions) == 1
    # a value said after it: it may mean storm-drill; refused, never dropped
    with pytest.raises(InterpretError, match="storm"):
        scripted("scale deployment name=outage-map-api stack=prod replicas=3 ; "
                 "scale deployment name=storm stack=prod replicas=2").interpret(
            "scale outage-map-api to 3 in prod and storm to 2", hollow)


@pytest.mark.parametrize("command, line", [
    ("back up outage-photos in prod, the claims team keeps asking for photos from 2 years ago",
     "backup storage name=outage-photos stack=prod ; update infrastructure name=claims kind=dns_record"),
    ("tariff-cache in production -> cache.r6g.large, rate engine is evicting like crazy",
     "update infrastructure name=tariff-cache stack=prod instance_type=cache.r6g.large ; "
     "update infrastructure name=ev-charge-api stack=prod kind=cache engine=redis"),
])
def test_a_made_up_change_beside_one_that_stands_is_left_out(scripted, hollow, command, line):
    plan = scripted(line).interpret(command, hollow)
    assert [a.name for a in plan.actions] in (["outage-photos"], ["tariff-cache"])


def test_a_short_name_is_said_as_itself_and_a_name_inside_another_is_not_said(hollow):
    facts = CommandFacts.of("rate engine is evicting like crazy", ["prod"])
    assert not facts.mentions_loosely("ev")
    assert CommandFacts.of("the ev namespace", ["prod"]).mentions_loosely("ev")


@pytest.mark.parametrize("command, line, key, want", [
    ("give the scada historian VMs in prod 1500 GB root volumes",
     "update infrastructure name=historian stack=prod kind=instance count=1500", "storage_gb", 1500),
    ("bill-pdf-render in prod to 3Gi memory, the new statement template has the usage graph",
     "update infrastructure name=bill-pdf-render stack=prod kind=function memory_mb=3", "memory_mb", 3072),
    ("outage-reports-queue in production should hold messages for 3 days, we lost reports during the last CIS outage",
     "update infrastructure name=outre-reports-queue stack=prod kind=queue retention_seconds=36500",
     "retention_seconds", 259200),
    ("in prod make outage-reports-queue keep messages 2 days with a 90 second visibility timeout",
     "update infrastructure name=outage-reports-queue stack=prod kind=queue retention_seconds=90 "
     "visibility_timeout_seconds=90", "retention_seconds", 172800),
    ("sqs queue crew-jobs in prod with a 2 minute visibility timeout, and a latency alarm on it at 120",
     "create infrastructure name=crew-jobs stack=prod kind=queue visibility_timeout_seconds=300 ; "
     "monitor infrastructure name=crew-jobs stack=prod metric=latency threshold=120", "visibility_timeout_seconds", 120),
    ("the portal alb errors alarm in staging is useless at 250, set it to 50",
     "update monitoring name=portal-alb stack=staging threshold=250", "threshold", 50),
])
def test_values_said_with_their_units_and_words(scripted, hollow, command, line, key, want):
    assert scripted(line).interpret(command, hollow).actions[0].parameters.set_values().get(key) == want


def test_a_create_named_as_the_cluster_it_goes_on(scripted, hollow):
    plan = scripted("create infrastructure name=core-eks stack=prod kind=configmap key=TILE_CACHE_TTL value=3600"
                    ).interpret("configmap gis-config on core-eks in prod with TILE_CACHE_TTL=3600", hollow)
    assert [(a.name, a.parameters.set_values().get("cluster")) for a in plan.actions] == [("gis-config", "core-eks")]
    # the repeat of a create said once, under the cluster's name, goes too
    plan = scripted("create infrastructure name=gis stack=staging kind=namespace cluster=core-eks owner=gis-team ; "
                    "create infrastructure name=gis-config stack=staging kind=configmap cluster=core-eks "
                    "key=TILE_SOURCE value=esri ; create infrastructure name=core-eks stack=staging kind=configmap "
                    "key=TILE_SOURCE value=esri").interpret(
        "create namespace gis on core-eks in staging owned by gis-team, and a config map gis-config on core-eks "
        "with TILE_SOURCE=esri", hollow)
    assert [a.name for a in plan.actions] == ["gis", "gis-config"]


def test_a_delete_sets_nothing(scripted, hollow):
    plan = scripted("delete infrastructure name=portal-bff-hpa stack=dev kind=autoscaler min_size=1 max_size=1"
                    ).interpret("delete portal-bff-hpa in dev, one pod is plenty", hollow)
    assert [(a.type.value, set(a.parameters.set_values()) - {"kind"}) for a in plan.actions] == [("delete", set())]


@pytest.mark.parametrize("command, line, want", [
    ("drop a replica from ev-charge-ocpp on staging", "scale deployment name=ev-charge-ocpp stack=staging",
     ("scale", {"replicas": "-1"})),
    # written as a delete: a drop of one of what it counts is no delete of it
    ("drop a replica from ev-charge-ocpp on staging", "delete deployment name=ev-charge-ocpp stack=staging",
     ("scale", {"replicas": "-1"})),
    ("meter-ingest-hpa min one lower in staging",
     "scale infrastructure name=meter-ingest-hpa stack=staging kind=autoscaler min_size=1", ("scale", {"min_size": "-1"})),
])
def test_one_fewer_said_in_words(scripted, hollow, command, line, want):
    action = scripted(line).interpret(command, hollow).actions[0]
    assert (action.type.value, action.relative) == want


def test_a_delete_said_of_the_whole_is_still_a_delete(scripted, hollow):
    plan = scripted("delete deployment name=ev-charge-ocpp stack=staging").interpret(
        "remove ev-charge-ocpp from staging, two replicas were never enough anyway", hollow)
    assert [a.type.value for a in plan.actions] == ["delete"]


@pytest.mark.parametrize("command, line", [
    ("point outage-report-ingress at outage-map-api in production, report-api is being folded into it",
     "update infrastructure name=outage-report-ingress stack=prod"),
    ("point headend-sim-nlb at outage-map-api in dev", "update infrastructure name=headend-sim-nlb stack=dev kind=lb_service"),
])
def test_pointed_at_a_name_that_begins_with_another(scripted, hollow, command, line):
    assert scripted(line).interpret(command, hollow).actions[0].parameters.set_values().get("target") == "outage-map-api"


def test_a_budgets_name_said_in_brackets_made_of_its_target(scripted, hollow):
    plan = scripted("create infrastructure stack=prod kind=pdb min_available=3 target=payments-gateway").interpret(
        "pdb for payments-gateway in prod (payments-gateway-pdb), at least 3 available during node drains", hollow)
    assert plan.actions[0].name == "payments-gateway-pdb"


@pytest.mark.parametrize("line", ["update infrastructure name=meter-ingest-pdb stack=prod kind=pdb max_unavailable=6",
                                  "update infrastructure name=meter-ingest-pdb stack=prod kind=pdb min_available=6"])
def test_a_number_no_words_of_its_key_say_gives_way_to_the_one_said_in_words(scripted, hollow, line):
    plan = scripted(line).interpret("meter-ingest-pdb in production: min available 5, 6 blocks the node upgrades",
                                    hollow)
    assert {k: v for k, v in plan.actions[0].parameters.set_values().items() if k != "kind"} == {"min_available": 5}


def test_of_two_values_of_one_key_the_one_said_in_its_unit(scripted, hollow):
    plan = scripted("update database name=meter-reads-db stack=prod storage_gb=3000 ; "
                    "update database name=meter-reads-db stack=prod storage_gb=2").interpret(
        "meter-reads-db in production needs 3000 GB, we're at 82% and AMI 2.0 doubles the interval data", hollow)
    assert [a.parameters.storage_gb for a in plan.actions] == [3000]


def test_an_amount_never_said_is_the_one_quantity_said_in_the_keys_dimension(scripted, hollow):
    plan = scripted("update infrastructure name=outage-reports-queue stack=staging kind=queue "
                    "retention_seconds=+8600").interpret("add a day of retention to outage-reports-queue in staging",
                                                         hollow)
    action = plan.actions[0]
    assert (action.relative, action.parameters.set_values()["retention_seconds"]) == (
        {"retention_seconds": "+86400"}, 172800)


def test_a_missing_kind_said_by_its_address_space_is_context(scripted, hollow):
    plan = scripted("update infrastructure name=grid-net stack=staging cidr=10.74.0.0/16").interpret(
        "JIRA PLAT-2291: re-address the staging grid network to 10.74.0.0/16 so it stops overlapping the control "
        "centre VPN range", hollow)
    assert [a.parameters.cidr for a in plan.actions] == ["10.74.0.0/16"]
    # asked for: refused by name
    with pytest.raises(InterpretError, match="vpn"):
        scripted("create infrastructure name=grid-vpn stack=staging kind=network").interpret(
            "set up a vpn for the grid ops team in staging", hollow)


def test_a_mainframe_is_refused_by_name(scripted, hollow):
    with pytest.raises(InterpretError, match="mainframe"):
        scripted("create infrastructure name=bill-print kind=lb_service").interpret(
            "spin up a new LPAR on the CIS mainframe for the bill print run", hollow)


def test_replicas_taken_off_are_fewer(scripted, hollow):
    plan = scripted("scale deployment name=crew-dispatch stack=staging replicas=1").interpret(
        "take 1 replica off crew-dispatch in staging", hollow)
    assert plan.actions[0].relative == {"replicas": "-1"}
    # more than it has: refused, never set to the number said
    with pytest.raises(InterpretError, match="below zero"):
        scripted("scale deployment name=crew-dispatch stack=staging replicas=3").interpret(
            "take 3 replicas off crew-dispatch in staging", hollow)


def test_a_factor_on_the_key_whose_word_is_said(scripted, hollow):
    plan = scripted("scale infrastructure name=dr-dispatch-trigger stack=prod replicas=*2").interpret(
        "dr-dispatch-trigger memory x2 in production", hollow)
    assert (plan.actions[0].type.value, plan.actions[0].relative) == ("update", {"memory_mb": "*2"})
    # no key said: nothing to start from, refused as before
    with pytest.raises(InterpretError, match="no current replicas"):
        scripted("scale infrastructure name=dr-dispatch-trigger stack=prod replicas=*2").interpret(
            "double dr-dispatch-trigger in production", hollow)


# --- stop 36: readings found on ravensmoor (training/written/ravensmoor.yaml)


@pytest.fixture
def raven(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "ravensmoor")


def test_a_stack_word_inside_a_name_says_no_stack(scripted, raven):
    plan = scripted("update infrastructure name=ravensmoor-apps stack=prod count=200 ; "
                    "update infrastructure name=dev-images stack=dev count=5").interpret(
        "ravensmoor-apps keep 200 images and dev-images keep 5", raven)
    assert [(a.name, a.stack) for a in plan.actions] == [("ravensmoor-apps", "prod"), ("dev-images", "dev")]
    # the stack said as a word of its own still is the stack (ravensmoor-apps is not in dev)
    with pytest.raises(InterpretError, match="no resource of that name in dev"):
        scripted("update infrastructure name=ravensmoor-apps stack=dev count=200").interpret(
            "ravensmoor-apps in dev keep 200 images", raven)


def test_a_time_said_as_a_limit_is_not_when_the_job_runs(scripted, raven):
    plan = scripted('update infrastructure name=payroll-export stack=prod schedule="0 1 * * *"').interpret(
        "prod payroll export should run at 1am instead of 2, finance want the file before the 6am BACS cutoff", raven)
    assert plan.actions[0].parameters.schedule == "0 1 * * *"


@pytest.mark.parametrize("text, cron", [
    ("run at 1am instead of 2, finance want the file before the 6am cutoff", "0 1 * * *"),
    ("run at 9am and 5pm", "0 9,17 * * *"),
    ("it should run at 4am, and after 6am the warehouse is busy", "0 4 * * *"),
    ("run at 3am or 4am", None),
    ("run it at 3am, the backup also runs at 2am", None),
])
def test_cron_from_words_with_several_times(text, cron):
    from agentops.kinds.schedule_words import cron_from_words

    assert cron_from_words(text, "0 2 * * *") == cron


@pytest.mark.parametrize("dev", ["86400", "432000", "5"])
def test_one_resource_changed_in_two_stacks_takes_each_stacks_value(scripted, raven, dev):
    prod = "432000" if dev != "5" else "5"
    plan = scripted(f"update infrastructure name=submission-events stack=prod retention_seconds={prod} ; "
                    f"update infrastructure name=submission-events stack=dev retention_seconds={dev}").interpret(
        "submission-events: 5 days retention in prod, 1 day in dev", raven)
    assert [(a.stack, a.parameters.retention_seconds) for a in plan.actions] == [("prod", 432000), ("dev", 86400)]


def test_the_same_value_in_two_stacks_said_once_stays(scripted, raven):
    plan = scripted("update infrastructure name=submission-events stack=prod retention_seconds=432000 ; "
                    "update infrastructure name=submission-events stack=staging retention_seconds=432000").interpret(
        "submission-events retention to 5 days in prod and staging", raven)
    assert [a.parameters.retention_seconds for a in plan.actions] == [432000, 432000]


def test_a_name_said_by_its_initials_and_last_word(scripted, raven):
    plan = scripted("monitor infrastructure name=dtn-nodes stack=prod metric=network threshold=900000000").interpret(
        "network alarm on the data transfer nodes when they push over 900000000", raven)
    assert [a.name for a in plan.actions] == ["dtn-nodes"]


@pytest.mark.parametrize("command, line", [
    ("results day prep: results-publisher -> 6, portal -> 12, all prod",
     "scale deployment name=results-publisher stack=prod replicas=6 ; "
     "scale deployment name=student-portal stack=prod replicas=12"),
    ("restart the portal in prod", "restart deployment name=student-portal stack=prod"),
])
def test_a_name_said_by_its_last_part_where_one_resource_with_it_takes_the_action(scripted, raven, command, line):
    plan = scripted(line).interpret(command, raven)
    assert "student-portal" in [a.name for a in plan.actions]
    assert any("'portal'" in w for w in plan.warnings)


@pytest.mark.parametrize("command, line", [
    # a delete is only by name
    ("delete the portal in prod", "delete deployment name=student-portal stack=prod"),
    # the autoscaler's word said: portal-hpa is meant, not the deployment
    ("portal hpa to 4 in prod", "scale deployment name=student-portal stack=prod replicas=4"),
])
def test_a_last_part_does_not_name_a_resource_for_a_delete_or_beside_another_kinds_word(scripted, raven, command, line):
    with pytest.raises(InterpretError, match="does not name 'student-portal'"):
        scripted(line).interpret(command, raven)


def test_a_change_said_once_for_two_stacks_keeps_every_value_in_both(scripted, raven):
    plan = scripted("update infrastructure name=submission-events stack=staging retention_seconds=432000 ; "
                    "update infrastructure name=submission-events stack=prod retention_seconds=432000").interpret(
        "submission-events in staging: 5 days retention, 2 days in dlq terms; same for prod", raven)
    assert [(a.stack, a.parameters.retention_seconds) for a in plan.actions] == [("staging", 432000), ("prod", 432000)]


def test_a_create_on_a_cluster_named_with_its_stack_keeps_that_stack(scripted, raven):
    plan = scripted("create deployment name=lab-sync stack=dev image=ghcr.io/ravensmoor/lab-sync:0.3.1 "
                    "replicas=1").interpret("create a deployment lab-sync on core-eks, dev-images has "
                                            "ghcr.io/ravensmoor/lab-sync:0.3.1, 1 replica", raven)
    assert plan.actions[0].stack == "dev"


@pytest.mark.parametrize("command, zone", [
    ("results-batch prod time zone UTC please, BST bit us again", "UTC"),
])
def test_a_time_zone_said_after_its_words_is_the_one_set(scripted, raven, command, zone):
    plan = scripted("update infrastructure name=results-batch stack=prod kind=cronjob zone_id=UTC").interpret(
        command, raven)
    assert plan.actions[0].parameters.set_values()["time_zone"] == zone


def test_a_concurrency_policy_said_by_its_value(scripted, raven):
    plan = scripted("update infrastructure name=library-sync kind=function").interpret(
        "library-sync concurrency policy Replace", raven)
    assert plan.actions[0].parameters.set_values()["concurrency_policy"] == "Replace"


@pytest.mark.parametrize("command, line, value", [
    ("alumni db: db.t3.large -> db.m5.large, the telethon CRM sync is pegging it",
     "update database name=alumni-db instance_type=db.t3.large", "db.m5.large"),
    ("bastion prod: from t3.micro to t3.small", "update infrastructure name=bastion stack=prod kind=instance "
     "instance_type=t3.micro", "t3.small"),
])
def test_a_value_it_has_gives_way_to_the_one_it_goes_to(scripted, raven, command, line, value):
    assert scripted(line).interpret(command, raven).actions[0].parameters.instance_type == value


def test_each_count_said_from_one_number_to_another_is_the_new_one(scripted, raven):
    plan = scripted("scale deployment name=lms-web replicas=8 max_unavailable=12 ; scale deployment "
                    "name=lms-submissions replicas=4 max_unavailable=6 ; scale deployment name=plagiarism-check "
                    "stack=prod replicas=3").interpret("lms-web 8->12, lms-submissions 4->6, plagiarism 3->5, prd", raven)
    assert [a.parameters.replicas for a in plan.actions] == [12, 6, 5]


def test_half_a_gig_is_a_quantity_not_a_factor(scripted, raven):
    plan = scripted("update security name=secret-rotator kind=function storage_gb=/2").interpret(
        "secret-rotator lambda: give it half a gig", raven)
    assert (plan.actions[0].relative, plan.actions[0].parameters.memory_mb) == ({}, 512)


@pytest.mark.parametrize("command, line, relative", [
    ("give capture-thumbnailer another 512MB in staging",
     "update infrastructure name=capture-thumbnailer stack=staging kind=function storage_gb=512", {"memory_mb": "+512"}),
    ("student-records-db prod: add 500GB, SITS archive import next week",
     "update database name=student-records-db stack=prod storage_gb=500", {"storage_gb": "+500"}),
    ("submission-events in prod: keep messages one more day",
     "update infrastructure name=submission-events stack=prod kind=queue retention_seconds=+172800",
     {"retention_seconds": "+86400"}),
    ("card-swipes prod: +100 read, +200 write",
     "scale infrastructure name=card-swipes stack=prod read_capacity=+100 write_capacity=+20",
     {"read_capacity": "+100", "write_capacity": "+200"}),
    ("results-notifier staging memory x2",
     "scale infrastructure name=results-notifier stack=staging kind=function memory_mb=2048", {"memory_mb": "*2"}),
])
def test_amounts_said_as_more_are_changes_by_that_amount(scripted, raven, command, line, relative):
    assert scripted(line).interpret(command, raven).actions[0].relative == relative


def test_a_backup_beside_a_change_by_an_amount_stays_a_backup(scripted, raven):
    plan = scripted("update database name=student-records-db stack=prod storage_gb=+500 ; "
                    "backup database name=student-records-db stack=prod").interpret(
        "student-records-db prod: add 500GB, then snapshot it", raven)
    assert [(a.type.value, a.relative) for a in plan.actions] == [("update", {"storage_gb": "+500"}), ("backup", {})]


@pytest.mark.parametrize("command, word", [
    ("add a Slurm partition called gpu-long with a 7 day walltime", "slurm"),
    ("add a guest SSID Ravensmoor-Events to the campus wifi controllers for graduation", "ssid"),
])
def test_campus_and_hpc_things_no_kind_covers_are_refused_by_name(scripted, raven, command, word):
    with pytest.raises(InterpretError, match=word):
        scripted("create infrastructure name=gpu-long kind=lb_service").interpret(command, raven)


def test_a_delete_of_a_name_said_only_as_the_reason_is_dropped(scripted, raven):
    plan = scripted("delete infrastructure name=results-batch stack=staging ; "
                    "delete deployment name=results-publisher stack=dev").interpret(
        "drop results-batch in staging and dev, results-publisher does the batch now", raven)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "results-batch")]
    assert any("results-publisher" in w and "deletes nothing" in w for w in plan.warnings)


@pytest.mark.parametrize("command", [
    "delete results-batch in staging, results-publisher too",
    "delete results-batch in staging; and results-publisher",
])
def test_a_delete_of_a_name_listed_after_the_first_stands(scripted, raven, command):
    plan = scripted("delete infrastructure name=results-batch stack=staging ; "
                    "delete deployment name=results-publisher stack=staging").interpret(command, raven)
    assert [a.name for a in plan.actions] == ["results-batch", "results-publisher"]


def test_a_minimum_said_should_be_a_number_is_the_minimum(scripted, hollow):
    plan = scripted("scale infrastructure name=core-eks stack=prod kind=cluster count=8").interpret(
        "minimum node count on the prod core cluster should be 8, not 6. we got caught short during the ice storm",
        hollow)
    assert {k: v for k, v in plan.actions[0].parameters.set_values().items() if k != "kind"} == {"min_size": 8}


def test_the_stack_of_a_name_said_inside_another_is_not_this_ones(scripted, raven):
    plan = scripted("update infrastructure name=ravensmoor-apps stack=dev kind=load_balancer count=200 ; "
                    "update infrastructure name=dev-images stack=dev kind=registry count=5").interpret(
        "ravensmoor-apps keep 200 images and dev-images keep 5", raven)
    assert [(a.name, a.stack) for a in plan.actions] == [("ravensmoor-apps", "prod"), ("dev-images", "dev")]


def test_a_name_written_as_the_last_part_said_is_the_one_resource_it_ends(scripted, raven):
    plan = scripted("scale deployment name=results-publisher replicas=6 ; scale deployment name=portal replicas=12"
                    ).interpret("results day prep: results-publisher -> 6, portal -> 12, all prod", raven)
    assert [a.name for a in plan.actions] == ["results-publisher", "student-portal"]
    with pytest.raises(InterpretError):
        scripted("delete deployment name=portal stack=prod").interpret("delete the portal in prod", raven)


def test_an_empty_change_of_a_name_said_only_as_the_reason_is_no_delete(scripted, raven):
    plan = scripted("delete infrastructure name=results-batch stack=staging ; "
                    "update infrastructure name=results-publisher stack=dev kind=cronjob").interpret(
        "drop results-batch in staging and dev, results-publisher does the batch now", raven)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "results-batch")]


@pytest.mark.parametrize("command, line, names", [
    ("back up bill-statements... sorry I mean make sure reg-filings and outage-photos in staging both get backups",
     "backup storage name=bill-statements stack=staging ; backup storage name=reg-filings stack=staging ; "
     "backup storage name=outage-photos stack=staging", ["reg-filings", "outage-photos"]),
    ("for the audit: back up billing-db and portal-db in prod, and raise bill-statements retention? no - just "
     "the two db backups", "backup database name=billing-db stack=prod ; backup database name=portal-db stack=prod ; "
     "update storage name=bill-statements stack=prod", ["billing-db", "portal-db"]),
])
def test_what_the_command_takes_back_is_left_out(scripted, hollow, command, line, names):
    plan = scripted(line).interpret(command, hollow)
    assert [a.name for a in plan.actions] == names
    assert any("takes it back" in w for w in plan.warnings)


def test_a_request_taken_back_whole_asks_nothing(scripted, raven):
    plan = scripted("restart deployment name=lms-web stack=prod").interpret("restart lms-web? no, not yet", raven)
    assert plan.actions == []


def test_a_question_answered_no_about_something_else_takes_nothing_back(scripted, raven):
    plan = scripted("restart deployment name=lms-web stack=prod").interpret(
        "any chance the cache is the problem? no idea. restart lms-web in prod", raven)
    assert [a.name for a in plan.actions] == ["lms-web"]


def test_how_many_images_a_registry_keeps_said_in_its_words(scripted, raven):
    plan = scripted("update infrastructure name=dev-images stack=dev").interpret("dev-images: keep the last 10", raven)
    assert plan.actions[0].parameters.count == 10


@pytest.mark.parametrize("command, line", [
    ("clean up dev: delete plagiarism-jobs queue, results-notifier function and the submission-events queue",
     "delete infrastructure name=plagiarism-jobs stack=dev ; delete infrastructure name=results-notifier stack=dev ; "
     "delete infrastructure name=submission-events stack=dev"),
    ("stg cleanup: delete lms-cache, results-batch and the lms-ns namespace",
     "delete infrastructure name=lms-cache stack=staging ; delete infrastructure name=results-batch stack=staging ; "
     "delete infrastructure name=lms-ns stack=staging"),
])
def test_a_list_of_deletes_after_a_comma_is_still_deleted(scripted, raven, command, line):
    plan = scripted(line).interpret(command, raven)
    assert not any("deletes nothing" in w for w in plan.warnings)
    assert len([a for a in plan.actions if a.type.value == "delete"]) >= 2


def test_taking_back_what_to_do_keeps_what_it_is_done_to(scripted, raven):
    plan = scripted("scale infrastructure name=core-eks stack=staging kind=cluster count=+1").interpret(
        "grow core-eks in staging by 50%... actually no, just add one node", raven)
    assert [a.name for a in plan.actions] == ["core-eks"]


# --- stop 37: a second look at the clause that names what the writer left out


def test_a_clause_naming_what_the_plan_left_out_is_read_again_on_its_own(scripted, raven):
    command = "exam season: lms-web-hpa min 10 max 40, lms-cache 5 nodes, core-eks 14 nodes (prod)"
    interpreter = scripted({
        command: "scale infrastructure name=lms-web-hpa stack=prod kind=autoscaler min_size=10 max_size=40 ; "
                 "scale infrastructure name=core-eks stack=prod count=14",
        # the clause, with the one stack the command says
        "lms-cache 5 nodes in prod": "scale infrastructure name=lms-cache stack=prod count=5"})
    plan = interpreter.interpret(command, raven)
    # put in where the command says it
    assert [(a.name, a.stack) for a in plan.actions] == [
        ("lms-web-hpa", "prod"), ("lms-cache", "prod"), ("core-eks", "prod")]
    assert plan.actions[1].parameters.count == 5
    assert any("lms-cache: read again on its own" in w for w in plan.warnings)
    assert interpreter.writer.calls == [command, "lms-cache 5 nodes in prod"]


def test_a_second_look_adds_only_actions_on_the_name_left_out(scripted, raven):
    command = "new sg gridftp-https in prod allowing 443 from 0.0.0.0/0, and close 2811 on dtn-gridftp"
    plan = scripted({
        command: "create security name=gridftp-https stack=prod kind=firewall port=443 cidr=0.0.0.0/0",
        # the clause's reading also (wrongly) writes the other rule again: not added
        "close 2811 on dtn-gridftp in prod": "delete security name=dtn-gridftp stack=prod port=2811 ; "
                                             "create security name=gridftp-https stack=prod port=2811",
    }).interpret(command, raven)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "gridftp-https"),
                                                              ("delete", "dtn-gridftp")]
    assert plan.actions[1].parameters.port == 2811


def test_a_clause_that_asks_nothing_of_a_name_is_not_read_again(scripted, raven):
    command = "drop results-batch in staging, results-publisher does the batch now"
    interpreter = scripted({command: "delete infrastructure name=results-batch stack=staging"})
    plan = interpreter.interpret(command, raven)
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "results-batch")]
    assert interpreter.writer.calls == [command]
    assert not any("results-publisher" in w for w in plan.warnings)


def test_no_second_look_at_a_plan_of_nothing_or_a_command_of_one_part(scripted, raven):
    interpreter = scripted({})  # "none" for every command
    assert interpreter.interpret("lms-web is slow today, lms-cache looks fine to me", raven).actions == []
    assert interpreter.writer.calls == ["lms-web is slow today, lms-cache looks fine to me"]
    one = scripted({"restart lms-web in prod": "restart deployment name=lms-web stack=prod"})
    one.interpret("restart lms-web in prod", raven)
    assert one.writer.calls == ["restart lms-web in prod"]


def test_a_clause_whose_reading_adds_nothing_is_said_in_a_warning(scripted, raven):
    command = "lms-web to 12 in prod and bump lms-submissions to 6"
    plan = scripted({command: "scale deployment name=lms-web stack=prod replicas=12"}).interpret(command, raven)
    assert [a.name for a in plan.actions] == ["lms-web"]
    assert any("the command says lms-submissions" in w and "left out" in w for w in plan.warnings)


def test_what_a_second_look_adds_is_held_to_the_command_like_the_rest(scripted, raven):
    # the clause's reading deletes what the command only says goes on: the guard, reading the
    # whole plan against the whole command, drops it as it would the model's own
    command = "drop results-batch in staging, results-publisher runs it now with 2 replicas"
    interpreter = scripted({
        command: "delete infrastructure name=results-batch stack=staging",
        "results-publisher runs it now with 2 replicas in staging":
            "delete deployment name=results-publisher stack=staging"})
    plan = interpreter.interpret(command, raven)
    assert len(interpreter.writer.calls) == 2  # it was read again
    assert [(a.type.value, a.name) for a in plan.actions] == [("delete", "results-batch")]


def test_a_change_written_with_nothing_to_set_is_read_again_from_its_clause(scripted, raven):
    command = ("add an ingress lms-api-ingress on core-eks prod for lms-submissions at "
               "learn.ravensmoor.ac.uk/api/submit with tls lms-tls, and bump lms-submissions to 6")
    plan = scripted({
        command: "create infrastructure name=lms-api-ingress stack=prod kind=ingress cluster=core-eks "
                 "host=learn.ravensmoor.ac.uk path=/api/submit target=lms-submissions tls_secret=lms-tls ; "
                 "update deployment name=lms-submissions stack=prod",
        "bump lms-submissions to 6 in prod": "scale deployment name=lms-submissions stack=prod replicas=6",
    }).interpret(command, raven)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "lms-api-ingress"),
                                                              ("scale", "lms-submissions")]
    assert plan.actions[1].parameters.replicas == 6


def test_a_number_only_the_left_out_clause_says_is_taken_off_the_action_it_was_merged_into(scripted, raven):
    command = "core-eks staging to 6 nodes and research-eks staging to 3"
    plan = scripted({
        command: "scale infrastructure name=core-eks stack=staging kind=cluster count=6 max_size=3",
        "research-eks staging to 3": "scale infrastructure name=research-eks stack=staging kind=cluster count=3",
    }).interpret(command, raven)
    assert [(a.name, a.parameters.count, a.parameters.max_size) for a in plan.actions] == [
        ("core-eks", 6, None), ("research-eks", 3, None)]
    assert any("left max_size out of the scale of 'core-eks'" in w for w in plan.warnings)


def test_a_clause_that_names_a_key_asks_a_change_without_a_number(scripted, hollow):
    command = "staging crons: meter-reconcile on 0 */4 * * * and let storm-drill overlap (concurrency Allow)"
    plan = scripted({
        command: 'update infrastructure name=meter-reconcile stack=staging kind=cronjob schedule="0 */4 * * *"',
        "let storm-drill overlap (concurrency Allow) in staging":
            "update infrastructure name=storm-drill stack=staging kind=cronjob concurrency_policy=Allow",
    }).interpret(command, hollow)
    assert [(a.name, a.parameters.set_values().get("concurrency_policy")) for a in plan.actions] == [
        ("meter-reconcile", None), ("storm-drill", "Allow")]


# --- stop 37: readings found on copperlane (training/written/copperlane.yaml)


@pytest.fixture
def copper(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "copperlane")


@pytest.mark.parametrize("command, line", [
    ("monitor the data-desk namespace in prod", "monitor infrastructure name=data-desk stack=prod"),
    ("add an alarm on the stripe-api-key secret in prod", "monitor security name=stripe-api-key stack=prod"),
])
def test_an_alarm_on_a_kind_that_cannot_be_watched_is_refused_by_name(scripted, copper, command, line):
    with pytest.raises(InterpretError, match="has no metric to alarm on"):
        scripted(line).interpret(command, copper)


def test_an_alarm_on_a_kind_with_metrics_still_stands(scripted, copper):
    plan = scripted("monitor infrastructure name=reader-eks stack=prod metric=cpu threshold=75").interpret(
        "alert when reader-eks cpu passes 75% in prod", copper)
    assert [(a.type.value, a.name) for a in plan.actions] == [("monitor", "reader-eks")]


def test_two_changes_of_one_resource_in_parts_are_one(scripted, copper):
    plan = scripted("scale infrastructure name=reader-eks stack=staging kind=cluster count=+1 ; "
                    "scale infrastructure name=reader-eks stack=staging kind=cluster max_size=+2").interpret(
        "reader-eks in staging: one more node and raise the max by 2", copper)
    assert len(plan.actions) == 1
    spec = _applied(plan, copper)["staging"]
    before = Workspace(copper.root).load_all()["staging"].find("reader-eks")[1]
    after = spec.find("reader-eks")[1]
    assert (after.desired_size, after.max_size) == (before.desired_size + 1, before.max_size + 2)


def test_a_size_and_a_setting_of_one_resource_stay_two_actions(scripted, copper):
    plan = scripted("scale infrastructure name=reader-eks stack=staging kind=cluster count=5 ; "
                    "update infrastructure name=reader-eks stack=staging kind=cluster instance_type=m5.2xlarge"
                    ).interpret("reader-eks in staging to 5 nodes and run it on m5.2xlarge", copper)
    assert [a.type.value for a in plan.actions] == ["scale", "update"]


def test_a_backup_asked_first_goes_first(scripted, copper):
    command = ("Hey team, for JIRA PLAT-3310: please bump comments-db to 400 GB in prod, add a cpu alarm "
               "on it at 80%, and take a backup first")
    line = ("update database name=comments-db stack=prod storage_gb=400 ; "
            "monitor database name=comments-db stack=prod metric=cpu threshold=80 ; "
            "backup database name=comments-db stack=prod")
    plan = scripted(line).interpret(command, copper)
    assert [a.type.value for a in plan.actions] == ["backup", "update", "monitor"]
    # without "first" the plan keeps the order said
    plan = scripted(line).interpret(command.replace(" first", ""), copper)
    assert [a.type.value for a in plan.actions] == ["update", "monitor", "backup"]


@pytest.mark.parametrize("command, suspend", [
    ("resume the court records scraper on staging", False),
    ("pause the court records scraper on staging, the court site is down", True),
])
def test_resume_or_pause_of_a_cron_job_written_as_a_restart_is_its_switch(scripted, copper, command, suspend):
    plan = scripted("restart deployment name=court-records stack=staging").interpret(command, copper)
    assert [(a.type.value, a.name, a.parameters.suspend) for a in plan.actions] == [
        ("update", "court-records-scraper", suspend)]


def test_a_restart_of_a_cron_job_with_no_switch_said_is_still_refused(scripted, copper):
    with pytest.raises(InterpretError, match="not restart"):
        scripted("restart deployment name=court-records stack=staging").interpret(
            "restart the court records scraper on staging", copper)


def test_a_word_inside_the_resources_own_name_is_no_value(scripted, copper):
    plan = scripted("update infrastructure name=cms-api-internal stack=staging port=9090 internal=true").interpret(
        "make cms-api-internal in staging listen on 9090", copper)
    assert plan.actions[0].parameters.set_values() == {"port": 9090}
    # said as a word of its own, it is one
    plan = scripted("update infrastructure name=cms-api-internal stack=staging port=9090").interpret(
        "make cms-api-internal in staging listen on 9090 and make it public", copper)
    assert plan.actions[0].parameters.set_values().get("internal") is False


def test_a_cluster_said_as_cluster_x_stays_on_the_create(scripted, copper):
    plan = scripted("create infrastructure name=push-nlb stack=prod kind=lb_service port=443 target=push-gateway "
                    "cluster=reader-eks").interpret(
        "create an nlb service push-nlb for push-gateway on port 443 in prod, cluster reader-eks", copper)
    assert plan.actions[0].parameters.set_values()["cluster"] == "reader-eks"


@pytest.mark.parametrize("line", [
    "backup database name=database stack=staging",  # the kind's word as a name
    "backup database name=cms-db stack=staging ; backup database name=subscriptions-db stack=staging ; "
    "backup database name=comments-db stack=staging ; backup database name=puzzles-db stack=staging",
])
def test_all_of_a_kind_said_is_every_member_named(scripted, copper, line):
    plan = scripted(line).interpret("back up all the databases in staging before the pg16 upgrade rehearsal", copper)
    assert [a.name for a in plan.actions] == ["cms-db", "subscriptions-db", "comments-db", "puzzles-db"]


def test_all_said_of_nothing_names_no_set(scripted, copper):
    plan = scripted("backup database name=cms-db stack=staging ; backup database name=comments-db stack=staging"
                    ).interpret("back up cms-db in staging, that's all", copper)
    assert [a.name for a in plan.actions] == ["cms-db"]
    # and a delete of a kind's word stays refused, "all" or not
    with pytest.raises(InterpretError):
        scripted("delete database name=database stack=staging").interpret("delete all the databases in staging",
                                                                           copper)


def test_machines_said_as_boxes(scripted, copper):
    plan = scripted("scale infrastructure name=transcode-workers stack=staging kind=instance count=+2").interpret(
        "2 more transcode boxes in staging", copper)
    assert [(a.name, a.parameters.count) for a in plan.actions] == [("transcode-workers", 4)]


@pytest.mark.parametrize("cluster", ["elections-eks", "eleicoes-eks"])
def test_the_headline_command_puts_the_deployment_on_the_cluster_it_makes(scripted, copper, cluster):
    # the model's name for the new cluster, said or made up: the deployment is "on it" either way
    command = ("create a cluster elections-eks in staging with 3 nodes, deploy results-api "
               "(ghcr.io/copperlane/results-api:1.0.0) on it and alert when its cpu is over 70%")
    plan = scripted(f"create infrastructure name={cluster} stack=staging kind=cluster count=3 ; "
                    "create deployment name=results-api stack=staging image=ghcr.io/copperlane/results-api:1.0.0 ; "
                    "monitor deployment name=results-api stack=staging metric=cpu threshold=70").interpret(command, copper)
    assert [(a.type.value, a.name) for a in plan.actions] == [
        ("create", "elections-eks"), ("create", "results-api"), ("monitor", "results-api")]
    assert plan.actions[1].parameters.cluster == "elections-eks"
    spec = _applied(plan, copper)["staging"]
    assert spec.find("results-api")[1].cluster == "elections-eks"


def test_an_action_on_a_ticket_key_is_left_out_beside_one_that_stands(scripted, copper):
    command = "ELECTION-12: liveblog-api prod needs a cpu alert at 70"
    interpreter = scripted({
        command: "monitor deployment name=election-12 stack=prod metric=cpu threshold=70",
        # the second look reads the clause after the ticket
        "liveblog-api prod needs a cpu alert at 70": "monitor deployment name=liveblog-api stack=prod metric=cpu "
                                                      "threshold=70"})
    plan = interpreter.interpret(command, copper)
    assert [(a.type.value, a.name) for a in plan.actions] == [("monitor", "liveblog-api")]
    assert any("the command's ticket" in w for w in plan.warnings)
    # alone, it is refused as not there (never turned into another resource)
    with pytest.raises(InterpretError, match="election-12"):
        scripted("monitor deployment name=election-12 stack=prod metric=cpu threshold=70").interpret(
            "ELECTION-12 needs a cpu alert at 70", copper)


# --- stop 38: readings found on copperlane's remaining misses and the multi-action misses of
# ravensmoor, hollowmere, ferrydale and thornwick


def _said(plan):
    return [(a.type.value, a.name, a.stack, {k: v for k, v in a.parameters.set_values().items() if k != "kind"})
            for a in plan.actions]


def test_an_engine_said_beside_the_one_it_has_now(scripted, copper):
    # session-cache runs redis in staging: "redis" is the old one, named as the reason
    plan = scripted("update infrastructure name=session-cache stack=staging kind=cache").interpret(
        "switch session-cache to valkey in staging, redis licence thing", copper)
    assert _said(plan) == [("update", "session-cache", "staging", {"engine": "valkey"})]
    assert _applied(plan, copper)["staging"].find("session-cache")[1].engine == "valkey"
    # the value it has now, said alone, is not read as a change
    plan = scripted("update infrastructure name=session-cache stack=staging kind=cache").interpret(
        "switch session-cache to redis in staging", copper)
    assert "engine" not in plan.actions[0].parameters.set_values()


def test_a_quantity_after_a_colon_is_its_keys(scripted, copper):
    plan = scripted("update infrastructure name=push-alerts stack=dev kind=queue").interpret(
        "push-alerts retention in dev: 2 hours", copper)
    assert _said(plan) == [("update", "push-alerts", "dev", {"retention_seconds": 7200})]
    # the clause before the colon names push-alerts; the finished plan acts on it, so no
    # warning says it was left out
    assert not any("does nothing to it" in w for w in plan.warnings)


@pytest.mark.parametrize("command, line, want", [
    ("puzzle-progress in staging: 20 reads / 10 writes",
     "scale infrastructure name=puzzle-progress stack=staging kind=table write_capacity=20",
     {"read_capacity": 20, "write_capacity": 10}),
    ("puzzle-progress in staging: read capacity 30, write capacity 15",
     "scale infrastructure name=puzzle-progress stack=staging kind=table read_capacity=30",
     {"read_capacity": 30, "write_capacity": 15}),
])
def test_keys_said_in_their_words_that_the_change_left_out(scripted, copper, command, line, want):
    plan = scripted(line).interpret(command, copper)
    assert _said(plan) == [("scale", "puzzle-progress", "staging", want)]


def test_a_budget_said_in_its_words_in_another_actions_part(scripted, copper):
    # the restart's part begins at "for cms-api": the budget's words are still its own, as no
    # other action of the plan is a budget
    plan = scripted("create infrastructure name=cms-api-pdb stack=prod kind=pdb cluster=newsroom-eks target=cms-api ; "
                    "restart deployment name=cms-api stack=prod").interpret(
        "create pdb cms-api-pdb on newsroom-eks in prod for cms-api with min available 2, then restart cms-api", copper)
    assert plan.actions[0].parameters.set_values()["min_available"] == 2
    assert [a.type.value for a in plan.actions] == ["create", "restart"]


def test_a_path_said_on_its_own(scripted, copper):
    plan = scripted("update infrastructure name=reader-web stack=dev kind=ingress").interpret(
        "reader-web ingress in dev: serve it under /news", copper)
    assert _said(plan) == [("update", "reader-web", "dev", {"path": "/news"})]
    assert _applied(plan, copper)["dev"].find("reader-web")[1].path == "/news"


@pytest.mark.parametrize("words, cron", [
    ("twice a day, 6am and 6pm", "0 6,18 * * *"),
    ("twice daily at 9:30 and 21:30", "30 9,21 * * *"),
    ("twice a day at 3 and 15", "0 3,15 * * *"),
    ("twice a day", None),  # which hours is not said
])
def test_twice_a_day_at_two_times(words, cron):
    from agentops.kinds.schedule_words import cron_from_words

    assert cron_from_words(f"puzzle-publish in prod should fire {words}") == cron


@pytest.mark.parametrize("command, line, want", [
    ("create a namespace elections on newsroom-eks in prod owned by data-desk",
     "create infrastructure stack=prod kind=namespace cluster=newsroom-eks owner=data-desk", ["elections"]),
    # the model's names are none of the command's: the names said with the kind words
    ("in staging create namespace elections on reader-eks owned by data-desk, and a configmap elections-config on "
     "reader-eks with RACE_FEED=ap",
     "create infrastructure name=readers-eks stack=staging kind=namespace cluster=reader-eks owner=data-desk ; "
     "create infrastructure name=readers-eks stack=staging kind=configmap cluster=reader-eks value=ap",
     ["elections", "elections-config"]),
    # a word that says how it runs is no name
    ("create a deployment running on reader-eks in prod from image nginx:1.27",
     "create deployment stack=prod cluster=reader-eks image=nginx:1.27", [None]),
])
def test_a_plain_name_said_before_where_it_goes(scripted, copper, command, line, want):
    assert [a.name for a in scripted(line).interpret(command, copper).actions] == want


def test_two_creates_of_one_new_resource_are_one(scripted, copper):
    command = ("in staging create namespace elections on reader-eks owned by data-desk, and a configmap "
               "elections-config on reader-eks with RACE_FEED=ap")
    plan = scripted("create infrastructure name=readers-eks stack=staging kind=namespace cluster=reader-eks "
                    "owner=data-desk ; create infrastructure name=readers-eks stack=staging kind=configmap "
                    "cluster=reader-eks ; create infrastructure name=readers-eks stack=staging kind=configmap "
                    "cluster=reader-eks value=ap").interpret(command, copper)
    assert [(a.name, a.parameters.set_values().get("value")) for a in plan.actions] == [
        ("elections", None), ("elections-config", "ap")]
    assert any("wrote it twice" in w for w in plan.warnings)


def test_a_name_and_its_kinds_word_is_the_name(scripted, copper):
    plan = scripted("delete infrastructure name=cms-dns stack=staging kind=dns_record").interpret(
        "delete the cms dns record in staging", copper)
    assert _said(plan) == [("delete", "cms", "staging", {})]
    # a name not there, said with a kind word, is still refused by name
    with pytest.raises(InterpretError, match="cmx-dns"):
        scripted("delete infrastructure name=cmx-dns stack=staging").interpret("delete the cmx dns record in staging",
                                                                            copper)


def test_an_autoscalers_target_said_without_alarm_words_is_its_change(scripted, copper):
    line = "monitor infrastructure name=paywall-api-hpa stack=prod metric=cpu threshold=60"
    plan = scripted(line).interpret("paywall-api-hpa cpu target 60% in prod", copper)
    assert _said(plan) == [("update", "paywall-api-hpa", "prod", {"metric": "cpu", "threshold": 60})]
    # asked as an alarm, it stays one
    plan = scripted(line).interpret("alert me when paywall-api-hpa cpu passes 60% in prod", copper)
    assert [a.type.value for a in plan.actions] == ["monitor"]


def test_a_new_queue_that_keeps_messages(scripted, copper):
    plan = scripted("create infrastructure name=newsletter-bounces stack=prod kind=queue ; "
                    "create infrastructure name=newsletter-events stack=prod kind=topic").interpret(
        "create a queue newsletter-bounces in prod that keeps messages 14 days, and a topic newsletter-events", copper)
    assert plan.actions[0].parameters.set_values()["retention_seconds"] == 14 * 86400


def test_a_lambda_handler_written_out(scripted, copper):
    plan = scripted("create security name=results-lambda-role stack=prod kind=iam_role service=lambda ; "
                    "create infrastructure name=results-notifier stack=prod kind=function "
                    "code=s3://copperlane-artifacts/results-notifier.zip runtime=nodejs20.x").interpret(
        "create role results-lambda-role for lambda in prod and a function results-notifier from "
        "s3://copperlane-artifacts/results-notifier.zip (nodejs20.x, index.handler)", copper)
    assert plan.actions[1].parameters.set_values()["handler"] == "index.handler"


def test_the_target_written_exactly_over_one_said_loosely(scripted, copper):
    # "comments" could be cms said loosely: comments-api is written as it is
    plan = scripted("create infrastructure name=comments-api-hpa stack=prod kind=autoscaler min_size=3 max_size=12 "
                    "metric=cpu threshold=65 cluster=reader-eks ; scale deployment name=comments-api stack=prod "
                    "replicas=3").interpret(
        "add hpa comments-api-hpa in prod for comments-api on reader-eks, 3-12 replicas at 65% cpu, and set "
        "comments-api to 3 replicas now", copper)
    assert plan.actions[0].parameters.set_values()["target"] == "comments-api"


def test_a_create_of_a_names_first_part_is_the_one_there(scripted, copper):
    plan = scripted("create infrastructure name=transcode stack=staging kind=instance count=4").interpret(
        "we need four transcode boxes in staging for the AV1 codec test", copper)
    assert _said(plan) == [("scale", "transcode-workers", "staging", {"count": 4})]
    # asked to make one, it is a new one
    plan = scripted("create infrastructure name=transcode stack=staging kind=instance count=4").interpret(
        "create a new instance transcode in staging, 4 of them", copper)
    assert [(a.type.value, a.name) for a in plan.actions] == [("create", "transcode")]


@pytest.mark.parametrize("verb, want", [("bump", 250), ("cut", 150)])
def test_by_an_amount_written_against_its_unit(scripted, copper, verb, want):
    plan = scripted("update storage name=archive-index stack=staging kind=volume storage_gb=50").interpret(
        f"{verb} the archive-index volume in staging by 50gb", copper)
    assert plan.actions[0].parameters.storage_gb == want


def test_a_value_said_of_one_resource_is_not_anothers(scripted, hollow):
    plan = scripted("update infrastructure name=meter-read-validator stack=prod memory_mb=512 runtime=python3.13 ; "
                    "update infrastructure name=billing-db-rotator stack=prod runtime=python3.13").interpret(
        "prd lambdas: meter-read-validator gets 512MB, and the billing db rotator moves to python3.13", hollow)
    assert _said(plan) == [("update", "meter-read-validator", "prod", {"memory_mb": 512}),
                           ("update", "billing-db-rotator", "prod", {"runtime": "python3.13"})]


def test_a_new_clusters_namespace_on_it(scripted, hollow):
    # the namespace "edge" is not said inside "edge-eks": the cluster it goes on is the new one
    plan = scripted("create infrastructure name=edge-eks stack=dev provider=aws kind=cluster count=2 "
                    "instance_type=t3.large ; create infrastructure name=edge stack=dev kind=namespace "
                    "owner=platform").interpret(
        "new eks cluster edge-eks in dev on t3.large, 2 nodes, then a namespace edge on it owned by platform", hollow)
    assert plan.actions[1].parameters.set_values()["cluster"] == "edge-eks"


def test_a_second_look_at_a_value_said_only_in_its_clause(scripted, hollow):
    command = "staging crons: meter-reconcile on 0 */4 * * * and let storm-drill overlap (concurrency Allow)"
    plan = scripted({
        # the model merged storm-drill's Allow into meter-reconcile's change
        command: 'update infrastructure name=meter-reconcile stack=staging kind=cronjob concurrency_policy=Allow '
                 'schedule="0 */4 * * *"',
        "let storm-drill overlap (concurrency Allow) in staging":
            "update infrastructure name=storm-drill stack=staging kind=cronjob concurrency_policy=Allow",
    }).interpret(command, hollow)
    assert [(a.name, a.parameters.set_values().get("concurrency_policy")) for a in plan.actions] == [
        ("meter-reconcile", None), ("storm-drill", "Allow")]


def test_a_name_said_in_its_words_gets_a_second_look_and_keeps_its_own_time(scripted, copper):
    command = ("move the court records scraper to 5am and the election results scraper to every 10 minutes, prod")
    plan = scripted({
        command: 'update infrastructure name=election-results-scraper stack=prod kind=cronjob schedule="*/10 * * * *"',
        "move the court records scraper to 5am in prod":
            'update infrastructure name=court-records-scraper stack=prod kind=cronjob schedule="0 5 * * *"',
    }).interpret(command, copper)
    # the whole command's "every 10 minutes" is the other job's: each keeps its own part's time
    assert [(a.name, a.parameters.set_values().get("schedule")) for a in plan.actions] == [
        ("court-records-scraper", "0 5 * * *"), ("election-results-scraper", "*/10 * * * *")]


# --- stop 38: readings found on pinecrest (training/written/pinecrest.yaml), after its first
# contact (283/352 at the stop's start, scored before any item was read)


@pytest.fixture
def pine(tmp_path) -> Workspace:
    return _written_repo(tmp_path, "pinecrest")


def test_a_factor_word_with_two_letters_swapped(scripted, pine):
    plan = scripted("scale deployment name=ocr-worker stack=prod").interpret(
        "dobule the ocr workers in production, photo backlog from the hail event", pine)
    assert plan.actions[0].relative == {"replicas": "*2"}


def test_a_name_there_in_another_stack_is_new_in_this_one(scripted, pine):
    plan = scripted("create infrastructure stack=dev kind=namespace owner=fraud-analytics").interpret(
        "dev needs a k8s namespace fraud-ns, owner fraud-analytics", pine)
    assert [(a.name, a.stack) for a in plan.actions] == [("fraud-ns", "dev")]
    assert not any("does nothing to it" in w for w in plan.warnings)


def test_the_key_of_the_change_before_on_another_kind_that_takes_it(scripted, pine):
    plan = scripted("update security name=psp-api-key stack=prod rotation_days=30 ; "
                    "update security name=payments stack=prod kind=kms_key").interpret(
        "CHG-2231: psp-api-key rotation every 30 days and the payments kms key every 180, both prod", pine)
    assert [(a.name, a.parameters.set_values().get("rotation_days")) for a in plan.actions] == [
        ("psp-api-key", 30), ("payments", 180)]


def test_each_number_in_the_stack_said_with_it(scripted, pine):
    plan = scripted("scale deployment name=claims-api stack=staging replicas=4 ; "
                    "scale deployment name=claims-api stack=staging replicas=10").interpret(
        "scale claims-api to 4 in staging and 10 in prod", pine)
    assert [(a.stack, a.parameters.replicas) for a in plan.actions] == [("staging", 4), ("prod", 10)]


def test_a_target_said_without_a_percent_sign(scripted, pine):
    plan = scripted("scale infrastructure name=mobile-bff-hpa stack=prod kind=autoscaler min_size=70").interpret(
        "mobile-bff-hpa in prod, memory target 70", pine)
    assert _said(plan) == [("update", "mobile-bff-hpa", "prod", {"metric": "memory", "threshold": 70})]


@pytest.mark.parametrize("command, line, want", [
    ("let claims-api-hpa in prod go 4 replicas higher",
     "scale infrastructure name=claims-api-hpa stack=prod kind=autoscaler max_size=4", {"max_size": "+4"}),
    # the end the command names, not what the kind counts
    ("raise the max on claims-eks in prod by 4 nodes",
     "scale infrastructure name=claims-eks stack=prod kind=cluster count=+4", {"max_size": "+4"}),
    # an amount said in another key's words
    ("add 100 RCUs to fraud-features in production",
     "scale infrastructure name=fraud-features stack=prod kind=table count=+100", {"read_capacity": "+100"}),
    # nodes added and the max said with a value of its own: the amount stays on the count
    ("add 2 nodes to claims-eks in prod and raise its max to 20",
     "scale infrastructure name=claims-eks stack=prod kind=cluster max_size=+2", {"count": "+2"}),
])
def test_a_relative_change_on_the_key_the_command_says(scripted, pine, command, line, want):
    assert scripted(line).interpret(command, pine).actions[0].relative == want


def test_each_change_takes_the_image_named_after_it(scripted, pine):
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    plan = scripted(f"scale deployment name=quotes-api stack=prod ; update deployment name=quotes-web stack=prod "
                    f"image={registry}/quotes-api:3.4.1").interpret(
        f"bump quotes-api and quotes-web in prod to 3.4.1 ({registry}/quotes-api:3.4.1, {registry}/quotes-web:3.4.1)",
        pine)
    assert [(a.type.value, a.name, a.parameters.image) for a in plan.actions] == [
        ("update", "quotes-api", f"{registry}/quotes-api:3.4.1"), ("update", "quotes-web", f"{registry}/quotes-web:3.4.1")]


def test_the_word_that_introduces_a_value_is_no_value(scripted, pine):
    plan = scripted("create infrastructure name=quotes-web-ing stack=prod kind=ingress host=quote.pinecrestmutual.com "
                    "ingress_class=tls target=quotes-web tls_secret=quotes-tls").interpret(
        "expose quotes-web in prod at quote.pinecrestmutual.com, ingress quotes-web-ing, tls secret quotes-tls", pine)
    values = plan.actions[0].parameters.set_values()
    assert values["tls_secret"] == "quotes-tls" and "ingress_class" not in values


def test_alarms_listed_with_a_threshold_each(scripted, pine):
    plan = scripted("monitor database name=billing-db stack=prod metric=cpu threshold=75").interpret(
        "billing-db prod alarms please: cpu 75, disk 85, connections 250 (PAY-140)", pine)
    assert [(a.type.value, a.parameters.metric, a.parameters.threshold) for a in plan.actions] == [
        ("monitor", "cpu", 75), ("monitor", "disk", 85), ("monitor", "connections", 250)]
    spec = _applied(plan, pine)["prod"]
    assert {(e.metric, e.threshold) for _, e in spec.section("alerts").items() if e.target == "billing-db"} >= {
        ("cpu", 75), ("disk", 85), ("connections", 250)}


def test_an_alarm_on_a_metric_of_what_the_plan_makes(scripted, pine):
    arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d3f-subro-dev"
    plan = scripted(f"create infrastructure name=subro-alb stack=dev kind=load_balancer protocol=HTTPS "
                    f"certificate_arn={arn}").interpret(
        f"new alb subro-alb in dev (https 443, {arn}) and alarm on 5xx over 20", pine)
    assert _said(plan) == [
        ("create", "subro-alb", "dev", {"port": 443, "protocol": "HTTPS", "certificate_arn": arn}),
        ("monitor", "subro-alb", "dev", {"metric": "errors", "threshold": 20})]


@pytest.mark.parametrize("command, line, name", [
    ("prod: ecr repo subro-images keeping 25 images and an iam role subro-task for ecs-tasks",
     "update infrastructure name=subro-images stack=prod kind=registry count=25 ; "
     "create security name=subro-task stack=prod kind=iam_role service=ecs-tasks", "subro-images"),
    ("fraud-scorer-hpa in prod for fraud-scorer: 3 to 9 replicas, target cpu 70%",
     "scale infrastructure name=fraud-scorer-hpa stack=prod kind=autoscaler min_size=3 max_size=9", "fraud-scorer-hpa"),
])
def test_a_change_of_a_name_that_is_nowhere_said_as_a_new_one_is_its_create(scripted, pine, command, line, name):
    plan = scripted(line).interpret(command, pine)
    assert (plan.actions[0].type.value, plan.actions[0].name) == ("create", name)
    assert name in {n for _, n, _ in _applied(plan, pine)["prod"].resources()}


def test_a_name_that_is_nowhere_and_not_said_as_new_is_still_refused(scripted, pine):
    with pytest.raises(InterpretError, match="no resource of that name"):
        scripted("scale infrastructure name=fraud-scorer-hpa stack=prod kind=autoscaler max_size=9").interpret(
            "fraud-scorer-hpa in prod: max 9", pine)


def test_a_delete_of_the_one_said_by_its_name_and_kind_word(scripted, pine):
    plan = scripted("delete security name=warehouse-exports stack=prod kind=kms_key").interpret(
        "delete the warehouse kms key in prod, exports use the claims-data key since DATA-290", pine)
    assert _said(plan) == [("delete", "warehouse", "prod", {})]
    # no second look at the reason: a ticket's key asks nothing
    assert not any("claims-data" in w for w in plan.warnings)


def test_the_plans_one_create_named_by_a_list_item(scripted, pine):
    plan = scripted("create database stack=prod instance_type=db.m5.large engine=postgres storage_gb=250").interpret(
        "CLM-450 need a postgres db for subrogation in prod: subro-db, db.m5.large, 250 GB", pine)
    assert plan.actions[0].name == "subro-db"


def test_the_name_said_after_a_making_word_and_the_kinds_word(scripted, pine):
    plan = scripted("create infrastructure name=repair-shop stack=prod kind=network count=2 cidr=10.44.0.0/16").interpret(
        "NET-64: new vpc partner-net in prod for the repair-shop network integrations, 10.44.0.0/16 over 2 AZs", pine)
    assert plan.actions[0].name == "partner-net"


@pytest.mark.parametrize("said, backed_up", [("back it up once it's there", True), ("don't back it up", False)])
def test_the_backup_asked_of_what_the_plan_makes(scripted, pine, said, backed_up):
    plan = scripted("create database name=claims-archive-db stack=prod instance_type=db.m5.large engine=postgres "
                    "storage_gb=500").interpret(
        f"create claims-archive-db in prod: postgres, db.m5.large, 500gb. {said}", pine)
    want = [("create", "claims-archive-db")] + ([("backup", "claims-archive-db")] if backed_up else [])
    assert [(a.type.value, a.name) for a in plan.actions] == want


def test_of_two_kinds_named_the_one_that_takes_the_value_written(scripted, pine):
    # "vm" and "disk" name two kinds; t3.xlarge is an instance's, not a volume's
    plan = scripted("create infrastructure name=actuarial-sandbox stack=dev kind=volume storage_gb=100").interpret(
        "can I get a vm in dev for the actuarial python stuff? actuarial-sandbox, t3.xlarge, 100gb disk", pine)
    assert [(a.name, a.parameters.kind, a.parameters.instance_type, a.parameters.storage_gb) for a in plan.actions] == [
        ("actuarial-sandbox", "instance", "t3.xlarge", 100)]
    spec = _applied(plan, pine)["dev"]
    assert spec.find("actuarial-sandbox")[0] == "instances"


def test_a_change_written_without_a_name_is_of_the_one_the_command_names(scripted, pine):
    plan = scripted("update infrastructure stack=dev kind=instance instance_type=t3.xlarge").interpret(
        "devboxes in dev should be t3.xlarge, builds are crawling", pine)
    assert _said(plan) == [("update", "devbox", "dev", {"instance_type": "t3.xlarge"})]
    # a delete is not read so: it is said by its name or refused
    with pytest.raises(InterpretError, match="names no existing resource"):
        scripted("delete infrastructure stack=dev kind=instance").interpret("get rid of the devboxes in dev", pine)


def test_readings_that_hold_back_where_the_command_says_otherwise(scripted, tmp_path):
    # found by the oracle (the labels' own plans through the guard) on three older sets
    cinder, fern = _written_repo(tmp_path / "c", "cinderpeak"), _written_repo(tmp_path / "f", "fernhollow")
    # a command that takes its first name back keeps the name it settles on
    plan = scripted("create infrastructure name=arena-test-nlb stack=dev kind=lb_service port=7777 "
                    "cidr=203.0.113.0/24 target=arena-gs").interpret(
        "create a loadbalancer service royale-nlb in dev for royale... wait no we don't run royale in dev. make it "
        "for arena-gs, call it arena-test-nlb, port 7777, only from 203.0.113.0/24", cinder)
    assert plan.actions[0].name == "arena-test-nlb"
    # a number said as what was ("min 6 -> 7", "instead of keeping 6") is no key said in its words
    plan = scripted("scale infrastructure name=platform stack=prod kind=cluster min_size=7 ; update infrastructure "
                    "name=matchmaker-pdb stack=prod kind=pdb max_unavailable=2").interpret(
        "ticket OPS-2210: platform cluster prod min 6 -> 7, and the matchmaker pdb should allow at most 2 down "
        "instead of keeping 6", cinder)
    assert "min_available" not in plan.actions[1].parameters.set_values()
    # a target another action of the plan sets is not read onto the scale beside it
    plan = scripted("update infrastructure name=records-hpa stack=prod kind=autoscaler metric=cpu threshold=60 ; "
                    "scale infrastructure name=records-hpa stack=prod kind=autoscaler max_size=12").interpret(
        "records-hpa: cpu target 60, max 12", fern)
    assert [a.type.value for a in plan.actions] == ["update", "scale"]


def test_a_range_end_said_of_one_action_is_not_anothers(scripted, tmp_path):
    larch = _written_repo(tmp_path, "larchfield")
    plan = scripted("scale infrastructure name=telematics-hpa stack=prod kind=autoscaler max_size=*2 ; "
                    "scale infrastructure name=yard stack=prod kind=cluster count=+1").interpret(
        "double the telematics hpa max and add a node to the yard cluster, prod", larch)
    assert [a.relative for a in plan.actions] == [{"max_size": "*2"}, {"count": "+1"}]


def test_a_second_look_only_at_names_there_in_the_stacks_in_play(scripted, tmp_path):
    # "the listings hpa" spells listings-hpa, which prod does not have (its hpa is
    # listings-api-hpa): no clause of a prod command is read again for it
    from agentops.interpret.clauses import key_words, left_out, names_in_play
    from agentops.planline import parse

    larch = _written_repo(tmp_path, "larchfield")
    specs = larch.load_all()
    command = "bump the listings hpa max to 40 in prod, spring planting rush starts monday"
    actions = parse("scale infrastructure name=listings-api-hpa stack=prod kind=autoscaler max_size=40", larch.kinds)
    assert not left_out(actions, command, names_in_play(actions, ["prod"], specs), key_words(larch.kinds))
    # nor for a digit of an instance type: "t3.medium keeps OOMing the fare engine" asks nothing of it
    tide = _written_repo(tmp_path / "t", "tidewater")
    specs = tide.load_all()
    command = "move fleet-dev onto t3.large instances, t3.medium keeps OOMing the fare engine"
    actions = parse("update infrastructure name=fleet-dev stack=dev kind=instance instance_type=t3.large", tide.kinds)
    assert not left_out(actions, command, names_in_play(actions, ["dev"], specs), key_words(tide.kinds))
