"""The service answers in the reader's language: Accept-Language picks reasons and problems."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app

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


def test_serve_lang_sets_the_language_of_requests_without_accept_language(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`taskforce serve --lang zh` starts a service that answers in Chinese a request with
    no Accept-Language (or one naming neither of ours), problems and reasons alike, and
    still in English a request that asks for it; without --lang it stays English."""
    started: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kwargs: started.append(app))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("REQUIRE_KEYS", "false")
    assert CliRunner().invoke(app, ["serve", "--lang", "zh"]).exit_code == 0
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    chinese, english = started
    with TestClient(chinese) as c:
        for headers in ({}, {"Accept-Language": "fr"}):
            missing = c.get("/rosters/nothing", headers=headers)
            assert missing.status_code == 404
            assert missing.headers["content-language"] == "zh"
            assert re.search(r"[\u4e00-\u9fff]", missing.json()["title"]), missing.json()
        sid = c.post("/scenarios", json=TUTORIAL).json()["id"]
        made = c.post(f"/scenarios/{sid}/cases/herders/roster", params={"seconds": 5})
        assert made.headers["content-language"] == "zh"
        assert made.json()["roster"]["cases"][0]["unstaffed_reason"]["text"].startswith("需要2名")
        asked = c.get("/rosters/nothing", headers={"Accept-Language": "en"})
        assert asked.headers["content-language"] == "en" and asked.json()["title"] == "Not Found"
    with TestClient(english) as c:
        assert c.get("/rosters/nothing").headers["content-language"] == "en"
