"""The one solve entry point: scenario in, roster out.

The best of three builders first (the greedy baseline, polished, and two rarest-first
rosters), or, when re-planning after a small change, the previous roster repaired. Then,
by size: the whole model (CP-SAT's two lexicographic phases, priority then cost, with a
proven bound); a race of the whole model against the search by parts; or the search by
parts alone: each part (a city's cases) solved alone gives a bound and teams, the teams
put together give a roster, and large-neighbourhood search improves it a few cases at a
time. Last, the reasons for the cases left unstaffed, and the bound tightened in what
time is left (the roster no longer changes).
"""

import gc
import math
import threading
from collections.abc import Callable, Mapping, Set
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from time import perf_counter
from typing import Literal

from models import Objective, Progress, Roster, Scenario, Status
from models.ids import CaseId
from models.reason import Reason, why
from scheduler import clock, tuning
from scheduler.alternatives import next_best
from scheduler.bounds.alone import counted_bounds, least_costs, with_counted
from scheduler.bounds.coupled import Rivals, merge_rivals
from scheduler.bounds.parts import (
    Asked,
    Fall,
    PartBound,
    cost_bound,
    highest_priority,
    resumed_unproven,
    settled,
    solve_parts,
    solve_singles,
    with_lower_levels,
    without,
)
from scheduler.bounds.relaxation import Relaxation
from scheduler.construct.greedy import greedy
from scheduler.construct.previous import Kept, kept_previous
from scheduler.construct.rarest import Menus, rarest_first_by
from scheduler.explain.unstaffed import (
    counted_infeasibility,
    infeasible_reason,
    unstaffed_reasons,
)
from scheduler.model.core import (
    Context,
    RosterModel,
    build_model,
    make_context,
    no_cycle_collection,
)
from scheduler.report import COST_TOLERANCE, case_rosters, evaluate
from scheduler.search.compose import adopted, compose, fitted, waiting
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import beats, improve, keeps_musts, mend, nearest_people, reopen
from scheduler.search.neighbourhoods import Teams, holding
from scheduler.search.phases import Found, lexicographic
from scheduler.search.polish import polish
from scheduler.search.race import Race
from scheduler.search.split import cost_bound_at, search_and_bound

Method = Literal["auto", "whole", "neighbourhood"]


class _Reporter:
    """Passes each roster better than the last one reported on to the progress callback."""

    def __init__(self, progress: Callable[[Progress], None] | None, started: float) -> None:
        self.progress = progress
        self.started = started
        # The whole model reports from its own thread while the search reports from this one.
        self.lock = threading.RLock()
        self.priority: int = -1
        self.cost = math.inf  # at self.priority
        self.priority_bound: int | None = None
        self.first = math.inf  # when the first roster was reported

    def report(self, phase: str, priority: int | None, cost: float | None,
               bound: float | None) -> None:
        with self.lock:
            self._report(phase, priority, cost, bound)

    def _report(self, phase: str, priority: int | None, cost: float | None,
                bound: float | None) -> None:
        if priority is not None and priority > self.priority:
            self.priority, self.cost = priority, math.inf if cost is None else cost
        elif cost is not None and cost < self.cost - COST_TOLERANCE:
            self.cost = cost
        else:
            return
        self._send(phase, bound)

    def _send(self, phase: str, bound: float | None) -> None:
        self.first = min(self.first, perf_counter())
        if self.progress is not None:
            self.progress(Progress(phase=phase, staffed_priority=self.priority,
                                   cost=None if math.isinf(self.cost) else self.cost,
                                   bound=bound, priority_bound=self.priority_bound,
                                   elapsed=perf_counter() - self.started))

    def _tighten(self, priority_bound: int) -> bool:
        if self.priority_bound is not None and priority_bound >= self.priority_bound:
            return False
        self.priority_bound = priority_bound
        return True

    def incumbent(self, inc: Incumbent) -> None:
        self.report("neighbourhood", inc.objective.staffed_priority, inc.objective.cost, None)

    def proven(self, priority_bound: int) -> None:
        """A tighter bound on staffed priority, from the bound by parts."""
        with self.lock:
            if self._tighten(priority_bound):
                self._send("bound", None)

    def solution(self, phase: str, value: float, bound: float) -> None:
        with self.lock:
            self._solution(phase, value, bound)

    def _solution(self, phase: str, value: float, bound: float) -> None:
        if phase == "priority":
            # CP-SAT's bound is proven once it has a roster, as it does here; a bound below
            # the roster would be its placeholder, not a bound.
            if bound >= value:
                self._tighten(math.floor(bound + 1e-6))
            self.report(phase, round(value), None, None)
        else:  # costs of the cost phase are at the best priority found
            self.report(phase, None, value, bound)


@dataclass(frozen=True)
class _BoundByParts:
    """What the parts proved, every case counted (`with_counted`)."""

    priority: int  # no valid roster staffs more
    parts: list[PartBound]
    # Whether the search kept time for the relaxation (`relaxing`): only when the roster
    # staffed less than the parts' bound, but close to it (tuning.RELAXATION_SHORT_SHARE).
    relax: bool = False
    # How many parts there were, and how many of them CP-SAT settled (`settled`); None
    # where the parts had no time by design (a short re-plan counts instead).
    tried: int | None = None
    proven: int | None = None
    # The rival pairs tried as one (`merge_rivals`), not to be tried again.
    rivals_tried: frozenset[Rivals] = frozenset()
    # The falls asked (`with_lower_levels`): answered, or how long they had.
    falls_tried: Mapping[Fall, float] = field(default_factory=dict)


