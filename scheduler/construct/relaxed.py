"""A roster after the relaxation's optimum: the cases it staffs first, each from the
people it puts on the case.

The linear program of the whole province (`scheduler.bounds.relaxation`) sees every
case and every person at once, where the builders see one case at a time. On dense
provinces its optimum is almost whole: on dense 4,000 x 700 it staffs 536 cases fully,
159 not at all and 5 in part, and 80 % of the options it takes on those 536 it takes
whole. Built case by case after it, the greedy's way, the roster staffed 1,349 priority
where the greedy and rarest-first builders staffed 1,270 to 1,301; polished, 1,353, at a
cost of 175,220 against 176,296 for the best builder's. On six other families of that
size it staffed, polished, 11 to 26 more than the best builder polished, at a cost 7 to
11 % higher. Its teams follow the program, which weighs only priority, so they cost far
more before the polish (605,543 on dense): cost is the search's to win back.
"""

from models.ids import CaseId
from scheduler.bounds.relaxation import Guide
from scheduler.construct.greedy import in_order
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context

# Shares of a case within this of each other rank alike: the program's optimum is exact
# only to its tolerances.
SHARE_STEP = 1e-3


def relaxation_guided(ctx: Context, guide: Guide) -> tuple[list[Option], set[CaseId]]:
    """A valid roster, the chosen options and the staffed cases, built by the greedy's
    rules: cases the program staffs more of first, each team from the options it takes
    most of, the cheapest among equals."""

    def share(case_id: CaseId) -> float:
        return round(guide.staffed.get(case_id, 0.0) / SHARE_STEP) * SHARE_STEP

    return in_order(ctx, lambda case: share(case.id),
                    lambda o: guide.chosen.get((o.person, o.case, o.slot), 0.0))
