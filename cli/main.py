"""The `taskforce` command line: a thin shell over models, scheduler and checker."""

import json
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from checker import check_roster
from cli.alternatives import show_alternatives
from cli.files import (
    InputError,
    file_error,
    read_roster,
    read_scenario,
    read_text,
    write_atomically,
)
from cli.interrupt import (
    exit_code,
    exit_interrupted,
    on_stop_signals,
    put_back,
    run_until_interrupted,
    signal_name,
    stopped_before_work,
)
from cli.table import render, summarize
from i18n import Language, from_locale, localised, message, space_after
from i18n import render as render_reason
from models import Progress, Roster, Scenario, Status, parse_scenario
from models.enums import KeyRole
from models.reason import why
from models.sweep import Absent
from models.text import is_control
from scheduler import solve as solve_scenario
from synth import province
from synth.province import FAMILIES

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from api.bookings import StoredBookings
    from api.seal import Seal
    from api.settings import Settings
    from cli.batch import Outcome

app = typer.Typer(help="Task-force rosters for procuratorates.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
out = Console()
err = Console(stderr=True)

EXIT_OK, EXIT_NOT_SOLVED, EXIT_BAD_INPUT = 0, 1, 2


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    SUMMARY = "summary"


# Above this many cases `solve` prints a summary unless told otherwise: a province's table
# runs to thousands of lines.
TABLE_CASES = 50


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", show_default=False,
    help="zh or en: the language of tables, reasons and messages; default the locale's.")]


@app.callback()
def _root(lang: LangOption = None) -> None:
    """Task-force rosters for procuratorates."""
    # `taskforce --lang zh --help` and `taskforce --lang zh solve ...` choose the language
    # too: it is read from the arguments before they are parsed (cli.language), and the
    # commands' default, the locale's, is then that language.


def _language(lang: Lang | None) -> Language:
    chosen: Language = "zh" if lang is Lang.ZH else "en" if lang is Lang.EN else from_locale()
    return chosen


class BatchMode(StrEnum):
    SEQUENTIAL = "sequential"
    JOINT = "joint"

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario file: JSON, YAML or an .xlsx workbook.")]
DatabaseUrl = Annotated[str | None, typer.Option(
    help="The service's database; default DATABASE_URL or the settings' default.")]


def _fail(error: InputError, lang: Language) -> typer.Exit:
    for line in error.problems:
        _error(line, lang)
    return typer.Exit(EXIT_BAD_INPUT)


def _error(line: str, lang: Language) -> None:
    """One error line on stderr, marked as such in `lang`: "error: ..." in English,
    "错误：..." in Chinese, whose full-width colon holds its own space."""
    mark = message(lang, "cli.error")
    err.print(f"[red]{escape(mark)}[/red]{space_after(mark)}{escape(one_line(line))}",
              highlight=False, soft_wrap=True)


def one_line(line: str) -> str:
    """A problem line as its reader should see it: control characters (a newline, an
    escape sequence, a bidirectional override) from a file's keys or values shown as
    escapes, so that none starts a line of its own (a forged "error:") or drives the
    terminal."""
    return "".join(c.encode("unicode_escape").decode("ascii") if is_control(c) else c
                   for c in line)


def _phase(phase: str, lang: Language) -> str:
    """A solver phase's name; one the catalogue does not know reads as itself."""
    return render_reason(why(f"phase.{phase}", value=phase), lang)


# A time limit of a day is already more than any roster needs; "inf" is refused, as the API
# refuses it, rather than solving until someone presses Ctrl-C.
MAX_SECONDS = 86_400.0

