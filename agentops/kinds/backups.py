"""Backups: not a section of their own but a `backup:` block that databases and storage
entries take. The model, the AWS Backup plan it renders, its cost line and the `backup` edit
live here, once, for every kind that offers backups."""

from __future__ import annotations

from typing import Callable

from pydantic import Field

from agentops.kinds.base import EntryModel, Kind

DEFAULT_SCHEDULE = "cron(0 5 * * ? *)"
BACKUP_MODULES = ("pulumi_aws.backup.vault", "pulumi_aws.backup.plan",
                  "pulumi_aws.backup.selection", "pulumi_aws.iam.role",
                  "pulumi_aws.iam.role_policy_attachment")
BACKUP_TAGGABLE = frozenset({"aws:backup/vault:Vault", "aws:backup/plan:Plan", "aws:iam/role:Role"})
BACKUP_REPLACE = {"aws:backup/vault:Vault": ("name", "kmsKeyArn")}


class Backup(EntryModel):
    """An AWS Backup plan for the resource."""

    schedule: str = DEFAULT_SCHEDULE
    retention_days: int = Field(30, ge=1, le=36500)


def modules_with_backups(kind: Kind, entries) -> tuple[str, ...]:
    """A kind's provider modules, plus AWS Backup's when an entry has a backup block."""
    if any(getattr(entry, "backup", None) for entry in entries.values()):
        return (*kind.provider_modules, *BACKUP_MODULES)
    return kind.provider_modules


def render_backup_plan(ctx, name: str, section: str, backup: Backup, arns: list, opts) -> None:
    from pulumi_aws import backup as aws_backup
    from pulumi_aws import iam

    from agentops.kinds.iam_util import assume_role

    tags = ctx.tags(section, name)
    vault = aws_backup.Vault(f"{name}-backup", tags=tags, opts=opts)
    plan = aws_backup.Plan(
        f"{name}-backup",
        rules=[{"rule_name": f"{name}-daily", "target_vault_name": vault.name,
                "schedule": backup.schedule,
                "lifecycle": {"delete_after": backup.retention_days}}],
        tags=tags, opts=opts,
    )
    role = iam.Role(f"{name}-backup", assume_role_policy=assume_role("backup.amazonaws.com"),
                    tags=tags, opts=opts)
    iam.RolePolicyAttachment(
        f"{name}-backup", role=role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        opts=opts,
    )
    aws_backup.Selection(f"{name}-backup", plan_id=plan.id, iam_role_arn=role.arn,
                         resources=arns, opts=opts)


def backup_cost_line(kind: Kind, name: str):
    from agentops.findings import CostLine

    return CostLine(resource=f"{kind.section}.{name}.backup", type="AWS Backup plan",
                    monthly_usd=None, detail="usage-based: snapshot storage per GB-month")


def edit_backup(kind: Kind, entry, name: str, params: dict, now: Callable) -> str:
    """The `backup` action: a backup block with the schedule and retention asked for."""
    from ruamel.yaml.comments import CommentedMap

    from agentops.kinds.yamledit import append

    block = CommentedMap()
    block["schedule"] = params.get("schedule", DEFAULT_SCHEDULE)
    block["retention_days"] = int(params.get("retention_days", 30))
    append(entry, "backup", block)
    return f"backup {kind.section}.{name} ({block['schedule']}, {block['retention_days']} days)"
