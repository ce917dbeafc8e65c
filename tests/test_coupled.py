"""Rival parts solved as one (scheduler.bounds.coupled): tighter bounds, never wrong ones."""

from dataclasses import replace
from time import perf_counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from models import Scenario, Status, parse_scenario
from scheduler import solve, solver, tuning
from scheduler.bounds import coupled
from scheduler.bounds.coupled import Rivals, _joined, merge_rivals, rivals
from scheduler.bounds.parts import (
    PartBound,
    cost_bound,
    highest_priority,
    solve_part,
    solve_parts,
)
from scheduler.construct.greedy import greedy
from scheduler.model.core import Context, make_context
from scheduler.report import evaluate
from scheduler.search.incumbent import Incumbent
from scheduler.search.phases import Found
from synth import province
from tests.test_bound import _least_cost_whole
from tests.tiny import case, person, road, scenario, solved, unit

CITIES = [unit("prov", "provincial"), unit("c1", "municipal", "prov"),
          unit("c2", "municipal", "prov"), unit("a1", parent="c1"), unit("b1", parent="c2")]
TEAM = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6}


def _one_person_two_cities() -> Scenario:
    """Case x (priority 2) in city c1 and case y (priority 1) in city c2, on the same days,
    each want 60 % of p1's time, and no one else may serve: each city alone staffs its
    case, the two together only one."""
    return scenario(CITIES, [person("p1", "a1")],
                    [case("x", "a1", priority=2, team=TEAM), case("y", "b1", team=TEAM)])


def _one_near_person_two_cities() -> Scenario:
    """As above, but p2, two hours away, may serve too: both cases can be staffed, and
    each city alone takes p1, ten minutes from either venue; together one must bring p2."""
    return scenario([*CITIES, unit("far", parent="c1", lat=50.0)],
                    [person("p1", "a1"), person("p2", "far")],
                    [case("x", "a1", priority=2, team=TEAM), case("y", "b1", team=TEAM)],
                    roads=[road("far", "a1", 120), road("far", "b1", 120), road("a1", "b1", 10)],
                    policy={"weights": {"peak_load": 0}})


def _parts_and_roster(s: Scenario) -> tuple[Context, list[PartBound], Incumbent]:
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    roster = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    bounds = list(solve_parts(ctx, roster, deadline=perf_counter() + 10, workers=1, seed=0))
    return ctx, bounds, roster


def _merged(ctx: Context, bounds: list[PartBound], roster: Incumbent,
            seconds: float = 10.0) -> list[PartBound]:
    changes = list(merge_rivals(ctx, bounds, roster, until=perf_counter() + seconds,
                                workers=1, seed=0, impossible=set()))
    return changes[-1] if changes else bounds


def test_rivals_pair_a_part_left_short_with_the_part_whose_team_took_its_person() -> None:
    """The roster staffs x with p1; city c2's part, which alone staffs y, falls short,
    and c1's part, whose team has p1, is its rival. No part costs more than it proved."""
    ctx, bounds, roster = _parts_and_roster(_one_person_two_cities())
    assert roster.staffed == {"x"}
    assert rivals(ctx, bounds, roster, set(), short=True) == [
        Rivals(frozenset({"y"}), frozenset({"x"}))]
    assert rivals(ctx, bounds, roster, set(), short=False) == []


def test_rival_parts_as_one_staff_less_than_apart() -> None:
    """Apart, the two cities' parts bound the priority at 3; as one, at 2, what the best
    roster staffs."""
    ctx, bounds, roster = _parts_and_roster(_one_person_two_cities())
    assert highest_priority(bounds) == 3
    merged = _merged(ctx, bounds, roster)
    assert [b.cases for b in merged] == [frozenset({"x", "y"})]
    assert highest_priority(merged) == 2