def _search_neighbourhoods(ctx: Context, best: Incumbent, *, deadline: float, workers: int,
                           seed: int, reporter: _Reporter, stop: threading.Event | None,
                           replanned: set[CaseId] | None = None, relaxing: float = 0.0,
                           bounding: bool = False) -> tuple[Incumbent, _BoundByParts | None]:
    """The parts solved alone, their teams put together, then neighbourhood search from
    the better of that and `best`, beside rival parts joined for a tighter bound
    (`scheduler.search.split`), until `deadline`, or `relaxing` seconds before it if the
    roster then staffs less than the parts' bound (time for the relaxation to bound it);
    parts without time for them are counted rather than solved. A re-plan (`replanned`,
    the cases whose earlier teams broke) skips the parts and searches around those cases:
    the rest of the roster stands; with `bounding` (a limit of
    `tuning.REPLAN_PARTS_SECONDS` or more), it then solves the parts for their bound.
    (Tried after CP-SAT on mid-sized scenarios too: it did worse than CP-SAT's own
    search.)"""
    # The parts and their putting together get their shares whether or not the
    # relaxation is needed later: what the parts prove depends on every second of
    # theirs (a part the pace says cannot finish is skipped). With their share cut by it,
    # a benchmark run of skewed 4,000 x 700 ended 45 % from its bound instead of 3 to 6 %.
    search = deadline - clock.now()
    counted = counted_bounds(ctx)
    least = least_costs(counted.values())
    impossible = {c for c, b in counted.items() if not b.highest}
    bounds = []
    at_most = sum(c.priority for c in ctx.scenario.cases)  # parts not yet solved count all
    # The parts end where putting their teams together still has its share and the
    # relaxation its reserve, however far their pace would take them: with 2 workers
    # dense 4,000 x 700's parts ran to 49 s of 60, compose had 1.7 s for its 145 clashing
    # cases, and the roster staffed 1,342 where it staffs 1,361 to 1,366.
    parts_end = search * (1 - tuning.COMPOSE_SHARE) - relaxing
    parts_until = clock.now() + (0.0 if replanned is not None
                                 else min(search * tuning.PARTS_SHARE, parts_end))
    if replanned is not None and bounding:
        # A re-plan searches around its change first: that is the answer a what-if waits
        # for. Given long enough, it then solves the parts in their share, for their
        # bound alone, unless the search was still improving in the second half of its
        # time, where the parts would cost roster for bound (skewed 4,000 x 700, busiest
        # person ill, 10 s: 861 priority with the parts, 862 without). Counting alone
        # left a 30 s re-plan of tight 4,000 x 700 at a 52 % gap.
        began = clock.now()
        searched = deadline - search * tuning.REPLAN_PARTS_SHARE
        improved = [began]

        def kept(found: Incumbent) -> None:
            improved[0] = clock.now()
            reporter.incumbent(found)

        best = improve(ctx, best, deadline=searched, workers=workers, seed=seed,
                       on_improve=kept, stop=stop, sweep=False, around=set(replanned),
                       least=least, impossible=impossible)
        if improved[0] - began <= (searched - began) / 2:
            parts_until = deadline
    # A single case the start staffs is solved here only beside parts of many (on a
    # thread that would wait for those): its team alone can only lower the roster's
    # cost, and what its bound pays is measured in the split (`search_and_bound`)
    # against what the search pays. One the start leaves out is solved here: its team
    # alone may let compose staff it. On three provinces of mostly provincial cases
    # starting within 10 to 20 days (60 s, 2 workers), proving them all first left the
    # roster at 1,270, 1,071 and 1,330; this way, 1,305, 1,107 and 1,370.
    for part in solve_parts(ctx, best, deadline=parts_until, workers=workers, seed=seed,
                            stop=stop, counted=counted, singles=replanned is not None):
        bounds.append(part)
        at_most -= part.total - part.highest
        if not part.highest:
            impossible |= part.cases
        reporter.proven(at_most)
    around: set[CaseId] = set(replanned or ())
    left = deadline - relaxing - clock.now()
    # The polish after compose keeps its time from what comes between them.
    for_polish = search * tuning.COMPOSE_SHARE * tuning.COMPOSE_POLISH_SHARE
    # Stopped, the parts' teams are still put together (compose re-solves nothing then):
    # dense 4,000 x 700 stopped at 30 s answered in 1.2 s instead of 0.4, with priority
    # 1,305 instead of the first roster's 1,280.
    stopped = stop is not None and stop.is_set()
    if replanned is None and (left > tuning.STEP_SECONDS / 4 or stopped):
        composing = max(0.0, min(left, search * tuning.COMPOSE_SHARE)) * (1 - tuning.COMPOSE_POLISH_SHARE)
        mending = composing * tuning.COMPOSE_MEND_SHARE
        composed = compose(ctx, best, bounds, seconds=composing, workers=workers, seed=seed,
                           stop=stop, mending=mending, impossible=impossible)
        if beats(ctx, composed.roster, best):
            best, around = composed.roster, composed.clashed
            reporter.incumbent(best)
        # Priority comes before cost: the cases the parts staff and the roster does not,
        # each with the teams in its way, before any more time goes to cost.
        best = mend(ctx, best, waiting(ctx, best.staffed, bounds, impossible),
                    deadline=min(deadline - relaxing - for_polish, clock.now() + mending),
                    workers=workers, seed=seed, on_improve=reporter.incumbent, stop=stop)
    if replanned is None:
        # Where the roster staffs all the parts can, or nearly, parts that compete for
        # people get at least `tuning.MERGE_SHARE` of the search, as one: what is left
        # between them is cost, and part of it the parts' coupling. What the parts'
        # share has left goes to the split, which gives it to the pairs only while they
        # pay: given it up front, with the single cases left for later, the pairs took
        # 26 s of 60 on a province of mostly provincial cases over 20 days, and the
        # search had 6.5 s.
        merging, tried = clock.now(), set[Rivals]()
        singles_tried = set[frozenset[CaseId]]()
        falls_tried: Asked = {}
        solved = {id(b) for b in bounds}
        short = highest_priority(bounds) - best.objective.staffed_priority
        if short <= tuning.MERGE_SHORT_SHARE * highest_priority(bounds):
            merging = max(merging, min(deadline - relaxing - for_polish,
                                       clock.now() + search * tuning.MERGE_SHARE))
            # What is left there is cost: the cases left for later are solved first, as
            # the pairs rank parts by what they cost above what they proved (on tight
            # 4,000 x 700, 5 cases left counted kept a pair from being tried: gaps of
            # 0.30 to 0.58 % in four runs; solved first, 0.18 % in two, and 0.29 % in
            # the benchmark run).
            bounds = solve_singles(ctx, bounds, best, until=merging, workers=workers,
                                   seed=seed, tried=singles_tried, stop=stop)
            reporter.proven(highest_priority(bounds))
        began, was = clock.now(), cost_bound_at(ctx, bounds, best)
        for joined in merge_rivals(ctx, bounds, best, until=merging, workers=workers,
                                   seed=seed, impossible=impossible, stop=stop, tried=tried):
            bounds = joined
            reporter.proven(highest_priority(bounds))
        pairs_rate = (cost_bound_at(ctx, bounds, best) - was) / max(clock.now() - began, 1e-3)
        adopting = adopted(ctx, best, [b for b in bounds if id(b) not in solved])
        if adopting is not best:
            best = adopting
            reporter.incumbent(best)
    relax = relaxing > 0 and _relaxes(bounds, counted, best.objective.staffed_priority)
    if relax:
        deadline -= relaxing
    # Swaps and fitting in the cases that fit, on every team, before and after the
    # neighbourhoods; the last polish is kept as long as the first took. A re-plan keeps
    # the teams its change left alone.
    polishing = 0.0
    if replanned is None:
        # Steals (a busy person taken from their other team) only in the last polish:
        # they go on gaining for seconds, and here they took them from the search, which
        # staffed less for it (1,100 against 1,111 and 1,358 against 1,371 on two
        # provinces of mostly provincial cases starting within days, 60 s).
        began = clock.now()
        best = _polished(ctx, best, deadline, reporter, stop, steal=False)
        polishing = clock.now() - began
    # Each part's teams are the best it has alone, so the search looks first where they
    # clashed, and sweeps the regions only if nothing did. The pairs' rate so far tells
    # the split when their next slice may pay more than the search's.
    if replanned is None:
        split = search_and_bound(
            ctx, best, bounds, deadline=deadline - polishing, workers=workers, seed=seed,
            pairs_rate=pairs_rate, tried=tried, singles_tried=singles_tried,
            falls_tried=falls_tried, impossible=impossible, least=least,
            around=around, on_improve=reporter.incumbent,
            on_bounds=lambda b: reporter.proven(highest_priority(b)), stop=stop)
        best, bounds = split.roster, split.bounds
        best = _polished(ctx, best, deadline, reporter, stop, steal=True)
    else:
        best = improve(ctx, best, deadline=deadline, workers=workers, seed=seed,
                       on_improve=reporter.incumbent, stop=stop, sweep=not around,
                       around=around, least=least, impossible=impossible)
    short = max(0, highest_priority(bounds) - best.objective.staffed_priority)
    ran = replanned is None or bounding  # else the parts were counted by design
    return best, _BoundByParts(highest_priority(bounds), with_counted(bounds, counted, short),
                               relax, tried=len(bounds) if ran else None,
                               proven=sum(map(settled, bounds)) if ran else None,
                               rivals_tried=frozenset(tried) if replanned is None else frozenset(),
                               falls_tried=dict(falls_tried) if replanned is None else {})


