"""The AWS service kinds (agentops/kinds/queues.py ... roles.py), each taken through the stages
a kind goes through: registered through the entry-point group and its words understood,
validated with file:line:column errors, rendered under Pulumi's mocks (resource types and key
inputs), edited by every action it supports, priced or listed unpriced, and its CrossGuard rules
fired by a failing entry and quiet on a passing one; then a stack with an entry of every kind
through the offline plan and `agentops check`."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agentops import kinds, offline, policy
from agentops.actionplan import Action, ActionPlan, Parameters
from agentops.config import RepoConfig
from agentops.errors import InterpretError
from agentops.cost import estimate
from agentops.edit import EditError, apply_plan
from agentops.errors import SpecError
from agentops.graph import SECRET_PLACEHOLDER, Resource, ResourceGraph
from agentops.spec import load_spec_text

REPO = Path(__file__).resolve().parents[1]
NOW = lambda: datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)  # noqa: E731

AWS_KINDS = {
    # section: (module:Class, resource type, kind value)
    "queues": ("agentops.kinds.queues:QueuesKind", "infrastructure", "queue"),
    "topics": ("agentops.kinds.topics:TopicsKind", "infrastructure", "topic"),
    "functions": ("agentops.kinds.functions:FunctionsKind", "infrastructure", "function"),
    "tables": ("agentops.kinds.tables:TablesKind", "infrastructure", "table"),
    "caches": ("agentops.kinds.caches:CachesKind", "infrastructure", "cache"),
    "load_balancers": ("agentops.kinds.load_balancers:LoadBalancersKind", "infrastructure",
                       "load_balancer"),
    "dns_records": ("agentops.kinds.dns_records:DnsRecordsKind", "infrastructure", "dns_record"),
    "registries": ("agentops.kinds.registries:RegistriesKind", "infrastructure", "registry"),
    "secrets": ("agentops.kinds.secrets:SecretsKind", "security", "secret"),
    "keys": ("agentops.kinds.keys:KeysKind", "security", "kms_key"),
    "roles": ("agentops.kinds.roles:RolesKind", "security", "iam_role"),
}

# The rules these kinds bring: name -> (enforcement, severity).
AWS_RULES = {
    "sqs-encrypted": ("mandatory", "high"),
    "sns-encrypted": ("mandatory", "high"),
    "lambda-supported-runtime": ("advisory", "high"),
    "dynamodb-encrypted": ("mandatory", "medium"),
    "dynamodb-pitr-production": ("mandatory", "high"),
    "dynamodb-deletion-protection": ("advisory", "medium"),
    "elasticache-encrypted-at-rest": ("mandatory", "high"),
    "elasticache-encrypted-in-transit": ("mandatory", "high"),
    "alb-https-only": ("mandatory", "high"),
    "alb-modern-tls": ("mandatory", "medium"),
    "ecr-scan-on-push": ("mandatory", "medium"),
    "ecr-immutable-tags": ("advisory", "medium"),
    "kms-key-rotation": ("mandatory", "medium"),
    "iam-no-admin-policies": ("mandatory", "critical"),
    "secrets-rotation": ("advisory", "low"),
}
# Rules no spec can break (the program never writes the failing value): hand-built graphs.
NOT_FROM_A_SPEC = {"alb-modern-tls"}

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4.2"
SECRET_VALUE = "pa55-w0rd-never-in-a-plan"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"

# An entry of every kind (several for some), every rule satisfied, production settings.
PASSING = f"""\
provider: aws
region: us-east-1
tags: {{owner: platform}}
network:
  core: {{cidr: 10.0.0.0/16, az_count: 2}}
keys:
  data: {{description: application data, rotation_days: 180}}
roles:
  batch: {{service: ecs-tasks, policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess], max_session_hours: 4}}
secrets:
  db-password: {{config_key: dbPassword, kms_key: data, rotation_days: 30, rotation_function: rotator}}
queues:
  jobs: {{dead_letter: jobs-dlq, visibility_timeout_seconds: 120, kms_key: data}}
  jobs-dlq: {{retention_seconds: 1209600}}
  ledger: {{fifo: true}}
topics:
  events: {{subscribers: [jobs]}}
