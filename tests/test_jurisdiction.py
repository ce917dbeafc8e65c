"""No answer to a key carries a case, person or office outside its jurisdiction, and a
write on what a key only partly sees is refused (issue 17, defects 3 to 7)."""

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from api.access import Caller, roster_view
from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from api.tables import AuditRow, JobRow
from api.workbooks import XLSX
from models import parse_scenario
from models.enums import KeyRole
from scheduler import solve
from tests.test_audit import _bypass_append_only
from tests.tiny import case, person, unit

UNITS = ("prov", "city", "city2", "g1", "g2", "g3")
# What each key must never be shown. Its own offices, the offices above them, its cases
# and its people are its own; everything else here is foreign.
FOREIGN = {
    "city": {"c_g3", "p_city2", "p_g3", "p_prov", "city2", "g3"},
    "g1": {"c_g3", "c_city", "p_city2", "p_g3", "p_city", "p_g2", "p_prov", "city2", "g3",
           "g2"},
    "elsewhere": {"c_g1", "c_g3", "c_city", *(f"p_{u}" for u in UNITS), *UNITS},
}


def _province() -> dict[str, Any]:
    """Province 'prov' with cities 'city' (offices g1, g2) and 'city2' (office g3); cases
    led by g1, g3 and the city, each needing its own office's prosecutor, so every team
    stays at home and a key's cases name none of the others' people."""

    def one(cid: str, lead: str) -> dict[str, Any]:
        return case(cid, lead, require_prosecutors=[f"p_{lead}"],
                    team={"leader": None, "members": {"prosecutor": 1}, "load": 0.2})

    return {"name": "province",
            "units": [unit("prov", tier="provincial"),
                      unit("city", tier="municipal", parent="prov"),
                      unit("city2", tier="municipal", parent="prov"), unit("g1", parent="city"),
                      unit("g2", parent="city"), unit("g3", parent="city2")],
            "prosecutors": [person(f"p_{u}", u) for u in UNITS],
            "cases": [one("c_g1", "g1"), one("c_g3", "g3"), one("c_city", "city")]}


class Service:
    """A client on a service that requires keys, with keys of every level."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        scenario = parse_scenario(_province())
        other = parse_scenario({"name": "other", "units": [unit("elsewhere", tier="provincial")]})
        with client.app.state.sessions() as session:  # type: ignore[attr-defined]
            self.tokens = {
                name: create_key(session, unit=u, role=role, name=name, scenario=s)[1]
                for name, u, role, s in [("province", "prov", KeyRole.ADMIN, scenario),
                                         ("city", "city", KeyRole.PLANNER, scenario),
                                         ("g1", "g1", KeyRole.PLANNER, scenario),
                                         ("elsewhere", "elsewhere", KeyRole.ADMIN, other)]}
            session.commit()

    def call(self, key: str, method: str, url: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[key]}"} | kw.pop("headers", {})
        return self.client.request(method, url, headers=headers, **kw)

    def solved(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Submit a solve and wait until it is done; the job."""
        job = self.call(key, "POST", "/jobs", json=body | {"seconds": 5})
        assert job.status_code == 202, job.text
        runner = self.client.app.state.runner  # type: ignore[attr-defined]
        assert runner.wait_for(job.json()["id"], {"done"}, 60) == "done"
        return dict(self.call(key, "GET", f"/jobs/{job.json()['id']}").json())


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    with TestClient(create_app(Settings(database_url=database_url, solve_workers=1))) as c:
        yield Service(c)


def _foreign_in(text: str, foreign: set[str]) -> set[str]:
    """The foreign ids (or office names, ids title-cased) that appear in `text` as words."""
    return {i for i in foreign
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(i)}(?![A-Za-z0-9_])", text, re.I)}


