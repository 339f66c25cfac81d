"""Caches: an ElastiCache replication group (Valkey or Redis OSS), encrypted at rest and in
transit, one primary plus replicas, in the private subnets of a network of the stack."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, kms_key_arn, no_metric, resource_rule
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.network import subnets

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SUBNET_GROUP = "aws:elasticache/subnetGroup:SubnetGroup"
_METRICS = {"cpu": "EngineCPUUtilization", "memory": "DatabaseMemoryUsagePercentage",
            "connections": "CurrConnections", "network": "NetworkBytesIn"}

# On-demand node prices per hour, Redis OSS, us-east-1 (AWS list prices, 2025). Valkey nodes
# are listed 20% below Redis OSS ones (AWS's Valkey pricing since October 2024).
_REDIS_HOURLY = {
    "us-east-1": {
        "cache.t3.micro": 0.017, "cache.t3.small": 0.034, "cache.t3.medium": 0.068,
        "cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
        "cache.m5.large": 0.156, "cache.m6g.large": 0.149, "cache.m7g.large": 0.158,
        "cache.r5.large": 0.216, "cache.r6g.large": 0.206, "cache.r7g.large": 0.219,
    },
}
_VALKEY_DISCOUNT = 0.8


class Cache(EntryModel):
    """An ElastiCache replication group (Valkey or Redis OSS)."""

    engine: Literal["valkey", "redis"] = "valkey"
    engine_version: str | None = None
    node_type: str = Field("cache.t4g.micro", pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
    nodes: int = Field(1, ge=1, le=6, description="primary plus replicas")
    network: str | None = None
    encrypted: bool = Field(True, description="at rest")
    transit_encryption: bool = True
    kms_key: str | None = Field(None, description="a KMS key of the stack (keys section)")
    snapshot_retention_days: int = Field(1, ge=0, le=35)
    port: int = Field(6379, ge=1024, le=65535)


_FIELDS = {"engine": "engine", "instance_type": "node_type", "count": "nodes"}


def _at_rest(args, report_violation) -> None:
    if args.props.get("atRestEncryptionEnabled") is not True:
        report_violation(f"ElastiCache group '{args.name}' stores data unencrypted; set "
                         f"encrypted: true (changing it later replaces the cache)")


def _in_transit(args, report_violation) -> None:
    if args.props.get("transitEncryptionEnabled") is not True:
        report_violation(f"ElastiCache group '{args.name}' accepts plain-text connections; set "
                         f"transit_encryption: true (clients connect with TLS)")


class CachesKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "caches"
    section = "caches"
    model = Cache
    resource_type = ResourceType.infrastructure
    noun = "cache"
    count_nouns = ("nodes", "cache nodes", "replicas")
    words = ("cache", "caches", "redis", "valkey", "elasticache", "redis cache", "cache cluster")
    kind_values = ("cache",)
    default_name = "cache"
    description = "an ElastiCache Valkey/Redis group, encrypted at rest and in transit"
    spec_order = 24
    render_order = 24
    references = {"network": "network", "kms_key": "keys"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        # a scale is of how many nodes; the node type is a setting, changed by an update
        "scale": ActionMap({"count": "nodes", "replicas": "nodes"}, note="nodes (primary plus replicas)"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="cpu, memory, connections, network: one alarm per node"),
    }
    taggable = frozenset({REPLICATION_GROUP, SUBNET_GROUP})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    alarm_metrics = tuple(_METRICS)
    replace_on_change = {
        REPLICATION_GROUP: ("replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId",
                            "subnetGroupName", "port"),
        SUBNET_GROUP: ("name",),
    }
    value_prefixes = {"instance_type": "cache."}
    provider_modules = ("pulumi_aws.elasticache.replication_group",
                        "pulumi_aws.elasticache.subnet_group")
    priced = True
    cost_coverage = "nodes priced (us-east-1); backups beyond one day and data transfer unpriced"

    def render(self, ctx, name: str, cache: Cache) -> None:
        from pulumi_aws import elasticache

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        subnet_group = None
        if cache.network:
            subnet_group = elasticache.SubnetGroup(
                name, subnet_ids=[s.id for s in subnets(ctx, cache.network)], tags=tags, opts=opts)
        group = elasticache.ReplicationGroup(
            name,
            description=f"{cache.engine} cache {name} ({ctx.stack})",
            engine=cache.engine,
            engine_version=cache.engine_version,
            node_type=cache.node_type,
            num_cache_clusters=cache.nodes,
            # A replica takes over when the primary fails, in another zone.
            automatic_failover_enabled=cache.nodes > 1,
            multi_az_enabled=cache.nodes > 1,
            at_rest_encryption_enabled=cache.encrypted,
            kms_key_id=kms_key_arn(ctx, cache.kms_key),
            transit_encryption_enabled=cache.transit_encryption,
            snapshot_retention_limit=cache.snapshot_retention_days,
            port=cache.port,
            subnet_group_name=subnet_group.name if subnet_group else None,
            tags=tags,
            opts=opts,
        )
        ctx.publish(self.section, name, group)

    def alarm_count(self, cache: Cache) -> int:
        return cache.nodes

    def alarms(self, ctx, name: str, cache: Cache, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        group = ctx.output(self.section, name)
        # ElastiCache reports per node; a group's nodes are <group id>-001, -002, ...
        return [Alarm(f"-{i:03d}", "AWS/ElastiCache", _METRICS[metric],
                      {"CacheClusterId": group.id.apply(lambda gid, i=i: f"{gid}-{i:03d}")})
                for i in range(1, cache.nodes + 1)]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        entry = super().create_entry(name, params, doc, kind_word)
        networks = list(doc.get("network") or {})
        if "network" not in entry and len(networks) == 1:
            entry["network"] = networks[0]  # a cache belongs in the stack's private subnets
        if "engine" not in entry and kind_word in ("redis", "valkey"):
            entry.insert(0, "engine", kind_word)
        return entry

    def cost(self, p, name: str, cache: Cache, spec) -> list:
        redis = _REDIS_HOURLY.get(p.region, {}).get(cache.node_type)
        what = f"ElastiCache {cache.engine} {cache.node_type} x{cache.nodes}"
        if redis is None:
            return [self.unpriced(name, what, p.missing(f"ElastiCache {cache.node_type}"))]
        rate = round(redis * (_VALKEY_DISCOUNT if cache.engine == "valkey" else 1), 5)
        amount = round(cache.nodes * rate * p.hours, 2)
        return [self.line(name, what, amount, f"{cache.nodes} x {rate}/h x {p.hours} h")]

    def policies(self) -> list:
        return [
            resource_rule("elasticache-encrypted-at-rest", "ElastiCache groups are encrypted "
                          "at rest.", MANDATORY, "high", {REPLICATION_GROUP}, _at_rest),
            resource_rule("elasticache-encrypted-in-transit", "ElastiCache groups require TLS "
                          "connections.", MANDATORY, "high", {REPLICATION_GROUP}, _in_transit),
        ]
