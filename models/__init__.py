"""Plain data: the scenario, the roster, and the validation that loads a scenario."""

from models.enums import Kind, Role, Scope, Slot, Status, Tier
from models.reason import Reason
from models.roster import COST_TERMS, Alternative, CaseRoster, Objective, Progress, Roster, TeamMember
from models.scenario import (
    Assignment,
    Case,
    Commitment,
    Group,
    Interval,
    Pair,
    Policy,
    Pool,
    Prosecutor,
    Road,
    Scenario,
    TeamSpec,
    Unit,
    Weights,
)
from models.validation import Problem, ScenarioError, parse_scenario, read_json

__all__ = [
    "COST_TERMS", "Alternative", "Assignment", "Case", "CaseRoster", "Commitment", "Group", "Interval",
    "Kind", "Objective",
    "Pair", "Policy", "Pool", "Problem", "Progress", "Prosecutor", "Reason", "Road", "Role", "Roster",
    "Scenario", "ScenarioError", "Scope", "Slot", "Status", "TeamMember", "TeamSpec", "Tier", "Unit",
    "Weights", "parse_scenario", "read_json",
]
