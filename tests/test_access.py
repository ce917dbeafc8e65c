"""Access by jurisdiction: API keys per unit and role. A provincial key sees the whole
province; a municipal key its city's offices; a grassroots key its own office. Reads
outside answer 404, writes 403; a request without a valid key, 401."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from cli.main import app as cli
from models import parse_scenario
from models.enums import KeyRole
from tests.tiny import case, person, unit

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json"


def _province() -> dict[str, Any]:
    """Province 'prov' with cities 'city' (offices g1, g2) and 'city2' (office g3); one
    case led by g1, one by g3, one by the city; one prosecutor in every office."""
    one = {"leader": None, "members": {"prosecutor": 1}, "load": 0.2}
    return {
        "name": "province",
        "units": [unit("prov", tier="provincial"), unit("city", tier="municipal", parent="prov"),
                  unit("city2", tier="municipal", parent="prov"), unit("g1", parent="city"),
                  unit("g2", parent="city"), unit("g3", parent="city2")],
        "prosecutors": [person(f"p_{u}", u) for u in ("prov", "city", "city2", "g1", "g2", "g3")],
        "cases": [case("c_g1", "g1", team=one), case("c_g3", "g3", team=one),
                  case("c_city", "city", team=one)],
    }


class Keys:
    """A client on a service that requires keys, and the tokens of each kind of key."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        scenario = parse_scenario(_province())
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            made = {name: create_key(session, unit=u, role=role, name=name, scenario=scenario)[1]
                    for name, u, role in [("province", "prov", KeyRole.ADMIN),
                                          ("city", "city", KeyRole.PLANNER),
                                          ("g1", "g1", KeyRole.PLANNER),
                                          ("g1 viewer", "g1", KeyRole.VIEWER)]}
            tutorial = parse_scenario(json.loads(TUTORIAL.read_text()))
            made["elsewhere"] = create_key(session, unit="hulunbuir", role=KeyRole.ADMIN,
                                           name="elsewhere", scenario=tutorial)[1]
            session.commit()
        self.tokens = made

    def auth(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    def get(self, key: str, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.auth(key), **kw)

    def post(self, key: str, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self.auth(key), **kw)


@pytest.fixture
def keys(database_url: str) -> Iterator[Keys]:
    settings = Settings(database_url=database_url, solve_workers=1)
    with TestClient(create_app(settings)) as client:
        yield Keys(client)


def _store(keys: Keys) -> str:
    created = keys.post("province", "/scenarios", json=_province())
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _whole_roster(keys: Keys, sid: str) -> str:
    """A roster of every case, solved with the provincial key."""
    job = keys.post("province", "/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    keys.client.app.state.runner.wait_for(job["id"], {"done"}, 30)  # type: ignore[attr-defined]
    return str(keys.get("province", f"/jobs/{job['id']}").json()["roster_id"])


def _case_ids(body: dict[str, Any]) -> set[str]:
    return {c["id"] for c in body["cases"]}


def test_requests_without_a_valid_key_get_401(keys: Keys) -> None:
    """No key, a malformed key and a made-up key are all refused; /health needs none."""
    assert keys.client.get("/health").status_code == 200
    missing = keys.client.get("/scenarios")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.headers["content-type"] == "application/problem+json"
    for token in ("nonsense", "tf_0000_secret", keys.tokens["province"] + "x"):
        answer = keys.client.get("/scenarios", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401, token


def test_provincial_key_sees_and_plans_the_whole_province(keys: Keys) -> None:
    """The command center stores the scenario, reads every case and person, and solves all."""
    sid = _store(keys)
    scenario = keys.get("province", f"/scenarios/{sid}").json()["scenario"]
    assert _case_ids(scenario) == {"c_g1", "c_g3", "c_city"}
    assert len(scenario["prosecutors"]) == 6
    roster = keys.get("province", f"/rosters/{_whole_roster(keys, sid)}").json()["roster"]
    assert _case_ids(roster) == {"c_g1", "c_g3", "c_city"}


def test_municipal_key_sees_its_city_only(keys: Keys) -> None:
    """The city key sees the cases led by the city and its offices and their people; it may
    request a roster for its own case, not for another city's (403), and not store scenarios."""
    sid = _store(keys)
    scenario = keys.get("city", f"/scenarios/{sid}").json()["scenario"]
    assert _case_ids(scenario) == {"c_g1", "c_city"}
    assert {p["home"] for p in scenario["prosecutors"]} == {"city", "g1", "g2"}
    assert keys.post("city", f"/scenarios/{sid}/cases/c_city/roster").status_code == 200
    refused = keys.post("city", f"/scenarios/{sid}/cases/c_g3/roster")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["id"] == "c_g3"
    job = keys.post("city", "/jobs", json={"scenario_id": sid, "seconds": 5})
    assert job.status_code == 202 and job.json()["params"]["cases"] == ["c_city", "c_g1"]
    assert keys.post("city", "/scenarios", json=_province()).status_code == 403
    roster = keys.get("city", f"/rosters/{_whole_roster(keys, sid)}").json()["roster"]
    assert _case_ids(roster) == {"c_g1", "c_city"}


def test_grassroots_key_sees_its_own_office_only(keys: Keys) -> None:
    """g1's key sees only its case; another office's roster, job or commit is 404 to it,
    and committing or releasing another office's case is 403."""
    sid = _store(keys)
    assert _case_ids(keys.get("g1", f"/scenarios/{sid}").json()["scenario"]) == {"c_g1"}
    whole = _whole_roster(keys, sid)
    g3_job = keys.post("province", "/jobs", json={"scenario_id": sid, "cases": ["c_g3"],
                                                  "seconds": 5}).json()
    assert keys.get("g1", f"/jobs/{g3_job['id']}").status_code == 404
    assert keys.client.delete(f"/jobs/{g3_job['id']}", headers=keys.auth("g1")).status_code == 403
    assert keys.post("g1", f"/rosters/{whole}/commit",
                     json={"cases": ["c_g3"]}).status_code == 403
    mine = keys.post("g1", f"/rosters/{whole}/commit", json={})
    assert mine.status_code == 201 and mine.json()["cases"] == ["c_g1"]
    theirs = keys.post("province", f"/rosters/{whole}/commit", json={"cases": ["c_g3"]}).json()
    assert keys.get("g1", f"/commits/{theirs['id']}").status_code == 404
    listed = keys.get("g1", "/commitments").json()["items"]
    assert [c["case_id"] for c in listed] == ["c_g1"]
    released = keys.post("g1", f"/commitments/{theirs['commitments'][0]['id']}/release",
                         json={"reason": "not mine"})
    assert released.status_code == 403
    trail = keys.get("g1", "/audit").json()["items"]
    assert [(e["action"], e["unit_id"], e["case_id"]) for e in trail] == [
        ("assignment.committed", "g1", "c_g1")]


def test_viewer_key_reads_but_does_not_write(keys: Keys) -> None:
    """A viewer reads its jurisdiction but may not request rosters (403)."""
    sid = _store(keys)
    assert keys.get("g1 viewer", f"/scenarios/{sid}").status_code == 200
    assert keys.post("g1 viewer", f"/scenarios/{sid}/cases/c_g1/roster").status_code == 403
    assert keys.post("g1 viewer", "/jobs", json={"scenario_id": sid}).status_code == 403


def test_key_of_another_province_sees_nothing_here(keys: Keys) -> None:
    """Another province's key: reads are 404, writes 403, lists leave the scenario out."""
    sid = _store(keys)
    whole = _whole_roster(keys, sid)
    assert keys.get("elsewhere", f"/scenarios/{sid}").status_code == 404
    assert keys.get("elsewhere", f"/rosters/{whole}").status_code == 404
    assert keys.get("elsewhere", "/scenarios").json()["total"] == 0
    assert keys.post("elsewhere", "/jobs", json={"scenario_id": sid}).status_code == 403
    assert keys.post("elsewhere", f"/rosters/{whole}/commit", json={}).status_code == 403
    assert keys.post("elsewhere", "/scenarios", json=_province()).status_code == 403


def test_actor_in_the_audit_trail_is_the_key(keys: Keys) -> None:
    """Changes made with a key are recorded as made by that key, not anonymously."""
    sid = _store(keys)
    [created] = keys.get("province", "/audit", params={"scenario": sid}).json()["items"]
    assert created["actor"].startswith("key ") and "(prov, admin)" in created["actor"]


def test_keys_commands_create_list_and_revoke(database_url: str, tmp_path: Path) -> None:
    """`taskforce keys create` prints a working key once; `revoke` stops it at once; an
    unknown unit is a clear error, not a traceback."""
    runner = CliRunner()
    scenario_file = tmp_path / "province.json"
    scenario_file.write_text(json.dumps(_province()))
    made = runner.invoke(cli, ["keys", "create", "--unit", "g1", "--role", "planner",
                               "--scenario", str(scenario_file), "--database-url", database_url])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/scenarios", headers=bearer).status_code == 200
        key_id = token.split("_")[1]
        listed = runner.invoke(cli, ["keys", "list", "--database-url", database_url])
        assert key_id in listed.stdout and "active" in listed.stdout
        revoked = runner.invoke(cli, ["keys", "revoke", key_id, "--reason", "laptop lost",
                                      "--database-url", database_url])
        assert revoked.exit_code == 0, revoked.output
        assert client.get("/scenarios", headers=bearer).status_code == 401
    unknown = runner.invoke(cli, ["keys", "create", "--unit", "nowhere", "--role", "viewer",
                                  "--database-url", database_url])
    assert unknown.exit_code == 2
    assert "no stored scenario has unit 'nowhere'" in unknown.output


def test_a_stored_scenario_stays_in_its_province(keys: Keys) -> None:
    """Replacing a scenario with one of another province is refused (422): keys, rosters
    and commitments rely on a stored scenario's province."""
    sid = _store(keys)
    etag = keys.get("province", f"/scenarios/{sid}").headers["etag"]
    moved = keys.client.put(f"/scenarios/{sid}", json=json.loads(TUTORIAL.read_text()),
                            headers={**keys.auth("province"), "If-Match": etag})
    assert moved.status_code == 422
    assert "belongs to province 'prov'" in moved.json()["detail"]


def _admin_key_row(keys: Keys, how: str) -> str:
    """As a database administrator who bypassed `taskforce keys`: insert a province admin
    key with a secret of one's own choosing, or make the g1 planner's key a province
    admin's; the token that now works for it, if the service took the row at its word."""
    from sqlalchemy import update

    from api.access import hash_secret
    from api.tables import ApiKeyRow

    with keys.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        if how == "inserted":
            session.add(ApiKeyRow(id="feedfacefeedface", secret_hash=hash_secret("known"),
                                  name="mine", unit_id="prov", role="admin", province="prov",
                                  whole_province=True, units=["prov"]))
            token = "tf_feedfacefeedface_known"
        else:
            key_id = keys.tokens["g1"].split("_")[1]
            session.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id)
                            .values(role="admin", whole_province=True))
            token = keys.tokens["g1"]
        session.commit()
    return token


@pytest.mark.parametrize("how", ["inserted", "raised"])
def test_a_key_row_not_made_through_the_audit_trail_grants_nothing(
        keys: Keys, database_url: str, how: str) -> None:
    """A key row inserted into the database with a known secret, or an existing key's row
    edited to grant more, is refused (401), and `audit verify` reports it: key rows are
    sealed in their key.created entry (tester's finding 1)."""
    token = _admin_key_row(keys, how)
    assert token.startswith("tf_")
    answer = keys.client.get("/scenarios", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401, answer.text
    verdict = keys.get("province", "/audit/verify").json()
    assert not verdict["intact"]
    result = CliRunner().invoke(cli, ["audit", "verify", "--database-url", database_url])
    assert result.exit_code == 1 and "key" in result.output, result.output
