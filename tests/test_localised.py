"""Every kind of message a person reads comes in the language they chose: validation
problems, the service's problem answers, the command line's lines and the console's words."""

import copy
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.settings import Settings
from cli.main import app
from i18n import Language, problem_line
from i18n.catalogue import messages
from models import Problem, ScenarioError, parse_scenario
from tests.test_validation import GOOD
from tests.tiny import solved

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
CONSOLE_JS = ROOT / "api" / "console" / "console.js"
HAN = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def _problems(change: dict[str, Any]) -> list[Problem]:
    """The problems of the tests' good scenario with the prosecutor p1 changed by `change`."""
    data = copy.deepcopy(GOOD)
    data["prosecutors"][0].update(change)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return caught.value.problems


def _line(change: dict[str, Any], lang: Language) -> str:
    """The one problem at p1 itself (p1 failing, the references to it fail too)."""
    lines = [problem_line(p, lang) for p in _problems(change) if p.path.startswith("prosecutors")]
    assert len(lines) == 1, lines
    return lines[0]


def test_validation_error_in_chinese() -> None:
    """A broken reference reads in Chinese, still naming the field path and the id at fault."""
    line = _line({"home": "nowhere"}, "zh")
    assert line == "prosecutors[0].home（p1）：没有编号为“nowhere”的检察院"


def test_validation_error_in_english() -> None:
    """The same problem in English names the same field and id."""
    assert _line({"home": "nowhere"}, "en") == "prosecutors[0].home (p1): unknown unit 'nowhere'"


@pytest.mark.parametrize(("change", "field", "zh", "en"), [
    ({"home": None}, "home", "应为文字", "Input should be text"),
    ({"years": "twenty"}, "years", "应为整数，填的是“twenty”", "Input should be a whole number"),
    ({"skills": {"criminal": 4}}, "skills.criminal", "应不大于3，填的是4",
     "Input should be less than or equal to 3, not 4"),
    ({"skills": {"": 2}}, 'skills[""]', "不应为空", "Input should not be empty"),
    ({"role": "judge"}, "role", "之一，填的是“judge”", "Input should be one of 'chief'"),
    ({"yeers": 3}, "yeers", "不允许填写", "Extra inputs are not permitted"),
    ({"years": 1e300}, "years", "应为不过大的整数", "Input should be a whole number small enough"),
])
def test_pydantic_errors_in_both_languages(change: dict[str, Any], field: str, zh: str,
                                           en: str) -> None:
    """Pydantic's common errors (wrong type, out of range, unknown enum value, extra field)
    are worded from the catalogue in each language, with the field and the id."""
    zh_line, en_line = _line(change, "zh"), _line(change, "en")
    assert zh_line.startswith(f"prosecutors[0].{field}（p1）：") and zh in zh_line
    assert not re.search(r"\b(Input|should|Field|Extra)\b", zh_line)
    assert en_line.startswith(f"prosecutors[0].{field} (p1): {en}")


def test_choices_are_offered_in_the_procuratorates_words() -> None:
    """A bad role is answered with the roles in Chinese, each with the value to type:
    检察长（chief）, not 'chief'; English keeps the values."""
    zh_line = _line({"role": "boss"}, "zh")
    assert "应为检察长（chief）、副检察长（deputy_chief）、检察官（prosecutor）" in zh_line
    assert "'chief' (chief), 'deputy_chief' (deputy chief)" in _line({"role": "boss"}, "en")


def test_missing_field_in_chinese() -> None:
    """A required field left out says so in Chinese."""
    data = copy.deepcopy(GOOD)
    del data["cases"][0]["venue"]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    assert [problem_line(p, "zh") for p in caught.value.problems
            if p.path.startswith("cases")] == ["cases[0].venue（c1）：缺少此项"]


def test_our_own_validator_in_chinese() -> None:
    """A rule of our own (end before start) carries its dates as parameters, written as a
    Chinese reader expects."""
    data = copy.deepcopy(GOOD)
    data["cases"][0]["end"] = "2021-12-31"
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    (line,) = [problem_line(p, "zh") for p in caught.value.problems if p.path.startswith("cases")]
    assert line == "cases[0]（c1）：结束日期2021年12月31日早于开始日期2022年1月1日"


