"""The taskforce command line: exit codes, formats, files, and no tracebacks on bad input."""

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli.main import app
from cli.table import render, summarize
from i18n import Language
from models import Status, parse_scenario
from scheduler import solve
from synth.province import province

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TUTORIAL = SCENARIOS / "tutorial.json"
runner = CliRunner()


def test_solve_prints_a_table() -> None:
    """`solve` prints one row per case with leader and unstaffed reason, and exits 0."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Wang Lei" in result.output and "unstaffed" in result.output
    assert "status: optimal" in result.output


def test_solve_json_and_out_file(tmp_path: Path) -> None:
    """`--format json` prints the roster; `--out` writes the same roster to a file."""
    out = tmp_path / "roster.json"
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--format", "json", "--out", str(out),
                                 "--workers", "1"])
    assert result.exit_code == 0, result.output
    printed, written = json.loads(result.stdout), json.loads(out.read_text())
    assert out.stat().st_mode & 0o777 == 0o644
    assert printed["status"] == written["status"] == "optimal"
    assert [c["id"] for c in written["cases"]] == ["fraud", "grassland", "herders"]


def test_check_accepts_solver_roster_and_rejects_tampered(tmp_path: Path) -> None:
    """`check` exits 0 on the solver's roster and 1 once a clerk is swapped for a prosecutor."""
    out = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(out)]).exit_code == 0
    ok = runner.invoke(app, ["check", str(TUTORIAL), str(out)])
    assert ok.exit_code == 0 and "roster is valid" in ok.output
    data = json.loads(out.read_text())
    fraud = data["cases"][0]
    for member in fraud["team"]:
        if member["slot"] == "clerk":
            member["prosecutor"] = "liu"
    out.write_text(json.dumps(data))
    bad = runner.invoke(app, ["check", str(TUTORIAL), str(out)])
    assert bad.exit_code == 1 and "1 composition" in bad.output


def test_check_shows_a_roster_s_control_characters_escaped(tmp_path: Path) -> None:
    """A roster naming a prosecutor "wang", a newline, a forged verdict and a screen-clear
    sequence: `check` names the unknown prosecutor on one line, escaped, with no raw
    escape sequence and no forged "OK" line."""
    out = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(out)]).exit_code == 0
    out.write_text(out.read_text().replace('"wang"', '"wang\\nOK: roster valid \\u001b[2J"', 1))
    result = runner.invoke(app, ["check", str(TUTORIAL), str(out), "--lang", "en"])
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert not any(line.startswith("OK") for line in result.output.splitlines())
    assert "wang\\nOK: roster valid \\x1b[2J" in result.output


