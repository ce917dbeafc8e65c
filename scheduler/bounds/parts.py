"""A bound by parts: each city's cases solved alone bound what any roster can do.

A valid roster, cut down to one part's cases, is a valid roster of that part alone: leaving
the other cases out only frees people and leaves more staff at home. So no valid roster
staffs more of a part's priority than the part alone can, and the parts' highest
priorities add up to a bound on the whole. Every cost term but `peak_load` is a sum over
cases, so a roster costs at least the sum of its parts' least costs at the priority it
staffs in each. `peak_load` is a maximum over the whole roster: it is at least the lowest
peak any part's roster can have, so the bound adds the largest of those. A roster staffing
less than the parts' highest in all may fall short in any parts, and `cost_bound` takes the
choice of where that costs least.

The same argument holds for a single case, and a part whose cases may draw on the whole
province is solved case by case: one model of it is as large as a province. On 4,000 x 700
the provincial unit's 22 cases (33,675 options) took 34 s to prove as one model and 13 s
one at a time, and the sum of their least costs alone equalled the part's proven least
cost: cases drawing on thousands of people rarely compete for them.

The teams each part finds alone are the search's best start: `scheduler.search.compose` puts them
together. Cases of different cities rarely compete for the same people, so on a province
the parts alone come close to the whole: on 4,000 x 700 the parts' bound on staffed
priority was 1,195 where counting impossible cases gave 1,210, and their teams put
together staffed 1,195.
"""

import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model as cp

from models import Case
from models.ids import CaseId
from scheduler import clock, tuning
from scheduler.model.core import Context, RosterModel, build_model, staffed_priority
from scheduler.model.costs import peak_load
from scheduler.report import team_cost
from scheduler.search.incumbent import Incumbent
from scheduler.search.phases import (
    Found,
    hint,
    least_cost_at,
    lexicographic,
    light_proof,
    make_solver,
    solve_stoppably,
    staffing_all,
)
from scheduler.search.polish import polishing
from scheduler.search.regions import parts

# The spec reads utilisation in whole percent with this tolerance (0.1 + 0.2 FTE is 30 %).
PERCENT_EPS = 1e-9
# Under rule 5 no one serves beyond capacity, so no roster's peak_load passes 100 %.
FULL_PEAK = 100
# A team's cost and its case's counted bound, summed in different orders, may differ by
# this share of the bound and still be equal.
ROUNDING = 1e-9


@dataclass(frozen=True)
class PartBound:
    """What one part's cases, solved alone, allow any valid roster of the whole."""

    cases: frozenset[CaseId]
    total: int  # the priority of all the part's cases
    highest: int  # no valid roster staffs more of the part's priority
    # level -> no valid roster staffing at least that much of the part costs less there
    # (peak_load left out)
    least_costs: Mapping[int, float]
    roster: Found  # the part's teams as found alone: the search's start
    # (level, peak): no valid roster staffing at least `level` of the part has a lower
    # peak_load among the part's members, so none has a lower peak_load at all
    least_peak: tuple[int, int] | None = None
    # (peak, priority) of each case the part can staff: no member of the case is less busy
    # than that peak (`least_peak_counted`). None where not counted.
    case_peaks: tuple[tuple[int, int], ...] | None = None

    def least_cost(self, priority: int) -> float:
        """No valid roster staffing at least `priority` of the part costs less there."""
        return max((c for level, c in self.least_costs.items() if level <= priority), default=0.0)


def _alone(ctx: Context, part: set[CaseId]) -> RosterModel:
    """The model of the cases of `part` alone, with no peak_load term in its cost: nor its
    constraints, which `_least_peak` adds if asked. Built with weight 0, they took 1.8 s
    of the 6.1 s that building the 22 parts of 9 to 19 cases of dense 4,000 x 700 took,
    and CP-SAT's presolve had them to remove."""
    s = ctx.scenario
    no_peak = s.policy.weights.model_copy(update={"peak_load": 0})
    sub = s.replace(cases=[c for c in s.cases if c.id in part],
                    previous=[a for a in s.previous if a.case in part],
                    policy=s.policy.model_copy(update={"weights": no_peak}))
    return build_model(sub, context=Context(sub, ctx.geography, ctx.travel,
                                            ctx.candidates.narrowed(part, {}),
                                            calendars=ctx.calendars),
                       without=("peak_load",))


def _least_peak(m: RosterModel, found: Found, until: float, seed: int,
                stop: threading.Event | None) -> int | None:
    """The lowest peak_load of the part's rosters staffing at least `found.priority`, as
    proven by CP-SAT by `until`, from the teams `found`."""
    assert found.priority is not None
    terms = peak_load(m).items
    if not terms:
        return None
    m.model.add(staffed_priority(m) >= found.priority)
    m.model.minimize(terms[0][1])
    hint(m, found.chosen, found.staffed)
    solver = make_solver(until - clock.now(), 1, seed)
    light_proof(solver)
    if solve_stoppably(solver, m.model, None, stop) not in (cp.OPTIMAL, cp.FEASIBLE):
        return None
    return round(solver.best_objective_bound)


