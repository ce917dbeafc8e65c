"""Parts that compete for people, solved as one: a tighter bound by parts.

A part solved alone may do what it cannot beside the others. On tight 2,000 x 300 the
provincial part staffs 17 of its priority alone and 15 in every roster, because one
city's part needs what its left-out case would take: the parts' highest added up to 303
where only 301 can be staffed. And a part may cost less alone than in any roster, its
cheapest people serving another part's teams. Any partition of the cases bounds every
roster, so two parts solved as one model bound it at least as tightly as apart, and more
where they compete: there the provincial part and that city's as one staff 28 where
apart they staffed 30 (proven in 2 s), and three more cities joining them one by one
raised its cost bound by 574; the gap went from 3.0 to 0.6 %.

The roster shows where to look: a part it staffs below its highest, or pays more for
than the part proved it must, and the parts whose teams have the people that part's own
best teams alone had. The pairs get a share of the search where the roster staffs what
the parts allow, and slices of it wherever they pay (`scheduler.search.split`).
"""

import threading
from collections.abc import Iterator, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from models.ids import CaseId, ProsecutorId
from scheduler import clock, tuning
from scheduler.bounds.parts import (
    ROUNDING,
    PartBound,
    deferred,
    merged_tries,
    resume_part,
    settled,
    solve_part,
)
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.report import team_cost
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import conflicts


@dataclass(frozen=True)
class Rivals:
    """Two parts to try as one: `short` staffed below its highest in the roster, or at a
    higher cost than it proved, and `taker`, whose teams take people it wants."""

    short: frozenset[CaseId]
    taker: frozenset[CaseId]


def rivals(ctx: Context, bounds: list[PartBound], roster: Incumbent,
           impossible: Set[CaseId], *, short: bool) -> list[Rivals]:
    """The pairs of parts worth solving as one, likeliest first. With `short`, each part
    the roster staffs below its highest (the furthest below first), with the parts whose
    teams take most people, then most offices, among the candidates of its cases left
    out. Else each part whose teams cost more in the roster than it proved it must (more
    than `tuning.MERGE_LOSS_SHARE` more), each one's likeliest rival before any one's
    second, the costliest first: there the parts competed for people the cheapest teams
    share."""
    s = ctx.scenario
    owner = {c: b.cases for b in bounds for c in b.cases}
    homes = {p.id: p.home for p in s.prosecutors}
    used: dict[frozenset[CaseId], set[ProsecutorId]] = {b.cases: set() for b in bounds}
    teams: dict[CaseId, list[Option]] = {}
    for o in roster.chosen:
        if o.case in owner:
            used[owner[o.case]].add(o.person)
            teams.setdefault(o.case, []).append(o)
    size = {b.cases: sum(len(ctx.candidates.by_case.get(c, ())) for c in b.cases)
            for b in bounds}
    falls: list[tuple[int, PartBound, list[CaseId]]] = []
    costly: list[tuple[float, PartBound, list[CaseId]]] = []
    for b in bounds:
        staffed = b.cases & roster.staffed
        level = s.priority_of(staffed)
        left_out = [c for c in sorted(b.cases - roster.staffed) if c not in impossible]
        if level < b.highest and left_out:
            falls.append((b.highest - level, b, left_out))
            continue
        if deferred(b):
            continue  # its least cost is counted, far below any team: no sign of rivals
        least = b.least_cost(level)
        paid = sum(team_cost(ctx, s.case_by_id[c], teams.get(c, [])) for c in staffed)
        if least > 0 and paid > least * (1 + tuning.MERGE_LOSS_SHARE):
            costly.append((paid - least, b, sorted(staffed)))

    def takers(b: PartBound, cases: list[CaseId]) -> list[frozenset[CaseId]]:
        # Most telling: the people of the part's own best teams alone that the roster has
        # elsewhere. On tight 2,000 x 300 the parts that raised the provincial part's cost
        # most ranked 7th to 15th of 15 by its candidates they took.
        own = {o.person for o in b.roster.chosen} - used[b.cases]
        wanted = {p for c in cases for p in ctx.candidates.people(c)}
        offices = {homes[p] for p in wanted}
        ranked = []
        for taker, people in used.items():
            mine, shared = len(people & own), len(people & wanted)
            near = len({homes[p] for p in people} & offices)
            if taker != b.cases and (mine or shared or near):
                ranked.append((-mine, -shared, -near, size[taker], sorted(taker), taker))
        return [r[-1] for r in sorted(ranked)]

    if short:
        return [Rivals(b.cases, taker)
                for _, b, cases in sorted(falls, key=lambda f: (-f[0], size[f[1].cases],
                                                                sorted(f[1].cases)))
                for taker in takers(b, cases)]
    out = []
    by_loss = [(b.cases, takers(b, cases))
               for _, b, cases in sorted(costly, key=lambda f: (-f[0], sorted(f[1].cases)))]
    for rank in range(max((len(t) for _, t in by_loss), default=0)):
        out += [Rivals(part, t[rank]) for part, t in by_loss if rank < len(t)]
    return out


