"""The CrossGuard rules: what a stack must satisfy before it is proposed, previewed or applied.

The same functions run in CI (`pulumi preview --policy-pack policies`, where policies/__main__.py
builds a PolicyPack from `policies()`) and offline (agentops.policy calls them on the mock
resource graph with pulumi-policy's own argument types). They read only what both paths have:
resource inputs as the engine sees them (camelCase), URNs, dependencies and the policy config.

Stack-specific behaviour comes from the stack in the resource's URN and the `productionStacks`
config property every policy has (agentops fills it from .agentops.yaml's production_stacks;
in CI from the JSON that `agentops policy-config` writes). Per-stack settings are maps keyed
by stack name with "*" as the fallback.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable, Iterable

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from agentops import secrets

DEFAULT_PRODUCTION_STACKS = ["prod"]
OPEN_CIDRS = {"0.0.0.0/0", "::/0"}
# SSH, RDP, and the usual database / cache / search ports: never reachable from the internet.
DEFAULT_ADMIN_PORTS = [22, 3389, 3306, 5432, 1433, 1521, 27017, 6379, 9200, 11211, 2379, 5984]
DEFAULT_INSTANCE_TYPES = {
    "dev": ["t3.*", "t3a.*", "t4g.*"],
    "*": ["t3.*", "t3a.*", "t4g.*", "m5.*", "m6i.*", "m7i.*", "c5.*", "c6i.*", "r5.*", "r6i.*"],
}
DEFAULT_MAX_INSTANCES = {"dev": 10, "staging": 20, "*": 50}
DEFAULT_REQUIRED_TAGS = ["owner", "environment"]


def taggable(kinds=None) -> frozenset[str]:
    """AWS resource types the kinds render that take tags (Kind.taggable; a resource with a
    `tags` input counts too): the kinds in effect when `kinds` is None."""
    from agentops.kinds import active

    return (kinds if kinds is not None else active()).taggable()


S3_BUCKET = "aws:s3/bucket:Bucket"
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
RDS_INSTANCE = "aws:rds/instance:Instance"
EC2_INSTANCE = "aws:ec2/instance:Instance"
EBS_VOLUME = "aws:ebs/volume:Volume"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
K8S_DEPLOYMENT = "kubernetes:apps/v1:Deployment"

PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


# --- helpers ----------------------------------------------------------------------------------


def stack_of(urn: str) -> str:
    """urn:pulumi:<stack>::<project>::<type>::<name> -> <stack>."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def setting(config: Any, key: str, default: Any) -> Any:
    """A config property; the default only when it is unset (an empty list means none)."""
    value = config.get(key)
    return default if value is None else value


def is_production(urn: str, config: Any) -> bool:
    return stack_of(urn) in setting(config, "productionStacks", DEFAULT_PRODUCTION_STACKS)


def per_stack(config: Any, key: str, urn: str, default: dict) -> Any:
    """A per-stack setting: config[key][stack], else config[key]["*"], else the default's."""
    table = setting(config, key, default)
    stack = stack_of(urn)
    if stack in table:
        return table[stack]
    return table.get("*", default.get(stack, default.get("*")))


def _schema(**properties: dict) -> PolicyConfigSchema:
    # Every policy accepts productionStacks, so one config file can set it for all of them.
    props = {"productionStacks": {"type": "array", "items": {"type": "string"},
                                  "default": DEFAULT_PRODUCTION_STACKS}}
    props.update(properties)
    return PolicyConfigSchema(properties=props)


def _resource_policy(name: str, description: str, enforcement: EnforcementLevel,
                     severity: Severity, types: set[str],
                     check: Callable[[ResourceValidationArgs, Callable], None],
                     **config: dict) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation) -> None:
        if args.resource_type in types:
            check(args, report_violation)

    return ResourceValidationPolicy(
        name=name, description=description, validate=validate, enforcement_level=enforcement,
        severity=severity, config_schema=_schema(**config),
    )


def resource_policy(name: str, description: str, enforcement: EnforcementLevel | str,
                    severity: Severity | str, types: set[str],
                    check: Callable[[ResourceValidationArgs, Callable], None],
                    **config: dict) -> ResourceValidationPolicy:
    """For kinds' own rules (Kind.policies): the library's shape, levels given as enums or as
    their names ("mandatory", "high"). The one factory built-in and team kinds use."""
    return _resource_policy(name, description, EnforcementLevel(enforcement), Severity(severity),
                            set(types), check, **config)


