"""Alternatives: the next best rosters after the best one, each clearly different.

Each alternative is found by CP-SAT with a Hamming-distance constraint over the
assignment variables: it differs from the best roster and from every alternative before
it in at least `differ` (case, person, slot) assignments, dropped plus added (so one
person replacing another counts 2). Each step maximises staffed priority, then minimises
cost, under all the distance constraints so far; so each is the next best at that
distance, and they come in objective order.

Re-solving a whole province K times would take K times the solve, so a step reopens only
a neighbourhood and keeps every other team of the best roster as it is (pinned, as a
large-neighbourhood step does; see `scheduler.search.lns.neighbourhood`):

- a scenario small enough for the whole model: every case (the neighbourhood is all);
- a scenario of one case (the single-case roster): that case, its team the only one;
- a larger scenario: the `tuning.ALTERNATIVE_CASES` staffed teams costing most above
  what they must cost, each on the people nearest its venue.

"Proven" therefore means: CP-SAT proved, within the step's time, that no roster with the
same teams outside the neighbourhood (and, above the whole model's size, drawing only on
the nearest people) is better while keeping the distance to every earlier one. With the
whole scenario as the neighbourhood, it is the next best roster of all, given the rosters
before it; those before it are proven only if they say so themselves.
"""

import threading
from collections import defaultdict

from models import Alternative, Slot
from models.ids import CaseId, ProsecutorId
from models.reason import Reason, listing, term, why
from scheduler import clock, tuning
from scheduler.bounds.alone import counted_bounds, least_costs
from scheduler.explain.words import case_ref, person_ref
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, StoppedError
from scheduler.report import SLOT_ORDER, case_rosters, raw_terms
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import excess, merged, neighbourhood
from scheduler.search.neighbourhoods import Teams
from scheduler.search.phases import MIN_PHASE_SECONDS, Found, lexicographic, staffing_all

Key = tuple[ProsecutorId, CaseId, Slot]


def _keys(chosen: list[Option]) -> set[Key]:
    return {(o.person, o.case, o.slot) for o in chosen}


def distance(a: list[Option], b: list[Option]) -> int:
    """Assignments in one roster and not the other: the Hamming distance of their
    assignment variables."""
    return len(_keys(a) ^ _keys(b))


def reopened(ctx: Context, best: Incumbent) -> tuple[set[CaseId], int | None]:
    """The cases the alternatives may change, and how many people nearest each venue per
    slot they may draw on (None: everyone eligible). See the module's docstring."""
    cases = ctx.scenario.cases
    if len(ctx.candidates.options) <= tuning.SMALL_MODEL_OPTIONS:
        return {c.id for c in cases}, None
    least = least_costs(counted_bounds(ctx).values())
    above = excess(ctx, Teams.of(ctx, best.chosen), least)
    costliest = sorted(above, key=lambda c: (-above[c], c))[:tuning.ALTERNATIVE_CASES]
    return set(costliest), tuning.LNS_NEAREST


def _step(ctx: Context, best: Incumbent, earlier: list[Incumbent], free: set[CaseId],
          nearest: int | None, differ: int, *, seconds: float, workers: int, seed: int,
          stop: threading.Event | None) -> Found:
    try:
        n = neighbourhood(ctx, best, free, nearest=nearest, stop=stop)
    except StoppedError:
        return Found()  # nothing found: the caller stops
    d = n.model.decisions
    for roster in earlier:
        n.model.model.add(d.hamming(_keys(roster.chosen), free) >= differ)
    if len(free) == 1 and free <= best.staffed:
        # One case: its alternatives are other teams, so the case stays staffed; one
        # CP-SAT call instead of a priority phase that would only ask whether it can be.
        return staffing_all(n.model, n.start_chosen, n.start_staffed, seconds=seconds,
                            seed=seed, stop=stop)
    return lexicographic(n.model, n.start_chosen, n.start_staffed, seconds=seconds,
                         workers=workers, seed=seed, stop=stop)


def next_best(ctx: Context, best: Incumbent, *, count: int, differ: int, deadline: float,
              workers: int, seed: int, stop: threading.Event | None = None) -> list[Alternative]:
    """Up to `count` alternatives to `best`, in objective order, each at least `differ`
    assignments from `best` and from each other, found by `deadline` (a time on
    `scheduler.clock`). Fewer when no other roster keeps that distance, or time runs out; one found
    but not proven best at its step says so."""
    free, nearest = reopened(ctx, best)
    found: list[Incumbent] = []
    for step in range(count):
        left = deadline - clock.now()
        seconds = left / (count - step)
        if seconds < MIN_PHASE_SECONDS or (stop is not None and stop.is_set()):
            break
        f = _step(ctx, best, [best, *found], free, nearest, differ, seconds=seconds,
                  workers=workers, seed=seed, stop=stop)
        if not f.solved:
            break  # infeasible: no roster keeps the distance; or none found in time
        found.append(merged(ctx, best, free, f.chosen, f.staffed,
                            proven=f.priority_proven and f.cost_proven))
    # Each step is at least as good as the next when both are proven; a step cut short
    # may not be, and the distances hold between every pair, so sorting keeps them.
    ordered = sorted(found, key=lambda r: (-r.objective.staffed_priority, r.objective.cost))
    return [_alternative(ctx, best, alt, rank, sorted(free))
            for rank, alt in enumerate(ordered, start=2)]


