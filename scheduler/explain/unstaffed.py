"""Why a case is unstaffed, or why a scenario is infeasible, in a command center's words.

First each requirement of the case is checked alone against the people eligible for it
(with numbers). If each alone can be met, the case is solved alone with its requirements
as CP-SAT assumptions: an infeasible core names the requirements that conflict, and the
rules without requirements of their own (capacity, home staffing) they conflict under. If
it can be staffed alone, it is solved once more beside the staffed teams it shares people
or offices with, pinned, where time allows: a core names those teams and the rules that
keep the case out; else the answer names the cases that took its people.
"""

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import combinations
from typing import Literal

from ortools.sat.python import cp_model as cp

from models import Assignment, Case, Prosecutor, Scenario, Slot
from models.enums import ROLE_RANK, Role, slot_takes
from models.ids import CaseId, ProsecutorId, Skill, UnitId
from models.reason import Reason, date, listing, term, why
from scheduler import clock
from scheduler.explain.held import held_at_home
from scheduler.explain.words import case_ref, person_ref, unit_ref
from scheduler.instance.eligibility import (
    Option,
    role_fits,
    why_not,
    why_not_home,
    why_not_person,
    why_not_role,
    why_not_travel,
)
from scheduler.instance.scope import units_in_scope
from scheduler.instance.travel import TravelTable
from scheduler.model.core import Context, Requirement, RosterModel, build_model
from scheduler.model.costs import overlap

# Seconds for each small feasibility solve behind an explanation, and the least worth
# starting one with (most answer in 10 to 150 ms).
EXPLAIN_SECONDS = 2.0
MIN_CORE_SECONDS = 0.1
# A core's cases name the people they compete for when this many or fewer.
CONTESTED_NAMED = 3


def _context(m: Context, case: Case) -> Reason:
    s = m.scenario
    lead, venue = s.unit_by_id[case.lead], s.unit_by_id[case.venue]
    parts = [why("ctx.scope", scope=term("scope", s.scope_of(case).value), lead=unit_ref(lead))]
    if case.team.max_travel_minutes is not None:
        parts.append(why("ctx.travel", minutes=case.team.max_travel_minutes, venue=unit_ref(venue)))
    parts.append(why("ctx.dates", start=date(case.start.isoformat()), end=date(case.end.isoformat())))
    return listing(parts, "comma")


def _why_others(m: Context, case: Case, people: Iterable[ProsecutorId]) -> list[Reason]:
    """A tally of why the people who have the quality but are not eligible are left out."""
    s = m.scenario
    scope = units_in_scope(s, m.geography, case)
    # Counted by key, each reason keyed once where it can be: a reason's key is its JSON,
    # and hashing reasons themselves made this 25 ms a case.
    tally: Counter[str] = Counter()
    named: dict[str, Reason] = {}
    # Most reasons are the same few objects (eligibility makes them once): their keys are
    # asked once, by identity, each kept alive here so that no identity is reused.
    keys: dict[int, tuple[str, Reason]] = {}

    def key(reason: Reason) -> str:
        if id(reason) not in keys:
            keys[id(reason)] = (reason.key(), reason)
        k = keys[id(reason)][0]
        named.setdefault(k, reason)
        return k

    # Most people of a province are out of scope, all for the one reason of the case's
    # scope: counted as a set, not one by one (a third of the explaining of tight 4,000 x
    # 700, which every what-if repeats).
    people = set(people)
    inside = people & m.people_in(case, scope)
    if len(inside) < len(people):
        outsider = s.prosecutor_by_id[next(iter(people - inside))]
        far = why_not_home(s, scope, outsider.home, case)
        assert far is not None  # their home is out of scope
        tally[key(far)] += len(people) - len(inside)
    # Whether some slot takes a person depends on their role, level and home alone: asked
    # once for each such kind of person (a case open to 2,500 people has a few hundred),
    # not once a person (7.6 s of a 10 s solve explaining 252 such cases).
    by_kind: dict[tuple[Role, int, UnitId], Reason | None] = {}
    slots = case.team.slots()
    for pid in inside:
        person = s.prosecutor_by_id[pid]
        # A reason that keeps the person off every slot is asked once, not once a slot.
        general = why_not_person(s, m.travel, scope, person, case)
        if general is not None:
            tally[key(general)] += 1
            continue
        kind = (person.role, person.level(case.kind), person.home)
        if kind not in by_kind:
            fits = any(role_fits(kind[0], kind[1], case, slot)
                       and why_not_travel(m.travel, kind[2], case, slot) is None
                       for slot in slots)
            by_kind[kind] = None if fits else _main_reason(person, case, m.travel)
        if (reason := by_kind[kind]) is not None:
            tally[key(reason)] += 1
    # Ties by key: the people come as a set, whose order varies from run to run.
    top = sorted(tally.items(), key=lambda item: (-item[1], item[0]))[:3]
    return [why("tally", people=n, why=named[k]) for k, n in top]