def _ports(from_port: Any, to_port: Any, protocol: Any) -> range:
    if str(protocol) in ("-1", "all"):
        return range(0, 65536)
    low = int(from_port or 0)
    high = int(to_port if to_port is not None else low)
    return range(low, high + 1)


def _open_admin_ports(ports: range, cidrs: Iterable[str], admin: list[int]) -> list[int]:
    if not OPEN_CIDRS.intersection(cidrs or []):
        return []
    return [p for p in admin if p in ports]


def _linked(resource, target_urn: str) -> bool:
    deps = [d.urn for d in resource.dependencies]
    for prop_deps in resource.property_dependencies.values():
        deps += [d.urn for d in prop_deps]
    return target_urn in deps


def _image_pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", str(version))[:2])


# --- S3 -------------------------------------------------------------------------------------


def _s3_public(args: StackValidationArgs, report_violation) -> None:
    blocks = [r for r in args.resources if r.resource_type == S3_PUBLIC_ACCESS_BLOCK]
    for bucket in (r for r in args.resources if r.resource_type == S3_BUCKET):
        if bucket.props.get("acl") in PUBLIC_ACLS:
            report_violation(f"S3 bucket '{bucket.name}' has the public ACL "
                             f"'{bucket.props.get('acl')}'; make it private", bucket.urn)
            continue
        block = next((b for b in blocks if _linked(b, bucket.urn)), None)
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        if block is None:
            report_violation(f"S3 bucket '{bucket.name}' has no public access block; "
                             f"add one with all four settings true (public: false)", bucket.urn)
        elif not all(block.props.get(flag) is True for flag in flags):
            off = [flag for flag in flags if block.props.get(flag) is not True]
            report_violation(f"S3 bucket '{bucket.name}' can be made public ({', '.join(off)} "
                             f"off); set public: false", bucket.urn)


def _s3_encrypted(args: StackValidationArgs, report_violation) -> None:
    configs = [r for r in args.resources if r.resource_type == S3_ENCRYPTION]
    for bucket in (r for r in args.resources if r.resource_type == S3_BUCKET):
        inline = bucket.props.get("serverSideEncryptionConfiguration")
        if not inline and not any(_linked(c, bucket.urn) for c in configs):
            report_violation(f"S3 bucket '{bucket.name}' has no server-side encryption "
                             f"configuration; set encrypted: true", bucket.urn)


def _s3_versioning(args: StackValidationArgs, report_violation) -> None:
    versioning = [r for r in args.resources if r.resource_type == S3_VERSIONING]
    for bucket in (r for r in args.resources if r.resource_type == S3_BUCKET):
        if not is_production(bucket.urn, args.get_config()):
            continue
        config = next((v for v in versioning if _linked(v, bucket.urn)), None)
        status = ((config.props.get("versioningConfiguration") or {}).get("status")
                  if config else None)
        if status != "Enabled":
            report_violation(f"S3 bucket '{bucket.name}' in a production stack has versioning "
                             f"off: a deleted or overwritten object cannot be recovered; "
                             f"set versioning: true", bucket.urn)


# --- network -------------------------------------------------------------------------------


def _sg_admin_ports(args: ResourceValidationArgs, report_violation) -> None:
    admin = list(setting(args.get_config(), "adminPorts", DEFAULT_ADMIN_PORTS))
    props = args.props
    if args.resource_type == SG_INGRESS_RULE:
        entries = [(props.get("fromPort"), props.get("toPort"), props.get("ipProtocol"),
                    [props.get("cidrIpv4"), props.get("cidrIpv6")])]
    elif args.resource_type == SG_RULE:
        if props.get("type") != "ingress":
            return
        entries = [(props.get("fromPort"), props.get("toPort"), props.get("protocol"),
                    list(props.get("cidrBlocks") or []) + list(props.get("ipv6CidrBlocks") or []))]
    else:
        entries = [(r.get("fromPort"), r.get("toPort"), r.get("protocol"),
                    list(r.get("cidrBlocks") or []) + list(r.get("ipv6CidrBlocks") or []))
                   for r in props.get("ingress") or []]
    for from_port, to_port, protocol, cidrs in entries:
        exposed = _open_admin_ports(_ports(from_port, to_port, protocol), cidrs, admin)
        if exposed:
            report_violation(f"'{args.name}' opens admin/database port(s) "
                             f"{', '.join(map(str, exposed))} to the internet (0.0.0.0/0); "
                             f"restrict the rule's cidr to a VPN or office range")