def _relaxes(bounds: list[PartBound], counted: Mapping[CaseId, PartBound],
             staffed: int) -> bool:
    """Whether the relaxation may prove less than the parts' bound on priority for a
    roster staffing `staffed`: only if the roster staffs less, and not far less (there the
    search has more to win than the bound: growth 8,000 x 1,400 staffed 2,620 of the
    parts' 2,720 in a run whose search was 6 s shorter for it, 2,651 in the run before;
    it proved 2,710). The parts as the roster will state them, those without a proven
    cost counted as their cases: on dense 4,000 x 700 one such part counted 3 above its
    cases, and the relaxation took 6 s from the search to prove the priority the parts so
    counted already had."""
    most = highest_priority(with_counted(bounds, counted))
    return 0 < most - staffed <= tuning.RELAXATION_SHORT_SHARE * most


def _tightened(ctx: Context, parts: list[PartBound], by_parts: _BoundByParts, best: Incumbent,
               *, until: float, seed: int, stop: threading.Event | None
               ) -> tuple[list[PartBound], _BoundByParts]:
    """The parts' bounds on cost raised by `until`, with what the time limit leaves after
    the search: the parts left unproven resumed (`resumed_unproven`) in at most half of
    it, then the parts the roster's priority lets fall bounded where they fall
    (`with_lower_levels`).

    Resumed first: in one run of dense 4,000 x 700 a part of 36 cases, resumed, proved
    5,800 more in under 4 s, where the falls took 5 to 6 s to prove 1,300 to 1,700 in
    all (each fall proven moves the fall to the next part). Given two workers, this runs
    beside the relaxation, which HiGHS solves on one thread."""
    resumed = resumed_unproven(ctx, parts, until=(clock.now() + until) / 2, seed=seed,
                               stop=stop)
    lowered = with_lower_levels(ctx, resumed, best.objective.staffed_priority, until=until,
                                seed=seed, stop=stop, asked=dict(by_parts.falls_tried))
    newly = sum(settled(a) and not settled(b) for a, b in zip(resumed, parts, strict=True))
    by_parts = replace(by_parts, proven=None if by_parts.proven is None
                       else by_parts.proven + newly)
    return lowered, by_parts


