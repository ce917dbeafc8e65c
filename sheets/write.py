"""A scenario as a workbook: one sheet each for offices, staff, cases, roads, pairs, groups,
talent pools, the previous roster, commitments and the scenario's settings, headers in one
language, a dropdown on every choice column.
With no scenario, the template: the same sheets with one example row each."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from i18n import Language, message
from models import Case, Prosecutor, Scenario, parse_scenario
from models.enums import Tier
from sheets.layout import (
    NOTES,
    SCENARIO_FIELDS,
    SHEETS,
    VOCABULARY,
    Column,
    header,
    language_label,
    sheet_title,
    skill_label,
    term_label,
)

# Rows a dropdown covers: as far as anyone fills a sheet by hand.
VALIDATED_ROWS = 5000

EXAMPLE: dict[str, Any] = {
    "name": "example",
    "units": [
        {"id": "hailar", "name": "Hailar District", "name_zh": "海拉尔区人民检察院",
         "tier": "grassroots", "location": {"lat": 49.213, "lon": 119.766}, "min_staff_at_home": 2},
        {"id": "chen_barag", "name": "Chen Barag Banner", "name_zh": "陈巴尔虎旗人民检察院",
         "tier": "grassroots", "location": {"lat": 49.328, "lon": 119.424}, "min_staff_at_home": 1},
    ],
    "pairs": [{"units": ["hailar", "chen_barag"], "note": "urban and pastoral"}],
    "groups": [{"id": "hailar-group", "lead": "hailar", "members": ["chen_barag"]}],
    "pools": [{"id": "mongolian", "name": "Mongolian-speaking prosecutors", "members": ["wang"]}],
    "roads": [{"a": "hailar", "b": "chen_barag", "minutes": 26, "km": 28}],
    "prosecutors": [
        {"id": "wang", "name": "Wang Lei", "name_zh": "王磊", "home": "hailar", "role": "chief",
         "skills": {"criminal": 3}, "languages": ["zh", "mn"], "years": 20,
         "unavailable": [{"start": "2022-07-01", "end": "2022-07-05"}],
         "commitments": [{"start": "2022-05-20", "end": "2022-05-25", "load": 0.5, "away": True,
                          "ref": "gang-110"}]},
    ],
    "cases": [
        {"id": "fraud", "title": "Telecom fraud ring", "title_zh": "电信诈骗团伙案",
         "kind": "criminal", "venue": "hailar", "start": "2022-06-01", "end": "2022-06-20",
         "priority": 3, "team": {"leader": {"min_role": "prosecutor", "min_level": 2},
                                 "members": {"prosecutor": 1, "clerk": 1},
                                 "skills": [{"skill": "criminal", "count": 2, "min_level": 2}],
                                 "languages": [{"language": "mn", "count": 1}]}},
    ],
    "previous": [{"case": "fraud", "prosecutor": "wang", "slot": "leader"}],
}


def _yes(value: bool, lang: Language) -> str:
    return message(lang, "bool.yes" if value else "bool.no")


def _needs(pairs: list[tuple[str, ...]]) -> str | None:
    return "; ".join(":".join(p) for p in pairs) or None


def _office_row(u: Any, lang: Language) -> list[Any]:
    return [u.id, u.name, u.name_zh or None, term_label("tier", u.tier.value, lang), u.parent,
            u.location.lat, u.location.lon, u.min_staff_at_home, None]


def _staff_row(p: Prosecutor, skills: list[str], lang: Language) -> list[Any]:
    away = "; ".join(f"{i.start}..{i.end}" for i in p.unavailable) or None
    return [p.id, p.name, p.name_zh or None, p.home, term_label("role", p.role.value, lang),
            p.years, p.capacity, p.load,
            ", ".join(language_label(x, lang) for x in p.languages) or None, away,
            *[p.skills.get(s) for s in skills]]


def _case_row(c: Case, lang: Language) -> list[Any]:
    t = c.team
    leader = ("none", None) if t.leader is None else (t.leader.min_role.value, t.leader.min_level)
    tiers = [t.tiers.get(tier) for tier in (Tier.PROVINCIAL, Tier.MUNICIPAL, Tier.GRASSROOTS)]
    return [
        c.id, c.title or None, c.title_zh or None, term_label("kind", c.kind.value, lang), c.venue,
        c.lead_unit, c.start, c.end, c.priority, _yes(c.mandatory, lang),
        None if c.scope is None else term_label("scope", c.scope.value, lang), c.pool,
        term_label("leader", leader[0], lang), leader[1],
        t.members.prosecutor, t.members.assistant, t.members.clerk, t.load,
        t.max_travel_minutes, t.max_units, t.min_units,
        ", ".join(term_label("slot", s.value, lang) for s in t.remote_roles) or None, *tiers,
        _needs([(skill_label(n.skill, lang), str(n.count), str(n.min_level)) for n in t.skills]),
        _needs([(language_label(n.language, lang), str(n.count)) for n in t.languages]),
        ", ".join(c.exclude_units) or None, ", ".join(c.exclude_prosecutors) or None,
        ", ".join(c.require_prosecutors) or None,
    ]


def _settings_rows(s: Scenario) -> list[list[Any]]:
    w, p = s.policy.weights, s.policy
    values: dict[str, Any] = {"name": s.name, "road_factor": p.road_factor,
                              "speed_kmh": p.speed_kmh}
    values |= {f"weight.{k}": v for k, v in w.model_dump().items()}
    return [[field, values[field]] for field in SCENARIO_FIELDS]


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every cell as data: text starting with '=' (a name, a
    title, a reason, from whoever wrote the scenario) stays text, never a formula that
    Excel would run for the office opening it (=HYPERLINK(...) can leak data or lure a
    click). openpyxl takes such text for a formula."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    c.data_type = "s"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def append_table(ws: Worksheet, headers: list[Any], rows: list[list[Any]]) -> None:
    """A table on a sheet: bold headers kept in view while scrolling, then the rows."""
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(row)


def _sheet(wb: Workbook, key: str, lang: Language, headers: list[str], rows: list[list[Any]],
           columns: tuple[Column, ...]) -> None:
    ws = wb.create_sheet(sheet_title(key, lang))
    append_table(ws, headers, rows)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(10, min(40, 2 * len(headers[i - 1]) + 2))
        if column.cell == "date":
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
        choices = _choices(column, lang)
        if choices:
            # A list validation's formula holds at most 255 characters; ours are short.
            rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                  allow_blank=not column.required, showErrorMessage=True)
            rule.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
            ws.add_data_validation(rule)


def _choices(column: Column, lang: Language) -> list[str]:
    if column.cell == "bool":
        return [message(lang, "bool.yes"), message(lang, "bool.no")]
    if column.cell == "choice":
        return [term_label(column.choices, v, lang) for v in VOCABULARY[column.choices]]
    return []


def scenario_workbook(scenario: Scenario | None, lang: Language) -> bytes:
    """`scenario` as an .xlsx workbook in `lang`; the template (an example row in each
    sheet) when it is None."""
    s = scenario if scenario is not None else parse_scenario(EXAMPLE)
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    kinds = list(VOCABULARY["kind"])
    used = {k for p in s.prosecutors for k in p.skills}
    skills = [k for k in kinds if k in used or scenario is None] + sorted(used - set(kinds))
    rows: dict[str, list[list[Any]]] = {
        "offices": [_office_row(u, lang) for u in s.units],
        "staff": [_staff_row(p, skills, lang) for p in s.prosecutors],
        "cases": [_case_row(c, lang) for c in s.cases],
        "roads": [[r.a, r.b, r.minutes, r.km] for r in s.roads],
        "pairs": [[p.units[0], p.units[1], p.note or None] for p in s.pairs],
        "groups": [[g.id, g.lead, ", ".join(g.members)] for g in s.groups],
        "pools": [[p.id, p.name or None, ", ".join(p.members)] for p in s.pools],
        "previous": [[a.case, a.prosecutor, term_label("slot", a.slot.value, lang),
                      _yes(a.on_site, lang), _yes(a.pinned, lang)] for a in s.previous],
        "commitments": [[p.id, c.start, c.end, c.load, _yes(c.away, lang), c.ref or None]
                        for p in s.prosecutors for c in p.commitments],
        "scenario": [[message(lang, f"field.{f}"), v] for f, v in _settings_rows(s)],
    }
    for sheet in SHEETS:
        # The skills' columns come after the staff sheet's own, the clerk's notes last.
        columns = tuple(c for c in sheet.columns if c is not NOTES)
        if sheet.key == "staff":
            columns += tuple(Column(f"skill:{k}", "int") for k in skills)
        columns += (NOTES,) if NOTES in sheet.columns else ()
        headers = [message(lang, "col.staff.skill", skill=skill_label(c.key.split(":", 1)[1], lang))
                   if c.key.startswith("skill:") else header(sheet.key, c.key, lang) for c in columns]
        _sheet(wb, sheet.key, lang, headers, rows[sheet.key], columns)
    return workbook_bytes(wb)

