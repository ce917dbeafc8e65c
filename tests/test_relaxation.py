"""The bound on staffed priority from the whole province at once (a linear relaxation)."""

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from models import Scenario, Status, parse_scenario
from scheduler import solve, tuning
from scheduler.bounds.alone import counted_bounds
from scheduler.bounds.parts import PartBound, highest_priority
from scheduler.bounds.relaxation import Relaxation, _Program, most_priority
from scheduler.model.core import make_context
from scheduler.search.phases import Found
from scheduler.solver import _relaxation_reserve
from tests.test_properties import scenarios
from tests.tiny import case, person, scenario, unit

SPEAKER_CASE = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6,
                "languages": [{"language": "mn", "count": 1}]}


def _one_speaker_two_cities() -> Scenario:
    """Cases x (city a) and y (city b) at the same time each need a Mongolian speaker at
    0.6 FTE; the one speaker, at the province, has capacity for only one of them."""
    units = [unit("prov", tier="provincial"), unit("a", tier="municipal", parent="prov"),
             unit("b", tier="municipal", parent="prov")]
    people = [person("speaker", "prov", languages=["zh", "mn"]), person("pa", "a"),
              person("pb", "b")]
    return scenario(units, people, [case("x", "a", team=SPEAKER_CASE),
                                    case("y", "b", team=SPEAKER_CASE)])


def _alone(s: Scenario) -> list[PartBound]:
    """Each case as a part of its own, each proven possible alone."""
    return [PartBound(frozenset({c.id}), c.priority, c.priority, {}, Found()) for c in s.cases]


def _parts_promise_2_relaxation_proves_1(s: Scenario) -> None:
    """Each case alone can be staffed (the parts promise 2); the relaxation proves 1, which
    the solver staffs."""
    parts = _alone(s)
    assert highest_priority(parts) == 2
    assert Relaxation(make_context(s), parts).most_priority(10) == 1
    roster = solve(s, seconds=5, workers=1)
    assert roster.objective is not None and roster.objective.staffed_priority == 1


def test_relaxation_sees_one_person_shared_by_two_parts() -> None:
    """Each city alone can staff its case with the speaker, so the parts promise 2; the
    relaxation sees that the speaker's capacity holds one case: 1."""
    s = _one_speaker_two_cities()
    _parts_promise_2_relaxation_proves_1(s)


def test_relaxation_sees_one_office_shared_by_two_parts() -> None:
    """Office h must keep one of its two prosecutors at home. Case x (at a) needs its only
    Mongolian speaker h1 on site, case y (at b) at the same time its only forensics expert
    h2: each city alone can staff its case, so the parts promise 2; the relaxation sees
    that h can spare one of them, and proves 1."""
    units = [unit("prov", tier="provincial"), unit("h", tier="municipal", parent="prov",
                                                    min_staff=1),
             unit("a", tier="municipal", parent="prov"), unit("b", tier="municipal", parent="prov")]
    people = [person("h1", "h", languages=["zh", "mn"]),
              person("h2", "h", skills={"criminal": 2, "forensics": 3}),
              person("pa", "a"), person("pb", "b")]
    forensics = {"leader": None, "members": {"prosecutor": 1},
                 "skills": [{"skill": "forensics", "count": 1, "min_level": 2}]}
    s = scenario(units, people, [case("x", "a", team=SPEAKER_CASE), case("y", "b", team=forensics)])
    _parts_promise_2_relaxation_proves_1(s)


def test_relaxation_keeps_what_the_parts_proved() -> None:
    """A part proven to staff nothing of x caps the bound: only y is left."""
    s = _one_speaker_two_cities()
    parts = [PartBound(frozenset({"x"}), 1, 0, {}, Found()),
             PartBound(frozenset({"y"}), 1, 1, {}, Found())]
    assert Relaxation(make_context(s), parts).most_priority(10) == 1
    free = scenario([unit("a")], [person("p", "a"), person("q", "a")],
                    [case("x", "a"), case("y", "a")])
    assert Relaxation(make_context(free), _alone(free)).most_priority(10) == 2
    capped = [PartBound(frozenset({"x", "y"}), 2, 1, {}, Found())]
    assert Relaxation(make_context(free), capped).most_priority(10) == 1


