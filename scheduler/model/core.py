"""The CP-SAT model: decisions, the hard rules, and the objective terms, put together."""

import gc
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from ortools.sat.python import cp_model as cp

from models import Case, Prosecutor, Scenario, Slot, Tier
from models.ids import CaseId, Language, ProsecutorId, Skill, UnitId
from models.reason import Reason
from models.scenario import FTE_SCALE as FTE_SCALE
from scheduler.instance.arrays import PeopleArrays, SlotMenu
from scheduler.instance.calendar import Checkpoints, LoadCheckpoint, LoadProfile
from scheduler.instance.eligibility import Candidates
from scheduler.instance.home import HomeCalendars
from scheduler.instance.scope import Geography
from scheduler.instance.travel import TravelTable
from scheduler.model.variables import Decisions

# Cost is modelled in hundredths so that fractional travel minutes and weights stay exact enough.
COST_SCALE = 100


def fte(value: float) -> int:
    """An FTE amount in model units: ten-thousandths, so that CP-SAT sees integers and
    0.1 + 0.2 == 0.3, exactly, as scenarios hold no finer amount (`models.scenario`)."""
    return round(value * FTE_SCALE)


@dataclass
class CostTerm:
    """An unweighted cost term: sum of coefficient x literal, plus a constant."""

    items: list[tuple[float, cp.IntVar]] = field(default_factory=list)
    constant: float = 0.0


@dataclass(frozen=True)
class Requirement:
    """A requirement that can be switched on by a literal, so an infeasible core can name it."""

    literal: cp.IntVar
    case: str
    why: Reason


@dataclass
class Context:
    """What is known before modelling: the scenario, its geography, travel and candidates."""

    scenario: Scenario
    geography: Geography
    travel: TravelTable
    candidates: Candidates
    # Who in the whole scenario has a quality (a skill at a level, a language, a role...),
    # by the quality: explanations ask it of every unstaffed case.
    having: dict[tuple[object, ...], frozenset[ProsecutorId]] = field(
        default_factory=dict, kw_only=True, repr=False, compare=False)
    # Everyone by home unit, filled when first asked.
    at_home: dict[UnitId, list[ProsecutorId]] = field(
        default_factory=dict, kw_only=True, repr=False, compare=False)
    # Each case's options by slot, cheapest alone first (`costs.cheapest_by_slot`), filled
    # when first asked: every polish of a solve reads the same ones.
    by_slot: dict[CaseId, dict[Slot, SlotMenu]] = field(
        default_factory=dict, kw_only=True, repr=False, compare=False)
    # Each unit's staff on leave or away, by day (home staffing's checks), shared by every
    # model of the solve made with this context's `calendars`.
    calendars: HomeCalendars = field(
        default_factory=HomeCalendars, kw_only=True, repr=False, compare=False)

    @cached_property
    def profiles(self) -> dict[ProsecutorId, LoadProfile]:
        """The own load of each person with commitments, day by day, made when first asked."""
        return {p.id: LoadProfile(p) for p in self.scenario.prosecutors if p.commitments}

    @cached_property
    def arrays(self) -> PeopleArrays:
        """Everyone's load, capacity and home as arrays, made when first asked."""
        return PeopleArrays(self.scenario, self.candidates.place)

    def people_having(self, quality: tuple[object, ...],
                      test: Callable[[Prosecutor], bool]) -> frozenset[ProsecutorId]:
        """The people passing `test`, cached under `quality`, which names the test."""
        if quality not in self.having:
            self.having[quality] = frozenset(p.id for p in self.scenario.prosecutors if test(p))
        return self.having[quality]

    def people_in(self, case: Case, scope: set[UnitId]) -> frozenset[ProsecutorId]:
        """Everyone whose home is in `scope`, the units in scope of `case`."""
        key = ("scope", case.id)
        if key not in self.having:
            if not self.at_home:
                for p in self.scenario.prosecutors:
                    self.at_home.setdefault(p.home, []).append(p.id)
            self.having[key] = frozenset(pid for unit in scope
                                         for pid in self.at_home.get(unit, ()))
        return self.having[key]

    def skilled(self, skill: Skill, level: int) -> frozenset[ProsecutorId]:
        """Everyone with `skill` at `level` or above."""
        return self.people_having(("skill", skill, level), lambda p: p.level(skill) >= level)

    def speaking(self, language: Language) -> frozenset[ProsecutorId]:
        """Everyone who speaks `language`."""
        return self.people_having(("language", language), lambda p: language in p.languages)

    def of_tier(self, tier: Tier) -> frozenset[ProsecutorId]:
        """Everyone whose home unit is of `tier`."""
        units = self.scenario.unit_by_id
        return self.people_having(("tier", tier), lambda p: units[p.home].tier is tier)

    def coverage(self, case: Case) -> list[tuple[int, frozenset[ProsecutorId]]]:
        """Each coverage need of `case` (rule 4) as (count, everyone who meets it), those
        of a zero count left out."""
        team = case.team
        needs = [(n.count, self.skilled(n.skill, n.min_level)) for n in team.skills]
        needs += [(n.count, self.speaking(n.language)) for n in team.languages]
        needs += [(count, self.of_tier(tier)) for tier, count in team.tiers.items()]
        return [need for need in needs if need[0] > 0]


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while building. A province's model is millions of
    small objects, none in reference cycles, so the collector's passes free nothing; on
    4,000 x 700 they were about a sixth of the build. Only speed depends on this: another
    thread that re-enables the collector early changes nothing else."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_context(scenario: Scenario) -> Context:
    """Geography, travel to every venue, and the eligible options of every case."""
    with no_cycle_collection():
        geography = Geography(scenario)
        travel = TravelTable(scenario, {c.venue for c in scenario.cases})
        return Context(scenario, geography, travel, Candidates(scenario, geography, travel))


