"""The bound by parts: each city's cases solved alone bound what any roster can do."""

from time import perf_counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker import check_roster
from models import Scenario, parse_scenario
from scheduler import solve, solver
from scheduler.bound import highest_by_part, least_cost_by_part
from scheduler.greedy import greedy
from scheduler.lns import Incumbent
from scheduler.model import make_context
from scheduler.report import evaluate
from synth import province
from tests.tiny import case, person, scenario, unit


def _two_cities(x2_start: str) -> Scenario:
    """City c1 has one prosecutor for cases x1 (priority 2) and x2 (priority 3), each
    taking 60 % of her time; city c2 has one for y1 (priority 1)."""
    units = [unit("prov", "provincial"), unit("c1", "municipal", "prov"),
             unit("c2", "municipal", "prov"), unit("a1", parent="c1"), unit("b1", parent="c2")]
    people = [person("p1", "a1"), person("p2", "b1")]
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6}
    cases = [case("x1", "a1", priority=2, scope="pair", team=team),
             case("x2", "a1", start=x2_start, end="2022-02-10", priority=3, scope="pair",
                  team=team),
             case("y1", "b1", priority=1, scope="pair", team=team)]
    return scenario(units, people, cases)


def _start(s: Scenario) -> Incumbent:
    ctx = make_context(s)
    chosen, staffed = greedy(s, ctx.geography, ctx.candidates)
    return Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))


def test_highest_by_part_counts_cases_that_compete() -> None:
    """Two overlapping cases of one city that need its one prosecutor count only the higher
    priority: c1 can staff 3 of its 5, c2 all of its 1."""
    s = _two_cities("2022-01-05")
    highest = highest_by_part(make_context(s), _start(s), deadline=perf_counter() + 10,
                              workers=1, seed=0)
    assert highest == {frozenset({"x1", "x2"}): 3, frozenset({"y1"}): 1}


def test_highest_by_part_counts_cases_that_do_not_compete() -> None:
    """When the city's two cases do not overlap in time, its prosecutor serves both and the
    bound counts both: it is not lower than what a roster can staff."""
    s = _two_cities("2022-02-01")
    highest = highest_by_part(make_context(s), _start(s), deadline=perf_counter() + 10,
                              workers=1, seed=0)
    assert highest == {frozenset({"x1", "x2"}): 5, frozenset({"y1"}): 1}


@settings(max_examples=5, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_bound_by_parts_holds_against_the_optimum(seed: int) -> None:
    """On random small provinces, no roster beats the parts' bound: CP-SAT's proven optimal
    priority is at most their sum, and at that priority its cost less peak_load is at least
    their least costs."""
    s = parse_scenario(province(800, 16, seed))
    best = solve(s, seconds=20, workers=1, seed=0, explain=False, method="whole")
    assume(best.status.value != "infeasible")  # a mandatory case no one can staff
    assert best.status.value == "optimal" and best.objective is not None
    ctx = make_context(s)
    start = _start(s)
    highest = highest_by_part(ctx, start, deadline=perf_counter() + 20, workers=1, seed=0)
    assert sum(highest.values()) >= best.objective.staffed_priority
    if sum(highest.values()) == best.objective.staffed_priority:
        # Hints for the cost bound: the optimal roster, which reaches every part's highest.
        chosen = [o for o in ctx.candidates.options
                  if any(m.prosecutor == o.person and m.slot == o.slot
                         for c in best.cases if c.id == o.case for m in c.team)]
        staffed = {c.id for c in best.cases if c.staffed}
        optimal = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
        cost = least_cost_by_part(ctx, optimal, highest, deadline=perf_counter() + 20,
                                  workers=1, seed=0)
        assert cost is not None
        without_peak = best.objective.cost - best.objective.components["peak_load"]
        assert cost <= without_peak + 0.5
        assert cost > 0 or best.objective.staffed_priority == 0, "a bound of 0 proves nothing"


def test_solve_reports_the_bound_by_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neighbourhood search given time for the bound reports a priority bound no higher than
    the parts' (and no lower than its own roster), and the checker accepts the roster."""
    monkeypatch.setattr(solver, "SEARCH_PER_SWEEP", 0.0)
    s = parse_scenario(province(150, 16, 3))
    roster = solve(s, seconds=8, workers=1, seed=0, method="neighbourhood")
    assert roster.objective is not None and roster.priority_bound is not None
    highest = highest_by_part(make_context(s), _start(s), deadline=perf_counter() + 20,
                              workers=1, seed=0)
    assert roster.objective.staffed_priority <= roster.priority_bound <= sum(highest.values())
    assert roster.priority_bound < sum(c.priority for c in s.cases), \
        "this province has cases that compete; the bound should show it"
    assert check_roster(s, roster).ok