def test_no_get_route_shows_a_key_anything_outside_its_jurisdiction(service: Service) -> None:
    """Every GET route of the OpenAPI schema, called with a city, a grassroots and another
    province's key on a province-wide roster, job and commit (and the city's own job): no
    body names a case, person or office outside the key's jurisdiction."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    whole = service.solved("province", {"scenario_id": sid})
    commit = service.call("province", "POST", f"/rosters/{whole['roster_id']}/commit",
                          json={"reason": "c_g3 and c_city need teams now"})
    assert commit.status_code == 201, commit.text
    city_job = service.solved("city", {"scenario_id": sid})
    sweep = service.call("province", "POST", f"/rosters/{whole['roster_id']}/sweeps",
                         json={"absent": "each-office"})
    assert sweep.status_code == 201, sweep.text
    variant = service.call("province", "POST", f"/scenarios/{sid}/what-if",
                           params={"seconds": 2},
                           json={"base_roster_id": whole["roster_id"],
                                 "variants": [{"name": "c_g3 moves", "patch": []}]})
    assert variant.status_code == 200, variant.text
    ids = {"scenario_id": sid, "version": "1", "job_id": whole["id"],
           "roster_id": whole["roster_id"], "commit_id": commit.json()["id"],
           "case_id": "c_g1", "lang": "zh", "sweep_id": sweep.json()["id"],
           "variant_id": variant.json()["variants"][0]["scenario_id"]}
    paths = service.client.get("/openapi.json").json()["paths"]
    routes = [p for p, ops in paths.items() if "get" in ops]
    assert {"/jobs/{job_id}", "/commits/{commit_id}", "/audit/verify"} <= set(routes)
    for key, foreign in FOREIGN.items():
        for route in routes:
            for job in (whole["id"], city_job["id"]):
                url = route.format(**(ids | {"job_id": job}))
                answer = service.call(key, "GET", url)
                assert answer.status_code < 500, (key, url, answer.text)
                # A problem's `instance` echoes the path the caller typed: not a leak.
                leaked = _foreign_in(answer.text.replace(url, ""), foreign)
                assert not leaked, (key, url, leaked, answer.text[:2000])
        # The roster's workbook shows no more than its JSON: every string in every sheet.
        book = service.call(key, "GET", f"/rosters/{whole['roster_id']}",
                            headers={"Accept": XLSX})
        if book.status_code == 200:
            with zipfile.ZipFile(io.BytesIO(book.content)) as z:
                xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                               if n.endswith(".xml"))
            # The words in cells and the sheets' names, not cell references such as G3.
            words = re.findall(r"<t[^>]*>([^<]*)</t>|<sheet name=\"([^\"]*)\"", xml)
            text = " ".join(a or b for a, b in words)
            assert not _foreign_in(text, foreign), (key, _foreign_in(text, foreign))


def test_a_partial_key_sees_its_cases_but_not_the_whole_roster(service: Service) -> None:
    """A grassroots key reading a city job sees its own case's team, but neither the other
    cases' ids in the job's parameters nor the whole roster's objective or progress."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    city_job = service.solved("city", {"scenario_id": sid})
    seen = service.call("g1", "GET", f"/jobs/{city_job['id']}").json()
    assert seen["params"]["cases"] == ["c_g1"]
    assert [c["id"] for c in seen["roster"]["cases"]] == ["c_g1"]
    assert seen["roster"]["objective"] is None and seen["progress"] is None
    roster = service.call("g1", "GET", f"/rosters/{city_job['roster_id']}").json()
    assert roster["params"]["cases"] == ["c_g1"] and roster["roster"]["objective"] is None


def test_a_partial_key_sees_no_figures_of_the_whole_roster() -> None:
    """`roster_view` for a grassroots key leaves out every figure of the whole roster:
    objective, bounds, gap and how many of its parts were proven."""
    s = parse_scenario(_province())
    whole = solve(s, seconds=5, workers=1, seed=0).model_copy(
        update={"parts": 3, "parts_proven": 1})
    g1 = Caller(key_id="k", unit="g1", role=KeyRole.VIEWER, province=s.province,
                units=frozenset({"g1"}))
    seen = roster_view(g1, s, whole)
    assert seen is not None and [c.id for c in seen.cases] == ["c_g1"]
    for field in ("objective", "baseline", "bound", "gap", "priority_bound", "parts",
                  "parts_proven"):
        assert getattr(seen, field) is None, field
    assert roster_view(Caller(key_id="p", unit=None, role=KeyRole.VIEWER,
                              province=s.province, units=None), s, whole) is whole


def test_a_partial_key_reads_only_its_part_of_a_commit(service: Service) -> None:
    """A commit of three cases, read with the grassroots key: its one case, and not who
    made the commit, why, or from which roster."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    whole = service.solved("province", {"scenario_id": sid})
    made = service.call("province", "POST", f"/rosters/{whole['roster_id']}/commit",
                        json={"reason": "all three"}).json()
    seen = service.call("g1", "GET", f"/commits/{made['id']}").json()
    assert seen["cases"] == ["c_g1"]
    assert [c["case_id"] for c in seen["commitments"]] == ["c_g1"]
    assert (seen["roster_id"], seen["actor"], seen["reason"]) == (None, None, None)
    full = service.call("province", "GET", f"/commits/{made['id']}").json()
    assert full["reason"] == "all three" and len(full["cases"]) == 3


def test_audit_verify_counts_only_the_keys_entries(service: Service) -> None:
    """/audit/verify tells a key how many entries of its own jurisdiction it checked, not
    how many the whole trail (every province) holds."""
    service.call("province", "POST", "/scenarios", json=_province())
    for key in ("g1", "elsewhere", "province"):
        verdict = service.call(key, "GET", "/audit/verify").json()
        assert verdict["intact"]
        assert verdict["entries"] == service.call(key, "GET", "/audit").json()["total"], key


def test_a_break_in_another_provinces_newer_entries_is_not_told(service: Service) -> None:
    """An entry of province 'prov' edited behind the service's back: its admin is told the
    trail is broken; the other province's key, whose entries all come before, is told its
    entries are intact, and learns nothing of the other province's."""
    service.call("province", "POST", "/scenarios", json=_province())
    with service.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        newest = session.scalar(select(func.max(AuditRow.seq)))
        _bypass_append_only(session)
        session.execute(update(AuditRow).where(AuditRow.seq == newest).values(reason="x"))
        session.commit()
    assert not service.call("province", "GET", "/audit/verify").json()["intact"]
    theirs = service.call("elsewhere", "GET", "/audit/verify").json()
    assert theirs["intact"] and theirs["broken_at"] is None and theirs["problem"] is None


