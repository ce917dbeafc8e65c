"""The optimisation core: pure computation from a Scenario to a Roster, no I/O."""

from scheduler.resilience import roster_resilience
from scheduler.solver import solve

__all__ = ["roster_resilience", "solve"]