def _rivals_joined(ctx: Context, parts: list[PartBound], by_parts: _BoundByParts,
                   best: Incumbent, *, until: float, workers: int, seed: int,
                   impossible: Set[CaseId], stop: threading.Event | None
                   ) -> tuple[list[PartBound], _BoundByParts]:
    """The parts with rival pairs joined (`merge_rivals`) by `until`, in what the time limit
    leaves once the roster is explained and the parts' bounds are tightened: for the bound
    alone, as the roster is final. On skewed 4,000 x 700 that was 2.5 s of 60 with
    nothing else to do."""
    tried = set(by_parts.rivals_tried)
    # Each change comes as the whole list of parts; the last is the answer.
    joined = next(reversed(list(merge_rivals(ctx, parts, best, until=until, workers=workers,
                                             seed=seed, impossible=impossible, stop=stop,
                                             tried=tried))), parts)
    joins = len(parts) - len(joined)
    newly = sum(map(settled, joined)) - sum(map(settled, parts))
    return joined, replace(by_parts, rivals_tried=frozenset(tried),
                           tried=None if by_parts.tried is None else by_parts.tried - joins,
                           proven=None if by_parts.proven is None else by_parts.proven + newly)


def _polished(ctx: Context, best: Incumbent, until: float, reporter: _Reporter,
              stop: threading.Event | None, steal: bool) -> Incumbent:
    """`best` polished (`scheduler.search.polish`) by `until`, with steals if `steal`,
    reported if better."""
    polished = polish(ctx, best, until=until, stop=lambda: stop is not None and stop.is_set(),
                      steal=steal)
    if polished is not best:
        reporter.incumbent(polished)
    return polished


def _repair(ctx: Context, kept: Kept, *, deadline: float, workers: int, seed: int,
            stop: threading.Event | None) -> tuple[Incumbent, set[CaseId]]:
    """The previous roster `kept` wherever it holds, and its broken teams re-solved with
    the rest fixed; with the broken cases, for the search to widen from.

    A broken case that cannot be staffed that way (its replacements all serve elsewhere
    at the time) is re-solved with the teams holding people it could use, on more and
    more of the people nearest each venue: a member moves over and someone else takes
    their place, as a clerk would do it."""
    start = Incumbent(kept.chosen, kept.staffed, evaluate(ctx, kept.chosen, kept.staffed))
    # A case made mandatory by the change has no earlier team to break: it is left to the
    # builders, which `_start` runs when the repair misses a must.
    if not kept.broken:
        return start, kept.broken
    # Each broken team mended around the members the change left, by the builder, as a
    # clerk would: the start CP-SAT improves on, and the answer if it has no time.
    mended = fitted(ctx, kept.chosen, kept.staffed, only=kept.broken, keep=kept.survivors)
    if beats(ctx, mended, start):
        start = mended
    unmended = kept.broken - start.staffed
    free = set(kept.broken)
    widths: tuple[int, ...] = tuning.REPAIR_NEAREST
    if unmended:
        # The builder found no one free for them: with the rest fixed, CP-SAT rarely does
        # either, so the first step takes in the teams holding people they could use
        # (tight 4,000 x 700, one person ill: the broken teams alone took 0.3 s and
        # staffed no more, leaving no time in a 2 s what-if for the step that did).
        widths = widths[1:]
        free |= _holders(ctx, start, kept.broken, widths[0])
    first = ([o for o in start.chosen if o.case in free]
             + [o for o in kept.survivors if o.case in unmended],
             set(kept.broken) | (start.staffed & free))
    for step, nearest in enumerate(widths):
        seconds = min(tuning.REPAIR_SECONDS, deadline - clock.now())
        # The broken teams the builder could not mend are always re-solved, past the
        # deadline if need be (on a slow machine the eligibility pass alone may take it
        # all); mended ones, for a cheaper roster, and a widening, only with time to
        # build them.
        forced = tuning.REPAIR_LEAST_SECONDS if step == 0 and unmended else 0.0
        seconds = max(seconds, forced)
        if seconds <= (step and tuning.STEP_SECONDS / 4) or (stop is not None and stop.is_set()):
            break
        # First from the mended teams and the members the change left: the search keeps
        # as many of them as it can, where from the empty teams it kept few in a 2 s
        # what-if (a 3,000-person province: 87 places dropped for the 14 of one person).
        fixed = reopen(ctx, start, free, seconds=seconds, workers=workers, seed=seed,
                       stop=stop, nearest=nearest, hint=None if step else first,
                       at_least=forced)
        if fixed is not None and beats(ctx, fixed, start):
            start = fixed
        if not kept.broken - start.staffed or step + 1 == len(widths):
            break
        free = kept.broken | _holders(ctx, start, kept.broken, widths[step + 1])
    return start, kept.broken


