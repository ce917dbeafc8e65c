"""Who may fill which slot of which case, decided before any CP-SAT variable exists.

Hard rules 2 (eligibility) and 3 (travel) are settled here: the model only holds a
variable for a (person, case, slot) that passes every test below, so they need no
constraint of their own, except `require_prosecutors`, which `rules.required_prosecutors`
adds.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cache, cached_property, partial
from itertools import repeat
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from models import Case, Prosecutor, Scenario, Slot
from models.enums import ROLE_RANK, Role, slot_takes
from models.ids import CaseId, ProsecutorId, UnitId
from models.reason import Reason, term, why
from scheduler.instance.calendar import FTE_EPS
from scheduler.instance.roll import Roll
from scheduler.instance.scope import Geography, units_in_scope
from scheduler.instance.travel import TravelTable

# The reasons without parameters, made once: Candidates asks why_not_person of everyone in
# scope of every case, and a province has millions of such pairs. Never mutated.
UNIT_EXCLUDED = why("out.unit_excluded")
CONFLICT = why("out.conflict")
UNAVAILABLE = why("out.unavailable")
NO_CAPACITY = why("out.no_capacity")
NO_ROAD = why("out.no_road")


# ... and those with parameters, once per parameter: on dense 4,000 x 700, building 90,000
# pool reasons took a third of the eligibility pass (1.1 s), which every what-if repeats.
@cache
def _out_of_scope(scope: str) -> Reason:
    return why("out.scope", scope=term("scope", scope))


@cache
def _too_far(minutes: float) -> Reason:
    return why("out.too_far", minutes=minutes)


@cache
def _out_of_pool(pool: str) -> Reason:
    return why("out.pool", pool=pool)


class Option(NamedTuple):
    """One (person, case, slot) the model may choose. A named tuple, not a dataclass:
    a province has up to a million or more, and a tuple is made in a third of the time."""

    person: ProsecutorId
    case: CaseId
    slot: Slot
    on_site: bool
    travel_minutes: float


class Columns(NamedTuple):
    """A case's options as arrays, in `Candidates.by_case` order: the builders and bounds
    rank thousands of options a case, and a list expression per column took most of the
    counting bound's time on a province of 1.8 million options."""

    place: npt.NDArray[np.int64]  # the person's place in id order (`Candidates.place`)
    slot: npt.NDArray[np.int64]  # the slot's place in the case's `team.slots()`
    on_site: npt.NDArray[np.bool_]
    travel: npt.NDArray[np.float64]  # the option's travel minutes

    @classmethod
    def of(cls, options: list[Option], slots: list[Slot], place: Mapping[ProsecutorId, int]
           ) -> "Columns":
        """The columns of `options`, one by one."""
        code = {slot: k for k, slot in enumerate(slots)}
        return cls(np.array([place[o.person] for o in options], dtype=np.int64),
                   np.array([code[o.slot] for o in options], dtype=np.int64),
                   np.array([o.on_site for o in options], dtype=np.bool_),
                   np.array([o.travel_minutes for o in options], dtype=np.float64))


def why_not_home(scenario: Scenario, scope: set[UnitId], home: UnitId, case: Case) -> Reason | None:
    """The scope rule that keeps everyone of `home` off `case`, or None."""
    if home not in scope:
        return _out_of_scope(scenario.scope_of(case).value)
    return None


def why_not_person(scenario: Scenario, travel: TravelTable, scope: set[UnitId],
                   person: Prosecutor, case: Case) -> Reason | None:
    """The first rule that keeps `person` off `case` whatever the slot, or None."""
    if person.home not in scope:
        return why_not_home(scenario, scope, person.home, case)
    if case.pool is not None and person.id not in scenario.pool_members[case.pool]:
        return _out_of_pool(case.pool)
    if person.home in case.exclude_units:
        return UNIT_EXCLUDED
    if person.id in case.exclude_prosecutors:
        return CONFLICT
    if any(i.meets(case.start, case.end) for i in person.unavailable):
        return UNAVAILABLE
    if person.peak_load(case.start, case.end) + case.team.load > person.capacity + FTE_EPS:
        return NO_CAPACITY
    return None


