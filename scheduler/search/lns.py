"""Large-neighbourhood search: reopen a few cases close in time and place, keep the rest.

Each step frees a neighbourhood of cases and solves a reduced scenario: the free cases,
each on the people nearest its venue for each slot and each coverage need, plus every
staffed case that overlaps them in time and holds someone they may take or someone of
the same office, its team kept as its members' commitments (so capacity and home
staffing see exactly the load the rest of the roster puts on those days). The new
teams of the free cases are merged back, and the step is kept only if the whole roster's
objective improves. Any roster it holds is valid, so the search can stop at any time.

The search first sweeps the regions once (the cases each city leads, see
`scheduler.search.regions`), then reopens neighbourhoods of the kinds that have paid
lately (`scheduler.search.neighbourhoods`). On 4,000 x 700, in 54 s with
seeds 1 to 3, the sweep staffed 1,190 to 1,191 priority; random neighbourhoods alone
staffed 1,176 to 1,180.
"""

import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from models import Case, Commitment, Scenario, Slot
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler import clock, tuning
from scheduler.instance.eligibility import Option
from scheduler.model.core import (
    Context,
    RosterModel,
    StoppedError,
    build_model,
    unless_stopped,
)
from scheduler.report import evaluate, is_better, team_cost, utilisation
from scheduler.search.incumbent import Incumbent
from scheduler.search.neighbourhoods import KINDS, Chooser, Teams, blocked_by
from scheduler.search.phases import Between, Leave, lexicographic
from scheduler.search.polish import polishing
from scheduler.search.regions import regions


class Teamed(Protocol):
    """Any roster as options chosen and cases staffed."""

    @property
    def chosen(self) -> list[Option]: ...

    @property
    def staffed(self) -> set[CaseId]: ...


def keeps_pins(scenario: Scenario, roster: Teamed) -> bool:
    """Whether `roster` keeps every pinned assignment (rule 7)."""
    kept = {(o.case, o.person, o.slot) for o in roster.chosen}
    return all((a.case, a.prosecutor, a.slot) in kept for a in scenario.previous if a.pinned)


def keeps_musts(scenario: Scenario, roster: Teamed) -> bool:
    """Whether `roster` staffs every mandatory case and keeps every pinned assignment
    (rules 7 and 8): the builders may not, the model always does."""
    return (all(c.id in roster.staffed for c in scenario.cases if c.mandatory)
            and keeps_pins(scenario, roster))


def beats(ctx: Context, a: Incumbent, b: Incumbent) -> bool:
    """Whether roster `a` is better than `b`: one that keeps rules 7 and 8 (`keeps_musts`)
    beats one that does not; then more staffed priority, or as much at a lower cost. A
    roster missing a mandatory case could otherwise be kept for its lower cost (no_standby
    makes staffing mandatory cases cost more) and the solve end with no valid roster."""
    a_valid = keeps_musts(ctx.scenario, a)
    if a_valid != keeps_musts(ctx.scenario, b):
        return a_valid
    return is_better(a.objective, b.objective)


def conflicts(ctx: Context, chosen: list[Option], teams: list[Option]) -> set[CaseId]:
    """The cases of the teams `chosen`, outside those `teams` staff, that may clash with them:
    those overlapping in time a case of `teams` served by the same person (capacity) or by
    someone of the same home unit (home staffing)."""
    s = ctx.scenario
    cases, people = s.case_by_id, s.prosecutor_by_id
    by_person: dict[ProsecutorId, list[Case]] = defaultdict(list)
    by_home: dict[UnitId, list[Case]] = defaultdict(list)
    for o in teams:
        by_person[o.person].append(cases[o.case])
        by_home[people[o.person].home].append(cases[o.case])
    inside = {o.case for o in teams}
    out = set()
    for o in chosen:
        if o.case in inside or o.case in out:
            continue
        case = cases[o.case]
        near = by_person.get(o.person, []) + by_home.get(people[o.person].home, [])
        if any(case.start <= other.end and other.start <= case.end for other in near):
            out.add(o.case)
    return out


