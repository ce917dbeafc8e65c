"""The province generator, the greedy baseline and the neighbourhood search on small provinces."""

import json
import random
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from checker import check_roster
from cli.main import app
from models import Roster, Scenario, Status, parse_scenario
from scheduler import tuning
from scheduler.construct.greedy import greedy
from scheduler.instance.eligibility import Option
from scheduler.model.core import build_model, make_context
from scheduler.report import case_rosters, evaluate, is_better
from scheduler.search import regions as regions_module
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import conflicts, improve
from scheduler.search.neighbourhoods import Teams, city
from scheduler.search.phases import most_priority
from synth import province
from tests import tiny


def _broken(scenario: Scenario, roster: Roster) -> set[str]:
    return {v.rule for v in check_roster(scenario, roster).violations}


def test_generate_is_deterministic_and_valid(tmp_path: Path) -> None:
    """The same seed writes the same, valid scenario; another seed a different one."""
    runner = CliRunner()
    paths = [tmp_path / name for name in ("a.json", "b.json", "c.json")]
    for path, seed in zip(paths, (3, 3, 4), strict=True):
        result = runner.invoke(app, ["generate", "province", "--prosecutors", "300", "--cases",
                                     "40", "--seed", str(seed), "--out", str(path)])
        assert result.exit_code == 0, result.output
    assert paths[0].read_text() == paths[1].read_text() != paths[2].read_text()
    s = parse_scenario(json.loads(paths[0].read_text()))
    assert len(s.prosecutors) == 300 and len(s.cases) == 40
    assert {u.tier.value for u in s.units} == {"provincial", "municipal", "grassroots"}


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_greedy_rosters_pass_the_checker(seed: int) -> None:
    """The greedy baseline keeps every hard rule on random small provinces, except that it
    may fail to staff a mandatory case (it is not complete; solve() then relies on CP-SAT)."""
    s = parse_scenario(province(250, 40, seed))
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    assert staffed, "a province with nothing staffed tests nothing"
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=evaluate(ctx, chosen, staffed),
                    cases=case_rosters(ctx, chosen, staffed, {}))
    assert _broken(s, roster) <= {"8 mandatory"}


@pytest.mark.parametrize("workers", [1, 2])
def test_neighbourhood_search_improves_and_stays_valid(workers: int) -> None:
    """Reopening neighbourhoods, one at a time or side by side, never breaks a rule and ends
    no worse than the greedy roster."""
    from time import perf_counter

    s = parse_scenario(province(300, 50, 11))
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    start = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    best = improve(ctx, start, deadline=perf_counter() + 8, workers=workers, seed=0)
    assert not is_better(start.objective, best.objective)
    assert is_better(best.objective, start.objective), "8 s of search should improve a greedy roster"
    roster = Roster(scenario=s.name, status=Status.FEASIBLE, objective=best.objective,
                    cases=case_rosters(ctx, best.chosen, best.staffed, {}))
    # Every step is solved with all hard rules; only a mandatory case the greedy start
    # missed (and no neighbourhood has reached yet) may remain unstaffed.
    assert _broken(s, roster) <= {"8 mandatory"}


def test_neighbourhoods_around_cases_grow_from_one_of_them() -> None:
    """A neighbourhood given seeds holds one of them (its seed) and its nearest cases;
    without seeds, its seed is any case."""
    s = parse_scenario(province(300, 50, 11))
    ctx = make_context(s)
    around = s.cases[:2]
    rng = random.Random(0)
    for _ in range(20):
        free = city(ctx, Teams(), rng, 5, around, {})
        assert len(free) == 5 and free & {c.id for c in around}
    assert any(not city(ctx, Teams(), rng, 5, s.cases, {}) & {c.id for c in around}
               for _ in range(20))


def test_conflicts_are_overlapping_cases_of_the_same_people_or_home_units() -> None:
    """A part's new team (p1 on x, 1-10 Jan) may clash with an overlapping case of p1 (y) or
    of p1's office mate p2 (w); not with p2's case in February (z) nor with p3 of another
    office (v), nor with x itself."""
    units = [tiny.unit("prov", "provincial"), tiny.unit("a1", parent="prov"),
             tiny.unit("b1", parent="prov")]
    people = [tiny.person("p1", "a1"), tiny.person("p2", "a1"), tiny.person("p3", "b1")]
    cases = [tiny.case("x", "a1"), tiny.case("y", "a1", start="2022-01-05", end="2022-01-15"),
             tiny.case("w", "a1", start="2022-01-08", end="2022-01-12"),
             tiny.case("z", "a1", start="2022-02-01", end="2022-02-10"),
             tiny.case("v", "b1", start="2022-01-02", end="2022-01-06")]
    s = tiny.scenario(units, people, cases)
    ctx = make_context(s)

    def option(pid: str, cid: str) -> Option:
        return next(o for o in ctx.candidates.options if o.person == pid and o.case == cid)

    chosen = [option("p3", "x"), option("p1", "y"), option("p2", "w"), option("p2", "z"),
              option("p3", "v")]
    assert conflicts(ctx, chosen, [option("p1", "x")]) == {"y", "w"}


