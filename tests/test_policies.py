"""The CrossGuard pack: it loads with the real pulumi-policy SDK, every rule fires on a spec that
breaks it and none on one that passes, settings and levels come from .agentops.yaml, and
`agentops check` / `scan` / `policy-config` run it on real captured graphs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pulumi_policy
import pytest

from agentops import offline, policy
from agentops.config import RepoConfig
from agentops.errors import AgentOpsError
from agentops.graph import Resource, ResourceGraph

REPO = Path(__file__).resolve().parents[1]

EXPECTED = {
    # name: (enforcement, severity)
    "s3-no-public-buckets": ("mandatory", "critical"),
    "s3-encryption": ("mandatory", "high"),
    "s3-versioning-production": ("advisory", "low"),
    "sg-no-public-admin-ports": ("mandatory", "critical"),
    "rds-storage-encrypted": ("mandatory", "high"),
    "rds-deletion-protection": ("mandatory", "high"),
    "rds-backup-retention": ("mandatory", "high"),
    "rds-not-public": ("mandatory", "critical"),
    "rds-multi-az-production": ("advisory", "medium"),
    "instance-type-allowlist": ("mandatory", "medium"),
    "max-instances": ("mandatory", "medium"),
    "required-tags": ("mandatory", "medium"),
    "ebs-encrypted": ("mandatory", "high"),
    "ec2-imdsv2": ("advisory", "medium"),
    "eks-supported-version": ("advisory", "medium"),
    "k8s-min-replicas": ("mandatory", "high"),
    "k8s-image-pinned": ("mandatory", "medium"),
    "k8s-resource-limits": ("mandatory", "medium"),
    "no-plaintext-secrets": ("mandatory", "critical"),
    # The Kubernetes kinds' own rules (Kind.policies; tests/test_kinds_k8s.py).
    "k8s-namespace-owner": ("mandatory", "medium"),
    "k8s-configmap-no-secrets": ("mandatory", "critical"),
    "k8s-ingress-tls": ("mandatory", "high"),
    "k8s-cronjob-image-pinned": ("mandatory", "medium"),
    "k8s-cronjob-limits": ("mandatory", "medium"),
    "k8s-hpa-min-replicas": ("mandatory", "high"),
    "k8s-hpa-max-above-min": ("mandatory", "medium"),
    "k8s-lb-no-public-admin-ports": ("mandatory", "critical"),
    "k8s-pdb-allows-disruption": ("mandatory", "medium"),
    # The AWS service kinds' own rules (Kind.policies; tests/test_kinds_aws.py).
    "kms-key-rotation": ("mandatory", "medium"),
    "iam-no-admin-policies": ("mandatory", "critical"),
    "sqs-encrypted": ("mandatory", "high"),
    "sns-encrypted": ("mandatory", "high"),
    "lambda-supported-runtime": ("advisory", "high"),
    "dynamodb-encrypted": ("mandatory", "medium"),
    "dynamodb-pitr-production": ("mandatory", "high"),
    "dynamodb-deletion-protection": ("advisory", "medium"),
    "elasticache-encrypted-at-rest": ("mandatory", "high"),
    "elasticache-encrypted-in-transit": ("mandatory", "high"),
    "ecr-scan-on-push": ("mandatory", "medium"),
    "ecr-immutable-tags": ("advisory", "medium"),
    "secrets-rotation": ("advisory", "low"),
    "alb-https-only": ("mandatory", "high"),
    "alb-modern-tls": ("mandatory", "medium"),
}

# The example rule the team's own module (policies/team_rules.py) adds to agentops' rules.
TEAM = {"team-rds-engines": ("advisory", "low")}
# The repository's pack: agentops' rules and the team's.
PACK = {**EXPECTED, **TEAM}

K8S_KIND_RULES = {name for name in EXPECTED if name.startswith(("k8s-namespace", "k8s-configmap",
                                                                 "k8s-ingress", "k8s-cronjob",
                                                                 "k8s-hpa", "k8s-lb",
                                                                 "k8s-pdb"))}
AWS_KIND_RULES = {name for name in EXPECTED if name.startswith((
    "kms-", "iam-", "sqs-", "sns-", "lambda-", "dynamodb-", "elasticache-", "ecr-", "secrets-", "alb-"))}

# Every resource kind, every rule satisfied, in the strictest (production) setting.
PASSING = """\
provider: aws
region: us-east-1
tags: {owner: platform, environment: prod}
network:
  core: {cidr: 10.0.0.0/16, az_count: 2, nat_gateway: true}