def _steps(b: PartBound) -> npt.NDArray[np.float64]:
    """`b.least_cost(level)` for each level from 0 to its highest."""
    return np.array([b.least_cost(level) for level in range(b.highest + 1)], dtype=np.float64)


def _apart(a: PartBound, b: PartBound) -> npt.NDArray[np.float64]:
    """For each level up to both parts' highest together, the least cost of staffing at
    least that much of the two, from each one's least costs alone: however the level is
    split between them, each costs at least its least there."""
    mine, theirs = _steps(a), _steps(b)
    out = np.full(a.highest + b.highest + 1, np.inf)
    for level in range(len(out)):
        lo, hi = max(0, level - b.highest), min(level, a.highest)
        out[level] = np.min(mine[lo:hi + 1] + theirs[level - lo::-1][:hi - lo + 1])
    return out


def _joined(both: PartBound, a: PartBound, b: PartBound) -> PartBound:
    """The two parts as one: `both`, solved as one, at each of its levels costs at least
    what the two apart prove; its lowest peak_load is its own, or else the highest either
    part proved.

    Apart they bound every level: a pair whose cost phase ended early may prove less at
    its highest than its parts did. Staffing `level` of one part and the other's highest,
    the pair staffs at least that `level` of the one, so the one's lowest peak holds for
    the pair from there. (Where the pair staffs less than the two apart, that is more
    than it can: a pair that lowers the priority proves its own.)"""
    highest = min(both.highest, a.highest + b.highest)
    apart = _apart(a, b)
    least = {level: max(both.least_cost(level), float(apart[level]))
             for level in range(1, highest + 1)}
    peaks = [(lp[0] + other.highest, lp[1]) for one, other in ((a, b), (b, a))
             if (lp := one.least_peak) is not None]
    peak = both.least_peak or max(peaks, key=lambda p: (p[1], -p[0]), default=None)
    return PartBound(both.cases, both.total, highest,
                     {level: cost for level, cost in least.items() if cost > 0}, both.roster,
                     least_peak=peak)


def _better(joined: PartBound, a: PartBound, b: PartBound) -> bool:
    """Whether the two parts as one prove more than apart: less priority, or at that
    priority a higher least cost."""
    apart = a.highest + b.highest
    if joined.highest < apart:
        return True
    alone = a.least_cost(a.highest) + b.least_cost(b.highest)
    return joined.least_cost(apart) > alone + ROUNDING * max(1.0, alone)


def merge_rivals(ctx: Context, bounds: list[PartBound], roster: Incumbent, *, until: float,
                 workers: int, seed: int, impossible: Set[CaseId],
                 stop: threading.Event | None = None,
                 tried: set[Rivals] | None = None) -> Iterator[list[PartBound]]:
    """`bounds` with rival parts (`rivals`) solved as one by `until` wherever that proves
    more, yielded after each change. Pairs run side by side on `workers` threads of one
    CP-SAT worker each, each given an even share of the time left; one worker tries them
    in turn, which repeats. First the pairs that may prove less priority, then the cost
    phase of those joined, then the pairs that may prove more cost. Pairs of `tried` are
    not tried again, and those tried now are added to it."""
    joining = _Joining(ctx, bounds, roster, until, workers, seed, impossible, stop,
                       set() if tried is None else tried)
    yield from joining.join(short=True)
    yield from joining.resume()
    yield from joining.join(short=False)


