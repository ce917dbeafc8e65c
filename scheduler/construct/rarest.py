"""A rarest-first roster: a second construction heuristic, independent of `greedy`.

After Lappas, Liu and Terzi, "Finding a team of experts in social networks" (KDD 2009).
Their RarestFirst algorithm covers a task's skills starting from the skill held by the
fewest experts: for each holder of that rarest skill it adds, for every other skill, the
holder closest to it, and keeps the team of smallest diameter. The rare skill leaves the
fewest choices, so it is settled first, while the common ones can still be fitted around
it. Here a "skill" is any coverage requirement of a case's TeamSpec (a skill at a level,
a language, a tier); "holding it" means being eligible for an open slot of the case and
still fitting capacity (rule 5) and home staffing (rule 6) given the teams already built;
"closest" is cheapest by the objective's marginal cost; and rather than trying every
holder of the rarest requirement, each pick takes the cheapest one and the rarity is
counted again, which keeps the builder linear in the candidates.

Cases are taken mandatory first, then those with pinned `previous` assignments, then by
priority, harder cases (fewer eligible options per slot) first among equals. Each team
is built in three stages:

1. required and pinned people, in their pinned slot or else the rarest slot they fit;
2. while a requirement is unmet, the one with the fewest feasible candidates is filled
   next, with the candidate who meets the most unmet requirements at once (the cheapest
   of those), in the rarest slot that candidate fits; rarity is recounted after every
   pick, since a pick closes a slot and may cover other needs;
3. the remaining slots, leader first, each with the cheapest feasible person.

The marginal cost of a person mirrors the objective's terms with `policy.weights`:
travel minutes on site, off_pair when the home is outside the lead unit, the venue and
their pairs, units when the home is new to the team (free while `min_units` still needs
new units), minus changes when the person keeps a `previous` assignment, the rise of the
roster's peak utilisation plus a share of peak_load when the person would be nearly full
(which keeps spare capacity for later cases), and no_junior when a team of three or more has
no junior yet and this is the last open slot a feasible junior could take.

A team that cannot be completed is undone and its case left unstaffed: like `greedy`,
this is a heuristic, so a mandatory or pinned case it cannot staff is left to CP-SAT.
"""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from models import Case, Scenario, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler import clock, tuning
from scheduler.construct.ledger import Ledger
from scheduler.instance.calendar import FTE_EPS
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.model.costs import JUNIOR_YEARS, NO_JUNIOR_MIN_TEAM, alone_costs, juniors

# Filling someone to the brim costs a share of the peak_load weight per percent above
# HIGH_UTILISATION, on top of any rise of the roster's peak (which stops mattering once
# the peak is at 100 %): it keeps the last of a busy person's capacity for later cases.
# On the synthetic provinces (2,000 x 300 and 4,000 x 700, seeds 1-3) it staffed up to
# 13 more priority than no share, at about 4 % more cost; a share of all utilisation
# (not only high) cost more and staffed less.
UTILISATION_SHARE = 0.3
HIGH_UTILISATION = 90

Key = tuple[ProsecutorId, Slot]


@dataclass(frozen=True)
class _Need:
    """One coverage requirement of a case: how many members, everyone who satisfies it,
    and the eligible among them, cheapest first."""

    count: int
    able: frozenset[ProsecutorId]  # in the whole scenario
    people: list[ProsecutorId]
    options: list[Option]


@dataclass
class _Menu:
    """One case's candidates, worked out once before its team is built."""

    case: Case
    by_person: dict[ProsecutorId, list[Option]]
    by_slot: dict[Slot, list[Option]]
    # The part of an option's marginal cost that does not depend on the team or the roster
    # (travel, off_pair, kept assignment); every other part is >= 0, so this bounds it below.
    fixed: dict[Key, float]
    slot_rank: dict[Slot, int]
    # Eligible people per home unit: among equals, a deeper unit can fill more of the
    # team alone, so the units term stays low.
    depth: dict[UnitId, int]
    juniors: dict[Slot, list[Option]]
    needs: list[_Need]


