"""The Kubernetes kinds (namespaces, config maps, ingresses, cron jobs, autoscalers): registered
through the entry points, their words understood, their specs validated with clear errors,
rendered under Pulumi's mocks on the cluster's Kubernetes provider, edited by every action they
support, listed as unpriced (their cluster's nodes are priced), checked by their CrossGuard
rules, and taken through the offline plan and `agentops check`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agentops import offline, policy
from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.config import RepoConfig
from agentops.cost import estimate
from agentops.edit import apply_plan
from agentops.errors import InterpretError, SpecError
from agentops.graph import Resource, ResourceGraph
from agentops.kinds import EditError, Registry, installed, refuse_unknown, unknown_kind_words
from agentops.kinds.k8s_common import check_cron, check_image, secret_reason
from agentops.spec import load_spec_text

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["namespaces", "config_maps", "ingresses", "cron_jobs", "autoscalers", "lb_services",
            "disruption_budgets"]
# Objects that only run on the cluster's nodes (unpriced; the NLB of an lb_services entry is
# priced on its own).
NODE_ONLY = [s for s in SECTIONS if s != "lb_services"]
RULES = {
    # name: (enforcement, severity)
    "k8s-namespace-owner": ("mandatory", "medium"),
    "k8s-configmap-no-secrets": ("mandatory", "critical"),
    "k8s-ingress-tls": ("mandatory", "high"),
    "k8s-cronjob-image-pinned": ("mandatory", "medium"),
    "k8s-cronjob-limits": ("mandatory", "medium"),
    "k8s-hpa-min-replicas": ("mandatory", "high"),
    "k8s-hpa-max-above-min": ("mandatory", "medium"),
    "k8s-lb-no-public-admin-ports": ("mandatory", "critical"),
    "k8s-pdb-allows-disruption": ("mandatory", "medium"),
}

# One example entry of every kind, every rule satisfied in production.
SPEC = """\
provider: aws
region: us-east-1
tags: {owner: platform}
clusters:
  main: {instance_type: m5.large, desired_size: 3, min_size: 2, max_size: 6}
deployments:
  api:
    cluster: main
    image: ghcr.io/acme/api:1.8.2
    namespace: shop
    replicas: 2
    port: 8080
    limits: {cpu: 500m, memory: 512Mi}
  web:
    cluster: main
    image: ghcr.io/acme/web:2.3.0
    replicas: 2
    port:
    limits: {cpu: 250m, memory: 128Mi}
namespaces:
  shop-ns: {cluster: main, name: shop, labels: {owner: team-shop}}
config_maps:
  api-config:
    cluster: main
    namespace: shop
    data: {LOG_LEVEL: info, WORKERS: 4, FEATURE_X: true, API_URL: "https://api.example.com/v1"}
ingresses:
  api-web:
    cluster: main
    host: api.example.com
    path: /v1
    target: api
    tls_secret: api-tls
    ingress_class: alb
cron_jobs:
  report:
    cluster: main
    namespace: shop
    schedule: "0 3 * * MON-FRI"
    image: ghcr.io/acme/report:1.4.0
    command: [python, -m, report]
    env: {REPORT_BUCKET: reports}
    concurrency_policy: Replace
    time_zone: Europe/Paris
    limits: {cpu: 250m, memory: 256Mi}
autoscalers:
  api-hpa: {cluster: main, target: api, min_replicas: 2, max_replicas: 8, memory_utilization: 75}
lb_services:
  api-lb: {cluster: main, target: api, port: 443, source_ranges: [203.0.113.0/24]}
  api-admin: {cluster: main, target: api, port: 22, internal: true}
disruption_budgets:
  api-pdb: {cluster: main, target: api, min_available: 1}
"""

# Breaks every rule a spec can break (the others are refused when the spec is read).
FAILING = """\
provider: aws
region: us-east-1
tags: {owner: platform}
clusters:
  main: {}
deployments:
  api: {cluster: main, image: ghcr.io/acme/api:1.8.2, replicas: 2, limits: {cpu: "1", memory: 1Gi}}
namespaces:
  loose: {cluster: main}
ingresses:
  open: {cluster: main, host: shop.example.com, target: api}
cron_jobs:
  nightly: {cluster: main, schedule: "@daily", image: ghcr.io/acme/report:latest}
  untagged: {cluster: main, schedule: "*/10 * * * *", image: busybox, limits: {cpu: 100m}}
autoscalers:
  api-hpa: {cluster: main, target: api, min_replicas: 1, max_replicas: 3}
lb_services:
  db-lb: {cluster: main, target: api, port: 5432, target_port: 5432}
