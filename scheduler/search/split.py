"""The search's last stretch, split between the roster and its bound.

Four things close the gap between the roster and the bound by parts: the neighbourhoods
raise what the roster staffs and lower what it costs (`scheduler.search.lns.improve`);
the cases not yet solved alone, solved, raise what any roster must cost
(`scheduler.bounds.parts.solve_singles`); so do rival parts solved as one
(`scheduler.bounds.coupled.merge_rivals`); and so do the parts solved at the levels a
roster staffing less than they allow lets them fall to
(`scheduler.bounds.parts.with_lower_levels`). A unit of cost won any way closes the gap as
much, and priority comes before any cost. So the time goes in slices, each to whichever
closed the gap fastest in its own last slice; which one pays differs by province and
changes as the solve goes (the first pairs raise the bound most, the neighbourhoods find
less as the roster improves). Where the roster staffs far less than the parts allow, the
cost the single cases prove barely counts (the bound lets it shed the costliest), and the
neighbourhoods keep the time while they staff more.
"""

import math
import threading
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass

from models.ids import CaseId
from scheduler import clock, tuning
from scheduler.bounds.coupled import Rivals, merge_rivals
from scheduler.bounds.parts import (
    Asked,
    PartBound,
    cost_bound,
    deferred,
    falls_want,
    highest_priority,
    pending_falls,
    solve_singles,
    with_lower_levels,
)
from scheduler.model.core import Context
from scheduler.search.compose import adopted
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
                     tried: set[Rivals], singles_tried: set[frozenset[CaseId]],
                     falls_tried: Asked, impossible: Set[CaseId],
                     least: Mapping[CaseId, float], around: set[CaseId],
                     on_improve: Callable[[Incumbent], None],
                     on_bounds: Callable[[list[PartBound]], None],
                     stop: threading.Event | None = None) -> Split:
    """Neighbourhood search from `best`, the `deferred` cases, the parts' falls and rival
    pairs on `bounds` until `deadline`, in slices of `tuning.SPLIT_SLICE_SECONDS`, each to
    the one that closed the gap fastest in its last slice (the pairs at `pairs_rate`, in
    cost a second, before they run here; the pairs of `tried` and the cases of
    `singles_tried` are not tried again, nor the falls `falls_tried` answered (one cut
    short there is, in a slice long enough for twice its time), and those tried here join
    them). The search goes first, then the single cases and the falls (not yet
    measured); none but the single cases and the falls, once all are tried, stops for
    good, as a slice that won nothing may have been unlucky.
    Where none won anything and the roster staffs about what the parts allow, the slice
    goes to whichever has had least time here (`tuning.SPLIT_FAIR_SHORT_SHARE`)."""
    search_rate = singles_rate = falls_rate = math.inf  # not measured yet
    spent = {"search": 0.0, "singles": 0.0, "falls": 0.0, "pairs": 0.0}  # seconds had here
    if not tried:
        # No pair was tried before: their rate then says nothing (the cases solved alone
        # here may show which parts compete).
        pairs_rate = math.inf
    # Each region once, where nothing clashed, across as many slices as that takes.
    sweep = iter([] if around else regions(ctx))
    while deadline - clock.now() > tuning.STEP_SECONDS / 4 and not (
            stop is not None and stop.is_set()):
        began = clock.now()
        until = min(deadline, began + tuning.SPLIT_SLICE_SECONDS)
        if deadline - until < tuning.STEP_SECONDS:
            until = deadline  # no slice too short to take a step
        if not any(deferred(b) and b.cases not in singles_tried for b in bounds):
            singles_rate = -1.0  # none left
        # A fall cut short may want a longer slice, but not most of what is left.
        falls_may = max((deadline - began) * tuning.FALL_MOST_SHARE, until - began)
        if not pending_falls(bounds, best.objective.staffed_priority, falls_tried,
                             seconds=falls_may):
            falls_rate = -1.0  # none left at the roster's priority
        elif falls_rate < 0:
            falls_rate = math.inf  # new ones, since the roster's priority or the parts moved
        # The highest rate; on a tie, if fair, the least time here; then the search, the
        # single cases, the falls, the pairs, in that order. A tie without end (staffing
        # more, or not yet measured) is never fair: priority first.
        highest = highest_priority(bounds)
        fair = (highest - best.objective.staffed_priority <= tuning.SPLIT_FAIR_SHORT_SHARE * highest
                and math.isfinite(max(search_rate, singles_rate, falls_rate, pairs_rate)))
        had = {name: -seconds if fair else 0.0 for name, seconds in spent.items()}
        _, _, _, turn = max((search_rate, had["search"], 3, "search"),
                            (singles_rate, had["singles"], 2, "singles"),
                            (falls_rate, had["falls"], 1, "falls"),
                            (pairs_rate, had["pairs"], 0, "pairs"))
        if turn == "search":
            before = best
            best = improve(ctx, best, deadline=until, workers=workers, seed=seed,
                           on_improve=on_improve, stop=stop, sweep=sweep, around=around,
                           least=least, impossible=impossible)
            search_rate = _rate(before.objective.staffed_priority,
                                best.objective.staffed_priority,
                                before.objective.cost - best.objective.cost, began)
            seed += 1
        elif turn == "singles":
            gauge = _Gauge(ctx, bounds, best)
            bounds = solve_singles(ctx, bounds, best, until=until, workers=workers, seed=seed,
                                   tried=singles_tried, stop=stop)
            # A case proven impossible alone is not searched for again.
            impossible = impossible | {c for b in bounds if not b.highest for c in b.cases}
            best = gauge.adopt(bounds, on_improve)
            on_bounds(bounds)
            singles_rate = gauge.rate(bounds, best, began)
        elif turn == "falls":
            # Long enough for a fall cut short before to have twice its time.
            until = max(until, began + falls_want(bounds, best.objective.staffed_priority,
                                                  falls_tried, seconds=falls_may))
            gauge = _Gauge(ctx, bounds, best)
            bounds = with_lower_levels(ctx, bounds, best.objective.staffed_priority, until=until,
                                       seed=seed, stop=stop, asked=falls_tried)
            best = gauge.adopt(bounds, on_improve)
            on_bounds(bounds)
            falls_rate = gauge.rate(bounds, best, began)
        else:
            gauge = _Gauge(ctx, bounds, best)
            untried = len(tried)
            for joined in merge_rivals(ctx, bounds, best, until=until, workers=workers,
                                       seed=seed, impossible=impossible, stop=stop,
                                       tried=tried):
                bounds = joined
                on_bounds(bounds)
            best = gauge.adopt(bounds, on_improve)
            pairs_rate = gauge.rate(bounds, best, began)
            if len(tried) == untried and not pairs_rate:
                # None left to try: a slice of theirs would end at once, and if it were
                # fair, the next too, until they had had as much time as the search.
                pairs_rate = -1.0
        spent[turn] += clock.now() - began
    return Split(best, bounds)