def _bad_scenario(tmp_path: Path) -> Path:
    data = json.loads(TUTORIAL.read_text())
    data["prosecutors"][0]["home"] = "nowhere"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


def test_cli_validation_error_in_chinese(tmp_path: Path) -> None:
    """`validate --lang zh` lists the problem in Chinese, with the field and the id, exit 2,
    and no traceback."""
    result = runner.invoke(app, ["validate", str(_bad_scenario(tmp_path)), "--lang", "zh"])
    assert result.exit_code == 2
    # The full-width colon holds its own space; English puts one after its colon.
    assert result.output.startswith("错误：/") and "prosecutors[0].home（wang）" in result.output
    assert "没有编号为“nowhere”的检察院" in result.output
    english = runner.invoke(app, ["validate", str(_bad_scenario(tmp_path)), "--lang", "en"])
    assert english.output.startswith("error: /")
    assert "Traceback" not in result.output


def test_cli_validation_error_in_english(tmp_path: Path) -> None:
    """`validate --lang en` lists the same problem in English."""
    result = runner.invoke(app, ["validate", str(_bad_scenario(tmp_path)), "--lang", "en"])
    assert result.exit_code == 2
    assert "error:" in result.output and "prosecutors[0].home (wang): unknown unit 'nowhere'" \
        in result.output


def test_cli_file_error_in_chinese(tmp_path: Path) -> None:
    """A file that is not there is reported in Chinese."""
    result = runner.invoke(app, ["validate", str(tmp_path / "none.json"), "--lang", "zh"])
    assert result.exit_code == 2 and "文件不存在" in result.output


def _roster_file(tmp_path: Path) -> Path:
    roster = solved(parse_scenario(json.loads(TUTORIAL.read_text())))
    path = tmp_path / "roster.json"
    path.write_text(roster.model_dump_json())
    return path


