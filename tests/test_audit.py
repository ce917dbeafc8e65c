"""The audit trail: every change recorded with its reason, filterable, exportable, and a
tampered, removed or reordered entry caught by verification."""

import csv
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from api.tables import AuditRow
from cli.main import app as cli

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """A client with no solve workers running (no lifespan): a submitted job stays queued,
    so cancelling it is certain."""
    yield TestClient(create_app(Settings(database_url=database_url, solve_workers=1,
                                      require_keys=False)))


def _history(client: TestClient) -> str:
    """Create, replace, solve and cancel, each with a reason; return the scenario id."""
    created = client.post("/scenarios", json=TUTORIAL, params={"reason": "new province file"})
    sid: str = created.json()["id"]
    client.put(f"/scenarios/{sid}", json=TUTORIAL | {"name": "v2"},
               headers={"If-Match": created.headers["etag"]}, params={"reason": "typo"})
    job = client.post("/jobs", json={"scenario_id": sid, "cases": ["fraud"]},
                      params={"reason": "city request 17"}).json()
    client.delete(f"/jobs/{job['id']}", params={"reason": "duplicate request"})
    client.delete(f"/scenarios/{sid}", params={"reason": "superseded"})
    return sid


def test_changes_are_recorded_with_who_what_version_and_why(client: TestClient) -> None:
    """Each state change is an entry, in order, with its scenario version and reason."""
    sid = _history(client)
    entries = client.get("/audit").json()["items"]
    assert [(e["action"], e["scenario_version"], e["reason"]) for e in entries] == [
        ("scenario.created", 1, "new province file"),
        ("scenario.replaced", 2, "typo"),
        ("solve.started", 2, "city request 17"),
        ("solve.cancelled", 2, "duplicate request"),
        ("scenario.deleted", 2, "superseded"),
    ]
    assert all(e["scenario_id"] == sid and e["actor"] for e in entries)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))


def test_filter_and_export(client: TestClient) -> None:
    """Entries filter by case; the CSV export has a header and one row per entry."""
    _history(client)
    about_fraud = client.get("/audit", params={"case": "fraud"}).json()
    assert about_fraud["total"] == 1 and about_fraud["items"][0]["action"] == "solve.started"
    export = client.get("/audit/export.csv")
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0][:4] == ["seq", "at", "actor", "action"]
    assert len(rows) - 1 == client.get("/audit").json()["total"]


def _bypass_append_only(session: Session) -> None:
    """What someone with direct database access could do: drop the guarding triggers."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
    else:
        session.execute(text("DROP TRIGGER audit_entry_no_update"))
        session.execute(text("DROP TRIGGER audit_entry_no_delete"))


def test_the_database_refuses_to_change_entries(client: TestClient) -> None:
    """Updating or deleting an audit entry is refused by the database itself."""
    _history(client)
    for statement in (update(AuditRow).where(AuditRow.seq == 1).values(reason="x"),
                      delete(AuditRow).where(AuditRow.seq == 1)):
        with (client.app.state.sessions() as session,  # type: ignore[attr-defined]
              pytest.raises(DBAPIError, match="append-only")):
            session.execute(statement)
            session.commit()
    assert client.get("/audit/verify").json()["intact"]


def test_verify_catches_a_tampered_entry(client: TestClient, database_url: str) -> None:
    """Changing an entry's reason behind the service's back (triggers dropped) breaks the
    chain at that entry, in the API and in `taskforce audit verify`; an intact chain
    passes both."""
    _history(client)
    assert client.get("/audit/verify").json()["intact"]
    runner = CliRunner()
    ok = runner.invoke(cli, ["audit", "verify", "--database-url", database_url])
    assert ok.exit_code == 0 and "intact" in ok.output
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        _bypass_append_only(session)
        session.execute(update(AuditRow).where(AuditRow.seq == 2).values(reason="nothing"))
        session.commit()
    verdict = client.get("/audit/verify").json()
    assert not verdict["intact"] and verdict["broken_at"] == 2
    broken = runner.invoke(cli, ["audit", "verify", "--database-url", database_url])
    assert broken.exit_code == 1 and "entry 2" in broken.output


def test_verify_catches_a_removed_entry(client: TestClient) -> None:
    """Removing an entry from the middle, or the newest ones, is caught too (once the
    guarding triggers are out of the way)."""
    _history(client)
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        _bypass_append_only(session)
        session.execute(delete(AuditRow).where(AuditRow.seq == 3))
        session.commit()
    assert client.get("/audit/verify").json()["broken_at"] == 4
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(delete(AuditRow).where(AuditRow.seq >= 3))
        session.commit()
    verdict = client.get("/audit/verify").json()
    assert not verdict["intact"] and "removed" in verdict["problem"]


def test_concurrent_changes_keep_one_chain(client: TestClient) -> None:
    """Scenarios stored from 8 threads at once still form one unbroken chain."""
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: client.post("/scenarios", json=TUTORIAL | {
            "name": f"s{i}"}).status_code, range(24)))
    assert codes == [201] * 24
    verdict = client.get("/audit/verify").json()
    assert verdict == {"intact": True, "entries": 24, "broken_at": None, "problem": None}
