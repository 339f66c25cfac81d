"""SIGTERM and SIGHUP end a command the way Ctrl-C does: by an exception in the main thread,
so every `finally` and `except BaseException` runs (a proposal's temporary worktree is
removed, a half-published branch deleted), and never half-way through a cleanup.

Python's default for SIGTERM/SIGHUP is to die at once, cleanup skipped: a `kill` (a CI
timeout, a closed terminal) while a proposal was being built left its worktree registered in
the repository holding a modified spec. The CLI runs every command inside `installed()`; `deferred()`
wraps a cleanup so that a signal arriving during it waits until it is done.
"""

from __future__ import annotations

import contextlib
import os
import signal
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


def _raise(signum, _frame) -> None:
    if os.getpid() != _installed_by:
        # A process forked from the CLI (the offline plan's workers) inherits the handler but
        # none of the CLI's cleanups: it dies of the signal, as it would have before.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise Terminated(signum)


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise Terminated (main thread only; elsewhere a
    no-op); the previous handlers come back after it (the CLI can run inside a test)."""
    global _installed_by
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _installed_by = os.getpid()
    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:  # an ignored signal (nohup) stays ignored
            signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP for the duration of the block (a cleanup that must not
    be cut short); one that arrived meanwhile is delivered when the block ends."""
    blocked = {signal.SIGINT, *HANDLED}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
