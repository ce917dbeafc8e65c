"""Putting the parts' teams together: clashing cases re-solved, the rest kept."""

import threading
from time import perf_counter
from typing import Any

import pytest

from checker import check_roster
from models import Roster, Scenario, Slot, Status, parse_scenario
from scheduler import clock, solve, solver, tuning
from scheduler.bounds.parts import PartBound, solve_parts
from scheduler.construct.greedy import greedy
from scheduler.model.core import make_context
from scheduler.report import case_rosters, evaluate, is_better
from scheduler.search import compose as compose_module
from scheduler.search.compose import Composed, adopted, compose, fitted, waiting
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import nearest_people
from scheduler.search.lns import reopen as lns_reopen
from scheduler.search.phases import Found
from synth import province
from tests.tiny import case, person, scenario, unit


def _one_star(later: int = 0) -> Scenario:
    """Cities c1 and c2 each lead a case on the same days (x in a1, y in b1), open to the
    whole province. p0 of the provincial unit, next door to both, is the cheapest for
    each, but at 60 % a case can serve only one; p1 and p2 are a day's drive away. With
    `later` cases at p1 and p2's office a month on, which clash with nothing."""
    units = [unit("prov", "provincial"), unit("c1", "municipal", "prov"),
             unit("c2", "municipal", "prov"), unit("a1", parent="c1"), unit("b1", parent="c2"),
             unit("far", parent="prov", lat=44.0)]
    people = [person("p0", "prov"), person("p1", "far"), person("p2", "far")]
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6}
    cases = [case("x", "a1", team=team), case("y", "b1", team=team)]
    cases += [case(f"z{i}", "far", start=f"2022-02-{i + 1:02}", end=f"2022-02-{i + 1:02}",
                   team=team) for i in range(later)]
    return scenario(units, people, cases)


