"""Re-planning from a previous roster: keep every team that still holds, repair the rest."""

from collections import Counter
from datetime import date
from time import perf_counter
from typing import Any

import pytest

from checker import check_roster
from models import Assignment, Interval, Scenario, Slot, parse_scenario
from scheduler import solve, solver, tuning
from scheduler.construct.previous import kept_previous
from scheduler.model.core import make_context
from scheduler.search.lns import reopen
from scheduler.solver import Method, _repair
from synth import province
from tests.tiny import case, person, road, scenario, team, unit

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


def _chain() -> Scenario:
    """x (at a) needs a Mongolian speaker, y (at b) anyone, on the same days, each taking
    a member's whole time. p1 (a) and p2 (b) speak Mongolian, p3 (b) does not. Previously
    p1 was on x and p2 on y; p1 now falls ill."""
    units = [unit("a"), unit("b")]
    people = [person("p1", "a", languages=["mn"],
                     unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}]),
              person("p2", "b", languages=["mn"]), person("p3", "b")]
    whole = {**ONE, "load": 1.0}
    mongolian = {**whole, "languages": [{"language": "mn", "count": 1}]}
    previous = [Assignment(case="x", prosecutor="p1", slot=Slot.PROSECUTOR, on_site=True),
                Assignment(case="y", prosecutor="p2", slot=Slot.PROSECUTOR, on_site=True)]
    return scenario(units, people, [case("x", "a", team=mongolian), case("y", "b", team=whole)],
                    previous=[a.model_dump(mode="json") for a in previous])


def test_repair_moves_a_member_over_when_nobody_free_can_fill_the_gap() -> None:
    """Only p2, who serves on y, can replace p1 on x: re-solving x alone with y fixed
    staffs nothing, so the repair reopens y with it: p2 moves to x and p3 takes y."""
    ctx = make_context(_chain())
    start, broken = _repair(ctx, kept_previous(ctx), deadline=perf_counter() + 10, workers=1,
                            seed=0, stop=None)
    assert broken == {"x"}
    teams = {(o.case, o.person) for o in start.chosen}
    assert start.staffed == {"x", "y"} and teams == {("x", "p2"), ("y", "p3")}


def _recorded_steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[set[str], int | None]]:
    """The cases and width of each CP-SAT step the repair takes, as it takes them."""
    steps: list[tuple[set[str], int | None]] = []
    real = reopen  # what solver.reopen is

    def recorded(*args: Any, **kwargs: Any) -> Any:
        steps.append((set(args[2]), kwargs["nearest"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "reopen", recorded)
    return steps


def test_repair_takes_in_the_holders_at_once_when_the_builder_cannot_mend(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Only p2, who serves on y, can replace p1 on x, so the builder leaves x unstaffed:
    the first CP-SAT step reopens x together with y, the team holding p2, on the narrower
    of the repair's widths, rather than x alone (which cannot staff it), and mends both."""
    ctx = make_context(_chain())
    steps = _recorded_steps(monkeypatch)
    start, _ = _repair(ctx, kept_previous(ctx), deadline=perf_counter() + 10, workers=1,
                       seed=0, stop=None)
    assert steps == [({"x", "y"}, tuning.REPAIR_NEAREST[1])]
    assert start.staffed == {"x", "y"}


def test_repair_takes_in_the_holders_of_people_within_its_reach(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """x (at a) needs a Mongolian speaker; p1 falls ill. Of the others, p2 (b, on y) is
    nearest, q1 and q2 (c, far, on z) next. With room for one holder and the nearest one
    person a slot, the repair takes in y, which holds the one person x may draw on, not z,
    which holds more of x's eligible people but none within reach: p2 moves to x and a3
    takes y. (Counted over everyone eligible, z came first, and x stayed unstaffed.)"""
    monkeypatch.setattr(tuning, "MAX_CASES", 1)
    monkeypatch.setattr(tuning, "REPAIR_NEAREST", (100, 1, 1))
    units = [unit("a"), unit("b"), unit("c")]
    whole = {**ONE, "load": 1.0}
    mongolian = {**whole, "languages": [{"language": "mn", "count": 1}]}
    people = [person("p1", "a", languages=["mn"],
                     unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}]),
              person("p2", "b", languages=["mn"]), person("a3", "b"),
              person("q1", "c", languages=["mn"]), person("q2", "c", languages=["mn"])]
    previous = [Assignment(case=c, prosecutor=p, slot=Slot.PROSECUTOR, on_site=True)
                for c, p in (("x", "p1"), ("y", "p2"), ("z", "q1"), ("z", "q2"))]
    s = scenario(units, people,
                 [case("x", "a", team=mongolian, priority=3), case("y", "b", team=whole),
                  case("z", "c", team={**whole, "members": {"prosecutor": 2}})],
                 previous=[a.model_dump(mode="json") for a in previous],
                 roads=[road("a", "b", 30), road("a", "c", 240), road("b", "c", 240)])
    ctx = make_context(s)
    steps = _recorded_steps(monkeypatch)
    start, _ = _repair(ctx, kept_previous(ctx), deadline=perf_counter() + 10, workers=1,
                       seed=0, stop=None)
    assert steps[0] == ({"x", "y"}, 1)
    teams = {(o.case, o.person) for o in start.chosen}
    assert start.staffed == {"x", "y", "z"}
    assert {("x", "p2"), ("y", "a3")} <= teams


def test_repair_reopens_mended_teams_alone_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """p1 falls ill and the builder mends x with p3: the first CP-SAT step reopens x alone,
    on the widest first width, and y's team is left as it was."""
    s = _two_cases(unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}])
    ctx = make_context(s)
    steps = _recorded_steps(monkeypatch)
    _repair(ctx, kept_previous(ctx), deadline=perf_counter() + 10, workers=1, seed=0, stop=None)
    assert steps[0] == ({"x"}, tuning.REPAIR_NEAREST[0])