def _alternative(ctx: Context, best: Incumbent, alt: Incumbent, rank: int,
                 free: list[CaseId]) -> Alternative:
    before, after = _teams(best.chosen), _teams(alt.chosen)
    changed = {c for c in before.keys() | after.keys() if before.get(c) != after.get(c)}
    changed |= best.staffed ^ alt.staffed
    return Alternative(
        rank=rank, objective=alt.objective, distance=distance(best.chosen, alt.chosen),
        proven=alt.proven, neighbourhood=free, difference=difference(ctx, best, alt),
        cases=[c for c in case_rosters(ctx, alt.chosen, alt.staffed, {}) if c.id in changed])


def _teams(chosen: list[Option]) -> dict[CaseId, set[Key]]:
    teams: dict[CaseId, set[Key]] = defaultdict(set)
    for o in chosen:
        teams[o.case].add((o.person, o.case, o.slot))
    return teams


def _case_changes(ctx: Context, case: CaseId, before: set[Key], after: set[Key]) -> list[Reason]:
    """Who replaces whom in which slot, who joins and who leaves, on one case."""
    people = ctx.scenario.prosecutor_by_id
    out = []
    for slot in sorted(Slot, key=lambda s: SLOT_ORDER[s]):
        gone = sorted(p for p, _, s in before - after if s is slot)
        came = sorted(p for p, _, s in after - before if s is slot)
        named = term("slot", slot.value)
        for old, new in zip(gone, came, strict=False):
            out.append(why("alt.replaces", new=person_ref(people[new]),
                           old=person_ref(people[old]), slot=named))
        out += [why("alt.joins", new=person_ref(people[p]), slot=named)
                for p in came[len(gone):]]
        out += [why("alt.leaves", old=person_ref(people[p]), slot=named)
                for p in gone[len(came):]]
    return out


def _effects(ctx: Context, best: Incumbent, alt: Incumbent) -> list[Reason]:
    """What each cost term, the staffed priority and the cost gain or lose."""
    was, now = raw_terms(ctx, best.chosen, best.staffed), raw_terms(ctx, alt.chosen, alt.staffed)
    out = []
    gained = alt.objective.staffed_priority - best.objective.staffed_priority
    if gained:
        out.append(why(f"delta.priority.{'more' if gained > 0 else 'less'}", points=abs(gained)))
    for name in was:
        change = now[name] - was[name]
        if abs(change) < 1e-6:
            continue
        way = "more" if change > 0 else "less"
        if name == "travel":
            out.append(why(f"delta.travel.{way}", minutes=round(abs(change))))
        elif name == "peak_load":
            out.append(why(f"delta.peak_load.{way}", points=round(abs(change))))
        else:  # counts: members, offices, changes, teams
            out.append(why(f"delta.{name}.{way}", count=round(abs(change))))
    cost = alt.objective.cost - best.objective.cost
    out.append(why("delta.cost.same") if abs(cost) < 1e-6 else
               why(f"delta.cost.{'more' if cost > 0 else 'less'}", amount=round(abs(cost), 2)))
    return out


def difference(ctx: Context, best: Incumbent, alt: Incumbent) -> Reason:
    """How `alt` differs from `best`, as a structured reason: the changes case by case
    (without naming the case when the scenario has only one), then the effects."""
    before, after = _teams(best.chosen), _teams(alt.chosen)
    cases = ctx.scenario.cases
    changes: list[Reason] = []
    for case in cases:
        if case.id in best.staffed - alt.staffed:
            changes.append(why("alt.unstaffed", case=case_ref(case)))
        elif case.id in alt.staffed - best.staffed:
            changes.append(why("alt.staffed", case=case_ref(case)))
        elif before.get(case.id, set()) != after.get(case.id, set()):
            mine = _case_changes(ctx, case.id, before.get(case.id, set()),
                                 after.get(case.id, set()))
            changes.append(listing(mine, "comma") if len(cases) == 1 else
                           why("alt.in_case", case=case_ref(case), changes=listing(mine, "comma")))
    return why("alt.difference", changes=listing(changes), effects=listing(_effects(ctx, best, alt),
                                                                           "comma"))