class _Gauge:
    """What a slice for the bound closed: the bound's gap as it found it, and the roster's,
    which the teams its solves find may improve (`scheduler.search.compose.adopted`)."""

    def __init__(self, ctx: Context, bounds: list[PartBound], roster: Incumbent) -> None:
        self.ctx, self.bounds, self.roster = ctx, bounds, roster
        self.highest = highest_priority(bounds)
        self.cost = cost_bound_at(ctx, bounds, roster)

    def adopt(self, bounds: list[PartBound], on_improve: Callable[[Incumbent], None]
              ) -> Incumbent:
        """The roster with the teams of the parts solved since, where they improve it."""
        before = {id(b) for b in self.bounds}
        found = adopted(self.ctx, self.roster, [b for b in bounds if id(b) not in before])
        if found is not self.roster:
            on_improve(found)
        return found

    def rate(self, bounds: list[PartBound], roster: Incumbent, began: float) -> float:
        """How fast the slice begun at `began` closed the gap, both sides of it."""
        if roster.objective.staffed_priority > self.roster.objective.staffed_priority:
            return math.inf
        won = cost_bound_at(self.ctx, bounds, roster) - self.cost
        return _rate(highest_priority(bounds), self.highest,
                     won + self.roster.objective.cost - roster.objective.cost, began)


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
