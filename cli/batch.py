"""Batch runs: a file of case requests solved against one scenario, resumable.

A request is a case in the scenario format (JSONL: one JSON object a line) or a CSV row
with the columns below. In `sequential` mode the requests are solved in the file's
order and each staffed team is kept for the requests after it, so later ones see the
load and absences of earlier ones; in `joint` mode all are solved together.

Against a scenario file, "kept" means pinned in the later solves. Against a stored
scenario (`Bookings`), each staffed team is committed before the next request is
solved, so it binds every later solve in the province, this run's and anyone else's;
a commit refused because someone else took the people first leaves its request
unstaffed, with the reason.

A roster is written before it is committed, and the request is recorded as finished in
DIR/state.json after, so an interrupted run resumes where it stopped without redoing,
losing or committing twice any request.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import ValidationError

from api.csvcells import cell
from cli.files import write_atomically
from i18n import Language, localised, message, render
from models import Assignment, Case, Roster, Scenario, ScenarioError, parse_scenario
from models.reason import Reason, listing, why
from scheduler import solve

Mode = Literal["sequential", "joint"]
CSV_COLUMNS = ("id", "title", "kind", "venue", "lead_unit", "start", "end", "priority",
               "mandatory", "scope", "leader_min_role", "leader_min_level", "prosecutors",
               "assistants", "clerks", "load", "skills", "languages", "max_travel_minutes")
FLAT_COLUMNS = ("case", "role", "prosecutor", "name", "home_office", "travel_minutes")

# The columns of a CSV request and what each holds (docs/scenario-format.md lists them).
CSV_MEANINGS: tuple[tuple[str, str], ...] = (
    ("id", "The case's id (required)."), ("title", "Display title."),
    ("kind", "criminal, civil, administrative or public_interest (required)."),
    ("venue", "Unit id where the on-site work happens (required)."),
    ("start", "First day, YYYY-MM-DD (required)."), ("end", "Last day, YYYY-MM-DD (required)."),
    ("lead_unit", "Owner unit id; default the venue."),
    ("scope", "unit, pair, group, municipal or provincial; default by the lead unit's tier."),
    ("priority", "Whole number, 1 to 100,000; default 1."),
    ("mandatory", "1, true or yes when the case must be staffed."),
    ("leader_min_role", "chief, deputy_chief or prosecutor; empty for no leader."),
    ("leader_min_level", "Leader's lowest level in the case's kind, 1 to 3; default 2."),
    ("prosecutors", "Prosecutor slots (whole number)."), ("assistants", "Assistant slots."),
    ("clerks", "Clerk slots."), ("load", "FTE each member commits per day, 0 to 10."),
    ("max_travel_minutes", "On-site members live at most this far from the venue, minutes."),
    ("skills", "Skill needs as skill:count:level, separated by ';' (e.g. criminal:2:2;forensics:1:3)."),
    ("languages", "Language needs as code:count, separated by ';' (e.g. mn:2)."),
)


class BatchError(ValueError):
    """A batch that cannot run at all (not one bad line): `reason` says why."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


@dataclass
class Outcome:
    """What a batch run did."""

    done: int = 0
    staffed: int = 0
    failed: int = 0
    skipped: int = 0  # finished in an earlier run
    bad_lines: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # staffed, but the commit was refused


class Bookings(Protocol):
    """A stored scenario whose solves see the commitments made, and that commits rosters."""

    def current(self, cases: list[Case]) -> Scenario:
        """The scenario with `cases`, as a solve must see it now."""
        ...

    def commit(self, roster: Roster, cases: list[Case], key: str) -> Reason | str | None:
        """Commit the staffed `cases` of `roster`; None when done, else why refused. The
        same `key` commits only once."""
        ...


