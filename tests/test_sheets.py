"""Scenarios and rosters as spreadsheets: the template, its import with every problem named
by sheet, row and column, the Hulunbuir round trip, and the roster's export."""

import json
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from cli.main import app
from i18n import Language
from models import Scenario, Status, parse_scenario
from sheets import WorkbookError, read_workbook, roster_workbook, scenario_workbook
from sheets.layout import SHEETS
from tests.tiny import solved

ROOT = Path(__file__).resolve().parent.parent
HULUNBUIR = parse_scenario(json.loads((ROOT / "scenarios" / "hulunbuir.json").read_text()))
TUTORIAL = ROOT / "scenarios" / "tutorial.json"
runner = CliRunner()


def _teams(s: Scenario) -> dict[str, set[tuple[str, str]]]:
    roster = solved(s, seconds=30)
    return {c.id: {(m.prosecutor, m.slot.value) for m in c.team} for c in roster.cases}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hulunbuir_round_trip_gives_the_same_scenario(lang: str) -> None:
    """Hulunbuir written as a workbook (Chinese or English headers and choices) and read
    back is the same scenario, field for field."""
    back = parse_scenario(read_workbook(scenario_workbook(HULUNBUIR, lang), lang))  # type: ignore[arg-type]
    assert back == HULUNBUIR


def test_hulunbuir_round_trip_gives_the_same_optimal_roster() -> None:
    """The scenario read back from its Chinese workbook solves to the same optimal roster:
    the same teams, priority and cost."""
    back = parse_scenario(read_workbook(scenario_workbook(HULUNBUIR, "zh"), "zh"))
    a, b = solved(HULUNBUIR, seconds=30), solved(back, seconds=30)
    assert a.status.value == b.status.value == "optimal"
    assert a.objective == b.objective
    assert [(c.id, [(m.prosecutor, m.slot) for m in c.team]) for c in a.cases] == \
        [(c.id, [(m.prosecutor, m.slot) for m in c.team]) for c in b.cases]


def test_template_has_headers_dropdowns_and_an_example_row() -> None:
    """The Chinese template has the ten sheets, Chinese headers, a list dropdown on every
    choice and yes/no column, an example row in each sheet, and imports as it is."""
    data = scenario_workbook(None, "zh")
    wb = load_workbook(BytesIO(data))
    assert wb.sheetnames == ["检察院", "人员", "案件", "道路", "结对检察院", "协作组", "人才库", "原名单",
                             "已定任务", "方案"]
    assert [c.value for c in wb["检察院"][1]][:4] == ["编号", "名称", "中文名称", "层级"]
    for sheet, ws in zip(SHEETS, wb.worksheets, strict=True):
        assert ws.max_row >= 2, sheet.key
        wanted = {i for i, c in enumerate(sheet.columns, start=1)
                  if c.cell in ("choice", "bool") or (c.cell == "list" and c.choices)}
        lists = [v for v in ws.data_validations.dataValidation if v.type == "list"]
        covered = {ws[str(v.sqref).split(":")[0]].column for v in lists}
        assert covered >= {i for i in wanted if sheet.columns[i - 1].cell != "list"}, sheet.key
    assert "检察长" in wb["人员"].data_validations.dataValidation[0].formula1
    assert parse_scenario(read_workbook(data, "zh")).name == "example"


def _mutated(change: Callable[[Workbook], None]) -> bytes:
    wb = load_workbook(BytesIO(scenario_workbook(None, "zh")))
    change(wb)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _problems(data: bytes, lang: str = "zh") -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(data, lang)  # type: ignore[arg-type]
    return caught.value.problems


def _set(sheet: str, cell: str, value: str | float | date | None) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet][cell] = value
    return change


def _merge(wb: Workbook) -> None:
    wb["案件"].merge_cells("A2:B2")


def _drop_cases(wb: Workbook) -> None:
    del wb["案件"]


def _huge(wb: Workbook) -> None:
    ws = wb["道路"]
    for row in range(2, 50_003):
        ws.cell(row=row, column=1, value="x")


