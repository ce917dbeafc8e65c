"""The kinds of neighbourhood the search reopens, and how it learns which pay.

A neighbourhood is a few cases reopened together while every other team stays. Cases
compete when they overlap in time and draw on the same people, so each kind grows from
a seed case towards the cases most likely to trade people with it:
- `city`: the seed's city, nearest in time (cases of one city share its offices);
- `people`: the cases whose teams, running at the same time, hold the seed team's
  people or people of the same offices (capacity and home staffing tie them);
- `blocked`: an unstaffed case, and the teams holding people it could use: where
  staffed priority is won;
- `costly`: a seed among the teams that cost most above what counting says they must
  (`scheduler.bounds.alone`), and the teams tied to it: where cost is won.

The search picks a kind by roulette over weights that follow each kind's recent success
(adaptive large-neighbourhood search, after Ropke and Pisinger, 2006), and grows the
neighbourhood while CP-SAT proves its steps optimal, shrinking it while steps time out
without gain. How many people per slot a step's cases draw on is drawn the same way.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from models import Case
from models.ids import CaseId, ProsecutorId, UnitId
from scheduler import tuning
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context
from scheduler.model.costs import overlap


@dataclass
class Teams:
    """The incumbent's teams, indexed by case, person and office."""

    members: dict[CaseId, list[Option]] = field(default_factory=lambda: defaultdict(list))
    by_person: dict[ProsecutorId, set[CaseId]] = field(default_factory=lambda: defaultdict(set))
    by_home: dict[UnitId, set[CaseId]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, ctx: Context, chosen: list[Option]) -> "Teams":
        """Index the teams of `chosen`."""
        teams = cls()
        people = ctx.scenario.prosecutor_by_id
        for o in chosen:
            teams.members[o.case].append(o)
            teams.by_person[o.person].add(o.case)
            teams.by_home[people[o.person].home].add(o.case)
        return teams


def _city(ctx: Context, case: Case) -> str:
    unit = ctx.scenario.unit_by_id[case.venue]
    return unit.parent if unit.parent is not None and unit.tier.value == "grassroots" else unit.id


def _fill(ctx: Context, seed: Case, first: Sequence[CaseId], size: int) -> set[CaseId]:
    """The seed, then `first` in order, then the seed's city nearest in time, up to `size`."""
    out = {seed.id}
    for c in first:
        if len(out) >= size:
            return out
        out.add(c)
    middle = seed.start + (seed.end - seed.start) / 2

    def distance(case: Case) -> tuple[int, float]:
        centre = case.start + (case.end - case.start) / 2
        return (0 if _city(ctx, case) == _city(ctx, seed) else 1, abs((centre - middle).days))

    for case in sorted(ctx.scenario.cases, key=distance):
        if len(out) >= size:
            break
        out.add(case.id)
    return out


def _tied(ctx: Context, teams: Teams, seed: Case) -> list[CaseId]:
    """Staffed cases running with `seed` whose teams share its people or offices, most
    shared first."""
    s = ctx.scenario
    people = s.prosecutor_by_id
    shared: dict[CaseId, int] = defaultdict(int)
    for o in teams.members.get(seed.id, []):
        for c in teams.by_person[o.person]:
            shared[c] += 2  # the same person weighs more than the same office
        for c in teams.by_home[people[o.person].home]:
            shared[c] += 1
    cases = s.case_by_id
    tied = [c for c in shared if c != seed.id and overlap(cases[c], seed)]
    return sorted(tied, key=lambda c: (-shared[c], c))


def city(ctx: Context, teams: Teams, rng: random.Random, size: int,
         seeds: Sequence[Case], _: dict[CaseId, float]) -> set[CaseId]:
    """A seed and the cases of its city nearest to it in time."""
    return _fill(ctx, rng.choice(seeds), [], size)


def people(ctx: Context, teams: Teams, rng: random.Random, size: int,
           seeds: Sequence[Case], _: dict[CaseId, float]) -> set[CaseId]:
    """A staffed seed and the teams tied to it by people or offices at the same time."""
    staffed = [c for c in seeds if c.id in teams.members] or list(seeds)
    seed = rng.choice(staffed)
    return _fill(ctx, seed, _tied(ctx, teams, seed), size)


