"""The search's last stretch, split between the roster and its bound.

Two things close the gap between the roster and the bound by parts: the neighbourhoods
lower what the roster costs (`scheduler.search.lns.improve`), and rival parts solved as
one raise what any roster must cost (`scheduler.bounds.coupled.merge_rivals`). A unit of
cost won either way closes the gap as much. So the time goes in slices, each to whichever
closed the gap faster in its own last slice; which one pays differs by province and
changes as the solve goes (the first pairs raise the bound most, the neighbourhoods find
less as the roster improves).
"""

import math
import threading
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass

from models.ids import CaseId
from scheduler import clock, tuning
from scheduler.bounds.coupled import Rivals, merge_rivals
from scheduler.bounds.parts import PartBound, cost_bound, highest_priority
from scheduler.model.core import Context
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import improve
from scheduler.search.regions import regions


@dataclass
class Split:
    """The roster and the parts' bounds after `search_and_bound`."""

    roster: Incumbent
    bounds: list[PartBound]


def search_and_bound(ctx: Context, best: Incumbent, bounds: list[PartBound], *,
                     deadline: float, workers: int, seed: int, pairs_rate: float,
                     tried: set[Rivals], impossible: Set[CaseId],
                     least: Mapping[CaseId, float], around: set[CaseId],
                     on_improve: Callable[[Incumbent], None],
                     on_bounds: Callable[[list[PartBound]], None],
                     stop: threading.Event | None = None) -> Split:
    """Neighbourhood search from `best` and rival pairs on `bounds` until `deadline`, in
    slices of `tuning.SPLIT_SLICE_SECONDS`, each to the one that closed the gap faster in
    its last slice (the pairs at `pairs_rate`, in cost a second, before they run here;
    the pairs of `tried` are not tried again). The search goes first; neither stops
    for good, as a slice that won nothing may have been unlucky."""
    search_rate = math.inf  # not measured yet
    # Each region once, where nothing clashed, across as many slices as that takes.
    sweep = iter([] if around else regions(ctx))
    while deadline - clock.now() > tuning.STEP_SECONDS / 4 and not (
            stop is not None and stop.is_set()):
        began = clock.now()
        until = min(deadline, began + tuning.SPLIT_SLICE_SECONDS)
        if deadline - until < tuning.STEP_SECONDS:
            until = deadline  # no slice too short to take a step
        if search_rate >= pairs_rate:
            before = best
            best = improve(ctx, best, deadline=until, workers=workers, seed=seed,
                           on_improve=on_improve, stop=stop, sweep=sweep, around=around,
                           least=least, impossible=impossible)
            search_rate = _rate(before.objective.staffed_priority,
                                best.objective.staffed_priority,
                                before.objective.cost - best.objective.cost, began)
            seed += 1
        else:
            was = highest_priority(bounds), cost_bound_at(ctx, bounds, best)
            for joined in merge_rivals(ctx, bounds, best, until=until, workers=workers,
                                       seed=seed, impossible=impossible, stop=stop,
                                       tried=tried):
                bounds = joined
                on_bounds(bounds)
            now = highest_priority(bounds), cost_bound_at(ctx, bounds, best)
            pairs_rate = _rate(now[0], was[0], now[1] - was[1], began)
    return Split(best, bounds)


def cost_bound_at(ctx: Context, bounds: list[PartBound], roster: Incumbent) -> float:
    """The parts' bound on cost at `roster`'s priority, 0 where they prove none."""
    return cost_bound(bounds, roster.objective.staffed_priority,
                      ctx.scenario.policy.weights.peak_load) or 0.0


def _rate(lower: int, higher: int, won: float, began: float) -> float:
    """How fast a slice begun at `began` closed the gap: without end where it closed the
    priority's (`higher` above `lower`), else the cost it `won` a second."""
    if higher > lower:
        return math.inf
    return max(0.0, won) / max(clock.now() - began, 1e-3)
