"""Secrets: a Secrets Manager secret whose value comes only from Pulumi config secrets.

The spec names the config key (`pulumi config set --secret KEY`), never the value: a value in a
spec would sit in git, in plans and in pull requests. A `value` field is refused with what to
do instead. Rotation, when set, is done by a function of the stack.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import ADVISORY, kms_key_arn, linked, no_metric, stack_rule
from agentops.kinds.base import ActionMap, EntryModel, Kind

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
# Secrets Manager list prices (2025, us-east-1 and most regions): $0.40 per secret per month,
# $0.05 per 10,000 API calls.
_SECRET_MONTH = 0.40
_VALUE_FIELDS = ("value", "secret_string", "secret", "password", "secret_value", "string")


class Secret(EntryModel):
    """A Secrets Manager secret; its value is a Pulumi config secret named by config_key."""

    config_key: str | None = Field(
        None, pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,127}$",
        description="the Pulumi config key holding the value (pulumi config set --secret); "
                    "none: the value is set outside agentops")
    description: str = ""
    kms_key: str | None = Field(None, description="a KMS key of the stack (keys section)")
    rotation_days: int | None = Field(None, ge=1, le=1000)
    rotation_function: str | None = Field(None, description="a function of the stack that "
                                          "rotates the value")
    recovery_days: int = Field(30, ge=7, le=30, description="days a deleted secret can be restored")

    @model_validator(mode="before")
    @classmethod
    def _no_value_in_the_spec(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = [k for k in _VALUE_FIELDS if k in data]
            if found:
                # Name the field only: the value itself must not reach an error message either.
                raise ValueError(
                    f"a secret's value never goes in a spec ({found[0]} given): store it with "
                    f"`pulumi config set --secret KEY` and set config_key: KEY")
        return data

    @model_validator(mode="after")
    def _rotation(self) -> "Secret":
        if (self.rotation_days is None) != (self.rotation_function is None):
            raise ValueError("rotation needs both rotation_days and rotation_function "
                             "(a function of the stack that rotates the value)")
        return self


def _rotation_advisory(args, report_violation) -> None:
    rotations = [r for r in args.resources if r.resource_type == SECRET_ROTATION]
    for secret in (r for r in args.resources if r.resource_type == SECRET):
        if not any(linked(r, secret.urn) for r in rotations):
            report_violation(f"Secrets Manager secret '{secret.name}' is never rotated: a leaked "
                             f"value stays valid; set rotation_days and rotation_function",
                             secret.urn)


class SecretsKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"rotation_days": ("rotate it every {n} days", "rotation every {n} days",
                                 "a {n} day rotation")}
    name = "secrets"
    section = "secrets"
    model = Secret
    resource_type = ResourceType.security
    noun = "secret"
    value_intros = {"config_key": ("config key", "pulumi config key", "pulumi config", "config value",
                                   "config entry", "from config", "read from", "reads from")}
    words = ("secret", "secrets", "secrets manager", "secretsmanager", "credential",
             "credentials", "api key")
    kind_values = ("secret",)
    default_name = "secret"
    description = "a Secrets Manager secret (value only from Pulumi config secrets), optional rotation"
    spec_order = 26
    render_order = 26  # after functions: rotation invokes one
    references = {"kms_key": "keys", "rotation_function": "functions"}
    actions = {
        "create": ActionMap({"config_key": "config_key"}),
        "update": ActionMap({"config_key": "config_key", "rotation_days": "rotation_days"}),
        "delete": ActionMap(note="recoverable for recovery_days"),
    }
    taggable = frozenset({SECRET})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    replace_on_change = {SECRET: ("name", "namePrefix")}
    provider_modules = ("pulumi_aws.secretsmanager.secret",
                        "pulumi_aws.secretsmanager.secret_version",
                        "pulumi_aws.secretsmanager.secret_rotation",
                        "pulumi_aws.lambda_.permission")
    priced = True
    cost_coverage = "priced ($0.40/secret-month); API calls noted"

    def config_secrets(self, secret: Secret) -> tuple[str, ...]:
        return (secret.config_key,) if secret.config_key else ()

    def render(self, ctx, name: str, secret: Secret) -> None:
        import pulumi
        from pulumi_aws import lambda_, secretsmanager

        opts = ctx.component(self.section, name)
        resource = secretsmanager.Secret(
            name,
            description=secret.description or f"{name} ({ctx.stack}), managed by agentops",
            kms_key_id=kms_key_arn(ctx, secret.kms_key),
            recovery_window_in_days=secret.recovery_days,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        if secret.config_key:
            config = ctx.config or pulumi.Config()
            # require_secret: the value is a Pulumi secret end to end (encrypted in state,
            # redacted in previews and in agentops' plans).
            secretsmanager.SecretVersion(name, secret_id=resource.id,
                                         secret_string=config.require_secret(secret.config_key),
                                         opts=opts)
        if secret.rotation_function:
            function = ctx.output("functions", secret.rotation_function)
            permission = lambda_.Permission(
                f"{name}-rotation", action="lambda:InvokeFunction", function=function.name,
                principal="secretsmanager.amazonaws.com", source_arn=resource.arn, opts=opts)
            secretsmanager.SecretRotation(
                name, secret_id=resource.id, rotation_lambda_arn=function.arn,
                rotation_rules={"automatically_after_days": secret.rotation_days},
                opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                    depends_on=[permission])))
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, secret: Secret, metric: str) -> list:
        raise no_metric(self.section, name, metric, {})

    def create_entry(self, name: str, params: dict, doc, kind_word):
        for key in _VALUE_FIELDS:
            if key in params:
                from agentops.kinds.base import EditError

                raise EditError(f"create secrets.{name}: a secret's value never goes through a "
                                f"command or a spec",
                                hint="store it with `pulumi config set --secret KEY`, then "
                                     "create the secret with config_key=KEY")
        return super().create_entry(name, params, doc, kind_word)

    def cost(self, p, name: str, secret: Secret, spec) -> list:
        return [self.line(name, "Secrets Manager secret", _SECRET_MONTH,
                          f"${_SECRET_MONTH} per secret-month; $0.05 per 10,000 API calls")]

    def policies(self) -> list:
        return [stack_rule("secrets-rotation", "Secrets Manager secrets are rotated "
                           "automatically.", ADVISORY, "low", _rotation_advisory)]
