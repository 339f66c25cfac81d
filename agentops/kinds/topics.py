"""Topics: an SNS topic, encrypted at rest with the AWS-managed key unless a spec says
otherwise, optionally fanning out to queues of the same stack. Written in specs by hand for
now (interpreted = False, like queues)."""

from __future__ import annotations

from pydantic import Field

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, Alarm, EntryModel, Kind

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
AWS_MANAGED_KEY = "alias/aws/sns"


class Topic(EntryModel):
    """An SNS topic and its subscriptions to the stack's queues."""

    fifo: bool = False
    encrypted: bool = True
    queues: list[str] = Field(default_factory=list, description="queues subscribed to the topic")


def _encrypted(args, report_violation) -> None:
    if not args.props.get("kmsMasterKeyId"):
        report_violation(f"SNS topic '{args.name}' is not encrypted at rest; set encrypted: true")


class TopicsKind(Kind):
    name = "topics"
    section = "topics"
    model = Topic
    resource_type = ResourceType.infrastructure
    noun = "topic"
    words = ("topic", "topics", "sns")
    kind_values = ("topic",)
    interpreted = False
    grammar_rank = 11
    default_name = "topic"
    description = "an SNS topic, encrypted at rest, fanning out to the stack's queues"
    spec_order = 9
    # After queues: a subscription needs the queue.
    render_order = 11
    references = {"queues": "queues"}
    actions = {
        "create": ActionMap(),
        "delete": ActionMap(),
        "monitor": ActionMap(note="failed notifications (errors), messages published otherwise"),
    }
    taggable = frozenset({TOPIC})
    rules = ("sns-encrypted", "required-tags")
    alarm_metrics = ("errors",)
    replace_on_change = {TOPIC: ("name", "fifoTopic"),
                         SUBSCRIPTION: ("topic", "protocol", "endpoint")}
    provider_modules = ("pulumi_aws.sns.topic", "pulumi_aws.sns.topic_subscription",
                        "pulumi_aws.sqs.queue_policy")
    priced = False
    cost_coverage = "unpriced: usage-based (publishes, deliveries)"

    def check(self, spec, name: str, topic: Topic) -> None:
        for queue in topic.queues:
            fifo = spec.section("queues")[queue].fifo
            if fifo != topic.fifo:
                raise ValueError(
                    f"topics.{name}.queues: {queue!r} is a {'FIFO' if fifo else 'standard'} "
                    f"queue and the topic is {'FIFO' if topic.fifo else 'standard'}: a topic "
                    f"delivers only to queues of its own type (set fifo on both or neither)")

    def render(self, ctx, name: str, topic: Topic) -> None:
        import pulumi
        from pulumi_aws import sns, sqs

        opts = ctx.component(self.section, name)
        sns_topic = sns.Topic(
            name, name=f"{name}.fifo" if topic.fifo else None, fifo_topic=topic.fifo or None,
            kms_master_key_id=AWS_MANAGED_KEY if topic.encrypted else None,
            tags=ctx.tags(self.section, name), opts=opts,
        )
        for queue_name in topic.queues:
            queue = ctx.output("queues", queue_name)
            # The queue must let the topic send to it.
            sqs.QueuePolicy(
                f"{name}-to-{queue_name}", queue_url=queue.url,
                policy=pulumi.Output.json_dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow",
                                   "Principal": {"Service": "sns.amazonaws.com"},
                                   "Action": "sqs:SendMessage", "Resource": queue.arn,
                                   "Condition": {"ArnEquals": {"aws:SourceArn": sns_topic.arn}}}],
                }),
                opts=opts,
            )
            sns.TopicSubscription(f"{name}-to-{queue_name}", topic=sns_topic.arn,
                                  protocol="sqs", endpoint=queue.arn, opts=opts)
        ctx.publish(self.section, name, sns_topic)

    def alarms(self, ctx, name: str, topic: Topic, metric: str) -> list[Alarm]:
        metric_name = "NumberOfNotificationsFailed" if metric == "errors" else "NumberOfMessagesPublished"
        return [Alarm("", "AWS/SNS", metric_name,
                      {"TopicName": ctx.output(self.section, name).name})]

    def cost(self, p, name: str, topic: Topic, spec) -> list:
        return [self.unpriced(name, "SNS topic" + (" (FIFO)" if topic.fifo else ""),
                              "usage-based: per million publishes and deliveries")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [resource_policy("sns-encrypted", "SNS topics are encrypted at rest.",
                                EnforcementLevel.MANDATORY, Severity.HIGH, {TOPIC}, _encrypted)]
