"""An independent roster checker: shares only the models with the solver.

Everything here is recomputed from the spec the slow, plain way (every day of the
horizon, every unit), so a solver bug cannot hide behind a shared helper.
"""

from checker.check import (
    CheckReport,
    Conflict,
    Violation,
    booking_conflicts,
    check_roster,
    daily_load,
    home_counts,
    peak_utilisation,
    staffed_teams,
)

__all__ = ["CheckReport", "Conflict", "Violation", "booking_conflicts", "check_roster", "daily_load",
           "home_counts", "peak_utilisation", "staffed_teams"]
