"""Stack specs: the declarative desired state in stacks/<stack>.yaml.

A spec is plain YAML validated by the pydantic models below. It is read round-trip (ruamel.yaml)
so that edits keep comments and order, and so that a schema error can point at file:line:column.
Resources live in maps keyed by their logical name; a name is unique across all kinds in a
stack, so an Action's `name` identifies one resource.
"""

from __future__ import annotations

import io
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from agentops.errors import SpecError, UnknownStackError
from agentops.imageref import ImageRef

STACKS_DIR = "stacks"

# Words people use for a stack, mapped to the stack's name.
STACK_ALIASES = {
    "production": "prod",
    "prd": "prod",
    "live": "prod",
    "stage": "staging",
    "stg": "staging",
    "development": "dev",
    "develop": "dev",
}

NAME_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"
_NAME_RE = re.compile(NAME_PATTERN)
_STACK_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def normalize_stack_name(name: str) -> str:
    key = name.strip().lower()
    return STACK_ALIASES.get(key, key)


class _Model(BaseModel):
    # Unknown keys are errors: a typo in a hand-written spec must not be silently ignored.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def _check_cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValueError(f"not a CIDR block (like 10.0.0.0/16): {exc}") from None
    return value


class Network(_Model):
    """A VPC with public and private subnets spread over availability zones."""

    cidr: str = "10.0.0.0/16"
    az_count: int = Field(2, ge=1, le=6)
    nat_gateway: bool = False

    _cidr = field_validator("cidr")(_check_cidr)


class Instances(_Model):
    """A group of identical EC2 instances."""

    count: int = Field(1, ge=0, le=1000)
    instance_type: str = "t3.micro"
    ami: str | None = Field(None, description="AMI id; the latest Amazon Linux 2023 when unset")
    network: str | None = None
    security: list[str] = Field(default_factory=list, description="security group names")
    volume_gb: int = Field(8, ge=1, le=16384)


class Cluster(_Model):
    """An EKS cluster with one managed node group."""

    version: str = "1.31"
    instance_type: str = "t3.medium"
    desired_size: int = Field(2, ge=0, le=1000)
    min_size: int = Field(1, ge=0, le=1000)
    max_size: int = Field(3, ge=1, le=1000)
    network: str | None = None

    @model_validator(mode="after")
    def _sizes(self) -> "Cluster":
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"node group sizes must satisfy min_size <= desired_size <= max_size "
                f"(got {self.min_size} <= {self.desired_size} <= {self.max_size})"
            )
        return self


class Limits(_Model):
    cpu: str | None = None
    memory: str | None = None


class Deployment(_Model):
    """A Kubernetes Deployment (and a Service when it has a port) on one of the clusters."""

    cluster: str
    image: ImageRef  # an OCI reference by the distribution grammar (agentops.imageref)
    replicas: int = Field(1, ge=0, le=1000)
    port: int | None = Field(80, ge=1, le=65535)
    namespace: str = "default"
    env: dict[str, str] = Field(default_factory=dict)
    secret_env: dict[str, str] = Field(
        default_factory=dict,
        description="env var -> Pulumi config key holding a secret (pulumi config set --secret)",
    )
    limits: Limits | None = None
    restarted_at: str | None = Field(
        None, description="bumped to restart the pods, as `kubectl rollout restart` does"
    )


class Backup(_Model):
    """An AWS Backup plan for the resource."""

    schedule: str = "cron(0 5 * * ? *)"
    retention_days: int = Field(30, ge=1, le=36500)


class Database(_Model):
    """An RDS instance."""

    engine: Literal["postgres", "mysql"]
    engine_version: str | None = None
    instance_class: str = "db.t3.micro"
    storage_gb: int = Field(20, ge=20, le=65536)
    backup_retention_days: int = Field(7, ge=0, le=35)
    deletion_protection: bool = True
    encrypted: bool = True
    multi_az: bool = False
    network: str | None = None
    backup: Backup | None = None


class Storage(_Model):
    """An S3 bucket or an EBS volume."""

    kind: Literal["bucket", "volume"] = "bucket"
    size_gb: int | None = Field(None, ge=1, le=65536, description="volumes only")
    encrypted: bool = True
    public: bool = False
    versioning: bool = False
    availability_zone: str | None = Field(None, description="volumes only; <region>a when unset")
    backup: Backup | None = None

    @model_validator(mode="after")
    def _kind_fields(self) -> "Storage":
        if self.kind == "volume" and self.size_gb is None:
            raise ValueError("a volume needs size_gb")
        if self.kind == "bucket" and self.size_gb is not None:
            raise ValueError("size_gb applies to volumes only; buckets have no size")
        return self