class _Joining:
    """The parts as rival pairs join, and the pairs tried so far."""

    def __init__(self, ctx: Context, bounds: list[PartBound], roster: Incumbent,
                 until: float, workers: int, seed: int, impossible: Set[CaseId],
                 stop: threading.Event | None, tried: set[Rivals]) -> None:
        self.ctx, self.roster, self.until, self.seed = ctx, roster, until, seed
        self.threads = max(1, workers)
        self.impossible, self.stop = impossible, stop
        self.out = {b.cases: b for b in bounds}
        self.tried = tried
        self.joined: set[frozenset[CaseId]] = set()
        self.clashes: dict[Rivals, bool] = {}

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def clash(self, pair: Rivals) -> bool:
        """Whether the two parts' own best teams alone may clash: if not, together they
        staff and cost what they do apart, and as one would prove nothing more. (On
        scarce 4,000 x 700 fourteen pairs with a case the roster left out, none of them
        clashing, took 14 s of the search and proved nothing.)"""
        if pair not in self.clashes:
            a, b = self.out[pair.short].roster, self.out[pair.taker].roster
            self.clashes[pair] = not (a.solved and b.solved) or bool(
                conflicts(self.ctx, a.chosen, b.chosen))
        return self.clashes[pair]

    def join(self, short: bool) -> Iterator[list[PartBound]]:
        """Rival pairs of one kind (`short`: staffed below the highest) tried as one."""
        failed = 0  # pairs in a row that proved nothing more
        while not self.stopped() and failed < tuning.MERGE_FAILURES:
            # Time first: finding the pairs asks every part's teams and candidates, and
            # most solves of a province end their parts with none of the share left.
            left = self.until - clock.now()
            if left < tuning.MERGE_TRY_SECONDS:
                return
            pairs = [p for p in rivals(self.ctx, list(self.out.values()), self.roster,
                                       self.impossible, short=short)
                     if p not in self.tried and self.clash(p)]
            if not pairs:
                return
            # A pair that may prove more cost must prove its cost phase to: three pairs
            # with the provincial part of tight 2,000 x 300 took 1.3 to 3 s.
            least = tuning.MERGE_TRY_SECONDS * (1 if short else tuning.MERGE_COST_TRY_FACTOR)
            share = max(least, left * self.threads / len(pairs))
            batch = pairs[:self.threads]
            self.tried.update(batch)

            def run(pair: Rivals, share: float = share) -> PartBound:
                until = min(self.until, clock.now() + share)
                if not short:
                    return self.costed(pair, until)
                # The pair's own lowest peak_load, if either part proved one: a pair that
                # staffs less than its parts apart cannot keep theirs (`_joined`).
                peak = any(self.out[p].least_peak is not None for p in (pair.short, pair.taker))
                return solve_part(self.ctx, set(pair.short | pair.taker), self.roster,
                                  until, self.seed, self.stop, lambda: peak)

            if self.threads == 1:
                merged = [run(pair) for pair in batch]
            else:
                with ThreadPoolExecutor(self.threads) as pool:
                    merged = list(pool.map(run, batch))
            changed = False
            for pair, both in zip(batch, merged, strict=True):
                a, b = self.out.get(pair.short), self.out.get(pair.taker)
                if a is None or b is None:
                    continue  # one of them joined another pair of this batch first
                joined = _joined(both, a, b)
                if not _better(joined, a, b):
                    failed += 1
                    continue
                failed = 0
                del self.out[pair.short], self.out[pair.taker]
                self.out[joined.cases] = joined
                self.joined.add(joined.cases)
                changed = True
            if changed:
                yield list(self.out.values())

    def costed(self, pair: Rivals, until: float) -> PartBound:
        """The pair's least cost at the priority the roster staffs of it, by `until`:
        the cost phase alone, from the roster's teams. Its highest needs no proof of its
        own: the parts apart bound it (their highest together); its least cost holds for
        every roster staffing at least as much of the pair as this one. On skewed
        4,000 x 700 a city's part with its likeliest rival proved 882 more in 4.2 s so,
        against 13.3 s with the priority phase first (another pair, 1,054 in 2.9 s
        against 4.8 s)."""
        a, b = self.out[pair.short], self.out[pair.taker]
        found = resume_part(self.ctx, set(pair.short | pair.taker), self.roster, until,
                            self.seed, self.stop)
        return replace(found, highest=a.highest + b.highest)

    def resume(self) -> Iterator[list[PartBound]]:
        """The cost phase of each pair joined with its cost unproven, in turn, from its own
        teams: a pair's share may prove its priority and not its cost (tight 2,000 x 300:
        2,131 in 1.3 s where it costs at least 2,277)."""
        unproven = [cases for cases in sorted(self.joined, key=sorted)
                    if cases in self.out and self.out[cases].roster.solved
                    and not settled(self.out[cases])]
        for n, cases in enumerate(unproven):
            share = (self.until - clock.now()) / (len(unproven) - n)
            if share < tuning.MERGE_TRY_SECONDS or self.stopped():
                return
            first = self.out[cases]
            teams = Incumbent(first.roster.chosen, first.roster.staffed, self.roster.objective)
            self.out[cases] = merged_tries(first, resume_part(
                self.ctx, set(cases), teams, clock.now() + share, self.seed, self.stop))
            yield list(self.out.values())