def _main_reason(person: Prosecutor, case: Case, travel: TravelTable) -> Reason:
    """Why `person` fits no slot of `case`: the travel rule if their role fits some slot
    (a deputy chief too far away is too far away, whatever the leader's rank), else the
    first slot's role rule."""
    slots = case.team.slots()
    level = person.level(case.kind)
    fitting = [sl for sl in slots if role_fits(person.role, level, case, sl)]
    for slot in fitting:
        if (far := why_not_travel(travel, person.home, case, slot)) is not None:
            return far
    found = why_not_role(person.role, level, case, slots[0])
    assert found is not None  # the caller asks only about people no slot takes
    return found


@dataclass(frozen=True)
class Need:
    """One countable requirement of a team: `count` people out of `able` (everyone who has it)."""

    what: Reason
    count: int
    able: frozenset[ProsecutorId]
    slot: Slot | None = None  # for a slot need, only options of that slot count as eligible


def _leads(p: Prosecutor, rank: int, kind: Skill, level: int) -> bool:
    return ROLE_RANK.get(p.role, 0) >= rank and p.level(kind) >= level


def _fills(p: Prosecutor, slot: Slot) -> bool:
    return slot_takes(slot, p.role)


def _needs(m: Context, case: Case) -> list[Need]:
    team = case.team
    out = []
    for slot in team.slots():
        if slot is Slot.LEADER:
            assert team.leader is not None
            lead = team.leader
            able = m.people_having(("leader", lead.min_role, case.kind, lead.min_level),
                                   partial(_leads, rank=ROLE_RANK[lead.min_role],
                                           kind=case.kind, level=lead.min_level))
            out.append(Need(why("need.leader", role=term("role", lead.min_role.value),
                                kind=term("kind", case.kind.value), level=lead.min_level),
                            1, able, slot))
        else:
            able = m.people_having(("slot", slot), partial(_fills, slot=slot))
            count = team.slot_count(slot)
            out.append(Need(why(f"need.slot.{slot.value}", count=count), count, able, slot))
    for n in team.skills:
        out.append(Need(why("need.skill", count=n.count, skill=term("kind", n.skill),
                            level=n.min_level), n.count,
                        m.skilled(n.skill, n.min_level)))
    for lang in team.languages:
        out.append(Need(why("need.language", count=lang.count,
                            language=term("language", lang.language)), lang.count,
                        m.speaking(lang.language)))
    for tier, count in team.tiers.items():
        out.append(Need(why("need.tier", count=count, tier=term("tier", tier.value)), count,
                        m.of_tier(tier)))
    return out