@app.command()
def solve(
    scenario: ScenarioArg,
    seconds: Annotated[float, typer.Option(min=0.1, max=MAX_SECONDS,
                                           help="Time limit for the solve.")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT worker threads.")] = 2,
    seed: Annotated[int, typer.Option(min=0, max=2**31 - 1,
                                      help="Random seed; one worker + a seed repeats.")] = 0,
    output: Annotated[Path | None, typer.Option(
        "--out", help="Write the roster here: JSON, or a workbook if the name ends in .xlsx.")] = None,
    fmt: Annotated[Format | None, typer.Option(
        "--format", show_default=False,
        help=f"table, json or summary; default table up to {TABLE_CASES} cases, summary "
             "above, so a province does not flood the terminal.")] = None,
    lang: LangOption = None,
    alternatives: Annotated[int, typer.Option(
        min=1, max=20, help="Also find the next best rosters: up to this many in all, in "
                            "objective order, each printed with how it differs.")] = 1,
    differ: Annotated[int, typer.Option(
        min=1, help="Each alternative differs from the best and from every other in at "
                    "least this many assignments (dropped plus added).")] = 2,
    robust: Annotated[bool, typer.Option(
        "--robust", help="Among rosters of the best staffed priority, prefer those where "
                         "every member of a mandatory case has a standby (no_standby weighted "
                         "150 unless the scenario weights it).")] = False,
) -> None:
    """Solve a scenario and print its roster. Exit 0 solved, 1 not solved, 2 bad input,
    130 interrupted (one Ctrl-C: the best roster so far, said to be cut short; two: none),
    143 the same stopped by SIGTERM."""
    language = _language(lang)
    # From reading the scenario to the search, a Ctrl-C or SIGTERM ends the command with its
    # line, as in `sweep`.
    with stopped_before_work(language, "solve"):
        try:
            loaded = read_scenario(scenario, language)
        except InputError as e:
            raise _fail(e, language) from None
        if output is not None and not _writable(output):
            # Said before the solve, not after its time limit.
            raise _fail(file_error(output, language, "file.unwritable"), language)
        with err.status(message(language, "cli.solving")) as status:
            def show(p: Progress) -> None:
                parts = [message(language, "cli.p_priority", priority=p.staffed_priority)
                         + ("" if p.priority_bound is None
                            else message(language, "cli.at_most", bound=p.priority_bound))]
                parts += [] if p.cost is None else [message(language, "cli.p_cost", cost=f"{p.cost:,.1f}")]
                parts += [] if p.bound is None else [
                    message(language, "cli.p_bound", bound=f"{p.bound:,.1f}")]
                status.update(escape(message(language, "cli.progress", phase=_phase(p.phase, language),
                                             figures=message(language, "sep.comma").join(parts),
                                             elapsed=f"{p.elapsed:.1f}")))

            def interrupted(signum: int) -> NoReturn:
                status.stop()
                kept = (message(language, "cli.kept_nothing") if output is None
                        else message(language, "cli.kept_file", file=output))
                exit_interrupted(message(language, "cli.interrupted_solve", kept=kept,
                                         signal=signal_name(signum)), signum)

            # The first Ctrl-C (or SIGTERM) asks the search to end with the best roster it
            # has; whether it came before the solve returned decides if the roster was cut
            # short.
            stop = threading.Event()
            cut_short: list[bool] = []
            stopped_by: list[int] = []

            def wind_down(signum: int) -> None:
                stopped_by.append(signum)
                stop.set()
                status.update(escape(message(language, "cli.stopping")))

            def work() -> Roster:
                solved = solve_scenario(loaded, seconds=seconds, workers=workers, seed=seed,
                                        progress=show, alternatives=alternatives, differ=differ,
                                        robust=robust, stop=stop)
                cut_short.append(stop.is_set())
                return solved

            def ready() -> None:
                # A plain line, also where the spinner does not show (a log, a pipe).
                err.print(message(language, "cli.ready", file=scenario, seconds=f"{seconds:g}"),
                          highlight=False, markup=False)

            def finish(solved: Roster) -> None:
                status.stop()
                if not cut_short[0]:
                    _print_solved(localised(solved, language), loaded, output, fmt, language)
                    return
                signum = stopped_by[0]
                if solved.status in (Status.INFEASIBLE, Status.NO_SOLUTION_IN_TIME):
                    interrupted(signum)  # nothing found yet, or nothing proven
                _print_solved(localised(solved, language), loaded, output, fmt, language)
                err.print(message(language, "cli.stopped_solve", signal=signal_name(signum),
                                  elapsed=f"{solved.seconds:.1f}", seconds=f"{seconds:g}",
                                  exit=exit_code(signum)), highlight=False, markup=False)
                raise typer.Exit(exit_code(signum))

            run_until_interrupted(work, interrupted, ready, finish, wind_down)


def _print_solved(roster: Roster, loaded: Scenario, output: Path | None, fmt: Format | None,
                  language: Language) -> None:
    """Write the solved roster to `output` (if given) and print it in `fmt`; exit 1 if it
    is not solved. Run with Ctrl-C held off (see run_until_interrupted)."""
    text = roster.model_dump_json(indent=2)
    if output is not None:
        try:
            if output.suffix.lower() == ".xlsx":
                from sheets import roster_workbook  # openpyxl only when a workbook is asked for

                write_atomically(output, roster_workbook(loaded, roster, language))
            else:
                write_atomically(output, text + "\n")
        except OSError:
            # Writable to look at (as /proc is to root), or no longer (full, removed).
            raise _fail(file_error(output, language, "file.unwritable"), language) from None
    if fmt is None:
        fmt = Format.TABLE if len(roster.cases) <= TABLE_CASES else Format.SUMMARY
    if fmt is Format.JSON:
        print(text)
    elif fmt is Format.SUMMARY:
        summarize(out, loaded, roster, language)
    else:
        render(out, loaded, roster, language)
    if fmt is not Format.JSON:
        show_alternatives(out, roster, language)
    if roster.status in (Status.INFEASIBLE, Status.NO_SOLUTION_IN_TIME):
        raise typer.Exit(EXIT_NOT_SOLVED)


@app.command()
def notice(
    scenario: ScenarioArg,
    roster: Annotated[Path, typer.Argument(help="Roster JSON written by `solve --out`.")],
    case: Annotated[str, typer.Argument(help="The id of a staffed case.")],
    output: Annotated[Path | None, typer.Option(
        "--out", help="The HTML file to write; printed when not given.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="zh or en.")] = Lang.ZH,
) -> None:
    """Write a staffed case's task-force notice (专案组组成通知): an HTML page to print, in
    Chinese unless --lang en. Exit 0, 2 bad input or a case that is not staffed."""
    from notice import NoticeError, notice_html

    language: Language = "zh" if lang is Lang.ZH else "en"
    try:
        loaded, given = read_scenario(scenario, language), read_roster(roster, language)
        page = notice_html(loaded, given, case, language)
    except InputError as e:
        raise _fail(e, language) from None
    except NoticeError as e:
        raise _fail(InputError([render_reason(e.reason, language)]), language) from None
    if output is None:
        print(page, end="")
    else:
        write_atomically(output, page)
        out.print(message(language, "cli.wrote", file=output), highlight=False, markup=False)


@app.command()
def template(
    output: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    source: Annotated[Path | None, typer.Option(
        "--from", show_default=False,
        help="A scenario (JSON, YAML or a workbook) to write as the workbook, instead of the "
             "example rows.")] = None,
    lang: LangOption = None,
) -> None:
    """Write a scenario workbook to fill in: a sheet each for offices, staff, cases, roads,
    pairs, groups, talent pools, the previous roster, commitments and settings, headers in
    the language, a dropdown on every choice column, an example row in each (or the rows of
    the scenario --from names). Exit 0, 2 bad input."""
    from sheets import scenario_workbook  # openpyxl only for the workbook commands

    language = _language(lang)
    scenario = None
    if source is not None:
        try:
            scenario = read_scenario(source, language)
        except InputError as e:
            raise _fail(e, language) from None
    write_atomically(output, scenario_workbook(scenario, language))
    out.print(message(language, "cli.wrote", file=output), highlight=False, markup=False)


@app.command("import")
def import_workbook(
    workbook: Annotated[Path, typer.Argument(help="A scenario workbook (.xlsx), Chinese or "
                                                  "English headers.")],
    output: Annotated[Path, typer.Option("--out", help="The scenario JSON to write.")],
    lang: LangOption = None,
) -> None:
    """Read a scenario workbook and write it as scenario JSON. Every problem is listed by
    sheet, row, column and id; nothing is written while any remains. Exit 0, 2 bad input."""
    language = _language(lang)
    if workbook.suffix.lower() != ".xlsx":
        raise _fail(file_error(workbook, language, "file.not_xlsx"), language)
    try:
        loaded = read_scenario(workbook, language)
    except InputError as e:
        raise _fail(e, language) from None
    write_atomically(output, json.dumps(loaded.model_dump(mode="json", exclude_defaults=True),
                                        ensure_ascii=False, indent=1) + "\n")
    out.print(message(language, "cli.wrote_counts", file=output, units=len(loaded.units),
                      people=len(loaded.prosecutors), cases=len(loaded.cases)),
              highlight=False, markup=False)


@app.command()
def validate(scenario: ScenarioArg, lang: LangOption = None) -> None:
    """Check a scenario file and list every problem. Exit 0 valid, 2 invalid."""
    language = _language(lang)
    try:
        loaded = read_scenario(scenario, language)
    except InputError as e:
        raise _fail(e, language) from None
    out.print(message(language, "cli.valid", file=scenario,
                      **_counts(language, len(loaded.units), len(loaded.prosecutors),
                                len(loaded.cases))),
              highlight=False, markup=False)


def _counts(language: Language, units: int, people: int, cases: int) -> dict[str, str]:
    """How many units, prosecutors and cases a scenario has, each in its plural form."""
    return {"units": message(language, "count.units", count=units),
            "people": message(language, "count.prosecutors", count=people),
            "cases": message(language, "count.cases", count=cases)}


@app.command()
def check(
    scenario: ScenarioArg,
    roster: Annotated[Path, typer.Argument(help="Roster JSON written by `solve --out`.")],
    lang: LangOption = None,
) -> None:
    """Check a roster against hard rules 1-8 and recompute its objective.

    Exit 0 valid, 1 rules broken, 2 bad input."""
    language = _language(lang)
    try:
        loaded, given = read_scenario(scenario, language), read_roster(roster, language)
    except InputError as e:
        raise _fail(e, language) from None
    report = check_roster(loaded, given)
    for v in report.violations:
        rule = render_reason(why(f"rule.{v.rule.split()[0]}", value=v.rule), language)
        out.print(f"[red]{escape(message(language, 'cli.violation'))}[/red] "
                  + escape(one_line(message(language, "cli.violation_line", rule=rule,
                                            problem=render_reason(v.reason, language)))),
                  highlight=False)
    terms = message(language, "sep.comma").join(
        message(language, "cli.term", term=message(language, f"cost.{k}"), value=f"{v:g}")
        for k, v in report.components.items())
    out.print(message(language, "cli.check_figures", priority=report.staffed_priority,
                      cost=f"{report.cost:.2f}", terms=terms), highlight=False, markup=False)
    if not report.ok:
        raise typer.Exit(EXIT_NOT_SOLVED)
    out.print(message(language, "cli.roster_valid"), highlight=False, markup=False)


@app.command()
def resilience(
    scenario: ScenarioArg,
    roster: Annotated[Path, typer.Argument(help="Roster JSON written by `solve --out`.")],
    fmt: Annotated[Format, typer.Option("--format", help="table (lines) or json.")
                   ] = Format.TABLE,
    lang: LangOption = None,
) -> None:
    """For every member of every staffed team, the best standby or why there is none;
    each team's fragility. Exit 0, 2 bad input."""
    from cli.resilience import show_resilience
    from i18n import localised_resilience
    from scheduler import roster_resilience

    language = _language(lang)
    try:
        loaded, given = read_scenario(scenario, language), read_roster(roster, language)
    except InputError as e:
        raise _fail(e, language) from None
    _require_valid(loaded, given, roster, language)
    found = localised_resilience(roster_resilience(loaded, given), language)
    if fmt is Format.JSON:
        print(found.model_dump_json(indent=2))
    else:
        show_resilience(out, found, language)


def _require_valid(loaded: Scenario, given: Roster, roster: Path, language: Language,
                   code: str = "file.roster_invalid") -> None:
    """Exit 2 unless `given` is a valid roster of `loaded`: standbys or re-plans of a roster
    that breaks a rule (edited by hand, or solved on another version of the scenario) would
    be answers about teams that cannot exist."""
    unknown = sorted({c.id for c in given.cases} - set(loaded.case_by_id))
    if unknown:
        raise _fail(file_error(roster, language, "file.cases_unknown",
                               cases=message(language, "sep.comma").join(unknown)), language)
    broken = check_roster(loaded, given).violations
    if broken:
        raise _fail(InputError([message(language, "file.problem", file=roster,
                                        problem=message(language, code,
                                                        problem=render_reason(v.reason, language)))
                                for v in broken]), language)


def _writable(path: Path) -> bool:
    """Whether `path` could be written: its nearest existing folder takes new files (the
    folders missing below it are made when writing) and it is not a folder itself."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return not path.is_dir() and folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


class SweepFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


# More re-plans than this is a mistake more often than a wish (each-member of a province of
# thousands); --limit raises it.
SWEEP_LIMIT = 1000


@app.command()
def sweep(
    scenario: ScenarioArg,
    roster: Annotated[Path, typer.Argument(help="Roster JSON written by `solve --out`.")],
    absent: Annotated[Absent, typer.Option(
        help="each-member (a person on the roster absent on the days of their cases), "
             "each-office (an office closed over the horizon, its cases with it) or "
             "each-road (the road legs between two offices closed).")] = Absent.EACH_MEMBER,
    seconds: Annotated[float, typer.Option(min=0.1, max=600,
                                           help="Time limit of each re-plan.")] = 0.5,
    parallel: Annotated[int, typer.Option(min=1, max=64,
                                          help="Re-plans side by side, one process and one "
                                               "CP-SAT worker each.")] = 2,
    seed: Annotated[int, typer.Option(min=0, max=2**31 - 1, help="Random seed.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="Refuse a sweep of more contingencies "
                                                   "than this.")] = SWEEP_LIMIT,
    output: Annotated[Path | None, typer.Option(
        "--out", help="Write the sweep here: JSON, or CSV or a workbook by the name's "
                      "suffix (.csv, .xlsx).")] = None,
    fmt: Annotated[SweepFormat, typer.Option("--format", help="table, json or csv.")
                   ] = SweepFormat.TABLE,
    lang: LangOption = None,
) -> None:
    """Re-plan a roster once per contingency, with it as the previous roster, and rank the
    contingencies by damage. Exit 0, 1 if a re-plan broke a rule, 2 bad input, 130
    interrupted (Ctrl-C: nothing written), 143 the same by SIGTERM."""
    from cli.sweep import show_sweep
    from i18n import localised_sweep
    from scheduler.sweep_run import SweepFailedError, TooManyError
    from scheduler.sweep_run import sweep as run_sweep
    from sheets.sweep import sweep_csv, sweep_workbook

    language = _language(lang)
    # From reading the inputs to the work, a Ctrl-C or SIGTERM ends the command with its
    # line: left to the defaults between the two (the roster's check, the spinner's
    # start), it ended with no word, or SIGTERM killed the process outright.
    with stopped_before_work(language, "sweep"):
        try:
            loaded, given = read_scenario(scenario, language), read_roster(roster, language)
        except InputError as e:
            raise _fail(e, language) from None
        _require_valid(loaded, given, roster, language, "file.sweep_roster_invalid")
        if output is not None and not _writable(output):
            # Said before the sweep, not after minutes of re-plans.
            raise _fail(file_error(output, language, "file.unwritable"), language)
        # On Ctrl-C the process ends at once (exit_interrupted), leaving the pool's semaphores
        # to multiprocessing's resource tracker, which cleans them up but warns on stderr. The
        # tracker is started with the interpreter's -W options, read here: nothing leaks, so
        # the warning would only confuse.
        sys.warnoptions.append("ignore::UserWarning:multiprocessing.resource_tracker")
        with err.status(message(language, "cli.sweeping")) as status:
            def show(done: int, total: int) -> None:
                status.update(escape(message(language, "cli.sweep_progress", done=done, total=total)))

            def interrupted(signum: int) -> NoReturn:
                status.stop()
                exit_interrupted(message(language, "cli.interrupted_sweep", signal=signal_name(signum)),
                                 signum)

            try:
                found = run_until_interrupted(
                    lambda: run_sweep(loaded, given, absent, seconds=seconds, parallel=parallel,
                                      check=check_roster, seed=seed, progress=show, limit=limit),
                    interrupted)
            except TooManyError as e:
                raise _fail(InputError([message(language, "cli.sweep_too_many", n=e.count,
                                                limit=e.limit, absent=absent.value)]),
                            language) from None
            except SweepFailedError:
                _error(message(language, "cli.sweep_failed"), language)
                raise typer.Exit(EXIT_NOT_SOLVED) from None
    found = localised_sweep(found, language)
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None:
        try:
            write_atomically(output, sweep_workbook(found, language) if suffix == ".xlsx"
                             else sweep_csv(found, language) if suffix == ".csv"
                             else found.model_dump_json(indent=2) + "\n")
        except OSError:
            raise _fail(file_error(output, language, "file.unwritable"), language) from None
    if fmt is SweepFormat.JSON:
        print(found.model_dump_json(indent=2))
    elif fmt is SweepFormat.CSV:
        print(sweep_csv(found, language), end="")
    else:
        show_sweep(out, found, language)
    if any(not o.valid for o in found.outcomes):
        raise typer.Exit(EXIT_NOT_SOLVED)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    lang: Annotated[Lang | None, typer.Option(
        "--lang", show_default=False,
        help="zh or en: the language of answers to requests without Accept-Language; default "
             "DEFAULT_LANGUAGE, else English.")] = None,
) -> None:
    """Run the HTTP service (settings from the environment or .env: DATABASE_URL, ...)."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings

    settings = Settings() if lang is None else Settings(default_language=lang.value)
    uvicorn.run(create_app(settings), host=host, port=port)


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(
        min=1, max=64, help="Tasks run at once; each solve uses its job's CP-SAT threads, so "
                            "one per core or two is enough.")] = 1,
    name: Annotated[str | None, typer.Option(
        help="The worker's name in the queue; default host:pid.")] = None,
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Solve the service's queued jobs and sweep re-plans until Ctrl-C or SIGTERM. Any
    number run on any machine that reaches the service's PostgreSQL database
    (DATABASE_URL); on SQLite the server solves everything itself, and this refuses.

    Exit 0, 2 not PostgreSQL, no AUDIT_SECRET or the database not reached."""
    import logging

    from procrastinate.exceptions import ConnectorException
    from sqlalchemy.exc import OperationalError

    from api.queue import uses_queue
    from api.worker import run_worker, worker_name

    language = _language(lang)
    settings = _settings(database_url)
    if not uses_queue(settings.database_url):
        err.print(message(language, "cli.worker_not_postgres"), highlight=False, markup=False)
        raise typer.Exit(EXIT_BAD_INPUT)
    _seal(settings, language, create=False)  # the secret the server seals with, or exit 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    who = name or worker_name()
    err.print(message(language, "cli.worker_started", name=who, n=concurrency),
              highlight=False, markup=False)
    try:
        run_worker(settings, concurrency=concurrency, name=who)
    except (OperationalError, ConnectorException) as e:
        # Unreachable, refused, wrong password: the driver's first line says which.
        cause = str(e.__cause__ or e).strip().splitlines()
        err.print(message(language, "cli.worker_no_database", problem=cause[0] if cause else ""),
                  highlight=False, markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@app.command()
def batch(
    requests: Annotated[Path, typer.Argument(help="Case requests: JSONL, or CSV by suffix.")],
    scenario: Annotated[str, typer.Option(
        help="Scenario file whose people serve, or the id of a scenario stored in the "
             "service's database: then each staffed request is committed.")],
    output: Annotated[Path, typer.Option("--out", help="Directory for rosters and state.")],
    mode: Annotated[BatchMode, typer.Option(help="sequential (in file order, each team kept "
                                                  "for the next) or joint (one solve).")
                    ] = BatchMode.SEQUENTIAL,
    seconds: Annotated[float, typer.Option(min=0.1, max=MAX_SECONDS,
                                           help="Time limit per solve.")] = 10.0,
    workers: Annotated[int, typer.Option(min=1, help="CP-SAT worker threads.")] = 2,
    lang: LangOption = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Solve a file of case requests; rerun with the same --out to resume.

    Exit 0 when every line was read, 2 when some were bad (reported, skipped), 130 when
    interrupted (rerun to resume), 143 when stopped by SIGTERM."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from cli.batch import BatchError, Bookings, Outcome, run_batch

    language = _language(lang)
    bookings: Bookings | None = None
    # From reading the inputs to the work, a Ctrl-C or SIGTERM ends the command with its
    # line, as in `solve` and `sweep`: left to the defaults between the two (the progress
    # bar's start), SIGTERM killed the process without a word.
    with stopped_before_work(language, "batch"):
        try:
            # A missing, unreadable or binary file is said at once (an empty one is no requests).
            read_text(requests, language, empty_ok=True)
            if Path(scenario).exists():
                loaded = read_scenario(Path(scenario), language)
            else:
                stored = _stored_bookings(scenario, database_url, f"batch {requests.name}",
                                          language)
                loaded, bookings = stored.base, stored
        except InputError as e:
            raise _fail(e, language) from None
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err) as bar:
            task = bar.add_task(escape(message(language, "cli.solving")), total=None)

            finished = [0]

            def step(outcome: Outcome, total: int) -> None:
                finished[0] = outcome.done + outcome.skipped
                bar.update(task, total=total, completed=finished[0],
                           description=escape(message(language, "cli.batch_step",
                                                      staffed=outcome.staffed, failed=outcome.failed)))

            def interrupted(signum: int) -> NoReturn:
                bar.stop()
                state = output / "state.json"
                if not state.exists():  # nothing recorded: the file the message names is not there
                    exit_interrupted(message(language, "cli.batch_interrupted_none",
                                             signal=signal_name(signum)), signum)
                exit_interrupted(message(language, "cli.batch_interrupted", done=finished[0],
                                         signal=signal_name(signum), state=state), signum)

            def ready() -> None:
                err.print(message(language, "cli.batch_ready", file=requests), highlight=False,
                          markup=False)

            try:
                outcome = run_until_interrupted(
                    lambda: run_batch(loaded, requests, output, mode=mode.value, seconds=seconds,
                                      workers=workers, on_step=step, bookings=bookings,
                                      lang=language),
                    interrupted, ready)
            except BatchError as e:
                raise _fail(InputError([render_reason(e.reason, language)]), language) from None
    # Every request is done and recorded: a Ctrl-C while the summary is written loses
    # nothing, and must say so (unhandled, it ended the process by signal, silently).
    previous = on_stop_signals(lambda signum, _: exit_interrupted(
        message(language, "cli.batch_report_interrupted", dir=output, signal=signal_name(signum)),
        signum))
    try:
        _report_batch(outcome, output, language)
    finally:
        put_back(previous)


def _report_batch(outcome: "Outcome", output: Path, lang: Language) -> None:
    """What a finished batch did, and exit 2 when some lines were bad."""
    for line in outcome.bad_lines:
        err.print(f"[yellow]{escape(message(lang, 'cli.skipped'))}[/yellow] "
                  f"{escape(one_line(line))}", highlight=False)
    for line in outcome.refused:
        err.print(f"[yellow]{escape(message(lang, 'cli.not_committed'))}[/yellow] "
                  f"{escape(one_line(line))}", highlight=False)
    out.print(message(lang, "cli.batch_summary", done=outcome.done, staffed=outcome.staffed,
                      failed=outcome.failed, skipped=outcome.skipped, bad=len(outcome.bad_lines),
                      dir=output), highlight=False, markup=False)
    if outcome.bad_lines:
        raise typer.Exit(EXIT_BAD_INPUT)


audit_app = typer.Typer(help="The service's audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(database_url: DatabaseUrl = None, lang: LangOption = None) -> None:
    """Recompute the audit trail's HMAC chain and hold it against the witness file, with
    the service's settings (AUDIT_SECRET, AUDIT_ANCHOR_FILE). Exit 0 intact, 1 broken,
    2 when the secret is missing."""
    from api.audit import verify

    language = _language(lang)
    with _database(database_url, language, create_secret=False) as session:
        report = verify(session, _seal(_settings(database_url), language, create=False))
    if report.intact:
        out.print(message(language, "cli.audit_intact", entries=report.entries), highlight=False)
        return
    where = ("" if report.broken_at is None
             else message(language, "cli.audit_entry", entry=report.broken_at))
    out.print(f"[red]{escape(message(language, 'cli.audit_broken'))}[/red] "
              + escape(message(language, "cli.audit_after", entries=report.entries, where=where,
                               problem="" if report.problem is None
                               else render_reason(report.problem, language))), highlight=False)
    raise typer.Exit(EXIT_NOT_SOLVED)


keys_app = typer.Typer(help="API keys of the service.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    unit: Annotated[str, typer.Option(help="The unit the key belongs to.")],
    role: Annotated[KeyRole, typer.Option(
        help="viewer reads; planner also solves, commits, releases; admin also stores "
             "scenarios.")],
    scenario: Annotated[Path | None, typer.Option(
        help="A scenario file giving the unit's place in its province; default the newest "
             "stored scenario that has the unit.")] = None,
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "",
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Create an API key and print it once: only its hash is stored."""
    from api.keys import KeyRequestError, create_key, organisation_of

    language = _language(lang)
    with _database(database_url, language) as session:
        try:
            organisation = (read_scenario(scenario, language) if scenario
                            else organisation_of(session, unit))
            row, token = create_key(session, unit=unit, role=role, name=name,
                                    scenario=organisation)
        except InputError as e:
            raise _fail(e, language) from None
        except KeyRequestError as e:
            raise _fail(InputError([render_reason(e.reason, language)]), language) from None
        reach = (message(language, "cli.reach_province") if row.whole_province
                 else message(language, "cli.reach_units", units=len(row.units)))
        about = message(language, "cli.key_created", id=row.id, unit=unit,
                        role=message(language, f"keyrole.{role.value}"),
                        reach=reach, province=row.province)
        session.commit()
    err.print(about, highlight=False, markup=False)
    out.print(token, highlight=False, soft_wrap=True)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the part after 'tf_').")],
    reason: Annotated[str | None, typer.Option(help="Why; kept in the audit trail.")] = None,
    database_url: DatabaseUrl = None,
    lang: LangOption = None,
) -> None:
    """Revoke an API key at once."""
    from api.keys import KeyRequestError, revoke_key

    language = _language(lang)
    with _database(database_url, language) as session:
        try:
            revoke_key(session, key_id, reason)
        except KeyRequestError as e:
            raise _fail(InputError([render_reason(e.reason, language)]), language) from None
        session.commit()
    out.print(message(language, "cli.key_revoked", id=key_id), highlight=False, markup=False)