Metric = Literal["cpu", "memory", "disk", "network", "connections", "errors", "latency"]


class Alert(_Model):
    """A CloudWatch metric alarm on one resource of the stack."""

    target: str
    metric: Metric = "cpu"
    threshold: float
    comparison: Literal[">", ">=", "<", "<="] = ">"
    period_seconds: int = Field(300, ge=10, le=86400)
    evaluation_periods: int = Field(2, ge=1, le=100)


class Rule(_Model):
    port: int = Field(ge=0, le=65535)
    to_port: int | None = Field(None, ge=0, le=65535)
    cidr: str = "0.0.0.0/0"
    protocol: Literal["tcp", "udp", "icmp", "all"] = "tcp"
    description: str | None = None

    _cidr = field_validator("cidr")(_check_cidr)


class SecurityGroup(_Model):
    """A security group and its ingress rules."""

    network: str | None = None
    rules: list[Rule] = Field(default_factory=list)


# The resource kinds of a spec, in the order they render and print. Maps the spec section to
# the ActionPlan resource type and the parameters.kind a command would use for it.
SECTIONS: dict[str, tuple[type[_Model], str, str]] = {
    "network": (Network, "infrastructure", "network"),
    "instances": (Instances, "infrastructure", "instance"),
    "clusters": (Cluster, "infrastructure", "cluster"),
    "deployments": (Deployment, "deployment", "deployment"),
    "databases": (Database, "database", "database"),
    "storage": (Storage, "storage", "bucket"),
    "alerts": (Alert, "monitoring", "alarm"),
    "security": (SecurityGroup, "security", "firewall"),
}


