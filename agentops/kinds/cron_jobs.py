"""Cron jobs: a Kubernetes CronJob (one container on a cron schedule) on one of the stack's
clusters.

The schedule is checked as Kubernetes reads it (five fields, macros, @every) and the image as
a container image reference when the spec is read, so a typo fails in review, not at 3 a.m.
The rules want a pinned image and CPU and memory limits: a batch job that runs away starves
the services on the same nodes. Environment values are configuration, not secrets (a
secret-looking value is refused, as in config maps)."""

from __future__ import annotations

import functools
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from agentops.kinds.base import ActionMap, EditError
from agentops.kinds.k8s_common import (
    KubernetesKind,
    Limits,
    OnCluster,
    check_cron,
    check_image,
    image_pinned,
    pod_containers,
    refuse_secrets,
    resource_policy,
)

CRON_JOB_TYPE = "kubernetes:batch/v1:CronJob"
_ZONE_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


class CronJob(OnCluster):
    """A Kubernetes CronJob: one container run on a schedule."""

    schedule: str = Field(description="cron schedule: minute hour day-of-month month day-of-week")
    image: str
    command: list[str] | None = None
    env: dict[str, str] = Field(default_factory=dict, description="plain configuration only")
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] = Field(
        "Forbid", description="what happens when a run is due while the last one still runs")
    limits: Limits | None = None
    time_zone: str | None = Field(None, description="IANA time zone of the schedule (UTC when unset)")
    suspend: bool = False
    backoff_limit: int = Field(6, ge=0, le=100, description="retries of a failed run")
    active_deadline_seconds: int | None = Field(None, ge=1, description="a run's time limit")
    successful_jobs_history_limit: int = Field(3, ge=0, le=100)
    failed_jobs_history_limit: int = Field(1, ge=0, le=100)

    _schedule = field_validator("schedule")(check_cron)
    _image = field_validator("image")(check_image)

    @field_validator("env", mode="before")
    @classmethod
    def _env_text(cls, env: Any) -> Any:
        if not isinstance(env, dict):
            return env
        return {k: (str(v).lower() if isinstance(v, bool) else str(v))
                if isinstance(v, (bool, int, float)) else v for k, v in env.items()}

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        import zoneinfo

        problem = ValueError(f"{value!r} is not an IANA time zone (like Europe/Paris or UTC)")
        if not _have_zone_database():
            # No time zone database on this machine (a slim image without tzdata): check the
            # shape only, rather than refuse every zone.
            if not _ZONE_SHAPE.match(value):
                raise problem
            return value
        try:
            zoneinfo.ZoneInfo(value)
        except (ValueError, KeyError, OSError):
            raise problem from None
        return value

    @model_validator(mode="after")
    def _no_secrets(self) -> "CronJob":
        refuse_secrets(self.env, "env")
        return self


@functools.cache
def _have_zone_database() -> bool:
    # available_timezones() walks the whole database (~50 ms on 2 cores): once per process
    import zoneinfo

    return bool(zoneinfo.available_timezones())


@functools.cache
def _database_cities() -> dict[str, str]:
    """City -> zone from the machine's zone database ("lisbon": "Europe/Lisbon", "sao paulo":
    "America/Sao_Paulo"), for the regions people live in (not "US/Central" and other aliases);
    empty without a database."""
    import zoneinfo

    out: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        region, _, city = zone.partition("/")
        # (islands named like words: "christmas time" is not Indian/Christmas)
        if (region in {"Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"}
                and city not in {"Christmas", "Easter", "Wake", "Midway"}):
            out.setdefault(city.rsplit("/", 1)[-1].replace("_", " ").lower(), zone)
    return out


# How people say a job's flags and zone ("pause the backfill", "don't let runs overlap", "at
# 2am central"): phrase -> value. A phrase inside a longer one of another value is not read
# ("un-suspend" is not "suspend"); two values said, neither.
_SUSPEND_WORDS = {"un-suspend": False, "unsuspend": False, "unpause": False, "un-pause": False,
                  "resume": False, "re-enable": False, "turn it back on": False,
                  "enable": False, "start running again": False, "switch it back on": False,
                  "suspend": True, "pause": True, "disable": True, "stop running": True,
                  "from running": True, "turn it off": True, "switch it off": True, "hold off": True,
                  "halt": True, "on hold": True, "freeze": True, "shut it off": True,
                  "turn back on": False, "turn it on": False, "reactivate": False, "start it again": False}
_OVERLAP_WORDS = {"don t let runs overlap": "Forbid", "no overlapping": "Forbid",
                  "never overlap": "Forbid", "not overlap": "Forbid", "forbid": "Forbid",
                  "replace it": "Replace", "replace concurrency": "Replace",
                  "allow overlap": "Allow", "allow overlapping": "Allow", "let runs overlap": "Allow"}
_ZONE_WORDS = {"eastern": "America/New_York", "central": "America/Chicago",
               "mountain": "America/Denver", "pacific": "America/Los_Angeles"}
