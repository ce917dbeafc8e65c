"""Synthetic scenarios for benchmarks and tests: plausible provinces, deterministic by seed."""

from synth.province import province

__all__ = ["province"]
