"""A running solve reports its progress: the greedy roster first, then each better one."""

import json
from itertools import pairwise
from pathlib import Path

import pytest

from checker import check_roster
from models import Progress, parse_scenario
from scheduler import solve, tuning
from scheduler.report import is_better
from synth import province

HULUNBUIR = Path(__file__).resolve().parent.parent / "scenarios" / "hulunbuir.json"


def test_progress_on_whole_model() -> None:
    """Greedy first; then CP-SAT's rosters, the cost phase ending at the final cost."""
    seen: list[Progress] = []
    roster = solve(parse_scenario(json.loads(HULUNBUIR.read_text())), seconds=20, workers=1,
                   progress=seen.append)
    assert seen[0].phase == "greedy" and seen[0].cost is not None
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
    # Each report is better than the one before: more priority, or less cost at the same.
    for before, after in pairwise(seen):
        assert before.staffed_priority is not None and after.staffed_priority is not None
        assert (after.staffed_priority > before.staffed_priority
                or (after.cost or 0) < (before.cost or float("inf")))
    assert roster.objective is not None
    assert seen[-1].cost is not None and abs(seen[-1].cost - roster.objective.cost) <= 0.5
    # Priority bounds reported on the way are proven: none is below the final priority.
    proven = [p.priority_bound for p in seen if p.priority_bound is not None]
    assert proven and min(proven) >= roster.objective.staffed_priority


def test_progress_on_neighbourhood_search() -> None:
    """In neighbourhood search (forced here; automatic on large scenarios), each improving
    step is reported, the last one being the roster returned (on a province where the
    search improves on the polished greedy roster it starts from)."""
    seen: list[Progress] = []
    roster = solve(parse_scenario(province(300, 50, 1)), seconds=8, workers=1,
                   progress=seen.append, explain=False, method="neighbourhood")
    steps = [p for p in seen if p.phase == "neighbourhood"]
    assert steps, "8 s of neighbourhood search should improve its start at least once"
    assert roster.objective is not None
    assert (steps[-1].staffed_priority, steps[-1].cost) == (roster.objective.staffed_priority,
                                                             roster.objective.cost)


def test_progress_reports_the_bound_by_parts() -> None:
    """A neighbourhood search reports the bound by parts part by part, then the
    relaxation's: each report a tighter priority bound, none below the roster it returns,
    the last one its bound."""
    seen: list[Progress] = []
    roster = solve(parse_scenario(province(150, 16, 3)), seconds=8, workers=1,
                   progress=seen.append, explain=False, method="neighbourhood")
    bounds = [p.priority_bound for p in seen if p.phase == "bound" and p.priority_bound is not None]
    assert bounds, "the bound by parts should tighten the bound of every case's priority"
    assert len(bounds) == sum(p.phase == "bound" for p in seen)
    assert bounds == sorted(bounds, reverse=True) and len(set(bounds)) == len(bounds)
    assert roster.objective is not None
    assert min(bounds) >= roster.objective.staffed_priority
    assert roster.priority_bound == bounds[-1]


def test_a_cost_bound_without_time_for_any_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no time for the parts, no part is proven, yet the roster still carries a cost
    bound (the counted one) no higher than its cost, and stays valid and no worse than
    greedy."""
    monkeypatch.setattr(tuning, "PARTS_SHARE", 0.0)
    s = parse_scenario(province(400, 40, 1))
    seen: list[Progress] = []
    roster = solve(s, seconds=4, workers=1, progress=seen.append, explain=False,
                   method="neighbourhood")
    assert roster.objective is not None and roster.baseline is not None
    assert roster.bound is not None and 0 < roster.bound <= roster.objective.cost
    assert not is_better(roster.baseline, roster.objective)
    assert check_roster(s, roster).ok
