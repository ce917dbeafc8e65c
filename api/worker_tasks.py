"""What a queue worker does with a task: solve a job, or make one re-plan of a sweep.

Each runs under PostgreSQL's advisory lock of its job or re-plan (api.queue.held), so two
workers never solve the same thing at once, even when a worker taken for dead was only
slow: the retry waits until the first lets go, then finds the work done.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from procrastinate import JobContext
from procrastinate.job_context import AbortReason
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import QUEUED, SOLVING, now, run_job
from api.queue import REPLAN_LOCK, SOLVE_LOCK, held
from api.tables import JobRow, ReplanRow, SweepWorkRow
from checker import check_roster
from models import Roster, Scenario
from models.sweep import Absent
from scheduler.sweep import Contingency, contingencies, replan
from scheduler.sweep_run import solve_one

log = logging.getLogger("taskforce.worker")
ABORT_POLL_SECONDS = 0.2


class WorkerStoppingError(Exception):
    """The worker is shutting down mid-task: the queue hands the task to another worker."""


def _user_abort(context: JobContext) -> bool:
    return context.abort_reason() is AbortReason.USER_REQUEST


def _shutdown(context: JobContext) -> bool:
    return context.abort_reason() is AbortReason.SHUTDOWN


@contextmanager
def watching(context: JobContext) -> Iterator[threading.Event]:
    """An event set once the queue asks this task to stop (a cancel, or the worker shutting
    down): procrastinate only flags a synchronous task, which must look for itself."""
    stop, done = threading.Event(), threading.Event()

    def watch() -> None:
        while not done.wait(ABORT_POLL_SECONDS):
            if context.should_abort():
                stop.set()
                return

    watcher = threading.Thread(target=watch, name="abort-watch", daemon=True)
    watcher.start()
    try:
        yield stop
    finally:
        done.set()
        watcher.join()


def solve_queued(engine: Engine, sessions: sessionmaker[Session], context: JobContext,
                 job_id: str) -> None:
    """Solve job `job_id` as the thread runner would, unless it ended meanwhile (cancelled
    while queued, or finished by a worker taken for dead)."""
    with watching(context) as stop, held(engine, SOLVE_LOCK, job_id, stop) as lock:
        if lock is not None:
            with sessions() as session:
                taken = session.execute(
                    update(JobRow).where(JobRow.id == job_id, JobRow.state.in_((QUEUED, SOLVING)))
                    .values(state=SOLVING, started_at=now(), queue_id=context.job.id,
                            progress=None))  # a dead worker's progress is not this one's
                session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                run_job(sessions, job_id, stop, cancelled=lambda: _user_abort(context),
                        closing=lambda: _shutdown(context))
    if _shutdown(context) and not _user_abort(context):
        raise WorkerStoppingError(job_id)


# A worker makes many re-plans of one sweep: it reads the sweep's scenario and roster once.
_Input = tuple[Scenario, Roster, list[Contingency], float, int]
_inputs: OrderedDict[str, _Input] = OrderedDict()
_inputs_lock = threading.Lock()
KEPT_SWEEPS = 4


def _sweep_input(sessions: sessionmaker[Session], sweep_id: str) -> _Input:
    with _inputs_lock:
        if sweep_id in _inputs:
            return _inputs[sweep_id]
    with sessions() as session:
        work = session.get(SweepWorkRow, sweep_id)
        assert work is not None
        scenario = Scenario.model_validate(work.scenario)
        roster = Roster.model_validate(work.roster)
        params = dict(work.params)
    tried, _ = contingencies(scenario, roster, Absent(params["absent"]))
    found = (scenario, roster, tried, float(params["seconds"]), int(params["seed"]))
    with _inputs_lock:
        _inputs[sweep_id] = found
        while len(_inputs) > KEPT_SWEEPS:
            _inputs.popitem(last=False)
    return found


def replan_queued(engine: Engine, sessions: sessionmaker[Session], context: JobContext,
                  worker: str, sweep_id: str, index: int) -> None:
    """Make re-plan `index` of sweep `sweep_id` and store its outcome, unless another worker
    already has (a retry of a task whose first worker finished after all)."""
    key = f"{sweep_id}:{index}"
    with watching(context) as stop, held(engine, REPLAN_LOCK, key, stop) as lock:
        if lock is None:
            return
        placed = (ReplanRow.sweep_id == sweep_id, ReplanRow.index == index)
        with sessions() as session:
            taken = session.execute(update(ReplanRow).where(*placed, ReplanRow.completions == 0)
                                    .values(attempts=ReplanRow.attempts + 1, worker=worker,
                                            started_at=now()))
            session.commit()
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return
        scenario, roster, tried, seconds, seed = _sweep_input(sessions, sweep_id)
        outcome = replan(scenario, roster, tried[index], partial(solve_one, seconds=seconds,
                                                                 seed=seed), check_roster)
        with sessions() as session:
            session.execute(update(ReplanRow).where(*placed).values(
                outcome=outcome.model_dump(mode="json"), finished_at=now(),
                completions=ReplanRow.completions + 1))
            session.commit()
    if _shutdown(context) and lock is None:
        raise WorkerStoppingError(key)
