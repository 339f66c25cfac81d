"""The schedule reader (agentops/kinds/schedule_words.py) against the written sets' labels: for
every item whose one cron job action has a schedule, what the reader makes of the command (with
the job's schedule now, for a change of an existing job) against the label.

    python benchmarks/eval_schedule_words.py            # counts only
    python benchmarks/eval_schedule_words.py --show     # and each item it differs on or declines

The written sets are training data (training/written/), not an evaluation set, so items may be
shown, except wrenfield's (kept unread as a measure). "declined" is the reader saying None (the schedule is left out and the edit asks for it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from agentops.kinds.schedule_words import cron_from_words
from agentops.spec import Workspace

ROOT = Path(__file__).resolve().parents[1]
UNREAD = {"wrenfield"}


def main() -> None:
    show = "--show" in sys.argv
    counts = {"agree": 0, "differ": 0, "declined": 0}
    for path in sorted((ROOT / "training" / "written").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        specs = Workspace(path.parent / raw["repository"]).load_all()
        for item in raw["items"]:
            expect = item.get("expect")
            if not isinstance(expect, list):
                continue
            jobs = [a for a in expect if a.get("kind") == "cron_jobs" and "schedule" in (a.get("parameters") or {})]
            if len(jobs) != 1:
                continue
            job = jobs[0]
            found = specs[job["stack"]].find(job["name"]) if job["action"] != "create" else None
            got = cron_from_words(item["command"], found[1].schedule if found else None)
            want = str(job["parameters"]["schedule"])
            outcome = "declined" if got is None else "agree" if got == want else "differ"
            counts[outcome] += 1
            # wrenfield is kept as a measure, never read item by item: counted, not shown
            if show and outcome != "agree" and path.stem not in UNREAD:
                print(f"{outcome:8} {path.stem}: {item['command']!r}: label {want!r}, read {got!r}")
    print(", ".join(f"{k} {v}" for k, v in counts.items()), f"of {sum(counts.values())}")


if __name__ == "__main__":
    main()
