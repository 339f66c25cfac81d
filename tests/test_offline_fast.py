"""The offline plan's shortcuts change how fast a graph is captured, never what is captured.

The fast path (agentops.offline: the SDK imported once in a loader process, each capture in a
process forked from it without the cyclic GC, and _lean_sdk's shortcuts inside the SDK) is
held to the plain path: the Pulumi SDK as it comes, run in this process.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agentops import offline
from agentops.errors import SpecError
from agentops.graph import ResourceGraph
from agentops.spec import load_spec_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (ROOT / "stacks").glob("*.yaml") if not p.name.startswith("Pulumi."))


def _generate(n_resources: int, variant: str) -> str:
    spec = importlib.util.spec_from_file_location("bench_plan", ROOT / "benchmarks" / "bench_plan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n_resources, variant)


def _plain_capture(text: str, stack: str, source: str) -> ResourceGraph:
    """The reference: the SDK as it comes, in a fresh process, as a real run would be (the SDK
    keeps some state across runs in one process when its thread pool is used)."""
    script = (
        "import sys\n"
        "from agentops import offline\n"
        "from agentops.spec import load_spec_text\n"
        "spec = load_spec_text(sys.stdin.read(), sys.argv[2])\n"
        "print(offline.capture_spec(spec, sys.argv[1], lean=False).model_dump_json())\n"
    )
    out = subprocess.run([sys.executable, "-c", script, stack, source], input=text,
                         capture_output=True, text=True, check=True)
    return ResourceGraph.model_validate_json(out.stdout.strip().splitlines()[-1])


def _by_urn(graph: ResourceGraph) -> dict[str, dict]:
    urns = [r.urn for r in graph.resources]
    assert len(urns) == len(set(urns)), "a URN registered twice"
    out = {}
    for r in graph.resources:
        data = r.model_dump()
        # The SDK sends a resource's dependencies from a set of Resource objects: their order
        # follows object addresses and differs from one process to the next in either path.
        data["dependencies"] = sorted(data["dependencies"])
        out[r.urn] = data
    return out


def _assert_same(fast: ResourceGraph, plain: ResourceGraph) -> None:
    assert (fast.project, fast.stack) == (plain.project, plain.stack)
    # The plain SDK calls the monitor from a thread pool, so its registration order varies
    # from run to run; the fast path's order is the program's. Compare resource by resource.
    a, b = _by_urn(fast), _by_urn(plain)
    assert sorted(a) == sorted(b)
    differences = [(urn, key, a[urn][key], b[urn][key])
                   for urn in a for key in a[urn] if a[urn][key] != b[urn][key]]
    assert differences == []


def _cases() -> list[tuple[str, str, str]]:
    cases = [(p.stem, p.read_text(encoding="utf-8"), f"stacks/{p.name}") for p in EXAMPLES]
    cases.append(("dev", _generate(1000, "head"), "generated-1000"))
    return cases


@pytest.fixture(scope="module")
def fast_graphs() -> list[ResourceGraph]:
    jobs = [(load_spec_text(text, source), stack, source) for stack, text, source in _cases()]
    return offline.capture_many(jobs, cache=False)  # captured here, not read from a cache


@pytest.mark.parametrize("index", range(len(EXAMPLES) + 1),
                         ids=[p.stem for p in EXAMPLES] + ["generated-1000"])
def test_fast_path_captures_the_plain_sdk_graph(fast_graphs, index):
    stack, text, source = _cases()[index]
    plain = _plain_capture(text, stack, source)
    assert len(plain.resources) > 20
    _assert_same(fast_graphs[index], plain)
    # The lean path in this process: the same graph, registered in the same order.
    lean = offline.capture_spec(load_spec_text(text, source), stack)
    assert [r.urn for r in lean.resources] == [r.urn for r in fast_graphs[index].resources]
    assert _by_urn(lean) == _by_urn(fast_graphs[index])


def test_lean_path_reads_outputs_like_the_sdk():
    # Outputs made on first read still carry their values and dependencies: the Kubernetes
    # provider's kubeconfig is built from the cluster's outputs, the alarm's dimensions from
    # an instance id, an instance's subnet from the network.
    spec = load_spec_text((ROOT / "stacks" / "prod.yaml").read_text(encoding="utf-8"), "prod")
    graph = offline.capture_spec(spec, "prod")
    by_type = {}
    for r in graph.resources:
        by_type.setdefault(r.type, []).append(r)
    (k8s,) = by_type["pulumi:providers:kubernetes"]
    assert any(d.endswith("::main") for d in k8s.dependencies)
    instance = by_type["aws:ec2/instance:Instance"][0]
    assert instance.inputs["subnetId"] == offline.UNKNOWN
    assert any("aws:ec2/subnet:Subnet" in d for d in instance.dependencies)


def test_preload_covers_what_rendering_imports():
    # The loader loads only the resource modules the kinds name (Kind.modules). One missing
    # there is loaded by each worker on its own, with its whole package: correct, but slower.
    # Rendering after _preload() must load no provider module and complete no thin package.
    script = f"""