@pytest.mark.parametrize(("change", "expected"), [
    (_set("人员", "F2", "=1+1"), "人员，第2行，F 工作年限列（wang）：公式没有保存的计算结果"),
    (_merge, "案件，第2行，A列：合并单元格（A2:B2）"),
    (_set("人员", "F2", "twenty"), "人员，第2行，F 工作年限列（wang）：“twenty”不是数字"),
    (_set("人员", "F2", 2.5), "“2.5”不是整数"),
    (_set("案件", "G2", "June 1st"), "案件，第2行，G 开始日期列（fraud）：“June 1st”不是日期"),
    (_set("检察院", "D2", "county"),
     "检察院，第2行，D 层级列（hailar）：“county”不在可选值中：省院、市院、基层院"),
    (_set("检察院", "A3", None), "检察院，第3行，A 编号列：必须填写"),
    (_drop_cases, "案件：工作簿缺少此工作表"),
    (_set("道路", "F1", "颜色"), "道路，第1行，F列：未知的列“颜色”"),
    (_set("道路", "E1", "公里"), "道路，第1行，E列：列“公里”重复"),
    (_set("案件", "E2", "nowhere"), "案件，第2行，E 办案地点列（fraud）：没有编号为“nowhere”的检察院"),
    (_set("案件", "Z2", "criminal:two:2"), "“two”不是数字"),
    (_set("案件", "Z2", "criminal-2"), "“criminal-2”不是“名称:人数”或“技能:人数:等级”格式"),
    (_huge, "道路：超过50000行"),
    (_set("案件", "G2", "2022年13月1日"), "案件，第2行，G 开始日期列（fraud）：“2022年13月1日”不是日期"),
    (_set("人员", "I2", "火星语"), "人员，第2行，I 语言列（wang）：“火星语”不是可识别的语言"),
    (_set("案件", "AA2", "蒙语:2"),
     "案件，第2行，AA 语言要求（语言:人数；…）列（fraud）：“蒙语”不是可识别的语言"),
    (_set("人员", "K2", 9), "人员，第2行，K 技能：刑事列（wang）：应不大于3，填的是9"),
    (_set("案件", "H2", date(2000, 1, 1)), "案件，第2行，H 结束日期列（fraud）：结束日期2000年1月1日早于"),
    (_set("方案", "B2", "方" * 201), "方案，第2行，B 值列：最多200个字符"),
    # Numbers no one could read in full are shown by their ends, or as the cell holds
    # them, not as 5,000 digits or the 29-digit integer a float rounds to.
    (_set("人员", "F2", "9" * 5000), "人员，第2行，F 工作年限列（wang）：“999999999999…9999”不是数字"),
    (_set("人员", "F2", 1.2345678901234567e28), "1.23457e+28"),
])
def test_bad_workbooks_name_sheet_row_column_and_id(change: Callable[[Workbook], None],
                                                    expected: str) -> None:
    """Each kind of bad workbook (formula without a value, merged cells, wrong types, an
    unknown choice, a blank required cell, a missing sheet, unknown or repeated headers, an
    unknown office, bad needs, a huge sheet) is one line naming where, in Chinese."""
    problems = _problems(_mutated(change))
    assert any(expected in p for p in problems), problems


def test_specialties_are_read_by_their_words() -> None:
    """A specialty written in the glossary's words, as a staff column (技能：生态环境) or a
    case's need (生态环境:1:2), is the skill the spec names (environment), not a new one;
    a language by its name or its ISO code is read as its code; dates as Chinese Excel
    shows them (2022/6/1) or clerks type them (2022.6.20)."""
    def change(wb: Workbook) -> None:
        wb["人员"]["O1"], wb["人员"]["O2"] = "技能：生态环境", 2
        wb["人员"]["I2"] = "汉语、mn"
        wb["案件"]["Z2"] = "生态环境:1:2"
        wb["案件"]["G2"], wb["案件"]["H2"] = "2022/6/1", "2022.6.20"
    s = parse_scenario(read_workbook(_mutated(change), "zh"))
    wang = s.prosecutor_by_id["wang"]
    assert wang.skills.get("environment") == 2 and wang.languages == ["zh", "mn"]
    fraud = s.case_by_id["fraud"]
    assert [(n.skill, n.count, n.min_level) for n in fraud.team.skills] == [("environment", 1, 2)]
    assert (fraud.start, fraud.end) == (date(2022, 6, 1), date(2022, 6, 20))


