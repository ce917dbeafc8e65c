"""A contingency sweep on the terminal: a ranked table, most damaging first."""

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from i18n import Language, message
from models.sweep import Sweep
from sheets.sweep import ranked_rows

# The columns worth a terminal's width: rank, contingency, priority lost, cases unstaffed,
# cost added, people moved; mandatory cases lost and rules kept only when some are (every
# column is in --format csv and .xlsx).
SHOWN = (0, 3, 7, 8, 9, 10)
MANDATORY, VALID = 6, 5


def show_sweep(console: Console, sweep: Sweep, lang: Language) -> None:
    """The ranked contingencies as a table, then those not tried and the sweep's time."""
    headers, rows = ranked_rows(sweep, lang)
    shown = list(SHOWN)
    if any(o.mandatory_lost for o in sweep.outcomes):
        shown.insert(2, MANDATORY)
    if any(not o.valid for o in sweep.outcomes):
        shown.insert(2, VALID)
    table = Table(title=message(lang, "cli.sweep_title", scenario=sweep.scenario,
                                n=len(sweep.outcomes)), title_justify="left")
    for i in shown:
        numeric = bool(rows) and isinstance(rows[0][i], int | float)
        # Folded, not cut: a Chinese header or name is worth its whole width.
        table.add_column(escape(headers[i]), justify="right" if numeric else "left",
                         overflow="fold", ratio=3 if i == 3 else 1)
    for row in rows:
        table.add_row(*(escape(f"{row[i]:g}" if isinstance(row[i], float) else str(row[i]))
                        for i in shown))
    console.print(table)
    for reason in sweep.skipped:
        console.print(escape(message(lang, "cli.sweep_skipped", reason=reason.text)),
                      highlight=False)
    invalid = sum(not o.valid for o in sweep.outcomes)
    console.print(escape(message(lang, "cli.sweep_done", n=len(sweep.outcomes),
                                 seconds=f"{sweep.seconds:.1f}", invalid=invalid)),
                  highlight=False)
