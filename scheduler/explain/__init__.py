"""Why a case is unstaffed or a scenario infeasible, in words a command center reads."""