def test_bad_cells_and_bad_references_come_together() -> None:
    """A number that is not one, on the staff sheet, and an unknown venue on the cases
    sheet are reported in one go; the office whose longitude is bad is not then reported
    again as missing its seat, nor as an unknown office where others name it."""
    def change(wb: Workbook) -> None:
        wb["人员"]["F2"] = "many"
        wb["案件"]["E2"] = "nowhere"
        wb["检察院"]["G2"] = "north"
    problems = _problems(_mutated(change))
    assert any("F 工作年限列（wang）" in p for p in problems), problems
    assert any("E 办案地点列（fraud）：没有编号为“nowhere”的检察院" in p for p in problems)
    assert len(problems) == 3, problems


def test_every_problem_at_once_in_the_readers_language() -> None:
    """Three problems on three sheets are all reported together; in English when asked,
    with the workbook's own (Chinese) sheet names and headers."""
    def change(wb: Workbook) -> None:
        wb["人员"]["F2"] = "many"
        wb["案件"]["G2"] = "soon"
        wb["检察院"]["G2"] = "north"
    problems = _problems(_mutated(change), "en")
    assert problems == [
        "检察院, row 2, column G 经度 (hailar): 'north' is not a number",
        "人员, row 2, column F 工作年限 (wang): 'many' is not a number",
        "案件, row 2, column G 开始日期 (fraud): 'soon' is not a date (2022-06-01, 2022/6/1 or "
        "2022年6月1日)",
    ]


def test_mixed_headers_and_choices_in_both_languages() -> None:
    """A sheet whose headers mix English and Chinese, with choices written either way and
    Chinese dates, reads as the same scenario."""
    def change(wb: Workbook) -> None:
        ws = wb["人员"]
        ws["A1"], ws["E1"], ws["E2"] = "id", "role", "chief"
        wb["案件"]["D1"], wb["案件"]["G2"] = "kind", "2022年6月1日"
    mixed = parse_scenario(read_workbook(_mutated(change), "zh"))
    assert mixed == parse_scenario(read_workbook(scenario_workbook(None, "zh"), "zh"))


def test_not_a_workbook() -> None:
    """Bytes that are not an .xlsx file are one problem, not a traceback, about the file as
    a whole (no sheet), without the zip library's English."""
    assert _problems(b"hello") == ["不是.xlsx工作簿（可能是旧的.xls文件或其他文件；请另存为.xlsx）"]


def test_cli_template_import_and_nothing_written_on_problems(tmp_path: Path) -> None:
    """`taskforce template --lang zh` then `taskforce import` writes the scenario JSON; a
    workbook with a problem exits 2 with the problem and leaves no file behind."""
    book, out = tmp_path / "模板.xlsx", tmp_path / "scenario.json"
    assert runner.invoke(app, ["template", "--lang", "zh", "--out", str(book)]).exit_code == 0
    done = runner.invoke(app, ["import", str(book), "--out", str(out), "--lang", "zh"])
    assert done.exit_code == 0, done.output
    assert parse_scenario(json.loads(out.read_text())).name == "example"
    bad, bad_out = tmp_path / "bad.xlsx", tmp_path / "bad.json"
    bad.write_bytes(_mutated(_set("人员", "F2", "twenty")))
    failed = runner.invoke(app, ["import", str(bad), "--out", str(bad_out), "--lang", "zh"])
    assert failed.exit_code == 2 and "“twenty”不是数字" in failed.output
    assert not bad_out.exists() and "Traceback" not in failed.output


def test_roster_exports_to_a_workbook(tmp_path: Path) -> None:
    """`solve --out roster.xlsx --lang zh` writes a summary, one sheet per staffed team with
    roles, Chinese names and reasons, the unstaffed case with its reason, and each serving
    person's load per day."""
    out = tmp_path / "roster.xlsx"
    done = runner.invoke(app, ["solve", str(TUTORIAL), "--workers", "1", "--lang", "zh",
                               "--out", str(out), "--format", "summary"])
    assert done.exit_code == 0, done.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "fraud", "grassland", "未组建", "工作量"]
    assert ("状态", "最优") in set(wb["汇总"].iter_rows(values_only=True))
    fraud = list(wb["fraud"].iter_rows(values_only=True))
    assert fraud[0][:2] == ("fraud", "电信诈骗团伙案")
    leader = next(row for row in fraud if row[0] == "组长")
    assert leader[:4] == ("组长", "wang", "王磊", "海拉尔区人民检察院")
    assert "以检察长身份任组长" in str(leader[6])
    unstaffed = list(wb["未组建"].iter_rows(values_only=True))
    assert unstaffed[1][0] == "herders" and str(unstaffed[1][3]).startswith("需要2名通晓蒙古语")
    days = list(wb["工作量"].iter_rows(values_only=True))
    assert len(days) == 1 + 5 and days[0][:4] == ("编号", "姓名", "所在院", "工作量上限")