# "6pm Chicago time", "9am London time": a city said with "time" is its zone
_CITY_ZONES = {"new york": "America/New_York", "nyc": "America/New_York", "chicago": "America/Chicago",
               "denver": "America/Denver", "los angeles": "America/Los_Angeles", "la": "America/Los_Angeles",
               "seattle": "America/Los_Angeles", "san francisco": "America/Los_Angeles", "sf": "America/Los_Angeles",
               "toronto": "America/Toronto", "sao paulo": "America/Sao_Paulo", "london": "Europe/London",
               "uk": "Europe/London", "dublin": "Europe/Dublin", "paris": "Europe/Paris",
               "berlin": "Europe/Berlin", "amsterdam": "Europe/Amsterdam", "madrid": "Europe/Madrid",
               "stockholm": "Europe/Stockholm", "india": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
               "singapore": "Asia/Singapore", "tokyo": "Asia/Tokyo", "sydney": "Australia/Sydney"}
_ZONE_WORDS.update({f"{city} {word}": zone for city, zone in _CITY_ZONES.items()
                    for word in ("time", "local time")})
_ZONE_WORDS.update({abbr: zone for zone, abbrs in {
    "America/New_York": ("est", "edt"), "America/Chicago": ("cst", "cdt"),
    "America/Denver": ("mst", "mdt"), "America/Los_Angeles": ("pst", "pdt"),
    "Asia/Tokyo": ("jst",), "Australia/Sydney": ("aest", "aedt"), "Europe/London": ("bst",),
    "Europe/Dublin": ("irish time", "ireland time")}.items() for abbr in abbrs})


def _said_one(lowered: str, phrases: dict):
    """The one value the phrases said in `lowered` mean (longest phrases first), or None."""
    values, rest = set(), f" {lowered} "
    for phrase in sorted(phrases, key=len, reverse=True):
        pattern = rf"(?<![a-z0-9-]){re.escape(phrase)}\w*(?![a-z0-9-])"
        if re.search(pattern, rest):
            values.add(phrases[phrase])
            rest = re.sub(pattern, " | ", rest)
    return values.pop() if len(values) == 1 else None


_FIELDS = {"image": "image", "schedule": "schedule", "concurrency_policy": "concurrency_policy",
           "time_zone": "time_zone", "suspend": "suspend"}