def nearest_people(ctx: Context, case: CaseId, count: int,
                   keep: set[tuple[ProsecutorId, Slot]]) -> set[tuple[ProsecutorId, Slot]]:
    """The (person, slot) options of `case` of the `count` people nearest its venue for
    each slot and for each coverage need (a rare skill's holders may all live far away),
    or `tuning.NEAREST_PER_NEED` times as many as the slot or need asks for if more,
    those of `keep`, and those of the people the case requires or keeps from `previous`."""
    s = ctx.scenario
    this = s.case_by_id[case]
    wanted = set(this.require_prosecutors)
    wanted |= {a.prosecutor for a in s.previous if a.case == case}
    options = sorted(ctx.candidates.by_case.get(case, []), key=lambda o: (o.travel_minutes, o.person))
    near = set(keep) | {(o.person, o.slot) for o in options if o.person in wanted}
    groups: list[tuple[int, list[Option]]] = [
        (this.team.slot_count(slot), [o for o in options if o.slot is slot])
        for slot in this.team.slots()]
    groups += [(need, [o for o in options if o.person in able])
               for need, able in ctx.coverage(this)]
    for need, group in groups:
        # A slot of 45 members on the nearest 40 people could not be filled afresh.
        near |= {(o.person, o.slot) for o in group[:max(count, tuning.NEAREST_PER_NEED * need)]}
    return near


def _pinned_beside(ctx: Context, best: Incumbent, free: list[Case],
                   only: Mapping[CaseId, set[tuple[ProsecutorId, Slot]]]) -> list[Case]:
    """The staffed cases whose teams to keep beside the `free` ones: those running at the
    same time with a member whom a free case may take (capacity) or from whose office it
    may take someone (home staffing). No other team shares a rule with the free cases."""
    s = ctx.scenario
    people = s.prosecutor_by_id
    first, last = min(c.start for c in free), max(c.end for c in free)
    reach: set[ProsecutorId] = set()
    for c in free:
        options = ctx.candidates.by_case.get(c.id, [])
        reach |= {o.person for o in options if c.id not in only or (o.person, o.slot) in only[c.id]}
    homes = {people[p].home for p in reach}
    tied = {o.case for o in best.chosen
            if o.person in reach or people[o.person].home in homes}
    tied -= {c.id for c in free}
    return [c for c in s.cases if c.id in tied and c.id in best.staffed
            and c.start <= last and first <= c.end]


@dataclass
class Neighbourhood:
    """A reduced model: the free cases, with the teams they share a rule with kept as
    their members' commitments; with the roster to start its search from."""

    model: RosterModel
    free: set[CaseId]
    fixed: set[CaseId]
    start_chosen: list[Option]
    start_staffed: set[CaseId]


def committed(ctx: Context, teams: list[Option]) -> dict[ProsecutorId, list[Commitment]]:
    """The `teams` as their members' commitments: each case's load on its days, away from
    home where they serve on site at another unit (rules 5 and 6 count a commitment as
    they count a team)."""
    s = ctx.scenario
    cases, people = s.case_by_id, s.prosecutor_by_id
    extra: dict[ProsecutorId, list[Commitment]] = defaultdict(list)
    for o in teams:
        case = cases[o.case]
        extra[o.person].append(Commitment(
            start=case.start, end=case.end, load=case.team.load,
            away=o.on_site and case.venue != people[o.person].home, ref=case.id))
    return extra


