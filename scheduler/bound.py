"""A bound by parts: each city's cases solved alone, without any other case.

A valid roster, cut down to one part's cases, is a valid roster of that part alone: leaving
the other cases out only frees people and leaves more staff at home. So no valid roster
staffs more of a part's priority than the part alone can, and the parts' highest
priorities add up to a bound on the whole. Every cost term but `peak_load` is a sum over
cases, so a roster costs at least the sum of its parts' least costs at the priority it
staffs in each; `peak_load`, a maximum over the whole roster, is left out, which keeps it
a lower bound. Each part's least cost is proven at one priority only (the most it can
staff, as far as found), so a roster that staffs less in total may save a part's whole
cost by falling short there: `cost_bound` lets the cheapest such choice of parts do so.

Cases of different cities rarely compete for the same people, so on a province the parts
alone come close to the whole: on 4,000 x 700 the parts' bound on staffed priority was
1,195 where counting impossible cases gave 1,210.
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from time import perf_counter

from models import Scenario
from models.ids import CaseId
from scheduler.lns import Incumbent
from scheduler.model import Context, RosterModel, build_model
from scheduler.regions import parts
from scheduler.search import Found, lexicographic


@dataclass(frozen=True)
class PartBound:
    """What one part's cases, solved alone, allow any valid roster of the whole."""

    cases: frozenset[CaseId]
    total: int  # the priority of all the part's cases
    highest: int  # no valid roster staffs more of the part's priority
    level: int  # a roster staffing at least this much of the part costs at least least_cost
    least_cost: float  # in the part, peak_load left out; 0 where nothing was proven
    roster: Found  # the part's teams as found alone: hints for the search


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


def _part_bound(s: Scenario, part: set[CaseId], found: Found) -> PartBound:
    total = _priority(s, part)
    highest = total if found.priority_bound is None else min(total, found.priority_bound)
    level = 0 if found.priority is None else found.priority
    least_cost = 0.0 if found.bound is None else max(0.0, found.bound)
    return PartBound(frozenset(part), total, highest, level, least_cost, found)


def solve_parts(ctx: Context, start: Callable[[], Incumbent], *, deadline: float, workers: int,
                seed: int, stop: threading.Event | None = None) -> Iterator[PartBound]:
    """Each part solved alone (highest priority, then least cost at it), smallest first, in
    an equal share of the time left to `deadline` (a perf_counter time); yields every part,
    those left without time with nothing proven. `start()` gives the roster whose teams
    hint each part; it is asked again for each, so the caller may improve it meanwhile."""
    s = ctx.scenario
    # Smallest first: the time small parts leave over goes to the larger ones after them.
    size = {c: len(options) for c, options in ctx.candidates.by_case.items()}
    todo = sorted(parts(ctx), key=lambda part: sum(size.get(c, 0) for c in part))
    for i, part in enumerate(todo):
        share = (deadline - perf_counter()) / (len(todo) - i)
        found = Found()
        if share > 0 and not (stop is not None and stop.is_set()):
            hints = start()
            found = lexicographic(_alone(ctx, part), [o for o in hints.chosen if o.case in part],
                                  hints.staffed & part, seconds=share, workers=workers,
                                  seed=seed, stop=stop)
        yield _part_bound(s, part, found)


def highest_priority(bounds: Sequence[PartBound]) -> int:
    """No valid roster staffs more priority than the parts' highest together."""
    return sum(b.highest for b in bounds)


def cost_bound(bounds: Sequence[PartBound], priority: int) -> float | None:
    """The least cost (peak_load left out) of any valid roster staffing at least `priority`,
    or None where nothing is proven.

    Each part costs at least its least cost unless it staffs less than its level; falling
    short costs the part priority, and the whole may fall short of the parts' highest by
    only so much. Which parts to let fall short, to cost least, is a knapsack."""
    spare = highest_priority(bounds) - priority
    if spare < 0:
        return None  # no valid roster staffs that much
    # most[d]: the most least cost the parts let fall short can shed, missing at most d.
    most = [0.0] * (spare + 1)
    for b in bounds:
        if b.least_cost <= 0:
            continue
        missed = b.highest - b.level + 1
        for d in range(spare, missed - 1, -1):
            most[d] = max(most[d], most[d - missed] + b.least_cost)
    cost = sum(b.least_cost for b in bounds) - most[spare]
    return cost if cost > 0 else None