"""

NOW = lambda: datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)  # noqa: E731


def one(graph: ResourceGraph, type_: str, name: str | None = None) -> Resource:
    found = [r for r in graph.resources if r.type == type_ and (name is None or r.name == name)]
    assert len(found) == 1, f"{type_} {name}: {[r.name for r in found]}"
    return found[0]


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "stacks/dev.yaml")
    assert info.value.hint
    return str(info.value)


# --- registration and words ------------------------------------------------------------------


def test_kinds_are_registered_through_the_entry_point_group():
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["agentops.kinds"]
    for section in SECTIONS:
        assert table[section].startswith(f"agentops.kinds.{section}:")
    registry = installed()
    missing = [s for s in SECTIONS if s not in registry]
    # The entry points are read from the installed metadata: an install made before these
    # kinds were added needs `pip install -e .` (or `python setup.py egg_info`) again.
    assert not missing, f"not registered: {missing}; refresh the package metadata"
    for section in SECTIONS:
        kind = registry[section]
        assert kind.source_file.endswith(f"agentops/kinds/{section}.py")
        assert kind.references["cluster"] == "clusters"
        assert kind.priced == (section == "lb_services")
        assert kind.policies() and {p.name for p in kind.policies()} == set(kind.rules)
    # After the built-in sections of the base install, in the order of the modules.
    order = registry.sections()
    assert [s for s in order if s in SECTIONS] == SECTIONS
    assert order.index(SECTIONS[0]) > order.index("security")


@pytest.mark.parametrize("command", [
    "create a configmap called settings in dev",
    "add a config map for the api in staging",
    "create a cron job that runs the report nightly in prod",
    "schedule a cronjob report every day",
    "add an hpa for api in prod",
    "add a horizontal pod autoscaler on api",
    "create a kubernetes namespace payments",
    "create a k8s namespace for team shop",
    "add a k8s ingress for api.example.com",
    "list the ingresses in prod",
    "add an autoscaler for web",
    "put an nlb in front of api",
    "expose api through a loadbalancer service",
])
def test_the_kinds_words_are_understood_not_refused(command):
    from agentops import kinds

    # The words name these kinds, which the interpreter takes commands for: nothing is refused
    # before the model (and the create check holds the model to the kind named).
    registry = kinds.installed()
    kinds.refuse_unknown(command, registry)
    assert registry.by_kind_value(None) is None and kinds.kinds_named(command, list(registry), [])


def test_what_these_kinds_do_not_make_is_still_refused():
    assert unknown_kind_words("install an ingress controller in dev", installed().words()) == \
        ["ingress controller"]
    # Words of kinds the registry has are understood; what none claims is still refused.
    assert unknown_kind_words("create an sqs queue", installed().words()) == []
    assert unknown_kind_words("add a vpn gateway to prod", installed().words()) == ["vpn gateway"]
    assert unknown_kind_words("create an opensearch domain", installed().words()) == ["opensearch domain"]


def test_kind_words_select_the_kind():
    registry = installed()
    for word, section in [("configmap", "config_maps"), ("cronjob", "cron_jobs"),
                          ("hpa", "autoscalers"), ("ingress", "ingresses"),
                          ("namespace", "namespaces"), ("autoscaler", "autoscalers"),
                          ("pdb", "disruption_budgets"), ("lb_service", "lb_services"),
                          ("nlb", "lb_services")]:
        assert registry.by_kind_value(word).section == section


# --- validation ------------------------------------------------------------------------------


def test_example_spec_validates():
    spec = load_spec_text(SPEC, "stacks/prod.yaml")
    assert spec.config_maps["api-config"].data == {
        "LOG_LEVEL": "info", "WORKERS": "4", "FEATURE_X": "true",
        "API_URL": "https://api.example.com/v1"}
    assert spec.cron_jobs["report"].concurrency_policy == "Replace"
    assert spec.autoscalers["api-hpa"].cpu_utilization == 80  # the default target
    assert spec.ingresses["api-web"].namespace is None  # the target's (shop)


@pytest.mark.parametrize("section, entry", [
    ("namespaces", "{cluster: nope}"),
    ("config_maps", "{cluster: nope, data: {A: b}}"),
    ("cron_jobs", "{cluster: nope, schedule: '@daily', image: 'busybox:1.36'}"),
    ("ingresses", "{cluster: nope, host: a.example.com, target: api}"),
    ("autoscalers", "{cluster: nope, target: api}"),
    ("lb_services", "{cluster: nope, target: api}"),
    ("disruption_budgets", "{cluster: nope, target: api}"),
])
def test_a_cluster_that_does_not_exist_is_refused_with_the_list(section, entry):
    message = spec_error(SPEC.replace(f"\n{section}:\n", f"\n{section}:\n  extra: {entry}\n", 1))
    assert f"{section}.extra.cluster: no cluster named 'nope' (defined: main)" in message


@pytest.mark.parametrize("schedule", [
    "*/15 * * * *", "0 3 * * MON-FRI", "0 0 1 jan,jul ?", "5,35 9-17/2 * * 1-5", "@hourly",
    "@every 90m", "0 0 * * 0", "59 23 31 12 6",
])
def test_valid_cron_schedules(schedule):
    assert check_cron(schedule) == schedule


@pytest.mark.parametrize("schedule, problem", [
    ("* * * *", "has 4 field(s)"),
    ("60 * * * *", "minute field '60' is invalid: '60' is out of range"),
    ("0 24 * * *", "hour field"),
    ("0 0 0 * *", "day of month field"),
    ("0 0 * 13 *", "month field"),
    ("0 0 * * 7", "day of week field"),
    ("0 0 * * FUNDAY", "is not a number or name"),
    ("*/0 * * * *", "step '0' is not a positive number"),
    ("0 5-2 * * *", "runs backwards"),
    ("? * * * *", "'?' is only for day of month or day of week"),
    ("TZ=UTC 0 3 * * *", "set time_zone"),
    ("@fortnightly", "not a schedule macro"),
    ("every day at 3", "has 4 field(s)"),
])
def test_invalid_cron_schedules_say_what_is_wrong(schedule, problem):
    with pytest.raises(ValueError) as info:
        check_cron(schedule)
    assert problem in str(info.value)


@pytest.mark.parametrize("image", ["busybox", "busybox:1.36", "ghcr.io/acme/report:1.4.0",
                                   "localhost:5000/team/job", "123456789012.dkr.ecr.us-east-1.amazonaws.com/job:v2",
                                   "nginx@sha256:" + "a" * 64])
def test_valid_images(image):
    assert check_image(image) == image


@pytest.mark.parametrize("image", ["", "Ghcr.io/Acme/Report:1", "acme/report:", "report:1 2",
                                   "acme//report", "report@sha256:xyz", "-report"])
def test_invalid_images(image):
    with pytest.raises(ValueError, match="not a container image reference"):
        check_image(image)


@pytest.mark.parametrize("replace, message", [
    ('schedule: "0 3 * * MON-FRI"', "cron_jobs.report.schedule: '0 3 * * MON-SUN'"),
    ("image: ghcr.io/acme/report:1.4.0", "cron_jobs.report.image"),
    ("time_zone: Europe/Paris", "is not an IANA time zone"),
    ("concurrency_policy: Replace", "concurrency_policy"),
    ("limits: {cpu: 250m, memory: 256Mi}", "not a CPU quantity"),
    ("min_replicas: 2, max_replicas: 8", "max_replicas (1) is below min_replicas (2)"),
    ("memory_utilization: 75", "needs cpu_utilization or memory_utilization"),
    ("target: api, min_replicas", "autoscalers.api-hpa.target: no target named 'db' (defined: api, web)"),
    ("host: api.example.com", "not a host name"),
    ("path: /v1", "not a URL path"),
    ("labels: {owner: team-shop}", "not a Kubernetes label value"),
    ("name: shop,", "not a Kubernetes name"),
])
def test_bad_entries_are_refused_with_the_field_and_the_rule(replace, message):
    bad = {
        'schedule: "0 3 * * MON-FRI"': 'schedule: "0 3 * * MON-SUN"',
        "image: ghcr.io/acme/report:1.4.0": "image: ghcr.io/acme/report:1.4.0:extra",
        "time_zone: Europe/Paris": "time_zone: Mars/Olympus",
        "concurrency_policy: Replace": "concurrency_policy: Sometimes",
        "limits: {cpu: 250m, memory: 256Mi}": "limits: {cpu: lots, memory: 256Mi}",
        "min_replicas: 2, max_replicas: 8": "min_replicas: 2, max_replicas: 1",
        "memory_utilization: 75": "cpu_utilization: null",
        "target: api, min_replicas": "target: db, min_replicas",
        "host: api.example.com": "host: api_example",
        "path: /v1": "path: v1",
        "labels: {owner: team-shop}": "labels: {owner: team shop}",
        "name: shop,": "name: Shop,",
    }[replace]
    assert replace in SPEC
    message_text = spec_error(SPEC.replace(replace, bad, 1))
    assert message in message_text
    assert "stacks/dev.yaml:" in message_text  # file:line:column


def test_time_zones_without_a_time_zone_database_are_checked_by_shape(monkeypatch):
    from agentops.kinds import cron_jobs
    from agentops.kinds.cron_jobs import CronJob

    monkeypatch.setattr(cron_jobs, "_have_zone_database", lambda: False)
    base = {"cluster": "main", "schedule": "@daily", "image": "busybox:1.36"}
    assert CronJob(**base, time_zone="America/Argentina/Buenos_Aires").time_zone
    with pytest.raises(ValueError, match="not an IANA time zone"):
        CronJob(**base, time_zone="Paris time")


def test_cross_entry_checks():
    # An ingress routes only to a deployment with a port (its Service), in its namespace.
    no_port = SPEC.replace("    port: 8080\n", "    port: null\n")
    assert "deployment 'api' has no port, so no Service to route to" in spec_error(no_port)
    other_ns = SPEC.replace("    tls_secret: api-tls\n", "    tls_secret: api-tls\n    namespace: web\n")
    assert "target 'api' is in namespace 'shop', not 'web'; set namespace: shop" in spec_error(other_ns)
    # An autoscaler on CPU needs its deployment's cpu limit (requests default to limits).
    no_limit = SPEC.replace("    limits: {cpu: 500m, memory: 512Mi}\n", "    limits: {memory: 512Mi}\n")
    assert "scales on cpu but deployment 'api' sets no cpu limit" in spec_error(no_limit)
    two = SPEC.replace("autoscalers:\n", "autoscalers:\n  api-hpa2: {cluster: main, target: api}\n")
    assert "both scale deployment 'api'" in spec_error(two)
    dup = SPEC.replace("namespaces:\n", "namespaces:\n  shop: {cluster: main}\n")
    assert "both make namespace 'shop' on cluster 'main'" in spec_error(dup)


@pytest.mark.parametrize("key, value", [
    ("DB_PASSWORD", "hunter2-hunter2"),
    ("api_token", "abc"),
    ("TLS_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow"),
    ("AWS_ID", "AKIAIOSFODNN7EXAMPLE"),
    ("DATABASE_URL", "postgres://app:s3cr3tpass@db.internal:5432/app"),
    ("GH", "ghp_" + "a1B2c3D4e5" * 4),
    ("SIGNING", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ("BLOB", "q8Xz3LmN9pQ2wR7tY4uV6bC1dF5gH0jK"),
])
def test_secret_looking_config_map_values_are_refused_naming_the_key_only(key, value):
    text = SPEC.replace("    data: {", f"    data: {{{key}: {json.dumps(value)}, ", 1)
    message = spec_error(text)
    assert f"'{key}'" in message and "config_maps.api-config" in message
    assert value not in message and value[:12] not in message
    assert "pulumi config set --secret" in message
    # Environment values of a cron job likewise.
    text = SPEC.replace("    env: {", f"    env: {{{key}: {json.dumps(value)}, ", 1)
    assert value not in spec_error(text)


@pytest.mark.parametrize("key, value", [("PASSWORD_MIN_LENGTH", "12"), ("TOKEN_TTL_ENABLED", "true"),
                                        ("LOG_LEVEL", "debug"), ("API_URL", "https://api.example.com/v1/x"),
                                        ("GREETING", "hello world, this is a long sentence of text"),
                                        ("CHECKSUM", "0" * 40),
                                        ("GIT_COMMIT", "3f74e9833c1731f26951ce5a1735bb718b1a40c3"),
                                        ("REQUEST_ID", "123e4567-e89b-12d3-a456-426614174000"),
                                        ("DB_PASSWORD_FILE", "/run/secrets/db-password"),
                                        ("TLS_SECRET_NAME", "api-tls"),
                                        ("SESSION_TOKEN_TTL", "3600s")])
def test_plain_configuration_is_not_taken_for_a_secret(key, value):
    assert secret_reason(key, value) is None


# --- rendering under mocks -------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return offline.capture(SPEC, "prod")


def test_every_kind_renders_on_the_clusters_kubernetes_provider(graph):
    provider = one(graph, "pulumi:providers:kubernetes")
    namespace = one(graph, "kubernetes:core/v1:Namespace", "shop-ns")
    expected = {
        ("kubernetes:core/v1:ConfigMap", "api-config"): "config_maps.api-config",
        ("kubernetes:networking.k8s.io/v1:Ingress", "api-web"): "ingresses.api-web",
        ("kubernetes:batch/v1:CronJob", "report"): "cron_jobs.report",
        ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-hpa"): "autoscalers.api-hpa",
        ("kubernetes:core/v1:Service", "api-lb"): "lb_services.api-lb",
        ("kubernetes:policy/v1:PodDisruptionBudget", "api-pdb"): "disruption_budgets.api-pdb",
    }
    assert namespace.provider == provider.urn and namespace.spec_ref == "namespaces.shop-ns"
    for (type_, name), ref in expected.items():
        resource = one(graph, type_, name)
        assert resource.provider == provider.urn, type_
        assert resource.spec_ref == ref
        assert resource.inputs["metadata"]["namespace"] == "shop"
        assert resource.inputs["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "agentops"
        # Made after the namespace the stack makes for them.
        assert namespace.urn in resource.dependencies, type_
    components = {r.type for r in graph.resources if not r.custom}
    assert {f"agentops:spec:{s}" for s in SECTIONS} <= components


def test_namespace_inputs(graph):
    ns = one(graph, "kubernetes:core/v1:Namespace")
    assert ns.inputs["metadata"]["name"] == "shop"
    assert ns.inputs["metadata"]["labels"]["owner"] == "team-shop"


def test_config_map_inputs(graph):
    cm = one(graph, "kubernetes:core/v1:ConfigMap")
    assert cm.inputs["data"] == {"LOG_LEVEL": "info", "WORKERS": "4", "FEATURE_X": "true",
                                 "API_URL": "https://api.example.com/v1"}
    assert "immutable" not in cm.inputs
    frozen = offline.capture(SPEC.replace("    namespace: shop\n    data:", "    namespace: shop\n    immutable: true\n    data:"), "dev")
    assert one(frozen, "kubernetes:core/v1:ConfigMap").inputs["immutable"] is True


def test_ingress_inputs(graph):
    ingress = one(graph, "kubernetes:networking.k8s.io/v1:Ingress")
    spec = ingress.inputs["spec"]
    assert spec["ingressClassName"] == "alb"
    (rule,) = spec["rules"]
    assert rule["host"] == "api.example.com"
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/v1", "Prefix")
    # The deployment's Service, on the deployment's port.
    assert path["backend"]["service"] == {"name": "api", "port": {"number": 8080}}
    service = one(graph, "kubernetes:core/v1:Service", "api")
    assert service.inputs["spec"]["ports"][0]["port"] == 8080
    assert spec["tls"] == [{"hosts": ["api.example.com"], "secretName": "api-tls"}]


def test_cron_job_inputs(graph):
    cron = one(graph, "kubernetes:batch/v1:CronJob")
    spec = cron.inputs["spec"]
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == \
        ("0 3 * * MON-FRI", "Europe/Paris", "Replace")
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 6
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "OnFailure"
    (container,) = pod["containers"]
    assert container["image"] == "ghcr.io/acme/report:1.4.0"
    assert container["command"] == ["python", "-m", "report"]
    assert container["env"] == [{"name": "REPORT_BUCKET", "value": "reports"}]
    assert container["resources"]["limits"] == {"cpu": "250m", "memory": "256Mi"}


def test_autoscaler_inputs(graph):
    hpa = one(graph, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    spec = hpa.inputs["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 8)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in spec["metrics"]}
    assert targets == {"cpu": {"type": "Utilization", "averageUtilization": 80},
                       "memory": {"type": "Utilization", "averageUtilization": 75}}


def test_an_alert_on_an_autoscaler_watches_its_deployments_pods():
    graph = offline.capture(SPEC + "alerts:\n  hpa-mem: {target: api-hpa, metric: memory, threshold: 90}\n",
                            "prod")
    alarm = one(graph, "aws:cloudwatch/metricAlarm:MetricAlarm", "hpa-mem")
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == \
        ("ContainerInsights", "pod_memory_utilization")
    assert alarm.inputs["dimensions"]["Service"] == "api"
    assert alarm.inputs["dimensions"]["Namespace"] == "shop"


def test_preload_covers_what_rendering_these_kinds_imports():
    # Each kind's provider_modules: rendering after _preload() loads no provider module more.
    script = f"""
