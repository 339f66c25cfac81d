"""Alerts: a CloudWatch metric alarm on one resource of the stack (several when the target
kind needs one per member, as an instance group does). The metrics come from the target's
kind (Kind.alarms)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind

Metric = Literal["cpu", "memory", "disk", "network", "connections", "errors", "latency"]
_COMPARISON = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}


class Alert(EntryModel):
    """A CloudWatch metric alarm on one resource of the stack."""

    target: str
    metric: Metric = "cpu"
    threshold: float
    comparison: Literal[">", ">=", "<", "<="] = ">"
    period_seconds: int = Field(300, ge=10, le=86400)
    evaluation_periods: int = Field(2, ge=1, le=100)


class AlertsKind(Kind):
    name = "alerts"
    section = "alerts"
    model = Alert
    resource_type = ResourceType.monitoring
    noun = "alarm"
    words = ("alert", "alerts", "alarm", "alarms", "cloudwatch", "monitor", "monitoring")
    kind_values = ("alarm",)
    grammar_rank = 5
    default_name = "alert"
    description = "a CloudWatch metric alarm on one resource of the stack"
    spec_order = 6
    # Last: an alert watches what the other kinds rendered.
    render_order = 1000
    references = {"target": "*"}
    actions = {
        "monitor": ActionMap({"metric": "metric", "threshold": "threshold"},
                             note="name= the watched resource (or the alert, with target)"),
        "create": ActionMap({"metric": "metric", "threshold": "threshold"}),
        "update": ActionMap({"metric": "metric", "threshold": "threshold"}),
        "delete": ActionMap(),
    }
    taggable = frozenset({"aws:cloudwatch/metricAlarm:MetricAlarm"})
    rules = ("required-tags",)
    provider_modules = ("pulumi_aws.cloudwatch.metric_alarm",)
    priced = True
    cost_coverage = "priced (one alarm per watched instance)"

    def check(self, spec, name: str, alert: Alert) -> None:
        section, _ = spec.find(alert.target)
        if not spec.kinds()[section].supports("monitor"):
            raise ValueError(f"alerts.{name}.target: {alert.target!r} is in {section}, which has "
                             f"no metric agentops can watch")

    def render(self, ctx, name: str, alert: Alert) -> None:
        from pulumi_aws import cloudwatch

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        section, target = ctx.find(alert.target)
        for alarm in ctx.registry[section].alarms(ctx, alert.target, target, alert.metric):
            cloudwatch.MetricAlarm(
                f"{name}{alarm.suffix}",
                namespace=alarm.namespace, metric_name=alarm.metric, dimensions=alarm.dimensions,
                statistic="Average", threshold=alert.threshold,
                comparison_operator=_COMPARISON[alert.comparison],
                period=alert.period_seconds, evaluation_periods=alert.evaluation_periods,
                alarm_description=f"{alert.metric} {alert.comparison} {alert.threshold} on {alert.target}",
                tags=tags, opts=opts,
            )

    def cost(self, p, name: str, alert: Alert, spec) -> list:
        # An alert on an instance group is one alarm per instance (Kind.alarm_count).
        target = spec.find(alert.target)
        alarms = spec.kinds()[target[0]].alarm_count(target[1]) if target else 1
        rate = p.prices.cloudwatch_alarm_month
        return [self.line(name, f"CloudWatch alarm x{alarms}",
                          None if rate is None else round(alarms * rate, 2),
                          f"{alarms} x {rate}" if rate is not None else p.missing("alarms"))]
