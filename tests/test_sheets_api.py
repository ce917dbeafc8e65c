"""The service takes a scenario as a workbook (multipart) and gives a roster as one."""

import json
from io import BytesIO
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.workbooks import XLSX
from models import parse_scenario
from sheets import scenario_workbook

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


def test_post_scenarios_takes_a_workbook(client: TestClient) -> None:
    """A multipart form with the tutorial as a Chinese workbook stores the same scenario as
    its JSON would."""
    book = scenario_workbook(parse_scenario(TUTORIAL), "zh")
    made = client.post("/scenarios", files={"workbook": ("教程.xlsx", book, XLSX)})
    assert made.status_code == 201, made.text
    assert parse_scenario(made.json()["scenario"]) == parse_scenario(TUTORIAL)


def test_a_bad_workbook_is_422_with_every_problem(client: TestClient) -> None:
    """A workbook with a wrong cell is a problem+json 422 naming sheet, row, column and id
    in the Accept-Language, and nothing is stored; a form without the file is 422 too."""
    wb = load_workbook(BytesIO(scenario_workbook(parse_scenario(TUTORIAL), "zh")))
    wb["人员"]["F2"] = "twenty"
    out = BytesIO()
    wb.save(out)
    bad = client.post("/scenarios", files={"workbook": ("bad.xlsx", out.getvalue(), XLSX)},
                      headers={"Accept-Language": "zh"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["detail"] == "工作簿有错误"
    [error] = bad.json()["errors"]
    assert (error["sheet"], error["row"], error["column"], error["header"], error["id"]) == \
        ("人员", 2, "F", "工作年限", "wang")
    assert (error["code"], error["params"], error["message"]) == \
        ("bad.number", {"value": "twenty"}, "“twenty”不是数字")
    assert client.get("/scenarios").json()["total"] == 0
    empty = client.post("/scenarios", files={"other": ("x.txt", b"x", "text/plain")})
    assert empty.status_code == 422


def test_roster_as_a_workbook_by_accept(client: TestClient) -> None:
    """GET /rosters/{id} with the .xlsx media type in Accept answers a workbook with the
    summary, the team, the unstaffed sheet and the load per day, in the Accept-Language."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    rid = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": 5}).json()["id"]
    got = client.get(f"/rosters/{rid}", headers={"Accept": XLSX, "Accept-Language": "zh"})
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    wb = load_workbook(BytesIO(got.content))
    assert wb.sheetnames == ["汇总", "fraud", "未组建", "工作量"]
    assert client.get(f"/rosters/{rid}").json()["roster"]["cases"][0]["id"] == "fraud"


def test_workbook_problems_come_back_structured_in_the_readers_language(client: TestClient) -> None:
    """Through the API, each workbook problem is data: sheet, row, column and header, id
    and message, the message in the Accept-Language, for a bad cell, a problem found only
    by the scenario's check (an unknown venue behind a bad kind) and a merged range;
    nothing is stored."""
    wb = load_workbook(BytesIO(scenario_workbook(parse_scenario(TUTORIAL), "zh")))
    wb["案件"]["D2"], wb["案件"]["E2"] = "bogus", "nowhere"
    wb["人员"].merge_cells("B2:C2")
    out = BytesIO()
    wb.save(out)
    bad = client.post("/scenarios", files={"workbook": ("bad.xlsx", out.getvalue(), XLSX)},
                      headers={"Accept-Language": "en"})
    assert bad.status_code == 422, bad.text
    found = [(e["sheet"], e["row"], e["column"], e["id"], e["message"]) for e in bad.json()["errors"]]
    assert ("人员", 2, "B", None, "merged cells (B2:C2): unmerge them and fill each cell") in found
    assert ("案件", 2, "E", "fraud", "unknown unit 'nowhere'") in found, found
    assert any(f[:4] == ("案件", 2, "D", "fraud") and "'bogus'" in f[4] for f in found), found
    assert len(found) == 3, found
    assert client.get("/scenarios").json()["total"] == 0


def test_validate_takes_a_workbook_and_reports_its_problems_as_data(client: TestClient) -> None:
    """POST /scenarios/validate takes the workbook as a multipart form too: a good one is
    valid; a bad one is a 200 report (not an error) whose problems name sheet, row, column,
    header and id, with code and message in the Accept-Language, as POST /scenarios's 422
    does; a file that is no workbook is one problem; nothing is stored either way."""
    book = scenario_workbook(parse_scenario(TUTORIAL), "en")
    good = client.post("/scenarios/validate", files={"workbook": ("t.xlsx", book, XLSX)})
    assert good.status_code == 200 and good.json() == {"valid": True, "problems": []}
    wb = load_workbook(BytesIO(book))
    wb["staff"]["F2"] = "twenty"
    wb["previous roster"].append(["fraud", "nobody", "prosecutor"])
    out = BytesIO()
    wb.save(out)
    bad = client.post("/scenarios/validate", files={"workbook": ("bad.xlsx", out.getvalue(), XLSX)},
                      headers={"Accept-Language": "zh"})
    assert bad.status_code == 200, bad.text
    report = bad.json()
    assert report["valid"] is False
    found = {(p["sheet"], p["row"], p["column"], p["header"], p["id"], p["code"], p["message"])
             for p in report["problems"]}
    assert found == {
        ("staff", 2, "F", "years", "wang", "bad.number", "“twenty”不是数字"),
        ("previous roster", 2, "B", "prosecutor", "fraud/nobody", "invalid.unknown_prosecutor",
         "没有编号为“nobody”的人员")}, found
    stored = client.post("/scenarios", files={"workbook": ("bad.xlsx", out.getvalue(), XLSX)})
    assert stored.status_code == 422
    assert [e["message"] for e in stored.json()["errors"]] == \
        [p["message"] for p in client.post(
            "/scenarios/validate", files={"workbook": ("bad.xlsx", out.getvalue(), XLSX)}
        ).json()["problems"]]
    junk = client.post("/scenarios/validate", files={"workbook": ("x.xlsx", b"not a zip", XLSX)})
    assert junk.status_code == 200 and junk.json()["valid"] is False
    assert len(junk.json()["problems"]) == 1
    assert client.post("/scenarios/validate", json=TUTORIAL).json()["valid"] is True
    assert client.get("/scenarios").json()["total"] == 0


def test_a_form_that_cannot_be_read_is_a_400_in_the_readers_words(client: TestClient) -> None:
    """A multipart upload with no boundary is a 400 saying so in Chinese when asked (it
    carried Starlette's English, "Missing boundary in multipart."), and nothing is stored."""
    answer = client.post("/scenarios", content=b"workbook",
                         headers={"content-type": "multipart/form-data", "accept-language": "zh"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["detail"] == "无法把请求体读作带工作簿的表单（multipart/form-data）"
    assert client.get("/scenarios").json()["items"] == []


def test_a_workbook_sent_with_a_capitalised_media_type_is_read(client: TestClient) -> None:
    """`Multipart/Form-Data` is the same media type as `multipart/form-data` (RFC 9110):
    the workbook is read and stored, not taken for JSON."""
    book = scenario_workbook(parse_scenario(TUTORIAL), "zh")
    boundary = "XYZ"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"workbook\"; "
            f"filename=\"t.xlsx\"\r\nContent-Type: {XLSX}\r\n\r\n").encode() + book + (
        f"\r\n--{boundary}--\r\n").encode()
    made = client.post("/scenarios", content=body,
                       headers={"content-type": f"Multipart/Form-Data; boundary={boundary}"})
    assert made.status_code == 201, made.text
