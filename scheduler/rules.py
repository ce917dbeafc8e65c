"""The hard rules of spec/problem.md, one function each, in the spec's order.

Rules 2 (eligibility) and 3 (travel) are settled before modelling, in
`scheduler.eligibility`: an option that breaks them has no variable. What remains of
rule 2 is `required_prosecutors`.
"""

from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model as cp

from models.enums import is_prosecutor_rank
from models.ids import CaseId, ProsecutorId
from scheduler.calendar import (
    availability_changes,
    is_available,
    overlapping_sets,
    start_days,
)
from scheduler.model import FTE_SCALE, RosterModel, fte
from scheduler.words import PLURAL, language_name


def _enforce(m: RosterModel, ct: cp.Constraint, case: CaseId, text: str) -> None:
    literal = m.requirement(case, text)
    if literal is not None:
        ct.only_enforce_if(literal)


def composition(m: RosterModel) -> None:
    """1. Exactly the leader slot and the member slots, each filled by a distinct person."""
    d = m.decisions
    for case in m.scenario.cases:
        staffed = d.is_staffed(case.id)
        for slot in case.team.slots():
            fills = [d.in_slot(p, case.id, slot) for p in m.candidates.people(case.id)]
            need = case.team.slot_count(slot)
            _enforce(m, m.model.add(sum(v for v in fills if v is not None) == need * staffed),
                     case.id, f"{need} {PLURAL[slot]}")
        # Distinctness: is_assigned() ties a person's slots on a case to one boolean.
        for person in m.candidates.people(case.id):
            d.is_assigned(person, case.id)


def required_prosecutors(m: RosterModel) -> None:
    """2. Every require_prosecutors person is on the team."""
    d = m.decisions
    for case in m.scenario.cases:
        for person in case.require_prosecutors:
            on_team = d.is_assigned(person, case.id) if d.options(person, case.id) else 0
            _enforce(m, m.model.add(on_team == d.is_staffed(case.id)), case.id,
                     f"requires {m.scenario.prosecutor_by_id[person].name}")


def skill_coverage(m: RosterModel) -> None:
    """4. At least `count` team members have the skill at `min_level` or above."""
    people = m.scenario.prosecutor_by_id
    for case in m.scenario.cases:
        for need in case.team.skills:
            skilled = [p for p in m.candidates.people(case.id)
                       if people[p].level(need.skill) >= need.min_level]
            _at_least(m, case.id, skilled, need.count,
                      f"{need.count} with {need.skill} level {need.min_level}+")


def language_coverage(m: RosterModel) -> None:
    """4. At least `count` team members speak the language."""
    people = m.scenario.prosecutor_by_id
    for case in m.scenario.cases:
        for need in case.team.languages:
            speakers = [p for p in m.candidates.people(case.id)
                        if need.language in people[p].languages]
            _at_least(m, case.id, speakers, need.count,
                      f"{need.count} speaking {language_name(need.language)}")


def tier_coverage(m: RosterModel) -> None:
    """4. At least `count` members come from units of that tier."""
    people, units = m.scenario.prosecutor_by_id, m.scenario.unit_by_id
    for case in m.scenario.cases:
        for tier, count in case.team.tiers.items():
            from_tier = [p for p in m.candidates.people(case.id)
                         if units[people[p].home].tier is tier]
            _at_least(m, case.id, from_tier, count, f"{count} from {tier.value} units")


def _at_least(m: RosterModel, case: CaseId, people: list[ProsecutorId], count: int,
              description: str) -> None:
    if count == 0:
        return
    d = m.decisions
    total = sum(d.is_assigned(p, case) for p in people)
    _enforce(m, m.model.add(total >= count * d.is_staffed(case)), case, description)


def unit_count(m: RosterModel) -> None:
    """4. The number of distinct home units in the team is within max_units / min_units."""
    d = m.decisions
    for case in m.scenario.cases:
        team = case.team
        if team.max_units is None and team.min_units is None:
            continue
        used = sum(d.uses_unit(case.id, u) for u in d.home_units(case.id))
        if team.max_units is not None:
            _enforce(m, m.model.add(used <= team.max_units), case.id,
                     f"at most {team.max_units} home units")
        if team.min_units is not None:
            _enforce(m, m.model.add(used >= team.min_units * d.is_staffed(case.id)), case.id,
                     f"at least {team.min_units} home units")