def test_roster_workbook_says_how_far_the_roster_may_be_from_best() -> None:
    """The summary sheet carries the gap (as a percentage), the bound on priority, the parts
    proven of those solved and whether the search was stopped early: a planner who has only
    the file can tell a proven roster from one a longer limit would improve."""
    s = parse_scenario(json.loads(TUTORIAL.read_text()))
    roster = solved(s).model_copy(update={"status": Status.FEASIBLE, "bound": 80.0, "gap": 0.125,
                                          "priority_bound": 9, "parts": 4, "parts_proven": 3,
                                          "stopped": True})
    summary = load_workbook(BytesIO(roster_workbook(s, roster, "zh")))["汇总"]
    rows = {label.value: value for label, value in summary.iter_rows(min_row=2)}
    assert rows["差距（成本与下界）"].value == 0.125
    assert rows["差距（成本与下界）"].number_format == "0.00%"
    assert rows["优先级上界"].value == 9 and rows["下界"].value == 80.0
    assert rows["子问题数"].value == 4 and rows["已证明最优的子问题"].value == 3
    assert rows["提前停止"].value == "是"
    whole = load_workbook(BytesIO(roster_workbook(s, solved(s), "en")))["summary"]
    labels = {label.value for label, _ in whole.iter_rows(min_row=2)}
    # A roster of one whole model has no parts to count.
    assert "gap (cost to bound)" in labels and "parts" not in labels


def test_infeasible_roster_workbook_counts_no_teams_and_says_why(tmp_path: Path) -> None:
    """An infeasible scenario has no roster: its workbook leaves the counts of staffed and
    unstaffed cases blank (an outside tester found "unstaffed 0" beside the command line's
    "3 unstaffed") and says why no roster exists."""
    data = json.loads(TUTORIAL.read_text())
    herders = next(c for c in data["cases"] if c["id"] == "herders")
    herders["mandatory"] = True  # two Mongolian speakers it cannot have: no roster at all
    path, out = tmp_path / "infeasible.json", tmp_path / "roster.xlsx"
    path.write_text(json.dumps(data))
    done = runner.invoke(app, ["solve", str(path), "--workers", "1", "--lang", "en",
                               "--out", str(out), "--format", "summary"])
    assert done.exit_code == 1, done.output  # infeasible
    rows = {label: value for label, value
            in load_workbook(out)["summary"].iter_rows(min_row=2, values_only=True)}
    assert rows["status"] == "infeasible"
    assert rows["cases staffed"] is None and rows["unstaffed"] is None
    assert "herders" in str(rows["infeasible"])


def test_roster_workbook_sheet_names_are_valid() -> None:
    """Case ids too long for a sheet name, or with characters Excel refuses, or equal but
    for case, still get distinct valid sheet names."""
    s = parse_scenario(json.loads(TUTORIAL.read_text()))
    roster = solved(s)
    renamed = roster.model_copy(update={"cases": [
        roster.cases[0].model_copy(update={"id": "a/very:long*case?id[with]chars" * 2}),
        roster.cases[1].model_copy(update={"id": "FRAUD"}), roster.cases[2]]})
    wb = load_workbook(BytesIO(roster_workbook(s, renamed, "en")))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    assert len(wb.sheetnames) == len(set(wb.sheetnames))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbooks_never_hold_formulas_from_the_data(lang: Language) -> None:
    """Names that look like formulas (=HYPERLINK(...)) are written as text in the roster and
    scenario workbooks: Excel would run a formula for whoever opens them."""
    trap = '=HYPERLINK("http://example.invalid","x")'
    data = json.loads(TUTORIAL.read_text())
    for p in data["prosecutors"]:
        p["name"] = p["name_zh"] = trap
    for c in data["cases"]:
        c["title"] = c["title_zh"] = trap
    s = parse_scenario(data)
    for book in (roster_workbook(s, solved(s), lang), scenario_workbook(s, lang)):
        cells = [c for ws in load_workbook(BytesIO(book)).worksheets
                 for row in ws.iter_rows() for c in row]
        assert any(c.value == trap for c in cells)
        assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_an_office_may_be_placed_at_another_by_name() -> None:
    """An office without coordinates that names the office it shares a seat with (by id,
    English or Chinese name) gets that office's coordinates; one that names no office, or
    gives neither, is a problem on its row."""
    def at(place: str | None) -> Callable[[Workbook], None]:
        def change(wb: Workbook) -> None:
            ws = wb["检察院"]
            ws["F3"], ws["G3"], ws["I3"] = None, None, place
        return change
    for name in ("hailar", "海拉尔区人民检察院", "Hailar District"):
        office = read_workbook(_mutated(at(name)), "zh")["units"][1]
        assert office["location"] == {"lat": 49.213, "lon": 119.766}
    assert any("“nowhere”不是本工作簿中有经纬度的检察院" in p for p in _problems(_mutated(at("nowhere"))))
    assert any("检察院，第3行" in p and "请填写经纬度" in p for p in _problems(_mutated(at(None))))