@keys_app.command("list")
def keys_list(database_url: DatabaseUrl = None, lang: LangOption = None) -> None:
    """The keys, revoked ones included: id, unit, role, reach."""
    from sqlalchemy import select

    from api.tables import ApiKeyRow

    language = _language(lang)
    with _database(database_url, language) as session:
        for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at)):
            reach = (message(language, "cli.reach_province") if row.whole_province
                     else message(language, "sep.comma").join(row.units))
            state = message(language, "cli.key_state_revoked" if row.revoked_at
                            else "cli.key_state_active")
            role = message(language, f"keyrole.{row.role}")
            out.print(f"{row.id}  {row.unit_id}  {role}  {state}  {row.province}: {reach}"
                      f"  ({row.name})", highlight=False)


def _stored_bookings(scenario_id: str, url: str | None, reason: str,
                     lang: Language) -> "StoredBookings":
    """A stored scenario to run a batch on, or InputError when there is no such one."""
    from api.bookings import StoredBookings, StoredScenarioError
    from api.db import sessions

    settings = _settings(url)
    try:
        return StoredBookings(sessions(_migrated_engine(settings), _seal(settings, lang)),
                              scenario_id, reason)
    except StoredScenarioError:
        raise InputError([message(lang, "cli.no_stored_scenario", id=scenario_id)]) from None


