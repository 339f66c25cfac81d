"""DNS records: a Route 53 record in an existing hosted zone, with literal values or as an alias
of a load balancer of the stack."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import no_metric
from agentops.kinds.base import ActionMap, EntryModel, Kind

ROUTE53_RECORD = "aws:route53/record:Record"
_HOSTNAME = r"^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$"
# a host name or IPv4 address written in a command (not a path, an image or an e-mail address)
_WRITTEN_HOST = re.compile(r"(?<![\w.@/:-])((?:[a-z0-9_-]+\.)+[a-z]{2,63}|(?:\d{1,3}\.){3}\d{1,3})(?![\w.@/:-])")


class Record(EntryModel):
    """A Route 53 record: `values`, or `target` (an alias of a load balancer of the stack)."""

    zone_id: str = Field(pattern=r"^Z[A-Z0-9]{1,31}$", description="the hosted zone's id")
    record: str = Field(pattern=_HOSTNAME, description="the full name, e.g. api.example.com")
    type: Literal["A", "AAAA", "CNAME", "TXT", "MX", "CAA"] = "A"
    ttl: int = Field(300, ge=0, le=604800)
    values: list[str] = Field(default_factory=list)
    target: str | None = Field(None, description="a load balancer of the stack (alias record)")

    @model_validator(mode="after")
    def _values_or_alias(self) -> "Record":
        if bool(self.values) == bool(self.target):
            raise ValueError("a record has either values or target (a load balancer), exactly one")
        if self.target and self.type not in ("A", "AAAA"):
            raise ValueError(f"an alias (target) is an A or AAAA record, not {self.type}")
        if self.type == "CNAME" and len(self.values) != 1:
            raise ValueError("a CNAME record has exactly one value")
        return self


class DnsRecordsKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"ttl": ("a ttl of {n} {unit}", "ttl {n}", "cache it for {n} {unit}")}
    name = "dns_records"
    section = "dns_records"
    model = Record
    resource_type = ResourceType.infrastructure
    noun = "dns record"
    value_intros = {"zone_id": ("zone", "zone id", "hosted zone", "hosted zone id")}
    words = ("dns record", "dns records", "dns", "route53", "route 53", "record", "records",
             "cname", "domain name")
    kind_values = ("dns_record",)
    default_name = "dns"
    description = "a Route 53 record in an existing hosted zone (values, or an alias of a load balancer)"
    spec_order = 28
    render_order = 28  # after load balancers: an alias reads theirs
    references = {"target": "load_balancers"}
    actions = {
        "create": ActionMap({"ttl": "ttl", "values": "values", "zone_id": "zone_id",
                             "record": "record", "type": "type"}),
        "update": ActionMap({"ttl": "ttl", "values": "values"}),
        "delete": ActionMap(),
    }
    # Route 53 records take no tags.
    taggable = frozenset()
    rules = ()
    replace_on_change = {ROUTE53_RECORD: ("name", "type", "zoneId", "setIdentifier")}
    provider_modules = ("pulumi_aws.route53.record",)
    priced = True
    cost_coverage = "no charge per record (the hosted zone is billed where it is defined); queries usage-based"

    def value_from_words(self, key: str, text: str, entry):
        """A record's name and value written in the command: "help.example.com ->
        example.zendesk.com", "point status.example.com at example.instatus.com" (the value is
        the host or address after the arrow or "to"/"at", a few words between: "at the new
        cloudfront distribution d2m4.cloudfront.net"; the record name, on a create, the other
        host written). One of each, or nothing."""
        if key == "type":
            # "an A record for esports.example.com", "a new CNAME", "type TXT": on a create
            types = {(m.group(1) or m.group(2)).upper() for m in re.finditer(
                r"(?<![\w.-])(A|AAAA|CNAME|TXT|MX|CAA)\s+records?\b|\btype\s*[=:]?\s*(a|aaaa|cname|txt|mx|caa)\b",
                text if entry is None else "", re.I)
                if m.group(2) or m.group(1) != "a"}  # ("a record for ...": the article)
            # one item of a list, in capitals: "lab-sftp.example.com, A, 203.0.113.45"
            types |= set(re.findall(r"(?:^|[,:;(]\s*)(A|AAAA|CNAME|TXT|MX|CAA)\s*(?=[,;)]|$)",
                                    text if entry is None else ""))
            return types.pop() if len(types) == 1 else None
        if key not in ("record", "values"):
            return None
        lowered = text.lower()
        hosts = [(m.start(), m.group(1)) for m in _WRITTEN_HOST.finditer(lowered)]
        pointed = {h for start, h in hosts
                   if re.search(r"(?:->|=>|\bto|\bat|\bpointing|\bpoints?)(?:\s+(?!both\b|and\b)[a-z]+){0,4}\s*$", lowered[:start])}
        if entry is not None:
            pointed.discard(entry.record)
        if key == "values":
            if not pointed:
                # an address written on its own ("..., A, 203.0.113.45"): the value of an A record
                pointed = set(re.findall(r"(?<![\w.:/-])((?:\d{1,3}\.){3}\d{1,3})(?![\w./:-])", lowered))
            return self.plan_keys()["values"].convert(pointed.pop()) if len(pointed) == 1 else None
        # (a record's name is a host name, never an address)
        named = {h for _, h in hosts if not re.fullmatch(r"[\d.]+", h)} - pointed
        return named.pop() if entry is None and len(named) == 1 and len(pointed) <= 1 else None

    def render(self, ctx, name: str, rec: Record) -> None:
        from pulumi_aws import route53

        opts = ctx.component(self.section, name)
        if rec.target:
            balancer = ctx.output("load_balancers", rec.target)
            record = route53.Record(
                name, zone_id=rec.zone_id, name=rec.record, type=rec.type,
                aliases=[{"name": balancer.dns_name, "zone_id": balancer.zone_id,
                          "evaluate_target_health": True}],
                opts=opts,
            )
        else:
            record = route53.Record(name, zone_id=rec.zone_id, name=rec.record, type=rec.type,
                                    ttl=rec.ttl, records=rec.values, opts=opts)
        ctx.publish(self.section, name, record)

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from agentops.kinds.base import EditError

        missing = [k for k in ("zone_id", "record") if k not in params]
        if missing:
            raise EditError(f"create dns_records.{name}: needs {' and '.join(missing)}",
                            hint="e.g. zone_id=Z0123456789ABC record=api.example.com "
                                 "values=[203.0.113.10]")
        if isinstance(params.get("values"), str):
            params["values"] = [params["values"]]
        return super().create_entry(name, params, doc, kind_word)

    def update(self, entry, name: str, params: dict, now) -> str:
        if isinstance(params.get("values"), str):
            params = {**params, "values": [params["values"]]}
        return super().update(entry, name, params, now)

    def alarms(self, ctx, name: str, entry, metric: str) -> list:
        # No CloudWatch metric of its own: an alert on it is refused, never a stand-in alarm.
        raise no_metric(self.section, name, metric, {})

    def cost(self, p, name: str, rec: Record, spec) -> list:
        # Route 53 (2025): records carry no charge; the hosted zone is $0.50/month (not this
        # entry's: it exists already), standard queries $0.40 per million, alias queries to
        # AWS resources free.
        usage = "alias queries free" if rec.target else "queries $0.40 per million"
        return [self.line(name, f"Route 53 {rec.type} record", 0.0,
                          f"no charge per record; {usage}")]
