"""Tables: a DynamoDB table (on-demand or provisioned), encrypted with a KMS key, point-in-time
recovery on by default."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import (
    ADVISORY,
    MANDATORY,
    is_production,
    kms_key_arn,
    no_metric,
    resource_rule,
)
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

DYNAMODB_TABLE = "aws:dynamodb/table:Table"
_METRICS = {"latency": "SuccessfulRequestLatency", "errors": "SystemErrors"}

# Provisioned capacity, on-demand list prices (2025) per hour: $0.00065 per WCU and $0.00013 per
# RCU, the same in these regions. Elsewhere the line is unpriced, never guessed.
_CAPACITY_HOURLY = {
    region: {"write": 0.00065, "read": 0.00013}
    for region in ("us-east-1", "us-east-2", "us-west-2")
}
_STORAGE_GB_MONTH = 0.25  # Standard table class, first 25 GB free


class Table(EntryModel):
    """A DynamoDB table."""

    hash_key: str = Field("id", pattern=r"^[A-Za-z0-9_.-]{1,255}$")
    hash_key_type: Literal["S", "N", "B"] = "S"
    range_key: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,255}$")
    range_key_type: Literal["S", "N", "B"] = "S"
    billing: Literal["on_demand", "provisioned"] = "on_demand"
    read_capacity: int | None = Field(None, ge=1, le=40000)
    write_capacity: int | None = Field(None, ge=1, le=40000)
    point_in_time_recovery: bool = True
    encrypted: bool = Field(True, description="a KMS key (AWS-managed, or the stack's kms_key) "
                            "instead of the AWS-owned default")
    kms_key: str | None = Field(None, description="a KMS key of the stack (keys section)")
    deletion_protection: bool = True
    ttl_attribute: str | None = None

    @model_validator(mode="after")
    def _capacity(self) -> "Table":
        provisioned = self.read_capacity is not None or self.write_capacity is not None
        if self.billing == "provisioned" and not (self.read_capacity and self.write_capacity):
            raise ValueError("billing: provisioned needs read_capacity and write_capacity")
        if self.billing == "on_demand" and provisioned:
            raise ValueError("read_capacity and write_capacity apply to billing: provisioned; "
                             "an on-demand table scales by itself")
        if self.kms_key and not self.encrypted:
            raise ValueError("kms_key encrypts the table: drop it or set encrypted: true")
        if self.range_key is not None and self.range_key == self.hash_key:
            raise ValueError("range_key must differ from hash_key")
        return self


_FIELDS = {"read_capacity": "read_capacity", "write_capacity": "write_capacity"}


def _dynamodb_encrypted(args, report_violation) -> None:
    if (args.props.get("serverSideEncryption") or {}).get("enabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' is encrypted only with the AWS-owned key, "
                         f"which you cannot audit or revoke; set encrypted: true (a KMS key)")


def _dynamodb_pitr(args, report_violation) -> None:
    if not is_production(args.urn, args.get_config()):
        return
    if (args.props.get("pointInTimeRecovery") or {}).get("enabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' in a production stack has no "
                         f"point-in-time recovery: a bad write cannot be undone; set "
                         f"point_in_time_recovery: true")


def _dynamodb_deletion(args, report_violation) -> None:
    if is_production(args.urn, args.get_config()) and args.props.get("deletionProtectionEnabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' in a production stack has no deletion "
                         f"protection; set deletion_protection: true")


class TablesKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"read_capacity": ("{n} read capacity units", "{n} RCUs", "{n} RCU", "read capacity of {n}",
                                 "RCU {n}", "RCUs {n}", "RCU to {n}", "RCUs to {n}", "reads to {n}",
                                 "{n} reads", "{n} read capacity", "read capacity {n}", "read capacity to {n}"),
               "write_capacity": ("{n} write capacity units", "{n} WCUs", "{n} WCU", "write capacity of {n}",
                                  "WCU {n}", "WCUs {n}", "WCU to {n}", "WCUs to {n}", "writes to {n}",
                                  "{n} writes", "{n} write capacity", "write capacity {n}", "write capacity to {n}")}
    name = "tables"
    section = "tables"
    model = Table
    resource_type = ResourceType.infrastructure
    noun = "table"
    value_intros = {"hash_key": ("hash key", "partition key", "pk"), "range_key": ("range key", "sort key", "sk")}
    words = ("table", "tables", "dynamodb", "dynamo", "dynamodb table", "nosql table")
    kind_values = ("table",)
    default_name = "table"
    description = "a DynamoDB table (on-demand or provisioned), KMS-encrypted, point-in-time recovery"
    spec_order = 23
    render_order = 23
    references = {"kms_key": "keys"}
    actions = {
        "create": ActionMap({**_FIELDS, "hash_key": "hash_key", "range_key": "range_key"}),
        "update": ActionMap(_FIELDS),
        "scale": ActionMap(_FIELDS, note="provisioned capacity"),
        "backup": ActionMap(note="turns point-in-time recovery on"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="latency, errors (GetItem)"),
    }
    taggable = frozenset({DYNAMODB_TABLE})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    alarm_metrics = tuple(_METRICS)
    metric_units = {"latency": "ms"}  # SuccessfulRequestLatency
    replace_on_change = {DYNAMODB_TABLE: ("name", "hashKey", "rangeKey")}
    provider_modules = ("pulumi_aws.dynamodb.table",)
    priced = True
    cost_coverage = "provisioned capacity priced (us-east-1/2, us-west-2); on-demand and storage usage-based (unpriced)"

    def render(self, ctx, name: str, table: Table) -> None:
        from pulumi_aws import dynamodb

        opts = ctx.component(self.section, name)
        attributes = [{"name": table.hash_key, "type": table.hash_key_type}]
        if table.range_key:
            attributes.append({"name": table.range_key, "type": table.range_key_type})
        resource = dynamodb.Table(
            name,
            billing_mode="PAY_PER_REQUEST" if table.billing == "on_demand" else "PROVISIONED",
            hash_key=table.hash_key,
            range_key=table.range_key,
            attributes=attributes,
            read_capacity=table.read_capacity,
            write_capacity=table.write_capacity,
            point_in_time_recovery={"enabled": table.point_in_time_recovery},
            server_side_encryption={"enabled": table.encrypted,
                                    "kms_key_arn": kms_key_arn(ctx, table.kms_key)},
            deletion_protection_enabled=table.deletion_protection,
            ttl={"attribute_name": table.ttl_attribute, "enabled": True}
            if table.ttl_attribute else None,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, table: Table, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        # Both metrics are reported per operation: the alarm watches reads by key.
        return [Alarm("", "AWS/DynamoDB", _METRICS[metric],
                      {"TableName": ctx.output(self.section, name).name, "Operation": "GetItem"})]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        entry = super().create_entry(name, params, doc, kind_word)
        if "read_capacity" in entry or "write_capacity" in entry:
            entry.insert(0, "billing", "provisioned")
        return entry

    def backup(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.base import EditError
        from agentops.kinds.yamledit import append

        if params:
            raise EditError(f"backup tables.{name}: point-in-time recovery takes no parameters "
                            f"({', '.join(params)})", hint="say only 'back up the table NAME'")
        if entry.get("point_in_time_recovery", True) is True:  # on unless the spec turns it off
            raise EditError(f"backup tables.{name}: point-in-time recovery is already on",
                            hint="DynamoDB keeps 35 days of continuous backups while it is on")
        append(entry, "point_in_time_recovery", True)
        return f"backup tables.{name}: point-in-time recovery on (35 days, continuous)"

    def cost(self, p, name: str, table: Table, spec) -> list:
        if table.billing == "on_demand":
            # us-east-1 list price (2025): $1.25 per million writes, $0.25 per million reads.
            return [self.unpriced(name, "DynamoDB on-demand table",
                                  f"usage-based: $1.25 per million writes, $0.25 per million "
                                  f"reads, ${_STORAGE_GB_MONTH}/GB-month stored")]
        rates = _CAPACITY_HOURLY.get(p.region)
        what = f"DynamoDB provisioned {table.write_capacity} WCU / {table.read_capacity} RCU"
        if rates is None:
            return [self.unpriced(name, what, p.missing("DynamoDB provisioned capacity"))]
        amount = round(p.hours * (table.write_capacity * rates["write"]
                                  + table.read_capacity * rates["read"]), 2)
        return [self.line(name, what, amount,
                          f"({table.write_capacity} x {rates['write']} + {table.read_capacity} x "
                          f"{rates['read']})/h x {p.hours} h; plus ${_STORAGE_GB_MONTH}/GB-month "
                          f"stored")]

    def policies(self) -> list:
        return [
            resource_rule("dynamodb-encrypted", "DynamoDB tables are encrypted with a KMS key "
                          "(AWS-managed or the stack's), not only the AWS-owned default.",
                          MANDATORY, "medium", {DYNAMODB_TABLE}, _dynamodb_encrypted),
            resource_rule("dynamodb-pitr-production", "DynamoDB tables in production stacks "
                          "have point-in-time recovery.", MANDATORY, "high", {DYNAMODB_TABLE},
                          _dynamodb_pitr),
            resource_rule("dynamodb-deletion-protection", "DynamoDB tables in production "
                          "stacks have deletion protection.", ADVISORY, "medium",
                          {DYNAMODB_TABLE}, _dynamodb_deletion),
        ]