def solve_part(ctx: Context, part: set[CaseId], start: Incumbent, until: float, seed: int,
               stop: threading.Event | None, want_peak: Callable[[], bool]) -> PartBound:
    """The part as one model: its highest priority, its least cost there, and (if still
    wanted) its lowest peak_load there."""
    s = ctx.scenario
    total = s.priority_of(part)
    m = _alone(ctx, part)
    # The cost phase starts from the priority phase's teams polished: a cheaper first
    # roster, and sooner proofs (skewed 4,000 x 700's 52 parts all proven in 28.6 and
    # 29.8 s, against 32.2 to 34.2 s in five runs without).
    found = lexicographic(m, [o for o in start.chosen if o.case in part], start.staffed & part,
                          seconds=until - clock.now(), workers=1, seed=seed, stop=stop,
                          between=polishing(until, stop), light=True)
    highest = total if found.priority_bound is None else min(total, found.priority_bound)
    least_costs: dict[int, float] = {}
    least_peak = None
    if found.priority is not None:
        if found.bound is not None:
            least_costs[found.priority] = max(0.0, found.bound)
        if want_peak() and until > clock.now():
            peak = _least_peak(m, found, until, seed, stop)
            least_peak = None if peak is None else (found.priority, peak)
    return PartBound(frozenset(part), total, highest, least_costs, found,
                     least_peak=least_peak)


def resume_part(ctx: Context, part: set[CaseId], teams: Incumbent | Found, until: float, seed: int,
                stop: threading.Event | None) -> PartBound:
    """The part as one model again, its highest priority proven before with `teams`: the
    cost phase alone, from those teams (the priority phase would prove it again first)."""
    s = ctx.scenario
    level = s.priority_of(teams.staffed & part)
    found = least_cost_at(_alone(ctx, part), level,
                          [o for o in teams.chosen if o.case in part], teams.staffed & part,
                          seconds=until - clock.now(), workers=1, seed=seed, stop=stop,
                          light=True)
    least_costs = {} if found.bound is None else {level: max(0.0, found.bound)}
    return PartBound(frozenset(part), s.priority_of(part), level, least_costs, found)


def _options(ctx: Context, part: set[CaseId]) -> int:
    """How many eligible options the cases of `part` have: what a part's model grows with."""
    return sum(len(ctx.candidates.by_case.get(c, [])) for c in part)


def _solve_case(ctx: Context, case: CaseId, start: Incumbent, until: float, seed: int,
                stop: threading.Event | None) -> PartBound:
    """A part of one case: whether it can be staffed alone and its least cost if so, in
    one CP-SAT call; its lowest peak_load is counted, not solved for."""
    s = ctx.scenario
    total = s.case_by_id[case].priority
    m = _alone(ctx, {case})
    found = staffing_all(m, [o for o in start.chosen if o.case == case], start.staffed & {case},
                         seconds=until - clock.now(), seed=seed, stop=stop, light=True)
    if found.infeasible:
        return PartBound(frozenset({case}), total, 0, {}, found)
    if not found.solved or found.bound is None:
        return PartBound(frozenset({case}), total, total, {}, found)
    peak = least_peak_counted(ctx, s.case_by_id[case])
    return PartBound(frozenset({case}), total, total, {total: max(0.0, found.bound)}, found,
                     least_peak=(total, peak))


def met_by_counting(ctx: Context, part: set[CaseId], start: Incumbent,
                    counted: Mapping[CaseId, PartBound]) -> PartBound | None:
    """A part of one case whose team in `start` already costs what counting says any team
    must, proven so without CP-SAT; None for any other part. On standard 4,000 x 700, 5
    cases of 2,400 to 4,000 options cost only their one unit, as counted, and CP-SAT took
    1.7 to 6.4 s each to prove it."""
    if len(part) != 1:
        return None
    case = next(iter(part))
    alone = counted.get(case)
    s = ctx.scenario
    if (alone is None or not alone.highest or case not in start.staffed
            or s.policy.weights.no_standby or any(a.case == case for a in s.previous)):
        return None  # the counting leaves out what earlier teams and standbys cost
    least = alone.least_cost(alone.total)
    team = [o for o in start.chosen if o.case == case]
    if team_cost(ctx, s.case_by_id[case], team) > least + ROUNDING * max(1.0, least):
        return None
    found = Found(chosen=team, staffed={case}, solved=True, priority_proven=True,
                  priority_bound=alone.total, priority=alone.total, cost_proven=True, bound=least)
    return replace(alone, roster=found)


