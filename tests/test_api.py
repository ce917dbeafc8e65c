"""The HTTP service, in process: stored scenarios, validation, health, and problem answers."""

import json
from collections.abc import Iterator
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
    settings = Settings(database_url=database_url, max_body_bytes=200_000, require_keys=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"]
    return body


def test_health(client: TestClient) -> None:
    """/health reports the database and the solver ready."""
    assert client.get("/health").json() == {"status": "ok", "database": "ok", "solver": "ok"}


def test_create_read_list(client: TestClient) -> None:
    """A stored scenario comes back with Location and ETag, and is listed."""
    created = client.post("/scenarios", json=TUTORIAL)
    assert created.status_code == 201
    sid = created.json()["id"]
    assert created.headers["location"] == f"/scenarios/{sid}"
    read = client.get(f"/scenarios/{sid}")
    assert read.headers["etag"] == created.headers["etag"]
    assert read.json()["scenario"]["name"] == "tutorial"
    assert len(read.json()["scenario"]["prosecutors"]) == 8
    page = client.get("/scenarios").json()
    assert page["total"] == 1 and page["items"][0]["id"] == sid


def test_list_is_paginated(client: TestClient) -> None:
    """offset and limit page through the list; total counts them all."""
    for i in range(5):
        client.post("/scenarios", json=TUTORIAL | {"name": f"s{i}"})
    page = client.get("/scenarios", params={"offset": 1, "limit": 2}).json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["offset"] == 1
    assert _problem(client.get("/scenarios", params={"limit": 0}), 422)["errors"]


def test_replace_needs_the_current_etag(client: TestClient) -> None:
    """Replacing needs If-Match (428 without); a stale ETag gets 412; every version is kept."""
    created = client.post("/scenarios", json=TUTORIAL)
    sid, first = created.json()["id"], created.headers["etag"]
    changed = TUTORIAL | {"name": "tutorial, second draft"}
    _problem(client.put(f"/scenarios/{sid}", json=changed), 428)
    second = client.put(f"/scenarios/{sid}", json=changed, headers={"If-Match": first})
    assert second.status_code == 200 and second.json()["version"] == 2
    _problem(client.put(f"/scenarios/{sid}", json=TUTORIAL, headers={"If-Match": first}), 412)
    assert client.get(f"/scenarios/{sid}/versions/1").json()["scenario"]["name"] == "tutorial"
    assert client.get(f"/scenarios/{sid}").json()["scenario"]["name"] == "tutorial, second draft"


def test_invalid_scenario_is_a_problem_and_stores_nothing(client: TestClient) -> None:
    """422 names the field path and id of every problem; nothing is stored, no version added."""
    bad = TUTORIAL | {"cases": [*TUTORIAL["cases"], {"id": "x", "kind": "criminal",
                                                     "venue": "nowhere", "start": "2022-01-02",
                                                     "end": "2022-01-01"}]}
    body = _problem(client.post("/scenarios", json=bad), 422)
    assert {"path": "cases[3]", "id": "x", "code": "invalid.end_before_start",
            "message": "end 2022-01-01 is before start 2022-01-02"} in [
        {k: e[k] for k in ("path", "id", "code", "message")} for e in body["errors"]]
    assert client.get("/scenarios").json()["total"] == 0
    created = client.post("/scenarios", json=TUTORIAL)
    sid, tag = created.json()["id"], created.headers["etag"]
    _problem(client.put(f"/scenarios/{sid}", json=bad, headers={"If-Match": tag}), 422)
    assert client.get(f"/scenarios/{sid}").json()["version"] == 1


def test_malformed_json_is_400(client: TestClient) -> None:
    """A body that is not JSON gets 400, not a server error."""
    response = client.post("/scenarios", content=b'{"name": ',
                           headers={"content-type": "application/json"})
    _problem(response, 400)


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    """A body over max_body_bytes gets 413 and stores nothing."""
    huge = TUTORIAL | {"name": "x" * 300_000}
    _problem(client.post("/scenarios", json=huge), 413)
    assert client.get("/scenarios").json()["total"] == 0


def test_unknown_ids_are_404(client: TestClient) -> None:
    """Unknown scenarios and versions are 404 problems."""
    _problem(client.get("/scenarios/nope"), 404)
    _problem(client.delete("/scenarios/nope"), 404)
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    _problem(client.get(f"/scenarios/{sid}/versions/9"), 404)


def test_delete_hides_but_keeps_versions(client: TestClient) -> None:
    """A deleted scenario is gone from reads and lists; its versions stay readable."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    assert client.delete(f"/scenarios/{sid}").status_code == 204
    _problem(client.get(f"/scenarios/{sid}"), 404)
    assert client.get("/scenarios").json()["total"] == 0
    assert client.get(f"/scenarios/{sid}/versions/1").status_code == 200


def test_validate_only(client: TestClient) -> None:
    """/scenarios/validate lists every problem and stores nothing."""
    ok = client.post("/scenarios/validate", json=TUTORIAL).json()
    assert ok == {"valid": True, "problems": []}
    bad = TUTORIAL | {"units": TUTORIAL["units"] * 2}
    report = client.post("/scenarios/validate", json=bad).json()
    assert not report["valid"] and any(p["message"] == "duplicate id" for p in report["problems"])
    assert client.get("/scenarios").json()["total"] == 0


def test_docs_work_offline(client: TestClient) -> None:
    """/docs loads its Swagger UI assets from the service, not a CDN."""
    page = client.get("/docs").text
    assert "cdn" not in page.lower()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        path = page.split(asset)[0].rsplit('"', 1)[1] + asset
        assert path.startswith("/") and client.get(path).status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "taskforce"


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """DATABASE_URL in the environment points the service at another database."""
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert Settings().database_url == url
