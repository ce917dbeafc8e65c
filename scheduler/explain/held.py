"""Which offices home staffing (rule 6) keeps from sending one more person to a case,
beside the staffed teams that took their people away: the numbers behind a reason that
names home staffing, as capacity's are the people on the teams."""

from collections.abc import Mapping, Sequence

from models import Case
from models.enums import is_prosecutor_rank
from models.ids import CaseId
from models.reason import Reason, why
from scheduler.construct.ledger import Ledger
from scheduler.explain.words import case_ref, unit_ref
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.model.costs import overlap


def held_at_home(m: Context, case: Case, teams: Mapping[CaseId, Sequence[Option]],
                 named: Sequence[CaseId]) -> list[Reason]:
    """Each office of `case`'s eligible people that cannot spare one more on some day of
    the case beside the teams of `named` (its staff present, how many it keeps at home,
    how many are away and how many of those on the named teams), where those teams take
    some of its people away then."""
    s = m.scenario
    ledger = Ledger(s)
    for c in named:
        for o in teams[c]:
            ledger.commit(o, s.case_by_id[c], [])
    people = s.prosecutor_by_id
    offices = sorted({people[p].home for p in m.candidates.people(case.id)
                      if is_prosecutor_rank(people[p].role) and people[p].home != case.venue})
    out = []
    for office in offices:
        day = ledger.first_short(office, case)
        if day is None:
            continue
        unit = s.unit_by_id[office]
        away = ledger.away[office]  # booked by `first_short`
        on_teams = {c: {o.person for o in teams[c] if people[o.person].home == office
                        and ledger.leaves_home(o, s.case_by_id[c])
                        and s.case_by_id[c].start.toordinal() <= day
                        <= s.case_by_id[c].end.toordinal()}
                    for c in named if overlap(s.case_by_id[c], case)}
        taken = set().union(*on_teams.values())
        if not taken:
            continue  # its own commitments hold it, not the teams
        present = ledger.present(office, day)
        out.append(why("home.held", unit=unit_ref(unit), kept=min(unit.min_staff_at_home, present),
                       present=present, away=away.get(day, 0), taken=len(taken),
                       cases=[case_ref(s.case_by_id[c]) for c, p in sorted(on_teams.items())
                              if p]))
    return out
