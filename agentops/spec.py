"""Stack specs: the declarative desired state in stacks/<stack>.yaml.

A spec is plain YAML validated by the pydantic models below. It is read round-trip (ruamel.yaml)
so that edits keep comments and order, and so that a schema error can point at file:line:column.
Resources live in maps keyed by their logical name; a name is unique across all kinds in a
stack, so an Action's `name` identifies one resource.
"""

from __future__ import annotations

import copy
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any, ClassVar, Iterator, Literal

from pydantic import Field, ValidationError, create_model, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from agentops.errors import SpecError, UnknownStackError
from agentops.kinds.base import EntryModel
from agentops.kinds.loading import active, for_repository, installed

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


# Entry models derive from this (unknown keys are errors); it lives with the kinds.
_Model = EntryModel


class SpecBase(_Model):
    """What every stack spec has; the sections come from the kinds (build_spec_model)."""

    # The registry whose sections this model has (set on each built model).
    __kinds__: ClassVar[Any] = None

    provider: Literal["aws"] = "aws"
    region: str = Field("us-east-1", pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
    tags: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def kinds(cls):
        return cls.__kinds__

    @model_validator(mode="after")
    def _names_and_references(self) -> "SpecBase":
        registry = type(self).__kinds__
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
        for kind in registry:
            for name, entry in self.section(kind.section).items():
                for field, target in kind.references.items():
                    targets = owners if target == "*" else self.section(target)
                    value = getattr(entry, field)
                    for ref in (value if isinstance(value, list) else [value]):
                        if ref is not None and ref not in targets:
                            what = f"{field} named" if not isinstance(value, list) else f"{target} entry"
                            raise ValueError(
                                f"{kind.section}.{name}.{field}: no {what} {ref!r} "
                                f"(defined: {_listing(targets)})"
                            )
                kind.check(self, name, entry)
        return self

    def section(self, section: str) -> dict:
        """The entries of one section ({} for a section the registry lacks)."""
        return getattr(self, section, None) or {}

    def resources(self) -> Iterator[tuple[str, str, _Model]]:
        """(section, name, model) for every resource, in spec order."""
        for kind in type(self).__kinds__:
            for name, resource in getattr(self, kind.section).items():
                yield kind.section, name, resource

    def find(self, name: str) -> tuple[str, _Model] | None:
        for section, rname, resource in self.resources():
            if rname == name:
                return section, resource
        return None

    def names(self) -> list[str]:
        return [name for _, name, _ in self.resources()]

    def __reduce_ex__(self, protocol):
        # The installed kinds' model is importable as agentops.spec.StackSpec and pickles by
        # reference; any other (a repository's own kinds) is rebuilt from the spec's data and
        # that repository's registry where it is unpickled (the offline plan's workers).
        if type(self) is StackSpec:
            return super().__reduce_ex__(protocol)
        return (_rebuild_spec, (type(self).__kinds__.root, self.model_dump(mode="json")))


def _rebuild_spec(root: str | None, data: dict) -> "SpecBase":
    return for_repository(root).spec_model.model_validate(data)


def build_spec_model(registry) -> type[SpecBase]:
    """The model of a whole stack spec with `registry`'s sections, in spec order."""
    fields = {kind.section: (dict[str, kind.model], Field(default_factory=dict))
              for kind in registry}
    model = create_model("StackSpec", __base__=SpecBase, __module__=__name__, **fields)
    model.__kinds__ = registry
    return model


# The stack spec of the installed kinds (a repository with kinds of its own has its own model:
# Workspace.kinds.spec_model).
StackSpec = installed().spec_model


class _SectionsView(Mapping):
    """section -> (entry model, ActionPlan resource type, noun) of the active registry: the
    view older callers read; new code asks agentops.kinds."""

    def __getitem__(self, section: str):
        kind = active().kinds[section]
        return kind.model, kind.resource_type.value, kind.noun

    def __iter__(self):
        return iter(active().kinds)

    def __len__(self) -> int:
        return len(active().kinds)


SECTIONS: Mapping[str, tuple[type[_Model], str, str]] = _SectionsView()


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
    """YAML text -> round-trip document; a syntax error names source:line:column.

    The caller owns what it gets (an edit changes it in place): a copy of the document parsed
    once per (text, source). Why: ruamel's round-trip parser is pure Python, about 0.1 s for a
    400-line spec, and one command reads the same spec texts several times (load, guard, edit,
    the edit's own check); a deep copy costs a tenth of that and keeps comments and positions.
    """
    return copy.deepcopy(_parsed_once(text, source))


@functools.lru_cache(maxsize=16)
def _parsed_once(text: str, source: str) -> CommentedMap:
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


def validate_document(doc: CommentedMap, source: str, kinds=None) -> SpecBase:
    """Round-trip document -> stack spec (the model of `kinds`, the active registry when None);
    errors name file:line:column, the field and the rule. A section no kind declares is an
    error listing the known sections."""
    registry = kinds if kinds is not None else active()
    model = registry.spec_model
    try:
        return model.model_validate(_plain(doc))
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if p not in ("function-after",))
            field = ".".join(str(p) for p in loc) or "(top level)"
            pos = _position(doc, loc) or (1, 1)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field"
                if len(loc) == 1:
                    message += (f"; allowed here: {', '.join(model.model_fields)} (no kind "
                                f"declares a section {loc[0]!r}; known sections: "
                                f"{', '.join(registry.sections())})")
            lines.append(f"{source}:{pos[0]}:{pos[1]}: {field}: {message}{_allowed(error)}")
        raise SpecError(
            "invalid stack spec\n  " + "\n  ".join(lines),
            hint="see the README's 'Stack specs' section for the fields of each resource kind",
        ) from None


def load_spec_text(text: str, source: str, kinds=None) -> SpecBase:
    """Spec text -> validated spec, with `kinds` (the active registry when None)."""
    return validate_document(parse_document(text, source), source, kinds)


# ---------------------------------------------------------------------------------------------
# The repository's stacks


@dataclass(frozen=True)
class Workspace:
    """A GitOps repository: where stacks/ lives."""

    root: Path

    def __post_init__(self) -> None:
        # The repository's own kinds (.agentops.yaml `kinds:`) are in effect from here on:
        # specs, edits, the grammar and the offline plan's workers read them.
        for_repository(self.root)

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

    @property
    def kinds(self):
        """The kinds in effect here: the installed ones and the repository's own (which also
        become the process's active registry)."""
        return for_repository(self.root)

    def spec_text(self, stack: str) -> str:
        """The spec file's text, decoded the one way every command reads a spec."""
        from agentops.specio import read

        path = self.spec_path(stack)
        return read(path, self.display(path))

    def load(self, stack: str) -> SpecBase:
        return load_spec_text(self.spec_text(stack), self.display(self.spec_path(stack)), self.kinds)

    def load_all(self) -> dict[str, SpecBase]:
        return {name: self.load(name) for name in self.stack_names()}

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


def _is_spec_file(path: Path) -> bool:
    # Pulumi's own per-stack config files (Pulumi.<stack>.yaml) share the folder.
    return not path.name.startswith("Pulumi.")
