"""SIGTERM and SIGHUP end a command the way Ctrl-C does: by an exception in the main thread,
so every `finally` and `except BaseException` runs (a proposal's temporary worktree is
removed, a half-published branch deleted), and never half-way through a cleanup.

Python's default for SIGTERM/SIGHUP is to die at once, cleanup skipped: a `kill` (a CI
timeout, a closed terminal) while a proposal was being built left its worktree registered in
the repository holding a modified spec. The CLI runs every command inside `installed()`; `deferred()`
wraps a cleanup so that a signal arriving during it waits until it is done.

A signal can also land while Python runs a finalizer (GitPython's config readers have a
`__del__`): the exception raised there is "ignored", printed and dropped, and the command went
on to finish as if never interrupted (exit 0, the branch made). The hook on unraisable
exceptions keeps such a signal pending instead; it is raised when the next deferred cleanup
ends (the worktree's removal, before any branch is made) or, at the latest, when the command
returns.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import Iterator

HANDLED = (signal.SIGTERM, signal.SIGHUP)


class Terminated(BaseException):
    """Raised in the main thread by SIGTERM or SIGHUP (a BaseException, like
    KeyboardInterrupt, so `except Exception` cleanups do not swallow it)."""

    def __init__(self, signum: int):
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum  # the shell's convention: 143 for SIGTERM, 129 for SIGHUP


_installed_by: int | None = None  # the pid that installed the handlers
# deferred() blocks in progress, and a signal that arrived during one. The signal mask alone is
# not enough: it holds a signal only for the thread that set it, and a process-directed signal
# may land on another thread (LanceDB's, gRPC's), whose C handler still makes the main thread
# run the Python handler in the middle of the cleanup.
_deferring = 0
_pending: int | None = None
_thrown: BaseException | None = None  # the last exception _throw raised, to know it again


def _keep_swallowed(unraisable, previous_hook=None) -> None:
    """sys.unraisablehook while installed: our own signal exception, raised inside a finalizer
    and about to be dropped, stays pending; anything else goes to the hook that was there."""
    global _pending
    if unraisable.exc_value is not None and unraisable.exc_value is _thrown:
        signum = getattr(_thrown, "signum", signal.SIGINT)
        _pending = _pending or signum
        return
    (previous_hook or sys.__unraisablehook__)(unraisable)


def _raise(signum, _frame) -> None:
    global _pending
    if os.getpid() != _installed_by:
        # A process forked from the CLI (the offline plan's workers) inherits the handler but
        # none of the CLI's cleanups: it dies of the signal, as it would have before.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _deferring:
        _pending = _pending or signum  # delivered when the cleanup is done
        return
    _throw(signum)


def _throw(signum: int) -> None:
    global _thrown
    _thrown = KeyboardInterrupt() if signum == signal.SIGINT else Terminated(signum)
    raise _thrown


def checkpoint() -> None:
    """Raise a signal that is pending (one swallowed by a finalizer), unless a deferred
    cleanup is running: it is then raised when that cleanup ends."""
    global _pending
    if _pending is not None and not _deferring:
        signum, _pending = _pending, None
        _throw(signum)


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise Terminated (main thread only; elsewhere a
    no-op); the previous handlers come back after it (the CLI can run inside a test)."""
    global _installed_by, _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _installed_by = os.getpid()
    _pending = None
    previous = {signum: signal.getsignal(signum) for signum in (*HANDLED, signal.SIGINT)}
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:  # an ignored signal (nohup) stays ignored
            signal.signal(signum, _raise)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: _keep_swallowed(unraisable, previous_hook)
    try:
        yield
        checkpoint()  # a signal a finalizer swallowed after the last cleanup: still a stop
    finally:
        sys.unraisablehook = previous_hook
        _pending = None
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP for the duration of the block (a cleanup that must not
    be cut short); one that arrived meanwhile is delivered when the block ends."""
    global _deferring
    blocked = {signal.SIGINT, *HANDLED}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a blocked one is delivered here
        checkpoint()
