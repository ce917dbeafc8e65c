"""Contingency sweeps on hand-built scenarios: which contingencies, what each changes, and
the damage ranking."""

import os
import signal

import pytest

from checker import check_roster
from models import Roster, Scenario
from models.sweep import Absent
from scheduler import solve
from scheduler.sweep import changed, contingencies, replan, with_previous
from scheduler.sweep_run import TooManyError, _pool, sweep
from tests.tiny import case, person, road, scenario, solved, unit


def _two_cases() -> Scenario:
    """Offices a, b, c in a line (a-b 30 min, b-c 30 min). Case 'big' (priority 5) at a
    needs Ann, the only one with organized_crime; case 'small' (priority 1) at b needs any
    prosecutor and has Bo and Cy to choose from."""
    return scenario(
        [unit("a"), unit("b"), unit("c")],
        [person("ann", "a", skills={"criminal": 2, "organized_crime": 2}),
         person("bo", "b"), person("cy", "c")],
        [case("big", "a", priority=5,
              team={"leader": None, "members": {"prosecutor": 1},
                    "skills": [{"skill": "organized_crime", "count": 1, "min_level": 1}]}),
         case("small", "b", priority=1, team={"leader": None, "members": {"prosecutor": 1}})],
        roads=[road("a", "b", 30), road("b", "c", 30)])


def _solve(s: Scenario) -> Roster:
    return solve(s, seconds=5, workers=1, seed=0)


def test_each_member_contingencies_are_the_people_on_the_roster() -> None:
    """each-member tries one contingency per person serving, in scenario order; each-office
    one per office; each-road one per pair of offices joined by road."""
    s = _two_cases()
    base = solved(s)
    members, _ = contingencies(s, base, Absent.EACH_MEMBER)
    assert [c.target for c in members] == ["ann", "bo"]
    offices, _ = contingencies(s, base, Absent.EACH_OFFICE)
    assert [c.target for c in offices] == ["a", "b", "c"]
    roads, _ = contingencies(s, base, Absent.EACH_ROAD)
    assert [c.target for c in roads] == ["a~b", "b~c"]


def test_member_absent_on_the_days_of_their_cases_only() -> None:
    """An absent member is unavailable exactly on their cases' days, and the base roster is
    the re-plan's previous roster."""
    s = _two_cases()
    base = solved(s)
    c = next(x for x in contingencies(s, base, Absent.EACH_MEMBER)[0] if x.target == "ann")
    after = changed(with_previous(s, base), base, c)
    ann = after.prosecutor_by_id["ann"]
    assert [(i.start.isoformat(), i.end.isoformat()) for i in ann.unavailable] == [
        ("2022-01-01", "2022-01-10")]
    assert {(a.case, a.prosecutor) for a in after.previous} == {("big", "ann"), ("small", "bo")}


def test_office_closed_takes_its_people_and_the_cases_held_there() -> None:
    """A closed office's people are away over the horizon and the cases held at it are
    taken out of the re-plan; roads through it stay."""
    s = _two_cases()
    base = solved(s)
    c = next(x for x in contingencies(s, base, Absent.EACH_OFFICE)[0] if x.target == "b")
    after = changed(with_previous(s, base), base, c)
    assert [k.id for k in after.cases] == ["big"]
    assert after.prosecutor_by_id["bo"].unavailable and not after.prosecutor_by_id["ann"].unavailable
    assert len(after.roads) == 2


def test_road_closed_removes_its_legs_and_a_lone_road_is_skipped() -> None:
    """A closed road's legs (both directions, duplicates too) go; a scenario's only road
    is not tried, since without roads travel would be estimated from distance."""
    s = _two_cases()
    base = solved(s)
    c = next(x for x in contingencies(s, base, Absent.EACH_ROAD)[0] if x.target == "a~b")
    assert [(r.a, r.b) for r in changed(s, base, c).roads] == [("b", "c")]
    lone = s.replace(roads=s.roads[:1])
    tried, skipped = contingencies(lone, base, Absent.EACH_ROAD)
    assert tried == [] and [r.code for r in skipped] == ["sweep.only_road"]


def test_damage_ranks_the_loss_of_the_scarce_member_first() -> None:
    """Ann is the only one who can staff 'big' (priority 5): her absence loses 5 and ranks
    first; Bo's is covered by Cy (one person moved in, Bo out, a little more travel). Every
    re-plan keeps every hard rule."""
    s = _two_cases()
    base = solved(s)
    found = sweep(s, base, Absent.EACH_MEMBER, seconds=5, parallel=1, check=check_roster)
    first, second = found.outcomes
    assert (first.rank, first.target, first.priority_lost, first.cases_unstaffed) == (
        1, "ann", 5, ["big"])
    assert (second.target, second.priority_lost, second.people_moved) == ("bo", 0, 2)
    assert second.cost_added > 0 and all(o.valid for o in found.outcomes)
    assert {(m.prosecutor, m.joins) for m in second.moves} == {("bo", False), ("cy", True)}