@dataclass
class RosterModel(Context):
    """Everything the rules and cost terms need, and what they add."""

    model: cp.CpModel
    decisions: Decisions
    explain: bool = False
    # The least peak_load the roster around the model already has (a neighbourhood's teams
    # kept outside it), in whole percent.
    peak_floor: int = 0
    # In explain mode, each requirement that may be named in an answer gets a literal.
    assumptions: list[Requirement] = field(default_factory=list)
    # In explain mode, one literal for each rule that is no one case's requirement (capacity,
    # home staffing) and has constraints: a core that needs the rule holds its literal.
    switches: dict[str, cp.IntVar] = field(default_factory=dict)
    costs: dict[str, CostTerm] = field(default_factory=dict)
    _checkpoints: dict[ProsecutorId, list[LoadCheckpoint]] = field(default_factory=dict)
    _sweeps: Checkpoints = field(default_factory=Checkpoints)
    _case_loads: dict[CaseId, int] = field(default_factory=dict)
    # One "away from home" literal per person and set of cases, shared across checkpoints.
    away_literals: dict[tuple[ProsecutorId, frozenset[CaseId]], cp.IntVar] = field(
        default_factory=dict)

    def requirement(self, case: str, text: Reason) -> cp.IntVar | None:
        """A literal that switches a requirement of `case` on (explain mode), or None."""
        if not self.explain:
            return None
        literal = self.model.new_bool_var(f"{case}: {text.code}")
        self.assumptions.append(Requirement(literal, case, text))
        return literal

    def rule_switch(self, rule: str) -> cp.IntVar | None:
        """The literal that switches all of `rule`'s constraints on (explain mode), or None."""
        if not self.explain:
            return None
        if rule not in self.switches:
            self.switches[rule] = self.model.new_bool_var(f"rule {rule}")
        return self.switches[rule]

    def case_load(self, case: CaseId) -> int:
        """The load each member of `case` takes on, in model units (cached)."""
        if case not in self._case_loads:
            self._case_loads[case] = fte(self.scenario.case_by_id[case].team.load)
        return self._case_loads[case]

    def load_checkpoints(self, person: ProsecutorId) -> list[LoadCheckpoint]:
        """(eligible cases running, load already taken) wherever `person`'s load can peak
        (cached; see `scheduler.instance.calendar.load_checkpoints`; people with the same
        eligible cases are swept once)."""
        if person not in self._checkpoints:
            cases = self.scenario.case_by_id
            self._checkpoints[person] = self._sweeps.of(
                self.scenario.prosecutor_by_id[person],
                [cases[c] for c in self.candidates.cases_of(person)])
        return self._checkpoints[person]

    def false_literal(self) -> cp.IntVar:
        """A literal fixed to false, for a requirement that no eligible option can meet."""
        literal = self.model.new_bool_var("false")
        self.model.add(literal == 0)
        return literal


class StoppedError(Exception):
    """A model's building given up because the solve was stopped meanwhile."""


def build_model(scenario: Scenario, *, explain: bool = False,
                context: Context | None = None, peak_floor: int = 0,
                stop: threading.Event | None = None,
                without: Collection[str] = ()) -> RosterModel:
    """Build the full model: every hard rule, and the cost terms unless explaining (but
    those named in `without`).

    `context` reuses geography, travel and candidates already computed for this scenario
    (or narrowed to it, see `Candidates.narrowed`); `peak_floor` is the peak_load that
    people outside the model already reach (see `RosterModel.peak_floor`). Once `stop` is
    set, `StoppedError` is raised between one rule or term and the next: a neighbourhood
    of a province's clashed teams took 7 s to build, and Ctrl-C waited for it."""
    # Imported here so that rules and costs can import RosterModel from this module.
    from scheduler.model.costs import COST_TERMS
    from scheduler.model.rules import HARD_RULES

    unless_stopped(stop)
    ctx = context if context is not None else make_context(scenario)
    with no_cycle_collection():
        model = cp.CpModel()
        m = RosterModel(scenario, ctx.geography, ctx.travel, ctx.candidates, model,
                        Decisions(model, scenario, ctx.candidates), explain=explain,
                        peak_floor=peak_floor, calendars=ctx.calendars)
        for rule in HARD_RULES:
            unless_stopped(stop)
            rule(m)
        if not explain:
            for name, term in COST_TERMS.items():
                if name in without:
                    continue
                unless_stopped(stop)
                m.costs[name] = term(m)
    return m


def unless_stopped(stop: threading.Event | None) -> None:
    """Raise `StoppedError` if `stop` is set: work begun for a search that is over."""
    if stop is not None and stop.is_set():
        raise StoppedError


def staffed_priority(m: RosterModel) -> cp.LinearExprT:
    """Sum of priority over staffed cases."""
    cases = m.scenario.cases
    return cp.LinearExpr.weighted_sum([m.decisions.is_staffed(c.id) for c in cases],
                                      [c.priority for c in cases])


def weighted_cost(m: RosterModel) -> cp.LinearExprT:
    """The cost in model units (COST_SCALE per unit of cost), weights applied."""
    weights = m.scenario.policy.weights
    variables: list[cp.IntVar] = []
    coefficients: list[int] = []
    constant = 0
    for name, term in m.costs.items():
        w = getattr(weights, name)
        variables += [var for _, var in term.items]
        coefficients += [round(w * coef * COST_SCALE) for coef, _ in term.items]
        constant += round(w * term.constant * COST_SCALE)
    return cp.LinearExpr.weighted_sum(variables, coefficients) + constant
