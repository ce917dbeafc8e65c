"""Solve jobs through the service: submit, follow, cancel, retry, and survive a restart."""

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update

from api.app import create_app
from api.jobs import Runner
from api.settings import Settings
from api.tables import JobRow
from checker import check_roster
from models import Roster, parse_scenario
from synth import province

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())
WAIT = 60.0


def _settings(database_url: str, **extra: Any) -> Settings:
    return Settings(database_url=database_url, solve_workers=1, require_keys=False, **extra)


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(database_url))) as c:
        yield c


def runner(client: TestClient) -> Runner:
    r: Runner = client.app.state.runner  # type: ignore[attr-defined]
    return r


def test_solve_a_stored_scenario(client: TestClient) -> None:
    """202 with Location; the job ends done with a roster that passes the checker, stored
    with the scenario version it was solved on."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    submitted = client.post("/jobs", json={"scenario_id": sid, "seconds": 5})
    assert submitted.status_code == 202
    location = submitted.headers["location"]
    assert runner(client).wait_until_idle(WAIT)
    job = client.get(location).json()
    assert job["state"] == "done" and job["elapsed"] is not None
    roster = Roster.model_validate(job["roster"])
    assert check_roster(parse_scenario(TUTORIAL), roster).ok
    stored = client.get(f"/rosters/{job['roster_id']}").json()
    assert (stored["scenario_id"], stored["scenario_version"]) == (sid, 1)
    assert stored["params"]["seconds"] == 5


def test_inline_scenario_and_case_subset(client: TestClient) -> None:
    """An inline scenario is stored and solved; `cases` limits the roster to those cases;
    an unknown case is a 422 naming it."""
    job = client.post("/jobs", json={"scenario": TUTORIAL, "cases": ["fraud"]}).json()
    assert client.get(f"/scenarios/{job['scenario_id']}").status_code == 200
    assert runner(client).wait_until_idle(WAIT)
    roster = client.get(f"/jobs/{job['id']}").json()["roster"]
    assert [c["id"] for c in roster["cases"]] == ["fraud"]
    bad = client.post("/jobs", json={"scenario": TUTORIAL, "cases": ["nope"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["id"] == "nope"


def test_inline_scenario_errors_are_named_from_the_request(client: TestClient) -> None:
    """A bad inline scenario is a 422 whose paths start at the request's `scenario`
    field, as a what-if's start at its variant; nothing is stored."""
    data = json.loads(json.dumps(TUTORIAL))
    data["prosecutors"][0]["home"] = "nowhere"
    before = client.get("/scenarios").json()
    bad = client.post("/jobs", json={"scenario": data})
    assert bad.status_code == 422
    assert [e["path"] for e in bad.json()["errors"]] == ["scenario.prosecutors[0].home"]
    assert client.get("/scenarios").json() == before


