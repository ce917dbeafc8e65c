"""Commits: rosters made binding are load for every later solve in the province; a commit
that would double-book gets 409 naming who and when; release frees the people again."""

import re
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.settings import Settings
from api.tables import CommitmentRow, RosterRow
from checker import check_roster
from models import CaseRoster, Roster, Scenario, Slot, Status, TeamMember, parse_scenario
from tests.tiny import case, person, road, unit

WORKERS = 32
ROSTERS = 200
PEOPLE = 10


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url, solve_workers=1,
                                        require_keys=False))) as c:
        yield c


def _scenario(cases: list[dict[str, Any]], name: str = "province") -> dict[str, Any]:
    """Units 'a' (x, the near one) and 'b' (y, 100 minutes away, must keep 1 at home
    when it has two), one province 'p' above them."""
    return {"name": name,
            "units": [unit("p", tier="provincial"), unit("a", parent="p"),
                      unit("b", parent="p", min_staff=1)],
            "prosecutors": [person("x", "a"), person("y", "b"), person("z", "b")],
            "cases": cases, "roads": [road("a", "b", 100), road("a", "p", 50),
                                      road("b", "p", 50)]}


def _one(cid: str, load: float = 0.6, **extra: Any) -> dict[str, Any]:
    return case(cid, "a", team={"leader": None, "members": {"prosecutor": 1}, "load": load},
                **extra)


def _stored(client: TestClient, data: dict[str, Any]) -> str:
    created = client.post("/scenarios", json=data)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _roster_for(client: TestClient, sid: str, cid: str) -> dict[str, Any]:
    answer = client.post(f"/scenarios/{sid}/cases/{cid}/roster", params={"seconds": 5})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _team(roster: dict[str, Any], cid: str) -> set[str]:
    return {m["prosecutor"] for c in roster["roster"]["cases"] if c["id"] == cid for m in c["team"]}


def test_commit_binds_later_solves_in_the_province(client: TestClient) -> None:
    """After x is committed to c1, a solve of another scenario of the same province cannot
    give x a second 0.6 FTE case on those days, and re-solving c1 keeps the committed team."""
    sid = _stored(client, _scenario([_one("c1")]))
    first = _roster_for(client, sid, "c1")
    assert _team(first, "c1") == {"x"}
    committed = client.post(f"/rosters/{first['id']}/commit", json={"reason": "city request 9"})
    assert committed.status_code == 201, committed.text
    assert committed.headers["location"] == f"/commits/{committed.json()['id']}"
    assert [(c["prosecutor_id"], c["case_id"], c["province"]) for c in
            committed.json()["commitments"]] == [("x", "c1", "p")]

    other = _stored(client, _scenario([_one("c2")], name="another scenario"))
    assert _team(_roster_for(client, other, "c2"), "c2") in ({"y"}, {"z"})
    assert _team(_roster_for(client, sid, "c1"), "c1") == {"x"}

    entries = client.get("/audit", params={"prosecutor": "x"}).json()["items"]
    assert [(e["action"], e["case_id"], e["reason"]) for e in entries] == [
        ("assignment.committed", "c1", "city request 9")]


def test_commit_without_a_body_commits_every_staffed_case(client: TestClient) -> None:
    """A commit with no body at all takes the roster's staffed cases, as `{}` does (an
    outside tester's bare POST got a 422 'body: Field required')."""
    sid = _stored(client, _scenario([_one("c1")]))
    first = _roster_for(client, sid, "c1")
    committed = client.post(f"/rosters/{first['id']}/commit")
    assert committed.status_code == 201, committed.text
    assert [c["case_id"] for c in committed.json()["commitments"]] == ["c1"]