def test_problems_hidden_behind_others_come_in_the_same_run() -> None:
    """Problems that a first check would hide come together with it: a case with an unknown
    kind whose end is before its start and whose venue is unknown; a person whose capacity
    is out of range, whose home is unknown and whose leave ends before it starts (pinned to
    the leave column, not the id); and a road with a bad length to an unknown office."""
    def change(wb: Workbook) -> None:
        wb["案件"]["D2"], wb["案件"]["E2"], wb["案件"]["H2"] = "bogus", "nowhere", date(2000, 1, 1)
        wb["人员"]["G2"], wb["人员"]["D2"] = 0, "nowhere"
        wb["人员"]["J2"] = "2022-07-05..2022-07-01; 2022-08-01..2022-08-02"
        wb["道路"]["C2"], wb["道路"]["B2"] = -5, "nowhere"
    problems = _problems(_mutated(change))
    for expected in ("案件，第2行，D 案件类别列（fraud）：“bogus”不在可选值中",
                     "案件，第2行，H 结束日期列（fraud）：结束日期2000年1月1日早于开始日期2022年6月1日",
                     "案件，第2行，E 办案地点列（fraud）：没有编号为“nowhere”的检察院",
                     "人员，第2行，G 工作量上限列（wang）：应不小于0.01，填的是0",
                     "人员，第2行，D 所在院列（wang）：没有编号为“nowhere”的检察院",
                     "人员，第2行，J 不在岗日期列（wang）：结束日期2022年7月1日早于开始日期2022年7月5日",
                     "道路，第2行，C 单程分钟列（hailar-nowhere）：应大于0，填的是-5",
                     "道路，第2行，B 终点院列（hailar-nowhere）：没有编号为“nowhere”的检察院"):
        assert sum(expected in p for p in problems) == 1, (expected, problems)
    assert len(problems) == 8, problems


def test_merged_cells_are_said_as_such_beside_the_sheets_other_problems() -> None:
    """A merged range is reported as merged cells, once, and the rest of its sheet is still
    read: the unknown venue and the early end of the same case come in the same run, and
    the cells the range covers are not also called blank."""
    def change(wb: Workbook) -> None:
        wb["案件"].merge_cells("B2:C2")
        wb["案件"]["E2"], wb["案件"]["H2"] = "nowhere", date(2000, 1, 1)
        wb["人员"].merge_cells("A2:A3")
        wb["人员"]["B3"], wb["人员"]["D3"], wb["人员"]["E3"] = "Li", "hailar", "检察官"
    problems = _problems(_mutated(change))
    assert problems == [
        "人员，第2行，A列：合并单元格（A2:A3）：请取消合并并逐格填写",
        "案件，第2行，B列：合并单元格（B2:C2）：请取消合并并逐格填写",
        "案件，第2行，H 结束日期列（fraud）：结束日期2000年1月1日早于开始日期2022年6月1日",
        "案件，第2行，E 办案地点列（fraud）：没有编号为“nowhere”的检察院",
    ]


def test_a_missing_column_or_sheet_does_not_stop_the_other_problems() -> None:
    """A required column the sheet lacks, an unknown header and a missing sheet are each said
    once, and the bad cells elsewhere come in the same run (no echo of the missing column
    on every row, nor of the missing offices in every reference to one)."""
    def change(wb: Workbook) -> None:
        wb["人员"]["D1"] = None
        wb["人员"]["F2"] = "many"
        wb["道路"]["E1"] = "里程"
        del wb["检察院"]
        wb["案件"]["G2"] = "soon"
    problems = _problems(_mutated(change))
    assert problems == [
        "检察院：工作簿缺少此工作表",
        "人员，第1行，所在院列：缺少必填列",
        "人员，第2行，F 工作年限列（wang）：“many”不是数字",
        "案件，第2行，G 开始日期列（fraud）：“soon”不是日期（如2022-06-01、2022/6/1或2022年6月1日）",
        "道路，第1行，E列：未知的列“里程”",
    ], problems


