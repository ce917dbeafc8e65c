"""A scenario or roster file that cannot be read, or a roster that is invalid, is reported in
the reader's language from end to end: no library's English inside a Chinese line, and the
ids at fault named as a scenario's problems name them."""

import json
import re
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from cli.main import app
from i18n import Language

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
runner = CliRunner()


def _errors(args: list[str], lang: Language) -> list[str]:
    """The error lines of a command that must fail with exit 2 (bad input), no traceback."""
    result = runner.invoke(app, [*args, "--lang", lang])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line.strip()]


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "json": ("bad.json", b'{"name": "x",\n  "units": [\n'),
        "yaml": ("bad.yaml", b"name: x\nunits: [\n  - a\n b: ]\n"),
        "empty": ("empty.json", b"  \n"),
        "binary": ("binary.json", b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00"),
        "zip": ("table.xlsx", b"name,units\nx,y\n"),
        "other_zip": ("other.xlsx", b""),
    }
    out = {}
    for key, (name, data) in files.items():
        out[key] = tmp / name
        out[key].write_bytes(data)
    with zipfile.ZipFile(out["other_zip"], "w") as z:
        z.writestr("readme.txt", "not a workbook")
    out["bad_xml"] = tmp / "bell.xlsx"
    out["bad_xml"].write_bytes(_with_a_bell_in_a_cell())
    (tmp / "folder.json").mkdir()
    out["folder"] = tmp / "folder.json"
    out["missing"] = tmp / "missing.json"
    return out


def _with_a_bell_in_a_cell() -> bytes:
    """A workbook whose shared strings hold a character reference XML does not allow
    (&#7;, a bell): its XML does not parse."""
    book = Workbook()
    book.worksheets[0]["A1"] = "QQBADQQ"
    written = BytesIO()
    book.save(written)
    damaged = BytesIO()
    with zipfile.ZipFile(BytesIO(written.getvalue())) as source, \
            zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item).replace(b"QQBADQQ", b"&#7;"))
    return damaged.getvalue()


CHINESE = {
    "json": "bad.json：不是有效的JSON：第3行第1列有语法错误",
    "yaml": "bad.yaml：不是有效的YAML：第3行第3列有语法错误",
    "empty": "empty.json：文件是空的",
    "binary": "binary.json：不是UTF-8编码的文本（第9字节）；请另存为UTF-8编码",
    "zip": "table.xlsx：不是.xlsx工作簿（可能是旧的.xls文件或其他文件；请另存为.xlsx）",
    "other_zip": "other.xlsx：不是.xlsx工作簿，或工作簿已损坏",
    "bad_xml": "bell.xlsx：不是.xlsx工作簿，或工作簿已损坏",
    "folder": "folder.json：是文件夹，不是文件",
    "missing": "missing.json：文件不存在",
}
ENGLISH = {
    "json": "bad.json: is not valid JSON: a syntax error at line 3, column 1",
    "yaml": "bad.yaml: is not valid YAML: a syntax error at line 3, column 3",
    "empty": "empty.json: is empty",
    "binary": "binary.json: is not UTF-8 text (byte 9); save it as UTF-8",
    "zip": "table.xlsx: not an .xlsx workbook (an old .xls, or another kind of file? save "
           "it as .xlsx)",
    "other_zip": "other.xlsx: not an .xlsx workbook, or a damaged one",
    "bad_xml": "bell.xlsx: not an .xlsx workbook, or a damaged one",
    "folder": "folder.json: is a folder, not a file",
    "missing": "missing.json: no such file",
}


@pytest.mark.parametrize("kind", sorted(CHINESE))
def test_unreadable_scenario_in_chinese_has_no_english(tmp_path: Path, kind: str) -> None:
    """Each way a scenario file can fail to be read (bad JSON or YAML with its line and
    column, an empty or binary file, a file that is no workbook, a folder, no file) is one
    Chinese line with the file's name, and no word of the parsers' English."""
    path = _bad_files(tmp_path)[kind]
    (line,) = _errors(["validate", str(path)], "zh")
    assert line.endswith(CHINESE[kind])
    words = set(LATIN_WORD.findall(line.replace(str(path), "")))
    assert words <= {"JSON", "YAML", "UTF", "xlsx", "xls"}, words


