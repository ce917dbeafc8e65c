"""Solve jobs: a bounded pool of worker threads that take queued jobs from the database.

The database holds every job's state, so a restart loses nothing: jobs that were being
solved are queued again, and a roster is written in the same transaction that marks its
job done, so none is ever half-written.
"""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from time import monotonic
from typing import Protocol

from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.commitments import active, for_solving
from api.settings import Settings
from api.tables import JobRow, RosterRow, ScenarioVersionRow
from models import Assignment, Progress, Roster, Scenario, parse_scenario
from scheduler import solve

log = logging.getLogger("taskforce.jobs")

QUEUED, SOLVING, DONE, FAILED, CANCELLED = "queued", "solving", "done", "failed", "cancelled"
TERMINAL = frozenset({DONE, FAILED, CANCELLED})
PROGRESS_EVERY_SECONDS = 0.5
IDLE_POLL_SECONDS = 1.0
# How often a wait looks at the database when no thread here can say that a job changed.
QUEUE_POLL_SECONDS = 0.1


class JobParams(BaseModel):
    """How a job is solved, as stored with the job and its roster."""

    seconds: float = Field(description="Time limit of the solve.")
    seed: int = Field(description="Random seed.")
    workers: int = Field(description="CP-SAT worker threads.")
    cases: list[str] | None = Field(description="Only these cases, or all.")
    # Defaults, so the parameters of jobs stored before alternatives still read.
    alternatives: int = Field(default=1, description="Rosters asked for: the best, then the "
                                                     "next best.")
    differ: int = Field(default=2, description="Assignments each alternative differs in.")
    robust: bool = Field(default=False, description="Whether no_standby was weighted "
                                                    "(solve --robust).")
    pinned: list[Assignment] = Field(default_factory=list,
                                     description="Assignments kept as they are (pinned).")


def with_pins(scenario: Scenario, pinned: list[Assignment]) -> Scenario:
    """The scenario with `pinned` as pinned previous assignments, in place of any previous
    assignment to the same cases (only cases the scenario has)."""
    if not pinned:
        return scenario
    cases = {a.case for a in pinned if a.case in scenario.case_by_id}
    kept = [a for a in scenario.previous if a.case not in cases]
    return scenario.replace(previous=kept + [a for a in pinned if a.case in cases])


def narrowed(scenario: Scenario, cases: list[str] | None) -> Scenario:
    """The scenario restricted to `cases` (and their previous assignments), or as it is."""
    if cases is None:
        return scenario
    keep = set(cases)
    return scenario.replace(cases=[c for c in scenario.cases if c.id in keep],
                            previous=[a for a in scenario.previous if a.case in keep])


def final_progress(roster: Roster, state: str) -> Progress:
    """A finished job's progress: the figures of the roster it ends with."""
    objective = roster.objective
    return Progress(phase=state, staffed_priority=objective.staffed_priority if objective else None,
                    cost=objective.cost if objective else None, bound=roster.bound,
                    priority_bound=roster.priority_bound, elapsed=roster.seconds)


def now() -> datetime:
    return datetime.now(UTC)


class Runner:
    """Worker threads solving queued jobs one each; `settings.job_queue` more may wait."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self._sessions = sessions
        self._settings = settings
        self._wake = threading.Condition()
        self._closing = threading.Event()
        self._stops: dict[str, threading.Event] = {}
        self._cancelled: set[str] = set()
        self._threads: list[threading.Thread] = []
        # Notified whenever a job changes state or reports progress, for waiters.
        self._changed = threading.Condition()

    def wait_for(self, job_id: str, states: set[str], timeout: float) -> str:
        """Block until the job is in one of `states` (or `timeout`); return its state."""
        deadline = monotonic() + timeout
        with self._changed:
            while True:
                state = self._state(job_id)
                if state in states or monotonic() >= deadline:
                    return state
                self._changed.wait(min(IDLE_POLL_SECONDS, max(0.0, deadline - monotonic())))

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until no job is queued or solving (or `timeout`); whether it is idle."""
        deadline = monotonic() + timeout
        with self._changed:
            while True:
                with self._sessions() as session:
                    busy = session.scalar(select(func.count()).select_from(JobRow).where(
                        JobRow.state.in_((QUEUED, SOLVING)))) or 0
                if not busy or monotonic() >= deadline:
                    return not busy
                self._changed.wait(min(IDLE_POLL_SECONDS, max(0.0, deadline - monotonic())))

    def _state(self, job_id: str) -> str:
        with self._sessions() as session:
            return session.scalar(select(JobRow.state).where(JobRow.id == job_id)) or ""

    def _announce(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def start(self) -> None:
        """Queue again what a previous run left solving, then start the workers."""
        with self._sessions() as session:
            session.execute(update(JobRow).where(JobRow.state == SOLVING)
                            .values(state=QUEUED, started_at=None, progress=None))
            session.commit()
        for i in range(self._settings.job_workers):
            thread = threading.Thread(target=self._loop, name=f"solver-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def close(self) -> None:
        """Stop the workers; a job cut short stays 'solving' and is queued again on start."""
        self._closing.set()
        for stop in list(self._stops.values()):
            stop.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout=30)

    def has_room(self, session: Session) -> bool:
        """Whether another job may be queued (the backlog is bounded)."""
        return backlog(session) < self._settings.job_workers + self._settings.job_queue

    def notify(self, job_id: str) -> None:
        """Wake a worker: a job was queued."""
        with self._wake:
            self._wake.notify()

    def cancel(self, session: Session, job_id: str) -> None:
        """Cancel a queued job at once; ask a solving one to stop and keep its best roster."""
        done = session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == QUEUED)
                               .values(state=CANCELLED, finished_at=now()))
        session.commit()
        if done.rowcount == 1:  # type: ignore[attr-defined]
            self._announce()
            return
        stop = self._stops.get(job_id)
        if stop is not None:
            self._cancelled.add(job_id)
            stop.set()

    def _loop(self) -> None:
        while not self._closing.is_set():
            job_id = self._claim()
            if job_id is None:
                with self._wake:
                    self._wake.wait(IDLE_POLL_SECONDS)
                continue
            self._run(job_id)

    def _claim(self) -> str | None:
        """Take the oldest queued job, if another worker does not take it first."""
        with self._sessions() as session:
            ids = session.scalars(select(JobRow.id).where(JobRow.state == QUEUED)
                                  .order_by(JobRow.created_at, JobRow.id).limit(5)).all()
            for job_id in ids:
                taken = session.execute(
                    update(JobRow).where(JobRow.id == job_id, JobRow.state == QUEUED)
                    .values(state=SOLVING, started_at=now()))
                session.commit()
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    self._announce()
                    return job_id
        return None

    def _run(self, job_id: str) -> None:
        stop = threading.Event()
        self._stops[job_id] = stop
        try:
            run_job(self._sessions, job_id, stop, cancelled=lambda: job_id in self._cancelled,
                    closing=self._closing.is_set, announce=self._announce)
        finally:
            self._stops.pop(job_id, None)
            self._cancelled.discard(job_id)
            self._announce()