def neighbourhood(ctx: Context, best: Incumbent, free: set[CaseId], *,
                  hint: tuple[list[Option], set[CaseId]] | None = None,
                  nearest: int | None = None,
                  stop: threading.Event | None = None) -> Neighbourhood:
    """The model of `free` with every other overlapping team of `best` kept (see
    `reopen`); its start is `hint` for the free cases if given, else `best`. Raises
    `StoppedError` if `stop` is set before or while it is built.

    The kept teams enter as their members' commitments, not as pinned cases: they
    constrain the free cases only through capacity and home staffing, and a re-plan
    keeps most of a province's teams (648 of 650 cases on one of 1.8 million options,
    whose model took 0.5 s to build). What the rest of the roster costs is a constant,
    but for peak_load, which the model takes as its floor."""
    unless_stopped(stop)
    s = ctx.scenario
    free_cases = [c for c in s.cases if c.id in free]
    only: dict[CaseId, set[tuple[ProsecutorId, Slot]]] = defaultdict(set)
    start_chosen, start_staffed = hint or (best.chosen, best.staffed)
    if nearest is not None:
        started: dict[CaseId, set[tuple[ProsecutorId, Slot]]] = defaultdict(set)
        for o in start_chosen:
            started[o.case].add((o.person, o.slot))
        for c in free:
            only[c] = nearest_people(ctx, c, nearest, started[c])
    fixed = {c.id for c in _pinned_beside(ctx, best, free_cases, only)}
    outside = [o for o in best.chosen if o.case not in free]
    sub = s.with_commitments(committed(ctx, [o for o in outside if o.case in fixed])).replace(
        cases=free_cases, previous=[a for a in s.previous if a.case in free])
    narrowed = Context(sub, ctx.geography, ctx.travel, ctx.candidates.narrowed(free, only),
                       calendars=ctx.calendars)
    floor = max(utilisation(ctx, outside).values(), default=0)
    model = build_model(sub, context=narrowed, peak_floor=floor, stop=stop)
    return Neighbourhood(model, set(free), fixed, [o for o in start_chosen if o.case in free],
                         start_staffed & free)


def reopen(ctx: Context, best: Incumbent, free: set[CaseId], *, seconds: float, workers: int,
           seed: int, stop: threading.Event | None = None,
           hint: tuple[list[Option], set[CaseId]] | None = None,
           nearest: int | None = None, at_least: float = 0.0,
           between: Between | None = None, leave: Leave | None = None) -> Incumbent | None:
    """Re-solve the cases in `free` with every other overlapping team fixed, within
    `seconds` counting the model's building; the search starts from `hint` (teams and
    staffed cases of `free`) if given, else from `best`, and has `at_least` seconds
    whatever the building took. With `nearest`, each free case may draw only on that many
    people nearest its venue per slot, besides those of the start: a case open to a whole
    province has thousands. `between` may improve the free cases' teams after the priority
    phase, and `leave` keep time from the cost phase (`scheduler.search.phases.lexicographic`)."""
    until = clock.now() + seconds
    try:
        n = neighbourhood(ctx, best, free, hint=hint, nearest=nearest, stop=stop)
    except StoppedError:
        return None
    found = lexicographic(n.model, n.start_chosen, n.start_staffed,
                          seconds=max(until - clock.now(), at_least), workers=workers,
                          seed=seed, stop=stop, between=between, leave=leave)
    if not found.solved:
        return None
    return merged(ctx, best, free, found.chosen, found.staffed,
                  proven=found.priority_proven and found.cost_proven)


def merged(ctx: Context, best: Incumbent, free: set[CaseId], chosen: list[Option],
           staffed: set[CaseId], *, proven: bool) -> Incumbent:
    """`best` with the teams of the `free` cases taken from a neighbourhood's solution."""
    merged_chosen = [o for o in best.chosen if o.case not in free] + [
        o for o in chosen if o.case in free]
    merged_staffed = (best.staffed - free) | (staffed & free)
    return Incumbent(merged_chosen, merged_staffed,
                     evaluate(ctx, merged_chosen, merged_staffed), proven=proven)


def excess(ctx: Context, teams: Teams, least: Mapping[CaseId, float]) -> dict[CaseId, float]:
    """How much each staffed team costs (peak_load and changes aside) above `least`, what
    it must cost at least."""
    cases = ctx.scenario.case_by_id
    out = {}
    for case_id, team in teams.members.items():
        cost = team_cost(ctx, cases[case_id], team)
        out[case_id] = cost - least.get(case_id, 0.0)
    return out


