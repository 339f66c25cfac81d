"""Queues: an SQS queue, encrypted at rest, with an optional dead-letter queue of the stack."""

from __future__ import annotations

import json

from pydantic import Field, model_validator

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, is_set, kms_key_arn, no_metric, resource_rule
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

SQS_QUEUE = "aws:sqs/queue:Queue"
_METRICS = {"latency": "ApproximateAgeOfOldestMessage"}


class Queue(EntryModel):
    """An SQS queue."""

    fifo: bool = False
    retention_seconds: int = Field(345600, ge=60, le=1209600)
    visibility_timeout_seconds: int = Field(30, ge=0, le=43200)
    encrypted: bool = Field(True, description="SSE-SQS, or the stack's KMS key in kms_key")
    kms_key: str | None = Field(None, description="a KMS key of the stack (keys section)")
    dead_letter: str | None = Field(None, description="a queue of the stack for failed messages")
    max_receive_count: int = Field(5, ge=1, le=1000)

    @model_validator(mode="after")
    def _key_needs_encryption(self) -> "Queue":
        if self.kms_key and not self.encrypted:
            raise ValueError("kms_key encrypts the queue: drop it or set encrypted: true")
        return self


_FIELDS = {"retention_seconds": "retention_seconds",
           "visibility_timeout_seconds": "visibility_timeout_seconds"}


def _sqs_encrypted(args, report_violation) -> None:
    props = args.props
    if props.get("sqsManagedSseEnabled") is not True and not is_set(props, "kmsMasterKeyId"):
        report_violation(f"SQS queue '{args.name}' is not encrypted at rest; set encrypted: true "
                         f"(SSE-SQS) or name a KMS key (kms_key)")


class QueuesKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    phrases = {"retention_seconds": ("keep messages for {n} {unit}", "retain messages {n} {unit}",
                                     "{n} {unit} of retention", "message retention {n} {unit}",
                                     "messages stick {n} {unit}", "hold messages for {n} {unit}"),
               "visibility_timeout_seconds": ("visibility timeout of {n} {unit}",
                                              "hide messages for {n} {unit} while processing")}
    name = "queues"
    section = "queues"
    model = Queue
    resource_type = ResourceType.infrastructure
    noun = "queue"
    words = ("queue", "queues", "sqs", "sqs queue", "message queue", "dead letter queue", "dlq")
    kind_values = ("queue",)
    default_name = "queue"
    description = "an SQS queue (encrypted at rest), optional dead-letter queue"
    spec_order = 20
    render_order = 20
    references = {"kms_key": "keys", "dead_letter": "queues"}
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "delete": ActionMap(),
        "monitor": ActionMap(note="latency: age of the oldest message"),
    }
    taggable = frozenset({SQS_QUEUE})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    alarm_metrics = tuple(_METRICS)
    metric_units = {"latency": "s"}  # ApproximateAgeOfOldestMessage
    replace_on_change = {SQS_QUEUE: ("name", "namePrefix", "fifoQueue")}
    provider_modules = ("pulumi_aws.sqs.queue",)
    priced = False
    cost_coverage = "usage-based (per million requests): unpriced"

    def check(self, spec, name: str, queue: Queue) -> None:
        if queue.dead_letter == name:
            raise ValueError(f"queues.{name}.dead_letter: a queue cannot be its own dead-letter queue")
        dlq = spec.section("queues").get(queue.dead_letter) if queue.dead_letter else None
        if dlq is not None and dlq.dead_letter:
            raise ValueError(f"queues.{name}.dead_letter: {queue.dead_letter!r} has a dead-letter "
                             f"queue of its own; a dead-letter queue ends the chain")
        if dlq is not None and dlq.fifo != queue.fifo:
            raise ValueError(f"queues.{name}.dead_letter: {queue.dead_letter!r} must be "
                             f"{'a FIFO' if queue.fifo else 'a standard'} queue like {name!r}")

    def render(self, ctx, name: str, queue: Queue) -> None:
        from pulumi_aws import sqs

        # A dead-letter queue is rendered before the queues that use it, whatever the order of
        # the section: once, when first needed (check() keeps the chain one long).
        if name in ctx.outputs.get(self.section, {}):
            return
        if queue.dead_letter:
            self.render(ctx, queue.dead_letter, ctx.spec.section(self.section)[queue.dead_letter])
        opts = ctx.component(self.section, name)
        redrive = None
        if queue.dead_letter:
            dlq = ctx.output(self.section, queue.dead_letter)
            redrive = dlq.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": queue.max_receive_count}))
        key = kms_key_arn(ctx, queue.kms_key)
        resource = sqs.Queue(
            name,
            # A FIFO queue's name must end in .fifo; a standard queue keeps Pulumi's auto-name.
            name=f"{ctx.stack}-{name}.fifo" if queue.fifo else None,
            fifo_queue=queue.fifo or None,
            message_retention_seconds=queue.retention_seconds,
            visibility_timeout_seconds=queue.visibility_timeout_seconds,
            sqs_managed_sse_enabled=queue.encrypted if key is None else None,
            kms_master_key_id=key,
            redrive_policy=redrive,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, queue: Queue, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        return [Alarm("", "AWS/SQS", _METRICS[metric],
                      {"QueueName": ctx.output(self.section, name).name})]

    def cost(self, p, name: str, queue: Queue, spec) -> list:
        # us-east-1 list price (2025): $0.40 per million standard requests, $0.50 FIFO, the
        # first million a month free: usage the spec does not say.
        rate = "0.50" if queue.fifo else "0.40"
        return [self.unpriced(name, f"SQS {'FIFO' if queue.fifo else 'standard'} queue",
                              f"usage-based: ${rate} per million requests after 1M free")]

    def policies(self) -> list:
        return [resource_rule(
            "sqs-encrypted", "SQS queues are encrypted at rest (SSE-SQS or a KMS key).",
            MANDATORY, "high", {SQS_QUEUE}, _sqs_encrypted)]