def test_mandatory_case_made_impossible_is_named_and_ranked_first() -> None:
    """A mandatory case that a contingency makes impossible does not make the sweep fail:
    the re-plan is solved with it optional and the outcome names it, ranked first."""
    s = _two_cases()
    s = s.replace(cases=[s.cases[0].model_copy(update={"mandatory": True}), s.cases[1]])
    base = solved(s)
    c = next(x for x in contingencies(s, base, Absent.EACH_MEMBER)[0] if x.target == "ann")
    outcome = replan(s, base, c, _solve, check_roster)
    assert outcome.mandatory_lost == ["big"] and outcome.valid and outcome.priority_lost == 5
    found = sweep(s, base, Absent.EACH_OFFICE, seconds=5, parallel=1, check=check_roster)
    assert found.outcomes[0].target == "a" and found.outcomes[0].mandatory_lost == ["big"]


def test_pinned_member_absent_is_unpinned_not_infeasible() -> None:
    """A pinned assignment of the absent person is released for the re-plan: the pin is
    what the contingency breaks."""
    s = _two_cases()
    s = s.replace(previous=[*s.previous])
    base = solved(s)
    pinned = with_previous(s, base)
    pinned = pinned.replace(previous=[a.model_copy(update={"pinned": True}) for a in pinned.previous])
    c = next(x for x in contingencies(s, base, Absent.EACH_MEMBER)[0] if x.target == "bo")
    outcome = replan(pinned, base, c, _solve, check_roster)
    assert outcome.valid and outcome.priority_lost == 0 and outcome.mandatory_lost == []


def test_empty_roster_sweeps_nothing_and_a_limit_refuses_before_solving() -> None:
    """A roster with nobody on it has no member to be absent; more contingencies than the
    limit are refused before any re-plan."""
    s = scenario([unit("a")], [person("ann", "a")], [])
    base = solved(s)
    assert sweep(s, base, Absent.EACH_MEMBER, seconds=1, parallel=2,
                 check=check_roster).outcomes == []
    two = _two_cases()
    try:
        sweep(two, solved(two), Absent.EACH_OFFICE, seconds=1, parallel=1, check=check_roster,
              limit=2)
    except TooManyError as e:
        assert (e.count, e.limit) == (3, 2)
    else:
        raise AssertionError("a sweep over the limit ran")


def test_parallel_sweep_agrees_with_one_at_a_time() -> None:
    """Re-plans in worker processes give the same ranking as one after another."""
    s = _two_cases()
    base = solved(s)
    alone = sweep(s, base, Absent.EACH_ROAD, seconds=5, parallel=1, check=check_roster)
    side = sweep(s, base, Absent.EACH_ROAD, seconds=5, parallel=2, check=check_roster)
    key = [(o.target, o.priority_lost, o.cost_added, o.people_moved) for o in alone.outcomes]
    assert key == [(o.target, o.priority_lost, o.cost_added, o.people_moved)
                   for o in side.outcomes]


def test_sweep_workers_leave_a_ctrl_c_to_their_parent() -> None:
    """A worker process ignores SIGINT, so a Ctrl-C leaves ending the workers to the
    parent: none dies of it, to be replaced by the pool as the parent exits."""
    pool = _pool(1)
    try:
        assert pool.apply(signal.getsignal, (signal.SIGINT,)) == signal.SIG_IGN
        # Blocked from the start, before the initializer ran (an outside tester's
        # Ctrl-C 10 to 50 ms after the workers started printed their start-up's
        # traceback, where the resource tracker's spawning had unblocked it).
        assert signal.SIGINT in pool.apply(signal.pthread_sigmask, (signal.SIG_BLOCK, []))
    finally:
        pool.terminate()
        pool.join()
    with pytest.raises(KeyboardInterrupt):  # this process's own handler is back
        signal.raise_signal(signal.SIGINT)


def test_sweep_workers_outlive_a_ctrl_c_sent_while_python_starts() -> None:
    """A Ctrl-C sent to a worker the moment it is spawned, before its own start-up has run
    the initializer that ignores SIGINT, neither kills it nor makes the pool replace it:
    the task goes to the worker first started (on the code before, it died, with a
    traceback where Python had begun, and the pool started another in its place)."""
    pool = _pool(1)
    try:
        first = [p.pid for p in pool._pool]  # type: ignore[attr-defined]
        for pid in first:
            os.kill(pid, signal.SIGINT)
        assert pool.apply_async(os.getpid).get(timeout=60) in first
    finally:
        pool.terminate()
        pool.join()


def test_roads_are_told_apart_by_their_ends_not_their_label() -> None:
    """Office ids may hold '~': the roads x~y-z and x-y~z show the same label but are two
    contingencies, and closing one leaves the other."""
    s = scenario([unit("x~y"), unit("z"), unit("x"), unit("y~z")], [person("ann", "z")],
                 [case("k", "z")], roads=[road("x~y", "z", 10), road("x", "y~z", 10)])
    base = solved(s)
    tried, _ = contingencies(s, base, Absent.EACH_ROAD)
    assert len(tried) == 2 and tried[0].target == tried[1].target
    assert [(r.a, r.b) for r in changed(s, base, tried[0]).roads] == [("x", "y~z")]


def test_a_roster_of_some_cases_is_swept_on_those_cases() -> None:
    """A roster listing only 'small' (solved for that case alone) is swept on it: the
    re-plans neither staff 'big' nor count it as a gain."""
    s = _two_cases()
    only_small = s.replace(cases=[s.cases[1]])
    base = solved(only_small)
    found = sweep(s, base, Absent.EACH_MEMBER, seconds=5, parallel=1, check=check_roster)
    (bo,) = found.outcomes
    assert bo.target == "bo" and bo.priority_lost == 0 and bo.valid
    assert {m.case for m in bo.moves} == {"small"}
