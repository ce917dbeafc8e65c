"""Load: a burst of 200 concurrent mixed requests against a real uvicorn server gets no
5xx and no long stall; whatever is turned away says when to come back (issue 17)."""

from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from api.db import sessions
from api.keys import create_key
from api.seal import seal_for
from api.settings import Settings
from api.tables import CommitmentRow, RosterRow
from models import CaseRoster, Roster, Scenario, Slot, Status, TeamMember, parse_scenario
from models.enums import KeyRole
from tests.load import NO_ANSWER, Call, burst, live_server
from tests.tiny import case, person, unit

READS, SOLVES, COMMITS = 100, 35, 65
PEOPLE = 10
# A request that waits longer than this has stalled (defect 1 stalled for 30 s, then 500).
STALL_SECONDS = 25


def _province() -> Scenario:
    """Ten prosecutors at one office under a province, and a one-person case of 0.5 FTE a
    day for each commit, crowded into three weeks so that commits clash."""
    start = date(2022, 3, 1)
    cases = [case(f"k{i}", "a", start=(start + timedelta(days=i % 20)).isoformat(),
                  end=(start + timedelta(days=i % 20 + 2)).isoformat(),
                  team={"leader": None, "members": {"prosecutor": 1}, "load": 0.5})
             for i in range(COMMITS)]
    return parse_scenario({"name": "load", "units": [unit("p", tier="provincial"),
                                                     unit("a", parent="p")],
                           "prosecutors": [person(f"x{i}", "a") for i in range(PEOPLE)],
                           "cases": cases})


def _prepare(database_url: str, scenario: Scenario, sid_holder: list[str]) -> list[str]:
    """One stored roster per case, each valid alone, to be committed all at once."""
    engine = create_engine(database_url)
    ids = []
    with Session(engine) as session:
        for i, c in enumerate(scenario.cases):
            member = TeamMember(case=c.id, prosecutor=f"x{i % PEOPLE}", slot=Slot.PROSECUTOR,
                                on_site=True)
            roster = Roster(scenario=scenario.name, status=Status.FEASIBLE,
                            cases=[CaseRoster(id=c.id, staffed=True, team=[member])])
            ids.append(uuid4().hex)
            session.add(RosterRow.of(roster, id=ids[-1], scenario_id=sid_holder[0],
                                     scenario_version=1, params={}))
        session.commit()
    engine.dispose()
    return ids


def test_a_burst_of_200_mixed_requests_gets_no_server_error(database_url: str,
                                                            tmp_path: Path) -> None:
    """100 reads, 35 one-case solves and 65 commits, sent at the same moment with a
    province key: none gets a 5xx or waits for 25 s; solves beyond the solve slots get 429
    with Retry-After; commits get 201 or 409, and nobody is booked over capacity."""
    scenario = _province()
    settings = Settings(database_url=database_url, solve_workers=1)
    with live_server(settings) as base:
        import httpx2

        engine = create_engine(database_url)
        with sessions(engine, seal_for(settings))() as session:
            token = create_key(session, unit="p", role=KeyRole.ADMIN, name="load",
                               scenario=scenario)[1]
            session.commit()
        engine.dispose()
        auth = {"Authorization": f"Bearer {token}"}
        stored = httpx2.post(f"{base}/scenarios", json=scenario.model_dump(mode="json"),
                             headers=auth, timeout=60)
        assert stored.status_code == 201, stored.text
        sid = stored.json()["id"]
        rosters = _prepare(database_url, scenario, [sid])
        calls = ([Call("read", "GET", url) for url in
                  (["/scenarios", f"/scenarios/{sid}", "/audit", "/commitments"] * READS)[:READS]]
                 + [Call("solve", "POST", f"/scenarios/{sid}/cases/k{i}/roster?seconds=1")
                    for i in range(SOLVES)]
                 + [Call("commit", "POST", f"/rosters/{r}/commit", json={}) for r in rosters])
        outcomes = burst(base, auth, calls)
    by_kind = Counter((o.kind, o.status) for o in outcomes)
    assert all(NO_ANSWER < o.status < 500 for o in outcomes), by_kind
    assert max(o.seconds for o in outcomes) < STALL_SECONDS, by_kind
    assert all(o.retry_after for o in outcomes if o.status in (429, 503)), by_kind
    assert {o.status for o in outcomes if o.kind == "read"} <= {200, 429}, by_kind
    assert {o.status for o in outcomes if o.kind == "solve"} <= {200, 429}, by_kind
    assert {o.status for o in outcomes if o.kind == "commit"} <= {201, 409, 429}, by_kind
    assert by_kind["commit", 201] >= 1 and by_kind["solve", 200] >= 1, by_kind

    engine = create_engine(database_url)
    with Session(engine) as session:
        rows = session.scalars(select(CommitmentRow)).all()
    engine.dispose()
    daily: Counter[tuple[str, date]] = Counter()
    for r in rows:
        for d in range((r.end - r.start).days + 1):
            daily[r.prosecutor_id, r.start + timedelta(days=d)] += round(r.load * 10)
    assert max(daily.values()) <= 10
