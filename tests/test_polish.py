"""Polish (scheduler/search/polish.py): swaps and fitting in cases, on hand-made rosters.

Each roster below is written by hand and is valid but not the cheapest; the tests check
that polish makes the move that gains, and only when every hard rule still holds."""

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from checker import check_roster
from models import Roster, Scenario, Slot, Status, parse_scenario
from scheduler import clock, solver, tuning
from scheduler.construct.ledger import Ledger
from scheduler.construct.rarest import rarest_first
from scheduler.model.core import Context, make_context
from scheduler.report import case_rosters, evaluate
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import neighbourhood
from scheduler.search.polish import polish, polishing
from tests.test_properties import scenarios
from tests.tiny import case, person, road, scenario, unit

Teams = dict[str, list[tuple[str, str]]]


def _incumbent(ctx: Context, teams: Teams) -> Incumbent:
    """The hand-written roster `teams` (case -> [(person, slot)]) as the search holds it."""
    by_key = {(o.case, o.person, o.slot): o for o in ctx.candidates.options}
    chosen = [by_key[c, p, Slot(slot)] for c, members in teams.items() for p, slot in members]
    return Incumbent(chosen, set(teams), evaluate(ctx, chosen, set(teams)))


def _polished(s: Scenario, teams: Teams) -> dict[str, set[str]]:
    """Polish the roster `teams` of `s`; its teams afterwards as case -> people, once the
    independent checker has accepted it."""
    ctx = make_context(s)
    best = polish(ctx, _incumbent(ctx, teams), until=float("inf"), steal=True)
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=best.objective,
                    cases=case_rosters(ctx, best.chosen, best.staffed, {}))
    report = check_roster(s, roster)
    assert report.ok, report.violations
    out: dict[str, set[str]] = {c: set() for c in best.staffed}
    for o in best.chosen:
        out[o.case].add(o.person)
    return out


def _far_and_near(**near: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Units and people: `far` lives 100 minutes from the venue `v`, `near` 10."""
    units = [unit("v"), unit("f"), unit("n", min_staff=near.pop("min_staff", 0))]
    people = [person("far", "f"), person("near", "n", **near)]
    return units, people


ROADS = [road("v", "f", 100), road("v", "n", 10)]


def test_swap_takes_the_cheaper_person() -> None:
    """`far` serves where `near`, free and eligible, is 90 minutes closer: they swap."""
    units, people = _far_and_near()
    s = scenario(units, people, [case("c", "v")], roads=ROADS)
    assert _polished(s, {"c": [("far", "prosecutor")]}) == {"c": {"near"}}


def test_swap_keeps_capacity() -> None:
    """`near` is already on case `busy` at the same time, at half their capacity, and `c`
    takes the other half and more: `far` stays."""
    units, people = _far_and_near()
    s = scenario(units, people, [case("c", "v", team={"leader": None, "members": {"prosecutor": 1},
                                                      "load": 0.6}),
                                 case("busy", "n", team={"leader": None,
                                                         "members": {"prosecutor": 1}})],
                 roads=ROADS)
    teams = {"c": [("far", "prosecutor")], "busy": [("near", "prosecutor")]}
    assert _polished(s, teams)["c"] == {"far"}


def test_swap_keeps_home_staffing() -> None:
    """`near`'s office must keep one prosecutor at home and has only `near`: `far` stays."""
    units, people = _far_and_near(min_staff=1)
    s = scenario(units, people, [case("c", "v")], roads=ROADS)
    assert _polished(s, {"c": [("far", "prosecutor")]}) == {"c": {"far"}}


def test_swap_keeps_coverage() -> None:
    """The team needs a Mongolian speaker and only `far` speaks it: `far` stays."""
    units = [unit("v"), unit("f"), unit("n")]
    people = [person("far", "f", languages=["zh", "mn"]), person("near", "n")]
    team = {"leader": None, "members": {"prosecutor": 1},
            "languages": [{"language": "mn", "count": 1}]}
    s = scenario(units, people, [case("c", "v", team=team)], roads=ROADS)
    assert _polished(s, {"c": [("far", "prosecutor")]}) == {"c": {"far"}}


def test_swap_keeps_required_people() -> None:
    """`far` is required on the case: `far` stays however far."""
    units, people = _far_and_near()
    s = scenario(units, people, [case("c", "v", require_prosecutors=["far"])], roads=ROADS)
    assert _polished(s, {"c": [("far", "prosecutor")]}) == {"c": {"far"}}


def test_unstaffed_case_that_fits_is_staffed() -> None:
    """Case `later` is unstaffed though `near` is free then: polish staffs it."""
    units, people = _far_and_near()
    s = scenario(units, people, [case("c", "v"),
                                 case("later", "v", start="2022-02-01", end="2022-02-05")],
                 roads=ROADS)
    assert set(_polished(s, {"c": [("near", "prosecutor")]})) == {"c", "later"}


CROSSED = [road("a", "b", 100)]
HEAVY = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6}


