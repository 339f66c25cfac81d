"""The team's own CrossGuard rules, added to agentops' in __main__.py.

Write them with pulumi_policy's public API, as for any CrossGuard pack; agentops runs them on
the offline plan's resource graph exactly as `pulumi preview --policy-pack policies` does in CI.
A rule sees resource inputs as the engine does (camelCase) and its config: the schema
defaults, then the settings under `policy: {<name>: {...}}` in .agentops.yaml.

A rule whose schema declares productionStacks gets .agentops.yaml's production_stacks there,
in the offline checks and in CI's --policy-pack-config alike (as every agentops rule does).
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

RDS_INSTANCE = "aws:rds/instance:Instance"


def _schema(**properties: dict) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={
        "productionStacks": {"type": "array", "items": {"type": "string"}, "default": ["prod"]},
        **properties,
    })


def _rds_engines(args: ResourceValidationArgs, report_violation) -> None:
    if args.resource_type != RDS_INSTANCE:
        return
    allowed = args.get_config().get("allowedEngines") or []
    engine = args.props.get("engine")
    if engine not in allowed:
        report_violation(f"database '{args.name}' uses engine {engine!r}; this team runs "
                         f"{', '.join(allowed)} (allowedEngines)")


def policies() -> list:
    """The team's rules (an example to adapt: RDS engines from an allowlist)."""
    return [
        ResourceValidationPolicy(
            name="team-rds-engines",
            description="Databases use an engine the team supports (allowedEngines).",
            validate=_rds_engines,
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
            config_schema=_schema(allowedEngines={
                "type": "array", "items": {"type": "string"}, "default": ["postgres", "mysql"]}),
        ),
    ]
