"""Resource kinds as plug-ins: the registry, entry-point discovery, a repository's own kind (a
CloudFront distribution in tests/team_repo) taken through every stage like a built-in one, and
the refusal of kinds nobody registered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from agentops import kinds
from agentops.actionplan import Action, ActionPlan, ActionType, Parameters, ResourceType
from agentops.errors import InterpretError, SpecError

ROOT = Path(__file__).resolve().parents[1]
TEAM_REPO = Path(__file__).resolve().parent / "team_repo"
BUILTIN_SECTIONS = ["network", "instances", "clusters", "deployments", "databases", "storage",
                    "alerts", "security"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(autouse=True)
def _installed_kinds_afterwards():
    # A repository's kinds become the process's active registry: other tests get the
    # installed kinds back.
    yield
    kinds.reset_active()


@pytest.fixture()
def team_repo(tmp_path: Path) -> Path:
    """A git repository with the team's CloudFront kind, its .agentops.yaml and the policy pack."""
    repo = tmp_path / "repo"
    shutil.copytree(TEAM_REPO, repo)
    (repo / "dot-agentops.yaml").rename(repo / ".agentops.yaml")
    shutil.copytree(ROOT / "policies", repo / "policies")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


# --- the registry -----------------------------------------------------------------------------


def test_builtin_kinds_are_registered_in_spec_order():
    registry = kinds.installed()
    assert registry.sections()[:len(BUILTIN_SECTIONS)] == BUILTIN_SECTIONS
    # Rendering: what others refer to first, alerts last.
    order = [k.section for k in registry.rendering()]
    assert order.index("network") < order.index("security") < order.index("clusters")
    assert order[-1] == "alerts"
    for kind in registry:
        assert kind.source_file and Path(kind.source_file).is_file()


def test_pyproject_registers_the_builtins_through_the_entry_point_group():
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert table["project"]["entry-points"][kinds.ENTRY_POINT_GROUP] == kinds.BUILTIN_KINDS


def test_an_installed_package_registers_a_kind_through_the_entry_point_group(tmp_path, monkeypatch):
    # A real distribution on sys.path (a .dist-info with entry_points.txt), as pip would leave it.
    (tmp_path / "acme_kinds.py").write_text(
        (TEAM_REPO / "kinds" / "cloudfront.py").read_text())
    dist = tmp_path / "acme_kinds-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-kinds\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        f"[{kinds.ENTRY_POINT_GROUP}]\ncdn = acme_kinds:CloudFrontKind\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    kinds.installed.cache_clear()
    try:
        registry = kinds.installed()
        assert "distributions" in registry
        assert registry["distributions"].name == "cdn"
        assert registry["distributions"].source_file == str(tmp_path / "acme_kinds.py")
    finally:
        monkeypatch.delitem(sys.modules, "acme_kinds", raising=False)
        sys.path.remove(str(tmp_path))
        kinds.installed.cache_clear()
    assert "distributions" not in kinds.installed()


def test_two_kinds_for_one_section_is_an_error():
    network = kinds.installed()["network"]

    class Other(type(network)):
        name = "other-network"

    with pytest.raises(kinds.KindError, match="both declare section 'network'"):
        kinds.Registry([network, Other()])


def test_a_kind_without_a_model_is_refused_with_what_it_lacks():
    class Empty(kinds.Kind):
        name = "empty"
        section = "empties"

    with pytest.raises(kinds.KindError, match="no pydantic entry model"):
        kinds.Registry([Empty()])


# --- a repository's own kind ------------------------------------------------------------------


def test_team_kind_is_discovered_from_the_repository(team_repo):
    from agentops.spec import Workspace

    registry = Workspace(team_repo).kinds
    assert "distributions" in registry
    assert registry.sections()[:len(BUILTIN_SECTIONS)] == BUILTIN_SECTIONS
    assert registry["distributions"].source_file == str(team_repo / "kinds" / "cloudfront.py")
    spec = Workspace(team_repo).load("dev")
    assert list(spec.distributions) == ["site-cdn"]
    assert spec.find("site-cdn")[0] == "distributions"
    # Without the repository, the section is unknown.
    assert "distributions" not in kinds.installed()


