"""Databases: an RDS instance (PostgreSQL or MySQL), with an optional AWS Backup plan."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

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
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.network import subnets

_RDS_METRICS = {"cpu": "CPUUtilization", "memory": "FreeableMemory", "disk": "FreeStorageSpace",
                "connections": "DatabaseConnections", "latency": "ReadLatency",
                "network": "NetworkReceiveThroughput"}


class Database(EntryModel):
    """An RDS instance."""

    engine: Literal["postgres", "mysql"]
    engine_version: str | None = None
    instance_class: str = "db.t3.micro"
    storage_gb: int = Field(20, ge=20, le=65536)
    backup_retention_days: int = Field(7, ge=0, le=35)
    deletion_protection: bool = True
    encrypted: bool = True
    multi_az: bool = False
    network: str | None = None
    backup: Backup | None = None


_FIELDS = {"engine": "engine", "storage_gb": "storage_gb", "instance_type": "instance_class"}


class DatabasesKind(Kind):
    name = "databases"
    section = "databases"
    model = Database
    resource_type = ResourceType.database
    noun = "database"
    words = ("database", "databases", "db", "dbs", "rds", "postgres", "postgresql", "mysql")
    kind_values = ()
    default_name = "db"
    description = "an RDS instance (postgres or mysql), optional AWS Backup plan"
    spec_order = 4
    render_order = 4
    references = {"network": "network"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "backup": ActionMap(note="adds an AWS Backup plan (backup: schedule, retention_days)"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="RDS metrics"),
    }
    taggable = frozenset({"aws:rds/instance:Instance", "aws:rds/subnetGroup:SubnetGroup"}) | BACKUP_TAGGABLE
    rules = ("rds-storage-encrypted", "rds-deletion-protection", "rds-backup-retention",
             "rds-not-public", "rds-multi-az-production", "required-tags")
    alarm_metrics = tuple(_RDS_METRICS)
    metric_units = {"latency": "s"}  # ReadLatency
    replace_on_change = {
        "aws:rds/instance:Instance": ("engine", "identifier", "username", "storageEncrypted",
                                      "kmsKeyId", "dbName", "availabilityZone"),
        "aws:rds/subnetGroup:SubnetGroup": ("name",),
        **BACKUP_REPLACE,
    }
    provider_modules = ("pulumi_aws.rds.subnet_group", "pulumi_aws.rds.instance")
    priced = True
    cost_coverage = "priced (instance, storage, standby); backups usage-based (unpriced)"

    def modules(self, entries) -> tuple[str, ...]:
        return modules_with_backups(self, entries)

    def render(self, ctx, name: str, db: Database) -> None:
        from pulumi_aws import rds

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        subnet_group = None
        if db.network:
            subnet_group = rds.SubnetGroup(
                name, subnet_ids=[s.id for s in subnets(ctx, db.network)], tags=tags, opts=opts
            )
        instance = rds.Instance(
            name,
            engine=db.engine,
            engine_version=db.engine_version,
            instance_class=db.instance_class,
            allocated_storage=db.storage_gb,
            storage_encrypted=db.encrypted,
            backup_retention_period=db.backup_retention_days,
            deletion_protection=db.deletion_protection,
            multi_az=db.multi_az,
            db_subnet_group_name=subnet_group.name if subnet_group else None,
            username="app",
            # RDS keeps the master password in Secrets Manager: none passes through the plan.
            manage_master_user_password=True,
            skip_final_snapshot=not db.deletion_protection,
            final_snapshot_identifier=f"{name}-final" if db.deletion_protection else None,
            tags=tags,
            opts=opts,
        )
        ctx.publish(self.section, name, instance)
        if db.backup:
            render_backup_plan(ctx, name, self.section, db.backup, [instance.arn], opts)

    def alarms(self, ctx, name: str, db: Database, metric: str) -> list[Alarm]:
        metric_name = _RDS_METRICS.get(metric, "CPUUtilization")
        return [Alarm("", "AWS/RDS", metric_name,
                      {"DBInstanceIdentifier": ctx.output(self.section, name).identifier})]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        entry = super().create_entry(name, params, doc, kind_word)
        if "engine" not in params:
            entry.insert(0, "engine", "postgres")
        return entry

    def backup(self, entry, name: str, params: dict, now) -> str:
        return edit_backup(self, entry, name, params, now)

    def cost(self, p, name: str, db: Database, spec) -> list:
        rate = p.prices.rds_hourly.get(db.engine, {}).get(db.instance_class)
        storage = p.prices.rds_storage_gb_month
        copies = 2 if db.multi_az else 1  # a multi-AZ instance bills a standby of the same size
        amount = p.add(None if rate is None else copies * rate * p.hours,
                       None if storage is None else copies * db.storage_gb * storage)
        az = "multi-AZ" if db.multi_az else "single-AZ"
        detail = (f"{copies} x {rate}/h x {p.hours} h + {copies} x {db.storage_gb} GB x {storage}"
                  if amount is not None else p.missing(f"RDS {db.engine} {db.instance_class}"))
        lines = [self.line(name, f"RDS {db.engine} {db.instance_class} {az}, {db.storage_gb} GB",
                           amount, detail)]
        if db.backup:
            lines.append(backup_cost_line(self, name))
        return lines
