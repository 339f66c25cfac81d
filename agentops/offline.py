"""Run the Pulumi program under Pulumi's own mocks and capture what it registers.

No CLI, no credentials, no network: `pulumi.runtime.set_mocks` with a monitor that records each
raw RegisterResource request (MockResourceArgs lacks parent and dependencies, so the request is
read directly) and echoes the inputs back as outputs. It runs in preview mode, so outputs the
cloud would compute (ids, ARNs) stay unknown, as in `pulumi preview`.

`capture()` runs in-process (the policy engine uses it); `capture_many()` and `Workers` run
each revision in its own process, in parallel: Pulumi's runtime settings are process-global,
and two cores halve the wall time of a base + head plan. Where the time goes, and what was done
about it (see FIGURES.md for the figures):

- importing the SDK and the provider modules (about a second of CPU, more than rendering a few
  hundred resources): done once, in a loader process that starts while the caller reads git
  and validates the specs, loading only the resource modules the specs use (_preload); the
  capture processes are forked from it;
- the SDK's work per resource: what a mocked run never needs is removed (_lean_sdk);
- the cyclic GC: off in the loader and the workers, which exit when done;
- capturing at all: graphs are cached on disk by everything that decides them (graphcache).

tests/test_offline_fast.py holds this fast path to the graph the plain SDK captures.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import os
import sys
import types
from typing import TYPE_CHECKING, Any

from agentops.graph import SECRET_PLACEHOLDER, Resource, ResourceGraph

if TYPE_CHECKING:
    from agentops.spec import SpecBase as StackSpec

# The Pulumi SDK versions the fast path (_lean_sdk: patches of the SDK's private internals) was
# tested with: tests/test_offline_fast.py holds it to the plain SDK's graph on each, and fails
# when the installed SDK is not listed here. On any other version the plain path runs (slower,
# the same graph) and agentops says so once. Add a version only after that test passed on it.
TESTED_PULUMI_VERSIONS = ("3.272.0",)

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


_fast_path_warned = False


@functools.lru_cache(maxsize=1)
def pulumi_version() -> str:
    """The installed Pulumi SDK's version (from its metadata: the SDK is not imported)."""
    from importlib.metadata import version

    return version("pulumi")


def fast_path_supported(warn: bool = True) -> bool:
    """Whether the fast path runs on the installed SDK (TESTED_PULUMI_VERSIONS). If not, and
    `warn`, say so on stderr, once per process."""
    global _fast_path_warned

    installed = pulumi_version()
    if installed in TESTED_PULUMI_VERSIONS:
        return True
    if warn and not _fast_path_warned:
        _fast_path_warned = True
        print(f"warning: agentops' fast offline capture is tested with pulumi "
              f"{', '.join(TESTED_PULUMI_VERSIONS)}, not {installed}: using the Pulumi SDK's "
              f"plain path (the same plan, slower)", file=sys.stderr)
    return False


