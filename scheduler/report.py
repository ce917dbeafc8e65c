"""Turn a chosen set of options into a Roster: teams, reasons, and the exact objective."""

from collections import defaultdict

from models import COST_TERMS, Case, CaseRoster, Objective, Slot, TeamMember
from models.ids import CaseId, ProsecutorId
from models.reason import Reason, term, why
from scheduler.explain.words import unit_ref
from scheduler.instance.calendar import load_checkpoints
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, fte
from scheduler.model.costs import JUNIOR_YEARS, NO_JUNIOR_MIN_TEAM, lacking_standby

SLOT_ORDER = {Slot.LEADER: 0, Slot.PROSECUTOR: 1, Slot.ASSISTANT: 2, Slot.CLERK: 3}


def utilisation(m: Context, chosen: list[Option]) -> dict[ProsecutorId, int]:
    """Each serving person's peak utilisation in whole percent (floor)."""
    cases, people = m.scenario.case_by_id, m.scenario.prosecutor_by_id
    mine: dict[ProsecutorId, set[CaseId]] = defaultdict(set)
    for o in chosen:
        mine[o.person].add(o.case)
    peak = {}
    for pid, ids in mine.items():
        person = people[pid]
        used = max(fte(taken) + sum(fte(cases[c].team.load) for c in active)
                   for active, taken in load_checkpoints(person, [cases[c] for c in ids]))
        peak[pid] = 100 * used // fte(person.capacity)
    return peak


def raw_terms(m: Context, chosen: list[Option], staffed: set[CaseId]) -> dict[str, float]:
    """Each cost term of a roster before weighting: minutes, members, percent, offices...
    no_standby is counted only when it is weighted (0 otherwise): counting it asks every
    candidate of every mandatory case, which default scenarios need not pay for."""
    s, geo = m.scenario, m.geography
    people = s.prosecutor_by_id
    by_case: dict[CaseId, list[Option]] = defaultdict(list)
    for o in chosen:
        by_case[o.case].append(o)
    off = 0
    for case in s.cases:
        near = geo.near(case)
        off += sum(people[o.person].home not in near for o in by_case[case.id])
    kept = {(o.case, o.person, o.slot) for o in chosen}
    return {
        "travel": sum(o.travel_minutes for o in chosen if o.on_site),
        "off_pair": off,
        "peak_load": max(utilisation(m, chosen).values(), default=0),
        "units": sum(len({people[o.person].home for o in team}) for team in by_case.values()),
        "changes": sum((a.case, a.prosecutor, a.slot) not in kept
                       for a in s.previous if not a.pinned),
        "no_junior": sum(1 for c in s.cases if c.id in staffed
                         and c.team.size >= NO_JUNIOR_MIN_TEAM
                         and not any(people[o.person].years <= JUNIOR_YEARS for o in by_case[c.id])),
        "no_standby": (lacking_standby(m, chosen, staffed) if s.policy.weights.no_standby > 0
                       else 0),
    }


def evaluate(m: Context, chosen: list[Option], staffed: set[CaseId]) -> Objective:
    """The spec's objective of a roster, computed exactly from its assignments."""
    s = m.scenario
    raw = raw_terms(m, chosen, staffed)
    weights = s.policy.weights
    components = {t: float(getattr(weights, t) * raw[t]) for t in COST_TERMS}
    return Objective(
        staffed_priority=sum(c.priority for c in s.cases if c.id in staffed),
        cost=sum(components.values()),
        components=components,
    )


def team_cost(ctx: Context, case: Case, team: list[Option]) -> float:
    """The weighted cost terms a team carries on its own (peak_load aside)."""
    s, geo = ctx.scenario, ctx.geography
    w, people = s.policy.weights, s.prosecutor_by_id
    near = geo.near(case)
    cost = sum(w.travel * o.travel_minutes for o in team if o.on_site)
    cost += w.off_pair * sum(people[o.person].home not in near for o in team)
    cost += w.units * len({people[o.person].home for o in team})
    if len(team) >= NO_JUNIOR_MIN_TEAM and not any(
            people[o.person].years <= JUNIOR_YEARS for o in team):
        cost += w.no_junior
    return float(cost)


