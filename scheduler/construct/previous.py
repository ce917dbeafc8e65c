"""The earlier roster, kept wherever it still holds: the start of a re-plan.

A what-if changes little: one person falls ill, one road closes. Most teams of `previous`
are still valid, and a command center expects them kept. This builder keeps every team of
`previous` whose members are all still eligible in their slots and still fit capacity and
home staffing beside the teams kept before it; the other cases of `previous` are the
broken ones the search re-solves first, with everything else fixed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from models import Assignment, Case
from models.ids import CaseId
from scheduler.construct.ledger import Ledger
from scheduler.instance.eligibility import Option, option_for
from scheduler.instance.scope import units_in_scope
from scheduler.model.core import Context


@dataclass(frozen=True)
class Kept:
    """The teams of `previous` that still hold, and the cases whose teams do not."""

    chosen: list[Option]
    staffed: set[CaseId]
    broken: set[CaseId]
    # The members of the broken teams who could still serve in their slot: where a repair
    # starts, so that it replaces only whoever the change took away.
    survivors: list[Option] = field(default_factory=list)


def _still_meets(ctx: Context, case: Case, team: list[Option]) -> bool:
    """Whether `team` still fills the case's slots and meets its coverage (rules 1 and 4)
    and takes everyone it requires: a what-if may have changed the case itself."""
    s, spec = ctx.scenario, case.team
    people = [s.prosecutor_by_id[o.person] for o in team]
    units = {p.home for p in people}
    return (len(units) <= (spec.max_units or len(units)) and len(units) >= (spec.min_units or 0)
            and len(people) == len({p.id for p in people})
            and all(sum(o.slot is slot for o in team) == spec.slot_count(slot)
                    for slot in spec.slots())
            and all(sum(p.level(n.skill) >= n.min_level for p in people) >= n.count
                    for n in spec.skills)
            and all(sum(n.language in p.languages for p in people) >= n.count
                    for n in spec.languages)
            and all(sum(s.unit_by_id[p.home].tier is tier for p in people) >= count
                    for tier, count in spec.tiers.items())
            and set(case.require_prosecutors) <= {p.id for p in people})


def _eligible(ctx: Context, case: Case, assignments: list[Assignment]) -> list[Option]:
    """The options of the previous members who still fit their slot (rules 2 and 3)."""
    s = ctx.scenario
    scope = units_in_scope(s, ctx.geography, case)
    people = s.prosecutor_by_id
    return [o for a in assignments
            if a.prosecutor in people and (o := option_for(
                s, ctx.travel, scope, people[a.prosecutor], case, a.slot)) is not None]


def _team(ctx: Context, case: Case, assignments: list[Assignment]) -> list[Option] | None:
    """The options of a previous team, or None if a member no longer fits their slot (rules
    2 and 3) or the team no longer meets the case."""
    team = _eligible(ctx, case, assignments)
    if len(team) < len(assignments) or not _still_meets(ctx, case, team):
        return None
    return team


def kept_previous(ctx: Context) -> Kept:
    """Keep each previous team that still holds; pinned and mandatory cases first, as
    they must be staffed whatever else moves."""
    s = ctx.scenario
    by_case: dict[CaseId, list[Assignment]] = defaultdict(list)
    for a in s.previous:
        if a.case in s.case_by_id:
            by_case[a.case].append(a)
    ledger = Ledger(s)
    chosen: list[Option] = []
    staffed: set[CaseId] = set()
    broken: set[CaseId] = set()

    def order(case: CaseId) -> tuple[bool, bool, CaseId]:
        c = s.case_by_id[case]
        return (not c.mandatory, not any(a.pinned for a in by_case[case]), case)

    for case_id in sorted(by_case, key=order):
        case = s.case_by_id[case_id]
        team = _team(ctx, case, by_case[case_id])
        journal: list[tuple[str, str, int]] = []
        fits = team is not None
        for option in team or []:
            if not ledger.fits(option, case):
                fits = False
                break
            ledger.commit(option, case, journal)
        if fits and team is not None:
            chosen += team
            staffed.add(case_id)
        else:
            ledger.undo(journal, case)
            broken.add(case_id)
    survivors = [o for case_id in sorted(broken)
                 for o in _eligible(ctx, s.case_by_id[case_id], by_case[case_id])]
    return Kept(chosen, staffed, broken, survivors)