def shortfalls(m: Context, case: Case,
               busy: Mapping[ProsecutorId, list[CaseId]] | None = None) -> list[Reason]:
    """Each requirement of `case` that its eligible people, less the `busy` ones, cannot meet."""
    s, team = m.scenario, case.team
    busy = busy or {}
    eligible = set(m.candidates.people(case.id))
    free = eligible - set(busy)
    ctx = _context(m, case)
    out = []
    by_slot: dict[Slot, set[ProsecutorId]] = {slot: set() for slot in team.slots()}
    for o in m.candidates.by_case.get(case.id, ()):
        by_slot[o.slot].add(o.person)
    for need in _needs(m, case):
        have = by_slot[need.slot] if need.slot is not None else set(need.able & eligible)
        if len(have & free) >= need.count:
            places = None if need.slot else _too_few_places(case, ctx, by_slot, need, have & free)
            if places is not None:
                out.append(places)
            continue
        taken = sorted(have - free)
        others = [] if busy else _why_others(m, case, need.able - have)
        if taken:
            cases = sorted({c for p in taken for c in busy[p]})
            out.append(why("shortfall.taken", need=need.what, context=ctx, eligible=len(have),
                           taken=len(taken), cases=[_case(s, c) for c in cases]))
        elif others:
            out.append(why("shortfall.others", need=need.what, context=ctx, eligible=len(have),
                           others=others))
        else:
            out.append(why("shortfall", need=need.what, context=ctx, eligible=len(have)))
    if not busy and len(eligible) < team.size:
        out.append(why("shortfall.distinct", count=team.size, context=ctx, eligible=len(eligible)))
    homes = {s.prosecutor_by_id[p].home for p in eligible}
    if not busy and team.min_units is not None and len(homes) < team.min_units:
        out.append(why("shortfall.units", units=team.min_units, context=ctx, homes=len(homes)))
    scope = units_in_scope(s, m.geography, case)
    for pid in case.require_prosecutors:
        person = s.prosecutor_by_id[pid]
        if pid not in eligible:
            reasons = {r for sl in team.slots()
                       if (r := why_not(s, m.travel, scope, person, case, sl)) is not None}
            out.append(why("requires.ineligible", person=person_ref(person),
                           why=listing(sorted(reasons, key=Reason.key))))
        elif pid in busy:
            out.append(why("requires.busy", person=person_ref(person),
                           cases=[_case(s, c) for c in busy[pid]]))
    return out


def _too_few_places(case: Case, context: Reason, by_slot: Mapping[Slot, set[ProsecutorId]],
                    need: Need, have: set[ProsecutorId]) -> Reason | None:
    """Why `need` fails on the team's places though enough eligible people (`have`) meet
    it, or None if the places can hold it. The places of some slot kinds can go to no
    more of those people than are eligible for them (`by_slot`), and the other places
    to at most their number (Hall's theorem: the fewest over every set of slot kinds is
    the most the team can hold). So five members with a skill cannot be had in a team of
    five whose leader must be a chief when no eligible chief has it, nor three where one
    deputy chief is the only one who may lead or fill the prosecutor's place."""
    team = case.team
    kinds = list(by_slot)
    fit = {slot: people & have for slot, people in by_slot.items()}
    least: tuple[int, tuple[Slot, ...]] | None = None
    for size in range(1, len(kinds) + 1):
        for short in combinations(kinds, size):
            most = (sum(team.slot_count(s) for s in kinds if s not in short)
                    + len(set().union(*(fit[s] for s in short))))
            if least is None or most < least[0]:
                least = (most, short)
    if least is None or least[0] >= need.count:
        return None
    most, short = least
    if len(short) == 1:
        [slot] = short
        places = why("place", slot=term("slot", slot.value), fit=len(fit[slot]),
                     places=team.slot_count(slot))
    else:
        places = why("places.shared", slots=listing([term("slot", s.value) for s in short],
                                                    "comma"),
                     fit=len(set().union(*(fit[s] for s in short))),
                     places=sum(team.slot_count(s) for s in short))
    return why("shortfall.places", need=need.what, context=context, eligible=len(have),
               most=most, places=places)


def _case(s: Scenario, case: CaseId) -> Reason:
    return case_ref(s.case_by_id[case])


@dataclass(frozen=True)
class Core:
    """An infeasible core: its requirements, and the rules with no requirement of their own
    (capacity, home staffing: `RosterModel.switches`) that they conflict under."""

    requirements: list[Requirement]
    rules: list[str]


