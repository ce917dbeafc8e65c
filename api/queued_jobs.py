"""Solve jobs of a service on PostgreSQL: the server queues them and `taskforce worker`
processes solve them (api.worker). The job table stays the record of every job's state;
the queue only carries the work to a worker, and a cancel to the worker that has it."""

import logging
import threading

import procrastinate
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from api.jobs import CANCELLED, QUEUED, SOLVING, backlog, now, wait_in_database
from api.queue import SOLVE_TASK, abort, defer, deferrer
from api.settings import Settings
from api.tables import JobRow

log = logging.getLogger("taskforce.jobs")


class QueuedJobs:
    """The `Jobs` of a server that solves nothing itself."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings,
                 queue: procrastinate.App | None = None) -> None:
        self._sessions = sessions
        self._settings = settings
        self._queue = queue or deferrer(settings.database_url)
        self._opened = False
        self._opening = threading.Lock()

    @property
    def queue(self) -> procrastinate.App:
        """The queue, opened on first use: an app used without its lifespan (a test's
        client) still queues."""
        with self._opening:
            if not self._opened:
                self._queue.open()
                self._opened = True
        return self._queue

    def start(self) -> None:
        """Hand over the queued jobs that never reached the queue (a server stopped between
        storing a job and queueing it). A second task for a job is harmless: a worker
        takes a job only while it is queued or solving, under its lock. Jobs a worker left
        solving are the other workers' to take up again (api.worker), not the server's."""
        with self._sessions() as session:
            lost = session.scalars(select(JobRow.id).where(JobRow.state == QUEUED,
                                                           JobRow.queue_id.is_(None))).all()
        for job_id in lost:
            self.notify(job_id)

    def close(self) -> None:
        with self._opening:
            if self._opened:
                self._queue.close()
                self._opened = False

    def has_room(self, session: Session) -> bool:
        """Whether another job may be queued (the backlog is bounded)."""
        return backlog(session) < self._settings.job_workers + self._settings.job_queue

    def notify(self, job_id: str) -> None:
        """Hand a stored, queued job to the workers."""
        queue_id = defer(self.queue, SOLVE_TASK, job_id=job_id)
        with self._sessions() as session:
            # A worker that took it already wrote the same id.
            session.execute(update(JobRow).where(JobRow.id == job_id).values(queue_id=queue_id))
            session.commit()

    def cancel(self, session: Session, job_id: str) -> None:
        """Cancel a queued job at once; ask the worker solving one to stop and keep its best
        roster. A worker that dies before it stops leaves the job to api.worker's reaper."""
        done = session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == QUEUED)
                               .values(state=CANCELLED, finished_at=now()))
        session.commit()
        queue_id = session.scalar(select(JobRow.queue_id).where(JobRow.id == job_id))
        if queue_id is None:
            return  # not handed over yet: a worker that takes it finds it cancelled
        if done.rowcount == 1 or session.scalar(  # type: ignore[attr-defined]
                select(JobRow.state).where(JobRow.id == job_id)) == SOLVING:
            abort(self.queue, queue_id)

    def wait_for(self, job_id: str, states: set[str], timeout: float) -> str:
        """Block until the job is in one of `states` (or `timeout`); return its state."""
        def state(session: Session) -> str:
            return session.scalar(select(JobRow.state).where(JobRow.id == job_id)) or ""

        wait_in_database(self._sessions, lambda s: state(s) in states, timeout)
        with self._sessions() as session:
            return state(session)

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until no job is queued or solving (or `timeout`); whether it is idle."""
        return wait_in_database(self._sessions, lambda s: backlog(s) == 0, timeout)
