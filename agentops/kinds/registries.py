"""Registries: an ECR repository, scanning images on push and keeping tags immutable, with an
optional lifecycle policy that keeps the newest images."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import ADVISORY, MANDATORY, kms_key_arn, no_metric, resource_rule
from agentops.kinds.base import ActionMap, EntryModel, Kind

ECR_REPOSITORY = "aws:ecr/repository:Repository"
ECR_LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"


class Registry(EntryModel):
    """An ECR repository."""

    scan_on_push: bool = True
    immutable_tags: bool = True
    encryption: Literal["AES256", "KMS"] = "AES256"
    kms_key: str | None = Field(None, description="a KMS key of the stack (encryption: KMS)")
    keep_images: int | None = Field(None, ge=1, le=10000,
                                    description="expire all but the newest N images")
    force_delete: bool = Field(False, description="delete even while it holds images")

    @model_validator(mode="after")
    def _key(self) -> "Registry":
        if self.kms_key and self.encryption != "KMS":
            raise ValueError("kms_key applies to encryption: KMS")
        return self


_FIELDS = {"count": "keep_images"}


def _scan_on_push(args, report_violation) -> None:
    if (args.props.get("imageScanningConfiguration") or {}).get("scanOnPush") is not True:
        report_violation(f"ECR repository '{args.name}' does not scan images on push: known "
                         f"vulnerabilities go unreported; set scan_on_push: true")


def _immutable_tags(args, report_violation) -> None:
    if args.props.get("imageTagMutability") not in ("IMMUTABLE",
                                                    "IMMUTABLE_WITH_EXCLUSION"):
        report_violation(f"ECR repository '{args.name}' lets a tag be pushed again, so "
                         f"ghcr.io/acme/api:1.2 can change under a running deployment; set "
                         f"immutable_tags: true")


class RegistriesKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "registries"
    section = "registries"
    model = Registry
    resource_type = ResourceType.infrastructure
    noun = "registry"
    count_nouns = ("images", "tags", "image tags", "versions")
    # how people say how many images to keep ("dev-images: keep the last 10")
    phrases = {"count": ("keep the last {n}", "keep {n}", "last {n} images", "keep only {n}")}
    words = ("registry", "registries", "ecr", "ecr repo", "ecr repos", "image repo", "container registry",
             "docker registry", "image registry", "repository", "image repository", "ecr repository")
    kind_values = ("registry",)
    default_name = "registry"
    description = "an ECR repository: scan on push, immutable tags, optional lifecycle policy"
    spec_order = 25
    render_order = 25
    references = {"kms_key": "keys"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS, note="count: how many images to keep"),
        "delete": ActionMap(),
    }
    taggable = frozenset({ECR_REPOSITORY})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    replace_on_change = {ECR_REPOSITORY: ("name", "encryptionConfigurations")}
    provider_modules = ("pulumi_aws.ecr.repository", "pulumi_aws.ecr.lifecycle_policy")
    priced = False
    cost_coverage = "usage-based (GB stored, data transfer): unpriced"

    def render(self, ctx, name: str, reg: Registry) -> None:
        from pulumi_aws import ecr

        opts = ctx.component(self.section, name)
        repo = ecr.Repository(
            name,
            image_tag_mutability="IMMUTABLE" if reg.immutable_tags else "MUTABLE",
            image_scanning_configuration={"scan_on_push": reg.scan_on_push},
            encryption_configurations=[{"encryption_type": reg.encryption,
                                        "kms_key": kms_key_arn(ctx, reg.kms_key)}],
            force_delete=reg.force_delete,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        if reg.keep_images:
            ecr.LifecyclePolicy(name, repository=repo.name, policy=json.dumps({"rules": [{
                "rulePriority": 1,
                "description": f"keep the newest {reg.keep_images} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                              "countNumber": reg.keep_images},
                "action": {"type": "expire"},
            }]}), opts=opts)
        ctx.publish(self.section, name, repo)

    def alarms(self, ctx, name: str, entry, metric: str) -> list:
        # No CloudWatch metric of its own: an alert on it is refused, never a stand-in alarm.
        raise no_metric(self.section, name, metric, {})

    def cost(self, p, name: str, reg: Registry, spec) -> list:
        # us-east-1 list price (2025): $0.10 per GB-month stored; pulls within the region free.
        return [self.unpriced(name, "ECR repository", "usage-based: $0.10 per GB-month stored")]

    def policies(self) -> list:
        return [
            resource_rule("ecr-scan-on-push", "ECR repositories scan images on push.",
                          MANDATORY, "medium", {ECR_REPOSITORY}, _scan_on_push),
            resource_rule("ecr-immutable-tags", "ECR repositories keep image tags immutable.",
                          ADVISORY, "medium", {ECR_REPOSITORY}, _immutable_tags),
        ]
