"""What the Kubernetes kinds share (namespaces, config maps, ingresses, cron jobs, autoscalers,
load-balancer services, disruption budgets): the cluster an entry lives on, validators for the
values Kubernetes is strict about (names, labels, images, quantities, cron schedules), the
secret-looking-value detector, the cost line of an object that runs on a cluster's nodes, and
the small builder their CrossGuard rules are made with.

Every such entry names its cluster (`cluster:`, checked against the stack's clusters: a
missing one is an error listing those that exist) and is applied through that cluster's
Kubernetes provider (agentops.kinds.clusters.k8s_provider), as deployments are.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from pydantic import Field, field_validator

from agentops.actionplan import ResourceType
from agentops.kinds.base import EditError, EntryModel, Kind
from agentops.kinds.clusters import k8s_provider

MANAGED_BY = {"app.kubernetes.io/managed-by": "agentops"}

# -- validators ---------------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_NAME = re.compile(r"^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

# The Docker reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest].
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_IMAGE = re.compile(
    rf"^(?:{_DOMAIN}/)?{_PATH_PART}(?:/{_PATH_PART})*"
    r"(?::[\w][\w.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)
_CPU = re.compile(r"^(\d+(\.\d+)?|\.\d+)m?$")
_MEMORY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")


def check_dns_label(value: str) -> str:
    """A Kubernetes object or namespace name (RFC 1123 label)."""
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes name: lowercase letters, digits and '-', "
                         f"starting and ending with a letter or digit, at most 63 characters")
    return value


def check_dns_subdomain(value: str) -> str:
    """A Kubernetes name that may hold dots (a Secret's, an IngressClass's)."""
    if len(value) > 253 or not _LABEL_PREFIX.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes name: lowercase letters, digits, '-' "
                         f"and '.', starting and ending with a letter or digit")
    return value


def check_host(value: str) -> str:
    if len(value) > 253 or not _DNS_NAME.match(value) or "." not in value:
        raise ValueError(f"{value!r} is not a host name (like api.example.com or *.example.com)")
    return value


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """Kubernetes label keys ([prefix/]name) and values (63 characters, alphanumerics and
    -_. inside)."""
    for key, value in labels.items():
        prefix, _, name = key.rpartition("/")
        if (prefix and (len(prefix) > 253 or not _LABEL_PREFIX.match(prefix))) \
                or len(name) > 63 or not _LABEL_NAME.match(name):
            raise ValueError(f"label key {key!r} is not a Kubernetes label key ([prefix/]name, "
                             f"name at most 63 alphanumerics, '-', '_' or '.')")
        if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
            raise ValueError(f"label {key}: {value!r} is not a Kubernetes label value (at most 63 "
                             f"alphanumerics, '-', '_' or '.', starting and ending alphanumeric)")
    return labels


def check_image(value: str) -> str:
    """A container image reference: [registry/]path[:tag][@sha256:digest]."""
    if len(value) > 512 or not _IMAGE.match(value):
        raise ValueError(f"{value!r} is not a container image reference (like "
                         f"ghcr.io/acme/job:1.2.3 or nginx@sha256:<digest>; lowercase path)")
    return value


def image_pinned(image: str) -> bool:
    """Pinned: a digest, or a tag other than `latest` (an untagged image means latest)."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


class Limits(EntryModel):
    """Container resource limits, as Kubernetes quantities (cpu: 500m or 1; memory: 256Mi)."""

    cpu: str | None = None
    memory: str | None = None

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: str | None) -> str | None:
        if value is not None and not (_CPU.match(value) and float(value.rstrip("m")) > 0):
            raise ValueError(f"{value!r} is not a CPU quantity (like 500m or 2)")
        return value

    @field_validator("memory")
    @classmethod
    def _memory(cls, value: str | None) -> str | None:
        if value is not None and not (_MEMORY.match(value)
                                      and float(re.match(r"[\d.]+", value).group()) > 0):
            raise ValueError(f"{value!r} is not a memory quantity (like 256Mi or 1Gi)")
        return value


# -- cron schedules -----------------------------------------------------------------------------

_CRON_MACROS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_GO_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")
_MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
# Field name, lowest, highest, names, whether `?` is allowed: as Kubernetes' parser
# (robfig/cron's standard parser: minute hour day-of-month month day-of-week) reads them.
_CRON_FIELDS = (("minute", 0, 59, {}, False), ("hour", 0, 23, {}, False),
                ("day of month", 1, 31, {}, True), ("month", 1, 12, _MONTHS, False),
                ("day of week", 0, 6, _DAYS, True))