import json, sys
from agentops import offline
from agentops.spec import load_spec_text
spec = load_spec_text({SPEC!r}, "prod.yaml")
offline._import_sdk()
offline._preload([spec])
before = set(sys.modules)
offline.capture_spec(spec, "prod")
late = sorted(m for m in set(sys.modules) - before if m.startswith(("pulumi_aws", "pulumi_kubernetes")))
late += sorted(n for n, m in sys.modules.items()
               if isinstance(m, offline._ThinPackage) and m.__dict__.get("_complete"))
print(json.dumps(late))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# --- cost ------------------------------------------------------------------------------------


def test_kubernetes_objects_are_unpriced_with_their_clusters_nodes_as_the_reason():
    cost = estimate(load_spec_text(SPEC, "prod.yaml"), "prod")
    lines = {line.resource: line for line in cost.lines}
    for ref in ("namespaces.shop-ns", "config_maps.api-config", "ingresses.api-web",
                "cron_jobs.report", "autoscalers.api-hpa", "disruption_budgets.api-pdb"):
        assert lines[ref].monthly_usd is None
        assert lines[ref].detail == "runs on cluster main's nodes (priced there)"
        assert ref in cost.unpriced
    # The nodes themselves are priced, on the cluster's line.
    assert lines["clusters.main"].monthly_usd > 0
    # A LoadBalancer Service is an NLB: $0.0225/h (us-east-1 list price) x 730 h = 16.425.
    assert lines["lb_services.api-lb"].monthly_usd == 16.43
    assert "NLCU usage" in lines["lb_services.api-lb"].detail
    assert lines["lb_services.api-lb"].type == "Network Load Balancer"
    elsewhere = estimate(load_spec_text(SPEC.replace("us-east-1", "ap-south-1"), "x.yaml"), "prod")
    assert "lb_services.api-lb" in elsewhere.unpriced


