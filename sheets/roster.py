"""A roster as a workbook: a summary, one sheet per staffed team, the unstaffed cases with
their reasons, and each serving person's load day by day."""

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from api.utilisation import utilisation
from i18n import Language, localised, message, shown_name
from models import Roster, Scenario
from sheets.layout import term_label
from sheets.write import append_table, workbook_bytes

# Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_CHARS = 31
FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _title(name: str, taken: set[str]) -> str:
    base = name.translate(FORBIDDEN)[:SHEET_NAME_CHARS] or "_"
    title, n = base, 1
    while title.casefold() in taken:  # Excel compares sheet names without case
        n += 1
        suffix = f"~{n}"
        title = base[:SHEET_NAME_CHARS - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def roster_workbook(scenario: Scenario, roster: Roster, lang: Language) -> bytes:
    """`roster` (solved on `scenario`) as an .xlsx workbook in `lang`."""
    roster = localised(roster, lang)

    def m(code: str, **params: object) -> str:
        return message(lang, code, **params)

    units, cases, people = scenario.unit_by_id, scenario.case_by_id, scenario.prosecutor_by_id

    def unit(uid: str) -> str:
        u = units.get(uid)
        return uid if u is None else shown_name(u.name, u.name_zh, lang)

    wb = Workbook()
    summary = wb.active
    assert summary is not None
    taken: set[str] = set()
    summary.title = _title(m("xlsx.summary"), taken)
    obj = roster.objective
    # Without a roster (infeasible, or none in time) there are no teams to count: blank,
    # not 0 unstaffed beside the command line's "3 unstaffed". The cases are not listed
    # from the scenario: a roster shown to one city holds only that city's cases, and the
    # scenario all the province's.
    counted = obj is not None
    rows: list[list[Any]] = [
        [m("xlsx.scenario"), roster.scenario],
        [m("xlsx.status"), m(f"status.{roster.status.value}")],
        [m("xlsx.staffed"), sum(1 for c in roster.cases if c.staffed) if counted else None],
        [m("xlsx.unstaffed"), sum(1 for c in roster.cases if not c.staffed) if counted else None],
        [m("xlsx.priority"), None if obj is None else obj.staffed_priority],
        # Costs to the cent: sums of weighted minutes carry float noise (49225.600000000006).
        [m("xlsx.cost"), None if obj is None else round(obj.cost, 2)],
        *([[m(f"cost.{k}"), round(v, 2)] for k, v in obj.components.items()] if obj else []),
        [m("xlsx.bound"), roster.bound],
        [m("xlsx.gap"), roster.gap],
        [m("xlsx.priority_bound"), roster.priority_bound],
        # How far the bound can be trusted: the parts proven, and whether the search ran
        # its whole limit (a planner reading the file has no terminal's advice).
        *([[m("xlsx.parts"), roster.parts], [m("xlsx.parts_proven"), roster.parts_proven]]
          if roster.parts is not None else list[list[Any]]()),
        [m("xlsx.seconds"), round(roster.seconds, 2)],
        [m("xlsx.stopped"), m("bool.yes" if roster.stopped else "bool.no")],
    ]
    if roster.infeasible_reason is not None:
        rows.append([m("status.infeasible"), roster.infeasible_reason.text])
    append_table(summary, [m("xlsx.item"), m("xlsx.value")], rows)
    gap_row = 2 + next(i for i, row in enumerate(rows) if row[0] == m("xlsx.gap"))
    summary.cell(row=gap_row, column=2).number_format = "0.00%"
    summary.column_dimensions["A"].width = 24
    for entry in roster.cases:
        if not entry.staffed:
            continue
        case = cases.get(entry.id)
        ws = wb.create_sheet(_title(entry.id, taken))
        head = [m("xlsx.slot"), m("xlsx.person"), m("xlsx.name"), m("xlsx.office"),
                m("xlsx.on_site"), m("xlsx.minutes"), m("xlsx.reasons")]
        team = []
        for member in entry.team:
            person = people.get(member.prosecutor)
            team.append([term_label("slot", member.slot.value, lang), member.prosecutor,
                         shown_name(member.name, person.name_zh if person else "", lang),
                         unit(member.home), m("bool.yes" if member.on_site else "bool.no"),
                         member.travel_minutes, m("sep.semicolon").join(r.text for r in member.reasons)])
        ws.append([entry.id, "" if case is None else shown_name(case.title, case.title_zh, lang),
                   "" if case is None else unit(case.venue),
                   "" if case is None else case.start, "" if case is None else case.end])
        for cell in ws[1][3:5]:
            cell.number_format = "yyyy-mm-dd"
        ws.append([])
        start = ws.max_row + 1
        for i, value in enumerate(head, start=1):
            ws.cell(row=start, column=i, value=value).font = Font(bold=True)
        for row in team:
            ws.append(row)
    unstaffed = wb.create_sheet(_title(m("xlsx.unstaffed"), taken))
    append_table(unstaffed, [m("xlsx.case"), m("xlsx.title"), m("xlsx.priority"), m("xlsx.reason")],
            [[c.id, shown_name(cases[c.id].title, cases[c.id].title_zh, lang) if c.id in cases else "",
              cases[c.id].priority if c.id in cases else None,
              c.unstaffed_reason.text if c.unstaffed_reason else ""]
             for c in roster.cases if not c.staffed])
    load = utilisation(scenario, roster)
    days = wb.create_sheet(_title(m("xlsx.utilisation"), taken))
    columns: list[Any] = [m("xlsx.person"), m("xlsx.name"), m("xlsx.office"), m("xlsx.capacity")]
    append_table(days, [*columns, *load.days],
            [[p.id, shown_name(p.name, people[p.id].name_zh if p.id in people else "", lang),
              unit(p.home), p.capacity, *p.load] for p in load.people])
    for cell in days[1][4:]:
        cell.number_format = "yyyy-mm-dd"
    return workbook_bytes(wb)
