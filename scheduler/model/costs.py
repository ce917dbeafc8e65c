"""The cost terms of spec/problem.md, one function each, unweighted.

Each returns a CostTerm; `scheduler.model.core.weighted_cost` applies `policy.weights`.
"""

from collections import defaultdict
from collections.abc import Callable, Container

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model as cp

from models import Case, Slot
from models.ids import CaseId, ProsecutorId
from scheduler.instance.arrays import SlotMenu
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, CostTerm, RosterModel, fte
from scheduler.model.variables import new_bool

JUNIOR_YEARS = 3
NO_JUNIOR_MIN_TEAM = 3


def travel(m: RosterModel) -> CostTerm:
    """travel: one-way travel minutes of every on-site member."""
    d = m.decisions
    items = []
    for o in m.candidates.options:
        var = d.in_slot(o.person, o.case, o.slot)
        if o.on_site and o.travel_minutes > 0 and var is not None:
            items.append((o.travel_minutes, var))
    return CostTerm(items)


def off_pair(m: RosterModel) -> CostTerm:
    """off_pair: members whose home is not the lead unit, the venue, or a unit paired with either."""
    d, geo = m.decisions, m.geography
    people = m.scenario.prosecutor_by_id
    items = []
    for case in m.scenario.cases:
        near = geo.near(case)
        for p in m.candidates.people(case.id):
            if people[p].home not in near:
                items.append((1.0, d.is_assigned(p, case.id)))
    return CostTerm(items)


def peak_load(m: RosterModel) -> CostTerm:
    """peak_load: the highest utilisation, in whole percent rounded down, over serving people."""
    d = m.decisions
    serving: list[tuple[ProsecutorId, list[str]]] = [
        (p.id, m.candidates.cases_of(p.id)) for p in m.scenario.prosecutors
        if m.candidates.cases_of(p.id)
    ]
    if not serving:
        return CostTerm(constant=m.peak_floor)
    people = m.scenario.prosecutor_by_id
    # The bound comes from the data: the busiest anyone could be if given every eligible case.
    ceiling = max(
        100 * max(fte(taken) + sum(m.case_load(c) for c in active)
                  for active, taken in m.load_checkpoints(p)) // fte(people[p].capacity)
        for p, _ in serving
    )
    peak = m.model.new_int_var(m.peak_floor, max(ceiling, m.peak_floor), "peak_load")
    for pid, mine in serving:
        person = people[pid]
        cap = fte(person.capacity)
        on_any = None
        for active, taken in m.load_checkpoints(pid):
            base = fte(taken)
            # floor(100 * used / cap) <= peak  <=>  100 * used <= (peak + 1) * cap - 1, with
            # used = base + the loads of the cases served; one weighted sum builds fastest.
            ct = m.model.add(cp.LinearExpr.weighted_sum(
                [*(d.is_assigned(pid, c) for c in active), peak],
                [*(100 * m.case_load(c) for c in active), -cap]) <= cap - 1 - 100 * base)
            if base > 0:  # load already taken counts only for people who serve
                if on_any is None:
                    on_any = m.model.new_bool_var(f"serves[{pid}]")
                    m.model.add_max_equality(on_any, [d.is_assigned(pid, c) for c in mine])
                ct.only_enforce_if(on_any)
    return CostTerm([(1.0, peak)])


def units(m: RosterModel) -> CostTerm:
    """units: distinct home units, summed over staffed cases."""
    d = m.decisions
    return CostTerm([(1.0, d.uses_unit(c.id, u)) for c in m.scenario.cases
                     for u in d.home_units(c.id)])


def changes(m: RosterModel) -> CostTerm:
    """changes: assignments of previous (not pinned) that the new roster drops."""
    d = m.decisions
    term = CostTerm()
    for a in m.scenario.previous:
        if a.pinned:
            continue
        term.constant += 1
        kept = d.in_slot(a.prosecutor, a.case, a.slot)
        if kept is not None:
            term.items.append((-1.0, kept))
    return term


