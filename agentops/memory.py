"""Memory of past commands: a LanceDB table in the repository's git directory
(<git-common-dir>/agentops/memory), so it is shared by the repository's worktrees and never
appears in a working tree. Outside a git repository there is no memory: nothing is read and
nothing is written.

A table that LanceDB cannot read (a truncated file, a crash mid-write) is moved aside once, to
commands.lance.damaged-<time>, with one warning, and a new one is started: the memory is a
cache of what happened, never a reason for every later command to warn. A command or plan that
holds a secret-looking value (agentops.secrets) is never recorded.

Each row is a command, the plan line it was interpreted as, and what became of it
("proposed", "merged", "rejected", "failed: ..."). Commands whose outcome was good become
few-shot candidates for the next interpretation in the same repository.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from agentops.actionplan import ActionPlan
from agentops.examples import Embedder, Example
from agentops.model import resolve_model

MEMORY_DIR = Path(".agentops") / "memory"
GIT_MEMORY_DIR = Path("agentops") / "memory"


def memory_dir(root: Path) -> Path | None:
    """<git-common-dir>/agentops/memory, or None outside a git repository."""
    try:
        out = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                             cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    if out.returncode == 0 and out.stdout.strip():
        return Path(out.stdout.strip()) / GIT_MEMORY_DIR
    return None
TABLE = "commands"
GOOD_OUTCOMES = ("proposed", "merged", "applied")


@dataclass(frozen=True)
class Recollection:
    command: str
    plan_line: str
    outcome: str
    recorded_at: str
    plan: ActionPlan

    @property
    def succeeded(self) -> bool:
        # "proposed agentops/<slug> <url>": the first word is the outcome
        return self.outcome.split(" ", 1)[0] in GOOD_OUTCOMES

    def as_example(self) -> Example:
        return Example(self.command, self.plan_line)


class Memory:
    def __init__(self, root: Path, embedder: Embedder | None = None):
        self.path = memory_dir(Path(root))
        self._embedder = embedder
        self._table = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder(resolve_model())
        return self._embedder

    def exists(self) -> bool:
        return self.path is not None and (self.path / f"{TABLE}.lance").is_dir()

    def _db(self):
        from agentops.examples import connect

        return connect(self.path)

    def record(self, command: str, plan: ActionPlan, outcome: str) -> None:
        from agentops.planline import render
        from agentops.secrets import flagged

        if self.path is None:
            return  # not a git repository: nothing is written
        if flagged(command) or flagged(plan.model_dump_json()) or flagged(outcome):
            return  # a secret-looking value is never stored

        row = {
            "vector": self.embedder(command),
            "command": command,
            "plan_line": render(plan.actions),
            "plan_json": plan.model_dump_json(),
            "outcome": outcome,
            "recorded_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self.path.mkdir(parents=True, exist_ok=True)
        with self._writer_lock():
            if self._table is None and self.exists():
                self._table = self._open_or_set_aside()
            if self._table is not None:
                try:
                    self._table.add([row])
                    return
                except Exception as exc:  # noqa: BLE001 - lance raises OSError, RuntimeError, ...
                    self._set_aside(exc)
            self._table = self._db().create_table(TABLE, data=[row])

    @contextlib.contextmanager
    def _writer_lock(self):
        # Two proposals finishing at once would both create (or both append to) the table;
        # concurrent Lance commits to one new table can abort the process. One writer at a time.
        import fcntl

        with open(self.path / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def similar(self, command: str, k: int = 3, vector: list[float] | None = None) -> list[Recollection]:
        """The k past commands nearest to `command`, nearest first."""
        if not self.exists():
            return []
        if self._table is None:
            self._table = self._open_or_set_aside()
            if self._table is None:
                return []
        query = vector if vector is not None else self.embedder(command)
        try:
            hits = self._table.search(query).metric("cosine").limit(k).to_list()
        except Exception as exc:  # noqa: BLE001 - a damaged data file shows up on first read
            self._set_aside(exc)
            return []
        return [
            Recollection(
                h["command"],
                h["plan_line"],
                h["outcome"],
                h["recorded_at"],
                ActionPlan.model_validate(json.loads(h["plan_json"])),
            )
            for h in hits
        ]

    # -- damage

    def _open_or_set_aside(self):
        """The table, or None after moving a damaged one aside."""
        try:
            table = self._db().open_table(TABLE)
            table.count_rows()  # reads the manifest: a truncated table fails here
            return table
        except Exception as exc:  # noqa: BLE001 - lance's errors have no common base
            self._set_aside(exc)
            return None

    def _set_aside(self, exc: BaseException) -> None:
        """Rename the damaged table out of the way (kept for inspection) and say so once."""
        import sys

        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        table_dir = self.path / f"{TABLE}.lance"
        aside = self.path / f"{TABLE}.lance.damaged-{stamp}"
        self._table = None
        try:
            table_dir.rename(aside)
        except OSError:
            return
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        print(f"warning: the memory of past commands was damaged ({first}); it was moved to "
              f"{aside} and a new one started", file=sys.stderr)