def test_a_commit_whose_body_is_one_long_number_commits_nothing(client: TestClient) -> None:
    """A commit whose whole body is a 5,000-digit number is a 422 at `body`, and nothing
    is committed: pydantic, validating from attributes as FastAPI asks, took the number
    for an object with no attributes and the request for `{}`, and every staffed case was
    committed (an outside tester's find)."""
    sid = _stored(client, _scenario([_one("c1")]))
    first = _roster_for(client, sid, "c1")
    answer = client.post(f"/rosters/{first['id']}/commit", content="9" * 5000,
                         headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == ["body"]
    assert client.get("/commitments").json()["items"] == []


def test_racing_commit_gets_409_naming_person_and_days(client: TestClient) -> None:
    """Two rosters solved before either was committed both take x; the second commit is
    refused with x's name and the days in conflict, and nothing of it is stored."""
    sid = _stored(client, _scenario([_one("c1"), _one("c2", start="2022-01-09",
                                                      end="2022-01-12")]))
    r1, r2 = _roster_for(client, sid, "c1"), _roster_for(client, sid, "c2")
    assert _team(r1, "c1") == _team(r2, "c2") == {"x"}
    assert client.post(f"/rosters/{r1['id']}/commit", json={}).status_code == 201
    refused = client.post(f"/rosters/{r2['id']}/commit", json={})
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    [error] = refused.json()["errors"]
    assert error["id"] == "x"
    assert "X would be over capacity on 2022-01-09, 2022-01-10" in error["message"]
    # It names the commit holding x on those days: which case, who, when.
    assert re.search(r"held by case c1, committed by anonymous at \d{4}-\d\d-\d\d \d\d:\d\d UTC",
                     error["message"]), error["message"]
    assert client.get("/commitments", params={"case": "c2"}).json()["total"] == 0
    # Solved again, the roster sees the commitment and takes y instead; that one commits.
    again = _roster_for(client, sid, "c2")
    assert _team(again, "c2") in ({"y"}, {"z"})
    assert client.post(f"/rosters/{again['id']}/commit", json={}).status_code == 201


def test_commit_refused_when_an_office_would_fall_below_home_staffing(client: TestClient) -> None:
    """'b' must keep one of y and z at home: two rosters sending one each cannot both commit."""
    far = {"leader": None, "members": {"prosecutor": 1}, "load": 0.5}
    sid = _stored(client, _scenario([
        case("k1", "p", team=far, exclude_units=["a"], exclude_prosecutors=["z"]),
        case("k2", "p", team=far, exclude_units=["a"], exclude_prosecutors=["y"])]))
    r1, r2 = _roster_for(client, sid, "k1"), _roster_for(client, sid, "k2")
    assert (_team(r1, "k1"), _team(r2, "k2")) == ({"y"}, {"z"})
    assert client.post(f"/rosters/{r1['id']}/commit", json={}).status_code == 201
    refused = client.post(f"/rosters/{r2['id']}/commit", json={})
    assert refused.status_code == 409
    assert [(e["path"], e["id"]) for e in refused.json()["errors"]] == [("units", "b")]
    assert "B would keep too few prosecutors at home on 2022-01-01" in \
        refused.json()["errors"][0]["message"]


def test_release_frees_the_person_and_is_audited(client: TestClient) -> None:
    """A released commitment no longer counts: the refused roster commits after it."""
    sid = _stored(client, _scenario([_one("c1"), _one("c2")]))
    r1, r2 = _roster_for(client, sid, "c1"), _roster_for(client, sid, "c2")
    made = client.post(f"/rosters/{r1['id']}/commit", json={}).json()
    assert client.post(f"/rosters/{r2['id']}/commit", json={}).status_code == 409
    cid = made["commitments"][0]["id"]
    assert client.post(f"/commitments/{cid}/release", json={}).status_code == 422
    released = client.post(f"/commitments/{cid}/release", json={"reason": "case closed"})
    assert released.status_code == 200
    assert released.json()["release_reason"] == "case closed"
    assert client.post(f"/commitments/{cid}/release",
                       json={"reason": "again"}).status_code == 409
    assert client.get("/commitments", params={"case": "c1"}).json()["total"] == 0
    assert client.get("/commitments", params={"case": "c1", "active": False}).json()["total"] == 1
    assert client.post(f"/rosters/{r2['id']}/commit", json={}).status_code == 201
    actions = [(e["action"], e["reason"]) for e in
               client.get("/audit", params={"case": "c1"}).json()["items"]]
    assert ("assignment.released", "case closed") in actions


def test_commit_takes_chosen_cases_and_refuses_a_second_commit_of_them(
        client: TestClient) -> None:
    """Only the chosen case is committed; an unknown or unstaffed one is 422; committing
    the same case again is 409 until released."""
    sid = _stored(client, _scenario([_one("c1", load=0.2), _one("c2", load=0.2,
                                                                start="2022-02-01",
                                                                end="2022-02-05")]))
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    client.app.state.runner.wait_for(job["id"], {"done"}, 30)  # type: ignore[attr-defined]
    roster_id = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    assert client.post(f"/rosters/{roster_id}/commit",
                       json={"cases": ["nope"]}).status_code == 422
    made = client.post(f"/rosters/{roster_id}/commit", json={"cases": ["c2"]})
    assert made.status_code == 201 and made.json()["cases"] == ["c2"]
    again = client.post(f"/rosters/{roster_id}/commit", json={"cases": ["c2"]})
    assert again.status_code == 409
    # The same roster committed again: the answer says so, and who did it when.
    assert again.json()["detail"] == "this roster is committed already"
    [error] = again.json()["errors"]
    assert (error["path"], error["id"], error["code"]) == ("cases", "c2",
                                                           "invalid.committed_already_this")
    assert re.fullmatch(r"committed already from this same roster \(by anonymous at "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\): release it first to commit again",
                        error["message"]), error["message"]