def check_cron(value: str) -> str:
    """A CronJob schedule as Kubernetes accepts it: five fields (minute hour day-of-month month
    day-of-week; `*`, `?`, numbers, names, ranges, lists and /steps), a macro (@hourly, @daily,
    @weekly, @monthly, @yearly) or `@every <duration>`. Time zones go in time_zone, never in the
    schedule (Kubernetes refuses TZ= there)."""
    text = value.strip()
    if text.upper().startswith(("TZ=", "CRON_TZ=")):
        raise ValueError("a time zone does not go in the schedule; set time_zone (like "
                         "Europe/Paris) and keep the schedule's five fields")
    if text.startswith("@"):
        if text in _CRON_MACROS:
            return value
        if text.startswith("@every ") and _GO_DURATION.match(text[7:].strip()):
            return value
        raise ValueError(f"{value!r} is not a schedule macro (allowed: "
                         f"{', '.join(sorted(_CRON_MACROS))}, @every <duration like 90m>)")
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"{value!r} is not a cron schedule: it has {len(fields)} field(s), a "
                         f"schedule has 5 (minute hour day-of-month month day-of-week, "
                         f"like '*/15 * * * *' or '0 3 * * MON-FRI')")
    for raw, (what, low, high, names, question) in zip(fields, _CRON_FIELDS):
        for part in raw.split(","):
            problem = _cron_part(part.lower(), low, high, names, question)
            if problem:
                raise ValueError(f"{value!r}: the {what} field {raw!r} is invalid: {problem} "
                                 f"(allowed {low}-{high}"
                                 + (f" or names like {next(iter(names)).upper()}" if names else "")
                                 + ")")
    return value


def _cron_part(part: str, low: int, high: int, names: dict, question: bool) -> str | None:
    base, slash, step = part.partition("/")
    if slash and not (step.isdigit() and int(step) >= 1):
        return f"step {step!r} is not a positive number"
    if base == "?" and not question:
        return "'?' is only for day of month or day of week"
    if base in ("*", "?"):
        return None

    def number(text: str) -> int | None:
        if text in names:
            return names[text]
        return int(text) if text.isdigit() else None

    start_text, dash, end_text = base.partition("-")
    start = number(start_text)
    end = number(end_text) if dash else start
    if start is None or end is None:
        return f"{base!r} is not a number{' or name' if names else ''}"
    if not (low <= start <= high and low <= end <= high):
        return f"{base!r} is out of range"
    if start > end:
        return f"the range {base!r} runs backwards"
    return None


# -- secret-looking values ----------------------------------------------------------------------

_SECRET_KEY = re.compile(
    r"(passw(or)?d|passwd|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|credential|"
    r"access[-_]?key|auth[-_]?key|client[-_]?secret|signing[-_]?key|session[-_]?key)",
    re.IGNORECASE)
_SECRET_VALUE = (
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),                      # AWS access key id
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"),                   # GitHub tokens
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"),
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),                # Slack tokens
    re.compile(r"\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}\b"),         # Stripe keys
    re.compile(r"\bsk-[A-Za-z0-9_-]{20,}\b"),                        # API keys of the sk- form
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),                        # Google API keys
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"),  # JWTs
    re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),          # credentials in a URL
)
# Keys that name where a secret is, or a setting about secrets, rather than the secret itself
# (PASSWORD_FILE: /run/secrets/db, TOKEN_TTL: 3600, TLS_SECRET_NAME: api-tls).
_ABOUT_A_SECRET = re.compile(
    r"[-_.]?(file|path|name|ref|url|uri|endpoint|enabled|ttl|length|expiry|expires|timeout)$",
    re.IGNORECASE)
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9+/=_-]{32,}$")
_PLAIN_VALUE = re.compile(r"^(|\d+(\.\d+)?|true|false|yes|no|on|off|none|null)$", re.IGNORECASE)


def _entropy(text: str) -> float:
    counts = {c: text.count(c) for c in set(text)}
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def secret_reason(key: str, value: str) -> str | None:
    """Why a configuration value looks like a secret (None: it does not). The reason names the
    key and the pattern, never the value, so it can go in an error, a plan or a log."""
    text = str(value)
    for pattern in _SECRET_VALUE:
        if pattern.search(text):
            return f"the value of {key!r} looks like a credential (a key, token or password)"
    if _SECRET_KEY.search(key) and not _PLAIN_VALUE.match(text.strip()) \
            and not _ABOUT_A_SECRET.search(key):
        return f"{key!r} is named like a secret"
    if _TOKEN_LIKE.match(text) and _entropy(text) >= 4.0 \
            and re.search(r"[0-9]", text) and re.search(r"[A-Za-z]", text):
        return f"the value of {key!r} is a long random-looking string (a token or key?)"
    return None


SECRET_HINT = ("keep secrets out of the spec: put the value in Pulumi config "
               "(pulumi config set --secret KEY) and read it as a Secret (a deployment's "
               "secret_env)")


def refuse_secrets(values: dict[str, str], where: str) -> dict[str, str]:
    """A validator: raise ValueError naming the first secret-looking key of `values`."""
    for key, value in values.items():
        reason = secret_reason(key, value)
        if reason:
            raise ValueError(f"{where}: {reason}; {SECRET_HINT}")
    return values


# -- the base of the Kubernetes kinds -----------------------------------------------------------


class OnCluster(EntryModel):
    """An object on one of the stack's EKS clusters, in one namespace."""

    cluster: str = Field(description="the clusters entry whose Kubernetes API it is applied to")
    namespace: str = "default"

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        return check_dns_label(value)


