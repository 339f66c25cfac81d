"""Storage: an S3 bucket or an EBS volume (`kind: bucket|volume`), with an optional AWS
Backup plan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.backups import (
    BACKUP_REPLACE,
    BACKUP_TAGGABLE,
    Backup,
    backup_cost_line,
    edit_backup,
    modules_with_backups,
    render_backup_plan,
)
from agentops.kinds.base import ActionMap, Alarm, EditError, EntryModel, Kind


class Storage(EntryModel):
    """An S3 bucket or an EBS volume."""

    kind: Literal["bucket", "volume"] = "bucket"
    size_gb: int | None = Field(None, ge=1, le=65536, description="volumes only")
    encrypted: bool = True
    public: bool = False
    versioning: bool = False
    availability_zone: str | None = Field(None, description="volumes only; <region>a when unset")
    backup: Backup | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> "Storage":
        if self.kind == "volume" and self.size_gb is None:
            raise ValueError("a volume needs size_gb")
        if self.kind == "bucket" and self.size_gb is not None:
            raise ValueError("size_gb applies to volumes only; buckets have no size")
        return self


class StorageKind(Kind):
    name = "storage"
    section = "storage"
    model = Storage
    resource_type = ResourceType.storage
    noun = "bucket"
    words = ("storage", "bucket", "buckets", "s3", "volume", "volumes", "ebs", "disk")
    kind_values = ("bucket", "volume")
    grammar_rank = 3
    default_name = "storage"
    description = "an S3 bucket or an EBS volume, optional AWS Backup plan"
    spec_order = 5
    render_order = 5
    actions = {
        "create": ActionMap({"storage_gb": "size_gb"}),
        "update": ActionMap({"storage_gb": "size_gb"}),
        "backup": ActionMap(note="adds an AWS Backup plan (backup: schedule, retention_days)"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="bucket size or volume queue length"),
    }
    taggable = frozenset({"aws:s3/bucket:Bucket", "aws:ebs/volume:Volume"}) | BACKUP_TAGGABLE
    rules = ("s3-no-public-buckets", "s3-encryption", "s3-versioning-production",
             "ebs-encrypted", "required-tags")
    alarm_metrics = ("disk",)
    replace_on_change = {
        "aws:ebs/volume:Volume": ("availabilityZone", "encrypted", "snapshotId"),
        "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
        **BACKUP_REPLACE,
    }
    provider_modules = ("pulumi_aws.s3.bucket",
                        "pulumi_aws.s3.bucket_server_side_encryption_configuration",
                        "pulumi_aws.s3.bucket_public_access_block", "pulumi_aws.s3.bucket_versioning",
                        "pulumi_aws.ebs.volume")
    priced = True
    cost_coverage = "volumes priced; buckets and backups usage-based (unpriced)"

    def noun_of(self, entry: Storage) -> str:
        return entry.kind

    def modules(self, entries) -> tuple[str, ...]:
        return modules_with_backups(self, entries)

    def render(self, ctx, name: str, store: Storage) -> None:
        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        if store.kind == "volume":
            from pulumi_aws import ebs

            volume = ebs.Volume(
                name, availability_zone=store.availability_zone or f"{ctx.spec.region}a",
                size=store.size_gb, type="gp3", encrypted=store.encrypted, tags=tags, opts=opts,
            )
            ctx.publish(self.section, name, volume)
            if store.backup:
                render_backup_plan(ctx, name, self.section, store.backup, [volume.arn], opts)
            return
        from pulumi_aws import s3

        bucket = s3.Bucket(name, tags=tags, opts=opts)
        if store.encrypted:
            s3.BucketServerSideEncryptionConfiguration(
                name, bucket=bucket.id,
                rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}],
                opts=opts,
            )
        blocked = not store.public
        s3.BucketPublicAccessBlock(
            name, bucket=bucket.id, block_public_acls=blocked, block_public_policy=blocked,
            ignore_public_acls=blocked, restrict_public_buckets=blocked, opts=opts,
        )
        s3.BucketVersioning(
            name, bucket=bucket.id,
            versioning_configuration={"status": "Enabled" if store.versioning else "Suspended"},
            opts=opts,
        )
        ctx.publish(self.section, name, bucket)
        if store.backup:
            render_backup_plan(ctx, name, self.section, store.backup, [bucket.arn], opts)

    def alarms(self, ctx, name: str, store: Storage, metric: str) -> list[Alarm]:
        resource = ctx.output(self.section, name)
        if store.kind == "bucket":
            return [Alarm("", "AWS/S3", "BucketSizeBytes",
                          {"BucketName": resource.id, "StorageType": "StandardStorage"})]
        return [Alarm("", "AWS/EBS", "VolumeQueueLength", {"VolumeId": resource.id})]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap

        if kind_word and kind_word not in self.kind_values and kind_word not in self.words:
            raise EditError(f"create storage: kind {kind_word!r} is not one of bucket, volume")
        entry = CommentedMap()
        entry["kind"] = "volume" if kind_word in ("volume", "volumes", "ebs", "disk") else "bucket"
        for key, value in self.mapped("create", name, params).items():
            entry[key] = value
        return entry

    def backup(self, entry, name: str, params: dict, now) -> str:
        return edit_backup(self, entry, name, params, now)

    def cost(self, p, name: str, store: Storage, spec) -> list:
        if store.kind == "bucket":
            per_gb = p.prices.s3_standard_gb_month
            lines = [self.line(name, "S3 bucket", None,
                               f"usage-based: {per_gb}/GB-month stored, plus requests"
                               if per_gb is not None else p.missing("S3"))]
        else:
            gp3 = p.prices.ebs_gb_month.get("gp3")
            lines = [self.line(name, f"EBS gp3 {store.size_gb} GB",
                               None if gp3 is None else round(store.size_gb * gp3, 2),
                               f"{store.size_gb} GB x {gp3}" if gp3 is not None
                               else p.missing("EBS gp3"))]
        if store.backup:
            lines.append(backup_cost_line(self, name))
        return lines