def test_commit_idempotency_key(client: TestClient) -> None:
    """A retried commit with the same key gets the same commit; another body, 422."""
    sid = _stored(client, _scenario([_one("c1")]))
    r1 = _roster_for(client, sid, "c1")
    key = {"Idempotency-Key": "commit-17"}
    first = client.post(f"/rosters/{r1['id']}/commit", json={}, headers=key)
    retry = client.post(f"/rosters/{r1['id']}/commit", json={}, headers=key)
    assert first.status_code == retry.status_code == 201
    assert first.json()["id"] == retry.json()["id"]
    other = client.post(f"/rosters/{r1['id']}/commit", json={"reason": "x"}, headers=key)
    assert other.status_code == 422
    assert client.get("/commitments").json()["total"] == 1


def _race_scenario() -> Scenario:
    """Ten prosecutors at one office and 200 one-person cases of 0.5 FTE, three days each,
    crowded into three weeks: each person can hold at most two at a time."""
    start = date(2022, 3, 1)
    cases = [case(f"k{i}", "a", start=(start + timedelta(days=i % 20)).isoformat(),
                  end=(start + timedelta(days=i % 20 + 2)).isoformat(),
                  team={"leader": None, "members": {"prosecutor": 1}, "load": 0.5})
             for i in range(ROSTERS)]
    return parse_scenario({"name": "race", "units": [unit("a")],
                           "prosecutors": [person(f"p{i}", "a") for i in range(PEOPLE)],
                           "cases": cases})


