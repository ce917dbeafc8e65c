"""Rosters built without a solver: the first valid roster, a baseline, and the search's start."""
