"""Roles: an IAM role an AWS service assumes, with managed policies attached by ARN. Its rule,
iam-no-admin-policies, also checks every role and policy other kinds (functions) and other
programs make: no AdministratorAccess, no statement allowing every action on every resource."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field, field_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, no_metric, policy_document, resource_rule
from agentops.kinds.base import ActionMap, EntryModel, Kind
from agentops.kinds.functions import POLICY_ARN
from agentops.kinds.iam_util import assume_role

IAM_ROLE = "aws:iam/role:Role"
IAM_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_POLICY = "aws:iam/policy:Policy"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ADMIN_POLICIES = ("arn:aws:iam::aws:policy/AdministratorAccess",)
_SERVICE = r"^[a-z0-9-]+(\.[a-z0-9-]+)*$"


class Role(EntryModel):
    """An IAM role for an AWS service, with managed policies."""

    service: str = Field(pattern=_SERVICE, description="who assumes it: lambda, ecs-tasks, ec2, "
                         "or a full principal such as states.amazonaws.com")
    policies: list[str] = Field(default_factory=list, description="managed policy ARNs")
    max_session_hours: int = Field(1, ge=1, le=12)
    description: str = ""

    @field_validator("policies")
    @classmethod
    def _policy_arns(cls, value: list[str]) -> list[str]:
        for arn in value:
            if not re.match(POLICY_ARN, arn):
                raise ValueError(f"{arn!r} is not a managed policy ARN "
                                 f"(arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)")
        if len(value) > 20:
            raise ValueError("IAM allows at most 20 managed policies on a role")
        return value


def principal(service: str) -> str:
    return service if service.endswith(".amazonaws.com") else f"{service}.amazonaws.com"


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _allows_everything(document: dict) -> bool:
    """Whether an IAM policy document allows `*` (or `*:*`) on `*`."""
    for statement in _as_list(document.get("Statement") or []):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action") or [])
        resources = _as_list(statement.get("Resource") or [])
        if any(a in ("*", "*:*") for a in actions) and "*" in resources:
            return True
    return False


def _no_admin(args, report_violation) -> None:
    props = args.props
    arns: list = []
    documents: list = []
    if args.resource_type == IAM_ATTACHMENT:
        arns = [props.get("policyArn")]
    elif args.resource_type == IAM_ROLE:
        arns = list(props.get("managedPolicyArns") or [])
        documents = [p.get("policy") for p in props.get("inlinePolicies") or []
                     if isinstance(p, Mapping)]
    else:
        documents = [props.get("policy")]
    for arn in arns:
        if arn in ADMIN_POLICIES:
            report_violation(f"'{args.name}' grants AdministratorAccess: every action on every "
                             f"resource; attach the narrowest managed policies the service needs")
    for doc in documents:
        if _allows_everything(policy_document(doc)):
            report_violation(f"'{args.name}' has a policy allowing '*' actions on '*' resources; "
                             f"list the actions and resources the service needs")


# AWS managed policies kept under the service-role/ path (arn:aws:iam::aws:policy/service-role/...)
SERVICE_ROLE_POLICIES = frozenset({
    "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSGlueServiceRole",
    "AmazonECSTaskExecutionRolePolicy", "AmazonEC2ContainerServiceforEC2Role", "AWSCodeDeployRole",
    "AWSBatchServiceRole", "AmazonEC2RoleforSSM"})


class RolesKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    # services that assume roles: in "a role for glue jobs" they are what the role serves
    value_words = ("lambda", "glue", "ecs", "ec2", "eks", "states", "events", "sagemaker",
                   "codebuild", "codepipeline", "firehose", "batch", "emr", "athena", "redshift",
                   "kinesis", "sns", "sqs", "cloudformation", "apigateway", "scheduler", "eventbridge",
                   "fargate", "stepfunctions")
    # who assumes the role, as people say it
    said_values = {"service": {
        "lambda": "lambda", "lambdas": "lambda", "ecs": "ecs-tasks", "ecs task": "ecs-tasks",
        "ecs tasks": "ecs-tasks", "fargate": "ecs-tasks", "ec2": "ec2", "glue": "glue",
        "sagemaker": "sagemaker", "codebuild": "codebuild", "codepipeline": "codepipeline",
        "step function": "states", "step functions": "states", "stepfunctions": "states",
        "scheduler": "scheduler", "eventbridge scheduler": "scheduler", "eventbridge": "events", "firehose": "firehose",
        "emr": "elasticmapreduce", "redshift": "redshift", "apigateway": "apigateway",
        "api gateway": "apigateway", "cloudformation": "cloudformation", "athena": "athena",
    }}
    name = "roles"
    section = "roles"
    model = Role
    resource_type = ResourceType.security
    noun = "iam role"
    words = ("iam role", "iam roles", "role", "roles", "iam", "service role", "execution role")
    kind_values = ("iam_role",)
    default_name = "role"
    description = "an IAM role for an AWS service, with managed policy ARNs"
    spec_order = 11
    render_order = 11
    actions = {
        "create": ActionMap({"service": "service", "policies": "policies"}),
        "update": ActionMap({"policies": "policies"}),
        "delete": ActionMap(),
    }
    taggable = frozenset({IAM_ROLE})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    replace_on_change = {IAM_ROLE: ("name", "namePrefix", "path"),
                         IAM_ATTACHMENT: ("role", "policyArn")}
    provider_modules = ("pulumi_aws.iam.role", "pulumi_aws.iam.role_policy_attachment")
    priced = True
    cost_coverage = "no charge (IAM)"

    def value_from_words(self, key: str, text: str, entry):
        """The managed policies a command writes: ARNs as written, and AWS managed policies
        by name ("AWSLambdaBasicExecutionRole", "service-role/AWSGlueServiceRole"), as their
        ARNs (under service-role/ where AWS keeps them there)."""
        if key != "policies":
            return super().value_from_words(key, text, entry)
        arns = re.findall(r"(?<![\w:/-])(arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy/[\w+=,.@/-]*[\w+=@-])", text)
        rest = re.sub(r"arn:aws\S+", " ", text)
        for path, name in re.findall(r"(?<![\w/-])((?:service-role/)?)((?:AWS|Amazon)[A-Z][A-Za-z0-9]{4,}(?:_v\d)?)(?![\w/-])", rest):
            path = path or ("service-role/" if name in SERVICE_ROLE_POLICIES else "")
            arns.append(f"arn:aws:iam::aws:policy/{path}{name}")
        arns = list(dict.fromkeys(arns))
        # one ARN as itself; several as a list (a comma-joined text would be read as one ARN)
        return None if not arns else arns[0] if len(arns) == 1 else arns

    def render(self, ctx, name: str, role: Role) -> None:
        from pulumi_aws import iam

        opts = ctx.component(self.section, name)
        resource = iam.Role(
            name,
            assume_role_policy=assume_role(principal(role.service)),
            description=role.description or None,
            max_session_duration=role.max_session_hours * 3600,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        for i, arn in enumerate(role.policies):
            iam.RolePolicyAttachment(f"{name}-policy-{i}", role=resource.name, policy_arn=arn,
                                     opts=opts)
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, role: Role, metric: str) -> list:
        raise no_metric(self.section, name, metric, {})

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from agentops.kinds.base import EditError

        if "service" not in params:
            raise EditError(f"create roles.{name}: which service assumes it?",
                            hint="e.g. service=lambda, ecs-tasks, ec2 or states.amazonaws.com")
        if isinstance(params.get("policies"), str):
            params["policies"] = [params["policies"]]
        return super().create_entry(name, params, doc, kind_word)

    def update(self, entry, name: str, params: dict, now) -> str:
        if isinstance(params.get("policies"), str):
            params = {**params, "policies": [params["policies"]]}
        return super().update(entry, name, params, now)

    def cost(self, p, name: str, role: Role, spec) -> list:
        return [self.line(name, "IAM role", 0.0, "IAM roles and policies carry no charge")]

    def policies(self) -> list:
        return [resource_rule(
            "iam-no-admin-policies", "IAM roles and policies grant neither AdministratorAccess "
            "nor '*' actions on '*' resources.", MANDATORY, "critical",
            {IAM_ROLE, IAM_ATTACHMENT, IAM_POLICY, IAM_ROLE_POLICY}, _no_admin)]
