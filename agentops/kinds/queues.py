"""Queues: an SQS queue, encrypted at rest (SSE-SQS) unless a spec says otherwise, with an
optional dead-letter queue after N failed receives. Written in specs by hand for now: the
interpreter has not learnt queues (interpreted = False), so a command for one is refused by
name rather than guessed."""

from __future__ import annotations

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

QUEUE = "aws:sqs/queue:Queue"
_METRICS = {"latency": "ApproximateAgeOfOldestMessage",
            "errors": "ApproximateNumberOfMessagesNotVisible"}


class Queue(EntryModel):
    """An SQS queue."""

    fifo: bool = False
    visibility_timeout_seconds: int = Field(30, ge=0, le=43200)
    retention_seconds: int = Field(345600, ge=60, le=1209600)
    encrypted: bool = True
    dead_letter_after: int | None = Field(
        None, ge=1, le=1000, description="receives before a message moves to <name>-dlq")


def _encrypted(args, report_violation) -> None:
    props = args.props
    if props.get("sqsManagedSseEnabled") is not True and not props.get("kmsMasterKeyId"):
        report_violation(f"SQS queue '{args.name}' is not encrypted at rest; set encrypted: true")


def _dead_letter(args, report_violation) -> None:
    from agentops.policy_rules import is_production

    if args.name.endswith("-dlq") or not is_production(args.urn, args.get_config()):
        return
    # Presence only (iterating the keys reads no value): the policy's text holds the
    # dead-letter queue's ARN, known only after apply.
    if "redrivePolicy" not in set(iter(args.props)):
        report_violation(f"SQS queue '{args.name}' in a production stack has no dead-letter "
                         f"queue: a message that keeps failing is retried until it expires; "
                         f"set dead_letter_after")


class QueuesKind(Kind):
    name = "queues"
    section = "queues"
    model = Queue
    resource_type = ResourceType.infrastructure
    noun = "queue"
    words = ("queue", "queues", "sqs")
    kind_values = ("queue",)
    interpreted = False
    grammar_rank = 10
    default_name = "queue"
    description = "an SQS queue, encrypted at rest, optional dead-letter queue"
    spec_order = 8
    render_order = 10
    actions = {
        "create": ActionMap(),
        "delete": ActionMap(),
        "monitor": ActionMap(note="age of the oldest message (latency), messages in flight "
                                  "(errors), queue depth otherwise"),
    }
    taggable = frozenset({QUEUE})
    rules = ("sqs-encrypted", "sqs-dead-letter-production", "required-tags")
    alarm_metrics = ("latency", "errors")
    replace_on_change = {QUEUE: ("name", "fifoQueue")}
    provider_modules = ("pulumi_aws.sqs.queue",)
    priced = False
    cost_coverage = "unpriced: usage-based (requests)"

    def render(self, ctx, name: str, queue: Queue) -> None:
        import pulumi
        from pulumi_aws import sqs

        opts = ctx.component(self.section, name)
        tags = ctx.tags(self.section, name)
        suffix = ".fifo" if queue.fifo else ""
        common = dict(fifo_queue=queue.fifo or None, sqs_managed_sse_enabled=queue.encrypted,
                      message_retention_seconds=queue.retention_seconds, tags=tags, opts=opts)
        redrive = None
        if queue.dead_letter_after:
            dlq = sqs.Queue(f"{name}-dlq", name=f"{name}-dlq{suffix}" if suffix else None,
                            **{**common, "message_retention_seconds": 1209600})
            redrive = pulumi.Output.json_dumps({"deadLetterTargetArn": dlq.arn,
                                                "maxReceiveCount": queue.dead_letter_after})
        main = sqs.Queue(name, name=f"{name}{suffix}" if suffix else None,
                         visibility_timeout_seconds=queue.visibility_timeout_seconds,
                         redrive_policy=redrive, **common)
        ctx.publish(self.section, name, main)

    def alarms(self, ctx, name: str, queue: Queue, metric: str) -> list[Alarm]:
        return [Alarm("", "AWS/SQS", _METRICS.get(metric, "ApproximateNumberOfMessagesVisible"),
                      {"QueueName": ctx.output(self.section, name).name})]

    def cost(self, p, name: str, queue: Queue, spec) -> list:
        return [self.unpriced(name, "SQS queue" + (" (FIFO)" if queue.fifo else ""),
                              "usage-based: per million requests after the free tier")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [
            resource_policy("sqs-encrypted", "SQS queues are encrypted at rest.",
                            EnforcementLevel.MANDATORY, Severity.HIGH, {QUEUE}, _encrypted),
            resource_policy("sqs-dead-letter-production",
                            "SQS queues in production stacks have a dead-letter queue.",
                            EnforcementLevel.ADVISORY, Severity.LOW, {QUEUE}, _dead_letter),
        ]