def _solve(m: RosterModel, assumed: list[cp.IntVar], seconds: float
           ) -> set[int] | Literal["feasible"] | None:
    """The indices of a core of the `assumed` literals, "feasible", or None if no answer
    came within `seconds`."""
    m.model.clear_assumptions()
    m.model.add_assumptions(assumed)
    solver = cp.CpSolver()
    solver.parameters.catch_sigint_signal = False  # as in scheduler.search.phases
    clock.current().limit(solver.parameters, seconds)
    # Cores need a single worker and no objective (CP-SAT's rule for assumptions).
    solver.parameters.num_workers = 1
    status = solver.solve(m.model)
    clock.current().spent(solver, m.model)
    if status in (cp.FEASIBLE, cp.OPTIMAL):
        return "feasible"
    if status != cp.INFEASIBLE:
        return None
    return set(solver.sufficient_assumptions_for_infeasibility())


def _core(scenario: Scenario, seconds: float, context: Context | None = None
          ) -> Core | Literal["feasible"] | None:
    """An infeasible core (with no requirements when the rules alone conflict), "feasible"
    when the scenario is proven feasible, or None when no answer came within `seconds`.
    `context`, if given, is the scenario's (see `build_model`)."""
    until = clock.now() + seconds
    return _core_of(build_model(scenario, explain=True, context=context), until)


def _core_of(m: RosterModel, until: float, off: Collection[str] = ()
             ) -> Core | Literal["feasible"] | None:
    """`_core` of a model built for explaining, by `until`, with the rules of `off`
    switched off (their switches left out of the assumptions)."""
    on = _switched_on(m, off)
    assumed = [r.literal for r in m.assumptions] + list(on.values())
    core = _solve(m, assumed, until - clock.now())
    if not isinstance(core, set):
        return core
    # CP-SAT's core need not be minimal: a rule is named only if the core's requirements
    # can all hold without it, every other rule kept. Each check is one more solve of the
    # same small model, and only for a rule in the core (home staffing, mostly: a case
    # alone never overloads anyone, as eligibility leaves out who would be). Where they
    # cannot, a core of the solve without the rule is smaller and explains as well. Asked
    # of all the requirements instead, a scenario whose case y fails under home staffing
    # alone was explained by x and y under capacity, which had no part in it. A rule left
    # unchecked for lack of time is not named: whether it is why is not known.
    switches = {literal.index for literal in on.values()}
    named: list[str] = []
    for rule, literal in on.items():
        left = until - clock.now()
        if literal.index not in core or left < MIN_CORE_SECONDS:
            continue
        kept = [a for a in assumed if a.index != literal.index
                and (a.index in switches or a.index in core)]
        again = _solve(m, kept, left)
        if again == "feasible":
            named.append(rule)
        elif isinstance(again, set):
            core = again | {on[r].index for r in named}
    by_index = {r.literal.index: r for r in m.assumptions}
    return Core([by_index[i] for i in sorted(core) if i in by_index], named)


def _switched_on(m: RosterModel, off: Collection[str]) -> dict[str, cp.IntVar]:
    """The model's rule switches, by rule, but those of `off`."""
    return {rule: literal for rule, literal in m.switches.items() if rule not in off}


def _under(rules: list[str], sep: str = "and") -> Reason:
    """The rules a core conflicts under, in words, joined by `sep` ("and", or "or" where
    relaxing any one of them is enough)."""
    return listing([why(f"named_rule.{rule}") for rule in rules], sep)


@dataclass(frozen=True)
class Unstaffed:
    """Why a case is unstaffed, and whether that is proven to hold for every valid roster."""

    reason: Reason
    # True when the case cannot be staffed even alone: no valid roster staffs it, since
    # other staffed cases only add load and absences.
    impossible: bool
    # True when the case was proven to be staffable alone (`beside_reason` may say why not
    # beside the staffed teams).
    fits_alone: bool = False


