"""Clusters: an EKS cluster with one managed node group (and, made on first use, the
Kubernetes provider its deployments are applied through)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.network import subnets

# EKS managed node groups get a 20 GiB root volume unless a launch template says otherwise.
EKS_NODE_DISK_GB = 20
CONTAINER_METRICS = {"cpu": "cpu_utilization", "memory": "memory_utilization",
                     "network": "network_total_bytes", "disk": "filesystem_utilization"}


class Cluster(EntryModel):
    """An EKS cluster with one managed node group."""

    version: str = "1.31"
    instance_type: str = "t3.medium"
    desired_size: int = Field(2, ge=0, le=1000)
    min_size: int = Field(1, ge=0, le=1000)
    max_size: int = Field(3, ge=1, le=1000)
    network: str | None = None

    @model_validator(mode="after")
    def _sizes(self) -> "Cluster":
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"node group sizes must satisfy min_size <= desired_size <= max_size "
                f"(got {self.min_size} <= {self.desired_size} <= {self.max_size})"
            )
        return self


_FIELDS = {"instance_type": "instance_type", "min_size": "min_size", "max_size": "max_size",
           "count": "desired_size", "replicas": "desired_size"}


def k8s_provider(ctx, cluster_name: str):
    """The Kubernetes provider of one cluster, made on first use: a cluster without
    deployments registers none."""
    key = ("k8s-provider", cluster_name)
    if key not in ctx.memo:
        import pulumi
        import pulumi_kubernetes as k8s

        cluster = ctx.output("clusters", cluster_name)
        region = ctx.spec.region
        kubeconfig = pulumi.Output.all(cluster.name, cluster.endpoint,
                                       cluster.certificate_authority).apply(
            lambda args: _kubeconfig(args[0], args[1], args[2], region))
        ctx.memo[key] = k8s.Provider(
            f"{cluster_name}-k8s", kubeconfig=kubeconfig,
            opts=pulumi.ResourceOptions(parent=cluster),
        )
    return ctx.memo[key]


def _kubeconfig(name: str, endpoint: str, ca: Any, region: str) -> str:
    ca_data = ca.get("data") if isinstance(ca, dict) else None
    return json.dumps({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": endpoint,
                                                "certificate-authority-data": ca_data}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
        "users": [{"name": name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
        }}}],
    })


class ClustersKind(Kind):
    name = "clusters"
    section = "clusters"
    model = Cluster
    resource_type = ResourceType.infrastructure
    noun = "cluster"
    count_nouns = ("nodes", "node", "worker nodes")
    words = ("cluster", "clusters", "eks", "kubernetes cluster", "k8s cluster", "node group",
             "nodes")
    kind_values = ("cluster",)
    grammar_rank = 1
    default_name = "cluster"
    description = "an EKS cluster with one managed node group"
    spec_order = 2
    render_order = 2
    implied_by = ("min_size", "max_size")
    references = {"network": "network"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "scale": ActionMap({"count": "desired_size", "replicas": "desired_size",
                            "min_size": "min_size", "max_size": "max_size"}),
        "delete": ActionMap(),
        "monitor": ActionMap(note="Container Insights node metrics"),
    }
    taggable = frozenset({"aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup",
                          "aws:iam/role:Role"})
    rules = ("eks-supported-version", "instance-type-allowlist", "max-instances", "required-tags")
    alarm_metrics = tuple(CONTAINER_METRICS)
    replace_on_change = {
        "aws:eks/cluster:Cluster": ("name", "roleArn"),
        "aws:eks/nodeGroup:NodeGroup": ("clusterName", "nodeRoleArn", "subnetIds", "instanceTypes"),
        "aws:iam/role:Role": ("name",),
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    }
    provider_modules = ("pulumi_aws.iam.role", "pulumi_aws.iam.role_policy_attachment",
                        "pulumi_aws.eks.cluster", "pulumi_aws.eks.node_group")
    priced = True
    cost_coverage = "priced (control plane, nodes at desired size, node disks)"

    def render(self, ctx, name: str, cluster: Cluster) -> None:
        from pulumi_aws import eks, iam

        from agentops.kinds.iam_util import assume_role

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        role = iam.Role(f"{name}-cluster", assume_role_policy=assume_role("eks.amazonaws.com"),
                        tags=tags, opts=opts)
        iam.RolePolicyAttachment(
            f"{name}-cluster-policy", role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", opts=opts,
        )
        node_role = iam.Role(f"{name}-nodes", assume_role_policy=assume_role("ec2.amazonaws.com"),
                             tags=tags, opts=opts)
        for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                       "AmazonEC2ContainerRegistryReadOnly"):
            iam.RolePolicyAttachment(
                f"{name}-nodes-{policy.lower().replace('_', '-')}", role=node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}", opts=opts,
            )
        subnet_ids = [s.id for s in subnets(ctx, cluster.network)]
        eks_cluster = eks.Cluster(
            name, role_arn=role.arn, version=cluster.version,
            vpc_config={"subnet_ids": subnet_ids}, tags=tags, opts=opts,
        )
        eks.NodeGroup(
            f"{name}-nodes", cluster_name=eks_cluster.name, node_role_arn=node_role.arn,
            subnet_ids=subnet_ids, instance_types=[cluster.instance_type],
            scaling_config={"desired_size": cluster.desired_size, "min_size": cluster.min_size,
                            "max_size": cluster.max_size},
            tags=tags, opts=opts,
        )
        ctx.publish(self.section, name, eks_cluster)

    def alarms(self, ctx, name: str, cluster: Cluster, metric: str) -> list[Alarm]:
        metric_name = f"node_{CONTAINER_METRICS.get(metric, 'cpu_utilization')}"
        return [Alarm("", "ContainerInsights", metric_name,
                      {"ClusterName": ctx.output(self.section, name).name})]

    def scale(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.base import EditError, describe
        from agentops.kinds.yamledit import append

        size = params.get("replicas", params.get("count"))
        if size is None and "min_size" not in params and "max_size" not in params:
            raise EditError(f"scale clusters.{name}: needs count/min_size/max_size",
                            hint="say the new size, e.g. 'scale main in dev to 5 nodes'")
        for key in ("min_size", "max_size"):
            if key in params:
                append(entry, key, params[key])
        if size is not None:
            append(entry, "desired_size", size)
            # Scaling past the node group's bounds means moving the bound, as a person would.
            if size > entry.get("max_size", 3):
                append(entry, "max_size", size)
            if size < entry.get("min_size", 1):
                append(entry, "min_size", size)
        else:
            # And a bound moved past the running size moves the size with it ("keep at least 5
            # up" on 4 nodes means 5 nodes now), which EKS would otherwise refuse.
            desired = entry.get("desired_size", 2)
            if desired < params.get("min_size", desired):
                append(entry, "desired_size", params["min_size"])
            elif desired > params.get("max_size", desired):
                append(entry, "desired_size", params["max_size"])
        return f"scale clusters.{name}: " + describe(params)

    def cost(self, p, name: str, cluster: Cluster, spec) -> list:
        rate = p.prices.ec2_hourly.get(cluster.instance_type)
        gp3 = p.prices.ebs_gb_month.get("gp3")
        nodes = cluster.desired_size
        amount = p.add(p.hourly(p.prices.eks_cluster_hourly),
                       None if rate is None else nodes * rate * p.hours,
                       None if gp3 is None else nodes * EKS_NODE_DISK_GB * gp3)
        detail = (f"control plane {p.prices.eks_cluster_hourly}/h + {nodes} node(s) x {rate}/h "
                  f"(desired size; up to {cluster.max_size}) + {EKS_NODE_DISK_GB} GB gp3 per node"
                  if amount is not None else p.missing(f"EKS nodes {cluster.instance_type}"))
        return [self.line(name, f"EKS + {nodes} x {cluster.instance_type}", amount, detail)]