# --- RDS ------------------------------------------------------------------------------------


def _rds_encrypted(args: ResourceValidationArgs, report_violation) -> None:
    if args.props.get("storageEncrypted") is not True:
        report_violation(f"RDS instance '{args.name}' stores data unencrypted; set encrypted: true "
                         f"(changing it later replaces the database)")


def _rds_deletion_protection(args: ResourceValidationArgs, report_violation) -> None:
    if is_production(args.urn, args.get_config()) and args.props.get("deletionProtection") is not True:
        report_violation(f"RDS instance '{args.name}' in a production stack has no deletion "
                         f"protection; set deletion_protection: true")


def _rds_backups(args: ResourceValidationArgs, report_violation) -> None:
    config = args.get_config()
    if not is_production(args.urn, config):
        return
    minimum = int(setting(config, "minRetentionDays", 7))
    days = int(args.props.get("backupRetentionPeriod") or 0)
    if days < minimum:
        report_violation(f"RDS instance '{args.name}' in a production stack keeps {days} day(s) "
                         f"of automated backups; at least {minimum} are required "
                         f"(backup_retention_days)")


def _rds_public(args: ResourceValidationArgs, report_violation) -> None:
    if args.props.get("publiclyAccessible") is True:
        report_violation(f"RDS instance '{args.name}' is publicly accessible; databases stay "
                         f"in private subnets")


def _rds_multi_az(args: ResourceValidationArgs, report_violation) -> None:
    if is_production(args.urn, args.get_config()) and args.props.get("multiAz") is not True:
        report_violation(f"RDS instance '{args.name}' in a production stack runs in a single "
                         f"availability zone; set multi_az: true")


# --- compute --------------------------------------------------------------------------------


def _instance_types(args: ResourceValidationArgs, report_violation) -> None:
    allowed = per_stack(args.get_config(), "allowedTypes", args.urn, DEFAULT_INSTANCE_TYPES)
    if args.resource_type == EC2_INSTANCE:
        types = [args.props.get("instanceType")]
    else:
        types = list(args.props.get("instanceTypes") or [])
    for itype in types:
        if not any(fnmatch.fnmatchcase(str(itype), pattern) for pattern in allowed):
            report_violation(f"instance type '{itype}' of '{args.name}' is not allowed in stack "
                             f"'{stack_of(args.urn)}' (allowed: {', '.join(allowed)})")


def _max_instances(args: StackValidationArgs, report_violation) -> None:
    counted = [r for r in args.resources if r.resource_type in (EC2_INSTANCE, EKS_NODE_GROUP)]
    if not counted:
        return
    total = 0
    for r in counted:
        if r.resource_type == EC2_INSTANCE:
            total += 1
        else:
            total += int((r.props.get("scalingConfig") or {}).get("maxSize") or 0)
    limit = int(per_stack(args.get_config(), "maxInstances", counted[0].urn, DEFAULT_MAX_INSTANCES))
    if total > limit:
        report_violation(f"stack '{stack_of(counted[0].urn)}' can run {total} instances (EC2 "
                         f"instances plus node groups at max_size); the limit is {limit}")


def _ebs_encrypted(args: ResourceValidationArgs, report_violation) -> None:
    props = args.props
    if args.resource_type == EBS_VOLUME:
        if props.get("encrypted") is not True:
            report_violation(f"EBS volume '{args.name}' is unencrypted; set encrypted: true")
        return
    devices = [props.get("rootBlockDevice") or {}] + list(props.get("ebsBlockDevices") or [])
    if any(d.get("encrypted") is not True for d in devices):
        report_violation(f"EC2 instance '{args.name}' has an unencrypted EBS volume")


def _imdsv2(args: ResourceValidationArgs, report_violation) -> None:
    if (args.props.get("metadataOptions") or {}).get("httpTokens") != "required":
        report_violation(f"EC2 instance '{args.name}' allows IMDSv1; require session tokens "
                         f"(metadataOptions.httpTokens = required)")


