"""A signal that lands while Python runs a finalizer is not lost (agentops.interrupts).

The exception a signal handler raises inside a `__del__` is "ignored" by Python: printed and
dropped. In CI a Ctrl-C during a proposal landed in GitPython's GitConfigParser.__del__, and
the proposal went on to make its branch and exit 0. These tests raise the signal inside a
finalizer on purpose (signal.raise_signal runs the handler at once, in the main thread)."""

from __future__ import annotations

import gc
import signal

import pytest

from agentops import interrupts


@pytest.fixture(autouse=True)
def _sigint_as_python_sets_it():
    """Python's own SIGINT handler for each test, whatever the test process inherited: a
    process started as a background job of a non-interactive shell has SIGINT ignored, and
    installed() keeps an ignored signal ignored (on purpose: nohup), which these tests of the
    handler would read as a failure."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class _SignalsWhenCollected:
    def __init__(self, signum: int):
        self.signum = signum

    def __del__(self):
        signal.raise_signal(self.signum)  # the handler raises here, where Python drops it


def _collect_one(signum: int) -> None:
    _SignalsWhenCollected(signum)  # no reference kept: __del__ runs now
    gc.collect()


@pytest.mark.parametrize("signum, raised", [(signal.SIGINT, KeyboardInterrupt),
                                            (signal.SIGTERM, interrupts.Terminated)])
def test_a_signal_swallowed_by_a_finalizer_stops_the_next_cleanup(signum, raised, capsys):
    reached_after_cleanup = False
    with pytest.raises(raised):
        with interrupts.installed():
            _collect_one(signum)  # swallowed here...
            with interrupts.deferred():
                pass  # ...raised when this cleanup ends
            reached_after_cleanup = True
    assert not reached_after_cleanup
    assert "Exception ignored" not in capsys.readouterr().err  # kept, not printed and dropped


def test_a_signal_swallowed_after_the_last_cleanup_stops_the_command():
    with pytest.raises(interrupts.Terminated) as stop:
        with interrupts.installed():
            _collect_one(signal.SIGTERM)
    assert stop.value.exit_code == 128 + signal.SIGTERM


def test_a_signal_swallowed_before_nested_cleanups_waits_for_the_outermost():
    steps = []
    with pytest.raises(KeyboardInterrupt):
        with interrupts.installed():
            _collect_one(signal.SIGINT)
            with interrupts.deferred():
                with interrupts.deferred():
                    pass
                steps.append("inner cleanup ended")  # the outer cleanup is not cut short
            steps.append("after")
    assert steps == ["inner cleanup ended"]


def test_other_unraisable_exceptions_still_reach_the_hook_that_was_there(monkeypatch):
    seen = []
    monkeypatch.setattr("sys.unraisablehook", lambda unraisable: seen.append(unraisable.exc_value))

    class Broken:
        def __del__(self):
            raise ValueError("a finalizer's own error")

    with interrupts.installed():
        Broken()
        gc.collect()
    assert [str(exc) for exc in seen] == ["a finalizer's own error"]  # not taken for a signal