def _settings(url: str | None) -> "Settings":
    """The service's settings (environment, .env), with `url` as the database if given."""
    from api.settings import Settings

    return Settings(database_url=url) if url else Settings()


def _seal(settings: "Settings", lang: Language, *, create: bool = True) -> "Seal":
    """The audit seal of `settings`, or a clear error (exit 2) when it cannot be had."""
    from api.seal import SealError, seal_for

    try:
        return seal_for(settings, create=create, lang=lang)
    except SealError as e:
        raise _fail(InputError([render_reason(e.reason, lang)]), lang) from None


def _migrated_engine(settings: "Settings") -> "Engine":
    """An engine on the service's database, schema migrated."""
    from api.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


@contextmanager
def _database(url: str | None, lang: Language, *, create_secret: bool = True
              ) -> Iterator["Session"]:
    """A session on the service's database, its schema migrated first, its audit entries
    sealed as the service's are."""
    from api.db import sessions

    settings = _settings(url)
    seal = _seal(settings, lang, create=create_secret)
    engine = _migrated_engine(settings)
    try:
        with sessions(engine, seal)() as session:
            yield session
    finally:
        engine.dispose()


generate = typer.Typer(help="Write synthetic scenarios.", no_args_is_help=True)
app.add_typer(generate, name="generate")


