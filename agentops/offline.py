"""Run the Pulumi program under Pulumi's own mocks and capture what it registers.

No CLI, no credentials, no network: `pulumi.runtime.set_mocks` with a monitor that records each
raw RegisterResource request (MockResourceArgs lacks parent and dependencies, so the request is
read directly) and echoes the inputs back as outputs. It runs in preview mode, so outputs the
cloud would compute (ids, ARNs) stay unknown, as in `pulumi preview`.

`capture()` runs in-process (the policy engine uses it); `capture_many()` runs each revision in
its own process, in parallel: Pulumi's runtime settings are process-global, and two cores
halve the wall time of a base + head plan.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
from typing import Any

from agentops.graph import SECRET_PLACEHOLDER, Resource, ResourceGraph

UNKNOWN = "(known after apply)"
DEFAULT_PROJECT = "agentops"
# Stand-in for secret config a plan cannot decrypt: it is redacted before leaving the process.
OFFLINE_SECRET = "offline-placeholder"

# Pulumi's wire signatures (sdk/proto): a wrapped secret, a resource reference, an unknown.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class _Inline(concurrent.futures.ThreadPoolExecutor):
    """Runs the SDK's monitor calls on the calling thread: the mock answers at once, and a
    thread hop per resource was most of the per-resource cost. (asyncio accepts only a
    ThreadPoolExecutor as the default executor; no thread is ever started.)"""

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 handed to the awaiting task
            future.set_exception(exc)
        return future


def _plain(value: Any, secret: list[bool]) -> Any:
    """Wire value (protobuf Struct as Python) -> plain data; secrets redacted, flags set."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            secret[0] = True
            return SECRET_PLACEHOLDER
        if sig == _RESOURCE_SIG:
            return value.get("urn", "")
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                secret[0] = True
                return SECRET_PLACEHOLDER
            return _plain(value["value"], secret) if "value" in value else UNKNOWN
        return {k: _plain(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, secret) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Struct numbers are doubles: 3 replicas must stay 3
    if value == _UNKNOWN_VALUE:
        return UNKNOWN
    return value


def _inputs(struct) -> tuple[dict[str, Any], list[str]]:
    from google.protobuf.json_format import MessageToDict

    raw = MessageToDict(struct)
    inputs, secret_keys = {}, []
    for key, value in raw.items():
        flag = [False]
        inputs[key] = _plain(value, flag)
        if flag[0]:
            secret_keys.append(key)
    return inputs, secret_keys


def _make_monitor():
    from pulumi.runtime import mocks
    from pulumi.runtime.proto import resource_pb2

    class NoMocks(mocks.Mocks):
        # Never consulted: the monitor below answers registrations itself.
        def call(self, args):
            return {}, None

        def new_resource(self, args):
            return "", {}

    class CapturingMonitor(mocks.MockMonitor):
        def __init__(self):
            super().__init__(NoMocks())
            self.captured: list[Resource] = []
            self.refs: dict[str, str] = {}  # urn -> spec_ref, inherited down the parent chain

        def RegisterResource(self, request):
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == "pulumi:pulumi:Stack":
                return resource_pb2.RegisterResourceResponse(urn=urn)
            from agentops.program import spec_ref_of_type

            ref = spec_ref_of_type(request.type, request.name) or self.refs.get(request.parent)
            if ref:
                self.refs[urn] = ref
            inputs, secret_keys = _inputs(request.object)
            self.captured.append(
                Resource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    inputs=inputs,
                    parent=request.parent or None,
                    # A provider reference is "<urn>::<id>"; the id is unknown in a preview.
                    provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
                    dependencies=list(request.dependencies),
                    custom=bool(request.custom),
                    protect=bool(request.protect),
                    spec_ref=ref,
                    secret_keys=secret_keys,
                )
            )
            # Echo the inputs as the outputs (ids stay unknown: this is a preview).
            return resource_pb2.RegisterResourceResponse(urn=urn, id="", object=request.object)

        def Invoke(self, request):
            # The program makes no invokes; one that appears gets an empty answer, not a crash.
            return resource_pb2.ResourceInvokeResponse(failures=None)

    return CapturingMonitor()


