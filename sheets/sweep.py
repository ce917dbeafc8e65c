"""A contingency sweep as a table: CSV (formula-safe) and an .xlsx workbook with the
ranked contingencies on one sheet and every assignment each re-plan moved on another."""

import csv
from io import StringIO
from typing import Any

from openpyxl import Workbook

from api.csvcells import cell
from i18n import Language, localised_sweep, message
from models.sweep import Sweep
from sheets.layout import term_label
from sheets.write import append_table, workbook_bytes

COLUMNS = ("rank", "kind", "target", "contingency", "status", "valid", "mandatory_lost",
           "priority_lost", "cases_unstaffed", "cost_added", "people_moved", "seconds")
MOVE_COLUMNS = ("rank", "target", "case", "prosecutor", "slot", "change")


def ranked_rows(sweep: Sweep, lang: Language) -> tuple[list[str], list[list[Any]]]:
    """The headers and one row per contingency, most damaging first, in `lang`."""
    sweep = localised_sweep(sweep, lang)
    sep = message(lang, "sep.comma")
    headers = [message(lang, f"sweep.col.{c}") for c in COLUMNS]
    rows = [[o.rank, message(lang, f"sweep.kind.{o.kind}"), o.target, o.contingency.text,
             message(lang, f"status.{o.status.value}"),
             message(lang, "sweep.yes" if o.valid else "sweep.no"), sep.join(o.mandatory_lost),
             o.priority_lost, sep.join(o.cases_unstaffed), o.cost_added, o.people_moved,
             o.seconds]
            for o in sweep.outcomes]
    return headers, rows


def move_rows(sweep: Sweep, lang: Language) -> tuple[list[str], list[list[Any]]]:
    """The headers and one row per assignment a re-plan added or dropped."""
    headers = [message(lang, f"sweep.col.{c}") for c in MOVE_COLUMNS]
    rows = [[o.rank, o.target, m.case, m.prosecutor, term_label("slot", m.slot.value, lang),
             message(lang, "sweep.joins" if m.joins else "sweep.leaves")]
            for o in sweep.outcomes for m in o.moves]
    return headers, rows


def sweep_csv(sweep: Sweep, lang: Language) -> str:
    """The ranked contingencies as CSV; no cell starts a formula."""
    headers, rows = ranked_rows(sweep, lang)
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()


def sweep_workbook(sweep: Sweep, lang: Language) -> bytes:
    """The sweep as an .xlsx workbook: the ranked contingencies, then the moves."""
    wb = Workbook()
    ranked = wb.active
    assert ranked is not None
    ranked.title = message(lang, "sweep.sheet.ranked")[:31]
    append_table(ranked, *ranked_rows(sweep, lang))
    moves = wb.create_sheet(message(lang, "sweep.sheet.moves")[:31])
    append_table(moves, *move_rows(sweep, lang))
    return workbook_bytes(wb)
