"""Polish: the small moves CP-SAT's neighbourhoods are too slow to make everywhere.

Neighbourhood search reopens 4 to 40 cases a step, at up to 2 s a step; a dense province
of 700 cases gets a few dozen steps in a minute, and most teams are never reopened. Two
moves of a few microseconds each are tried on every team instead:
- **staff more**: an unstaffed case whose team fits beside the roster as it stands is
  staffed (the rarest-first builder, `scheduler.construct.rarest.staff_more`);
- **swap**: one member is replaced by a cheaper eligible person who fits, every other
  member and team kept; each member's candidates are taken cheapest first and the search
  stops at the first that could not gain;
- **steal** (from the second round, where the caller allows): a cheaper person who does not
  fit because they serve another team on the same days is taken from it, if that team has
  a replacement costing less than the swap gains. On provinces whose cases mostly run at
  once, people travel to each other's offices because each office's own are taken, and
  no single swap can undo it: one steal can.
Rounds repeat until nothing changes or time is up: a swap may free someone another case
needs. Swaps are judged on travel, off_pair, units, no_junior and changes; when
no_standby is weighted (`solve --robust`), also on how many members of the mandatory cases
overlapping the team's in time lose or find a standby (`_Standbys`, counted exactly as the
report counts, before and after the swap). A swap whose only gain would be standbys found
is not looked for: candidates are still taken cheapest first by the other terms.
Every move keeps every hard rule, so the roster is valid at every step; its
objective is recomputed at the end, and the roster is kept only if it is better.

On rosters of 4,000 x 700 after a 60 s search (2 cores, seed 1), swaps took cost from
186,362 to 176,107 on the dense family (155 swaps, 1.9 s) and 163,757 to 160,918 on
skewed (33, 0.9 s); staffing more added 2 cases on dense; on the tight family one swap.
On a 60 s roster of standard 4,000 x 700 with 80 % provincial cases starting within 10
days, 1,310 of 2,696 members served at home where the offices' own people could have
taken 1,771 (one CP-SAT model per office, skills left out); plain swaps changed nothing
there, and a 3 s polish with steals took the cost from 268,345 to 243,545.
"""

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from models import Case, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler import clock, tuning
from scheduler.construct.ledger import Ledger
from scheduler.construct.rarest import staff_more
from scheduler.instance.arrays import SlotMenu
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, RosterModel
from scheduler.model.costs import (
    JUNIOR_YEARS,
    NO_JUNIOR_MIN_TEAM,
    cheapest_by_slot,
    covers,
    overlap,
    standby_profile,
)
from scheduler.report import evaluate, is_better, utilisation
from scheduler.search.incumbent import Incumbent
from scheduler.search.phases import Between

# A swap must gain more than this: costs within it are equal (spec 1.1).
GAIN = 0.5
Journal = list[tuple[str, str, int]]


@dataclass(frozen=True)
class _Menu:
    """One case's options by slot, cheapest first by what they cost alone (travel and
    off_pair), and its coverage needs."""

    near: set[UnitId]
    by_slot: dict[Slot, SlotMenu]
    needs: list[tuple[int, frozenset[ProsecutorId]]]


class _Standbys:
    """Members of staffed mandatory cases without a standby (the no_standby term), for the
    cases a swap can change: those overlapping the swapped team's in time, where the member
    leaving or the newcomer is a candidate (they may become free or busy there)."""

    def __init__(self, ctx: Context, teams: dict[CaseId, list[Option]]) -> None:
        self.ctx = ctx
        self.cases = ctx.scenario.case_by_id
        self.mandatory = [c for c in ctx.scenario.cases if c.mandatory]
        self.teams = teams  # the swaps' own teams, as they change
        self.profiles: dict[CaseId, Callable[[ProsecutorId], tuple[bool, ...]]] = {}
        self.reach = {c.id: set(ctx.candidates.people(c.id)) for c in self.mandatory}

    def _lacking(self, case: Case, team: list[Option], moved: Option, into: CaseId) -> int:
        if case.id not in self.profiles:
            self.profiles[case.id] = standby_profile(self.ctx, case)
        profile = self.profiles[case.id]
        # Who serves when, once: the teams of the cases overlapping this one.
        busy = {o.person for k, members in self.teams.items()
                if overlap(case, self.cases[k]) for o in members}
        if overlap(case, self.cases[into]):
            busy.add(moved.person)
        standing: dict[Slot, set[tuple[bool, ...]]] = defaultdict(set)
        for o in self.ctx.candidates.by_case.get(case.id, []):
            if o.person not in busy:
                standing[o.slot].add(profile(o.person))
        return sum(not any(covers(p, profile(m.person)) for p in standing[m.slot]) for m in team)

    def change(self, case: Case, member: Option, newcomer: Option) -> int:
        """How many more members lack a standby with `newcomer` in `member`'s place on
        `case` (negative: fewer). `member` is released from the teams when asked."""
        out = 0
        for k in self.mandatory:
            if not overlap(k, case) or (k.id != case.id and not self.teams.get(k.id)):
                continue
            reach = self.reach[k.id]
            if k.id != case.id and member.person not in reach and newcomer.person not in reach:
                continue  # nobody k could draw on changes cases
            team = self.teams.get(k.id, [])
            before = [*team, member] if k.id == case.id else team
            after = [*team, newcomer] if k.id == case.id else team
            out += (self._lacking(k, after, newcomer, case.id)
                    - self._lacking(k, before, member, case.id))
        return out


