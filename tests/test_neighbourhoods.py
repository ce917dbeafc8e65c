"""The neighbourhood kinds of the search, and how it learns which pay."""

import random
import threading
from collections.abc import Sequence

import pytest

from models import Case, Scenario
from scheduler import clock
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, make_context
from scheduler.report import evaluate
from scheduler.search import lns
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import improve
from scheduler.search.neighbourhoods import (
    KINDS,
    Chooser,
    Kind,
    Teams,
    blocked,
    costly,
    people,
)
from scheduler.tuning import GROWN_CASES, LNS_WIDTHS, MIN_CASES, MIN_WEIGHT
from tests.tiny import case, person, scenario, unit

ONE = {"leader": None, "members": {"prosecutor": 1}}


def _five_cases() -> Scenario:
    """Units a and b; p1 and p2 at a, p3 at b, p4 at b. Cases x, y, u in January (u only
    for people of a), z in June, w in January at b."""
    units = [unit("a"), unit("b")]
    staff = [person("p1", "a"), person("p2", "a"), person("p3", "b"), person("p4", "b")]
    late = {"start": "2022-06-01", "end": "2022-06-10"}
    cases = [case("x", "a", team=ONE), case("y", "a", team=ONE),
             case("z", "a", team=ONE, **late), case("w", "b", team=ONE),
             case("u", "a", team=ONE, scope="unit", priority=3)]
    return scenario(units, staff, cases)


def _teams(ctx: Context, teams: dict[str, str]) -> Teams:
    """The teams case -> person, as options of the context."""
    chosen: list[Option] = [next(o for o in ctx.candidates.by_case[c] if o.person == p)
                            for c, p in teams.items()]
    return Teams.of(ctx, chosen)


def test_people_neighbourhood_takes_teams_tied_by_office_at_the_same_time() -> None:
    """Seeded at x (p1 of a), two cases: x and y, whose p2 is of the same office and runs
    at the same time; not z (June) nor w (another office)."""
    ctx = make_context(_five_cases())
    teams = _teams(ctx, {"x": "p1", "y": "p2", "z": "p2", "w": "p3"})
    seeds = [ctx.scenario.case_by_id["x"]]
    assert people(ctx, teams, random.Random(0), 2, seeds, {}) == {"x", "y"}


def test_blocked_neighbourhood_takes_the_teams_holding_its_people() -> None:
    """Seeded at unstaffed u (only people of a may serve), two cases: u and x, whose p1
    u could use; not w, held by p3 of b."""
    ctx = make_context(_five_cases())
    teams = _teams(ctx, {"x": "p1", "w": "p3"})
    seeds = [ctx.scenario.case_by_id["u"]]
    assert blocked(ctx, teams, random.Random(0), 2, seeds, {}) == {"u", "x"}


def test_costly_neighbourhood_starts_from_the_team_most_above_its_bound() -> None:
    """With w costing 500 above its bound and x nothing, a one-case costly neighbourhood
    is always w: x has nothing to win."""
    ctx = make_context(_five_cases())
    teams = _teams(ctx, {"x": "p1", "w": "p3"})
    excess = {"x": 0.0, "w": 500.0}
    for seed in range(20):
        assert costly(ctx, teams, random.Random(seed), 1, ctx.scenario.cases, excess) == {"w"}


def test_chooser_rewards_kinds_that_improve_and_resizes_by_proof() -> None:
    """A kind that improved gains weight over one that did not; proven steps grow the
    neighbourhood, unproven fruitless ones shrink it, within its limits."""
    chooser = Chooser(random.Random(0), 10)
    chooser.learn("people", improved=True, proven=True)
    chooser.learn("city", improved=False, proven=False)
    assert chooser.weights["people"] > chooser.weights["city"]
    assert chooser.size == 10  # grew once, shrank once
    for _ in range(100):
        chooser.learn("city", improved=False, proven=False)
    assert chooser.size == MIN_CASES and chooser.weights["city"] > 0
    for _ in range(100):
        chooser.learn("people", improved=False, proven=True)
    assert chooser.size == GROWN_CASES


def test_chooser_leaves_out_blocked_when_every_case_is_staffed() -> None:
    """With nothing unstaffed there is nothing to unblock."""
    chooser = Chooser(random.Random(0), 10)
    assert all(chooser.kind(has_unstaffed=False) != "blocked" for _ in range(200))


def test_chooser_draws_the_width_that_has_paid_lately() -> None:
    """After the narrower width improved the roster and the wider did not, twenty times
    over, the narrower is drawn far more often; the wider keeps the least weight, so
    it is still tried now and then."""
    chooser = Chooser(random.Random(0), 10)
    narrow, wide = min(LNS_WIDTHS), max(LNS_WIDTHS)
    for _ in range(20):
        chooser.learn_width(narrow, improved=True)
        chooser.learn_width(wide, improved=False)
    drawn = [chooser.width() for _ in range(1000)]
    assert drawn.count(narrow) > 8 * drawn.count(wide) > 0
    assert chooser.widths[wide] == MIN_WEIGHT


def test_impossible_cases_seed_no_neighbourhood(monkeypatch: pytest.MonkeyPatch) -> None:
    """x is staffed by p1, k needs a Korean speaker nobody is: with k proven impossible,
    no kind is handed k as a seed and `blocked` is never drawn, as nothing that could
    be staffed is waiting; without that proof k seeds `blocked` neighbourhoods."""
    korean = {"leader": None, "members": {"prosecutor": 1}, "languages": [
        {"language": "Korean", "count": 1}]}
    ctx = make_context(scenario([unit("a")], [person("p1", "a"), person("p2", "a")],
                                [case("x", "a", team=ONE), case("k", "a", team=korean)]))
    chosen = [o for o in ctx.candidates.by_case["x"] if o.person == "p1"]
    start = Incumbent(chosen, {"x"}, evaluate(ctx, chosen, {"x"}))

    def drawn(impossible: frozenset[str]) -> list[tuple[str, list[str]]]:
        stop, calls = threading.Event(), []

        def recorder(kind: str) -> Kind:
            def record(ctx: Context, teams: Teams, rng: random.Random, size: int,
                       seeds: Sequence[Case], costs: dict[str, float]) -> set[str]:
                calls.append((kind, [c.id for c in seeds]))
                if len(calls) == 100:
                    stop.set()
                return {seeds[0].id}
            return record

        monkeypatch.setattr(lns, "KINDS", {k: recorder(k) for k in KINDS})
        monkeypatch.setattr(lns, "reopen", lambda *args, **kwargs: None)
        improve(ctx, start, deadline=clock.now() + 60, workers=1, seed=0, sweep=False,
                stop=stop, impossible=impossible)
        return calls

    proven = drawn(frozenset({"k"}))
    assert len(proven) == 100
    assert all(seeds == ["x"] and kind != "blocked" for kind, seeds in proven)
    assert any(kind == "blocked" for kind, _ in drawn(frozenset()))