class _BadCellError(ValueError):
    """A CSV cell that does not read: why, naming its column."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


def _whole(text: str, column: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise _BadCellError(why("batch.bad_whole", column=column, value=text.strip()[:100])) from None


def _number(text: str, column: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise _BadCellError(why("batch.bad_number", column=column, value=text.strip()[:100])) from None


def _needs(text: str, column: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """'name:count[:level];...' as needs; a part without a name, or with more parts than
    `keys`, is refused as not in the form."""
    out = []
    for part in (s for s in text.split(";") if s.strip()):
        bits = part.split(":")
        if not bits[0].strip() or len(bits) > len(keys):
            raise _BadCellError(why("batch.bad_need", column=column, value=part.strip()[:100]))
        out.append(dict(zip(keys, (bits[0].strip(), *(_whole(b, column) for b in bits[1:])),
                            strict=False)))
    return out


def _csv_case(row: dict[str, str]) -> dict[str, Any]:
    """A case from a CSV row: skills as 'skill:count:level;...', languages as 'mn:2;...'.
    A cell that does not read raises _BadCellError naming its column."""
    team: dict[str, Any] = {
        "members": {k: _whole(row.get(col) or "0", col) for k, col in
                    (("prosecutor", "prosecutors"), ("assistant", "assistants"),
                     ("clerk", "clerks"))},
        "leader": ({"min_role": row["leader_min_role"],
                    "min_level": _whole(row.get("leader_min_level") or "2", "leader_min_level")}
                   if row.get("leader_min_role") else None),
        "skills": _needs(row.get("skills") or "", "skills", ("skill", "count", "min_level")),
        "languages": [{"count": 1} | n for n in
                      _needs(row.get("languages") or "", "languages", ("language", "count"))],
    }
    if row.get("load"):
        team["load"] = _number(row["load"], "load")
    if row.get("max_travel_minutes"):
        team["max_travel_minutes"] = _number(row["max_travel_minutes"], "max_travel_minutes")
    case: dict[str, Any] = {k: row[k] for k in ("id", "title", "kind", "venue", "start", "end")
                            if row.get(k)}
    for key in ("lead_unit", "scope"):
        if row.get(key):
            case[key] = row[key]
    if row.get("priority"):
        case["priority"] = _whole(row["priority"], "priority")
    if row.get("mandatory"):
        case["mandatory"] = row["mandatory"].strip().lower() in ("1", "true", "yes")
    case["team"] = team
    return case


def read_requests(path: Path) -> Iterator[tuple[int, dict[str, Any] | Reason]]:
    """(line number, raw case) for each request, or (line number, problem) for a bad line."""
    # utf-8-sig: Excel's "CSV UTF-8" and Notepad start the file with a byte-order mark,
    # which would otherwise be part of the first column's name or the first line.
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        # newline="": the csv module finds the rows itself, quoted line breaks included.
        reader = csv.DictReader(io.StringIO(text, newline=""))
        for row in reader:
            try:
                found: dict[str, Any] | Reason = _csv_case(row)
            except _BadCellError as err:
                found = err.reason
            yield reader.line_num, found
        return
    # JSON Lines end at "\n" only: str.splitlines() would also split at U+2028 and other
    # separators that JSON allows raw inside a string, breaking a good line in two and
    # shifting every later line number.
    for i, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except json.JSONDecodeError as err:
            # Where it stopped, not the parser's English account of why.
            yield i, why("batch.bad_json", column=err.colno)
            continue
        except UnicodeEncodeError:
            yield i, why("invalid.not_unicode")
            continue
        except ValueError:
            # An integer of thousands of digits (Python refuses to convert it): this line
            # is bad, the batch goes on. Python's own account is English: not shown.
            yield i, why("batch.number_too_long")
            continue
        except RecursionError:
            yield i, why("batch.too_deep")
            continue
        yield (i, data) if isinstance(data, dict) else (i, why("batch.not_object"))


# A case's field as the CSV column that fills it, where the two differ.
COLUMN_OF_FIELD = (("team.members.prosecutor", "prosecutors"),
                   ("team.members.assistant", "assistants"), ("team.members.clerk", "clerks"),
                   ("team.leader.min_level", "leader_min_level"),
                   ("team.leader", "leader_min_role"), ("team.skills", "skills"),
                   ("team.languages", "languages"), ("team.", ""))


def _field(path: str, csv: bool) -> str:
    """A problem's path inside the request: the case's field, or for a CSV request the
    column the clerk filled in."""
    path = path.removeprefix("cases[0]").removeprefix(".") or "$"
    if csv:
        for field, column in COLUMN_OF_FIELD:
            if path.startswith(field):
                return column or path.removeprefix(field)
    return path


def _valid_case(scenario: Scenario, raw: dict[str, Any], *, csv: bool = False) -> Case | Reason:
    """The request as a case of the scenario, or every problem with it, to be one line,
    each naming the case's id if it has one."""
    try:
        parse_scenario(scenario.model_dump(mode="json") | {"cases": [raw], "previous": []})
    except ScenarioError as err:
        return listing([p.model_copy(update={"path": _field(p.path, csv)}).located
                        for p in err.problems])
    try:
        return Case.model_validate(raw)
    except ValidationError as err:  # already reported above; kept for type narrowing
        return why("text", text=str(err))


def _pinned(roster: Roster) -> list[Assignment]:
    return [Assignment(case=m.case, prosecutor=m.prosecutor, slot=m.slot, on_site=m.on_site,
                       pinned=True) for m in roster.assignments()]


def _flat_rows(roster: Roster) -> list[list[Any]]:
    return [[cell(x) for x in (m.case, m.slot.value, m.prosecutor, m.name, m.home,
                               m.travel_minutes)]
            for m in roster.assignments()]


def _committed(bookings: Bookings | None, roster: Roster, cases: list[Case], key: str,
               outcome: Outcome, lang: Language) -> Roster:
    """The roster once its staffed cases are committed; a refused commit unstaffs them."""
    if bookings is None or not any(c.staffed for c in roster.cases):
        return roster
    given = bookings.commit(roster, cases, key)
    if given is None:
        return roster
    refused = why("text", text=given) if isinstance(given, str) else given
    outcome.refused.append(message(lang, "problem.item", problem=render(refused, lang),
                                   id=", ".join(c.id for c in roster.cases if c.staffed)))
    return localised(roster.model_copy(update={"cases": [
        c.model_copy(update={"staffed": False, "team": [],
                             "unstaffed_reason": why("not_committed", why=refused)})
        if c.staffed else c for c in roster.cases]}), lang)