def test_team_kind_entries_are_validated_with_file_line_column(team_repo):
    from agentops.spec import Workspace

    registry = Workspace(team_repo).kinds
    from agentops.spec import load_spec_text

    bad = "storage:\n  site: {kind: bucket}\ndistributions:\n  cdn:\n    origin: site\n    viewer_protocol: ftp\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(bad, "stacks/dev.yaml", registry)
    assert "stacks/dev.yaml:6:5: distributions.cdn.viewer_protocol" in str(info.value)
    missing = "distributions:\n  cdn: {origin: nowhere}\n"
    with pytest.raises(SpecError, match=r"distributions.cdn.origin: no origin named 'nowhere'"):
        load_spec_text(missing, "stacks/dev.yaml", registry)
    volume = "storage:\n  v: {kind: volume, size_gb: 5}\ndistributions:\n  cdn: {origin: v}\n"
    with pytest.raises(SpecError, match="is a volume; a distribution serves a bucket"):
        load_spec_text(volume, "stacks/dev.yaml", registry)


def test_a_section_no_kind_declares_is_an_error_listing_the_known_ones(team_repo):
    from agentops.spec import load_spec_text

    text = "region: us-east-1\nkafka_topics:\n  jobs: {}\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "stacks/dev.yaml", kinds.installed())
    message = str(info.value)
    assert "stacks/dev.yaml:2:1: kafka_topics: unknown field" in message
    assert "no kind declares a section 'kafka_topics'" in message
    assert "known sections: " + ", ".join(kinds.installed().sections()) in message
    # The same spec section is fine where a kind declares it.
    from agentops.spec import Workspace

    ok = "storage:\n  site: {kind: bucket}\ndistributions:\n  cdn: {origin: site}\n"
    load_spec_text(ok, "stacks/dev.yaml", Workspace(team_repo).kinds)
    with pytest.raises(SpecError, match="no kind declares a section 'distributions'"):
        load_spec_text(ok, "stacks/dev.yaml", kinds.installed())


