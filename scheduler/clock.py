"""What the solver's time limit is counted on: wall seconds, or work, for a solve that
must repeat.

One worker and a seed give the same roster every time (README). Every choice the search
makes by the time (how long a step runs, when the parts give way to the neighbourhoods,
when to stop) would differ between two runs if it read the wall clock, however little the
machine's load differed. So a repeatable solve counts *work* instead:
- CP-SAT's deterministic time, at `tuning.WORK_SECONDS_PER_DETERMINISTIC` seconds each;
- each model handed to CP-SAT, at `tuning.WORK_SECONDS_PER_VARIABLE` a variable for
  building it and `tuning.WORK_SECONDS_PER_CALL` for the step around it;
- Python work outside CP-SAT (the first rosters, polish), by the options it works over
  (`charge`).
All of it repeats exactly. The wall clock still ends a solve that the machine runs too
slowly for (`tuning.WORK_GRACE_SECONDS` past the limit at most): such a solve is `cut`,
and may then differ from another run.

The clock in force is the solve's own (`counting`), read with `now()`; code that does not
run inside a solve sees the wall clock.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import perf_counter

from ortools.sat.python import cp_model as cp

from scheduler import tuning

# The least a CP-SAT call is given, in seconds of either kind (CP-SAT needs a positive
# limit, and a call cut to nothing still reads its hint).
LEAST_SECONDS = 0.01
# What a work clock reads once the wall has ended its solve: past every deadline, and
# finite, so that a deadline taken from it and read again leaves 0 seconds, not NaN.
CUT = 1e18


def _least(seconds: float) -> float:
    """`seconds`, or the least a CP-SAT call is given if that is more (or it is NaN)."""
    return seconds if seconds > LEAST_SECONDS else LEAST_SECONDS


class WallClock:
    """Seconds as the machine counts them."""

    cut = False

    def now(self) -> float:
        return perf_counter()

    def limit(self, params: cp.SatParameters, seconds: float) -> None:
        """Give one CP-SAT call `seconds`."""
        params.max_time_in_seconds = _least(seconds)

    def spent(self, solver: cp.CpSolver, model: cp.CpModel) -> None:
        """Note a finished CP-SAT call (the wall clock has counted it already)."""

    def charge(self, seconds: float) -> None:
        """Note work done outside CP-SAT (the wall clock has counted it already)."""


class WorkClock:
    """Seconds of work done since it was made, counted so that they repeat; ends at
    `wall_until` (a perf_counter time) whatever the work says."""

    def __init__(self, wall_until: float) -> None:
        self._now = 0.0
        self._wall_until = wall_until
        self.cut = False  # whether the wall clock ended the solve's work

    def now(self) -> float:
        if perf_counter() >= self._wall_until:
            self.cut = True
            return CUT
        return self._now

    def limit(self, params: cp.SatParameters, seconds: float) -> None:
        """Give one CP-SAT call `seconds` of work, and at most what the wall leaves."""
        work = _least(seconds) / tuning.WORK_SECONDS_PER_DETERMINISTIC
        params.max_deterministic_time = work
        params.max_time_in_seconds = max(self._wall_until - perf_counter(), LEAST_SECONDS)

    def spent(self, solver: cp.CpSolver, model: cp.CpModel) -> None:
        """Count the work of a finished CP-SAT call: its search and building its model."""
        self._now += (solver.deterministic_time * tuning.WORK_SECONDS_PER_DETERMINISTIC
                      + len(model.proto.variables) * tuning.WORK_SECONDS_PER_VARIABLE
                      + tuning.WORK_SECONDS_PER_CALL)
        if solver.wall_time >= solver.parameters.max_time_in_seconds:
            self.cut = True  # the wall, not the work, ended this call

    def charge(self, seconds: float) -> None:
        """Count work done outside CP-SAT, measured by what it worked on, not by time."""
        self._now += seconds


Clock = WallClock | WorkClock

# The wall clock keeps no state: one serves every solve that does not repeat.
WALL = WallClock()
_current: ContextVar[Clock | None] = ContextVar("clock", default=None)


def current() -> Clock:
    """The clock in force."""
    return _current.get() or WALL


def now() -> float:
    """The time on the clock in force: a perf_counter time, or work counted from the start
    of the solve."""
    return current().now()


def charge(options: int, seconds_per_option: float) -> None:
    """Count Python work over `options` eligible options at `seconds_per_option` each."""
    current().charge(options * seconds_per_option)


@contextmanager
def counting(clock: Clock) -> Iterator[Clock]:
    """Run the block on `clock`."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


def for_solve(seconds: float, workers: int) -> Clock:
    """The clock a solve of `seconds`, starting now, runs on: work when it must repeat (one
    worker), else the wall."""
    if workers != 1:
        return WALL
    grace = min(seconds * tuning.WORK_GRACE_SHARE, tuning.WORK_GRACE_SECONDS)
    return WorkClock(perf_counter() + seconds + grace)
