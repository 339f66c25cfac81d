"""The Pulumi program under Pulumi's mocks: each spec kind renders the expected resources."""

from __future__ import annotations

import json

import pytest

from agentops import offline
from agentops.graph import SECRET_PLACEHOLDER, ResourceGraph
from agentops.program import RESTART_ANNOTATION

SPEC = """
provider: aws
region: eu-west-1
tags:
  owner: platform
network:
  core:
    cidr: 10.1.0.0/16
    az_count: 2
    nat_gateway: true
security:
  ssh:
    network: core
    rules:
      - port: 22
        cidr: 203.0.113.0/24
instances:
  bastion:
    count: 2
    instance_type: t3.small
    network: core
    security: [ssh]
clusters:
  main:
    instance_type: m5.large
    desired_size: 3
    min_size: 2
    max_size: 6
    network: core
deployments:
  api:
    cluster: main
    image: ghcr.io/acme/api:1.0
    replicas: 4
    port: 8080
    env: {LOG_LEVEL: info}
    secret_env: {DB_PASSWORD: dbPassword}
    restarted_at: "2026-01-01T00:00:00Z"
databases:
  orders:
    engine: postgres
    storage_gb: 50
    network: core
    backup:
      retention_days: 10
storage:
  assets:
    kind: bucket
    versioning: true
  data:
    kind: volume
    size_gb: 100
alerts:
  orders-cpu:
    target: orders
    metric: cpu
    threshold: 75
"""

SECRET = "s3cr3t-hunter2-value"


@pytest.fixture(scope="module")
def graph() -> ResourceGraph:
    return offline.capture(SPEC, "staging", config={"dbPassword": SECRET})


def one(graph: ResourceGraph, type_: str, name: str | None = None):
    found = [r for r in graph.resources if r.type == type_ and (name is None or r.name == name)]
    assert len(found) == 1, f"{type_} {name}: {[r.name for r in found]}"
    return found[0]


def all_of(graph: ResourceGraph, type_: str):
    return [r for r in graph.resources if r.type == type_]


def test_network_renders_vpc_subnets_and_nat(graph):
    vpc = one(graph, "aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.1.0.0/16"
    subnets = all_of(graph, "aws:ec2/subnet:Subnet")
    assert len(subnets) == 4
    assert {s.inputs["availabilityZone"] for s in subnets} == {"eu-west-1a", "eu-west-1b"}
    assert all(s.inputs["cidrBlock"].startswith("10.1.") for s in subnets)
    one(graph, "aws:ec2/natGateway:NatGateway")
    assert vpc.spec_ref == "network.core"


def test_instances_render_count_with_security_groups(graph):
    instances = all_of(graph, "aws:ec2/instance:Instance")
    assert sorted(i.name for i in instances) == ["bastion-0", "bastion-1"]
    assert all(i.inputs["instanceType"] == "t3.small" for i in instances)
    assert all(i.spec_ref == "instances.bastion" for i in instances)
    sg = one(graph, "aws:ec2/securityGroup:SecurityGroup", "ssh")
    rule = one(graph, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["cidrIpv4"]) == (22, 22, "203.0.113.0/24")
    assert sg.urn in rule.dependencies


def test_cluster_renders_eks_roles_and_scaling_node_group(graph):
    cluster = one(graph, "aws:eks/cluster:Cluster", "main")
    assert cluster.inputs["version"] == "1.31"
    roles = {r.name for r in all_of(graph, "aws:iam/role:Role")}
    assert {"main-cluster", "main-nodes"} <= roles
    group = one(graph, "aws:eks/nodeGroup:NodeGroup")
    assert group.inputs["scalingConfig"] == {"desiredSize": 3, "minSize": 2, "maxSize": 6}
    assert group.inputs["instanceTypes"] == ["m5.large"]
    # numbers come back as ints, not the floats of the wire format
    assert isinstance(group.inputs["scalingConfig"]["desiredSize"], int)


def test_deployment_uses_cluster_provider_and_restart_annotation(graph):
    provider = one(graph, "pulumi:providers:kubernetes")
    dep = one(graph, "kubernetes:apps/v1:Deployment", "api")
    assert dep.provider == provider.urn
    assert dep.inputs["spec"]["replicas"] == 4
    template = dep.inputs["spec"]["template"]
    assert template["metadata"]["annotations"][RESTART_ANNOTATION] == "2026-01-01T00:00:00Z"
    container = template["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/api:1.0"
    assert {"name": "LOG_LEVEL", "value": "info"} in container["env"]
    svc = one(graph, "kubernetes:core/v1:Service", "api")
    assert svc.inputs["spec"]["ports"][0]["port"] == 8080
    assert dep.spec_ref == svc.spec_ref == "deployments.api"


def test_secret_env_is_redacted_everywhere(graph):
    secret = one(graph, "kubernetes:core/v1:Secret")
    assert "stringData" in secret.secret_keys
    assert secret.inputs["stringData"] == SECRET_PLACEHOLDER
    assert SECRET not in graph.model_dump_json()


def test_database_with_subnet_group_and_backup_plan(graph):
    db = one(graph, "aws:rds/instance:Instance", "orders")
    assert (db.inputs["engine"], db.inputs["allocatedStorage"]) == ("postgres", 50)
    assert db.inputs["deletionProtection"] is True
    one(graph, "aws:rds/subnetGroup:SubnetGroup", "orders")
    plan = one(graph, "aws:backup/plan:Plan")
    assert plan.inputs["rules"][0]["lifecycle"]["deleteAfter"] == 10
    one(graph, "aws:backup/selection:Selection")


def test_storage_bucket_and_volume(graph):
    one(graph, "aws:s3/bucket:Bucket", "assets")
    pab = one(graph, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert pab.inputs["blockPublicAcls"] is True and pab.inputs["restrictPublicBuckets"] is True
    one(graph, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    versioning = one(graph, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    volume = one(graph, "aws:ebs/volume:Volume", "data")
    assert (volume.inputs["size"], volume.inputs["availabilityZone"]) == (100, "eu-west-1a")


def test_alert_renders_metric_alarm_on_target(graph):
    alarm = one(graph, "aws:cloudwatch/metricAlarm:MetricAlarm", "orders-cpu")
    assert alarm.inputs["namespace"] == "AWS/RDS"
    assert alarm.inputs["metricName"] == "CPUUtilization"
    assert alarm.inputs["threshold"] == 75
    assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold"


def test_every_taggable_aws_resource_has_stack_tags(graph):
    tagged = [r for r in graph.resources if r.type.startswith("aws:") and "tags" in r.inputs]
    assert len(tagged) > 15
    for r in tagged:
        assert r.inputs["tags"]["environment"] == "staging", r.urn
        assert r.inputs["tags"]["owner"] == "platform", r.urn
    # The region comes from the spec, through the explicit provider every resource uses.
    provider = one(graph, "pulumi:providers:aws")
    assert provider.inputs["region"] == "eu-west-1"
    assert one(graph, "aws:ec2/vpc:Vpc").provider == provider.urn


def test_every_cloud_resource_points_back_at_the_spec(graph):
    spec_refs = {r.spec_ref for r in graph.resources if r.custom and not r.type.startswith("pulumi:providers:aws")}
    assert None not in spec_refs
    assert {"network.core", "security.ssh", "instances.bastion", "clusters.main", "deployments.api",
            "databases.orders", "storage.assets", "storage.data", "alerts.orders-cpu"} == spec_refs


def test_captured_graph_is_json_serialisable(graph):
    data = json.loads(graph.model_dump_json())
    assert data["stack"] == "staging" and len(data["resources"]) == len(graph.resources)