def _holders(ctx: Context, roster: Incumbent, broken: set[CaseId], nearest: int
             ) -> set[CaseId]:
    """The staffed cases whose teams hold people that the `broken` cases `roster` leaves
    unstaffed could use, of the `nearest` per slot the repair lets them draw on, those
    holding most first, at most tuning.MAX_CASES. Counted over everyone eligible, the
    holders a case of dense 2,000 x 300 needed ranked 57th of 61 and were left out; it
    stayed unstaffed where the nearest 40 held a replacement."""
    lost = [c for c in ctx.scenario.cases if c.id in broken - roster.staffed]
    usable = {c.id: {p for p, _ in nearest_people(ctx, c.id, nearest, set())} for c in lost}
    return set(holding(ctx, Teams.of(ctx, roster.chosen), lost, usable)[:tuning.MAX_CASES])


def _start(ctx: Context, until: float, *, kept: Kept | None, workers: int, seed: int,
           reporter: _Reporter, stop: threading.Event | None
           ) -> tuple[Incumbent, Objective | None, set[CaseId] | None]:
    """The search's start, the greedy baseline (if built), and the cases a re-plan found
    broken (None if the start is not a re-plan); `kept`, the previous roster's teams that
    still hold, if the scenario has one.

    The best of the builders, the greedy's roster polished; or, re-planning after a
    small change, the previous roster repaired: on a province the builders take seconds
    (2 and 1.4 s on 4,000 x 700) where a what-if should answer in about that, and they
    staff less than a roster kept from an optimised one."""
    s = ctx.scenario
    options = len(ctx.candidates.options)
    clock.charge(options, tuning.WORK_SECONDS_PER_OPTION_STARTED)
    clock.charge(len(s.cases), tuning.WORK_SECONDS_PER_CASE_STARTED)

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    repaired: Incumbent | None = None
    broken: set[CaseId] = set()
    if kept is not None:
        repaired, broken = _repair(ctx, kept, deadline=until, workers=workers, seed=seed,
                                   stop=stop)
        earlier = {a.case for a in s.previous}
        small = len(broken) <= tuning.SMALL_CHANGE_SHARE * len(earlier)
        if small and all(c.id in repaired.staffed for c in s.cases if c.mandatory):
            reporter.incumbent(repaired)
            return repaired, None, broken
    with no_cycle_collection():  # builders make many small objects, and no cycles
        chosen, staffed = greedy(ctx)
        best = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
        baseline = best.objective
        reporter.report("greedy", baseline.staffed_priority, baseline.cost, None)
        # The greedy's roster polished first: on provinces whose cases are open to most
        # people (610,000 to 1.7 million options) nothing staffed more in the seconds it
        # took, and at 10 s on one worker, polishing it before the builds, rather than only
        # the best of them in the search, staffed 28 more in all over eight provinces
        # (open skewed and tight, dense 4,000 x 700, five families at 2,000 x 300) and 1
        # less on one. The builds are then begun whenever time is left: skipping those
        # that a fitted pace said would not end lost 7 priority on a province of 611,000
        # options at 5 s, where they took half the time that pace gave them.
        polished = polish(ctx, best, until=until, stop=stopped)
        if polished is not best:
            best = polished
            reporter.report("greedy", best.objective.staffed_priority, best.objective.cost,
                            None)
        # The builders miss in different places; the search starts from the best. Past the
        # time limit, or once stopped, only the first is built: it is the answer.
        menus: Menus = {}
        for per_member in (False, True):
            if clock.now() >= until or stopped():
                break
            built = rarest_first_by(ctx, until, per_member=per_member, menus=menus,
                                    stop=stopped)
            if built is None:
                break
            rarest = Incumbent(*built, evaluate(ctx, *built))
            if beats(ctx, rarest, best):
                best = rarest
                reporter.report("greedy", best.objective.staffed_priority,
                                best.objective.cost, None)
    if repaired is not None and not beats(ctx, best, repaired):
        reporter.incumbent(repaired)
        return repaired, baseline, broken
    return best, baseline, None


def _breaks_a_must(scenario: Scenario, best: Incumbent) -> bool:
    """Whether `best` leaves a mandatory case unstaffed or drops a pinned assignment
    (rules 7 and 8): the builders may, and the search may not have put it right."""
    return not keeps_musts(scenario, best)


def _musts_refused(ctx: Context, seconds: float) -> Reason | None:
    """Why the mandatory and pinned cases alone cannot be met (rules 7 and 8), by counting
    and then from a share of `seconds`; None if they can, or if no proof came in that time."""
    return infeasible_reason(ctx, min(seconds * tuning.MUSTS_SHARE, tuning.MUSTS_SECONDS))


def _refused(scenario: Scenario, reason: Reason, started: float) -> Roster:
    """The answer when rules 7 and 8 cannot be met: no roster, and why."""
    return Roster(scenario=scenario.name, status=Status.INFEASIBLE, infeasible_reason=reason,
                  seconds=perf_counter() - started)


def _reason_past_deadline(ctx: Context, deadline: float) -> Reason | None:
    """Why rules 7 and 8 cannot be met, given what is left until `deadline` and at least a
    step's worth on the wall clock: once the search is over this is the whole answer, and
    a repeatable solve's work clock may have run out (scheduler.clock)."""
    left = max(deadline - clock.now(), tuning.STEP_SECONDS)
    with clock.counting(clock.WALL):
        return infeasible_reason(ctx, min(left, tuning.STEP_SECONDS * 2))