# --- edits -----------------------------------------------------------------------------------

TEXTS = {"prod": SPEC, "dev": SPEC.replace("  main: {instance_type", "  other: {}\n  main: {instance_type")}


def edit(*actions, texts=None):
    plan = ActionPlan(command="c", interpretation="i", actions=list(actions))
    return apply_plan(plan, texts or TEXTS, now=NOW)


def A(type, name=None, stack="prod", resource="infrastructure", **params):
    return Action(type=type, resource=resource, name=name, stack=stack,
                  parameters=Parameters(**params))


def reload(result, stack="prod"):
    return load_spec_text(result.texts[stack], f"stacks/{stack}.yaml")


def test_create_one_of_each_kind():
    result = edit(
        A("create", "payments", kind="namespace", owner="team-pay"),
        A("create", "flags", kind="configmap", key="FEATURE_Y", value=True),
        A("create", "shop-web", kind="ingress", host="shop.example.com", target="api",
          tls_secret="shop-tls"),
        A("create", "cleanup", kind="cronjob", image="busybox:1.36", schedule="*/30 * * * *"),
        A("create", kind="autoscaler", target="web", min_size=3, max_size=12),
    )
    spec = reload(result)
    assert spec.namespaces["payments"].labels == {"owner": "team-pay"}
    assert spec.namespaces["payments"].cluster == "main"  # the only cluster
    assert spec.config_maps["flags"].data == {"FEATURE_Y": "true"}
    web = spec.ingresses["shop-web"]
    assert (web.cluster, web.host, web.target, web.tls_secret) == ("main", "shop.example.com", "api", "shop-tls")
    assert spec.cron_jobs["cleanup"].schedule == "*/30 * * * *"
    hpa = spec.autoscalers["web-hpa"]  # no name given: named like its sibling api-hpa
    assert (hpa.target, hpa.min_replicas, hpa.max_replicas, hpa.cluster) == ("web", 3, 12, "main")
    # Only additions: nothing that was there is rewritten.
    removed = [l for l in result.diff(TEXTS).splitlines() if l.startswith("-") and not l.startswith("---")]
    assert removed == []