def why_not_role(role: Role, level: int, case: Case, slot: Slot) -> Reason | None:
    """The first role, rank or level rule that keeps someone of `role`, at `level` in the
    case's kind, out of `slot`, or None."""
    team = case.team
    if slot is Slot.LEADER:
        assert team.leader is not None
        if ROLE_RANK.get(role, 0) < ROLE_RANK[team.leader.min_role]:
            return why("out.below_rank", role=term("role", team.leader.min_role.value))
        if level < team.leader.min_level:
            return why("out.level_below", kind=term("kind", case.kind.value),
                       level=team.leader.min_level)
    elif not slot_takes(slot, role):
        return why("out.role_slot", role=term("role", role.value), slot=term("slot", slot.value))
    return None


def role_fits(role: Role, level: int, case: Case, slot: Slot) -> bool:
    """Whether someone of `role`, at `level` in the case's kind, may fill `slot`: what
    `why_not_role` says, without building its reason (eligibility asks it of every role,
    level and case of a province)."""
    team = case.team
    if slot is Slot.LEADER:
        assert team.leader is not None
        return (ROLE_RANK.get(role, 0) >= ROLE_RANK[team.leader.min_role]
                and level >= team.leader.min_level)
    return slot_takes(slot, role)


def why_not_travel(travel: TravelTable, home: UnitId, case: Case, slot: Slot) -> Reason | None:
    """The travel rule that keeps everyone of `home` out of `slot`, or None."""
    team = case.team
    if team.on_site(slot):
        minutes = travel.minutes(home, case.venue)
        if minutes is None:
            return NO_ROAD
        if team.max_travel_minutes is not None and minutes > team.max_travel_minutes:
            return _too_far(team.max_travel_minutes)
    return None


def why_not_slot(travel: TravelTable, person: Prosecutor, case: Case, slot: Slot) -> Reason | None:
    """The first role, rank, level or travel rule that keeps `person` out of `slot`, or None."""
    return (why_not_role(person.role, person.level(case.kind), case, slot)
            or why_not_travel(travel, person.home, case, slot))


def why_not(scenario: Scenario, travel: TravelTable, scope: set[UnitId], person: Prosecutor,
            case: Case, slot: Slot) -> Reason | None:
    """The first eligibility or travel rule that keeps `person` out of `slot`, or None."""
    return (why_not_person(scenario, travel, scope, person, case)
            or why_not_slot(travel, person, case, slot))


def option_for(scenario: Scenario, travel: TravelTable, scope: set[UnitId], person: Prosecutor,
               case: Case, slot: Slot) -> Option | None:
    """`person` in `slot` of `case` as `Candidates` lists it, if no rule keeps them out
    (`why_not`); else None. For the few options a re-plan asks about: `Candidates` finds
    them among a person's hundreds or a case's thousands."""
    if why_not(scenario, travel, scope, person, case, slot) is not None:
        return None
    on_site = case.team.on_site(slot)
    minutes = travel.minutes(person.home, case.venue) if on_site else None
    return Option(person.id, case.id, slot, on_site, minutes or 0.0)


