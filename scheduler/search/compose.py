"""Putting together the teams each part found alone (`scheduler.bounds.parts`) into one roster.

Each part's teams hold together, and teams of different parts rarely compete for the same
people. Cases whose teams do (a person on two overlapping cases, or two members of one
office away at once) are left out, and the rarest-first builder staffs those of them
whose team fits beside the rest (`fitted`). They are then re-solved with every other team
fixed, from that valid roster, each drawing on the people nearest its venue. On
4,000 x 700 that was 70 of 700 cases, re-solved in 7 s at the parts' highest priority.
Where hundreds clash, most of the province (`tuning.COMPOSE_MOST_CLASHED`), nothing is
re-solved: one model of them does not beat its start, and the search has the time.
Between CP-SAT's two phases, the teams of the highest priority are polished
(`scheduler.search.polish`) for the cost phase to start from.
"""

import threading
from collections.abc import Sequence, Set
from dataclasses import dataclass

from models.ids import CaseId
from scheduler import clock, tuning
from scheduler.bounds.parts import PartBound
from scheduler.construct.ledger import Ledger
from scheduler.construct.rarest import staff_more
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.report import evaluate, team_cost, utilisation
from scheduler.search.incumbent import Incumbent
from scheduler.search.lns import beats, conflicts, reopen
from scheduler.search.polish import GAIN, polishing


@dataclass(frozen=True)
class Composed:
    """The roster put together, and the cases re-solved to fit it."""

    roster: Incumbent
    clashed: set[CaseId]


def compose(ctx: Context, best: Incumbent, bounds: Sequence[PartBound], *, seconds: float,
            workers: int, seed: int, stop: threading.Event | None = None,
            mending: float = 0.0, impossible: Set[CaseId] = frozenset()) -> Composed:
    """The teams of `bounds` put together, `best`'s for cases of parts without any, the
    clashing cases staffed where they fit and then re-solved within `seconds`; `mending`
    of them left unused if the roster then has cases `waiting` (`impossible` ones aside)."""
    # Putting the teams together and building the clashing cases' model count too: on a
    # province whose cases were open to 4,000 people each, they took 4 s beside CP-SAT's
    # share, and the solve ended 2.7 s past its deadline.
    until = clock.now() + seconds
    solved = [b for b in bounds if b.roster.solved]
    covered = set().union(*(b.cases for b in solved))
    # Larger parts first, the teams of parts without any after them, single cases last:
    # a case solved alone is one open to the whole province, with the most to choose from.
    pieces = [b.roster.chosen for b in sorted(solved, key=lambda b: -len(b.cases))]
    pieces.insert(sum(len(b.cases) > 1 for b in solved),
                  [o for o in best.chosen if o.case not in covered])
    staffed = {c for b in solved for c in b.roster.staffed} | (best.staffed - covered)
    kept: list[Option] = []
    clashed: set[CaseId] = set()
    for piece in pieces:
        # Earlier pieces win.
        clash = conflicts(ctx, piece, kept)
        clashed |= clash
        kept += [o for o in piece if o.case not in clash]
    start = fitted(ctx, kept, staffed - clashed)
    if not clashed or (stop is not None and stop.is_set()):
        return Composed(start, clashed)
    # The teams that clashed, as found alone, show the kept teams they compete with: those
    # are re-solved with them (on 4,000 x 700 without them, 1 to 2 priority was lost
    # on skewed and tight, and cost rose up to 2 % elsewhere).
    alone = [o for piece in pieces for o in piece if o.case in clashed]
    clashed |= conflicts(ctx, kept, alone)
    if len(clashed) > max(tuning.COMPOSE_MOST_CLASHED,
                          tuning.COMPOSE_MOST_CLASHED_SHARE * len(ctx.scenario.cases)):
        # One model of this many cases, most of the province, does not beat its start:
        # the time is the search's.
        return Composed(start, clashed)
    # Its teams polished between CP-SAT's phases: the priority phase staffs what it can
    # with little regard to cost. On dense 4,000 x 700 (209 cases), polish took its teams
    # from 114,300 to 96,800 in under a second, where the cost phase took 9 s to reach
    # 96,900; from the polished teams it reached 93,500, and the roster came to 178,200
    # instead of 184,700.
    # Where the priority phase leaves cases waiting, the time to mend them (`lns.mend`)
    # comes out of the cost phase: priority comes first. Out of compose's share always, it
    # cost skewed 4,000 x 700 4,300 at compose's end and 600 at the solve's.
    kept_staffed = start.staffed - clashed

    def leave(_: list[Option], staffed: set[CaseId]) -> float:
        return mending if waiting(ctx, kept_staffed | staffed, bounds, impossible) else 0.0

    found = reopen(ctx, start, clashed, seconds=until - clock.now(), workers=workers,
                   seed=seed, stop=stop, nearest=tuning.COMPOSE_NEAREST,
                   between=polishing(until, stop), leave=leave)
    return Composed(found if found is not None and beats(ctx, found, start) else start, clashed)