@contextlib.contextmanager
def _lean_sdk():
    """What a mocked run never needs, removed for its duration (the captured requests are the
    same; tests/test_offline_fast.py holds it to that):

    - the Python stack the SDK walks for every resource, to tell the engine where it was
      declared: a mock has no use for source positions;
    - an Output (four futures and a task) for every output property of every resource, made
      at registration though a program reads a few: each is made when first read (_LazyOutput),
      and the registration's answer is unpacked into them only once one is read;
    - a chain of Outputs to build a URN from plain strings, for every resource (the SDK builds
      a URN of its own before each registration, for when there is no monitor to ask):
      _create_urn_plain builds the same string directly;
    - the SDK's wait for outstanding outputs, quadratic since pulumi 3.229 (_wait_for_rpcs_linear);
    - the cyclic GC, which keeps rescanning the many futures a registration makes, none of them
      garbage yet.
    """
    import gc

    import pulumi
    from pulumi import _types
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime import rpc
    from pulumi.runtime import stack as sdk_stack
    from pulumi.runtime.proto import source_pb2

    patches = [
        (sdk_resource, "_get_stack_trace", lambda: source_pb2.StackTrace()),
        (sdk_stack, "wait_for_rpcs", _wait_for_rpcs_linear),
        (rpc, "transfer_properties", functools.partial(_transfer_lazily, rpc.transfer_properties)),
        (rpc, "resolve_outputs", functools.partial(_resolve_outputs_when_read, rpc.resolve_outputs)),
        (sdk_resource, "create_urn", functools.partial(_create_urn_plain, sdk_resource.create_urn)),
        # Generated resource classes read every output property through pulumi.get.
        (pulumi, "get", functools.partial(_get_materializing, _types.get)),
        (_types, "get", functools.partial(_get_materializing, _types.get)),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    gc_was_enabled = gc.isenabled()
    for owner, name, value in patches:
        setattr(owner, name, value)
    gc.disable()
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
        if gc_was_enabled:
            gc.enable()


class _LazyOutputs(dict):
    """transfer_properties' answer under _lean_sdk: property name -> resolver, as the SDK's,
    plus the resource's _LazyOutputs and, until one of them is read, the registration's answer
    still packed (the SDK's resolve_outputs call, held back: see _resolve_outputs_when_read)."""

    def __init__(self):
        super().__init__()
        self.outputs: list[_LazyOutput] = []
        self.held: tuple | None = None  # (resolve_outputs, args, kwargs)

    def read(self) -> bool:
        return any(output.resolver is not None for output in self.outputs)

    def unpack(self) -> None:
        if self.held is not None:
            resolve_outputs, args, kwargs = self.held
            self.held = None
            resolve_outputs(*args, **kwargs)


class _LazyOutput:
    """Stands in `resource.__dict__[name]` for an output property nobody has read yet.

    The SDK's transfer_properties makes, for each property, an Output and the resolver that the
    registration's answer calls. Here the resolver only records its arguments; the first read
    (pulumi.get) runs the SDK's own transfer_properties for that one property and replays them,
    so the Output a program sees is the SDK's, made and resolved by the SDK's code.
    """

    __slots__ = ("resource", "name", "custom", "transfer", "group", "resolver", "answer")

    def __init__(self, resource, name: str, custom: bool, transfer, group: _LazyOutputs):
        self.resource, self.name, self.custom, self.transfer = resource, name, custom, transfer
        self.group = group
        self.resolver = None  # the SDK's, once read
        self.answer: tuple | None = None  # the resolver's arguments, once the registration answered

    def resolve(self, *answer) -> None:
        if self.resolver is None:
            self.answer = answer
        else:
            self.resolver(*answer)

    def output(self):
        if self.resolver is None:
            # Replaces this stand-in in the resource's __dict__ with the SDK's Output.
            self.resolver = self.transfer(self.resource, {self.name: None}, self.custom)[self.name]
            if self.answer is not None:
                self.resolver(*self.answer)
            self.group.unpack()  # an answer that came while nobody read: resolves this one now
        return self.resource.__dict__[self.name]


def _transfer_lazily(sdk_transfer, res, props, custom: bool) -> _LazyOutputs:
    """rpc.transfer_properties with each Output made on first read (see _LazyOutput)."""
    resolvers = _LazyOutputs()
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # the SDK handles these itself, as transfer_properties does
        lazy = _LazyOutput(res, name, custom, sdk_transfer, resolvers)
        res.__dict__[name] = lazy
        resolvers[name] = lazy.resolve
        resolvers.outputs.append(lazy)
    return resolvers


def _resolve_outputs_when_read(sdk_resolve_outputs, res, serialized_props, outputs, deps,
                               resolvers, *args, **kwargs) -> None:
    """rpc.resolve_outputs, held back while none of the resource's output properties has been
    read: unpacking the registration's answer (deserializing and translating every property)
    is work most resources never need. The first read runs the SDK's call as it was made."""
    call = (res, serialized_props, outputs, deps, resolvers, *args)
    if isinstance(resolvers, _LazyOutputs) and not resolvers.read():
        resolvers.held = (sdk_resolve_outputs, call, kwargs)
        return
    sdk_resolve_outputs(*call, **kwargs)


def _get_materializing(sdk_get, obj, name: str):
    """pulumi.get, turning a not-yet-read output property into its Output."""
    value = sdk_get(obj, name)
    return value.output() if isinstance(value, _LazyOutput) else value


def _create_urn_plain(sdk_create_urn, name, type_, parent=None, project=None, stack=None):
    """pulumi.runtime.resource.create_urn, without the Outputs when every part is a plain
    string: the same URN, as an Output that is known, not secret and depends on nothing, which
    is what the SDK's Output.all(...).apply(...) over plain strings gives."""
    from pulumi import Output
    from pulumi.runtime import settings

    if not (isinstance(name, str) and isinstance(type_, str)
            and (parent is None or isinstance(parent, str))):
        return sdk_create_urn(name, type_, parent, project, stack)
    if parent is not None:
        prefix = parent[0: parent.rfind("::")] + "$"  # the SDK's own expression
    else:
        stack = settings.get_stack() if stack is None else stack
        project = settings.get_project() if project is None else project
        prefix = "urn:pulumi:" + stack + "::" + project + "::"
    return Output.from_input(prefix + type_ + "::" + name)


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
    from agentops.spec import load_spec_text

    spec = load_spec_text(spec_text, source or f"stacks/{stack}.yaml")
    return capture_spec(spec, stack, project, config)


def capture_spec(
    spec: StackSpec,
    stack: str,
    project: str = DEFAULT_PROJECT,
    config: dict[str, str] | None = None,
    lean: bool | None = None,
) -> ResourceGraph:
    """A validated spec -> the resource graph the program registers for it, in this process.

    lean=False runs the SDK as it comes, without _lean_sdk's shortcuts and with its own thread
    pool for the monitor calls: the reference the tests hold the lean path to. None (the
    default): lean on the SDK versions it was tested with (fast_path_supported), else plain.
    """
    if lean is None:
        lean = fast_path_supported()
    import asyncio

    import pulumi
    from pulumi.runtime import config as pconfig
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from agentops import program

    values = {f"{project}:{k}": v for k, v in (config or {}).items()}
    secret_keys = []
    for section, _, entry in spec.resources():
        for key in spec.kinds()[section].config_secrets(entry):
            values.setdefault(f"{project}:{key}", OFFLINE_SECRET)
            secret_keys.append(f"{project}:{key}")
    pconfig.set_all_config(values, secret_keys)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if lean:
        loop.set_default_executor(_Inline())
    monitor = _make_monitor()
    # set_mocks keeps the root stack resource of an earlier run in this process, and the next
    # stack's resources would be parented to it: forget it first, as the SDK's reset_options does.
    settings.ROOT.set(None)
    mocks.set_mocks(monitor.mocks, project=project, stack=stack, preview=True, monitor=monitor)
    try:
        with _lean_sdk() if lean else contextlib.nullcontext():
            _sync_await(run_pulumi_func(lambda: program.render(spec, stack, pulumi.Config(project))))
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    return ResourceGraph(project=project, stack=stack, resources=monitor.captured)


# ---------------------------------------------------------------------------------------------
# Capturing in other processes
#
# Pulumi's runtime settings are process-global, so every capture runs in a process of its own,
# and base and head run in parallel. Importing the SDK and the provider modules the program
# uses costs about a second of CPU, more than rendering a stack of a few hundred resources. So
# one helper process, the loader, starts first and imports them while the caller reads git and
# validates the specs; each capture then runs in a process forked from the loader, which starts
# with everything imported and pays for nothing twice.

# A job: the spec (validated, or its text to parse in the worker), the stack, the spec's source
# for error messages.
Job = tuple["StackSpec | str", str, str]
# A worker's answer: ("ok", graph JSON, None) or (error class name, message, hint). An
# exception's hint would not survive pickling (args holds the message only), so user errors
# travel back as data.
_Result = tuple[str, str, "str | None"]


class Workers:
    """The loader process and the capture processes forked from it (single use).

        with Workers() as workers:        # the loader starts importing now
            ...                           # read git, validate specs
            graphs = workers.capture_many(jobs)

    capture_many() is start() and results(); between the two the caller is free to do other
    work. Leaving the block before the results stops the loader. With `cache` (the default
    unless AGENTOPS_GRAPH_CACHE=0), a job whose graph agentops.graphcache holds is not captured
    again, and each new graph is stored there.
    """

    def __init__(self, project: str = DEFAULT_PROJECT, cache: bool | None = None):
        import multiprocessing
        import threading

        from agentops import graphcache

        self.project = project
        self.cache = graphcache.enabled() if cache is None else cache
        # Decided (and warned about) here, once, not in every capture process.
        self.lean = fast_path_supported()
        # fork starts the loader at once with this process's imports; it is only safe while
        # this process has no other threads (a server's request thread, say): spawn then.
        forkable = ("fork" in multiprocessing.get_all_start_methods()
                    and threading.active_count() == 1)
        ctx = multiprocessing.get_context("fork" if forkable else "spawn")
        self._conn, loader_end = ctx.Pipe()
        # Not a daemon: a daemon process may not start processes of its own.
        self._proc = ctx.Process(target=_loader_main, args=(loader_end, self._conn),
                                 name="agentops-offline-loader")
        self._proc.start()
        loader_end.close()
        self._jobs: list[Job] | None = None
        self._graphs: list[ResourceGraph | None] = []  # by job: from the cache, or None
        self._keys: list[str | None] = []  # by job: its cache key
        self._answered = False

    def capture_many(self, jobs: list[Job]) -> list[ResourceGraph]:
        """[(spec or spec text, stack, source)] -> graphs, in that order, each captured in a
        process of its own, up to one per core at a time. A SpecError in a worker (a spec
        given as text) is raised here as if it had happened in this process."""
        self.start(jobs)
        return self.results()

    def start(self, jobs: list[Job]) -> None:
        """Hand the jobs over and return at once: the caller can do other work meanwhile."""
        from agentops import graphcache

        if self._jobs is not None:
            raise RuntimeError("Workers run one batch of jobs")
        self._jobs = list(jobs)
        self._keys = [graphcache.key(spec, stack, self.project) if self.cache else None
                      for spec, stack, _ in self._jobs]
        self._graphs = [graphcache.load(key) if key else None for key in self._keys]
        todo = self._todo()
        if not todo:
            self.close()  # everything was cached (or nothing asked): no capture at all
            return
        try:
            self._conn.send((self.project, self.lean, [self._jobs[i] for i in todo]))
        except OSError:
            pass  # the loader is gone: results() says so

    def results(self) -> list[ResourceGraph]:
        """The graphs of the jobs given to start(), in their order (waits for them)."""
        from agentops import graphcache

        if self._jobs is None:
            raise RuntimeError("Workers.results() before start()")
        todo = self._todo()
        if todo:
            try:
                answers: list[_Result] = self._conn.recv()
                self._answered = True  # the loader only exits now: wait for it, don't kill it
            except (EOFError, OSError):
                answers = [_died("the offline plan's loader process")] * len(todo)
            finally:
                self.close()
            for index, answer in zip(todo, answers):
                self._graphs[index] = _graph_of(answer)
                if self._keys[index]:
                    graphcache.store(self._keys[index], answer[1])
        return list(self._graphs)  # type: ignore[arg-type]

    def _todo(self) -> list[int]:
        return [i for i, graph in enumerate(self._graphs) if graph is None]

    def close(self) -> None:
        """Stop the loader if it is still running (not needed after all, or interrupted):
        there is no reason to let it finish its imports. Idempotent."""
        if not self._answered and self._proc.is_alive():
            self._proc.terminate()
        self._conn.close()
        self._proc.join()

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def capture_many(jobs: list[Job], project: str = DEFAULT_PROJECT,
                 cache: bool | None = None) -> list[ResourceGraph]:
    """[(spec or spec text, stack, source)] -> graphs, each in a process of its own, in parallel
    (see Workers for `cache`).

    A SpecError in a child is raised here unchanged, so a base revision's syntax error reads
    like a head one's.
    """
    if not jobs:
        return []
    with Workers(project, cache=cache) as workers:
        return workers.capture_many(jobs)


def _graph_of(result: _Result) -> ResourceGraph:
    kind, payload, hint = result
    if kind != "ok":
        from agentops import errors

        raise getattr(errors, kind, errors.AgentOpsError)(payload, hint)
    return ResourceGraph.model_validate_json(payload)


def _died(what: str) -> _Result:
    return ("AgentOpsError", f"{what} ended without an answer",
            "run the command again; if it keeps failing, the messages above say why the process ended")


def _import_sdk() -> None:
    """What every capture needs, whatever the spec: the SDK, its mocks, the providers' roots."""
    import pulumi  # noqa: F401
    import pulumi.runtime.mocks  # noqa: F401
    import pulumi.runtime.stack  # noqa: F401
    import pulumi_aws  # noqa: F401
    import pulumi_kubernetes  # noqa: F401

    from agentops import program  # noqa: F401


def _preload(specs: list[StackSpec]) -> None:
    """Load the provider resource modules rendering these specs uses, and only those.

    A provider package's own __init__ imports every resource module in it: pulumi_aws.ec2 has
    about 180, a third of a second to load, for the 9 the program uses. Here each package the
    specs need becomes a _ThinPackage holding what its __init__ would take from the modules that
    are used: the enums, the input types, the outputs module and those resource classes.
    """
    import importlib
    import importlib.util

    from agentops import program

    modules = list(dict.fromkeys(m for spec in specs for m in program.provider_modules(spec)))
    packages: dict[str, list[str]] = {}
    for name in modules:
        packages.setdefault(name.rpartition(".")[0], []).append(name)
    for package_name, resource_modules in packages.items():
        package = _thin_package(package_name)
        if package is None:
            for name in resource_modules:
                importlib.import_module(name)  # already loaded in full: cheap
            continue
        # In the order of the package's own __init__: enums, resources, input types, outputs
        # (a package listed by its "._inputs" alone brings only the shared types).
        shared = [f"{package_name}.{part}" for part in ("_enums", "_inputs", "outputs")]
        resources = sorted(set(resource_modules) - set(shared))
        for name in [shared[0], *resources, shared[1]]:
            if importlib.util.find_spec(name) is not None:
                _export(package, importlib.import_module(name))
        if importlib.util.find_spec(shared[2]) is not None:
            importlib.import_module(shared[2])  # sets package.outputs, as `from . import outputs`


class _ThinPackage(types.ModuleType):
    """A provider package loaded with only some of its resource modules (see _preload). Reading
    any other name from it runs the package's real __init__ first: a module missing from
    a kind's provider_modules costs time, never a different result."""

    def __getattr__(self, name: str):
        if name.startswith("__") or self.__dict__.get("_complete") or self._has_submodule(name):
            # `from . import outputs` asks first; a submodule is for the import system to load.
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        self._complete = True  # the __init__ reads names of its own while it runs
        self.__spec__.loader.exec_module(self)
        return getattr(self, name)

    def _has_submodule(self, name: str) -> bool:
        import importlib.machinery

        return importlib.machinery.PathFinder.find_spec(f"{self.__name__}.{name}",
                                                        self.__path__) is not None


def _thin_package(name: str) -> "_ThinPackage | None":
    """Put an empty _ThinPackage in place of package `name`, unless it is loaded already."""
    import importlib
    import importlib.machinery
    import importlib.util

    current = sys.modules.get(name)
    if isinstance(current, _ThinPackage):
        return current
    if current is not None and type(current) is types.ModuleType:
        return None  # loaded in full (pulumi's lazy modules are a subclass until loaded)
    parent_name, _, child = name.rpartition(".")
    parent = importlib.import_module(parent_name)
    spec = importlib.machinery.PathFinder.find_spec(name, parent.__path__)
    package = importlib.util.module_from_spec(spec)
    package.__class__ = _ThinPackage
    sys.modules[name] = package
    setattr(parent, child, package)
    return package


def _export(package: types.ModuleType, module: types.ModuleType) -> None:
    """`from .module import *` into package."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        setattr(package, name, getattr(module, name))


def _loader_main(conn, callers_end) -> None:
    """The loader: import, wait for the jobs, fork a worker per job, hand back the answers."""
    import gc
    import multiprocessing

    callers_end.close()  # so that the caller's exit reads as end-of-file here
    # This process only imports, forks and exits: the cyclic GC would find nothing to free,
    # and its passes over the growing heap were a third of the import time.
    gc.disable()
    _import_sdk()
    try:
        project, lean, jobs = conn.recv()
    except EOFError:
        return  # the caller needed no capture
    _preload([spec for spec, _, _ in jobs if not isinstance(spec, str)])
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    conn.send(_run_workers(multiprocessing.get_context(method), project, lean, jobs))
    conn.close()


def _run_workers(ctx, project: str, lean: bool, jobs: list[Job]) -> list[_Result]:
    """Each job in a process of its own, at most one per core at a time."""
    from multiprocessing.connection import wait

    results: list[_Result | None] = [None] * len(jobs)
    todo = list(enumerate(jobs))
    running: dict[Any, tuple[int, Any]] = {}  # result pipe -> (job index, process)
    limit = max(1, os.cpu_count() or 1)
    while todo or running:
        while todo and len(running) < limit:
            index, job = todo.pop(0)
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_worker_main, args=(project, lean, job, send), daemon=True)
            proc.start()
            send.close()
            running[receive] = (index, proc)
        for receive in wait(list(running)):
            index, proc = running.pop(receive)
            try:
                results[index] = receive.recv()
            except EOFError:
                results[index] = _died(f"the offline capture of stack {jobs[index][1]!r}")
            receive.close()
            proc.join()
    return results  # type: ignore[return-value]


def _worker_main(project: str, lean: bool, job: Job, send) -> None:
    import gc

    # This process ends right after the capture: a collection would find no garbage worth
    # freeing, and re-enabling the GC after a large capture cost a full pass over the many
    # futures and outputs the SDK made (~0.5 s at 1000 resources).
    gc.disable()
    send.send(_capture_result(project, job, lean))
    send.close()


def _capture_result(project: str, job: Job, lean: bool) -> _Result:
    from agentops import errors
    from agentops.spec import load_spec_text

    spec, stack, source = job
    try:
        if isinstance(spec, str):
            spec = load_spec_text(spec, source)
        return "ok", capture_spec(spec, stack, project, lean=lean).model_dump_json(), None
    except errors.AgentOpsError as exc:
        return type(exc).__name__, exc.message, exc.hint