class Candidates:
    """Every option that passes rules 2 and 3, indexed by case and by person."""

    def __init__(self, scenario: Scenario, geography: Geography, travel: TravelTable) -> None:
        # The person rules of `why_not_person` and the role rules of `why_not_role`, asked
        # of everyone at once (`Roll`); scope, excluded units and travel per unit and slot.
        roll = Roll(scenario)
        ids = np.array(roll.ids, dtype=object)
        place = {pid: i for i, pid in enumerate(sorted(roll.ids))}
        in_id_order = np.array([place[pid] for pid in roll.ids], dtype=np.int64)
        columns: dict[CaseId, Columns] = {}
        option = partial(tuple.__new__, Option)  # a named tuple from a tuple, in C
        by_case: dict[CaseId, list[Option]] = {}
        for case in scenario.cases:
            slots = case.team.slots()
            reach = np.zeros((len(roll.units), len(slots)), dtype=np.bool_)
            minutes = np.zeros(len(roll.units), dtype=np.float64)
            for unit in units_in_scope(scenario, geography, case) - set(case.exclude_units):
                at = roll.unit_place[unit]
                reach[at] = [why_not_travel(travel, unit, case, s) is None for s in slots]
                minutes[at] = travel.minutes(unit, case.venue) or 0.0
            free = roll.free_for(case, np.any(reach, axis=1))
            fits = np.stack([roll.fits(case, slot) for slot in slots], axis=1)
            fits &= reach[roll.home] & free[:, None]
            # Row by row: each person's slots in the team's order, people in unit order.
            people, kinds = np.nonzero(fits)
            if not len(people):
                continue
            on_site = np.array([case.team.on_site(s) for s in slots], dtype=np.bool_)[kinds]
            travelled = np.where(on_site, minutes[roll.home[people]], 0.0)
            columns[case.id] = Columns(in_id_order[people], kinds, on_site, travelled)
            by_case[case.id] = list(map(
                option, zip(ids[people].tolist(), repeat(case.id),
                                  np.array(slots, dtype=object)[kinds].tolist(),
                                  on_site.tolist(), travelled.tolist(), strict=False)))
        self._index(by_case, {p.id: p.home for p in scenario.prosecutors}, place)
        self._columns = columns

    def narrowed(self, cases: Iterable[CaseId],
                 only: Mapping[CaseId, set[tuple[ProsecutorId, Slot]]]) -> "Candidates":
        """The options of `cases` alone, as computed afresh for a scenario of those cases
        (eligibility looks at one case at a time) but without testing every person again;
        `only` narrows some cases to given (person, slot) pairs: a neighbourhood search
        fixes the teams of the cases it does not reopen."""
        # Through the index by case: a part of a province is a sliver of its options.
        kept: dict[CaseId, list[Option]] = {}
        for c in sorted(set(cases)):
            mine = [o for o in self.by_case.get(c, ())
                    if c not in only or (o.person, o.slot) in only[c]]
            if mine:
                kept[c] = mine
        narrowed = Candidates.__new__(Candidates)
        narrowed._index(kept, self._homes, self.place)
        narrowed._columns = {}
        return narrowed

    def _index(self, by_case: dict[CaseId, list[Option]], homes: dict[ProsecutorId, UnitId],
               place: dict[ProsecutorId, int]) -> None:
        self.by_case: dict[CaseId, list[Option]] = defaultdict(list, by_case)
        # Everyone's place in id order, for the columns and `PeopleArrays`.
        self.place = place
        self.options = [o for options in by_case.values() for o in options]
        self._homes = homes
        self._people = {c: list(dict.fromkeys([o.person for o in options]))
                        for c, options in by_case.items()}
        # Grouped on demand: most cases are never asked (on a province of 1.8 million
        # options, grouping them all took half the 1.3 s this index took).
        self._people_by_home: dict[CaseId, dict[UnitId, list[ProsecutorId]]] = {}

    def columns(self, case: Case) -> Columns:
        """`case`'s options as arrays; made with the options, or once when first asked
        (the options a neighbourhood narrows a case to)."""
        if case.id not in self._columns:
            self._columns[case.id] = Columns.of(self.by_case.get(case.id, []),
                                                case.team.slots(), self.place)
        return self._columns[case.id]

    @cached_property
    def by_person(self) -> dict[ProsecutorId, list[Option]]:
        """The options of each person."""
        by_person: dict[ProsecutorId, list[Option]] = defaultdict(list)
        for option in self.options:
            by_person[option.person].append(option)
        return by_person

    @cached_property
    def _cases(self) -> dict[ProsecutorId, list[CaseId]]:
        return {p: list(dict.fromkeys([o.case for o in options]))
                for p, options in self.by_person.items()}

    def people(self, case: CaseId) -> list[ProsecutorId]:
        """Distinct people eligible for some slot of `case`, in a stable order."""
        return self._people.get(case, [])

    def people_by_home(self, case: CaseId) -> dict[UnitId, list[ProsecutorId]]:
        """The people eligible for `case`, grouped by home unit."""
        if case not in self._people_by_home:
            by_home: dict[UnitId, list[ProsecutorId]] = defaultdict(list)
            for pid in self.people(case):
                by_home[self._homes[pid]].append(pid)
            self._people_by_home[case] = dict(by_home)
        return self._people_by_home[case]

    def cases_of(self, person: ProsecutorId) -> list[CaseId]:
        """Distinct cases `person` is eligible for."""
        return self._cases.get(person, [])