@pytest.mark.parametrize(("field", "value", "words"), [
    ("cost", float("nan"), "objective.cost: Input should be a finite number"),
    ("bound", float("inf"), "bound: Input should be a finite number"),
    ("reason", float("nan"), "reasons[0].params.v ("),
    ("nested reason", float("inf"), "reasons[0].params.v.list[0].params.w ("),
])
def test_check_refuses_a_roster_with_nan_or_infinity(tmp_path: Path, field: str, value: float,
                                                     words: str) -> None:
    """A roster whose cost is NaN, whose bound is Infinity, or with a NaN or Infinity among
    a member's reason's parameters, at any depth, is refused (exit 2, the field named,
    once), not accepted: NaN compares false with everything, so it passed the cost check."""
    out = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    if field == "cost":
        data["objective"]["cost"] = value
    elif field == "reason":
        data["cases"][0]["team"][0]["reasons"] = [{"code": "x", "params": {"v": value}}]
    elif field == "nested reason":
        inner = {"code": "y", "params": {"w": value}}
        data["cases"][0]["team"][0]["reasons"] = [{"code": "x", "params": {"v": [inner]}}]
    else:
        data[field] = value
    out.write_text(json.dumps(data))  # json writes NaN and Infinity as Python reads them
    result = runner.invoke(app, ["check", str(TUTORIAL), str(out), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert words in result.output and "Traceback" not in result.output
    assert result.output.count("error:") == 1, result.output


@pytest.mark.parametrize(("parts", "proven", "words"), [
    ("3", 1, "parts: Input should be a whole number, not '3'"),
    (3, True, "parts_proven: Input should be a whole number, not 'true'"),
    (3, None, "parts and parts_proven are given together or not at all"),
    (3, 4, "parts_proven 4 is above parts 3"),
    (2**63, 1, "parts 9223372036854775808 is above the 3 cases"),
    (-1, 0, "parts: Input should be greater than or equal to 0"),
])
def test_check_refuses_a_roster_whose_parts_do_not_add_up(tmp_path: Path, parts: object,
                                                          proven: object, words: str) -> None:
    """A roster read back with its parts as text or a flag, one without the other, more
    proven than there are, or more parts than cases, is refused naming why (exit 2)."""
    out = tmp_path / "roster.json"
    assert runner.invoke(app, ["solve", str(TUTORIAL), "--out", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    data["parts"], data["parts_proven"] = parts, proven
    out.write_text(json.dumps(data))
    result = runner.invoke(app, ["check", str(TUTORIAL), str(out), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert words in _words(result.output) and "Traceback" not in result.output
    data["parts"], data["parts_proven"] = 3, 1
    out.write_text(json.dumps(data))
    assert runner.invoke(app, ["check", str(TUTORIAL), str(out)]).exit_code == 0


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """Malformed JSON, a missing file and an invalid scenario each exit 2 with a named problem."""
    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x", "units": [')
    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"name": "x", "units": [], "prosecutors": [
        {"id": "p", "name": "P", "home": "nowhere", "role": "prosecutor"}]}))
    for path, words in [(broken, "is not valid JSON: a syntax error at line 1"),
                        (tmp_path / "missing.json", "no such file"),
                        (invalid, "prosecutors[0].home (p): unknown unit 'nowhere'")]:
        for command in (["solve", str(path)], ["validate", str(path)]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, result.output
            assert words in result.output
            assert "Traceback" not in result.output


def test_failed_solve_keeps_existing_out_file(tmp_path: Path) -> None:
    """A roster file already stored is untouched when the new scenario is rejected."""
    out = tmp_path / "roster.json"
    out.write_text("precious")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert runner.invoke(app, ["solve", str(bad), "--out", str(out)]).exit_code == 2
    assert out.read_text() == "precious"


def test_infeasible_exits_1(tmp_path: Path) -> None:
    """A mandatory case nobody can staff: exit 1 and the reason on screen."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][2]["mandatory"] = True
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 1
    assert "infeasible" in result.output and "herders" in result.output


def test_infeasible_summary_counts_every_case_as_unstaffed(tmp_path: Path) -> None:
    """An infeasible answer lists no teams; its summary still counts the scenario's three
    cases, none staffed (it said 0 of 0)."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][2]["mandatory"] = True
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["solve", str(path), "--format", "summary", "--lang", "zh"])
    assert result.exit_code == 1
    assert "案件：共3个，已组建0个，未组建3个" in result.output


@pytest.mark.parametrize("view", ["summary", "table"])
def test_infeasible_reason_follows_its_mark_as_each_language_writes(tmp_path: Path,
                                                                    view: str) -> None:
    """The infeasible mark and its reason: "无可行方案：" with no space after its
    full-width colon, "infeasible: " with one, in the summary and the table alike."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][2]["mandatory"] = True
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(data))
    zh = runner.invoke(app, ["solve", str(path), "--format", view, "--lang", "zh"]).output
    en = runner.invoke(app, ["solve", str(path), "--format", view, "--lang", "en"]).output
    assert "无可行方案：" in zh and "无可行方案： " not in zh
    assert "infeasible: " in en


def test_validate_yaml(tmp_path: Path) -> None:
    """A YAML scenario with the same structure is accepted."""
    import yaml

    path = tmp_path / "tutorial.yaml"
    path.write_text(yaml.safe_dump(json.loads(TUTORIAL.read_text())))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0 and "8 prosecutors, 3 cases" in result.output


def test_validate_counts_one_of_each_in_the_singular(tmp_path: Path) -> None:
    """A scenario of one unit, one prosecutor and one case is said to have "1 unit,
    1 prosecutor, 1 case", not "1 prosecutors, 1 cases"; the Chinese has no plural."""
    data = json.loads(TUTORIAL.read_text())
    home = data["prosecutors"][0]["home"]
    data["units"] = [u | {"parent": None, "tier": "provincial"} for u in data["units"]
                     if u["id"] == home]
    data["prosecutors"] = data["prosecutors"][:1]
    data["cases"] = [data["cases"][0] | {"venue": home, "scope": "unit"}]
    data.pop("roads", None), data.pop("pairs", None), data.pop("groups", None)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "(1 unit, 1 prosecutor, 1 case)" in _words(result.output)
    result = runner.invoke(app, ["validate", str(path), "--lang", "zh"])
    assert "（1个检察院，1名人员，1个案件）" in "".join(result.output.split())


def test_english_names_skills_in_words_not_their_ids(tmp_path: Path) -> None:
    """A team asking for more members with a skill than the province has says, in
    English, "organized crime", as a reader writes it, not the id "organized_crime"."""
    data = json.loads(TUTORIAL.read_text())
    data["cases"][0]["team"]["skills"] = [{"skill": "organized_crime", "count": 9, "min_level": 1}]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    text = _words(runner.invoke(app, ["validate", str(path), "--lang", "en"]).output)
    assert "organized crime" in text and "organized_crime" not in text, text


@pytest.fixture(scope="module")
def sixty_cases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic province of 60 tiny cases: above the 50 where the default turns to summary."""
    path = tmp_path_factory.mktemp("sixty") / "sixty.json"
    path.write_text(json.dumps(province(150, 60, 1)))
    return path


def _words(text: str) -> str:
    """The output with rich's wrapping undone, so a phrase split over lines still matches."""
    return " ".join(text.split())


def test_solve_summary_format() -> None:
    """`--format summary` shows the staffed priority, the cost and herders' unstaffed reason."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--format", "summary", "--workers", "1"])
    assert result.exit_code == 0, result.output
    words = _words(result.output)
    assert "staffed priority: 5 (at most 5)" in words
    assert "cost: 1,060 (bound 1,060, gap 0.00%)" in words
    assert "1 herders needs 2 Mongolian speakers (group scope of Ewenki" in words
    assert "Members (home, one-way minutes)" not in words  # no table


@pytest.mark.parametrize("lang, words", [
    ("en", "Proved 2 of 5 parts alone within the time limit"),
    ("zh", "时限内只对5个子问题（各市的案件组）中的2个证明了最优"),
])
def test_summary_and_table_say_when_parts_were_left_unproven(lang: Language,
                                                              words: str) -> None:
    """A feasible roster whose time limit left parts unproven says so, in the summary and
    under the table, with the advice of a longer limit; one whose parts were all proven,
    one stopped before its limit, or one solved whole, does not."""
    s = parse_scenario(json.loads(TUTORIAL.read_text(encoding="utf-8")))
    solved = solve(s, seconds=5, workers=1, seed=0)
    short = solved.model_copy(update={"status": Status.FEASIBLE, "parts": 5,
                                      "parts_proven": 2})
    for show in (summarize, render):
        for roster, said in ((short, True), (short.model_copy(update={"parts_proven": 5}), False),
                             (short.model_copy(update={"stopped": True}), False),
                             (solved, False)):
            console = Console(file=io.StringIO(), width=200)
            show(console, s, roster, lang)
            out = console.file.getvalue()  # type: ignore[attr-defined]
            assert (words in out) is said, (show.__name__, roster.parts_proven, out)


@pytest.mark.parametrize("lang, parts, whole", [
    ("en", "(searched by parts: no whole model built)", "(model build 0.25 s)"),
    ("zh", "（分块求解，未建整体模型）", "（建模0.25秒）"),
])
def test_summary_and_table_say_no_whole_model_was_built_for_a_search_by_parts(
        lang: Language, parts: str, whole: str) -> None:
    """A province searched by parts builds no whole model: its time line says so rather
    than "model build 0.00 s"; a roster of the whole model gives its build time."""
    s = parse_scenario(json.loads(TUTORIAL.read_text(encoding="utf-8")))
    solved = solve(s, seconds=5, workers=1, seed=0)
    by_parts = solved.model_copy(update={"build_seconds": 0.0, "parts": 5, "parts_proven": 5})
    whole_model = solved.model_copy(update={"build_seconds": 0.25})
    for show in (summarize, render):
        built = whole.split("0.25")[0]  # the build phrase, whatever its seconds
        for roster, said, unsaid in ((by_parts, parts, built), (whole_model, whole, parts)):
            console = Console(file=io.StringIO(), width=200)
            show(console, s, roster, lang)
            out = console.file.getvalue()  # type: ignore[attr-defined]
            assert said in out and unsaid not in out, (show.__name__, out)


def test_solve_defaults_to_summary_above_50_cases(sixty_cases: Path) -> None:
    """With no --format, a 60-case scenario prints the summary, not a row per case."""
    result = runner.invoke(app, ["solve", str(sixty_cases), "--seconds", "3"])
    assert result.exit_code == 0, result.output
    assert "staffed priority:" in result.output and "of 60" in result.output
    assert "Members (home, one-way minutes)" not in _words(result.output)


def test_solve_table_format_prints_every_case(sixty_cases: Path) -> None:
    """`--format table` still prints a row for every case of a scenario above 50 cases."""
    result = runner.invoke(app, ["solve", str(sixty_cases), "--seconds", "3", "--format", "table"])
    assert result.exit_code == 0, result.output
    ids = [case["id"] for case in json.loads(sixty_cases.read_text())["cases"]]
    assert len(ids) == 60
    assert [i for i in ids if i not in result.output] == []


@pytest.mark.parametrize("where", ["folder", "proc"])
def test_solve_out_that_cannot_be_written_is_one_line(tmp_path: Path, where: str) -> None:
    """`solve --out` to a folder, or under /proc (writable to look at, for root), ends with
    exit 2 and one line naming the file, no traceback; a folder is refused before the solve."""
    out = tmp_path if where == "folder" else Path("/proc/taskforce-roster.json")
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and str(out) in result.output
    if where == "folder":
        assert "solving" not in result.output


@pytest.mark.parametrize("seconds", ["inf", "Infinity", "1e9"])
def test_solve_refuses_an_endless_time_limit(seconds: str) -> None:
    """`--seconds inf` (or a limit past a day) is a usage error naming the option, as the
    API refuses it, not a solve that runs until Ctrl-C."""
    result = runner.invoke(app, ["solve", str(TUTORIAL), "--seconds", seconds])
    assert result.exit_code == 2 and "--seconds" in result.output