def least_peak_counted(ctx: Context, case: Case) -> int:
    """No member of `case` can be less busy than this, in whole percent: their own load on
    the case's busiest day plus the case's."""
    arrays, load = ctx.arrays, case.team.load
    places = arrays.distinct(ctx.candidates.columns(case).place)
    if not len(places):
        return 0
    # Everyone's own load at once (asked of every eligible person of every case, 2.2
    # million on a province whose cases are open to most of its people); the day-by-day
    # peak only of the committed whose own load might still set the least, least busy
    # first, as it is never below their own load (on a province where nearly everyone is
    # committed, asking them all took 6 s).
    busy = 100 * (arrays.load[places] + load) / arrays.capacity[places]
    committed = arrays.committed[places]
    least = float(busy[~committed].min()) if not committed.all() else math.inf
    by_id, profiles = ctx.scenario.prosecutor_by_id, ctx.profiles
    ask = np.flatnonzero(committed & (busy < least))
    for i in ask[np.argsort(busy[ask], kind="stable")].tolist():
        if busy[i] >= least:
            break
        p = by_id[arrays.id_at(int(places[i]))]
        least = min(least, 100 * (profiles[p.id].peak(case.start, case.end) + load) / p.capacity)
    return 0 if least == math.inf else math.floor(least + PERCENT_EPS)


