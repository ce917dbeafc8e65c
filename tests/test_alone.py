"""The counting bound: what each case must cost if staffed, with no solver."""

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Scenario, Status, parse_scenario
from scheduler import solve
from scheduler.bounds.alone import case_bound, counted_bounds, least_costs, with_counted
from scheduler.bounds.parts import PartBound, cost_bound, highest_priority
from scheduler.model.core import make_context
from scheduler.search.phases import Found
from tests.test_properties import scenarios
from tests.tiny import case, person, road, scenario, unit

TEAM_OF_TWO = {"leader": None, "members": {"prosecutor": 2}}


def _spread() -> Scenario:
    """Case x at a needs two prosecutors; a has one, b (20 minutes away, not paired) one,
    c (50 minutes away, paired with a) one."""
    units = [unit("a"), unit("b"), unit("c")]
    people = [person("pa", "a"), person("pb", "b"), person("pc", "c")]
    return scenario(units, people, [case("x", "a", team=TEAM_OF_TWO)],
                    roads=[road("a", "b", 20), road("a", "c", 50)],
                    pairs=[{"units": ["a", "c"], "note": ""}])


def test_counted_bound_counts_travel_off_pair_and_units() -> None:
    """Two members from two offices: at least 2 units (60), and the cheaper of b (20 min +
    60 off-pair) and c (50 min, paired): 60 + 50 = 110."""
    s = _spread()
    b = case_bound(make_context(s), s.cases[0])
    assert b.highest == 1 and b.least_cost(1) == 110


def test_counted_bound_is_the_cost_of_the_best_team_here() -> None:
    """On the spread instance the counted bound is exactly the solver's optimum (pa and pc),
    peak_load aside."""
    s = _spread()
    roster = solve(s, seconds=5, workers=1)
    assert roster.objective is not None
    without_peak = roster.objective.cost - roster.objective.components["peak_load"]
    assert case_bound(make_context(s), s.cases[0]).least_cost(1) == without_peak


def test_counted_bound_knows_a_case_impossible_for_want_of_speakers() -> None:
    """A case needing two Mongolian speakers, with one eligible, is impossible alone."""
    units = [unit("a")]
    people = [person("p1", "a", languages=["zh", "mn"]), person("p2", "a"), person("p3", "a")]
    team = {**TEAM_OF_TWO, "languages": [{"language": "mn", "count": 2}]}
    s = scenario(units, people, [case("x", "a", team=team)])
    b = case_bound(make_context(s), s.cases[0])
    assert b.highest == 0 and not b.least_costs


def test_counted_bound_adds_no_junior_when_no_junior_is_eligible() -> None:
    """A team of three from one office with no one of three years or less pays no_junior:
    one unit (30) plus 100."""
    people = [person(f"p{i}", "a") for i in range(3)]
    s = scenario([unit("a")], people,
                 [case("x", "a", team={"leader": None, "members": {"prosecutor": 3}})])
    assert case_bound(make_context(s), s.cases[0]).least_cost(1) == 130


def test_counted_bound_weighs_a_far_junior_against_no_junior() -> None:
    """Three seniors at the venue, and the only junior 100 minutes away in an unpaired
    office: the team either pays no_junior (100) or the junior's 100 minutes and off_pair
    (160), so at least 100 beside its one unit (30): 130, the best team's cost."""
    people = [person(f"p{i}", "a") for i in range(3)] + [person("j", "j", years=2)]
    s = scenario([unit("a"), unit("j")], people,
                 [case("x", "a", team={"leader": None, "members": {"prosecutor": 3}})],
                 roads=[road("a", "j", 100)])
    assert case_bound(make_context(s), s.cases[0]).least_cost(1) == 130


def test_counted_bound_needs_a_second_unit_when_no_unit_covers_alone() -> None:
    """Two prosecutors at the venue, and the only Mongolian speaker 20 minutes away in an
    unpaired office: every team draws on two units (60) and pays the speaker's travel and
    off_pair (80): 140, the best team's cost."""
    people = [person("p1", "a"), person("p2", "a"), person("s", "b", languages=["zh", "mn"])]
    team = {**TEAM_OF_TWO, "languages": [{"language": "mn", "count": 1}]}
    s = scenario([unit("a"), unit("b")], people, [case("x", "a", team=team)],
                 roads=[road("a", "b", 20)])
    assert case_bound(make_context(s), s.cases[0]).least_cost(1) == 140


def _spread_twice() -> Scenario:
    """The spread instance with a second case like x, y, in February."""
    s = _spread()
    x = s.cases[0]
    y = x.model_copy(update={"id": "y", "start": date(2022, 2, 1), "end": date(2022, 2, 10)})
    return s.replace(cases=[x, y])


def test_counted_bounds_stand_in_for_parts_proven_nothing() -> None:
    """A part CP-SAT proved nothing for is replaced by its cases' counted bounds, so the
    cost bound counts them; a proven part keeps what it proved, and takes its cases'
    counted peaks."""
    s = _spread_twice()
    counted = counted_bounds(make_context(s))
    proven = PartBound(frozenset({"y"}), 1, 1, {1: 500.0}, Found())
    empty = PartBound(frozenset({"x"}), 1, 1, {}, Found())
    mixed = with_counted([proven, empty], counted)
    assert mixed == [replace(proven, case_peaks=counted["y"].case_peaks), counted["x"]]
    assert cost_bound(mixed, 2) == 610
    assert least_costs(counted.values()) == {"x": 110, "y": 110}


