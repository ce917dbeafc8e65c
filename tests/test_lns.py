"""What a neighbourhood step reopens, and what it keeps pinned beside it."""

import random
import threading
from typing import Any

import pytest

from checker import check_roster
from models import Roster, Scenario, Status
from scheduler import clock, tuning
from scheduler.construct.previous import kept_previous
from scheduler.model.core import Context, StoppedError, make_context
from scheduler.report import case_rosters, evaluate
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import (
    _Drawn,
    _Lanes,
    _pinned_beside,
    mend,
    merged,
    nearest_people,
    neighbourhood,
    reopen,
)
from scheduler.search.phases import Found
from tests.tiny import case, person, road, scenario, unit

ONE = {"leader": None, "members": {"prosecutor": 1}}


def _three_offices() -> Scenario:
    """x (at a, for people of a alone) is to be reopened; y is served by p2 of a, z by p3
    of c, both on x's days; w by p2 in June. p1 and p2 are of a."""
    units = [unit("a"), unit("b"), unit("c")]
    people = [person("p1", "a"), person("p2", "a"), person("p3", "c")]
    june = {"start": "2022-06-01", "end": "2022-06-10"}
    cases = [case("x", "a", team=ONE, scope="unit"), case("y", "b", team=ONE),
             case("z", "c", team=ONE), case("w", "b", team=ONE, **june)]
    previous = [{"case": c, "prosecutor": p, "slot": "prosecutor", "on_site": True}
                for c, p in (("y", "p2"), ("z", "p3"), ("w", "p2"))]
    return scenario(units, people, cases, previous=previous)


def test_pinned_beside_keeps_only_the_teams_that_share_a_rule_with_the_free_cases() -> None:
    """Reopening x (people of a), y stays pinned beside it (p2 of a, same days: capacity
    and home staffing), but not z (p3 of c, whom x cannot take) nor w (June)."""
    ctx = make_context(_three_offices())
    kept = kept_previous(ctx)
    best = Incumbent(kept.chosen, kept.staffed, evaluate(ctx, kept.chosen, kept.staffed))
    x = ctx.scenario.case_by_id["x"]
    assert [c.id for c in _pinned_beside(ctx, best, [x], {})] == ["y"]


def test_neighbourhood_keeps_the_teams_beside_it_as_commitments() -> None:
    """Reopening x, the model holds x alone; y's team is p2's commitment on y's days (its
    load, away from home at b), and the rest of the roster's peak_load is the model's
    floor."""
    base = _three_offices()
    people = [p.model_copy(update={"capacity": 1.0}) for p in base.prosecutors]
    ctx = make_context(base.replace(prosecutors=people))
    kept = kept_previous(ctx)
    best = Incumbent(kept.chosen, kept.staffed, evaluate(ctx, kept.chosen, kept.staffed))
    n = neighbourhood(ctx, best, {"x"})
    sub = n.model.scenario
    assert [c.id for c in sub.cases] == ["x"]
    assert n.fixed == {"y"}
    y = ctx.scenario.case_by_id["y"]
    (held,) = sub.prosecutor_by_id["p2"].commitments
    assert (held.start, held.end, held.load, held.away) == (y.start, y.end, y.team.load, True)
    assert sub.prosecutor_by_id["p3"].commitments == []
    assert n.model.peak_floor > 0
    assert n.model.peak_floor == evaluate(ctx, kept.chosen, kept.staffed).components[
        "peak_load"] // ctx.scenario.policy.weights.peak_load


