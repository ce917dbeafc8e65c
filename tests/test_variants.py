"""What-if variants belong to their base scenario: never listed or opened as scenarios,
listed and read through the base, and adopted (their roster committed) with the checker's
409 when something changed since."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from api.app import create_app
from api.db import MIGRATIONS, make_engine
from api.settings import Settings
from api.tables import RosterRow
from tests.test_jurisdiction import Service, _province

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())
# Zhao falls ill for the whole tutorial: only the fraud team changes (Liu for Zhao).
ILL = [{"op": "add", "path": "/prosecutors/1/unavailable",
        "value": [{"start": "2022-05-01", "end": "2022-07-31"}]}]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, solve_workers=1, require_keys=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _what_if(client: TestClient) -> tuple[str, dict[str, Any]]:
    sid: str = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 5},
                         json={"variants": [{"name": "Zhao falls ill", "patch": ILL}]})
    assert answer.status_code == 200, answer.text
    return sid, answer.json()


def test_variants_are_not_scenarios(client: TestClient) -> None:
    """After a what-if, the scenario list holds the base only; the variant cannot be opened,
    solved or asked what if as a scenario; it is listed and read under its base."""
    sid, result = _what_if(client)
    [variant] = result["variants"]
    vid = variant["scenario_id"]
    listed = client.get("/scenarios").json()
    assert (listed["total"], [s["id"] for s in listed["items"]]) == (1, [sid])
    assert client.get(f"/scenarios/{vid}").status_code == 404
    assert client.get(f"/scenarios/{vid}/versions/1").status_code == 404
    assert client.post("/jobs", json={"scenario_id": vid, "seconds": 1}).status_code == 404
    assert client.post(f"/scenarios/{vid}/what-if", json={
        "variants": [{"name": "x", "patch": []}]}).status_code == 404
    variants = client.get(f"/scenarios/{sid}/variants").json()
    assert variants["total"] == 1
    [summary] = variants["items"]
    assert summary == summary | {"id": vid, "name": "Zhao falls ill", "base_id": sid,
                                 "base_version": 1, "roster_id": variant["roster_id"]}
    read = client.get(f"/scenarios/{sid}/variants/{vid}").json()
    assert read["scenario"]["prosecutors"][1]["unavailable"] == ILL[0]["value"]
    other = client.post("/scenarios", json=TUTORIAL).json()["id"]
    assert client.get(f"/scenarios/{other}/variants/{vid}").status_code == 404
    assert client.get(f"/scenarios/{other}/variants").json()["total"] == 0


def test_adopting_a_variant_without_a_body_commits_every_staffed_case(
        client: TestClient) -> None:
    """A bare adopt, like a bare commit, makes every staffed case of the variant's roster
    binding."""
    sid, result = _what_if(client)
    vid = result["variants"][0]["scenario_id"]
    roster = client.get(f"/rosters/{result['variants'][0]['roster_id']}").json()
    adopted = client.post(f"/scenarios/{sid}/variants/{vid}/adopt")
    assert adopted.status_code == 201, adopted.text
    assert sorted(adopted.json()["cases"]) == sorted(
        c["id"] for c in roster["roster"]["cases"] if c["staffed"])
    assert "fraud" in adopted.json()["cases"]


def test_adopting_a_variant_commits_its_roster(client: TestClient) -> None:
    """Adopting commits the variant's teams (Liu on fraud); adopting again is 409 saying
    it is this same roster, committed already; a base replaced since is 409 too."""
    sid, result = _what_if(client)
    vid = result["variants"][0]["scenario_id"]
    adopted = client.post(f"/scenarios/{sid}/variants/{vid}/adopt",
                          json={"cases": ["fraud"], "reason": "Zhao is ill"})
    assert adopted.status_code == 201, adopted.text
    made = adopted.json()
    assert made["roster_id"] == result["variants"][0]["roster_id"] and made["cases"] == ["fraud"]
    assert "liu" in {c["prosecutor_id"] for c in made["commitments"]}
    again = client.post(f"/scenarios/{sid}/variants/{vid}/adopt", json={"cases": ["fraud"]})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "invalid.committed_already_this"
    etag = client.get(f"/scenarios/{sid}").headers["etag"]
    assert client.put(f"/scenarios/{sid}", json=TUTORIAL,
                      headers={"If-Match": etag}).status_code == 200
    stale = client.post(f"/scenarios/{sid}/variants/{vid}/adopt", json={})
    assert stale.status_code == 409
    assert "version 1, now 2" in stale.json()["detail"]


def test_adopting_after_the_base_was_committed_names_who_and_when(client: TestClient) -> None:
    """The base roster committed first: adopting the variant is refused, the answer saying
    the case was committed from another roster, by whom and when."""
    sid, result = _what_if(client)
    vid = result["variants"][0]["scenario_id"]
    base = client.post(f"/rosters/{result['base_roster_id']}/commit", json={"cases": ["fraud"]})
    assert base.status_code == 201
    refused = client.post(f"/scenarios/{sid}/variants/{vid}/adopt", json={"cases": ["fraud"]})
    assert refused.status_code == 409
    [error] = refused.json()["errors"]
    assert error["code"] == "invalid.committed_already_by"
    assert error["message"].startswith("committed already from another roster (by anonymous at ")
    assert client.post(f"/scenarios/{sid}/variants/nope/adopt", json={}).status_code == 404


def test_stored_variants_compare_with_the_roster_they_were_planned_from(
        client: TestClient) -> None:
    """Variants tried in separate what-ifs stay comparable: each lists the roster it was
    re-planned from, and GET .../comparison answers the comparison the what-if gave (in the
    Accept-Language); with base_roster_id, against another roster of the base; a roster of
    another scenario, an unknown variant, or a variant whose base roster was never kept
    (tried before it was) without base_roster_id, is 404."""
    sid, first = _what_if(client)
    base_roster = first["base_roster_id"]
    second = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 5}, json={
        "base_roster_id": base_roster,
        "variants": [{"name": "herders first", "patch": [
            {"op": "replace", "path": "/cases/2/priority", "value": 9}]}]}).json()
    listed = client.get(f"/scenarios/{sid}/variants").json()["items"]
    assert [v["base_roster_id"] for v in listed] == [base_roster, base_roster]
    for answer in (first, second):
        [tried] = answer["variants"]
        got = client.get(f"/scenarios/{sid}/variants/{tried['scenario_id']}/comparison")
        assert got.status_code == 200, got.text
        body = got.json()
        assert (body["base_roster_id"], body["roster_id"]) == (base_roster, tried["roster_id"])
        assert body["comparison"] == tried["comparison"]
    vid = first["variants"][0]["scenario_id"]
    zh = client.get(f"/scenarios/{sid}/variants/{vid}/comparison",
                    headers={"Accept-Language": "zh"}).json()["comparison"]
    assert [(c["case"], c["joins"], c["leaves"]) for c in zh["cases"]] == \
        [("fraud", ["liu"], ["zhao"])]
    # Against the roster a later solve gave (the same teams here: nothing moves but Zhao).
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert runner.wait_for(job["id"], {"done"}, 60) == "done"
    later = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    against = client.get(f"/scenarios/{sid}/variants/{vid}/comparison",
                         params={"base_roster_id": later}).json()
    assert against["base_roster_id"] == later
    assert [c["case"] for c in against["comparison"]["cases"]] == ["fraud"]
    other = client.post("/scenarios", json=TUTORIAL).json()["id"]
    foreign = client.post(f"/scenarios/{other}/cases/fraud/roster", params={"seconds": 2}).json()
    refused = client.get(f"/scenarios/{sid}/variants/{vid}/comparison",
                         params={"base_roster_id": foreign["id"]})
    assert refused.status_code == 404 and refused.json()["errors"] == []
    assert client.get(f"/scenarios/{sid}/variants/nope/comparison").status_code == 404
    assert client.get(f"/scenarios/{other}/variants/{vid}/comparison").status_code == 404
    # A variant tried before its base roster was kept.
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        row = session.get(RosterRow, first["variants"][0]["roster_id"])
        row.params = {k: v for k, v in row.params.items() if k != "base_roster_id"}
        session.commit()
    assert client.get(f"/scenarios/{sid}/variants").json()["items"][1]["base_roster_id"] is None
    assert client.get(f"/scenarios/{sid}/variants/{vid}/comparison").status_code == 404
    assert client.get(f"/scenarios/{sid}/variants/{vid}/comparison",
                      params={"base_roster_id": base_roster}).json()["comparison"] == \
        first["variants"][0]["comparison"]


def test_another_offices_key_cannot_compare_adopt_or_swap(database_url: str) -> None:
    """With keys on: a city's planner and another province's admin get 404 for the variants,
    a variant's comparison and its adoption, and cannot swap a member of the province's
    roster (a swap takes a key of the whole province)."""
    with TestClient(create_app(Settings(database_url=database_url, solve_workers=1))) as c:
        service = Service(c)
        sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
        whole = service.solved("province", {"scenario_id": sid})
        tried = service.call("province", "POST", f"/scenarios/{sid}/what-if",
                             params={"seconds": 2},
                             json={"base_roster_id": whole["roster_id"],
                                   "variants": [{"name": "same", "patch": []}]}).json()
        vid = tried["variants"][0]["scenario_id"]
        own = service.call("province", "GET", f"/scenarios/{sid}/variants/{vid}/comparison")
        assert own.status_code == 200, own.text
        for key in ("city", "g1", "elsewhere"):
            for method, url in (("GET", f"/scenarios/{sid}/variants"),
                                ("GET", f"/scenarios/{sid}/variants/{vid}/comparison"),
                                ("POST", f"/scenarios/{sid}/variants/{vid}/adopt")):
                answer = service.call(key, method, url, json={} if method == "POST" else None)
                assert answer.status_code == 404, (key, url, answer.text)
            swap = service.call(key, "POST", f"/rosters/{whole['roster_id']}/swaps",
                                json={"case": "c_g1", "out": "p_g1", "into": "p_g2"})
            assert swap.status_code in (403, 404), (key, swap.text)
        assert service.call("province", "GET", "/commitments").json()["total"] == 0


def _alembic(engine: Engine, step: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, step)(config, revision)


def test_the_variants_migration_on_a_database_with_old_variants(database_url: str) -> None:
    """Migration 0009 on a database at 0008 (SQLite, or PostgreSQL in CI): a variant stored
    as a scenario of its own before ("<base> / what-if: <label>") is hidden, the base is
    not; a variant row must name a scenario that exists; and the migration goes down to
    0008 and up again."""
    engine = make_engine(database_url)
    try:
        _alembic(engine, "upgrade", "0008")
        row = "INSERT INTO scenario (id, name, province, version, created_at, updated_at, " \
              "deleted) VALUES (:id, :name, 'prov', 1, :at, :at, :deleted)"
        at = datetime(2026, 1, 1, tzinfo=UTC)
        with engine.begin() as c:
            c.execute(text(row), [
                {"id": "base", "name": "tutorial", "at": at, "deleted": False},
                {"id": "old", "name": "tutorial / what-if: Zhao falls ill", "at": at,
                 "deleted": False}])
        _alembic(engine, "upgrade", "head")
        with engine.begin() as c:
            hidden: dict[str, Any] = dict(c.execute(text("SELECT id, deleted FROM scenario")).all())
            assert {k: bool(v) for k, v in hidden.items()} == {"base": False, "old": True}
            c.execute(text("INSERT INTO scenario (id, name, province, version, created_at, "
                           "updated_at, deleted, base_id, base_version) VALUES ('v', 'x', "
                           "'prov', 1, :at, :at, false, 'base', 1)"), {"at": at})
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(text("INSERT INTO scenario (id, name, province, version, created_at, "
                           "updated_at, deleted, base_id, base_version) VALUES ('w', 'x', "
                           "'prov', 1, :at, :at, false, 'nowhere', 1)"), {"at": at})
        with engine.begin() as c:
            c.execute(text("DELETE FROM scenario WHERE id = 'v'"))
        _alembic(engine, "downgrade", "0008")
        with engine.begin() as c:
            columns = {col["name"] for col in inspect(c).get_columns("scenario")}
            assert "base_id" not in columns and "base_version" not in columns
        _alembic(engine, "upgrade", "head")
        with engine.begin() as c:
            assert c.execute(text("SELECT count(*) FROM scenario WHERE base_id IS NULL")
                             ).scalar() == 2
    finally:
        engine.dispose()
