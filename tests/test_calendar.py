"""The calendar shortcut: checking loads on start days only, on maximal overlapping sets."""

import random
from collections.abc import Iterable
from datetime import date, timedelta

from models import Case, Prosecutor
from models.scenario import Commitment
from scheduler.instance.calendar import Checkpoints, LoadProfile, load_checkpoints, overlapping_sets


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


def test_load_profile_peaks_equal_peak_load() -> None:
    """A person's load profile gives, for any span of days, exactly the peak that
    `Prosecutor.peak_load` works out from the commitments (the same float), and steps
    that hold each first day's load, with
    overlapping, adjacent and one-day commitments, and spans before, across and after."""
    rng = random.Random(1)
    day0 = date(2022, 1, 1)
    for _ in range(500):
        commitments = []
        for _ in range(rng.randint(0, 4)):
            start = day0 + timedelta(days=rng.randint(0, 20))
            commitments.append(Commitment(start=start, end=start + timedelta(days=rng.randint(0, 6)),
                                          load=rng.choice([0.1, 0.2, 0.25, 0.3, 0.7])))
        person = Prosecutor(id="p", name="P", home="a", role="prosecutor",
                            load=rng.choice([0.0, 0.1, 0.3]), commitments=commitments)
        profile = LoadProfile(person)
        for first, until, load in profile.steps():  # each step holds its first day's load
            assert load == person.load_on(first) and (until is None or until > first)
        for _ in range(10):
            start = day0 + timedelta(days=rng.randint(-3, 25))
            end = start + timedelta(days=rng.randint(0, 10))
            assert profile.peak(start, end) == person.peak_load(start, end)


def test_checkpoints_shared_across_people_equal_each_ones_own() -> None:
    """`Checkpoints`, which sweeps each distinct list of cases once for everyone, gives
    every person exactly their own `load_checkpoints`: people with the same cases and
    different loads, and people with commitments, whose checkpoints are their own."""
    rng = random.Random(2)
    day0 = date(2022, 1, 1)
    cases = []
    for i in range(8):
        start = day0 + timedelta(days=rng.randint(0, 20))
        cases.append(Case(id=f"c{i}", kind="criminal", venue="a", start=start,
                          end=start + timedelta(days=rng.randint(0, 8))))
    lists = [sorted(rng.sample(cases, rng.randint(1, 8)), key=lambda c: c.id) for _ in range(5)]
    shared = Checkpoints()
    for n in range(300):
        commitments = []
        if rng.random() < 0.3:
            start = day0 + timedelta(days=rng.randint(0, 20))
            commitments.append(Commitment(start=start, end=start + timedelta(days=3), load=0.2))
        person = Prosecutor(id=f"p{n}", name="P", home="a", role="prosecutor",
                            load=rng.choice([0.0, 0.1, 0.3]), commitments=commitments)
        mine = rng.choice(lists)
        assert shared.of(person, mine) == load_checkpoints(person, mine)