def test_nearest_people_keeps_the_nearest_holders_of_a_rare_language(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With one person per slot, x keeps p1, the nearest, and p3, far away at c but the
    only Mongolian speaker its coverage need can use; not p2."""
    monkeypatch.setattr(tuning, "NEAREST_PER_NEED", 1)
    units = [unit("a"), unit("b"), unit("c")]
    people = [person("p1", "a"), person("p2", "b"), person("p3", "c", languages=["mn"])]
    team = {"leader": None, "members": {"prosecutor": 1},
            "languages": [{"language": "mn", "count": 1}]}
    s = scenario(units, people, [case("x", "a", team=team)],
                 roads=[road("a", "b", 30), road("b", "c", 300)])
    ctx = make_context(s)
    assert {p for p, _ in nearest_people(ctx, "x", 1, set())} == {"p1", "p3"}


def test_nearest_people_give_a_large_slot_twice_the_people_it_asks_for() -> None:
    """x needs 2 prosecutors; on one person per slot it still draws on the 4 nearest of
    its 6 candidates (p0 to p3, each farther than the one before), so a team can be
    chosen afresh; p4 and p5, farthest, are left out."""
    units = [unit(f"u{i}", lon=119.0 + i) for i in range(6)]
    people = [person(f"p{i}", f"u{i}") for i in range(6)]
    team = {"leader": None, "members": {"prosecutor": 2}}
    s = scenario(units, people, [case("x", "u0", team=team)])
    ctx = make_context(s)
    assert tuning.NEAREST_PER_NEED == 2
    assert {p for p, _ in nearest_people(ctx, "x", 1, set())} == {"p0", "p1", "p2", "p3"}


def test_reopening_counts_building_its_model_against_its_seconds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A step given 6 s whose model takes 5 s to build leaves CP-SAT the 1 s that remains,
    or `at_least` if that is more: on a province whose cases were open to 4,000 people
    each, building the model of the clashing cases took seconds and the solve ended past
    its deadline."""
    import math

    from scheduler import clock
    from scheduler.search import lns

    ctx = make_context(_three_offices())
    kept = kept_previous(ctx)
    best = Incumbent(kept.chosen, kept.staffed, evaluate(ctx, kept.chosen, kept.staffed))
    built = lns.neighbourhood
    given: list[float] = []

    def slow_to_build(*args: Any, **kwargs: Any) -> Any:
        clock.current().charge(5.0)
        return built(*args, **kwargs)

    def lexicographic(*args: Any, seconds: float, **kwargs: Any) -> Any:
        given.append(seconds)
        return Found()

    monkeypatch.setattr(lns, "neighbourhood", slow_to_build)
    monkeypatch.setattr(lns, "lexicographic", lexicographic)
    with clock.counting(clock.WorkClock(wall_until=math.inf)):
        assert lns.reopen(ctx, best, {"x"}, seconds=6.0, workers=1, seed=0) is None
        # A repair's first step keeps its floor: without it, a what-if of a province of
        # 1.27 million options lost 13 priority.
        assert lns.reopen(ctx, best, {"x"}, seconds=6.0, workers=1, seed=0,
                          at_least=2.0) is None
    assert given == [pytest.approx(1.0), pytest.approx(2.0)]


class _SetAfter(threading.Event):
    """An event that reads as set from its `calls`-th look on: a Ctrl-C arriving while a
    model is being built."""

    def __init__(self, calls: int) -> None:
        super().__init__()
        self.calls = calls

    def is_set(self) -> bool:
        self.calls -= 1
        return self.calls < 0


def test_a_neighbourhood_being_built_gives_up_once_stopped() -> None:
    """Stopped once its first rule is in (the fourth look: before the neighbourhood, the
    model and that rule), a neighbourhood's model is not built to the end (`StoppedError`);
    `reopen`, stopped before it builds anything, returns no roster rather than searching
    on: Ctrl-C waited 7 s for one on a province."""
    ctx = make_context(_three_offices())
    kept = kept_previous(ctx)
    best = Incumbent(kept.chosen, kept.staffed, evaluate(ctx, kept.chosen, kept.staffed))
    with pytest.raises(StoppedError):
        neighbourhood(ctx, best, {"x"}, stop=_SetAfter(3))
    assert neighbourhood(ctx, best, {"x"}, stop=threading.Event()).free == {"x"}
    assert reopen(ctx, best, {"x"}, seconds=5, workers=1, seed=0, stop=_SetAfter(0)) is None


def _speaker_on_the_wrong_case() -> tuple[Scenario, Incumbent]:
    """x needs a Mongolian speaker, and only p1 speaks it; y, on the same days, may take
    anyone. The roster has p1 on y and leaves x unstaffed, though p2 could serve y."""
    units = [unit("a")]
    people = [person("p1", "a", languages=["mn", "zh"]), person("p2", "a")]
    speaker = {**ONE, "languages": [{"language": "mn", "count": 1}]}
    s = scenario(units, people, [case("x", "a", team=speaker), case("y", "a", team=ONE)])
    ctx = make_context(s)
    chosen = [o for o in ctx.candidates.by_case["y"] if o.person == "p1"]
    return s, Incumbent(chosen, {"y"}, evaluate(ctx, chosen, {"y"}))


def test_mend_staffs_a_waiting_case_by_moving_the_team_in_its_way() -> None:
    """Mending x reopens it with y, whose team holds the one person x could use: p1 moves
    to x, p2 takes y, both are staffed, and the checker accepts the roster."""
    s, start = _speaker_on_the_wrong_case()
    ctx = make_context(s)
    best = mend(ctx, start, ["x"], deadline=clock.now() + 10, workers=1, seed=0)
    assert best.staffed == {"x", "y"}
    assert {(o.case, o.person) for o in best.chosen} == {("x", "p1"), ("y", "p2")}
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=best.objective,
                    cases=case_rosters(ctx, best.chosen, best.staffed, {}))
    assert check_roster(s, roster).ok