@dataclass
class _Roster:
    """What every team shares: the scenario, the bookings so far, who serves, the peak."""

    scenario: Scenario
    ledger: Ledger
    peak: int = 0
    serving: set[ProsecutorId] = field(default_factory=set)
    _standing: dict[ProsecutorId, float] = field(default_factory=dict)

    def utilisation(self, person: ProsecutorId, busiest: float, case: Case) -> int:
        """The person's peak utilisation in whole percent if they join `case`, whose days
        carry `busiest` already; a first case also brings their committed load on other
        days into the roster's peak."""
        p = self.scenario.prosecutor_by_id[person]
        used = busiest + case.team.load
        if person not in self.serving:
            used = max(used, self._standing_load(person))
        return math.floor(100 * used / p.capacity + 1e-9)

    def _standing_load(self, person: ProsecutorId) -> float:
        # Asked only before the person serves, when the ledger holds their commitments alone.
        if person not in self._standing:
            days = self.ledger.load[person]
            self._standing[person] = (self.scenario.prosecutor_by_id[person].load
                                      + max(days.values(), default=0.0))
        return self._standing[person]


def _needs(ctx: Context, case: Case, people: list[ProsecutorId], ranked: list[Option],
           places: npt.NDArray[np.int64]) -> list[_Need]:
    """The case's coverage requirements, each with the eligible people who satisfy it,
    fewest such people first; `places`, the people of the `ranked` options."""
    needs = []
    for count, able in ctx.coverage(case):
        meets = np.flatnonzero(ctx.arrays.having(able)[places]).tolist()
        needs.append(_Need(count, able, [p for p in people if p in able],
                           [ranked[i] for i in meets]))
    return sorted(needs, key=lambda n: len(n.people))


def _menu(ctx: Context, options: list[Option], case: Case,
          kept: set[tuple[CaseId, ProsecutorId, Slot]], depth: dict[UnitId, int]) -> _Menu:
    """Sort the case's options (all of them, in `Candidates.by_case` order) by fixed cost
    once; the needs and slots keep that order. A case may have 3,000 options and a province
    1.8 million: the ranking and its indexes are worked out with arrays (a pass over the
    options in Python took most of a first build's 7 s on 1.7 million)."""
    columns = ctx.candidates.columns(case)
    costs = alone_costs(ctx, case, kept)
    slots = case.team.slots()
    counts = np.bincount(columns.slot, minlength=len(slots))
    # The slot with fewer eligible people is the rarer: a person who fits several slots
    # takes the rarest, leaving the common ones to everyone else.
    slot_rank = {s: int(counts[k]) for k, s in enumerate(slots)}
    # By fixed cost, then the rarer slot, then the person (places are in id order); ties
    # in the order of the options (the sort is stable).
    order = np.lexsort((columns.place, counts[columns.slot], costs))
    ranked = [options[i] for i in order.tolist()]
    ranked_costs = costs[order]
    places, kinds = columns.place[order], columns.slot[order]
    fixed: dict[Key, float] = dict(zip([(o.person, o.slot) for o in ranked],
                                       ranked_costs.tolist(), strict=True))
    # Each person's options, cheapest first, and the people by their cheapest.
    grouped = np.argsort(places, kind="stable")
    firsts = np.flatnonzero(np.diff(places[grouped], prepend=-1) != 0)
    runs = grouped.tolist()
    bounds = [*firsts.tolist(), len(runs)]
    by_person = {ranked[runs[a]].person: [ranked[i] for i in runs[a:b]]
                 for a, b in pairwise(bounds)}
    cheapest = grouped[firsts]
    people = [ranked[i].person
              for i in cheapest[np.lexsort((places[cheapest], ranked_costs[cheapest]))].tolist()]
    junior = ctx.arrays.having(juniors(ctx))[places]
    by_slot = {s: [ranked[i] for i in np.flatnonzero(kinds == k).tolist()]
               for k, s in enumerate(slots)}
    of_juniors = {s: [ranked[i] for i in np.flatnonzero((kinds == k) & junior).tolist()]
                  for k, s in enumerate(slots)}
    return _Menu(
        case=case, by_person=by_person, fixed=fixed, slot_rank=slot_rank, depth=depth,
        by_slot=by_slot, juniors=of_juniors, needs=_needs(ctx, case, people, ranked, places),
    )


