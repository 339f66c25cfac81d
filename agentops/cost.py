"""Estimated monthly cost of a stack spec, from the pricing table shipped in agentops/data.

On-demand list prices x 730 hours, per spec resource. Whatever the table cannot price (a type or
region it lacks, usage-based charges like S3 storage or AWS Backup snapshots) is a line with no
amount: listed as unpriced, never counted as zero. Usage on top of a priced line (NAT data
processing) is named in the line's detail.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from agentops.findings import CostDelta, CostLine, StackCost
from agentops.spec import Alert, Cluster, Database, Instances, Network, StackSpec, Storage

# EKS managed node groups get a 20 GiB root volume unless a launch template says otherwise.
EKS_NODE_DISK_GB = 20


class RegionPrices(BaseModel):
    ec2_hourly: dict[str, float] = Field(default_factory=dict)
    rds_hourly: dict[str, dict[str, float]] = Field(default_factory=dict)  # engine -> class
    rds_storage_gb_month: float | None = None
    ebs_gb_month: dict[str, float] = Field(default_factory=dict)
    s3_standard_gb_month: float | None = None
    eks_cluster_hourly: float | None = None
    nat_gateway_hourly: float | None = None
    nat_gateway_gb: float | None = None
    public_ipv4_hourly: float | None = None
    cloudwatch_alarm_month: float | None = None


class Pricing(BaseModel):
    as_of: str
    source: str
    hours_per_month: int
    regions: dict[str, RegionPrices]


@lru_cache(maxsize=1)
def pricing() -> Pricing:
    text = resources.files("agentops").joinpath("data/pricing.json").read_text(encoding="utf-8")
    return Pricing.model_validate(json.loads(text))


class _Pricer:
    def __init__(self, region: str):
        table = pricing()
        self.hours = table.hours_per_month
        self.region = region
        self.prices = table.regions.get(region)

    def hourly(self, value: float | None) -> float | None:
        return None if value is None else value * self.hours

    def missing(self, what: str) -> str:
        return f"no price for {what} in {self.region}"


def _add(*parts: float | None) -> float | None:
    """Sum of parts, or None when any part is unpriced (a partial sum would read as complete)."""
    if any(p is None for p in parts):
        return None
    return round(sum(parts), 2)


def _network(p: _Pricer, name: str, net: Network) -> CostLine:
    if not net.nat_gateway:
        return CostLine(resource=f"network.{name}", type="VPC, subnets, internet gateway",
                        monthly_usd=0.0, detail="no hourly charge")
    nat = p.hourly(p.prices.nat_gateway_hourly)
    ip = p.hourly(p.prices.public_ipv4_hourly)
    amount = _add(nat, ip)
    detail = (f"NAT gateway {p.prices.nat_gateway_hourly}/h + public IPv4 "
              f"{p.prices.public_ipv4_hourly}/h; plus {p.prices.nat_gateway_gb}/GB processed"
              if amount is not None else p.missing("NAT gateway"))
    return CostLine(resource=f"network.{name}", type="NAT gateway + Elastic IP",
                    monthly_usd=amount, detail=detail)


def _instances(p: _Pricer, name: str, group: Instances) -> CostLine:
    rate = p.prices.ec2_hourly.get(group.instance_type)
    gp3 = p.prices.ebs_gb_month.get("gp3")
    compute = None if rate is None else group.count * rate * p.hours
    disks = None if gp3 is None else group.count * group.volume_gb * gp3
    amount = _add(compute, disks)
    detail = (f"{group.count} x {rate}/h x {p.hours} h + {group.count} x {group.volume_gb} GB gp3"
              if amount is not None else p.missing(f"EC2 {group.instance_type}"))
    return CostLine(resource=f"instances.{name}", type=f"EC2 {group.instance_type} x{group.count}",
                    monthly_usd=amount, detail=detail)


def _cluster(p: _Pricer, name: str, cluster: Cluster) -> CostLine:
    rate = p.prices.ec2_hourly.get(cluster.instance_type)
    gp3 = p.prices.ebs_gb_month.get("gp3")
    nodes = cluster.desired_size
    amount = _add(p.hourly(p.prices.eks_cluster_hourly),
                  None if rate is None else nodes * rate * p.hours,
                  None if gp3 is None else nodes * EKS_NODE_DISK_GB * gp3)
    detail = (f"control plane {p.prices.eks_cluster_hourly}/h + {nodes} node(s) x {rate}/h "
              f"(desired size; up to {cluster.max_size}) + {EKS_NODE_DISK_GB} GB gp3 per node"
              if amount is not None else p.missing(f"EKS nodes {cluster.instance_type}"))
    return CostLine(resource=f"clusters.{name}",
                    type=f"EKS + {nodes} x {cluster.instance_type}", monthly_usd=amount,
                    detail=detail)


def _database(p: _Pricer, name: str, db: Database) -> list[CostLine]:
    rate = p.prices.rds_hourly.get(db.engine, {}).get(db.instance_class)
    storage = p.prices.rds_storage_gb_month
    copies = 2 if db.multi_az else 1  # a multi-AZ instance bills a standby of the same size
    amount = _add(None if rate is None else copies * rate * p.hours,
                  None if storage is None else copies * db.storage_gb * storage)
    az = "multi-AZ" if db.multi_az else "single-AZ"
    detail = (f"{copies} x {rate}/h x {p.hours} h + {copies} x {db.storage_gb} GB x {storage}"
              if amount is not None else p.missing(f"RDS {db.engine} {db.instance_class}"))
    lines = [CostLine(resource=f"databases.{name}",
                      type=f"RDS {db.engine} {db.instance_class} {az}, {db.storage_gb} GB",
                      monthly_usd=amount, detail=detail)]
    if db.backup:
        lines.append(_backup(f"databases.{name}"))
    return lines


def _backup(ref: str) -> CostLine:
    return CostLine(resource=f"{ref}.backup", type="AWS Backup plan", monthly_usd=None,
                    detail="usage-based: snapshot storage per GB-month")


def _storage(p: _Pricer, name: str, store: Storage) -> list[CostLine]:
    ref = f"storage.{name}"
    if store.kind == "bucket":
        per_gb = p.prices.s3_standard_gb_month
        lines = [CostLine(resource=ref, type="S3 bucket", monthly_usd=None,
                          detail=f"usage-based: {per_gb}/GB-month stored, plus requests"
                          if per_gb is not None else p.missing("S3"))]
    else:
        gp3 = p.prices.ebs_gb_month.get("gp3")
        lines = [CostLine(resource=ref, type=f"EBS gp3 {store.size_gb} GB",
                          monthly_usd=None if gp3 is None else round(store.size_gb * gp3, 2),
                          detail=f"{store.size_gb} GB x {gp3}" if gp3 is not None
                          else p.missing("EBS gp3"))]
    if store.backup:
        lines.append(_backup(ref))
    return lines


def _alert(p: _Pricer, name: str, alert: Alert, spec: StackSpec) -> CostLine:
    # An alert on an instance group is one alarm per instance (see agentops.program).
    target = spec.find(alert.target)
    alarms = target[1].count if target and target[0] == "instances" else 1
    rate = p.prices.cloudwatch_alarm_month
    return CostLine(resource=f"alerts.{name}", type=f"CloudWatch alarm x{alarms}",
                    monthly_usd=None if rate is None else round(alarms * rate, 2),
                    detail=f"{alarms} x {rate}" if rate is not None else p.missing("alarms"))


def estimate(spec: StackSpec, stack: str) -> StackCost:
    """Monthly cost per spec resource of one stack."""
    p = _Pricer(spec.region)
    lines: list[CostLine] = []
    for section, name, resource in spec.resources():
        if p.prices is None:
            lines.append(CostLine(resource=f"{section}.{name}", type=section, monthly_usd=None,
                                  detail=f"no prices for region {spec.region}"))
        elif section == "network":
            lines.append(_network(p, name, resource))
        elif section == "instances":
            lines.append(_instances(p, name, resource))
        elif section == "clusters":
            lines.append(_cluster(p, name, resource))
        elif section == "deployments":
            lines.append(CostLine(resource=f"deployments.{name}", type="Kubernetes deployment",
                                  monthly_usd=0.0,
                                  detail=f"runs on clusters.{resource.cluster}'s nodes, priced there"))
        elif section == "databases":
            lines += _database(p, name, resource)
        elif section == "storage":
            lines += _storage(p, name, resource)
        elif section == "alerts":
            lines.append(_alert(p, name, resource, spec))
        elif section == "security":
            lines.append(CostLine(resource=f"security.{name}", type="security group",
                                  monthly_usd=0.0, detail="no charge"))
    return StackCost(stack=stack, region=spec.region, lines=lines, prices_as_of=pricing().as_of)


def delta(base: StackCost | None, head: StackCost | None, stack: str) -> CostDelta:
    """What a change does to a stack's monthly cost (None: the stack does not exist there)."""
    unpriced = sorted({*(base.unpriced if base else []), *(head.unpriced if head else [])})
    return CostDelta(
        stack=stack,
        before_usd=base.total_usd if base else 0.0,
        after_usd=head.total_usd if head else 0.0,
        unpriced=unpriced,
        prices_as_of=(head or base).prices_as_of if (head or base) else pricing().as_of,
    )
