"""A greedy roster: the baseline the benchmark compares against, and CP-SAT's first hint.

Cases are taken mandatory first, then by priority per team member; each team is built
from the cheapest eligible people who keep every hard rule given the teams already
built: required and pinned people first, then the scarcest coverage needs, then the
remaining slots. A case whose team cannot be completed is left unstaffed.
"""

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from models import Case, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler.construct.ledger import Ledger
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context

OFF_PAIR_PENALTY = 60.0  # the default off_pair weight, in travel minutes
KEEP_BONUS = 200.0       # the default changes weight: re-planning keeps earlier teams
# Per percent of a person's utilisation once on the team, in travel minutes: it spreads
# the load, which keeps people free for the cases that come later. Against 2 a percent
# (the old figure), 0.5 staffed 14 priority more in all on every family at 2,000 x 300
# (seed 11) and 5 less at 1,000 x 150 (seed 12: 4 of it on no-roads), 14 more on dense and
# standard 4,000 x 700, and more on four provinces of 610,000 to 1.7 million options whose
# cases are open to most people (and, polished, on three); cost was lower on 20 of 23.
UTILISATION_PENALTY = 0.5


def _ranked(ctx: Context, case: Case, options: list[Option],
            previous: set[tuple[CaseId, ProsecutorId, Slot]]) -> list[Option]:
    """`options` cheapest first (ties by person): travel and off_pair at the default
    weights, utilisation, less a bonus for keeping an earlier assignment."""
    if not options:
        return []
    arrays = ctx.arrays
    columns = ctx.candidates.columns(case)
    places = columns.place
    # Term by term in the order a sum per option would take them, so the same keys to the
    # last bit; ties go to the person first in id order, then to the earlier option.
    cost = columns.travel + np.where(
        arrays.at_home_in(ctx.geography.near(case), places), 0.0, OFF_PAIR_PENALTY)
    cost = cost + UTILISATION_PENALTY * (100 * (arrays.load[places] + case.team.load)
                                         / arrays.capacity[places])
    if previous:
        kept = np.array([(o.case, o.person, o.slot) in previous for o in options])
        cost = cost - np.where(kept, KEEP_BONUS, 0.0)
    return [options[i] for i in np.lexsort((places, cost)).tolist()]


def _build_team(ctx: Context, case: Case, ledger: Ledger,
                forced: list[tuple[ProsecutorId, Slot | None]],
                previous: set[tuple[CaseId, ProsecutorId, Slot]]) -> list[Option] | None:
    scenario = ctx.scenario
    options = ctx.candidates.by_case.get(case.id, [])
    people = scenario.prosecutor_by_id
    open_slots = {s: case.team.slot_count(s) for s in case.team.slots()}
    chosen: list[Option] = []
    used: set[ProsecutorId] = set()
    units: set[UnitId] = set()
    journal: list[tuple[str, str, int]] = []
    ranked = _ranked(ctx, case, options, previous)

    def take(option: Option) -> bool:
        if option.person in used or open_slots.get(option.slot, 0) == 0:
            return False
        home = people[option.person].home
        new_unit = home not in units
        if (new_unit and case.team.max_units is not None
                and len(units) >= case.team.max_units):
            return False
        if not ledger.fits(option, case):
            return False
        ledger.commit(option, case, journal)
        chosen.append(option)
        used.add(option.person)
        units.add(home)
        open_slots[option.slot] -= 1
        return True

    if _fill(ctx, case, options, ranked, forced, take, used, open_slots, units):
        return chosen
    ledger.undo(journal, case)
    return None


def _fill(ctx: Context, case: Case, options: list[Option], ranked: list[Option],
          forced: list[tuple[ProsecutorId, Slot | None]], take: Callable[[Option], bool],
          used: set[ProsecutorId], open_slots: dict[Slot, int], units: set[UnitId]) -> bool:
    """Fill the team through `take`: forced people, scarce needs, then the cheapest."""
    for person, slot in forced:
        match = [o for o in options if o.person == person and (slot is None or o.slot is slot)]
        if not any(take(o) for o in match):
            return False
    for count, able in sorted(ctx.coverage(case), key=lambda n: len(n[1])):
        have = sum(1 for p in used if p in able)
        for option in ranked:
            if have >= count:
                break
            if option.person in able and take(option):
                have += 1
        if have < count:
            return False
    for option in ranked:
        if not any(open_slots.values()):
            break
        take(option)
    if any(open_slots.values()):
        return False
    return case.team.min_units is None or len(units) >= case.team.min_units


def greedy(ctx: Context) -> tuple[list[Option], set[CaseId]]:
    """A valid roster built one case at a time: the chosen options and the staffed cases."""
    scenario = ctx.scenario
    ledger = Ledger(scenario)
    pinned: dict[CaseId, list[tuple[ProsecutorId, Slot | None]]] = defaultdict(list)
    for a in scenario.previous:
        if a.pinned:
            pinned[a.case].append((a.prosecutor, a.slot))
    previous = {(a.case, a.prosecutor, a.slot) for a in scenario.previous}
    order = sorted(scenario.cases, key=lambda c: (
        not c.mandatory, not pinned[c.id], -c.priority / max(1, c.team.size), c.start, c.id))
    chosen: list[Option] = []
    staffed: set[CaseId] = set()
    for case in order:
        forced = pinned[case.id] + [(p, None) for p in case.require_prosecutors]
        team = _build_team(ctx, case, ledger, forced, previous)
        if team is None:
            continue
        chosen += team
        staffed.add(case.id)
    return chosen, staffed
