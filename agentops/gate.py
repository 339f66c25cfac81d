"""The confirmation gate of `agentops apply --require-approvals`: decided from what was merged.

PR review is this product's confirmation, and this is where it is kept. Nothing the PR's author
controls can lower what the gate asks for:

- The level comes from the change that reached main: the spec diff of the merge (first
  parent vs the merge for a merge commit; parent vs commit for a squash merge or a direct
  push; the whole pushed range when a push brought more than one commit), read back into
  actions (agentops.readback) and rated by the risk table, then raised by the policy verdicts
  and the estimated replacements of the offline plan of the merged head. A diff that cannot
  be read back is high (critical when it may delete something in a production stack); a
  change to the gate's own settings (.agentops.yaml, CODEOWNERS, policies/, workflows) is at
  least high. The PR's `risk:` label and the ActionPlan in a commit message can only raise it.
- The settings (.agentops.yaml: production stacks, approvals, risk rules) and CODEOWNERS are
  read as they were BEFORE the change, so a PR cannot relax the rules it is judged by.
- An approval counts only when given on the PR's final head commit (the one merged), by
  someone other than the PR's author and the author/committer of that commit, and when it is
  the reviewer's latest word (a later "changes requested" or a dismissal takes it back). With
  `approvals.require_codeowners`, each changed stack file needs one of them from its
  CODEOWNERS owner.

GateDecision says all of that for the apply log (text) and the job summary (markdown).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agentops import gitops
from agentops.actionplan import RiskLevel
from agentops.config import CONFIG_FILE, RepoConfig, parse_config
from agentops.errors import AgentOpsError
from agentops.spec import Workspace

LEVELS = tuple(level.value for level in RiskLevel)
ZERO_SHA = "0" * 40
# Files that decide how the gate itself judges a change; changing them is at least high.
GATE_FILES = (CONFIG_FILE, "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
GATE_DIRS = ("policies/", ".github/workflows/")
COUNTING_STATES = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


class ApprovalMissing(AgentOpsError):
    """A change reached main without the approvals its risk needs."""


# ---------------------------------------------------------------------------------------------
# The level


@dataclass
class LevelSource:
    """One input to the level: where it came from, what it says, and why."""

    source: str  # diff | plan | policy | settings | label | message
    level: RiskLevel | None  # None: this source said nothing
    reasons: list[str] = field(default_factory=list)
    raises_only: bool = False  # a claim (label, message): it can raise the level, never lower it

    def line(self) -> str:
        said = self.level.value if self.level else "nothing"
        only = " (a claim: it can only raise the level)" if self.raises_only else ""
        return f"{self.source}: {said}{only}"


@dataclass
class MergedDiff:
    """Which change the gate rates: base..head and how that range was chosen."""

    head: str
    base: str | None  # None: no base (a root commit, a new branch): everything is new
    shape: str  # for people: "merge commit: first parent vs the merge", ...
    paths: list[str] = field(default_factory=list)  # repository paths changed in base..head
    stacks: list[str] = field(default_factory=list)  # stack specs changed in base..head

    @property
    def range(self) -> str:
        return f"{self.base[:12] if self.base else '(nothing)'}..{self.head[:12]}"


@dataclass
class Level:
    level: RiskLevel
    sources: list[LevelSource]
    diff: MergedDiff
    actions: list = field(default_factory=list)  # the merged diff read back (readback.Action)

    def decided_by(self) -> list[str]:
        return [s.source for s in self.sources if s.level == self.level]


def merged_diff(repo, head: str, stacks_rel: PurePosixPath, range_base: str | None = None) -> MergedDiff:
    """The change that reached main with `head`. `range_base`: the start of the pushed range
    (CI's `before`), when the caller applies a range."""
    commit = repo.commit(head)
    parents = [p.hexsha for p in commit.parents]
    if len(parents) > 1:
        base, shape = parents[0], "merge commit: its first parent vs the merge"
    elif parents:
        base, shape = parents[0], "single-parent commit (squash merge or direct push): its parent vs the commit"
    else:
        base, shape = None, "root commit: everything in it is new"
    if range_base is not None:
        if set(range_base) == {"0"}:
            base, shape = None, "first push of the branch: everything in it is new"
        else:
            start = gitops.resolve(repo, range_base)
            if start != base:
                count = repo.git.rev_list("--first-parent", "--count", f"{start}..{head}")
                base, shape = start, (f"the pushed range ({count} commits on the first-parent "
                                      f"line): everything this apply applies")
    if base is None:
        paths = repo.git.ls_tree("-r", "--name-only", head).splitlines()
    else:
        paths = repo.git.diff("--name-only", "--no-renames", base, head).splitlines()
    prefix = f"{stacks_rel.as_posix()}/"
    stacks = sorted({PurePosixPath(p).stem for p in paths
                     if p.startswith(prefix) and "/" not in p[len(prefix):]
                     and p.endswith(".yaml") and not PurePosixPath(p).name.startswith("Pulumi.")})
    return MergedDiff(head=head, base=base, shape=shape, paths=paths, stacks=stacks)


def required_level(workspace: Workspace, head_sha: str, config: RepoConfig,
                   label_level: str | None = None, range_base: str | None = None,
                   run_plan: bool = True) -> Level:
    """The level the change that reached main with head_sha is gated at, and how it was
    computed. `config`: the settings before the change (see gate_config). `run_plan`: also run
    the offline plan of the merged head for policy verdicts and estimated replacements."""
    from agentops.readback import read_back
    from agentops.risk import action_risk

    repo = gitops.open_repo(workspace.root)
    rel = _relative(workspace, repo)
    diff = merged_diff(repo, head_sha, rel / "stacks", range_base)
    sources: list[LevelSource] = []

    # 1. The spec diff, read back into actions and rated by the risk table.
    spec = lambda rev, name: gitops.file_at(repo, rev, f"{(rel / 'stacks').as_posix()}/{name}.yaml")  # noqa: E731
    before = {n: spec(diff.base, n) if diff.base else None for n in diff.stacks}
    after = {n: spec(diff.head, n) for n in diff.stacks}
    back = read_back(before, after)
    level, reasons = RiskLevel.low, []
    for action in back.actions:
        action_level, why = action_risk(action, config)
        reasons.append(f"{action_level.value}: {action.description} ({why})")
        level = _max(level, action_level)
    if not back.actions and not back.unreadable:
        reasons.append("no resource changes (comments or formatting only)")
    for stack, why in back.unreadable.items():
        worst = (RiskLevel.critical if config.is_production(stack) and stack in back.possibly_deleted
                 else RiskLevel.high)
        reasons.append(f"{worst.value}: stacks/{stack}.yaml could not be read back ({why})")
        level = _max(level, worst)
    sources.append(LevelSource("diff", level, reasons))

    # 2. The offline plan of the merged head: policy verdicts and estimated replacements.
    if run_plan and diff.stacks:
        sources.extend(_plan_sources(repo, rel, diff, config))

    # 3. The gate's own settings.
    touched = [p for p in diff.paths if _is_gate_file(p, rel)]
    if touched:
        sources.append(LevelSource("settings", RiskLevel.high,
                                   [f"high: changes the gate's own settings: {', '.join(touched)}"]))

    # 4. Claims: the PR's label and the ActionPlan in the commit messages raise, never lower.
    if label_level is not None:
        if label_level in LEVELS:
            sources.append(LevelSource("label", RiskLevel(label_level),
                                       [f"the PR is labelled risk:{label_level}"], raises_only=True))
        else:
            sources.append(LevelSource("label", None, [f"risk:{label_level} is not a level "
                                                       f"({', '.join(LEVELS)}): ignored"],
                                       raises_only=True))
    sources.append(_message_source(repo, head_sha, config))

    overall = RiskLevel.low
    for source in sources:
        if source.level is not None:
            overall = _max(overall, source.level)
    return Level(overall, sources, diff, back.actions)


def _plan_sources(repo, rel: PurePosixPath, diff: MergedDiff, config: RepoConfig) -> list[LevelSource]:
    from agentops.risk import assess_changes, policy_floor

    try:
        verdicts, changes = _offline_plan(repo, rel, diff, config)
    except AgentOpsError as exc:
        # A merged head whose specs do not plan will not apply either; it is not trusted low.
        return [LevelSource("plan", RiskLevel.high,
                            [f"high: the offline plan of the merged head failed: {exc.message}"])]
    out = []
    if changes is not None:
        rated = assess_changes(changes, config)
        out.append(LevelSource("plan", rated.level if changes else None,
                               _counted(rated.reasons) if changes else ["no resource changes"]))
    floor = policy_floor(verdicts, config)
    out.append(LevelSource(
        "policy", floor,
        [f"{v.enforcement} {v.policy} ({v.severity}): {v.message}"
         + (f" [{v.resource}]" if v.resource else "") for v in verdicts] or ["no violations"]))
    return out


def _offline_plan(repo, rel: PurePosixPath, diff: MergedDiff, config: RepoConfig):
    """(verdicts on the merged head, [(stack, op, spec_ref)] or None) for the changed stacks,
    planned in a temporary worktree of the merged head (never the checkout)."""
    from agentops.plan import build_plan

    with gitops.worktree(repo, diff.head) as tree:
        ws = Workspace(tree.path / rel)
        if diff.base is not None:
            plan = build_plan(ws, base_rev=diff.base, stacks=diff.stacks, config=config)
            verdicts = [v for s in plan.stacks for v in s.verdicts]
            changes = [(s.stack, c.kind, c.spec_ref) for s in plan.stacks for c in s.changes]
            return verdicts, changes
        # Nothing to diff against: only the head's verdicts.
        from agentops import offline
        from agentops.plan import _pack_root
        from agentops.policy import evaluate_graph

        present = [n for n in diff.stacks if n in ws.stack_names()]
        jobs = [(ws.spec_path(n).read_text(encoding="utf-8"), n, f"stacks/{n}.yaml") for n in present]
        graphs = offline.capture_many(jobs)
        root = _pack_root(ws.root)
        return [v for g in graphs for v in evaluate_graph(g, config, root=root)], None


def _counted(reasons: list[str]) -> list[str]:
    """Reasons once each, with how many resources gave them (one spec entry renders many)."""
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return [r if n == 1 else f"{r} ({n} resources)" for r, n in counts.items()]


def _message_source(repo, head_sha: str, config: RepoConfig) -> LevelSource:
    from agentops.propose import plan_from_message
    from agentops.risk import assess

    commit = repo.commit(head_sha)
    # A merge commit's message is GitHub's; the proposal's ActionPlan is on the merged tip.
    for candidate in [commit, *commit.parents[1:]]:
        plan = plan_from_message(candidate.message)
        if plan is not None:
            rated = assess(plan, config)
            return LevelSource("message", rated.level,
                               [f"{candidate.hexsha[:12]} carries an ActionPlan: "
                                + ("; ".join(rated.reasons) or "no actions")], raises_only=True)
    return LevelSource("message", None, ["no ActionPlan in the commit message"], raises_only=True)


def gate_config(workspace: Workspace, diff_base: str | None) -> RepoConfig:
    """.agentops.yaml as it was before the change (the checkout's when there is no base)."""
    from agentops.config import load_config

    if diff_base is None:
        return load_config(workspace.root)
    repo = gitops.open_repo(workspace.root)
    rel = _relative(workspace, repo)
    return parse_config(gitops.file_at(repo, diff_base, (rel / CONFIG_FILE).as_posix()),
                        f"{diff_base[:12]}:{CONFIG_FILE}")


# ---------------------------------------------------------------------------------------------
# The approvals


@dataclass
class ReviewVerdict:
    """One reviewer's latest word and whether it counts."""

    reviewer: str
    state: str
    commit: str | None
    counted: bool
    why: str


@dataclass
class GateDecision:
    head: str
    level: Level
    needed: int
    change: object | None = None  # forge.MergedChange; None: no merged PR
    reviews: list[ReviewVerdict] = field(default_factory=list)
    owners: dict[str, list[str]] = field(default_factory=dict)  # stack file -> its owners
    owner_approvals: dict[str, list[str]] = field(default_factory=dict)  # file -> approving owners
    passed: bool = False
    why: str = ""

    @property
    def approvers(self) -> list[str]:
        return [r.reviewer for r in self.reviews if r.counted]

    def summary(self) -> str:
        """One line: what the gate decided."""
        pr = f"PR #{self.change.number}: " if self.change is not None else ""
        got = f"{len(self.approvers)}/{self.needed} approvals"
        who = f" ({', '.join(self.approvers)})" if self.approvers else ""
        return (f"{pr}risk {self.level.level.value}, {got}{who}: "
                f"{'passed' if self.passed else 'stopped'}: {self.why}")

    def text(self) -> str:
        """The apply log's account of the decision."""
        lv, diff = self.level, self.level.diff
        lines = [f"gate: {'PASSED' if self.passed else 'STOPPED'}: {self.why}",
                 f"  level: {lv.level.value} (decided by: {', '.join(lv.decided_by())}); "
                 f"{self.needed} approval(s) needed",
                 f"  change rated: {diff.range} ({diff.shape}); stacks: {', '.join(diff.stacks) or 'none'}"]
        for source in lv.sources:
            lines.append(f"  {source.line()}")
            lines.extend(f"    - {r}".replace("\n", "\n      ") for r in source.reasons)
        lines.extend(self._pr_lines())
        return "\n".join(lines)

    def _pr_lines(self) -> list[str]:
        c = self.change
        if c is None:
            return [f"  no merged pull request produced {self.head[:12]}"]
        lines = [f"  PR #{c.number} {c.url}: author {c.author or '?'}; merged head "
                 f"{(c.head_sha or '?')[:12]} (last commit: {_who(c)})"]
        if not self.reviews:
            lines.append("    no approving or blocking reviews")
        for r in self.reviews:
            lines.append(f"    {r.reviewer}: {r.state} on {(r.commit or '?')[:12]}: "
                         f"{'counted' if r.counted else 'not counted'} ({r.why})")
        for path, owners in self.owners.items():
            got = self.owner_approvals.get(path) or []
            lines.append(f"    {path}: owners {', '.join(owners) or 'none'}; "
                         f"approved by {', '.join(got) or 'no owner'}")
        return lines

    def markdown(self) -> str:
        """The job summary ($GITHUB_STEP_SUMMARY)."""
        lv, diff = self.level, self.level.diff
        mark = "✅ passed" if self.passed else "⛔ stopped"
        out = [f"## agentops apply gate: {mark}", "",
               f"**{self.why}**", "",
               f"- **Risk level:** `{lv.level.value}` (decided by: {', '.join(lv.decided_by())})",
               f"- **Approvals needed:** {self.needed}; counted: {len(self.approvers)}"
               + (f" ({', '.join(self.approvers)})" if self.approvers else ""),
               f"- **Change rated:** `{diff.range}` ({diff.shape}); stacks: "
               f"{', '.join(f'`{s}`' for s in diff.stacks) or 'none'}", "",
               "### How the level was computed", "",
               "| source | level | why |", "|---|---|---|"]
        for s in lv.sources:
            why = "<br>".join(_cell(r) for r in s.reasons) or "-"
            claim = " (can only raise)" if s.raises_only else ""
            out.append(f"| {s.source}{claim} | {s.level.value if s.level else '-'} | {why} |")
        out += ["", "### Reviews", ""]
        c = self.change
        if c is None:
            out.append(f"No merged pull request produced `{self.head[:12]}`.")
        else:
            out.append(f"PR [#{c.number}]({c.url}) by `{c.author or '?'}`; merged head "
                       f"`{(c.head_sha or '?')[:12]}`, last commit: {_who(c)}.")
            out.append("")
            if self.reviews:
                out += ["| reviewer | latest review | on commit | counted |", "|---|---|---|---|"]
                out += [f"| `{r.reviewer}` | {r.state} | `{(r.commit or '?')[:12]}` | "
                        f"{'yes' if r.counted else 'no'}: {_cell(r.why)} |" for r in self.reviews]
            else:
                out.append("No approving or blocking reviews.")
            if self.owners:
                out += ["", "| stack file | CODEOWNERS owners | approved by an owner |", "|---|---|---|"]
                out += [f"| `{p}` | {', '.join(o) or 'none'} | "
                        f"{', '.join(self.owner_approvals.get(p) or []) or 'no'} |"
                        for p, o in self.owners.items()]
        return "\n".join(out) + "\n"


def _who(change) -> str:
    unknown = "an account GitHub does not know"
    return f"author {change.head_author or unknown}, committer {change.head_committer or unknown}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def review_verdicts(change, merged_head_ok: bool = True) -> list[ReviewVerdict]:
    """Each reviewer's latest approving or blocking review, and whether it counts."""
    latest: dict[str, object] = {}
    for review in change.reviews:  # oldest first: a later word replaces an earlier one
        if review.reviewer and review.state in COUNTING_STATES:
            latest[review.reviewer] = review
    excluded: dict[str, str] = {}
    for login, role in ((change.author, "the PR's author"),
                        (change.head_author, "the author of the merged head commit"),
                        (change.head_committer, "the committer of the merged head commit")):
        if login:
            excluded.setdefault(login, role)
    out = []
    for reviewer, review in sorted(latest.items()):
        counted, why = False, ""
        if review.state == "CHANGES_REQUESTED":
            why = "requested changes (their latest review)"
        elif review.state == "DISMISSED":
            why = "the review was dismissed"
        elif reviewer in excluded:
            why = f"{excluded[reviewer]} cannot approve it"
        elif not change.head_sha or review.commit_id != change.head_sha:
            why = (f"given on {(review.commit_id or '?')[:12]}, not on the merged head "
                   f"{(change.head_sha or '?')[:12]}")
        elif not merged_head_ok:
            why = "the merged commit is not the PR's head"
        else:
            counted, why = True, "approved the merged head"
        out.append(ReviewVerdict(reviewer, review.state, review.commit_id, counted, why))
    return out


def check_approvals(workspace: Workspace, head_sha: str, config: RepoConfig | None = None,
                    forge=None, range_base: str | None = None, run_plan: bool = True) -> GateDecision:
    """The gate's decision for the change that reached main with head_sha (it raises nothing:
    the caller logs the decision, then stops when it did not pass)."""
    from agentops.forge import Forge

    repo = gitops.open_repo(workspace.root)
    forge = forge or Forge.from_remote(gitops.remote_url(repo))
    if forge is None:
        raise ApprovalMissing(
            "--require-approvals needs the GitHub repository and a token to read the PR reviews",
            hint="set GITHUB_TOKEN (in Actions: permissions pull-requests: read) and an origin "
                 "remote on GitHub",
        )
    rel = _relative(workspace, repo)
    base = merged_diff(repo, head_sha, rel / "stacks", range_base).base
    config = config or gate_config(workspace, base)
    change = forge.merged_change(head_sha)
    level = required_level(workspace, head_sha, config, change.risk_level if change else None,
                           range_base=range_base, run_plan=run_plan)
    needed = config.approvals.for_level(level.level.value)
    decision = GateDecision(head=head_sha, level=level, needed=needed, change=change)
    lv = level.level.value
    if change is None:
        decision.passed = needed == 0
        decision.why = (f"risk {lv} needs no approval" if decision.passed else
                        f"{head_sha[:12]} reached {config.base_branch} without a merged pull "
                        f"request, and its risk ({lv}) needs {needed} approval(s)")
        return decision
    head_ok, head_note = _merged_is_head(repo, head_sha, change)
    decision.reviews = review_verdicts(change, head_ok)
    got = len(decision.approvers)
    if got < needed:
        decision.why = (f"PR #{change.number} is risk {lv} and has {got} approval(s) on its "
                        f"merged head; {needed} needed" + (f" ({head_note})" if head_note else ""))
        return decision
    if needed and config.approvals.require_codeowners:
        missing = _codeowners(repo, forge, level.diff, rel, decision)
        if missing:
            decision.why = (f"PR #{change.number} is risk {lv}: no approval from a CODEOWNERS owner "
                            f"of {', '.join(missing)} (approvals.require_codeowners)")
            return decision
    decision.passed = True
    decision.why = (f"risk {lv} needs no approval" if needed == 0 else
                    f"risk {lv}: {got} of {needed} approval(s) on the merged head")
    return decision


def _merged_is_head(repo, head_sha: str, change) -> tuple[bool, str]:
    """Whether what reached main is the PR's head: a merge commit's second parent must be it
    (a squash or rebase has no such link; GitHub produced it from that head)."""
    commit = repo.commit(head_sha)
    if len(commit.parents) > 1 and change.head_sha and commit.parents[1].hexsha != change.head_sha:
        return False, (f"the merge brought in {commit.parents[1].hexsha[:12]}, not the PR's head "
                       f"{change.head_sha[:12]}")
    return True, ""


def _codeowners(repo, forge, diff: MergedDiff, rel: PurePosixPath, decision: GateDecision) -> list[str]:
    """Stack files whose CODEOWNERS owners (as of the base) approved none; fills the decision."""
    from agentops import codeowners

    text = None
    for location in codeowners.LOCATIONS:
        if diff.base is not None:
            text = gitops.file_at(repo, diff.base, location)
        if text is not None:
            break
    rules = codeowners.parse(text or "")
    approvers = set(decision.approvers)
    teams: dict[str, list[str] | None] = {}
    missing = []
    for stack in diff.stacks:
        path = f"{(rel / 'stacks').as_posix()}/{stack}.yaml"
        _, owners = codeowners.owners_of(rules, path)
        decision.owners[path] = list(owners)
        approving = []
        for owner in owners:
            if owner.startswith("@") and "/" in owner:
                org, slug = owner[1:].split("/", 1)
                if owner not in teams:
                    teams[owner] = forge.team_members(org, slug)
                if teams[owner] is None:
                    decision.owners[path][decision.owners[path].index(owner)] = (
                        f"{owner} (its members cannot be read with this token)")
                members = set(teams[owner] or [])
                approving += [f"{a} ({owner})" for a in sorted(approvers & members)]
            elif owner.startswith("@") and owner[1:] in approvers:
                approving.append(owner[1:])
        decision.owner_approvals[path] = approving
        if not approving:
            missing.append(path)
    return missing


# ---------------------------------------------------------------------------------------------


def _relative(workspace: Workspace, repo) -> PurePosixPath:
    top = Path(repo.working_tree_dir).resolve()
    try:
        return PurePosixPath(workspace.root.resolve().relative_to(top).as_posix())
    except ValueError:
        raise AgentOpsError(f"{workspace.root} is not inside the repository {top}") from None


def _is_gate_file(path: str, rel: PurePosixPath) -> bool:
    inside = path[len(rel.as_posix()) + 1:] if rel.as_posix() != "." and path.startswith(
        rel.as_posix() + "/") else path
    return path in GATE_FILES or inside in GATE_FILES or inside.startswith(GATE_DIRS) \
        or path.startswith(GATE_DIRS)


def _max(a: RiskLevel, b: RiskLevel) -> RiskLevel:
    return a if a.rank >= b.rank else b