@contextlib.contextmanager
def _lean_sdk():
    """Two costs a mocked run never needs, removed for its duration (together about half the
    run time at 1000 resources). The SDK walks the Python stack for every resource to tell the
    engine where it was declared: a mock has no use for source positions. And the cyclic GC
    keeps rescanning the many futures each registration makes, none of them garbage yet."""
    import gc

    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime import stack as sdk_stack
    from pulumi.runtime.proto import source_pb2

    saved, gc_was_enabled = sdk_resource._get_stack_trace, gc.isenabled()
    saved_wait = sdk_stack.wait_for_rpcs
    sdk_resource._get_stack_trace = lambda: source_pb2.StackTrace()
    sdk_stack.wait_for_rpcs = _wait_for_rpcs_linear
    gc.disable()
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = saved
        sdk_stack.wait_for_rpcs = saved_wait
        if gc_was_enabled:
            gc.enable()


async def _wait_for_rpcs_linear(await_all_outstanding_tasks: bool = True) -> None:
    """pulumi.runtime.stack.wait_for_rpcs with the outstanding outputs awaited together.
    Since pulumi 3.229 the SDK waits on the whole set of outputs with FIRST_COMPLETED, once per
    completed task: quadratic in the number of outputs, 4.5 of 6.5 s at 1000 resources under
    mocks. Same contract: every RPC and output awaited, the first error raised."""
    import asyncio

    from pulumi.runtime.settings import SETTINGS, _get_rpc_manager

    rpc_manager = _get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            await rpc_manager.rpcs.pop()
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with SETTINGS.lock:
                    pending = list(SETTINGS.outputs)
                    SETTINGS.outputs.clear()
                if not pending:
                    break
                await asyncio.gather(*pending)
        if not rpc_manager.rpcs:
            break


def capture(
    spec_text: str,
    stack: str,
    project: str = DEFAULT_PROJECT,
    source: str | None = None,
    config: dict[str, str] | None = None,
) -> ResourceGraph:
    """Spec text -> the resource graph the program registers for it, run in this process.

    config: Pulumi config values by key (without the project prefix); secret_env keys that are
    missing get a placeholder. Every value a program marks secret is redacted in the graph.
    Raises SpecError for a spec that does not parse or validate.
    """
    import asyncio

    from agentops.spec import load_spec_text

    spec = load_spec_text(spec_text, source or f"stacks/{stack}.yaml")

    import pulumi
    from pulumi.runtime import config as pconfig
    from pulumi.runtime import mocks
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from agentops import program

    values = {f"{project}:{k}": v for k, v in (config or {}).items()}
    secret_keys = []
    for dep in spec.deployments.values():
        for key in dep.secret_env.values():
            values.setdefault(f"{project}:{key}", OFFLINE_SECRET)
            secret_keys.append(f"{project}:{key}")
    pconfig.set_all_config(values, secret_keys)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(_Inline())
    monitor = _make_monitor()
    mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
    try:
        with _lean_sdk():
            _sync_await(run_pulumi_func(lambda: program.render(spec, stack, pulumi.Config(project))))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return ResourceGraph(project=project, stack=stack, resources=monitor.captured)


def _capture_json(args: tuple[str, str, str, str]) -> tuple[str, str, str | None]:
    # An exception's hint would not survive pickling (args holds the message only), so user
    # errors travel back as data.
    from agentops import errors

    spec_text, stack, project, source = args
    try:
        return "ok", capture(spec_text, stack, project, source).model_dump_json(), None
    except errors.AgentOpsError as exc:
        return type(exc).__name__, exc.message, exc.hint


def capture_many(jobs: list[tuple[str, str, str]], project: str = DEFAULT_PROJECT) -> list[ResourceGraph]:
    """[(spec_text, stack, source)] -> graphs, each in a fresh process, up to one per core.

    A SpecError in a child is raised here unchanged (it pickles), so a base revision's syntax
    error reads like a head one's.
    """
    if not jobs:
        return []
    import multiprocessing

    import threading

    # Even a single capture gets its own process: the Pulumi runtime is process-global and
    # must not leak into the caller. A fork starts ~0.4 s sooner than a fresh interpreter
    # (nothing to re-import), but is only safe while this process has no other threads.
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    ctx = multiprocessing.get_context("fork" if forkable else "spawn")
    workers = min(len(jobs), os.cpu_count() or 1)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        results = list(pool.map(_capture_json, [(t, s, project, src) for t, s, src in jobs]))
    graphs = []
    for kind, payload, hint in results:
        if kind != "ok":
            from agentops import errors

            raise getattr(errors, kind, errors.AgentOpsError)(payload, hint)
        graphs.append(ResourceGraph.model_validate_json(payload))
    return graphs
