"""The one Pulumi program: a StackSpec rendered into pulumi-aws and pulumi-kubernetes resources.

It runs for real under `pulumi preview`/`up` (stacks/__main__.py calls `main()`), and offline
under Pulumi's mocks (agentops.offline calls `render()`). Every spec resource becomes a
component resource of type `agentops:spec:<section>` named after it, and everything it renders
is parented to that component: the URN itself then says which spec entry produced a cloud
resource, for policies, diffs and reviewers, without bending the cloud names.

pulumi_aws and pulumi_kubernetes are imported module by module inside the render functions:
pulumi_aws loads its submodules lazily, so a stack without a database never pays for RDS.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

import pulumi

from agentops.spec import (
    Alert,
    Backup,
    Cluster,
    Database,
    Deployment,
    Instances,
    Network,
    SecurityGroup,
    StackSpec,
    Storage,
)

COMPONENT_PREFIX = "agentops:spec:"
RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
# Resolved by EC2 at launch: no lookup (invoke) needed at plan time, and always current.
DEFAULT_AMI = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
SPEC_TAG = "agentops:resource"


def spec_ref_of_type(type_token: str, name: str) -> str | None:
    """`agentops:spec:deployments` + `api` -> `deployments.api` (the component's spec entry)."""
    if type_token.startswith(COMPONENT_PREFIX):
        return f"{type_token[len(COMPONENT_PREFIX):]}.{name}"
    return None


def _assume_role(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


@dataclass
class _Rendered:
    """What later resources refer to: subnets of a network, a cluster's provider, ids."""

    aws: Any = None
    vpcs: dict[str, Any] = field(default_factory=dict)
    public_subnets: dict[str, list] = field(default_factory=dict)
    private_subnets: dict[str, list] = field(default_factory=dict)
    security_groups: dict[str, Any] = field(default_factory=dict)
    clusters: dict[str, Any] = field(default_factory=dict)
    k8s_providers: dict[str, Any] = field(default_factory=dict)
    instances: dict[str, list] = field(default_factory=dict)
    databases: dict[str, Any] = field(default_factory=dict)
    buckets: dict[str, Any] = field(default_factory=dict)
    volumes: dict[str, Any] = field(default_factory=dict)


class _Renderer:
    def __init__(self, spec: StackSpec, stack: str, config: pulumi.Config | None):
        self.spec = spec
        self.stack = stack
        self.config = config
        self.out = _Rendered()

    # -- helpers ---------------------------------------------------------------------------

    def tags(self, section: str, name: str) -> dict[str, str]:
        # Stack tags first, then what the tool owns: environment is the stack, always.
        return {**self.spec.tags, "environment": self.stack, SPEC_TAG: f"{section}.{name}"}

    def component(self, section: str, name: str) -> pulumi.ResourceOptions:
        # Children inherit the component's AWS provider, so the spec's region is the one used.
        comp = pulumi.ComponentResource(
            f"{COMPONENT_PREFIX}{section}", name, None,
            opts=pulumi.ResourceOptions(providers={"aws": self.aws_provider()}),
        )
        return pulumi.ResourceOptions(parent=comp)

    def aws_provider(self):
        if self.out.aws is None:
            import pulumi_aws as aws

            self.out.aws = aws.Provider("aws", region=self.spec.region)
        return self.out.aws

    def subnets(self, network: str | None, private: bool = True) -> list:
        if network is None:
            return []
        return (self.out.private_subnets if private else self.out.public_subnets)[network]

    def vpc_id(self, network: str | None):
        return self.out.vpcs[network].id if network else None

    # -- sections --------------------------------------------------------------------------

    def render(self) -> None:
        # Referenced kinds first (networks, security groups, clusters), alerts last.
        for section in _RENDER_ORDER:
            for name, resource in getattr(self.spec, section).items():
                getattr(self, f"render_{section}")(name, resource)

    def render_network(self, name: str, net: Network) -> None:
        from pulumi_aws import ec2

        opts = self.component("network", name)
        tags = self.tags("network", name)
        vpc = ec2.Vpc(
            name, cidr_block=net.cidr, enable_dns_hostnames=True, enable_dns_support=True,
            tags={**tags, "Name": name}, opts=opts,
        )
        igw = ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=opts)
        public_rt = ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}], tags=tags, opts=opts,
        )
        # Half of the VPC for public subnets, half for private, one of each per zone.
        blocks = list(ipaddress.ip_network(net.cidr, strict=False).subnets(new_prefix=_prefix(net)))
        public, private = [], []
        for i in range(net.az_count):
            az = f"{self.spec.region}{'abcdef'[i]}"
            pub = ec2.Subnet(
                f"{name}-public-{i}", vpc_id=vpc.id, cidr_block=str(blocks[i]),
                availability_zone=az, map_public_ip_on_launch=True,
                tags={**tags, "Name": f"{name}-public-{i}", "kubernetes.io/role/elb": "1"}, opts=opts,
            )
            ec2.RouteTableAssociation(
                f"{name}-public-{i}", subnet_id=pub.id, route_table_id=public_rt.id, opts=opts
            )
            priv = ec2.Subnet(
                f"{name}-private-{i}", vpc_id=vpc.id, cidr_block=str(blocks[net.az_count + i]),
                availability_zone=az,
                tags={**tags, "Name": f"{name}-private-{i}", "kubernetes.io/role/internal-elb": "1"},
                opts=opts,
            )
            public.append(pub)
            private.append(priv)
        if net.nat_gateway:
            eip = ec2.Eip(f"{name}-nat", domain="vpc", tags=tags, opts=opts)
            nat = ec2.NatGateway(
                f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id, tags=tags, opts=opts
            )
            private_rt = ec2.RouteTable(
                f"{name}-private", vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}], tags=tags, opts=opts,
            )
            for i, priv in enumerate(private):
                ec2.RouteTableAssociation(
                    f"{name}-private-{i}", subnet_id=priv.id, route_table_id=private_rt.id, opts=opts
                )
        self.out.vpcs[name] = vpc
        self.out.public_subnets[name] = public
        self.out.private_subnets[name] = private

    def render_instances(self, name: str, group: Instances) -> None:
        from pulumi_aws import ec2

        opts = self.component("instances", name)
        tags = self.tags("instances", name)
        subnets = self.subnets(group.network)
        sg_ids = [self.out.security_groups[sg].id for sg in group.security]
        created = []
        for i in range(group.count):
            created.append(
                ec2.Instance(
                    f"{name}-{i}",
                    ami=group.ami or DEFAULT_AMI,
                    instance_type=group.instance_type,
                    subnet_id=subnets[i % len(subnets)].id if subnets else None,
                    vpc_security_group_ids=sg_ids or None,
                    root_block_device={"volume_size": group.volume_gb, "encrypted": True},
                    metadata_options={"http_tokens": "required"},
                    tags={**tags, "Name": f"{name}-{i}"},
                    opts=opts,
                )
            )
        self.out.instances[name] = created

    def render_clusters(self, name: str, cluster: Cluster) -> None:
        from pulumi_aws import eks, iam

        opts = self.component("clusters", name)
        tags = self.tags("clusters", name)
        role = iam.Role(f"{name}-cluster", assume_role_policy=_assume_role("eks.amazonaws.com"),
                        tags=tags, opts=opts)
        iam.RolePolicyAttachment(
            f"{name}-cluster-policy", role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", opts=opts,
        )
        node_role = iam.Role(f"{name}-nodes", assume_role_policy=_assume_role("ec2.amazonaws.com"),
                             tags=tags, opts=opts)
        for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy",
                       "AmazonEC2ContainerRegistryReadOnly"):
            iam.RolePolicyAttachment(
                f"{name}-nodes-{policy.lower().replace('_', '-')}", role=node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}", opts=opts,
            )
        subnet_ids = [s.id for s in self.subnets(cluster.network)]
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
        self.out.clusters[name] = eks_cluster

    def k8s_provider(self, cluster_name: str):
        # One provider per cluster, made on first use, so a cluster without deployments
        # registers no Kubernetes provider at all.
        if cluster_name not in self.out.k8s_providers:
            import pulumi_kubernetes as k8s

            cluster = self.out.clusters[cluster_name]
            kubeconfig = pulumi.Output.all(cluster.name, cluster.endpoint,
                                           cluster.certificate_authority).apply(
                lambda args: _kubeconfig(args[0], args[1], args[2], self.spec.region))
            self.out.k8s_providers[cluster_name] = k8s.Provider(
                f"{cluster_name}-k8s", kubeconfig=kubeconfig,
                opts=pulumi.ResourceOptions(parent=cluster),
            )
        return self.out.k8s_providers[cluster_name]

    def render_deployments(self, name: str, dep: Deployment) -> None:
        from pulumi_kubernetes.apps.v1 import Deployment as K8sDeployment
        from pulumi_kubernetes.core.v1 import Secret, Service

        parent = self.component("deployments", name).parent
        opts = pulumi.ResourceOptions(parent=parent, provider=self.k8s_provider(dep.cluster))
        labels = {"app": name, "app.kubernetes.io/managed-by": "agentops"}
        meta = {"name": name, "namespace": dep.namespace, "labels": labels}
        env = [{"name": k, "value": v} for k, v in dep.env.items()]
        if dep.secret_env:
            config = self.config or pulumi.Config()
            # The values stay Pulumi secrets end to end: in a Kubernetes Secret, never in the
            # Deployment's spec.
            Secret(
                f"{name}-secrets",
                metadata={"name": f"{name}-secrets", "namespace": dep.namespace, "labels": labels},
                string_data={var: config.require_secret(key) for var, key in dep.secret_env.items()},
                opts=opts,
            )
            env += [
                {"name": var, "value_from": {"secret_key_ref": {"name": f"{name}-secrets", "key": var}}}
                for var in dep.secret_env
            ]
        container: dict[str, Any] = {"name": name, "image": dep.image}
        if env:
            container["env"] = env
        if dep.port:
            container["ports"] = [{"container_port": dep.port}]
        if dep.limits:
            container["resources"] = {"limits": dep.limits.model_dump(exclude_none=True)}
        template_meta: dict[str, Any] = {"labels": labels}
        if dep.restarted_at:
            template_meta["annotations"] = {RESTART_ANNOTATION: dep.restarted_at}
        K8sDeployment(
            name,
            metadata=meta,
            spec={
                "replicas": dep.replicas,
                "selector": {"match_labels": {"app": name}},
                "template": {"metadata": template_meta, "spec": {"containers": [container]}},
            },
            opts=opts,
        )
        if dep.port:
            Service(
                name, metadata=meta,
                spec={"selector": {"app": name},
                      "ports": [{"port": dep.port, "target_port": dep.port, "protocol": "TCP"}]},
                opts=opts,
            )

    def render_databases(self, name: str, db: Database) -> None:
        from pulumi_aws import rds

        opts = self.component("databases", name)
        tags = self.tags("databases", name)
        subnet_group = None
        if db.network:
            subnet_group = rds.SubnetGroup(
                name, subnet_ids=[s.id for s in self.subnets(db.network)], tags=tags, opts=opts
            )
        instance = rds.Instance(
            name,
            engine=db.engine,
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            allocated_storage=db.storage_gb,
            storage_encrypted=db.encrypted,
            backup_retention_period=db.backup_retention_days,
            deletion_protection=db.deletion_protection,
            multi_az=db.multi_az,
            db_subnet_group_name=subnet_group.name if subnet_group else None,
            username="app",
            # RDS keeps the master password in Secrets Manager: none passes through the plan.
            manage_master_user_password=True,
            skip_final_snapshot=not db.deletion_protection,
            final_snapshot_identifier=f"{name}-final" if db.deletion_protection else None,
            tags=tags,
            opts=opts,
        )
        self.out.databases[name] = instance
        if db.backup:
            self.backup_plan(name, "databases", db.backup, [instance.arn], opts)

    def render_storage(self, name: str, store: Storage) -> None:
        opts = self.component("storage", name)
        tags = self.tags("storage", name)
        if store.kind == "volume":
            from pulumi_aws import ebs

            volume = ebs.Volume(
                name, availability_zone=store.availability_zone or f"{self.spec.region}a",
                size=store.size_gb, type="gp3", encrypted=store.encrypted, tags=tags, opts=opts,
            )
            self.out.volumes[name] = volume
            if store.backup:
                self.backup_plan(name, "storage", store.backup, [volume.arn], opts)
            return
        from pulumi_aws import s3

        bucket = s3.Bucket(name, tags=tags, opts=opts)
        if store.encrypted:
            s3.BucketServerSideEncryptionConfiguration(
                name, bucket=bucket.id,
                rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
                opts=opts,
            )
        blocked = not store.public
        s3.BucketPublicAccessBlock(
            name, bucket=bucket.id, block_public_acls=blocked, block_public_policy=blocked,
            ignore_public_acls=blocked, restrict_public_buckets=blocked, opts=opts,
        )
        s3.BucketVersioning(
            name, bucket=bucket.id,
            versioning_configuration={"status": "Enabled" if store.versioning else "Suspended"},
            opts=opts,
        )
        self.out.buckets[name] = bucket
        if store.backup:
            self.backup_plan(name, "storage", store.backup, [bucket.arn], opts)

    def backup_plan(self, name: str, section: str, backup: Backup, arns: list,
                    opts: pulumi.ResourceOptions) -> None:
        from pulumi_aws import backup as aws_backup
        from pulumi_aws import iam

        tags = self.tags(section, name)
        vault = aws_backup.Vault(f"{name}-backup", tags=tags, opts=opts)
        plan = aws_backup.Plan(
            f"{name}-backup",
            rules=[{"rule_name": f"{name}-daily", "target_vault_name": vault.name,
                    "schedule": backup.schedule,
                    "lifecycle": {"delete_after": backup.retention_days}}],
            tags=tags, opts=opts,
        )
        role = iam.Role(f"{name}-backup", assume_role_policy=_assume_role("backup.amazonaws.com"),
                        tags=tags, opts=opts)
        iam.RolePolicyAttachment(
            f"{name}-backup", role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            opts=opts,
        )
        aws_backup.Selection(f"{name}-backup", plan_id=plan.id, iam_role_arn=role.arn,
                             resources=arns, opts=opts)

    def render_alerts(self, name: str, alert: Alert) -> None:
        from pulumi_aws import cloudwatch

        opts = self.component("alerts", name)
        tags = self.tags("alerts", name)
        section, _ = self.spec.find(alert.target)
        for suffix, namespace, metric, dimensions in self.alarm_targets(section, alert):
            cloudwatch.MetricAlarm(
                f"{name}{suffix}",
                namespace=namespace, metric_name=metric, dimensions=dimensions,
                statistic="Average", threshold=alert.threshold,
                comparison_operator=_COMPARISON[alert.comparison],
                period=alert.period_seconds, evaluation_periods=alert.evaluation_periods,
                alarm_description=f"{alert.metric} {alert.comparison} {alert.threshold} on {alert.target}",
                tags=tags, opts=opts,
            )

    def alarm_targets(self, section: str, alert: Alert) -> list[tuple[str, str, str, dict]]:
        """(name suffix, namespace, metric, dimensions) for each alarm the alert needs."""
        target = alert.target
        if section == "instances":
            metric = _EC2_METRICS.get(alert.metric, "CPUUtilization")
            instances = self.out.instances[target]
            return [(f"-{i}" if len(instances) > 1 else "", "AWS/EC2", metric,
                     {"InstanceId": inst.id}) for i, inst in enumerate(instances)]
        if section == "databases":
            metric = _RDS_METRICS.get(alert.metric, "CPUUtilization")
            return [("", "AWS/RDS", metric,
                     {"DBInstanceIdentifier": self.out.databases[target].identifier})]
        if section == "deployments":
            dep = self.spec.deployments[target]
            cluster = self.out.clusters[dep.cluster]
            metric = f"pod_{_CONTAINER_METRICS.get(alert.metric, 'cpu_utilization')}"
            return [("", "ContainerInsights", metric,
                     {"ClusterName": cluster.name, "Namespace": dep.namespace, "Service": target})]
        if section == "clusters":
            metric = f"node_{_CONTAINER_METRICS.get(alert.metric, 'cpu_utilization')}"
            return [("", "ContainerInsights", metric, {"ClusterName": self.out.clusters[target].name})]
        if section == "storage" and target in self.out.buckets:
            return [("", "AWS/S3", "BucketSizeBytes",
                     {"BucketName": self.out.buckets[target].id, "StorageType": "StandardStorage"})]
        if section == "storage":
            return [("", "AWS/EBS", "VolumeQueueLength", {"VolumeId": self.out.volumes[target].id})]
        # Networks, security groups and alerts have no metric of their own to watch.
        return [("", "AWS/Usage", "CallCount", {})]

    def render_security(self, name: str, group: SecurityGroup) -> None:
        from pulumi_aws import ec2, vpc

        opts = self.component("security", name)
        tags = self.tags("security", name)
        sg = ec2.SecurityGroup(
            name, description=f"{name} (managed by agentops)", vpc_id=self.vpc_id(group.network),
            tags={**tags, "Name": name}, opts=opts,
        )
        for i, rule in enumerate(group.rules):
            protocol = "-1" if rule.protocol == "all" else rule.protocol
            ports = {} if protocol == "-1" else {"from_port": rule.port,
                                                 "to_port": rule.to_port or rule.port}
            vpc.SecurityGroupIngressRule(
                f"{name}-ingress-{i}", security_group_id=sg.id, cidr_ipv4=rule.cidr,
                ip_protocol=protocol, description=rule.description, tags=tags, opts=opts, **ports,
            )
        vpc.SecurityGroupEgressRule(
            f"{name}-egress", security_group_id=sg.id, cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
            tags=tags, opts=opts,
        )
        self.out.security_groups[name] = sg