def _relaxation_reserve(options: int, seconds: float) -> float:
    """How much of the time limit to keep for the relaxation of a province of `options`
    eligible options: what it takes, at most a share of the limit; none if it would take
    far more than that share."""
    most = seconds * tuning.RELAXATION_MAX_SHARE
    need = options * tuning.RELAXATION_SECONDS_PER_OPTION
    return 0.0 if need > most * tuning.RELAXATION_MAX_OVERRUN else min(most, need)


def _counting_reserve(options: int, eligibility: float) -> float:
    """How much of the time limit to keep for the counting bound of `options` eligible
    options, which eligibility took `eligibility` seconds to find. Counting goes over them
    as eligibility did, so the pace measured there counts where it is slower than the
    per-option figure (a work clock has charged nothing for eligibility yet, and keeps
    that figure)."""
    return max(options * tuning.COUNTING_SECONDS_PER_OPTION,
               eligibility * tuning.COUNTING_SHARE_OF_ELIGIBILITY)


def _explain_reserve(unstaffed: int, seconds: float) -> float:
    """How much of the time limit to keep for explaining unstaffed cases: a share of it,
    or what the `unstaffed` cases take to explain, at most half of it."""
    share = min(seconds * tuning.EXPLAIN_SHARE, tuning.EXPLAIN_MAX_SECONDS)
    return min(seconds / 2, max(share, unstaffed * tuning.EXPLAIN_SECONDS_PER_CASE))


def solve(scenario: Scenario, *, seconds: float = 10.0, workers: int = 2, seed: int = 0,
          explain: bool = True, progress: Callable[[Progress], None] | None = None,
          method: Method = "auto", stop: threading.Event | None = None,
          alternatives: int = 1, differ: int = 2, robust: bool = False) -> Roster:
    """Best roster for `scenario` within `seconds`; one worker and a seed give the same answer.

    `progress`, if given, is called whenever a better roster is found. `method` "auto"
    models the whole scenario when it is small enough, else searches neighbourhoods;
    "whole" and "neighbourhood" force one or the other. Setting `stop` ends the search
    early with the best roster found so far.

    With `alternatives` K above 1, the roster also carries up to K - 1 more rosters in
    objective order, each at least `differ` assignments from the best and from each other
    (see `scheduler.alternatives`), found within the same `seconds`.

    With `robust`, among rosters of the best staffed priority those where members of
    mandatory cases have standbys are preferred: the no_standby term is weighted
    `models.scenario.ROBUST_NO_STANDBY` unless the scenario weights it already, and the
    roster carries the weights its objective was computed with (`Roster.weights`)."""
    if robust:
        weights = scenario.policy.weights.robust()
        if weights is not scenario.policy.weights:
            scenario = scenario.replace(policy=scenario.policy.model_copy(
                update={"weights": weights}))
            plain = solve(scenario, seconds=seconds, workers=workers, seed=seed, explain=explain,
                          progress=progress, method=method, stop=stop,
                          alternatives=alternatives, differ=differ)
            return plain.model_copy(update={"weights": weights})
    if alternatives < 1:
        raise ValueError(f"alternatives: must be at least 1, not {alternatives}")
    if differ < 1:
        raise ValueError(f"differ: must be at least 1, not {differ}")
    roster = _solved(scenario, seconds=seconds, workers=workers, seed=seed, explain=explain,
                     progress=progress, method=method, stop=stop, alternatives=alternatives,
                     differ=differ)
    if stop is not None and stop.is_set():
        # Said in the roster itself, which outlives the stderr line or the job's state.
        return roster.model_copy(update={"stopped": True})
    return roster


def _solved(scenario: Scenario, *, seconds: float, workers: int, seed: int, explain: bool,
            progress: Callable[[Progress], None] | None, method: Method,
            stop: threading.Event | None, alternatives: int, differ: int) -> Roster:
    """`solve` past its checks of the arguments: the best roster, then any alternatives."""
    started = perf_counter()
    try:
        with clock.counting(clock.for_solve(seconds, workers)) as on:
            begun = on.now()
            # The best roster comes first and takes most of the time; the rest is the
            # alternatives' (a roster proven early leaves them all of it).
            share = 1.0 if alternatives == 1 else tuning.ALTERNATIVES_MAIN_SHARE
            roster, ctx, best = _solve(scenario, seconds=seconds * share, workers=workers,
                                       seed=seed, explain=explain, progress=progress,
                                       method=method, stop=stop)
            if alternatives == 1 or best is None:
                return roster
            found = next_best(ctx, best, count=alternatives - 1, differ=differ,
                              deadline=begun + seconds, workers=workers, seed=seed, stop=stop)
    finally:
        gc.unfreeze()  # what `_solve` froze, the context above all, may be collected again
    return roster.model_copy(update={"alternatives": found,
                                     "seconds": perf_counter() - started})


