"""Workers on other machines (issue 20): a server that only answers requests, `taskforce
worker` processes that solve, on PostgreSQL. The multi-process tests need
TASKFORCE_TEST_POSTGRES (.ci/run sets it); the refusal on SQLite runs everywhere."""

import json
import os
import threading
import warnings
from pathlib import Path
from time import monotonic, perf_counter, sleep
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.tables import ReplanRow
from cli.main import app as cli
from synth import province
from tools.cluster import Cluster, cluster

HULUNBUIR: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "hulunbuir.json").read_text())
# Short re-plans keep the test to a couple of minutes; the sweep's size is what matters.
REPLAN_SECONDS = 0.2
WAIT = 120.0
needs_postgres = pytest.mark.skipif(not os.environ.get("TASKFORCE_TEST_POSTGRES"),
                                    reason="needs TASKFORCE_TEST_POSTGRES")


def test_worker_on_sqlite_refuses_clearly(tmp_path: Path) -> None:
    """`taskforce worker` on SQLite exits 2 with a sentence saying why, in English and in
    Chinese, and no traceback."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for lang, words in (("en", "workers need the service's PostgreSQL database"),
                        ("zh", "工作进程需要服务的PostgreSQL数据库")):
        result = CliRunner().invoke(cli, ["worker", "--database-url", url, "--lang", lang])
        assert result.exit_code == 2
        assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.db").exists()


def _env(tmp_path: Path) -> dict[str, str]:
    """What every process of one service shares; a killed worker is taken for dead within
    a few seconds, so that the test does not wait long for the retry."""
    return {"AUDIT_SECRET": os.environ["AUDIT_SECRET"],
            "AUDIT_ANCHOR_FILE": os.environ["AUDIT_ANCHOR_FILE"],
            "WORKER_HEARTBEAT_SECONDS": "1", "WORKER_STALLED_SECONDS": "4"}


def _sweep(c: Cluster, roster_id: str, answer: dict[str, Any]) -> None:
    answer.update(c.call("POST", f"/rosters/{roster_id}/sweeps",
                         {"absent": "each-member", "seconds": REPLAN_SECONDS}))


def _timed_sweep(c: Cluster, roster_id: str) -> tuple[float, dict[str, Any]]:
    answer: dict[str, Any] = {}
    started = perf_counter()
    _sweep(c, roster_id, answer)
    return perf_counter() - started, answer


def _wait_until(condition: Any, timeout: float) -> bool:
    deadline = monotonic() + timeout
    while not condition():
        if monotonic() > deadline:
            return False
        sleep(0.05)  # the state looked for is only in the database: poll it
    return True


@needs_postgres
def test_three_workers_share_a_sweep_and_survive_one_killed(database_url: str,
                                                            tmp_path: Path) -> None:
    """One server, workers in their own processes. The each-member sweep of the Hulunbuir
    roster (over 100 re-plans) takes less wall time on three workers than on one (when the
    machine was not already busy with other work; else the times are only reported). Then,
    sweeping again on three, one worker is killed with SIGKILL while it has a re-plan in
    hand: the sweep still completes, every re-plan exactly once (one completion each, the
    killed one's begun twice), and every queue task ends succeeded."""
    engine = create_engine(database_url)
    with cluster(database_url, _env(tmp_path), tmp_path) as c:
        c.start_worker("w1")
        roster_id = c.roster(HULUNBUIR, seconds=20)
        # With the cores already busy with other work, more workers cannot be faster: the
        # comparison is then reported, not asserted (the rest of the test still runs).
        idle = os.getloadavg()[0] < (os.cpu_count() or 1)
        one, first = _timed_sweep(c, roster_id)
        assert len(first["sweep"]["outcomes"]) >= 100
        c.start_worker("w2")
        c.start_worker("w3")
        three, _ = _timed_sweep(c, roster_id)
        if three >= one:
            # Other work on the 2 cores can swallow the gain of one pair of runs: measure
            # both once more and compare the better of each.
            c.stop("w2")
            c.stop("w3")
            one = min(one, _timed_sweep(c, roster_id)[0])
            c.start_worker("w2")
            c.start_worker("w3")
            three = min(three, _timed_sweep(c, roster_id)[0])
        # Strictly less, no margin: on 2 cores shared with the server, PostgreSQL and
        # whatever else runs, the gain is real but its size is not (bench/results-workers.md).
        if idle:
            assert three < one, (one, three)
        else:
            warnings.warn(f"machine busy before the sweeps (load {os.getloadavg()[0]:.1f}): "
                          f"1 worker {one:.1f} s, 3 workers {three:.1f} s, not compared",
                          stacklevel=1)

        answer: dict[str, Any] = {}
        with Session(engine) as session:  # the sweeps so far; the next is the one to watch
            before = set(session.scalars(select(ReplanRow.sweep_id).distinct()).all())
        sweeping = threading.Thread(target=_sweep, args=(c, roster_id, answer))
        sweeping.start()
        answer_id: list[str] = []

        def sweep_started() -> bool:
            with Session(engine) as session:
                now = set(session.scalars(select(ReplanRow.sweep_id).distinct()).all())
            answer_id[:] = sorted(now - before)
            return bool(answer_id)

        assert _wait_until(sweep_started, WAIT)

        def w2_has_one() -> bool:
            with Session(engine) as session:
                # Begun in the last 100 ms: a re-plan lasts longer than its 200 ms limit,
                # so the kill below lands while w2 is still on it.
                return (session.scalar(select(func.count()).select_from(ReplanRow).where(
                    ReplanRow.worker == "w2", ReplanRow.completions == 0,
                    ReplanRow.sweep_id == answer_id[0],
                    ReplanRow.started_at > func.now() - text("interval '100 milliseconds'"))
                ) or 0) > 0

        assert _wait_until(w2_has_one, WAIT)
        c.kill("w2")
        sweeping.join(timeout=WAIT * 2)
        assert not sweeping.is_alive() and answer, "the sweep did not finish"
        total = len(answer["sweep"]["outcomes"])
        assert total == len(first["sweep"]["outcomes"])
        with Session(engine) as session:
            rows = session.scalars(select(ReplanRow).where(
                ReplanRow.sweep_id == answer["id"])).all()
            statuses: dict[str, int] = dict(session.execute(text(
                "SELECT status, count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'taskforce.replan' AND args->>'sweep_id' = :id "
                "GROUP BY status"), {"id": answer["id"]}).all())
    engine.dispose()
    assert len(rows) == total and all(r.completions == 1 for r in rows)
    retried = [r for r in rows if r.attempts > 1]
    assert retried and all(r.worker != "w2" for r in retried)
    assert statuses == {"succeeded": total}


@needs_postgres
def test_a_killed_solver_is_taken_over_and_a_cancel_reaches_the_new_one(database_url: str,
                                                                         tmp_path: Path) -> None:
    """A long solve job on worker w1; w1 is killed with SIGKILL mid-solve. After the
    heartbeat timeout, worker w2 takes the job up (its queue task begun a second time);
    DELETE /jobs/{id} then reaches w2, which stops at once and keeps its best roster."""
    engine = create_engine(database_url)

    def queue_state(job_id: str) -> tuple[str, int] | None:
        with Session(engine) as session:
            row = session.execute(text(
                "SELECT status, attempts FROM procrastinate_jobs "
                "WHERE task_name = 'taskforce.solve_job' AND args->>'job_id' = :id"),
                {"id": job_id}).first()
            return None if row is None else (str(row[0]), int(row[1]))

    with cluster(database_url, _env(tmp_path), tmp_path) as c:
        c.start_worker("w1")
        # A province that takes minutes to solve to optimality.
        job = c.call("POST", "/jobs", {"scenario": province(2000, 300, 1), "seconds": 300})
        assert _wait_until(lambda: c.call("GET", f"/jobs/{job['id']}")["state"] == "solving",
                           WAIT)
        c.kill("w1")
        c.start_worker("w2")
        assert _wait_until(lambda: queue_state(job["id"]) == ("doing", 1), WAIT)
        # w2 has it (taking a job clears the dead worker's progress): w2's report.
        assert _wait_until(lambda: c.call("GET", f"/jobs/{job['id']}")["progress"] is not None,
                           WAIT)
        started = perf_counter()
        assert c.call("DELETE", f"/jobs/{job['id']}")["state"] in ("solving", "cancelled")
        assert _wait_until(lambda: c.call("GET", f"/jobs/{job['id']}")["state"] == "cancelled",
                           WAIT)
        assert perf_counter() - started < 30
        ended = c.call("GET", f"/jobs/{job['id']}")
        assert ended["roster"] is not None
        # Begun twice: finishing counts an attempt, as the retry of w1's did.
        assert queue_state(job["id"]) == ("succeeded", 2)
    engine.dispose()
