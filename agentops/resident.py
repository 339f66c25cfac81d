"""A resident model process: the interpreter, kept loaded between CLI commands.

Loading the model, its grammar index and the example index is most of what a whole-process
`agentops interpret` costs; interpreting is a fraction of it. Like a language server or a build
daemon, the CLI keeps one process with all of that loaded and talks to it over a Unix socket:

- `agentops interpret` asks the resident process first; when none answers it interprets in its
  own process as always, and starts one in the background for the next command;
- the process serves one request at a time, for any repository of the user (each request names
  the repository root; the specs are read fresh every time), and exits after
  AGENTOPS_RESIDENT_IDLE seconds without a request (default 900);
- AGENTOPS_RESIDENT=0 turns it off (it is off by default where CI is set: a build machine
  keeps no background processes); `agentops resident status|stop` looks and stops it.

Safety: the socket lives in a directory only the user can enter (0700) and the process answers
only its own user (SO_PEERCRED). A request carries data, never code: a repository root that
must hold stacks/, a command, a stack, a model path. A process built from other code (an
upgrade, an edited checkout, another adapter) answers `stale` and exits; the client then
interprets in-process and starts a fresh one. Errors come back as {message, hint} and are
raised in the client as the same InterpretError the in-process path raises.

Protocol: one JSON object per line each way.
    request:  {"v": 1, "build": B, "op": "interpret", "root": R, "command": C, "stack": S, "model": M}
    answer:   {"ok": true, "plan": {...ActionPlan...}} | {"ok": false, "error": E, "hint": H}
              | {"ok": false, "stale": true}
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

PROTOCOL = 1
IDLE_SECONDS = 900
CONNECT_TIMEOUT = 0.2
# A request waits for the one before it; a model load is the longest thing a request can hold.
ANSWER_TIMEOUT = 120.0
MAX_REQUEST = 64 * 1024


def enabled() -> bool:
    setting = os.environ.get("AGENTOPS_RESIDENT")
    if setting is not None:
        return setting.strip().lower() not in ("0", "false", "no", "off", "")
    return not os.environ.get("CI")


def runtime_dir() -> Path:
    """Where the socket lives: AGENTOPS_RESIDENT_DIR, else <cache>/resident (made 0700)."""
    from agentops.config import user_cache_dir

    configured = os.environ.get("AGENTOPS_RESIDENT_DIR")
    path = Path(configured) if configured else user_cache_dir() / "resident"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def socket_path() -> Path:
    return runtime_dir() / f"interpreter-{os.getuid()}.sock"


def build() -> str:
    """What the serving code and model files are: a process built from others is stale."""
    import agentops

    package = Path(agentops.__file__).resolve().parent
    digest = hashlib.sha256(agentops.__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".gguf", ".json", ".yaml") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    digest.update(sys.executable.encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Client


class Unavailable(Exception):
    """No resident process answered (or it was stale): interpret in-process."""


def interpret(root: Path, command: str, stack: str | None, model: str | None):
    """The ActionPlan from the resident process; Unavailable when there is none."""
    from agentops.actionplan import ActionPlan
    from agentops.errors import InterpretError

    answer = _ask({"v": PROTOCOL, "build": build(), "op": "interpret", "root": str(root),
                   "command": command, "stack": stack, "model": model})
    if answer.get("ok"):
        return ActionPlan.model_validate(answer["plan"])
    if answer.get("stale"):
        raise Unavailable("stale")
    raise InterpretError(str(answer.get("error") or "the resident interpreter failed"),
                         hint=answer.get("hint") or None)


def status() -> dict | None:
    try:
        return _ask({"v": PROTOCOL, "op": "status"})
    except Unavailable:
        return None


def stop() -> bool:
    try:
        _ask({"v": PROTOCOL, "op": "stop"})
        return True
    except Unavailable:
        return False


def _ask(request: dict) -> dict:
    path = socket_path()
    if len(str(path).encode()) > 100 or not path.exists():
        raise Unavailable("no socket")  # (a Unix socket path holds ~100 bytes at most)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(CONNECT_TIMEOUT)
        conn.connect(str(path))
        conn.settimeout(ANSWER_TIMEOUT)
        conn.sendall(json.dumps(request).encode() + b"\n")
        data = _read_line(conn)
    except (OSError, ValueError) as exc:
        raise Unavailable(str(exc)) from None
    finally:
        conn.close()
    try:
        return json.loads(data)
    except ValueError:
        raise Unavailable("unreadable answer") from None


def start_background() -> None:
    """Start a resident process for the next command (detached; its output goes to a log in
    the runtime directory). Does nothing when one is already starting."""
    log = runtime_dir() / "interpreter.log"
    with open(log, "ab") as out:
        subprocess.Popen([sys.executable, "-m", "agentops.resident"], stdin=subprocess.DEVNULL,
                         stdout=out, stderr=out, start_new_session=True, close_fds=True)


# ---------------------------------------------------------------------------------------------
# Server


def _read_line(conn: socket.socket) -> bytes:
    chunks, size = [], 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n"):
            break
        if size > MAX_REQUEST:
            raise ValueError("request too large")
    return b"".join(chunks)


def _peer_uid(conn: socket.socket) -> int:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


class Server:
    """Serves interpret requests on the socket, one at a time, until idle or stopped.
    `make_interpreter(model)` builds the interpreter for a model setting (a test passes one
    with a scripted plan writer, through the same seam as tests/conftest.py)."""

    def __init__(self, path: Path | None = None, idle: float | None = None, make_interpreter=None,
                 own_build: str | None = None):
        self.path = path or socket_path()
        self.idle = idle if idle is not None else float(os.environ.get("AGENTOPS_RESIDENT_IDLE", IDLE_SECONDS))
        self.make_interpreter = make_interpreter or _model_interpreter
        self.build = own_build or build()
        self.interpreters: dict = {}
        self.served = 0
        self.started = time.time()

    def bind(self) -> socket.socket | None:
        """The listening socket, or None when another live process holds the path."""
        import fcntl

        lock = open(self.path.with_suffix(".lock"), "w")
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when this process exits
        self._lock = lock
        if self.path.exists():
            probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                probe.settimeout(CONNECT_TIMEOUT)
                probe.connect(str(self.path))
                return None  # a live one answers there
            except OSError:
                self.path.unlink()  # a dead one's socket
            finally:
                probe.close()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(str(self.path))
        finally:
            os.umask(old)
        listener.listen(8)
        return listener

    def serve(self) -> None:
        if len(str(self.path).encode()) > 100:
            print(f"resident interpreter: socket path too long: {self.path}", file=sys.stderr)
            return
        listener = self.bind()
        if listener is None:
            return
        listener.settimeout(self.idle)
        try:
            while True:
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    return  # idle: exit, the next command starts another
                with conn:
                    if not self.handle(conn):
                        return
        finally:
            listener.close()
            try:
                self.path.unlink()
            except OSError:
                pass

    def handle(self, conn: socket.socket) -> bool:
        """Answer one request; False when the process should exit."""
        conn.settimeout(ANSWER_TIMEOUT)
        if _peer_uid(conn) != os.getuid():
            return True  # another user: no answer at all
        try:
            request = json.loads(_read_line(conn))
            if not isinstance(request, dict) or request.get("v") != PROTOCOL:
                raise ValueError("unknown protocol")
        except ValueError as exc:
            self._send(conn, {"ok": False, "error": f"bad request: {exc}"})
            return True
        op = request.get("op")
        if op == "status":
            self._send(conn, {"ok": True, "pid": os.getpid(), "served": self.served,
                              "up_seconds": round(time.time() - self.started), "build": self.build})
            return True
        if op == "stop":
            self._send(conn, {"ok": True})
            return False
        if op != "interpret":
            self._send(conn, {"ok": False, "error": f"unknown op {op!r}"})
            return True
        if request.get("build") != self.build:
            self._send(conn, {"ok": False, "stale": True})
            return False
        self._send(conn, self.interpret(request))
        self.served += 1
        return True

    def interpret(self, request: dict) -> dict:
        from agentops.errors import AgentOpsError
        from agentops.spec import Workspace

        try:
            root = Path(str(request.get("root") or ""))
            if not root.is_absolute() or not (root / "stacks").is_dir():
                raise AgentOpsError(f"not a repository with stacks/: {root}")
            model = request.get("model")
            model = str(model) if model else None
            if model not in self.interpreters:
                self.interpreters[model] = self.make_interpreter(model)
            stack = request.get("stack")
            plan = self.interpreters[model].interpret(str(request.get("command") or ""),
                                                      Workspace(root), str(stack) if stack else None)
            return {"ok": True, "plan": plan.model_dump(mode="json")}
        except AgentOpsError as exc:
            return {"ok": False, "error": exc.message, "hint": exc.hint}
        except Exception as exc:  # noqa: BLE001 - the client falls back; the log says why
            print(f"resident interpreter: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            return {"ok": False, "stale": True}

    @staticmethod
    def _send(conn: socket.socket, answer: dict) -> None:
        try:
            conn.sendall(json.dumps(answer).encode() + b"\n")
        except OSError:
            pass


def _model_interpreter(model: str | None):
    from agentops.interpret import Interpreter

    return Interpreter(model)


def main() -> None:
    Server().serve()


if __name__ == "__main__":
    main()