def _solve(scenario: Scenario, *, seconds: float, workers: int, seed: int, explain: bool,
           progress: Callable[[Progress], None] | None, method: Method,
           stop: threading.Event | None) -> tuple[Roster, Context, Incumbent | None]:
    """`solve` without alternatives; with the context and the best roster's options (None
    when there is no roster), for the alternatives to start from."""
    started = perf_counter()
    begun = clock.now()  # what every deadline counts from: wall or work (scheduler.clock)
    reporter = _Reporter(progress, started)
    ctx = make_context(scenario)
    eligibility = clock.now() - begun
    # The context lives as long as the solve, and on a province it is millions of objects
    # with no cycles among them: left to the cycle collector, its passes over them took
    # 2.2 s of a 10 s re-plan of 1.8 million options. `solve` unfreezes them.
    gc.freeze()
    # Rules 7 and 8 first by counting, which proves most scenarios they make infeasible
    # in milliseconds. The mandatory and pinned cases alone, as a model, are asked about
    # only if the start below leaves one of them unmet: a start that meets them all proves
    # they can be met, and that model took 3.8 s of a 10 s solve of a province whose cases
    # were open to 2,500 people each (a re-plan's repaired teams likewise: 0.3 s of a 2 s
    # what-if of 4,000 x 700).
    kept = kept_previous(ctx) if scenario.previous else None
    refused = counted_infeasibility(ctx)
    if refused is not None:
        return _refused(scenario, refused, started), ctx, None
    options = len(ctx.candidates.options)
    whole = method == "whole" or (method == "auto" and options <= tuning.SMALL_MODEL_OPTIONS)
    # The end of the time limit is left to what follows the search: explaining the cases
    # still unstaffed, writing the roster out with reasons for every member. Where the
    # search by parts runs it first counts what each case must cost (the bound by parts),
    # so a re-plan's repair, before it, leaves time for that too. A re-plan foresees
    # about as many unstaffed cases as before, and members, in time to keep its repair
    # short of them; not the rest, which a repair of dense 4,000 x 700 needed to keep its
    # priority in a 2 s what-if.
    bounding = 0.0 if whole else _counting_reserve(options, eligibility)
    earlier = len(scenario.cases) - len({a.case for a in scenario.previous})
    foreseen = (_explain_reserve(earlier, seconds) if explain and scenario.previous else 0.0
                ) + bounding + len(scenario.previous) * tuning.ROSTER_SECONDS_PER_MEMBER
    best, baseline, replanned = _start(ctx, begun + seconds - foreseen, kept=kept,
                                       workers=workers, seed=seed, reporter=reporter,
                                       stop=stop)
    if _breaks_a_must(scenario, best):
        refused = _musts_refused(ctx, seconds)
        if refused is not None:
            return _refused(scenario, refused, started), ctx, None
    first_seconds = min(reporter.first, perf_counter()) - started
    left = len(scenario.cases) - len(best.staffed)
    writing = len(best.chosen) * tuning.ROSTER_SECONDS_PER_MEMBER
    # Where the parts run, the whole province's relaxation bounds the priority they
    # cannot, if the search kept time for it; a re-plan searches around its change
    # instead, in seconds.
    relaxing = 0.0 if whole or replanned is not None else _relaxation_reserve(options, seconds)
    deadline = begun + seconds - writing - (
        _explain_reserve(left, seconds) if explain else 0.0)
    build_seconds = 0.0
    bound: float | None = None
    total_priority = sum(c.priority for c in scenario.cases)
    priority_bound = total_priority
    proven = False

    race = (method == "auto" and workers > 1
            and tuning.SMALL_MODEL_OPTIONS < options <= tuning.WHOLE_MODEL_OPTIONS
            and options * tuning.BUILD_SECONDS_PER_OPTION
            <= tuning.RACE_BUILD_SHARE * (deadline - clock.now()))
    found: Found | None = None
    by_parts: _BoundByParts | None = None
    m: RosterModel | None = None
    if whole or race:
        m = build_model(scenario, context=ctx)
        build_seconds = perf_counter() - started - first_seconds
    if whole:
        assert m is not None
        found = lexicographic(m, best.chosen, best.staffed, seconds=deadline - clock.now(),
                              workers=workers, seed=seed, on_solution=reporter.solution,
                              stop=stop)
    else:
        with Race(m, best, deadline=deadline, seed=seed, on_solution=reporter.solution,
                  stop=stop) as raced:
            best, by_parts = _search_neighbourhoods(
                ctx, best, deadline=deadline, workers=workers - (m is not None), seed=seed,
                reporter=reporter, stop=raced.halt, replanned=replanned, relaxing=relaxing,
                bounding=seconds >= tuning.REPLAN_PARTS_SECONDS)
        found = raced.found
        if by_parts is not None:
            priority_bound = min(priority_bound, by_parts.priority)
    if found is not None and found.infeasible:
        # CP-SAT proved it; the reason is what is left to find.
        reason = _reason_past_deadline(ctx, deadline)
        return Roster(scenario=scenario.name, status=Status.INFEASIBLE,
                      infeasible_reason=reason or why("infeasible.unexplained"),
                      seconds=perf_counter() - started, build_seconds=build_seconds), ctx, None
    if found is not None and found.solved:
        trial = Incumbent(found.chosen, found.staffed, evaluate(ctx, found.chosen, found.staffed))
        if not beats(ctx, best, trial):
            best = trial
        proven = found.priority_proven and found.cost_proven
        if found.priority_bound is not None:
            priority_bound = min(priority_bound, found.priority_bound)
        # The whole model's bound holds for every roster staffing at least its priority.
        if found.bound is not None and found.priority is not None and (
                best.objective.staffed_priority >= found.priority):
            bound = found.bound if bound is None else max(bound, found.bound)

    if _breaks_a_must(scenario, best):
        # The builders missed a mandatory case or a pinned assignment and no search put it
        # right in time; unless those cases alone prove that none can.
        reason = _reason_past_deadline(ctx, deadline)
        return Roster(scenario=scenario.name,
                      status=Status.NO_SOLUTION_IN_TIME if reason is None else Status.INFEASIBLE,
                      infeasible_reason=reason,
                      seconds=perf_counter() - started, build_seconds=build_seconds), ctx, None
    # Once stopped, only the reasons that counting gives, which take no solver time.
    # Cores take what the time limit leaves once every case's counting is allowed for.
    counting = (len(scenario.cases) - len(best.staffed)) * tuning.EXPLAIN_SECONDS_PER_CASE
    stopped = stop is not None and stop.is_set()
    relax = by_parts is not None and by_parts.relax
    explained_by = clock.now() if stopped else (
        begun + seconds - writing - (relaxing if relax else 0.0) - counting)
    unstaffed = unstaffed_reasons(ctx, [c for c in scenario.cases if c.id not in best.staffed],
                                  best.chosen, explained_by) if explain else {}
    # A case that cannot be staffed even alone is in no valid roster.
    impossible = {c: scenario.case_by_id[c].priority for c, u in unstaffed.items()
                  if u.impossible}
    priority_bound = min(priority_bound, total_priority - sum(impossible.values()))
    # Each part staffs at most its highest less its cases proven impossible since, and a
    # part left unsolved at most what its cases' counting allows; so the bounds on cost
    # let the roster fall short of the parts' highest by less.
    parts = [] if by_parts is None else without(by_parts.parts, impossible)
    if by_parts is not None:
        counted_most = highest_priority(parts)
        if counted_most < priority_bound:
            priority_bound = counted_most
            reporter.proven(counted_most)
    until = begun + seconds - writing
    # The relaxation's second program (where the parts may fall) asks the parts' bounds
    # as tightened, so their tightening ends that much sooner.
    tightened_by = until - (tuning.SHED_SHARE * relaxing if relax else 0.0)
    tightening: Future[tuple[list[PartBound], _BoundByParts]] | None = None
    relaxed: Relaxation | None = None
    with ThreadPoolExecutor(1) as beside:
        if relax and not stopped:
            # Written before the tightening starts: both are Python there, and beside it
            # the writing of dense 4,000 x 700 took 4 to 4.5 s instead of 2, and left its
            # second program (`most_shed`) too little time in two runs of four.
            relaxed = Relaxation(ctx, parts, until)
        if by_parts is not None and relax and not stopped and workers > 1:
            # HiGHS runs on one thread; the other raises the parts' bounds meanwhile.
            tightening = beside.submit(_tightened, ctx, parts, by_parts, best,
                                       until=tightened_by, seed=seed, stop=stop)
        if relaxed is not None:
            most = None if relaxed.cut else relaxed.most_priority(until - clock.now())
            # It holds for every valid roster and the roster is one: were it lower, the
            # relaxation would be at fault, and it is not claimed.
            if most is not None and most >= best.objective.staffed_priority:
                priority_bound = min(priority_bound, most)
                reporter.proven(most)
            else:
                relaxed = None
        if by_parts is not None and not stopped:
            parts, by_parts = (_tightened(ctx, parts, by_parts, best, until=tightened_by,
                                          seed=seed, stop=stop)
                               if tightening is None else tightening.result())
    # A re-plan answers as soon as it can: its roster is what a what-if waits for.
    if (by_parts is not None and replanned is None and not relax
            and not (stop is not None and stop.is_set())
            and until - clock.now() >= tuning.MERGE_TRY_SECONDS):
        parts, by_parts = _rivals_joined(ctx, parts, by_parts, best, until=until,
                                         workers=workers, seed=seed, impossible=set(impossible),
                                         stop=stop)
        priority_bound = min(priority_bound, highest_priority(parts))
    shed = None
    if (relaxed is not None and until - clock.now() >= tuning.SHED_LEAST_SECONDS
            and not (stop is not None and stop.is_set())):
        shed = relaxed.most_shed(parts, best.objective.staffed_priority, until - clock.now())
    relaxed = None  # its program (a column an option) is not kept past its answers
    if by_parts is not None:
        by_cost = cost_bound(parts, best.objective.staffed_priority,
                             scenario.policy.weights.peak_load, shed_at_most=shed)
        if by_cost is not None:
            bound = by_cost if bound is None else max(bound, by_cost)
    if bound is None:
        # Nothing else bounded the cost (the whole model had no time): counting does, each
        # case at the least its cheapest team costs.
        bound = cost_bound(without(list(counted_bounds(ctx).values()), impossible),
                           best.objective.staffed_priority, scenario.policy.weights.peak_load)
    if bound is None:
        bound = 0.0  # no roster costs less: the one bound that always holds
    reasons = {c: u.reason for c, u in unstaffed.items()}
    gap = None
    if bound is not None:
        # Bounds that meet the roster prove it best, whoever proved them: the parts and
        # counting as well as the whole model.
        proven = proven or (priority_bound <= best.objective.staffed_priority
                            and bound >= best.objective.cost - COST_TOLERANCE)
        bound = min(bound, best.objective.cost)
        # Within the spec's tolerance the two are equal: a gap of 4e-16 is float noise.
        gap = (0.0 if best.objective.cost - bound <= COST_TOLERANCE
               else (best.objective.cost - bound) / max(1.0, best.objective.cost))
    roster = Roster(
        scenario=scenario.name,
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        objective=best.objective, baseline=baseline, bound=bound, gap=gap,
        priority_bound=priority_bound,
        parts=None if by_parts is None else by_parts.tried,
        parts_proven=None if by_parts is None else by_parts.proven,
        seconds=perf_counter() - started, build_seconds=build_seconds,
        first_roster_seconds=first_seconds,
        cases=case_rosters(ctx, best.chosen, best.staffed, reasons),
    )
    return roster, ctx, best