def _pieces(ctx: Context) -> list[set[CaseId]]:
    """The parts to solve alone, largest first: each city's cases, a large city's cut by
    start date into pieces (`_by_start`), and each case of a part too large for one model
    on its own. Any partition of the cases bounds every roster; pieces small enough to
    prove their cost in their share bound it more tightly than one part that cannot."""
    pieces = []
    for part in parts(ctx):
        options = _options(ctx, part)
        if options > tuning.PER_CASE_OPTIONS:
            pieces += [{c} for c in sorted(part)]
        elif options > tuning.PART_SPLIT_OPTIONS and len(part) > 1:
            pieces += _by_start(ctx, part, -(-options // tuning.PART_SPLIT_OPTIONS))
        else:
            pieces.append(part)
    # Parts of many cases largest first, while the whole of the time is ahead: started
    # last, the largest part of no-road 4,000 x 700 had 4 s left and proved nothing,
    # leaving the roster 7 priority short of the bound. Single cases after them, smallest
    # first: one ends as soon as it is proven, in a time that grows faster than its
    # options, so the pace measured on the small ones lets the large ones try. Largest
    # first, two of 3,400 to 3,900 options failed in their share on standard 4,000 x 700,
    # and the pace skipped every single after them, 93 options or 965 (0.01 and 0.2 s).
    return sorted(pieces, key=lambda piece: (len(piece) == 1,
                                             _options(ctx, piece) * (1 if len(piece) == 1 else -1),
                                             sorted(piece)))


def _by_start(ctx: Context, part: set[CaseId], n: int) -> list[set[CaseId]]:
    """`part` cut into `n` pieces of about as many options each, by start date: cases far
    apart in time do not compete for anyone, so the pieces rarely clash."""
    cases = sorted((ctx.scenario.case_by_id[c] for c in part), key=lambda c: (c.start, c.id))
    sizes = [len(ctx.candidates.by_case.get(c.id, [])) for c in cases]
    total = sum(sizes)
    pieces: list[set[CaseId]] = [set() for _ in range(n)]
    done = 0
    for case, size in zip(cases, sizes, strict=True):
        pieces[min(n - 1, done * n // max(1, total))].add(case.id)
        done += size
    return [p for p in pieces if p]


def least_by_cases(cases: list[PartBound], levels: range) -> dict[int, float]:
    """For each level, the least cost of staffing at least that much priority with
    `cases`, from a bound of each case alone: a knapsack over priority. A roster's teams
    of a part cost at least their cases' least costs alone."""
    top = levels.stop - 1
    # least[q]: the least cost of cases staffing at least q (q capped at top).
    least = [0.0] + [math.inf] * top
    for b in cases:
        if not b.highest:
            continue  # impossible alone: in no roster
        cost = b.least_cost(b.total)
        for q in range(top, 0, -1):
            before = least[max(0, q - b.total)]
            if before + cost < least[q]:
                least[q] = before + cost
    return {q: least[q] for q in levels if q > 0 and least[q] < math.inf}


def _unproven(ctx: Context, part: set[CaseId]) -> PartBound:
    """`part` with nothing proven: it may staff all its priority, at any cost."""
    total = ctx.scenario.priority_of(part)
    return PartBound(frozenset(part), total, total, {}, Found())


def _at_least(solved: PartBound, counted: PartBound | None) -> PartBound:
    """What one case must cost, from its solve alone and from counting (`counted`, if
    given), whichever proves more: a case solved without time proves nothing, and a
    part summing its cases would count it at 0."""
    if counted is None:
        return solved
    total = solved.total
    highest = min(solved.highest, counted.highest)
    if not highest:
        return replace(solved, highest=0, least_costs={})
    least = max(solved.least_cost(total), counted.least_cost(total))
    return replace(solved, highest=highest, least_costs={total: least} if least else {})


def _by_cases(ctx: Context, part: set[CaseId], start: Incumbent, until: float, seed: int,
              stop: threading.Event | None,
              counted: Mapping[CaseId, PartBound] | None = None) -> PartBound:
    """A part's least costs from its cases solved one at a time, each in one quick call:
    where one model of a large part cannot prove its cost in time (one of 16,567 options
    of skewed 4,000 x 700 ended its cost phase at a quarter of the cost), the sum of its
    cases' least costs alone can. Each case counts at least its `counted` bound, if
    given. Its teams are not the part's: they may clash."""
    s = ctx.scenario
    counted = counted or {}
    cases = sorted(part, key=lambda c: (-len(ctx.candidates.by_case.get(c, [])), c))
    alone = []
    for n, case in enumerate(cases):
        share = (until - clock.now()) / (len(cases) - n)
        if share <= 0 or (stop is not None and stop.is_set()):
            alone.append(_at_least(_unproven(ctx, {case}), counted.get(case)))
            continue
        alone.append(_at_least(_solve_case(ctx, case, start, clock.now() + share, seed, stop),
                               counted.get(case)))
    total = s.priority_of(part)
    return PartBound(frozenset(part), total, sum(b.highest for b in alone),
                     least_by_cases(alone, range(0, total + 1)), Found())


def settled(b: PartBound) -> bool:
    """Whether a second try at the part could prove no more: impossible, or both its
    priority and its cost proven."""
    found = b.roster
    return b.highest == 0 or (found.solved and found.priority_proven and found.cost_proven)


def merged_tries(first: PartBound, second: PartBound) -> PartBound:
    """What two tries at one part proved together, with the second's teams if it found any."""
    levels = set(first.least_costs) | set(second.least_costs)
    return PartBound(first.cases, first.total, min(first.highest, second.highest),
                     {level: max(first.least_costs.get(level, 0.0),
                                 second.least_costs.get(level, 0.0)) for level in levels},
                     second.roster if second.roster.solved else first.roster,
                     least_peak=second.least_peak or first.least_peak)


def solve_parts(ctx: Context, start: Incumbent, *, deadline: float, workers: int, seed: int,
                stop: threading.Event | None = None,
                counted: Mapping[CaseId, PartBound] | None = None,
                singles: bool = True) -> Iterator[PartBound]:
    """Each part solved alone, as it finishes, by `deadline` (a time on `scheduler.clock`); those
    left without time come with nothing proven. Parts run side by side on `workers`
    threads of one CP-SAT worker each (on 4,000 x 700, 24 s for the cities where one
    two-worker CP-SAT took 38 s), each given a share of the time left as large as its
    share of the options of its kind (single cases or parts of many) not yet started.
    A single case whose team in `start` costs what counting proves it must
    (`met_by_counting`) is not solved. `start`'s teams hint each part. One worker solves
    the parts in turn, which repeats.

    A part is skipped when the pace measured on the parts before it (options a second on
    one thread) says it cannot finish by `deadline`: a dense province's largest parts
    would take all the time and prove nothing, where the search can use it. Parts left
    unproven get a second try with the time the others left over, from their own teams;
    each part comes once, with what both tries proved. `counted`, each case's counting
    bound, is the least a case tried alone counts for. Without `singles`, a part of one
    case that `start` staffs is solved only while a part of many is still being solved
    (on a thread that would otherwise wait for it); the others are solved after the first
    round in a share of the time left (`_put_off_solved`), or else come as counted
    (`deferred`), for `solve_singles` to solve when the search measures that they pay."""
    threads = max(1, workers)
    lock = threading.Lock()
    peak = 0  # the highest least peak_load proven so far
    # The pace (options done, seconds busy on one thread) of the parts solved so far, by
    # kind: a single case is one quick call that ends once proven, a part of many cases
    # runs its cost phase to the end of its share. Measured together, the parts' pace
    # skipped the single cases of skewed 4,000 x 700 that needed 0.5 s each. A single
    # case counts its options only once proven (or proven impossible): one cut short by
    # its share proved nothing, and its time says how long proving takes. On a machine
    # 4 times slower than the benchmark's, dense 4,000 x 700's single cases of 3,000 to
    # 4,000 options needed 0.9 to 3.6 s alone, were given 0.6 to 1.0 s, and 29 of 39
    # found nothing; counted so, the pace skips them, and their time goes to the parts
    # and the search.
    done: dict[bool, tuple[int, float]] = {True: (0, 0.0), False: (0, 0.0)}
    # Options of the parts of this round not yet started, by kind (a single case or not):
    # a part of many cases shares the time with those of its kind, not with the single
    # cases after it, which take far less time an option, end once proven and take what
    # the parts leave. Counted with them, the mid-sized parts of skewed 4,000 x 700 lost
    # the time to prove their cost, and the bound fell from 138,656 to 135,346.
    waiting = {True: 0, False: 0}
    # Parts of many cases of the first round not yet done, and the single cases left for
    # later because none was (without `singles`).
    unfinished = 0
    put_off: set[frozenset[CaseId]] = set()

    def run(part: set[CaseId], hint: Incumbent, by_cases: bool = False) -> PartBound:
        nonlocal waiting, peak, unfinished
        size = _options(ctx, part)
        single = len(part) == 1 and not by_cases
        if single and not singles and part <= start.staffed:
            with lock:
                idle = unfinished <= 0
                if idle:
                    put_off.add(frozenset(part))
            if idle:
                return (counted or {}).get(next(iter(part))) or _unproven(ctx, part)
        with lock:
            left = deadline - clock.now()
            share = min(1.0, threads * size / max(1, waiting[single])) * left
            waiting[single] -= size
            done_options, busy = done[single]
            # Time spent proving nothing counts as if it had proven one option.
            fits = busy == 0 or size * busy / max(1, done_options) <= left
        if share <= 0 or not fits or (stop is not None and stop.is_set()):
            return _unproven(ctx, part)
        began = clock.now()
        # One part's lowest peak_load bounds the whole; once a part is proven full,
        # no other can raise the bound.
        if by_cases:
            bound = _by_cases(ctx, part, hint, began + share, seed, stop, counted)
            # The cases alone prove the least a part staffing far below its cases' total
            # may cost; its teams together may cost much more. A part tried before
            # resumes as a whole, from its own teams, with what its share has left: on
            # large-teams 2,000 x 300 the cases of a part of 4,752 options took 0.4 s of
            # 2.8 and proved 3,574, where the part as a whole proves 5,449 in 3 s.
            if hint is not start and began + share - clock.now() >= tuning.PART_RETRY_SECONDS:
                bound = merged_tries(bound,
                                     resume_part(ctx, part, hint, began + share, seed, stop))
        elif len(part) == 1:
            bound = _solve_case(ctx, next(iter(part)), hint, began + share, seed, stop)
        else:
            bound = solve_part(ctx, part, hint, began + share, seed, stop,
                               lambda: peak < FULL_PEAK)
        if bound.least_peak is not None:
            peak = max(peak, bound.least_peak[1])
        with lock:
            done_options, busy = done[single]
            proven = not single or bound.highest == 0 or bound.roster.cost_proven
            done[single] = (done_options + size * proven, busy + clock.now() - began)
        return bound

    def finished(part: set[CaseId]) -> None:
        nonlocal unfinished
        if len(part) > 1 and not singles:
            with lock:
                unfinished -= 1

    def round_of(tries: list[tuple[set[CaseId], Incumbent, bool]]) -> Iterator[PartBound]:
        nonlocal waiting
        waiting = {kind: sum(_options(ctx, part) for part, _, by_cases in tries
                             if (len(part) == 1 and not by_cases) == kind) for kind in (True, False)}
        if threads == 1:
            for one in tries:
                bound = run(*one)
                finished(one[0])
                yield bound
            return
        with ThreadPoolExecutor(threads) as pool:
            futures: dict[Future[PartBound], set[CaseId]] = {
                pool.submit(run, *one): one[0] for one in tries}
            for future in as_completed(futures):
                finished(futures[future])
                yield future.result()

    unsettled: list[PartBound] = []
    pieces = []
    for part in _pieces(ctx):
        met = None if counted is None else met_by_counting(ctx, part, start, counted)
        if met is None:
            pieces.append(part)
        else:
            yield met
    if not singles:
        unfinished = sum(len(part) > 1 for part in pieces)
    held: list[PartBound] = []
    for bound in round_of([(part, start, False) for part in pieces]):
        if bound.cases in put_off:
            held.append(bound)
        elif settled(bound):
            yield bound
        else:
            unsettled.append(bound)
    yield from _put_off_solved(ctx, held, start, until=deadline, workers=threads, seed=seed,
                               stop=stop)
    unsettled.sort(key=lambda b: (-_options(ctx, set(b.cases)), sorted(b.cases)))
    # A second try needs at least what the pace of the first says it takes, if less than
    # tuning.PART_RETRY_SECONDS. (It once could run past `deadline` by what that pace
    # said; since the parts end where compose's share begins, that share was never used.)
    retrying = sum(_options(ctx, set(b.cases)) for b in unsettled)
    done_options, busy = done[True]
    needed = retrying * busy / done_options / threads if done_options else 0.0
    left = deadline - clock.now()
    if left <= 0 or left < min(tuning.PART_RETRY_SECONDS, needed) or (
            stop is not None and stop.is_set()):
        yield from unsettled
        return
    first = {b.cases: b for b in unsettled}
    # A part whose priority is proven but not its cost is tried again case by case, and
    # so is one that proved nothing (the pace skipped it: as a whole it is too large);
    # any other again as a whole, from its own teams.
    again = [(set(b.cases), Incumbent(b.roster.chosen, b.roster.staffed, start.objective)
              if b.roster.solved else start,
              len(b.cases) > 1 and (b.roster.priority_proven or not b.roster.solved))
             for b in unsettled]
    for bound in round_of(again):
        yield merged_tries(first[bound.cases], bound)


def _put_off_solved(ctx: Context, held: list[PartBound], start: Incumbent, *, until: float,
                    workers: int, seed: int, stop: threading.Event | None) -> list[PartBound]:
    """The single cases put off in the first round (`held`, as counted), solved now by
    `solve_singles` in `tuning.PUT_OFF_SINGLES_SHARE` of the parts' time left, the fewest
    options first; those without time come as they were, for the split.

    Left for the split, they waited for the search to stop staffing more, and on skewed
    4,000 x 700 the parts and compose often left it none: 21 cases stayed counted, the
    parts proved 27 to 31 of 52 and the gap was 3.9 to 4.4 %; solved here, 51 of 52 and
    2.8 to 2.9 %. Solved, they also lower the parts' highest priority where a case cannot
    be staffed alone, and a roster short of that highest lets the cost bound shed whole
    teams. (Gated instead by the pace of the cases solved beside the parts, they were not
    solved: those were the smallest, and the pace said the rest would not fit.)"""
    left = until - clock.now()
    if not held or left <= 0 or (stop is not None and stop.is_set()):
        return held
    return solve_singles(ctx, held, start, until=clock.now() + tuning.PUT_OFF_SINGLES_SHARE * left,
                         workers=workers, seed=seed, tried=set(), stop=stop)


def deferred(b: PartBound) -> bool:
    """Whether `b` is a case not yet solved alone, as `solve_parts` left it without
    `singles`, and possible as far as is known."""
    return len(b.cases) == 1 and not b.roster.solved and b.highest > 0


def solve_singles(ctx: Context, bounds: Sequence[PartBound], start: Incumbent, *,
                  until: float, workers: int, seed: int, tried: set[frozenset[CaseId]],
                  stop: threading.Event | None = None) -> list[PartBound]:
    """`bounds` with the `deferred` cases not in `tried` solved alone by `until`, on
    `workers` threads, the fewest options first (CP-SAT's time grows faster than a case's
    options), each with all the time left: one ends as soon as it is proven. Each counts
    at least what it counted before. Those started join `tried`, proven or not; a case
    cut short keeps its teams for `resumed_unproven`."""
    out = list(bounds)
    at = {b.cases: i for i, b in enumerate(out)}
    waiting = iter(sorted((b for b in out if deferred(b) and b.cases not in tried),
                          key=lambda b: (_options(ctx, set(b.cases)), sorted(b.cases))))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                b = next(waiting, None)
                if (b is None or until - clock.now() < tuning.STEP_SECONDS / 4
                        or (stop is not None and stop.is_set())):
                    return
                tried.add(b.cases)
            solved = _solve_case(ctx, next(iter(b.cases)), start, until, seed, stop)
            with lock:
                out[at[b.cases]] = _at_least(solved, b)

    if workers <= 1:
        work()
    else:
        with ThreadPoolExecutor(workers) as pool:
            for done in [pool.submit(work) for _ in range(workers)]:
                done.result()
    return out


def highest_priority(bounds: Sequence[PartBound]) -> int:
    """No valid roster staffs more priority than the parts' highest together."""
    return sum(b.highest for b in bounds)


def without(bounds: Sequence[PartBound], impossible: Mapping[CaseId, int]) -> list[PartBound]:
    """`bounds`, each part staffing at most its priority less that of its cases proven
    `impossible` (case -> priority): a case no valid roster can staff even alone."""
    out = []
    for b in bounds:
        lost = sum(impossible.get(c, 0) for c in b.cases)
        if lost and b.total - lost < b.highest:
            b = replace(b, highest=b.total - lost)
        out.append(b)
    return out


Fall = tuple[frozenset[CaseId], int]  # a part's cases, and a level below its highest
# Each fall asked: the seconds it had where CP-SAT was cut short, `ANSWERED` where it proved.
Asked = dict[Fall, float]
ANSWERED = math.inf


def with_lower_levels(ctx: Context, bounds: Sequence[PartBound], priority: int, *,
                      until: float, seed: int, stop: threading.Event | None = None,
                      asked: Asked | None = None) -> list[PartBound]:
    """`bounds`, where a roster staffing only `priority` lets parts fall short of their
    highest, with CP-SAT's least cost of the part `cost_bound` lets shed most, solved
    whole, at the level it falls to; then of the next, as the fall moves, until `until`.
    A fall of `asked` is asked again only where it was cut short and there is twice the
    time it had (`pending_falls`); those asked here join it.

    Below a part's proven level only its cases' counting bounds it
    (`scheduler.bounds.alone.with_counted`), far below CP-SAT: on tight 2,000 x 300 a part
    of 7 cases proven at 2,515 for its highest, 17, was counted at 402 for 15, and the
    parts bounded the roster's cost at 27,790 (29,802 so). On scarce 4,000 x 700, seed 2,
    one worker, the gap went from 15.6 to 12.1 %."""
    out = list(bounds)
    asked = {} if asked is None else asked
    while clock.now() < until and not (stop is not None and stop.is_set()):
        falls = pending_falls(out, priority, asked, seconds=until - clock.now())
        if not falls:
            break
        # The one shedding most, with all the time left if its cost was proven at its
        # highest: CP-SAT ends once it proves (0.04 to 0.4 s a part there), and what it
        # proves may move the fall elsewhere. A part whose cost was not proven gets what
        # its first bounds take, and twice as long each time it is asked again: on dense
        # 4,000 x 700 a fall left at such a part, counted, shed 5,700; on scarce
        # 4,000 x 700 seed 2 a part of 81 cases counted at 25,206 one level down had no
        # bound from CP-SAT in 1 s, 30,700 in 3 s and 36,700 in 6 s, and the gap stayed
        # at 19 % where it was never asked again.
        i, level = min(falls, key=lambda fall: (out[fall[0]].least_cost(fall[1])
                                                - out[fall[0]].least_cost(out[fall[0]].highest),
                                                fall))
        b = out[i]
        fall = b.cases, level
        seconds = until - clock.now()
        if not b.roster.cost_proven:
            seconds = min(seconds, max(tuning.FALL_UNPROVEN_SECONDS, 2 * asked.get(fall, 0.0)))
        found = least_cost_at(_alone(ctx, set(b.cases)), level, b.roster.chosen,
                              b.roster.staffed, seconds=seconds, workers=1, seed=seed,
                              stop=stop, light=True)
        asked[fall] = ANSWERED if found.cost_proven else seconds
        if found.bound is not None and found.bound > b.least_cost(level):
            out[i] = replace(b, least_costs={**b.least_costs, level: found.bound})
    return out


def pending_falls(bounds: Sequence[PartBound], priority: int, asked: Mapping[Fall, float],
                  *, seconds: float) -> list[tuple[int, int]]:
    """Where the least costly roster staffing `priority` falls short (`falling_short`), in
    parts solved as one model (their teams are the hint), not answered in `asked` and, if
    asked before, given twice as long there in `seconds`: each part's index and the level
    it falls to."""
    return [(i, bounds[i].highest - short) for i, short in falling_short(bounds, priority).items()
            if len(bounds[i].cases) > 1 and bounds[i].roster.solved
            and 2 * asked.get((bounds[i].cases, bounds[i].highest - short), 0.0) <= seconds]


def falls_want(bounds: Sequence[PartBound], priority: int, asked: Mapping[Fall, float],
               *, seconds: float) -> float:
    """The longest that a fall pending in `seconds` (`pending_falls`) wants: twice what it
    had when cut short, 0 where none was asked before."""
    return max((2 * asked.get((bounds[i].cases, level), 0.0)
                for i, level in pending_falls(bounds, priority, asked, seconds=seconds)),
               default=0.0)


def _unproven_excess(ctx: Context, b: PartBound) -> float:
    """How far the part's own teams cost above what it proved at their level: what a
    longer cost phase could raise its bound by, at most. Zero for a part settled, or
    whose priority is not proven (its cost phase would have to prove that first)."""
    found = b.roster
    if not (found.solved and found.priority_proven) or found.cost_proven:
        return 0.0
    s = ctx.scenario
    level = s.priority_of(found.staffed & b.cases)
    paid = sum(team_cost(ctx, s.case_by_id[c], [o for o in found.chosen if o.case == c])
               for c in found.staffed & b.cases)
    return max(0.0, paid - b.least_cost(level))


def resumed_unproven(ctx: Context, bounds: Sequence[PartBound], *, until: float, seed: int,
                     stop: threading.Event | None = None) -> list[PartBound]:
    """`bounds`, with the parts whose priority is proven and not their cost given their
    cost phase again (`resume_part`, from their own teams) by `until`: those whose teams
    cost most above their bound first, each with a share of the time left as large as
    its share of that excess; a part whose share would not pay for writing its model is
    left as it is. On dense 4,000 x 700 the parts' shares end with 8 to 32 of them
    unproven, and in one run a part of 36 cases had proven 6,600 of the 13,200 its
    teams cost (a gap of 13.3 % where other runs reach 8 %)."""
    out = list(bounds)
    excess = {i: _unproven_excess(ctx, b) for i, b in enumerate(out)}
    order = sorted((i for i, e in excess.items() if e > 0), key=lambda i: (-excess[i], i))
    waiting = sum(excess[i] for i in order)
    for i in order:
        left = until - clock.now()
        if left < tuning.PART_RETRY_SECONDS or (stop is not None and stop.is_set()):
            break
        share = left * excess[i] / waiting
        waiting -= excess[i]
        if share < tuning.RESUME_LEAST_SECONDS:
            continue
        b = out[i]
        again = resume_part(ctx, set(b.cases), b.roster, clock.now() + share, seed, stop)
        # The part's highest stands (proven before); only what it costs there may rise.
        out[i] = replace(merged_tries(b, again), highest=b.highest)
    return out


def shed_rate(b: PartBound) -> float:
    """The most cost the part can shed per unit of priority it falls below its highest,
    as its bounds reckon it: falling to any level L sheds at most this times (highest - L)."""
    full = b.least_cost(b.highest)
    # Each level's bound holds up to the next proven level, so the steepest fall to a
    # level is to just below a proven one, or one below the highest.
    levels = {b.highest - 1} | {level - 1 for level in b.least_costs if level <= b.highest}
    return max(((full - b.least_cost(level)) / (b.highest - level)
                for level in levels if level >= 0), default=0.0)


def cost_bound(bounds: Sequence[PartBound], priority: int, peak_weight: float = 0.0,
               shed_at_most: float | None = None) -> float | None:
    """The least cost of any valid roster staffing at least `priority`, or None where
    nothing is proven; `peak_weight` is the weight of peak_load.

    Each part costs at least its least cost at the priority it staffs. The whole may fall
    short of the parts' highest by only so much; where each part falls short, to cost
    least, is a knapsack with one choice per part: how far below its highest it falls.
    Where the relaxation proved that these parts shed no more than `shed_at_most` at
    `priority` (`scheduler.bounds.relaxation.Relaxation.most_shed`), they shed no more.
    peak_load is bounded apart (`least_peak`): both bounds hold for every such roster."""
    spare = highest_priority(bounds) - priority
    if spare < 0:
        return None  # no valid roster staffs that much
    shed, _ = _shedding(bounds, spare)
    if shed_at_most is not None:
        shed = min(shed, shed_at_most)
    cost = (sum(b.least_cost(b.highest) for b in bounds) - shed
            + peak_weight * least_peak(bounds, priority))
    return cost if cost > 0 else None


def least_peak(bounds: Sequence[PartBound], priority: int) -> int:
    """No valid roster staffing at least `priority` has a lower peak_load.

    Every member of a staffed case is at least as busy as its counted least peak, and a
    part proven at (level, peak) staffs less than `level` below that peak; so a roster
    whose peak is below t staffs, in each part, no more than its highest, its cases
    counted below t, and less than each proven level above t allow. The least t at which
    the parts together allow `priority` bounds every roster's peak. (Counting only parts
    that could not fall short, tight 2,000 x 300 had no peak in its bound, where every
    case's members were at least 60 % busy; the roster's peak is 100.)"""
    peaks = {0} | {p for b in bounds for p, _ in b.case_peaks or ()}
    peaks |= {b.least_peak[1] for b in bounds if b.least_peak is not None}
    for t in sorted(peaks):
        if sum(_most_below(b, t) for b in bounds) >= priority:
            return t
    return max(peaks)  # a bound of more than the parts allow; cost_bound gives none


def _most_below(b: PartBound, peak: int) -> int:
    """The most of `b`'s priority a roster whose peak_load is at most `peak` can staff."""
    most = b.highest
    if b.case_peaks is not None:
        most = min(most, sum(p for least, p in b.case_peaks if least <= peak))
    if b.least_peak is not None and peak < b.least_peak[1]:
        most = min(most, b.least_peak[0] - 1)
    return max(0, most)


def falling_short(bounds: Sequence[PartBound], priority: int) -> dict[int, int]:
    """Where the least costly roster staffing `priority` falls short, as `cost_bound`
    reckons it: each part's index and how far below its highest it falls."""
    spare = highest_priority(bounds) - priority
    if spare <= 0:
        return {}
    _, short = _shedding(bounds, spare, choices=True)
    return {i: d for i, d in enumerate(short) if d}


def _shedding(bounds: Sequence[PartBound], spare: int, choices: bool = False
              ) -> tuple[float, list[int]]:
    """The most cost the parts can shed by falling short of their highest by `spare` in
    all, and (with `choices`) how far each falls to shed it."""
    # Falling below a level sheds cost: each part's choices are to fall just below one.
    options = []
    for b in bounds:
        full = b.least_cost(b.highest)
        options.append([(b.highest - level + 1, full - b.least_cost(level - 1))
                        for level in b.least_costs if 0 < b.highest - level + 1 <= spare])
    # Past the most all parts can fall short at once, more room sheds nothing more: a
    # roster 100,000 short of a bound counting one case of priority 100,000 took 46 s of
    # a 2 s solve to bound, a step per unit of priority.
    room = min(spare, sum(max((short for short, _ in c), default=0) for c in options))
    # most[d]: the most cost the parts so far can shed by falling short at most d in all;
    # picks[k][d]: how far part k falls for it (kept only when asked for).
    most = np.zeros(room + 1)
    picks = []
    for part_choices in options:
        shed_more = most.copy()
        pick = np.zeros(room + 1, dtype=np.int32) if choices else None
        for short, shed in part_choices:
            if short <= room:
                gain = most[:room + 1 - short] + shed
                better = gain > shed_more[short:]
                shed_more[short:][better] = gain[better]
                if pick is not None:
                    pick[short:][better] = short
        most = shed_more
        if pick is not None:
            picks.append(pick)
    falls = [0] * len(bounds)
    if choices:
        d = room
        for k in range(len(bounds) - 1, -1, -1):
            falls[k] = int(picks[k][d])
            d -= falls[k]
    return float(most[room]), falls
