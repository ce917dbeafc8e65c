"""Rosters within a request: one case now, and what-if variants compared with the base."""

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

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TUTORIAL: dict[str, Any] = json.loads((SCENARIOS / "tutorial.json").read_text())


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, solve_workers=1, require_keys=False)
    with TestClient(create_app(settings)) as c:
        yield c


def _stored(client: TestClient, data: dict[str, Any]) -> str:
    sid: str = client.post("/scenarios", json=data).json()["id"]
    return sid


def test_roster_for_one_case(client: TestClient) -> None:
    """A city asks for one task force: the roster holds that case only, passes the checker,
    and is stored."""
    sid = _stored(client, TUTORIAL)
    answer = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": 5})
    assert answer.status_code == 200
    roster = Roster.model_validate(answer.json()["roster"])
    assert [c.id for c in roster.cases] == ["fraud"] and roster.cases[0].staffed
    only_fraud = TUTORIAL | {"cases": [TUTORIAL["cases"][0]]}
    assert check_roster(parse_scenario(only_fraud), roster).ok
    assert client.get(f"/rosters/{answer.json()['id']}").status_code == 200
    assert client.post(f"/scenarios/{sid}/cases/nope/roster").status_code == 404


def test_no_free_solve_slot_is_429(client: TestClient) -> None:
    """When every solve slot is taken the answer is 429 with Retry-After, not a wait."""
    sid = _stored(client, TUTORIAL)
    slots = client.app.state.solve_slots  # type: ignore[attr-defined]
    taken = [slots.acquire(blocking=False) for _ in range(2)]
    try:
        busy = client.post(f"/scenarios/{sid}/cases/fraud/roster")
        assert busy.status_code == 429 and "retry-after" in busy.headers
    finally:
        for ok in taken:
            if ok:
                slots.release()


def test_what_if_compares_variants(client: TestClient) -> None:
    """Zhao falls ill: only the fraud team changes (Liu joins, Zhao leaves) and the team
    loses its junior (+100). Closing the Chen Barag road changes no team."""
    sid = _stored(client, TUTORIAL)
    ill = [{"op": "add", "path": "/prosecutors/1/unavailable",
            "value": [{"start": "2022-05-01", "end": "2022-07-31"}]}]
    road = [{"op": "remove", "path": "/roads/2"}]
    answer = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 5}, json={
        "variants": [{"name": "Zhao falls ill", "patch": ill},
                     {"name": "road closed", "patch": road}]})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    sick, closed = result["variants"]
    assert [(c["case"], c["joins"], c["leaves"]) for c in sick["comparison"]["cases"]] == [
        ("fraud", ["liu"], ["zhao"])]
    assert sick["comparison"]["components"]["no_junior"]["change"] == 100
    assert closed["comparison"]["cases"] == []
    variant = client.get(f"/scenarios/{sid}/variants/{sick['scenario_id']}").json()["scenario"]
    assert check_roster(parse_scenario(variant), Roster.model_validate(sick["roster"])).ok
    again = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 5}, json={
        "variants": [{"name": "same", "patch": []}], "base_roster_id": result["base_roster_id"]})
    assert again.json()["variants"][0]["comparison"]["cases"] == []


def test_bad_patches_store_nothing(client: TestClient) -> None:
    """A patch that cannot apply, or that gives an invalid scenario, is a 422 naming the
    variant and field; no scenario or roster is stored."""
    sid = _stored(client, TUTORIAL)
    bad_path = client.post(f"/scenarios/{sid}/what-if", json={"variants": [
        {"name": "typo", "patch": [{"op": "remove", "path": "/prosecutorz/0"}]}]})
    assert bad_path.status_code == 422
    assert bad_path.json()["errors"][0]["path"] == "variants[0].patch[0]"
    invalid = client.post(f"/scenarios/{sid}/what-if", json={"variants": [
        {"name": "no Hailar", "patch": [{"op": "remove", "path": "/units/1"}]}]})
    assert invalid.status_code == 422
    assert any(e["path"].startswith("variants[0].prosecutors[") and "unknown unit 'hailar'"
               in e["message"] for e in invalid.json()["errors"])
    assert client.get("/scenarios").json()["total"] == 1


def test_a_long_patch_pointer_is_repeated_cut_short(client: TestClient) -> None:
    """A patch removing /cases/ and 5,000 digits, which is not there: a 422 at the patch
    operation whose message repeats the pointer cut short, not its 5,000 digits."""
    sid = _stored(client, TUTORIAL)
    pointer = "/cases/" + "9" * 5000
    answer = client.post(f"/scenarios/{sid}/what-if", json={"variants": [
        {"name": "far", "patch": [{"op": "remove", "path": pointer}]}]})
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["path"] == "variants[0].patch[0]"
    assert "/cases/999" in error["message"] and len(error["message"]) < 300


def test_removed_prosecutor_is_repaired_with_few_changes(client: TestClient) -> None:
    """Hulunbuir: removing a prosecutor who serves on a small team changes that team only."""
    data = json.loads((SCENARIOS / "hulunbuir.json").read_text())
    sid = _stored(client, data)
    full = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 20}, json={
        "variants": [{"name": "noop", "patch": []}]}).json()
    roster = Roster.model_validate(full["base"])
    forest = next(c for c in roster.cases if c.id == "forest-admin")
    leaving = forest.team[-1].prosecutor
    index = [p["id"] for p in data["prosecutors"]].index(leaving)
    answer = client.post(f"/scenarios/{sid}/what-if", params={"seconds": 20}, json={
        "base_roster_id": full["base_roster_id"],
        "variants": [{"name": "transferred", "patch": [
            {"op": "remove", "path": f"/prosecutors/{index}"}]}]}).json()
    changed = answer["variants"][0]["comparison"]["cases"]
    assert [c["case"] for c in changed] == ["forest-admin"]
    assert changed[0]["leaves"] == [leaving] and len(changed[0]["joins"]) == 1


@pytest.mark.parametrize("variant", [
    {"name": "bad\u001bname", "patch": [{"op": "replace", "path": "/cases/0/title", "value": "x"}]},
    {"name": "renamed", "patch": [{"op": "replace", "path": "/name", "value": "n\u0007"}]},
    {"name": "skill", "patch": [{"op": "add", "path": "/prosecutors/1/skills/crim\u001b",
                                 "value": 2}]}])
def test_control_characters_in_a_what_if_are_a_422_storing_nothing(
        client: TestClient, variant: dict[str, Any]) -> None:
    """A variant's label, or a patch putting a control character into the scenario's name
    or a skill's name, is refused at its field (it was a 500, or stored), and nothing is
    stored."""
    sid = _stored(client, TUTORIAL)
    answer = client.post(f"/scenarios/{sid}/what-if", json={"variants": [variant]})
    assert answer.status_code == 422, answer.text
    assert any("U+00" in e["message"] for e in answer.json()["errors"]), answer.json()
    assert client.get("/scenarios").json()["total"] == 1
    assert client.get(f"/scenarios/{sid}/variants").json()["total"] == 0