def _eks_version(args: ResourceValidationArgs, report_violation) -> None:
    minimum = str(setting(args.get_config(), "minVersion", "1.29"))
    version = args.props.get("version")
    if version is not None and _version_tuple(version) < _version_tuple(minimum):
        report_violation(f"EKS cluster '{args.name}' runs Kubernetes {version}, older than the "
                         f"supported minimum {minimum}; upgrade the cluster version")


# --- tags -----------------------------------------------------------------------------------


def _required_tags(args: ResourceValidationArgs, report_violation) -> None:
    if not args.resource_type.startswith("aws:"):
        return
    if args.resource_type not in taggable() and "tags" not in args.props:
        return
    required = list(setting(args.get_config(), "requiredTags", DEFAULT_REQUIRED_TAGS))
    tags = args.props.get("tags") or {}
    missing = [t for t in required if not tags.get(t)]
    if missing:
        report_violation(f"'{args.name}' is missing the required tag(s) {', '.join(missing)}; "
                         f"add them to the stack's tags")


# --- Kubernetes -----------------------------------------------------------------------------


def _containers(props) -> list:
    return list((((props.get("spec") or {}).get("template") or {}).get("spec") or {})
                .get("containers") or [])


def _k8s_replicas(args: ResourceValidationArgs, report_violation) -> None:
    config = args.get_config()
    if not is_production(args.urn, config):
        return
    minimum = int(setting(config, "minReplicas", 2))
    replicas = (args.props.get("spec") or {}).get("replicas")
    replicas = 1 if replicas is None else int(replicas)  # Kubernetes defaults to one
    if replicas < minimum:
        report_violation(f"deployment '{args.name}' in a production stack has {replicas} "
                         f"replica(s); at least {minimum} are required to survive a node loss")


def _k8s_image_pinned(args: ResourceValidationArgs, report_violation) -> None:
    for container in _containers(args.props):
        image = str(container.get("image") or "")
        if not _image_pinned(image):
            report_violation(f"deployment '{args.name}' runs image '{image}' without a fixed "
                             f"tag; pin a version (name:1.2.3 or @sha256:...), never :latest")


def _k8s_limits(args: ResourceValidationArgs, report_violation) -> None:
    if not is_production(args.urn, args.get_config()):
        return
    for container in _containers(args.props):
        limits = (container.get("resources") or {}).get("limits") or {}
        missing = [k for k in ("cpu", "memory") if not limits.get(k)]
        if missing:
            report_violation(f"deployment '{args.name}' in a production stack has no "
                             f"{' or '.join(missing)} limit on container "
                             f"'{container.get('name')}'; set limits.cpu and limits.memory")


# --- the pack -------------------------------------------------------------------------------

M, A = EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY
_PORTS = {"type": "array", "items": {"type": "integer"}, "default": DEFAULT_ADMIN_PORTS}
_STACK_MAP = {"type": "object"}


def policies(root=None) -> list[Policy]:
    """Every rule, with its enforcement level and severity (both overridable by policy config):
    agentops' library of rules, then the rules the kinds in effect bring (Kind.policies; the
    repository's own kinds when `root` names it)."""
    from agentops.kinds import active, for_repository

    kinds = for_repository(root) if root is not None else active()
    library = _library(kinds)
    names = {p.name for p in library}
    for kind in kinds:
        for policy in kind.policies():
            if getattr(policy, "config_schema", None) is None:
                # Every policy takes productionStacks (one config file sets it for all): a
                # kind's rule without a schema gets that one, or `pulumi preview` would refuse
                # the config agentops writes for it.
                policy.config_schema = _schema()
            if policy.name in names:
                from agentops.kinds import KindError

                raise KindError(f"kind {kind.name!r} brings a policy named {policy.name!r}, "
                                f"which another rule already has", hint="rename the kind's policy")
            names.add(policy.name)
            library.append(policy)
    return library