functions:
  thumbs:
    image: {IMAGE}
    memory_mb: 1024
    timeout_seconds: 60
    env: {{BUCKET: thumbs}}
    policies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
  resize: {{code: s3://acme-artifacts/resize-2.1.zip, runtime: python3.12, handler: app.handler, architecture: arm64}}
  rotator: {{image: {IMAGE}}}
tables:
  orders: {{range_key: created_at, range_key_type: N, ttl_attribute: expires}}
  sessions: {{billing: provisioned, read_capacity: 10, write_capacity: 5}}
caches:
  sessions-cache: {{engine: redis, node_type: cache.t3.small, nodes: 2, network: core}}
load_balancers:
  web: {{network: core, certificate_arn: "{CERT}", target_port: 8080, health_check_path: /healthz}}
  internal-api: {{network: core, internal: true, certificate_arn: "{CERT}", redirect_http: false}}
dns_records:
  www: {{zone_id: Z0123456789ABCDEF, record: www.example.com, target: web}}
  spf: {{zone_id: Z0123456789ABCDEF, record: example.com, type: TXT, ttl: 3600, values: ["v=spf1 -all"]}}
registries:
  images: {{keep_images: 50}}
alerts:
  web-5xx: {{target: web, metric: errors, threshold: 10}}
  jobs-age: {{target: jobs, metric: latency, threshold: 600}}
  thumbs-errors: {{target: thumbs, metric: errors, threshold: 1}}
  cache-cpu: {{target: sessions-cache, metric: cpu, threshold: 80}}
"""

# Breaks every rule these kinds bring.
FAILING = f"""\
provider: aws
region: us-east-1
tags: {{owner: platform}}
queues:
  plain: {{encrypted: false}}
topics:
  plain-topic: {{encrypted: false}}
functions:
  legacy: {{code: s3://acme-artifacts/legacy.zip, runtime: python3.8, handler: app.handler}}
tables:
  loose: {{encrypted: false, point_in_time_recovery: false, deletion_protection: false}}
caches:
  open-cache: {{encrypted: false, transit_encryption: false}}
network:
  edge: {{}}
load_balancers:
  plain-lb: {{network: edge, protocol: HTTP, port: 80}}
registries:
  mutable: {{scan_on_push: false, immutable_tags: false}}
keys:
  static: {{rotation: false}}
roles:
  admin: {{service: lambda, policies: [arn:aws:iam::aws:policy/AdministratorAccess]}}
secrets:
  api-token: {{config_key: apiToken}}
"""


@pytest.fixture(scope="module")
def graphs() -> dict[str, ResourceGraph]:
    captured = offline.capture_many([(PASSING, "prod", "stacks/prod.yaml"),
                                     (FAILING, "prod", "stacks/prod.yaml")], cache=False)
    # In this process, with the secret's real config value: it must still never show.
    dev = offline.capture(PASSING, "dev", config={"dbPassword": SECRET_VALUE})
    return {"pass-prod": captured[0], "pass-dev": dev, "fail-prod": captured[1]}


@pytest.fixture(scope="module")
def graph(graphs) -> ResourceGraph:
    return graphs["pass-dev"]


def one(graph: ResourceGraph, type_: str, name: str) -> Resource:
    found = [r for r in graph.resources if r.type == type_ and r.name == name]
    assert len(found) == 1, f"{type_} {name}: {len(found)} found"
    return found[0]


def of_type(graph: ResourceGraph, type_: str) -> list[Resource]:
    return [r for r in graph.resources if r.type == type_]


def spec_ref(graph: ResourceGraph, resource: Resource) -> str:
    """The spec entry a resource belongs to (the capture reads it from its component)."""
    return resource.spec_ref


# --- the registry ------------------------------------------------------------------------------


def test_pyproject_registers_every_aws_kind_through_the_entry_point_group():
    table = tomllib.loads((REPO / "pyproject.toml").read_text())
    group = table["project"]["entry-points"][kinds.ENTRY_POINT_GROUP]
    for section, (reference, _, _) in AWS_KINDS.items():
        assert group.get(section) == reference


def test_every_aws_kind_is_installed_with_its_section_type_and_words():
    registry = kinds.installed()
    missing = sorted(set(AWS_KINDS) - set(registry.sections()))
    assert not missing, (f"not registered: {missing}; the installed metadata predates them "
                         f"(pip install -e . or agentops.kinds.loading.BUILTIN_KINDS)")
    for section, (reference, resource_type, value) in AWS_KINDS.items():
        kind = registry[section]
        assert f"{type(kind).__module__}:{type(kind).__name__}" == reference
        assert kind.resource_type.value == resource_type
        assert registry.by_kind_value(value) is kind
        assert kind.source_file and Path(kind.source_file).is_file()
        assert kind.supports("create") and kind.supports("delete")
        # `rules`: the library's rules (and one another kind brings) that check it too.
        assert set(kind.rules) <= {"required-tags", "iam-no-admin-policies", "sg-no-public-admin-ports"}
    # Each rule comes from exactly one kind's policies().
    brought = [p.name for section in AWS_KINDS for p in registry[section].policies()]
    assert sorted(brought) == sorted(AWS_RULES)
    for word, section in {"sqs": "queues", "sns": "topics", "lambda": "functions",
                          "dynamodb": "tables", "redis": "caches", "valkey": "caches",
                          "elasticache": "caches"}.items():
        assert registry.by_kind_value(word) is registry[section], word


@pytest.mark.parametrize("command", [
    "create an SQS queue named jobs in dev",
    "add an sns topic called events to staging",
    "set up a lambda function for thumbnails in staging",
    "create a dynamodb table named orders in prod",
    "add a redis cache cluster to prod",
    "create a valkey elasticache cluster in dev",
    "create an application load balancer named web in prod",
    "add a load balancer with a target group to staging",
    "add a dns record for api in dev",
    "create a route 53 record for www in prod",
    "create an ecr container registry named images in dev",
    "put the stripe key in secrets manager in prod",
    "create a kms key for orders in prod",
    "create an iam role for ci in dev",
])
def test_the_words_for_these_kinds_are_understood_not_refused(command):
    # The words name these kinds, which the interpreter takes commands for: nothing is refused
    # before the model (and the create check holds the model to the kind named).
    registry = kinds.installed()
    kinds.refuse_unknown(command, registry)
    assert registry.by_kind_value(None) is None and kinds.kinds_named(command, list(registry), [])


def test_what_no_kind_claims_is_still_refused_by_name():
    registry = kinds.installed()
    with pytest.raises(Exception, match="agentops has no kind for 'kafka( topic)?'"):
        kinds.refuse_unknown("create a kafka topic named events in dev", registry)


def test_the_rules_are_in_the_pack_with_their_levels():
    pack = {p.name: (p.enforcement_level.value, p.severity.value)
            for p in policy.load_pack(REPO).policies}
    for name, levels in AWS_RULES.items():
        assert pack.get(name) == levels, name
    assert len(AWS_RULES) >= 8


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("body, where, says", [
    ("queues:\n  jobs:\n    retention_seconds: 5\n", "stacks/dev.yaml:4:5: queues.jobs.retention_seconds",
     "greater than or equal to 60"),
    ("queues:\n  jobs: {dead_letter: nope}\n", "queues.jobs.dead_letter", "no dead_letter named 'nope'"),
    ("queues:\n  a: {dead_letter: b}\n  b: {fifo: true}\n", "queues.a.dead_letter", "standard queue"),
    ("topics:\n  t: {subscribers: [missing]}\n", "topics.t.subscribers", "no queues entry 'missing'"),
    ("functions:\n  f:\n    runtime: python3.12\n", "functions.f", "either image"),
    ("functions:\n  f:\n    code: s3://bkt/k.zip\n    runtime: cobol\n    handler: h\n",
     "stacks/dev.yaml:5:5: functions.f.runtime", "python3.12"),
    ("functions:\n  f:\n    image: ghcr.io/acme/thumbs:1.0\n", "functions.f.image", "should match pattern"),
    (f"functions:\n  f:\n    image: {IMAGE}\n    policies: [AdministratorAccess]\n",
     "functions.f.policies", "not a managed policy ARN"),
    ("tables:\n  t:\n    billing: provisioned\n", "tables.t", "needs read_capacity"),
    ("tables:\n  t:\n    read_capacity: 5\n", "tables.t", "apply to billing: provisioned"),
    ("caches:\n  c:\n    engine: memcached\n", "stacks/dev.yaml:4:5: caches.c.engine", "valkey"),
    ("caches:\n  c:\n    nodes: 9\n", "caches.c.nodes", "less than or equal to 6"),
    ("network:\n  n: {}\nload_balancers:\n  lb: {network: n}\n", "load_balancers.lb",
     "needs certificate_arn"),
    ("network:\n  n: {az_count: 1}\nload_balancers:\n  lb: {network: n, protocol: HTTP}\n",
     "load_balancers.lb", "two zones"),
    ("dns_records:\n  r: {zone_id: Z1, record: a.example.com}\n", "dns_records.r", "either values or target"),
    ("dns_records:\n  r: {zone_id: Z1, record: a.example.com, target: nope}\n", "dns_records.r.target",
     "no target named 'nope'"),
    ("dns_records:\n  r: {zone_id: zone, record: a.example.com, values: [1.2.3.4]}\n",
     "dns_records.r.zone_id", "should match pattern"),
    ("registries:\n  r: {kms_key: k}\n", "registries.r", "kms_key applies to encryption: KMS"),
    ("registries:\n  r: {mutable: true}\n", "registries.r.mutable", "unknown field"),
    ("keys:\n  k: {rotation_days: 30}\n", "keys.k.rotation_days", "greater than or equal to 90"),
    ("roles:\n  r: {policies: [arn:aws:iam::aws:policy/X]}\n", "roles.r.service", "Field required"),
    ("roles:\n  r: {service: lambda, policies: [ReadOnly]}\n", "roles.r.policies", "not a managed policy ARN"),
    ("secrets:\n  s: {rotation_days: 30}\n", "secrets.s", "needs both rotation_days and rotation_function"),
    ("secrets:\n  s: {rotation_days: 30, rotation_function: f}\n", "secrets.s.rotation_function",
     "no rotation_function named 'f'"),
])
def test_bad_entries_name_file_line_column_and_what_is_wrong(body, where, says):
    with pytest.raises(SpecError) as info:
        load_spec_text("region: us-east-1\n" + body, "stacks/dev.yaml")
    message = str(info.value)
    assert "stacks/dev.yaml:" in message, message  # file:line:column of the entry or field
    assert where in message and says in message, message


# --- rendering ---------------------------------------------------------------------------------


def test_queue_renders_encrypted_with_dead_letter_and_fifo_name(graph):
    jobs = one(graph, "aws:sqs/queue:Queue", "jobs")
    assert jobs.inputs["visibilityTimeoutSeconds"] == 120
    assert jobs.inputs["redrivePolicy"] == offline.UNKNOWN  # the DLQ's ARN, known after apply
    dlq = one(graph, "aws:sqs/queue:Queue", "jobs-dlq")
    assert dlq.urn in jobs.dependencies  # the redrive policy reads the DLQ's ARN
    assert dlq.inputs["messageRetentionSeconds"] == 1209600
    assert dlq.inputs["sqsManagedSseEnabled"] is True and "kmsMasterKeyId" not in dlq.inputs
    ledger = one(graph, "aws:sqs/queue:Queue", "ledger")
    assert ledger.inputs["fifoQueue"] is True and ledger.inputs["name"] == "dev-ledger.fifo"
    assert spec_ref(graph, jobs) == "queues.jobs"


def test_topic_renders_encrypted_with_a_subscription_and_queue_policy(graph):
    topic = one(graph, "aws:sns/topic:Topic", "events")
    assert topic.inputs["kmsMasterKeyId"] == "alias/aws/sns"
    sub = one(graph, "aws:sns/topicSubscription:TopicSubscription", "events-jobs")
    assert sub.inputs["protocol"] == "sqs" and sub.inputs["rawMessageDelivery"] is True
    one(graph, "aws:sqs/queuePolicy:QueuePolicy", "events-jobs")
    assert spec_ref(graph, sub) == "topics.events"


def test_function_renders_with_its_own_role_and_policies(graph):
    thumbs = one(graph, "aws:lambda/function:Function", "thumbs")
    assert thumbs.inputs["packageType"] == "Image" and thumbs.inputs["imageUri"] == IMAGE
    assert thumbs.inputs["memorySize"] == 1024 and thumbs.inputs["timeout"] == 60
    assert thumbs.inputs["environment"] == {"variables": {"BUCKET": "thumbs"}}
    assert "runtime" not in thumbs.inputs
    role = one(graph, "aws:iam/role:Role", "thumbs-role")
    assert "lambda.amazonaws.com" in role.inputs["assumeRolePolicy"]
    arns = sorted(r.inputs["policyArn"] for r in of_type(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                  if spec_ref(graph, r) == "functions.thumbs")
    assert arns == ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    resize = one(graph, "aws:lambda/function:Function", "resize")
    assert (resize.inputs["packageType"], resize.inputs["s3Bucket"], resize.inputs["s3Key"],
            resize.inputs["runtime"], resize.inputs["handler"], resize.inputs["architectures"]) == \
        ("Zip", "acme-artifacts", "resize-2.1.zip", "python3.12", "app.handler", ["arm64"])


def test_table_renders_keys_billing_encryption_and_recovery(graph):
    orders = one(graph, "aws:dynamodb/table:Table", "orders")
    assert orders.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert (orders.inputs["hashKey"], orders.inputs["rangeKey"]) == ("id", "created_at")
    assert {(a["name"], a["type"]) for a in orders.inputs["attributes"]} == {("id", "S"), ("created_at", "N")}
    assert orders.inputs["pointInTimeRecovery"] == {"enabled": True}
    assert orders.inputs["serverSideEncryption"]["enabled"] is True
    assert orders.inputs["deletionProtectionEnabled"] is True
    assert orders.inputs["ttl"] == {"attributeName": "expires", "enabled": True}
    sessions = one(graph, "aws:dynamodb/table:Table", "sessions")
    assert (sessions.inputs["billingMode"], sessions.inputs["readCapacity"],
            sessions.inputs["writeCapacity"]) == ("PROVISIONED", 10, 5)


def test_cache_renders_an_encrypted_replication_group_in_private_subnets(graph):
    group = one(graph, "aws:elasticache/replicationGroup:ReplicationGroup", "sessions-cache")
    assert group.inputs["engine"] == "redis" and group.inputs["nodeType"] == "cache.t3.small"
    assert group.inputs["numCacheClusters"] == 2
    assert group.inputs["automaticFailoverEnabled"] is True and group.inputs["multiAzEnabled"] is True
    assert group.inputs["atRestEncryptionEnabled"] is True
    assert group.inputs["transitEncryptionEnabled"] is True
    subnet_group = one(graph, "aws:elasticache/subnetGroup:SubnetGroup", "sessions-cache")
    assert len(subnet_group.inputs["subnetIds"]) == 2


def test_load_balancer_renders_https_listener_redirect_target_group_and_group(graph):
    balancer = one(graph, "aws:lb/loadBalancer:LoadBalancer", "web")
    assert balancer.inputs["loadBalancerType"] == "application"
    assert balancer.inputs["internal"] is False and balancer.inputs["dropInvalidHeaderFields"] is True
    assert len(balancer.inputs["subnets"]) == 2
    https = one(graph, "aws:lb/listener:Listener", "web")
    assert (https.inputs["protocol"], https.inputs["port"], https.inputs["certificateArn"],
            https.inputs["sslPolicy"]) == ("HTTPS", 443, CERT, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert https.inputs["defaultActions"][0]["type"] == "forward"
    redirect = one(graph, "aws:lb/listener:Listener", "web-redirect")
    assert (redirect.inputs["protocol"], redirect.inputs["port"]) == ("HTTP", 80)
    assert redirect.inputs["defaultActions"] == [{"type": "redirect", "redirect": {
        "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]
    target = one(graph, "aws:lb/targetGroup:TargetGroup", "web")
    assert (target.inputs["port"], target.inputs["targetType"], target.inputs["healthCheck"]["path"]) == \
        (8080, "ip", "/healthz")
    group = one(graph, "aws:ec2/securityGroup:SecurityGroup", "web-lb")
    assert sorted(r["fromPort"] for r in group.inputs["ingress"]) == [80, 443]
    # An internal balancer without the redirect: one listener, no port 80.
    assert one(graph, "aws:lb/loadBalancer:LoadBalancer", "internal-api").inputs["internal"] is True
    assert not [r for r in graph.resources if r.name == "internal-api-redirect"]


def test_dns_records_render_alias_and_literal_values(graph):
    www = one(graph, "aws:route53/record:Record", "www")
    assert (www.inputs["zoneId"], www.inputs["name"], www.inputs["type"]) == \
        ("Z0123456789ABCDEF", "www.example.com", "A")
    assert www.inputs["aliases"][0]["evaluateTargetHealth"] is True and "ttl" not in www.inputs
    web = one(graph, "aws:lb/loadBalancer:LoadBalancer", "web")
    assert web.urn in www.dependencies  # the alias reads the balancer's DNS name
    spf = one(graph, "aws:route53/record:Record", "spf")
    assert (spf.inputs["type"], spf.inputs["ttl"], spf.inputs["records"]) == ("TXT", 3600, ["v=spf1 -all"])


def test_registry_renders_scanning_immutable_repository_and_lifecycle(graph):
    repo = one(graph, "aws:ecr/repository:Repository", "images")
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["encryptionConfigurations"][0]["encryptionType"] == "AES256"
    lifecycle = json.loads(one(graph, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "images").inputs["policy"])
    assert lifecycle["rules"][0]["selection"]["countNumber"] == 50


def test_key_renders_with_rotation_and_alias_and_encrypts_what_names_it(graph):
    key = one(graph, "aws:kms/key:Key", "data")
    assert (key.inputs["enableKeyRotation"], key.inputs["rotationPeriodInDays"],
            key.inputs["deletionWindowInDays"]) == (True, 180, 30)
    alias = one(graph, "aws:kms/alias:Alias", "data")
    assert alias.inputs["name"] == "alias/dev-data" and key.urn in alias.dependencies
    jobs = one(graph, "aws:sqs/queue:Queue", "jobs")
    assert key.urn in jobs.dependencies and jobs.inputs["kmsMasterKeyId"] == offline.UNKNOWN
    assert "sqsManagedSseEnabled" not in jobs.inputs  # the stack's key instead of SSE-SQS
    secret = one(graph, "aws:secretsmanager/secret:Secret", "db-password")
    assert key.urn in secret.dependencies


def test_role_renders_trust_policy_and_managed_policy_attachments(graph):
    role = one(graph, "aws:iam/role:Role", "batch")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert role.inputs["maxSessionDuration"] == 4 * 3600
    attachment = one(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "batch-policy-0")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    assert role.urn in attachment.dependencies


def test_secret_value_comes_from_config_as_a_secret_and_never_shows(graph):
    version = one(graph, "aws:secretsmanager/secretVersion:SecretVersion", "db-password")
    assert version.inputs["secretString"] == SECRET_PLACEHOLDER
    assert "secretString" in version.secret_keys
    assert SECRET_VALUE not in graph.model_dump_json()
    rotation = one(graph, "aws:secretsmanager/secretRotation:SecretRotation", "db-password")
    assert rotation.inputs["rotationRules"] == {"automaticallyAfterDays": 30}
    permission = one(graph, "aws:lambda/permission:Permission", "db-password-rotation")
    assert permission.inputs["principal"] == "secretsmanager.amazonaws.com"
    assert permission.urn in rotation.dependencies  # Secrets Manager may invoke it first
    rotator = one(graph, "aws:lambda/function:Function", "rotator")
    assert rotator.urn in rotation.dependencies


def test_secret_config_key_is_a_config_secret_of_the_stack():
    spec = load_spec_text(PASSING, "stacks/dev.yaml")
    registry = kinds.installed()
    assert registry["secrets"].config_secrets(spec.secrets["db-password"]) == ("dbPassword",)


@pytest.mark.parametrize("field", ["value", "secret_string", "password"])
def test_a_secret_value_in_a_spec_is_refused_without_echoing_it(field):
    text = f"secrets:\n  db:\n    {field}: {SECRET_VALUE}\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "stacks/dev.yaml")
    message = f"{info.value} {info.value.hint}"
    assert "stacks/dev.yaml:2:3: secrets.db" in message
    assert "pulumi config set --secret" in message and SECRET_VALUE not in message


def test_alerts_watch_each_kinds_own_metrics(graph):
    alarms = {r.name: r.inputs for r in of_type(graph, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert (alarms["jobs-age"]["namespace"], alarms["jobs-age"]["metricName"]) == \
        ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert (alarms["thumbs-errors"]["namespace"], alarms["thumbs-errors"]["metricName"]) == \
        ("AWS/Lambda", "Errors")
    # One alarm per cache node.
    assert {n for n in alarms if n.startswith("cache-cpu")} == {"cache-cpu-001", "cache-cpu-002"}
    assert alarms["cache-cpu-001"]["metricName"] == "EngineCPUUtilization"
    assert (alarms["web-5xx"]["namespace"], alarms["web-5xx"]["metricName"]) == \
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")


def test_an_alert_on_a_metric_the_kind_has_not_got_is_refused_by_name():
    text = "tags: {owner: a}\nqueues:\n  q: {}\nalerts:\n  q-cpu: {target: q, metric: cpu, threshold: 1}\n"
    with pytest.raises(SpecError, match=r"watches 'cpu', which queues have not got \(metrics: latency\)"):
        offline.capture(text, "dev")


@pytest.mark.parametrize("target", ["registries:\n  r: {}\n", "keys:\n  r: {}\n",
                                    "roles:\n  r: {service: ec2}\n", "secrets:\n  r: {}\n",
                                    "dns_records:\n  r: {zone_id: Z1, record: a.example.com, values: [1.2.3.4]}\n"])
def test_an_alert_on_a_kind_without_metrics_is_refused_not_given_a_stand_in(target):
    text = f"tags: {{owner: a}}\n{target}alerts:\n  r-cpu: {{target: r, threshold: 1}}\n"
    with pytest.raises(SpecError, match=r"(watches 'cpu', which \w+ have not got \(metrics: none\)|has no metric agentops can watch)"):
        offline.capture(text, "dev")


def test_every_taggable_resource_of_these_kinds_carries_the_stack_tags(graph):
    registry = kinds.installed()
    taggable = set().union(*(registry[s].taggable for s in AWS_KINDS))
    seen = set()
    for r in graph.resources:
        if r.type in taggable:
            seen.add(r.type)
            assert r.inputs["tags"]["owner"] == "platform" and r.inputs["tags"]["environment"] == "dev", r.name
    assert seen == taggable


# --- edits -------------------------------------------------------------------------------------

BASE = """\
# A stack for edits.
provider: aws
region: us-east-1
tags: {owner: platform}
network:
  core: {}
queues:
  jobs: {}
topics:
  events: {}
functions:
  thumbs:
    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.0
tables:
  orders:
    point_in_time_recovery: false
  counters:
    billing: provisioned
    read_capacity: 5
    write_capacity: 5
caches:
  sessions:
    network: core
load_balancers:
  web:
    network: core
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc
dns_records:
  www:
    zone_id: Z0123456789ABCDEF
    record: www.example.com
    values: [203.0.113.10]
registries:
  images: {}
keys:
  data: {}
roles:
  worker:
    service: ecs-tasks
secrets:
  token:
    config_key: apiToken
"""


def edit(*actions, text: str = BASE) -> tuple[str, list[str]]:
    plan = ActionPlan(command="c", interpretation="i", actions=list(actions))
    result = apply_plan(plan, {"dev": text}, default_stack="dev", now=NOW)
    load_spec_text(result.texts["dev"], "stacks/dev.yaml")  # always valid
    return result.texts["dev"], result.changes


def A(type_, name=None, resource="infrastructure", **params):
    return Action(type=type_, resource=resource, name=name, stack="dev",
                  parameters=Parameters(**params))


def entry(text: str, section: str, name: str):
    return getattr(load_spec_text(text, "stacks/dev.yaml"), section)[name]


def test_create_picks_each_kind_by_its_kind_value():
    text, changes = edit(
        A("create", "work", kind="queue", retention_seconds=86400),
        A("create", "alerts-out", kind="topic"),
        A("create", "resize", kind="function", image=IMAGE, memory_mb=512),
        A("create", "carts", kind="table", hash_key="cart_id"),
        A("create", "hot", kind="redis", instance_type="cache.t4g.small", count=3),
        A("create", None, kind="cache"),
    )
    assert entry(text, "queues", "work").retention_seconds == 86400
    assert entry(text, "topics", "alerts-out").encrypted is True
    assert entry(text, "functions", "resize").memory_mb == 512
    assert entry(text, "tables", "carts").hash_key == "cart_id"
    hot = entry(text, "caches", "hot")
    assert (hot.engine, hot.node_type, hot.nodes, hot.network) == ("redis", "cache.t4g.small", 3, "core")
    assert entry(text, "caches", "cache-1").engine == "valkey"
    assert text.startswith("# A stack for edits.")  # round-trip: comments kept
    assert len(changes) == 6


def test_create_load_balancer_dns_record_and_registry():
    text, _ = edit(
        A("create", "api-lb", kind="load_balancer", certificate_arn=CERT, port=8443),
        A("create", "plain-lb", kind="load balancer", protocol="HTTP", port=80),
        A("create", "api-dns", kind="dns_record", zone_id="Z0123456789ABCDEF",
          record="api.example.com", values="198.51.100.7"),
        A("create", "tools", kind="registry", count=20),
        A("create", None, kind="ecr"),
    )
    api = entry(text, "load_balancers", "api-lb")
    assert (api.network, api.port, api.protocol, api.certificate_arn) == ("core", 8443, "HTTPS", CERT)
    assert entry(text, "load_balancers", "plain-lb").protocol == "HTTP"
    dns = entry(text, "dns_records", "api-dns")
    assert (dns.record, dns.values, dns.type) == ("api.example.com", ["198.51.100.7"], "A")
    assert entry(text, "registries", "tools").keep_images == 20
    assert entry(text, "registries", "registry-1").immutable_tags is True


@pytest.mark.parametrize("action, message", [
    (A("create", "lb2", kind="load_balancer"), "needs an ACM certificate"),
    (A("create", "rec", kind="dns_record", values="1.2.3.4"), "needs zone_id and record"),
])
def test_creates_missing_what_no_default_can_supply_are_refused(action, message):
    with pytest.raises(EditError, match=message) as info:
        edit(action)
    assert info.value.hint


def test_create_update_and_delete_keys_roles_and_secrets():
    text, changes = edit(
        A("create", "audit", resource="security", kind="kms_key", rotation_days=90),
        A("create", "deployer", resource="security", kind="iam_role", service="codebuild",
          policies="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"),
        A("create", "stripe-key", resource="security", kind="secret", config_key="stripeKey"),
        A("update", "data", rotation_days=180),
        A("update", "worker", policies=["arn:aws:iam::aws:policy/AmazonSQSFullAccess"]),
        A("update", "token", config_key="apiTokenV2"),
    )
    assert entry(text, "keys", "audit").rotation_days == 90
    deployer = entry(text, "roles", "deployer")
    assert (deployer.service, deployer.policies) == (
        "codebuild", ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"])
    assert entry(text, "secrets", "stripe-key").config_key == "stripeKey"
    assert entry(text, "keys", "data").rotation_days == 180
    assert entry(text, "roles", "worker").policies == ["arn:aws:iam::aws:policy/AmazonSQSFullAccess"]
    assert entry(text, "secrets", "token").config_key == "apiTokenV2"
    for name in ("data", "worker", "token"):
        gone, _ = edit(A("delete", name, resource="security"))
        assert name not in load_spec_text(gone, "stacks/dev.yaml").names()


def test_a_secret_value_in_a_command_is_refused_and_not_echoed():
    with pytest.raises(EditError) as info:
        edit(A("create", "db", resource="security", kind="secret", value=SECRET_VALUE))
    message = f"{info.value} {info.value.hint}"
    assert "never goes through a command" in message and SECRET_VALUE not in message


def test_a_role_without_a_service_is_refused_with_examples():
    with pytest.raises(EditError, match="which service assumes it") as info:
        edit(A("create", "r", resource="security", kind="iam_role"))
    assert "ecs-tasks" in info.value.hint


def test_create_function_without_a_package_is_refused_with_what_to_say():
    with pytest.raises(EditError, match="which package"):
        edit(A("create", "f", kind="function", memory_mb=256))


def test_provisioned_table_create_sets_billing():
    text, _ = edit(A("create", "hits", kind="table", read_capacity=20, write_capacity=10))
    hits = entry(text, "tables", "hits")
    assert (hits.billing, hits.read_capacity, hits.write_capacity) == ("provisioned", 20, 10)


def test_update_scale_backup_and_delete_each_kind():
    text, changes = edit(
        A("update", "jobs", visibility_timeout_seconds=300),
        A("update", "thumbs", image=IMAGE, timeout_seconds=120, memory_mb=2048),
        A("scale", "thumbs", count=10),
        A("scale", "counters", read_capacity=50, write_capacity=25),
        A("backup", "orders"),
        A("scale", "sessions", count=3),
        A("update", "sessions", instance_type="cache.r7g.large"),
        A("delete", "events"),
        A("update", "web", port=8443),
        A("update", "www", ttl=60, values="203.0.113.99"),
        A("update", "images", count=5),
    )
    assert entry(text, "queues", "jobs").visibility_timeout_seconds == 300
    thumbs = entry(text, "functions", "thumbs")
    assert (thumbs.image, thumbs.timeout_seconds, thumbs.memory_mb, thumbs.reserved_concurrency) == \
        (IMAGE, 120, 2048, 10)
    counters = entry(text, "tables", "counters")
    assert (counters.read_capacity, counters.write_capacity) == (50, 25)
    assert entry(text, "tables", "orders").point_in_time_recovery is True
    sessions = entry(text, "caches", "sessions")
    assert (sessions.nodes, sessions.node_type) == (3, "cache.r7g.large")
    assert "events" not in load_spec_text(text, "stacks/dev.yaml").topics
    assert any("point-in-time recovery on" in c for c in changes)
    assert entry(text, "load_balancers", "web").port == 8443
    www = entry(text, "dns_records", "www")
    assert (www.ttl, www.values) == (60, ["203.0.113.99"])
    assert entry(text, "registries", "images").keep_images == 5
    for name in ("web", "www", "images"):
        gone, _ = edit(A("delete", name))
        assert name not in load_spec_text(gone, "stacks/dev.yaml").names()


@pytest.mark.parametrize("action, message", [
    (A("update", "jobs", replicas=3), "cannot set replicas on queues"),
    (A("update", "events", port=1), "update does not apply to topics"),
    (A("restart", "thumbs"), "restart does not apply to functions"),
    (A("backup", "counters"), "already on"),
    (A("backup", "jobs"), "backup does not apply to queues"),
    (A("scale", "counters", count=3), "cannot set count on tables"),
    (A("scale", "web", count=3), "scale does not apply to load_balancers"),
    (A("update", "www", zone_id="Z999"), "cannot set zone_id on dns_records"),
])
def test_unsupported_actions_and_parameters_are_refused_by_name(action, message):
    with pytest.raises(EditError, match=message) as info:
        edit(action)
    assert info.value.hint


def test_an_edit_that_breaks_a_rule_of_the_model_is_refused():
    # A provisioned table cannot drop below 1 read unit: the edited spec would not validate.
    with pytest.raises(SpecError, match="read_capacity"):
        edit(A("scale", "counters", read_capacity=0))


# --- cost --------------------------------------------------------------------------------------


def test_cost_prices_what_has_a_fixed_price_and_lists_the_rest_unpriced():
    cost = estimate(load_spec_text(PASSING, "stacks/prod.yaml"), "prod")
    lines = {line.resource: line for line in cost.lines}
    H = 730
    # DynamoDB provisioned, us-east-1 (2025): $0.00065 per WCU-hour, $0.00013 per RCU-hour.
    assert lines["tables.sessions"].monthly_usd == round(H * (5 * 0.00065 + 10 * 0.00013), 2)
    # ElastiCache Redis OSS cache.t3.small, us-east-1: $0.034/h per node.
    assert lines["caches.sessions-cache"].monthly_usd == round(2 * 0.034 * H, 2)
    for usage_based in ("queues.jobs", "queues.ledger", "topics.events", "functions.thumbs",
                        "tables.orders"):
        assert lines[usage_based].monthly_usd is None, usage_based
        assert "usage-based" in lines[usage_based].detail
        assert usage_based in cost.unpriced
    assert "$0.50 per million" in lines["queues.ledger"].detail  # FIFO rate
    # ALB, us-east-1 (2025): $0.0225 per hour; LCUs (traffic) named, not counted.
    assert lines["load_balancers.web"].monthly_usd == round(0.0225 * H, 2)
    assert "LCU" in lines["load_balancers.web"].detail
    # Route 53 records carry no charge of their own: priced at zero, saying why.
    assert lines["dns_records.www"].monthly_usd == 0.0 and "no charge" in lines["dns_records.www"].detail
    assert lines["registries.images"].monthly_usd is None and "registries.images" in cost.unpriced
    # KMS: $1 per customer managed key-month; Secrets Manager: $0.40 per secret-month; IAM free.
    assert lines["keys.data"].monthly_usd == 1.0 and "rotation" in lines["keys.data"].detail
    assert lines["secrets.db-password"].monthly_usd == 0.40
    assert lines["roles.batch"].monthly_usd == 0.0 and "no charge" in lines["roles.batch"].detail
    # Nothing is a silent zero: every zero says why.
    for line in cost.lines:
        if line.monthly_usd == 0.0:
            assert line.detail, line.resource


def test_valkey_is_priced_below_redis_and_unknown_node_types_are_unpriced():
    text = ("region: us-east-1\ncaches:\n  v: {node_type: cache.t4g.micro}\n"
            "  r: {engine: redis, node_type: cache.t4g.micro}\n  x: {node_type: cache.x9.huge}\n")
    lines = {l.resource: l for l in estimate(load_spec_text(text, "s.yaml"), "dev").lines}
    assert lines["caches.r"].monthly_usd == round(0.016 * 730, 2)
    assert lines["caches.v"].monthly_usd == round(0.016 * 0.8 * 730, 2)
    assert lines["caches.x"].monthly_usd is None and "cache.x9.huge" in lines["caches.x"].detail


def test_provisioned_table_outside_the_priced_regions_is_unpriced_not_guessed():
    text = "region: ap-southeast-2\ntables:\n  t: {billing: provisioned, read_capacity: 1, write_capacity: 1}\n"
    (line,) = estimate(load_spec_text(text, "s.yaml"), "dev").lines
    assert line.monthly_usd is None


# --- rules -------------------------------------------------------------------------------------


def _by_policy(verdicts) -> dict[str, list]:
    out: dict[str, list] = {}
    for v in verdicts:
        out.setdefault(v.policy, []).append(v)
    return out


def test_passing_spec_passes_every_rule_in_production_and_elsewhere(graphs):
    for key in ("pass-prod", "pass-dev"):
        verdicts = policy.evaluate_graph(graphs[key], RepoConfig(), root=REPO)
        assert verdicts == [], [f"{v.policy}: {v.message}" for v in verdicts]


def test_failing_spec_breaks_every_rule_of_these_kinds(graphs):
    verdicts = policy.evaluate_graph(graphs["fail-prod"], RepoConfig(), root=REPO)
    found = _by_policy(verdicts)
    assert set(found) == set(AWS_RULES) - NOT_FROM_A_SPEC, sorted(found)
    for v in verdicts:
        assert (v.enforcement, v.severity) == AWS_RULES[v.policy]
    where = {name: {v.resource for v in vs} for name, vs in found.items()}
    assert where["sqs-encrypted"] == {"queues.plain"}
    assert where["sns-encrypted"] == {"topics.plain-topic"}
    assert where["lambda-supported-runtime"] == {"functions.legacy"}
    assert "python3.8" in found["lambda-supported-runtime"][0].message
    assert where["dynamodb-encrypted"] == where["dynamodb-pitr-production"] == {"tables.loose"}
    assert where["elasticache-encrypted-at-rest"] == {"caches.open-cache"}
    assert "TLS" in found["elasticache-encrypted-in-transit"][0].message
    assert where["alb-https-only"] == {"load_balancers.plain-lb"}
    assert "port 80" in found["alb-https-only"][0].message
    assert where["ecr-scan-on-push"] == where["ecr-immutable-tags"] == {"registries.mutable"}
    assert where["kms-key-rotation"] == {"keys.static"}
    assert where["iam-no-admin-policies"] == {"roles.admin"}
    assert "AdministratorAccess" in found["iam-no-admin-policies"][0].message
    assert where["secrets-rotation"] == {"secrets.api-token"}
    assert all(v.urn for v in found["secrets-rotation"])  # on the secret, not the stack


def _resource(stack: str, type_: str, name: str, inputs: dict) -> Resource:
    return Resource(urn=f"urn:pulumi:{stack}::agentops::{type_}::{name}", type=type_, name=name,
                    inputs=inputs)


def test_rules_no_spec_can_break_on_hand_built_graphs():
    tags = {"owner": "x", "environment": "prod"}
    listener = "aws:lb/listener:Listener"
    graph = ResourceGraph(project="agentops", stack="prod", resources=[
        _resource("prod", listener, "old-tls", {"protocol": "HTTPS", "port": 443,
                  "sslPolicy": "ELBSecurityPolicy-2016-08", "tags": tags}),
        _resource("prod", listener, "modern", {"protocol": "HTTPS", "port": 443,
                  "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "tags": tags}),
        # A port-80 listener that forwards half its traffic and redirects the rest is not a
        # redirect-only listener.
        _resource("prod", listener, "mixed", {"protocol": "HTTP", "port": 80, "tags": tags,
                  "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}},
                                     {"type": "forward", "targetGroupArn": "arn"}]}),
    ])
    star = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    narrow = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    graph.resources += [
        _resource("prod", "aws:iam/policy:Policy", "god-mode", {"policy": star, "tags": tags}),
        _resource("prod", "aws:iam/rolePolicy:RolePolicy", "star-colon", {"policy": json.dumps(
            {"Statement": [{"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}]})}),
        _resource("prod", "aws:iam/policy:Policy", "reader", {"policy": narrow, "tags": tags}),
        _resource("prod", "aws:iam/role:Role", "inline", {"tags": tags, "assumeRolePolicy": "{}",
                  "inlinePolicies": [{"name": "all", "policy": star}]}),
        _resource("prod", "aws:kms/key:Key", "asymmetric", {"customerMasterKeySpec": "RSA_2048",
                  "keyUsage": "SIGN_VERIFY", "tags": tags}),
    ]
    found = _by_policy(policy.evaluate_graph(graph, RepoConfig(), root=REPO))
    assert sorted(v.resource for v in found["iam-no-admin-policies"]) == ["god-mode", "inline", "star-colon"]
    assert "kms-key-rotation" not in found  # asymmetric keys cannot rotate: not flagged
    assert [v.resource for v in found["alb-modern-tls"]] == ["old-tls"]
    assert [v.resource for v in found["alb-https-only"]] == ["mixed"]


def test_production_only_rules_stay_quiet_outside_production(graphs):
    found = _by_policy(policy.evaluate_graph(graphs["fail-prod"], RepoConfig(production_stacks=["live"]),
                                             root=REPO))
    assert "dynamodb-pitr-production" not in found and "dynamodb-deletion-protection" not in found
    assert "dynamodb-encrypted" in found and "sqs-encrypted" in found


def test_deprecated_runtimes_come_from_the_policy_config(graphs):
    config = RepoConfig(policy={"lambda-supported-runtime": {"deprecatedRuntimes": ["python3.12"]}})
    found = _by_policy(policy.evaluate_graph(graphs["pass-dev"], config, root=REPO))
    assert {v.resource for v in found["lambda-supported-runtime"]} == {"functions.resize"}


# --- the whole offline plan and `agentops check` on a stack with every kind --------------------


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def _agentops(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("agentops") or str(REPO / ".venv" / "bin" / "agentops")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository whose dev and prod stacks hold only a network, committed on main."""
    (tmp_path / "stacks").mkdir()
    base = "provider: aws\nregion: us-east-1\ntags: {owner: platform}\nnetwork:\n  core: {}\n"
    for stack in ("dev", "prod"):
        (tmp_path / "stacks" / f"{stack}.yaml").write_text(base)
    shutil.copytree(REPO / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def test_offline_plan_of_a_stack_with_every_aws_kind(repo):
    (repo / "stacks" / "dev.yaml").write_text(PASSING)
    result = _agentops(repo, "plan", "--stack", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    (dev,) = json.loads(result.stdout)["stacks"]
    created = {c["spec_ref"].split(".")[0] for c in dev["changes"] if c["kind"] == "create"}
    assert set(AWS_KINDS) <= created
    types = {c["type"] for c in dev["changes"]}
    for expected in ("aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:lambda/function:Function",
                     "aws:dynamodb/table:Table",
                     "aws:elasticache/replicationGroup:ReplicationGroup",
                     "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener",
                     "aws:lb/targetGroup:TargetGroup", "aws:route53/record:Record",
                     "aws:ecr/repository:Repository", "aws:secretsmanager/secret:Secret",
                     "aws:secretsmanager/secretVersion:SecretVersion", "aws:kms/key:Key",
                     "aws:iam/role:Role"):
        assert expected in types, expected
    assert dev["counts"]["delete"] == 0 and dev["verdicts"] == []
    # Priced: provisioned table, cache nodes, ALB, KMS key, secret; the rest listed unpriced.
    assert dev["cost"]["after_usd"] > 0
    assert {"queues.jobs", "functions.thumbs", "registries.images"} <= set(dev["cost"]["unpriced"])
    text = _agentops(repo, "plan", "--stack", "dev")
    assert text.returncode == 0, text.stderr
    assert "+ create aws:sqs/queue:Queue jobs [queues.jobs]" in text.stdout
    assert SECRET_VALUE not in text.stdout + result.stdout


def test_check_passes_the_passing_stack_and_blocks_the_failing_one(repo):
    (repo / "stacks" / "dev.yaml").write_text(PASSING)
    (repo / "stacks" / "prod.yaml").write_text(FAILING)
    good = _agentops(repo, "check", "-s", "dev")
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.strip() == "dev: ok"
    bad = _agentops(repo, "check", "-s", "prod", "--format", "json")
    assert bad.returncode == 1
    verdicts = json.loads(bad.stdout)[0]["verdicts"]
    assert {v["policy"] for v in verdicts} == set(AWS_RULES) - NOT_FROM_A_SPEC
    text = _agentops(repo, "check", "-s", "prod")
    assert "[mandatory] iam-no-admin-policies" in text.stdout
    assert "mandatory policy violation(s) in prod" in text.stderr


# --- the offline plan's fast path and preloading cover these kinds -----------------------------


def test_fast_path_captures_the_plain_sdk_graph_for_every_aws_kind(graphs):
    import sys

    script = ("import sys\nfrom agentops import offline\nfrom agentops.spec import load_spec_text\n"
              "spec = load_spec_text(sys.stdin.read(), 'stacks/prod.yaml')\n"
              "print(offline.capture_spec(spec, 'prod', lean=False).model_dump_json())\n")
    out = subprocess.run([sys.executable, "-c", script], input=PASSING, capture_output=True,
                         text=True, check=True)
    plain = ResourceGraph.model_validate_json(out.stdout.strip().splitlines()[-1])
    fast = graphs["pass-prod"]  # captured by a worker forked from the preloaded loader

    def by_urn(graph):
        return {r.urn: {**r.model_dump(), "dependencies": sorted(r.dependencies)}
                for r in graph.resources}

    assert len(fast.resources) == len(by_urn(fast)) > 60  # no URN registered twice
    assert by_urn(fast) == by_urn(plain)


def test_preload_covers_what_these_kinds_import():
    # The loader imports only the provider modules the kinds declare (Kind.modules): rendering
    # after it must load no other provider module (one missing costs every plan time).
    import sys

    script = f"""
import json, sys
from agentops import offline
from agentops.spec import load_spec_text
spec = load_spec_text({PASSING!r}, "stacks/prod.yaml")
offline._import_sdk()
offline._preload([spec])
before = set(sys.modules)
offline.capture_spec(spec, "prod")
late = sorted(m for m in set(sys.modules) - before if m.startswith(("pulumi_aws", "pulumi_kubernetes")))
late += sorted(name for name, m in sys.modules.items()
               if isinstance(m, offline._ThinPackage) and m.__dict__.get("_complete"))
print(json.dumps(late))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def _crossguard_analyzer_findings(graph: ResourceGraph, config: RepoConfig) -> set:
    """What pulumi-policy's own analyzer servicer (the CI path, minus gRPC) reports for the
    graph: tests/test_policies.py's helper, loaded from its file rather than copied."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_test_policies_helpers",
                                                  REPO / "tests" / "test_policies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._analyzer_findings(graph, config)


@pytest.mark.parametrize("config", [RepoConfig(), RepoConfig(
    production_stacks=[], policy={"ecr-immutable-tags": "mandatory", "secrets-rotation": "disabled"})])
def test_offline_verdicts_of_these_rules_equal_what_crossguard_reports(graphs, config):
    offline_findings = {(v.policy, v.urn or "", v.enforcement)
                        for v in policy.evaluate_graph(graphs["fail-prod"], config, root=REPO)}
    assert offline_findings == _crossguard_analyzer_findings(graphs["fail-prod"], config)
    assert {f[0] for f in offline_findings} >= {"sqs-encrypted", "iam-no-admin-policies",
                                                "alb-https-only", "kms-key-rotation"}


def test_the_readme_example_of_these_kinds_validates_and_renders():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("AWS service kinds", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    text = "tags: {owner: platform}\nnetwork: {core: {}}\n" + block
    spec = load_spec_text(text, "README.md")
    assert {s for s, _, _ in spec.resources()} == set(AWS_KINDS) | {"network"}
    graph = offline.capture(text, "dev")
    assert any(r.type == "aws:secretsmanager/secretRotation:SecretRotation" for r in graph.resources)