def test_concurrent_commits_never_double_book(client: TestClient) -> None:
    """32 workers commit 200 one-case rosters that all draw on the same 10 people. Every
    answer is 201 or 409, never 5xx, and afterwards nobody is over capacity on any day."""
    scenario = _race_scenario()
    sid = _stored(client, scenario.model_dump(mode="json"))
    # Each roster is valid on its own (one person, half their capacity); together they clash.
    ids = []
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        for i, c in enumerate(scenario.cases):
            member = TeamMember(case=c.id, prosecutor=f"p{i % PEOPLE}", slot=Slot.PROSECUTOR,
                                on_site=True)
            roster = Roster(scenario=scenario.name, status=Status.FEASIBLE,
                            cases=[CaseRoster(id=c.id, staffed=True, team=[member])])
            ids.append(uuid4().hex)
            session.add(RosterRow.of(roster, id=ids[-1], scenario_id=sid, scenario_version=1,
                                     params={}))
        session.commit()

    def commit(roster_id: str) -> int:
        return client.post(f"/rosters/{roster_id}/commit", json={}).status_code

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        statuses = list(pool.map(commit, ids))
    assert set(statuses) == {201, 409}, sorted(set(statuses))

    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        rows = session.scalars(select(CommitmentRow)).all()
    assert len(rows) == statuses.count(201)
    daily: dict[tuple[str, date], float] = defaultdict(float)
    for r in rows:
        for d in range((r.end - r.start).days + 1):
            daily[r.prosecutor_id, r.start + timedelta(days=d)] += r.load
    assert max(daily.values()) <= 1.0
    # The independent checker agrees: the committed teams together are one valid roster.
    committed = {r.case_id: r.prosecutor_id for r in rows}
    together = Roster(scenario="race", status=Status.FEASIBLE, cases=[
        CaseRoster(id=c.id, staffed=c.id in committed,
                   team=[TeamMember(case=c.id, prosecutor=committed[c.id],
                                    slot=Slot.PROSECUTOR, on_site=True)]
                   if c.id in committed else [])
        for c in scenario.cases])
    assert check_roster(scenario, together).ok


def test_utilisation_shows_daily_load_with_commitments_and_home_staffing(
        client: TestClient) -> None:
    """A roster's utilisation: each serving person's load per day, commitments included,
    and the home staffing of the office it sends someone away from."""
    sid = _stored(client, _scenario([_one("c1", load=0.3, end="2022-01-05")]))
    r1 = _roster_for(client, sid, "c1")
    assert client.post(f"/rosters/{r1['id']}/commit", json={}).status_code == 201
    other = _stored(client, _scenario([_one("c2", load=0.6, end="2022-01-05"),
                                       _one("c3", load=0.5, start="2022-01-04",
                                            end="2022-01-05")], name="another"))
    job = client.post("/jobs", json={"scenario_id": other, "seconds": 5}).json()
    client.app.state.runner.wait_for(job["id"], {"done"}, 30)  # type: ignore[attr-defined]
    roster_id = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    roster = client.get(f"/rosters/{roster_id}").json()
    teams = {c["id"]: c["team"][0]["prosecutor"] for c in roster["roster"]["cases"]}
    assert teams["c3"] == "x"  # x has 0.3 committed: 0.6 more would not fit, 0.5 does
    answer = client.get(f"/rosters/{roster_id}/utilisation")
    assert answer.status_code == 200
    body = answer.json()
    assert body["days"][0] == "2022-01-01" and len(body["days"]) == 5
    by_id = {p["id"]: p["load"] for p in body["people"]}
    assert by_id["x"] == [0.3, 0.3, 0.3, 0.8, 0.8]
    assert by_id[teams["c2"]] == [0.6] * 5
    [office] = body["offices"]
    assert (office["unit"], office["at_home"], office["need"]) == ("b", [1] * 5, [1] * 5)


def test_concurrent_retries_with_one_key_all_get_the_first_answer(client: TestClient) -> None:
    """20 threads send the same commit with one Idempotency-Key at once: one commit is
    made, and every caller gets 201 with the same body, none a 409 'committed already'."""
    sid = _stored(client, _scenario([_one("c1")]))
    roster = _roster_for(client, sid, "c1")
    key = {"Idempotency-Key": "retry-storm"}

    def commit(_: int) -> tuple[int, Any]:
        answer = client.post(f"/rosters/{roster['id']}/commit", json={"reason": "r"},
                             headers=key)
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(commit, range(20)))
    assert {status for status, _ in answers} == {201}, answers
    assert all(body == answers[0][1] for _, body in answers)
    assert client.get("/commitments").json()["total"] == 1
