"""The optimisation core: pure computation from a Scenario to a Roster, no I/O."""

from scheduler.solver import solve

__all__ = ["solve"]