def juniors(ctx: Context) -> frozenset[ProsecutorId]:
    """Everyone of `JUNIOR_YEARS` or fewer, worked out once per context."""
    return ctx.people_having(("junior",), lambda p: p.years <= JUNIOR_YEARS)


def no_junior(m: RosterModel) -> CostTerm:
    """no_junior: staffed cases with 3 or more members and no member of 3 years or less."""
    d, people = m.decisions, m.scenario.prosecutor_by_id
    items = []
    for case in m.scenario.cases:
        if case.team.size < NO_JUNIOR_MIN_TEAM:
            continue
        juniors = [d.is_assigned(p, case.id) for p in m.candidates.people(case.id)
                   if people[p].years <= JUNIOR_YEARS]
        lacking = m.model.new_bool_var(f"no_junior[{case.id}]")
        m.model.add(lacking + cp.LinearExpr.sum(juniors) >= d.is_staffed(case.id))
        items.append((1.0, lacking))
    return CostTerm(items)


def overlap(a: Case, b: Case) -> bool:
    """Whether two cases share a day."""
    return a.start <= b.end and b.start <= a.end


def standby_profile(ctx: Context, case: Case) -> Callable[[ProsecutorId], tuple[bool, ...]]:
    """Which coverage needs of `case` (skills, languages, tiers; those of count 0 left out)
    a person meets: a standby must meet every need the member meets."""
    needs = [able for _, able in ctx.coverage(case)]
    return lambda person: tuple(person in able for able in needs)


def covers(standby: tuple[bool, ...], member: tuple[bool, ...]) -> bool:
    """Whether a standby with profile `standby` meets every need a member's meets."""
    return all(s or not m for s, m in zip(standby, member, strict=True))


def no_standby(m: RosterModel) -> CostTerm:
    """no_standby (an extension, `solve --robust`): members of staffed mandatory cases who
    have no standby. A standby for member m in slot s of case c is another person, not on
    c's team, eligible for slot s of c, who meets every coverage need (skill, language,
    tier) of c that m meets, and serves on no staffed case overlapping c in time. Home
    staffing, capacity beside the roster and unit counts are not considered (`taskforce
    resilience` does the exact per-member analysis).

    Modelled exactly, so that CP-SAT's objective and bound are the roster's: free[q, c]
    (q serves no case overlapping c) is the negation of the OR of q's assignments there;
    has[c, s, P] (some standby with profile at least P is free) is the OR of those frees;
    a member lacks exactly when assigned and no standby of their profile is free (the
    member is not free, so need not be left out). Built only when the weight is positive:
    with weight 0 the model is as before."""
    if m.scenario.policy.weights.no_standby <= 0:
        return CostTerm()
    d, cases = m.decisions, m.scenario.case_by_id
    items: list[tuple[float, cp.IntVar]] = []
    for case in m.scenario.cases:
        if not case.mandatory:
            continue
        frees: dict[ProsecutorId, cp.IntVar] = {}

        def free(q: ProsecutorId, case: Case = case, frees: dict[ProsecutorId, cp.IntVar] = frees
                 ) -> cp.IntVar:
            if q not in frees:
                busy = [d.is_assigned(q, c) for c in m.candidates.cases_of(q)
                        if overlap(case, cases[c])]
                var = new_bool(m.model)
                for b in busy:
                    m.model.add_implication(b, ~var)
                m.model.add_bool_or([var, *busy])
                frees[q] = var
            return frees[q]

        profile = standby_profile(m, case)
        by_slot: dict[Slot, list[Option]] = defaultdict(list)
        for o in m.candidates.by_case.get(case.id, []):
            by_slot[o.slot].append(o)
        for options in by_slot.values():
            profiles = {o.person: profile(o.person) for o in options}
            for wanted in sorted(set(profiles.values())):
                standbys = [free(q) for q, p in profiles.items() if covers(p, wanted)]
                has = new_bool(m.model)
                for f in standbys:
                    m.model.add_implication(f, has)
                m.model.add_bool_or(standbys).only_enforce_if(has)
                for o in options:
                    if profiles[o.person] != wanted:
                        continue
                    member = d.in_slot(o.person, case.id, o.slot)
                    assert member is not None
                    lacking = new_bool(m.model)
                    m.model.add_bool_or([lacking, ~member, has])
                    m.model.add_implication(lacking, member)
                    m.model.add_implication(lacking, ~has)
                    items.append((1.0, lacking))
    return CostTerm(items)