def test_repair_starts_from_the_members_the_change_left() -> None:
    """x's team of three loses p1 to illness: p2 and p4 could still serve, so they are the
    survivors the repair starts from, and the repaired team keeps them and takes p3 (or
    p5) in p1's place only: one place dropped."""
    units = [unit("a")]
    ill = [{"start": "2022-01-01", "end": "2022-01-31"}]
    people = [person("p1", "a", unavailable=ill)] + [person(f"p{i}", "a") for i in range(2, 6)]
    previous = [Assignment(case="x", prosecutor=p, slot=Slot.PROSECUTOR, on_site=True)
                for p in ("p1", "p2", "p4")]
    s = scenario(units, people, [case("x", "a", team={"leader": None,
                                                      "members": {"prosecutor": 3}})],
                 previous=[a.model_dump(mode="json") for a in previous])
    ctx = make_context(s)
    kept = kept_previous(ctx)
    assert kept.broken == {"x"}
    assert {(o.case, o.person) for o in kept.survivors} == {("x", "p2"), ("x", "p4")}
    start, _ = _repair(ctx, kept, deadline=perf_counter() + 5, workers=1, seed=0, stop=None)
    members = {o.person for o in start.chosen}
    assert start.staffed == {"x"} and {"p2", "p4"} <= members and len(members) == 3


def test_repair_mends_a_broken_team_without_a_solver(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CP-SAT finding nothing (as when it has no time), x's team, which lost p1, is
    still mended by the builder around p2 and p4, with p3 in p1's place."""
    ill = [{"start": "2022-01-01", "end": "2022-01-31"}]
    people = [person("p1", "a", unavailable=ill), person("p2", "a"), person("p3", "a"),
              person("p4", "a")]
    previous = [Assignment(case="x", prosecutor=p, slot=Slot.PROSECUTOR, on_site=True)
                for p in ("p1", "p2", "p4")]
    s = scenario([unit("a")], people,
                 [case("x", "a", team={"leader": None, "members": {"prosecutor": 3}})],
                 previous=[a.model_dump(mode="json") for a in previous])
    monkeypatch.setattr(solver, "reopen", lambda *args, **kwargs: None)
    ctx = make_context(s)
    start, _ = _repair(ctx, kept_previous(ctx), deadline=perf_counter() + 5, workers=1, seed=0,
                       stop=None)
    assert start.staffed == {"x"}
    assert {o.person for o in start.chosen} == {"p2", "p3", "p4"}


def test_repair_re_solves_the_broken_team_even_past_its_deadline() -> None:
    """p1 falls ill; the repair is called with its deadline already gone (on a slow
    machine the eligibility pass may take a what-if's whole limit): x's broken team is
    still re-solved, with p3, rather than left unstaffed."""
    s = _two_cases(unavailable=[{"start": "2022-01-01", "end": "2022-01-31"}])
    ctx = make_context(s)
    start, broken = _repair(ctx, kept_previous(ctx), deadline=perf_counter() - 1, workers=1,
                            seed=0, stop=None)
    assert broken == {"x"}
    assert start.staffed == {"x", "y"}
    assert ("x", "p3") in {(o.case, o.person) for o in start.chosen}



def test_a_long_replan_bounds_its_cost_by_the_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-plan given `tuning.REPLAN_PARTS_SECONDS` or more solves the parts after its
    search around the change, and so proves its roster's cost where counting alone left a
    gap (tight 300 x 50, the busiest person ill); the roster itself is the same."""
    s = parse_scenario(province(300, 50, 3, family="tight"))
    base = solve(s, seconds=3, workers=1, seed=0, method="neighbourhood")
    busiest = Counter(a.prosecutor for c in base.cases for a in c.team).most_common(1)[0][0]
    ill = Interval(start=date(2000, 1, 1), end=date(2100, 1, 1))
    people = [p.model_copy(update={"unavailable": [ill]}) if p.id == busiest else p
              for p in s.prosecutors]
    previous = [Assignment(case=c.id, prosecutor=a.prosecutor, slot=a.slot, on_site=a.on_site)
                for c in base.cases for a in c.team]
    changed = s.replace(prosecutors=people, previous=previous)
    found = {}
    for least in (1e9, 0.0):
        monkeypatch.setattr(tuning, "REPLAN_PARTS_SECONDS", least)
        found[least] = solve(changed, seconds=3, workers=1, seed=0, method="neighbourhood")
    counted, parted = found[1e9], found[0.0]
    assert counted.objective == parted.objective and counted.gap is not None
    assert counted.gap > 0.1
    assert parted.gap is not None and parted.gap < counted.gap / 10
    assert check_roster(changed, parted).violations == []
