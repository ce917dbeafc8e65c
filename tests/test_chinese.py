"""Chinese as a first-class language: the tutorial in Chinese on the command line, and the
Hulunbuir scenario with its offices', people's and cases' Chinese names."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli.main import app
from models import parse_scenario

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
HULUNBUIR = ROOT / "scenarios" / "hulunbuir.json"
MAKE = ROOT / "scenarios" / "make_hulunbuir.py"
REFERENCE = ROOT.parent / "shared" / "reference"
runner = CliRunner()


def test_tutorial_in_chinese_on_the_command_line() -> None:
    """`solve --lang zh` prints the tutorial's table in Chinese: headers, Chinese names of
    people and offices, Chinese dates, slot names, the unstaffed case and its reason, the
    status line."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--lang", "zh"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for words in ("案件", "组长", "王磊（海拉尔区人民检察院，0分钟）", "书记员：孙婷",
                  "2022年6月1日至2022年6月20日", "未组建", "需要2名通晓蒙古语的成员",
                  "状态：最优", "牧民土地承包审查案"):
        assert words in out, words
    assert "Wang Lei" not in out and "unstaffed" not in out


def test_lang_defaults_to_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --lang, a Chinese locale (LANG=zh_CN.UTF-8) gives Chinese and LANG=C English;
    the JSON roster's reasons carry text in that language and the same codes."""
    zh = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--format", "json"],
                       env={"LANG": "zh_CN.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""})
    en = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--format", "json"],
                       env={"LANG": "C", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""})
    assert zh.exit_code == en.exit_code == 0
    zh_reason = json.loads(zh.stdout)["cases"][2]["unstaffed_reason"]
    en_reason = json.loads(en.stdout)["cases"][2]["unstaffed_reason"]
    assert zh_reason["text"].startswith("需要") and en_reason["text"].startswith("needs")
    assert zh_reason["code"] == en_reason["code"] and zh_reason["params"] == en_reason["params"]


def test_hulunbuir_offices_people_and_cases_have_chinese_names() -> None:
    """Every office of the shipped Hulunbuir scenario carries its Chinese name (the city's
    and Ewenki's as the procuratorates write them), and so does every person and case."""
    s = parse_scenario(json.loads(HULUNBUIR.read_text(encoding="utf-8")))
    names = {u.id: u.name_zh for u in s.units}
    assert names["hulunbuir"] == "呼伦贝尔市人民检察院"
    assert names["hailar"] == "海拉尔区人民检察院"
    assert names["ewenki"] == "鄂温克族自治旗人民检察院"
    assert all(u.name_zh.endswith("人民检察院") for u in s.units)
    assert all(p.name_zh for p in s.prosecutors) and all(c.title_zh for c in s.cases)
    assert len({p.name_zh for p in s.prosecutors}) == len(s.prosecutors)


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="no ../shared/reference beside the repository")
def test_hulunbuir_is_built_from_the_reference(tmp_path: Path) -> None:
    """make_hulunbuir.py rebuilds the shipped scenario byte for byte from the reference
    CSV files, whose name_zh column gives each office's Chinese name."""
    out = tmp_path / "hulunbuir.json"
    done = subprocess.run([sys.executable, str(MAKE), str(REFERENCE), str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == HULUNBUIR.read_bytes()
    with open(REFERENCE / "hulunbuir_units.csv", encoding="utf-8") as f:
        expected = {row["id"]: row["name_zh"] for row in csv.DictReader(f)}
    assert {u["id"]: u["name_zh"] for u in json.loads(out.read_text())["units"]} == expected


def test_make_hulunbuir_help_and_missing_reference(tmp_path: Path) -> None:
    """`make_hulunbuir.py --help` explains its arguments and exits 0; a folder without the
    reference files is a one-line error with exit 2, no traceback, and nothing written."""
    helped = subprocess.run([sys.executable, str(MAKE), "--help"], capture_output=True,
                            text=True, check=False)
    assert helped.returncode == 0 and "reference" in helped.stdout and "usage" in helped.stdout
    out = tmp_path / "out.json"
    failed = subprocess.run([sys.executable, str(MAKE), str(tmp_path), str(out)],
                            capture_output=True, text=True, check=False)
    assert failed.returncode == 2 and "hulunbuir_units.csv" in failed.stderr
    assert "Traceback" not in failed.stderr and not out.exists()


def test_summary_in_chinese() -> None:
    """`--format summary --lang zh`, what a chief reads of a province, is Chinese: the
    status, priority, cost terms, the unstaffed table and the busiest people by Chinese name."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--lang", "zh",
                                 "--format", "summary"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for words in ("tutorial专案组名单：最优", "已组建优先级：5（至多5）", "各项成本：路程 0、",
                  "案件：共3个，已组建2个，未组建1个", "未组建1个，按优先级从高到低：",
                  "需要2名通晓蒙古语的成员", "参与案件最多的人员：", "（海拉尔区人民检察院）1个"):
        assert words in result.stdout, words


def test_batch_writes_reasons_in_the_language(tmp_path: Path) -> None:
    """`taskforce batch --lang zh` writes each request's roster with its reasons worded in
    Chinese (and the same codes as in English)."""
    tutorial = json.loads(TUTORIAL.read_text(encoding="utf-8"))
    herders = next(c for c in tutorial["cases"] if c["id"] == "herders")
    requests = tmp_path / "requests.jsonl"
    requests.write_text(json.dumps(herders | {"id": "herders-2"}) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["batch", str(requests), "--scenario", str(TUTORIAL), "--out",
                               str(tmp_path / "out"), "--workers", "1", "--lang", "zh"])
    assert done.exit_code == 0, done.output
    roster = json.loads((tmp_path / "out" / "rosters" / "herders-2.json").read_text())
    reason = roster["cases"][0]["unstaffed_reason"]
    assert reason["code"] == "shortfall.others" and reason["text"].startswith("需要2名通晓蒙古语")



def test_team_problems_name_skills_and_languages_by_their_words(
        tmp_path: Path, client: TestClient) -> None:
    """A team asking for more members with a skill or a language than it has is said with
    the skill's and the language's name (涉黑涉恶, 蒙古语), not their ids, by the CLI's
    validate, by a batch request's problem, and by the service's validate with
    Accept-Language: zh."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][0]["team"]["skills"] = [{"skill": "organized_crime", "count": 9, "min_level": 1}]
    data["cases"][0]["team"]["languages"] = [{"language": "mn", "count": 9}]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    checked = runner.invoke(app, ["validate", str(tmp_path / "bad.json"), "--lang", "zh"])
    answered = client.post("/scenarios/validate", json=data, headers={"Accept-Language": "zh"})
    said = [p["message"] for p in answered.json()["problems"]]
    (tmp_path / "req.csv").write_text(
        "id,kind,venue,start,end,priority,prosecutors,skills\n"
        "x1,criminal,hailar,2022-06-01,2022-06-03,2,1,organized_crime:9:2\n")
    batch = runner.invoke(app, ["batch", str(tmp_path / "req.csv"), "--scenario", str(TUTORIAL),
                                "--out", str(tmp_path / "out"), "--lang", "zh"])
    for text in (checked.output, " ".join(said), batch.output):
        assert "需要9名具备“涉黑涉恶”技能的成员" in text, text
        assert "organized_crime" not in text and "“mn”" not in text, text
    assert "需要9名通晓“蒙古语”的成员" in checked.output and "需要9名通晓“蒙古语”的成员" in said[0]
