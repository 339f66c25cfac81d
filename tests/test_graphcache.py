"""The on-disk cache of captured graphs: what a hit returns, what changes a key, and that a
damaged or missing cache only ever costs time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentops import graphcache, offline
from agentops.spec import load_spec_text

SPEC = """\
provider: aws
region: us-east-1
tags: {owner: team}
instances:
  web: {count: 2, instance_type: t3.micro}
storage:
  assets: {kind: bucket}
"""


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("AGENTOPS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("AGENTOPS_GRAPH_CACHE", raising=False)
    return tmp_path / "cache" / "graphs"


def _job(text: str = SPEC, stack: str = "dev"):
    return (load_spec_text(text, f"stacks/{stack}.yaml"), stack, f"stacks/{stack}.yaml")


def test_second_capture_is_read_from_the_cache_and_equal(cache_dir):
    (first,) = offline.capture_many([_job()])
    assert len(list(cache_dir.glob("*.json"))) == 1
    with offline.Workers() as workers:
        workers.start([_job()])
        # Everything was cached: the loader was stopped without being given any job.
        assert workers._todo() == [] and workers._proc.exitcode is not None
        (second,) = workers.results()
    assert second == first


def test_key_follows_the_spec_not_its_formatting():
    spec = load_spec_text(SPEC, "a")
    same = load_spec_text("# a comment\n" + SPEC.replace("{count: 2, instance_type: t3.micro}",
                                                         "\n    count: 2\n    instance_type: t3.micro"), "b")
    bigger = load_spec_text(SPEC.replace("count: 2", "count: 3"), "c")
    assert graphcache.key(spec, "dev", "p") == graphcache.key(same, "dev", "p")
    assert graphcache.key(spec, "dev", "p") != graphcache.key(bigger, "dev", "p")
    assert graphcache.key(spec, "dev", "p") != graphcache.key(spec, "prod", "p")
    assert graphcache.key(spec, "dev", "p") != graphcache.key(spec, "dev", "q")
    assert graphcache.key(spec, "dev", "p") != graphcache.key(spec, "dev", "p", {"k": "v"})


def test_key_follows_pulumi_environment(monkeypatch):
    spec = load_spec_text(SPEC, "a")
    before = graphcache.key(spec, "dev", "p")
    monkeypatch.setenv("PULUMI_DISABLE_RESOURCE_REFERENCES", "1")
    assert graphcache.key(spec, "dev", "p") != before


def test_damaged_entry_is_captured_again_and_rewritten(cache_dir):
    (first,) = offline.capture_many([_job()])
    (entry,) = cache_dir.glob("*.json")
    entry.write_text("{not json")
    (again,) = offline.capture_many([_job()])
    assert again == first
    assert graphcache.load(entry.stem) == first


def test_cache_can_be_turned_off(cache_dir, monkeypatch):
    monkeypatch.setenv("AGENTOPS_GRAPH_CACHE", "0")
    offline.capture_many([_job()])
    assert not cache_dir.exists() or not list(cache_dir.glob("*.json"))


def test_least_recently_used_entries_go_first(cache_dir, monkeypatch):
    monkeypatch.setattr(graphcache, "MAX_ENTRIES", 2)
    for i, name in enumerate(("a", "b")):
        graphcache.store(name, '{"project": "p", "stack": "s", "resources": []}')
        os.utime(cache_dir / f"{name}.json", (1000 + i, 1000 + i))
    graphcache.load("a")  # read: now the most recent
    graphcache.store("c", '{"project": "p", "stack": "s", "resources": []}')
    assert sorted(p.stem for p in cache_dir.glob("*.json")) == ["a", "c"]
