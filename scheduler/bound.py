"""A bound by parts: each city's cases solved alone, without any other case.

A valid roster, cut down to one part's cases, is a valid roster of that part alone: leaving
the other cases out only frees people and leaves more staff at home. So no valid roster
staffs more of a part's priority than the part alone can, and the parts' highest
priorities add up to a bound on the whole. Every cost term but `peak_load` is a sum over
cases, so a roster costs at least the sum of its parts' least costs at the priority it
staffs in each; `peak_load`, a maximum over the whole roster, is left out, which keeps it
a lower bound. Each part's least cost is proven at the most it can staff and a little
below (SHORT_LEVELS); a roster staffing less than the parts' highest in all may fall
short in any parts, and `cost_bound` takes the choice of where that costs least.

Cases of different cities rarely compete for the same people, so on a province the parts
alone come close to the whole: on 4,000 x 700 the parts' bound on staffed priority was
1,195 where counting impossible cases gave 1,210.
"""

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from time import perf_counter

from ortools.sat.python import cp_model as cp

from models.ids import CaseId
from scheduler.lns import Incumbent
from scheduler.model import COST_SCALE, Context, RosterModel, build_model, staffed_priority, weighted_cost
from scheduler.regions import parts
from scheduler.search import Found, hint, lexicographic, make_solver, solve_stoppably

# Each part's least cost is also proven at up to this many priority below the most found,
# so that a roster a little short of the parts' highest still gets a close bound: without
# these, falling one short in a part would shed that part's whole cost.
SHORT_LEVELS = 2
# The share of a part's time for its least cost a little short (the rest: lexicographic).
SHORT_SHARE = 0.3


@dataclass(frozen=True)
class PartBound:
    """What one part's cases, solved alone, allow any valid roster of the whole."""

    cases: frozenset[CaseId]
    total: int  # the priority of all the part's cases
    highest: int  # no valid roster staffs more of the part's priority
    # level -> no valid roster staffing at least that much of the part costs less there
    # (peak_load left out)
    least_costs: Mapping[int, float]
    roster: Found  # the part's teams as found alone: hints for the search
    seconds: float = 0.0  # how long solving the part alone took

    def least_cost(self, priority: int) -> float:
        """No valid roster staffing at least `priority` of the part costs less there."""
        return max((c for level, c in self.least_costs.items() if level <= priority), default=0.0)


def _alone(ctx: Context, part: set[CaseId]) -> RosterModel:
    """The model of the cases of `part` alone, with no peak_load term."""
    s = ctx.scenario
    no_peak = s.policy.weights.model_copy(update={"peak_load": 0})
    sub = s.replace(cases=[c for c in s.cases if c.id in part],
                    previous=[a for a in s.previous if a.case in part],
                    policy=s.policy.model_copy(update={"weights": no_peak}))
    return build_model(sub, context=Context(sub, ctx.geography, ctx.travel,
                                            ctx.candidates.narrowed(part, {})))


def _least_cost_short(m: RosterModel, found: Found, levels: list[int], until: float,
                      workers: int, seed: int, stop: threading.Event | None) -> dict[int, float]:
    """The least cost of the part's rosters staffing at least each of `levels` (ascending),
    each proven in an equal share of the time to `until`, from the teams `found`."""
    costs = {}
    m.model.minimize(weighted_cost(m))
    hint(m, found.chosen, found.staffed)  # it staffs more than every level
    for i, level in enumerate(levels):
        seconds = (until - perf_counter()) / (len(levels) - i)
        if seconds <= 0 or (stop is not None and stop.is_set()):
            break
        m.model.add(staffed_priority(m) >= level)  # each level only tightens the last
        solver = make_solver(seconds, workers, seed)
        if solve_stoppably(solver, m.model, None, stop) in (cp.OPTIMAL, cp.FEASIBLE):
            costs[level] = max(0.0, solver.best_objective_bound / COST_SCALE)
    return costs


def _solve_part(ctx: Context, part: set[CaseId], start: Incumbent, until: float, workers: int,
                seed: int, stop: threading.Event | None) -> PartBound:
    s = ctx.scenario
    total = s.priority_of(part)
    started = perf_counter()
    share = until - started
    found = lexicographic(_alone(ctx, part), [o for o in start.chosen if o.case in part],
                          start.staffed & part, seconds=share * (1 - SHORT_SHARE),
                          workers=workers, seed=seed, stop=stop)
    highest = total if found.priority_bound is None else min(total, found.priority_bound)
    least_costs: dict[int, float] = {}
    if found.priority is not None:
        if found.bound is not None:
            least_costs[found.priority] = max(0.0, found.bound)
        short = [found.priority - d for d in range(SHORT_LEVELS, 0, -1) if found.priority - d > 0]
        least_costs.update(_least_cost_short(_alone(ctx, part), found, short, until, workers,
                                             seed, stop))
    return PartBound(frozenset(part), total, highest, least_costs, found,
                     perf_counter() - started)


def solve_parts(ctx: Context, start: Callable[[], Incumbent], *, deadline: float, workers: int,
                seed: int, stop: threading.Event | None = None) -> Iterator[PartBound]:
    """Each part solved alone (highest priority, then least cost at it and a little short
    of it), smallest first, in an equal share of the time left to `deadline` (a
    perf_counter time); yields every part, those left without time with nothing proven.
    `start()` gives the roster whose teams hint each part; it is asked again for each, so
    the caller may improve it meanwhile."""
    s = ctx.scenario
    # Smallest first: the time small parts leave over goes to the larger ones after them.
    size = {c: len(options) for c, options in ctx.candidates.by_case.items()}
    todo = sorted(parts(ctx), key=lambda part: sum(size.get(c, 0) for c in part))
    for i, part in enumerate(todo):
        share = (deadline - perf_counter()) / (len(todo) - i)
        if share > 0 and not (stop is not None and stop.is_set()):
            yield _solve_part(ctx, part, start(), perf_counter() + share, workers, seed, stop)
        else:
            total = s.priority_of(part)
            yield PartBound(frozenset(part), total, total, {}, Found())


def highest_priority(bounds: Sequence[PartBound]) -> int:
    """No valid roster staffs more priority than the parts' highest together."""
    return sum(b.highest for b in bounds)


def cost_bound(bounds: Sequence[PartBound], priority: int) -> float | None:
    """The least cost (peak_load left out) of any valid roster staffing at least `priority`,
    or None where nothing is proven.

    Each part costs at least its least cost at the priority it staffs. The whole may fall
    short of the parts' highest by only so much; where each part falls short, to cost
    least, is a knapsack with one choice per part: how far below its highest it falls."""
    spare = highest_priority(bounds) - priority
    if spare < 0:
        return None  # no valid roster staffs that much
    # most[d]: the most cost the parts so far can shed by falling short d in all.
    most = [0.0] * (spare + 1)
    for b in bounds:
        full = b.least_cost(b.highest)
        # Falling below a level sheds cost: the choices are to fall just below one.
        choices = [(b.highest - level + 1, full - b.least_cost(level - 1))
                   for level in b.least_costs if 0 < b.highest - level + 1 <= spare]
        most = [max([most[d]] + [most[d - short] + shed for short, shed in choices
                                 if short <= d]) for d in range(spare + 1)]
    cost = sum(b.least_cost(b.highest) for b in bounds) - most[spare]
    return cost if cost > 0 else None
