"""The calendar shortcut: checking loads on start days only, on maximal overlapping sets."""

import random
from datetime import date, timedelta

from models import Case
from scheduler.calendar import maximal_sets, overlapping_sets, start_days


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