class CronJobsKind(KubernetesKind):
    # Chosen only when a command names it (its kind= value): a create that names no kind is
    # one of the long-standing kinds of its resource type.
    needs_kind_word = True
    spaced_keys = ("schedule",)
    name = "cron_jobs"
    section = "cron_jobs"
    model = CronJob
    noun = "cron job"
    value_intros = {"time_zone": ("time zone", "timezone", "tz")}
    words = ("cronjob", "cronjobs", "cron job", "cron jobs", "cron", "scheduled job",
             "scheduled jobs", "batch job", "batch jobs")
    kind_values = ("cronjob",)
    default_name = "job"
    description = "a Kubernetes CronJob: one container on a cron schedule"
    spec_order = 23
    render_order = 7
    actions = {
        "create": ActionMap(_FIELDS),
        "update": ActionMap(_FIELDS),
        "delete": ActionMap(),
    }
    rules = ("k8s-cronjob-image-pinned", "k8s-cronjob-limits")
    replace_on_change = {CRON_JOB_TYPE: ("metadata.name", "metadata.namespace")}
    provider_modules = ("pulumi_kubernetes.batch.v1.CronJob", "pulumi_kubernetes.meta.v1._inputs")

    def value_from_words(self, key: str, text: str, entry) -> str | bool | None:
        from agentops.kinds.schedule_words import cron_from_words

        lowered = " ".join(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower()))
        if key == "schedule":
            return cron_from_words(text, entry.schedule if entry is not None else None)
        if key == "suspend":
            said = _said_one(lowered, _SUSPEND_WORDS)
            if said is None:
                # "turn the abandoned cart nudge back on": the job's name between the words
                on = re.search(r"\b(?:turn|switch|flip)\s+(?:\S+\s+){1,6}?back\s+on\b", lowered)
                off = re.search(r"\b(?:turn|switch|shut)\s+(?:\S+\s+){1,6}?off\b", lowered)
                said = False if on and not off else True if off and not on else None
            return said
        if key == "concurrency_policy":
            # "concurrency policy Replace": the policy's own value, said after its name
            named = re.search(r"\bconcurrency(?:\s+policy)?\s+(?:to\s+|is\s+|=\s*)?(allow|forbid|replace)\b", lowered)
            if named:
                return named.group(1).capitalize()
            said = _said_one(lowered, _OVERLAP_WORDS)
            if said is None and re.search(r"\boverlap", lowered):
                # "let rss-refresh runs overlap", "stop the backfill runs from overlapping"
                if re.search(r"\b(?:don t|do not|never|not|no|stop|prevent)\b(?:\s+\S+){0,6}\s+overlap", lowered):
                    return "Forbid"
                if re.search(r"\b(?:let|allow|fine\s+to|ok\s+to|okay\s+to)\b(?:\s+\S+){0,6}\s+overlap", lowered):
                    return "Allow"
            return said
        if key == "time_zone":
            written = set(re.findall(r"(?<![\w/])((?:America|Europe|Asia|Australia|Africa|Pacific|Atlantic)"
                                     r"/[A-Z][A-Za-z_]+(?:/[A-Z][A-Za-z_]+)?)(?![\w/])", text))
            if len(written) == 1:
                return written.pop()  # an IANA zone written out ("(America/Chicago)")
            # "time zone UTC please, BST bit us again": the zone said right after the words
            # "time zone" is the one set; another said in the reason is not
            named = re.search(r"\b(?:time\s*zone|timezone|tz)\s+(?:to\s+|in\s+|=\s*)?([a-z]+)\b", lowered)
            if named and named.group(1) in ("utc", "gmt"):
                return "UTC"
            if named and named.group(1) in _ZONE_WORDS:
                return _ZONE_WORDS[named.group(1)]
            said = _said_one(lowered, _ZONE_WORDS)
            # "at noon ET", "4am PT": the two-letter US zones, only right after a time (alone
            # they are other words)
            short = set(re.findall(r"(?:\d\s*(?:am|pm)?|noon|midnight)\s+(et|ct|mt|pt)\b", lowered))
            if said is None and len(short) == 1:
                return {"et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
                        "pt": "America/Los_Angeles"}[short.pop()]
            # "6am Lisbon time", "in the Melbourne time zone": any city of the zone database
            # said with "time" (one zone in all; the database is the list, not ours)
            cities = set()
            for m in re.finditer(r"\b(?:([a-z]+)\s+)?([a-z]+)\s+(?:local\s+)?(?:time(?:\s*zone)?|timezone|tz)\b",
                                 lowered):
                two, one = f"{m.group(1)} {m.group(2)}", m.group(2)
                cities.add(_database_cities().get(two) or _database_cities().get(one))
            cities = (cities | {said}) - {None}
            return cities.pop() if len(cities) == 1 else None
        return None

    def render(self, ctx, name: str, job: CronJob) -> None:
        from pulumi_kubernetes.batch.v1 import CronJob as K8sCronJob

        labels = {"app": name}
        container: dict[str, Any] = {"name": name, "image": job.image}
        if job.command:
            container["command"] = list(job.command)
        if job.env:
            container["env"] = [{"name": k, "value": v} for k, v in job.env.items()]
        if job.limits:
            container["resources"] = {"limits": job.limits.model_dump(exclude_none=True)}
        job_spec: dict[str, Any] = {
            "backoff_limit": job.backoff_limit,
            "template": {"metadata": {"labels": labels},
                         "spec": {"restart_policy": "OnFailure", "containers": [container]}},
        }
        if job.active_deadline_seconds:
            job_spec["active_deadline_seconds"] = job.active_deadline_seconds
        spec: dict[str, Any] = {
            "schedule": job.schedule,
            "concurrency_policy": job.concurrency_policy,
            "suspend": job.suspend,
            "successful_jobs_history_limit": job.successful_jobs_history_limit,
            "failed_jobs_history_limit": job.failed_jobs_history_limit,
            "job_template": {"spec": job_spec},
        }
        if job.time_zone:
            spec["time_zone"] = job.time_zone
        cron = K8sCronJob(name, metadata=self.metadata(name, job.namespace, labels), spec=spec,
                          opts=self.options(ctx, name, job))
        ctx.publish(self.section, name, cron)

    def create_entry(self, name: str, params: dict, doc, kind_word):
        for needed in ("image", "schedule"):
            if needed not in params:
                raise EditError(f"create cron_jobs.{name}: needs {needed}=",
                                hint="e.g. image=ghcr.io/acme/report:1.4 schedule='0 3 * * *'")
        return super().create_entry(name, params, doc, kind_word)

    # -- rules

    def policies(self) -> list:
        return [
            resource_policy(
                "k8s-cronjob-image-pinned", "CronJob images are pinned to a version or digest, "
                "never :latest or untagged (a scheduled run must run what was reviewed).",
                "mandatory", "medium", {CRON_JOB_TYPE}, _image_pinned),
            resource_policy(
                "k8s-cronjob-limits", "CronJob containers have CPU and memory limits (a batch "
                "run must not starve the services on its nodes).", "mandatory", "medium",
                {CRON_JOB_TYPE}, _limits),
        ]


def _job_containers(props) -> list:
    job_template = ((props.get("spec") or {}).get("jobTemplate") or {}).get("spec") or {}
    return pod_containers((job_template.get("template") or {}).get("spec"))


def _image_pinned(args, report_violation) -> None:
    for container in _job_containers(args.props):
        image = str(container.get("image") or "")
        if not image_pinned(image):
            report_violation(f"cron job '{args.name}' runs image '{image}' without a fixed tag; "
                             f"pin a version (name:1.2.3 or @sha256:...), never :latest")


def _limits(args, report_violation) -> None:
    for container in _job_containers(args.props):
        limits = (container.get("resources") or {}).get("limits") or {}
        missing = [k for k in ("cpu", "memory") if not limits.get(k)]
        if missing:
            report_violation(f"cron job '{args.name}' has no {' or '.join(missing)} limit on "
                             f"container '{container.get('name')}'; set limits.cpu and "
                             f"limits.memory")