def improve(ctx: Context, start: Incumbent, *, deadline: float, workers: int, seed: int,
            on_improve: Callable[[Incumbent], None] | None = None,
            stop: threading.Event | None = None, sweep: bool | Iterator[set[CaseId]] = True,
            around: set[CaseId] | None = None,
            least: Mapping[CaseId, float] | None = None,
            impossible: Set[CaseId] = frozenset()) -> Incumbent:
    """Reopen each region once (unless not to `sweep`; or those `sweep` has left, where a
    search goes on from an earlier one's), then neighbourhoods of the kinds
    that have paid lately (grown from cases of `around` if given; `least`, what each case
    must cost at least, points the `costly` kind at teams worth reopening), until
    `deadline` (a time on `scheduler.clock`) or `stop` is set; keep every improvement.
    Cases proven `impossible` (no valid roster staffs them) seed no neighbourhood.

    With more than one worker, up to `tuning.LNS_LANES` neighbourhoods of distinct cases
    are reopened side by side, the workers shared among them; each step that ends is kept
    if it improves the roster as it is by then (`_Lanes.landed`)."""
    # An impossible case is never staffed: as the seed of a `blocked` neighbourhood, drawn
    # by priority among the unstaffed, it won nothing, and on 4,000 x 700 counting alone
    # proves 160 to 390 cases so (of dense's 184 unstaffed, 160).
    seeds = [c for c in ctx.scenario.cases if c.id in around] if around else ctx.scenario.cases
    seeds = [c for c in seeds if c.id not in impossible] or seeds
    lanes = _Lanes(ctx, start, random.Random(seed), seeds=seeds,
                   possible=len(ctx.scenario.cases) - len(impossible), least=least or {},
                   swept=sweep if isinstance(sweep, Iterator) else iter(regions(ctx) if sweep else []),
                   on_improve=on_improve)
    count = max(1, min(workers, tuning.LNS_LANES))
    share = max(1, workers // count)

    def step(drawn: _Drawn) -> Incumbent | None:
        return _step(ctx, drawn.base, drawn.free, deadline=deadline, workers=share,
                     seed=drawn.seed, stop=stop, nearest=drawn.width)

    def more() -> bool:
        return deadline - clock.now() > tuning.STEP_SECONDS / 4 and not (
            stop is not None and stop.is_set())

    if count == 1:  # in this thread, on its clock: one worker repeats (scheduler.clock)
        while more() and (drawn := lanes.draw(set())) is not None:
            lanes.landed(drawn, step(drawn))
        return lanes.best
    running: dict[Future[Incumbent | None], _Drawn] = {}
    with ThreadPoolExecutor(count) as pool:
        while True:
            while len(running) < count and more():
                busy = {c for d in running.values() for c in d.free}
                drawn = lanes.draw(busy)
                if drawn is None:
                    break
                running[pool.submit(step, drawn)] = drawn
            if not running:
                return lanes.best
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in [f for f in running if f in done]:  # in the order drawn
                lanes.landed(running.pop(future), future.result())


@dataclass(frozen=True)
class _Drawn:
    """A neighbourhood drawn: its kind, its free cases, the people per slot they draw
    on, the roster it reopens them in (the best when drawn, after `version`
    improvements), and a seed for its step."""

    kind: str
    free: set[CaseId]
    width: int
    base: Incumbent
    version: int
    seed: int


class _Lanes:
    """The search's state between steps: the best roster, which kinds pay, and the teams
    each improvement kept, for steps that ran beside it to be checked against."""

    def __init__(self, ctx: Context, start: Incumbent, rng: random.Random, *,
                 seeds: Sequence[Case], possible: int, least: Mapping[CaseId, float],
                 swept: Iterator[set[CaseId]],
                 on_improve: Callable[[Incumbent], None] | None) -> None:
        self.ctx, self.best, self.rng = ctx, start, rng
        self.seeds, self.possible, self.least = seeds, possible, least
        self.swept, self.on_improve = swept, on_improve
        self.chooser = Chooser(rng, min(tuning.NEIGHBOURHOOD_CASES, len(ctx.scenario.cases)))
        self.teams = Teams.of(ctx, start.chosen)
        self.costs: dict[CaseId, float] | None = None
        # The free cases and new teams of each improvement kept, in order.
        self.kept: list[tuple[set[CaseId], list[Option]]] = []

    def draw(self, busy: set[CaseId]) -> _Drawn | None:
        """The next neighbourhood, without the `busy` cases (those running steps reopen);
        None if no case is left, or the sizes have shrunk to nothing."""
        if not self.chooser.size:
            return None
        kind = "sweep"
        free = next(self.swept, None)
        if free is None:
            kind = self.chooser.kind(len(self.best.staffed) < self.possible)
            if self.costs is None:
                self.costs = excess(self.ctx, self.teams, self.least)
            free = KINDS[kind](self.ctx, self.teams, self.rng, self.chooser.size, self.seeds,
                               self.costs)
        free = free - busy
        if not free:
            return None
        return _Drawn(kind, free, self.chooser.width(), self.best, len(self.kept),
                      self.rng.randrange(1 << 30))

    def landed(self, drawn: _Drawn, trial: Incumbent | None) -> None:
        """Learn from a step's `trial`, and keep it if it improves the best roster: its
        free cases' new teams put into the best as it is now, unless an improvement kept
        since it was drawn reopened one of those cases or took their people or offices on
        the same days. Each step kept the load every other team puts on the people and
        offices it may take, and rules 5 and 6 count nothing else across cases, so two
        steps that leave each other's people and offices alone are valid together."""
        ctx = self.ctx
        improved = trial is not None and beats(ctx, trial, drawn.base)
        self.chooser.learn_width(drawn.width, improved)
        if drawn.kind != "sweep":
            self.chooser.learn(drawn.kind, improved, trial is not None and trial.proven)
        if trial is None or not improved:
            return
        teams = [o for o in trial.chosen if o.case in drawn.free]
        since = self.kept[drawn.version:]
        if since:
            if any(free & drawn.free or conflicts(ctx, teams, new) for free, new in since):
                return
            trial = merged(ctx, self.best, drawn.free, trial.chosen, trial.staffed,
                           proven=trial.proven)
            if not beats(ctx, trial, self.best):
                return
        self.best = trial
        self.kept.append((drawn.free, teams))
        self.teams, self.costs = Teams.of(ctx, trial.chosen), None
        if self.on_improve is not None:
            self.on_improve(trial)


def mend(ctx: Context, start: Incumbent, waiting: Sequence[CaseId], *, deadline: float,
         workers: int, seed: int, on_improve: Callable[[Incumbent], None] | None = None,
         stop: threading.Event | None = None) -> Incumbent:
    """Each case of `waiting` still unstaffed, in turn, reopened with the teams holding
    people it could use (`neighbourhoods.blocked_by`), until `deadline`; keep every
    improvement. Where the roster staffs less than the parts proved they can, the cases
    they staffed alone are where the priority is, and drawn at random among every
    unstaffed case they may not come up in time: on dense 4,000 x 700 (seed 5), compose
    left out a case of priority 2 and 536 candidates, whose nearest served elsewhere;
    its neighbourhood staffed it in 0.3 s. In a 60 s solve the search had no time to
    draw it, in a 180 s one it did at 130 s."""
    rng = random.Random(seed)
    best, teams = start, Teams.of(ctx, start.chosen)
    for case in waiting:
        if deadline - clock.now() <= tuning.STEP_SECONDS / 4 or (stop is not None and stop.is_set()):
            break
        if case in best.staffed:
            continue
        free = blocked_by(ctx, teams, ctx.scenario.case_by_id[case], tuning.NEIGHBOURHOOD_CASES)
        trial = _step(ctx, best, free, deadline=deadline, workers=workers,
                      seed=rng.randrange(1 << 30), stop=stop, nearest=tuning.LNS_NEAREST)
        if trial is not None and beats(ctx, trial, best):
            best, teams = trial, Teams.of(ctx, trial.chosen)
            if on_improve is not None:
                on_improve(best)
    return best


def _step(ctx: Context, best: Incumbent, free: set[CaseId], *, deadline: float, workers: int,
          seed: int, stop: threading.Event | None, nearest: int | None) -> Incumbent | None:
    """One step of the search: `free` reopened for at most `tuning.STEP_SECONDS` before
    `deadline`, each case on the `nearest` people per slot (None: everyone eligible),
    polished between the phases."""
    step = min(tuning.STEP_SECONDS, deadline - clock.now())
    return reopen(ctx, best, free, seconds=step, workers=workers, seed=seed, stop=stop,
                  nearest=nearest, between=polishing(clock.now() + step, stop))
