"""What the checks say about a stack revision: policy verdicts and cost, attached to plans,
PR bodies and `agentops check`/`cost` output."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Enforcement = Literal["mandatory", "advisory", "disabled"]
Severity = Literal["critical", "high", "medium", "low"]


class Verdict(BaseModel):
    """One policy violation on one resource (or on the whole stack when urn is None)."""

    policy: str
    enforcement: Enforcement
    severity: Severity = "medium"
    message: str
    urn: str | None = None
    resource: str | None = None  # logical name, for people

    @property
    def blocking(self) -> bool:
        return self.enforcement == "mandatory"


class CostLine(BaseModel):
    resource: str  # "section.name" in the spec
    type: str  # what was priced, e.g. "EC2 t3.large x5"
    monthly_usd: float | None  # None: unpriced (listed, never counted as zero)
    detail: str = ""


class StackCost(BaseModel):
    stack: str
    region: str
    lines: list[CostLine] = Field(default_factory=list)
    prices_as_of: str

    @property
    def total_usd(self) -> float:
        return round(sum(line.monthly_usd or 0.0 for line in self.lines), 2)

    @property
    def unpriced(self) -> list[str]:
        return [line.resource for line in self.lines if line.monthly_usd is None]


class CostDelta(BaseModel):
    stack: str
    before_usd: float
    after_usd: float
    unpriced: list[str] = Field(default_factory=list)
    prices_as_of: str

    @property
    def delta_usd(self) -> float:
        return round(self.after_usd - self.before_usd, 2)