@dataclass
class _Team:
    """One case's team as it is built, with the bookings to undo if it cannot be finished."""

    roster: _Roster
    menu: _Menu
    members: list[Option] = field(default_factory=list)
    used: set[ProsecutorId] = field(default_factory=set)
    units: set[UnitId] = field(default_factory=set)
    open: dict[Slot, int] = field(default_factory=dict)
    journal: list[tuple[str, str, int]] = field(default_factory=list)
    has_junior: bool = False
    peak: int = 0
    _busiest: dict[ProsecutorId, float] = field(default_factory=dict)
    # Home staffing answers per home unit, for the unit and for people already away on
    # some day; a member leaving that unit changes them.
    _spare: dict[UnitId, bool] = field(default_factory=dict)
    _home_ok: dict[UnitId, dict[ProsecutorId, bool]] = field(
        default_factory=lambda: defaultdict(dict))
    _junior_slots: dict[Slot, int] | None = None

    def __post_init__(self) -> None:
        team = self.menu.case.team
        self.open = {s: team.slot_count(s) for s in team.slots()}

    # --- feasibility -----------------------------------------------------------------

    def allows(self, o: Option) -> bool:
        """Whether `o` can join now without breaking a hard rule or closing the team."""
        if o.person in self.used or not self.open.get(o.slot):
            return False
        return (self._units_allow(self._home(o.person)) and self._has_room(o.person)
                and self._home_allows(o))

    def _units_allow(self, home: UnitId) -> bool:
        team = self.menu.case.team
        if home not in self.units:
            return team.max_units is None or len(self.units) < team.max_units
        # When every open slot must bring a new unit to reach min_units, a known one cannot.
        return team.min_units is None or team.min_units - len(self.units) < self._open_total()

    def _has_room(self, person: ProsecutorId) -> bool:
        p = self.roster.scenario.prosecutor_by_id[person]
        return self._busiest_load(person) + self.menu.case.team.load <= p.capacity + FTE_EPS

    def _busiest_load(self, person: ProsecutorId) -> float:
        # A person's own load changes only when they join, after which they are not asked.
        if person not in self._busiest:
            p = self.roster.scenario.prosecutor_by_id[person]
            self._busiest[person] = self.roster.ledger.busiest(p, self.menu.case)
        return self._busiest[person]

    def _home_allows(self, o: Option) -> bool:
        ledger, case = self.roster.ledger, self.menu.case
        if not ledger.leaves_home(o, case):
            return True
        # Most people are away on none of the case's days, so one answer per unit serves
        # them all; only those already away on some day need one of their own.
        home = self._home(o.person)
        if home not in self._spare:
            self._spare[home] = ledger.can_spare(home, case)
        if self._spare[home]:
            return True
        if not ledger.away_during(o.person, case):
            return False
        answers = self._home_ok[home]
        if o.person not in answers:
            answers[o.person] = ledger.home_allows(o, case)
        return answers[o.person]

    def feasible_people(self, need: _Need, enough: int) -> int:
        """How many people outside the team could cover `need` now, counted up to `enough`."""
        found = 0
        for person in need.people:
            if person not in self.used and any(self.allows(o) for o in self.menu.by_person[person]):
                found += 1
                if found == enough:
                    break
        return found

    # --- cost ------------------------------------------------------------------------

    def cost(self, o: Option) -> float:
        """The rise of the objective if `o` joins, as far as one pick can tell."""
        w = self.roster.scenario.policy.weights
        cost = self.menu.fixed[o.person, o.slot]
        if self._home(o.person) not in self.units and not self._needs_units():
            cost += w.units
        u = self.roster.utilisation(o.person, self._busiest_load(o.person), self.menu.case)
        cost += w.peak_load * (max(0, u - self.roster.peak)
                               + UTILISATION_SHARE * max(0, u - HIGH_UTILISATION))
        if not self._is_junior(o.person) and self._last_junior_chance(o.slot):
            cost += w.no_junior
        return cost

    def _needs_units(self) -> bool:
        team = self.menu.case.team
        return team.min_units is not None and len(self.units) < team.min_units

    def _last_junior_chance(self, slot: Slot) -> bool:
        """Whether filling `slot` with a senior leaves no open slot a feasible junior could take."""
        slots = self._slots_for_juniors()
        return slot in slots and sum(slots.values()) <= 1

    def _slots_for_juniors(self) -> dict[Slot, int]:
        """Open slots a feasible junior could still take, and how many of each; none once
        the team has a junior or is too small for the no_junior term."""
        if self._junior_slots is None:
            if self.has_junior or self.menu.case.team.size < NO_JUNIOR_MIN_TEAM:
                self._junior_slots = {}
            else:
                self._junior_slots = {s: n for s, n in self.open.items()
                                      if n and any(self.allows(o) for o in self.menu.juniors[s])}
        return self._junior_slots

    def cheapest(self, options: Iterable[Option]) -> Option | None:
        """The cheapest option that can join, from `options` sorted by fixed cost."""
        best: Option | None = None
        best_key: tuple[float, bool, int, int, ProsecutorId] | None = None
        want_junior = bool(self._slots_for_juniors())
        for o in options:
            if best_key is not None and self.menu.fixed[o.person, o.slot] > best_key[0]:
                break  # the rest cost at least their fixed part, already more than the best
            if not self.allows(o):
                continue
            # Among equals: a junior while the team lacks one, then the deeper unit, then the
            # rarer slot, then the id.
            key = (self.cost(o), not (want_junior and self._is_junior(o.person)),
                   -self.menu.depth[self._home(o.person)], self.menu.slot_rank[o.slot], o.person)
            if best_key is None or key < best_key:
                best, best_key = o, key
        return best

    # --- building --------------------------------------------------------------------

    def take(self, o: Option) -> None:
        """Book `o`: its load, its absence from home, its slot and unit."""
        ledger, case = self.roster.ledger, self.menu.case
        self.peak = max(self.peak, self.roster.utilisation(o.person, self._busiest_load(o.person),
                                                           case))
        if ledger.leaves_home(o, case):
            self._spare.pop(self._home(o.person), None)
            self._home_ok.pop(self._home(o.person), None)
        ledger.commit(o, case, self.journal)
        self.members.append(o)
        self.used.add(o.person)
        self.units.add(self._home(o.person))
        self.open[o.slot] -= 1
        self.has_junior = self.has_junior or self._is_junior(o.person)
        self._junior_slots = None

    def place_forced(self, forced: list[tuple[ProsecutorId, Slot | None]]) -> bool:
        """Put required and pinned people on the team; False if one cannot join."""
        for person, slot in forced:
            if person in self.used and (slot is None or any(
                    o.person == person and o.slot is slot for o in self.members)):
                continue
            mine = [o for o in self.menu.by_person.get(person, [])
                    if slot is None or o.slot is slot]
            option = self.cheapest(mine)
            if option is None:
                return False
            self.take(option)
        return True

    def cover_needs(self) -> bool:
        """Meet every coverage requirement, rarest first; False if one cannot be met."""
        while True:
            unmet = [(need, need.count - len(self.used & need.able)) for need in self.menu.needs]
            unmet = [(need, short) for need, short in unmet if short > 0]
            if not unmet:
                return True
            # No need can count more feasible people than it has eligible ones (the needs
            # are sorted by that), so counting past one more than the largest, or past the
            # fewest so far, cannot change which is the rarest.
            ceiling = len(unmet[-1][0].people) + 1 if len(unmet) > 1 else 0
            rarest, fewest = unmet[0][0], ceiling
            for need, short in unmet:
                found = self.feasible_people(need, max(short, fewest))
                if found < short:
                    return False
                if found < fewest:
                    rarest, fewest = need, found
            option = self.cheapest(self._meeting_most(rarest, [n for n, _ in unmet]))
            if option is None:
                return False
            self.take(option)

    def _meeting_most(self, need: _Need, unmet: list[_Need]) -> list[Option]:
        """The options of `need` whose people, among those who can join, meet the most
        `unmet` needs at once: a speaker of a rare language who also holds a rare skill
        spares the cases to come one of each. On an outside province of one 2,000-person
        office (3,000 x 500), taking the cheapest instead staffed 1,184 and 1,189 priority
        (by priority, and per member) where a builder choosing so staffed 1,268; now 1,252
        and 1,277."""
        meets = {o.person: sum(o.person in n.able for n in unmet) for o in need.options}
        # Most needs first, asking who can join only until one of a group can.
        for count in sorted(set(meets.values()), reverse=True):
            group = [o for o in need.options if meets[o.person] == count]
            if any(self.allows(o) for o in group):
                return group
        return []

    def fill_slots(self) -> bool:
        """Fill the open slots cheapest first, the leader's (usually the rarest) first."""
        for slot in self.menu.case.team.slots():
            while self.open[slot]:
                option = self.cheapest(self.menu.by_slot[slot])
                if option is None:
                    return False
                self.take(option)
        return not self._needs_units()

    def undo(self) -> None:
        """Take back every booking of the team."""
        self.roster.ledger.undo(self.journal, self.menu.case)
        self.members.clear()

    def _open_total(self) -> int:
        return sum(self.open.values())

    def _home(self, person: ProsecutorId) -> UnitId:
        return self.roster.scenario.prosecutor_by_id[person].home

    def _is_junior(self, person: ProsecutorId) -> bool:
        return self.roster.scenario.prosecutor_by_id[person].years <= JUNIOR_YEARS


