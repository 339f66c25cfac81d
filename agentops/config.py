"""Per-repository settings: .agentops.yaml at the repository root.

Everything has a default, so a repository without the file works. Teams edit it to say which
stacks count as production, how many approvals each risk level needs, and which model to use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentops.errors import AgentOpsError

CONFIG_FILE = ".agentops.yaml"


class Approvals(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low: int = Field(0, ge=0)
    medium: int = Field(0, ge=0)
    high: int = Field(1, ge=0)
    critical: int = Field(2, ge=0)
    # When set, a change that needs approvals needs one of them from a CODEOWNERS owner of
    # the stack files it changed (CODEOWNERS as it was before the change).
    require_codeowners: bool = False

    def for_level(self, level: str) -> int:
        return getattr(self, level)


class CISettings(BaseModel):
    """What the GitHub workflows read from this file (`agentops ci-env`): kept in the repository,
    reviewed like everything else, and no secret among them (roles are assumed through OIDC)."""

    model_config = ConfigDict(extra="forbid")

    pulumi_backend_url: str | None = None
    aws_region: str = "us-east-1"
    aws_preview_role_arn: str | None = Field(None, description="read-only role for PR previews")
    aws_apply_role_arn: str | None = Field(None, description="role for apply and drift, on main")

    def env(self) -> dict[str, str]:
        return {k.upper(): v for k, v in self.model_dump().items() if v}


Level = Literal["low", "medium", "high", "critical"]


class RiskRule(BaseModel):
    """One override of the risk table: the first rule whose fields all match an action wins.
    Unset fields match anything; `stack` is a stack name, `production` or `other`."""

    model_config = ConfigDict(extra="forbid")

    # Literals, so a typo in the file is an error rather than a rule that never matches.
    action: Literal["create", "update", "delete", "scale", "restart", "backup", "monitor",
                    "show", "replace"] | None = None
    resource: Literal["infrastructure", "deployment", "database", "storage", "monitoring",
                      "security"] | None = None
    stack: str | None = None
    level: Level


class RiskSettings(BaseModel):
    """`risk:` in .agentops.yaml: the team's changes to the risk table (docs/risk.md)."""

    model_config = ConfigDict(extra="forbid")

    rules: list[RiskRule] = Field(default_factory=list)
    # A mandatory policy violation makes a change at least this risky...
    mandatory_policy_floor: Level = "high"
    # ...and an advisory one raises it to the policy's severity, capped here.
    advisory_policy_cap: Level = "medium"


class KindsSettings(BaseModel):
    """`kinds:` in .agentops.yaml: the repository's own resource kinds (agentops.kinds)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field("kinds", description="folder inside the repository with one module per kind")


class RepoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_branch: str = "main"
    production_stacks: list[str] = Field(default_factory=lambda: ["prod"])
    approvals: Approvals = Field(default_factory=Approvals)
    model: str | None = Field(None, description="path to a GGUF; the default Gemma 3 270M when unset")
    # Free-form settings read by the policy pack (allowlists, limits); see docs/policies.md.
    policy: dict = Field(default_factory=dict)
    ci: CISettings = Field(default_factory=CISettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    kinds: KindsSettings | None = None

    def is_production(self, stack: str | None) -> bool:
        return stack is not None and stack in self.production_stacks


def load_config(root: Path) -> RepoConfig:
    """The repository's config, or the defaults when it has none."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return RepoConfig()
    from agentops.specio import read

    return parse_config(read(path, CONFIG_FILE), str(path))


def parse_config(text: str | None, source: str = CONFIG_FILE) -> RepoConfig:
    """Config text (None: no file) -> RepoConfig; for a revision's file read from git (the
    apply gate reads the settings as they were before the change it rates)."""
    from agentops.spec import parse_document, _plain

    if text is None:
        return RepoConfig()
    doc = parse_document(text, CONFIG_FILE)
    try:
        return RepoConfig.model_validate(_plain(doc))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise AgentOpsError(
            f"{CONFIG_FILE}: {problems}", hint=f"fix {source} or delete it to use the defaults"
        ) from None


def user_cache_dir() -> Path:
    """Where compiled indexes, the assembled model and the example index are cached."""
    base = os.environ.get("AGENTOPS_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    path = root / "agentops" if not os.environ.get("AGENTOPS_CACHE_DIR") else root
    path.mkdir(parents=True, exist_ok=True)
    return path
