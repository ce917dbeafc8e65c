"""Proven bounds: what no valid roster can beat, on staffed priority and on cost."""
