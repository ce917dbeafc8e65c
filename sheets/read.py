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
from models import Problem, ScenarioError, parse_scenario
from models.reason import Reason, why
from models.validation import shown_text
from sheets import cells
from sheets.layout import (
    NOTES,
    SCENARIO_FIELDS,
    SHEETS,
    SKILL_PREFIXES,
    VOCABULARY,
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
    """The workbook's problems: `problems`, each one line naming sheet, row, column and id;
    `found`, the same problems as data (sheet, row, column, header, id, and the reason as a
    code with its parameters), for a program to read."""

    def __init__(self, problems: list[str], found: list[Problem] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.found = found if found is not None else [Problem(path="workbook", message=line)
                                                      for line in problems]


@dataclass(frozen=True)
class Where:
    """A column as problems name it: its letter (none for a column the sheet lacks) and header."""

    letter: str
    header: str

    def __str__(self) -> str:
        return " ".join(x for x in (self.letter, self.header) if x)


@dataclass
class Found:
    """One problem: where (no row for a sheet as a whole, no sheet for the file) and why."""

    sheet: str | None
    row: int | None
    column: Where | None
    id: str
    reason: Reason


@dataclass
class Problems:
    """Problems found so far, worded in the reader's language at the end."""

    lang: Language
    found: list[Found] = field(default_factory=list)
    # The cells reported or left blank on purpose (sheet, row, column letter or header): a
    # bad cell is left out of the scenario (or stands in by a placeholder), and the
    # scenario's own check would only echo it.
    cells: set[tuple[str, int, str]] = field(default_factory=set)

    def sheet(self, sheet: str | None, reason: Reason) -> None:
        self.found.append(Found(sheet, None, None, "", reason))

    def cell(self, sheet: str, row: int, column: Where, row_id: str, reason: Reason) -> None:
        self.cells.add((sheet, row, str(column)))
        self.found.append(Found(sheet, row, column, row_id, reason))

    def lines(self) -> list[str]:
        out = []
        for f in self.found:
            problem = render(f.reason, self.lang)
            if f.sheet is None:
                out.append(problem)
            elif f.row is None or f.column is None:
                out.append(message(self.lang, "sheet.problem_sheet", sheet=f.sheet, problem=problem))
            elif f.id:
                out.append(message(self.lang, "sheet.problem", sheet=f.sheet, row=f.row,
                                   column=str(f.column), id=f.id, problem=problem))
            else:
                out.append(message(self.lang, "sheet.problem_noid", sheet=f.sheet, row=f.row,
                                   column=str(f.column), problem=problem))
        return out

    def error(self) -> "WorkbookError":
        """Every problem, as lines and as data."""
        data = [Problem(path="workbook", id=f.id or None, code=f.reason.code, params=f.reason.params,
                        message=render(f.reason, self.lang), sheet=f.sheet, row=f.row,
                        column=f.column.letter or None if f.column else None,
                        header=f.column.header if f.column else None)
                for f in self.found]
        return WorkbookError(self.lines(), data)


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
    letters: dict[str, Where]  # column key to its letter and header, for problems
    # Required columns the sheet lacks (reported once, on the header row): the scenario's
    # check of each row would only echo them.
    missing: set[str] = field(default_factory=set)

    def where(self, key: str) -> Where:
        """Where problems with the column `key` are said: its letter and header, or its key."""
        return self.letters.get(key) or Where("", key)


# A required cell that is blank or bad stands in by a placeholder, so that the rest of its
# row is still checked (an end before the start, an unknown office) in the same run. An id
# placeholder names no real item; problems said of it name the row instead.
PLACEHOLDER_ID = "\x00row"
FIRST_DAY = "2000-01-01"


def _placeholder(column: Column, row: int) -> Any:
    match column.cell:
        case "id":
            return f"{PLACEHOLDER_ID}{row}" if column.key == "id" else PLACEHOLDER_ID
        case "choice":
            return VOCABULARY[column.choices][0]
        case "int" | "float":
            return 1
        case "list":
            return []
        case "date":
            return FIRST_DAY
        case _:
            return "-"


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


def _merged(ws: Worksheet, title: str, problems: Problems) -> set[tuple[int, int]]:
    """Each merged range reported as such, on its first cell; the other data cells the
    ranges cover (row, column index), blank in the file, are then not read (the first
    cell's value is, so that what names it is not reported as well)."""
    covered: set[tuple[int, int]] = set()
    for merged in ws.merged_cells.ranges:
        problems.cell(title, merged.min_row, Where(get_column_letter(merged.min_col), ""), "",
                      why("bad.merged", cells=merged.coord))
        for row in range(max(merged.min_row, 2), merged.max_row + 1):
            covered |= {(row, col) for col in range(merged.min_col, merged.max_col + 1)
                        if (row, col) != (merged.min_row, merged.min_col)}
    return covered


def _table(ws: Worksheet, formulas: Worksheet, sheet: Sheet, problems: Problems) -> Table | None:
    """The sheet's rows. A bad header is reported and its column not read; a bad cell is
    reported and left out (a required one stands in by a placeholder); every other cell is
    still read, so that every problem comes in one run."""
    title = ws.title
    if ws.max_row > MAX_ROWS + 1:
        problems.sheet(title, why("bad.too_many_rows", rows=MAX_ROWS))
        return None
    known = _columns(sheet)
    by_index: dict[int, Column] = {}
    letters: dict[str, Where] = {}
    seen: dict[str, str] = {}
    for index, cell in enumerate(next(ws.iter_rows(min_row=1, max_row=1), ()), start=1):
        if cell.value is None or not str(cell.value).strip():
            continue
        text = str(cell.value).strip()
        letter = get_column_letter(index)
        column = known.get(fold(text))
        if column is None and sheet.key == "staff" and (skill := _skill(text)):
            column = Column(f"skill:{skill}", "int")
        if column is None:
            problems.cell(title, 1, Where(letter, ""), "", why("bad.unknown_column", header=text))
            continue
        if column.key in seen:
            problems.cell(title, 1, Where(letter, ""), "", why("bad.duplicate_column", header=text))
            continue
        seen[column.key] = text
        by_index[index] = column
        letters[column.key] = Where(letter, text)
    missing = set()
    for column in sheet.columns:
        if column.required and column.key not in seen:
            problems.cell(title, 1, Where("", header(sheet.key, column.key, problems.lang)), "",
                          why("bad.missing_column"))
            missing.add(column.key)
    covered = _merged(ws, title, problems)
    records = []
    # What names a row in its problems: its id, or on the commitments sheet its person.
    id_key = "prosecutor" if sheet.key == "commitments" else "id"
    id_index = next((i for i, c in by_index.items() if c.key == id_key), None)
    rows = zip(ws.iter_rows(min_row=2), formulas.iter_rows(min_row=2), strict=False)
    for values, raw in rows:
        if all(c.value is None or str(c.value).strip() == "" for c in values) and \
                all(c.value is None for c in raw):
            continue
        row = values[0].row or 0
        record = Record(row, {})
        if id_index is not None and id_index <= len(values) and values[id_index - 1].value is not None \
                and (row, id_index) not in covered:
            record.id = cells._text(values[id_index - 1].value)
        blanks = [c for c in sheet.columns if c.key in missing]
        for index, column in by_index.items():
            if column is NOTES:
                continue  # the clerk's own remarks, formulas and all
            value = values[index - 1].value if index <= len(values) else None
            source = raw[index - 1].value if index <= len(raw) else None
            where = letters[column.key]
            if (row, index) in covered:
                problems.cells.add((title, row, str(where)))  # said once, as merged
                blanks.append(column)
            elif value is None and isinstance(source, str) and source.startswith("="):
                problems.cell(title, row, where, record.id, why("bad.formula"))
                blanks.append(column)
            elif value is None or (isinstance(value, str) and not value.strip()):
                if column.required:
                    problems.cell(title, row, where, record.id, why("bad.required"))
                    blanks.append(column)
            else:
                try:
                    record.values[column.key] = cells.read(value, column)
                except cells.BadCellError as e:
                    problems.cell(title, row, where, record.id, e.reason)
                    blanks.append(column)
        _stand_in(record, [c for c in blanks if c.required], sheet)
        records.append(record)
    return Table(title, records, letters, missing)


def _stand_in(record: Record, blanks: list[Column], sheet: Sheet) -> None:
    """Placeholders for a row's blank or bad required cells; a date's is another date of
    the row, so that no end comes before its start."""
    days = [record.values[c.key] for c in sheet.columns if c.cell == "date" and c.key in record.values]
    for column in blanks:
        record.values[column.key] = min(days) if column.cell == "date" and days else \
            _placeholder(column, record.row)


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
    except (InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        # A zip, but not a workbook's parts (another kind of zip, or a damaged workbook:
        # XML that does not parse, such as a control character in a cell's text, raises
        # the XML parser's error, a SyntaxError).
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
    # Bad cells are left out (or stand in by placeholders) and the rest checked as a
    # scenario, so that every problem comes at once.
    data_out, where, aliases = _scenario(found, problems)
    # A missing sheet of offices or staff is said once, not as every reference to them.
    echoes = {code for key, code in (("offices", "invalid.unknown_unit"),
                                     ("staff", "invalid.unknown_prosecutor")) if key not in found}
    said: set[tuple[str, str]] = set()
    for _ in range(MAX_PASSES):
        try:
            parse_scenario(data_out)
            break
        except ScenarioError as e:
            fresh = [p for p in e.problems if (p.path, p.code) not in said and p.code not in echoes]
        if not fresh:
            break
        left_out = set(problems.cells)
        for p in fresh:
            said.add((p.path, p.code))
            _locate(_alias(p.path, aliases), p.id or "", p.reason, where, found, problems,
                    left_out)
        # An item that fails its own check is left out of the check of references (and a
        # case whose end is before its start of the check of its venue): mended and
        # checked again, so that those problems come in this run too.
        _mend(data_out, [p for p in fresh if p.code not in REFERENCE_CODES])
    if problems.found:
        raise problems.error()
    return data_out


ITEM = re.compile(r"^(\w+\[\d+\]\.\w+\[\d+\])(.*)$")


def _alias(path: str, aliases: dict[str, str]) -> str:
    """`path` of an item inside another (a person's commitment), or of a field of the
    scenario sheet (its name), as the path of its own row."""
    if path in aliases:  # a field of the scenario sheet
        return aliases[path]
    m = ITEM.match(path)
    return aliases[m[1]] + m[2] if m and m[1] in aliases else path


# Checks of the scenario after mending what the first one found: enough for an item that
# failed (and so hid its references) and one whose field failed (and so hid its own check).
MAX_PASSES = 4
# Problems of references between items: mending them would hide nothing.
REFERENCE_CODES = frozenset({
    "invalid.duplicate_id", "invalid.unknown_unit", "invalid.unknown_prosecutor",
    "invalid.unknown_pool", "invalid.unknown_case", "invalid.parent_loop", "invalid.self_pair",
    "invalid.self_road", "invalid.required_excluded", "invalid.too_many_required",
    "invalid.no_slot", "invalid.twice_on_case"})
# Stand-ins for a required field whose value failed its check; other fields are dropped
# (their defaults pass).
STAND_INS: dict[str, Any] = {"minutes": 1, "name": "-", "lat": 0, "lon": 0, "tier": "grassroots",
                             "role": "prosecutor", "kind": "criminal", "home": PLACEHOLDER_ID,
                             "venue": PLACEHOLDER_ID, "a": PLACEHOLDER_ID, "b": PLACEHOLDER_ID,
                             "lead": PLACEHOLDER_ID, "members": []}
# A team that passes its own check, for one that did not (it was reported); it has every
# place, so that a previous assignment to the case is not said to lack its place.
STAND_IN_TEAM: dict[str, Any] = {"leader": {}, "members": {"prosecutor": 10_000, "assistant": 1,
                                                           "clerk": 1}}
STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _mend(data: dict[str, Any], found: list[Problem]) -> None:
    """The scenario's data with each failed field at the paths of `found` dropped or stood
    in for, so that what it hid is checked next; items' ids keep their places."""
    dropped: list[list[Any]] = []
    for p in found:
        steps: list[str | int] = [int(i) if i else k for k, i in STEP.findall(p.path)]
        if not steps:
            continue
        parent: Any = None
        node: Any = data
        for step in steps:
            parent = node
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                node = parent = None
                break
        last = steps[-1]
        if parent is None:
            continue
        if isinstance(node, dict) and p.code == "invalid.end_before_start":
            node["end"] = node.get("start")
        elif last == "team" and isinstance(parent, dict):
            parent["team"] = dict(STAND_IN_TEAM)
        elif isinstance(parent, list) and isinstance(last, int) and len(steps) > 2:
            parent[last] = DROPPED  # an interval of leave, an entry of a list
            dropped.append(parent)
        elif isinstance(parent, dict) and isinstance(last, str):
            if last == "id":
                parent["id"] = f"{PLACEHOLDER_ID}{p.path}"
            elif last in STAND_INS:
                parent[last] = STAND_INS[last]
            else:
                parent.pop(last, None)
    for items in dropped:
        items[:] = [x for x in items if x is not DROPPED]


DROPPED = object()


def _get(values: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: values[k] for k in keys if k in values}


def _scenario(found: dict[str, Table], problems: Problems
              ) -> tuple[dict[str, Any], dict[str, tuple[str, list[Record]]], dict[str, str]]:
    """The scenario's plain data from the sheets' records, where each collection came from,
    and the paths of items read from a sheet of their own (a commitment) to their rows'."""
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
    aliases = _commitments(records("commitments"), found.get("commitments"), people, problems,
                           staff="staff" in found)
    cases = [_case(r.values) for r in records("cases")]
    roads = [_get(r.values, "a", "b", "minutes", "km") for r in records("roads")]
    pairs = [{"units": [r.values.get("a"), r.values.get("b")]} | _get(r.values, "note")
             for r in records("pairs")]
    groups = [_get(r.values, "id", "lead", "members") for r in records("groups")]
    pools = [_get(r.values, "id", "name", "members") for r in records("pools")]
    previous = [_get(r.values, "case", "prosecutor", "slot", "on_site", "pinned")
                for r in records("previous")]
    out: dict[str, Any] = {"name": "workbook", "units": units, "pairs": pairs, "groups": groups,
                           "pools": pools, "roads": roads, "prosecutors": people, "cases": cases,
                           "previous": previous}
    aliases |= _settings(records("scenario"), found.get("scenario"), out, problems)
    where = {"scenario": ("scenario", records("scenario")),
             "units": ("offices", records("offices")), "prosecutors": ("staff", records("staff")),
             "cases": ("cases", records("cases")), "roads": ("roads", records("roads")),
             "pairs": ("pairs", records("pairs")), "groups": ("groups", records("groups")),
             "pools": ("pools", records("pools")), "previous": ("previous", records("previous")),
             "commitments": ("commitments", records("commitments"))}
    return out, where, aliases


def _commitments(rows: list[Record], table: Table | None, people: list[dict[str, Any]],
                 problems: Problems, *, staff: bool) -> dict[str, str]:
    """Each row of the commitments sheet put on its person; a person nobody has is reported
    on its cell (not when the staff sheet is missing: that is said once). Returns, for each
    commitment's path in the scenario, the path of its row, so that a problem the scenario's
    check finds in a commitment is said on the commitments sheet."""
    by_id = {str(p.get("id")): (i, p) for i, p in enumerate(people)}
    aliases = {}
    for k, r in enumerate(rows):
        who = str(r.values.get("prosecutor", PLACEHOLDER_ID))
        r.id = "" if who.startswith(PLACEHOLDER_ID) else who
        if who not in by_id:
            if staff and not who.startswith(PLACEHOLDER_ID):
                assert table is not None
                problems.cell(table.title, r.row, table.where("prosecutor"), r.id,
                              why("invalid.unknown_prosecutor", ref=who))
            continue
        i, person = by_id[who]
        held = person.setdefault("commitments", [])
        aliases[f"prosecutors[{i}].commitments[{len(held)}]"] = f"commitments[{k}]"
        held.append(_get(r.values, "start", "end", "load", "away", "ref"))
    return aliases


def _location(r: Record, offices: list[Record], table: Table | None,
              problems: Problems) -> dict[str, Any]:
    """An office's seat: its coordinates, or those of the office its `place` names; a
    placeholder (0, 0) when neither reads, reported here, so that the rest of the office
    is still checked."""
    assert table is not None
    if "lat" in r.values or "lon" in r.values or "place" not in r.values:
        reported = any((table.title, r.row, str(table.where(k))) in problems.cells
                       for k in ("lat", "lon"))
        if not ("lat" in r.values and "lon" in r.values) and "place" not in r.values \
                and not reported:
            problems.cell(table.title, r.row, table.where("lat"), r.id, why("bad.no_location"))
        return {"lat": r.values.get("lat", 0), "lon": r.values.get("lon", 0)}
    place = fold(str(r.values["place"]))
    for other in offices:
        names = {fold(str(other.values.get(k, ""))) for k in ("id", "name", "name_zh")}
        if other is not r and place in names and "lat" in other.values and "lon" in other.values:
            return {"lat": other.values["lat"], "lon": other.values["lon"]}
    problems.cell(table.title, r.row, table.where("place"), r.id,
                  why("bad.place", value=shown_text(str(r.values["place"]))))
    return {"lat": 0, "lon": 0}


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
              problems: Problems) -> dict[str, str]:
    """The scenario sheet's rows into the scenario's name and policy; returns, for each
    field set, the path of its row, so that a problem the scenario's check finds in one
    (a name too long) is said on its value cell."""
    rows_of: dict[str, str] = {}
    fields = {fold(message(lang, f"field.{f}")): f for f in SCENARIO_FIELDS for lang in LANGUAGES}
    fields |= {fold(f): f for f in SCENARIO_FIELDS}
    weights: dict[str, Any] = {}
    policy: dict[str, Any] = {}
    for i, r in enumerate(rows):
        name = fold(str(r.values.get("field", "")))
        value = r.values.get("value")
        if name not in fields:
            assert table is not None
            problems.cell(table.title, r.row, table.where("field"), "",
                          why("bad.unknown_field", value=shown_text(str(r.values.get("field", "")))))
            continue
        key = fields[name]
        if value is None:
            continue
        path = key if key == "name" else "policy." + key.replace("weight.", "weights.", 1)
        rows_of[path] = f"scenario[{i}].value"
        try:
            if key == "name":
                out["name"] = str(value)
            elif key.startswith("weight."):
                weights[key.split(".", 1)[1]] = cells.number(value)
            else:
                policy[key] = cells.number(value)
        except cells.BadCellError as e:
            assert table is not None
            problems.cell(table.title, r.row, table.where("value"), "", e.reason)
    if weights:
        policy["weights"] = weights
    if policy:
        out["policy"] = policy
    return rows_of


PATH = re.compile(r"^(\w+)\[(\d+)\]\.?(.*)$")
# A field of the scenario to the column that fills it, where the names differ.
FIELD_COLUMN = {"location.lat": "lat", "location.lon": "lon", "team.members.prosecutor": "prosecutors",
                "team.members.assistant": "assistants", "team.members.clerk": "clerks",
                "team.leader.min_role": "leader_role", "team.leader.min_level": "leader_level",
                "team.leader": "leader_role", "units": "a", "location": "lat"}


# The columns of a case's team: a team problem on a row where one of them was left out is
# taken for an echo of it (two prosecutors fewer, the team is too small for its skills).
TEAM_COLUMNS = ("leader_role", "leader_level", "prosecutors", "assistants", "clerks", "load",
                "max_travel_minutes", "max_units", "min_units", "remote_roles", "from_provincial",
                "from_municipal", "from_grassroots", "skills", "languages")


def _locate(path: str, item_id: str, what: Reason, where: dict[str, tuple[str, list[Record]]],
            found: dict[str, Table], problems: Problems,
            left_out: set[tuple[str, int, str]]) -> None:
    """A scenario problem put back on the sheet, row and column it came from; none for a
    cell `left_out` of the scenario as already reported bad (or standing in by a
    placeholder), nor for a column the sheet lacks (reported once on its header row)."""
    m = PATH.match(path)
    if m is None or m[1] not in where or int(m[2]) >= len(where[m[1]][1]):
        problems.sheet(None, why("problem.at", path=path, problem=what))
        return
    sheet, records = where[m[1]]
    record = records[int(m[2])]
    rest = re.sub(r"\[\d+\].*$", "", m[3])
    key = FIELD_COLUMN.get(rest, rest.removeprefix("team.").split(".")[0] or "id")
    if rest.startswith("skills."):
        key = "skill:" + rest.removeprefix("skills.")  # a column per skill on the staff sheet
    elif what.code == "invalid.end_before_start" and not rest:
        key = "end"  # said of the whole case, but the end date is what to correct
    table = found[sheet]
    if key in table.missing:
        return
    if rest == "team" and any((table.title, record.row, str(table.where(k))) in left_out
                              for k in TEAM_COLUMNS):
        return
    ident = record.id if item_id.startswith(PLACEHOLDER_ID) else item_id or record.id
    # A team that cannot be staffed as written: each reason on the column to correct.
    inner = what.params.get("problems") if rest == "team" and what.code == "invalid.team" else None
    if isinstance(inner, Reason):
        items = inner.params.get("items") if inner.code == "list" else [inner]
        for item in items if isinstance(items, list) else []:
            columns = TEAM_PROBLEM_COLUMNS.get(item.code, ("id",))
            _put(table, record, next((k for k in columns if k in table.letters), "id"), ident,
                 item, problems, left_out)
        return
    _put(table, record, key, ident, what, problems, left_out)


# The columns where a team's own problem is corrected, the first the sheet has.
TEAM_PROBLEM_COLUMNS = {
    "invalid.team_empty": ("prosecutors", "leader_role"),
    "invalid.min_above_max_units": ("min_units",), "invalid.min_units_above_size": ("min_units",),
    "invalid.skill_above_size": ("skills",), "invalid.language_above_size": ("languages",),
    "invalid.tiers_above_size": ("from_provincial", "from_municipal", "from_grassroots")}


def _put(table: Table, record: Record, key: str, ident: str, what: Reason, problems: Problems,
         left_out: set[tuple[str, int, str]]) -> None:
    """`what` on the row's column `key` (its id's when the sheet has no such column), unless
    that cell was reported already."""
    column = table.letters.get(key) or table.letters.get("id") or next(iter(table.letters.values()))
    if (table.title, record.row, str(column)) not in left_out:
        problems.cell(table.title, record.row, column, ident, what)
