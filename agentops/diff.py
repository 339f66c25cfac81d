"""Two resource graphs (base, head) -> the changes between them.

Resources are matched by URN. Inputs are compared leaf by leaf so an update names exactly what
changes (`spec.replicas: 3 -> 8`). Replacements are *estimated*: without the provider plugins
we cannot ask the provider whether a change forces a new resource, so we use what is known to
force one (a changed name/URN, Kubernetes' immutable fields, the usual ForceNew fields of the
AWS resources the program renders). Values only the cloud knows ("known after apply") compare
equal, so a change that only shows up after apply is not seen here; `pulumi preview` in CI is
the authority.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from agentops.graph import Resource, ResourceGraph

ChangeKind = Literal["create", "update", "replace", "delete"]


def replace_on_change() -> dict[str, tuple[str, ...]]:
    """Inputs whose change makes the provider replace the resource (prefix match on dotted
    paths), by resource type: what the kinds in effect declare (Kind.replace_on_change)."""
    from agentops.kinds import active

    return active().replace_on_change()


class FieldChange(BaseModel):
    path: str  # dotted input path, e.g. "spec.replicas" or "tags.owner"
    old: Any = None  # None when the input was absent
    new: Any = None


class Change(BaseModel):
    kind: ChangeKind
    urn: str
    type: str
    name: str
    spec_ref: str | None = None
    fields: list[FieldChange] = Field(default_factory=list)  # updates and replaces
    replace_reason: str | None = None  # why a replace is expected (always an estimate)
    old_urn: str | None = None  # a replace matched across a URN change


def _leaves(old: Any, new: Any, path: str, out: list[FieldChange]) -> None:
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            _leaves(old.get(key), new.get(key), f"{path}.{key}" if path else key, out)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new)):
            _leaves(a, b, f"{path}[{i}]", out)
        return
    out.append(FieldChange(path=path, old=old, new=new))


def field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    out: list[FieldChange] = []
    _leaves(old, new, "", out)
    return out


def _forces_replace(type_token: str, fields: list[FieldChange]) -> str | None:
    for prefix in replace_on_change().get(type_token, ()):
        for change in fields:
            if change.path == prefix or change.path.startswith((prefix + ".", prefix + "[")):
                return f"{change.path} cannot change in place"
    return None


def _is_planned(resource: Resource) -> bool:
    # Components are bookkeeping (they record the spec entry); only real resources are planned.
    return resource.custom


def diff_graphs(base: ResourceGraph | None, head: ResourceGraph | None) -> list[Change]:
    """Changes from base to head; None stands for a stack that does not exist on that side."""
    old = {r.urn: r for r in (base.resources if base else []) if _is_planned(r)}
    new = {r.urn: r for r in (head.resources if head else []) if _is_planned(r)}
    changes: list[Change] = []
    for urn, after in new.items():
        before = old.get(urn)
        if before is None:
            continue
        fields = field_changes(before.inputs, after.inputs)
        if not fields:
            continue
        reason = _forces_replace(after.type, fields)
        changes.append(Change(
            kind="replace" if reason else "update", urn=urn, type=after.type, name=after.name,
            spec_ref=after.spec_ref, fields=fields, replace_reason=reason,
        ))
    gone = [r for urn, r in old.items() if urn not in new]
    added = [r for urn, r in new.items() if urn not in old]
    # The same logical name and type under a new URN (a new parent): Pulumi without an alias
    # deletes the old one and creates the new one, which is a replace in all but name.
    by_key = {(r.type, r.name): r for r in gone}
    for after in added:
        before = by_key.pop((after.type, after.name), None)
        if before is not None:
            changes.append(Change(
                kind="replace", urn=after.urn, type=after.type, name=after.name,
                spec_ref=after.spec_ref, fields=field_changes(before.inputs, after.inputs),
                replace_reason="its URN changes (moved to another parent)", old_urn=before.urn,
            ))
        else:
            changes.append(Change(kind="create", urn=after.urn, type=after.type,
                                  name=after.name, spec_ref=after.spec_ref))
    for before in by_key.values():
        changes.append(Change(kind="delete", urn=before.urn, type=before.type,
                              name=before.name, spec_ref=before.spec_ref))
    order = {"delete": 0, "replace": 1, "update": 2, "create": 3}
    changes.sort(key=lambda c: (c.spec_ref or "", order[c.kind], c.urn))
    return changes
