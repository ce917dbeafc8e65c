"""Days on which load and home staffing must be checked.

Loads only rise on the first day of a case and availability only changes at the ends of
an unavailable interval, so checking those days covers every day of the horizon.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from models import Case, Prosecutor


def availability_changes(people: Iterable[Prosecutor]) -> set[date]:
    """Days on which someone's availability changes (first day away, first day back)."""
    days: set[date] = set()
    for person in people:
        for interval in person.unavailable:
            days.add(interval.start)
            days.add(interval.end + timedelta(days=1))
    return days


def overlapping_sets(cases: list[Case]) -> list[frozenset[str]]:
    """The maximal sets of `cases` that share a day: the only sets a load check needs.

    Sweeping start days in order, the set running on a start day is maximal exactly when
    one of its cases ends before the next start day (otherwise the next set contains it).
    """
    ordered = sorted(cases, key=lambda c: c.start)
    starts = sorted({c.start for c in ordered})
    out: list[frozenset[str]] = []
    for i, day in enumerate(starts):
        running = [c for c in ordered if c.start <= day <= c.end]
        if i + 1 == len(starts) or min(c.end for c in running) < starts[i + 1]:
            out.append(frozenset(c.id for c in running))
    return out
