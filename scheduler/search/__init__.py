"""Searches over rosters: CP-SAT's two phases on one model, neighbourhoods of a few cases,
and putting together the teams of parts solved alone."""