def test_counted_bounds_keep_the_priority_a_part_proved() -> None:
    """A part of x and y proven to staff at most 1 priority, with no cost proven, counts
    its cases' bounds as one part of highest 1: as two cases it would let a roster staff
    2 there and, at priority 2, leave out another part's 500 entirely."""
    s = _spread_twice()
    counted = {**counted_bounds(make_context(s)),
               "w": PartBound(frozenset({"w"}), 1, 1, {}, Found())}  # counted as free
    both = PartBound(frozenset({"x", "y"}), 2, 1, {}, Found())
    other = PartBound(frozenset({"w"}), 1, 1, {1: 500.0}, Found())
    mixed = with_counted([both, other], counted)
    assert highest_priority(mixed) == 2
    assert mixed[0].least_costs == {1: 110}
    assert cost_bound(mixed, 2) == 610


def test_counted_bounds_say_what_a_part_falling_short_still_costs() -> None:
    """A part proven to staff both x and y at 500 may, in a roster one priority short, fall
    to one case: its cases' counted bounds say that still costs 110, not nothing."""
    s = _spread_twice()
    counted = counted_bounds(make_context(s))
    part = PartBound(frozenset({"x", "y"}), 2, 2, {2: 500.0}, Found())
    assert cost_bound([part], 1) is None  # proven only at 2: falling short sheds it all
    [short] = with_counted([part], counted, short=1)
    assert short.least_costs == {1: 110, 2: 500.0}
    assert cost_bound([short], 1) == 110


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios())
def test_counted_bound_holds_against_each_case_solved_alone(data: dict[str, Any]) -> None:
    """On random small scenarios, a case counted impossible cannot be staffed even alone,
    and a case staffed alone costs at least its counted bound (peak_load aside)."""
    s = parse_scenario(data)
    no_peak = s.policy.model_copy(
        update={"weights": s.policy.weights.model_copy(update={"peak_load": 0})})
    ctx = make_context(s)
    for c in s.cases:
        alone = s.replace(cases=[c.model_copy(update={"mandatory": False})], previous=[],
                          policy=no_peak)
        roster = solve(alone, seconds=5, workers=1, explain=False, method="whole")
        assert roster.status is Status.OPTIMAL and roster.objective is not None
        b = case_bound(ctx, c)
        if b.highest == 0:
            assert roster.objective.staffed_priority == 0
        elif roster.objective.staffed_priority > 0:
            assert b.least_cost(c.priority) <= roster.objective.cost + 1e-6


def test_counted_bounds_lift_a_part_whose_cost_phase_proved_little() -> None:
    """A part proven at its highest priority with a cost bound of only 50 (its cost phase
    ran out of time) must still cost what its cases count: 110 each, 220."""
    s = _spread_twice()
    counted = counted_bounds(make_context(s))
    [part] = with_counted([PartBound(frozenset({"x", "y"}), 2, 2, {2: 50.0}, Found())], counted)
    assert part.least_cost(2) == 220


def test_counting_is_given_the_pace_eligibility_showed() -> None:
    """The counting bound's reserve is the per-option figure on a fast machine, and the
    share of eligibility's measured time where eligibility ran slower than that figure
    implies: on a slow day the figure alone left the counting 2 to 3 s past its time."""
    from scheduler import tuning
    from scheduler.solver import _counting_reserve

    options = 1_000_000
    by_figure = options * tuning.COUNTING_SECONDS_PER_OPTION
    assert _counting_reserve(options, 0.0) == pytest.approx(by_figure)
    slow = 3 * by_figure / tuning.COUNTING_SHARE_OF_ELIGIBILITY
    assert _counting_reserve(options, slow) == pytest.approx(3 * by_figure)


def _cheapest_by_enumeration(bounds: list[PartBound], priority: int) -> float | None:
    """`cost_bound` without peak_load, by trying every way the parts can fall short."""
    spare = highest_priority(bounds) - priority
    ways = [[(0, b.least_cost(b.highest))]
            + [(b.highest - level + 1, b.least_cost(level - 1)) for level in b.least_costs
               if 0 < b.highest - level + 1 <= spare]
            for b in bounds]
    costs = [sum(c for _, c in pick) for pick in itertools.product(*ways)
             if sum(short for short, _ in pick) <= spare]
    least = min(costs) if spare >= 0 and costs else None
    return least if least is not None and least > 0 else None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.dictionaries(st.integers(1, 6), st.integers(0, 900), min_size=1,
                                max_size=3), min_size=1, max_size=4),
       st.integers(0, 24))
def test_cost_bound_is_the_cheapest_way_to_fall_short(levels: list[dict[int, int]],
                                                      priority: int) -> None:
    """On random parts, each proven to cost at least so much at some levels, the bound is
    the least any choice of where to fall short costs, found by trying them all."""
    bounds = [PartBound(frozenset({f"p{i}"}), max(costs), max(costs),
                        {level: float(cost) for level, cost in costs.items()}, Found())
              for i, costs in enumerate(levels)]
    assert cost_bound(bounds, priority) == _cheapest_by_enumeration(bounds, priority)


def test_cost_bound_of_a_roster_far_below_its_bound() -> None:
    """One case of priority 100,000 that no roster staffed (counted, not proven
    impossible) beside two of priority 1 at 50 and 70: a roster staffing 100,001 has left
    out one case of priority 1, at best the one at 70; one staffing 1 may have left out
    any of them, as far as the parts know. The same as trying every way to fall short."""
    bounds = [PartBound(frozenset({"big"}), 100_000, 100_000, {100_000: 10.0}, Found()),
              PartBound(frozenset({"a"}), 1, 1, {1: 50.0}, Found()),
              PartBound(frozenset({"b"}), 1, 1, {1: 70.0}, Found())]
    assert cost_bound(bounds, 100_001) == 60.0 == _cheapest_by_enumeration(bounds, 100_001)
    assert cost_bound(bounds, 1) is None is _cheapest_by_enumeration(bounds, 1)
