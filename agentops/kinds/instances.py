"""Instances: a group of identical EC2 instances."""

from __future__ import annotations

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.network import subnets

# Resolved by EC2 at launch: no lookup (invoke) needed at plan time, and always current.
DEFAULT_AMI = "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
_EC2_METRICS = {"cpu": "CPUUtilization", "network": "NetworkIn", "disk": "EBSWriteOps",
                "errors": "StatusCheckFailed"}


class Instances(EntryModel):
    """A group of identical EC2 instances."""

    count: int = Field(1, ge=0, le=1000)
    instance_type: str = "t3.micro"
    ami: str | None = Field(None, description="AMI id; the latest Amazon Linux 2023 when unset")
    network: str | None = None
    security: list[str] = Field(default_factory=list, description="security group names")
    volume_gb: int = Field(8, ge=1, le=16384)


_FIELDS = {"count": "count", "instance_type": "instance_type", "storage_gb": "volume_gb",
           "image": "ami"}


class InstancesKind(Kind):
    name = "instances"
    section = "instances"
    model = Instances
    resource_type = ResourceType.infrastructure
    noun = "instance"
    count_nouns = ("boxes", "instances", "servers", "vms", "hosts", "machines")
    words = ("instance", "instances", "ec2", "vm", "vms", "server", "servers", "box", "boxes")
    kind_values = ("instance",)
    grammar_rank = 0
    default_name = "instance"
    description = "a group of identical EC2 instances"
    spec_order = 1
    render_order = 3
    implied_by = ("count", "instance_type")
    references = {"network": "network", "security": "security"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "scale": ActionMap({"count": "count", "replicas": "count"}),
        "delete": ActionMap(),
        "monitor": ActionMap(note="one alarm per instance"),
    }
    taggable = frozenset({"aws:ec2/instance:Instance"})
    rules = ("instance-type-allowlist", "max-instances", "ebs-encrypted", "ec2-imdsv2",
             "required-tags")
    alarm_metrics = tuple(_EC2_METRICS)
    replace_on_change = {
        "aws:ec2/instance:Instance": ("ami", "subnetId", "availabilityZone", "keyName",
                                      "rootBlockDevice.encrypted"),
    }
    provider_modules = ("pulumi_aws.ec2.instance",)
    priced = True
    cost_coverage = "priced (compute and root volumes)"

    def render(self, ctx, name: str, group: Instances) -> None:
        from pulumi_aws import ec2

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        nets = subnets(ctx, group.network)
        sg_ids = [ctx.output("security", sg).id for sg in group.security]
        created = []
        for i in range(group.count):
            created.append(
                ec2.Instance(
                    f"{name}-{i}",
                    ami=group.ami or DEFAULT_AMI,
                    instance_type=group.instance_type,
                    subnet_id=nets[i % len(nets)].id if nets else None,
                    vpc_security_group_ids=sg_ids or None,
                    root_block_device={"volume_size": group.volume_gb, "encrypted": True},
                    metadata_options={"http_tokens": "required"},
                    tags={**tags, "Name": f"{name}-{i}"},
                    opts=opts,
                )
            )
        ctx.publish(self.section, name, created)

    def alarm_count(self, group: Instances) -> int:
        return group.count

    def alarms(self, ctx, name: str, group: Instances, metric: str) -> list[Alarm]:
        metric_name = _EC2_METRICS.get(metric, "CPUUtilization")
        instances = ctx.output(self.section, name)
        return [Alarm(f"-{i}" if len(instances) > 1 else "", "AWS/EC2", metric_name,
                      {"InstanceId": inst.id}) for i, inst in enumerate(instances)]

    def scale(self, entry, name: str, params: dict, now) -> str:
        from agentops.kinds.yamledit import append

        size = params.get("replicas", params.get("count"))
        if size is None:
            return super().scale(entry, name, params, now)
        append(entry, "count", size)
        return f"scale instances.{name} to {size} instances"

    def cost(self, p, name: str, group: Instances, spec) -> list:
        rate = p.prices.ec2_hourly.get(group.instance_type)
        gp3 = p.prices.ebs_gb_month.get("gp3")
        compute = None if rate is None else group.count * rate * p.hours
        disks = None if gp3 is None else group.count * group.volume_gb * gp3
        amount = p.add(compute, disks)
        detail = (f"{group.count} x {rate}/h x {p.hours} h + {group.count} x {group.volume_gb} GB gp3"
                  if amount is not None else p.missing(f"EC2 {group.instance_type}"))
        return [self.line(name, f"EC2 {group.instance_type} x{group.count}", amount, detail)]