def test_a_provinces_keys_see_no_links_between_entries(service: Service) -> None:
    """Entries show a key of one province no `prev_hash`: a link that does not match the
    entry before it would tell where other provinces' entries lie between."""
    service.call("province", "POST", "/scenarios", json=_province())
    for key in ("province", "elsewhere"):
        items = service.call(key, "GET", "/audit").json()["items"]
        assert items and all(e["prev_hash"] is None and e["hash"] for e in items), key


def test_cancelling_a_job_takes_a_key_that_leads_all_its_cases(service: Service) -> None:
    """A grassroots planner leading one case of a city job may not cancel it (403), whether
    the job is still queued or finished; the city's key may."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    done = service.solved("city", {"scenario_id": sid})
    assert service.call("g1", "DELETE", f"/jobs/{done['id']}").status_code == 403
    assert service.call("city", "DELETE", f"/jobs/{done['id']}").status_code == 409
    mine = service.solved("g1", {"scenario_id": sid})
    assert service.call("g1", "DELETE", f"/jobs/{mine['id']}").status_code == 409



def test_key_events_are_shown_to_the_provinces_admins(service: Service) -> None:
    """Making keys is recorded; the province's admin key sees those entries in /audit,
    other provinces' and lower keys do not."""
    def made(key: str) -> list[Any]:
        entries = service.call(key, "GET", "/audit").json()["items"]
        return [e["details"]["key"] for e in entries if e["action"] == "key.created"]

    assert len(made("province")) == 3
    assert made("city") == made("g1") == []
    assert len(made("elsewhere")) == 1


