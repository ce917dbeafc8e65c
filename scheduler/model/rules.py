"""The hard rules of spec/problem.md, one function each, in the spec's order.

Rules 2 (eligibility) and 3 (travel) are settled before modelling, in
`scheduler.instance.eligibility`: an option that breaks them has no variable. What remains of
rule 2 is `required_prosecutors`.
"""

from collections.abc import Callable

from ortools.sat.python import cp_model as cp

from models.ids import CaseId, ProsecutorId
from models.reason import Reason, term, why
from scheduler.explain.words import person_ref
from scheduler.instance.home import home_checks
from scheduler.model.core import FTE_SCALE, RosterModel
from scheduler.model.variables import new_bool


def _enforce(m: RosterModel, ct: cp.Constraint, case: CaseId, text: Reason) -> None:
    literal = m.requirement(case, text)
    if literal is not None:
        ct.only_enforce_if(literal)


def _switched(m: RosterModel, ct: cp.Constraint, rule: str) -> None:
    """In explain mode, `ct` holds only while `rule`'s switch is on: a core may then name
    the rule (capacity, home staffing), which no one case's requirement stands for."""
    literal = m.rule_switch(rule)
    if literal is not None:
        ct.only_enforce_if(literal)


def composition(m: RosterModel) -> None:
    """1. Exactly the leader slot and the member slots, each filled by a distinct person."""
    d = m.decisions
    for case in m.scenario.cases:
        staffed = d.is_staffed(case.id)
        for slot in case.team.slots():
            fills = [v for p in m.candidates.people(case.id)
                     if (v := d.in_slot(p, case.id, slot)) is not None]
            need = case.team.slot_count(slot)
            _enforce(m, m.model.add(cp.LinearExpr.sum(fills) == need * staffed),
                     case.id, why(f"req.slot.{slot.value}", count=need))
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
                     why("req.requires", person=person_ref(m.scenario.prosecutor_by_id[person])))


def skill_coverage(m: RosterModel) -> None:
    """4. At least `count` team members have the skill at `min_level` or above."""
    people = m.scenario.prosecutor_by_id
    for case in m.scenario.cases:
        for need in case.team.skills:
            skilled = [p for p in m.candidates.people(case.id)
                       if people[p].level(need.skill) >= need.min_level]
            _at_least(m, case.id, skilled, need.count,
                      why("req.skill", count=need.count, skill=term("kind", need.skill),
                          level=need.min_level))


def language_coverage(m: RosterModel) -> None:
    """4. At least `count` team members speak the language."""
    people = m.scenario.prosecutor_by_id
    for case in m.scenario.cases:
        for need in case.team.languages:
            speakers = [p for p in m.candidates.people(case.id)
                        if need.language in people[p].languages]
            _at_least(m, case.id, speakers, need.count,
                      why("req.language", count=need.count,
                          language=term("language", need.language)))


def tier_coverage(m: RosterModel) -> None:
    """4. At least `count` members come from units of that tier."""
    people, units = m.scenario.prosecutor_by_id, m.scenario.unit_by_id
    for case in m.scenario.cases:
        for tier, count in case.team.tiers.items():
            from_tier = [p for p in m.candidates.people(case.id)
                         if units[people[p].home].tier is tier]
            _at_least(m, case.id, from_tier, count,
                      why("req.tier", count=count, tier=term("tier", tier.value)))


def _at_least(m: RosterModel, case: CaseId, people: list[ProsecutorId], count: int,
              description: Reason) -> None:
    if count == 0:
        return
    d = m.decisions
    total = cp.LinearExpr.sum([d.is_assigned(p, case) for p in people])
    _enforce(m, m.model.add(total >= count * d.is_staffed(case)), case, description)


def unit_count(m: RosterModel) -> None:
    """4. The number of distinct home units in the team is within max_units / min_units."""
    d = m.decisions
    for case in m.scenario.cases:
        team = case.team
        if team.max_units is None and team.min_units is None:
            continue
        used = cp.LinearExpr.sum([d.uses_unit(case.id, u) for u in d.home_units(case.id)])
        if team.max_units is not None:
            _enforce(m, m.model.add(used <= team.max_units), case.id,
                     why("req.max_units", units=team.max_units))
        if team.min_units is not None:
            _enforce(m, m.model.add(used >= team.min_units * d.is_staffed(case.id)), case.id,
                     why("req.min_units", units=team.min_units))


def capacity(m: RosterModel) -> None:
    """5. On every day, a prosecutor's load plus their staffed cases' loads is within capacity."""
    d = m.decisions
    for person in m.scenario.prosecutors:
        if not m.candidates.cases_of(person.id):
            continue  # most people of a province, in a neighbourhood or a case alone
        for active, taken in m.load_checkpoints(person.id):
            spare = int((person.capacity - taken) * FTE_SCALE + 1e-6)
            loads = [m.case_load(c) for c in active]
            if not active or sum(loads) <= spare:
                continue
            _switched(m, m.model.add(cp.LinearExpr.weighted_sum(
                [d.is_assigned(person.id, c) for c in active], loads) <= spare), "capacity")


def home_staffing(m: RosterModel) -> None:
    """6. Every unit keeps min(min_staff_at_home, available prosecutor-rank staff) at home."""
    for busy, slack in home_checks(m.scenario, m.candidates, m.decisions.may_be_on_site,
                                   calendars=m.calendars):
        _switched(m, m.model.add(
            cp.LinearExpr.sum([_away(m, p, active) for p, active in busy.items()]) <= slack),
            "home_staffing")


def _away(m: RosterModel, person: ProsecutorId, cases: frozenset[str]) -> cp.IntVar:
    """A literal true when `person` is on site at any of `cases` (all away from home)."""
    key = person, cases
    if key not in m.away_literals:
        literals = [v for c in sorted(cases) if (v := m.decisions.is_on_site(person, c)) is not None]
        if len(literals) == 1:
            m.away_literals[key] = literals[0]
        else:
            away = new_bool(m.model)
            m.model.add_max_equality(away, literals)
            m.away_literals[key] = away
    return m.away_literals[key]


def pinning(m: RosterModel) -> None:
    """7. Every pinned previous assignment is kept, and its case is staffed."""
    d = m.decisions
    for a in m.scenario.previous:
        if not a.pinned:
            continue
        kept = d.in_slot(a.prosecutor, a.case, a.slot)
        literals = [d.is_staffed(a.case), kept if kept is not None else m.false_literal()]
        name = person_ref(m.scenario.prosecutor_by_id[a.prosecutor])
        _enforce(m, m.model.add_bool_and(literals), a.case,
                 why("req.pinned", person=name, slot=term("slot", a.slot.value)))


def mandatory(m: RosterModel) -> None:
    """8. Every mandatory case is staffed."""
    for case in m.scenario.cases:
        if case.mandatory:
            _enforce(m, m.model.add_bool_and([m.decisions.is_staffed(case.id)]), case.id,
                     why("req.mandatory"))


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
