"""A bound on staffed priority from the whole province at once, with teams made fractional.

The bound by parts (`scheduler.bounds.parts`) lets each part have every person it can use,
as if no other part wanted them. Where cities share the few speakers of a rare language,
or wide scopes open most cases to most offices, the parts together promise more than any
roster can staff. This module writes the staffing problem once more as a linear program
over the whole province: whether a case is staffed (`y`) and each team choice (`x`) may be
fractional, and what the parts proved is added as cuts (no part staffs more than its
highest; a case proven impossible is not staffed). Each rule kept below is met by every
valid roster, so every valid roster is a point of the program, and the program's optimum
bounds what any can staff (home staffing is stated only where at most
tuning.RELAXED_HOME_PEOPLE people of an office could leave: leaving rules out only loosens
it). What it adds to the parts is the coupling between them: one person's capacity, or
one office's staff, spent across the cases of every city.

Measured with the parts of a 34 s search (4,000 x 700): dense, seed 1, 1,372 where the
parts proved 1,375, which its roster staffs, so it is proven best (5 s with the writing);
scarce, seed 2, 777 where the parts proved 779 (0.9 s); travel-caps, seed 2, 1,022 for
1,023 (0.5 s). On cost the same program, with the parts' least costs as cuts, stayed below
the bound by parts on every family tried (skewed 95,900 against 153,500): fractional
teams share the cheapest people; it is not used for cost. Keeping `y` whole (a MIP) proved
more (travel-caps 1,021, and its cost bound from 45,100 to 49,500) but HiGHS overran its
time limit by 7 to 16 s in the root cut loop on three families of four.

The bound is not read off the solver's objective, which holds only up to its tolerances:
it is recomputed from the dual values HiGHS returns, each of the wrong sign for its row
set to zero, so that it holds whatever their accuracy (after Neumaier and Shcherbina,
"Safe bounds in linear and mixed-integer programming", 2004).
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from models.ids import CaseId, ProsecutorId
from scheduler import clock, tuning
from scheduler.bounds.parts import PartBound, shed_rate
from scheduler.instance.calendar import FTE_EPS, Checkpoints
from scheduler.instance.home import home_checks
from scheduler.model.core import Context

INF = highspy.kHighsInf
# Floating-point sums of the recomputed bound are exact to far less than this.
ROUNDING = 1e-6


@dataclass
class _Program:
    """Columns (bounds, objective) and rows (lower <= a.x <= upper), gathered before HiGHS
    sees them; the objective is minimised."""

    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    highs: Any = None  # HiGHS, once `minimum` has run (highspy has no type hints)

    def column(self, objective: float = 0.0, upper: float = 1.0) -> int:
        """A new column in [0, upper]; its index."""
        self.lower.append(0.0)
        self.upper.append(upper)
        self.objective.append(objective)
        return len(self.objective) - 1

    def row(self, columns: Sequence[int], coefficients: Sequence[float], lower: float = -INF,
            upper: float = INF) -> None:
        """lower <= sum coefficient x column <= upper."""
        self.starts.append(len(self.index))
        self.index += columns
        self.value += coefficients
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def minimum(self, seconds: float) -> float | None:
        """A proven lower bound on the objective, or None if HiGHS found none in `seconds`."""
        # The core class: the public `Highs` wrapper enables callbacks on creation, which
        # prints HiGHS's banner to stdout whatever output_flag says, into the CLI's answers.
        h = self.highs = highspy._core._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        n = len(self.objective)
        h.addVars(n, np.array(self.lower), np.array(self.upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.objective))
        h.addRows(len(self.row_lower), np.array(self.row_lower), np.array(self.row_upper),
                  len(self.index), np.array(self.starts, dtype=np.int32),
                  np.array(self.index, dtype=np.int32), np.array(self.value))
        return self._run(seconds)

    def minimum_again(self, objective: list[float], row: tuple[list[int], list[float], float],
                      seconds: float) -> float | None:
        """As `minimum`, once it has run, with a new `objective` and one more row
        (columns, coefficients, lower bound), from where HiGHS left off."""
        h = self.highs
        self.objective = objective
        columns, coefficients, lower = row
        self.row(columns, coefficients, lower=lower)
        n = len(objective)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(objective))
        h.addRow(lower, INF, len(columns), np.array(columns, dtype=np.int32),
                 np.array(coefficients))
        return self._run(seconds)

    def _run(self, seconds: float) -> float | None:
        h = self.highs
        # HiGHS's time limit counts from its first run, not from this one.
        h.setOptionValue("time_limit", h.getRunTime() + max(0.01, seconds))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return self.safe_bound(np.array(h.getSolution().row_dual))

    def safe_bound(self, duals: np.ndarray) -> float:
        """The lower bound on the objective that the row `duals` prove, whatever their
        accuracy: objective = duals.(a x) + (objective - a'duals).x, and each part is at
        least its least over the rows' and the columns' bounds. A dual that would need an
        infinite row bound counts as zero."""
        rows = np.repeat(np.arange(len(self.starts)), np.diff([*self.starts, len(self.index)]))
        lower, upper = np.array(self.row_lower), np.array(self.row_upper)
        duals = np.where((duals > 0) & ~np.isfinite(lower), 0.0, duals)
        duals = np.where((duals < 0) & ~np.isfinite(upper), 0.0, duals)
        by_rows = np.where(duals > 0, duals * np.where(np.isfinite(lower), lower, 0.0),
                           duals * np.where(np.isfinite(upper), upper, 0.0)).sum()
        reduced = np.array(self.objective)
        np.subtract.at(reduced, np.array(self.index), duals[rows] * np.array(self.value))
        col_lower, col_upper = np.array(self.lower), np.array(self.upper)
        by_columns = np.minimum(reduced * col_lower, reduced * col_upper).sum()
        return float(by_rows + by_columns)


class Relaxation:
    """The whole province's staffing as one linear program."""

    def __init__(self, ctx: Context, parts: Sequence[PartBound],
                 until: float = math.inf) -> None:
        """`parts`: what the parts proved, each case in one (a case proven impossible at a
        highest of 0). Writing stops between rules once `until` (on `scheduler.clock`)
        has passed, and the program is then `cut`: it would bound nothing."""
        self.ctx = ctx
        s = ctx.scenario
        self.p = _Program()
        # Option i is column i: the lists of options below hold column indices.
        for _ in ctx.candidates.options:
            self.p.column()
        # Minimising minus the staffed priority.
        self.y = {c.id: self.p.column(-float(c.priority)) for c in s.cases}
        self.by_case: dict[CaseId, list[int]] = defaultdict(list)
        self.by_pair: dict[tuple[ProsecutorId, CaseId], list[int]] = defaultdict(list)
        for i, o in enumerate(ctx.candidates.options):
            self.by_case[o.case].append(i)
            self.by_pair[(o.person, o.case)].append(i)
        self.cut = False
        for rule in RULES:
            if clock.now() >= until:
                self.cut = True
                return
            rule(self)
        for part in parts:
            part_highest(self, part)

    def most_priority(self, seconds: float) -> int | None:
        """No valid roster staffs more priority than this; None if not proven in `seconds`."""
        least = self.p.minimum(seconds)
        return None if least is None else max(0, math.floor(-least + ROUNDING))

    def most_shed(self, parts: Sequence[PartBound], priority: int,
                  seconds: float) -> float | None:
        """No valid roster staffing at least `priority` lets `parts` (those the program
        was written with) shed more cost than this by falling short of their highest;
        None if not proven in `seconds`. Asked once `most_priority` has run.

        A part falling d below its highest sheds at most its `shed_rate` times d, so the
        parts together shed at most the most the program lets the sum of those shed: a
        part whose fall the coupling forbids (the others cannot make up the priority it
        leaves) sheds nothing, wherever its own bounds would let it shed most."""
        cases = self.ctx.scenario.case_by_id
        objective = [0.0] * len(self.p.objective)
        most = 0.0
        for part in parts:
            rate = shed_rate(part)
            most += rate * part.highest
            for c in part.cases:
                objective[self.y[c]] = rate * cases[c].priority
        staffed = sorted(self.y)
        least = self.p.minimum_again(
            objective, ([self.y[c] for c in staffed], [float(cases[c].priority) for c in staffed],
                        float(priority)), seconds)
        return None if least is None else max(0.0, most - least)


def most_priority(ctx: Context, parts: Sequence[PartBound], *, until: float) -> int | None:
    """No valid roster staffs more priority than the program of the whole province, with
    `parts` as cuts; None if not proven by `until` (a time on `scheduler.clock`)."""
    relaxed = Relaxation(ctx, parts, until)
    left = until - clock.now()
    return relaxed.most_priority(left) if left > 0 and not relaxed.cut else None


# --- The hard rules kept, one function each, in the spec's order ---------------------------

def composition(r: Relaxation) -> None:
    """1. Exactly the leader slot and the member slots, each filled by a distinct person."""
    options = r.ctx.candidates.options
    for case in r.ctx.scenario.cases:
        staffed = r.y[case.id]
        for slot in case.team.slots():
            cols = [i for i in r.by_case[case.id] if options[i].slot is slot]
            r.p.row([*cols, staffed], [1.0] * len(cols) + [-float(case.team.slot_count(slot))],
                    lower=0, upper=0)
    for (_, case_id), cols in r.by_pair.items():
        if len(cols) > 1:
            r.p.row([*cols, r.y[case_id]], [1.0] * len(cols) + [-1.0], upper=0)


def required_prosecutors(r: Relaxation) -> None:
    """2. Every require_prosecutors person is on the team."""
    for case in r.ctx.scenario.cases:
        for person in case.require_prosecutors:
            cols = r.by_pair.get((person, case.id), [])
            r.p.row([*cols, r.y[case.id]], [1.0] * len(cols) + [-1.0], lower=0, upper=0)


def coverage(r: Relaxation) -> None:
    """4. At least `count` team members have each skill, language and tier needed."""
    options = r.ctx.candidates.options
    for case in r.ctx.scenario.cases:
        for count, able in r.ctx.coverage(case):
            cols = [i for i in r.by_case[case.id] if options[i].person in able]
            r.p.row([*cols, r.y[case.id]], [1.0] * len(cols) + [-float(count)], lower=0)


def unit_count(r: Relaxation) -> None:
    """4. The number of distinct home units in the team is within max_units / min_units.
    A unit's column is at least the share it sends of the most it could send."""
    for case in r.ctx.scenario.cases:
        team = case.team
        if not team.min_units and team.max_units is None:
            continue
        units = []
        for people in r.ctx.candidates.people_by_home(case.id).values():
            unit = r.p.column()
            units.append(unit)
            cols = [i for person in people for i in r.by_pair[(person, case.id)]]
            most = float(min(len(people), team.size))
            r.p.row([*cols, unit], [1.0] * len(cols) + [-most], upper=0)
        if team.min_units:
            r.p.row([*units, r.y[case.id]], [1.0] * len(units) + [-float(team.min_units)],
                    lower=0)
        if team.max_units is not None:
            r.p.row([*units, r.y[case.id]], [1.0] * len(units) + [-float(team.max_units)],
                    upper=0)


def capacity(r: Relaxation) -> None:
    """5. On every day, a prosecutor's load plus their staffed cases' loads is within capacity."""
    s = r.ctx.scenario
    cases = s.case_by_id
    checkpoints = Checkpoints()
    for person in s.prosecutors:
        mine = r.ctx.candidates.cases_of(person.id)
        for active, taken in checkpoints.of(person, [cases[c] for c in mine]):
            cols: list[int] = []
            loads: list[float] = []
            for case_id in active:
                chosen = r.by_pair[(person.id, case_id)]
                cols += chosen
                loads += [cases[case_id].team.load] * len(chosen)
            if not cols:
                # No case of theirs runs then: their load alone may pass capacity (a
                # commitment on top of it), and no roster can change that.
                continue
            # The spec compares loads with a tolerance: never tighter than it.
            r.p.row(cols, loads, upper=person.capacity - taken + FTE_EPS)


def home_staffing(r: Relaxation) -> None:
    """6. Every unit keeps min(min_staff_at_home, available prosecutor-rank staff) at home.
    Someone away on several cases at once counts once: a column at least what they serve
    on site of each (at most 1 of each case)."""
    options = r.ctx.candidates.options

    def on_site(person: ProsecutorId, case: CaseId) -> bool:
        return any(options[i].on_site for i in r.by_pair.get((person, case), []))

    away: dict[tuple[ProsecutorId, frozenset[CaseId]], int] = {}
    for busy, slack in home_checks(r.ctx.scenario, r.ctx.candidates, on_site,
                                   most=tuning.RELAXED_HOME_PEOPLE, calendars=r.ctx.calendars):
        cols = []
        for person, active in busy.items():
            if (person, active) not in away:
                column = away[person, active] = r.p.column()
                for case_id in active:
                    there = [i for i in r.by_pair[(person, case_id)] if options[i].on_site]
                    r.p.row([*there, column], [1.0] * len(there) + [-1.0], upper=0)
            cols.append(away[person, active])
        r.p.row(cols, [1.0] * len(cols), upper=float(slack))


def pinning(r: Relaxation) -> None:
    """7. Every pinned previous assignment is kept, and its case is staffed."""
    options = r.ctx.candidates.options
    for a in r.ctx.scenario.previous:
        if a.pinned:
            r.p.lower[r.y[a.case]] = 1.0
            cols = [i for i in r.by_pair.get((a.prosecutor, a.case), [])
                    if options[i].slot is a.slot]
            r.p.row(cols, [1.0] * len(cols), lower=1)


def mandatory(r: Relaxation) -> None:
    """8. Every mandatory case is staffed."""
    for case in r.ctx.scenario.cases:
        if case.mandatory:
            r.p.lower[r.y[case.id]] = 1.0


RULES = (composition, required_prosecutors, coverage, unit_count, capacity, home_staffing,
         pinning, mandatory)


# --- What the parts proved ----------------------------------------------------------------

def part_highest(r: Relaxation, part: PartBound) -> None:
    """No part staffs more than its highest priority; a case impossible alone, none."""
    if part.highest >= part.total:
        return
    if part.highest == 0:
        for c in part.cases:
            r.p.upper[r.y[c]] = 0.0
        return
    cases = r.ctx.scenario.case_by_id
    r.p.row([r.y[c] for c in part.cases], [float(cases[c].priority) for c in part.cases],
            upper=float(part.highest))
