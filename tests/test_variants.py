"""What-if variants belong to their base scenario: never listed or opened as scenarios,
listed and read through the base, and adopted (their roster committed) with the checker's
409 when something changed since."""

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
