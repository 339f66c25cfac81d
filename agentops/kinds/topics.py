"""Topics: an SNS topic, encrypted at rest, optionally delivering to queues of the stack."""

from __future__ import annotations

import json

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.awsrules import MANDATORY, is_set, kms_key_arn, no_metric, resource_rule
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

SNS_TOPIC = "aws:sns/topic:Topic"
# SNS's AWS-managed key: encryption at rest without a key of the stack's own.
AWS_MANAGED_KEY = "alias/aws/sns"
_METRICS = {"errors": "NumberOfNotificationsFailed"}


class Topic(EntryModel):
    """An SNS topic."""

    fifo: bool = False
    encrypted: bool = Field(True, description="the AWS-managed key, or the stack's kms_key")
    kms_key: str | None = Field(None, description="a KMS key of the stack (keys section)")
    subscribers: list[str] = Field(default_factory=list,
                                   description="queues of the stack that receive every message")


def _sns_encrypted(args, report_violation) -> None:
    if not is_set(args.props, "kmsMasterKeyId"):
        report_violation(f"SNS topic '{args.name}' is not encrypted at rest; set encrypted: true "
                         f"(the AWS-managed key) or name a KMS key (kms_key)")


class TopicsKind(Kind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    name = "topics"
    section = "topics"
    model = Topic
    resource_type = ResourceType.infrastructure
    noun = "topic"
    words = ("topic", "topics", "sns", "sns topic", "notification topic", "pubsub", "pub/sub")
    kind_values = ("topic",)
    default_name = "topic"
    description = "an SNS topic (encrypted at rest) delivering to queues of the stack"
    spec_order = 21
    render_order = 21  # after queues: it subscribes them
    references = {"kms_key": "keys", "subscribers": "queues"}
    actions = {
        "create": ActionMap(),
        "delete": ActionMap(),
        "monitor": ActionMap(note="errors: failed notifications"),
    }
    taggable = frozenset({SNS_TOPIC})
    # Library rules that check it too (its own come from policies()).
    rules = ("required-tags",)
    alarm_metrics = tuple(_METRICS)
    replace_on_change = {SNS_TOPIC: ("name", "namePrefix", "fifoTopic"),
                         "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol",
                                                                         "endpoint")}
    provider_modules = ("pulumi_aws.sns.topic", "pulumi_aws.sns.topic_subscription",
                        "pulumi_aws.sqs.queue_policy")
    priced = False
    cost_coverage = "usage-based (per million publishes and deliveries): unpriced"

    def check(self, spec, name: str, topic: Topic) -> None:
        for queue in topic.subscribers:
            if spec.section("queues")[queue].fifo != topic.fifo:
                raise ValueError(f"topics.{name}.subscribers: {queue!r} is "
                                 f"{'a FIFO' if not topic.fifo else 'a standard'} queue; a "
                                 f"{'FIFO' if topic.fifo else 'standard'} topic delivers to "
                                 f"{'FIFO' if topic.fifo else 'standard'} queues only")

    def render(self, ctx, name: str, topic: Topic) -> None:
        from pulumi import Output
        from pulumi_aws import sns, sqs

        opts = ctx.component(self.section, name)
        key = kms_key_arn(ctx, topic.kms_key) or (AWS_MANAGED_KEY if topic.encrypted else None)
        resource = sns.Topic(
            name,
            name=f"{ctx.stack}-{name}.fifo" if topic.fifo else None,
            fifo_topic=topic.fifo or None,
            kms_master_key_id=key,
            tags=ctx.tags(self.section, name),
            opts=opts,
        )
        for queue_name in topic.subscribers:
            queue = ctx.output("queues", queue_name)
            # The queue must let this topic send to it, or deliveries fail silently.
            sqs.QueuePolicy(
                f"{name}-{queue_name}",
                queue_url=queue.url,
                policy=Output.all(queue.arn, resource.arn).apply(lambda arns: json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage", "Resource": arns[0],
                        "Condition": {"ArnEquals": {"aws:SourceArn": arns[1]}},
                    }],
                })),
                opts=opts,
            )
            sns.TopicSubscription(f"{name}-{queue_name}", topic=resource.arn, protocol="sqs",
                                  endpoint=queue.arn, raw_message_delivery=True, opts=opts)
        ctx.publish(self.section, name, resource)

    def alarms(self, ctx, name: str, topic: Topic, metric: str) -> list[Alarm]:
        if metric not in _METRICS:
            raise no_metric(self.section, name, metric, _METRICS)
        return [Alarm("", "AWS/SNS", _METRICS[metric],
                      {"TopicName": ctx.output(self.section, name).name})]

    def cost(self, p, name: str, topic: Topic, spec) -> list:
        # us-east-1 list price (2025): $0.50 per million publishes after 1M free; deliveries to
        # SQS carry no SNS charge.
        return [self.unpriced(name, "SNS topic",
                              "usage-based: $0.50 per million publishes after 1M free")]

    def policies(self) -> list:
        return [resource_rule(
            "sns-encrypted", "SNS topics are encrypted at rest (a KMS key, AWS-managed or the "
            "stack's).", MANDATORY, "high", {SNS_TOPIC}, _sns_encrypted)]
