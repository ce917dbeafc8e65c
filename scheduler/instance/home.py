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


class UnitCalendar:
    """Who of a unit's prosecutor-rank staff is on leave, or away on a commitment, as steps
    between the days that changes: the same in every model of a solve but those whose
    people carry kept teams as commitments (a neighbourhood's), so worked out once
    (`HomeCalendars`). Worked out again by each model for each of its units, home
    staffing's checks took 2.0 to 2.4 s of the 9.2 s that the 135 parts of dense
    4,000 x 700 took to build; so kept, 1.4 to 1.7 s."""

    def __init__(self, staff: list[Prosecutor]) -> None:
        self.staff = staff
        self.row = {p.id: i for i, p in enumerate(staff)}
        # The days someone's availability changes; step k (k > 0) runs from the k-th of
        # them to the day before the next, step 0 is every day before the first.
        self.changes = np.array(sorted(d.toordinal() for d in availability_changes(staff)),
                                dtype=np.int64)
        before = np.zeros((len(staff), 1), dtype=np.bool_)
        on_leave = np.hstack([before, _covered(self.changes,
                                               [_ordinals(p.unavailable) for p in staff])])
        # People a commitment already keeps away cannot leave a second time, but they use
        # up the slack: the roster may not take the unit below its minimum.
        gone = np.hstack([before, _covered(self.changes, [
            _ordinals(c for c in p.commitments if c.away) for p in staff])]) & ~on_leave
        self.present = len(staff) - on_leave.sum(axis=0)
        self.gone = gone.sum(axis=0)
        self.free = ~on_leave & ~gone  # person by step: free to leave

    def steps(self, days: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """The step each of `days` (ordinals) falls in."""
        return np.searchsorted(self.changes, days, side="right")


class HomeCalendars:
    """Each unit's `UnitCalendar`, kept for the staff it was made for (the same objects):
    a model whose people differ (a neighbourhood's, with kept teams as commitments) gets
    its own, not kept, for the units where they differ."""

    def __init__(self) -> None:
        self._kept: dict[UnitId, UnitCalendar] = {}
        # Each unit's prosecutor-rank staff, for the list of people it was made from.
        self._people: list[Prosecutor] | None = None
        self._staff: dict[UnitId, list[Prosecutor]] = {}

    def staff(self, people: list[Prosecutor]) -> dict[UnitId, list[Prosecutor]]:
        """Each unit's prosecutor-rank staff among `people`, in their order (kept for the
        first list asked, which the parts of a province share)."""
        if people is self._people:
            return self._staff
        staff: dict[UnitId, list[Prosecutor]] = defaultdict(list)
        for person in people:
            if is_prosecutor_rank(person.role):
                staff[person.home].append(person)
        if self._people is None:
            self._people, self._staff = people, staff
        return staff

    def of(self, unit: UnitId, staff: list[Prosecutor]) -> UnitCalendar:
        """The calendar of `unit`'s prosecutor-rank `staff`."""
        kept = self._kept.get(unit)
        if kept is not None and len(kept.staff) == len(staff) and all(
                a is b for a, b in zip(kept.staff, staff, strict=True)):
            return kept
        made = UnitCalendar(staff)
        if kept is None:
            self._kept[unit] = made
        return made


def _unit_checks(days_of: dict[CaseId, CaseDays], candidates: Candidates, on_site: OnSite,
                 unit: Unit, calendar: UnitCalendar, people: list[ProsecutorId],
                 most: int | None) -> list[HomeCheck]:
    """The checks of `unit` on each day someone may leave or availability changes, where
    more people could be away than may be (and at most `most` could, if given). `people`
    are those of its staff with cases in the model, in the staff's order."""
    # Per person: (first day, last day, case) of each case they could be on site at,
    # away from this unit.
    away: dict[ProsecutorId, list[tuple[int, int, CaseId]]] = {}
    for pid in people:
        spans = []
        for c in candidates.cases_of(pid):
            first, last, venue = days_of[c]
            if venue != unit.id and on_site(pid, c):
                spans.append((first, last, c))
        if spans:
            away[pid] = spans
    if not away:
        return []
    first = min(s for spans in away.values() for s, _, _ in spans)
    last = max(e for spans in away.values() for _, e, _ in spans)
    changes = calendar.changes
    within = changes[np.searchsorted(changes, first, side="left"):
                     np.searchsorted(changes, last, side="right")]
    checkpoints = {s for spans in away.values() for s, _, _ in spans} | set(within.tolist())
    days = np.array(sorted(checkpoints), dtype=np.int64)
    steps = calendar.steps(days)
    present = calendar.present[steps]
    slacks = np.maximum(0, present - np.minimum(unit.min_staff_at_home, present)
                        - calendar.gone[steps]).tolist()
    leaving = list(away)
    # Person (in `leaving`'s order) by day: free to leave.
    free_to_leave = calendar.free[[calendar.row[pid] for pid in leaving]][:, steps]
    walk: Iterable[int] = range(len(days))
    if most is not None:
        # Who may go on each day, counted for all days at once, so that only the days
        # with a check are walked case by case: the relaxation of dense 4,000 x 700
        # walked 209,000 (person, day) pairs for almost none, 1 s of the 3.3 s it took to
        # write. (A model's checks are on most days: there this only costs time.)
        going = (free_to_leave & _covered(
            days, [[(s, e) for s, e, _ in away[pid]] for pid in leaving])).sum(axis=0).tolist()
        walk = [k for k, n in enumerate(going) if slacks[k] < n <= most]
    checks = []
    ordinals = days.tolist()
    free_by_day = free_to_leave.T.tolist()  # plain lists: numpy's item by item is slow
    spans_of = [away[pid] for pid in leaving]
    for k in walk:
        ordinal = ordinals[k]
        busy = {}
        for pid, spans, free in zip(leaving, spans_of, free_by_day[k], strict=True):
            if free:
                active = [c for s, e, c in spans if s <= ordinal <= e]
                if active:
                    busy[pid] = frozenset(active)
        slack = slacks[k]
        if slack < len(busy) <= (len(busy) if most is None else most):
            checks.append((busy, slack))
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
    out = np.zeros((len(spans), len(days)), dtype=np.bool_)
    flat = [(i, first, last) for i, mine in enumerate(spans) for first, last in mine]
    if flat:
        who, firsts, lasts = zip(*flat, strict=True)
        begins = np.searchsorted(days, firsts, side="left").tolist()
        ends = np.searchsorted(days, lasts, side="right").tolist()
        for i, begin, end in zip(who, begins, ends, strict=True):
            out[i, begin:end] = True
    return out


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
                most: int | None = None, calendars: HomeCalendars | None = None
                ) -> list[HomeCheck]:
    """Every unit's checks, units in the scenario's order, those implied by another left
    out; with `most`, only those where at most that many people could be away. The units'
    calendars come from `calendars` (kept there), if given."""
    # A unit none of whose people may serve any case of the scenario has nothing to check:
    # most units of a province, in the model of one part of it. Building the 135 parts of
    # dense 4,000 x 700 asked all 165 units of each.
    days_of = {c.id: (c.start.toordinal(), c.end.toordinal(), c.venue) for c in scenario.cases}
    people = scenario.prosecutor_by_id
    in_model: dict[UnitId, list[ProsecutorId]] = defaultdict(list)
    for p in candidates.by_person:
        in_model[people[p].home].append(p)
    calendars = calendars or HomeCalendars()
    staff = calendars.staff(scenario.prosecutors)
    checks = []
    for unit in scenario.units:
        if unit.id not in in_model:
            continue
        calendar = calendars.of(unit.id, staff.get(unit.id, []))
        mine = sorted((p for p in in_model[unit.id] if p in calendar.row),
                      key=calendar.row.__getitem__)
        checks += _strongest(_unit_checks(days_of, candidates, on_site, unit, calendar, mine,
                                          most))
    return checks
