"""A greedy roster: the baseline the benchmark compares against, and CP-SAT's first hint.

Cases are taken mandatory first, then by priority per team member; each team is built
from the cheapest eligible people who keep every hard rule given the teams already
built: required and pinned people first, then the scarcest coverage needs, then the
remaining slots. A case whose team cannot be completed is left unstaffed.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from models import Case, Prosecutor, Scenario, Slot
from models.enums import is_prosecutor_rank
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler.instance.eligibility import FTE_EPS, Candidates, Option
from scheduler.instance.scope import Geography

OFF_PAIR_PENALTY = 60.0  # the default off_pair weight, in travel minutes
LOAD_PENALTY = 20.0      # the default peak_load weight, per percent of utilisation
KEEP_BONUS = 200.0       # the default changes weight: re-planning keeps earlier teams


@dataclass
class Ledger:
    """What the teams built so far commit: daily load per person, daily absences per unit."""

    scenario: Scenario
    load: dict[ProsecutorId, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    away: dict[UnitId, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    _away_days: dict[ProsecutorId, set[int]] = field(default_factory=lambda: defaultdict(set))
    _leave: dict[UnitId, list[list[tuple[int, int]]]] = field(default_factory=dict)
    _present: dict[tuple[UnitId, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        leave: dict[UnitId, list[list[tuple[int, int]]]] = defaultdict(list)
        for p in self.scenario.prosecutors:
            if is_prosecutor_rank(p.role):
                leave[p.home].append([(i.start.toordinal(), i.end.toordinal())
                                      for i in p.unavailable])
        self._leave = dict(leave)
        for p in self.scenario.prosecutors:
            self._book_commitments(p)

    def _book_commitments(self, person: Prosecutor) -> None:
        """Committed rosters come first: their load, and their absences from home."""
        for c in person.commitments:
            for d in range(c.start.toordinal(), c.end.toordinal() + 1):
                self.load[person.id][d] = self.load[person.id].get(d, 0.0) + c.load
                day = date.fromordinal(d)
                if (c.away and is_prosecutor_rank(person.role) and not person.on_leave(day)
                        and not self._is_away(person.id, d)):
                    self.away[person.home][d] = self.away[person.home].get(d, 0) + 1
                    self._away_days[person.id].add(d)

    def present(self, unit: UnitId, day: int) -> int:
        """Prosecutor-rank staff of `unit` not on leave on `day` (an ordinal)."""
        key = unit, day
        if key not in self._present:
            self._present[key] = sum(1 for spans in self._leave.get(unit, [])
                                     if not any(a <= day <= b for a, b in spans))
        return self._present[key]

    def fits(self, option: Option, case: Case) -> bool:
        """Whether `option` keeps capacity (rule 5) and home staffing (rule 6)."""
        person = self.scenario.prosecutor_by_id[option.person]
        days = range(case.start.toordinal(), case.end.toordinal() + 1)
        mine = self.load[person.id]
        if any(person.load + mine.get(d, 0.0) + case.team.load > person.capacity + FTE_EPS
               for d in days):
            return False
        if not self._leaves_home(option, case):
            return True
        unit = self.scenario.unit_by_id[person.home]
        gone = self.away[unit.id]
        # Someone already away that day (on another case) does not leave a second time.
        return all(
            self.present(unit.id, d) - gone.get(d, 0) - 1
            >= min(unit.min_staff_at_home, self.present(unit.id, d))
            for d in days if not self._is_away(person.id, d))

    def commit(self, option: Option, case: Case, journal: list[tuple[str, str, int]]) -> None:
        """Book `option`'s load and absence; `journal` records what to undo."""
        mine = self.load[option.person]
        newly_away = self._leaves_home(option, case)
        home = self.scenario.prosecutor_by_id[option.person].home
        for d in range(case.start.toordinal(), case.end.toordinal() + 1):
            if newly_away and not self._is_away(option.person, d):
                self.away[home][d] = self.away[home].get(d, 0) + 1
                self._away_days[option.person].add(d)
                journal.append(("away", option.person, d))
            mine[d] = mine.get(d, 0.0) + case.team.load
            journal.append(("load", option.person, d))

    def undo(self, journal: list[tuple[str, str, int]], case: Case) -> None:
        """Take back the bookings recorded in `journal`, latest first."""
        for what, person, d in reversed(journal):
            if what == "load":
                self.load[person][d] -= case.team.load
            else:
                home = self.scenario.prosecutor_by_id[person].home
                self.away[home][d] -= 1
                self._away_days[person].discard(d)
        journal.clear()

    def _leaves_home(self, option: Option, case: Case) -> bool:
        person = self.scenario.prosecutor_by_id[option.person]
        return option.on_site and case.venue != person.home and is_prosecutor_rank(person.role)

    def _is_away(self, person: ProsecutorId, day: int) -> bool:
        return day in self._away_days[person]