def test_a_failed_jobs_error_does_not_name_other_offices_cases(service: Service) -> None:
    """A job's error text (which may quote any case of the job) shows a partial key no
    other office's case id."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    city_job = service.solved("city", {"scenario_id": sid})
    with service.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        session.execute(update(JobRow).where(JobRow.id == city_job["id"]).values(
            state="failed", error="ValueError: c_city and c_g1 clash"))
        session.commit()
    error = service.call("g1", "GET", f"/jobs/{city_job['id']}").json()["error"]
    assert "c_city" not in error and "c_g1" in error


@pytest.mark.parametrize("same_body", [True, False])
def test_an_idempotency_key_belongs_to_the_key_that_sent_it(service: Service,
                                                             same_body: bool) -> None:
    """Two offices that happen to pick the same Idempotency-Key each get their own job:
    never the other's job id (with the same body) nor a 422 saying the key was taken by
    another request (which told them what others had sent). A retry by the same key
    still returns its first job (tester's finding 3)."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    key = {"Idempotency-Key": "monday-plan"}
    g1_body = {"scenario_id": sid, "cases": ["c_g1"], "seconds": 1}
    city_body = g1_body if same_body else {"scenario_id": sid, "seconds": 1}
    first = service.call("g1", "POST", "/jobs", json=g1_body, headers=key)
    other = service.call("city", "POST", "/jobs", json=city_body, headers=key)
    assert first.status_code == other.status_code == 202, other.text
    assert other.json()["id"] != first.json()["id"]
    retry = service.call("g1", "POST", "/jobs", json=g1_body, headers=key)
    assert retry.json()["id"] == first.json()["id"]


def test_a_key_sees_its_person_on_another_offices_case_but_not_the_case(
        service: Service) -> None:
    """When a grassroots office's prosecutor serves on a case the city leads, that office
    sees its person's committed days and load, but not the city's case, venue, who
    committed it or why, nor who released it and why: in /commitments (released ones
    included), /commits/{id}, /audit and its CSV export (tester's finding 3)."""
    data = _province()
    borrowed = next(c for c in data["cases"] if c["id"] == "c_city")
    borrowed.update(require_prosecutors=["p_g1"], start="2022-02-01", end="2022-02-10")
    sid = service.call("province", "POST", "/scenarios", json=data).json()["id"]
    whole = service.solved("province", {"scenario_id": sid})
    made = service.call("province", "POST", f"/rosters/{whole['roster_id']}/commit",
                        json={"reason": "the city's secret plan"}).json()
    city_row = next(c for c in made["commitments"] if c["case_id"] == "c_city")
    assert city_row["prosecutor_id"] == "p_g1"
    released = service.call("city", "POST", f"/commitments/{city_row['id']}/release",
                            json={"reason": "witness protection"})
    assert released.status_code == 200, released.text
    listed = service.call("g1", "GET", "/commitments", params={"active": "false"}).json()
    seen = service.call("g1", "GET", f"/commits/{made['id']}").json()
    trail = service.call("g1", "GET", "/audit").json()
    export = service.call("g1", "GET", "/audit/export.csv").text
    # Its person's entries are still there, its own case named, the foreign one not.
    assert {e["case_id"] for e in trail["items"] if e["prosecutor_id"] == "p_g1"} == {
        "c_g1", "(outside your jurisdiction)"}
    for text in (str(listed), str(seen), str(trail), export):
        for secret in ("c_city", "witness protection", "secret plan", "'city'",
                       "key "):
            assert secret not in text, (secret, text)
    assert seen["cases"] == ["c_g1"]
    assert {c["prosecutor_id"] for c in listed["items"]} == {"p_g1"}
    assert len(listed["items"]) == 2
    by_case = service.call("g1", "GET", "/commitments",
                           params={"active": "false", "case": "c_city"}).json()
    assert by_case["total"] == 0


def test_refusing_a_cancel_does_not_count_foreign_cases(service: Service) -> None:
    """A key refused a cancel because the job reaches outside its jurisdiction is told
    only that, not how many other offices' cases the job solves (tester's finding 3)."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    job = service.call("city", "POST", "/jobs", json={"scenario_id": sid, "seconds": 1})
    refused = service.call("g1", "DELETE", f"/jobs/{job.json()['id']}")
    assert refused.status_code == 403
    assert "outside your jurisdiction" in refused.json()["detail"]
    assert not any(ch.isdigit() for ch in refused.json()["detail"].split("'")[-1])


def test_scenario_names_do_not_name_other_offices_things(service: Service) -> None:
    """A scenario (or what-if) name that names another office's case, person or office is
    shown to a partial key with those ids blanked out, in the list, in the scenario read
    and in its body; the province's key sees it whole (tester's finding 3)."""
    data = _province() | {"name": "c_g3 needs p_city2 from city2, c_g1 stays"}
    sid = service.call("province", "POST", "/scenarios", json=data).json()["id"]
    listed = service.call("g1", "GET", "/scenarios").json()["items"]
    read = service.call("g1", "GET", f"/scenarios/{sid}").json()
    for name in (listed[0]["name"], read["name"], read["scenario"]["name"]):
        assert "c_g1 stays" in name
        assert not any(i in name for i in ("c_g3", "p_city2", "city2")), name
    whole = service.call("province", "GET", f"/scenarios/{sid}").json()
    assert whole["name"] == data["name"]


def test_audit_numbers_do_not_count_other_provinces_entries(service: Service) -> None:
    """Entries shown to a province's keys are numbered 1, 2, 3 ... among that province's
    own, in /audit and its export: gaps in the chain's numbers would show how much other
    provinces did, and when (tester's finding 3)."""
    service.call("elsewhere", "POST", "/scenarios",
                 json={"name": "other", "units": [unit("elsewhere", tier="provincial")]})
    service.call("province", "POST", "/scenarios", json=_province())
    service.call("elsewhere", "POST", "/scenarios",
                 json={"name": "other 2", "units": [unit("elsewhere", tier="provincial")]})
    service.call("province", "POST", "/scenarios", json=_province())
    for key in ("province", "elsewhere"):
        seqs = [e["seq"] for e in service.call(key, "GET", "/audit").json()["items"]]
        assert seqs == list(range(1, len(seqs) + 1)), (key, seqs)
        rows = service.call(key, "GET", "/audit/export.csv").text.splitlines()[1:]
        assert [int(r.split(",")[0]) for r in rows] == seqs


def test_a_partial_key_gets_no_alternatives_for_a_single_case(service: Service) -> None:
    """A grassroots key asking its own case's roster with `alternatives: 3` gets the best
    team and no alternatives: they carry figures of the whole roster."""
    sid = service.call("province", "POST", "/scenarios", json=_province()).json()["id"]
    mine = service.call("g1", "POST", f"/scenarios/{sid}/cases/c_g1/roster?seconds=2",
                        json={"alternatives": 3})
    assert mine.status_code == 200, mine.text
    assert mine.json()["roster"]["alternatives"] == []
    assert mine.json()["params"]["alternatives"] == 1