def test_notes_columns_are_read_past() -> None:
    """The notes column (备注) of each sheet of records holds the clerk's remarks: whatever
    is written there, the scenario is the template's, and nothing is reported."""
    def change(wb: Workbook) -> None:
        for title in ("检察院", "人员", "案件", "道路", "协作组", "人才库"):
            ws = wb[title]
            column = [c.value for c in ws[1]].index("备注") + 1
            ws.cell(row=2, column=column, value="=待核实：电话 0470-1234567")
    assert parse_scenario(read_workbook(_mutated(change), "zh")) == \
        parse_scenario(read_workbook(scenario_workbook(None, "zh"), "zh"))


def test_pools_sheet_round_trips_and_its_problems_are_placed() -> None:
    """Talent pools are a sheet (人才库) of the template and of a scenario's workbook: read
    back as the same pools; a member nobody has is reported on its cell; a case may name
    the pool."""
    with_pool = parse_scenario(json.loads(TUTORIAL.read_text()) | {
        "pools": [{"id": "herders", "name": "牧区办案骨干", "members": ["bayar", "oyun"]}]})
    back = parse_scenario(read_workbook(scenario_workbook(with_pool, "zh"), "zh"))
    assert back.pools == with_pool.pools and back == with_pool

    def change(wb: Workbook) -> None:
        wb["人才库"]["C2"] = "wang, nobody"
        wb["案件"]["L2"] = "mongolian"
    problems = _problems(_mutated(change))
    assert problems == ["人才库，第2行，C 成员列（mongolian）：没有编号为“nobody”的人员"], problems


def test_remote_roles_may_include_the_leader() -> None:
    """The spec lets any slot join by video, the leader's too: 视频参与岗位 reads 组长 (or
    leader) beside the members' slots, and a workbook written from such a case reads back
    the same."""
    def change(wb: Workbook) -> None:
        wb["案件"]["V2"] = "组长、书记员"
    fraud = parse_scenario(read_workbook(_mutated(change), "zh")).case_by_id["fraud"]
    assert [s.value for s in fraud.team.remote_roles] == ["leader", "clerk"]
    data = json.loads(TUTORIAL.read_text())
    data["cases"][0]["team"]["remote_roles"] = ["leader"]
    remote = parse_scenario(data)
    assert parse_scenario(read_workbook(scenario_workbook(remote, "en"), "en")) == remote


def test_cli_writes_a_scenario_as_a_workbook_and_back(tmp_path: Path) -> None:
    """`taskforce template --from hulunbuir.json` writes Hulunbuir as a workbook, and
    `taskforce import` of it gives the same scenario as the JSON; a scenario with a
    previous roster and commitments comes back with both, silently."""
    book, back = tmp_path / "呼伦贝尔.xlsx", tmp_path / "back.json"
    source = ROOT / "scenarios" / "hulunbuir.json"
    made = runner.invoke(app, ["template", "--from", str(source), "--out", str(book), "--lang", "zh"])
    assert made.exit_code == 0, made.output
    read = runner.invoke(app, ["import", str(book), "--out", str(back), "--lang", "zh"])
    assert read.exit_code == 0, read.output
    assert parse_scenario(json.loads(back.read_text())) == HULUNBUIR
    data = json.loads(TUTORIAL.read_text())
    data["previous"] = [{"case": "fraud", "prosecutor": "wang", "slot": "leader", "pinned": True},
                        {"case": "grassland", "prosecutor": "saruul", "slot": "prosecutor",
                         "on_site": False}]
    data["prosecutors"][0]["commitments"] = [
        {"start": "2022-05-01", "end": "2022-05-03", "load": 0.5, "away": True, "ref": "gang-110"}]
    (tmp_path / "prev.json").write_text(json.dumps(data))
    made = runner.invoke(app, ["template", "--from", str(tmp_path / "prev.json"), "--out",
                               str(tmp_path / "prev.xlsx"), "--lang", "zh"])
    assert made.exit_code == 0 and not made.stderr, made.output
    read = runner.invoke(app, ["import", str(tmp_path / "prev.xlsx"), "--out", str(back)])
    assert read.exit_code == 0, read.output
    assert parse_scenario(json.loads(back.read_text())) == parse_scenario(data)
    bad = runner.invoke(app, ["template", "--from", str(tmp_path / "missing.json"), "--out",
                              str(tmp_path / "never.xlsx")])
    assert bad.exit_code == 2 and not (tmp_path / "never.xlsx").exists()


