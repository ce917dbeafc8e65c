"""Home staffing (rule 6) as checks: on the days it can bind, which people of a unit may be
away, on which cases, and how many of them may go.

Both the CP-SAT model (`scheduler.model.rules.home_staffing`) and the relaxation of the
whole province (`scheduler.bounds.relaxation`) state the rule from these checks.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from models import Interval, Prosecutor, Scenario, Unit
from models.enums import is_prosecutor_rank
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler.instance.calendar import availability_changes
from scheduler.instance.eligibility import Candidates

# Whether a person may serve a case on site (some eligible slot of theirs is on site).
OnSite = Callable[[ProsecutorId, CaseId], bool]

# A home-staffing check of one unit on one day: the people who may be away, each with the
# cases that would take them away that day, and how many of them may go.
HomeCheck = tuple[dict[ProsecutorId, frozenset[CaseId]], int]
# A case's first and last day, as ordinals (compared as plain ints), and its venue.
CaseDays = tuple[int, int, UnitId]


def _unit_checks(days_of: dict[CaseId, CaseDays], candidates: Candidates, on_site: OnSite,
                 unit: Unit, staff: list[Prosecutor], most: int | None) -> list[HomeCheck]:
    """The checks of `unit` on each day someone may leave or availability changes, where
    more people could be away than may be (and at most `most` could, if given)."""
    # Per person: (first day, last day, case) of each case they could be on site at,
    # away from this unit.
    away: dict[ProsecutorId, list[tuple[int, int, CaseId]]] = {}
    for p in staff:
        spans = []
        for c in candidates.cases_of(p.id):
            first, last, venue = days_of[c]
            if venue != unit.id and on_site(p.id, c):
                spans.append((first, last, c))
        if spans:
            away[p.id] = spans
    if not away:
        return []
    first = min(s for spans in away.values() for s, _, _ in spans)
    last = max(e for spans in away.values() for _, e, _ in spans)
    checkpoints = {s for spans in away.values() for s, _, _ in spans}
    checkpoints |= {day.toordinal() for day in availability_changes(staff)
                    if first <= day.toordinal() <= last}
    days = np.array(sorted(checkpoints), dtype=np.int64)
    on_leave = _covered(days, [_ordinals(p.unavailable) for p in staff])
    # People a commitment already keeps away cannot leave a second time, but they use up
    # the slack: the roster may not take the unit below its minimum.
    gone = _covered(days, [_ordinals(c for c in p.commitments if c.away)
                           for p in staff]) & ~on_leave
    present = len(staff) - on_leave.sum(axis=0)
    slacks = np.maximum(0, present - np.minimum(unit.min_staff_at_home, present)
                        - gone.sum(axis=0)).tolist()
    row = {p.id: i for i, p in enumerate(staff)}
    leaving = list(away)
    # Person (of `leaving`) by day: free to leave, with a case that day that takes them
    # away. Counted for every day at once, so that only the days with a check are walked
    # case by case: the relaxation of dense 4,000 x 700 (where at most
    # `tuning.RELAXED_HOME_PEOPLE` may be away) walked 209,000 (person, day) pairs for
    # almost none, 1 s of the 3.3 s it took to write.
    may_go = (~on_leave & ~gone)[[row[pid] for pid in leaving]] & _covered(
        days, [[(s, e) for s, e, _ in away[pid]] for pid in leaving])
    counts = may_go.sum(axis=0).tolist()
    checked = [k for k, (slack, going) in enumerate(zip(slacks, counts, strict=True))
               if slack < going <= (going if most is None else most)]
    busy: list[dict[ProsecutorId, frozenset[CaseId]]] = [{} for _ in checked]
    on_days = days[checked]
    for i, pid in enumerate(leaving):
        going_on = np.flatnonzero(may_go[i, checked])
        if not len(going_on):
            continue
        first_days, last_days = np.array([[s, e] for s, e, _ in away[pid]]).T
        today = on_days[going_on]
        # Span by checked day: which of the person's cases take them away that day.
        inside = (first_days[:, None] <= today) & (last_days[:, None] >= today)
        for j, k in enumerate(going_on.tolist()):
            busy[k][pid] = frozenset([away[pid][x][2] for x in np.flatnonzero(inside[:, j]).tolist()])
    checks = [(people, slacks[k]) for people, k in zip(busy, checked, strict=True)]
    return checks


def _ordinals(intervals: Iterable[Interval]) -> list[tuple[int, int]]:
    """Each interval's first and last day, as ordinals."""
    return [(i.start.toordinal(), i.end.toordinal()) for i in intervals]


def _covered(days: npt.NDArray[np.int64], spans: list[list[tuple[int, int]]]
             ) -> npt.NDArray[np.bool_]:
    """Person by day (an ordinal of `days`, sorted): whether one of the person's `spans`
    (first and last day, as ordinals) covers the day. Asked of every checkpoint of a unit
    at once: person by person and day by day, a re-plan's small model spent half its
    building time here."""
    who = np.repeat(np.arange(len(spans)), [len(mine) for mine in spans])
    ends = np.array([span for mine in spans for span in mine], dtype=np.int64).reshape(-1, 2)
    # +1 from each span's first checkpoint, -1 after its last: covered where the sum is on.
    steps = np.zeros((len(spans), len(days) + 1), dtype=np.int64)
    np.add.at(steps, (who, np.searchsorted(days, ends[:, 0], side="left")), 1)
    np.add.at(steps, (who, np.searchsorted(days, ends[:, 1], side="right")), -1)
    return np.cumsum(steps, axis=1)[:, :-1] > 0


def _strongest(checks: list[HomeCheck]) -> list[HomeCheck]:
    """The checks no other check implies. One with no more slack, whose people include
    these people with at least these cases each, already says more; on a province
    about half of all checks are implied, and each costs literals and a constraint."""
    def implies(a: HomeCheck, b: HomeCheck) -> bool:
        (busy_a, slack_a), (busy_b, slack_b) = a, b
        return slack_a <= slack_b and len(busy_a) >= len(busy_b) and all(
            p in busy_a and cases <= busy_a[p] for p, cases in busy_b.items())

    kept: list[HomeCheck] = []
    # Most people first, so a check meets the ones that may imply it before itself.
    for check in sorted(checks, key=lambda c: (-len(c[0]), c[1])):
        if not any(implies(other, check) for other in kept):
            kept.append(check)
    return kept


def home_checks(scenario: Scenario, candidates: Candidates, on_site: OnSite,
                most: int | None = None) -> list[HomeCheck]:
    """Every unit's checks, units in the scenario's order, those implied by another left
    out; with `most`, only those where at most that many people could be away."""
    # A unit none of whose people may serve any case of the scenario has nothing to check:
    # most units of a province, in the model of one part of it. Building the 135 parts of
    # dense 4,000 x 700 asked all 165 units of each.
    days_of = {c.id: (c.start.toordinal(), c.end.toordinal(), c.venue) for c in scenario.cases}
    people = scenario.prosecutor_by_id
    involved = {people[p].home for p in candidates.by_person}
    staff: dict[str, list[Prosecutor]] = defaultdict(list)
    for person in scenario.prosecutors:
        if person.home in involved and is_prosecutor_rank(person.role):
            staff[person.home].append(person)
    return [check for unit in scenario.units if unit.id in involved
            for check in _strongest(_unit_checks(days_of, candidates, on_site, unit,
                                                 staff[unit.id], most))]