class _Swaps:
    """The roster's teams booked in a ledger, one journal per member, so that a member
    can step off while their replacements are tried."""

    def __init__(self, ctx: Context, chosen: list[Option], menus: dict[CaseId, _Menu]) -> None:
        s = ctx.scenario
        self.ctx = ctx
        self.people, self.cases = s.prosecutor_by_id, s.case_by_id
        self.w = s.policy.weights
        self.ledger = Ledger(s)
        self.journals: dict[tuple[ProsecutorId, CaseId], Journal] = {}
        self.teams: dict[CaseId, list[Option]] = defaultdict(list)
        # Each person's places: the team a steal takes a member from.
        self.serves: dict[ProsecutorId, dict[CaseId, Option]] = defaultdict(dict)
        for o in chosen:
            self.book(o)
        clock.charge(len(chosen), tuning.WORK_SECONDS_PER_MEMBER_POLISHED)
        self.serving = Counter(o.person for o in chosen)
        # A swap never raises the roster's peak_load: it is a maximum, and the moves are
        # judged one team at a time.
        self.peak = max(utilisation(ctx, chosen).values(), default=0)
        self.pinned = {(a.case, a.prosecutor) for a in s.previous if a.pinned}
        self.kept = {(a.case, a.prosecutor, a.slot) for a in s.previous if not a.pinned}
        self.replanned = {case for case, _, _ in self.kept}
        self._menus = menus
        # What the swaps have read, for the work clock: options ranked (by numpy, far
        # cheaper an option), members and candidates weighed.
        self.ranked = 0
        self.read = 0
        self.standbys = _Standbys(ctx, self.teams) if self.w.no_standby > 0 else None
        self.stealing = False  # whether a swap may take a busy person from their team

    def book(self, o: Option) -> None:
        journal: Journal = []
        self.ledger.commit(o, self.cases[o.case], journal)
        self.journals[o.person, o.case] = journal
        self.teams[o.case].append(o)
        self.serves[o.person][o.case] = o

    def release(self, o: Option) -> None:
        self.ledger.undo(self.journals.pop((o.person, o.case)), self.cases[o.case])
        self.teams[o.case].remove(o)
        del self.serves[o.person][o.case]

    def chosen(self) -> list[Option]:
        return [o for team in self.teams.values() for o in team]

    def menu(self, case: Case) -> _Menu:
        if case.id not in self._menus:
            if case.id not in self.ctx.by_slot:
                self.ranked += len(self.ctx.candidates.by_case.get(case.id, ()))
            self._menus[case.id] = _Menu(self.ctx.geography.near(case),
                                         cheapest_by_slot(self.ctx, case),
                                         self.ctx.coverage(case))
        return self._menus[case.id]

    def alone(self, o: Option, near: set[UnitId]) -> float:
        """What an option costs whatever the rest of its team: travel and off_pair."""
        return (self.w.travel * o.travel_minutes if o.on_site else 0.0) + (
            self.w.off_pair if self.people[o.person].home not in near else 0.0)

    def fits(self, o: Option, case: Case) -> bool:
        """Capacity and home staffing (rules 5 and 6), and no rise of the peak."""
        if not self.ledger.fits(o, case):
            return False
        person = self.people[o.person]
        used = self.ledger.busiest(person, case) + case.team.load
        if not self.serving[o.person]:
            days = self.ledger.load[o.person]
            used = max(used, person.load + max(days.values(), default=0.0))
        return int(100 * used / person.capacity + 1e-9) <= self.peak

    def improve_team(self, case: Case) -> int:
        """Swap members of `case`'s team for cheaper people who fit; how many swaps."""
        team = self.teams[case.id]
        menu = self.menu(case)
        moves = 0
        for member in list(team):
            if member.person in case.require_prosecutors or (case.id, member.person) in self.pinned:
                continue
            busy: list[tuple[float, Option]] | None = [] if self.stealing else None
            if self._cheaper(case, menu, member, busy=busy) is not None:
                moves += 1
                continue
            for gain, o in busy or ():
                if self._steal(case, menu, member, o, gain):
                    moves += 1
                    break
        clock.charge(self.read, tuning.WORK_SECONDS_PER_OPTION_POLISHED)
        clock.charge(self.ranked, tuning.WORK_SECONDS_PER_OPTION_MENU)
        self.read = self.ranked = 0
        return moves

    def _steal(self, case: Case, menu: _Menu, member: Option, o: Option, gain: float) -> bool:
        """`o`, who would gain `gain` in `member`'s place but serves another team `d` on
        those days, moved to `case`, if `d` has a replacement costing less than that gain
        more (often `member` themself: two people each travelling to the other's home
        office trade places); whether made. The two moves are made in turn, and the first
        undone if the second does not make the pair gain."""
        held = [k for k in self.serves[o.person] if overlap(self.cases[k], case)]
        if len(held) != 1:
            return False  # serves none (home staffing kept them) or several at once
        d = self.cases[held[0]]
        away = self.serves[o.person][d.id]
        if o.person in d.require_prosecutors or (d.id, o.person) in self.pinned:
            return False
        self.release(member)  # free to take `o`'s place on `d`
        freed = self._cheaper(d, self.menu(d), away, threshold=-gain - GAIN)
        if freed is not None:
            lost, refill = freed
            if self._cheaper(case, menu, member, threshold=-lost - GAIN,
                             member_off=True) is not None:
                return True
            self.release(refill)
            self.book(away)
            self.serving[refill.person] -= 1
            self.serving[away.person] += 1
        self.book(member)
        return False

    def _cheaper(self, case: Case, menu: _Menu, member: Option, *, threshold: float = -GAIN,
                 busy: list[tuple[float, Option]] | None = None, member_off: bool = False
                 ) -> tuple[float, Option] | None:
        """The cheapest swap for `member` that gains more than -`threshold` (a positive
        threshold: that costs less than it more), made, with its gain (negative: saved);
        None (and nothing changed) if none does. Into `busy`, if given, the first
        `tuning.STEALS_TRIED` people who would have gained but do not fit beside their
        other teams. With `member_off`, the member is already released, and left so."""
        w, people = self.w, self.people
        team = self.teams[case.id]
        others = [o for o in team if o is not member]
        on_team = {o.person for o in team} | {member.person}
        homes = Counter(people[o.person].home for o in others)
        juniors = sum(people[o.person].years <= JUNIOR_YEARS for o in others)
        large = case.team.size >= NO_JUNIOR_MIN_TEAM
        had_junior = juniors + (people[member.person].years <= JUNIOR_YEARS) > 0
        have = [sum(o.person in able for o in others) for _, able in menu.needs]
        # What leaving costs or saves whoever comes: the member's own terms.
        out = -self.alone(member, menu.near) - (0.0 if homes[people[member.person].home]
                                                 else w.units)
        out += w.changes if (case.id, member.person, member.slot) in self.kept else 0.0
        # The most a newcomer can save beyond their own cost: keeping a unit, bringing a
        # junior, keeping a previous assignment.
        most = w.units + (w.no_junior if large else 0.0) + (
            w.changes if case.id in self.replanned else 0.0)
        released = member_off
        best: tuple[float, Option] | None = None
        menu_of_slot = menu.by_slot.get(member.slot, SlotMenu([], []))
        self.read += len(team)
        for alone, o in zip(menu_of_slot.costs, menu_of_slot.options, strict=True):
            self.read += 1
            if alone + out - most >= threshold or (
                    best is not None and alone + out - most >= best[0]):
                break
            if o.person in on_team:
                continue
            home = people[o.person].home
            gain = alone + out + (0.0 if homes[home] else w.units)
            if large:
                junior = juniors + (people[o.person].years <= JUNIOR_YEARS) > 0
                gain += w.no_junior * (had_junior - junior)
            gain -= w.changes if (case.id, o.person, o.slot) in self.kept else 0.0
            if gain >= threshold or (best is not None and gain >= best[0]):
                continue
            if not self._team_holds(case, menu, homes, have, o):
                continue
            if not released:
                self.release(member)
                released = True
            if not self.fits(o, case):
                if busy is not None and len(busy) < tuning.STEALS_TRIED:
                    busy.append((gain, o))
                continue
            if self.standbys is not None:
                gain += self.w.no_standby * self.standbys.change(case, member, o)
                if gain >= threshold or (best is not None and gain >= best[0]):
                    continue
            best = gain, o
        if best is None:
            if released and not member_off:
                self.book(member)
            return None
        self.serving[member.person] -= 1
        self.serving[best[1].person] += 1
        self.book(best[1])
        return best

    def _team_holds(self, case: Case, menu: _Menu, homes: Counter[UnitId], have: list[int],
                    o: Option) -> bool:
        """Coverage and the unit counts (rule 4) with `o` in the member's place."""
        units = len(homes) + (homes[self.people[o.person].home] == 0)
        spec = case.team
        if spec.max_units is not None and units > spec.max_units:
            return False
        if spec.min_units is not None and units < spec.min_units:
            return False
        return all(n + (o.person in able) >= count
                   for n, (count, able) in zip(have, menu.needs, strict=True))


