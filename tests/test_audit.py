"""The audit trail: every change recorded with its reason, filterable, exportable, and a
tampered, removed, forged or re-chained entry caught by verification, even when whoever
did it could change the database at will (issue 17, defect 8)."""

import csv
import io
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from api.audit import entry_hash
from api.seal import SECRET_SUFFIX, WITNESS_SUFFIX, SealError, seal_for
from api.settings import Settings
from api.tables import AuditHeadRow, AuditRow
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


def _rewind_head(session: Session) -> None:
    """Point audit_head at the newest entry left, as an intruder covering tracks would."""
    newest = session.execute(text("SELECT seq, hash FROM audit_entry ORDER BY seq DESC "
                                  "LIMIT 1")).one()
    session.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"),
                    {"seq": newest.seq, "hash": newest.hash})


def _cut_newest(session: Session, how: str) -> None:
    """Delete the newest 20 entries past the guard, then rewind the head."""
    if how == "disable":
        session.execute(text("ALTER TABLE audit_entry DISABLE TRIGGER ALL"))
    else:
        _bypass_append_only(session)
    session.execute(text("DELETE FROM audit_entry WHERE seq > (SELECT MAX(seq) - 20 "
                         "FROM audit_entry)"))
    _rewind_head(session)


def _unkeyed_link(prev: str, row: Any) -> str:
    """The link an intruder without the secret can compute: plain SHA-256, as before."""
    fields = {"actor": row.actor, "action": row.action, "scenario_id": row.scenario_id,
              "scenario_version": row.scenario_version, "case_id": row.case_id,
              "prosecutor_id": row.prosecutor_id, "unit_id": row.unit_id, "reason": row.reason,
              "details": row.details, "province": row.province}
    return entry_hash(prev, row.seq, row.at, fields)


def _forge(session: Session) -> None:
    """Insert an entry with a correctly computed SHA-256 link, and move the head to it."""
    head = session.get(AuditHeadRow, 1)
    assert head is not None
    row = AuditRow(seq=head.seq + 1, at=datetime.now(UTC), actor="key 0 (x, admin)",
                   action="scenario.deleted", province="hulunbuir", scenario_id=None,
                   scenario_version=None, case_id=None, prosecutor_id=None, unit_id=None,
                   reason="forged", details={}, prev_hash=head.hash, hash="")
    row.hash = _unkeyed_link(head.hash, row)
    session.add(row)
    session.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash"),
                    {"seq": row.seq, "hash": row.hash})


def _edit_and_rechain(session: Session) -> None:
    """Edit one entry's reason and recompute every later link, head included."""
    _bypass_append_only(session)
    session.execute(text("UPDATE audit_entry SET reason = 'nothing to see' WHERE seq = 3"))
    session.commit()
    prev = session.execute(text("SELECT hash FROM audit_entry WHERE seq = 2")).scalar_one()
    for row in session.scalars(select(AuditRow).where(AuditRow.seq >= 3)
                               .order_by(AuditRow.seq)).all():
        link = _unkeyed_link(prev, row)
        session.execute(text("UPDATE audit_entry SET prev_hash = :prev, hash = :hash "
                             "WHERE seq = :seq"), {"prev": prev, "hash": link, "seq": row.seq})
        prev = link
    _rewind_head(session)