def test_rival_parts_as_one_cost_more_than_apart() -> None:
    """Apart, each city's case is cheapest with p1 (30 and 100); as one, a roster staffing
    both pays for p2's two hours, and the bound on cost rises to CP-SAT's least cost of
    the whole."""
    s = _one_near_person_two_cities()
    ctx, bounds, roster = _parts_and_roster(s)
    assert roster.staffed == {"x", "y"}
    assert [p.taker for p in rivals(ctx, bounds, roster, set(), short=False)] != []
    assert cost_bound(bounds, 3) == pytest.approx(130)
    merged = _merged(ctx, bounds, roster)
    least = _least_cost_whole(s, 3)
    assert least > 130
    assert cost_bound(merged, 3) == pytest.approx(least)


def test_rival_parts_that_may_prove_more_cost_skip_the_priority_phase(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster staffs both cities' cases, all the parts allow: the pair is solved for
    its cost alone, at that priority (its priority phase, `solve_part`, is never run), and
    still bounds the cost at the least cost of the whole, its highest priority the parts'
    3 apart."""
    s = _one_near_person_two_cities()
    ctx, bounds, roster = _parts_and_roster(s)

    def refused(*args: object) -> PartBound:
        raise AssertionError("the priority phase ran for a pair that may prove more cost")

    monkeypatch.setattr(coupled, "solve_part", refused)
    merged = _merged(ctx, bounds, roster)
    assert [b.cases for b in merged] == [frozenset({"x", "y"})]
    assert highest_priority(merged) == 3
    assert cost_bound(merged, 3) == pytest.approx(_least_cost_whole(s, 3))


def test_rival_parts_whose_own_teams_fit_together_are_not_tried(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With y ten days after x, p1 serves both: a roster that left y out lists c1's part
    as its rival, but the two parts' own teams fit together, so as one they could prove
    nothing more, and no model of the pair is solved."""
    s = scenario(CITIES, [person("p1", "a1")],
                 [case("x", "a1", priority=2, team=TEAM),
                  case("y", "b1", start="2022-01-20", end="2022-01-30", team=TEAM)])
    ctx = make_context(s)
    chosen, _ = greedy(ctx)
    x_only = [o for o in chosen if o.case == "x"]
    roster = Incumbent(x_only, {"x"}, evaluate(ctx, x_only, {"x"}))
    bounds = list(solve_parts(ctx, roster, deadline=perf_counter() + 10, workers=1, seed=0))
    assert rivals(ctx, bounds, roster, set(), short=True) == [
        Rivals(frozenset({"y"}), frozenset({"x"}))]
    tried: list[set[str]] = []
    monkeypatch.setattr(coupled, "solve_part", lambda ctx, part, *a: tried.append(part))
    assert list(merge_rivals(ctx, bounds, roster, until=perf_counter() + 10, workers=1,
                             seed=0, impossible=set())) == []
    assert tried == []


def test_rival_parts_are_left_apart_without_time() -> None:
    """With none of the parts' share left, no pair is tried and nothing changes."""
    ctx, bounds, roster = _parts_and_roster(_one_person_two_cities())
    assert list(merge_rivals(ctx, bounds, roster, until=perf_counter(), workers=1, seed=0,
                             impossible=set())) == []


def test_a_solve_by_parts_proves_its_roster_best_once_rival_parts_join(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Solved by parts, a roster staffing x alone is proven best only by the two cities'
    parts as one: apart they allow 3, and the roster would be merely feasible. So too a
    roster paying for p2's travel, whose cost the parts apart bound at 130."""
    monkeypatch.setattr(tuning, "SMALL_MODEL_OPTIONS", 0)  # the path of a province
    short = solved(_one_person_two_cities())
    assert short.status == Status.OPTIMAL and short.priority_bound == 2 and short.parts == 1
    costly = solved(_one_near_person_two_cities())
    assert costly.status == Status.OPTIMAL and costly.objective is not None
    assert costly.bound == pytest.approx(costly.objective.cost) and costly.parts == 1


def test_a_pair_as_one_costs_at_least_what_its_parts_prove_apart() -> None:
    """A pair whose own cost phase proved little (10 at its highest, 6) keeps at each
    level the least its parts' costs apart allow, however the level is split: 37 at 6
    (30 + 7), 15 at 5, 5 at 2. Having proved no lowest peak_load of its own, it keeps
    the higher of its parts', from where it holds for the pair; its own, once proved."""
    a = PartBound(frozenset({"x"}), 5, 4, {2: 10.0, 4: 30.0}, Found(), least_peak=(4, 70))
    b = PartBound(frozenset({"y"}), 3, 3, {1: 5.0, 3: 7.0}, Found(), least_peak=(1, 90))
    both = PartBound(frozenset({"x", "y"}), 8, 7, {7: 10.0}, Found())
    joined = _joined(both, a, b)
    assert joined.highest == 7
    assert [joined.least_cost(level) for level in range(8)] == [0, 0, 5, 5, 7, 15, 17, 37]
    # b staffing 1 is proven at peak 90: staffing 1 + 4 (a's highest), the pair staffs that.
    assert joined.least_peak == (5, 90)
    assert _joined(replace(both, least_peak=(7, 60)), a, b).least_peak == (7, 60)


@settings(max_examples=4, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_parts_joined_as_one_bound_no_more_than_the_optimum(seed: int) -> None:
    """On random small provinces, parts joined in pairs, rivals or not, still bound every
    roster: CP-SAT's proven optimal priority is at most their highest, and at that
    priority and two less its least cost is at least their cost bound, peak_load too."""
    s = parse_scenario(province(800, 16, seed))
    best = solve(s, seconds=20, workers=1, seed=0, explain=False, method="whole")
    assume(best.status.value == "optimal" and best.objective is not None)
    assert best.objective is not None
    ctx, bounds, roster = _parts_and_roster(s)
    joined = bounds
    for _ in range(3):
        a, b, *rest = joined
        both = solve_part(ctx, set(a.cases | b.cases), roster, perf_counter() + 10, 0, None,
                          lambda: False)
        joined = [_joined(both, a, b), *rest]
    optimum = best.objective.staffed_priority
    assert highest_priority(joined) >= optimum
    assert sorted(c for b in joined for c in b.cases) == sorted(c.id for c in s.cases)
    for priority in (optimum, max(0, optimum - 2)):
        cost = cost_bound(joined, priority, s.policy.weights.peak_load)
        assert (cost or 0.0) <= _least_cost_whole(s, priority) + 0.5


def test_rival_parts_join_in_the_time_left_after_the_search() -> None:
    """Once the roster is final, the time left joins the two cities' parts for the bound
    alone: one part where there were two, the pair noted as tried, and the cost bound
    raised from the parts' 130 to the least cost of the whole."""
    s = _one_near_person_two_cities()
    ctx, bounds, roster = _parts_and_roster(s)
    by_parts = solver._BoundByParts(highest_priority(bounds), bounds, tried=2, proven=2)
    joined, after = solver._rivals_joined(ctx, bounds, by_parts, roster,
                                          until=perf_counter() + 10, workers=1, seed=0,
                                          impossible=set(), stop=None)
    assert [b.cases for b in joined] == [frozenset({"x", "y"})]
    assert after.tried == 1 and after.proven == 1
    assert after.rivals_tried == frozenset(rivals(ctx, bounds, roster, set(), short=False))
    assert cost_bound(joined, 3) == pytest.approx(_least_cost_whole(s, 3))


def test_rival_parts_tried_in_the_search_are_not_tried_again_after_it() -> None:
    """A pair the search tried already is not tried again in the time left: the parts
    stay as they were."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    pairs = frozenset(rivals(ctx, bounds, roster, set(), short=False))
    assert pairs
    by_parts = solver._BoundByParts(highest_priority(bounds), bounds, tried=2, proven=2,
                                    rivals_tried=pairs)
    joined, after = solver._rivals_joined(ctx, bounds, by_parts, roster,
                                          until=perf_counter() + 10, workers=1, seed=0,
                                          impossible=set(), stop=None)
    assert joined == bounds and after == by_parts