class StackSpec(_Model):
    """One Pulumi stack's desired state."""

    provider: Literal["aws"] = "aws"
    region: str = Field("us-east-1", pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    tags: dict[str, str] = Field(default_factory=dict)
    network: dict[str, Network] = Field(default_factory=dict)
    instances: dict[str, Instances] = Field(default_factory=dict)
    clusters: dict[str, Cluster] = Field(default_factory=dict)
    deployments: dict[str, Deployment] = Field(default_factory=dict)
    databases: dict[str, Database] = Field(default_factory=dict)
    storage: dict[str, Storage] = Field(default_factory=dict)
    alerts: dict[str, Alert] = Field(default_factory=dict)
    security: dict[str, SecurityGroup] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names_and_references(self) -> "StackSpec":
        owners: dict[str, str] = {}
        for section, name, _ in self.resources():
            if not _NAME_RE.match(name):
                raise ValueError(
                    f"{section}.{name}: a resource name is lowercase letters, digits and '-', "
                    f"starting with a letter, at most 40 characters"
                )
            if name in owners:
                raise ValueError(
                    f"the name {name!r} is used by {owners[name]} and {section}: "
                    f"names must be unique across a stack"
                )
            owners[name] = section
        self._check_refs("deployments", "cluster", self.clusters)
        self._check_refs("alerts", "target", owners)
        for section in ("instances", "clusters", "databases", "security"):
            self._check_refs(section, "network", self.network)
        for name, group in self.instances.items():
            for sg in group.security:
                if sg not in self.security:
                    raise ValueError(
                        f"instances.{name}.security: no security group {sg!r} "
                        f"(defined: {_listing(self.security)})"
                    )
        return self

    def _check_refs(self, section: str, field: str, targets: dict) -> None:
        for name, resource in getattr(self, section).items():
            ref = getattr(resource, field)
            if ref is not None and ref not in targets:
                raise ValueError(
                    f"{section}.{name}.{field}: no {field} named {ref!r} "
                    f"(defined: {_listing(targets)})"
                )

    def resources(self) -> Iterator[tuple[str, str, _Model]]:
        """(section, name, model) for every resource, in render order."""
        for section in SECTIONS:
            for name, resource in getattr(self, section).items():
                yield section, name, resource

    def find(self, name: str) -> tuple[str, _Model] | None:
        for section, rname, resource in self.resources():
            if rname == name:
                return section, resource
        return None

    def names(self) -> list[str]:
        return [name for _, name, _ in self.resources()]


def _listing(names) -> str:
    names = list(names)
    return ", ".join(sorted(names)) if names else "none"


# ---------------------------------------------------------------------------------------------
# Reading and writing YAML


def yaml_rt() -> YAML:
    """The round-trip YAML reader/writer every spec goes through (one style for all writes)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def parse_document(text: str, source: str) -> CommentedMap:
    """YAML text -> round-trip document; a syntax error names source:line:column."""
    from agentops.specio import check_size, check_text, yaml_failure

    try:
        data = yaml_rt().load(check_text(text, source))
    except Exception as exc:  # noqa: BLE001 - ruamel raises IndexError, ValueError... on odd tags
        if not isinstance(exc, MarkedYAMLError):
            raise yaml_failure(exc, source) from None
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(
            f"{where}: YAML syntax error: {problem}",
            hint="fix the YAML at that position (indentation, a missing ':' or quote)",
        ) from None
    if data is None:
        data = CommentedMap()
    check_size(data, source)
    if not isinstance(data, CommentedMap):
        raise SpecError(f"{source}:1:1: a stack spec is a mapping (provider, region, resources...)")
    return data


def dump_document(doc: CommentedMap) -> str:
    out = io.StringIO()
    yaml_rt().dump(doc, out)
    return out.getvalue()


def _plain(node: Any) -> Any:
    """Round-trip containers -> plain dicts/lists, so pydantic sees ordinary data."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _position(doc: CommentedMap, loc: tuple) -> tuple[int, int] | None:
    """Best line/column (1-based) for a pydantic error location inside the document."""
    node: Any = doc
    best: tuple[int, int] | None = None
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line, col = node.lc.key(part)
            best = (line + 1, col + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line, col = node.lc.item(part)
            best = (line + 1, col + 1)
            node = node[part]
        else:
            break
    return best


def _allowed(error: dict) -> str:
    ctx = error.get("ctx") or {}
    if "expected" in ctx:
        return f" (allowed: {ctx['expected']})"
    return ""


def validate_document(doc: CommentedMap, source: str) -> StackSpec:
    """Round-trip document -> StackSpec; errors name file:line:column, the field and the rule."""
    try:
        return StackSpec.model_validate(_plain(doc))
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if p not in ("function-after",))
            field = ".".join(str(p) for p in loc) or "(top level)"
            pos = _position(doc, loc) or (1, 1)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                parent = StackSpec if len(loc) == 1 else None
                message = "unknown field" + (
                    f"; allowed here: {', '.join(StackSpec.model_fields)}" if parent else ""
                )
            lines.append(f"{source}:{pos[0]}:{pos[1]}: {field}: {message}{_allowed(error)}")
        raise SpecError(
            "invalid stack spec\n  " + "\n  ".join(lines),
            hint="see the README's 'Stack specs' section for the fields of each resource kind",
        ) from None


def load_spec_text(text: str, source: str) -> StackSpec:
    return validate_document(parse_document(text, source), source)


# ---------------------------------------------------------------------------------------------
# The repository's stacks


@dataclass(frozen=True)
class Workspace:
    """A GitOps repository: where stacks/ lives."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> "Workspace":
        """The nearest directory at or above `start` that has a stacks/ folder."""
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / STACKS_DIR).is_dir():
                return cls(candidate)
        raise SpecError(
            f"no {STACKS_DIR}/ directory in {here} or above",
            hint="run agentops inside a GitOps repository, or create one with `agentops init DIR`",
        )

    @property
    def stacks_dir(self) -> Path:
        return self.root / STACKS_DIR

    def stack_names(self) -> list[str]:
        return sorted(p.stem for p in self.stacks_dir.glob("*.yaml") if _is_spec_file(p))

    def spec_path(self, stack: str) -> Path:
        from agentops.safepath import checked

        name = normalize_stack_name(stack)
        path = self.stacks_dir / f"{name}.yaml"
        if not _STACK_FILE_RE.match(name):  # "../x", a NUL, a slash: never a path to open
            raise UnknownStackError(f"unknown stack {stack[:80]!r}",
                                    hint=f"stacks in {self.stacks_dir}: {_listing(self.stack_names())}")
        if path.is_symlink() or self.stacks_dir.is_symlink():
            checked(self.root, path, "stack spec")  # refused: never read or write through a link
        if not path.is_file() or not _is_spec_file(path):
            raise UnknownStackError(
                f"unknown stack {stack!r}",
                hint=f"stacks in {self.stacks_dir}: {_listing(self.stack_names())}",
            )
        return path

    def resolve_stack(self, stack: str) -> str:
        return self.spec_path(stack).stem

    def load(self, stack: str) -> StackSpec:
        return load_spec_text(self.spec_text(stack), self.display(self.spec_path(stack)))

    def spec_text(self, stack: str) -> str:
        """The spec file's text, decoded the one way every command reads a spec."""
        from agentops.specio import read

        path = self.spec_path(stack)
        return read(path, self.display(path))

    def load_all(self) -> dict[str, StackSpec]:
        return {name: self.load(name) for name in self.stack_names()}

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _is_spec_file(path: Path) -> bool:
    # Pulumi's own per-stack config files (Pulumi.<stack>.yaml) share the folder.
    return not path.name.startswith("Pulumi.")
