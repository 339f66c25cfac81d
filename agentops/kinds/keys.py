"""Keys: a symmetric KMS key with yearly (or faster) automatic rotation and an alias. Queues,
topics, tables, caches, registries and secrets of the stack name one in `kms_key`."""

from __future__ import annotations

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, no_metric, resource_rule
from agentops.kinds.base import ActionMap, EntryModel, Kind

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
# KMS list prices (2025, every commercial region): $1 per customer managed key per month; each
# of the first two rotations adds $1/month for the kept key material; $0.03 per 10,000 requests.
_KEY_MONTH = 1.0


class Key(EntryModel):
    """A symmetric encryption KMS key."""

    description: str = ""
    rotation: bool = True
    rotation_days: int = Field(365, ge=90, le=2560)
    deletion_window_days: int = Field(30, ge=7, le=30)
    alias: str | None = Field(None, pattern=r"^[A-Za-z0-9/_-]{1,200}$",
                              description="alias/<alias>; <stack>-<name> when unset")


_FIELDS = {"rotation_days": "rotation_days"}


def _rotation(args, report_violation) -> None:
    props = args.props
    # Only symmetric encryption keys rotate automatically; other specs are out of scope.
    if props.get("customerMasterKeySpec", props.get("keySpec")) not in (None, "SYMMETRIC_DEFAULT"):
        return
    if props.get("enableKeyRotation") is not True:
        report_violation(f"KMS key '{args.name}' never rotates its key material; set "
                         f"rotation: true")


class KeysKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"rotation_days": ("rotate it every {n} days", "key rotation every {n} days")}
    name = "keys"
    section = "keys"
    model = Key
    resource_type = ResourceType.security
    noun = "kms key"
    words = ("kms key", "kms keys", "kms", "encryption key", "encryption keys", "cmk",
             "customer managed key")
    kind_values = ("kms_key",)
    default_name = "key"
    description = "a symmetric KMS key with automatic rotation and an alias"
    spec_order = 10
    render_order = 10  # before the kinds that encrypt with it
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "delete": ActionMap(note="schedules deletion after deletion_window_days"),
    }
    taggable = frozenset({KMS_KEY})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    replace_on_change = {KMS_KEY: ("keyUsage", "customerMasterKeySpec", "multiRegion"),
                         KMS_ALIAS: ("name",)}
    provider_modules = ("pulumi_aws.kms.key", "pulumi_aws.kms.alias")
    priced = True
    cost_coverage = "priced ($1/key-month); rotated material and requests noted"

    def render(self, ctx, name: str, key: Key) -> None:
        from pulumi_aws import kms

        opts = ctx.component(self.section, name)
        resource = kms.Key(
            name,
            description=key.description or f"{name} ({ctx.stack}), managed by agentops",
            enable_key_rotation=key.rotation,
            rotation_period_in_days=key.rotation_days if key.rotation else None,
            deletion_window_in_days=key.deletion_window_days,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        kms.Alias(name, name=f"alias/{key.alias or f'{ctx.stack}-{name}'}",
                  target_key_id=resource.key_id, opts=opts)
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, key: Key, metric: str) -> list:
        raise no_metric(self.section, name, metric, {})

    def cost(self, p, name: str, key: Key, spec) -> list:
        rotations = " + $1/month for each of the first two rotations" if key.rotation else ""
        return [self.line(name, "KMS customer managed key", _KEY_MONTH,
                          f"$1 per key-month{rotations}; $0.03 per 10,000 requests")]

    def policies(self) -> list:
        return [resource_rule("kms-key-rotation", "Symmetric KMS keys rotate their key "
                              "material automatically.", MANDATORY, "medium", {KMS_KEY}, _rotation)]
