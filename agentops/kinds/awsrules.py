"""What the AWS service kinds (queues, topics, functions, tables, caches, load balancers, DNS
records, registries, secrets, keys, roles) share: building their CrossGuard rules the way
agentops.policy_rules builds its own, refusing alarm metrics a kind has not got, and reading a
stack's KMS key.

The rule helpers of agentops.policy_rules are private names of another module: they are read
here only, so a change there is fixed in one place.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from agentops.errors import SpecError

MANDATORY = "mandatory"
ADVISORY = "advisory"


def resource_rule(name: str, description: str, enforcement: str, severity: str, types: set[str],
                  check: Callable[[Any, Callable], None], **config: dict):
    """A ResourceValidationPolicy like the library's (agentops.policy_rules.resource_policy):
    `check(args, report_violation)` runs on resources of `types`."""
    from agentops.policy_rules import resource_policy

    return resource_policy(name, description, enforcement, severity, types, check, **config)


def stack_rule(name: str, description: str, enforcement: str, severity: str,
               check: Callable[[Any, Callable], None], **config: dict):
    """A StackValidationPolicy (a rule that looks at several resources, e.g. a secret and its
    rotation)."""
    from pulumi_policy import EnforcementLevel, Severity, StackValidationPolicy

    from agentops.policy_rules import _schema

    return StackValidationPolicy(name=name, description=description, validate=check,
                                 enforcement_level=EnforcementLevel(enforcement),
                                 severity=Severity(severity), config_schema=_schema(**config))


def is_production(urn: str, config: Any) -> bool:
    from agentops.policy_rules import is_production as production

    return production(urn, config)


def setting(config: Any, key: str, default: Any) -> Any:
    from agentops.policy_rules import setting as read

    return read(config, key, default)


def linked(resource: Any, target_urn: str) -> bool:
    """Whether `resource` depends on the resource `target_urn` (an input refers to it)."""
    from agentops.policy_rules import _linked

    return _linked(resource, target_urn)


def is_set(props: Any, key: str) -> bool:
    """Whether a resource input is set: a value known only after apply (the ARN of a key the
    same stack creates) is set. Reading it directly would make the rule report that it cannot
    run during preview."""
    from pulumi_policy.proxy import UnknownValueError

    try:
        return bool(props.get(key))
    except UnknownValueError:
        return True


def policy_document(value: Any) -> dict:
    """An IAM policy document input (a JSON string or already a mapping) as a dict; {} when it
    is not readable (unknown until apply)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def no_metric(section: str, name: str, metric: str, metrics: Mapping[str, Any]) -> SpecError:
    """An alert asks a kind for a metric it does not have: refused by name, never mapped onto
    another metric."""
    have = ", ".join(metrics) or "none"
    return SpecError(f"an alert on {section}.{name} watches {metric!r}, which {section} have not "
                     f"got (metrics: {have})",
                     hint=f"set the alert's metric to one of: {have}")


def kms_key_arn(ctx, key: str | None):
    """The ARN of the stack's KMS key named `key` (the keys kind publishes it), or None."""
    if key is None:
        return None
    return ctx.output("keys", key).arn