def capacity(m: RosterModel) -> None:
    """5. On every day, a prosecutor's load plus their staffed cases' loads is within capacity."""
    cases, d = m.scenario.case_by_id, m.decisions
    for person in m.scenario.prosecutors:
        mine = [cases[c] for c in m.candidates.cases_of(person.id)]
        spare = int((person.capacity - person.load) * FTE_SCALE + 1e-6)
        for active in overlapping_sets(mine):
            if sum(fte(cases[c].team.load) for c in active) <= spare:
                continue
            m.model.add(sum(fte(cases[c].team.load) * d.is_assigned(person.id, c)
                            for c in active) <= spare)


def home_staffing(m: RosterModel) -> None:
    """6. Every unit keeps min(min_staff_at_home, available prosecutor-rank staff) at home."""
    d = m.decisions
    staff = defaultdict(list)
    for person in m.scenario.prosecutors:
        if is_prosecutor_rank(person.role):
            staff[person.home].append(person)
    for unit in m.scenario.units:
        # Cases each person could be on site at, away from this unit.
        away_cases = {p.id: [c for c in m.candidates.cases_of(p.id)
                             if m.scenario.case_by_id[c].venue != unit.id
                             and d.is_on_site(p.id, c) is not None]
                      for p in staff[unit.id]}
        all_away = {c for cs in away_cases.values() for c in cs}
        if not all_away:
            continue
        cases = [m.scenario.case_by_id[c] for c in all_away]
        first, last = min(c.start for c in cases), max(c.end for c in cases)
        checkpoints = set(start_days(cases)) | {
            day for day in availability_changes(staff[unit.id]) if first <= day <= last
        }
        seen: set[tuple[frozenset[tuple[str, frozenset[str]]], int]] = set()
        for day in sorted(checkpoints):
            present = [p for p in staff[unit.id] if is_available(p, day)]
            slack = len(present) - min(unit.min_staff_at_home, len(present))
            busy = []
            for p in present:
                active = frozenset(c for c in away_cases[p.id]
                                   if m.scenario.case_by_id[c].covers(day))
                if active:
                    busy.append((p.id, active))
            key = (frozenset(busy), slack)
            if len(busy) <= slack or key in seen:
                continue
            seen.add(key)
            m.model.add(sum(_away(m, p, active) for p, active in busy) <= slack)


def _away(m: RosterModel, person: ProsecutorId, cases: frozenset[str]) -> cp.IntVar:
    """A literal true when `person` is on site at any of `cases` (all away from home)."""
    literals = [v for c in sorted(cases) if (v := m.decisions.is_on_site(person, c)) is not None]
    if len(literals) == 1:
        return literals[0]
    away = m.model.new_bool_var(f"away[{person},{'+'.join(sorted(cases))}]")
    m.model.add_max_equality(away, literals)
    return away


def pinning(m: RosterModel) -> None:
    """7. Every pinned previous assignment is kept, and its case is staffed."""
    d = m.decisions
    for a in m.scenario.previous:
        if not a.pinned:
            continue
        kept = d.in_slot(a.prosecutor, a.case, a.slot)
        literals = [d.is_staffed(a.case), kept if kept is not None else m.false_literal()]
        name = m.scenario.prosecutor_by_id[a.prosecutor].name
        _enforce(m, m.model.add_bool_and(literals), a.case, f"pinned {name} as {a.slot.value}")


def mandatory(m: RosterModel) -> None:
    """8. Every mandatory case is staffed."""
    for case in m.scenario.cases:
        if case.mandatory:
            _enforce(m, m.model.add_bool_and([m.decisions.is_staffed(case.id)]), case.id,
                     "mandatory")


HARD_RULES: list[Callable[[RosterModel], None]] = [
    composition,
    required_prosecutors,
    skill_coverage,
    language_coverage,
    tier_coverage,
    unit_count,
    capacity,
    home_staffing,
    pinning,
    mandatory,
]
