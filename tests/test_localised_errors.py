"""Errors a Chinese user can meet outside the solver are worded in the chosen language, and
never in a library's own English: what-if patches that do not apply, the audit secret,
batch request cells, API key roles."""

import csv
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.seal import SealError, seal_for
from api.settings import Settings
from cli.batch import read_requests
from cli.main import app
from i18n import render
from models.reason import Reason

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL: dict[str, Any] = json.loads((ROOT / "scenarios" / "tutorial.json").read_text())
HAN = re.compile(r"[\u4e00-\u9fff]")
# Words of the JSON Patch library's and Python's own accounts, which must not show.
LIBRARY_ENGLISH = ("non-existent", "member", "Unknown operation", "not found", "Location must",
                   "invalid literal", "could not convert", "Exceeds the limit", "is not equal")


def _english_free(text: str) -> None:
    assert HAN.search(text), text
    for words in LIBRARY_ENGLISH:
        assert words not in text, text


@pytest.mark.parametrize(("op", "expected"), [
    ({"op": "remove", "path": "/prosecutorz/0"}, "方案中“/prosecutorz/0”处没有内容"),
    ({"op": "replace", "path": "/units/99/name", "value": "x"}, "方案中“/units/99/name”处没有内容"),
    ({"op": "bogus", "path": "/name"}, "“bogus”不是JSON Patch操作"),
    ({"path": "/name"}, "此项修改缺少“op”"),
    ({"op": "add", "path": "/name"}, "此项修改缺少“value”"),
    ({"op": "add", "path": "name", "value": "x"}, "“name”不是JSON指针"),
    ({"op": "test", "path": "/name", "value": "other"}, "“/name”处的值与所测试的值不同"),
    ({"op": "move", "from": "/nowhere", "path": "/name"}, "方案中“/nowhere”处没有内容"),
])
def test_what_if_patch_errors_in_chinese(client: TestClient, op: dict[str, Any],
                                         expected: str) -> None:
    """A what-if patch operation that does not apply is a 422 naming the variant's operation
    (variants[0].patch[1], after one that applies) and why in Chinese, without the JSON
    Patch library's English."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    ok = {"op": "replace", "path": "/name", "value": "renamed"}
    answer = client.post(f"/scenarios/{sid}/what-if", headers={"Accept-Language": "zh"},
                         json={"variants": [{"name": "v", "patch": [ok, op]}]})
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["path"] == "variants[0].patch[1]" and error["id"] == "v"
    assert expected in error["message"], error
    _english_free(error["message"])


def test_audit_secret_messages_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    """The audit secret's problems and the note that one was generated are said in the
    chosen language: the command line's missing secret (exit 2) and the log line of a new
    secret file."""
    monkeypatch.delenv("AUDIT_SECRET", raising=False)
    result = CliRunner().invoke(app, ["audit", "verify", "--lang", "zh", "--database-url",
                                      "postgresql+psycopg://nobody@127.0.0.1:1/none"])
    assert result.exit_code == 2, result.output
    assert "请设置AUDIT_SECRET（环境变量或.env）" in result.output, result.output
    with pytest.raises(SealError) as caught:
        seal_for(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    assert caught.value.reason.code == "seal.set_secret" and "AUDIT_SECRET" in str(caught.value)
    with caplog.at_level(logging.WARNING, logger="taskforce.audit"):
        seal_for(Settings(database_url=f"sqlite:///{tmp_path / 'new.db'}"), lang="zh")
    assert any("未设置AUDIT_SECRET：已在" in m for m in caplog.messages), caplog.messages


def _reasons(path: Path) -> list[tuple[int, str]]:
    return [(line, render(found, "zh")) for line, found in read_requests(path)
            if isinstance(found, Reason)]


def test_batch_cells_that_do_not_read_name_their_column_in_chinese(tmp_path: Path) -> None:
    """A CSV request whose count, load, priority or needs do not read names the column and
    the value in Chinese, not Python's int() or float() message; a JSON line with a number
    too long to read says so in Chinese."""
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "kind", "venue", "start", "end", "prosecutors", "load", "priority",
                         "skills"])
        writer.writerow(["r1", "criminal", "hailar", "2022-06-01", "2022-06-02", "two", "", "", ""])
        writer.writerow(["r2", "criminal", "hailar", "2022-06-01", "2022-06-02", "1", "half", "", ""])
        writer.writerow(["r3", "criminal", "hailar", "2022-06-01", "2022-06-02", "1", "", "1.5", ""])
        writer.writerow(["r4", "criminal", "hailar", "2022-06-01", "2022-06-02", "1", "", "",
                         "criminal:x:2"])
        writer.writerow(["r5", "criminal", "hailar", "2022-06-01", "2022-06-02", "1", "", "",
                         ":1:2"])
    found = _reasons(path)
    assert found == [(2, "prosecutors列：“two”不是整数"), (3, "load列：“half”不是数字"),
                     (4, "priority列：“1.5”不是整数"), (5, "skills列：“x”不是整数"),
                     (6, "skills列：“:1:2”不是“名称:人数”或“技能:人数:等级”格式")]
    lines = tmp_path / "requests.jsonl"
    lines.write_text('{"id": "r1", "priority": ' + "9" * 5000 + "}\n")
    [(line, text)] = _reasons(lines)
    assert line == 1 and text == "有数字位数过多，无法读取"


def test_keys_are_listed_with_their_roles_in_chinese(database_url: str, tmp_path: Path) -> None:
    """`taskforce keys create` and `keys list` in Chinese say the key's role in Chinese, with
    its id (what --role takes) beside it."""
    runner = CliRunner()
    scenario = ROOT / "scenarios" / "hulunbuir.json"
    made = runner.invoke(app, ["keys", "create", "--unit", "inner_mongolia", "--role", "admin",
                               "--scenario", str(scenario), "--database-url", database_url,
                               "--lang", "zh"])
    assert made.exit_code == 0, made.output
    assert "管理（admin）" in made.stderr, made.stderr
    listed = runner.invoke(app, ["keys", "list", "--database-url", database_url, "--lang", "zh"])
    assert listed.exit_code == 0, listed.output
    assert "管理（admin）" in listed.stdout and "  admin  " not in listed.stdout, listed.stdout
