"""Networks: a VPC with public and private subnets spread over availability zones."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from pydantic import Field, field_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind, check_cidr


class Network(EntryModel):
    """A VPC with public and private subnets spread over availability zones."""

    cidr: str = "10.0.0.0/16"
    az_count: int = Field(2, ge=1, le=6)
    nat_gateway: bool = False

    _cidr = field_validator("cidr")(check_cidr)


@dataclass
class NetworkOutputs:
    """What other kinds take from a network: its VPC and subnets."""

    vpc: object
    public: list = field(default_factory=list)
    private: list = field(default_factory=list)


def subnets(ctx, network: str | None, private: bool = True) -> list:
    """The subnets of the network an entry names (none when it names none)."""
    if network is None:
        return []
    out: NetworkOutputs = ctx.output("network", network)
    return out.private if private else out.public


def vpc_id(ctx, network: str | None):
    return ctx.output("network", network).vpc.id if network else None


def _prefix(net: Network) -> int:
    network = ipaddress.ip_network(net.cidr, strict=False)
    needed = (2 * net.az_count - 1).bit_length()
    return min(network.prefixlen + max(needed, 1), 28)


class NetworkKind(Kind):
    name = "network"
    section = "network"
    model = Network
    resource_type = ResourceType.infrastructure
    noun = "network"
    count_nouns = ("zones", "azs", "availability zones", "az")
    words = ("network", "networks", "vpc", "vpcs", "subnet", "subnets")
    kind_values = ("network",)
    grammar_rank = 2
    default_name = "network"
    description = "VPC, public and private subnets per zone, optional NAT gateway"
    spec_order = 0
    render_order = 0
    implied_by = ()
    actions = {
        "create": ActionMap({"cidr": "cidr", "count": "az_count"}),
        "update": ActionMap({"cidr": "cidr", "count": "az_count"}),
        "delete": ActionMap(),
        "monitor": ActionMap(note="no metric of its own: a usage alarm"),
    }
    taggable = frozenset({
        "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/routeTable:RouteTable", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip",
    })
    rules = ("required-tags",)
    replace_on_change = {
        "aws:ec2/vpc:Vpc": ("cidrBlock",),
        "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "vpcId"),
        "aws:ec2/natGateway:NatGateway": ("allocationId", "subnetId"),
    }
    provider_modules = ("pulumi_aws.ec2.vpc", "pulumi_aws.ec2.internet_gateway",
                        "pulumi_aws.ec2.route_table", "pulumi_aws.ec2.subnet",
                        "pulumi_aws.ec2.route_table_association", "pulumi_aws.ec2.eip",
                        "pulumi_aws.ec2.nat_gateway")
    priced = True
    cost_coverage = "priced (NAT gateway, public IPv4; data processed extra)"

    def render(self, ctx, name: str, net: Network) -> None:
        from pulumi_aws import ec2

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        vpc = ec2.Vpc(
            name, cidr_block=net.cidr, enable_dns_hostnames=True, enable_dns_support=True,
            tags={**tags, "Name": name}, opts=opts,
        )
        igw = ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=opts)
        public_rt = ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}], tags=tags, opts=opts,
        )
        # Half of the VPC for public subnets, half for private, one of each per zone.
        blocks = list(ipaddress.ip_network(net.cidr, strict=False).subnets(new_prefix=_prefix(net)))
        public, private = [], []
        for i in range(net.az_count):
            az = f"{ctx.spec.region}{'abcdef'[i]}"
            pub = ec2.Subnet(
                f"{name}-public-{i}", vpc_id=vpc.id, cidr_block=str(blocks[i]),
                availability_zone=az, map_public_ip_on_launch=True,
                tags={**tags, "Name": f"{name}-public-{i}", "kubernetes.io/role/elb": "1"}, opts=opts,
            )
            ec2.RouteTableAssociation(
                f"{name}-public-{i}", subnet_id=pub.id, route_table_id=public_rt.id, opts=opts
            )
            priv = ec2.Subnet(
                f"{name}-private-{i}", vpc_id=vpc.id, cidr_block=str(blocks[net.az_count + i]),
                availability_zone=az,
                tags={**tags, "Name": f"{name}-private-{i}", "kubernetes.io/role/internal-elb": "1"},
                opts=opts,
            )
            public.append(pub)
            private.append(priv)
        if net.nat_gateway:
            eip = ec2.Eip(f"{name}-nat", domain="vpc", tags=tags, opts=opts)
            nat = ec2.NatGateway(
                f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id, tags=tags, opts=opts
            )
            private_rt = ec2.RouteTable(
                f"{name}-private", vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}], tags=tags, opts=opts,
            )
            for i, priv in enumerate(private):
                ec2.RouteTableAssociation(
                    f"{name}-private-{i}", subnet_id=priv.id, route_table_id=private_rt.id, opts=opts
                )
        ctx.publish(self.section, name, NetworkOutputs(vpc, public, private))

    def cost(self, p, name: str, net: Network, spec) -> list:
        if not net.nat_gateway:
            return [self.line(name, "VPC, subnets, internet gateway", 0.0, "no hourly charge")]
        nat = p.hourly(p.prices.nat_gateway_hourly)
        ip = p.hourly(p.prices.public_ipv4_hourly)
        amount = p.add(nat, ip)
        detail = (f"NAT gateway {p.prices.nat_gateway_hourly}/h + public IPv4 "
                  f"{p.prices.public_ipv4_hourly}/h; plus {p.prices.nat_gateway_gb}/GB processed"
                  if amount is not None else p.missing("NAT gateway"))
        return [self.line(name, "NAT gateway + Elastic IP", amount, detail)]
