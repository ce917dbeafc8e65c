"""The printable task-force notice: its content in Chinese and English, from the CLI and
the service, and its pages when Chromium prints it to PDF."""

import json
import os
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from models import Roster, Scenario, parse_scenario
from notice import NoticeError, notice_html
from tests.tiny import solved

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
HULUNBUIR = ROOT / "scenarios" / "hulunbuir.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
runner = CliRunner()


@pytest.fixture(scope="module")
def tutorial() -> tuple[Scenario, Roster]:
    s = parse_scenario(json.loads(TUTORIAL.read_text()))
    return s, solved(s)


def test_notice_in_chinese_names_everything_a_notice_gives(tutorial: tuple[Scenario, Roster]
                                                           ) -> None:
    """The Chinese notice of the fraud team gives the case, the lead office, the venue and
    Chinese dates, the leader and members with place, rank and office, the contact office
    and the reasons in short; it is Chinese by default and marked so."""
    page = notice_html(*tutorial, "fraud", issued=date(2022, 5, 20))
    for words in ('<html lang="zh-CN">', "关于成立电信诈骗团伙案专案组的通知", "fraud",
                  "由海拉尔区人民检察院牵头", "2022年6月1日至2022年6月20日", "<td>组长</td><td>王磊</td>",
                  "<td>检察长</td>", "<td>书记员</td><td>孙婷</td>", "联系单位", "以检察长身份任组长",
                  "2022年5月20日", "共3人"):
        assert words in page, words
    assert "工作量峰值" not in page  # the solver's bookkeeping is left out


def test_notice_fetches_nothing_and_escapes_names(tutorial: tuple[Scenario, Roster]) -> None:
    """The page links, loads and imports nothing, and a name with markup in it prints as
    text."""
    s, roster = tutorial
    odd = s.replace(cases=[c.model_copy(update={"title_zh": "<script>x</script>案"})
                           if c.id == "fraud" else c for c in s.cases],
                    prosecutors=[p.model_copy(update={"name_zh": "<span onclick=x>王磊"})
                                 if p.id == "wang" else p for p in s.prosecutors])
    page = notice_html(odd, roster, "fraud")
    assert "<span onclick" not in page and "&lt;span onclick=x&gt;王磊" in page
    assert not re.search(r"(src|href)\s*=|url\(|@import|https?://", page)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_notice_in_english_and_refusals(tutorial: tuple[Scenario, Roster]) -> None:
    """--lang en gives the English notice; an unstaffed or unknown case has no notice."""
    page = notice_html(*tutorial, "fraud", "en")
    assert "Notice on forming the task force for Telecom fraud ring" in page
    assert "<td>leader</td><td>Wang Lei</td><td>chief</td>" in page
    for case in ("herders", "nothing"):
        with pytest.raises(NoticeError):
            notice_html(*tutorial, case)


def test_cli_notice(tmp_path: Path) -> None:
    """`taskforce notice SCENARIO ROSTER CASE --out FILE` writes the Chinese page; an
    unstaffed case exits 2 with a one-line reason."""
    roster, page = tmp_path / "roster.json", tmp_path / "通知.html"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--out", str(roster),
                               "--format", "json"]).exit_code == 0
    done = runner.invoke(app, ["notice", str(TUTORIAL), str(roster), "fraud", "--out", str(page)])
    assert done.exit_code == 0, done.output
    assert "关于成立电信诈骗团伙案专案组的通知" in page.read_text(encoding="utf-8")
    refused = runner.invoke(app, ["notice", str(TUTORIAL), str(roster), "herders"])
    assert refused.exit_code == 2 and "未组建专案组" in refused.output


def test_service_notice(client: TestClient) -> None:
    """GET /rosters/{id}/cases/{case}/notice answers the Chinese HTML page, English with
    lang=en (each saying so in Content-Language), and 404 for an unstaffed case."""
    data: dict[str, Any] = json.loads(TUTORIAL.read_text())
    sid = client.post("/scenarios", json=data).json()["id"]
    rid = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": 5}).json()["id"]
    page = client.get(f"/rosters/{rid}/cases/fraud/notice")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "关于成立电信诈骗团伙案专案组的通知" in page.text
    assert page.headers["content-language"] == "zh"
    english = client.get(f"/rosters/{rid}/cases/fraud/notice", params={"lang": "en"})
    assert "Notice on forming" in english.text and english.headers["content-language"] == "en"
    assert client.get(f"/rosters/{rid}/cases/herders/notice").status_code == 404


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("TASKFORCE_REQUIRE_BROWSER"),
                    reason="Debian's chromium is not installed")
def test_notice_prints_to_pdf(tutorial: tuple[Scenario, Roster], tmp_path: Path) -> None:
    """Printed to A4 PDF by Chromium, the tutorial's notice is one page, and the 52-person
    gang-case notice of Hulunbuir runs to three to six pages (five when written)."""
    from playwright.sync_api import sync_playwright

    hulunbuir = parse_scenario(json.loads(HULUNBUIR.read_text(encoding="utf-8")))
    pages = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page()
            for name, scenario, roster, case in [
                    ("fraud", *tutorial, "fraud"),
                    ("gang", hulunbuir, solved(hulunbuir, seconds=30), "gang-110")]:
                page.set_content(notice_html(scenario, roster, case))
                pdf = page.pdf(prefer_css_page_size=True)
                (tmp_path / f"{name}.pdf").write_bytes(pdf)
                pages[name] = _pages(pdf)
        finally:
            browser.close()
    assert pages["fraud"] == 1
    assert 3 <= pages["gang"] <= 6  # 52 rows of one to three lines each