def run_batch(scenario: Scenario, requests: Path, out: Path, *, mode: Mode, seconds: float,
              workers: int, on_step: Callable[[Outcome, int], None] | None = None,
              bookings: Bookings | None = None, lang: Language = "en") -> Outcome:
    """Solve every request; write rosters, a flat CSV, problems and the resume state.
    With `bookings`, solve against the stored scenario and commit each roster. Reasons
    are written in `lang`."""

    def solved(s: Scenario) -> Roster:
        return localised(solve(s, seconds=seconds, workers=workers), lang)

    out.mkdir(parents=True, exist_ok=True)
    (out / "rosters").mkdir(exist_ok=True)
    state_path = out / "state.json"
    state: dict[str, Any] = (json.loads(state_path.read_text()) if state_path.exists()
                             else {"mode": mode, "done": []})
    if state["mode"] != mode:
        raise BatchError(why("batch.other_mode", dir=str(out), mode=state["mode"]))
    outcome = Outcome()
    cases: list[Case] = []
    for line, raw in read_requests(requests):
        case = raw if isinstance(raw, Reason) else _valid_case(
            scenario, raw, csv=requests.suffix.lower() == ".csv")
        if isinstance(case, Reason):
            outcome.bad_lines.append(message(lang, "batch.line", line=line,
                                             problem=render(case, lang)))
        elif case.id in {c.id for c in cases}:
            outcome.bad_lines.append(message(lang, "batch.line", line=line,
                                             problem=message(lang, "batch.twice", id=case.id)))
        else:
            cases.append(case)
    write_atomically(out / "problems.txt", "".join(f"{b}\n" for b in outcome.bad_lines))
    total = len(cases)
    key = str(out.resolve())
    if mode == "joint":
        joint = out / "rosters" / "joint.json"
        if state["done"]:
            outcome.skipped = total
        else:
            if bookings is not None and joint.exists():  # solved before an interruption
                roster = Roster.model_validate_json(joint.read_text())
            else:
                roster = solved(bookings.current(cases) if bookings else
                                scenario.replace(cases=cases, previous=[]))
                write_atomically(joint, roster.model_dump_json(indent=1))
            committed = _committed(bookings, roster, cases, f"{key}|joint", outcome, lang)
            if committed is not roster:
                roster = committed
                write_atomically(joint, roster.model_dump_json(indent=1))
            state["done"] = [c.id for c in cases]
            write_atomically(state_path, json.dumps(state))
            outcome.done = total
            outcome.staffed = sum(1 for c in roster.cases if c.staffed)
            outcome.failed = total - outcome.staffed
        _write_flat(out)
        return outcome
    pinned_cases: list[Case] = []
    pinned: list[Assignment] = []
    for case in cases:
        roster_path = out / "rosters" / f"{case.id}.json"
        if case.id in state["done"] and roster_path.exists():
            earlier = Roster.model_validate_json(roster_path.read_text())
            if any(c.staffed for c in earlier.cases if c.id == case.id):
                pinned_cases.append(case)
                pinned += [a for a in _pinned(earlier) if a.case == case.id]
            outcome.skipped += 1
            continue
        if bookings is None:
            roster = solved(scenario.replace(cases=[*pinned_cases, case], previous=list(pinned)))
        elif roster_path.exists():  # solved before an interruption; perhaps not committed
            roster = Roster.model_validate_json(roster_path.read_text())
        else:
            roster = solved(bookings.current([case]))
        mine = [c for c in roster.cases if c.id == case.id]
        roster = roster.model_copy(update={"cases": mine})
        write_atomically(roster_path, roster.model_dump_json(indent=1))
        committed = _committed(bookings, roster, [case], f"{key}|{case.id}", outcome, lang)
        if committed is not roster:
            mine = committed.cases
            write_atomically(roster_path, committed.model_dump_json(indent=1))
        state["done"].append(case.id)
        write_atomically(state_path, json.dumps(state))
        outcome.done += 1
        if mine and mine[0].staffed:
            outcome.staffed += 1
            pinned_cases.append(case)
            pinned += [a for a in _pinned(roster) if a.case == case.id]
        else:
            outcome.failed += 1
        if on_step is not None:
            on_step(outcome, total)
    _write_flat(out)
    return outcome


def _write_flat(out: Path) -> None:
    """assignments.csv: one row per assignment of every roster in DIR/rosters."""
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(FLAT_COLUMNS)
    for path in sorted((out / "rosters").glob("*.json")):
        writer.writerows(_flat_rows(Roster.model_validate_json(path.read_text())))
    write_atomically(out / "assignments.csv", handle.getvalue())