def blocked(ctx: Context, teams: Teams, rng: random.Random, size: int,
            seeds: Sequence[Case], _: dict[CaseId, float]) -> set[CaseId]:
    """An unstaffed seed and the teams at the same time holding people it could use."""
    waiting = [c for c in seeds if c.id not in teams.members] or list(seeds)
    return blocked_by(ctx, teams, rng.choices(waiting, [c.priority for c in waiting])[0], size)


def blocked_by(ctx: Context, teams: Teams, seed: Case, size: int) -> set[CaseId]:
    """`seed` and the teams at the same time holding people it could use, most first."""
    return _fill(ctx, seed, holding(ctx, teams, [seed]), size)


def holding(ctx: Context, teams: Teams, waiting: Sequence[Case],
            usable: Mapping[CaseId, Collection[ProsecutorId]] | None = None) -> list[CaseId]:
    """The staffed cases whose teams hold, at the same time, people the `waiting` cases
    could use (of `usable`, for the cases it names); those holding most first."""
    cases = ctx.scenario.case_by_id
    held: dict[CaseId, int] = defaultdict(int)
    for seed in waiting:
        able = ctx.candidates.people(seed.id) if usable is None or seed.id not in usable else (
            usable[seed.id])
        for p in able:
            for c in teams.by_person.get(p, ()):
                if overlap(cases[c], seed):
                    held[c] += 1
    return sorted(held, key=lambda c: (-held[c], c))


def costly(ctx: Context, teams: Teams, rng: random.Random, size: int,
           seeds: Sequence[Case], excess: dict[CaseId, float]) -> set[CaseId]:
    """A seed among the teams costing most above their counted least, and its tied teams."""
    staffed = sorted((c for c in seeds if c.id in teams.members),
                     key=lambda c: (-excess.get(c.id, 0.0), c.id))[:tuning.COSTLY_POOL]
    weights = [max(0.0, excess.get(c.id, 0.0)) for c in staffed]
    # Drawn in proportion to what each could save; uniformly if none is known to.
    seed = (rng.choices(staffed, weights)[0] if sum(weights) > 0
            else rng.choice(staffed or list(seeds)))
    return _fill(ctx, seed, _tied(ctx, teams, seed), size)


Kind = Callable[[Context, Teams, random.Random, int, Sequence[Case], dict[CaseId, float]],
                set[CaseId]]
KINDS: dict[str, Kind] = {"city": city, "people": people, "blocked": blocked, "costly": costly}
Choice = TypeVar("Choice")


@dataclass
class Chooser:
    """Which kind of neighbourhood to reopen next, and how large, learnt from the steps."""

    rng: random.Random
    size: int
    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 1.0))
    widths: dict[int, float] = field(
        default_factory=lambda: dict.fromkeys(tuning.LNS_WIDTHS, 1.0))

    def kind(self, has_unstaffed: bool) -> str:
        """A kind drawn by weight (`blocked` only while some case is unstaffed)."""
        return _drawn(self.rng, {k: w for k, w in self.weights.items()
                                 if has_unstaffed or k != "blocked"})

    def width(self) -> int:
        """People per slot for a step's cases, drawn by weight."""
        return _drawn(self.rng, self.widths)

    def learn_width(self, width: int, improved: bool) -> None:
        """Reward a width that improved the roster."""
        self.widths[width] = _mixed(self.widths[width], improved)

    def learn(self, kind: str, improved: bool, proven: bool) -> None:
        """Reward a kind that improved the roster; grow after proven steps, shrink after
        steps that ran out of time and found nothing."""
        self.weights[kind] = _mixed(self.weights[kind], improved)
        if proven:
            self.size = min(tuning.GROWN_CASES, self.size + tuning.SIZE_STEP)
        elif not improved:
            self.size = max(tuning.MIN_CASES, self.size - tuning.SIZE_STEP)


def _drawn(rng: random.Random, weights: Mapping[Choice, float]) -> Choice:
    """One of `weights`' keys, drawn with the chance its weight gives."""
    return rng.choices(list(weights), list(weights.values()))[0]


def _mixed(weight: float, improved: bool) -> float:
    """A weight moved towards 1 after an improving step, towards 0 after another."""
    score = 1.0 if improved else 0.0
    return max(tuning.MIN_WEIGHT, (1 - tuning.REACTION) * weight + tuning.REACTION * score)
