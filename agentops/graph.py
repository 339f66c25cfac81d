"""The resource graph a Pulumi program registers: what the offline plan, the policies and the
diff all work on. Produced by agentops.offline (under Pulumi's mocks) for one stack revision."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

SECRET_PLACEHOLDER = "[secret]"


class Resource(BaseModel):
    urn: str
    type: str  # Pulumi type token, e.g. "aws:ec2/instance:Instance"
    name: str  # Pulumi logical name
    inputs: dict[str, Any] = Field(default_factory=dict)  # secrets already redacted
    parent: str | None = None
    provider: str | None = None
    dependencies: list[str] = Field(default_factory=list)
    custom: bool = True  # False for component resources
    protect: bool = False
    spec_ref: str | None = None  # "section.name" of the spec resource it renders, when known
    secret_keys: list[str] = Field(default_factory=list)  # inputs that were secret


class ResourceGraph(BaseModel):
    project: str
    stack: str
    resources: list[Resource] = Field(default_factory=list)

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}