def test_a_team_that_cannot_be_staffed_is_said_on_the_columns_to_correct() -> None:
    """A case's team too small for its skill need and for its minimum of offices gives one
    problem on each column to correct (skills, minimum offices), not one on the id."""
    def change(wb: Workbook) -> None:
        wb["案件"]["Z2"], wb["案件"]["U2"] = "刑事:9:2", 9
    problems = _problems(_mutated(change))
    assert len(problems) == 2, problems
    assert problems[0].startswith("案件，第2行，U ") and "9" in problems[0], problems
    assert problems[1].startswith("案件，第2行，Z 技能要求") and "只有3人" in problems[1], problems


def _with_previous_and_commitments() -> Scenario:
    data = json.loads(TUTORIAL.read_text())
    data["previous"] = [{"case": "fraud", "prosecutor": "wang", "slot": "leader", "pinned": True},
                        {"case": "grassland", "prosecutor": "saruul", "slot": "prosecutor",
                         "on_site": False}]
    for person in data["prosecutors"][:2]:
        person["commitments"] = [
            {"start": "2022-05-01", "end": "2022-05-03", "load": 0.5, "away": True, "ref": "gang-110"},
            {"start": "2022-06-20", "end": "2022-06-30", "load": 0.25}]
    return parse_scenario(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_previous_roster_and_commitments_round_trip(lang: Language) -> None:
    """A scenario's previous roster (原名单: case, person, place, on site, pinned) and its
    people's commitments (已定任务: a row per commitment) are sheets of its workbook, with
    headers in the language, and read back as the same scenario."""
    s = _with_previous_and_commitments()
    data = scenario_workbook(s, lang)
    wb = load_workbook(BytesIO(data))
    previous, commitments = ("原名单", "已定任务") if lang == "zh" else ("previous roster", "commitments")
    assert [c.value for c in wb[previous][1]] == (
        ["案件", "人员", "岗位", "现场办案", "锁定", "备注"] if lang == "zh" else
        ["case", "prosecutor", "slot", "on site", "pinned", "notes"])
    assert wb[previous].max_row == 3 and wb[commitments].max_row == 5
    back = parse_scenario(read_workbook(data, lang))
    assert back.previous == s.previous
    assert back.prosecutors[0].commitments == s.prosecutors[0].commitments
    assert back == s


def test_previous_roster_problems_are_placed_on_their_cells() -> None:
    """Bad cells of the previous roster and commitments sheets come in the same run as the
    rest, each on its row and column: an unknown case, a place the case lacks, a person
    on a case twice, a commitment of nobody, one that ends before it starts, a load out of
    range and a bad yes/no."""
    def change(wb: Workbook) -> None:
        ws = wb["原名单"]
        ws["A2"] = "nowhere"
        ws.append(["fraud", "wang", "助理", "是", "也许"])
        ws.append(["fraud", "wang", "书记员"])
        cs = wb["已定任务"]
        cs["A2"] = "nobody"
        cs.append(["wang", date(2022, 5, 9), date(2022, 5, 1), 0.5])
        cs.append(["wang", date(2022, 5, 9), date(2022, 5, 10), 50])
    problems = _problems(_mutated(change))
    for expected in ("原名单，第2行，A 案件列（nowhere/wang）：没有编号为“nowhere”的案件",
                     "原名单，第3行，C 岗位列：“助理”不在可选值中",
                     "原名单，第3行，E 锁定列",
                     "原名单，第4行",
                     "已定任务，第2行，A 人员列（nobody）：没有编号为“nobody”的人员",
                     "已定任务，第3行，C 结束日期列（wang）：结束日期2022年5月1日早于开始日期2022年5月9日",
                     "已定任务，第4行，D 每日工作量列（wang）：应不大于10，填的是50"):
        assert sum(expected in p for p in problems) == 1, (expected, problems)
