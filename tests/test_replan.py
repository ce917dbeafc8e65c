"""Re-planning from a previous roster: keep every team that still holds, repair the rest."""

from typing import Any

import pytest

from checker import check_roster
from models import Assignment, Scenario, Slot
from scheduler import solve
from scheduler.construct.previous import kept_previous
from scheduler.model.core import make_context
from scheduler.solver import Method
from tests.tiny import case, person, scenario, team, unit

ONE: dict[str, Any] = {"leader": None, "members": {"prosecutor": 1}}


def _two_cases(y_team: dict[str, Any] = ONE, **p1: Any) -> Scenario:
    """Cases x (at a) and y (at b), one prosecutor each; p1 and p3 at a, p2 at b. The
    previous roster has p1 on x and p2 on y."""
    units = [unit("a"), unit("b")]
    people = [person("p1", "a", **p1), person("p2", "b"), person("p3", "a")]
    previous = [Assignment(case="x", prosecutor="p1", slot=Slot.PROSECUTOR, on_site=True),
                Assignment(case="y", prosecutor="p2", slot=Slot.PROSECUTOR, on_site=True)]
    return scenario(units, people, [case("x", "a", team=ONE), case("y", "b", team=y_team)],
                    previous=[a.model_dump(mode="json") for a in previous])


def test_kept_previous_keeps_teams_that_still_hold() -> None:
    """With nothing changed, both previous teams are kept and nothing is broken."""
    kept = kept_previous(make_context(_two_cases()))
    assert kept.staffed == {"x", "y"} and not kept.broken
    assert {(o.case, o.person) for o in kept.chosen} == {("x", "p1"), ("y", "p2")}


def test_kept_previous_breaks_the_team_of_someone_now_unavailable() -> None:
    """p1 falls ill over x's days: x's team is broken, y's kept."""
    s = _two_cases(unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}])
    kept = kept_previous(make_context(s))
    assert kept.broken == {"x"} and kept.staffed == {"y"}


def test_kept_previous_breaks_a_team_the_case_no_longer_accepts() -> None:
    """A what-if that makes y need a Mongolian speaker breaks y's team, which has none."""
    s = _two_cases(y_team={**ONE, "languages": [{"language": "mn", "count": 1}]})
    assert kept_previous(make_context(s)).broken == {"y"}


@pytest.mark.parametrize("method", ["whole", "neighbourhood"])
def test_replan_changes_only_the_team_that_must_change(method: Method) -> None:
    """p1 falls ill: p3 takes x, y keeps p2, and the one dropped place costs 200, whether
    the whole model or the neighbourhood search (from the repaired roster) solves it."""
    s = _two_cases(unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}])
    roster = solve(s, seconds=3, workers=1, seed=0, method=method)
    assert check_roster(s, roster).ok
    assert team(roster, "x") == {"p3"} and team(roster, "y") == {"p2"}
    assert roster.objective is not None and roster.objective.components["changes"] == 200
