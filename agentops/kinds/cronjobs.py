"""Cron jobs: a Kubernetes CronJob on one of the stack's clusters (a container image run on a
schedule). Written in specs by hand for now (interpreted = False)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import ActionMap, EntryModel, Kind
from agentops.kinds.clusters import k8s_provider

CRONJOB = "kubernetes:batch/v1:CronJob"
_CRON = re.compile(r"^(@(yearly|annually|monthly|weekly|daily|hourly)|(\S+\s+){4}\S+)$")


class CronJob(EntryModel):
    """A Kubernetes CronJob."""

    cluster: str
    image: str
    schedule: str = Field(description="cron syntax, e.g. '0 3 * * *', or @daily")
    namespace: str = "default"
    command: list[str] = Field(default_factory=list)
    concurrency: str = Field("Forbid", pattern="^(Allow|Forbid|Replace)$")
    keep_failed: int = Field(3, ge=0, le=100)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        if not _CRON.match(value.strip()):
            raise ValueError("not a cron schedule (five fields like '0 3 * * *', or @daily)")
        return value


def _pinned(args, report_violation) -> None:
    from agentops.policy_rules import _image_pinned

    spec = (((args.props.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {})
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    for container in containers:
        image = str(container.get("image") or "")
        if not _image_pinned(image):
            report_violation(f"cron job '{args.name}' runs image '{image}' without a fixed tag; "
                             f"pin a version (name:1.2.3 or @sha256:...), never :latest")


class CronJobsKind(Kind):
    name = "cronjobs"
    section = "cronjobs"
    model = CronJob
    resource_type = ResourceType.deployment
    noun = "cronjob"
    words = ("cronjob", "cronjobs")
    kind_values = ("cronjob",)
    interpreted = False
    grammar_rank = 16
    default_name = "job"
    description = "a Kubernetes CronJob: an image run on a schedule"
    spec_order = 14
    render_order = 7  # after deployments
    references = {"cluster": "clusters"}
    actions = {"create": ActionMap(), "update": ActionMap({"image": "image"}),
               "delete": ActionMap()}
    rules = ("k8s-cronjob-image-pinned",)
    replace_on_change = {CRONJOB: ("metadata.name", "metadata.namespace")}
    provider_modules = ("pulumi_kubernetes.batch.v1.CronJob", "pulumi_kubernetes.meta.v1._inputs")
    priced = True
    cost_coverage = "no charge of its own (runs on its cluster's nodes)"

    def render(self, ctx, name: str, job: CronJob) -> None:
        import pulumi
        from pulumi_kubernetes.batch.v1 import CronJob as K8sCronJob

        parent = ctx.component(self.section, name).parent
        opts = pulumi.ResourceOptions(parent=parent, provider=k8s_provider(ctx, job.cluster))
        labels = {"app": name, "app.kubernetes.io/managed-by": "agentops"}
        container = {"name": name, "image": job.image}
        if job.command:
            container["command"] = job.command
        K8sCronJob(name, metadata={"name": name, "namespace": job.namespace, "labels": labels},
                   spec={"schedule": job.schedule, "concurrency_policy": job.concurrency,
                         "failed_jobs_history_limit": job.keep_failed,
                         "job_template": {"spec": {"template": {
                             "metadata": {"labels": labels},
                             "spec": {"restart_policy": "OnFailure", "containers": [container]},
                         }}}},
                   opts=opts)

    def cost(self, p, name: str, job: CronJob, spec) -> list:
        return [self.line(name, "Kubernetes cron job", 0.0,
                          f"runs on clusters.{job.cluster}'s nodes, priced there")]

    def policies(self) -> list:
        from pulumi_policy import EnforcementLevel, Severity

        from agentops.policy_rules import resource_policy

        return [resource_policy("k8s-cronjob-image-pinned", "Cron job images are pinned to a "
                                "version or digest.", EnforcementLevel.MANDATORY, Severity.MEDIUM,
                                {CRONJOB}, _pinned)]
