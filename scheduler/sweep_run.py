"""Run a sweep's re-plans: one after another, or side by side in worker processes.

CP-SAT is fastest on a small re-plan with one worker, and Python's model building holds
the GIL, so re-plans run in processes, one CP-SAT worker each. The processes are
spawned (not forked): the caller may be a server with solver threads running, which a
fork would copy mid-flight. Each process gets the scenario and the roster once, then only
contingencies.
"""

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from multiprocessing import resource_tracker
from multiprocessing.pool import IMapIterator, Pool
from time import perf_counter

from models import Roster, Scenario
from models.sweep import Absent, Outcome, Sweep
from scheduler.solver import solve
from scheduler.sweep import Check, Contingency, contingencies, rank, replan, roster_cases

# The scenario, roster and settings a worker process re-plans, unpickled once per process.
_Job = tuple[Scenario, Roster, float, int, Check]
_job: list[_Job] = []


def solve_one(scenario: Scenario, *, seconds: float, seed: int) -> Roster:
    """One re-plan's solve, on one CP-SAT worker (also a queue worker's, api.worker_tasks)."""
    # Explanations of unstaffed cases are kept: a command center reads why a case falls.
    return solve(scenario, seconds=seconds, workers=1, seed=seed)


def _die_with_parent() -> None:
    """On Linux, end this worker when the process that started it ends, however it ends
    (the CLI's exit on Ctrl-C, a server killed): a re-plan nobody waits for is wasted CPU."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the request above took hold
        os._exit(0)


def _in_worker(task: tuple[bytes, int, Contingency]) -> tuple[int, Outcome]:
    job, i, c = task
    if not _job:
        _die_with_parent()
        _job.append(pickle.loads(job))
    scenario, roster, seconds, seed, check = _job[0]
    return i, replan(scenario, roster, c, partial(solve_one, seconds=seconds, seed=seed), check)


POLL_SECONDS = 0.2
PR_SET_PDEATHSIG = 1  # linux/prctl.h
# A re-plan stops at its time limit, but explaining unstaffed cases and writing the roster
# out may add a little; far past that, its worker is gone.
LOST_AFTER_SECONDS, LOST_AFTER_LIMITS = 60.0, 4


class SweepFailedError(Exception):
    """A worker process died mid re-plan; nothing of the sweep is kept."""


class SweepStoppedError(Exception):
    """The sweep was stopped before every re-plan finished; nothing of it is kept."""


def sweep(scenario: Scenario, roster: Roster, absent: Absent, *, seconds: float,
          parallel: int, check: Check, seed: int = 0, stop: threading.Event | None = None,
          progress: Callable[[int, int], None] | None = None,
          limit: int | None = None) -> Sweep:
    """Re-plan `roster` once per contingency of kind `absent`, each within `seconds` on
    one CP-SAT worker, `parallel` at a time; check each with `check`. `progress(done,
    total)` after each; `stop` set ends the sweep with SweepStoppedError. With `limit`, a sweep
    of more contingencies raises TooManyError before any solve."""
    started = perf_counter()
    scenario = roster_cases(scenario, roster)
    tried, skipped = contingencies(scenario, roster, absent)
    if limit is not None and len(tried) > limit:
        raise TooManyError(len(tried), limit)
    done: list[tuple[int, Outcome]] = []
    for outcome in _outcomes(scenario, roster, tried, seconds, seed, parallel, check, stop):
        done.append(outcome)
        if progress is not None:
            progress(len(done), len(tried))
    # Re-plans finish in any order; ties in damage are ranked in scenario order.
    outcomes = [o for _, o in sorted(done, key=lambda x: x[0])]
    return rank(scenario, roster, absent, outcomes, skipped, seconds, perf_counter() - started)


class TooManyError(Exception):
    """A sweep of more contingencies than allowed."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"{count} contingencies, at most {limit}")
        self.count, self.limit = count, limit


def _outcomes(scenario: Scenario, roster: Roster, tried: list[Contingency], seconds: float,
              seed: int, parallel: int, check: Check,
              stop: threading.Event | None) -> Iterator[tuple[int, Outcome]]:
    if parallel <= 1 or len(tried) <= 1:
        solver = partial(solve_one, seconds=seconds, seed=seed)
        for i, c in enumerate(tried):
            if stop is not None and stop.is_set():
                raise SweepStoppedError
            yield i, replan(scenario, roster, c, solver, check)
        return
    pool = _pool(min(parallel, len(tried)))
    # The job goes with every task, pickled once here (1.4 MB for a 4,000-person province),
    # so that the workers' start-up imports nothing of taskforce (see `_pool`).
    job = pickle.dumps((scenario, roster, seconds, seed, check))
    try:
        results = pool.imap_unordered(_in_worker, ((job, i, c) for i, c in enumerate(tried)))
        for _ in tried:
            yield _next(results, stop, seconds)
    finally:
        # Unfinished re-plans are of no use once the sweep is abandoned: end them now.
        pool.terminate()
        pool.join()


def _next(results: "IMapIterator[tuple[int, Outcome]]", stop: threading.Event | None,
          seconds: float) -> tuple[int, Outcome]:
    """The next finished re-plan, looking at `stop` meanwhile. A worker process that dies
    (killed, out of memory) loses its re-plan, which the pool would wait for forever; a
    re-plan far past its time limit is taken for lost."""
    waited = 0.0
    while True:
        if stop is not None and stop.is_set():
            raise SweepStoppedError
        try:
            outcome: tuple[int, Outcome] = results.next(timeout=POLL_SECONDS)
            return outcome
        except multiprocessing.TimeoutError:
            waited += POLL_SECONDS
            if waited > LOST_AFTER_SECONDS + LOST_AFTER_LIMITS * seconds:
                raise SweepFailedError from None


def _pool(processes: int) -> Pool:
    """Worker processes that ignore SIGINT from the moment they start. A Ctrl-C at the
    terminal reaches the whole process group; the parent says what happened and ends the
    workers (terminating its pool, or by dying: `_die_with_parent`). A worker must not die
    of it: the pool would replace it in the moment before the parent exits, and one still
    importing OR-Tools (about 2 s) printed a traceback. So the initializer is the
    standard library's, which loads nothing, where one of this module would import all of
    taskforce first (and the job comes with the tasks). Python's own start-up before it,
    about a tenth of a second, is covered by the signal mask, which a new process
    inherits from the thread that starts it (a handler cannot be passed to a spawned
    process, and the CLI's sweep runs on a thread, which may not set one): the workers
    start with SIGINT blocked, so a Ctrl-C then waits, and is dropped once the
    initializer ignores it. The pool's own threads, started here too, keep the mask for
    any worker they start later; this thread's is put back. The standard library's
    resource tracker, which the pool's locks start on first use, blocks the same way as it
    spawns, and unblocks after: started first, it leaves the mask alone."""
    resource_tracker.ensure_running()
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        return multiprocessing.get_context("spawn").Pool(
            processes, signal.signal, (signal.SIGINT, signal.SIG_IGN))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
