"""A scenario workbook read back: Chinese or English headers and choices, every problem
named by sheet, row, column and id, in the reader's language, and nothing returned while
any problem remains."""

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from i18n import LANGUAGES, Language, message, render
from models import ScenarioError, parse_scenario
from models.reason import Reason, why
from sheets import cells
from sheets.layout import (
    SCENARIO_FIELDS,
    SHEETS,
    SKILL_PREFIXES,
    Column,
    Sheet,
    fold,
    header,
    sheet_title,
    skill_values,
)

# A sheet longer than this is refused before it is read: a province has some thousands of
# people; a sheet of a million rows is a mistake or an attack.
MAX_ROWS = 50_000


class WorkbookError(ValueError):
    """The workbook's problems, each one line naming sheet, row, column and id."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Problems:
    """Problems found so far, worded in the reader's language."""

    lang: Language
    lines: list[str] = field(default_factory=list)
    # The cells reported (sheet, row, column): a bad cell is left out of the scenario, whose
    # own check would only echo it; and whether a sheet or a header row is wrong, after
    # which the scenario's check would echo it row by row.
    cells: set[tuple[str, int, str]] = field(default_factory=set)
    structural: bool = False

    def sheet(self, sheet: str, reason: Reason) -> None:
        self.structural = True
        self.lines.append(message(self.lang, "sheet.problem_sheet", sheet=sheet,
                                  problem=render(reason, self.lang)))

    def cell(self, sheet: str, row: int, column: str, row_id: str, reason: Reason) -> None:
        self.cells.add((sheet, row, column))
        self.structural = self.structural or row == 1
        problem = render(reason, self.lang)
        if row_id:
            self.lines.append(message(self.lang, "sheet.problem", sheet=sheet, row=row,
                                      column=column, id=row_id, problem=problem))
        else:
            self.lines.append(message(self.lang, "sheet.problem_noid", sheet=sheet, row=row,
                                      column=column, problem=problem))


@dataclass
class Record:
    """One data row: where it is, and the values of its filled cells by column key."""

    row: int
    values: dict[str, Any]
    id: str = ""


@dataclass
class Table:
    title: str  # as the workbook names the sheet
    records: list[Record]
    letters: dict[str, str]  # column key to its letter and header, for problems


def _sheet_keys() -> dict[str, str]:
    return {fold(sheet_title(s.key, lang)): s.key for s in SHEETS for lang in LANGUAGES} | \
        {fold(s.key): s.key for s in SHEETS}


def _columns(sheet: Sheet) -> dict[str, Column]:
    out = {}
    for column in sheet.columns:
        out[fold(column.key)] = column
        for lang in LANGUAGES:
            out[fold(header(sheet.key, column.key, lang))] = column
    return out


def _skill(text: str) -> str | None:
    folded = fold(text)
    for prefix in SKILL_PREFIXES:
        if folded.startswith(fold(prefix)):
            name = text.split(":", 1)[-1] if ":" in text else text.split("：", 1)[-1]
            name = name.strip()
            return skill_values().get(fold(name), name) if name else None
    return None


def _table(ws: Worksheet, formulas: Worksheet, sheet: Sheet, problems: Problems) -> Table | None:
    title = ws.title
    if ws.max_row > MAX_ROWS + 1:
        problems.sheet(title, why("bad.too_many_rows", rows=MAX_ROWS))
        return None
    known = _columns(sheet)
    by_index: dict[int, Column] = {}
    letters: dict[str, str] = {}
    seen: dict[str, str] = {}
    bad = False
    for index, cell in enumerate(next(ws.iter_rows(min_row=1, max_row=1), ()), start=1):
        if cell.value is None or not str(cell.value).strip():
            continue
        text = str(cell.value).strip()
        letter = get_column_letter(index)
        column = known.get(fold(text))
        if column is None and sheet.key == "staff" and (skill := _skill(text)):
            column = Column(f"skill:{skill}", "int")
        if column is None:
            problems.cell(title, 1, letter, "", why("bad.unknown_column", header=text))
            bad = True
            continue
        if column.key in seen:
            problems.cell(title, 1, letter, "", why("bad.duplicate_column", header=text))
            bad = True
            continue
        seen[column.key] = text
        by_index[index] = column
        letters[column.key] = f"{letter} {text}"
    for column in sheet.columns:
        if column.required and column.key not in seen:
            problems.cell(title, 1, header(sheet.key, column.key, problems.lang), "",
                          why("bad.missing_column"))
            bad = True
    for merged in ws.merged_cells.ranges:
        problems.cell(title, merged.min_row, get_column_letter(merged.min_col), "",
                      why("bad.merged", cells=merged.coord))
        bad = True
    if bad:
        return None
    records = []
    id_index = next((i for i, c in by_index.items() if c.key == "id"), None)
    rows = zip(ws.iter_rows(min_row=2), formulas.iter_rows(min_row=2), strict=False)
    for values, raw in rows:
        if all(c.value is None or str(c.value).strip() == "" for c in values) and \
                all(c.value is None for c in raw):
            continue
        row = values[0].row or 0
        record = Record(row, {})
        if id_index is not None and id_index <= len(values) and values[id_index - 1].value is not None:
            record.id = cells._text(values[id_index - 1].value)
        for index, column in by_index.items():
            value = values[index - 1].value if index <= len(values) else None
            source = raw[index - 1].value if index <= len(raw) else None
            if value is None and isinstance(source, str) and source.startswith("="):
                problems.cell(title, row, letters[column.key], record.id, why("bad.formula"))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                if column.required:
                    problems.cell(title, row, letters[column.key], record.id, why("bad.required"))
                continue
            try:
                record.values[column.key] = cells.read(value, column)
            except cells.BadCellError as e:
                problems.cell(title, row, letters[column.key], record.id, e.reason)
        records.append(record)
    return Table(title, records, letters)


