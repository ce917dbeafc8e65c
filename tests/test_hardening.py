"""Hostile input to the service: bodies, exports and timestamps (issue 17)."""

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, max_body_bytes=200_000, require_keys=False,
                        solve_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


def _moments(body: Any) -> Iterator[str]:
    """Every string value of a JSON body under a key naming a moment (`at`, `*_at`)."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and (key == "at" or key.endswith("_at")):
                yield value
            else:
                yield from _moments(value)
    elif isinstance(body, list):
        for item in body:
            yield from _moments(item)


def test_timestamps_read_back_carry_a_time_zone(client: TestClient) -> None:
    """Moments read back from the database (SQLite keeps no zone) still carry one, as the
    declared date-time format requires: scenarios, jobs, rosters and the audit trail."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 2}).json()
    client.app.state.runner.wait_for(job["id"], {"done"}, 60)  # type: ignore[attr-defined]
    roster_id = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    bodies = [client.get(url).json() for url in (
        f"/scenarios/{sid}", "/scenarios", f"/jobs/{job['id']}", f"/rosters/{roster_id}",
        "/audit")]
    moments = [m for body in bodies for m in _moments(body)]
    assert len(moments) >= 6
    for moment in moments:
        assert datetime.fromisoformat(moment).tzinfo is not None, moment
