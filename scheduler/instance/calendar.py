"""Days on which load and home staffing must be checked.

Loads only rise on the first day of a case or of a commitment, and availability only
changes at the ends of an unavailable interval or of a commitment away from home, so
checking those days covers every day of the horizon.
"""

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

from models import Case, Prosecutor

# Loads are compared in FTE with this slack, so 0.1 + 0.2 fits a capacity of 0.3.
FTE_EPS = 1e-9


def availability_changes(people: Iterable[Prosecutor]) -> set[date]:
    """Days on which someone's availability changes (first day away, first day back),
    whether on leave or committed on site elsewhere."""
    days: set[date] = set()
    for person in people:
        for interval in [*person.unavailable, *(c for c in person.commitments if c.away)]:
            days.add(interval.start)
            days.add(interval.end + timedelta(days=1))
    return days


class LoadProfile:
    """A person's own load day by day, as steps: `Prosecutor.peak_load` at a bisection and
    a few steps. The counting bound asks the peak of committed people for every case, and
    eligibility tests every case against the steps of everyone at once
    (`scheduler.instance.roll`): walking the commitments per (person, case) took 7 of a
    5 s solve's 18 s on a province of 3,500 people with 1 to 3 commitments each."""

    def __init__(self, person: Prosecutor) -> None:
        # The load only changes on a commitment's first day and the day after its last;
        # each step's load is `load_on` that day, so the peaks are the same to the bit.
        self._days = sorted({c.start for c in person.commitments}
                            | {c.end + timedelta(days=1) for c in person.commitments})
        self._loads = [person.load_on(day) for day in self._days]
        self._base = person.load

    def steps(self) -> list[tuple[date, date | None, float]]:
        """The load from each step's first day until the next step's (None: ever after);
        before the first step it is the base `load`."""
        untils: list[date | None] = [*self._days[1:], None] if self._days else []
        return list(zip(self._days, untils, self._loads, strict=True))

    def peak(self, start: date, end: date) -> float:
        """The highest load on a day from `start` to `end`: `Prosecutor.peak_load`."""
        first = bisect_right(self._days, start)  # steps after `start`
        last = bisect_right(self._days, end)
        at_start = self._loads[first - 1] if first else self._base
        return max(at_start, *self._loads[first:last]) if last > first else at_start


# The cases running on a checkpoint day, in id order, and the load already taken that day.
# Ordered, not a set: constraints are written in this order, and a set's order changes
# with Python's hash seed from one process to the next (one worker and a seed must give
# the same roster in every run).
LoadCheckpoint = tuple[tuple[str, ...], float]


def load_checkpoints(person: Prosecutor, cases: list[Case]) -> list[LoadCheckpoint]:
    """The (cases running, load already taken) pairs on the days where `person`'s load can
    peak, given `cases` they might serve: the only days a load check needs.

    With no commitments the load already taken is the constant `load`, and the maximal
    overlapping sets suffice. Commitments make it vary by day, so each start day (of a
    case or a commitment) is a checkpoint, and those no other checkpoint dominates are kept.
    """
    if not person.commitments:
        return [(active, person.load) for active in _maximal(cases)]
    days = {c.start for c in cases} | {k.start for k in person.commitments}
    points = {(frozenset(c.id for c in cases if c.covers(day)), person.load_on(day))
              for day in days}
    return sorted((tuple(sorted(a)), base) for a, base in points
                  if not any((a, base) != (b, other) and a <= b and base <= other
                             for b, other in points))


class Checkpoints:
    """`load_checkpoints` of many people, each distinct list of cases swept once: on dense
    4,000 x 700 the people's eligible cases come in 1,234 distinct lists, and sweeping
    each person's took half the time the relaxation's capacity rule was written in."""

    def __init__(self) -> None:
        self._swept: dict[tuple[str, ...], list[tuple[str, ...]]] = {}

    def of(self, person: Prosecutor, cases: list[Case]) -> list[LoadCheckpoint]:
        """`load_checkpoints(person, cases)`."""
        if person.commitments:
            return load_checkpoints(person, cases)
        key = tuple(c.id for c in cases)
        if key not in self._swept:
            self._swept[key] = _maximal(cases)
        return [(active, person.load) for active in self._swept[key]]


def _maximal(cases: list[Case]) -> list[tuple[str, ...]]:
    """`overlapping_sets(cases)`, each in id order (the order constraints are written in)."""
    return [tuple(sorted(active)) for active in overlapping_sets(cases)]


def overlapping_sets(cases: list[Case]) -> list[frozenset[str]]:
    """The maximal sets of `cases` that share a day: the only sets a load check needs.

    Sweeping start days in order, the set running on a start day is maximal exactly when
    one of its cases ends before the next start day (otherwise the next set contains it).
    """
    ordered = sorted(cases, key=lambda c: c.start)
    starts = sorted({c.start for c in ordered})
    out: list[frozenset[str]] = []
    running: list[Case] = []
    joined = 0  # ordered[:joined] have started
    for i, day in enumerate(starts):
        while joined < len(ordered) and ordered[joined].start <= day:
            running.append(ordered[joined])
            joined += 1
        running = [c for c in running if c.end >= day]
        if i + 1 == len(starts) or min(c.end for c in running) < starts[i + 1]:
            out.append(frozenset(c.id for c in running))
    return out