def _reopened(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The free cases of each re-solve compose runs, recorded as it runs them."""
    calls: list[set[str]] = []

    def reopen(ctx: Any, start: Any, free: set[str], **kwargs: Any) -> Any:
        calls.append(set(free))
        return lns_reopen(ctx, start, free, **kwargs)

    monkeypatch.setattr(compose_module, "reopen", reopen)
    return calls


def _composed_one_star(later: int = 0) -> tuple[Scenario, Composed]:
    """`_one_star`'s parts solved alone (x and y each take p0) and their teams put
    together."""
    s = _one_star(later)
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    start = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    bounds = list(solve_parts(ctx, start, deadline=perf_counter() + 10, workers=1, seed=0))
    assert {o.person for b in bounds for o in b.roster.chosen if o.case in {"x", "y"}} == {"p0"}
    return s, compose(ctx, start, bounds, seconds=10, workers=1, seed=0)


def _assert_one_keeps_p0(s: Scenario, best: Incumbent) -> None:
    """Both cases of `_one_star` staffed, one of them by p0, and the checker accepts it."""
    assert best.staffed == {"x", "y"}
    assert sorted(o.person for o in best.chosen).count("p0") == 1
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=best.objective,
                    cases=case_rosters(make_context(s), best.chosen, best.staffed, {}))
    assert check_roster(s, roster).ok


def test_compose_resolves_teams_that_clash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Alone, each city's case takes p0; put together, both cases are re-solved, one keeps
    p0 and the other takes someone else, both stay staffed, and the checker accepts the
    roster."""
    calls = _reopened(monkeypatch)
    s, composed = _composed_one_star()
    assert composed.clashed == {"x", "y"}
    assert calls == [{"x", "y"}]
    _assert_one_keeps_p0(s, composed.roster)


def test_compose_leaves_most_cases_clashing_to_the_search(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Both cases of `_one_star` clash, more than tuning.COMPOSE_MOST_CLASHED (set to 1)
    and all of the province: compose re-solves nothing and returns the parts' teams with
    the clashing case fitted beside them, both staffed, one of them by p0, and the checker
    accepts it."""
    monkeypatch.setattr(tuning, "COMPOSE_MOST_CLASHED", 1)
    calls = _reopened(monkeypatch)
    s, composed = _composed_one_star()
    assert composed.clashed == {"x", "y"}
    assert calls == []
    _assert_one_keeps_p0(s, composed.roster)


def test_compose_resolves_many_clashing_cases_in_a_small_share_of_the_province(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """x and y clash, more than tuning.COMPOSE_MOST_CLASHED (set to 1) but 2 of 5 cases,
    less than tuning.COMPOSE_MOST_CLASHED_SHARE: compose re-solves them (as on growth
    8,000 x 1,400, where 466 of 1,400 clash in pairs of cities and the re-solve pays)."""
    monkeypatch.setattr(tuning, "COMPOSE_MOST_CLASHED", 1)
    calls = _reopened(monkeypatch)
    _, composed = _composed_one_star(later=3)
    assert composed.clashed == {"x", "y"}
    assert calls == [{"x", "y"}]
    assert composed.roster.staffed == {"x", "y", "z0", "z1", "z2"}


def test_fitted_staffs_a_clashing_case_beside_the_kept_teams() -> None:
    """x keeps p0; y, whose team alone clashed with x's, is left unstaffed and fitted
    beside it by the builder, with p1 or p2, without any solver: the valid roster the
    re-solving of the clashing cases starts from."""
    s = _one_star()
    ctx = make_context(s)
    kept = [o for o in ctx.candidates.by_case["x"] if o.person == "p0"]
    roster = fitted(ctx, kept, {"x"})
    assert roster.staffed == {"x", "y"}
    assert {o.person for o in roster.chosen if o.case == "y"} <= {"p1", "p2"}
    checked = Roster(scenario=s.name, status=Status.FEASIBLE, objective=roster.objective,
                     cases=case_rosters(ctx, roster.chosen, roster.staffed, {}))
    assert check_roster(s, checked).ok


def test_nearest_people_are_those_closest_to_the_venue_and_the_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """For case x in a1, p0 (next door) is the one nearest; p2 is kept as asked; p1, as
    far as p2, is left out, unless the case requires p1."""
    monkeypatch.setattr(tuning, "NEAREST_PER_NEED", 1)
    s = _one_star()
    ctx = make_context(s)
    slot = Slot.PROSECUTOR
    assert nearest_people(ctx, "x", 1, {("p2", slot)}) == {("p0", slot), ("p2", slot)}
    required = s.replace(cases=[c.model_copy(update={"require_prosecutors": ["p1"]})
                                if c.id == "x" else c for c in s.cases])
    assert nearest_people(make_context(required), "x", 1, set()) == {("p0", slot), ("p1", slot)}


def test_the_parts_leave_compose_its_share(monkeypatch: pytest.MonkeyPatch) -> None:
    """However much of the search the parts may take, they end where putting their teams
    together still has its share of the search (tuning.COMPOSE_SHARE) and the relaxation
    its reserve: with 2 workers the parts of dense 4,000 x 700 once left compose 1.7 s."""
    monkeypatch.setattr(tuning, "PARTS_SHARE", 0.95)
    seen: dict[str, float] = {}
    real_search, real_parts = solver._search_neighbourhoods, solve_parts

    def search(*args: Any, deadline: float, relaxing: float = 0.0, **kwargs: Any) -> Any:
        seen["began"], seen["deadline"], seen["relaxing"] = clock.now(), deadline, relaxing
        return real_search(*args, deadline=deadline, relaxing=relaxing, **kwargs)

    def parts(*args: Any, deadline: float, **kwargs: Any) -> Any:
        seen["parts_end"] = deadline
        return real_parts(*args, deadline=deadline, **kwargs)

    monkeypatch.setattr(solver, "_search_neighbourhoods", search)
    monkeypatch.setattr(solver, "solve_parts", parts)
    roster = solve(parse_scenario(province(150, 16, 3)), seconds=4, workers=1, seed=0,
                   method="neighbourhood")
    assert roster.objective is not None
    length = seen["deadline"] - seen["began"]
    assert length > 1  # a search the shares matter in
    latest = seen["began"] + length * (1 - tuning.COMPOSE_SHARE) - seen["relaxing"]
    assert seen["parts_end"] <= latest + 1e-9


def test_waiting_lists_the_cases_of_short_parts_those_staffed_alone_first() -> None:
    """Part {x, y} staffed x and y alone and the roster only y; part {u, v} staffed u alone
    and neither in the roster; part {z} is staffed as alone; w is impossible. Waiting: x,
    then u (both staffed alone, the higher priority first), then v (priority 5, left
    unstaffed even alone); not z, y or w."""
    units = [unit("a")]
    prio = {"x": 3, "y": 1, "u": 1, "v": 5, "z": 2, "w": 4}
    s = scenario(units, [person("p1", "a")], [case(c, "a", priority=p) for c, p in prio.items()])
    ctx = make_context(s)

    def part(cases: set[str], alone: set[str], highest: int) -> PartBound:
        found = Found(staffed=alone, solved=True, priority_proven=True, priority=highest)
        return PartBound(frozenset(cases), s.priority_of(cases), highest, {}, found)

    bounds = [part({"x", "y"}, {"x", "y"}, 4), part({"u", "v"}, {"u"}, 1),
              part({"z"}, {"z"}, 2), part({"w"}, {"w"}, 4)]
    assert waiting(ctx, {"y", "z"}, bounds, {"w"}) == ["x", "u", "v"]


def test_stopped_as_the_parts_end_their_teams_are_still_put_together(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C as the last part ends (the stop set once every part is solved): the parts'
    teams are still put together, without re-solving, and the roster is at least as good
    as that, not the first roster (a Ctrl-C at 30 s of a 60 s solve of dense 4,000 x 700
    returned priority 1,280 of the first roster, where the parts' teams staff 1,305)."""
    stop = threading.Event()
    real_parts, real_compose = solve_parts, compose
    composed: list[Composed] = []

    def parts(*args: Any, **kwargs: Any) -> Any:
        yield from real_parts(*args, **kwargs)
        stop.set()
        kwargs["stop"].set()  # the search's own event, which follows `stop` a moment later

    def compose_(*args: Any, **kwargs: Any) -> Composed:
        composed.append(real_compose(*args, **kwargs))
        return composed[-1]

    monkeypatch.setattr(solver, "solve_parts", parts)
    monkeypatch.setattr(solver, "compose", compose_)
    s = parse_scenario(province(150, 16, 3))
    roster = solve(s, seconds=10, workers=1, seed=0, method="neighbourhood", stop=stop)
    assert roster.stopped and roster.objective is not None
    [put_together] = composed
    assert not is_better(put_together.roster.objective, roster.objective)
    assert check_roster(s, roster).ok


def _teams_of(s: Scenario, people: dict[str, str]) -> tuple[Any, Incumbent]:
    """`s`'s context and the roster giving each case of `people` its one person."""
    ctx = make_context(s)
    chosen = [o for case, who in people.items() for o in ctx.candidates.by_case[case]
              if o.person == who]
    return ctx, Incumbent(chosen, set(people), evaluate(ctx, chosen, set(people)))


def _part_of(s: Scenario, ctx: Any, case_id: str, who: str) -> PartBound:
    """The part of `case_id` alone, its team found alone `who`."""
    team = [o for o in ctx.candidates.by_case[case_id] if o.person == who]
    found = Found(chosen=team, staffed={case_id}, solved=True, priority_proven=True)
    return PartBound(frozenset({case_id}), s.priority_of({case_id}),
                     s.priority_of({case_id}), {}, found)


def test_adopted_puts_in_a_part_team_that_fits_and_costs_less() -> None:
    """The roster sends p1 and p2 from far away to x and y; part {x} found p0, next door,
    alone: p0 is free, so x takes p0 and the roster costs less. Part {y} found p0 too, but
    p0 now serves x on the same days at 60 %: y keeps p2 (capacity, rule 5), though with
    peak_load weighted 0 nothing in the cost stops p0 taking both. The checker accepts
    the roster."""
    s = _one_star()
    s = s.replace(policy=s.policy.model_copy(
        update={"weights": s.policy.weights.model_copy(update={"peak_load": 0})}))
    ctx, best = _teams_of(s, {"x": "p1", "y": "p2"})
    found = adopted(ctx, best, [_part_of(s, ctx, "x", "p0"), _part_of(s, ctx, "y", "p0")])
    assert {(o.case, o.person) for o in found.chosen} == {("x", "p0"), ("y", "p2")}
    assert found.objective.cost < best.objective.cost
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=found.objective,
                    cases=case_rosters(ctx, found.chosen, found.staffed, {}))
    assert check_roster(s, roster).ok


def test_adopted_keeps_the_roster_where_the_part_team_costs_more() -> None:
    """x already has p0, the cheapest; part {x} found p1 (far away): the roster stays as
    it is, the very same roster."""
    s = _one_star()
    ctx, best = _teams_of(s, {"x": "p0", "y": "p2"})
    assert adopted(ctx, best, [_part_of(s, ctx, "x", "p1")]) is best