def unstaffed_reasons(m: Context, cases: Iterable[Case], chosen: Sequence[Option],
                      deadline: float = math.inf) -> dict[CaseId, Unstaffed]:
    """Why each of `cases` is not staffed beside the teams of `chosen`. Each is asked alone
    first (`unstaffed_reason`): a case proven impossible bounds the priority of every
    roster. With the time left by `deadline`, those that could be staffed alone are asked
    beside the teams (`beside_reason`), the highest priority first."""
    s = m.scenario
    teams: dict[CaseId, list[Option]] = {}
    for o in chosen:
        teams.setdefault(o.case, []).append(o)
    members = {c: {o.person for o in team} for c, team in teams.items()}
    out = {case.id: unstaffed_reason(m, case, members, deadline) for case in cases}
    fitting = sorted((c for c, u in out.items() if u.fits_alone),
                     key=lambda c: (-s.case_by_id[c].priority, c))
    for c in fitting:
        if deadline - clock.now() < MIN_CORE_SECONDS:
            break
        said = beside_reason(m, s.case_by_id[c], teams, deadline)
        if said is not None:
            out[c] = replace(out[c], reason=said)
    return out


def unstaffed_reason(m: Context, case: Case, staffed_teams: dict[CaseId, set[ProsecutorId]],
                     deadline: float = math.inf) -> Unstaffed:
    """Why `case` is not staffed: its failing requirement, a conflict, or its competitors.

    Past `deadline` (a time on `scheduler.clock`) no CP-SAT core is sought: only counts are given."""
    found = shortfalls(m, case)
    if found:
        return Unstaffed(listing(found), impossible=True)
    core = None
    if deadline - clock.now() >= MIN_CORE_SECONDS:
        alone = m.scenario.replace(cases=[case.model_copy(update={"mandatory": True})], previous=[])
        # Eligibility looks at one case at a time, so the case's options stand alone.
        context = Context(alone, m.geography, m.travel, m.candidates.narrowed([case.id], {}),
                          calendars=m.calendars)
        core = _core(alone, min(EXPLAIN_SECONDS, deadline - clock.now()), context)
    if isinstance(core, Core):
        named = [r.why for r in core.requirements if r.why.code != "req.mandatory"]
        if not named:
            # Only the rules conflict; which of them, where they were checked.
            return Unstaffed(why("conflict.rules", rules=_under(core.rules)) if core.rules
                             else why("conflict.capacity"), impossible=True)
        if core.rules:
            return Unstaffed(why("conflict.core_under", requirements=listing(named),
                                 rules=_under(core.rules)), impossible=True)
        return Unstaffed(why("conflict.core", requirements=listing(named)), impossible=True)
    eligible = set(m.candidates.people(case.id))
    busy: dict[ProsecutorId, list[CaseId]] = {}
    rivals = []
    for other_id, team in staffed_teams.items():
        other = m.scenario.case_by_id[other_id]
        shared = team & eligible
        if shared and overlap(other, case):
            rivals.append((len(shared), other_id))
            for p in shared:
                busy.setdefault(p, []).append(other_id)
    # "rivals" say the case could be staffed alone, as its model proved; "busy" say the
    # same of the staffed cases without that claim, when no proof came in the time.
    fits = core == "feasible"
    said = "rivals" if fits else "busy"
    found = shortfalls(m, case, busy)
    if found:
        return Unstaffed(why(f"{said}.shortfall", shortfalls=listing(found)), impossible=False,
                         fits_alone=fits)
    if rivals:
        named = [why("rival", case=_case(m.scenario, cid), people=n)
                 for n, cid in sorted(rivals, reverse=True)[:4]]
        return Unstaffed(why(f"{said}.named", rivals=named), impossible=False, fits_alone=fits)
    return Unstaffed(why(f"{said}.none"), impossible=False, fits_alone=fits)


