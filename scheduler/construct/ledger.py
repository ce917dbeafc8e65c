"""What the teams committed so far take up: the bookkeeping behind hard rules 5 and 6.

Shared by the roster builders (`greedy`, `rarest`): each asks whether one more person
fits given the teams already built, commits the person, and undoes a team it cannot
complete.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from models import Case, Prosecutor, Scenario
from models.enums import is_prosecutor_rank
from models.ids import ProsecutorId, UnitId
from scheduler.instance.calendar import FTE_EPS
from scheduler.instance.eligibility import Option


@dataclass
class Ledger:
    """What the teams built so far commit: daily load per person, daily absences per unit."""

    scenario: Scenario
    load: dict[ProsecutorId, dict[int, float]] = field(init=False)
    # Each unit's absences by day, booked when the unit is first asked (`_unit_away`).
    away: dict[UnitId, dict[int, int]] = field(default_factory=dict)
    # How many bookings take each person away from home on each day: one released while
    # another holds the person away leaves them away.
    _away_days: dict[ProsecutorId, dict[int, int]] = field(
        default_factory=lambda: defaultdict(dict))
    # Each unit's prosecutor-rank staff, and the leave of those who have any: most have
    # none, and `present` asks about every day of every case's units.
    _staff: dict[UnitId, int] = field(default_factory=dict)
    _leave: dict[UnitId, list[list[tuple[int, int]]]] = field(default_factory=dict)
    _present: dict[tuple[UnitId, int], int] = field(default_factory=dict)
    # Prosecutor-rank people whom a commitment keeps away, by home unit.
    _committed_away: dict[UnitId, list[Prosecutor]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        staff: dict[UnitId, int] = defaultdict(int)
        leave: dict[UnitId, list[list[tuple[int, int]]]] = defaultdict(list)
        for p in self.scenario.prosecutors:
            if is_prosecutor_rank(p.role):
                staff[p.home] += 1
                if p.unavailable:
                    leave[p.home].append([(i.start.toordinal(), i.end.toordinal())
                                          for i in p.unavailable])
        self._staff, self._leave = dict(staff), dict(leave)
        self.load = _Loads(self.scenario.prosecutor_by_id)
        committed: dict[UnitId, list[Prosecutor]] = defaultdict(list)
        for p in self.scenario.prosecutors:
            if is_prosecutor_rank(p.role) and any(c.away for c in p.commitments):
                committed[p.home].append(p)
        self._committed_away = dict(committed)

    def _unit_away(self, unit: UnitId) -> dict[int, int]:
        """`unit`'s absences by day; committed rosters come first, booked when the unit is
        first asked: a re-plan's builders ask about few of a province's units, and booking
        everyone's commitments day by day took 0.1 s of each of its two ledgers."""
        if unit not in self.away:
            self.away[unit] = {}
            for person in self._committed_away.get(unit, ()):
                for c in person.commitments:
                    if c.away:
                        for d in range(c.start.toordinal(), c.end.toordinal() + 1):
                            if not person.on_leave(date.fromordinal(d)):
                                self._leave_on(person.id, unit, d)
        return self.away[unit]

    def present(self, unit: UnitId, day: int) -> int:
        """Prosecutor-rank staff of `unit` not on leave on `day` (an ordinal)."""
        key = unit, day
        if key not in self._present:
            self._present[key] = self._staff.get(unit, 0) - sum(
                1 for spans in self._leave.get(unit, []) if any(a <= day <= b for a, b in spans))
        return self._present[key]

    def fits(self, option: Option, case: Case) -> bool:
        """Whether `option` keeps capacity (rule 5) and home staffing (rule 6)."""
        person = self.scenario.prosecutor_by_id[option.person]
        days = range(case.start.toordinal(), case.end.toordinal() + 1)
        mine = self.load[person.id]
        if any(person.load + mine.get(d, 0.0) + case.team.load > person.capacity + FTE_EPS
               for d in (days if mine else days[:1])):  # no booking: every day the same
            return False
        return self.home_allows(option, case)

    def busiest(self, person: Prosecutor, case: Case) -> float:
        """The person's highest load on a day of `case` before joining it: `load` plus
        the commitments and teams booked so far."""
        mine = self.load[person.id]
        if not mine:
            return person.load + 0.0  # nothing booked: most people, most of the time
        return person.load + max(mine.get(d, 0.0)
                                 for d in range(case.start.toordinal(), case.end.toordinal() + 1))

    def home_allows(self, option: Option, case: Case) -> bool:
        """Whether the person's unit keeps its staff at home (rule 6) if `option` is taken."""
        if not self.leaves_home(option, case):
            return True
        person = self.scenario.prosecutor_by_id[option.person]
        self._unit_away(person.home)
        # Someone already away that day (on another case) does not leave a second time.
        return self._spares(person.home, (d for d in range(case.start.toordinal(),
                                                            case.end.toordinal() + 1)
                                          if not self._is_away(person.id, d)))

    def can_spare(self, unit: UnitId, case: Case) -> bool:
        """Whether one more of `unit`'s staff may be away on every day of `case` (rule 6):
        when it may, `home_allows` holds for every option of that unit; when not, only for
        people already away on some of those days (see `away_during`)."""
        return self._spares(unit, range(case.start.toordinal(), case.end.toordinal() + 1))

    def away_during(self, person: ProsecutorId, case: Case) -> bool:
        """Whether `person` is already away from home on some day of `case`."""
        self._unit_away(self.scenario.prosecutor_by_id[person].home)
        away = self._away_days[person]
        return bool(away) and any(d in away for d in range(case.start.toordinal(),
                                                           case.end.toordinal() + 1))

    def first_short(self, unit: UnitId, case: Case) -> int | None:
        """The first day of `case` (an ordinal) on which `unit` cannot spare one more of
        its staff (rule 6), or None if it can on every day."""
        return self._short_on(unit, range(case.start.toordinal(), case.end.toordinal() + 1))

    def _spares(self, unit_id: UnitId, days: Iterable[int]) -> bool:
        return self._short_on(unit_id, days) is None

    def _short_on(self, unit_id: UnitId, days: Iterable[int]) -> int | None:
        unit = self.scenario.unit_by_id[unit_id]
        gone = self._unit_away(unit_id)
        return next((d for d in days if self.present(unit_id, d) - gone.get(d, 0) - 1
                     < min(unit.min_staff_at_home, self.present(unit_id, d))), None)

    def commit(self, option: Option, case: Case, journal: list[tuple[str, str, int]]) -> None:
        """Book `option`'s load and absence; `journal` records what to undo."""
        mine = self.load[option.person]
        newly_away = self.leaves_home(option, case)
        home = self.scenario.prosecutor_by_id[option.person].home
        for d in range(case.start.toordinal(), case.end.toordinal() + 1):
            if newly_away:
                self._leave_on(option.person, home, d)
                journal.append(("away", option.person, d))
            mine[d] = mine.get(d, 0.0) + case.team.load
            journal.append(("load", option.person, d))

    def undo(self, journal: list[tuple[str, str, int]], case: Case) -> None:
        """Take back the bookings recorded in `journal`, latest first."""
        for what, person, d in reversed(journal):
            if what == "load":
                self.load[person][d] -= case.team.load
            else:
                days = self._away_days[person]
                days[d] -= 1
                if not days[d]:
                    del days[d]
                    self._unit_away(self.scenario.prosecutor_by_id[person].home)[d] -= 1
        journal.clear()

    def _leave_on(self, person: ProsecutorId, home: UnitId, day: int) -> None:
        """One more booking takes `person` away on `day`; the first takes them from `home`."""
        away = self._unit_away(home)
        days = self._away_days[person]
        if day not in days:
            away[day] = away.get(day, 0) + 1
        days[day] = days.get(day, 0) + 1

    def leaves_home(self, option: Option, case: Case) -> bool:
        """Whether `option` takes a prosecutor-rank person away from home (rule 6)."""
        person = self.scenario.prosecutor_by_id[option.person]
        return option.on_site and case.venue != person.home and is_prosecutor_rank(person.role)

    def _is_away(self, person: ProsecutorId, day: int) -> bool:
        return day in self._away_days[person]


class _Loads(dict[ProsecutorId, dict[int, float]]):
    """Each person's load by day (an ordinal), their commitments booked first, when the
    person is first asked: builders ask about a few of a province's people, and booking
    everyone's commitments day by day took 0.2 s of each of a re-plan's two ledgers."""

    def __init__(self, people: dict[ProsecutorId, Prosecutor]) -> None:
        super().__init__()
        self._people = people

    def __missing__(self, person: ProsecutorId) -> dict[int, float]:
        days: dict[int, float] = {}
        known = self._people.get(person)
        for c in known.commitments if known is not None else ():
            for d in range(c.start.toordinal(), c.end.toordinal() + 1):
                days[d] = days.get(d, 0.0) + c.load
        self[person] = days
        return days
