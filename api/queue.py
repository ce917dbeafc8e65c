"""The task queue of a service on PostgreSQL: solve jobs and sweep re-plans are tasks of
procrastinate, kept in the service's own database, that `taskforce worker` processes run
on any machine that reaches it. On SQLite there is no queue: the server solves in-process.

Tasks are named here, not imported: the server only defers them, by name, and a worker
registers the functions (api.worker).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import procrastinate
from sqlalchemy import Connection, Engine, make_url, text

QUEUE = "taskforce"
SOLVE_TASK = "taskforce.solve_job"
REPLAN_TASK = "taskforce.replan"
# Namespaces of the advisory locks that keep one job, or one re-plan, on one worker at once.
SOLVE_LOCK, REPLAN_LOCK = 0x7466_0001, 0x7466_0002
LOCK_POLL_SECONDS = 0.5
# A lock outlives its holder's machine only until PostgreSQL notices the connection is gone;
# without these, a vanished machine's lock would hold for the kernel's two hours.
KEEPALIVE = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}


class NotPostgresError(Exception):
    """Workers need a PostgreSQL database: SQLite's jobs are solved by the server itself."""


def uses_queue(url: str) -> bool:
    """Whether a service on `url` hands its solves to the queue (PostgreSQL) or solves them
    itself (SQLite)."""
    return make_url(url).get_backend_name() == "postgresql"


def conninfo(url: str) -> str:
    """libpq's form of an SQLAlchemy URL (postgresql+psycopg://... to postgresql://...)."""
    if not uses_queue(url):
        raise NotPostgresError(url)
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def deferrer(url: str) -> procrastinate.App:
    """An app that defers and cancels tasks from synchronous code (the server's requests);
    open it before use."""
    connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo(url), min_size=1,
                                                   max_size=4)
    return procrastinate.App(connector=connector)


def defer(app: procrastinate.App, task: str, **kwargs: Any) -> int:
    """Queue a task by name; its id in the queue."""
    queue_id: int = app.configure_task(name=task, queue=QUEUE).defer(**kwargs)
    return queue_id


def defer_many(app: procrastinate.App, task: str, kwargs: list[dict[str, Any]]) -> list[int]:
    """Queue many tasks of one name in one statement; their ids in the queue, in order."""
    ids: list[int] = app.configure_task(name=task, queue=QUEUE).batch_defer(*kwargs)
    return ids


def abort(app: procrastinate.App, queue_id: int) -> None:
    """Cancel a waiting task, or ask the worker running it to stop: the worker hears it by
    LISTEN/NOTIFY, or at its next poll for aborts."""
    app.job_manager.cancel_job_by_id(queue_id, abort=True)


@contextmanager
def held(engine: Engine, namespace: int, key: str, give_up: threading.Event
         ) -> Iterator[Connection | None]:
    """Hold PostgreSQL's advisory lock (`namespace`, `key`) for the block, waiting for it
    while another worker holds it; None once `give_up` is set before it was had. The lock
    lives on its own connection, outside any transaction, so a worker killed mid-task
    loses it the moment PostgreSQL sees the connection drop, and never before."""
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    args = {"ns": namespace, "key": key}
    locked = False
    try:
        for name, value in KEEPALIVE.items():
            connection.execute(text(f"SET {name} = {int(value)}"))
        while not (locked := bool(connection.scalar(
                text("SELECT pg_try_advisory_lock(:ns, hashtext(:key))"), args))):
            if give_up.wait(LOCK_POLL_SECONDS):
                break
        yield connection if locked else None
    finally:
        try:
            if locked:
                connection.execute(text("SELECT pg_advisory_unlock(:ns, hashtext(:key))"), args)
        except Exception:
            # A connection back in the pool must hold no lock: if unlocking failed, drop it.
            connection.invalidate()
        connection.close()