def polish(ctx: Context, best: Incumbent, *, until: float,
           stop: Callable[[], bool] = lambda: False, steal: bool = False) -> Incumbent:
    """`best` with every unstaffed case that fits staffed and every swap that gains made,
    round after round until none does or `until` (a time on `scheduler.clock`); with
    `steal`, from the second round, swaps that take a busy person from their other team
    too (`_Swaps._steal`)."""
    if clock.now() >= until or stop():
        return best  # booking the roster alone took 0.5 s of a province's time past it
    s = ctx.scenario
    staffed = set(best.staffed)
    menus: dict[CaseId, _Menu] = {}
    swaps = _Swaps(ctx, best.chosen, menus)
    # Steals from the second round on: the plain swaps first reach every team (on a
    # province of mostly provincial cases starting within 10 days, 4,000 x 700, a round
    # with steals took 6 s, one without 1 s).
    stealing = False
    while clock.now() < until and not stop():
        # Fitting in cases ranks the options of each case left unstaffed.
        clock.charge(sum(len(ctx.candidates.by_case.get(c.id, ())) for c in s.cases
                         if c.id not in staffed), tuning.WORK_SECONDS_PER_OPTION_POLISHED)
        added = staff_more(ctx, swaps.ledger, swaps.chosen(), staffed, swaps.peak)
        if added:
            # Booked by the builder without a journal per member: booked afresh.
            staffed |= {team[0].case for team in added}
            swaps = _Swaps(ctx, swaps.chosen() + [o for team in added for o in team], menus)
        swaps.stealing = stealing
        moves = 0
        for case in s.cases:
            if clock.now() >= until or stop():
                break
            if case.id in staffed:
                moves += swaps.improve_team(case)
        if not added and not moves and (stealing or not steal):
            break
        stealing = steal
    chosen = swaps.chosen()
    polished = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    return polished if is_better(polished.objective, best.objective) else best


def polishing(until: float, stop: threading.Event | None = None) -> Between:
    """For `scheduler.search.phases.lexicographic`: the priority phase's roster polished
    by `until` (or until `stop` is set) within its model, as a context of its own (its
    cases, their options, and the teams kept around them as its people's commitments), so
    that every swap is one the model can make and the cost phase can start from it."""
    def between(m: RosterModel, chosen: list[Option], staffed: set[CaseId]
                ) -> tuple[list[Option], set[CaseId]] | None:
        first = Incumbent(chosen, staffed, evaluate(m, chosen, staffed))
        done = polish(m, first, until=until, stop=lambda: stop is not None and stop.is_set())
        return None if done is first else (done.chosen, done.staffed)
    return between
