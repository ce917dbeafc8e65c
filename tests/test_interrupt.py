"""Ctrl-C during a solve on the command line: best roster first, give up on the second."""

import signal
import sys
import threading
import types

import pytest

from cli import entry, interrupt
from cli.interrupt import solve_until_interrupted
from models import Roster, Status


def _roster() -> Roster:
    return Roster(scenario="x", status=Status.FEASIBLE)


def test_first_interrupt_stops_the_solver_and_keeps_its_roster() -> None:
    """The first SIGINT sets the solver's stop event (and says so); the solver's roster
    comes back as the answer."""
    said: list[str] = []

    def solve(stop: threading.Event) -> Roster:
        signal.raise_signal(signal.SIGINT)
        assert stop.wait(5), "the interrupt should have set stop"
        return _roster()

    assert solve_until_interrupted(solve, lambda: said.append("stopping")) == _roster()
    assert said == ["stopping"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_second_interrupt_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second SIGINT, while the solver is still finishing, raises KeyboardInterrupt."""
    monkeypatch.setattr(interrupt, "REPEAT_SECONDS", 0.0)
    release = threading.Event()

    def solve(stop: threading.Event) -> Roster:
        signal.raise_signal(signal.SIGINT)
        stop.wait(5)
        signal.raise_signal(signal.SIGINT)
        release.wait(5)
        return _roster()

    with pytest.raises(KeyboardInterrupt):
        solve_until_interrupted(solve, lambda: None)
    release.set()


def test_the_same_interrupt_delivered_twice_counts_once() -> None:
    """Two SIGINTs at once (`timeout -s INT` signals the command, then its process group)
    are one interrupt: the solver's roster still comes back."""

    def solve(stop: threading.Event) -> Roster:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        assert stop.wait(5)
        return _roster()

    assert solve_until_interrupted(solve, lambda: None) == _roster()


class _Loading(types.ModuleType):
    """A CLI module whose loading is interrupted by Ctrl-C."""

    def __getattr__(self, name: str) -> object:
        raise KeyboardInterrupt


def test_interrupt_while_loading_exits_130_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A Ctrl-C while the CLI is still importing ends with exit 130 and one line."""
    monkeypatch.setitem(sys.modules, "cli.main", _Loading("cli.main"))
    with pytest.raises(SystemExit) as ended:
        entry.main()
    assert ended.value.code == entry.EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "interrupted\n"
