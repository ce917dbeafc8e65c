"""Queue workers (`taskforce worker`, or inside the server with SERVER_WORKERS): they take
solve jobs and sweep re-plans from the queue in PostgreSQL, from any machine that reaches it.

procrastinate records each worker's heartbeat; every worker also reaps: a task whose worker
has been silent for `worker_stalled_seconds` (killed, its machine gone) is queued again, and
another worker takes it once PostgreSQL has dropped the dead one's advisory lock.
"""

import asyncio
import logging
import os
import socket
import threading
from typing import Any

import procrastinate
from procrastinate import JobContext
from procrastinate.exceptions import ConnectorException
from procrastinate.jobs import Status
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import make_engine, migrate, sessions
from api.jobs import CANCELLED, SOLVING, now
from api.queue import QUEUE, REPLAN_TASK, SOLVE_TASK, conninfo
from api.seal import seal_for
from api.settings import Settings
from api.tables import JobRow
from api.worker_tasks import WorkerStoppingError, replan_queued, solve_queued

log = logging.getLogger("taskforce.worker")
# A running task's worker hears a cancel by LISTEN/NOTIFY at once; this poll is the backstop.
ABORT_POLL_SECONDS = 1.0
# On Ctrl-C or SIGTERM, running tasks get this long to finish before they are stopped and
# handed back to the queue for another worker.
SHUTDOWN_SECONDS = 5.0
# How much longer than that a server waits for its own workers' thread on shutdown.
CLOSE_MARGIN_SECONDS = 5.0


def worker_name() -> str:
    """This process's name in the queue's worker list: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def queue_app(settings: Settings, engine: Engine, made: sessionmaker[Session],
              name: str) -> procrastinate.App:
    """The queue with this process's tasks registered."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(settings.database_url),
                                               min_size=1, max_size=4)
    app = procrastinate.App(connector=connector)
    # Only a worker shutting down mid-task asks for a retry; a failure is the job's end.
    again = procrastinate.RetryStrategy(max_attempts=1000, retry_exceptions={WorkerStoppingError})

    @app.task(name=SOLVE_TASK, queue=QUEUE, pass_context=True, retry=again)
    def solve_job(context: JobContext, job_id: str) -> None:
        solve_queued(engine, made, context, job_id)

    @app.task(name=REPLAN_TASK, queue=QUEUE, pass_context=True, retry=again)
    def replan(context: JobContext, sweep_id: str, index: int) -> None:
        replan_queued(engine, made, context, name, sweep_id, index)

    return app


def _cancelled_without_roster(made: sessionmaker[Session], job_id: str) -> None:
    with made() as session:
        session.execute(update(JobRow).where(JobRow.id == job_id, JobRow.state == SOLVING)
                        .values(state=CANCELLED, finished_at=now()))
        session.commit()


async def reap(app: procrastinate.App, made: sessionmaker[Session], settings: Settings) -> None:
    """Queue again the tasks of workers silent for `worker_stalled_seconds`, for ever."""
    while True:
        await asyncio.sleep(settings.worker_heartbeat_seconds)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=settings.worker_stalled_seconds)
            for job in stalled:
                try:
                    await app.job_manager.retry_job(job)
                except ConnectorException:
                    continue  # another worker reaped it first
                assert job.id is not None
                log.warning("task %s (%s) of a silent worker queued again", job.id, job.task_name)
                if (job.task_name == SOLVE_TASK
                        and await app.job_manager.get_job_status_async(job.id) is Status.FAILED):
                    # A cancel was asked of the dead worker: the queue ends the task rather
                    # than retry it, and the job ends cancelled, with no roster to keep.
                    await asyncio.to_thread(_cancelled_without_roster, made,
                                            str(job.task_kwargs["job_id"]))
        except Exception:
            log.exception("reaping stalled tasks failed; trying again")


async def work(settings: Settings, *, concurrency: int, name: str,
               signals: bool) -> None:
    """Run a worker of `concurrency` tasks at once until cancelled (or, with `signals`,
    until SIGINT or SIGTERM)."""
    engine = make_engine(settings.database_url, 2 * concurrency)
    try:
        await asyncio.to_thread(migrate, engine)
        made = sessions(engine, seal_for(settings))
        app = queue_app(settings, engine, made, name)
        async with app.open_async():
            reaper = asyncio.create_task(reap(app, made, settings))
            try:
                options: dict[str, Any] = {
                    "queues": [QUEUE], "name": name, "concurrency": concurrency,
                    "install_signal_handlers": signals,
                    "update_heartbeat_interval": settings.worker_heartbeat_seconds,
                    "stalled_worker_timeout": settings.worker_stalled_seconds,
                    "abort_job_polling_interval": ABORT_POLL_SECONDS,
                    "shutdown_graceful_timeout": SHUTDOWN_SECONDS,
                }
                await app.run_worker_async(**options)
            finally:
                reaper.cancel()
    finally:
        engine.dispose()


def run_worker(settings: Settings, *, concurrency: int, name: str | None = None) -> None:
    """`taskforce worker`: work until SIGINT or SIGTERM. Raises NotPostgresError on SQLite."""
    conninfo(settings.database_url)  # refuse SQLite before touching anything
    asyncio.run(work(settings, concurrency=concurrency, name=name or worker_name(),
                     signals=True))


class InServer:
    """Workers in a thread of the server (SERVER_WORKERS): one machine, one process."""

    def __init__(self, settings: Settings, concurrency: int) -> None:
        self._settings, self._concurrency = settings, concurrency
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="queue-worker", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
            self._ready.set()
            await work(self._settings, concurrency=self._concurrency,
                       name=f"{worker_name()}:server", signals=False)

        try:
            asyncio.run(main())
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("the server's queue worker stopped")

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()

    def close(self) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        # A worker cancelled while it starts (a test's server that lived half a second) can
        # hang in its start-up for a minute on PostgreSQL: CI's teardowns waited 60 s four
        # times. Its tasks are handed back by the queue's heartbeat anyway; the daemon
        # thread ends with the process.
        self._thread.join(timeout=SHUTDOWN_SECONDS + CLOSE_MARGIN_SECONDS)