def test_create_asks_which_cluster_and_refuses_one_that_does_not_exist():
    with pytest.raises(EditError) as info:
        edit(A("create", "payments", stack="dev", kind="namespace"))
    assert "which cluster? (clusters: other, main)" in str(info.value)
    with pytest.raises(EditError) as info:
        edit(A("create", "payments", stack="dev", kind="namespace", cluster="nope"))
    assert "no cluster named 'nope' (clusters: other, main)" in str(info.value)
    spec = reload(edit(A("create", "payments", stack="dev", kind="namespace", cluster="other")), "dev")
    assert spec.namespaces["payments"].cluster == "other"
    # An ingress and an autoscaler go on their target's cluster.
    spec = reload(edit(A("create", "hpa2", stack="dev", kind="hpa", target="web")), "dev")
    assert spec.autoscalers["hpa2"].cluster == "main"


@pytest.mark.parametrize("action, message", [
    (A("create", "x", kind="cronjob", image="busybox:1.36"), "needs schedule="),
    (A("create", "x", kind="cronjob", image="busybox:1.36", schedule="0 25 * * *"), "hour field"),
    (A("create", "x", kind="ingress", host="a.example.com", target="nope"), "no deployment named 'nope' (deployments: api, web)"),
    (A("create", "x", kind="autoscaler"), "which deployment does it scale? (deployments: api, web)"),
    (A("create", "x", kind="autoscaler", target="api", replicas=2, metric="disk", threshold=50), "cpu or memory"),
    (A("create", "x", kind="configmap", key="DB_PASSWORD", value="hunter2hunter2"), "named like a secret"),
    (A("create", "x", kind="configmap", key="A"), "needs both key= and value="),
    (A("create", "x", kind="namespace", port=80), "cannot set port on namespaces"),
])
def test_bad_creates_are_refused_and_nothing_is_written(action, message):
    with pytest.raises((EditError, SpecError)) as info:
        edit(action)
    assert message in str(info.value)
    assert "hunter2hunter2" not in str(info.value)


def test_update_each_kind():
    result = edit(
        A("update", "shop-ns", owner="team-checkout"),
        A("update", "api-config", key="LOG_LEVEL", value="debug"),
        A("update", "api-web", tls_secret="api-tls-2025", host="www.example.com"),
        A("update", "report", schedule="@weekly", image="ghcr.io/acme/report:1.5.0"),
        A("update", "api-hpa", metric="cpu", threshold=60, max_size=10),
    )
    spec = reload(result)
    assert spec.namespaces["shop-ns"].labels["owner"] == "team-checkout"
    assert spec.config_maps["api-config"].data["LOG_LEVEL"] == "debug"
    assert (spec.ingresses["api-web"].tls_secret, spec.ingresses["api-web"].host) == \
        ("api-tls-2025", "www.example.com")
    assert (spec.cron_jobs["report"].schedule, spec.cron_jobs["report"].image) == \
        ("@weekly", "ghcr.io/acme/report:1.5.0")
    hpa = spec.autoscalers["api-hpa"]
    assert (hpa.cpu_utilization, hpa.max_replicas, hpa.memory_utilization) == (60, 10, 75)
    # Each update changes its entry only: the rest of the spec is byte for byte the same.
    head, _, _ = SPEC.partition("namespaces:")
    assert result.texts["prod"].startswith(head)


def test_scale_an_autoscaler():
    spec = reload(edit(A("scale", "api-hpa", min_size=3, max_size=20)))
    assert (spec.autoscalers["api-hpa"].min_replicas, spec.autoscalers["api-hpa"].max_replicas) == (3, 20)
    # A plain count is the minimum, and moves the maximum when it is above it.
    spec = reload(edit(A("scale", "api-hpa", replicas=12)))
    assert (spec.autoscalers["api-hpa"].min_replicas, spec.autoscalers["api-hpa"].max_replicas) == (12, 12)
    spec = reload(edit(A("scale", "api-hpa", count=4)))
    assert (spec.autoscalers["api-hpa"].min_replicas, spec.autoscalers["api-hpa"].max_replicas) == (4, 8)
    with pytest.raises(SpecError, match=r"max_replicas \(3\) is below min_replicas \(4\)"):
        edit(A("scale", "api-hpa", min_size=4, max_size=3))
    with pytest.raises(EditError, match="says no size"):
        edit(A("scale", "api-hpa"))


@pytest.mark.parametrize("name, action", [
    ("shop-ns", "scale"), ("api-config", "scale"), ("report", "restart"), ("api-web", "backup"),
])
def test_actions_a_kind_does_not_support_are_refused_by_name(name, action):
    with pytest.raises(EditError) as info:
        edit(A(action, name, replicas=2) if action == "scale" else A(action, name))
    assert f"{action} does not apply to" in str(info.value)
    assert "supports: " in info.value.hint