def test_steal_trades_two_people_each_serving_at_the_other_office() -> None:
    """`pa` (of a) serves case y at b and `pb` (of b) case x at a, at the same time and
    each at 0.6 FTE: neither can take the case at home beside their own, so no single swap
    gains; taking `pa` from y, with `pb` in their place, puts both at home. Without steals
    the teams stay as they are."""
    s = scenario([unit("a"), unit("b")], [person("pa", "a"), person("pb", "b")],
                 [case("x", "a", team=HEAVY), case("y", "b", team=HEAVY)], roads=CROSSED)
    teams = {"x": [("pb", "prosecutor")], "y": [("pa", "prosecutor")]}
    assert _polished(s, teams) == {"x": {"pa"}, "y": {"pb"}}
    ctx = make_context(s)
    plain = polish(ctx, _incumbent(ctx, teams), until=float("inf"))
    assert {(o.case, o.person) for o in plain.chosen} == {("x", "pb"), ("y", "pa")}


def test_steal_only_where_the_pair_gains() -> None:
    """As above, but y needs a Mongolian speaker and only `pa` speaks it: taking `pa` from
    y would leave it without one, so both stay where they are."""
    speaker = {**HEAVY, "languages": [{"language": "mn", "count": 1}]}
    s = scenario([unit("a"), unit("b")],
                 [person("pa", "a", languages=["zh", "mn"]), person("pb", "b")],
                 [case("x", "a", team=HEAVY), case("y", "b", team=speaker)], roads=CROSSED)
    teams = {"x": [("pb", "prosecutor")], "y": [("pa", "prosecutor")]}
    assert _polished(s, teams) == {"x": {"pb"}, "y": {"pa"}}


@pytest.mark.parametrize("hold", ["pinned", "required"])
def test_steal_keeps_a_pinned_or_required_member(hold: str) -> None:
    """As in the trade above, but `pa`'s place on y is pinned (rule 7) or `pa` is
    required on y (rule 2): `pa` is not taken from y, and both stay where they are."""
    cases = [case("x", "a", team=HEAVY),
             case("y", "b", team=HEAVY,
                  require_prosecutors=["pa"] if hold == "required" else [])]
    previous = [{"case": "y", "prosecutor": "pa", "slot": "prosecutor", "on_site": True,
                 "pinned": True}] if hold == "pinned" else []
    s = scenario([unit("a"), unit("b")], [person("pa", "a"), person("pb", "b")], cases,
                 roads=CROSSED, previous=previous)
    teams = {"x": [("pb", "prosecutor")], "y": [("pa", "prosecutor")]}
    assert _polished(s, teams) == {"x": {"pb"}, "y": {"pa"}}


def _reopened_far(busy_near: bool) -> tuple[dict[str, set[str]] | None, set[str]]:
    """Case `c` reopened as a neighbourhood from the roster `far` on `c` and `near` on
    `busy` (in June, or with `busy_near` on `c`'s days, each at 60 %); its teams as
    `polishing` hands them to the cost phase (None if unchanged), and the model's cases."""
    units, people = _far_and_near()
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 0.6}
    days = {} if busy_near else {"start": "2022-06-01", "end": "2022-06-10"}
    s = scenario(units, people, [case("c", "v", team=team), case("busy", "n", team=team, **days)],
                 roads=ROADS)
    ctx = make_context(s)
    best = _incumbent(ctx, {"c": [("far", "prosecutor")], "busy": [("near", "prosecutor")]})
    n = neighbourhood(ctx, best, {"c"})
    handed = polishing(until=float("inf"))(n.model, n.start_chosen, n.start_staffed)
    cases = {c.id for c in n.model.scenario.cases}
    if handed is None:
        return None, cases
    teams: dict[str, set[str]] = {c: set() for c in handed[1]}
    for o in handed[0]:
        teams[o.case].add(o.person)
    return teams, cases