def _load(data: bytes) -> tuple[Any, Any]:
    """The workbook twice: with the values its formulas last computed, and with the formulas."""
    values = load_workbook(BytesIO(data), data_only=True)
    formulas = load_workbook(BytesIO(data), data_only=False)
    return values, formulas


def read_workbook(data: bytes, lang: Language) -> dict[str, Any]:
    """The scenario a workbook describes, as plain data that `parse_scenario` accepts.
    Raises WorkbookError with every problem, worded in `lang`."""
    problems = Problems(lang)
    try:
        values, formulas = _load(data)
    except zipfile.BadZipFile:
        # Not a zip at all (a renamed .xls or .csv, a text file, a truncated download).
        raise WorkbookError([render(why("bad.not_zip"), lang)]) from None
    except (InvalidFileException, KeyError, OSError, ValueError):
        # A zip, but not a workbook's parts (another kind of zip, or a damaged workbook).
        # The library's own account is English and names its internals: not shown.
        raise WorkbookError([render(why("bad.not_xlsx"), lang)]) from None
    keys = _sheet_keys()
    found: dict[str, Table] = {}
    present = {keys[fold(ws.title)]: ws.title for ws in values.worksheets if fold(ws.title) in keys}
    for sheet in SHEETS:
        if sheet.key not in present:
            if sheet.required:
                problems.sheet(sheet_title(sheet.key, lang), why("bad.missing_sheet"))
            continue
        title = present[sheet.key]
        table = _table(values[title], formulas[title], sheet, problems)
        if table is not None:
            found[sheet.key] = table
    # Bad cells are left out and the rest checked as a scenario, so that every problem
    # comes at once; not past a missing sheet or a bad header row.
    if problems.structural:
        raise WorkbookError(problems.lines)
    data_out, where = _scenario(found, problems)
    left_out = set(problems.cells)
    try:
        parse_scenario(data_out)
    except ScenarioError as e:
        for p in e.problems:
            _locate(p.path, p.id or "", p.reason, where, found, problems, left_out)
    if problems.lines:
        raise WorkbookError(problems.lines)
    return data_out


def _get(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: values[k] for k in keys if k in values}


def _scenario(found: dict[str, Table], problems: Problems
              ) -> tuple[dict[str, Any], dict[str, tuple[str, list[Record]]]]:
    """The scenario's plain data from the sheets' records, and where each collection came from."""
    def records(key: str) -> list[Record]:
        return found[key].records if key in found else []

    units = [_get(r.values, "id", "name", "name_zh", "tier", "parent", "min_staff_at_home")
             | {"location": _location(r, records("offices"), found.get("offices"), problems)}
             for r in records("offices")]
    people = []
    for r in records("staff"):
        person = _get(r.values, "id", "name", "name_zh", "home", "role", "years", "capacity",
                      "load", "languages", "unavailable")
        person["skills"] = {k.split(":", 1)[1]: v for k, v in r.values.items()
                            if k.startswith("skill:")}
        people.append(person)
    cases = [_case(r.values) for r in records("cases")]
    roads = [_get(r.values, "a", "b", "minutes", "km") for r in records("roads")]
    pairs = [{"units": [r.values.get("a"), r.values.get("b")]} | _get(r.values, "note")
             for r in records("pairs")]
    groups = [_get(r.values, "id", "lead", "members") for r in records("groups")]
    out: dict[str, Any] = {"name": "workbook", "units": units, "pairs": pairs, "groups": groups,
                           "roads": roads, "prosecutors": people, "cases": cases}
    _settings(records("scenario"), found.get("scenario"), out, problems)
    where = {"units": ("offices", records("offices")), "prosecutors": ("staff", records("staff")),
             "cases": ("cases", records("cases")), "roads": ("roads", records("roads")),
             "pairs": ("pairs", records("pairs")), "groups": ("groups", records("groups"))}
    return out, where