def _cost(scenario: Scenario, geography: Geography, option: Option, case: Case,
          previous: set[tuple[CaseId, ProsecutorId, Slot]]) -> float:
    person = scenario.prosecutor_by_id[option.person]
    near = {case.lead, case.venue} | geography.partners[case.lead] | geography.partners[case.venue]
    utilisation = 100 * (person.load + case.team.load) / person.capacity
    kept = (option.case, option.person, option.slot) in previous
    return (option.travel_minutes + (OFF_PAIR_PENALTY if person.home not in near else 0.0)
            + LOAD_PENALTY * utilisation / 10 - (KEEP_BONUS if kept else 0.0))


def _needs(scenario: Scenario, case: Case) -> list[tuple[int, set[ProsecutorId]]]:
    """Coverage needs as (count, people who satisfy it)."""
    people = scenario.prosecutors
    units = scenario.unit_by_id
    needs = [(n.count, {p.id for p in people if p.level(n.skill) >= n.min_level})
             for n in case.team.skills]
    needs += [(n.count, {p.id for p in people if n.language in p.languages})
              for n in case.team.languages]
    needs += [(count, {p.id for p in people if units[p.home].tier is tier})
              for tier, count in case.team.tiers.items()]
    return [n for n in needs if n[0] > 0]


def _build_team(scenario: Scenario, geography: Geography, options: list[Option], case: Case,
                ledger: Ledger, forced: list[tuple[ProsecutorId, Slot | None]]
                ) -> list[Option] | None:
    homes = {p.id: p.home for p in scenario.prosecutors}
    open_slots = {s: case.team.slot_count(s) for s in case.team.slots()}
    chosen: list[Option] = []
    used: set[ProsecutorId] = set()
    units: set[UnitId] = set()
    journal: list[tuple[str, str, int]] = []
    previous = {(a.case, a.prosecutor, a.slot) for a in scenario.previous}
    ranked = sorted(options, key=lambda o: (_cost(scenario, geography, o, case, previous), o.person))

    def take(option: Option) -> bool:
        if option.person in used or open_slots.get(option.slot, 0) == 0:
            return False
        new_unit = homes[option.person] not in units
        if (new_unit and case.team.max_units is not None
                and len(units) >= case.team.max_units):
            return False
        if not ledger.fits(option, case):
            return False
        ledger.commit(option, case, journal)
        chosen.append(option)
        used.add(option.person)
        units.add(homes[option.person])
        open_slots[option.slot] -= 1
        return True

    if _fill(scenario, case, options, ranked, forced, take, used, open_slots, units):
        return chosen
    ledger.undo(journal, case)
    return None


def _fill(scenario: Scenario, case: Case, options: list[Option], ranked: list[Option],
          forced: list[tuple[ProsecutorId, Slot | None]], take: Callable[[Option], bool],
          used: set[ProsecutorId], open_slots: dict[Slot, int], units: set[UnitId]) -> bool:
    """Fill the team through `take`: forced people, scarce needs, then the cheapest."""
    for person, slot in forced:
        match = [o for o in options if o.person == person and (slot is None or o.slot is slot)]
        if not any(take(o) for o in match):
            return False
    for count, able in sorted(_needs(scenario, case), key=lambda n: len(n[1])):
        have = sum(1 for p in used if p in able)
        for option in ranked:
            if have >= count:
                break
            if option.person in able and take(option):
                have += 1
        if have < count:
            return False
    for option in ranked:
        if not any(open_slots.values()):
            break
        take(option)
    if any(open_slots.values()):
        return False
    return case.team.min_units is None or len(units) >= case.team.min_units


def greedy(scenario: Scenario, geography: Geography, candidates: Candidates
           ) -> tuple[list[Option], set[CaseId]]:
    """A valid roster built one case at a time: the chosen options and the staffed cases."""
    ledger = Ledger(scenario)
    pinned: dict[CaseId, list[tuple[ProsecutorId, Slot | None]]] = defaultdict(list)
    for a in scenario.previous:
        if a.pinned:
            pinned[a.case].append((a.prosecutor, a.slot))
    order = sorted(scenario.cases, key=lambda c: (
        not c.mandatory, not pinned[c.id], -c.priority / max(1, c.team.size), c.start, c.id))
    chosen: list[Option] = []
    staffed: set[CaseId] = set()
    for case in order:
        forced = pinned[case.id] + [(p, None) for p in case.require_prosecutors]
        team = _build_team(scenario, geography, candidates.by_case.get(case.id, []), case, ledger,
                           forced)
        if team is None:
            continue
        chosen += team
        staffed.add(case.id)
    return chosen, staffed
