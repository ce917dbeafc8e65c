"""A contingency sweep on the terminal: a ranked table, most damaging first."""

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from i18n import Language, message
from models.sweep import Sweep
from sheets.sweep import ranked_rows

# The columns worth a terminal's width: rank, contingency, status, mandatory lost, priority
# lost, cases unstaffed, cost added, people moved (the rest are in --format csv and .xlsx).
SHOWN = (0, 3, 4, 6, 7, 8, 9, 10)


def show_sweep(console: Console, sweep: Sweep, lang: Language) -> None:
    """The ranked contingencies as a table, then those not tried and the sweep's time."""
    headers, rows = ranked_rows(sweep, lang)
    table = Table(title=message(lang, "cli.sweep_title", scenario=sweep.scenario,
                                n=len(sweep.outcomes)), title_justify="left")
    for i in SHOWN:
        table.add_column(escape(headers[i]), overflow="fold",
                         justify="right" if isinstance(rows[0][i] if rows else "", int | float)
                         else "left")
    for row in rows:
        table.add_row(*(escape(f"{row[i]:g}" if isinstance(row[i], float) else str(row[i]))
                        for i in SHOWN))
    console.print(table)
    for reason in sweep.skipped:
        console.print(escape(message(lang, "cli.sweep_skipped", reason=reason.text)),
                      highlight=False)
    invalid = sum(not o.valid for o in sweep.outcomes)
    console.print(escape(message(lang, "cli.sweep_done", n=len(sweep.outcomes),
                                 seconds=f"{sweep.seconds:.1f}", invalid=invalid)),
                  highlight=False)
