"""The search's last stretch split between the roster and its bound
(scheduler.search.split): each slice to whichever closed the gap faster."""

import math
from collections.abc import Iterator
from time import perf_counter
from typing import Any

import pytest

from scheduler import clock, tuning
from scheduler.bounds.alone import counted_bounds, with_counted
from scheduler.bounds.coupled import Rivals
from scheduler.bounds.parts import (
    ANSWERED,
    Asked,
    PartBound,
    cost_bound,
    deferred,
    highest_priority,
    solve_parts,
)
from scheduler.model.core import Context, make_context
from scheduler.report import evaluate
from scheduler.search import split
from scheduler.search.incumbent import Incumbent
from scheduler.search.split import Split, _rate, search_and_bound
from tests.test_bound import _least_cost_whole, _start, _three_want_one
from tests.test_coupled import _one_near_person_two_cities, _parts_and_roster


def _split(ctx: Context, bounds: list[PartBound], roster: Incumbent, *, pairs_rate: float,
           tried: set[Rivals] | None = None) -> Split:
    return search_and_bound(ctx, roster, bounds, deadline=perf_counter() + 2.0, workers=1,
                            seed=0, pairs_rate=pairs_rate, tried=set() if tried is None else tried,
                            singles_tried=set(), falls_tried={},
                            impossible=set(), least={}, around=set(),
                            on_improve=lambda _: None, on_bounds=lambda _: None)


def _split_on_work(ctx: Context, bounds: list[PartBound], roster: Incumbent) -> Split:
    """The split of 2 s of work (four slices), pairs said to have won nothing before."""
    with clock.counting(clock.WorkClock(perf_counter() + 60.0)):
        return search_and_bound(ctx, roster, bounds, deadline=2.0, workers=1, seed=0,
                                pairs_rate=0.0, tried={_ELSEWHERE}, singles_tried=set(),
                                falls_tried={}, impossible=set(), least={}, around=set(),
                                on_improve=lambda _: None, on_bounds=lambda _: None)


# A pair of parts of no scenario here: passed as tried, it says pairs were measured.
_ELSEWHERE = Rivals(frozenset({"q"}), frozenset({"r"}))


