"""A bound by parts: each city's cases solved alone, without any other case.

A valid roster, cut down to one part's cases, is a valid roster of that part alone: leaving
the other cases out only frees people and leaves more staff at home. So no valid roster
staffs more of a part's priority than the part alone can, and the parts' highest
priorities add up to a bound on the whole. Every cost term but `peak_load` is a sum over
cases, so a roster that reaches every part's highest priority costs at least the sum of
the parts' least costs at those priorities; `peak_load`, a maximum over the whole roster,
is left out of that sum, which keeps it a lower bound.

Cases of different cities rarely compete for the same people, so on a province the parts
alone come close to the whole: on 4,000 x 700 the parts' bound on staffed priority was
1,195 where counting impossible cases gave 1,210.
"""

import threading
from collections.abc import Callable, Mapping
from time import perf_counter

from models import Scenario
from models.ids import CaseId
from scheduler.lns import Incumbent
from scheduler.model import Context, RosterModel, build_model, staffed_priority
from scheduler.regions import parts
from scheduler.search import Found, lexicographic


def _alone(ctx: Context, part: set[CaseId]) -> RosterModel:
    """The model of the cases of `part` alone, with no peak_load term."""
    s = ctx.scenario
    no_peak = s.policy.weights.model_copy(update={"peak_load": 0})
    sub = s.replace(cases=[c for c in s.cases if c.id in part],
                    previous=[a for a in s.previous if a.case in part],
                    policy=s.policy.model_copy(update={"weights": no_peak}))
    return build_model(sub, context=Context(sub, ctx.geography, ctx.travel,
                                            ctx.candidates.narrowed(part, {})))


def _priority(s: Scenario, cases: set[CaseId]) -> int:
    return sum(s.case_by_id[c].priority for c in cases)


def _each(todo: list[set[CaseId]], deadline: float, stop: threading.Event | None,
          solve_part: Callable[[set[CaseId], float], Found]) -> list[Found]:
    """Solve every part by its own deadline: an equal share of the time left."""
    out = []
    for i, part in enumerate(todo):
        share = (deadline - perf_counter()) / (len(todo) - i)
        stopped = share <= 0 or (stop is not None and stop.is_set())
        out.append(Found() if stopped else solve_part(part, perf_counter() + share))
    return out


def _hinted(m: RosterModel, start: Incumbent, part: set[CaseId], until: float, workers: int,
            seed: int, stop: threading.Event | None, priority_only: bool) -> Found:
    return lexicographic(m, [o for o in start.chosen if o.case in part], start.staffed & part,
                         seconds=until - perf_counter(), workers=workers, seed=seed, stop=stop,
                         priority_only=priority_only)


def highest_by_part(ctx: Context, start: Incumbent, *, deadline: float, workers: int,
                    seed: int, stop: threading.Event | None = None,
                    on_bound: Callable[[int], None] | None = None) -> dict[frozenset[CaseId], int]:
    """The most priority each part can staff alone, as far as proven by `deadline` (a
    perf_counter time): all of its priority where nothing was. `start` gives the hints.
    `on_bound`, if given, hears the bound on the whole after each part (the parts not yet
    solved count all their priority, so each of these is a bound already)."""
    s = ctx.scenario
    # Smallest first: the time small parts leave over goes to the larger ones after them.
    size = {c: len(options) for c, options in ctx.candidates.by_case.items()}
    todo = sorted(parts(ctx), key=lambda part: sum(size.get(c, 0) for c in part))
    highest = {frozenset(part): _priority(s, part) for part in todo}

    def solve_part(part: set[CaseId], until: float) -> Found:
        found = _hinted(_alone(ctx, part), start, part, until, workers, seed, stop, True)
        if found.priority_bound is not None:
            highest[frozenset(part)] = min(highest[frozenset(part)], found.priority_bound)
        if on_bound is not None:
            on_bound(sum(highest.values()))
        return found

    _each(todo, deadline, stop, solve_part)
    return highest


def least_cost_by_part(ctx: Context, start: Incumbent, highest: Mapping[frozenset[CaseId], int],
                       *, deadline: float, workers: int, seed: int,
                       stop: threading.Event | None = None) -> float | None:
    """A lower bound on the cost (peak_load left out) of every valid roster that staffs
    each part's `highest` priority, or None if not every part was solved by `deadline`.
    `start` must staff exactly that much in each part: its teams are the hints."""
    todo = [set(part) for part in highest]

    def least_cost(part: set[CaseId], until: float) -> Found:
        m = _alone(ctx, part)
        # Proven the most this part can staff, and what `start` staffs: the priority phase
        # has nothing left to search.
        m.model.add(staffed_priority(m) == highest[frozenset(part)])
        return _hinted(m, start, part, until, workers, seed, stop, False)

    costs = [f.bound for f in _each(todo, deadline, stop, least_cost)]
    known = [c for c in costs if c is not None]
    return sum(known) if len(known) == len(costs) else None