def test_mend_gives_up_at_its_deadline() -> None:
    """With its deadline passed, mend tries nothing and returns the roster it was given."""
    s, start = _speaker_on_the_wrong_case()
    best = mend(make_context(s), start, ["x"], deadline=clock.now(), workers=1, seed=0)
    assert best is start


def _two_steps(s: Scenario) -> tuple[Context, Incumbent, Incumbent, Incumbent]:
    """x and y, on the same days, served by q and r of the far office c; each reopened
    alone from that roster, as two steps side by side would be."""
    ctx = make_context(s)
    chosen = [o for o in ctx.candidates.options
              if (o.case, o.person) in {("x", "q"), ("y", "r")}]
    base = Incumbent(chosen, {"x", "y"}, evaluate(ctx, chosen, {"x", "y"}))
    trials = [reopen(ctx, base, {c}, seconds=10, workers=1, seed=0) for c in ("x", "y")]
    assert trials[0] is not None and trials[1] is not None
    return ctx, base, trials[0], trials[1]


def _landed(ctx: Context, base: Incumbent, *trials: Incumbent) -> Incumbent:
    """The roster the search keeps when steps reopening x, then y, from `base` end in turn."""
    lanes = _Lanes(ctx, base, random.Random(0), seeds=ctx.scenario.cases, possible=2,
                   least={}, swept=iter([]), on_improve=None)
    for free, trial in zip(("x", "y"), trials, strict=True):
        lanes.landed(_Drawn("people", {free}, tuning.NEAREST, base, 0, 0), trial)
    return lanes.best


def _checked(ctx: Context, roster: Incumbent) -> list[str]:
    """The hard rules the independent checker finds `roster` breaking."""
    s = ctx.scenario
    out = Roster(scenario=s.name, status=Status.FEASIBLE, objective=roster.objective,
                 cases=case_rosters(ctx, roster.chosen, roster.staffed, {}))
    return [v.rule for v in check_roster(s, out).violations]


def test_steps_side_by_side_that_take_the_same_person_keep_only_the_better() -> None:
    """p, of x's and y's office, can serve one of them at a time (each takes all of a
    person's capacity); a step reopening x and one reopening y from the same roster each
    take p. Both improve that roster, and together they would cost less still (peak load
    is not weighted), but they break capacity (the checker says so): the search keeps
    the first alone."""
    units = [unit("a"), unit("c", lat=50.0, lon=121.0)]
    people = [person("p", "a"), person("q", "c"), person("r", "c")]
    whole = {**ONE, "load": 1.0}
    s = scenario(units, people, [case("x", "a", team=whole), case("y", "a", team=whole)],
                 policy={"weights": {"peak_load": 0}})
    ctx, base, on_x, on_y = _two_steps(s)
    assert ("x", "p") in {(o.case, o.person) for o in on_x.chosen}
    assert ("y", "p") in {(o.case, o.person) for o in on_y.chosen}
    both = merged(ctx, on_x, {"y"}, on_y.chosen, on_y.staffed, proven=False)
    assert both.objective.cost < on_x.objective.cost
    assert "5 capacity" in _checked(ctx, both)
    kept = _landed(ctx, base, on_x, on_y)
    assert {(o.case, o.person) for o in kept.chosen} == {("x", "p"), ("y", "r")}
    assert _checked(ctx, kept) == []


def test_steps_side_by_side_that_leave_each_other_alone_are_both_kept() -> None:
    """x at a and y at b, on the same days: reopened side by side, x takes p of a and y
    takes s of b. Neither step touches the other's people or offices, so the search keeps
    both, and the roster costs less than either step's alone."""
    units = [unit("a"), unit("b"), unit("c", lat=50.0, lon=121.0)]
    people = [person("p", "a"), person("s", "b"), person("q", "c"), person("r", "c")]
    s = scenario(units, people, [case("x", "a", team=ONE), case("y", "b", team=ONE)])
    ctx, base, on_x, on_y = _two_steps(s)
    kept = _landed(ctx, base, on_x, on_y)
    assert {(o.case, o.person) for o in kept.chosen} == {("x", "p"), ("y", "s")}
    assert kept.objective.cost < min(on_x.objective.cost, on_y.objective.cost)
    assert _checked(ctx, kept) == []