def test_idempotency_key(client: TestClient) -> None:
    """The same key and body return the same job; the same key with another body is 422."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    key = {"Idempotency-Key": "req-1"}
    first = client.post("/jobs", json={"scenario_id": sid}, headers=key).json()
    again = client.post("/jobs", json={"scenario_id": sid}, headers=key).json()
    assert first["id"] == again["id"]
    other = client.post("/jobs", json={"scenario_id": sid, "seed": 3}, headers=key)
    assert other.status_code == 422


def test_full_queue_is_429_and_queued_jobs_cancel_at_once(database_url: str) -> None:
    """With no worker running, the bounded queue fills: the next submission gets 429 with
    Retry-After. A queued job is cancelled at once; cancelling it again is 409."""
    client = TestClient(create_app(_settings(database_url, job_workers=1, job_queue=1)))
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    jobs = [client.post("/jobs", json={"scenario_id": sid}).json() for _ in range(2)]
    full = client.post("/jobs", json={"scenario_id": sid})
    assert full.status_code == 429 and full.headers["retry-after"] == "10"
    assert client.delete(f"/jobs/{jobs[0]['id']}").json()["state"] == "cancelled"
    assert client.delete(f"/jobs/{jobs[0]['id']}").status_code == 409
    assert client.post("/jobs", json={"scenario_id": sid}).status_code == 202


def test_cancel_while_solving_keeps_the_best_roster(client: TestClient) -> None:
    """Cancelling a long solve stops it; the job is cancelled and keeps a valid roster."""
    data = province(2000, 300, 1)
    job = client.post("/jobs", json={"scenario": data, "seconds": 120}).json()
    assert runner(client).wait_for(job["id"], {"solving"}, WAIT) == "solving"
    assert client.delete(f"/jobs/{job['id']}").status_code == 202
    assert runner(client).wait_for(job["id"], {"cancelled", "done", "failed"}, WAIT) == "cancelled"
    ended = client.get(f"/jobs/{job['id']}").json()
    assert ended["elapsed"] < 60
    roster = Roster.model_validate(ended["roster"])
    assert check_roster(parse_scenario(data), roster).ok
    assert roster.stopped  # the roster itself says it is not the whole search's


def test_restart_requeues_interrupted_jobs(database_url: str) -> None:
    """A job left 'solving' by a killed service is queued again and finished on restart;
    no roster existed for it before."""
    first = TestClient(create_app(_settings(database_url)))  # no lifespan: no workers
    sid = first.post("/scenarios", json=TUTORIAL).json()["id"]
    job = first.post("/jobs", json={"scenario_id": sid}).json()
    with first.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(update(JobRow).where(JobRow.id == job["id"]).values(state="solving"))
        session.commit()
    assert first.get(f"/jobs/{job['id']}").json()["roster"] is None
    with TestClient(create_app(_settings(database_url))) as second:
        assert runner(second).wait_until_idle(WAIT)
        ended = second.get(f"/jobs/{job['id']}").json()
    assert ended["state"] == "done" and ended["roster"] is not None


def test_unknown_job_and_roster(client: TestClient) -> None:
    """Unknown jobs and rosters are 404 problems; a job needs exactly one scenario source."""
    assert client.get("/jobs/nope").status_code == 404
    assert client.delete("/jobs/nope").status_code == 404
    assert client.get("/rosters/nope").status_code == 404
    assert client.post("/jobs", json={}).status_code == 422
    assert client.post("/jobs", json={"scenario_id": "nope"}).status_code == 404


def test_concurrent_submits_with_one_key_make_one_job(client: TestClient) -> None:
    """20 threads submit the same solve with one Idempotency-Key at once: every caller
    gets 202 and the very same body (the job as queued), never a 500 from the duplicate
    key; a retry once the job is done still gets that body."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]

    def submit(_: int) -> tuple[int, bytes]:
        answer = client.post("/jobs", json={"scenario_id": sid, "seconds": 1},
                             headers={"Idempotency-Key": "job-storm"})
        return answer.status_code, answer.content

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(submit, range(20)))
    assert {status for status, _ in answers} == {202}, answers
    assert len({body for _, body in answers}) == 1
    job = json.loads(answers[0][1])["id"]
    assert runner(client).wait_for(job, {"done"}, WAIT) == "done"
    assert submit(0) == answers[0]


def test_a_finished_job_shows_its_rosters_figures_not_stale_progress(
        client: TestClient) -> None:
    """Once done, a job's progress is its roster's (cost, bound, priority), not the last
    report of some earlier phase, which could show a worse cost beside an optimal roster."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    assert runner(client).wait_for(job["id"], {"done"}, WAIT) == "done"
    done = client.get(f"/jobs/{job['id']}").json()
    roster = done["roster"]
    assert roster["status"] == "optimal"
    assert done["progress"] == {
        "phase": "done", "staffed_priority": roster["objective"]["staffed_priority"],
        "cost": roster["objective"]["cost"], "bound": roster["bound"],
        "priority_bound": roster["priority_bound"], "elapsed": roster["seconds"]}


@pytest.mark.skipif(not os.environ.get("TASKFORCE_TEST_POSTGRES"),
                    reason="needs TASKFORCE_TEST_POSTGRES")
def test_a_job_stored_but_never_queued_is_queued_on_start(database_url: str) -> None:
    """On PostgreSQL, a job stored by a server that stopped before queueing its task is
    queued when a server starts, and solved by the workers."""
    first = TestClient(create_app(_settings(database_url)))  # no lifespan: no workers
    sid = first.post("/scenarios", json=TUTORIAL).json()["id"]
    job = first.post("/jobs", json={"scenario_id": sid}).json()
    with first.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(text("DELETE FROM procrastinate_jobs"))
        session.execute(update(JobRow).where(JobRow.id == job["id"]).values(queue_id=None))
        session.commit()
    first.app.state.runner.close()  # type: ignore[attr-defined]
    with TestClient(create_app(_settings(database_url))) as second:
        assert runner(second).wait_until_idle(WAIT)
        assert second.get(f"/jobs/{job['id']}").json()["state"] == "done"