# Costs within this of each other are equal (spec 1.1).
COST_TOLERANCE = 0.5


def is_better(a: Objective, b: Objective) -> bool:
    """Whether `a` beats `b`: more staffed priority, or as much at a lower cost."""
    if a.staffed_priority != b.staffed_priority:
        return a.staffed_priority > b.staffed_priority
    return a.cost < b.cost - COST_TOLERANCE


def _reasons(m: Context, o: Option, peak: int) -> list[Reason]:
    s, geo = m.scenario, m.geography
    person, case = s.prosecutor_by_id[o.person], s.case_by_id[o.case]
    home, venue = s.unit_by_id[person.home], s.unit_by_id[case.venue]
    out = []
    if o.slot is Slot.LEADER:
        out.append(why("member.leads", role=term("role", person.role.value),
                       kind=term("kind", case.kind.value), level=person.level(case.kind)))
    covers = [why("cover.skill", skill=term("kind", n.skill), level=person.level(n.skill))
              for n in case.team.skills if person.level(n.skill) >= n.min_level]
    covers += [why("cover.language", language=term("language", n.language))
               for n in case.team.languages if n.language in person.languages]
    if home.tier in case.team.tiers:
        covers.append(why("cover.tier", tier=term("tier", home.tier.value)))
    if covers:
        out.append(why("member.covers", items=covers))
    if not o.on_site:
        out.append(why("member.video"))
    elif person.home == case.venue:
        out.append(why("member.at_home"))
    else:
        out.append(why("member.travel", minutes=round(o.travel_minutes), home=unit_ref(home),
                       venue=unit_ref(venue)))
    if person.home == case.lead:
        out.append(why("member.lead_unit"))
    elif geo.is_partner(person.home, case.lead) or geo.is_partner(person.home, case.venue):
        out.append(why("member.paired"))
    elif person.home != case.venue:
        out.append(why("member.outside_pairs"))
    if person.years <= JUNIOR_YEARS and case.team.size >= NO_JUNIOR_MIN_TEAM:
        out.append(why("member.junior", years=person.years))
    out.append(why("member.peak", peak=peak))
    return out


def team_members(m: Context, chosen: list[Option], pinned: set[tuple[str, str, Slot]]
                 ) -> dict[CaseId, list[TeamMember]]:
    """The chosen options as team members with reasons, leader first, per case."""
    people = m.scenario.prosecutor_by_id
    peak = utilisation(m, chosen)
    teams: dict[CaseId, list[TeamMember]] = defaultdict(list)
    for o in sorted(chosen, key=lambda o: (o.case, SLOT_ORDER[o.slot], o.person)):
        person = people[o.person]
        teams[o.case].append(TeamMember(
            case=o.case, prosecutor=o.person, slot=o.slot, on_site=o.on_site,
            pinned=(o.case, o.person, o.slot) in pinned, name=person.name, home=person.home,
            travel_minutes=round(o.travel_minutes, 2) if o.on_site else 0.0,
            reasons=_reasons(m, o, peak[o.person]),
        ))
    return teams


def case_rosters(m: Context, chosen: list[Option], staffed: set[CaseId],
                 unstaffed_reasons: dict[CaseId, Reason]) -> list[CaseRoster]:
    """One CaseRoster per case of the scenario, in scenario order."""
    pinned = {(a.case, a.prosecutor, a.slot) for a in m.scenario.previous if a.pinned}
    teams = team_members(m, chosen, pinned)
    return [CaseRoster(id=c.id, staffed=c.id in staffed, team=teams.get(c.id, []),
                       unstaffed_reason=None if c.id in staffed else unstaffed_reasons.get(c.id))
            for c in m.scenario.cases]

