"""The whole model racing the search by parts, on provinces of a middling size."""

import threading

import pytest

from checker import check_roster
from models import Status, parse_scenario
from scheduler import solve, tuning
from scheduler.report import is_better
from synth import province


def test_a_race_returns_the_whole_models_proof_and_a_valid_roster(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With every scenario counted middling, two workers race the whole model against the
    parts: the roster is proven optimal (only the whole model proves), valid, and no worse
    than greedy."""
    monkeypatch.setattr(tuning, "SMALL_MODEL_OPTIONS", 0)
    s = parse_scenario(province(400, 40, 1))
    roster = solve(s, seconds=20, workers=2, seed=0)
    assert roster.status is Status.OPTIMAL and roster.objective is not None
    assert roster.baseline is not None and not is_better(roster.baseline, roster.objective)
    assert roster.bound is not None and roster.bound == pytest.approx(roster.objective.cost)
    assert check_roster(s, roster).ok


def test_a_race_stops_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop set before the solve ends the race at once, with the builders' roster,
    valid."""
    monkeypatch.setattr(tuning, "SMALL_MODEL_OPTIONS", 0)
    s = parse_scenario(province(400, 40, 1))
    stop = threading.Event()
    stop.set()
    roster = solve(s, seconds=20, workers=2, seed=0, stop=stop, explain=False)
    assert roster.status is Status.FEASIBLE and roster.objective is not None
    assert roster.baseline is not None and not is_better(roster.baseline, roster.objective)
    assert check_roster(s, roster).ok
