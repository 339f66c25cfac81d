"""Load-balancer services: a Kubernetes Service of type LoadBalancer in front of one deployment
of the stack, which the AWS Load Balancer Controller turns into a Network Load Balancer
(internet-facing, or internal), optionally limited to source CIDR ranges.

Unlike the other Kubernetes kinds it costs money of its own: the NLB is billed by the hour
(priced here from the us-east-1 list price) plus NLCU usage (named in the line, unpriced).
The k8s-lb-no-public-admin-ports rule keeps SSH, RDP and database ports off an NLB open to
the internet, as sg-no-public-admin-ports does for security groups."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from agentops.kinds.base import ActionMap, EditError, EntryModel, check_cidr
from agentops.kinds.k8s_common import KubernetesKind, resource_policy, target_deployment

SERVICE_TYPE = "kubernetes:core/v1:Service"
# The AWS Load Balancer Controller's annotations (an NLB with IP targets).
LB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
LB_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
LB_TARGETS = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
# Network Load Balancer, per hour, on-demand list price (AWS Elastic Load Balancing pricing,
# 2025): us-east-1 $0.0225/h; NLCU usage ($0.006 per NLCU-hour) comes on top and is not priced.
NLB_HOURLY = {"us-east-1": 0.0225}


class LoadBalancerService(EntryModel):
    """A Service of type LoadBalancer (an NLB) in front of one deployment."""

    cluster: str = Field(description="the clusters entry it is made on (the target's)")
    target: str = Field(description="the deployments entry whose pods it serves")
    port: int = Field(80, ge=1, le=65535, description="the port the load balancer listens on")
    target_port: int | None = Field(None, ge=1, le=65535,
                                    description="the pods' port; the deployment's when unset")
    protocol: Literal["TCP", "UDP"] = "TCP"
    internal: bool = Field(False, description="reachable from the VPC only")
    source_ranges: list[str] = Field(default_factory=list,
                                     description="CIDRs allowed in (all when empty)")

    _cidrs = field_validator("source_ranges")(lambda v: [check_cidr(c) for c in v])


_FIELDS = {"target": "target", "port": "port", "cidr": "source_ranges", "internal": "internal"}


class LoadBalancerServicesKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "lb_services"
    section = "lb_services"
    model = LoadBalancerService
    noun = "loadbalancer service"
    # Not "load balancer" alone: an ALB or a classic ELB is another kind, which agentops
    # refuses by name rather than read as this one.
    words = ("lb service", "lb services", "loadbalancer service", "loadbalancer services",
             "nlb service", "nlb")
    kind_values = ("lb_service",)
    default_name = "lb"
    target_suffix = "nlb"
    description = "a Kubernetes Service of type LoadBalancer (an NLB) in front of a deployment"
    spec_order = 25
    render_order = 7
    references = {"cluster": "clusters", "target": "deployments"}
    actions = {
        "create": ActionMap(_FIELDS, note="cidr= limits the sources to one range"),
        "update": ActionMap(_FIELDS, note="cidr= adds a source range"),
        "delete": ActionMap(),
    }
    rules = ("k8s-lb-no-public-admin-ports",)
    replace_on_change = {SERVICE_TYPE: ("metadata.name", "metadata.namespace", "spec.clusterIP")}
    provider_modules = ("pulumi_kubernetes.core.v1.Service", "pulumi_kubernetes.meta.v1._inputs")
    priced = True
    cost_coverage = "priced (NLB hours); NLCU usage extra (unpriced)"

    def value_from_words(self, key: str, text: str, entry):
        """Whether it is internal, said in words: "should be internal (only)", "VPC only",
        "private" -> true; "public", "internet-facing", "no longer internal" -> false."""
        if key != "internal":
            return super().value_from_words(key, text, entry)
        lowered = text.lower()
        # "set internal to false", "internal: true": said as the value itself
        said = re.findall(r"\binternal\s*(?:to|=|:|->)\s*(true|false|yes|no)\b", lowered)
        if len(set(said)) == 1:
            return said[0] in ("true", "yes")
        if re.search(r"\b(?:reachable|reached|accessible)\s+from\s+(?:outside|the\s+internet|anywhere)", lowered):
            return False
        inward = re.search(r"\b(?:internal|private|vpc[\s-]+only|internal[\s-]+only)\b", lowered)
        # (a no up to three words before it: "doesn't need to be internal anymore")
        taken_back = r"(?:\bnot|\bno\s+longer|n't|\bnever)\s+(?:\w+\s+){0,3}?internal\b"
        outward = re.search(rf"\b(?:public|internet[\s-]+facing|external)\b|{taken_back}", lowered)
        if bool(inward) == bool(outward) and not re.search(taken_back, lowered):
            return None  # neither, or both said
        return not outward

    def check(self, spec, name: str, entry: LoadBalancerService) -> None:
        super().check(spec, name, entry)
        dep = target_deployment(spec, self.section, name, entry)
        if dep is not None and not (entry.target_port or dep.port):
            raise ValueError(f"lb_services.{name}: deployment {entry.target!r} has no port; "
                             f"set target_port (the port its pods listen on)")

    def render(self, ctx, name: str, entry: LoadBalancerService) -> None:
        from pulumi_kubernetes.core.v1 import Service

        dep = ctx.spec.deployments[entry.target]
        meta = self.metadata(name, dep.namespace)
        meta["annotations"] = {LB_TYPE: "external", LB_TARGETS: "ip",
                               LB_SCHEME: "internal" if entry.internal else "internet-facing"}
        spec = {"type": "LoadBalancer", "selector": {"app": entry.target},
                "ports": [{"port": entry.port, "target_port": entry.target_port or dep.port,
                           "protocol": entry.protocol}]}
        if entry.source_ranges:
            spec["load_balancer_source_ranges"] = list(entry.source_ranges)
        service = Service(name, metadata=meta, spec=spec,
                          opts=self.options(ctx, name, entry, dep.namespace))
        ctx.publish(self.section, name, service)

    def cost(self, p, name: str, entry: LoadBalancerService, spec) -> list:
        rate = NLB_HOURLY.get(p.region)
        if rate is None:
            return [self.unpriced(name, "Network Load Balancer", p.missing("NLB"))]
        return [self.line(name, "Network Load Balancer", round(rate * p.hours, 2),
                          f"{rate}/h x {p.hours} h; NLCU usage (0.006/NLCU-h) extra, unpriced")]

    # -- edits

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from ruamel.yaml.comments import CommentedSeq

        deployments = doc.get("deployments") or {}
        target = params.get("target")
        if target is None or target not in deployments:
            raise EditError(
                f"create lb_services.{name}: " + (f"no deployment named {target!r}" if target
                                                   else "which deployment does it serve?")
                + f" (deployments: {', '.join(deployments) or 'none'})",
                hint="name the deployment with target=")
        params.setdefault("cluster", deployments[target]["cluster"])
        entry = super().create_entry(name, params, doc, kind_word)
        if "source_ranges" in entry:
            entry["source_ranges"] = CommentedSeq([entry["source_ranges"]])
        return entry

    def update(self, entry, name: str, params: dict, now) -> str:
        from ruamel.yaml.comments import CommentedSeq

        from agentops.kinds.base import describe
        from agentops.kinds.yamledit import append, append_item

        mapped = self.mapped("update", name, params)
        if not mapped:
            raise EditError(f"update lb_services.{name}: the action sets no parameter",
                            hint=f"parameters for lb_services: {', '.join(sorted(_FIELDS))}")
        for key, value in mapped.items():
            if key == "source_ranges":
                if not isinstance(entry.get("source_ranges"), CommentedSeq):
                    append(entry, "source_ranges", CommentedSeq())
                if value not in entry["source_ranges"]:
                    append_item(entry["source_ranges"], value)
            else:
                append(entry, key, value)
        return f"update lb_services.{name}: " + describe(params)

    # -- rules

    def policies(self) -> list:
        from agentops.policy_rules import DEFAULT_ADMIN_PORTS

        return [resource_policy(
            "k8s-lb-no-public-admin-ports", "LoadBalancer Services open to the internet do not "
            "expose SSH, RDP or database ports (adminPorts).", "mandatory", "critical",
            {SERVICE_TYPE}, _no_public_admin_ports,
            adminPorts={"type": "array", "items": {"type": "integer"},
                        "default": DEFAULT_ADMIN_PORTS})]


def _no_public_admin_ports(args, report_violation) -> None:
    from agentops.policy_rules import DEFAULT_ADMIN_PORTS, OPEN_CIDRS, setting

    spec = args.props.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return
    annotations = (args.props.get("metadata") or {}).get("annotations") or {}
    if annotations.get(LB_SCHEME) == "internal" \
            or str(annotations.get("service.beta.kubernetes.io/aws-load-balancer-internal")).lower() == "true":
        return
    ranges = list(spec.get("loadBalancerSourceRanges") or [])
    if ranges and not OPEN_CIDRS.intersection(ranges):
        return
    admin = set(setting(args.get_config(), "adminPorts", DEFAULT_ADMIN_PORTS))
    exposed = sorted({int(p.get("port")) for p in spec.get("ports") or []
                      if p.get("port") is not None and int(p.get("port")) in admin})
    if exposed:
        report_violation(f"load balancer service '{args.name}' exposes admin/database port(s) "
                         f"{', '.join(map(str, exposed))} to the internet; set internal: true "
                         f"or source_ranges to a VPN or office range")
