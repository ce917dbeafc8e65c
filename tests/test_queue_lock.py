"""The advisory lock that keeps a job or a re-plan on one worker at once (api.queue.held),
on PostgreSQL (TASKFORCE_TEST_POSTGRES); and which URLs have a queue."""

import os
import threading

import pytest
from sqlalchemy import create_engine

from api.queue import SOLVE_LOCK, NotPostgresError, conninfo, held, uses_queue

WAIT = 30.0


def test_only_postgresql_has_a_queue() -> None:
    """PostgreSQL URLs queue, in libpq's form for procrastinate; SQLite ones do not."""
    assert uses_queue("postgresql+psycopg://u:p@h:5/db")
    assert conninfo("postgresql+psycopg://u:p@h:5/db") == "postgresql://u:p@h:5/db"
    assert not uses_queue("sqlite:///taskforce.db")
    with pytest.raises(NotPostgresError):
        conninfo("sqlite:///taskforce.db")


@pytest.mark.skipif(not os.environ.get("TASKFORCE_TEST_POSTGRES"),
                    reason="needs TASKFORCE_TEST_POSTGRES")
def test_two_workers_racing_for_one_job_take_turns(database_url: str) -> None:
    """While one holder has a job's lock, a second waits; it gets the lock the moment the
    first lets go, and gives up (None) when told to while waiting. Another job's lock is
    free meanwhile."""
    engine = create_engine(database_url)
    never = threading.Event()
    first_has, second_has, release = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with held(engine, SOLVE_LOCK, "job-1", never) as lock:
            assert lock is not None
            first_has.set()
            release.wait(WAIT)

    def second() -> None:
        with held(engine, SOLVE_LOCK, "job-1", never) as lock:
            assert lock is not None
            second_has.set()

    a = threading.Thread(target=first)
    a.start()
    assert first_has.wait(WAIT)
    b = threading.Thread(target=second)
    b.start()
    assert not second_has.wait(1.0)  # still waiting while the first holds it
    given_up = threading.Event()
    given_up.set()
    with held(engine, SOLVE_LOCK, "job-1", given_up) as lock:
        assert lock is None
    with held(engine, SOLVE_LOCK, "job-2", never) as other:
        assert other is not None
    release.set()
    assert second_has.wait(WAIT)
    a.join(WAIT)
    b.join(WAIT)
    engine.dispose()
