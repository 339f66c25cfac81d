"""Keys: a customer-managed KMS key with yearly rotation and an alias (alias/<name>). Written
in specs by hand for now (interpreted = False)."""

from __future__ import annotations

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


class Key(EntryModel):
    """A customer-managed KMS key."""

    description: str | None = None
    rotation: bool = True
    deletion_window_days: int = Field(30, ge=7, le=30)


def _rotation(args, report_violation) -> None:
    if args.props.get("enableKeyRotation") is not True:
        report_violation(f"KMS key '{args.name}' is never rotated; set rotation: true")


class KeysKind(Kind):
    name = "keys"
    section = "keys"
    model = Key
    resource_type = ResourceType.security
    noun = "key"
    words = ("kms",)
    kind_values = ("key",)
    interpreted = False
    grammar_rank = 14
    default_name = "key"
    description = "a customer-managed KMS key with rotation and an alias"
    spec_order = 12
    render_order = 1  # with the other security kinds: before what might use it
    actions = {"create": ActionMap(), "delete": ActionMap()}
    taggable = frozenset({KEY})
    rules = ("kms-key-rotation", "required-tags")
    replace_on_change = {ALIAS: ("name",)}
    provider_modules = ("pulumi_aws.kms.key", "pulumi_aws.kms.alias")
    priced = True
    cost_coverage = "priced (per key-month; each of the first two rotations adds a key-month)"

    def render(self, ctx, name: str, key: Key) -> None:
        from pulumi_aws import kms

        opts = ctx.component(self.section, name)
        created = kms.Key(
            name, description=key.description or f"{name} (managed by agentops)",
            enable_key_rotation=key.rotation, deletion_window_in_days=key.deletion_window_days,
            tags=ctx.tags(self.section, name), opts=opts,
        )
        kms.Alias(name, name=f"alias/{name}", target_key_id=created.key_id, opts=opts)
        ctx.publish(self.section, name, created)

    def cost(self, p, name: str, key: Key, spec) -> list:
        rate = p.prices.kms_key_month
        detail = (f"1 key x {rate}/month; plus requests" + ("; rotations add up to 2 more "
                  "key-months" if key.rotation else "")) if rate is not None else p.missing("KMS")
        return [self.line(name, "KMS customer-managed key", rate, detail)]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [resource_policy("kms-key-rotation", "KMS keys rotate their key material.",
                                EnforcementLevel.MANDATORY, Severity.MEDIUM, {KEY}, _rotation)]