import json, sys
from pathlib import Path
from agentops import offline
from agentops.spec import load_spec_text
paths = [Path(p) for p in {[str(p) for p in EXAMPLES]!r}]
specs = {{p.stem: load_spec_text(p.read_text(), p.name) for p in paths}}
offline._import_sdk()
offline._preload(list(specs.values()))
before = set(sys.modules)
for stack, spec in specs.items():
    offline.capture_spec(spec, stack)
late = sorted(m for m in set(sys.modules) - before
              if m.startswith(("pulumi_aws", "pulumi_kubernetes")))
late += sorted(name for name, m in sys.modules.items()
               if isinstance(m, offline._ThinPackage) and m.__dict__.get("_complete"))
print(json.dumps(late))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_workers_report_spec_errors_from_text_jobs():
    with pytest.raises(SpecError) as err:
        offline.capture_many([("provider: aws\nregion: [us-east-1\n", "dev", "stacks/dev.yaml")],
                             cache=False)
    assert "stacks/dev.yaml:3:1" in err.value.message


def test_workers_not_needed_are_stopped():
    workers = offline.Workers()
    assert workers._proc.is_alive()
    with workers:
        pass  # nothing to capture: the loader is stopped, not left to finish its imports
    assert workers._proc.exitcode is not None
    with offline.Workers() as workers:
        workers.start([])
        assert workers.results() == []
    assert workers._proc.exitcode is not None


def test_in_process_captures_of_two_stacks_keep_their_own_root():
    # set_mocks alone kept the first run's root stack resource for every later run.
    offline.capture((ROOT / "stacks" / "dev.yaml").read_text(encoding="utf-8"), "dev")
    graph = offline.capture((ROOT / "stacks" / "prod.yaml").read_text(encoding="utf-8"), "prod")
    roots = {r.parent for r in graph.resources if r.parent and r.parent.endswith(":Stack::agentops-prod")}
    assert roots and all("urn:pulumi:prod::" in r.urn for r in graph.resources)
    assert not any(r.parent and "agentops-dev" in r.parent for r in graph.resources)


def test_workers_spawn_when_this_process_has_threads():
    # A server answers requests on threads: fork is unsafe then, and the loader is spawned.
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        text = (ROOT / "stacks" / "dev.yaml").read_text(encoding="utf-8")
        with offline.Workers(cache=False) as workers:
            assert workers._proc._start_method == "spawn"
            (graph,) = workers.capture_many([(load_spec_text(text, "dev"), "dev", "")])
    finally:
        stop.set()
    assert _by_urn(graph) == _by_urn(offline.capture_spec(load_spec_text(text, "dev"), "dev"))


# --- the SDK versions the fast path runs on ----------------------------------------------------


def test_installed_sdk_is_one_the_fast_path_was_tested_with():
    # This suite is what "tested" means: on an SDK not listed, the tests above would only hold
    # the plain path to itself. Run them with the new SDK, then add it to the list.
    assert offline.pulumi_version() in offline.TESTED_PULUMI_VERSIONS, (
        f"pulumi {offline.pulumi_version()} is not in offline.TESTED_PULUMI_VERSIONS: run "
        f"tests/test_offline_fast.py with it and add it there if they pass")
    assert offline.fast_path_supported(warn=False)


def test_pyproject_pins_allow_every_tested_sdk():
    import tomllib

    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pulumi,) = [Requirement(d) for d in deps if Requirement(d).name == "pulumi"]
    for version in offline.TESTED_PULUMI_VERSIONS:
        assert pulumi.specifier.contains(version), (pulumi, version)


def test_untested_sdk_runs_the_plain_path_and_says_so_once():
    # An SDK version not in the list (monkeypatched: the metadata says 3.999.0): the plan's
    # capture processes and an in-process capture run the SDK as it comes (_lean_sdk, made to
    # fail here, never runs), the graph is the plain SDK's, and one warning says so.
    script = (
        "import sys\n"
        "from agentops import offline\n"
        "from agentops.spec import load_spec_text\n"
        "offline.pulumi_version = lambda: '3.999.0'\n"
        "def refuse():\n"
        "    raise AssertionError('the fast path ran on an untested SDK')\n"
        "offline._lean_sdk = refuse\n"
        "spec = load_spec_text(sys.stdin.read(), 'stacks/dev.yaml')\n"
        "graphs = offline.capture_many([(spec, 'dev', 'a'), (spec, 'dev', 'b')], cache=False)\n"
        "graphs += offline.capture_many([(spec, 'dev', 'c')], cache=False)\n"
        "graphs.append(offline.capture_spec(spec, 'dev'))\n"
        "for graph in graphs:\n"
        "    print(graph.model_dump_json())\n"
    )
    text = (ROOT / "stacks" / "dev.yaml").read_text(encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", script], input=text, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    warnings = [line for line in out.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, out.stderr
    assert "3.999.0" in warnings[0] and "plain path" in warnings[0]
    for ver in offline.TESTED_PULUMI_VERSIONS:
        assert ver in warnings[0]
    plain = _plain_capture(text, "dev", "stacks/dev.yaml")
    graphs = [ResourceGraph.model_validate_json(line) for line in out.stdout.strip().splitlines()]
    assert len(graphs) == 4
    for graph in graphs:
        _assert_same(graph, plain)
