"""Tables: a DynamoDB table (on-demand or provisioned), encrypted with the AWS-managed KMS key,
point-in-time recovery and deletion protection on unless a spec says otherwise. Written in
specs by hand for now (interpreted = False)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

TABLE = "aws:dynamodb/table:Table"
_METRICS = {"errors": "SystemErrors", "latency": "SuccessfulRequestLatency"}


class Table(EntryModel):
    """A DynamoDB table."""

    hash_key: str = "id"
    hash_key_type: Literal["S", "N", "B"] = "S"
    range_key: str | None = None
    range_key_type: Literal["S", "N", "B"] = "S"
    billing: Literal["on-demand", "provisioned"] = "on-demand"
    read_capacity: int | None = Field(None, ge=1, le=40000, description="provisioned only")
    write_capacity: int | None = Field(None, ge=1, le=40000, description="provisioned only")
    point_in_time_recovery: bool = True
    encrypted: bool = True
    deletion_protection: bool = True

    @model_validator(mode="after")
    def _capacity(self) -> "Table":
        given = self.read_capacity is not None or self.write_capacity is not None
        if self.billing == "provisioned" and (self.read_capacity is None or self.write_capacity is None):
            raise ValueError("a provisioned table needs read_capacity and write_capacity")
        if self.billing == "on-demand" and given:
            raise ValueError("read_capacity and write_capacity apply to provisioned tables only")
        if self.range_key == self.hash_key:
            raise ValueError("range_key must differ from hash_key")
        return self


def _pitr(args, report_violation) -> None:
    from agentops.policy_rules import is_production

    if not is_production(args.urn, args.get_config()):
        return
    if (args.props.get("pointInTimeRecovery") or {}).get("enabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' in a production stack has no "
                         f"point-in-time recovery; set point_in_time_recovery: true")


def _kms(args, report_violation) -> None:
    if (args.props.get("serverSideEncryption") or {}).get("enabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' is encrypted with an AWS-owned key only "
                         f"(no KMS key you can audit); set encrypted: true")


def _deletion_protection(args, report_violation) -> None:
    from agentops.policy_rules import is_production

    if is_production(args.urn, args.get_config()) and args.props.get("deletionProtectionEnabled") is not True:
        report_violation(f"DynamoDB table '{args.name}' in a production stack has no deletion "
                         f"protection; set deletion_protection: true")


class TablesKind(Kind):
    name = "tables"
    section = "tables"
    model = Table
    resource_type = ResourceType.database
    noun = "table"
    words = ("dynamodb", "dynamo", "tables")
    kind_values = ("table",)
    interpreted = False
    grammar_rank = 13
    default_name = "table"
    description = "a DynamoDB table: KMS-encrypted, point-in-time recovery, deletion protection"
    spec_order = 11
    render_order = 13
    actions = {
        "create": ActionMap(),
        "delete": ActionMap(),
        "monitor": ActionMap(note="system errors (errors), GetItem latency (latency), "
                                  "throttled requests otherwise"),
    }
    taggable = frozenset({TABLE})
    rules = ("dynamodb-pitr-production", "dynamodb-kms-encryption",
             "dynamodb-deletion-protection-production", "required-tags")
    alarm_metrics = ("errors", "latency")
    replace_on_change = {TABLE: ("name", "hashKey", "rangeKey")}
    provider_modules = ("pulumi_aws.dynamodb.table",)
    priced = False
    cost_coverage = "unpriced: usage-based (requests or provisioned capacity, GB stored)"

    def render(self, ctx, name: str, table: Table) -> None:
        from pulumi_aws import dynamodb

        attributes = [{"name": table.hash_key, "type": table.hash_key_type}]
        if table.range_key:
            attributes.append({"name": table.range_key, "type": table.range_key_type})
        provisioned = table.billing == "provisioned"
        created = dynamodb.Table(
            name,
            billing_mode="PROVISIONED" if provisioned else "PAY_PER_REQUEST",
            hash_key=table.hash_key, range_key=table.range_key, attributes=attributes,
            read_capacity=table.read_capacity if provisioned else None,
            write_capacity=table.write_capacity if provisioned else None,
            point_in_time_recovery={"enabled": table.point_in_time_recovery},
            server_side_encryption={"enabled": table.encrypted},
            deletion_protection_enabled=table.deletion_protection,
            tags=ctx.tags(self.section, name), opts=ctx.component(self.section, name),
        )
        ctx.publish(self.section, name, created)

    def alarms(self, ctx, name: str, table: Table, metric: str) -> list[Alarm]:
        dimensions = {"TableName": ctx.output(self.section, name).name}
        if metric == "latency":
            dimensions["Operation"] = "GetItem"
        return [Alarm("", "AWS/DynamoDB", _METRICS.get(metric, "ThrottledRequests"), dimensions)]

    def cost(self, p, name: str, table: Table, spec) -> list:
        what = (f"DynamoDB provisioned {table.read_capacity} RCU / {table.write_capacity} WCU"
                if table.billing == "provisioned" else "DynamoDB on-demand")
        return [self.unpriced(name, what, "usage-based: requests (or capacity hours) and GB "
                                          "stored; not in the price table")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [
            resource_policy("dynamodb-pitr-production", "DynamoDB tables in production stacks "
                            "have point-in-time recovery.", EnforcementLevel.MANDATORY,
                            Severity.HIGH, {TABLE}, _pitr),
            resource_policy("dynamodb-kms-encryption", "DynamoDB tables are encrypted with a "
                            "KMS key.", EnforcementLevel.ADVISORY, Severity.LOW, {TABLE}, _kms),
            resource_policy("dynamodb-deletion-protection-production", "DynamoDB tables in "
                            "production stacks have deletion protection.",
                            EnforcementLevel.MANDATORY, Severity.HIGH, {TABLE},
                            _deletion_protection),
        ]