def test_delete_each_kind_and_one_config_map_key():
    result = edit(A("delete", "api-config", key="WORKERS"))
    assert "WORKERS" not in reload(result).config_maps["api-config"].data
    with pytest.raises(EditError, match=r"no key 'NOPE' \(keys: LOG_LEVEL, WORKERS, FEATURE_X, API_URL\)"):
        edit(A("delete", "api-config", key="NOPE"))
    for name in ("shop-ns", "api-config", "api-web", "report", "api-hpa"):
        spec = reload(edit(A("delete", name)))
        assert spec.find(name) is None
    # Deleting the deployment an autoscaler scales is refused with what refers to it.
    with pytest.raises(SpecError, match="no target named 'api'"):
        edit(A("delete", "api", resource="deployment"))


# --- rules -----------------------------------------------------------------------------------


def _by_policy(verdicts) -> dict[str, list]:
    out: dict[str, list] = {}
    for v in verdicts:
        out.setdefault(v.policy, []).append(v)
    return out


@pytest.fixture(scope="module")
def rule_graphs() -> dict[str, ResourceGraph]:
    captured = offline.capture_many([(SPEC, "prod", "p"), (FAILING, "prod", "f"),
                                     (FAILING, "dev", "d")])
    return dict(zip(("pass", "fail", "fail-dev"), captured))


def test_the_pack_has_the_kinds_rules_with_their_levels():
    pack = policy.load_pack(None)
    got = {p.name: (p.enforcement_level.value, p.severity.value) for p in pack.policies}
    assert {name: got.get(name) for name in RULES} == RULES
    assert len(RULES) >= 5


def test_passing_entries_pass_every_rule(rule_graphs):
    verdicts = policy.evaluate_graph(rule_graphs["pass"], RepoConfig())
    assert verdicts == [], [f"{v.policy}: {v.message}" for v in verdicts]


def test_failing_entries_break_each_rule_a_spec_can_break(rule_graphs):
    found = _by_policy(policy.evaluate_graph(rule_graphs["fail"], RepoConfig()))
    mine = {name: found.get(name, []) for name in RULES}
    assert {v.resource for v in mine["k8s-namespace-owner"]} == {"namespaces.loose"}
    assert {v.resource for v in mine["k8s-ingress-tls"]} == {"ingresses.open"}
    assert "serves plain HTTP" in mine["k8s-ingress-tls"][0].message
    assert {v.resource for v in mine["k8s-cronjob-image-pinned"]} == {"cron_jobs.nightly", "cron_jobs.untagged"}
    limits = {v.resource: v.message for v in mine["k8s-cronjob-limits"]}
    assert "no cpu or memory limit" in limits["cron_jobs.nightly"]
    assert "no memory limit" in limits["cron_jobs.untagged"]
    assert {v.resource for v in mine["k8s-hpa-min-replicas"]} == {"autoscalers.api-hpa"}
    assert "scale down to 1 replica(s)" in mine["k8s-hpa-min-replicas"][0].message
    for name, verdicts in mine.items():
        for v in verdicts:
            assert (v.enforcement, v.severity) == RULES[name]
    # The two a spec cannot break (refused when it is read) are checked on built graphs below.
    assert not mine["k8s-configmap-no-secrets"] and not mine["k8s-hpa-max-above-min"]


def test_production_only_rules_stay_quiet_in_dev(rule_graphs):
    found = _by_policy(policy.evaluate_graph(rule_graphs["fail-dev"], RepoConfig()))
    assert "k8s-ingress-tls" not in found and "k8s-hpa-min-replicas" not in found
    assert {"k8s-namespace-owner", "k8s-cronjob-image-pinned", "k8s-cronjob-limits"} <= set(found)


def _resource(type_: str, name: str, inputs: dict, stack: str = "prod") -> Resource:
    return Resource(urn=f"urn:pulumi:{stack}::agentops::{type_}::{name}", type=type_, name=name,
                    inputs=inputs)


def test_rules_on_objects_other_programs_make():
    secret = "AKIAIOSFODNN7EXAMPLE"
    graph = ResourceGraph(project="agentops", stack="prod", resources=[
        _resource("kubernetes:core/v1:ConfigMap", "leaky", {"data": {"AWS_KEY": secret, "A": "b"}}),
        _resource("kubernetes:core/v1:ConfigMap", "clean", {"data": {"LOG_LEVEL": "info"}}),
        _resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "inverted",
                  {"spec": {"minReplicas": 4, "maxReplicas": 2}}),
        _resource("kubernetes:autoscaling/v1:HorizontalPodAutoscaler", "fine",
                  {"spec": {"minReplicas": 2, "maxReplicas": 5}}),
        # TLS through the AWS Load Balancer Controller's ACM annotation passes.
        _resource("kubernetes:networking.k8s.io/v1:Ingress", "acm", {
            "metadata": {"annotations": {"alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:x"}},
            "spec": {"rules": [{"host": "a.example.com"}]}}),
        _resource("kubernetes:networking.k8s.io/v1:Ingress", "partial", {
            "spec": {"rules": [{"host": "a.example.com"}, {"host": "b.example.com"}],
                     "tls": [{"hosts": ["a.example.com"], "secretName": "a-tls"}]}}),
    ])
    found = _by_policy(policy.evaluate_graph(graph, RepoConfig()))
    (leak,) = found["k8s-configmap-no-secrets"]
    assert leak.resource == "leaky" and "'AWS_KEY'" in leak.message and secret not in leak.message
    (inverted,) = found["k8s-hpa-max-above-min"]
    assert inverted.resource == "inverted" and "maxReplicas 2 below minReplicas 4" in inverted.message
    (partial,) = found["k8s-ingress-tls"]
    assert partial.resource == "partial" and "b.example.com" in partial.message


def test_rule_settings_come_from_the_repository(rule_graphs):
    config = RepoConfig(policy={"k8s-namespace-owner": {"ownerLabel": "team"},
                                "k8s-hpa-min-replicas": {"minReplicas": 1},
                                "k8s-cronjob-limits": "advisory"})
    found = _by_policy(policy.evaluate_graph(rule_graphs["pass"], config))
    assert [v.resource for v in found["k8s-namespace-owner"]] == ["namespaces.shop-ns"]
    assert "'team' label" in found["k8s-namespace-owner"][0].message
    found = _by_policy(policy.evaluate_graph(rule_graphs["fail"], config))
    assert "k8s-hpa-min-replicas" not in found
    assert {v.enforcement for v in found["k8s-cronjob-limits"]} == {"advisory"}