_RENDER_ORDER = ("network", "security", "clusters", "instances", "databases", "storage",
                 "deployments", "alerts")
_COMPARISON = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}
_EC2_METRICS = {"cpu": "CPUUtilization", "network": "NetworkIn", "disk": "EBSWriteOps",
                "errors": "StatusCheckFailed"}
_RDS_METRICS = {"cpu": "CPUUtilization", "memory": "FreeableMemory", "disk": "FreeStorageSpace",
                "connections": "DatabaseConnections", "latency": "ReadLatency",
                "network": "NetworkReceiveThroughput"}
_CONTAINER_METRICS = {"cpu": "cpu_utilization", "memory": "memory_utilization",
                      "network": "network_total_bytes", "disk": "filesystem_utilization"}


def _prefix(net: Network) -> int:
    network = ipaddress.ip_network(net.cidr, strict=False)
    needed = (2 * net.az_count - 1).bit_length()
    return min(network.prefixlen + max(needed, 1), 28)


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


# The provider resource modules each section renders with. The render functions import their
# packages where they are used, so a stack pays only for the kinds it has. The offline plan
# loads exactly these modules ahead of time in one process and forks its workers from it
# (agentops.offline); tests/test_offline_fast.py checks that rendering then imports nothing
# more. A module missing here costs time (its whole package is loaded in each worker), never a
# different result.
_SECTION_MODULES = {
    "network": ("pulumi_aws.ec2.vpc", "pulumi_aws.ec2.internet_gateway",
                "pulumi_aws.ec2.route_table", "pulumi_aws.ec2.subnet",
                "pulumi_aws.ec2.route_table_association", "pulumi_aws.ec2.eip",
                "pulumi_aws.ec2.nat_gateway"),
    "security": ("pulumi_aws.ec2.security_group", "pulumi_aws.vpc.security_group_ingress_rule",
                 "pulumi_aws.vpc.security_group_egress_rule"),
    "clusters": ("pulumi_aws.iam.role", "pulumi_aws.iam.role_policy_attachment",
                 "pulumi_aws.eks.cluster", "pulumi_aws.eks.node_group"),
    "instances": ("pulumi_aws.ec2.instance",),
    "databases": ("pulumi_aws.rds.subnet_group", "pulumi_aws.rds.instance"),
    "storage": ("pulumi_aws.s3.bucket", "pulumi_aws.s3.bucket_server_side_encryption_configuration",
                "pulumi_aws.s3.bucket_public_access_block", "pulumi_aws.s3.bucket_versioning",
                "pulumi_aws.ebs.volume"),
    # meta.v1: its input types only (object metadata), which every Kubernetes resource reads.
    "deployments": ("pulumi_kubernetes.apps.v1.Deployment", "pulumi_kubernetes.core.v1.Secret",
                    "pulumi_kubernetes.core.v1.Service", "pulumi_kubernetes.meta.v1._inputs"),
    "alerts": ("pulumi_aws.cloudwatch.metric_alarm",),
}
_BACKUP_MODULES = ("pulumi_aws.backup.vault", "pulumi_aws.backup.plan",
                   "pulumi_aws.backup.selection", "pulumi_aws.iam.role",
                   "pulumi_aws.iam.role_policy_attachment")


def provider_modules(spec: StackSpec) -> list[str]:
    """The provider resource modules rendering `spec` uses, in a stable order (the providers
    themselves come with the pulumi_aws and pulumi_kubernetes packages)."""
    names: list[str] = []
    for section in _RENDER_ORDER:
        entries = getattr(spec, section)
        if not entries:
            continue
        names += _SECTION_MODULES[section]
        if any(getattr(entry, "backup", None) for entry in entries.values()):
            names += _BACKUP_MODULES
    return list(dict.fromkeys(names))


def render(spec: StackSpec, stack: str, config: pulumi.Config | None = None) -> None:
    """Register the spec's resources with the current Pulumi runtime (real or mocked)."""
    _Renderer(spec, stack, config).render()


def main(stacks_dir: str = ".") -> None:
    """Entry for `pulumi preview`/`up`: stacks/<pulumi stack>.yaml is the desired state."""
    from pathlib import Path

    from agentops.spec import load_spec_text

    stack = pulumi.get_stack()
    path = Path(stacks_dir) / f"{stack}.yaml"
    from agentops.specio import read

    spec = load_spec_text(read(path, str(path)), str(path))
    render(spec, stack)
