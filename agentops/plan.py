"""`agentops plan`: what the change from a base revision to the work tree does, per stack.

The base spec of each stack is read from git (`REV:stacks/<stack>.yaml`), the head from the
work tree (or from text the caller passes, for a proposal built elsewhere). Stacks whose spec
text is the same on both sides are not run at all; the others are rendered under Pulumi's
mocks, base and head in parallel processes, and diffed.

JSON schema (`Plan.model_dump_json()`, schema_version 1; `Plan.model_json_schema()` has it in
full): {schema_version, kind: "offline"|"pulumi-preview", note, base: {rev, label}, stacks:
[{stack, status: added|removed|changed|unchanged, resources_before, resources_after, counts:
{create, update, replace, delete}, changes: [Change], verdicts: [Verdict], cost: CostDelta|null,
notes}]}. Fields are only ever added within a schema_version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from agentops.config import RepoConfig, load_config
from agentops.diff import Change, diff_graphs
from agentops.errors import GitError, UnknownStackError
from agentops.findings import CostDelta, Verdict
from agentops.graph import ResourceGraph
from agentops.spec import STACKS_DIR, StackSpec, Workspace, load_spec_text, normalize_stack_name

SCHEMA_VERSION = 1
OFFLINE_NOTE = (
    "Offline desired-state plan: the Pulumi program was run under Pulumi's mocks for the base "
    "and the head spec and the results compared. It is not `pulumi preview`: it knows nothing "
    "of the live cloud state, and replacements are estimated. CI runs the real preview."
)

StackStatus = Literal["added", "removed", "changed", "unchanged"]


class StackPlan(BaseModel):
    stack: str
    status: StackStatus
    resources_before: int = 0
    resources_after: int = 0
    changes: list[Change] = Field(default_factory=list)
    verdicts: list[Verdict] = Field(default_factory=list)
    cost: CostDelta | None = None
    notes: list[str] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "replace": 0, "delete": 0}
        for change in self.changes:
            out[change.kind] += 1
        return out


class BaseRef(BaseModel):
    rev: str | None  # the commit planned against; None when there is none (a fresh repository)
    label: str  # how it was chosen, for people: "merge base with main (abc1234)"


class Plan(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["offline", "pulumi-preview"] = "offline"
    note: str = OFFLINE_NOTE
    base: BaseRef
    stacks: list[StackPlan] = Field(default_factory=list)

    def changed(self) -> list[StackPlan]:
        return [s for s in self.stacks if s.status != "unchanged" and s.changes]


# ---------------------------------------------------------------------------------------------
# The base revision


def _repo(workspace: Workspace):
    import git

    try:
        return git.Repo(workspace.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None


def _resolve_base(repo, base_rev: str | None, config: RepoConfig) -> BaseRef:
    import git

    if base_rev is not None:
        try:
            commit = repo.commit(base_rev)
        except (git.BadName, ValueError, git.GitCommandError):
            raise GitError(
                f"unknown revision {base_rev!r}",
                hint="give a branch, tag or commit that exists here (see `git log --oneline`)",
            ) from None
        return BaseRef(rev=commit.hexsha, label=f"{base_rev} ({commit.hexsha[:7]})")
    if not repo.head.is_valid():
        return BaseRef(rev=None, label="nothing (no commits yet): every resource is new")
    branch = config.base_branch
    for ref in (branch, f"origin/{branch}"):
        try:
            target = repo.commit(ref)
        except (git.BadName, ValueError):
            continue
        bases = repo.merge_base(repo.head.commit, target)
        if bases:
            return BaseRef(rev=bases[0].hexsha,
                           label=f"merge base with {ref} ({bases[0].hexsha[:7]})")
    # No base branch (or no common history): the last commit is the next best reference.
    head = repo.head.commit
    return BaseRef(rev=head.hexsha, label=f"HEAD ({head.hexsha[:7]}; no {branch} branch to merge-base with)")


def _base_specs(repo, rev: str | None, stacks_path: PurePosixPath) -> dict[str, str]:
    if repo is None or rev is None:
        return {}
    tree = repo.commit(rev).tree
    try:
        folder = tree / str(stacks_path)
    except KeyError:
        return {}
    from agentops.specio import decode_blob

    return {
        PurePosixPath(blob.name).stem: decode_blob(blob, f"{rev[:7]}:{stacks_path / blob.name}")
        for blob in folder.blobs
        if blob.name.endswith(".yaml") and not blob.name.startswith("Pulumi.")
    }


def _stacks_path(repo, workspace: Workspace) -> PurePosixPath:
    root = Path(repo.working_tree_dir).resolve() if repo is not None else workspace.root
    return PurePosixPath(workspace.stacks_dir.resolve().relative_to(root).as_posix())


# ---------------------------------------------------------------------------------------------
# Building the plan


def build_plan(
    workspace: Workspace,
    base_rev: str | None = None,
    stacks: list[str] | None = None,
    head_specs: dict[str, str] | None = None,
    config: RepoConfig | None = None,
) -> Plan:
    """Plan the change from base_rev (default: merge base with the base branch) to the work
    tree, or to `head_specs` (stack -> spec text) where given. Raises AgentOpsError subclasses
    for bad specs (file:line:column), unknown stacks and unknown revisions."""
    from agentops import offline
    from agentops.policy import pack_root as policy_pack_root

    # The capture processes start importing the Pulumi SDK now (about a second of CPU), while
    # this process reads git and validates the specs.
    with offline.Workers() as workers:
        config = config or load_config(workspace.root)
        sides = _read_sides(workspace, base_rev, stacks, head_specs, config)
        changed = [name for name in sides.names if sides.changed(name)]
        slots = [(name, side) for name in changed for side in ("base", "head")
                 if sides.spec(name, side) is not None]
        workers.start([(sides.spec(name, side), name, "") for name, side in slots])
        # While the workers import and render, the work that needs no graph: the policy pack
        # (pulumi_policy and the pack's own imports) and the cost estimates.
        # The workspace whose policies/ pack to run; None for agentops' packaged rules (a
        # repository without a pack of its own still gets those).
        pack_root = policy_pack_root(workspace.root)
        if slots:
            _load_pack(pack_root)
        costs = {name: _cost(sides.base_spec.get(name), sides.head_spec.get(name), name)
                 for name in changed}
        graphs: dict[tuple[str, str], ResourceGraph] = dict(zip(slots, workers.results()))

    plans = []
    for name in sides.names:
        b, h = graphs.get((name, "base")), graphs.get((name, "head"))
        plan = StackPlan(
            stack=name, status=sides.status(name),
            resources_before=_count(b), resources_after=_count(h),
            changes=diff_graphs(b, h) if name in costs else [],
        )
        if name in costs:
            plan.verdicts = _verdicts(h, config, pack_root, plan)
            plan.cost = costs[name]
        plans.append(plan)
    return Plan(base=sides.base, stacks=plans)


@dataclass
class _Sides:
    """Both sides of a plan: the spec texts by stack, and the validated specs of the stacks
    to plan."""

    base: BaseRef
    before: dict[str, str]  # stack -> spec text at the base revision
    after: dict[str, str]  # stack -> spec text in the work tree (or given)
    names: list[str]  # the stacks to plan
    base_spec: dict[str, StackSpec]
    head_spec: dict[str, StackSpec]

    def changed(self, name: str) -> bool:
        return self.before.get(name) != self.after.get(name)

    def status(self, name: str) -> StackStatus:
        if not self.changed(name):
            return "unchanged"
        return ("added" if name not in self.before
                else "removed" if name not in self.after else "changed")

    def spec(self, name: str, side: str) -> StackSpec | None:
        """The validated spec of stack `name` on `side` ("base" or "head"), if it has one."""
        return (self.base_spec if side == "base" else self.head_spec).get(name)


def _read_sides(workspace: Workspace, base_rev: str | None, stacks: list[str] | None,
                head_specs: dict[str, str] | None, config: RepoConfig) -> _Sides:
    """Read and validate both sides. Raises for an unknown stack, an unknown revision and a
    spec that does not parse or validate (file:line:column)."""
    repo = _repo(workspace)
    if repo is None:
        base = BaseRef(rev=None, label="nothing (not a git repository): every resource is new")
    else:
        base = _resolve_base(repo, base_rev, config)
    stacks_path = _stacks_path(repo, workspace)
    before = _base_specs(repo, base.rev, stacks_path)
    after = {name: workspace.spec_text(name)
             for name in workspace.stack_names()}
    after.update({normalize_stack_name(k): v for k, v in (head_specs or {}).items()})

    names = sorted(set(before) | set(after))
    if stacks:
        wanted = [normalize_stack_name(s) for s in stacks]
        unknown = [s for s in wanted if s not in names]
        if unknown:
            raise UnknownStackError(
                f"unknown stack {unknown[0]!r}",
                hint=f"stacks here: {', '.join(names) or 'none'}",
            )
        names = [n for n in names if n in wanted]

    short = base.rev[:7] if base.rev else ""
    # Validate everything before any capture: a bad spec fails with its file:line:column.
    base_spec = {n: load_spec_text(before[n], f"{short}:{stacks_path / (n + '.yaml')}")
                 for n in names if n in before}
    head_spec = {n: load_spec_text(after[n], str(stacks_path / f"{n}.yaml"))
                 for n in names if n in after}
    return _Sides(base, before, after, names, base_spec, head_spec)


def _count(graph: ResourceGraph | None) -> int:
    return sum(1 for r in graph.resources if r.custom) if graph else 0


def _load_pack(pack_root: Path | None) -> None:
    from agentops.policy import load_pack

    load_pack(pack_root)  # cached for evaluate_graph below


def _verdicts(head: ResourceGraph | None, config: RepoConfig, pack_root: Path | None,
              plan: StackPlan) -> list[Verdict]:
    from agentops.policy import evaluate_graph

    if head is None:
        return []
    if pack_root is None:
        plan.notes.append("no policies/ pack in this repository: agentops' packaged rules were checked")
    return evaluate_graph(head, config, root=pack_root)


def _cost(base: StackSpec | None, head: StackSpec | None, stack: str) -> CostDelta:
    from agentops.cost import delta, estimate

    return delta(estimate(base, stack) if base else None,
                 estimate(head, stack) if head else None, stack)