def beside_reason(m: Context, case: Case, teams: Mapping[CaseId, Sequence[Option]],
                  deadline: float) -> Reason | None:
    """Why `case`, which can be staffed alone, is not staffed beside `teams` (the staffed
    cases' chosen options): solved with the teams that share its people or their offices
    pinned, the cores name those teams and the rules that bind (capacity, home staffing),
    or the case fits beside them as they are. A core holds one reason; where relaxing its
    rules would not be enough (the case's expert on one team, an office's last free
    prosecutor on another), the next core, with those rules off, names more. None where
    no answer came by `deadline` or no rule was named (the counted reason stands)."""
    if deadline - clock.now() < MIN_CORE_SECONDS:
        return None
    until = clock.now() + min(EXPLAIN_SECONDS, deadline - clock.now())
    s = m.scenario
    coupled = _coupled(m, case, teams)
    pins = [Assignment(case=o.case, prosecutor=o.person, slot=o.slot, on_site=o.on_site,
                       pinned=True) for c in coupled for o in teams[c]]
    beside = s.replace(cases=[case.model_copy(update={"mandatory": True})]
                       + [s.case_by_id[c] for c in coupled], previous=pins)
    only = {c: {(o.person, o.slot) for o in teams[c]} for c in coupled}
    model = build_model(beside, explain=True, context=Context(
        beside, m.geography, m.travel, m.candidates.narrowed([case.id, *coupled], only),
        calendars=m.calendars))
    core = _core_of(model, until)
    if core == "feasible":
        return why("beside.fits")
    rules: list[str] = []
    requirements: list[Requirement] = []
    while isinstance(core, Core) and set(core.rules) - set(rules):
        rules += [r for r in core.rules if r not in rules]
        requirements += core.requirements
        if until - clock.now() < MIN_CORE_SECONDS:
            break
        core = _core_of(model, until, off=rules)
    others = sorted({r.case for r in requirements if r.case != case.id})
    if not rules or not others:
        return None  # no rule named, or its teams had no part: not a proof about them
    named = [_case(s, c) for c in others]
    rules = [r for r in model.switches if r in rules]
    # Two rules named may each keep it out alone (relax both to staff it), or each be
    # enough to relax (its expert kept by capacity, the other candidate by home staffing):
    # the words say which, where the time allows asking.
    either = len(rules) > 1 and all(_fits_without(model, until, rule) for rule in rules)
    under = _under(rules, "or" if either else "and")
    teams_of = ("beside.team" if len(named) == 1 else "beside.teams") + (
        ".either" if either else "")
    # The counted shortfalls say which need the teams' people leave unmet, with numbers;
    # else the case's own requirements in the cores.
    busy: dict[ProsecutorId, list[CaseId]] = {}
    for c in others:
        for p in sorted({o.person for o in teams[c]}):
            busy.setdefault(p, []).append(c)
    own = list({r.why.key(): r.why for r in requirements
                if r.case == case.id and r.why.code != "req.mandatory"}.values())
    # Home staffing's numbers are the offices that cannot spare one more.
    held = held_at_home(m, case, teams, others) if "home_staffing" in rules else []
    details = shortfalls(m, case, busy) + held or own
    if details:
        return why(f"{teams_of}.details", cases=named, rules=under, details=listing(details))
    return why(f"{teams_of}.rules", cases=named, rules=under)


def _fits_without(m: RosterModel, until: float, rule: str) -> bool:
    """Whether every requirement of the model can hold with `rule` off and the other rules
    on, proven by `until`."""
    if until - clock.now() < MIN_CORE_SECONDS:
        return False
    assumed = [r.literal for r in m.assumptions] + list(_switched_on(m, [rule]).values())
    return _solve(m, assumed, until - clock.now()) == "feasible"


def _coupled(m: Context, case: Case, teams: Mapping[CaseId, Sequence[Option]]) -> list[CaseId]:
    """The staffed cases on days that meet `case`'s whose teams it could compete with: a
    member eligible for it (capacity), or a member on site away from an office that one of
    its eligible people would also leave (home staffing). No other rule spans two teams."""
    s = m.scenario
    eligible = set(m.candidates.people(case.id))
    offices = {s.prosecutor_by_id[p].home for p in eligible}
    out = []
    for c, team in sorted(teams.items()):
        other = s.case_by_id[c]
        if not overlap(other, case):
            continue
        if any(o.person in eligible or (o.on_site and s.prosecutor_by_id[o.person].home in offices
                                        and s.prosecutor_by_id[o.person].home != other.venue)
               for o in team):
            out.append(c)
    return out


