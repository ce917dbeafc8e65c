"""Regions: the cases each city leads, for the neighbourhood search's sweep and the bound.

Most people a case may draw on work in the city that leads it (its own office, the offices
paired with it, the city's), so the cases one city leads are the ones that compete for the
same people, and cases of different cities rarely do.
"""

from collections import defaultdict

from models import Case, Tier
from models.ids import CaseId, UnitId
from scheduler import tuning
from scheduler.model.core import Context


def _by_city(ctx: Context) -> tuple[dict[UnitId, list[Case]], list[Case]]:
    """The cases led by each municipal unit or a unit it supervises, and the rest (led by
    the provincial unit)."""
    s = ctx.scenario
    cities: dict[UnitId, list[Case]] = defaultdict(list)
    provincial = []
    for case in s.cases:
        root = ctx.geography.municipal_root(case.lead)
        if s.unit_by_id[root].tier is Tier.PROVINCIAL:
            provincial.append(case)
        else:
            cities[root].append(case)
    return cities, provincial


def regions(ctx: Context) -> list[set[CaseId]]:
    """Each city's cases, by start date in pieces of at most tuning.REGION_CASES; cases the
    provincial unit leads belong to no region (they may draw on the whole province, which
    no one neighbourhood step can reopen quickly)."""
    cities, _ = _by_city(ctx)
    out = []
    for root in sorted(cities):
        cases = sorted(cities[root], key=lambda c: (c.start, c.id))
        pieces = -(-len(cases) // tuning.REGION_CASES)
        for i in range(pieces):
            out.append({c.id for c in cases[i * len(cases) // pieces:(i + 1) * len(cases) // pieces]})
    return out


def parts(ctx: Context) -> list[set[CaseId]]:
    """Every case exactly once: each city's cases, then the cases the provincial unit leads."""
    cities, provincial = _by_city(ctx)
    out = [{c.id for c in cities[root]} for root in sorted(cities)]
    if provincial:
        out.append({c.id for c in provincial})
    return out