@pytest.fixture(autouse=True)
def _short_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of half a second, so that a 2 s split has several, and a pair tried in one."""
    monkeypatch.setattr(tuning, "SPLIT_SLICE_SECONDS", 0.5)
    monkeypatch.setattr(tuning, "STEP_SECONDS", 0.4)
    monkeypatch.setattr(tuning, "MERGE_TRY_SECONDS", 0.1)


def test_split_gives_a_slice_to_the_pairs_once_the_search_wins_less() -> None:
    """The roster is the best there is (each city's case with its own p1 or p2), so the
    search wins nothing in its first slice; the pairs, said to win faster, then join the
    two cities' parts, and the bound on cost rises from 130 to what the roster costs."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    assert cost_bound(bounds, 3) == pytest.approx(130)
    tried: set[Rivals] = set()
    out = _split(ctx, bounds, roster, pairs_rate=1.0, tried=tried)
    assert [b.cases for b in out.bounds] == [frozenset({"x", "y"})]
    assert cost_bound(out.bounds, 3) == pytest.approx(out.roster.objective.cost)
    assert tried  # the pair is not tried again in a later split


def _logged(monkeypatch: pytest.MonkeyPatch, *, pairs_left: bool = True) -> list[str]:
    """The search and the pairs replaced by stubs that win nothing and log their slices,
    each taking its whole slice on the work clock (`_split_on_work`); the pairs' stub
    tries a new pair each slice if `pairs_left`, else has none to try and ends at once."""
    log: list[str] = []

    def improve(ctx: Context, best: Incumbent, *, deadline: float, **kwargs: Any) -> Incumbent:
        log.append("search")
        clock.current().charge(deadline - clock.now())
        return best

    def merge_rivals(*args: Any, until: float, tried: set[Rivals],
                     **kwargs: Any) -> Iterator[list[PartBound]]:
        log.append("pairs")
        if pairs_left:
            tried.add(Rivals(frozenset({f"a{len(log)}"}), frozenset({"b"})))
            clock.current().charge(until - clock.now())
        return iter([])

    monkeypatch.setattr(split, "improve", improve)
    monkeypatch.setattr(split, "merge_rivals", merge_rivals)
    return log


def test_split_shares_ties_where_the_roster_staffs_what_the_parts_allow(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster staffs all the parts allow, and neither the search nor the pairs (rate
    0, measured on a pair tried) win anything: only cost is left, and the slices go to
    whichever has had less time, the search first."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    assert roster.objective.staffed_priority >= highest_priority(bounds)
    log = _logged(monkeypatch)
    _split_on_work(ctx, bounds, roster)
    assert log == ["search", "pairs", "search", "pairs"]


def test_split_gives_no_more_slices_to_pairs_with_none_left_to_try(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A slice of the pairs that had none left to try ended at once: they get no other,
    however little time they have had, and the search has the rest."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    log = _logged(monkeypatch, pairs_left=False)
    _split_on_work(ctx, bounds, roster)
    assert log == ["search", "pairs", "search", "search", "search"]


def test_split_leaves_the_pairs_alone_while_they_win_less_and_the_roster_staffs_less(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The roster staffs far less than the parts allow: priority comes first, so while
    neither wins anything the search keeps every slice, and no pair is tried."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    short = roster.objective.model_copy(update={"staffed_priority": highest_priority(bounds) // 2})
    log = _logged(monkeypatch)
    _split_on_work(ctx, bounds, Incumbent(roster.chosen, roster.staffed, short))
    assert log == ["search"] * 4


def test_split_gives_the_pairs_a_slice_if_none_was_tried_before() -> None:
    """A rate of 0 from pairs of which none was tried measured nothing: the pairs get a
    slice once the search wins nothing, and the two cities' parts join."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    out = _split(ctx, bounds, roster, pairs_rate=0.0)
    assert [b.cases for b in out.bounds] == [frozenset({"x", "y"})]


def test_split_tries_no_pair_tried_before() -> None:
    """A pair already tried (in the pairs' own share) is not tried again: the bound stays
    the parts' apart, however fast the pairs were said to be."""
    ctx, bounds, roster = _parts_and_roster(_one_near_person_two_cities())
    tried: set[Rivals] = set()
    first = _split(ctx, bounds, roster, pairs_rate=1.0, tried=tried)
    assert len(first.bounds) == 1
    again = _split(ctx, bounds, roster, pairs_rate=1.0, tried=tried)
    assert [b.cases for b in again.bounds] == [b.cases for b in bounds]


def test_a_slice_that_closes_the_priority_gap_outranks_any_cost() -> None:
    """Priority comes first: a slice that staffed more (or proved less staffable) closed
    the gap faster than any cost won; otherwise the rate is cost won a second, never
    below 0."""
    now = perf_counter()
    assert _rate(10, 11, 0.0, now) == math.inf
    assert _rate(10, 10, -5.0, now) == 0.0
    assert 0 < _rate(10, 10, 5.0, now - 1.0) <= 5.0


def _stubbed(monkeypatch: pytest.MonkeyPatch, *, staffs_more: bool
             ) -> tuple[list[str], Context, list[PartBound], Incumbent]:
    """The split of one city's case y, left counted for later, with the search and the
    single cases replaced by stubs that log their slices; the search staffs one more
    priority each slice if `staffs_more`, else wins nothing."""
    ctx, _, roster = _parts_and_roster(_one_near_person_two_cities())
    counted = counted_bounds(ctx)
    bounds = [counted[c] for c in sorted(counted)]
    assert all(deferred(b) for b in bounds)
    log: list[str] = []

    def improve(ctx: Context, best: Incumbent, **kwargs: Any) -> Incumbent:
        log.append("search")
        if not staffs_more:
            return best
        more = best.objective.model_copy(
            update={"staffed_priority": best.objective.staffed_priority + 1})
        return Incumbent(best.chosen, best.staffed, more)

    def solve_singles(ctx: Context, bounds: list[PartBound], start: Incumbent, *,
                      tried: set[frozenset[str]], **kwargs: Any) -> list[PartBound]:
        log.append("singles")
        tried.update(b.cases for b in bounds)
        return bounds

    monkeypatch.setattr(split, "improve", improve)
    monkeypatch.setattr(split, "solve_singles", solve_singles)
    return log, ctx, bounds, roster


def test_split_gives_single_cases_a_slice_once_the_search_wins_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The search goes first and wins nothing; the single cases left for later, not yet
    measured, get the next slice, and once all are tried the search has the rest."""
    log, ctx, bounds, roster = _stubbed(monkeypatch, staffs_more=False)
    _split(ctx, bounds, roster, pairs_rate=0.0, tried={_ELSEWHERE})
    assert log[:2] == ["search", "singles"]
    assert log.count("singles") == 1 and set(log[2:]) == {"search"}


def test_split_keeps_the_search_going_while_it_staffs_more(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Priority comes before any cost: while each slice of the search staffs more, it
    keeps the time, and the single cases, not yet measured, get no slice."""
    log, ctx, bounds, roster = _stubbed(monkeypatch, staffs_more=True)
    _split(ctx, bounds, roster, pairs_rate=0.0, tried={_ELSEWHERE})
    assert len(log) > 1 and set(log) == {"search"}


def test_split_bounds_a_part_where_the_roster_lets_it_fall(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The part of x, y and z is proven at its highest, 3, and counted below it; a roster
    staffing 2 lets it fall one. The search (stubbed) wins nothing, and the falls, not yet
    measured, get a slice: the bound at 2 rises from counting's to CP-SAT's least cost of
    the whole at 2, and the fall is noted as answered."""
    s = _three_want_one()
    ctx = make_context(s)
    counted = counted_bounds(ctx)
    [part] = solve_parts(ctx, _start(s), deadline=perf_counter() + 10, workers=1, seed=0,
                         counted=counted)
    bounds = with_counted([part], counted, short=1)
    two = [o for o in part.roster.chosen if o.case in {"x", "y"}]
    roster = Incumbent(two, {"x", "y"}, evaluate(ctx, two, {"x", "y"}))
    monkeypatch.setattr(split, "improve", lambda ctx, best, **kwargs: best)
    falls: Asked = {}
    out = search_and_bound(ctx, roster, bounds, deadline=perf_counter() + 2.0, workers=1,
                           seed=0, pairs_rate=0.0, tried={_ELSEWHERE}, singles_tried=set(),
                           falls_tried=falls, impossible=set(), least={}, around=set(),
                           on_improve=lambda _: None, on_bounds=lambda _: None)
    least = _least_cost_whole(s, 2)
    assert (cost_bound(bounds, 2) or 0.0) < least
    assert cost_bound(out.bounds, 2) == pytest.approx(least)
    assert falls == {(part.cases, 2): ANSWERED}
