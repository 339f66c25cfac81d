"""Estimated monthly cost of a stack spec, from the pricing table shipped in agentops/data.

On-demand list prices x 730 hours, per spec resource; each kind prices its own entries
(Kind.cost, agentops/kinds) from this table. Whatever the table cannot price (a type or
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
from agentops.spec import SpecBase


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
    kms_key_month: float | None = None


class Pricing(BaseModel):
    as_of: str
    source: str
    hours_per_month: int
    regions: dict[str, RegionPrices]


@lru_cache(maxsize=1)
def pricing() -> Pricing:
    text = resources.files("agentops").joinpath("data/pricing.json").read_text(encoding="utf-8")
    return Pricing.model_validate(json.loads(text))


class Pricer:
    """One region's prices, as kinds' cost() hooks read them."""

    def __init__(self, region: str):
        table = pricing()
        self.hours = table.hours_per_month
        self.region = region
        self.prices = table.regions.get(region)

    def hourly(self, value: float | None) -> float | None:
        return None if value is None else value * self.hours

    def missing(self, what: str) -> str:
        return f"no price for {what} in {self.region}"

    @staticmethod
    def add(*parts: float | None) -> float | None:
        """Sum of parts, or None when any part is unpriced (a partial sum would read as
        complete)."""
        if any(p is None for p in parts):
            return None
        return round(sum(parts), 2)


def estimate(spec: SpecBase, stack: str) -> StackCost:
    """Monthly cost per spec resource of one stack: each entry priced by its kind."""
    p = Pricer(spec.region)
    registry = spec.kinds()
    lines: list[CostLine] = []
    for section, name, resource in spec.resources():
        if p.prices is None:
            lines.append(CostLine(resource=f"{section}.{name}", type=section, monthly_usd=None,
                                  detail=f"no prices for region {spec.region}"))
        else:
            lines += registry[section].cost(p, name, resource, spec)
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