def test_team_kind_renders_under_pulumi_mocks(team_repo):
    from agentops import offline
    from agentops.spec import Workspace

    spec = Workspace(team_repo).load("dev")
    graph = offline.capture_spec(spec, "dev")
    dist = [r for r in graph.resources if r.type == "aws:cloudfront/distribution:Distribution"]
    assert len(dist) == 1
    dist = dist[0]
    assert dist.spec_ref == "distributions.site-cdn"
    parent = graph.by_urn()[dist.parent]
    assert parent.type == "agentops:spec:distributions" and parent.name == "site-cdn"
    assert dist.inputs["defaultCacheBehavior"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert dist.inputs["defaultCacheBehavior"]["targetOriginId"] == "site"
    assert dist.inputs["priceClass"] == "PriceClass_100"
    assert dist.inputs["tags"]["environment"] == "dev"
    assert dist.inputs["tags"]["owner"] == "web-team"
    # The origin is the stack's bucket: the distribution depends on it.
    bucket = next(r for r in graph.resources if r.type == "aws:s3/bucket:Bucket")
    assert bucket.urn in dist.dependencies


def test_team_kind_is_planned_offline_in_worker_processes(team_repo, monkeypatch, capsys, tmp_path):
    from agentops.cli import main

    monkeypatch.setenv("AGENTOPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(team_repo)
    spec = team_repo / "stacks" / "dev.yaml"
    spec.write_text(spec.read_text() + "    viewer_protocol: https-only\n  docs-cdn: {origin: site}\n")
    try:
        main(["plan", "--format", "json"])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    assert code == 0, err
    plan = json.loads(out)
    changes = [c for s in plan["stacks"] for c in s["changes"]]
    created = {(c["type"], c["spec_ref"]) for c in changes if c["kind"] == "create"}
    assert ("aws:cloudfront/distribution:Distribution", "distributions.docs-cdn") in created
    updated = [c for c in changes if c["kind"] == "update"
               and c["spec_ref"] == "distributions.site-cdn"]
    assert updated and any(f["path"] == "defaultCacheBehavior.viewerProtocolPolicy"
                           and f["new"] == "https-only" for f in updated[0]["fields"])


def test_team_kind_is_priced(team_repo):
    from agentops.cost import estimate
    from agentops.spec import Workspace

    cost = estimate(Workspace(team_repo).load("dev"), "dev")
    line = next(l for l in cost.lines if l.resource == "distributions.site-cdn")
    assert line.monthly_usd == 8.5  # 100 GB x 0.085
    assert "distributions.site-cdn" not in cost.unpriced


def test_team_kind_is_policy_checked_with_its_own_rule(team_repo):
    from agentops import offline
    from agentops.config import load_config
    from agentops.policy import evaluate_graph, load_pack
    from agentops.spec import Workspace, load_spec_text

    workspace = Workspace(team_repo)
    pack = load_pack(team_repo)
    assert "cloudfront-no-plain-http" in {p.name for p in pack.policies}
    text = (team_repo / "stacks" / "dev.yaml").read_text() + "    viewer_protocol: allow-all\n"
    graph = offline.capture_spec(load_spec_text(text, "stacks/dev.yaml", workspace.kinds), "dev")
    verdicts = evaluate_graph(graph, load_config(team_repo), root=team_repo)
    plain_http = [v for v in verdicts if v.policy == "cloudfront-no-plain-http"]
    assert plain_http and plain_http[0].enforcement == "mandatory"
    assert plain_http[0].resource == "distributions.site-cdn"
    # The required-tags rule covers the team kind's resources too.
    tagless = text.replace("tags: {owner: web-team}", "tags: {}")
    graph = offline.capture_spec(load_spec_text(tagless, "stacks/dev.yaml", workspace.kinds), "dev")
    verdicts = evaluate_graph(graph, load_config(team_repo), root=team_repo)
    assert any(v.policy == "required-tags" and v.resource == "distributions.site-cdn"
               for v in verdicts)


def test_team_kind_takes_edits_and_alerts(team_repo):
    from agentops.edit import EditError, apply_plan
    from agentops.spec import Workspace

    registry = Workspace(team_repo).kinds
    texts = {"dev": (team_repo / "stacks" / "dev.yaml").read_text()}

    def plan(*actions: Action) -> ActionPlan:
        return ActionPlan(command="c", interpretation="i", actions=list(actions))

    update = Action(type=ActionType.update, resource=ResourceType.infrastructure,
                    name="site-cdn", stack="dev", parameters=Parameters(protocol="https-only"))
    result = apply_plan(plan(update), texts, kinds=registry)
    assert "viewer_protocol: https-only" in result.texts["dev"]
    create = Action(type=ActionType.create, resource=ResourceType.infrastructure, stack="dev",
                    parameters=Parameters(kind="distribution"))
    with pytest.raises(SpecError, match="origin"):  # a distribution needs its origin
        apply_plan(plan(create), texts, kinds=registry)
    monitor = Action(type=ActionType.monitor, resource=ResourceType.infrastructure,
                     name="site-cdn", stack="dev", parameters=Parameters(metric="errors", threshold=5))
    result = apply_plan(plan(monitor), texts, kinds=registry)
    assert "site-cdn-errors:\n    target: site-cdn" in result.texts["dev"]
    delete = Action(type=ActionType.delete, resource=ResourceType.infrastructure,
                    name="site-cdn", stack="dev")
    assert "distributions" not in apply_plan(plan(delete), texts, kinds=registry).texts["dev"]
    # A nameless target is an error listing what exists, never the only distribution.
    nameless = Action(type=ActionType.update, resource=ResourceType.infrastructure, stack="dev",
                      parameters=Parameters(kind="distribution", protocol="https-only"))
    with pytest.raises(EditError, match=r"names no resource.*distributions.site-cdn"):
        apply_plan(plan(nameless), texts, kinds=registry)


def test_team_kind_alarm_renders_its_own_metric(team_repo):
    from agentops import offline
    from agentops.spec import Workspace, load_spec_text

    workspace = Workspace(team_repo)
    text = (team_repo / "stacks" / "dev.yaml").read_text() + (
        "alerts:\n  cdn-errors: {target: site-cdn, metric: errors, threshold: 5}\n")
    graph = offline.capture_spec(load_spec_text(text, "stacks/dev.yaml", workspace.kinds), "dev")
    alarm = next(r for r in graph.resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm")
    assert alarm.inputs["namespace"] == "AWS/CloudFront"
    assert alarm.inputs["metricName"] == "5xxErrorRate"


def test_kinds_folder_outside_the_repository_is_refused(team_repo, tmp_path):
    from agentops.spec import Workspace

    (team_repo / ".agentops.yaml").write_text("kinds: {path: ../elsewhere}\n")
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(kinds.KindError, match="outside the repository"):
        Workspace(team_repo)


def test_kind_file_symlinked_from_outside_is_refused(team_repo, tmp_path):
    from agentops.spec import Workspace

    outside = tmp_path / "evil.py"
    outside.write_text("raise SystemExit('ran code from outside the repository')\n")
    os.symlink(outside, team_repo / "kinds" / "evil.py")
    with pytest.raises(kinds.KindError, match="symlink leaving the repository"):
        Workspace(team_repo)


def test_graph_cache_key_covers_the_team_kind_file(team_repo):
    from agentops import graphcache
    from agentops.spec import Workspace

    spec = Workspace(team_repo).load("dev")
    before = graphcache.key(spec, "dev", "agentops")
    assert before == graphcache.key(spec, "dev", "agentops")
    kind_file = team_repo / "kinds" / "cloudfront.py"
    kind_file.write_text(kind_file.read_text() + "\n# a changed renderer\n")
    spec = Workspace(team_repo).load("dev")
    assert graphcache.key(spec, "dev", "agentops") != before


# --- refusing what no kind declares ----------------------------------------------------------


@pytest.mark.parametrize("command, phrase", [
    ("create an opensearch domain called logs in dev", "opensearch domain"),
    ("create a kafka topic named events in dev", "kafka topic"),
    ("spin up a cognito user pool in dev", "cognito"),
])
def test_commands_for_unknown_kinds_are_refused_by_name(command, phrase):
    registry = kinds.installed()
    with pytest.raises(InterpretError) as info:
        kinds.refuse_unknown(command, registry)
    assert f"agentops has no kind for '{phrase}'; it knows: " in info.value.message
    assert "bucket/volume (storage)" in info.value.message


@pytest.mark.parametrize("command", [
    # where something went, the reason for the change
    "replay-events in staging isn't used since the replay tool moved to kinesis. delete it",
    "delete the track page ingress in staging, the public tracking page moved to the CDN",
    "remove the admin dns record in prod, the admin console sits behind the VPN hostname",
    # an existing thing written out after it: a value, not a kind to make
    "create an A record for shop.example.com pointing at 198.51.100.42 in hosted zone Z03817442K1CPGGD",
    "point cdn.example.com at the new cloudfront distribution d2m4newcdn9.cloudfront.net",
    # a word of a team
    "stores-link vpc in staging should use 10.51.0.0/20, the store VPN team wants the rest back",
    # what something talks to now, what a change gets out of the way of
    "delete policy-events topic in prod, billing subscribes to the event bus now",
    "dev core network -> 10.21.0.0/16, the old range collides with the office vpn",
])
def test_a_missing_kind_said_as_context_is_not_refused(command):
    kinds.refuse_unknown(command, kinds.installed())  # nothing raised


@pytest.mark.parametrize("command, phrase", [
    ("migrate the replay queue to kinesis", "kinesis"),
    ("put a cdn in front of the assets bucket", "cdn"),
    ("create a kinesis stream events2026 in dev", "kinesis"),
    ("the CDN pulls from the bucket directly now", "cdn"),  # not one of the context shapes
    ("we moved to kinesis, now create a kinesis stream for replays", "kinesis"),  # asked for once
    ("make billing subscribe to an event bus in prod", "event bus"),
    ("create a vpn for the office in prod", "vpn"),
])
def test_a_missing_kind_asked_for_is_refused_even_beside_context(command, phrase):
    with pytest.raises(InterpretError, match=f"agentops has no kind for '{phrase}"):
        kinds.refuse_unknown(command, kinds.installed())


@pytest.mark.parametrize("command, phrase, section", [
    ("add a redis cache cluster to prod", "redis cache cluster", "caches"),
    ("set up a lambda function for thumbnails in staging", "lambda function", "functions"),
    ("add an application load balancer in front of api in prod", "application load balancer", "load_balancers"),
    ("create an SQS queue called jobs in dev", "sqs queue", "queues"),
])
def test_commands_for_kinds_marked_not_interpreted_are_refused_by_name(command, phrase, section):
    # Every built-in kind takes commands; a kind that says `interpreted = False` (a team's kind
    # not ready for commands) is refused by name, never guessed.
    from agentops.kinds import Registry

    registry = Registry([type(k)() if k.section != section else
                         type(type(k).__name__, (type(k),), {"interpreted": False})()
                         for k in kinds.installed()])
    with pytest.raises(InterpretError) as info:
        kinds.refuse_unknown(command, registry)
    assert f"cannot interpret commands for '{phrase}' yet" in info.value.message
    assert f"{section}:" in info.value.hint  # where to write it instead
    kinds.refuse_unknown(command, kinds.installed())  # the built-in one takes it


def test_nothing_the_interpreter_handled_is_refused():
    from ruamel.yaml import YAML

    from agentops.evaluate import ERROR, load_eval_set

    commands = [e["command"] for e in YAML(typ="safe").load(
        (ROOT / "agentops" / "data" / "examples.yaml").read_text())]
    for path in sorted((ROOT / "evals").glob("*.yaml")):
        commands += [i.command for i in load_eval_set(path) if i.expect != ERROR]
    assert len(commands) > 300
    registry = kinds.installed()
    refused = []
    for command in commands:
        try:
            kinds.refuse_unknown(command, registry)
        except InterpretError as error:
            refused.append(error.message.split(";")[0])
    # what was refused only: the held-out sets' commands are not printed
    assert refused == []


def test_names_and_images_are_not_read_as_kinds():
    words = kinds.installed().words()
    assert kinds.unknown_kind_words("run redis:7.2 as cache in dev", words) == []
    assert kinds.unknown_kind_words("deploy ghcr.io/acme/queue:2.0.1 as queue in dev", words) == []
    assert kinds.unknown_kind_words("scale queue in dev to 3 replicas", words, ["queue"]) == []
    assert kinds.unknown_kind_words("add a 50 GB volume named build-cache", words) == []


def test_the_kinds_a_command_names_are_found_for_the_guard(team_repo):
    from agentops.spec import Workspace

    registry = Workspace(team_repo).kinds
    named = kinds.kinds_named("put a cloudfront distribution in front of the site bucket", registry)
    assert [k.section for k in named] == ["storage", "distributions"]
    assert kinds.kinds_named("run redis:7.2 as cache in dev", registry) == []
    assert [k.section for k in kinds.kinds_named("scale the api deployment", registry)] == ["deployments"]


def test_a_registered_kind_lets_its_words_through(team_repo):
    from agentops.spec import Workspace

    command = "create a cloudfront distribution in dev"
    assert kinds.unknown_kind_words(command, kinds.installed().words()) == ["cloudfront"]
    assert kinds.unknown_kind_words(command, Workspace(team_repo).kinds.words()) == []


def test_interpret_refuses_an_unknown_kind_before_the_model_and_writes_nothing(team_repo):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AGENTOPS_MODEL": str(team_repo / "no-model.gguf")}
    before = subprocess.run(["git", "status", "--porcelain"], cwd=team_repo, capture_output=True,
                            text=True).stdout
    proc = subprocess.run([sys.executable, "-m", "agentops", "interpret",
                           "create a kafka topic called jobs in dev"],
                          cwd=team_repo, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "agentops has no kind for 'kafka topic'; it knows:" in proc.stderr
    assert "distribution (distributions)" in proc.stderr  # the repository's own kind is listed
    assert "Traceback" not in proc.stderr
    after = subprocess.run(["git", "status", "--porcelain"], cwd=team_repo, capture_output=True,
                           text=True).stdout
    assert before == after


# --- `agentops kinds` -------------------------------------------------------------------------


def agentops(*args: str) -> int:
    from agentops.cli import main

    try:
        main(list(args))
    except SystemExit as exc:
        return exc.code or 0
    return 0


def test_kinds_command_prints_the_registry(team_repo, monkeypatch, capsys):
    monkeypatch.chdir(team_repo)
    assert agentops("kinds", "--format", "json") == 0
    records = {r["section"]: r for r in json.loads(capsys.readouterr().out)}
    assert list(records)[:len(BUILTIN_SECTIONS)] == BUILTIN_SECTIONS
    assert records["distributions"]["source"] == "repository"
    assert "cloudfront-no-plain-http" in records["distributions"]["rules"]
    assert records["deployments"]["parameters"]["scale"] == {"replicas": "replicas",
                                                              "count": "replicas"}
    # an alarm's threshold unit, where its metric has one (a Lambda's Duration is in ms)
    assert records["functions"]["alarm_units"] == {"latency": "ms"}
    assert records["queues"]["alarm_units"] == {"latency": "s"}
    assert agentops("kinds") == 0
    text = capsys.readouterr().out
    assert "storage (storage: storage, agentops)" in text
    assert "latency (ms)" in text


@pytest.mark.parametrize("doc", ["README.md", "docs/specs.md"])
def test_the_documented_stack_spec_examples_are_valid_specs(doc):
    # A user copies these: a field that is not there, a reference to nothing or a name used
    # twice would be refused by the first `agentops check` they run.
    from agentops.spec import load_spec_text

    text = (ROOT / doc).read_text(encoding="utf-8")
    examples = [b.split("```", 1)[0] for b in text.split("```yaml\n")[1:]]
    specs = [b for b in examples if b.startswith("provider:")]
    assert specs, f"{doc}: no stack spec example (a ```yaml block starting with provider:)"
    for block in specs:
        spec = load_spec_text(block, doc)
        assert len({section for section, _, _ in spec.resources()}) >= 8


def test_readme_table_of_kinds_is_the_generated_one(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)  # outside any repository: the installed kinds
    assert agentops("kinds", "--format", "markdown") == 0
    table = capsys.readouterr().out
    assert table.startswith("| kind | section |")
    assert table in (ROOT / "README.md").read_text(), \
        "README.md's table of kinds is stale: regenerate it with `agentops kinds --format markdown`"
