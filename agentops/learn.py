"""`agentops learn`: what became of every proposal, read from git history (the truth), into
the memory (agentops.memory, a cache of it).

A proposal is a commit whose message carries the command and the ActionPlan (agentops.propose).
For each one, history says:

- merged: its change reached the base branch as proposed (a merge, a fast-forward, a rebase
  or a squash whose stack diff has the proposal's patch-id);
- amended: the branch got more commits before merging, or what was merged differs from the
  proposal; the merged change is read back into the ActionPlan that would have produced it
  (agentops.readback: spec diff -> actions) and kept as the correction;
- reverted: a commit on the base branch says "This reverts commit <sha>" of the proposal, its
  merge or its squash (`agentops rollback` or a plain `git revert`), with the revert's reason;
- rejected: its branch is gone without it being merged (known from the memory's propose-time
  row), or its pull request was closed unmerged (the forge, when there is a token);
- open: otherwise.

Commits on the base branch that change stacks/ without a command (hand edits) are recorded
with their read-back actions. One pass is a handful of git processes whatever the history's
size (one log of all commits, one log -p piped through patch-id, one cat-file for the spec
texts of amended changes); a pass whose refs have not moved since the last one costs one
`git for-each-ref` (refresh(), run at the start of interpret and propose).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from agentops.memory import LEARN_STATE_FILE as STATE_FILE
from agentops.memory import DamagedMemory, Entry, Memory, now_iso

# Bump when the way outcomes are derived changes: the next refresh re-learns everything.
LEARN_VERSION = 2
PLAN_TRAILER = "\nActionPlan:\n"
SUBJECT_PREFIX = "agentops: "
_REVERTS = re.compile(r"This reverts commit ([0-9a-f]{40})")
_PR_NUMBER = re.compile(r"\(#(\d+)\)\s*$|Merge pull request #(\d+)")


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author: str
    authored: int
    committed: int
    message: str

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True)
class Carried:
    """What a proposal commit's message carries, as the pass needs it (cached across passes:
    the ActionPlan is validated again only when a correction is read back)."""

    command: str
    plan_json: str
    plan_line: str
    stacks: str
    risk: str


@dataclass
class Proposal:
    key: str
    commit: Commit
    carried: Carried
    copies: list[str] = field(default_factory=list)  # rebased / cherry-picked shas

    @property
    def plan(self):
        from agentops.actionplan import ActionPlan

        return ActionPlan.model_validate_json(self.carried.plan_json)


@dataclass
class LearnReport:
    entries: int = 0
    changed: int = 0
    skipped: bool = False           # refs unchanged since the last pass
    rebuilt: bool = False           # the table was damaged and rebuilt from history
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def proposal_key(command: str, authored_epoch: int) -> str:
    """A proposal's identity: its command and its author time, which a rebase, a cherry-pick
    or a rebase-merge keep (the sha they do not)."""
    return hashlib.sha256(f"{command}\0{int(authored_epoch)}".encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Entry points


def refresh(root: Path) -> LearnReport | None:
    """The cheap incremental pass (start of interpret and propose): nothing when the refs have
    not moved. Never fails the caller: memory helps, it is not needed."""
    from agentops.errors import GitError

    try:
        return learn(root, incremental=True, use_forge=False)
    except GitError:
        return None  # not a git repository (or no commits yet): no history to learn from
    except Exception as exc:  # noqa: BLE001 - a broken memory must not stop a command
        print(f"warning: learning from history failed, memory not updated: {exc}", file=sys.stderr)
        return None


def learn(root: Path, incremental: bool = False, use_forge: bool = True) -> LearnReport:
    """Derive every outcome from history and store what changed. Idempotent; one process at a
    time (the memory's file lock; a second one waits, then finds nothing to do)."""
    import time

    started = time.perf_counter()
    root = Path(root)
    git = _Git(root)
    memory = Memory(root)
    report = LearnReport()
    refs = git.refs()
    fingerprint = hashlib.sha256(
        f"{LEARN_VERSION}\0{refs}".encode()).hexdigest()
    if incremental and _state(memory).get("fingerprint") == fingerprint:
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report
    with memory.lock():
        state = _state(memory)
        if incremental and state.get("fingerprint") == fingerprint:
            report.skipped = True  # another process learned it while we waited
            report.seconds = time.perf_counter() - started
            return report
        memory.migrate()
        try:
            old = memory.entries()
        except DamagedMemory as exc:
            print(f"warning: {exc}; rebuilding it from git history", file=sys.stderr)
            memory.drop("outcomes")
            old, report.rebuilt = [], True
        from agentops.config import load_config

        base_branch = load_config(root).base_branch
        forge = _forge(git) if use_forge else None
        cache = _load_cache(memory)
        new = History(git, base_branch, old, forge, cache).entries()
        before = {e.key: e for e in old}
        changed = [e for e in new if e.key not in before or before[e.key].teaching() != e.teaching()]
        for e in new:  # an unchanged row keeps the time it was first written
            if e.key in before and e not in changed:
                e.recorded_at = before[e.key].recorded_at
        removed = sorted(set(before) - {e.key for e in new})
        if not old or report.rebuilt:
            if new or (memory.path / "outcomes.lance").is_dir():  # nothing to write: no LanceDB
                memory.replace_entries(new)
        elif changed or removed:
            memory.update_entries(changed, removed)
        _save_cache(memory, cache)
        _save_state(memory, {"fingerprint": fingerprint, "learned_at": now_iso()})
    report.entries, report.changed = len(new), len(changed)
    for e in new:
        report.counts[e.outcome] = report.counts.get(e.outcome, 0) + 1
    report.seconds = time.perf_counter() - started
    return report


def _state(memory: Memory) -> dict:
    try:
        return json.loads((memory.path / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _save_state(memory: Memory, state: dict) -> None:
    tmp = memory.path / f"{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state))
    tmp.replace(memory.path / STATE_FILE)


CACHE_FILE = "learn-cache.pickle"


def _load_cache(memory: Memory) -> dict:
    """What earlier passes read from git (commits, patch-ids, parsed plans, read-backs),
    so that a pass reads only the commits new since. Derived from git alone: an unreadable
    or stale cache is simply dropped."""
    import pickle

    try:
        with open(memory.path / CACHE_FILE, "rb") as fh:
            cache = pickle.load(fh)
        if isinstance(cache, dict) and cache.get("version") == LEARN_VERSION:
            return cache
    except Exception:  # noqa: BLE001 - any failure: start from nothing
        pass
    return {"version": LEARN_VERSION}


def _save_cache(memory: Memory, cache: dict) -> None:
    import pickle

    tmp = memory.path / f"{CACHE_FILE}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(cache, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(memory.path / CACHE_FILE)


def _forge(git: "_Git"):
    from agentops.forge import Forge

    try:
        return Forge.from_remote(git.run("remote", "get-url", "origin", check=False).strip() or None)
    except Exception:  # noqa: BLE001 - without a forge, the local branches decide
        return None


# ---------------------------------------------------------------------------------------------
# git, a few processes per pass


class _Git:
    def __init__(self, root: Path):
        self.root = root
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True)
        if out.returncode != 0:
            from agentops.errors import GitError

            raise GitError(f"{root} is not inside a git repository",
                           hint="learning reads the repository's history: run it inside one")
        top = out.stdout.strip()
        rel = Path(root).resolve().relative_to(Path(top).resolve()).as_posix()
        self.stacks = "stacks" if rel in ("", ".") else f"{rel}/stacks"

    def run(self, *args: str, input: str | None = None, check: bool = True) -> str:
        out = subprocess.run(["git", *args], cwd=self.root, input=input, capture_output=True,
                             text=True, encoding="utf-8", errors="replace")
        if check and out.returncode != 0:
            from agentops.errors import GitError

            raise GitError(f"git {' '.join(args[:2])} failed: {out.stderr.strip()}")
        return out.stdout

    def refs(self) -> str:
        return self.run("for-each-ref", "--format=%(objectname) %(refname)")

    def commits(self, known_tips: list[str] = ()) -> dict[str, Commit]:
        """Every commit reachable from a ref, less those reachable from `known_tips` (read
        by an earlier pass; tips since gone are ignored)."""
        text = self.run("log", "--all", "--ignore-missing",
                        "--format=%x1e%H%x1f%P%x1f%an%x1f%at%x1f%ct%x1f%B", *_not(known_tips))
        out = {}
        for record in text.split("\x1e")[1:]:
            sha, parents, author, at, ct, message = record.split("\x1f", 5)
            out[sha] = Commit(sha, parents.split(), author, int(at), int(ct), message.strip("\n"))
        return out

    def stack_patches(self, known_tips: list[str] = ()) -> tuple[dict[str, str], dict[str, list[str]]]:
        """For every commit that changes stacks/ (a merge: against its first parent): the
        patch-id of that change and the spec files it touches."""
        log = self.run("log", "--all", "--ignore-missing", "-p", "--diff-merges=first-parent",
                       "--no-renames", "--no-color", "--format=commit %H", *_not(known_tips),
                       "--", self.stacks)
        files: dict[str, list[str]] = {}
        current = None
        for line in log.splitlines():
            if line.startswith("commit "):
                current = line[7:]
                files.setdefault(current, [])
            elif line.startswith("diff --git ") and current:
                path = line.split(" b/", 1)[-1]
                files[current].append(path)
        ids = {}
        for line in self.run("patch-id", "--stable", input=log).splitlines():
            pid, sha = line.split()
            ids[sha] = pid
        return ids, files

    def texts(self, revs_paths: list[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """File texts at revisions, one `git cat-file --batch` for all of them."""
        if not revs_paths:
            return {}
        data = "".join(f"{rev}:{path}\n" for rev, path in revs_paths).encode()
        out = subprocess.run(["git", "cat-file", "--batch"], cwd=self.root, input=data,
                             capture_output=True, check=True).stdout
        result, pos = {}, 0
        for key in revs_paths:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode()
            pos = end + 1
            if header.endswith(" missing") or header.endswith(" ambiguous"):
                result[key] = None
                continue
            size = int(header.split()[2])
            result[key] = out[pos:pos + size].decode("utf-8", errors="replace")
            pos += size + 1
        return result


# ---------------------------------------------------------------------------------------------
# What became of each proposal


def _carried(message: str) -> Carried | None:
    from agentops.propose import plan_from_message

    plan = plan_from_message(message)
    if plan is None:
        return None
    return Carried(plan.command, plan.model_dump_json(), _render(plan.actions),
                   ",".join(plan.stacks), plan.risk_level.value)


def _render(actions) -> str:
    from agentops.planline import render

    return render(actions)


def _not(tips) -> list[str]:
    return ["--not", *tips] if tips else []


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


class History:
    def __init__(self, git: _Git, base_branch: str, known: list[Entry], forge=None,
                 cache: dict | None = None):
        self.git = git
        self.cache = cache if cache is not None else {}
        self.known = known
        self.known_by_key = {k.key: k for k in known}
        self.known_by_sha = {k.sha: k for k in known if k.sha}
        self.forge = forge
        self.refs = {}
        for line in git.refs().splitlines():
            sha, ref = line.split(" ", 1)
            self.refs[ref] = sha
        head = git.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip()
        tips = sorted(set(self.refs.values()) | ({head} if head else set()))
        known_tips = self.cache.get("tips", [])
        every = self.cache.setdefault("commits", {})
        self.plans = self.cache.setdefault("plans", {})      # sha -> Carried (proposals only)
        self.now = now_iso()
        for sha, commit in git.commits(known_tips).items():
            if PLAN_TRAILER in commit.message and commit.subject.startswith(SUBJECT_PREFIX):
                carried = _carried(commit.message)
                if carried is not None:
                    self.plans[sha] = carried
                    # the plan is kept parsed: the message's JSON need not be kept too
                    commit.message = commit.message.split(PLAN_TRAILER, 1)[0]
            every[sha] = commit
        ids, files = git.stack_patches(known_tips)
        self.cache.setdefault("patch_ids", {}).update(ids)
        self.cache.setdefault("files", {}).update(files)
        self.cache["tips"] = tips
        # What is reachable now (a deleted branch's commits stay in the cache, not here).
        reachable: set[str] = set()
        todo = [t for t in tips if t in every]
        while todo:
            s = todo.pop()
            if s not in reachable and s in every:
                reachable.add(s)
                todo.extend(every[s].parents)
        self.commits = {s: every[s] for s in reachable}
        self.readbacks = self.cache.setdefault("readbacks", {})
        # tip sha -> branch name, for agentops/<slug> branches (local or origin's)
        self.proposal_refs = {}
        for ref, sha in sorted(self.refs.items(), reverse=True):  # refs/heads/ wins
            name = ref.removeprefix("refs/heads/").removeprefix("refs/remotes/origin/")
            if name.startswith("agentops/"):
                self.proposal_refs[sha] = name
        self.base = self._base_tip(base_branch)
        self.mainline = self._first_parents(self.base)
        self.on_base = self._ancestors(self.base)
        self.patch_ids, self.files = self.cache["patch_ids"], self.cache["files"]

    # -- graph helpers -------------------------------------------------------------------------

    def _base_tip(self, branch: str) -> str | None:
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            if ref in self.refs:
                return self.refs[ref]
        head = self.git.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip()
        return head or None

    def _first_parents(self, sha: str | None) -> list[str]:
        out = []
        while sha and sha in self.commits:
            out.append(sha)
            parents = self.commits[sha].parents
            sha = parents[0] if parents else None
        return out

    def _ancestors(self, sha: str | None) -> set[str]:
        seen: set[str] = set()
        stack = [sha] if sha else []
        while stack:
            s = stack.pop()
            if s in seen or s not in self.commits:
                continue
            seen.add(s)
            stack.extend(self.commits[s].parents)
        return seen

    def _branch_commits(self, merge: Commit, mainline: set[str]) -> list[str]:
        """The commits a merge brought in: from its second parent back to the mainline."""
        out, stack, seen = [], list(merge.parents[1:]), set()
        while stack and len(out) < 10_000:
            s = stack.pop()
            if s in seen or s in mainline or s not in self.commits:
                continue
            seen.add(s)
            out.append(s)
            stack.extend(self.commits[s].parents)
        return out

    # -- the pass ----------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        proposals: dict[str, Proposal] = {}
        by_sha: dict[str, Proposal] = {}
        for commit in sorted(self.commits.values(), key=lambda c: c.committed):
            carried = self.plans.get(commit.sha)
            if carried is None:
                continue
            key = proposal_key(carried.command, commit.authored)
            if key in proposals:
                proposals[key].copies.append(commit.sha)
            else:
                proposals[key] = Proposal(key, commit, carried)
            by_sha[commit.sha] = proposals[key]

        mainline = set(self.mainline)
        # What landed each proposal on the base branch: (how, the landing commit, the change's
        # base and head revisions).
        landed: dict[str, tuple[str, Commit, str, str, list[str]]] = {}
        fixups: set[str] = set()
        squashed: set[str] = set()
        by_subject: dict[str, list[Proposal]] = {}
        for p in proposals.values():
            by_subject.setdefault(p.commit.subject.strip(), []).append(p)
        for sha in reversed(self.mainline):  # oldest first
            commit = self.commits[sha]
            if len(commit.parents) > 1:
                brought = self._branch_commits(commit, mainline)
                found = [by_sha[s] for s in brought if s in by_sha]
                for p in {id(p): p for p in found}.values():
                    landed.setdefault(p.key, ("merge", commit, commit.parents[0], sha,
                                              [s for s in brought if s not in by_sha]))
                if found:
                    fixups.update(s for s in brought if s not in by_sha)
            elif sha not in by_sha:
                p = self._squash_of(commit, by_sha, by_subject)
                if p is not None and p.key not in landed:
                    landed[p.key] = ("squash", commit, commit.parents[0] if commit.parents else "", sha, [])
                    squashed.add(sha)
        for p in proposals.values():
            if p.key in landed:
                continue
            on = [s for s in [p.commit.sha, *p.copies] if s in self.on_base]
            if on:  # fast-forward or rebase-merge: the proposal commit itself is on the base
                sha = on[-1]
                commit = self.commits[sha]
                tip = self._branch_tip(p)
                extra = []
                if tip and tip != sha and tip in self.on_base and sha in self._ancestors(tip):
                    extra = [s for s in self._ancestors(tip) - self._ancestors(sha)]
                    fixups.update(extra)
                    landed[p.key] = ("fast-forward", commit, commit.parents[0] if commit.parents else "",
                                     tip if extra else sha, extra)
                else:
                    landed[p.key] = ("fast-forward", commit, commit.parents[0] if commit.parents else "", sha, [])

        reverts = self._reverts()
        entries: list[Entry] = []
        corrections_needed: list[tuple[Entry, Proposal, str, str]] = []
        for p in proposals.values():
            entry = self._entry(p)
            if p.key in landed:
                how, commit, change_base, change_head, extra = landed[p.key]
                entry.merge_sha = commit.sha
                entry.decided_at = entry.merged_at = _iso(commit.committed)
                entry.decided_by = commit.author
                if match := _PR_NUMBER.search(commit.subject):
                    entry.pr = entry.pr or f"#{match[1] or match[2]}"
                # the change that landed: a merge's or squash's own diff; a fast-forward's is
                # the proposal commit itself (plus any fixups, which make it amended anyway)
                merged_pid = self.patch_ids.get(commit.sha) if how != "fast-forward" else None
                proposed_pid = self.patch_ids.get(p.commit.sha)
                if extra or (how != "fast-forward" and merged_pid != proposed_pid):
                    entry.outcome = "amended"
                    corrections_needed.append((entry, p, change_base, change_head))
                else:
                    entry.outcome = "merged"
                revert = next((reverts[s] for s in (p.commit.sha, *p.copies, commit.sha, change_head)
                               if s in reverts), None)
                if revert is not None:
                    entry.outcome = "reverted"
                    entry.revert_sha = revert.sha
                    entry.decided_at = _iso(revert.committed)
                    entry.decided_by = revert.author
                    entry.reason = _revert_reason(revert.message)
            else:
                entry.outcome = "open"
            entries.append(entry)
        self._read_corrections(corrections_needed)
        self._approvers(entries)
        self._rejected(entries)
        entries.extend(self._hand_edits(by_sha, fixups | squashed, reverts))
        # What the memory knows that history cannot show: failed attempts, and proposals whose
        # branch was deleted before any learn saw it.
        seen = {e.key for e in entries}
        seen_shas = {e.sha for e in entries}
        landed_at: dict[str, list[str]] = {}
        for e in entries:
            if e.merged_at:
                landed_at.setdefault(e.command, []).append(e.merged_at)
        for old in self.known:
            if old.key in seen or (old.sha and old.sha in seen_shas):
                continue
            if old.kind == "proposal" and any(t >= old.proposed_at for t in landed_at.get(old.command, [])):
                continue  # landed as a copy (a squash or rebase on the forge): that entry says it
            if old.kind == "failed":
                entries.append(old)
            elif old.kind == "proposal" and old.sha and old.sha not in self.commits:
                entries.append(_rejected_copy(old, "branch deleted without merging"))
            elif old.kind == "proposal" and old.outcome == "rejected":
                entries.append(old)
        entries.sort(key=lambda e: (e.proposed_at, e.key))
        return entries

    def _entry(self, p: Proposal) -> Entry:
        c = p.carried
        known = self.known_by_key.get(p.key) or self.known_by_sha.get(p.commit.sha)
        return Entry(
            key=p.key, kind="proposal", outcome="open", command=c.command, sha=p.commit.sha,
            branch=(known.branch if known else "") or self._branch_of(p),
            pr=known.pr if known else "", stacks=c.stacks, risk=c.risk, plan_json=c.plan_json,
            plan_line=c.plan_line, proposed_at=_iso(p.commit.authored),
            approvers=known.approvers if known else "", recorded_at=self.now)

    def _branch_of(self, p: Proposal) -> str:
        for sha in (p.commit.sha, *p.copies):
            if sha in self.proposal_refs:
                return self.proposal_refs[sha]
        return ""

    def _branch_tip(self, p: Proposal) -> str | None:
        known = self.known_by_key.get(p.key)
        branch = self._branch_of(p) or (known.branch if known else "")
        if not branch:
            return None
        return self.refs.get(f"refs/heads/{branch}") or self.refs.get(f"refs/remotes/origin/{branch}")

    def _squash_of(self, commit: Commit, by_sha: dict, by_subject: dict) -> Proposal | None:
        """The proposal a squash commit landed: named by its sha ("Squashed commit of the
        following: commit <sha>"), or by its subject ("agentops: <command> (#12)")."""
        for sha in re.findall(r"\b[0-9a-f]{40}\b", commit.message):
            if sha in by_sha and not _REVERTS.search(commit.message):
                return by_sha[sha]
        for line in commit.message.splitlines():
            text = _PR_NUMBER.sub("", line.strip().lstrip("* ")).strip()
            if text.startswith(SUBJECT_PREFIX) and text in by_subject:
                earlier = [p for p in by_subject[text] if p.commit.committed <= commit.committed]
                if earlier:
                    return earlier[-1]
        return None

    def _reverts(self) -> dict[str, Commit]:
        """Reverted sha -> the revert, for reverts on the base branch that were not themselves
        reverted."""
        found = {}
        for sha in self.on_base:
            commit = self.commits[sha]
            if match := _REVERTS.search(commit.message):
                found[match[1]] = commit
        undone = {t for t, r in found.items() if r.sha in found}
        return {t: r for t, r in found.items() if r.sha not in found and t not in undone}

    def _read_corrections(self, needed: list[tuple[Entry, Proposal, str, str]]) -> None:
        """The ActionPlan of what was merged, for each amended proposal (agentops.readback)."""
        from agentops.actionplan import ActionPlan
        from agentops.planline import render

        todo = []
        for item in needed:
            entry, p, base, head = item
            done = self.readbacks.get(("amended", p.commit.sha, base, head))
            if done is None:
                todo.append(item)
            else:
                entry.correction_json, entry.correction_line, reason = done
                entry.reason = entry.reason or reason
        needed = todo
        if not needed:
            return
        wanted = []
        stacks_of = {}
        for entry, p, base, head in needed:
            paths = set(self.files.get(p.commit.sha, []))
            for sha in (head, entry.merge_sha):
                paths.update(self.files.get(sha, []))
            paths = sorted(p for p in paths if p.endswith(".yaml"))
            stacks_of[entry.key] = paths
            parent = p.commit.parents[0] if p.commit.parents else ""
            for rev in (base, head, parent, p.commit.sha):
                wanted.extend((rev, path) for path in paths if rev)
        texts = self.git.texts(list(dict.fromkeys(wanted)))
        for entry, p, base, head in needed:
            paths = stacks_of[entry.key]
            name = lambda path: Path(path).stem  # noqa: E731
            merged = _read_back({name(x): texts.get((base, x)) for x in paths},
                                {name(x): texts.get((head, x)) for x in paths})
            parent = p.commit.parents[0] if p.commit.parents else ""
            proposed = _read_back({name(x): texts.get((parent, x)) for x in paths},
                                  {name(x): texts.get((p.commit.sha, x)) for x in paths})
            if merged.unreadable:
                entry.reason = "; ".join(f"stacks/{s}.yaml: {r}" for s, r in merged.unreadable.items())
            actions = trim_correction(merged.actions, proposed.actions, p.plan.actions)
            correction = ActionPlan(command=p.plan.command,
                                    interpretation="As merged after review.", actions=actions)
            entry.correction_json = correction.model_dump_json()
            entry.correction_line = render(actions)
            reason = entry.reason
            if entry.correction_line == entry.plan_line and not merged.unreadable:
                # the extra commits changed nothing the command says: a correction of detail
                reason = "amended: the change differs only in details the command does not state"
                entry.reason = entry.reason or reason
            self.readbacks[("amended", p.commit.sha, base, head)] = (
                entry.correction_json, entry.correction_line, reason)

    def _approvers(self, entries: list[Entry]) -> None:
        """Who approved each merged change, from its pull request on the forge (asked once
        per merge commit; remembered in the cache)."""
        for entry in entries:
            if not entry.merge_sha:
                continue
            key = ("approvers", entry.merge_sha)
            if key not in self.readbacks and self.forge is not None:
                try:
                    change = self.forge.merged_change(entry.merge_sha)
                except Exception as exc:  # noqa: BLE001 - git still says who merged it
                    print(f"warning: could not read the pull request of {entry.merge_sha[:7]}: {exc}",
                          file=sys.stderr)
                    self.forge = None  # one failure is enough: the forge is down or refusing
                    continue
                self.readbacks[key] = (change.url, ",".join(_approved_by(change))) if change else ("", "")
            if key in self.readbacks:
                url, approvers = self.readbacks[key]
                entry.pr = url or entry.pr
                entry.approvers = approvers or entry.approvers

    def _rejected(self, entries: list[Entry]) -> None:
        """Open proposals whose branch is gone (deleted, never merged), or whose PR was closed
        unmerged on the forge."""
        closed = self._closed_pulls()
        for entry in entries:
            if entry.outcome != "open":
                continue
            pr = closed.get(entry.branch) if entry.branch else None
            if pr is not None:
                entry.outcome = "rejected"
                entry.pr = pr["url"]
                entry.decided_at = pr["closed_at"]
                entry.decided_by = pr["by"]
                entry.reason = f"pull request {pr['url']} closed unmerged"
                continue
            if not entry.branch:
                continue
            has_ref = any(ref in self.refs for ref in (f"refs/heads/{entry.branch}",
                                                        f"refs/remotes/origin/{entry.branch}"))
            if not has_ref:
                entry.outcome = "rejected"
                entry.reason = f"branch {entry.branch} deleted without merging"

    def _closed_pulls(self) -> dict[str, dict]:
        if self.forge is None:
            return {}
        try:
            pulls = self.forge.repo.get_pulls(state="closed")
            out = {}
            for pr in pulls:
                if pr.merged_at is None and not pr.merged:
                    out[pr.head.ref] = {"url": pr.html_url, "by": pr.user.login if pr.user else "",
                                        "closed_at": pr.closed_at.isoformat() if pr.closed_at else ""}
            return out
        except Exception as exc:  # noqa: BLE001 - the local branches still decide
            print(f"warning: could not list closed pull requests: {exc}", file=sys.stderr)
            return {}

    def _hand_edits(self, by_sha: dict, excluded: set[str], reverts: dict) -> list[Entry]:
        """Commits on the base branch that change stacks/ without a command: they teach the
        repository's names and conventions."""
        from agentops.actionplan import ActionPlan
        from agentops.planline import render

        picked = []
        for sha in self.on_base:
            commit = self.commits[sha]
            if (sha in by_sha or sha in excluded or len(commit.parents) != 1
                    or not self.files.get(sha) or _REVERTS.search(commit.message)):
                continue
            picked.append(commit)
        out = []
        for c in [c for c in picked if ("hand", c.sha) in self.readbacks]:
            out.append(Entry(**self.readbacks[("hand", c.sha)]))
        picked = [c for c in picked if ("hand", c.sha) not in self.readbacks]
        if not picked:
            return out
        paths = {c.sha: sorted(p for p in self.files[c.sha] if p.endswith(".yaml")) for c in picked}
        texts = self.git.texts(list(dict.fromkeys(
            (rev, path) for c in picked for path in paths[c.sha] for rev in (c.parents[0], c.sha))))
        for c in picked:
            back = _read_back({Path(x).stem: texts.get((c.parents[0], x)) for x in paths[c.sha]},
                              {Path(x).stem: texts.get((c.sha, x)) for x in paths[c.sha]})
            plan = ActionPlan(command=c.subject, interpretation="A hand edit.", actions=back.actions)
            out.append(Entry(
                key=f"hand:{c.sha[:16]}", kind="hand-edit", outcome="hand-edit", command=c.subject,
                sha=c.sha, stacks=",".join(sorted({Path(x).stem for x in paths[c.sha]})),
                correction_json=plan.model_dump_json(), correction_line=render(back.actions),
                merge_sha=c.sha, proposed_at=_iso(c.authored), decided_at=_iso(c.committed),
                decided_by=c.author, recorded_at=self.now,
                reason="; ".join(f"{s}: {r}" for s, r in back.unreadable.items())))
            self.readbacks[("hand", c.sha)] = out[-1].as_row()
        return out


_PARSED: dict[str, object] = {}


def _approved_by(change) -> list[str]:
    """Who approved a merged PR (forge.MergedChange): its `approvers` where it lists them,
    else each reviewer whose latest review approved (the PR's author never counts). The gate
    branch's MergedChange carries the reviews rather than the list."""
    listed = getattr(change, "approvers", None)
    if listed is not None:
        return list(listed)
    latest: dict[str, str] = {}
    for review in getattr(change, "reviews", []) or []:
        if review.reviewer:
            latest[review.reviewer] = review.state
    author = getattr(change, "author", None)
    return sorted(r for r, state in latest.items() if state == "APPROVED" and r != author)


def _read_back(base: dict, head: dict):
    """agentops.readback over spec texts, with each distinct text parsed once per process by
    PyYAML's C loader. readback.read_back parses with the round-trip loader the editor needs
    (comments, order): ~50x slower, and a history of a thousand proposals is a thousand texts.
    The read-back itself is readback.actions_from_spec_diff, unchanged."""
    from agentops.readback import ReadBack, UnreadableDiff, actions_from_spec_diff

    out = ReadBack()
    for stack in sorted(set(base) | set(head)):
        before, after = base.get(stack), head.get(stack)
        if before == after:
            continue
        try:
            out.actions.extend(actions_from_spec_diff({stack: _parse(stack, before)},
                                                      {stack: _parse(stack, after)}))
        except UnreadableDiff as exc:
            out.unreadable[stack] = exc.reason
    return out


def _parse(stack: str, text: str | None):
    import yaml

    from agentops.readback import UnreadableDiff

    if text is None:
        return None
    if text not in _PARSED:
        try:
            _PARSED[text] = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            _PARSED[text] = UnreadableDiff(stack, f"not valid YAML: {str(exc).splitlines()[0]}")
        if len(_PARSED) > 4096:
            _PARSED.pop(next(iter(_PARSED)))
    value = _PARSED[text]
    if isinstance(value, UnreadableDiff):
        raise UnreadableDiff(stack, value.reason)
    return value


def trim_correction(merged, proposed, planned):
    """The merged actions, saying only what a command would: the read-back of a spec diff
    carries every canonical setting of a new entry (defaults the edit filled in), which the
    command never stated. A parameter stays when the original plan said it, or when the
    reviewer changed it (it differs from what the proposal's own edit wrote)."""
    out = []
    used_proposed: set[int] = set()
    used_planned: set[int] = set()
    for action in merged:
        match_p = _match(action, proposed, used_proposed)
        match_plan = _match(action, planned, used_planned)
        if match_p is None and match_plan is None:
            out.append(action.model_copy(update={"description": ""}))
            continue
        said = set(match_plan.parameters.set_values()) if match_plan is not None else set()
        edited = match_p.parameters.set_values() if match_p is not None else {}
        values = action.parameters.set_values()
        keep = {k: v for k, v in values.items() if k in said or edited.get(k) != v}
        params = type(action.parameters)(**keep)
        out.append(action.model_copy(update={"parameters": params, "description": ""}))
    return out


def _match(action, candidates, used: set[int]):
    for exact in (True, False):
        for i, c in enumerate(candidates):
            if i in used or c.type != action.type or c.resource != action.resource:
                continue
            if c.stack and action.stack and c.stack != action.stack:
                continue
            if exact and c.name != action.name:
                continue
            used.add(i)
            return c
    return None


def _revert_reason(message: str) -> str:
    """The human part of a revert's message: a "Reason:" line when there is one (`agentops
    rollback --reason` writes it); otherwise the body less git's "This reverts commit ...,
    reversing changes made to ..." and agentops rollback's generated "restoring" sentence."""
    lines = [line.strip() for line in message.splitlines()[1:]]
    for line in lines:
        if line.lower().startswith("reason:"):
            return line[len("reason:"):].strip()[:300]
    kept = [line for line in lines
            if line and not _REVERTS.search(line)
            and not re.fullmatch(r"changes made to [0-9a-f]{7,40}\.", line)
            and not re.match(r"Revert [0-9a-f]{7,40} \(.*\), restoring", line)]
    return " ".join(kept).strip()[:300]


def _rejected_copy(old: Entry, reason: str) -> Entry:
    from dataclasses import replace

    if old.outcome == "rejected":
        return old
    return replace(old, outcome="rejected", reason=old.reason or reason, decided_at=old.decided_at or now_iso())


# ---------------------------------------------------------------------------------------------
# `agentops history`


def history_entries(root: Path, outcome: str | None = None, stack: str | None = None) -> list[dict]:
    """Past commands, newest first, after an incremental learn: outcome, risk, branch or PR,
    who decided, the time from proposal to merge, the plan and any correction."""
    learn(root, incremental=True, use_forge=False)
    rows = []
    for e in sorted(Memory(root).entries(), key=lambda e: e.proposed_at, reverse=True):
        if outcome and e.outcome != outcome:
            continue
        if stack and stack not in e.stacks.split(","):
            continue
        rows.append({
            "command": e.command, "outcome": e.outcome, "kind": e.kind, "risk": e.risk,
            "stacks": [s for s in e.stacks.split(",") if s], "branch": e.branch, "pr": e.pr,
            "sha": e.sha, "merge_sha": e.merge_sha, "revert_sha": e.revert_sha,
            "proposed_at": e.proposed_at, "decided_at": e.decided_at, "decided_by": e.decided_by,
            "approvers": [a for a in e.approvers.split(",") if a],
            "time_to_merge": _duration(e) if e.merge_sha and e.kind == "proposal" else "",
            "plan": e.plan_line, "correction": e.correction_line, "reason": e.reason,
        })
    return rows


def _duration(e: Entry) -> str:
    """Proposal to merge, from the merge commit's time (decided_at is the revert's when the
    change was reverted, so it is not used)."""
    try:
        start = datetime.fromisoformat(e.proposed_at)
        end = datetime.fromisoformat(e.merged_at) if e.merged_at else None
    except ValueError:
        return ""
    if end is None:
        return ""
    seconds = int((end - start).total_seconds())
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600}h"
