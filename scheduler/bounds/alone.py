"""A bound from counting alone: what each case must cost if staffed, in milliseconds.

The bound by parts (`scheduler.bounds.parts`) needs a CP-SAT model per part, and on a dense
province there is not always time for every part. Each case staffed in a valid roster
still pays at least what this module counts, from its eligible options only, with no
solver:
- travel and off_pair: the team has distinct people in its slots and meets each coverage
  need, so it costs at least the cheapest fill of the slots, and at least the cheapest
  `count` people of a need's set plus the cheapest others;
- units: at least one, `min_units`, one per tier it must draw on, as many units as it
  takes to find enough eligible people, and two when no unit has enough eligible people
  for every slot and every coverage need on its own;
- no_junior: a team of three or more pays it, or takes a junior and pays at least the
  cheapest junior's travel and off_pair beside the cheapest others'; where the only
  juniors live far away, the bound is the cheaper of the two.
A case with too few eligible people for a slot or a need is impossible alone. peak_load is
bounded as in the bound by parts: any member's utilisation is at least their own load on
the case's busiest day plus the case's load.

Each case becomes a `PartBound` of its own, so `cost_bound` combines these with the parts
CP-SAT did solve.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from models import Case
from models.ids import CaseId
from scheduler.bounds.parts import PartBound, least_by_cases, least_peak_counted
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, no_cycle_collection
from scheduler.model.costs import NO_JUNIOR_MIN_TEAM, alone_costs, juniors
from scheduler.search.phases import Found

Ints = npt.NDArray[np.int64]


def _cheapest(costs: npt.NDArray[np.float64], count: int) -> float | None:
    """The sum of the `count` smallest `costs`, taken cheapest first, or None if there are
    fewer."""
    if len(costs) < count:
        return None
    if count == 0:
        return 0.0
    smallest: list[float] = np.sort(np.partition(costs, count - 1)[:count]).tolist()
    return sum(smallest)


def _fewest_units(ctx: Context, case: Case, slots: Ints, places: Ints, people: Ints) -> int:
    """The fewest distinct home units any team of `case` can have, given its options (the
    slot and the place of each) and its eligible `people` (their places)."""
    team = case.team
    sizes = np.bincount(ctx.arrays.home[people])  # eligible people by home unit
    fewest = max(1, team.min_units or 0, sum(1 for count in team.tiers.values() if count > 0))
    # Enough units to hold the whole team, largest first.
    found, units = 0, 0
    for size in sorted(sizes[sizes > 0].tolist(), reverse=True):
        if found >= team.size:
            break
        found, units = found + size, units + 1
    if max(fewest, units) == 1 and not _one_unit_might(ctx, case, slots, places, people, sizes):
        return 2
    return max(fewest, units)


def _one_unit_might(ctx: Context, case: Case, slots: Ints, places: Ints, people: Ints,
                    sizes: Ints) -> bool:
    """Whether some unit's eligible people (`sizes` of them by unit) might staff `case` on
    their own: enough of them for every slot and for every coverage need (a necessary
    test, not a sufficient one: when no unit passes it, every team draws on two at least)."""
    team, home = case.team, ctx.arrays.home
    might = sizes >= team.size
    for count, able in ctx.coverage(case):
        meeting = people[ctx.arrays.having(able)[people]]
        might &= np.bincount(home[meeting], minlength=len(sizes)) >= count
    # A person has one option a slot, so a unit's options of a slot are its people for it.
    for k, slot in enumerate(team.slots()):
        might &= np.bincount(home[places[slots == k]], minlength=len(sizes)) >= team.slot_count(slot)
    return bool(might.any())


def _least_cost(ctx: Context, case: Case, options: list[Option]) -> float | None:
    """What `case` costs at least if staffed (peak_load aside), or None if it cannot be."""
    w, arrays = ctx.scenario.policy.weights, ctx.arrays
    team = case.team
    if not options:
        return None
    # A case's options at once: a case may have 3,000 options and a province 1.8 million,
    # which a what-if counts again. Sums are taken cheapest first, as before they were
    # counted with arrays, so the bounds are the same to the last bit.
    places, slots = ctx.candidates.columns(case)[:2]
    costs = alone_costs(ctx, case)
    kinds = team.slots()
    by_slot = 0.0
    for k, slot in enumerate(kinds):
        least = _cheapest(costs[slots == k], team.slot_count(slot))
        if least is None:
            return None
        by_slot += least
    # Each eligible person's cheapest option.
    cheapest_of = np.full(len(arrays.load), np.inf)
    np.minimum.at(cheapest_of, places, costs)
    people = arrays.distinct(places)
    cheapest = cheapest_of[people]
    assignment = by_slot
    for count, able in ctx.coverage(case):
        # The cheapest `count` who meet the need, and the cheapest of everyone else.
        meets = arrays.having(able)[people]
        meeting = np.sort(cheapest[meets])
        if len(meeting) < count:
            return None
        rest = _cheapest(np.concatenate([meeting[count:], cheapest[~meets]]),
                         team.size - count)
        if rest is None:
            return None
        assignment = max(assignment, sum(meeting[:count].tolist()) + rest)
    units = _fewest_units(ctx, case, slots, places, people)
    junior = arrays.having(juniors(ctx))[people]
    return _with_junior(ctx, case, assignment, cheapest, junior) + w.units * units


def _with_junior(ctx: Context, case: Case, assignment: float,
                 cheapest: npt.NDArray[np.float64], junior: npt.NDArray[np.bool_]) -> float:
    """What travel, off_pair and no_junior together cost at least, given `assignment`, a
    bound on the first two, and each eligible person's `cheapest` option (`junior` where
    they are one): a team of three or more either takes a junior, at least the cheapest
    junior and the cheapest others, or pays no_junior."""
    w = ctx.scenario.policy.weights
    if case.team.size < NO_JUNIOR_MIN_TEAM:
        return assignment
    of_juniors = cheapest[junior]
    if not len(of_juniors):
        return assignment + w.no_junior
    # Leaving the junior out of the others can only raise their sum: this is a bound.
    others = _cheapest(cheapest, case.team.size - 1) or 0.0
    return min(max(assignment, float(of_juniors.min()) + others), assignment + w.no_junior)


def case_bound(ctx: Context, case: Case) -> PartBound:
    """The counting bound of one case, as a part of its own."""
    options = ctx.candidates.by_case.get(case.id, [])
    least = _least_cost(ctx, case, options)
    if least is None:  # impossible even alone: no valid roster staffs it
        return PartBound(frozenset({case.id}), case.priority, 0, {}, Found(), case_peaks=())
    peak = least_peak_counted(ctx, case)
    return PartBound(frozenset({case.id}), case.priority, case.priority,
                     {case.priority: least}, Found(), least_peak=(case.priority, peak),
                     case_peaks=((peak, case.priority),))


def counted_bounds(ctx: Context) -> dict[CaseId, PartBound]:
    """The counting bound of each case."""
    with no_cycle_collection():  # many small lists, no cycles
        return {c.id: case_bound(ctx, c) for c in ctx.scenario.cases}


def with_counted(bounds: Iterable[PartBound], counted: Mapping[CaseId, PartBound],
                 short: int = 0) -> list[PartBound]:
    """`bounds`, with each part CP-SAT proved no cost for replaced by the `counted` bounds
    of its cases (as one part, if it proved it staffs less than they could), so that
    every case counts towards the bound on cost. A proven part
    learns from its cases' counted bounds what it must cost at least at the levels it
    proved, where that is more, and up to `short` below its highest priority, where it
    proved nothing. Each part carries its cases' counted peaks (`cost_bound`)."""
    out: list[PartBound] = []
    for b in bounds:
        cases = [counted[c] for c in sorted(b.cases)]
        b = replace(b, case_peaks=_case_peaks(cases))
        if not b.least_costs:
            if b.highest >= sum(c.highest for c in cases):
                out += cases
            else:
                # Its priority proven and not its cost: counted as its cases, but no
                # higher than proven. As separate cases they would let a roster staff the
                # part's whole priority, and the knapsack shed that much of the costliest
                # cases elsewhere (skewed 4,000 x 700, where parts staff half their cases:
                # a bound of 103,913 in one run, 148,960 in the next).
                out.append(replace(b, least_costs=least_by_cases(
                    cases, range(0, b.highest + 1))))
            continue
        floor = min(b.least_costs)
        counts = least_by_cases(cases, range(max(0, min(b.highest - short, floor)), b.highest + 1))
        # Both bound the part's cost at each level: CP-SAT's where its cost phase ran long
        # enough, the counted one where it did not (a large part's cost phase may end
        # with little more than its trivial bound).
        merged = {level: max(cost, b.least_costs.get(level, 0.0))
                  for level, cost in counts.items()}
        out.append(replace(b, least_costs={**b.least_costs, **merged}))
    return out


def _case_peaks(counted: Iterable[PartBound]) -> tuple[tuple[int, int], ...] | None:
    """The counted peaks of the cases of `counted`, None unless each has its own."""
    out: list[tuple[int, int]] = []
    for b in counted:
        if b.case_peaks is None:
            return None
        out += b.case_peaks
    return tuple(out)


def least_costs(counted: Iterable[PartBound]) -> dict[CaseId, float]:
    """What each case of `counted` costs at least if staffed (peak_load aside)."""
    return {c: b.least_cost(b.total) for b in counted for c in b.cases if b.highest}