def _location(r: Record, offices: list[Record], table: Table | None,
              problems: Problems) -> dict[str, Any]:
    """An office's seat: its coordinates, or those of the office its `place` names."""
    if "lat" in r.values or "lon" in r.values or "place" not in r.values:
        assert table is not None
        reported = any((table.title, r.row, table.letters.get(k, k)) in problems.cells
                       for k in ("lat", "lon"))
        if not ("lat" in r.values and "lon" in r.values) and "place" not in r.values \
                and not reported:
            problems.cell(table.title, r.row, table.letters.get("lat", "lat"), r.id,
                          why("bad.no_location"))
        return {"lat": r.values.get("lat"), "lon": r.values.get("lon")}
    place = fold(str(r.values["place"]))
    for other in offices:
        names = {fold(str(other.values.get(k, ""))) for k in ("id", "name", "name_zh")}
        if other is not r and place in names and "lat" in other.values and "lon" in other.values:
            return {"lat": other.values["lat"], "lon": other.values["lon"]}
    assert table is not None
    problems.cell(table.title, r.row, table.letters["place"], r.id,
                  why("bad.place", value=str(r.values["place"])))
    return {"lat": None, "lon": None}


def _case(v: dict[str, Any]) -> dict[str, Any]:
    case = _get(v, "id", "title", "title_zh", "kind", "venue", "lead_unit", "start", "end",
                "priority", "mandatory", "scope", "pool", "exclude_units", "exclude_prosecutors",
                "require_prosecutors")
    team: dict[str, Any] = _get(v, "load", "max_travel_minutes", "max_units", "min_units",
                                "skills", "languages")
    if v.get("leader_role") == "none":
        team["leader"] = None
    elif "leader_role" in v or "leader_level" in v:
        team["leader"] = ({"min_role": v["leader_role"]} if "leader_role" in v else {}) | \
            ({"min_level": v["leader_level"]} if "leader_level" in v else {})
    members = {slot: v[column] for slot, column in (("prosecutor", "prosecutors"),
               ("assistant", "assistants"), ("clerk", "clerks")) if column in v}
    if members:
        team["members"] = members
    if "remote_roles" in v:
        team["remote_roles"] = v["remote_roles"]
    tiers = {tier: v[f"from_{tier}"] for tier in ("provincial", "municipal", "grassroots")
             if f"from_{tier}" in v}
    if tiers:
        team["tiers"] = tiers
    return case | {"team": team}


def _settings(rows: list[Record], table: Table | None, out: dict[str, Any],
              problems: Problems) -> None:
    fields = {fold(message(lang, f"field.{f}")): f for f in SCENARIO_FIELDS for lang in LANGUAGES}
    fields |= {fold(f): f for f in SCENARIO_FIELDS}
    weights: dict[str, Any] = {}
    policy: dict[str, Any] = {}
    for r in rows:
        name = fold(str(r.values.get("field", "")))
        value = r.values.get("value")
        if name not in fields:
            assert table is not None
            problems.cell(table.title, r.row, table.letters["field"], "",
                          why("bad.unknown_field", value=str(r.values.get("field", ""))))
            continue
        key = fields[name]
        if value is None:
            continue
        try:
            if key == "name":
                out["name"] = str(value)
            elif key.startswith("weight."):
                weights[key.split(".", 1)[1]] = cells.number(value)
            else:
                policy[key] = cells.number(value)
        except cells.BadCellError as e:
            assert table is not None
            problems.cell(table.title, r.row, table.letters["value"], "", e.reason)
    if weights:
        policy["weights"] = weights
    if policy:
        out["policy"] = policy


PATH = re.compile(r"^(\w+)\[(\d+)\]\.?(.*)$")
# A field of the scenario to the column that fills it, where the names differ.
FIELD_COLUMN = {"location.lat": "lat", "location.lon": "lon", "team.members.prosecutor": "prosecutors",
                "team.members.assistant": "assistants", "team.members.clerk": "clerks",
                "team.leader.min_role": "leader_role", "team.leader.min_level": "leader_level",
                "team.leader": "leader_role", "units": "a", "location": "lat"}


def _locate(path: str, item_id: str, what: Reason, where: dict[str, tuple[str, list[Record]]],
            found: dict[str, Table], problems: Problems,
            left_out: set[tuple[str, int, str]]) -> None:
    """A scenario problem put back on the sheet, row and column it came from; none for a
    cell `left_out` of the scenario as already reported bad."""
    m = PATH.match(path)
    if m is None or m[1] not in where or int(m[2]) >= len(where[m[1]][1]):
        problems.sheet("-", why("problem.at", path=path, problem=what))
        return
    sheet, records = where[m[1]]
    record = records[int(m[2])]
    rest = re.sub(r"\[\d+\].*$", "", m[3])
    key = FIELD_COLUMN.get(rest, rest.removeprefix("team.").split(".")[0] or "id")
    if rest.startswith("skills."):
        key = "skill:" + rest.removeprefix("skills.")  # a column per skill on the staff sheet
    elif what.code == "invalid.end_before_start":
        key = "end"  # said of the whole row, but the end date is what to correct
    table = found[sheet]
    column = table.letters.get(key) or table.letters.get("id") or next(iter(table.letters.values()))
    if (table.title, record.row, column) in left_out:
        return
    problems.cell(table.title, record.row, column, item_id or record.id,
                  what)