def test_cli_check_in_chinese(tmp_path: Path) -> None:
    """`check --lang zh` gives its figures and verdict in Chinese, cost terms included."""
    result = runner.invoke(app, ["check", str(TUTORIAL), str(_roster_file(tmp_path)),
                                 "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "已组建优先级" in result.output and "专案组名单符合全部规则" in result.output
    assert "staffed priority" not in result.output


def test_cli_check_in_english(tmp_path: Path) -> None:
    """`check --lang en` says the same in English."""
    result = runner.invoke(app, ["check", str(TUTORIAL), str(_roster_file(tmp_path)),
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "staffed priority" in result.output and "roster is valid" in result.output


def test_cli_import_refuses_a_non_workbook_in_chinese(tmp_path: Path) -> None:
    """`import` of a file that is not .xlsx says so in Chinese."""
    result = runner.invoke(app, ["import", str(TUTORIAL), "--out", str(tmp_path / "s.json"),
                                 "--lang", "zh"])
    assert result.exit_code == 2 and "不是.xlsx工作簿" in result.output


def test_cli_json_roster_carries_rendered_reasons(tmp_path: Path) -> None:
    """`solve --format json --lang zh` prints every member and unstaffed reason with its
    text in Chinese, never an empty one."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--format", "json", "--lang", "zh",
                                 "--workers", "1", "--seconds", "5"])
    assert result.exit_code == 0, result.output
    roster = json.loads(result.stdout)
    reasons = [r for c in roster["cases"] for m in c["team"] for r in m["reasons"]]
    reasons += [c["unstaffed_reason"] for c in roster["cases"] if c["unstaffed_reason"]]
    assert reasons and all(HAN.search(r["text"]) for r in reasons)


def test_api_problem_detail_in_chinese(client: TestClient) -> None:
    """A 404's title and its detail (naming the id asked for) are in Chinese for zh."""
    answer = client.get("/rosters/nothing", headers={"Accept-Language": "zh-CN"})
    assert answer.status_code == 404
    assert answer.json()["title"] == "未找到"
    assert answer.json()["detail"] == "没有专案组名单“nothing”"


def test_api_problem_detail_in_english(client: TestClient) -> None:
    """The same 404 in English."""
    answer = client.get("/rosters/nothing", headers={"Accept-Language": "en"})
    assert answer.json()["detail"] == "no roster 'nothing'"


def test_api_validation_errors_in_chinese(client: TestClient) -> None:
    """A 422 for a bad scenario gives each problem's message in Chinese, with its path, id,
    code and parameters."""
    data = json.loads(TUTORIAL.read_text())
    data["prosecutors"][0]["home"] = "nowhere"
    answer = client.post("/scenarios", json=data, headers={"Accept-Language": "zh"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["detail"] and HAN.search(body["detail"])
    assert {"path": "prosecutors[0].home", "id": "wang", "code": "invalid.unknown_unit",
            "params": {"ref": "nowhere"}, "message": "没有编号为“nowhere”的检察院"} in body["errors"]


def test_api_request_validation_in_chinese(client: TestClient) -> None:
    """A request body that breaks the API's own schema (a field of the wrong type) is worded
    in Chinese too."""
    answer = client.post("/jobs", json={"scenario_id": "x", "seconds": "soon"},
                         headers={"Accept-Language": "zh"})
    assert answer.status_code == 422
    (error,) = [e for e in answer.json()["errors"] if e["path"] == "seconds"]
    assert error["message"] == "应为数字，填的是“soon”"


def test_api_validate_route_words_problems(client: TestClient) -> None:
    """POST /scenarios/validate words its report's problems per Accept-Language."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][0]["venue"] = "nowhere"
    for lang, words in (("zh", "没有编号为“nowhere”的检察院"), ("en", "unknown unit 'nowhere'")):
        report = client.post("/scenarios/validate", json=data,
                             headers={"Accept-Language": lang}).json()
        assert [p["message"] for p in report["problems"]] == [words]


def test_api_roster_reasons_are_rendered_in_both_languages(client: TestClient) -> None:
    """Every reason of a roster read from the service carries its text, in the language
    asked for: never the empty text the scheduler leaves."""
    sid = client.post("/scenarios", json=json.loads(TUTORIAL.read_text())).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5}).json()
    for _ in range(600):
        state = client.get(f"/jobs/{job['id']}").json()
        if state["state"] in ("done", "failed", "cancelled"):
            break
        time.sleep(0.05)
    rid = state["roster_id"]
    for lang in ("zh", "en"):
        roster = client.get(f"/rosters/{rid}", headers={"Accept-Language": lang}).json()["roster"]
        reasons = [r for c in roster["cases"] for m in c["team"] for r in m["reasons"]]
        reasons += [c["unstaffed_reason"] for c in roster["cases"] if c["unstaffed_reason"]]
        assert reasons and all(r["text"] for r in reasons)
        assert all(bool(HAN.search(r["text"])) == (lang == "zh") for r in reasons)


def test_console_words_are_all_catalogued() -> None:
    """Every word code the console's script asks for exists in both catalogues, and no
    sentence of English is left written into the script."""
    script = CONSOLE_JS.read_text()
    used = set(re.findall(r'\bt\(\s*"([\w.]+)"', script))
    used |= {f"console.{n}" for n in re.findall(r'"(d_\w+)"', script)}
    assert len(used) > 20
    for lang in ("zh", "en"):
        known = messages(lang, "")
        assert used - set(known) == set(), lang
    literals = re.findall(r'"([^"\n]*)"|`([^`\n]*)`', script)
    english = [a or b for a, b in literals
               if re.search(r"\b[a-z]{3,} [a-z]{3,} [a-z]{3,}\b", a or b)]
    assert english == []


def test_console_vocabulary_is_served(client: TestClient) -> None:
    """GET /messages gives the console the words for job states and solver phases, in both
    languages, so its progress reads in the reader's language."""
    zh = client.get("/messages/zh").json()["messages"]
    en = client.get("/messages/en").json()["messages"]
    assert zh["job.done"] == "完成" and zh["phase.neighbourhood"] == "逐批改进部分案件"
    assert en["job.done"] == "done" and zh.keys() == en.keys()


def test_cli_audit_and_keys_in_chinese(client: TestClient, database_url: str) -> None:
    """`audit verify --lang zh` reports an intact trail in Chinese, and `keys revoke` of a
    key that does not exist says so in Chinese, exit 2."""
    assert client.post("/scenarios", json=json.loads(TUTORIAL.read_text())).status_code == 201
    verified = runner.invoke(app, ["audit", "verify", "--database-url", database_url,
                                   "--lang", "zh"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("审计记录完整：共")
    revoked = runner.invoke(app, ["keys", "revoke", "nope", "--database-url", database_url,
                                  "--lang", "zh"])
    assert revoked.exit_code == 2 and "没有密钥“nope”" in revoked.output


def test_cli_audit_in_english(client: TestClient, database_url: str) -> None:
    """`audit verify --lang en` says the same in English."""
    assert client.post("/scenarios", json=json.loads(TUTORIAL.read_text())).status_code == 201
    verified = runner.invoke(app, ["audit", "verify", "--database-url", database_url,
                                   "--lang", "en"])
    assert verified.exit_code == 0 and verified.output.startswith("audit trail intact:")


def _tampered_roster(tmp_path: Path) -> Path:
    """The tutorial's roster with its clerk's slot given to a prosecutor: rule 1 broken."""
    path = _roster_file(tmp_path)
    roster = json.loads(path.read_text())
    fraud = next(c for c in roster["cases"] if c["id"] == "fraud")
    clerk = next(m for m in fraud["team"] if m["slot"] == "clerk")
    clerk["slot"] = "prosecutor"
    path.write_text(json.dumps(roster))
    return path


def test_cli_check_violation_in_chinese(tmp_path: Path) -> None:
    """A broken rule is named and explained in Chinese by `check --lang zh`, the case by its
    Chinese title, exit 1."""
    result = runner.invoke(app, ["check", str(TUTORIAL), str(_tampered_roster(tmp_path)),
                                 "--lang", "zh"])
    assert result.exit_code == 1
    assert "违反规则 【1 专案组构成】案件电信诈骗团伙案：书记员岗位0人，应为1人" in result.output


def test_cli_check_violation_in_english(tmp_path: Path) -> None:
    """The same broken rule in English."""
    result = runner.invoke(app, ["check", str(TUTORIAL), str(_tampered_roster(tmp_path)),
                                 "--lang", "en"])
    assert result.exit_code == 1
    assert "violation [1 composition] case fraud: 0 in clerk slots, needs 1" in result.output


def _service(database_url: str, **settings: Any) -> TestClient:
    return TestClient(create_app(Settings(database_url=database_url, **settings)))


@pytest.mark.parametrize(("lang", "title", "detail"), [
    ("zh", "内容过大", "请求体超过1000字节"), ("en", "Content Too Large", "the body is over 1000 bytes"),
])
def test_body_too_large_in_each_language(database_url: str, lang: str, title: str,
                                         detail: str) -> None:
    """A 413 from the body-size middleware, outside every route, still answers in the
    language of Accept-Language."""
    with _service(database_url, require_keys=False, max_body_bytes=1000) as c:
        answer = c.post("/scenarios", content=b"{" + b" " * 2000 + b"}",
                        headers={"Accept-Language": lang, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["title"] == title and answer.json()["detail"] == detail
    assert answer.headers["content-language"] == lang


def test_missing_key_in_chinese(database_url: str) -> None:
    """A 401 for a request without a key says in Chinese what to send."""
    with _service(database_url, require_keys=True) as c:
        answer = c.get("/scenarios", headers={"Accept-Language": "zh"})
    assert answer.status_code == 401
    assert answer.json()["title"] == "未授权"
    assert answer.json()["detail"] == "请提供API密钥：“Authorization: Bearer <密钥>”"
