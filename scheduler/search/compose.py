"""Putting together the teams each part found alone (`scheduler.bounds.parts`) into one roster.

Each part's teams hold together, and teams of different parts rarely compete for the same
people. Cases whose teams do (a person on two overlapping cases, or two members of one
office away at once), with the cases they clash with, are re-solved with every other team
fixed, from the teams found alone, each drawing on the people nearest its venue. On
4,000 x 700 that was 70 of 700 cases, re-solved in 7 s at the parts' highest priority.
"""

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from models.ids import CaseId
from scheduler import tuning
from scheduler.bounds.parts import PartBound
from scheduler.construct.ledger import Ledger
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.report import evaluate, is_better
from scheduler.search.lns import Incumbent, conflicts, reopen


@dataclass(frozen=True)
class Composed:
    """The roster put together, and the cases re-solved to fit it."""

    roster: Incumbent
    clashed: set[CaseId]


def compose(ctx: Context, best: Incumbent, bounds: Sequence[PartBound], *, seconds: float,
            workers: int, seed: int, stop: threading.Event | None = None) -> Composed | None:
    """The teams of `bounds` put together, `best`'s for cases of parts without any; None
    if the clashing cases could not be re-solved in `seconds`."""
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
    if not clashed:
        return Composed(Incumbent(kept, staffed, evaluate(ctx, kept, staffed)), clashed)
    teams = [o for piece in pieces for o in piece if o.case in clashed]
    # Re-solved alone, a clashing case may find no room beside the teams it clashed
    # with, which are re-solved with it.
    others = conflicts(ctx, kept, teams)
    clashed |= others
    teams += [o for o in kept if o.case in others]
    kept = [o for o in kept if o.case not in clashed]
    fitting, fitted = _fitting(ctx, kept, teams, staffed & clashed)
    chosen, staffed = kept + fitting, (staffed - clashed) | fitted
    start = Incumbent(chosen, staffed, evaluate(ctx, chosen, staffed))
    solved_again = reopen(ctx, start, clashed, seconds=seconds, workers=workers, seed=seed,
                          stop=stop, nearest=tuning.NEAREST,
                          priority_share=tuning.COMPOSE_PRIORITY_SHARE)
    if solved_again is not None and is_better(solved_again.objective, start.objective):
        start = solved_again
    if any(c.mandatory and c.id not in start.staffed for c in ctx.scenario.cases):
        return None
    return Composed(start, clashed)


def _fitting(ctx: Context, kept: list[Option], teams: list[Option], staffed: set[CaseId]
             ) -> tuple[list[Option], set[CaseId]]:
    """The clashing cases' `teams` that fit beside `kept` and each other (capacity and home
    staffing), highest priority first: a valid start for re-solving them. Hinted all
    together, teams that clash are a start CP-SAT must first repair; on dense 4,000 x 700
    its priority phase then ended 17 below the parts' teams when it had 1 s less."""
    s = ctx.scenario
    cases = s.case_by_id
    ledger = Ledger(s)
    journal: list[tuple[str, str, int]] = []
    for o in kept:
        ledger.commit(o, cases[o.case], journal)
    by_case: dict[CaseId, list[Option]] = defaultdict(list)
    for o in teams:
        by_case[o.case].append(o)
    fitting: list[Option] = []
    fitted: set[CaseId] = set()
    for case_id in sorted(staffed, key=lambda c: (-cases[c].priority, len(by_case[c]), c)):
        case, journal = cases[case_id], []
        for o in by_case[case_id]:
            if not ledger.fits(o, case):
                ledger.undo(journal, case)
                break
            ledger.commit(o, case, journal)
        else:
            fitting += by_case[case_id]
            fitted.add(case_id)
    return fitting, fitted
