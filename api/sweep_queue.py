"""A sweep on PostgreSQL: one queue task per re-plan, made by `taskforce worker` processes;
the request that asked for it waits for them, as it waits for its own processes on SQLite.

The sweep's scenario and roster are written once (sweep_work), each re-plan's outcome to
its row (replan), which also counts the workers that began and finished it.
"""

from time import monotonic, perf_counter, sleep

import procrastinate
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from api.queue import REPLAN_TASK, abort, defer_many
from api.tables import ReplanRow, SweepWorkRow
from models import Roster, Scenario
from models.sweep import Absent, Outcome, Sweep
from scheduler.sweep import contingencies, rank, roster_cases
from scheduler.sweep_run import LOST_AFTER_LIMITS, LOST_AFTER_SECONDS, SweepFailedError, TooManyError

POLL_SECONDS = 0.2
# Tasks the queue will not run again (procrastinate's own table of tasks).
GIVEN_UP = text("SELECT count(*) FROM procrastinate_jobs WHERE id = ANY(:ids) "
                "AND status IN ('failed', 'cancelled', 'aborted')")


def queued_sweep(made: sessionmaker[Session], queue: procrastinate.App, scenario: Scenario,
                 roster: Roster, absent: Absent, *, seconds: float, seed: int, limit: int,
                 stalled_seconds: float, sweep_id: str) -> Sweep:
    """`scheduler.sweep_run.sweep`, its re-plans made by queue workers and kept under
    `sweep_id` (the stored sweep's id, so that its re-plans can be traced). SweepFailedError
    when no re-plan finishes for longer than a lost one would take to be retried."""
    started = perf_counter()
    # Workers read the scenario back from JSON: contingencies are counted on that same
    # reading, so that an index means the same re-plan here and there.
    scenario = Scenario.model_validate(roster_cases(scenario, roster).model_dump(mode="json"))
    tried, skipped = contingencies(scenario, roster, absent)
    if len(tried) > limit:
        raise TooManyError(len(tried), limit)
    with made() as session:
        session.add(SweepWorkRow(id=sweep_id, scenario=scenario.model_dump(mode="json"),
                                 roster=roster.model_dump(mode="json"),
                                 params={"absent": absent.value, "seconds": seconds,
                                         "seed": seed}))
        session.flush()  # the sweep before its re-plans, which name it
        session.add_all([ReplanRow(sweep_id=sweep_id, index=i, attempts=0, completions=0)
                         for i in range(len(tried))])
        session.commit()
    ids = defer_many(queue, REPLAN_TASK, [{"sweep_id": sweep_id, "index": i}
                                          for i in range(len(tried))])
    patience = LOST_AFTER_SECONDS + LOST_AFTER_LIMITS * seconds + 2 * stalled_seconds
    try:
        outcomes = _wait(made, sweep_id, ids, patience)
    except BaseException:
        for queue_id in ids:  # nobody waits for the rest: free the workers
            abort(queue, queue_id)
        raise
    return rank(scenario, roster, absent, outcomes, skipped, seconds, perf_counter() - started)


def _wait(made: sessionmaker[Session], sweep_id: str, ids: list[int], patience: float
          ) -> list[Outcome]:
    """Every outcome in contingency order, once all are in; SweepFailedError as soon as the
    queue has given up on one (a re-plan that raised)."""
    total, done, last_change = len(ids), -1, monotonic()
    while True:
        with made() as session:
            if session.scalar(GIVEN_UP, {"ids": ids}):
                raise SweepFailedError
            finished = session.scalar(select(func.count()).select_from(ReplanRow).where(
                ReplanRow.sweep_id == sweep_id, ReplanRow.completions > 0)) or 0
            if finished == total:
                rows = session.scalars(select(ReplanRow).where(ReplanRow.sweep_id == sweep_id)
                                       .order_by(ReplanRow.index)).all()
                return [Outcome.model_validate(r.outcome) for r in rows]
        if finished != done:
            done, last_change = finished, monotonic()
        elif monotonic() - last_change > patience:
            raise SweepFailedError
        # Nothing in this process hears of a worker's progress: look again in a moment.
        sleep(POLL_SECONDS)
