"""Memory of past commands: LanceDB tables in the repository's git directory
(<git-common-dir>/agentops/memory), shared by the repository's worktrees and never in a working
tree. Outside a git repository there is no memory: nothing is read and nothing is written.

The memory is a cache of git history, which is the truth (agentops.learn reads it):

- `outcomes` (one row per proposal, hand edit or failed attempt): what became of each command:
  merged, amended (with the reviewer's correction as a plan line), reverted (with the
  revert's reason), rejected, open, hand-edit, failed. `agentops learn` rewrites it from
  history; a proposal adds its "open" row at once so that a branch deleted before the next
  learn is still known (and then counted as rejected).
- `commands` (command -> sentence vector): the model's vectors of past commands, for choosing
  few-shot examples by similarity. Written when the model is loaded anyway (propose, interpret).

Schema versions (SCHEMA_FILE): 1 was the `commands` table alone, its `outcome` column written
once at propose time ("proposed <branch>", "failed: ..."), never updated; 2 adds `outcomes`.
Migration 1 -> 2 keeps the vectors and carries v1's failed attempts over (they are not in git);
everything else is learned again from history. A table that cannot be read is moved aside once
(<table>.lance.damaged-<time>, one warning) and rebuilt from history by the next learn (vectors
are recomputed as the model needs them). A row that would hold a secret-looking value
(agentops.secrets) is never written.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

from agentops.actionplan import ActionPlan
from agentops.examples import Embedder, Example

MEMORY_DIR = Path(".agentops") / "memory"
GIT_MEMORY_DIR = Path("agentops") / "memory"
TABLE = "commands"          # vectors (v1's only table; its name is kept)
OUTCOMES = "outcomes"
SCHEMA_FILE = "schema.json"
LEARN_STATE_FILE = "learn.json"  # agentops.learn's last pass (refs fingerprint)
SCHEMA_VERSION = 2

# Outcomes whose command (or its correction) teaches the interpreter.
GOOD_OUTCOMES = ("merged", "amended")
# Outcomes that warn a similar new command.
BAD_OUTCOMES = ("reverted", "rejected")
ALL_OUTCOMES = ("merged", "amended", "reverted", "rejected", "open", "hand-edit", "failed")


def memory_dir(root: Path) -> Path | None:
    """<git-common-dir>/agentops/memory, or None outside a git repository: there, nothing is
    read and nothing is written (a memory is a cache of git history; without one there is none)."""
    try:
        out = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                             cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    if out.returncode == 0 and out.stdout.strip():
        return Path(out.stdout.strip()) / GIT_MEMORY_DIR
    return None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class Entry:
    """One row of `outcomes`. Strings throughout (empty when unknown): one flat, versioned
    schema that LanceDB stores as is."""

    key: str                    # the proposal's identity (see agentops.learn.proposal_key)
    kind: str                   # proposal | hand-edit | failed
    outcome: str                # one of ALL_OUTCOMES
    command: str                # the command (a hand edit: its commit subject)
    sha: str = ""               # the proposal (or hand edit) commit
    branch: str = ""
    pr: str = ""                # PR URL or "#12"
    stacks: str = ""            # comma-separated
    risk: str = ""
    plan_json: str = ""
    plan_line: str = ""
    correction_json: str = ""   # amended / hand edit: the ActionPlan of what was merged
    correction_line: str = ""
    merge_sha: str = ""         # the commit that brought it onto the base branch
    merged_at: str = ""
    proposed_at: str = ""
    decided_at: str = ""        # merged, reverted or rejected at
    decided_by: str = ""        # who merged, reverted or closed it
    approvers: str = ""         # from the forge, comma-separated
    revert_sha: str = ""
    reason: str = ""            # the revert's reason; why rejected; why a correction is missing
    recorded_at: str = ""

    @property
    def example_line(self) -> str | None:
        """The plan line this command should have produced, when it teaches anything."""
        if self.outcome == "amended" and self.correction_line:
            return self.correction_line
        if self.outcome == "merged":
            return self.plan_line
        return None

    @property
    def plan(self) -> ActionPlan | None:
        return ActionPlan.model_validate_json(self.plan_json) if self.plan_json else None

    @property
    def correction(self) -> ActionPlan | None:
        return ActionPlan.model_validate_json(self.correction_json) if self.correction_json else None

    def as_row(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ENTRY_FIELDS}

    def teaching(self) -> tuple:
        """What a learn pass decides (everything but when the row was written)."""
        return tuple(getattr(self, name) for name in ENTRY_FIELDS if name != "recorded_at")


ENTRY_FIELDS = [f.name for f in fields(Entry)]


@dataclass(frozen=True)
class Recollection:
    command: str
    plan_line: str
    outcome: str
    recorded_at: str
    plan: ActionPlan
    corrected: bool = False  # plan_line is a reviewer's correction of what was proposed

    @property
    def succeeded(self) -> bool:
        return self.outcome.split(" ", 1)[0] in GOOD_OUTCOMES

    def as_example(self) -> Example:
        return Example(self.command, self.plan_line)


class DamagedMemory(Exception):
    """A memory table that cannot be read: rebuild it from history (agentops.learn)."""


class Memory:
    def __init__(self, root: Path, embedder: Embedder | None = None):
        self.root = Path(root)
        self.path = memory_dir(self.root)
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from agentops.model import resolve_model

            self._embedder = Embedder(resolve_model())
        return self._embedder

    # -- storage ---------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path is not None and (
            (self.path / f"{TABLE}.lance").is_dir() or (self.path / f"{OUTCOMES}.lance").is_dir())

    def _has(self, name: str) -> bool:
        return self.path is not None and (self.path / f"{name}.lance").is_dir()

    def _set_aside(self, name: str, exc: Exception) -> None:
        """A table LanceDB cannot read (truncated by a crash or a full disk) is moved aside,
        once, with one warning; the next write starts a new one (and learn refills outcomes)."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        source = self.path / f"{name}.lance"
        target = self.path / f"{name}.lance.damaged-{stamp}"
        try:
            source.rename(target)
        except OSError:
            self.drop(name)
            target = None
        self.invalidate()
        print(f"warning: the memory table {source} is damaged ({type(exc).__name__}); "
              + (f"moved to {target.name} and " if target else "") + "started afresh "
              "(it is rebuilt from git history)", file=sys.stderr)

    def _db(self):
        from agentops.examples import connect

        if self.path is None:
            from agentops.errors import GitError

            raise GitError("not inside a git repository: agentops keeps no memory here")
        self.path.mkdir(parents=True, exist_ok=True)
        return connect(self.path)

    def schema_version(self) -> int:
        """The stored schema: 0 for an empty memory, 1 for a v1 table without a schema file."""
        try:
            return int(json.loads((self.path / SCHEMA_FILE).read_text())["version"])
        except (OSError, ValueError, KeyError, TypeError):
            return 1 if (self.path / f"{TABLE}.lance").is_dir() else 0

    @contextlib.contextmanager
    def lock(self):
        """One writer at a time, across processes (propose, learn, interpret's refresh):
        concurrent Lance commits to one new table can abort the process, and two learns would
        otherwise race on the same rows."""
        import fcntl

        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    _writer_lock = lock  # the v1 name

    def migrate(self) -> None:
        """Bring the stored schema to SCHEMA_VERSION (call under lock)."""
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            from agentops.errors import AgentOpsError

            raise AgentOpsError(
                f"the memory in {self.path} has schema {version}, newer than this agentops ({SCHEMA_VERSION})",
                hint="upgrade agentops, or delete that directory: it is rebuilt from git history")
        if version == 1:
            self._migrate_v1()
        self._write_schema()

    def _write_schema(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f"{SCHEMA_FILE}.tmp"
        tmp.write_text(json.dumps({"version": SCHEMA_VERSION}))
        tmp.replace(self.path / SCHEMA_FILE)

    def _migrate_v1(self) -> None:
        # v1 rows: vector, command, plan_line, plan_json, outcome ("proposed <branch> [url]" |
        # "failed: ..."), recorded_at. Proposals are learned again from git; failures are not
        # in git, so they are carried over.
        try:
            rows = self._db().open_table(TABLE).to_arrow().to_pylist()
        except Exception:  # noqa: BLE001 - an unreadable v1 table has nothing to carry
            self.drop(TABLE)
            return
        failed = [Entry(key="failed:" + _digest(r["command"], r["recorded_at"]), kind="failed",
                        outcome="failed", command=r["command"], plan_json=r.get("plan_json") or "",
                        plan_line=r.get("plan_line") or "",
                        reason=r["outcome"].removeprefix("failed:").strip(),
                        proposed_at=r.get("recorded_at") or "", recorded_at=r.get("recorded_at") or now_iso())
                  for r in rows if str(r.get("outcome", "")).startswith("failed")]
        if failed:
            self._upsert(failed)

    def drop(self, name: str) -> None:
        import shutil

        shutil.rmtree(self.path / f"{name}.lance", ignore_errors=True)

    def entries(self) -> list[Entry]:
        """Every row of `outcomes` (empty before the first learn or proposal). Raises
        DamagedMemory when the table exists but cannot be read."""
        if not self._has(OUTCOMES):
            return []
        try:
            rows = self._db().open_table(OUTCOMES).to_arrow().to_pylist()
            return [Entry(**{k: str(r.get(k) or "") for k in ENTRY_FIELDS}) for r in rows]
        except Exception as exc:  # noqa: BLE001 - any read failure means: rebuild it
            self.invalidate()
            raise DamagedMemory(f"{self.path / OUTCOMES}.lance: {exc}") from None

    def invalidate(self) -> None:
        """Make the next learn pass a full one (it then rebuilds a damaged table), even when
        no ref has moved: the pass's fingerprint is forgotten."""
        (self.path / LEARN_STATE_FILE).unlink(missing_ok=True)

    def replace_entries(self, entries: list[Entry]) -> None:
        """The whole `outcomes` table, as a learn pass computed it (call under lock)."""
        import pyarrow as pa

        entries = [e for e in entries if not _holds_secret(e)]

        table = pa.Table.from_pylist([e.as_row() for e in entries], schema=_schema())
        self._db().create_table(OUTCOMES, data=table, mode="overwrite")

    def update_entries(self, changed: list[Entry], removed: list[str]) -> None:
        """Rows changed and keys gone since the last pass (call under lock): an incremental
        learn writes only those."""
        if removed:
            quoted = ", ".join("'" + k.replace("'", "''") + "'" for k in removed)
            self._db().open_table(OUTCOMES).delete(f"key IN ({quoted})")
        if changed:
            self._upsert(changed)

    def _upsert(self, entries: list[Entry]) -> None:
        import pyarrow as pa

        entries = [e for e in entries if not _holds_secret(e)]
        if not entries:
            return
        data = pa.Table.from_pylist([e.as_row() for e in entries], schema=_schema())
        db = self._db()
        if (self.path / f"{OUTCOMES}.lance").is_dir():
            table = db.open_table(OUTCOMES)
            table.merge_insert("key").when_matched_update_all().when_not_matched_insert_all().execute(data)
        else:
            db.create_table(OUTCOMES, data=data)

    # -- writing at propose time -------------------------------------------------------------

    def record(self, command: str, plan: ActionPlan, outcome: str, *, sha: str = "",
               key: str = "", branch: str = "", pr: str = "") -> None:
        """A command as agentops just proposed it ("open", with its commit) or failed to
        ("failed: why"). The v1 form record(command, plan, "proposed <branch> [url]") still
        works. The vector is stored when an embedder is at hand or loadable."""
        from agentops.planline import render
        from agentops.secrets import flagged

        if self.path is None:
            return  # not a git repository: nothing is written
        if flagged(command) or flagged(plan.model_dump_json()) or flagged(outcome):
            return  # a secret-looking value is never stored (agentops.secrets)
        words = outcome.split(" ")
        if words[0] == "proposed":
            branch = branch or (words[1] if len(words) > 1 else "")
            pr = pr or (words[2] if len(words) > 2 else "")
            outcome = "open"
        failed = outcome.startswith("failed")
        stamp = now_iso()
        entry = Entry(
            key=key or (("failed:" if failed else "command:") + _digest(command, stamp)),
            kind="failed" if failed else "proposal",
            outcome="failed" if failed else outcome.split(" ", 1)[0],
            command=command, sha=sha, branch=branch, pr=pr, stacks=",".join(plan.stacks),
            risk=plan.risk_level.value, plan_json=plan.model_dump_json(),
            plan_line=render(plan.actions), proposed_at=stamp, recorded_at=stamp,
            reason=outcome.removeprefix("failed:").strip() if failed else "")
        with self.lock():
            self.migrate()
            self._upsert([entry])
            if self._embedder is not None:  # else added when the model is loaded anyway
                self._add_vectors([command])

    def _add_vectors(self, commands: list[str]) -> None:
        """Vectors for commands not yet in `commands` (call under lock)."""
        known = self._vector_commands()
        todo = [c for c in dict.fromkeys(commands) if c not in known]
        if not todo:
            return
        rows = [{"vector": self.embedder(c), "command": c, "recorded_at": now_iso()} for c in todo]
        db = self._db()
        if (self.path / f"{TABLE}.lance").is_dir():
            table = db.open_table(TABLE)
            # a v1 table has more columns: fill them so the row fits its schema
            names = set(table.schema.names)
            for row in rows:
                row.update({k: "" for k in ("plan_line", "plan_json", "outcome") if k in names})
            table.add(rows)
        else:
            db.create_table(TABLE, data=rows)

    def _vector_commands(self) -> set[str]:
        if not self._has(TABLE):
            return set()
        try:
            return set(self._db().open_table(TABLE).to_arrow().column("command").to_pylist())
        except Exception:  # noqa: BLE001 - a damaged vector table is rebuilt from scratch
            self.drop(TABLE)
            return set()

    def embed_candidates(self, limit: int = 32) -> int:
        """Vectors for up to `limit` learned few-shot candidates that have none yet (merged or
        amended in history, e.g. proposed from another clone). Returns how many were added."""
        try:
            wanted = [e.command for e in self.entries() if e.example_line]
        except DamagedMemory:
            return 0
        if not wanted:
            return 0
        known = self._vector_commands()
        todo = [c for c in dict.fromkeys(wanted) if c not in known][:limit]
        if todo:
            with self.lock():
                self._add_vectors(todo)
        return len(todo)

    # -- reading for the interpreter ---------------------------------------------------------

    def similar(self, command: str, k: int = 3, vector: list[float] | None = None) -> list[Recollection]:
        """The k past commands nearest to `command` (by the model's sentence vectors), nearest
        first, each with what became of it; a corrected one carries the reviewer's plan line."""
        if not self._has(TABLE):
            return []
        by_command = {}
        try:
            for entry in sorted(self.entries(), key=lambda e: e.proposed_at):
                by_command[entry.command] = entry  # the latest word on a command
        except DamagedMemory:
            by_command = {}
        query = vector if vector is not None else self.embedder(command)
        try:
            hits = self._db().open_table(TABLE).search(query).metric("cosine").limit(k).to_list()
        except Exception as exc:  # noqa: BLE001 - lance raises OSError, RuntimeError, ValueError...
            self._set_aside(TABLE, exc)
            return []
        out = []
        for hit in hits:
            entry = by_command.get(hit["command"])
            if entry is not None:
                line = entry.example_line or entry.plan_line
                plan = entry.correction if entry.outcome == "amended" and entry.correction_json else entry.plan
                out.append(Recollection(entry.command, line, entry.outcome, entry.recorded_at,
                                        plan or ActionPlan(command=entry.command, interpretation=""),
                                        corrected=entry.outcome == "amended"))
            elif hit.get("plan_json"):  # a v1 row never learned about: as recorded then
                out.append(Recollection(hit["command"], hit.get("plan_line") or "",
                                        hit.get("outcome") or "", hit.get("recorded_at") or "",
                                        ActionPlan.model_validate_json(hit["plan_json"])))
        return out

    def examples_for(self, command: str, k: int, vector: list[float] | None = None) -> list[Example]:
        """Few-shot candidates from this repository's history: merged and corrected commands
        only (reverted, rejected, open and failed never), corrections first, then by nearness."""
        hits = [h for h in self.similar(command, k * 3, vector) if h.succeeded and h.command != command]
        hits.sort(key=lambda h: not h.corrected)  # stable: nearness kept within each group
        return [h.as_example() for h in hits[:k]]

    def name_prefixes(self) -> list[str]:
        """Naming conventions reviewers applied: prefixes they added to the name of a created
        resource before merging ("logs" -> "team-a-logs"), most used first. The guard lets a
        create carry one of them in front of a name the command says (interpret.guard)."""
        return [c.prefix for c in self.naming_conventions(min_corrections=1)]

    def naming_conventions(self, min_corrections: int = 2) -> list["NamingConvention"]:
        """Prefixes reviewers put in front of new resources' names, per resource type, with
        the corrections that show it. A convention holds when at least `min_corrections`
        corrections show it and they outnumber the creates of that type merged unchanged
        without it since the first one (the team kept to it)."""
        try:
            entries = sorted(self.entries(), key=lambda e: e.merged_at or e.proposed_at)
        except DamagedMemory:
            return []
        found: dict[tuple[str, str], NamingConvention] = {}
        for entry in entries:
            if entry.outcome == "amended" and entry.correction_json:
                plan, fixed = entry.plan, entry.correction
                said = {a.name for a in (plan.actions if plan else []) if a.type.value == "create" and a.name}
                for action in fixed.actions if fixed else []:
                    if action.type.value != "create" or not action.name or action.name in said:
                        continue
                    for name in said:
                        if action.name.endswith(name) and len(action.name) > len(name):
                            key = (action.name[: -len(name)], action.resource.value)
                            found.setdefault(key, NamingConvention(*key)).evidence.append(
                                entry.merge_sha or entry.sha)
            elif entry.outcome == "merged" and entry.plan_json:
                for action in entry.plan.actions:
                    for (prefix, resource), conv in found.items():
                        if (action.type.value == "create" and action.resource.value == resource
                                and action.name and not action.name.startswith(prefix)):
                            conv.against += 1
        return sorted((c for c in found.values()
                       if len(c.evidence) >= min_corrections and len(c.evidence) > c.against),
                      key=lambda c: -len(c.evidence))

    def cautions(self, plan: ActionPlan) -> list[str]:
        """Warnings for a plan close to a change that was reverted or rejected: it acts on the
        same resource the same way, or its command reads nearly the same."""
        try:
            entries = [e for e in self.entries() if e.outcome in BAD_OUTCOMES]
        except DamagedMemory:
            return []
        out = []
        for entry in sorted(entries, key=lambda e: e.decided_at or e.proposed_at, reverse=True):
            if entry.command.strip().lower() == plan.command.strip().lower() or _close(plan, entry):
                out.append(caution_text(entry))
        return out[:3]


@dataclass
class NamingConvention:
    prefix: str
    resource: str                      # ActionPlan resource type of the created resources
    evidence: list[str] = field(default_factory=list)   # the corrections' merge commits
    against: int = 0                   # creates merged unchanged without the prefix since


def caution_text(entry: Entry) -> str:
    when = (entry.decided_at or entry.proposed_at)[:10] or "an unknown date"
    if entry.outcome == "reverted":
        return (f"a similar change was reverted on {when} in {entry.revert_sha[:7]}: "
                f"{entry.reason or 'no reason given'} (command: {entry.command!r})")
    where = entry.pr or entry.branch or entry.sha[:7]
    return (f"a similar change was rejected on {when} ({where}): "
            f"{entry.reason or 'closed unmerged'} (command: {entry.command!r})")


_STOP = {"the", "a", "an", "to", "in", "of", "on", "for", "and", "please", "with", "at", "from"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9][a-z0-9.-]*", text.lower()) if w not in _STOP}


def _close(plan: ActionPlan, entry: Entry) -> bool:
    """Same action type on the same named resource in the same stack, or nearly the same words."""
    past = [p for p in (entry.plan, entry.correction) if p is not None]
    targets = {(a.type, a.name, a.stack) for p in past for a in p.actions if a.name}
    if any((a.type, a.name, a.stack) in targets for a in plan.actions if a.name):
        return True
    new, old = _words(plan.command), _words(entry.command)
    return bool(new and old) and len(new & old) / len(new | old) >= 0.75


def _holds_secret(entry: Entry) -> bool:
    """Whether a row would store a secret-looking value (a command, plan or reason from history
    can hold one too): such rows are never written."""
    from agentops.secrets import flagged

    return any(flagged(getattr(entry, name)) for name in
               ("command", "plan_json", "plan_line", "correction_json", "reason"))


def _digest(*parts: str) -> str:
    import hashlib

    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _schema():
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in ENTRY_FIELDS])