def _case_order(ctx: Context, pinned: dict[CaseId, list[tuple[ProsecutorId, Slot | None]]],
                per_member: bool) -> list[Case]:
    """Mandatory first, then pinned, then by priority (per team member if `per_member`);
    among equals the case with fewer eligible options per slot, which has the fewest ways
    to be staffed later."""
    by_case = ctx.candidates.by_case
    return sorted(ctx.scenario.cases, key=lambda c: (
        not c.mandatory, not pinned.get(c.id),
        -c.priority / c.team.size if per_member else -c.priority,
        len(by_case.get(c.id, [])) / c.team.size, c.id))


def _build(roster: _Roster, menu: _Menu, forced: list[tuple[ProsecutorId, Slot | None]]
           ) -> list[Option] | None:
    """The case's team, booked in the ledger and the roster's peak, or None with nothing
    booked."""
    team = _Team(roster, menu)
    if team.place_forced(forced) and team.cover_needs() and team.fill_slots():
        roster.peak = max(roster.peak, team.peak)
        roster.serving |= team.used
        return team.members
    team.undo()
    return None


# Each case's menu, worked out once for the builds that share it (`rarest_first`).
Menus = dict[CaseId, _Menu]


def rarest_first(ctx: Context, *, per_member: bool = False, menus: Menus | None = None
                 ) -> tuple[list[Option], set[CaseId]]:
    """A valid roster built one case at a time, rarest requirement first: the chosen
    options and the staffed cases. Mandatory and pinned cases it cannot staff are left
    unstaffed (see the module docstring). Cases are taken by priority, as Lappas, Liu and
    Terzi's builder would; `per_member` takes them by priority per team member instead,
    which staffs more where large teams of middling priority crowd out small ones. Builds
    given the same `menus` work out each case's menu once: on a province whose cases were
    open to 2,500 people each, the menus were most of a build's 8 s."""
    built = rarest_first_by(ctx, math.inf, per_member=per_member, menus=menus)
    assert built is not None  # no time limit was given
    return built


