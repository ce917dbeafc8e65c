"""The calendar shortcut: checking loads on start days only, on maximal overlapping sets."""

import random
from collections.abc import Iterable
from datetime import date, timedelta

from models import Case
from scheduler.instance.calendar import overlapping_sets


def maximal_sets(sets: Iterable[frozenset[str]]) -> list[frozenset[str]]:
    """The definition: the sets running on some start day that no other such set contains."""
    unique = set(sets)
    return [s for s in unique if not any(s < t for t in unique)]


def start_days(cases: list[Case]) -> list[date]:
    return sorted({c.start for c in cases})


def test_overlapping_sets_equal_brute_force() -> None:
    """The sweep gives exactly the maximal sets of cases running on some start day."""
    rng = random.Random(0)
    for _ in range(500):
        cases = []
        for i in range(rng.randint(1, 7)):
            start = date(2022, 1, 1) + timedelta(days=rng.randint(0, 20))
            cases.append(Case(id=f"c{i}", kind="criminal", venue="a", start=start,
                              end=start + timedelta(days=rng.randint(0, 8))))
        brute = maximal_sets(frozenset(c.id for c in cases if c.covers(day))
                             for day in start_days(cases))
        assert sorted(map(sorted, brute)) == sorted(map(sorted, overlapping_sets(cases)))
