"""Swapping a team member by hand: the candidates are those the solver holds eligible for
the place, and the independent checker judges the swap at once."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from checker import check_roster
from models import Roster, parse_scenario

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, solve_workers=1, require_keys=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _roster(client: TestClient) -> str:
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    client.app.state.runner.wait_for(job["id"], {"done"}, 60)  # type: ignore[attr-defined]
    roster_id: str = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    return roster_id


def test_candidates_are_the_eligible_people_off_the_team(client: TestClient) -> None:
    """Fraud's prosecutor place (Zhao's): Liu, Bayar and Saruul may take it; nobody off
    the team may be its clerk; an unstaffed case has no team to swap on."""
    rid = _roster(client)
    offered = client.get(f"/rosters/{rid}/cases/fraud/candidates", params={"slot": "prosecutor"})
    assert offered.status_code == 200
    assert {c["prosecutor"] for c in offered.json()} == {"liu", "bayar", "saruul"}
    assert client.get(f"/rosters/{rid}/cases/fraud/candidates",
                      params={"slot": "clerk"}).json() == []
    assert client.get(f"/rosters/{rid}/cases/herders/candidates",
                      params={"slot": "leader"}).status_code == 404


def test_a_valid_swap_is_a_new_roster_with_its_cost_recomputed(client: TestClient) -> None:
    """Liu for Zhao on fraud keeps every rule; the team loses its junior (+100), and the
    new roster, stored, passes the checker."""
    rid = _roster(client)
    before = client.get(f"/rosters/{rid}").json()["roster"]
    answer = client.post(f"/rosters/{rid}/swaps",
                         json={"case": "fraud", "out": "zhao", "into": "liu"})
    assert answer.status_code == 201, answer.text
    after = answer.json()
    assert after["id"] != rid and after["params"]["swap"] == {
        "from": rid, "case": "fraud", "out": "zhao", "into": "liu"}
    fraud = next(c for c in after["roster"]["cases"] if c["id"] == "fraud")
    assert [m["prosecutor"] for m in fraud["team"]] == ["wang", "liu", "sun"]
    assert after["roster"]["objective"]["components"]["no_junior"] == 100
    assert after["roster"]["objective"]["cost"] == before["objective"]["cost"] + 100
    roster = Roster.model_validate(client.get(f"/rosters/{after['id']}").json()["roster"])
    assert check_roster(parse_scenario(TUTORIAL), roster).ok


def test_a_swap_that_breaks_a_rule_names_it_and_stores_nothing(client: TestClient) -> None:
    """Liu for Saruul on grassland leaves one Mongolian speaker of the two it needs: 422
    naming rule 4; someone who is no candidate, or a member who is not on the team, 422."""
    rid = _roster(client)
    broken = client.post(f"/rosters/{rid}/swaps",
                         json={"case": "grassland", "out": "saruul", "into": "liu"})
    assert broken.status_code == 422
    [error] = broken.json()["errors"]
    assert error["path"].startswith("rule 4")
    assert error["message"] == "case grassland: 1 speak Mongolian, needs 2"
    stranger = client.post(f"/rosters/{rid}/swaps",
                           json={"case": "grassland", "out": "saruul", "into": "oyun"})
    assert stranger.status_code == 422
    assert stranger.json()["errors"][0]["code"] == "invalid.not_candidate"
    absent = client.post(f"/rosters/{rid}/swaps",
                         json={"case": "fraud", "out": "bayar", "into": "liu"})
    assert absent.json()["errors"][0]["code"] == "invalid.not_on_team"


def test_solving_again_keeps_the_swapped_team(client: TestClient) -> None:
    """Liu swapped in for Zhao, then a solve keeping the fraud team: the new roster keeps
    Liu though Zhao is cheaper; keeping a case the roster does not staff is 422."""
    rid = _roster(client)
    swapped = client.post(f"/rosters/{rid}/swaps",
                          json={"case": "fraud", "out": "zhao", "into": "liu"}).json()
    sid = swapped["scenario_id"]
    refused = client.post("/jobs", json={"scenario_id": sid, "seconds": 5, "keep": {
        "roster_id": swapped["id"], "cases": ["herders"]}})
    assert refused.status_code == 422
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5, "keep": {
        "roster_id": swapped["id"], "cases": ["fraud"]}})
    assert job.status_code == 202, job.text
    client.app.state.runner.wait_for(job.json()["id"], {"done"}, 60)  # type: ignore[attr-defined]
    done = client.get(f"/jobs/{job.json()['id']}").json()
    fraud = next(c for c in done["roster"]["cases"] if c["id"] == "fraud")
    assert [m["prosecutor"] for m in fraud["team"]] == ["wang", "liu", "sun"]
    assert all(m["pinned"] for m in fraud["team"])
    plain = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    client.app.state.runner.wait_for(plain["id"], {"done"}, 60)  # type: ignore[attr-defined]
    again = client.get(f"/jobs/{plain['id']}").json()["roster"]
    assert "zhao" in {m["prosecutor"] for c in again["cases"] for m in c["team"]}
