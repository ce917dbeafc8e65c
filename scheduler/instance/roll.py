"""Everyone the person rules of eligibility look at, as arrays: who may serve on a case.

Eligibility asks the person rules of every person in scope of every case: up to 2.8
million pairs on a province, where a Python test per pair took 2 s of a 2 s solve. Here
each rule is one array expression a case, over everyone at once.

People are held in the order eligibility lists options: by home unit id, then as the
scenario lists them. A commitment's load is held as the steps of `LoadProfile`, so a
case's peak is tested against every step its days meet, as `Prosecutor.peak_load`
would find it.
"""

import numpy as np
import numpy.typing as npt

from models import Case, Scenario, Slot
from models.enums import ROLE_RANK, slot_takes
from models.ids import ProsecutorId, Skill
from scheduler.instance.calendar import FTE_EPS, LoadProfile

Mask = npt.NDArray[np.bool_]


def _ints(values: list[int]) -> npt.NDArray[np.int64]:
    return np.array(values, dtype=np.int64)


class Roll:
    """Everyone's home, role, load, leave and commitments, by their place in unit order."""

    def __init__(self, scenario: Scenario) -> None:
        self.units = sorted(scenario.unit_by_id)
        self.unit_place = {u: i for i, u in enumerate(self.units)}
        order = sorted(range(len(scenario.prosecutors)),
                       key=lambda i: (self.unit_place[scenario.prosecutors[i].home], i))
        people = [scenario.prosecutors[i] for i in order]
        self.ids: list[ProsecutorId] = [p.id for p in people]
        self.place = {pid: i for i, pid in enumerate(self.ids)}
        self.home = _ints([self.unit_place[p.home] for p in people])
        self.load = np.array([p.load for p in people], dtype=np.float64)
        self.most = np.array([p.capacity + FTE_EPS for p in people], dtype=np.float64)
        self.rank = _ints([ROLE_RANK.get(p.role, 0) for p in people])
        self._takes = {slot: np.array([slot_takes(slot, p.role) for p in people], dtype=np.bool_)
                       for slot in Slot if slot is not Slot.LEADER}
        self._skills = [p.skills for p in people]
        self._levels: dict[Skill, npt.NDArray[np.int64]] = {}
        self._pools: dict[str, Mask] = {}
        self._pool_members = scenario.pool_members
        # Leave, one row per interval, in days (ordinals), first and last day included.
        away = [(i, a.start.toordinal(), a.end.toordinal())
                for i, p in enumerate(people) for a in p.unavailable]
        self._leave_who = _ints([w for w, _, _ in away])
        self._leave_first = _ints([f for _, f, _ in away])
        self._leave_last = _ints([last for _, _, last in away])
        # Commitments, one row per step of a person's load: from its first day until the
        # next step's (never, for the last), at that load. The base load before the first
        # step is `load`, which every case is tested against anyway.
        steps = [(i, first.toordinal(), np.iinfo(np.int64).max if until is None
                  else until.toordinal(), load)
                 for i, p in enumerate(people) if p.commitments
                 for first, until, load in LoadProfile(p).steps()]
        self._step_who = _ints([w for w, _, _, _ in steps])
        self._step_first = _ints([f for _, f, _, _ in steps])
        self._step_until = _ints([u for _, _, u, _ in steps])
        self._step_load = np.array([load for _, _, _, load in steps], dtype=np.float64)

    def levels(self, skill: Skill) -> npt.NDArray[np.int64]:
        """Everyone's level in `skill`, 0 for those without it."""
        if skill not in self._levels:
            self._levels[skill] = _ints([s.get(skill, 0) for s in self._skills])
        return self._levels[skill]

    def _in_pool(self, pool: str) -> Mask:
        if pool not in self._pools:
            members = self._pool_members[pool]
            self._pools[pool] = np.array([p in members for p in self.ids], dtype=np.bool_)
        return self._pools[pool]

    def free_for(self, case: Case, homes: Mask) -> Mask:
        """Whether each person, at home in a unit where `homes` is true, passes the person
        rules of `case`: pool, conflicts of interest, leave and capacity on its days."""
        load, start, end = case.team.load, case.start.toordinal(), case.end.toordinal()
        ok = homes[self.home] & (self.load + load <= self.most)
        if case.pool is not None:
            ok &= self._in_pool(case.pool)
        out = [self.place[p] for p in case.exclude_prosecutors if p in self.place]
        on_leave = (self._leave_first <= end) & (self._leave_last >= start)
        # A step the case's days meet, at a load that leaves no room for the case.
        busy = ((self._step_first <= end) & (self._step_until > start)
                & (self._step_load + load > self.most[self._step_who]))
        ok[out] = False
        ok[self._leave_who[on_leave]] = False
        ok[self._step_who[busy]] = False
        return ok

    def fits(self, case: Case, slot: Slot) -> Mask:
        """Whether each person's role (and, for the leader, rank and level in the case's
        kind) lets them fill `slot` of `case`."""
        if slot is not Slot.LEADER:
            return self._takes[slot]
        lead = case.team.leader
        assert lead is not None
        return (self.rank >= ROLE_RANK[lead.min_role]) & (self.levels(case.kind) >= lead.min_level)