def run_job(sessions: sessionmaker[Session], job_id: str, stop: threading.Event, *,
            cancelled: Callable[[], bool], closing: Callable[[], bool] = lambda: False,
            announce: Callable[[], None] = lambda: None) -> None:
    """Solve a job already marked solving, until its time limit or `stop`; write its roster
    and its end together. `cancelled()` tells a cancel from a shutdown when `stop` is set:
    a job cut short by shutting down (`closing()`) is left solving, to be solved again."""
    try:
        with sessions() as session:
            job = session.get(JobRow, job_id)
            assert job is not None
            stored = session.get(ScenarioVersionRow, (job.scenario_id, job.scenario_version))
            assert stored is not None
            params = JobParams.model_validate(job.params)
            scenario_id, version = job.scenario_id, job.scenario_version
            scenario = narrowed(parse_scenario(stored.body), params.cases)
            scenario = with_pins(scenario, params.pinned)
            scenario = for_solving(scenario, active(session, scenario.province))
        roster = solve(scenario, seconds=params.seconds, workers=params.workers,
                       seed=params.seed, progress=progress_writer(sessions, job_id, announce),
                       stop=stop, alternatives=params.alternatives, differ=params.differ,
                       robust=params.robust)
        if closing() and not cancelled():
            return  # shutting down: left 'solving', solved again later
        state = CANCELLED if cancelled() else DONE
        with sessions() as session:  # the roster and the job's end, together
            session.add(RosterRow.of(roster, id=job_id, job_id=job_id,
                                     scenario_id=scenario_id, scenario_version=version,
                                     params=params.model_dump()))
            # The last progress report came from some phase before the end; the
            # finished job's progress is its roster's, so the two never disagree.
            session.execute(update(JobRow).where(JobRow.id == job_id).values(
                state=state, finished_at=now(),
                progress=final_progress(roster, state).model_dump(mode="json")))
            session.commit()
    except Exception as err:
        log.exception("job %s failed", job_id)
        with sessions() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(
                state=FAILED, finished_at=now(), error=f"{type(err).__name__}: {err}"[:2000]))
            session.commit()


def progress_writer(sessions: sessionmaker[Session], job_id: str,
                    announce: Callable[[], None]) -> Callable[[Progress], None]:
    """A progress callback that writes a solving job's progress at most every
    PROGRESS_EVERY_SECONDS."""
    last = [0.0]

    def write(progress: Progress) -> None:
        if monotonic() - last[0] < PROGRESS_EVERY_SECONDS:
            return
        last[0] = monotonic()
        with sessions() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == SOLVING)
                            .values(progress=progress.model_dump(mode="json")))
            session.commit()
        announce()

    return write


def backlog(session: Session) -> int:
    """How many jobs are queued or solving."""
    return session.scalar(select(func.count()).select_from(JobRow)
                          .where(JobRow.state.in_((QUEUED, SOLVING)))) or 0


def wait_in_database(sessions: sessionmaker[Session], done: Callable[[Session], bool],
                     timeout: float, changed: threading.Condition | None = None) -> bool:
    """Poll the database until `done(session)` (or `timeout`); whether it came true. With
    `changed`, a notification ends a poll's wait early."""
    deadline = monotonic() + timeout
    while True:
        with sessions() as session:
            if done(session):
                return True
        if monotonic() >= deadline:
            return False
        pause = min(IDLE_POLL_SECONDS, max(0.0, deadline - monotonic()))
        if changed is None:
            threading.Event().wait(min(pause, QUEUE_POLL_SECONDS))
        else:
            with changed:
                changed.wait(pause)


class Jobs(Protocol):
    """What the routes ask of whatever runs jobs: the thread pool (SQLite) or the queue
    of `taskforce worker` processes (PostgreSQL)."""

    def start(self) -> None: ...

    def close(self) -> None: ...

    def has_room(self, session: Session) -> bool: ...

    def notify(self, job_id: str) -> None: ...

    def cancel(self, session: Session, job_id: str) -> None: ...

    def wait_for(self, job_id: str, states: set[str], timeout: float) -> str: ...

    def wait_until_idle(self, timeout: float) -> bool: ...