ATTACKS: dict[str, Callable[[Session], None]] = {
    "drop triggers, delete the newest 20, rewind the head": lambda s: _cut_newest(s, "drop"),
    "insert a forged entry with a correct SHA-256, move the head": _forge,
    "drop triggers, edit an entry, recompute every later hash": _edit_and_rechain,
    "disable the trigger (PostgreSQL), delete, rewind": lambda s: _cut_newest(s, "disable"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_verify_catches_a_database_administrator(client: TestClient, database_url: str,
                                                 attack: str) -> None:
    """Each way someone with full database access (but neither the audit secret nor the
    witness file) might rewrite the trail makes `taskforce audit verify` exit 1."""
    if "PostgreSQL" in attack and not database_url.startswith("postgresql"):
        pytest.skip("DISABLE TRIGGER is PostgreSQL's")
    for i in range(5):
        _history(client)
        client.post("/scenarios", json=TUTORIAL | {"name": f"more {i}"})
    runner = CliRunner()
    assert runner.invoke(cli, ["audit", "verify", "--database-url", database_url]).exit_code == 0
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        ATTACKS[attack](session)
        session.commit()
    verdict = runner.invoke(cli, ["audit", "verify", "--database-url", database_url])
    assert verdict.exit_code == 1, verdict.output
    assert "broken" in verdict.output
    assert not client.get("/audit/verify").json()["intact"]


def test_first_start_makes_a_private_secret_beside_the_database(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Without AUDIT_SECRET, an SQLite database gets its secret generated in a file beside
    it, readable by its owner alone, and the service says where; a second start reuses
    it, so the chain still verifies."""
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with caplog.at_level(logging.WARNING, logger="taskforce.audit"):
        first = TestClient(create_app(Settings(database_url=url, require_keys=False)))
    secret = tmp_path / ("fresh.db" + SECRET_SUFFIX)
    assert secret.stat().st_mode & 0o777 == 0o600
    assert str(secret) in caplog.text
    first.post("/scenarios", json=TUTORIAL)
    again = TestClient(create_app(Settings(database_url=url, require_keys=False)))
    assert again.get("/audit/verify").json()["intact"]
    assert (tmp_path / ("fresh.db" + WITNESS_SUFFIX)).read_text().startswith("1 ")


def test_another_database_needs_the_secret_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a database server, the secret cannot be kept beside a file: without AUDIT_SECRET
    the service refuses to start, saying what to set."""
    monkeypatch.delenv("AUDIT_SECRET", raising=False)
    with pytest.raises(SealError, match="AUDIT_SECRET"):
        seal_for(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))


def test_a_witness_that_cannot_be_written_fails_loudly_but_not_the_change(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """When the witness file cannot be written (its folder is gone), the committed change
    still answers 201, the failure is logged, and verify then reports the trail
    unvouched for instead of intact."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'w.db'}", require_keys=False,
                        audit_anchor_file=tmp_path / "gone" / "witness")
    client = TestClient(create_app(settings))
    with caplog.at_level(logging.ERROR, logger="taskforce.audit"):
        assert client.post("/scenarios", json=TUTORIAL).status_code == 201
    assert "could not append audit head 1" in caplog.text
    assert client.get("/scenarios").json()["total"] == 1
    verdict = client.get("/audit/verify").json()
    assert not verdict["intact"] and "witness" in verdict["problem"]


def _cut(client: TestClient, n: int) -> None:
    """As a database administrator: bypass the guard, delete the newest `n` entries and
    rewind the head to the entry left newest."""
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        _bypass_append_only(session)
        session.execute(text("DELETE FROM audit_entry WHERE seq > (SELECT MAX(seq) - :n "
                             "FROM audit_entry)"), {"n": n})
        _rewind_head(session)
        session.commit()


def test_a_trail_cut_back_and_regrown_fails_verify(client: TestClient,
                                                   database_url: str) -> None:
    """Cutting the newest entries off and then letting the service write as many new ones,
    one change at a time, leaves a chain as long as before whose heads the witness has
    seen twice with different links: verify must say broken, not intact (tester's
    finding 1)."""
    for i in range(4):
        client.post("/scenarios", json=TUTORIAL | {"name": f"s{i}"})
    _cut(client, 3)
    for i in range(3):
        assert client.post("/scenarios", json=TUTORIAL | {"name": f"r{i}"}).status_code == 201
    verdict = client.get("/audit/verify").json()
    assert not verdict["intact"] and "regrown" in verdict["problem"]
    cli_verdict = CliRunner().invoke(cli, ["audit", "verify", "--database-url", database_url])
    assert cli_verdict.exit_code == 1, cli_verdict.output


@pytest.mark.parametrize("witness", ["missing", "empty", "garbled"])
def test_a_damaged_witness_after_a_cut_fails_verify(client: TestClient,
                                                    witness: str) -> None:
    """After the newest entries are cut off, a witness deleted, emptied, overwritten with
    garbage must not let the shortened trail pass (tester's
    finding 2)."""
    for i in range(3):
        client.post("/scenarios", json=TUTORIAL | {"name": f"s{i}"})
    path: Path = client.app.state.seal.witness  # type: ignore[attr-defined]
    client.post("/scenarios", json=TUTORIAL | {"name": "newest"})
    if witness == "missing":
        path.unlink()
    else:
        path.write_bytes(b"" if witness == "empty" else b"x\n")
    _cut(client, 1)
    assert not client.get("/audit/verify").json()["intact"]


def test_a_missing_secret_is_never_silently_regenerated(tmp_path: Path) -> None:
    """When the SQLite database's secret file is gone but the trail has entries, the
    service refuses to start and says to restore it, instead of making a new secret under
    which every older entry would read as forged (tester's finding 2)."""
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    TestClient(create_app(Settings(database_url=url, require_keys=False))).post(
        "/scenarios", json=TUTORIAL)
    (tmp_path / ("kept.db" + SECRET_SUFFIX)).unlink()
    with pytest.raises(SealError, match=r"missing.*restore"):
        create_app(Settings(database_url=url, require_keys=False))
    (tmp_path / ("kept.db" + WITNESS_SUFFIX)).unlink()  # the database alone still tells
    with pytest.raises(SealError, match=r"missing.*restore"):
        create_app(Settings(database_url=url, require_keys=False))