def rarest_first_by(ctx: Context, until: float, *, per_member: bool = False,
                    menus: Menus | None = None, stop: Callable[[], bool] | None = None
                    ) -> tuple[list[Option], set[CaseId]] | None:
    """`rarest_first`, or None if `until` (on `scheduler.clock`) passes, or `stop` says so,
    before every case is tried: a roster built that far would leave the rest of the cases
    unstaffed. (A build of a province whose cases are open to most people takes 2 s, which
    Ctrl-C waited for.)"""
    teams = _teams(ctx, _Roster(ctx.scenario, Ledger(ctx.scenario)), set(), per_member,
                   menus=menus, until=until, charged=True, stop=stop)
    if teams is None:
        return None
    return [o for team in teams for o in team], {team[0].case for team in teams}


def staff_more(ctx: Context, ledger: Ledger, chosen: list[Option], staffed: set[CaseId],
               peak: int, keep: list[Option] | None = None) -> list[list[Option]]:
    """Teams, built as above, for the cases a roster leaves unstaffed that fit beside it as
    it stands: `chosen` (its teams, booked in `ledger`), `staffed`, and `peak`, its peak
    utilisation. Each team found is booked in `ledger` too. Where neighbourhood search has
    had little time (dense 4,000 x 700), two cases fitted that way after it. The people of
    `keep` are placed first on their case's team, as pinned ones are: a team broken by a
    what-if is then mended around the members it still has."""
    roster = _Roster(ctx.scenario, ledger, peak=peak, serving={o.person for o in chosen})
    teams = _teams(ctx, roster, staffed, per_member=False, keep=keep or [])
    assert teams is not None  # no time limit was given
    return teams