@pytest.mark.parametrize("kind", sorted(ENGLISH))
def test_unreadable_scenario_in_english(tmp_path: Path, kind: str) -> None:
    """The same failures read in English with `--lang en`, the same facts (line, column,
    byte) and no parser's own sentence."""
    path = _bad_files(tmp_path)[kind]
    (line,) = _errors(["validate", str(path)], "en")
    assert line.endswith(ENGLISH[kind])
    assert "Expecting" not in line and "zip file" not in line


@pytest.mark.parametrize(("lang", "expected"), [("zh", "没有读取此文件的权限"),
                                                ("en", "you have no permission to read it")])
def test_permission_denied_has_its_own_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               lang: Language, expected: str) -> None:
    """A file the user may not read says so in the reader's language (the tests may run as
    root, whom permissions do not stop, so the refusal is simulated)."""
    path = tmp_path / "secret.json"
    path.write_text("{}")

    def refuse(self: Path, *args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    (line,) = _errors(["validate", str(path)], lang)
    assert line.endswith(f"secret.json{'：' if lang == 'zh' else ': '}{expected}")
    assert "Permission denied" not in line


def test_other_system_errors_are_named_not_quoted(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Any other refusal by the system is named by its error code (EIO), never by the
    system's English sentence."""
    path = tmp_path / "disk.json"
    path.write_text("{}")

    def fail(self: Path, *args: object, **kwargs: object) -> str:
        raise OSError(5, "Input/output error", str(self))

    monkeypatch.setattr(Path, "read_text", fail)
    (line,) = _errors(["validate", str(path)], "zh")
    assert line.endswith("disk.json：无法读取（系统错误EIO）")


def test_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A scenario saved by Windows Notepad, with a UTF-8 byte-order mark, reads as any other."""
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + TUTORIAL.read_bytes())
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def _broken_roster(tmp_path: Path) -> tuple[Path, str, int]:
    solved = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--out", str(solved),
                               "--format", "json"]).exit_code == 0
    data = json.loads(solved.read_text())
    fraud = next(c for c in data["cases"] if c["id"] == "fraud")
    member = fraud["team"][1]
    member["slot"] = "boss"
    del next(c for c in data["cases"] if c["id"] == "grassland")["staffed"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    return broken, str(member["prosecutor"]), data["cases"].index(fraud)


@pytest.mark.parametrize("command", ["check", "resilience"])
def test_invalid_roster_names_case_and_person(tmp_path: Path, command: str) -> None:
    """An invalid roster file given to `check` or `resilience` names the field as a path and
    the case and person at fault by id, in Chinese and in English."""
    broken, person, i = _broken_roster(tmp_path)
    args = [command, str(TUTORIAL), str(broken)]
    zh = "\n".join(_errors(args, "zh"))
    assert f"cases[{i}].team[1].slot（fraud/{person}）：应为组长（leader）、检察官（prosecutor）、" in zh
    assert "“boss”" in zh and "staffed（grassland）：缺少此项" in zh
    assert "cases.0" not in zh
    en = "\n".join(_errors(args, "en"))
    assert f"cases[{i}].team[1].slot (fraud/{person}): " in en
    assert "staffed (grassland): " in en


def test_roster_workbook_is_not_taken_for_a_scenario(tmp_path: Path) -> None:
    """A roster saved as a workbook and given where a roster file is read says to give
    the roster's JSON, not that the workbook lacks a scenario's sheets."""
    book = tmp_path / "roster.xlsx"
    done = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--out", str(book)])
    assert done.exit_code == 0, done.output
    (line,) = _errors(["check", str(TUTORIAL), str(book)], "zh")
    assert line.endswith("roster.xlsx：专案组名单工作簿供阅读和打印，"
                         "此处请使用名单的JSON文件（solve --out roster.json）")


def test_roster_that_is_not_an_object(tmp_path: Path) -> None:
    """A roster file holding a list, not a roster, is one line in the reader's language."""
    path = tmp_path / "list.json"
    path.write_text("[]")
    (line,) = _errors(["check", str(TUTORIAL), str(path)], "zh")
    assert line.endswith("list.json：$：应为由各项名称和值组成的对象")


def test_batch_requests_file_that_cannot_be_read(tmp_path: Path) -> None:
    """`taskforce batch` given a folder or a binary file as its requests says so in one
    line of the reader's language (it used to end in a traceback), and a bad JSON line is
    skipped with its column, without the parser's English."""
    folder, binary = tmp_path / "requests.jsonl", tmp_path / "binary.jsonl"
    folder.mkdir()
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00")
    for path, words in [(folder, "requests.jsonl：是文件夹，不是文件"),
                        (binary, "binary.jsonl：不是UTF-8编码的文本（第9字节）")]:
        (line,) = _errors(["batch", str(path), "--scenario", str(TUTORIAL),
                           "--out", str(tmp_path / "out")], "zh")
        assert words in line
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x",\n')
    result = runner.invoke(app, ["batch", str(bad), "--scenario", str(TUTORIAL), "--out",
                                 str(tmp_path / "out2"), "--lang", "zh"])
    assert result.exit_code == 2 and "第1行：不是有效的JSON：第12列有语法错误" in result.output
    assert "Expecting" not in result.output


@pytest.mark.parametrize(("command", "suffix"),
                         [("validate", "json"), ("solve", "json"), ("validate", "yaml")])
def test_a_number_of_thousands_of_digits_is_a_number_too_large(tmp_path: Path, command: str,
                                                                suffix: str) -> None:
    """Years of service written with 5,000 digits (past Python's limit for making an int)
    are refused as a whole number too large, shown by its first and last digits, at the
    field and id, not with a traceback (nor as "should be finite, not inf", which it was
    once called, though no one wrote inf); in YAML as in JSON (YAML once gave Python's
    traceback: the JSON text is YAML too)."""
    text = TUTORIAL.read_text(encoding="utf-8").replace('"years": 21', '"years": ' + "9" * 5000, 1)
    assert "9" * 5000 in text
    path = tmp_path / f"huge.{suffix}"
    path.write_text(text, encoding="utf-8")
    [line] = _errors([command, str(path)], "en")
    assert ".years (" in line and "small enough to read" in line, line
    assert "999999999999…9999" in line and "inf" not in line and "9" * 30 not in line


def test_a_long_number_a_float_can_hold_keeps_its_fields_limit(tmp_path: Path) -> None:
    """A latitude of 25 digits is over the field's limit, said so with the number's ends
    (an outside tester found it called "a whole number small enough to read", in a field
    that takes decimals)."""
    long = "1234567890" * 2 + "12345"
    text = TUTORIAL.read_text(encoding="utf-8").replace('"lat": 49.211', '"lat": ' + long, 1)
    path = tmp_path / "far.json"
    path.write_text(text, encoding="utf-8")
    [line] = _errors(["validate", str(path)], "en")
    assert line.endswith("units[0].location.lat (hulunbuir): Input should be less than or "
                         "equal to 90, "
                         "not 123456789012…2345"), line


@pytest.mark.parametrize(("suffix", "words"),
                         [("json", "is nested more than 100 levels deep at line 2, column 108"),
                          ("yaml", "is not valid YAML")])
def test_input_nested_past_the_parser_is_bad_input(tmp_path: Path, suffix: str,
                                                   words: str) -> None:
    """A name of 100,000 nested lists (Python's parsers give up near 1,000 levels with a
    RecursionError) is refused as bad input, JSON at the bracket passing 100 levels (the
    object holding the name is the first)."""
    path = tmp_path / f"deep.{suffix}"
    path.write_text('{"units": [],\n"name": ' + "[" * 100_000 + "]" * 100_000 + "}")
    [line] = _errors(["validate", str(path)], "en")
    assert line.endswith(words), line


def test_yaml_aliases_are_refused_where_they_stand(tmp_path: Path) -> None:
    """Nine lines of YAML aliases of aliases (a "billion laughs") expand to a billion
    values and once kept `validate` busy for minutes; an alias is refused at once, at its
    line and column, in the reader's language."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"{b}: &{b} [{','.join(['*' + a] * 9)}]"
              for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n")
    [line] = _errors(["validate", str(path)], "zh")
    assert line.endswith("第2行第8列使用了YAML别名（*a）：请直接写出完整的值"), line


def test_yaml_numbers_with_an_exponent_and_no_point_are_numbers(tmp_path: Path) -> None:
    """A capacity of 5e-1 in YAML is 0.5, as in JSON and YAML 1.2 (YAML 1.1 reads it as
    text, and validation once said "not a number"); 1E0, .5e0 and 0_5e0 (YAML 1.1's
    underscores) likewise, and text that only looks like one (5e, e5) stays text."""
    from cli.files import read_scenario

    data = json.loads(TUTORIAL.read_text(encoding="utf-8"))
    people = data["prosecutors"]
    for person, written in zip(people, ["5e-1", "1E0", ".5e0", "+2.5e-1", "0_5e0"],
                               strict=False):
        person["capacity"] = f"@{written}@"
    people[5]["name"] = "5e"
    people[6]["name"] = "e5"
    path = tmp_path / "exponents.yaml"
    path.write_text(json.dumps(data, ensure_ascii=False).replace('"@', "").replace('@"', ""),
                    encoding="utf-8")
    scenario = read_scenario(path)
    assert [p.capacity for p in scenario.prosecutors[:5]] == [0.5, 1.0, 0.5, 0.25, 5.0]
    assert [p.name for p in scenario.prosecutors[5:7]] == ["5e", "e5"]


@pytest.mark.parametrize(("suffix", "text", "words"), [
    ("json", '{"name": "x",\n "units": [],\n "units": []}', {
        "en": "units: given twice in the same object", "zh": "units：在同一对象中出现了两次"}),
    ("yaml", "name: x\nunits: []\nunits: []\n", {
        "en": "names 'units' twice in one mapping, the second time at line 3, column 1",
        "zh": "同一映射中“units”出现了两次，第二次在第3行第1列"}),
    ("yaml", "name: x\n<<: {units: []}\n<<: {units: []}\n", {
        "en": "names '<<' twice in one mapping, the second time at line 3, column 1",
        "zh": "同一映射中“<<”出现了两次，第二次在第3行第1列"})])
def test_a_key_named_twice_is_refused(tmp_path: Path, suffix: str, text: str,
                                      words: dict[str, str]) -> None:
    """A scenario file naming `units` twice (a hand edit pasting a second list): refused,
    naming the key (and in YAML where it is repeated), in either language; read as before,
    the first list was dropped without a word."""
    path = tmp_path / f"twice.{suffix}"
    path.write_text(text, encoding="utf-8")
    for lang in ("en", "zh"):
        [line] = _errors(["validate", str(path)], lang)
        assert words[lang] in line, line


@pytest.mark.parametrize("key", ["units\nerror: forged", "units\x1b[2J", "units\u202eforged",
                                 "units\u2028error: forged", "units\u200fforged"])
def test_a_key_with_control_characters_cannot_forge_an_error_line(tmp_path: Path,
                                                                 key: str) -> None:
    """A key holding a newline, an escape sequence or a bidirectional override is shown
    escaped in the error line naming it: every line printed is one the CLI wrote, none
    starts with a forged "error:" and no control character reaches the terminal."""
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"name": "x", "units": [], key: []}), encoding="utf-8")
    for lang in ("en", "zh"):
        lines = _errors(["validate", str(path)], lang)
        marker = "error:" if lang == "en" else "错误："
        assert all(line.startswith(marker) for line in lines), lines
        shown = [line for line in lines if "units\\" in line]
        assert len(shown) == 1, lines
        assert not any(c in "".join(lines) for c in "\x1b\u202e\u2028\u200f"), lines
        assert all(len(line.splitlines()) == 1 for line in lines), lines
