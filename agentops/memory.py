"""Memory of past commands: a LanceDB table in the repository's git directory
(<git-common-dir>/agentops/memory), so it is shared by the repository's worktrees and never
appears in a working tree; outside a git repository, <root>/.agentops/memory.

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


def memory_dir(root: Path) -> Path:
    out = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
                         cwd=root, capture_output=True, text=True)
    if out.returncode == 0 and out.stdout.strip():
        return Path(out.stdout.strip()) / GIT_MEMORY_DIR
    return Path(root) / MEMORY_DIR
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
        return (self.path / f"{TABLE}.lance").is_dir()

    def _db(self):
        from agentops.examples import connect

        return connect(self.path)

    def record(self, command: str, plan: ActionPlan, outcome: str) -> None:
        from agentops.planline import render

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
                self._table = self._db().open_table(TABLE)
            if self._table is None:
                self._table = self._db().create_table(TABLE, data=[row])
            else:
                self._table.add([row])

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
            self._table = self._db().open_table(TABLE)
        query = vector if vector is not None else self.embedder(command)
        hits = self._table.search(query).metric("cosine").limit(k).to_list()
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
