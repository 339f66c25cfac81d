"""A team's own kind: CloudFront distributions in front of one of the stack's S3 buckets.

agentops loads this file because the repository's .agentops.yaml says `kinds: {path: kinds}`;
it is discovered, validated, rendered, planned, priced and policy-checked like a built-in kind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds import ActionMap, Alarm, EntryModel, Kind

# On-demand data transfer out to the internet, North America and Europe, first 10 TB.
PRICE_PER_GB = 0.085


class Distribution(EntryModel):
    """A CloudFront distribution serving one S3 bucket of the stack."""

    origin: str = Field(description="the storage bucket it serves")
    viewer_protocol: Literal["https-only", "redirect-to-https", "allow-all"] = "redirect-to-https"
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_100"
    default_ttl: int = Field(3600, ge=0, le=31536000)
    expected_gb_month: int = Field(0, ge=0, description="data out per month, for the estimate")


def _https_only(args, report_violation) -> None:
    behaviour = args.props.get("defaultCacheBehavior") or {}
    if behaviour.get("viewerProtocolPolicy") == "allow-all":
        report_violation(f"CloudFront distribution '{args.name}' serves plain HTTP; set "
                         f"viewer_protocol: redirect-to-https or https-only")


class CloudFrontKind(Kind):
    name = "cdn"
    section = "distributions"
    model = Distribution
    resource_type = ResourceType.infrastructure
    noun = "distribution"
    words = ("distribution", "distributions", "cloudfront", "cdn")
    kind_values = ("distribution",)
    default_name = "cdn"
    description = "a CloudFront distribution in front of an S3 bucket"
    spec_order = 50
    render_order = 50  # after storage (its origin), before alerts
    references = {"origin": "storage"}
    actions = {
        "create": ActionMap({"protocol": "viewer_protocol"}),
        "update": ActionMap({"protocol": "viewer_protocol"}),
        "delete": ActionMap(),
        "monitor": ActionMap(note="5xx error rate"),
    }
    taggable = frozenset({"aws:cloudfront/distribution:Distribution"})
    rules = ("required-tags",)
    alarm_metrics = ("errors",)
    replace_on_change = {}
    provider_modules = ("pulumi_aws.cloudfront.distribution",)
    priced = True
    cost_coverage = "priced (data out per month); requests extra"

    def check(self, spec, name, entry) -> None:
        origin = spec.section("storage")[entry.origin]
        if origin.kind != "bucket":
            raise ValueError(f"distributions.{name}.origin: {entry.origin!r} is a volume; "
                             f"a distribution serves a bucket")

    def render(self, ctx, name, dist) -> None:
        from pulumi_aws import cloudfront

        opts = ctx.component(self.section, name)
        bucket = ctx.output("storage", dist.origin)
        distribution = cloudfront.Distribution(
            name,
            enabled=True,
            origins=[{"domain_name": bucket.bucket_regional_domain_name,
                      "origin_id": dist.origin}],
            default_cache_behavior={
                "target_origin_id": dist.origin,
                "viewer_protocol_policy": dist.viewer_protocol,
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "default_ttl": dist.default_ttl,
                "forwarded_values": {"query_string": False, "cookies": {"forward": "none"}},
            },
            price_class=dist.price_class,
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate={"cloudfront_default_certificate": True},
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        ctx.publish(self.section, name, distribution)

    def alarms(self, ctx, name, dist, metric) -> list[Alarm]:
        return [Alarm("", "AWS/CloudFront", "5xxErrorRate",
                      {"DistributionId": ctx.output(self.section, name).id, "Region": "Global"})]

    def cost(self, prices, name, dist, spec):
        amount = round(dist.expected_gb_month * PRICE_PER_GB, 2)
        return [self.line(name, f"CloudFront {dist.price_class}", amount,
                          f"{dist.expected_gb_month} GB out x {PRICE_PER_GB}; plus requests")]

    def policies(self):
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [resource_policy(
            "cloudfront-no-plain-http", "CloudFront distributions do not serve plain HTTP.",
            EnforcementLevel.MANDATORY, Severity.HIGH,
            {"aws:cloudfront/distribution:Distribution"}, _https_only)]