instances:
  bastion: {count: 2, instance_type: t3.micro, network: core, security: [ssh]}
clusters:
  main: {version: "1.31", instance_type: m5.large, desired_size: 3, min_size: 2, max_size: 6, network: core}
deployments:
  api:
    cluster: main
    image: ghcr.io/acme/api:1.8.2
    replicas: 3
    limits: {cpu: "1", memory: 1Gi}
  worker:
    cluster: main
    image: ghcr.io/acme/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    replicas: 2
    port: null
    limits: {cpu: 500m, memory: 256Mi}
databases:
  orders:
    engine: postgres
    instance_class: db.m5.large
    backup_retention_days: 14
    deletion_protection: true
    encrypted: true
    multi_az: true
    network: core
storage:
  assets: {kind: bucket, versioning: true}
  data: {kind: volume, size_gb: 50}
alerts:
  api-cpu: {target: api, threshold: 80}
security:
  ssh:
    network: core
    rules:
      - {port: 22, cidr: 203.0.113.0/24}
      - {port: 443, cidr: 0.0.0.0/0}
"""

# Breaks every rule the program can express from a spec.
FAILING = """\
provider: aws
region: us-east-1
tags: {team: platform}
instances:
  fleet: {count: 60, instance_type: p3.2xlarge, security: [open]}
clusters:
  old: {version: "1.24", instance_type: t3.medium, desired_size: 1, min_size: 1, max_size: 2}
deployments:
  api:
    cluster: old
    image: ghcr.io/acme/api:latest
    replicas: 1
    env: {STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dcXq, LOG_LEVEL: info}
  web:
    cluster: old
    image: nginx
    replicas: 3
    limits: {cpu: 250m}
databases:
  orders:
    engine: mysql
    backup_retention_days: 1
    deletion_protection: false
    encrypted: false
storage:
  site: {kind: bucket, public: true, encrypted: false}
  scratch: {kind: volume, size_gb: 10, encrypted: false}
security:
  open:
    rules:
      - {port: 22, cidr: 0.0.0.0/0}
      - {port: 5000, to_port: 6000, cidr: 0.0.0.0/0}
      - {port: 0, protocol: all, cidr: "::/0"}
