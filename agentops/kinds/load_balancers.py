"""Load balancers: an application load balancer in the public subnets of a network of the stack,
with its security group, one target group and an HTTPS listener (plus a port-80 listener that
only redirects to HTTPS)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, no_metric, resource_rule
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.network import subnets, vpc_id

LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
# TLS 1.3 and 1.2 only (AWS's recommended policy for new listeners).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
_METRICS = {"errors": "HTTPCode_ELB_5XX_Count", "latency": "TargetResponseTime",
            "connections": "ActiveConnectionCount"}

# us-east-1 list price (2025): $0.0225 per ALB-hour, plus $0.008 per LCU-hour of traffic.
_ALB_HOURLY = {"us-east-1": 0.0225, "us-east-2": 0.0225, "us-west-2": 0.0225}
_LCU_HOURLY = 0.008


class LoadBalancer(EntryModel):
    """An application load balancer with one listener and one target group."""

    network: str
    internal: bool = False
    protocol: Literal["HTTPS", "HTTP"] = "HTTPS"
    port: int = Field(443, ge=1, le=65535)
    certificate_arn: str | None = Field(
        None, pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$",
        description="the ACM certificate an HTTPS listener serves")
    target_port: int = Field(80, ge=1, le=65535)
    target_type: Literal["ip", "instance", "lambda"] = "ip"
    health_check_path: str = Field("/", pattern=r"^/")
    redirect_http: bool = Field(True, description="an HTTP listener on port 80 that redirects "
                                "to HTTPS (HTTPS listeners only)")
    allowed_cidrs: list[str] = Field(default_factory=lambda: ["0.0.0.0/0"])

    @model_validator(mode="after")
    def _tls(self) -> "LoadBalancer":
        if self.protocol == "HTTPS" and not self.certificate_arn:
            raise ValueError("an HTTPS listener needs certificate_arn (an ACM certificate)")
        if self.protocol == "HTTP" and self.certificate_arn:
            raise ValueError("certificate_arn applies to protocol: HTTPS")
        if self.protocol == "HTTPS" and self.redirect_http and self.port == 80:
            raise ValueError("port 80 is the redirect listener's: serve HTTPS on another port "
                             "(443) or set redirect_http: false")
        return self


_FIELDS = {"port": "port", "protocol": "protocol", "certificate_arn": "certificate_arn"}


def _redirects_to_https(actions) -> bool:
    return bool(actions) and all(
        a.get("type") == "redirect" and (a.get("redirect") or {}).get("protocol") == "HTTPS"
        for a in actions)


def _https_only(args, report_violation) -> None:
    props = args.props
    if props.get("protocol") in ("HTTPS", "TLS"):
        return
    if _redirects_to_https(props.get("defaultActions") or []):
        return
    report_violation(f"listener '{args.name}' serves plain {props.get('protocol') or 'HTTP'} on "
                     f"port {props.get('port')}; serve HTTPS (protocol: HTTPS, certificate_arn) "
                     f"and let port 80 only redirect")


def _modern_tls(args, report_violation) -> None:
    props = args.props
    policy = props.get("sslPolicy")
    if props.get("protocol") == "HTTPS" and policy and not str(policy).startswith(
            ("ELBSecurityPolicy-TLS13-", "ELBSecurityPolicy-FS-1-2", "ELBSecurityPolicy-TLS-1-2")):
        report_violation(f"HTTPS listener '{args.name}' allows TLS versions older than 1.2 "
                         f"({policy}); use {TLS_POLICY}")


class LoadBalancersKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "load_balancers"
    section = "load_balancers"
    model = LoadBalancer
    resource_type = ResourceType.infrastructure
    noun = "load balancer"
    words = ("load balancer", "load balancers", "loadbalancer", "alb", "albs", "elb",
             "application load balancer", "target group", "listener")
    kind_values = ("load_balancer",)
    default_name = "lb"
    description = "an application load balancer: HTTPS listener, target group, security group"
    spec_order = 27
    render_order = 27
    references = {"network": "network"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "delete": ActionMap(),
        "monitor": ActionMap(note="errors (5xx), latency, connections"),
    }
    taggable = frozenset({LOAD_BALANCER, TARGET_GROUP, LISTENER, SECURITY_GROUP})
    # Library rules that check it too (its own come from policies()).
    rules = ("sg-no-public-admin-ports", "required-tags")
    alarm_metrics = tuple(_METRICS)
    metric_units = {"latency": "s"}  # TargetResponseTime
    replace_on_change = {
        LOAD_BALANCER: ("name", "namePrefix", "internal", "loadBalancerType"),
        TARGET_GROUP: ("name", "namePrefix", "port", "protocol", "vpcId", "targetType"),
    }
    provider_modules = ("pulumi_aws.lb.load_balancer", "pulumi_aws.lb.target_group",
                        "pulumi_aws.lb.listener", "pulumi_aws.ec2.security_group")
    priced = True
    cost_coverage = "hourly charge priced (us-east-1/2, us-west-2); LCUs (traffic) unpriced"

    def check(self, spec, name: str, lb: LoadBalancer) -> None:
        net = spec.section("network")[lb.network]
        if net.az_count < 2:
            raise ValueError(f"load_balancers.{name}: an application load balancer needs subnets "
                             f"in two zones; network {lb.network!r} has az_count {net.az_count}")

    def render(self, ctx, name: str, lb: LoadBalancer) -> None:
        from pulumi_aws import ec2
        from pulumi_aws import lb as elb

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        vpc = vpc_id(ctx, lb.network)
        ports = [lb.port] + ([80] if lb.protocol == "HTTPS" and lb.redirect_http else [])
        group = ec2.SecurityGroup(
            f"{name}-lb", vpc_id=vpc, description=f"load balancer {name}",
            ingress=[{"protocol": "tcp", "from_port": p, "to_port": p, "cidr_blocks": lb.allowed_cidrs}
                     for p in ports],
            egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
            tags=tags, opts=opts,
        )
        balancer = elb.LoadBalancer(
            name, load_balancer_type="application", internal=lb.internal,
            subnets=[s.id for s in subnets(ctx, lb.network, private=lb.internal)],
            security_groups=[group.id], drop_invalid_header_fields=True, tags=tags, opts=opts,
        )
        target = elb.TargetGroup(
            name, port=lb.target_port, protocol="HTTP", target_type=lb.target_type,
            vpc_id=vpc if lb.target_type != "lambda" else None,
            health_check={"path": lb.health_check_path, "matcher": "200-399"}
            if lb.target_type != "lambda" else None,
            tags=tags, opts=opts,
        )
        https = lb.protocol == "HTTPS"
        elb.Listener(
            name, load_balancer_arn=balancer.arn, port=lb.port, protocol=lb.protocol,
            certificate_arn=lb.certificate_arn, ssl_policy=TLS_POLICY if https else None,
            default_actions=[{"type": "forward", "target_group_arn": target.arn}],
            tags=tags, opts=opts,
        )
        if https and lb.redirect_http:
            elb.Listener(
                f"{name}-redirect", load_balancer_arn=balancer.arn, port=80, protocol="HTTP",
                default_actions=[{"type": "redirect", "redirect": {
                    "protocol": "HTTPS", "port": str(lb.port), "status_code": "HTTP_301"}}],
                tags=tags, opts=opts,
            )
        ctx.publish(self.section, name, balancer)

    def alarms(self, ctx, name: str, lb: LoadBalancer, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        return [Alarm("", "AWS/ApplicationELB", _METRICS[metric],
                      {"LoadBalancer": ctx.output(self.section, name).arn_suffix})]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from agentops.kinds.base import EditError

        entry = super().create_entry(name, params, doc, kind_word)
        networks = list(doc.get("network") or {})
        if len(networks) != 1:
            raise EditError(f"create load_balancers.{name}: which network? "
                            f"(networks: {', '.join(networks) or 'none'})",
                            hint="create a network first" if not networks else "name the network")
        entry.insert(0, "network", networks[0])
        if entry.get("protocol", "HTTPS") == "HTTPS" and "certificate_arn" not in entry:
            # No certificate can be guessed: say which is missing rather than invent one.
            raise EditError(f"create load_balancers.{name}: an HTTPS listener needs an ACM "
                            f"certificate (certificate_arn)",
                            hint="name it: certificate_arn=arn:aws:acm:REGION:ACCOUNT:certificate/ID")
        return entry

    def cost(self, p, name: str, lb: LoadBalancer, spec) -> list:
        rate = _ALB_HOURLY.get(p.region)
        if rate is None:
            return [self.unpriced(name, "application load balancer", p.missing("ALB"))]
        return [self.line(name, "application load balancer", round(rate * p.hours, 2),
                          f"{rate}/h x {p.hours} h; plus ${_LCU_HOURLY} per LCU-hour of traffic")]

    def policies(self) -> list:
        return [
            resource_rule("alb-https-only", "Load balancer listeners serve HTTPS; plain HTTP "
                          "only redirects to HTTPS.", MANDATORY, "high", {LISTENER}, _https_only),
            resource_rule("alb-modern-tls", "HTTPS listeners accept TLS 1.2 or newer only.",
                          MANDATORY, "medium", {LISTENER}, _modern_tls),
        ]
