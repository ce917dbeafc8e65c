"""Check a roster against hard rules 1-8 and recompute its objective."""

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from checker.geography import allowed_homes, paired_with, shortest_minutes
from checker.names import named
from models import COST_TERMS, Case, Prosecutor, Roster, Scenario, Slot, TeamMember, Weights
from models.enums import ROLE_RANK
from models.reason import Reason, term, why
from models.reason import date as on_day

TOLERANCE = 0.5
EPS = 1e-9


@dataclass(frozen=True)
class Violation:
    """A broken rule: its number and name in the spec, and what is wrong as a reason (a
    message code with parameters), worded by whoever shows it."""

    rule: str
    reason: Reason

    def __str__(self) -> str:
        # Unworded, for logs and assertion messages: the code says which check failed.
        return f"[{self.rule}] {self.reason.code} {self.reason.params}"


@dataclass
class CheckReport:
    """What the checker found: violations, and the objective it recomputed."""

    violations: list[Violation] = field(default_factory=list)
    staffed_priority: int = 0
    components: dict[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        return sum(self.components.values())

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules_broken(self) -> set[str]:
        return {v.rule for v in self.violations}


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _away_from(scenario: Scenario, case: Case, m: TeamMember) -> bool:
    home = scenario.prosecutor_by_id[m.prosecutor].home
    return m.on_site and case.venue != home


def check_roster(scenario: Scenario, roster: Roster) -> CheckReport:
    """Every violation of hard rules 1-8 in `roster`, and its recomputed objective."""
    report = CheckReport()
    bad = report.violations
    people, cases = scenario.prosecutor_by_id, scenario.case_by_id
    teams: dict[str, list[TeamMember]] = {}
    seen: set[str] = set()
    for entry in roster.cases:
        # A case listed twice would have its first team go unchecked.
        if entry.id in seen:
            bad.append(Violation("roster", why("check.case_twice", case=entry.id)))
        seen.add(entry.id)
        bad += [Violation("roster", why("check.member_case", person=m.prosecutor, case=entry.id,
                                        other=m.case))
                for m in entry.team if m.case != entry.id]
        if entry.id not in cases:
            bad.append(Violation("roster", why("check.case_unknown", case=entry.id)))
        elif entry.staffed:
            teams[entry.id] = entry.team
        elif entry.team:
            bad.append(Violation("1 composition", why("check.unstaffed_with_team", case=entry.id)))
    for pid in {m.prosecutor for t in teams.values() for m in t} - set(people):
        bad.append(Violation("roster", why("check.person_unknown", person=pid)))
    teams = {cid: [m for m in t if m.prosecutor in people] for cid, t in teams.items()}

    distance = {c.venue: shortest_minutes(scenario, c.venue) for c in scenario.cases}
    for cid, team in teams.items():
        case = cases[cid]
        _composition(scenario, case, team, bad)
        _eligibility(scenario, case, team, bad)
        _travel(case, team, distance[case.venue], people, bad)
        _coverage(scenario, case, team, bad)
    bad += [Violation(c.rule, c.reason) for c in booking_conflicts(scenario, teams)]
    for a in scenario.previous:
        if a.pinned and not any(m.prosecutor == a.prosecutor and m.slot == a.slot
                                for m in teams.get(a.case, [])):
            bad.append(Violation("7 pinning", why("check.pin_lost", person=a.prosecutor,
                                                  slot=term("slot", a.slot.value), case=a.case)))
    for case in scenario.cases:
        if case.mandatory and case.id not in teams:
            bad.append(Violation("8 mandatory", why("check.mandatory", case=case.id)))

    report.staffed_priority = sum(cases[c].priority for c in teams)
    # A roster solved with other weights than the scenario's (solve --robust) says so.
    report.components = _costs(scenario, teams, distance, roster.weights or scenario.policy.weights)
    _reported_objective(roster, report, bad)
    report.violations = [replace(v, reason=named(scenario, v.reason)) for v in bad]
    return report


def _composition(s: Scenario, case: Case, team: list[TeamMember], bad: list[Violation]) -> None:
    rule = "1 composition"
    ids = [m.prosecutor for m in team]
    if len(ids) != len(set(ids)):
        bad.append(Violation(rule, why("check.twice", case=case.id)))
    spec = case.team
    wanted = {Slot.LEADER: 1 if spec.leader else 0, Slot.PROSECUTOR: spec.members.prosecutor,
              Slot.ASSISTANT: spec.members.assistant, Slot.CLERK: spec.members.clerk}
    for slot, count in wanted.items():
        got = sum(1 for m in team if m.slot == slot)
        if got != count:
            bad.append(Violation(rule, why("check.slot_count", case=case.id, got=got,
                                           slot=term("slot", slot.value), needed=count)))
    for m in team:
        p = s.prosecutor_by_id[m.prosecutor]
        rank = ROLE_RANK.get(p.role, 0)
        if m.slot == Slot.LEADER:
            if spec.leader is None:
                continue
            if rank < ROLE_RANK[spec.leader.min_role] or p.skills.get(case.kind, 0) < spec.leader.min_level:
                bad.append(Violation(rule, why("check.may_not_lead", case=case.id, person=p.id)))
        elif (m.slot == Slot.PROSECUTOR and rank == 0) or \
                (m.slot in (Slot.ASSISTANT, Slot.CLERK) and p.role.value != m.slot.value):
            bad.append(Violation(rule, why("check.wrong_slot", case=case.id, person=p.id,
                                           role=term("role", p.role.value),
                                           slot=term("slot", m.slot.value))))


def _eligibility(s: Scenario, case: Case, team: list[TeamMember], bad: list[Violation]) -> None:
    rule = "2 eligibility"
    homes = allowed_homes(s, case)
    pool = set(s.pool_by_id[case.pool].members) if case.pool else None
    for m in team:
        p = s.prosecutor_by_id[m.prosecutor]
        if p.home not in homes:
            bad.append(Violation(rule, why("check.out_of_scope", case=case.id, person=p.id,
                                           home=p.home)))
        if pool is not None and case.pool is not None and p.id not in pool:
            bad.append(Violation(rule, why("check.not_in_pool", case=case.id, person=p.id,
                                           pool=case.pool)))
        if p.id in case.exclude_prosecutors or p.home in case.exclude_units:
            bad.append(Violation(rule, why("check.excluded", case=case.id, person=p.id)))
        for gap in p.unavailable:
            if gap.start <= case.end and case.start <= gap.end:
                bad.append(Violation(rule, why("check.unavailable", case=case.id, person=p.id,
                                               start=on_day(gap.start.isoformat()),
                                               end=on_day(gap.end.isoformat()))))
    for pid in case.require_prosecutors:
        if pid not in {m.prosecutor for m in team}:
            bad.append(Violation(rule, why("check.required_missing", case=case.id, person=pid)))


def _travel(case: Case, team: list[TeamMember], minutes: dict[str, float],
            people: dict[str, Prosecutor], bad: list[Violation]) -> None:
    rule = "3 travel"
    for m in team:
        should = m.slot not in case.team.remote_roles
        if m.on_site != should:
            bad.append(Violation(rule, why("check.on_site", case=case.id, person=m.prosecutor,
                                           given=str(m.on_site).lower(), should=str(should).lower())))
        if not m.on_site:
            continue
        home = people[m.prosecutor].home
        far = minutes.get(home)
        limit = case.team.max_travel_minutes
        if far is None:
            bad.append(Violation(rule, why("check.unreachable", case=case.id, person=m.prosecutor)))
        elif limit is not None and far > limit + EPS:
            bad.append(Violation(rule, why("check.too_far", case=case.id, person=m.prosecutor,
                                           minutes=f"{far:.0f}", limit=f"{limit:g}")))


def _coverage(s: Scenario, case: Case, team: list[TeamMember], bad: list[Violation]) -> None:
    rule = "4 coverage"
    members = [s.prosecutor_by_id[m.prosecutor] for m in team]
    for need in case.team.skills:
        have = sum(1 for p in members if p.skills.get(need.skill, 0) >= need.min_level)
        if have < need.count:
            bad.append(Violation(rule, why("check.skill_short", case=case.id, have=have,
                                           skill=term("kind", need.skill),
                                           level=need.min_level, needed=need.count)))
    for lang in case.team.languages:
        have = sum(1 for p in members if lang.language in p.languages)
        if have < lang.count:
            bad.append(Violation(rule, why("check.language_short", case=case.id, have=have,
                                           language=term("language", lang.language),
                                           needed=lang.count)))
    for tier, count in case.team.tiers.items():
        have = sum(1 for p in members if s.unit_by_id[p.home].tier == tier)
        if have < count:
            bad.append(Violation(rule, why("check.tier_short", case=case.id, have=have,
                                           tier=term("tier", tier.value), needed=count)))
    units = len({p.home for p in members})
    if case.team.max_units is not None and units > case.team.max_units:
        bad.append(Violation(rule, why("check.too_many_units", case=case.id, units=units,
                                       limit=case.team.max_units)))
    if case.team.min_units is not None and units < case.team.min_units:
        bad.append(Violation(rule, why("check.too_few_units", case=case.id, units=units,
                                       limit=case.team.min_units)))


def daily_load(s: Scenario, teams: dict[str, list[TeamMember]]) -> dict[str, dict[date, float]]:
    """Per serving person, per day the roster adds load to: what they carry in all (FTE)."""
    load: dict[str, dict[date, float]] = defaultdict(dict)
    for cid, team in teams.items():
        case = s.case_by_id[cid]
        for m in team:
            person = s.prosecutor_by_id[m.prosecutor]
            for day in _days(case.start, case.end):
                mine = load[m.prosecutor]
                mine[day] = mine.get(day, person.load_on(day)) + case.team.load
    return load


def _committed_only(s: Scenario, serving: set[str]) -> dict[str, dict[date, float]]:
    """Per serving person with commitments, what they carry on each committed day."""
    return {pid: {day: s.prosecutor_by_id[pid].load_on(day)
                  for c in s.prosecutor_by_id[pid].commitments for day in _days(c.start, c.end)}
            for pid in serving}


@dataclass(frozen=True)
class Conflict:
    """A person over capacity, or an office below its home staffing, on some days."""

    rule: str
    id: str
    days: list[date]
    reason: Reason


def _capacity(s: Scenario, teams: dict[str, list[TeamMember]]) -> list[Conflict]:
    # Only the days the roster adds load to: committed load alone is not the roster's doing.
    found = []
    for pid, days in daily_load(s, teams).items():
        cap = s.prosecutor_by_id[pid].capacity
        over = sorted(d for d, used in days.items() if used > cap + EPS)
        if over:
            found.append(Conflict("5 capacity", pid, over, why(
                "check.over_capacity", person=pid, days=len(over), first=on_day(over[0].isoformat()))))
    return found


@dataclass(frozen=True)
class HomeDay:
    """One day of one unit: prosecutor-rank staff at home, the number rule 6 requires, and
    how many of the absent are away because of the roster (not an earlier commitment)."""

    day: date
    home: int
    need: int
    sent: int


def home_counts(s: Scenario, teams: dict[str, list[TeamMember]]) -> dict[str, list[HomeDay]]:
    """For each unit the roster sends someone away from: each day of the horizon."""
    away: dict[str, set[date]] = defaultdict(set)
    for cid, team in teams.items():
        case = s.case_by_id[cid]
        for m in team:
            if _away_from(s, case, m):
                away[m.prosecutor] |= set(_days(case.start, case.end))
    if not away:
        return {}
    horizon = _days(min(c.start for c in s.cases), max(c.end for c in s.cases))
    counts: dict[str, list[HomeDay]] = {}
    for unit in s.units:
        staff = [p for p in s.prosecutors if p.home == unit.id and p.role.value in
                 ("chief", "deputy_chief", "prosecutor")]
        if not any(p.id in away for p in staff):
            continue
        counts[unit.id] = []
        for day in horizon:
            present = [p for p in staff if not p.on_leave(day)]
            committed = {p.id for p in present if p.committed_away(day)}
            sent = {p.id for p in present if day in away.get(p.id, set())} - committed
            counts[unit.id].append(HomeDay(day, len(present) - len(committed) - len(sent),
                                           min(unit.min_staff_at_home, len(present)), len(sent)))
    return counts


def _home_staffing(s: Scenario, teams: dict[str, list[TeamMember]]) -> list[Conflict]:
    # A unit already short through earlier commitments may not be sent further away.
    found = []
    for unit, days in home_counts(s, teams).items():
        short = [d for d in days if d.home < d.need and d.sent > 0]
        if short:
            d = short[0]
            found.append(Conflict("6 home staffing", unit, [d.day for d in short],
                                  why("check.home_short", unit=unit, home=d.home,
                                      day=on_day(d.day.isoformat()), needed=d.need)))
    return found


def booking_conflicts(s: Scenario, teams: dict[str, list[TeamMember]]) -> list[Conflict]:
    """Rules 5 and 6 for these teams, with the days each person or office is in conflict."""
    return [replace(c, reason=named(s, c.reason))
            for c in _capacity(s, teams) + _home_staffing(s, teams)]


def staffed_teams(roster: Roster) -> dict[str, list[TeamMember]]:
    """The teams of the staffed cases of a roster, by case id."""
    return {c.id: c.team for c in roster.cases if c.staffed}


def peak_utilisation(s: Scenario, roster: Roster) -> int:
    """The highest utilisation, in whole percent rounded down, of anyone serving."""
    return _peak(s, {cid: [m for m in team if m.prosecutor in s.prosecutor_by_id]
                     for cid, team in staffed_teams(roster).items() if cid in s.case_by_id})


def _peak(s: Scenario, teams: dict[str, list[TeamMember]]) -> int:
    served = daily_load(s, teams)
    carried = [(pid, used) for daily in (_committed_only(s, set(served)), served)
               for pid, days in daily.items() for used in days.values()]
    return max((math.floor(100 * used / s.prosecutor_by_id[pid].capacity + EPS)
                for pid, used in carried), default=0)


def _may_stand_by(s: Scenario, case: Case, slot: Slot, p: Prosecutor, homes: set[str],
                  minutes: dict[str, float]) -> bool:
    """Whether `p` may fill `slot` of `case` by rules 1 to 3, and has room for its load
    beside what they already carry (the solver's eligibility)."""
    spec = case.team
    rank = ROLE_RANK.get(p.role, 0)
    if slot == Slot.LEADER:
        if spec.leader is None or rank < ROLE_RANK[spec.leader.min_role] \
                or p.skills.get(case.kind, 0) < spec.leader.min_level:
            return False
    elif (slot == Slot.PROSECUTOR and rank == 0) or \
            (slot in (Slot.ASSISTANT, Slot.CLERK) and p.role.value != slot.value):
        return False
    if p.home not in homes or p.home in case.exclude_units or p.id in case.exclude_prosecutors:
        return False
    if case.pool is not None and p.id not in s.pool_by_id[case.pool].members:
        return False
    if any(gap.start <= case.end and case.start <= gap.end for gap in p.unavailable):
        return False
    if max(p.load_on(day) for day in _days(case.start, case.end)) + spec.load > p.capacity + EPS:
        return False
    if slot not in spec.remote_roles:
        far = minutes.get(p.home)
        limit = spec.max_travel_minutes
        if far is None or (limit is not None and far > limit + EPS):
            return False
    return True


def _needs_met(s: Scenario, case: Case, p: Prosecutor) -> list[bool]:
    """Which coverage needs of `case` with a count above 0 `p` meets: skills, languages,
    tiers."""
    spec = case.team
    met = [p.skills.get(n.skill, 0) >= n.min_level for n in spec.skills if n.count > 0]
    met += [n.language in p.languages for n in spec.languages if n.count > 0]
    met += [s.unit_by_id[p.home].tier == tier for tier, count in spec.tiers.items() if count > 0]
    return met


def _no_standby(s: Scenario, teams: dict[str, list[TeamMember]],
                distance: dict[str, dict[str, float]]) -> int:
    """Members of staffed mandatory cases for whom no one else could stand by: someone not
    on the team, fit for the member's slot, meeting every coverage need the member meets,
    and serving on no staffed case overlapping in time."""
    people, cases = s.prosecutor_by_id, s.case_by_id
    busy: dict[str, list[Case]] = defaultdict(list)
    for cid, team in teams.items():
        for m in team:
            busy[m.prosecutor].append(cases[cid])
    lacking = 0
    for cid, team in teams.items():
        case = cases[cid]
        if not case.mandatory:
            continue
        homes = allowed_homes(s, case)
        free = [p for p in s.prosecutors
                if not any(c.start <= case.end and case.start <= c.end for c in busy[p.id])]
        # Per slot, the needs met by each free person who may fill it.
        fit = {slot: [_needs_met(s, case, p) for p in free
                      if _may_stand_by(s, case, slot, p, homes, distance[case.venue])]
               for slot in {m.slot for m in team}}
        for m in team:
            mine = _needs_met(s, case, people[m.prosecutor])
            if not any(all(has or not need for has, need in zip(theirs, mine, strict=True))
                       for theirs in fit[m.slot]):
                lacking += 1
    return lacking


def _costs(s: Scenario, teams: dict[str, list[TeamMember]],
           distance: dict[str, dict[str, float]], w: Weights) -> dict[str, float]:
    people = s.prosecutor_by_id
    raw = dict.fromkeys(COST_TERMS, 0.0)
    for cid, team in teams.items():
        case = s.case_by_id[cid]
        near = {case.lead, case.venue} | paired_with(s, case.lead) | paired_with(s, case.venue)
        for m in team:
            home = people[m.prosecutor].home
            if m.on_site:
                raw["travel"] += distance[case.venue].get(home, 0.0)
            raw["off_pair"] += home not in near
        raw["units"] += len({people[m.prosecutor].home for m in team})
        if len(team) >= 3 and all(people[m.prosecutor].years > 3 for m in team):
            raw["no_junior"] += 1
    raw["peak_load"] = _peak(s, teams)
    kept = {(m.case, m.prosecutor, m.slot) for team in teams.values() for m in team}
    raw["changes"] = sum(1 for a in s.previous
                         if not a.pinned and (a.case, a.prosecutor, a.slot) not in kept)
    # Only when weighted: it asks every person of the province for every mandatory member.
    raw["no_standby"] = _no_standby(s, teams, distance) if w.no_standby > 0 else 0
    return {term: getattr(w, term) * value for term, value in raw.items()}


def _reported_objective(roster: Roster, report: CheckReport, bad: list[Violation]) -> None:
    obj = roster.objective
    if obj is None:
        return
    if obj.staffed_priority != report.staffed_priority:
        bad.append(Violation("objective", why("check.priority_mismatch",
                                              reported=obj.staffed_priority,
                                              recomputed=report.staffed_priority)))
    if abs(obj.cost - report.cost) > TOLERANCE:
        bad.append(Violation("objective", why("check.cost_mismatch", reported=f"{obj.cost:.2f}",
                                              recomputed=f"{report.cost:.2f}")))
    # Bounds cannot be verified without solving; a bound the roster itself beats is wrong.
    if roster.priority_bound is not None and roster.priority_bound < report.staffed_priority:
        bad.append(Violation("objective", why("check.priority_bound", bound=roster.priority_bound,
                                              priority=report.staffed_priority)))
    if roster.bound is not None and roster.bound > report.cost + TOLERANCE:
        bad.append(Violation("objective", why("check.cost_bound", bound=f"{roster.bound:.2f}",
                                              cost=f"{report.cost:.2f}")))