def musts(scenario: Scenario) -> Scenario | None:
    """The mandatory cases and the cases with pinned assignments, alone, with their pins;
    None if there are none. If no roster of these meets rules 7 and 8, none of the whole
    scenario does: the other cases only take people and staff away."""
    pinned = {a.case for a in scenario.previous if a.pinned}
    cases = [c for c in scenario.cases if c.mandatory or c.id in pinned]
    if not cases:
        return None
    return scenario.replace(cases=cases, previous=[a for a in scenario.previous if a.pinned])


def _pins_refused(m: Context) -> list[Reason]:
    """Each pinned assignment its person cannot take at all, with the rule that refuses it."""
    s = m.scenario
    out = []
    for a in s.previous:
        if not a.pinned:
            continue
        offered = {(o.person, o.slot) for o in m.candidates.by_case.get(a.case, ())}
        if (a.prosecutor, a.slot) in offered:
            continue
        case, person = s.case_by_id[a.case], s.prosecutor_by_id[a.prosecutor]
        refused = why_not(s, m.travel, units_in_scope(s, m.geography, case), person, case, a.slot)
        requirement = why("req.pinned", person=person_ref(person), slot=term("slot", a.slot.value))
        out.append(why("infeasible.case_shortfalls", case=case_ref(case), requirement=requirement,
                       shortfalls=refused) if refused is not None
                   else why("infeasible.case", case=case_ref(case), requirement=requirement))
    return out


def _musts_short(m: Context) -> list[Reason]:
    """Each mandatory case that its eligible people cannot staff even alone, with why."""
    return [why("infeasible.case_shortfalls", case=case_ref(case), requirement=why("req.mandatory"),
                shortfalls=listing(found))
            for case in m.scenario.cases if case.mandatory and (found := shortfalls(m, case))]


def counted_infeasibility(m: Context) -> Reason | None:
    """Why no roster can meet the mandatory cases and pinned assignments, where counting
    alone proves it (in milliseconds, before any model is built); else None."""
    counted = _pins_refused(m) + _musts_short(m)
    return why("infeasible.alone", details=listing(counted)) if counted else None


def infeasible_reason(m: Context, seconds: float) -> Reason | None:
    """Why no roster can meet the mandatory cases and pinned assignments together, or None
    if no proof was found within `seconds`. Counting proves the plain cases at once (a
    pinned person on leave, a mandatory case without a Mongolian speaker); a CP-SAT core on
    those cases alone names the requirements that conflict."""
    counted = counted_infeasibility(m)
    if counted is not None:
        return counted
    alone = musts(m.scenario)
    if alone is None:
        return None
    cases = [c.id for c in alone.cases]
    context = Context(alone, m.geography, m.travel, m.candidates.narrowed(cases, {}),
                      calendars=m.calendars)
    core = _core(alone, seconds, context)
    if not isinstance(core, Core):
        return None
    details = []
    for r in core.requirements:
        found = shortfalls(context, alone.case_by_id[r.case])
        case = _case(alone, r.case)
        details.append(why("infeasible.case_shortfalls", case=case, requirement=r.why,
                           shortfalls=listing(found)) if found
                       else why("infeasible.case", case=case, requirement=r.why))
    if not details:
        return (why("infeasible.rules", rules=_under(core.rules)) if core.rules
                else why("infeasible.capacity"))
    contested = _contested(context, {r.case for r in core.requirements})
    if contested:
        details.append(why("infeasible.contested", people=listing(contested, "comma")))
    if core.rules:
        return why("infeasible.core_under", details=listing(details), rules=_under(core.rules))
    return why("infeasible.core", details=listing(details))


def _contested(m: Context, cases: set[CaseId]) -> list[Reason]:
    """The people the cases of a core compete for, when there are few: those eligible for
    two or more of them (the contested leader, or the one required person)."""
    if len(cases) < 2:
        return []
    counts = Counter(p for c in cases for p in set(m.candidates.people(c)))
    shared = sorted(p for p, n in counts.items() if n >= 2)
    if not 0 < len(shared) <= CONTESTED_NAMED:
        return []
    return [person_ref(m.scenario.prosecutor_by_id[p]) for p in shared]
