"""Standbys: for each member of each staffed team, the best person to take their place.

A standby takes one member's slot alone, with every hard rule kept and every other team
as it is: they are eligible for that slot (rules 2 and 3, settled in
`scheduler.instance.eligibility`), not already on the team, leave the team's coverage and
unit counts whole (rule 4), and fit capacity and their office's home staffing (rules 5
and 6) beside every other booking of the roster, checked by the same `Ledger` the roster
builders use. "Absent" means off the team; the member's office counts them as the
scenario says, so a substituted roster passes the independent checker.

The best standby is the one whose team costs least with them in (travel, members from
outside the pairs, offices, no junior); peak_load is a term of the whole roster and is
left out of the ranking. When nobody qualifies, the answer names the rule that keeps the
most candidates out, as a structured reason.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from models import Case, Roster, Scenario
from models.ids import CaseId, ProsecutorId
from models.reason import Reason, listing, term, why
from models.resilience import BlockingRule, MemberCover, Resilience, TeamResilience
from scheduler.construct.ledger import Ledger
from scheduler.explain.words import case_ref, person_ref
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, make_context
from scheduler.report import SLOT_ORDER, team_cost


@dataclass(frozen=True)
class _Blocked:
    rule: BlockingRule
    need: Reason | None = None  # for coverage: the requirement that would fail


def unmet_need(ctx: Context, case: Case, team: list[ProsecutorId]) -> Reason | None:
    """The first coverage or unit-count requirement (rule 4) that `team` fails, or None."""
    s = ctx.scenario
    people, units = s.prosecutor_by_id, s.unit_by_id
    members = [people[p] for p in team]
    spec = case.team
    for n in spec.skills:
        if sum(m.level(n.skill) >= n.min_level for m in members) < n.count:
            return why("req.skill", count=n.count, skill=term("kind", n.skill),
                       level=n.min_level)
    for lang in spec.languages:
        if sum(lang.language in m.languages for m in members) < lang.count:
            return why("req.language", count=lang.count, language=term("language", lang.language))
    for tier, count in spec.tiers.items():
        if sum(units[m.home].tier is tier for m in members) < count:
            return why("req.tier", count=count, tier=term("tier", tier.value))
    homes = len({m.home for m in members})
    if spec.max_units is not None and homes > spec.max_units:
        return why("req.max_units", units=spec.max_units)
    if spec.min_units is not None and homes < spec.min_units:
        return why("req.min_units", units=spec.min_units)
    return None


def resilience(ctx: Context, chosen: list[Option], staffed: set[CaseId]) -> Resilience:
    """The standbys and fragility of the roster whose assignments are `chosen`."""
    s = ctx.scenario
    ledger = Ledger(s)
    journals: dict[tuple[ProsecutorId, CaseId], list[tuple[str, str, int]]] = {}
    teams: dict[CaseId, list[Option]] = defaultdict(list)
    for o in chosen:
        journal: list[tuple[str, str, int]] = []
        ledger.commit(o, s.case_by_id[o.case], journal)
        journals[o.person, o.case] = journal
        teams[o.case].append(o)
    out = []
    for case in s.cases:
        if case.id not in staffed:
            continue
        team = sorted(teams[case.id], key=lambda o: (SLOT_ORDER[o.slot], o.person))
        covers = []
        for member in team:
            # The member steps off the team: their load and absence are taken back while
            # the candidates are tried, and booked again after.
            ledger.undo(journals[member.person, case.id], case)
            covers.append(_cover(ctx, ledger, case, team, member))
            ledger.commit(member, case, journals[member.person, case.id])
        falls = [c.prosecutor for c in covers if c.standby is None]
        out.append(TeamResilience(case=case.id, mandatory=case.mandatory, members=covers,
                                  without_standby=len(falls), falls_if_absent=falls))
    return Resilience(scenario=s.name, teams=out,
                      fragile_mandatory=[t.case for t in out if t.mandatory and t.falls_if_absent])


def _cover(ctx: Context, ledger: Ledger, case: Case, team: list[Option],
           member: Option) -> MemberCover:
    people = ctx.scenario.prosecutor_by_id
    others = [o for o in team if o is not member]
    on_team = {o.person for o in team}
    base = team_cost(ctx, case, team)
    who = person_ref(people[member.person])
    if member.person in case.require_prosecutors:
        return _none(case, member, who, _Blocked("required"))
    blocked: Counter[_Blocked] = Counter()
    best: tuple[float, ProsecutorId] | None = None
    for o in ctx.candidates.by_case.get(case.id, []):
        if o.slot is not member.slot or o.person in on_team:
            continue
        need = unmet_need(ctx, case, [x.person for x in others] + [o.person])
        if need is not None:
            blocked[_Blocked("coverage", need)] += 1
            continue
        if not ledger.fits(o, case):
            # Capacity is tested first, so a candidate short at home may be over capacity too.
            short_at_home = not ledger.home_allows(o, case)
            blocked[_Blocked("home_staffing" if short_at_home else "capacity")] += 1
            continue
        change = team_cost(ctx, case, [*others, o]) - base
        if best is None or (change, o.person) < best:
            best = change, o.person
    if best is None:
        if not blocked:
            return _none(case, member, who, _Blocked("none_eligible"))
        return _none(case, member, who, max(blocked, key=lambda b: (blocked[b], b.rule)),
                     blocked)
    change, standby = best
    return MemberCover(prosecutor=member.person, slot=member.slot, standby=standby,
                       cost_change=round(change, 2),
                       reason=why("standby.named", standby=person_ref(people[standby]),
                                  person=who, slot=term("slot", member.slot.value)))


def _none(case: Case, member: Option, who: Reason, main: _Blocked,
          blocked: Counter[_Blocked] | None = None) -> MemberCover:
    """No standby: the case falls if the member is absent, because of `main` (and, when
    candidates were tried, how many each rule kept out)."""
    if main.rule == "required":
        because = why("block.required", person=who)
    elif main.rule == "none_eligible":
        because = why("block.none_eligible", slot=term("slot", member.slot.value))
    else:
        tally = []
        for b, n in sorted((blocked or Counter()).items(), key=lambda kv: (-kv[1], kv[0].rule)):
            if b.rule == "coverage":
                assert b.need is not None
                tally.append(why("block.coverage", count=n, need=b.need))
            else:
                tally.append(why(f"block.{b.rule}", count=n))
        because = listing(tally)
    return MemberCover(prosecutor=member.person, slot=member.slot, blocked_by=main.rule,
                       reason=why("standby.none", case=case_ref(case), person=who,
                                  because=because))


def roster_resilience(scenario: Scenario, roster: Roster) -> Resilience:
    """The standbys and fragility of a roster of `scenario` (as solved: with the
    commitments it was solved with, if any)."""
    ctx = make_context(scenario)
    by_key = {(o.person, o.case, o.slot): o for c in roster.cases if c.staffed
              for o in ctx.candidates.by_case.get(c.id, [])}
    # A member no longer eligible as the scenario stands keeps their place as the roster
    # has it: the other members' standbys are still worth knowing.
    chosen = [by_key.get((m.prosecutor, m.case, m.slot))
              or Option(m.prosecutor, m.case, m.slot, m.on_site, m.travel_minutes)
              for m in roster.assignments()]
    return resilience(ctx, chosen, {c.id for c in roster.cases if c.staffed})