def test_polishing_swaps_within_the_reopened_model() -> None:
    """Reopening `c` alone, `near` (free on its days) takes `far`'s place on the team the
    cost phase starts from; `busy`, outside the model, is not touched."""
    assert _reopened_far(busy_near=False) == ({"c": {"near"}}, {"c"})


def test_polishing_keeps_the_teams_kept_around_the_model() -> None:
    """`near` serves on `busy`, kept outside the model on `c`'s days, and cannot take a
    second 60 %: the model's commitments say so, and `far` stays (nothing to hand on)."""
    assert _reopened_far(busy_near=True) == (None, {"c"})


def test_released_booking_leaves_someone_away_on_another_case() -> None:
    """`a` is away on two overlapping cases; taking back one of them leaves `a` away, so
    `b`, the only other prosecutor of an office that keeps one at home, still cannot go."""
    s = scenario([unit("v"), unit("h", min_staff=1)], [person("a", "h"), person("b", "h")],
                 [case("c1", "v"), case("c2", "v", start="2022-01-05", end="2022-01-12")],
                 roads=[road("v", "h", 30)])
    ctx = make_context(s)
    options = {(o.case, o.person): o for o in ctx.candidates.options}
    ledger = Ledger(s)
    first: list[tuple[str, str, int]] = []
    ledger.commit(options["c1", "a"], s.case_by_id["c1"], first)
    ledger.commit(options["c2", "a"], s.case_by_id["c2"], [])
    ledger.undo(first, s.case_by_id["c1"])
    assert ledger.away_during("a", s.case_by_id["c1"])
    assert not ledger.home_allows(options["c1", "b"], s.case_by_id["c1"])


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenarios())
def test_polished_rosters_pass_the_checker(data: dict[str, Any]) -> None:
    """On random small scenarios, the rarest-first roster polished, steals included, keeps
    every hard rule it kept, and is never worse than before."""
    s = parse_scenario(data)
    ctx = make_context(s)
    chosen, staffed = rarest_first(ctx)
    start = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    best = polish(ctx, start, until=float("inf"), steal=True)
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=best.objective,
                    cases=case_rosters(ctx, best.chosen, best.staffed, {}))
    before = Roster(scenario=s.name, status=Status.FEASIBLE, objective=start.objective,
                    cases=case_rosters(ctx, chosen, staffed, {}))
    # The start may leave a pinned or mandatory case unstaffed (a heuristic); polish
    # must break nothing more.
    assert check_roster(s, roster).rules_broken() <= check_roster(s, before).rules_broken()
    report = check_roster(s, roster)
    assert report.staffed_priority >= start.objective.staffed_priority
    assert (report.staffed_priority > start.objective.staffed_priority
            or report.cost <= start.objective.cost + 0.5)



