"""The public contract: ActionPlan and Action (documented in docs/actionplan.md).

These names are what tests, the HTTP API and `agentops interpret --json` expose. The model
never fills risk_level or confirmation_required: they are computed (agentops.risk).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class ActionType(str, Enum):
    create = "create"
    update = "update"
    delete = "delete"
    scale = "scale"
    restart = "restart"
    backup = "backup"
    monitor = "monitor"
    show = "show"


class ResourceType(str, Enum):
    infrastructure = "infrastructure"
    deployment = "deployment"
    database = "database"
    storage = "storage"
    monitoring = "monitoring"
    security = "security"


class RiskLevel(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return list(RiskLevel).index(self)


class Parameters(BaseModel):
    """Canonical parameter keys (docs/actionplan.md). Numbers are numbers; unknown keys are kept."""

    model_config = ConfigDict(extra="allow")

    provider: str | None = None
    region: str | None = None
    kind: str | None = None
    count: int | None = None
    instance_type: str | None = None
    min_size: int | None = None
    max_size: int | None = None
    image: str | None = None
    replicas: int | None = None
    engine: str | None = None
    storage_gb: int | None = None
    metric: str | None = None
    threshold: float | None = None
    port: int | None = None
    cidr: str | None = None
    protocol: str | None = None

    def set_values(self) -> dict:
        """Only the keys that carry a value: what a reader of the plan wants to see."""
        return self.model_dump(exclude_none=True)


class Action(BaseModel):
    type: ActionType
    resource: ResourceType
    name: str | None = None
    stack: str | None = None
    parameters: Parameters = Field(default_factory=Parameters)
    # How the command said a value relative to the spec, as the plan line wrote it ("+3",
    # "-1", "*2", "/2"), by parameter key. The interpreter resolves each against the current
    # spec value into `parameters` (the plan a reviewer reads holds the result) and keeps the
    # relative form here, so the review shows how the number came about.
    relative: dict[str, str] = Field(default_factory=dict)
    description: str = ""

    def changed_keys(self) -> set[str]:
        """The keys this action sets, as values or relative to the spec: what it changes. (A
        kind= value says which kind of resource, not what changes.) Empty: it sets nothing."""
        return set(self.parameters.set_values()) - {"kind"} | set(self.relative)


class ActionPlan(BaseModel):
    command: str
    interpretation: str
    actions: list[Action] = Field(default_factory=list)
    risk_level: RiskLevel = RiskLevel.low
    confirmation_required: bool = False
    warnings: list[str] = Field(default_factory=list)

    @property
    def stacks(self) -> list[str]:
        """The stacks this plan touches, in first-mention order."""
        seen: dict[str, None] = {}
        for action in self.actions:
            if action.stack:
                seen.setdefault(action.stack, None)
        return list(seen)