def test_relaxation_ignores_a_day_overloaded_before_any_case() -> None:
    """p's load (0.5) and a commitment (0.8) pass capacity on 4 January, before case x runs;
    no roster can change that day, so it bounds nothing: the program is still solved, and
    proves x can be staffed (it was infeasible when that day was a row of its own)."""
    s = scenario([unit("a")],
                 [person("p", "a", load=0.5, commitments=[
                     {"start": "2022-01-04", "end": "2022-01-04", "load": 0.8, "away": True}])],
                 [case("x", "a", start="2022-01-05", end="2022-01-09",
                       team={"leader": None, "members": {"prosecutor": 1}, "load": 0.5})])
    assert Relaxation(make_context(s), []).most_priority(10) == 1


def test_safe_bound_holds_whatever_the_duals() -> None:
    """min -v subject to v <= 3 (v in [0, 10]): the true minimum is -3. Exact duals prove
    it; duals of the wrong sign are set to zero and prove only what the column bounds do
    (-10); neither claims more than the truth."""
    p = _Program()
    v = p.column(-1.0, upper=10.0)
    p.row([v], [1.0], upper=3.0)
    assert p.safe_bound(np.array([-1.0])) == -3.0
    assert p.safe_bound(np.array([1.0])) == -10.0
    assert p.safe_bound(np.array([-0.5])) <= -3.0
    assert p.minimum(5) == -3.0


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios())
def test_relaxation_holds_against_the_proven_optimum(data: dict[str, Any]) -> None:
    """On random small scenarios, the relaxation's bound, with each case's counted bound
    as its part, is never below the staffed priority of the whole model's proven optimum."""
    s = parse_scenario(data)
    roster = solve(s, seconds=5, workers=1, explain=False, method="whole")
    if roster.status is not Status.OPTIMAL:
        return  # infeasible (a mandatory case): no roster to bound
    assert roster.objective is not None
    ctx = make_context(s)
    most = Relaxation(ctx, list(counted_bounds(ctx).values())).most_priority(10)
    assert most is not None and most >= roster.objective.staffed_priority


def test_relaxation_past_its_deadline_bounds_nothing() -> None:
    """A program whose writing finds its deadline passed stops, is marked cut, and proves
    no bound: a half-written program would claim one it has no right to."""
    s = _one_speaker_two_cities()
    cut = Relaxation(make_context(s), _alone(s), until=-math.inf)
    assert cut.cut
    assert most_priority(make_context(s), _alone(s), until=-math.inf) is None
    whole = Relaxation(make_context(s), _alone(s))
    assert not whole.cut and whole.most_priority(10) == 1


def test_relaxation_is_given_no_time_when_it_would_overrun_by_far() -> None:
    """The relaxation's reserve is what it needs, at most a share of the limit; a program
    that would need more than RELAXATION_MAX_OVERRUN times that share gets none."""
    most = 60 * tuning.RELAXATION_MAX_SHARE
    fits = int(most / tuning.RELAXATION_SECONDS_PER_OPTION / 2)
    assert _relaxation_reserve(fits, 60) == pytest.approx(fits * tuning.RELAXATION_SECONDS_PER_OPTION)
    over = int(most * 1.5 / tuning.RELAXATION_SECONDS_PER_OPTION)
    assert _relaxation_reserve(over, 60) == pytest.approx(most)
    far = int(most * (tuning.RELAXATION_MAX_OVERRUN + 1) / tuning.RELAXATION_SECONDS_PER_OPTION)
    assert _relaxation_reserve(far, 60) == 0.0