def test_swaps_count_the_standbys_they_take_when_weighted() -> None:
    """With no_standby weighted 150: on o, Bo (at home) would save Cy's 50 minutes and 60
    off the pairs, but he is the only one free to stand by for Ann on the mandatory m at
    the same time, so that swap is refused; on p, a month later, someone at home replaces
    Dee (30 minutes and 60 off the pairs). Dee and Eve are on leave in January, and nobody
    has room for both m and o. Unweighted, Bo takes o."""
    units = [unit("u"), unit("v"), unit("w")]
    january = [{"start": "2022-01-01", "end": "2022-01-31"}]
    people = [person("ann", "u", languages=["zh", "mn"]), person("bo", "u", languages=["zh", "mn"]),
              person("cy", "v"), person("dee", "w", unavailable=january),
              person("eve", "u", unavailable=january)]
    cases = [case("m", "u", mandatory=True, team={"leader": None, "members": {"prosecutor": 1},
                                                 "languages": [{"language": "mn", "count": 1}],
                                                 "load": 0.6}),
             case("o", "u", team={"leader": None, "members": {"prosecutor": 1}, "load": 0.6}),
             case("p", "u", start="2022-02-01", end="2022-02-05")]
    roads = [road("u", "v", 50), road("u", "w", 30)]
    teams = {"m": [("ann", "prosecutor")], "o": [("cy", "prosecutor")],
             "p": [("dee", "prosecutor")]}
    weighted = scenario(units, people, cases, roads=roads,
                        policy={"weights": {"no_standby": 150}})
    polished = _polished(weighted, teams)
    assert polished["m"] == {"ann"} and polished["o"] == {"cy"}
    assert polished["p"] <= {"ann", "bo", "eve"}
    plain = scenario(units, people, cases, roads=roads)
    assert _polished(plain, teams)["o"] == {"bo"}


def test_polish_is_charged_by_what_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a work clock, polish counts the options and members it reads as it goes, team by
    team: with time for one team's reads, the first team's swap is made and the second
    team is not looked at (a charge per eligible option before each round would have left
    no time for either)."""
    monkeypatch.setattr(tuning, "WORK_SECONDS_PER_OPTION_POLISHED", 1.0)
    monkeypatch.setattr(tuning, "WORK_SECONDS_PER_MEMBER_POLISHED", 0.0)
    units, people = _far_and_near()
    s = scenario(units, [*people, person("far2", "f")],
                 [case("c1", "v"), case("c2", "v", start="2022-02-01", end="2022-02-10")],
                 roads=ROADS)
    ctx = make_context(s)
    start = _incumbent(ctx, {"c1": [("far", "prosecutor")], "c2": [("far2", "prosecutor")]})
    with clock.counting(clock.WorkClock(wall_until=math.inf)) as work:
        best = polish(ctx, start, until=1.0)
        assert work.now() >= 1.0
    assert {(o.case, o.person) for o in best.chosen} == {("c1", "near"), ("c2", "far2")}


def test_polish_past_its_end_does_nothing() -> None:
    """Asked after its end, polish hands the roster back as it is, without booking it
    first (on a work clock: nothing charged): a swap was there to make."""
    units, people = _far_and_near()
    s = scenario(units, people, [case("c1", "v")], roads=ROADS)
    ctx = make_context(s)
    start = _incumbent(ctx, {"c1": [("far", "prosecutor")]})
    with clock.counting(clock.WorkClock(wall_until=math.inf)) as work:
        assert polish(ctx, start, until=0.0) is start
        assert work.now() == 0.0
    assert {o.person for o in polish(ctx, start, until=math.inf).chosen} == {"near"}


def test_without_time_for_the_builds_the_start_is_the_greedy_roster_polished(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """When the rarest-first builds do not end in time, the search starts from the
    greedy's roster polished: the greedy ranks people one at a time and takes `b1` (15
    minutes) beside `a1` (20), two units; a swap to `a2` (20) saves 30 for the unit and
    costs 5."""
    s = scenario([unit("v"), unit("a"), unit("b")],
                 [person("a1", "a"), person("a2", "a"), person("b1", "b")],
                 [case("c", "v", team={"leader": None, "members": {"prosecutor": 2}})],
                 roads=[road("v", "a", 20), road("v", "b", 15)])
    monkeypatch.setattr(solver, "rarest_first_by", lambda *args, **kwargs: None)  # cut off
    ctx = make_context(s)
    best, baseline, _ = solver._start(ctx, 1e9, kept=None, workers=1, seed=0,
                                      reporter=solver._Reporter(None, 0.0), stop=None)
    assert baseline is not None
    assert (baseline.components["travel"], baseline.components["units"]) == (35, 60)
    assert {o.person for o in best.chosen} == {"a1", "a2"}
    assert (best.objective.components["travel"], best.objective.components["units"]) == (40, 30)
    assert best.objective.cost == baseline.cost - 25
