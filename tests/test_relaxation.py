"""The bound on staffed priority from the whole province at once (a linear relaxation)."""

import math
from dataclasses import replace
from time import perf_counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Scenario, Status, parse_scenario
from scheduler import solve, tuning
from scheduler.bounds.alone import counted_bounds, with_counted
from scheduler.bounds.parts import PartBound, cost_bound, highest_priority, shed_rate, solve_parts
from scheduler.bounds.relaxation import Relaxation, _Program, most_priority
from scheduler.construct.greedy import greedy
from scheduler.model.core import make_context
from scheduler.report import COST_TOLERANCE, evaluate
from scheduler.search.incumbent import Incumbent
from scheduler.search.phases import Found
from scheduler.solver import _relaxation_reserve, _relaxes
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


def _one_speaker_and_a_costly_third() -> Scenario:
    """As `_one_speaker_two_cities`, each speaker case now taking all of the speaker's
    time, and case z in city c, which its own prosecutor staffs: the most any roster
    staffs is 2, z and one of x and y."""
    units = [unit("prov", tier="provincial"), unit("a", tier="municipal", parent="prov"),
             unit("b", tier="municipal", parent="prov"), unit("c", tier="municipal", parent="prov")]
    people = [person("speaker", "prov", languages=["zh", "mn"]), person("pa", "a"),
              person("pb", "b"), person("pc", "c")]
    whole = {**SPEAKER_CASE, "load": 1.0}
    return scenario(units, people, [case("x", "a", team=whole), case("y", "b", team=whole),
                                    case("z", "c", scope="unit")])


def _priced(s: Scenario, costs: dict[str, float]) -> list[PartBound]:
    """Each case as a part of its own, proven possible alone at the cost given."""
    return [PartBound(frozenset({c.id}), c.priority, c.priority, {c.priority: costs[c.id]},
                      Found()) for c in s.cases]


def test_shed_rate_is_the_steepest_fall_from_the_highest() -> None:
    """A part proven at 100 for 4, 90 for 3 and 70 for 2 (nothing below) sheds at most
    10 falling one, 30 falling two, and all 100 falling three: 100 / 3 a unit at most."""
    part = PartBound(frozenset({"x"}), 4, 4, {4: 100.0, 3: 90.0, 2: 70.0}, Found())
    assert shed_rate(part) == pytest.approx(100 / 3)
    assert shed_rate(PartBound(frozenset({"x"}), 1, 0, {}, Found())) == 0.0


def test_the_parts_shed_only_where_the_coupling_lets_them_fall() -> None:
    """The parts promise 3 where 2 is the most. Their bounds alone let the costliest part,
    z (500), fall; but a roster staffing 2 must staff z, as the speaker serves only one of
    x and y: the relaxation proves the parts shed at most 120 (y), and the bound on cost
    rises from 220 to 600, the optimum's cost here."""
    s = _one_speaker_and_a_costly_third()
    parts = _priced(s, {"x": 100.0, "y": 120.0, "z": 500.0})
    relaxed = Relaxation(make_context(s), parts)
    assert relaxed.most_priority(10) == 2
    shed = relaxed.most_shed(parts, 2, 10)
    assert shed == pytest.approx(120.0)
    assert cost_bound(parts, 2) == pytest.approx(220.0)
    assert cost_bound(parts, 2, shed_at_most=shed) == pytest.approx(600.0)


@st.composite
def _contested(draw: st.DrawFn) -> Scenario:
    """Cities whose cases want the few Mongolian speakers of the province, on days that
    overlap, beside cities that staff their own cases: the cities alone promise more than
    the province can staff, so a roster falls short of the parts' highest somewhere."""
    contested = draw(st.integers(2, 4))
    speakers = draw(st.integers(1, contested - 1))
    free = draw(st.integers(1, 3))
    units = [unit("prov", tier="provincial")]
    people = [person(f"s{i}", "prov", languages=["zh", "mn"]) for i in range(speakers)]
    cases = []
    for i in range(contested + free):
        city = f"c{i}"
        units.append(unit(city, tier="municipal", parent="prov",
                          lat=49.0 + draw(st.integers(0, 20)) / 10))
        if i < contested:
            team = {**SPEAKER_CASE, "load": draw(st.sampled_from([0.6, 1.0]))}
            cases.append(case(f"x{i}", city, priority=draw(st.integers(1, 3)), team=team,
                              start=f"2022-01-0{draw(st.integers(1, 3))}"))
            people.append(person(f"p{i}", city))
        else:
            size = draw(st.integers(1, 3))
            people += [person(f"p{i}-{k}", city) for k in range(size)]
            cases.append(case(f"x{i}", city, priority=draw(st.integers(1, 3)), scope="unit",
                              team={"leader": None, "members": {"prosecutor": size}}))
    return scenario(units, people, cases)


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(_contested())
def test_the_shed_the_relaxation_allows_holds_against_the_proven_optimum(s: Scenario) -> None:
    """On random provinces whose cities contest a few speakers, with each city's cases
    solved alone as its part, the bound on cost at the optimum's priority, the parts' fall
    priced by the relaxation, is never above the whole model's proven optimum."""
    roster = solve(s, seconds=10, workers=1, explain=False, method="whole")
    assert roster.status is Status.OPTIMAL and roster.objective is not None
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    start = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    parts = with_counted(list(solve_parts(ctx, start, deadline=perf_counter() + 10, workers=1,
                                          seed=0)), counted_bounds(ctx))
    priority = roster.objective.staffed_priority
    relaxed = Relaxation(ctx, parts)
    most = relaxed.most_priority(10)
    assert most is not None and most >= priority
    shed = relaxed.most_shed(parts, priority, 10)
    assert shed is not None
    bound = cost_bound(parts, priority, s.policy.weights.peak_load, shed_at_most=shed)
    assert (bound or 0.0) <= roster.objective.cost + COST_TOLERANCE  # spec 1.1


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


def test_no_time_is_kept_for_the_relaxation_where_the_counted_parts_prove_the_roster_best(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A part left without a proven cost counts as its cases in the bound the roster
    states: where those cases' counting says the roster already staffs the most, the
    relaxation could prove nothing more, and the search keeps its time. A part whose
    priority was proven counts as proven; a roster far below the parts' bound keeps the
    time for the search too (here, 2 below a bound of 2; 1 below is close)."""
    monkeypatch.setattr(tuning, "RELAXATION_SHORT_SHARE", 0.5)
    s = _one_speaker_two_cities()
    counted = {c: replace(b, highest=0, least_costs={}) if c == "y" else b
               for c, b in counted_bounds(make_context(s)).items()}
    untried = [PartBound(frozenset({"x", "y"}), 2, 2, {}, Found())]
    assert highest_priority(untried) == 2
    assert not _relaxes(untried, counted, staffed=1)  # y counted impossible: 1 at most
    proven = [PartBound(frozenset({"x", "y"}), 2, 2, {2: 10.0},
                        Found(solved=True, priority_proven=True, cost_proven=True))]
    assert _relaxes(proven, counted, staffed=1)
    assert not _relaxes(proven, counted, staffed=2)  # nothing left to prove
    assert not _relaxes(proven, counted, staffed=0)  # far below: the search's time