def _teams(ctx: Context, roster: _Roster, staffed: set[CaseId], per_member: bool,
           keep: list[Option] | None = None, menus: Menus | None = None,
           until: float = math.inf, charged: bool = False,
           stop: Callable[[], bool] | None = None) -> list[list[Option]] | None:
    """A team for each case outside `staffed` that can be built beside those booked in
    `roster`, in the builder's order, around the people of `keep`; each booked as it is
    built. Menus are taken from `menus`, and those worked out added to it. None once
    `until` has passed or `stop` says so. If `charged`, each menu and each team is charged
    to the work clock as it is made, so that a repeatable solve's build ends on time too
    (charged once it was over, a build begun with 3 s left was charged 10 s on 1.8 million
    options, and its solve ran 5 s past its limit)."""
    menus = {} if menus is None else menus
    s = ctx.scenario
    pinned: dict[CaseId, list[tuple[ProsecutorId, Slot | None]]] = defaultdict(list)
    for a in s.previous:
        if a.pinned:
            pinned[a.case].append((a.prosecutor, a.slot))
    kept = {(a.case, a.prosecutor, a.slot) for a in s.previous if not a.pinned}
    teams = []
    for case in _case_order(ctx, pinned, per_member):
        if case.id in staffed:
            continue
        if clock.now() >= until or (stop is not None and stop()):
            return None
        options = ctx.candidates.by_case.get(case.id, [])
        if case.id not in menus:
            depth = {u: len(p) for u, p in ctx.candidates.people_by_home(case.id).items()}
            menus[case.id] = _menu(ctx, options, case, kept, depth)
            if charged:
                clock.charge(len(options), tuning.WORK_SECONDS_PER_OPTION_RANKED)
        if charged:
            clock.charge(len(options), tuning.WORK_SECONDS_PER_OPTION_BUILT)
            clock.charge(1, tuning.WORK_SECONDS_PER_CASE_BUILT)
        menu = menus[case.id]
        forced = pinned.get(case.id, []) + [(p, None) for p in case.require_prosecutors] + [
            (o.person, o.slot) for o in keep or [] if o.case == case.id]
        team = _build(roster, menu, forced)
        if team is not None:
            teams.append(team)
    return teams