def fitted(ctx: Context, chosen: list[Option], staffed: set[CaseId], *,
           only: set[CaseId] | None = None, keep: list[Option] | None = None) -> Incumbent:
    """The roster of `chosen` and `staffed`, with a team for each unstaffed case (of
    `only`, if given) that fits beside it, built rarest first around the people of `keep`
    (`scheduler.construct.rarest.staff_more`)."""
    cases = ctx.scenario.case_by_id
    ledger = Ledger(ctx.scenario)
    for o in chosen:
        ledger.commit(o, cases[o.case], [])
    peak = max(utilisation(ctx, chosen).values(), default=0)
    skip = staffed if only is None else staffed | (set(cases) - only)
    added = [o for team in staff_more(ctx, ledger, chosen, skip, peak, keep) for o in team]
    chosen = chosen + added
    staffed = staffed | {o.case for o in added}
    return Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))


def waiting(ctx: Context, staffed: Set[CaseId], bounds: Sequence[PartBound],
            impossible: Set[CaseId]) -> list[CaseId]:
    """The cases a roster staffing `staffed` leaves out in parts it staffs below their
    highest, but those proven `impossible`: first those the part staffed alone, then the
    others; the higher priority first. Where the parts' teams clashed, a case may have
    lost its team to a team of another part that could do without the people it needs."""
    s = ctx.scenario
    out: list[tuple[bool, int, CaseId]] = []
    for b in bounds:
        if s.priority_of(b.cases & staffed) >= b.highest:
            continue
        alone = b.roster.staffed if b.roster.solved else set()
        out += [(c not in alone, -s.case_by_id[c].priority, c)
                for c in b.cases - staffed - impossible]
    return [c for *_, c in sorted(out)]


def adopted(ctx: Context, best: Incumbent, parts: Sequence[PartBound]) -> Incumbent:
    """`best` with each part's own teams (as the part found them, alone or joined with a
    rival) in place of the roster's teams of its cases, wherever they fit beside the rest
    of the roster (capacity and home staffing, `Ledger`), staff at least as much of the
    part and cost less, and the whole roster is then better. The bound's solves find such
    teams and nothing else put them in: on dense 4,000 x 700 two cases joined for the bound
    had teams 872 cheaper that fitted the 60 s roster as it stood."""
    s = ctx.scenario
    teams: dict[CaseId, list[Option]] = {}
    for o in best.chosen:
        teams.setdefault(o.case, []).append(o)
    ledger: Ledger | None = None
    journals: dict[CaseId, list[tuple[str, str, int]]] = {}
    for b in parts:
        if not b.roster.solved or not _cheaper(ctx, b, best.staffed, teams):
            continue
        if ledger is None:  # only once a part may gain: most calls have none
            ledger = Ledger(s)
            for o in best.chosen:
                ledger.commit(o, s.case_by_id[o.case], journals.setdefault(o.case, []))
        mine = [c for c in b.cases if c in teams]
        for c in mine:
            ledger.undo(journals[c], s.case_by_id[c])
        tried: dict[CaseId, list[tuple[str, str, int]]] = {}
        fits = True
        for o in b.roster.chosen:
            case = s.case_by_id[o.case]
            if not ledger.fits(o, case):
                fits = False
                break
            ledger.commit(o, case, tried.setdefault(o.case, []))
        if fits:
            chosen = [o for o in best.chosen if o.case not in b.cases] + b.roster.chosen
            staffed = (best.staffed - b.cases) | b.roster.staffed
            found = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
            fits = beats(ctx, found, best)
        if fits:
            best, journals = found, {**{c: j for c, j in journals.items() if c not in b.cases},
                                     **tried}
            teams = {c: t for c, t in teams.items() if c not in b.cases}
            for o in b.roster.chosen:
                teams.setdefault(o.case, []).append(o)
            continue
        for c, journal in tried.items():
            ledger.undo(journal, s.case_by_id[c])
        for c in mine:
            for o in teams[c]:
                ledger.commit(o, s.case_by_id[c], journals[c])
    return best


def _cheaper(ctx: Context, b: PartBound, staffed: Set[CaseId],
             teams: dict[CaseId, list[Option]]) -> bool:
    """Whether the part's own teams staff more of it than the roster (`staffed`, `teams`),
    or as much at a lower cost of their own."""
    s = ctx.scenario
    ours, theirs = s.priority_of(staffed & b.cases), s.priority_of(b.roster.staffed)
    if theirs != ours:
        return theirs > ours
    own: dict[CaseId, list[Option]] = {}
    for o in b.roster.chosen:
        own.setdefault(o.case, []).append(o)
    paid = sum(team_cost(ctx, s.case_by_id[c], teams.get(c, [])) for c in b.cases & staffed)
    alone = sum(team_cost(ctx, s.case_by_id[c], t) for c, t in own.items())
    return alone < paid - GAIN