class KubernetesKind(Kind):
    """A kind whose entries are Kubernetes objects on one of the stack's clusters."""

    resource_type = ResourceType.infrastructure
    references = {"cluster": "clusters"}
    # Kubernetes objects run on the cluster's nodes, which the clusters kind prices: the line
    # is listed as unpriced with that reason (the base interface has no notion of a cost
    # included in another resource's), never as a silent zero.
    priced = False
    cost_coverage = "runs on its cluster's nodes (priced there)"

    # -- validation

    def check(self, spec, name: str, entry: Any) -> None:
        """An alert on an entry of a kind with no metric of its own would make an alarm on
        nothing: refused, naming what can be watched instead."""
        if self.alarm_metrics:
            return
        for alert_name, alert in spec.section("alerts").items():
            if getattr(alert, "target", None) == name:
                raise ValueError(
                    f"alerts.{alert_name}: {self.section}.{name} has no metric to watch (a "
                    f"{self.noun} has no CloudWatch metric of its own); watch a deployment "
                    f"or the cluster {getattr(entry, 'cluster', '')} instead")

    # -- rendering

    def options(self, ctx, name: str, entry: Any, namespace: str | None = None):
        """Resource options of one entry: parented to its component, applied through its
        cluster's Kubernetes provider, and after the namespaces entry that makes its namespace
        (when the stack has one on that cluster)."""
        import pulumi

        parent = ctx.component(self.section, name).parent
        if namespace is None:
            namespace = getattr(entry, "namespace", None)
        made = namespace_resource(ctx, entry.cluster, namespace)
        return pulumi.ResourceOptions(parent=parent, provider=k8s_provider(ctx, entry.cluster),
                                      depends_on=[made] if made is not None else None)

    def metadata(self, name: str, namespace: str | None, labels: dict | None = None) -> dict:
        meta: dict[str, Any] = {"name": name, "labels": {**(labels or {}), **MANAGED_BY}}
        if namespace is not None:
            meta["namespace"] = namespace
        return meta

    # -- cost

    def cost(self, p, name: str, entry: Any, spec) -> list:
        return [self.unpriced(name, f"Kubernetes {self.noun}",
                              f"runs on cluster {entry.cluster}'s nodes (priced there)")]

    # -- edits

    def create_entry(self, name: str, params: dict, doc, kind_word):
        """A new entry: its cluster is the one named, else the stack's only cluster; with
        several, which one is asked (listing them), never guessed."""
        from ruamel.yaml.comments import CommentedMap

        entry = CommentedMap()
        entry["cluster"] = self.cluster_for(name, params, doc)
        for key, value in self.mapped("create", name, params).items():
            entry[key] = value
        return entry

    def cluster_for(self, name: str, params: dict, doc) -> str:
        clusters = list(doc.get("clusters") or {})
        cluster = params.pop("cluster", None)
        if cluster is not None:
            if cluster not in clusters:
                raise EditError(f"create {self.section}.{name}: no cluster named {cluster!r} "
                                f"(clusters: {', '.join(clusters) or 'none'})",
                                hint="name one of the stack's clusters, or create it first")
            return cluster
        if len(clusters) != 1:
            raise EditError(
                f"create {self.section}.{name}: which cluster? (clusters: {', '.join(clusters) or 'none'})",
                hint="create a cluster first" if not clusters else "name the cluster",
            )
        return clusters[0]


def namespace_resource(ctx, cluster: str, namespace: str | None):
    """The Namespace resource a namespaces entry of the stack makes for `namespace` on
    `cluster`, if any (rendered before the kinds that use it)."""
    return ctx.memo.get(("k8s-namespace", cluster, namespace)) if namespace else None


def target_deployment(spec, section: str, name: str, entry: Any, field: str = "target"):
    """The deployments entry an entry targets, checked to be on the same cluster and namespace
    (a Kubernetes object only reaches what is in its own namespace)."""
    target = getattr(entry, field)
    dep = spec.section("deployments").get(target)
    if dep is None:
        return None  # `references` reports it, with the list
    if dep.cluster != entry.cluster:
        raise ValueError(f"{section}.{name}: {field} {target!r} runs on cluster {dep.cluster!r}, "
                         f"not {entry.cluster!r}; set cluster: {dep.cluster}")
    namespace = getattr(entry, "namespace", None)
    if namespace is not None and namespace != dep.namespace:
        raise ValueError(f"{section}.{name}: {field} {target!r} is in namespace "
                         f"{dep.namespace!r}, not {namespace!r}; set namespace: {dep.namespace}")
    return dep


# -- CrossGuard rules ---------------------------------------------------------------------------


def resource_policy(name: str, description: str, enforcement: str, severity: str,
                    types: set[str], check: Callable[[Any, Callable], None], **config: dict):
    """A CrossGuard resource rule on `types`, configurable like agentops' own rules: the
    library's factory (agentops.policy_rules.resource_policy), imported late like pulumi_policy."""
    from agentops.policy_rules import resource_policy as library_factory

    return library_factory(name, description, enforcement, severity, types, check, **config)


def pod_containers(pod_spec: Any) -> list:
    return list((pod_spec or {}).get("containers") or [])
