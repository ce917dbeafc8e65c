"""Putting together the teams each part found alone (`scheduler.bounds.parts`) into one roster.

Each part's teams hold together, and teams of different parts rarely compete for the same
people. Cases whose teams do (a person on two overlapping cases, or two members of one
office away at once), with the cases they clash with, are re-solved with every other team
fixed, from the teams found alone, each drawing on the people nearest its venue. On
4,000 x 700 that was 70 of 700 cases, re-solved in 7 s at the parts' highest priority.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from models.ids import CaseId
from scheduler import tuning
from scheduler.bounds.parts import PartBound
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.report import evaluate
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
    # reopen reads only the teams and staffed cases of its start; its objective is unused.
    start = Incumbent(kept, staffed - clashed, best.objective)
    fitted = reopen(ctx, start, clashed, hint=(teams, staffed & clashed), seconds=seconds,
                    workers=workers, seed=seed, stop=stop, nearest=tuning.NEAREST)
    return None if fitted is None else Composed(fitted, clashed)