@generate.command("province", help="Write a deterministic, spec-valid scenario of a plausible "
                  "province.\n\nFamilies (--family):\n\n" + "\n\n".join(
                      f"{name}: {about}" for name, about in FAMILIES.items()))
def generate_province(
    prosecutors: Annotated[int, typer.Option(min=50, help="Number of people.")] = 2000,
    cases: Annotated[int, typer.Option(min=1, help="Number of cases.")] = 300,
    seed: Annotated[int, typer.Option(help="Same seed, same scenario.")] = 0,
    family: Annotated[str, typer.Option(
        help=f"The shape of the province: {', '.join(FAMILIES)}.")] = "standard",
    output: Annotated[Path, typer.Option("--out", help="Scenario JSON to write.")] = Path(
        "province.json"),
    lang: LangOption = None,
) -> None:
    """Write a deterministic, spec-valid scenario of a plausible province of a family."""
    language = _language(lang)
    if family not in FAMILIES:
        raise _fail(InputError([message(language, "cli.unknown_family", family=family,
                                        families=", ".join(FAMILIES))]), language)
    data = province(prosecutors, cases, seed, family=family)
    parse_scenario(data)  # a generated scenario must be valid; fail loudly here if not
    write_atomically(output, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    out.print(message(language, "cli.wrote_counts", file=output,
                      **_counts(language, len(data["units"]), len(data["prosecutors"]),
                                len(data["cases"]))),
              highlight=False, markup=False)


if __name__ == "__main__":
    app()