def test_priority_phase_keeps_a_hinted_roster_of_the_highest_priority() -> None:
    """On a province where greedy already staffs the highest priority, the priority phase
    returns greedy's roster place for place, not another of the same priority (without
    the tie-break on kept places it moved 25 of 117)."""
    s = parse_scenario(province(500, 80, 1))
    ctx = make_context(s)
    chosen, staffed = greedy(ctx)
    found, _ = most_priority(build_model(s, context=ctx), chosen, staffed, seconds=20,
                             workers=1, seed=0)
    assert found.priority_proven and found.priority == s.priority_of(staffed)
    assert set(found.chosen) == set(chosen) and found.staffed == staffed


def test_regions_split_cases_by_leading_city(monkeypatch: pytest.MonkeyPatch) -> None:
    """Regions hold every case a city leads exactly once, one city per region, in pieces of
    at most REGION_CASES cases consecutive in time; provincially led cases are in none."""
    monkeypatch.setattr(tuning, "REGION_CASES", 5)
    s = parse_scenario(province(300, 120, 5))
    ctx = make_context(s)
    root = {c.id: ctx.geography.municipal_root(c.lead) for c in s.cases}
    provincial = {c.id for c in s.cases if s.unit_by_id[root[c.id]].tier.value == "provincial"}
    parts = regions_module.regions(ctx)
    held = [c for part in parts for c in part]
    assert sorted(held) == sorted(c.id for c in s.cases if c.id not in provincial)
    assert provincial, "the generator should give the provincial unit some cases to lead"
    for part in parts:
        assert 1 <= len(part) <= 5
        assert len({root[c] for c in part}) == 1
    cases = s.case_by_id
    for a, b in pairwise(parts):
        if root[next(iter(a))] == root[next(iter(b))]:
            assert max(cases[c].start for c in a) <= min(cases[c].start for c in b)


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.integers(0, 10_000))
def test_narrowed_candidates_equal_fresh_ones(seed: int) -> None:
    """Narrowing a scenario's options to some cases (some fixed to given people and slots)
    gives exactly the options computed afresh for a scenario of just those cases."""
    from scheduler.instance.eligibility import Candidates

    s = parse_scenario(province(250, 30, seed))
    ctx = make_context(s)
    cases = s.cases[::2]
    fixed = cases[0]
    team = {(o.person, o.slot) for o in ctx.candidates.by_case[fixed.id][:3]}
    only = {fixed.id: team}
    sub = s.replace(cases=cases)
    fresh = Candidates(sub, ctx.geography, ctx.travel)
    narrowed = ctx.candidates.narrowed((c.id for c in cases), only)
    assert narrowed.options == [o for o in fresh.options
                                if o.case != fixed.id or (o.person, o.slot) in team]
    assert {o.case for o in narrowed.options} <= {c.id for c in cases}
    assert {(o.person, o.slot) for o in narrowed.by_case[fixed.id]} == team
    for case in cases[1:]:
        assert narrowed.people_by_home(case.id) == fresh.people_by_home(case.id)
    for person in s.prosecutors:
        people_on_fixed = {p for p, _ in team}
        expected = [c for c in fresh.cases_of(person.id)
                    if c != fixed.id or person.id in people_on_fixed]
        assert narrowed.cases_of(person.id) == expected


def test_building_a_model_leaves_the_cycle_collector_as_it_was() -> None:
    """Model building pauses Python's cycle collector and restores it afterwards, whether it
    was on (the usual case) or switched off by the caller."""
    import gc

    from scheduler.model.core import build_model

    s = parse_scenario(province(150, 10, 2))
    was = gc.isenabled()
    try:
        for state in (True, False):
            (gc.enable if state else gc.disable)()
            build_model(s)
            assert gc.isenabled() is state
    finally:
        (gc.enable if was else gc.disable)()


def test_a_solve_leaves_nothing_frozen_from_the_collector() -> None:
    """A solve freezes its context out of the cycle collector's passes while it runs, and
    unfreezes it at the end, on success and on refusal alike: frozen objects in cycles
    would never be freed in a long-running service."""
    import gc

    from scheduler import solve

    s = parse_scenario(province(150, 10, 2))
    assert gc.get_freeze_count() == 0
    roster = solve(s, seconds=2, workers=1, seed=0)
    assert roster.objective is not None
    assert gc.get_freeze_count() == 0
    with pytest.raises(ValueError):
        solve(s, seconds=2, alternatives=0)
    assert gc.get_freeze_count() == 0
