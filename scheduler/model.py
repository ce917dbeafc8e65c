"""The CP-SAT model: decisions, the hard rules, and the objective terms, put together."""

from dataclasses import dataclass, field

from ortools.sat.python import cp_model as cp

from models import Scenario
from scheduler.eligibility import Candidates
from scheduler.scope import Geography
from scheduler.travel import TravelTable
from scheduler.variables import Decisions

# FTE is modelled in ten-thousandths so that CP-SAT sees integers and 0.1 + 0.2 == 0.3.
FTE_SCALE = 10_000
# Cost is modelled in hundredths so that fractional travel minutes and weights stay exact enough.
COST_SCALE = 100


def fte(value: float) -> int:
    """An FTE amount in model units."""
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
    text: str


@dataclass
class RosterModel:
    """Everything the rules and cost terms need, and what they add."""

    scenario: Scenario
    geography: Geography
    travel: TravelTable
    candidates: Candidates
    model: cp.CpModel
    decisions: Decisions
    explain: bool = False
    # In explain mode, each requirement that may be named in an answer gets a literal.
    assumptions: list[Requirement] = field(default_factory=list)
    costs: dict[str, CostTerm] = field(default_factory=dict)

    def requirement(self, case: str, text: str) -> cp.IntVar | None:
        """A literal that switches a requirement of `case` on (explain mode), or None."""
        if not self.explain:
            return None
        literal = self.model.new_bool_var(f"{case}: {text}")
        self.assumptions.append(Requirement(literal, case, text))
        return literal

    def false_literal(self) -> cp.IntVar:
        """A literal fixed to false, for a requirement that no eligible option can meet."""
        literal = self.model.new_bool_var("false")
        self.model.add(literal == 0)
        return literal


def build_model(scenario: Scenario, *, explain: bool = False) -> RosterModel:
    """Build the full model: every hard rule, and the cost terms unless explaining."""
    # Imported here so that rules and costs can import RosterModel from this module.
    from scheduler.costs import COST_TERMS
    from scheduler.rules import HARD_RULES

    geography = Geography(scenario)
    travel = TravelTable(scenario, {c.venue for c in scenario.cases})
    candidates = Candidates(scenario, geography, travel)
    model = cp.CpModel()
    m = RosterModel(scenario, geography, travel, candidates, model,
                    Decisions(model, scenario, candidates), explain=explain)
    for rule in HARD_RULES:
        rule(m)
    if not explain:
        for name, term in COST_TERMS.items():
            m.costs[name] = term(m)
    return m


def staffed_priority(m: RosterModel) -> cp.LinearExprT:
    """Sum of priority over staffed cases."""
    return sum(c.priority * m.decisions.is_staffed(c.id) for c in m.scenario.cases)


def weighted_cost(m: RosterModel) -> cp.LinearExprT:
    """The cost in model units (COST_SCALE per unit of cost), weights applied."""
    weights = m.scenario.policy.weights
    total: cp.LinearExprT = 0
    for name, term in m.costs.items():
        w = getattr(weights, name)
        total += sum(round(w * coef * COST_SCALE) * var for coef, var in term.items)
        total += round(w * term.constant * COST_SCALE)
    return total