def lacking_standby(ctx: Context, chosen: list[Option], staffed: set[CaseId]) -> int:
    """no_standby of a roster, counted (see `no_standby`)."""
    cases = ctx.scenario.case_by_id
    serving: dict[ProsecutorId, list[Case]] = defaultdict(list)
    teams: dict[CaseId, list[Option]] = defaultdict(list)
    for o in chosen:
        if o.case in staffed:
            serving[o.person].append(cases[o.case])
            teams[o.case].append(o)
    count = 0
    for case in ctx.scenario.cases:
        if not case.mandatory or case.id not in staffed:
            continue
        profile = standby_profile(ctx, case)
        # The distinct profiles of the free people, per slot: few, where people are many.
        standing: dict[Slot, set[tuple[bool, ...]]] = defaultdict(set)
        for o in ctx.candidates.by_case.get(case.id, []):
            if not any(overlap(case, other) for other in serving.get(o.person, [])):
                standing[o.slot].add(profile(o.person))
        for member in teams[case.id]:
            mine = profile(member.person)
            count += not any(covers(p, mine) for p in standing[member.slot])
    return count


def alone_costs(ctx: Context, case: Case,
                kept: Container[tuple[CaseId, ProsecutorId, Slot]] = ()
                ) -> npt.NDArray[np.float64]:
    """What each option of `case` (in `Candidates.by_case` order) costs whatever the rest
    of the team: its travel and off_pair, less the changes weight if it keeps an earlier
    assignment (in `kept`); a case may have thousands of options, so they are worked out
    together."""
    w = ctx.scenario.policy.weights
    columns = ctx.candidates.columns(case)
    # For a case's options at once, term by term as a sum per option would take them.
    costs = np.where(columns.on_site, w.travel * columns.travel, 0.0) + np.where(
        ctx.arrays.at_home_in(ctx.geography.near(case), columns.place), 0.0, w.off_pair)
    if kept:
        options = ctx.candidates.by_case.get(case.id, [])
        costs = costs - np.where([(o.case, o.person, o.slot) in kept for o in options],
                                 w.changes, 0.0)
    return costs


def cheapest_by_slot(ctx: Context, case: Case) -> dict[Slot, SlotMenu]:
    """`case`'s options by slot, each slot's cheapest first by what they cost alone
    (`alone_costs`), ties to the person first in id order; worked out once per context."""
    if case.id not in ctx.by_slot:
        options = ctx.candidates.by_case.get(case.id, [])
        columns = ctx.candidates.columns(case)
        costs = alone_costs(ctx, case)
        order = np.lexsort((columns.place, costs))
        menus = {}
        for k, slot in enumerate(case.team.slots()):
            mine = order[columns.slot[order] == k]
            menus[slot] = SlotMenu(costs[mine].tolist(), [options[i] for i in mine.tolist()])
        ctx.by_slot[case.id] = menus
    return ctx.by_slot[case.id]


COST_TERMS: dict[str, Callable[[RosterModel], CostTerm]] = {
    "travel": travel,
    "off_pair": off_pair,
    "peak_load": peak_load,
    "units": units,
    "changes": changes,
    "no_junior": no_junior,
    "no_standby": no_standby,
}
