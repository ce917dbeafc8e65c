"""A greedy roster: the baseline the benchmark compares against, and CP-SAT's first hint.

Cases are taken mandatory first, then by priority per team member; each team is built
from the cheapest eligible people who keep every hard rule given the teams already
built: required and pinned people first, then the scarcest coverage needs, then the
remaining slots. A case whose team cannot be completed is left unstaffed.
"""

from collections import defaultdict
from collections.abc import Callable

from models import Case, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler.construct.ledger import Ledger
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context

OFF_PAIR_PENALTY = 60.0  # the default off_pair weight, in travel minutes
LOAD_PENALTY = 20.0      # the default peak_load weight, per percent of utilisation
KEEP_BONUS = 200.0       # the default changes weight: re-planning keeps earlier teams


def _ranked(ctx: Context, case: Case, options: list[Option],
            previous: set[tuple[CaseId, ProsecutorId, Slot]]) -> list[Option]:
    """`options` cheapest first (ties by person): travel, off_pair and utilisation at the
    default weights, less a bonus for keeping an earlier assignment."""
    people = ctx.scenario.prosecutor_by_id
    near = ctx.geography.near(case)  # asked once a case: a case may have 2,500 options
    load = case.team.load
    # Each person's share asked once, not once per option: a province may have millions.
    off: dict[ProsecutorId, float] = {}
    busy: dict[ProsecutorId, float] = {}
    for pid in ctx.candidates.people(case.id):
        person = people[pid]
        off[pid] = OFF_PAIR_PENALTY if person.home not in near else 0.0
        busy[pid] = LOAD_PENALTY * (100 * (person.load + load) / person.capacity) / 10

    # The keys made in one pass and the options sorted by index: a key function called
    # once per option took most of the greedy's 3.5 s on 1.8 million options.
    keys = [(o.travel_minutes + off[p] + busy[p]
             - (KEEP_BONUS if previous and (o.case, p, o.slot) in previous else 0.0), p)
            for o in options for p in (o.person,)]
    return [options[i] for i in sorted(range(len(options)), key=keys.__getitem__)]


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
