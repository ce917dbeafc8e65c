"""The cost terms of spec/problem.md, one function each, unweighted.

Each returns a CostTerm; `scheduler.model.core.weighted_cost` applies `policy.weights`.
"""

from collections.abc import Callable

from ortools.sat.python import cp_model as cp

from models.ids import ProsecutorId
from scheduler.model.core import CostTerm, RosterModel, fte

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
        return CostTerm()
    people = m.scenario.prosecutor_by_id
    # The bound comes from the data: the busiest anyone could be if given every eligible case.
    ceiling = max(
        100 * max(fte(taken) + sum(m.case_load(c) for c in active)
                  for active, taken in m.load_checkpoints(p)) // fte(people[p].capacity)
        for p, _ in serving
    )
    peak = m.model.new_int_var(0, ceiling, "peak_load")
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


COST_TERMS: dict[str, Callable[[RosterModel], CostTerm]] = {
    "travel": travel,
    "off_pair": off_pair,
    "peak_load": peak_load,
    "units": units,
    "changes": changes,
    "no_junior": no_junior,
}
