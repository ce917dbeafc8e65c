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


def test_no_race_when_building_the_model_would_take_the_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where building the whole model would take more than its share of the time limit,
    no model is built (build_seconds 0) and the parts' search answers alone, validly;
    given a build it can afford, the same solve races."""
    monkeypatch.setattr(tuning, "SMALL_MODEL_OPTIONS", 0)
    s = parse_scenario(province(400, 40, 1))
    monkeypatch.setattr(tuning, "BUILD_SECONDS_PER_OPTION", 1.0)
    hurried = solve(s, seconds=2, workers=2, seed=0, explain=False)
    assert hurried.build_seconds == 0 and hurried.objective is not None
    assert check_roster(s, hurried).ok
    monkeypatch.setattr(tuning, "BUILD_SECONDS_PER_OPTION", 1e-9)
    raced = solve(s, seconds=2, workers=2, seed=0, explain=False)
    assert raced.build_seconds > 0
