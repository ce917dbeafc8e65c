"""The service answers in the reader's language: Accept-Language picks reasons and problems."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

TUTORIAL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json").read_text())


def test_case_roster_reasons_follow_accept_language(client: TestClient) -> None:
    """The same stored roster reads in Chinese for zh-CN and in English for en, and each
    answer says so in Content-Language: member and unstaffed reasons keep one code and
    parameters, and only their text changes."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    made = client.post(f"/scenarios/{sid}/cases/herders/roster", params={"seconds": 5},
                       headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert made.status_code == 200, made.text
    herders = made.json()["roster"]["cases"][0]
    assert herders["unstaffed_reason"]["code"] == "shortfall.others"
    assert herders["unstaffed_reason"]["text"].startswith("需要2名通晓蒙古语的成员")
    assert made.headers["content-language"] == "zh"
    assert made.headers["vary"] == "Accept-Language"
    rid = made.json()["id"]
    answer = client.get(f"/rosters/{rid}", headers={"Accept-Language": "en"})
    assert answer.headers["content-language"] == "en"
    english = answer.json()
    reason = english["roster"]["cases"][0]["unstaffed_reason"]
    assert reason["text"].startswith("needs 2 Mongolian speakers")
    assert {k: v for k, v in reason.items() if k != "text"} == \
        {k: v for k, v in herders["unstaffed_reason"].items() if k != "text"}


def test_problem_title_and_detail_in_chinese(client: TestClient) -> None:
    """A problem+json answer's title and generic detail are in Chinese when asked for, and
    say so in Content-Language; English by default."""
    zh = client.get("/rosters/nothing", headers={"Accept-Language": "zh"})
    assert zh.status_code == 404
    assert zh.json()["title"] == "未找到" and zh.headers["content-language"] == "zh"
    bad = client.post("/scenarios", content=b"{", headers={"Accept-Language": "zh",
                                                           "Content-Type": "application/json"})
    assert bad.json()["detail"] == "请求体不是有效的JSON"
    en = client.get("/rosters/nothing")
    assert en.json()["title"] == "Not Found" and en.headers["content-language"] == "en"


def test_a_time_limit_that_is_not_a_number_is_named_so(client: TestClient) -> None:
    """`seconds=nan` is refused as not a finite number (not as 'at most 120'), in Chinese
    when asked, naming the parameter."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": "nan"},
                         headers={"Accept-Language": "zh"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["path"] == "seconds" and error["code"] == "invalid.finite"
    assert error["message"] == "应为有限的数，填的是nan"
