"""Security groups: a group and its ingress rules (egress open). An update adds a rule; a
delete with a port removes that port's rules."""

from __future__ import annotations

import re

from typing import Literal

from pydantic import Field, field_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EditError, EntryModel, Kind, check_cidr, describe
from agentops.kinds.network import vpc_id



# a port said as one rule's: "port 22", "the 5432 rule", "close 6379", "443/tcp", "mysql 3306"
_PORT_LIST = re.compile(r"\b(?:close|block|revoke|shut|ports?)\s+(?:ports?\s+)?\d{1,5}(?:\s*(?:,|and|&|\+)\s*\d{1,5}\b)+")
_PORT_SAID = re.compile(r"\bports?\s+(\d{1,5})\b|(?<![\w.:/-])(\d{1,5})\s+(?:rule|port)\b"
                        r"|\b(?:close|block|revoke|shut)\s+(?:port\s+)?(\d{1,5})\b|(?<![\w.:/-])(\d{1,5})/(?:tcp|udp)\b")

class Rule(EntryModel):
    port: int = Field(ge=0, le=65535)
    to_port: int | None = Field(None, ge=0, le=65535)
    cidr: str = "0.0.0.0/0"
    protocol: Literal["tcp", "udp", "icmp", "all"] = "tcp"
    description: str | None = None

    _cidr = field_validator("cidr")(check_cidr)


class SecurityGroup(EntryModel):
    """A security group and its ingress rules."""

    network: str | None = None
    rules: list[Rule] = Field(default_factory=list)


_RULE_KEYS = {"port": "rules[].port", "cidr": "rules[].cidr", "protocol": "rules[].protocol"}


def _rule(params: dict):
    from ruamel.yaml.comments import CommentedMap

    rule = CommentedMap()
    rule["port"] = params["port"]
    rule["cidr"] = params.get("cidr", "0.0.0.0/0")
    rule["protocol"] = params.get("protocol", "tcp")
    return rule


class SecurityKind(Kind):
    name = "security"
    section = "security"
    model = SecurityGroup
    resource_type = ResourceType.security
    noun = "firewall"
    # where a rule lets traffic in from, as people say it
    said_values = {"cidr": {w: "0.0.0.0/0" for w in (
        "the world", "the whole world", "anywhere", "the internet", "the public internet", "everyone",
        "everywhere", "all ips", "any ip", "anyone", "public")},
        # a port said by the protocol that listens there ("ssh from 203.0.113.7/32")
        "port": {"ssh": 22, "https": 443, "http": 80, "postgres": 5432, "postgresql": 5432,
                 "mysql": 3306, "redis": 6379, "rdp": 3389, "smtp": 25, "mongodb": 27017}}
    words = ("security", "firewall", "firewalls", "security group", "security groups", "sg",
             "rule", "rules", "port", "ports")
    kind_values = ("firewall",)
    grammar_rank = 4
    default_name = "firewall"
    description = "a security group and its ingress rules"
    spec_order = 7
    render_order = 1
    references = {"network": "network"}
    actions = {
        "create": ActionMap(_RULE_KEYS, note="with a port: the group's first rule"),
        "update": ActionMap(_RULE_KEYS, note="adds a rule"),
        "delete": ActionMap({"port": "rules[].port"}, note="with a port: that port's rules only"),
        "monitor": ActionMap(note="no metric of its own: a usage alarm"),
    }

    def value_from_words(self, key: str, text: str, entry):
        """The port a command names as one rule's ("drop the 5432 rule", "close port 22",
        "the mysql 3306 rule can go", "443/tcp"): for a delete, which takes the rules of that
        port only rather than the whole group. One port said, or None."""
        if key != "port":
            return super().value_from_words(key, text, entry)
        lowered = text.lower()
        said = {int(n) for m in _PORT_SAID.finditer(lowered) for n in m.groups() if n}
        # "close 6379 and 5432": every port of the list
        said |= {int(n) for m in _PORT_LIST.finditer(lowered) for n in re.findall(r"\d{1,5}", m.group(0))}
        said = {n for n in said if 0 < n < 65536}
        return said.pop() if len(said) == 1 else None
    taggable = frozenset({"aws:ec2/securityGroup:SecurityGroup"})
    rules = ("sg-no-public-admin-ports", "required-tags")
    replace_on_change = {"aws:ec2/securityGroup:SecurityGroup": ("name", "description", "vpcId")}
    provider_modules = ("pulumi_aws.ec2.security_group",
                        "pulumi_aws.vpc.security_group_ingress_rule",
                        "pulumi_aws.vpc.security_group_egress_rule")
    priced = True
    cost_coverage = "no charge"

    def render(self, ctx, name: str, group: SecurityGroup) -> None:
        from pulumi_aws import ec2, vpc

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        sg = ec2.SecurityGroup(
            name, description=f"{name} (managed by agentops)", vpc_id=vpc_id(ctx, group.network),
            tags={**tags, "Name": name}, opts=opts,
        )
        for i, rule in enumerate(group.rules):
            protocol = "-1" if rule.protocol == "all" else rule.protocol
            ports = {} if protocol == "-1" else {"from_port": rule.port,
                                                 "to_port": rule.to_port or rule.port}
            vpc.SecurityGroupIngressRule(
                f"{name}-ingress-{i}", security_group_id=sg.id, cidr_ipv4=rule.cidr,
                ip_protocol=protocol, description=rule.description, tags=tags, opts=opts, **ports,
            )
        vpc.SecurityGroupEgressRule(
            f"{name}-egress", security_group_id=sg.id, cidr_ipv4="0.0.0.0/0", ip_protocol="-1",
            tags=tags, opts=opts,
        )
        ctx.publish(self.section, name, sg)

    def cost(self, p, name: str, group: SecurityGroup, spec) -> list:
        return [self.line(name, "security group", 0.0, "no charge")]

    # -- edits

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        entry = CommentedMap()
        rules = CommentedSeq()
        if "port" in params:
            rules.append(_rule(params))
        entry["rules"] = rules
        return entry

    def update(self, group, name: str, params: dict, now) -> str:
        from ruamel.yaml.comments import CommentedSeq

        from agentops.kinds.yamledit import append, append_item

        if "port" not in params:
            raise EditError(f"security.{name}: a rule change needs a port",
                            hint="e.g. 'allow port 443 from 10.0.0.0/8 on web-ingress'")
        rules = group.get("rules")
        if rules is None:
            rules = CommentedSeq()
            append(group, "rules", rules)
        append_item(rules, _rule(params))
        return f"update security.{name}: add rule {describe(params)}"

    def delete(self, doc, name: str, params: dict) -> str | None:
        if "port" not in params:
            return None
        rules = doc[self.section][name].get("rules") or []
        keep = [r for r in rules if r.get("port") != params["port"]]
        if len(keep) == len(rules):
            raise EditError(f"security.{name} has no rule for port {params['port']}")
        for index in reversed(range(len(rules))):
            if rules[index].get("port") == params["port"]:
                del rules[index]
        return f"delete security.{name} rule for port {params['port']}"
