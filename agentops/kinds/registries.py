"""Registries: an ECR repository for container images, scanned on push and with immutable
tags unless a spec says otherwise, optionally keeping only the last N images. Written in specs
by hand for now (interpreted = False)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


class Registry(EntryModel):
    """An ECR repository."""

    immutable_tags: bool = True
    scan_on_push: bool = True
    encryption: Literal["AES256", "KMS"] = "AES256"
    keep_images: int | None = Field(None, ge=1, le=1000, description="expire all but the newest N")


def _scan_on_push(args, report_violation) -> None:
    scanning = args.props.get("imageScanningConfiguration") or {}
    if scanning.get("scanOnPush") is not True:
        report_violation(f"ECR repository '{args.name}' does not scan images on push; set "
                         f"scan_on_push: true")


def _immutable(args, report_violation) -> None:
    if args.props.get("imageTagMutability") != "IMMUTABLE":
        report_violation(f"ECR repository '{args.name}' lets a tag be pushed again with other "
                         f"content: what runs is not what was reviewed; set immutable_tags: true")


class RegistriesKind(Kind):
    name = "registries"
    section = "registries"
    model = Registry
    resource_type = ResourceType.infrastructure
    noun = "registry"
    words = ("ecr", "registry", "registries")
    kind_values = ("registry",)
    interpreted = False
    grammar_rank = 12
    default_name = "registry"
    description = "an ECR repository: scan on push, immutable tags, optional image expiry"
    spec_order = 10
    render_order = 12
    actions = {"create": ActionMap(), "delete": ActionMap()}
    taggable = frozenset({REPOSITORY})
    rules = ("ecr-scan-on-push", "ecr-immutable-tags", "required-tags")
    replace_on_change = {REPOSITORY: ("name", "encryptionConfigurations")}
    provider_modules = ("pulumi_aws.ecr.repository", "pulumi_aws.ecr.lifecycle_policy")
    priced = False
    cost_coverage = "unpriced: usage-based (GB stored, data out)"

    def render(self, ctx, name: str, reg: Registry) -> None:
        from pulumi_aws import ecr

        opts = ctx.component(self.section, name)
        repo = ecr.Repository(
            name,
            image_tag_mutability="IMMUTABLE" if reg.immutable_tags else "MUTABLE",
            image_scanning_configuration={"scan_on_push": reg.scan_on_push},
            encryption_configurations=[{"encryption_type": reg.encryption}],
            tags=ctx.tags(self.section, name), opts=opts,
        )
        if reg.keep_images:
            ecr.LifecyclePolicy(name, repository=repo.name, policy=json.dumps({"rules": [{
                "rulePriority": 1, "description": f"keep the newest {reg.keep_images} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                              "countNumber": reg.keep_images},
                "action": {"type": "expire"},
            }]}), opts=opts)
        ctx.publish(self.section, name, repo)

    def cost(self, p, name: str, reg: Registry, spec) -> list:
        return [self.unpriced(name, "ECR repository", "usage-based: per GB-month stored")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [
            resource_policy("ecr-scan-on-push", "ECR repositories scan images on push.",
                            EnforcementLevel.MANDATORY, Severity.MEDIUM, {REPOSITORY},
                            _scan_on_push),
            resource_policy("ecr-immutable-tags", "ECR repositories have immutable image tags.",
                            EnforcementLevel.ADVISORY, Severity.MEDIUM, {REPOSITORY}, _immutable),
        ]