"""


def _graph(text: str, stack: str) -> ResourceGraph:
    return offline.capture_many([(text, stack, f"stacks/{stack}.yaml")])[0]


@pytest.fixture(scope="module")
def graphs() -> dict[str, ResourceGraph]:
    texts = [(PASSING, "prod", "p"), (PASSING, "staging", "s"), (FAILING, "prod", "f")]
    captured = offline.capture_many(texts)
    return {"pass-prod": captured[0], "pass-staging": captured[1], "fail-prod": captured[2]}


def _by_policy(verdicts) -> dict[str, list]:
    out: dict[str, list] = {}
    for v in verdicts:
        out.setdefault(v.policy, []).append(v)
    return out


# --- loading -------------------------------------------------------------------------------


def test_pack_loads_under_the_capture_with_the_real_sdk():
    real = pulumi_policy.PolicyPack
    pack = policy.load_pack(REPO)
    assert pulumi_policy.PolicyPack is real  # the stand-in is gone again
    assert pack.name == "agentops"
    assert pack.source.endswith("policies/__main__.py")
    assert all(isinstance(p, pulumi_policy.Policy) for p in pack.policies)
    got = {p.name: (p.enforcement_level.value, p.severity.value) for p in pack.policies}
    assert got == PACK
    assert len(got) >= 12
    stack_policies = {p.name for p in pack.policies
                      if isinstance(p, pulumi_policy.StackValidationPolicy)}
    assert stack_policies == {"s3-no-public-buckets", "s3-encryption",
                              "s3-versioning-production", "max-instances", "secrets-rotation"}
    # Cached per process: the same objects on a second load.
    assert policy.load_pack(REPO) is pack


def test_repository_pack_is_the_packaged_rules_and_the_teams():
    packaged = policy.load_pack(None)
    assert [p.name for p in packaged.policies] + list(TEAM) == \
        [p.name for p in policy.load_pack(REPO).policies]


def test_broken_pack_is_a_clear_error(tmp_path: Path):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "__main__.py").write_text("import nonexistent_module_xyz\n")
    # Half a pack: `pulumi preview --policy-pack` would refuse it, so every command does.
    with pytest.raises(AgentOpsError, match="no PulumiPolicy.yaml") as info:
        policy.load_pack(tmp_path)
    assert "agentops init --force" in info.value.hint
    with pytest.raises(AgentOpsError, match="no PulumiPolicy.yaml"):
        policy.find_pack(tmp_path)
    (tmp_path / "policies" / "PulumiPolicy.yaml").write_text("runtime: python\n")
    with pytest.raises(AgentOpsError, match="failed to load"):
        policy.load_pack(tmp_path)
    with pytest.raises(AgentOpsError, match="no policy pack"):
        policy.load_pack(tmp_path / "missing")
    assert policy.find_pack(tmp_path / "missing") is None


# --- the rules on real captured graphs -----------------------------------------------------


def test_passing_spec_passes_every_rule_in_production_and_elsewhere(graphs):
    for key in ("pass-prod", "pass-staging"):
        verdicts = policy.evaluate_graph(graphs[key], RepoConfig(), root=REPO)
        assert verdicts == [], [f"{v.policy}: {v.message}" for v in verdicts]


def test_failing_spec_breaks_every_rule_it_can_express(graphs):
    verdicts = policy.evaluate_graph(graphs["fail-prod"], RepoConfig(), root=REPO)
    found = _by_policy(verdicts)
    # rds-not-public and ec2-imdsv2 cannot be expressed in a spec (the program never makes a
    # public database nor allows IMDSv1): covered by hand-built graphs below.
    # The Kubernetes kinds' rules are broken by their own failing entries (test_kinds_k8s.py).
    assert set(found) == set(EXPECTED) - {"rds-not-public", "ec2-imdsv2"} - K8S_KIND_RULES - AWS_KIND_RULES
    for v in verdicts:
        assert (v.enforcement, v.severity) == EXPECTED[v.policy]
        assert v.message
        assert (v.urn is None) == (v.policy == "max-instances")  # a stack-wide finding

    assert {v.resource for v in found["s3-no-public-buckets"]} == {"storage.site"}
    assert {v.resource for v in found["s3-encryption"]} == {"storage.site"}
    assert "blockPublicAcls" in found["s3-no-public-buckets"][0].message
    ports = " ".join(v.message for v in found["sg-no-public-admin-ports"])
    assert "22" in ports and "5432" in ports and "3389" in ports  # incl. the protocol-all rule
    assert len(found["sg-no-public-admin-ports"]) == 3
    assert "keeps 1 day(s)" in found["rds-backup-retention"][0].message
    assert {v.resource for v in found["k8s-image-pinned"]} == {"deployments.api", "deployments.web"}
    secret = found["no-plaintext-secrets"]
    assert [v.resource for v in secret] == ["deployments.api"] and "env STRIPE_KEY" in secret[0].message
    assert "sk_live" not in secret[0].message  # names where, never the value
    assert {v.resource for v in found["k8s-min-replicas"]} == {"deployments.api"}
    limits = {v.resource: v.message for v in found["k8s-resource-limits"]}
    assert "cpu or memory" in limits["deployments.api"] and "no memory limit" in limits["deployments.web"]
    assert "p3.2xlarge" in found["instance-type-allowlist"][0].message
    assert len(found["instance-type-allowlist"]) == 60
    assert "62 instances" in found["max-instances"][0].message  # 60 EC2 + node group max 2
    assert "owner" in found["required-tags"][0].message
    assert {v.resource for v in found["ebs-encrypted"]} == {"storage.scratch"}
    assert "1.24" in found["eks-supported-version"][0].message
    # The AWS and Kubernetes service kinds' rules: tests/test_kinds_aws.py, test_kinds_k8s.py.


def test_production_only_rules_stay_quiet_outside_production(graphs):
    found = _by_policy(policy.evaluate_graph(graphs["fail-prod"].model_copy(), RepoConfig(
        production_stacks=["live"]), root=REPO))
    for prod_only in ("rds-deletion-protection", "rds-backup-retention", "k8s-min-replicas",
                      "k8s-resource-limits", "s3-versioning-production", "rds-multi-az-production"):
        assert prod_only not in found
    assert "rds-storage-encrypted" in found and "k8s-image-pinned" in found


def _resource(stack: str, type_: str, name: str, inputs: dict) -> Resource:
    return Resource(urn=f"urn:pulumi:{stack}::agentops::{type_}::{name}", type=type_, name=name,
                    inputs=inputs)


def test_rules_the_program_cannot_break_on_hand_built_graphs():
    tags = {"owner": "x", "environment": "prod"}
    graph = ResourceGraph(project="agentops", stack="prod", resources=[
        _resource("prod", "aws:rds/instance:Instance", "db", {
            "storageEncrypted": True, "deletionProtection": True, "backupRetentionPeriod": 7,
            "multiAz": True, "publiclyAccessible": True, "tags": tags}),
        _resource("prod", "aws:ec2/instance:Instance", "vm", {
            "instanceType": "t3.micro", "rootBlockDevice": {"encrypted": True},
            "metadataOptions": {"httpTokens": "optional"}, "tags": tags}),
        # The classic inline form, as other programs write it.
        _resource("prod", "aws:ec2/securityGroup:SecurityGroup", "legacy", {
            "ingress": [{"fromPort": 3306, "toPort": 3306, "protocol": "tcp",
                         "cidrBlocks": ["0.0.0.0/0"]}], "tags": tags}),
        _resource("prod", "aws:ec2/securityGroupRule:SecurityGroupRule", "rule", {
            "type": "ingress", "fromPort": 3389, "toPort": 3389, "protocol": "tcp",
            "cidrBlocks": ["0.0.0.0/0"]}),
        _resource("prod", "aws:s3/bucket:Bucket", "acl", {"acl": "public-read", "tags": tags}),
    ])
    found = _by_policy(policy.evaluate_graph(graph, RepoConfig()))
    assert [v.resource for v in found["rds-not-public"]] == ["db"]
    assert [v.resource for v in found["ec2-imdsv2"]] == ["vm"]
    assert {v.resource for v in found["sg-no-public-admin-ports"]} == {"legacy", "rule"}
    assert "public ACL" in found["s3-no-public-buckets"][0].message


def test_value_unknown_until_apply_is_advisory_like_in_preview():
    graph = ResourceGraph(project="agentops", stack="dev", resources=[
        _resource("dev", "aws:ebs/volume:Volume", "v", {
            "encrypted": offline.UNKNOWN, "tags": {"owner": "a", "environment": "dev"}}),
    ])
    verdicts = policy.evaluate_graph(graph, RepoConfig())
    assert [(v.policy, v.enforcement) for v in verdicts] == [("ebs-encrypted", "advisory")]
    assert "can't run during preview" in verdicts[0].message


# --- settings ------------------------------------------------------------------------------


def test_repository_settings_change_levels_and_limits(graphs):
    config = RepoConfig(policy={
        "k8s-image-pinned": "advisory",
        "eks-supported-version": "disabled",
        "instance-type-allowlist": {"allowedTypes": {"*": ["p3.*", "t3.*"]}},
        "max-instances": {"enforcementLevel": "advisory", "maxInstances": {"prod": 100}},
        "required-tags": {"requiredTags": ["team"]},
    })
    found = _by_policy(policy.evaluate_graph(graphs["fail-prod"], config, root=REPO))
    assert {v.enforcement for v in found["k8s-image-pinned"]} == {"advisory"}
    assert "eks-supported-version" not in found
    assert "instance-type-allowlist" not in found
    assert "max-instances" not in found
    assert "required-tags" not in found  # every resource has `team`
    all_advisory = policy.evaluate_graph(graphs["fail-prod"], RepoConfig(policy={"all": "advisory"}), root=REPO)
    assert all_advisory and not policy.blocking(all_advisory)


def test_production_stacks_come_from_the_repository_config(graphs):
    relaxed = policy.evaluate_graph(graphs["fail-prod"], RepoConfig(production_stacks=[]), root=REPO)
    strict = policy.evaluate_graph(graphs["fail-prod"], RepoConfig(), root=REPO)
    assert "k8s-min-replicas" in _by_policy(strict) and "k8s-min-replicas" not in _by_policy(relaxed)


@pytest.mark.parametrize("settings, message", [
    ({"no-such-policy": "advisory"}, "no policy named no-such-policy"),
    ({"ec2-imdsv2": "sometimes"}, "not an enforcement level"),
    ({"max-instances": {"maxInstancez": 3}}, "unknown setting"),
    ({"max-instances": 3}, "expected a level or a mapping"),
])
def test_bad_policy_settings_name_the_problem(settings, message):
    graph = ResourceGraph(project="agentops", stack="dev")
    with pytest.raises(AgentOpsError, match=message) as info:
        policy.evaluate_graph(graph, RepoConfig(policy=settings))
    assert info.value.hint


def test_pack_config_is_crossguard_shaped_and_complete():
    config = RepoConfig(production_stacks=["prod", "live"], policy={"ec2-imdsv2": "disabled"})
    doc = policy.pack_config(config, REPO)
    assert set(doc) == set(PACK)
    assert doc["ec2-imdsv2"]["enforcementLevel"] == "disabled"
    assert doc["k8s-min-replicas"] == {"enforcementLevel": "mandatory", "minReplicas": 2,
                                       "productionStacks": ["prod", "live"]}
    # Every property is declared in the policy's schema, so `pulumi preview` accepts the file.
    for p in policy.load_pack(REPO).policies:
        declared = set(p.config_schema.properties)
        assert set(doc[p.name]) - {"enforcementLevel"} <= declared


# --- the commands --------------------------------------------------------------------------


def _workspace(tmp_path: Path, stacks: dict[str, str], agentops_yaml: str | None = None) -> Path:
    (tmp_path / "stacks").mkdir()
    for name, text in stacks.items():
        (tmp_path / "stacks" / f"{name}.yaml").write_text(text)
    shutil.copytree(REPO / "policies", tmp_path / "policies",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if agentops_yaml:
        (tmp_path / ".agentops.yaml").write_text(agentops_yaml)
    return tmp_path


def _agentops(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("agentops") or str(REPO / ".venv" / "bin" / "agentops")
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_check_exits_non_zero_on_mandatory_violations(tmp_path: Path):
    # dev's allowlist is burstable types only.
    dev = PASSING.replace("instance_type: m5.large", "instance_type: t3.large")
    root = _workspace(tmp_path, {"prod": FAILING, "dev": dev})
    bad = _agentops(root, "check", "--stack", "production")
    assert bad.returncode == 1
    assert "prod:" in bad.stdout and "[mandatory] sg-no-public-admin-ports" in bad.stdout
    assert "mandatory policy violation(s) in prod" in bad.stderr and "hint:" in bad.stderr
    good = _agentops(root, "check", "-s", "dev")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == "dev: ok"
    js = _agentops(root, "check", "-s", "prod", "--format", "json")
    payload = json.loads(js.stdout)
    assert payload[0]["stack"] == "prod" and payload[0]["verdicts"]
    unknown = _agentops(root, "check", "-s", "qa")
    assert unknown.returncode == 1 and "unknown stack 'qa'" in unknown.stderr


def test_check_honours_the_repository_settings(tmp_path: Path):
    root = _workspace(tmp_path, {"prod": FAILING}, "policy:\n  all: advisory\n")
    result = _agentops(root, "check")
    assert result.returncode == 0, result.stderr
    assert "[advisory]" in result.stdout and "[mandatory]" not in result.stdout


def test_scan_groups_findings_by_severity(tmp_path: Path):
    root = _workspace(tmp_path, {"prod": FAILING, "dev": PASSING})
    result = _agentops(root, "scan")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scanned 2 stack(s):")
    headers = [line.split(" ")[0] for line in lines if not line.startswith(" ")][1:]
    assert headers == ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
    critical = lines[lines.index(next(l for l in lines if l.startswith("CRITICAL"))) + 1]
    assert "prod/" in critical and ("sg-no-public" in critical or "s3-no-public" in critical)


def test_policy_config_command_prints_the_crossguard_json(tmp_path: Path):
    root = _workspace(tmp_path, {"dev": PASSING}, "production_stacks: [prod, live]\n")
    result = _agentops(root, "policy-config")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["rds-backup-retention"]["productionStacks"] == ["prod", "live"]


# --- consistency with the analyzer `pulumi preview --policy-pack` runs ---------------------


def _analyzer_findings(graph: ResourceGraph, config: RepoConfig) -> set[tuple[str, str, str]]:
    """(policy, urn, level) as pulumi-policy's own gRPC analyzer servicer reports them for the
    same graph and config: the code path CrossGuard runs in CI, minus the gRPC transport."""
    from google.protobuf import struct_pb2
    from pulumi.runtime import proto
    from pulumi_policy.policy import EnforcementLevel, _PolicyAnalyzerServicer

    pack = policy.load_pack(REPO)
    servicer = _PolicyAnalyzerServicer(pack.name, "0.1.0", pack.policies, EnforcementLevel.ADVISORY)
    levels = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY,
              "disabled": proto.DISABLED, "remediate": proto.REMEDIATE}
    configure = proto.ConfigureAnalyzerRequest()
    for name, entry in policy.pack_config(config, REPO).items():
        props = struct_pb2.Struct()
        props.update({k: v for k, v in entry.items() if k != "enforcementLevel"})
        configure.policyConfig[name].CopyFrom(
            proto.PolicyConfig(enforcementLevel=levels[entry["enforcementLevel"]], properties=props))
    servicer.Configure(configure, None)

    def struct(inputs: dict):
        s = struct_pb2.Struct()
        s.update(policy._preview_value(inputs))
        return s

    found = set()
    names = {v: k for k, v in levels.items()}
    for r in graph.resources:
        if not r.custom:
            continue
        response = servicer.Analyze(proto.AnalyzeRequest(
            type=r.type, properties=struct(r.inputs), urn=r.urn, name=r.name), None)
        found |= {(d.policyName, d.urn or r.urn, names[d.enforcementLevel]) for d in response.diagnostics}
    stack = proto.AnalyzeStackRequest(resources=[proto.AnalyzerResource(
        type=r.type, properties=struct(r.inputs), urn=r.urn, name=r.name, parent=r.parent or "",
        dependencies=r.dependencies) for r in graph.resources])
    response = servicer.AnalyzeStack(stack, None)
    found |= {(d.policyName, d.urn, names[d.enforcementLevel]) for d in response.diagnostics}
    return found


@pytest.mark.parametrize("config", [RepoConfig(), RepoConfig(
    production_stacks=[], policy={"k8s-image-pinned": "advisory", "ec2-imdsv2": "disabled"})])
def test_offline_verdicts_equal_what_the_crossguard_analyzer_reports(graphs, config):
    offline_findings = {(v.policy, v.urn or "", v.enforcement)
                        for v in policy.evaluate_graph(graphs["fail-prod"], config, root=REPO)}
    assert offline_findings == _analyzer_findings(graphs["fail-prod"], config)
    assert len(offline_findings) > 20