def _library(kinds) -> list[Policy]:
    return [
        StackValidationPolicy(
            name="s3-no-public-buckets", description="S3 buckets are private: a public access "
            "block with all four settings on, and no public ACL.", validate=_s3_public,
            enforcement_level=M, severity=Severity.CRITICAL, config_schema=_schema()),
        StackValidationPolicy(
            name="s3-encryption", description="S3 buckets have default server-side encryption.",
            validate=_s3_encrypted, enforcement_level=M, severity=Severity.HIGH,
            config_schema=_schema()),
        StackValidationPolicy(
            name="s3-versioning-production", description="S3 buckets in production stacks "
            "keep object versions.", validate=_s3_versioning, enforcement_level=A,
            severity=Severity.LOW, config_schema=_schema()),
        _resource_policy(
            "sg-no-public-admin-ports", "Security groups do not open SSH, RDP or database "
            "ports to 0.0.0.0/0.", M, Severity.CRITICAL,
            {SG_INGRESS_RULE, SG_RULE, SECURITY_GROUP}, _sg_admin_ports, adminPorts=_PORTS),
        _resource_policy(
            "rds-storage-encrypted", "RDS storage is encrypted at rest.", M, Severity.HIGH,
            {RDS_INSTANCE}, _rds_encrypted),
        _resource_policy(
            "rds-deletion-protection", "RDS instances in production stacks have deletion "
            "protection.", M, Severity.HIGH, {RDS_INSTANCE}, _rds_deletion_protection),
        _resource_policy(
            "rds-backup-retention", "RDS instances in production stacks keep automated backups "
            "for at least minRetentionDays days.", M, Severity.HIGH, {RDS_INSTANCE}, _rds_backups,
            minRetentionDays={"type": "integer", "default": 7, "minimum": 1}),
        _resource_policy(
            "rds-not-public", "RDS instances are not publicly accessible.", M, Severity.CRITICAL,
            {RDS_INSTANCE}, _rds_public),
        _resource_policy(
            "rds-multi-az-production", "RDS instances in production stacks are multi-AZ.", A,
            Severity.MEDIUM, {RDS_INSTANCE}, _rds_multi_az),
        _resource_policy(
            "instance-type-allowlist", "EC2 and EKS node instance types come from the stack's "
            "allowlist (allowedTypes: stack -> glob patterns, '*' for any other stack).", M,
            Severity.MEDIUM, {EC2_INSTANCE, EKS_NODE_GROUP}, _instance_types,
            allowedTypes={**_STACK_MAP, "default": DEFAULT_INSTANCE_TYPES}),
        StackValidationPolicy(
            name="max-instances", description="A stack runs at most maxInstances instances "
            "(EC2 plus node groups at their max size; stack -> limit, '*' for any other).",
            validate=_max_instances, enforcement_level=M, severity=Severity.MEDIUM,
            config_schema=_schema(maxInstances={**_STACK_MAP, "default": DEFAULT_MAX_INSTANCES})),
        _resource_policy(
            "required-tags", "AWS resources carry the required tags (owner, environment).", M,
            Severity.MEDIUM, taggable(kinds) | {SG_INGRESS_RULE}, _required_tags,
            requiredTags={"type": "array", "items": {"type": "string"},
                          "default": DEFAULT_REQUIRED_TAGS}),
        _resource_policy(
            "ebs-encrypted", "EBS volumes, including instance root volumes, are encrypted.", M,
            Severity.HIGH, {EBS_VOLUME, EC2_INSTANCE}, _ebs_encrypted),
        _resource_policy(
            "ec2-imdsv2", "EC2 instances require IMDSv2 session tokens.", A, Severity.MEDIUM,
            {EC2_INSTANCE}, _imdsv2),
        _resource_policy(
            "eks-supported-version", "EKS clusters run a supported Kubernetes version.", A,
            Severity.MEDIUM, {EKS_CLUSTER}, _eks_version,
            minVersion={"type": "string", "default": "1.29"}),
        _resource_policy(
            "k8s-min-replicas", "Deployments in production stacks run at least minReplicas "
            "replicas.", M, Severity.HIGH, {K8S_DEPLOYMENT}, _k8s_replicas,
            minReplicas={"type": "integer", "default": 2, "minimum": 1}),
        _resource_policy(
            "k8s-image-pinned", "Container images are pinned to a version or digest, never "
            ":latest or untagged.", M, Severity.MEDIUM, {K8S_DEPLOYMENT}, _k8s_image_pinned),
        _resource_policy(
            "k8s-resource-limits", "Containers in production stacks have CPU and memory limits.",
            M, Severity.MEDIUM, {K8S_DEPLOYMENT}, _k8s_limits),
        ResourceValidationPolicy(
            name=secrets.POLICY_NAME, description=secrets.POLICY_DESCRIPTION,
            validate=secrets.plaintext_secrets, enforcement_level=M, severity=Severity.CRITICAL,
            config_schema=_schema()),
    ]