# --- the offline plan and `agentops check` on a repository ------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "prod.yaml").write_text(SPEC)
    shutil.copytree(ROOT / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def test_offline_plan_of_a_change_to_every_kind(repo):
    from agentops.plan import build_plan
    from agentops.spec import Workspace

    head = (SPEC.replace("LOG_LEVEL: info", "LOG_LEVEL: warn")
            .replace("max_replicas: 8", "max_replicas: 12")
            .replace('schedule: "0 3 * * MON-FRI"', 'schedule: "0 4 * * *"')
            .replace("tls_secret: api-tls", "tls_secret: api-tls-2")
            .replace("labels: {owner: team-shop}", "labels: {owner: team-orders}"))
    (repo / "stacks" / "prod.yaml").write_text(head)
    plan = build_plan(Workspace(repo))
    (prod,) = plan.stacks
    assert prod.status == "changed"
    updates = {(c.type, c.name): {f.path: (f.old, f.new) for f in c.fields}
               for c in prod.changes if c.kind == "update"}
    assert updates[("kubernetes:core/v1:ConfigMap", "api-config")] == {"data.LOG_LEVEL": ("info", "warn")}
    assert updates[("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-hpa")] == \
        {"spec.maxReplicas": (8, 12)}
    assert updates[("kubernetes:batch/v1:CronJob", "report")] == \
        {"spec.schedule": ("0 3 * * MON-FRI", "0 4 * * *")}
    assert updates[("kubernetes:networking.k8s.io/v1:Ingress", "api-web")] == \
        {"spec.tls[0].secretName": ("api-tls", "api-tls-2")}
    assert updates[("kubernetes:core/v1:Namespace", "shop-ns")] == \
        {"metadata.labels.owner": ("team-shop", "team-orders")}
    assert prod.counts == {"create": 0, "update": 5, "replace": 0, "delete": 0}
    assert prod.verdicts == []
    assert "autoscalers.api-hpa" in prod.cost.unpriced
    # Renaming the namespace replaces it (and the diff says why).
    plan = build_plan(Workspace(repo), head_specs={"prod": SPEC.replace("name: shop,", "name: shop2,")
                      .replace("namespace: shop", "namespace: shop2")})
    kinds = {(c.kind, c.type, c.name) for c in plan.stacks[0].changes}
    assert ("replace", "kubernetes:core/v1:Namespace", "shop-ns") in kinds
    assert ("replace", "kubernetes:batch/v1:CronJob", "report") in kinds


def _agentops(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("agentops") or str(Path(sys.executable).parent / "agentops")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=180)


def test_agentops_check_passes_the_examples_and_blocks_the_failing_entries(repo):
    good = _agentops(repo, "check", "-s", "prod")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "prod: ok"
    (repo / "stacks" / "prod.yaml").write_text(FAILING)
    bad = _agentops(repo, "check", "-s", "prod", "--format", "json")
    assert bad.returncode == 1, bad.stderr
    verdicts = json.loads(bad.stdout)[0]["verdicts"]
    # Every rule a spec can break (the other three are refused when the spec is read).
    assert {v["policy"] for v in verdicts} == set(RULES) - {
        "k8s-configmap-no-secrets", "k8s-hpa-max-above-min", "k8s-pdb-allows-disruption"}


# --- load-balancer services and disruption budgets -------------------------------------------


def test_lb_service_inputs(graph):
    lb = one(graph, "kubernetes:core/v1:Service", "api-lb")
    assert lb.inputs["spec"]["type"] == "LoadBalancer"
    assert lb.inputs["spec"]["selector"] == {"app": "api"}
    assert lb.inputs["spec"]["ports"] == [{"port": 443, "targetPort": 8080, "protocol": "TCP"}]
    assert lb.inputs["spec"]["loadBalancerSourceRanges"] == ["203.0.113.0/24"]
    annotations = lb.inputs["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    internal = one(graph, "kubernetes:core/v1:Service", "api-admin")
    assert internal.inputs["metadata"]["annotations"][
        "service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"


def test_disruption_budget_inputs(graph):
    pdb = one(graph, "kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb.inputs["spec"] == {"selector": {"matchLabels": {"app": "api"}}, "minAvailable": 1}
    default = offline.capture(SPEC.replace("api-pdb: {cluster: main, target: api, min_available: 1}",
                                           "api-pdb: {cluster: main, target: api}"), "dev")
    pdb = one(default, "kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb.inputs["spec"]["maxUnavailable"] == 1  # one pod at a time when neither is set


@pytest.mark.parametrize("replace, bad, message", [
    ("min_available: 1}", "min_available: 2}", "lets no pod of 'api' (2 replica(s)) be evicted"),
    ("min_available: 1}", "max_unavailable: 0}", "blocks every node drain"),
    ("min_available: 1}", "min_available: 100%}", "blocks every node drain"),
    ("min_available: 1}", "min_available: 1, max_unavailable: 1}", "not both"),
    ("min_available: 1}", "min_available: 150%}", "not a pod count or a percentage"),
    ("port: 443, source_ranges", "port: 443, source_ranges: [300.1.1.1/8], x", "not a CIDR block"),
])
def test_bad_lb_services_and_budgets_are_refused(replace, bad, message):
    assert message in spec_error(SPEC.replace(replace, bad, 1))


def test_edit_lb_services_and_budgets():
    result = edit(A("create", "web-lb", kind="lb_service", target="api", port=80, cidr="10.0.0.0/8"),
                  A("create", "web-pdb", kind="pdb", target="web", min_size=1),
                  A("update", "api-lb", cidr="198.51.100.0/24"),
                  A("update", "api-pdb", max_unavailable="50%"))
    spec = reload(result)
    assert (spec.lb_services["web-lb"].port, spec.lb_services["web-lb"].source_ranges) == (80, ["10.0.0.0/8"])
    assert spec.lb_services["web-lb"].cluster == "main"
    assert spec.lb_services["api-lb"].source_ranges == ["203.0.113.0/24", "198.51.100.0/24"]
    assert (spec.disruption_budgets["web-pdb"].min_available, spec.disruption_budgets["web-pdb"].target) == (1, "web")
    # Setting one of the two amounts removes the other.
    assert (spec.disruption_budgets["api-pdb"].max_unavailable, spec.disruption_budgets["api-pdb"].min_available) == ("50%", None)
    for name in ("api-lb", "api-pdb"):
        assert reload(edit(A("delete", name))).find(name) is None
    with pytest.raises(EditError, match=r"no deployment named 'db' \(deployments: api, web\)"):
        edit(A("create", "x", kind="lb_service", target="db"))
    with pytest.raises(EditError, match="scale does not apply to lb_services"):
        edit(A("scale", "api-lb", replicas=3))


def test_lb_and_pdb_rules(rule_graphs):
    found = _by_policy(policy.evaluate_graph(rule_graphs["fail"], RepoConfig()))
    (lb,) = found["k8s-lb-no-public-admin-ports"]
    assert lb.resource == "lb_services.db-lb" and "5432" in lb.message
    assert (lb.enforcement, lb.severity) == RULES["k8s-lb-no-public-admin-ports"]
    # The deployments' own ClusterIP Services and the internal or range-limited NLBs pass
    # (rule_graphs["pass"] has port 22 on an internal one); a budget allowing no eviction
    # cannot be written in a spec, so it is checked on built objects.
    graph = ResourceGraph(project="agentops", stack="prod", resources=[
        _resource("kubernetes:policy/v1:PodDisruptionBudget", "frozen", {"spec": {"maxUnavailable": 0}}),
        _resource("kubernetes:policy/v1:PodDisruptionBudget", "full", {"spec": {"minAvailable": "100%"}}),
        _resource("kubernetes:policy/v1:PodDisruptionBudget", "ok", {"spec": {"maxUnavailable": 1}}),
        _resource("kubernetes:core/v1:Service", "open-ssh", {"spec": {
            "type": "LoadBalancer", "ports": [{"port": 22}], "loadBalancerSourceRanges": ["0.0.0.0/0"]}}),
        _resource("kubernetes:core/v1:Service", "in-tree-internal", {
            "metadata": {"annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 3306}]}}),
    ])
    found = _by_policy(policy.evaluate_graph(graph, RepoConfig()))
    assert {v.resource for v in found["k8s-pdb-allows-disruption"]} == {"frozen", "full"}
    assert {v.resource for v in found["k8s-lb-no-public-admin-ports"]} == {"open-ssh"}


def test_monitor_an_autoscaler_and_refuse_alerts_on_what_has_no_metric():
    result = edit(A("monitor", "api-hpa", resource="monitoring", metric="cpu", threshold=90))
    alert = reload(result).alerts["api-hpa-cpu"]
    assert (alert.target, alert.metric, alert.threshold) == ("api-hpa", "cpu", 90)
    for name, section in [("api-config", "config_maps"), ("shop-ns", "namespaces"),
                          ("api-web", "ingresses"), ("report", "cron_jobs"), ("api-lb", "lb_services"),
                          ("api-pdb", "disruption_budgets")]:
        with pytest.raises((SpecError, EditError)) as info:
            edit(A("monitor", name, resource="monitoring", metric="cpu", threshold=90))
        # refused by name (by the registry's own check, before the kind's), never given a stand-in
        assert section in str(info.value) and name in str(info.value) and "no metric" in str(info.value)


def _analyzer_findings(graph: ResourceGraph) -> set[tuple[str, str, str]]:
    """(policy, urn, level) as pulumi-policy's own analyzer servicer (what `pulumi preview
    --policy-pack` runs) reports them: numbers come as protobuf floats there."""
    from google.protobuf import struct_pb2
    from pulumi.runtime import proto
    from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer

    pack = policy.load_pack(None)
    servicer = _PolicyAnalyzerServicer(pack.name, "0.1.0", pack.policies, EnforcementLevel.ADVISORY)
    levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY,
              "disabled": proto.DISABLED, "remediate": proto.REMEDIATE}
    configure = proto.ConfigureAnalyzerRequest()
    for name, entry in policy.pack_config(RepoConfig(), None).items():
        props = struct_pb2.Struct()
        props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        configure.policyConfig[name].CopyFrom(
            proto.PolicyConfig(enforcementLevel=levels[entry["enforcementLevel"]], properties=props))
    servicer.Configure(configure, None)
    names = {v: k for k, v in levels.items()}
    found = set()
    for r in graph.resources:
        if not r.custom:
            continue
        struct = struct_pb2.Struct()
        struct.update(policy._preview_value(r.inputs))
        response = servicer.Analyze(proto.AnalyzeRequest(type=r.type, properties=struct, urn=r.urn,
                                                         name=r.name), None)
        found |= {(d.policyName, d.urn or r.urn, names[d.enforcementLevel])
                  for d in response.diagnostics}
    return {f for f in found if f[0] in RULES}


def test_the_crossguard_analyzer_reports_what_the_offline_check_reports(rule_graphs):
    built = ResourceGraph(project="agentops", stack="prod", resources=[
        _resource("kubernetes:policy/v1:PodDisruptionBudget", "frozen", {"spec": {"maxUnavailable": 0}}),
        _resource("kubernetes:policy/v1:PodDisruptionBudget", "ok", {"spec": {"maxUnavailable": 1}}),
        _resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "inverted",
                  {"spec": {"minReplicas": 4, "maxReplicas": 2}}),
        _resource("kubernetes:core/v1:ConfigMap", "leaky", {"data": {"AWS_KEY": "AKIAIOSFODNN7EXAMPLE"}}),
    ])
    for graph in (rule_graphs["fail"], built):
        offline_findings = {(v.policy, v.urn or "", v.enforcement)
                            for v in policy.evaluate_graph(graph, RepoConfig()) if v.policy in RULES}
        assert offline_findings == _analyzer_findings(graph)
        assert offline_findings
    assert {f[0] for f in _analyzer_findings(built)} == {
        "k8s-pdb-allows-disruption", "k8s-hpa-max-above-min", "k8s-configmap-no-secrets"}
