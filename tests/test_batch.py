"""Batch runs: a file of case requests, solved in order or jointly, resumable, with bad
lines reported by number and skipped."""

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.app import create_app
from api.bookings import StoredBookings
from api.db import make_engine, sessions
from api.seal import seal_for
from api.settings import Settings
from api.tables import CommitmentRow
from cli.batch import Outcome, run_batch
from cli.main import app
from i18n import render
from models import Case, Roster, Scenario, parse_scenario
from models.reason import Reason

TUTORIAL = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json"


def _request(rid: str, prosecutors: int) -> dict[str, Any]:
    """A full-time Hailar case from 1 to 10 June needing `prosecutors` from Hailar itself."""
    return {"id": rid, "kind": "criminal", "venue": "hailar", "scope": "unit",
            "start": "2022-06-01", "end": "2022-06-10",
            "team": {"leader": None, "members": {"prosecutor": prosecutors}, "load": 1.0}}


# Hailar has three prosecutor-rank people: r1 takes one, r2 two, r3 finds nobody left.
REQUESTS = [_request("r1", 1), _request("r2", 2), _request("r3", 1)]


def _jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    bad_venue = _request("r9", 1) | {"venue": "atlantis"}
    lines = [json.dumps(REQUESTS[0]), '{"id": "broken"', json.dumps(REQUESTS[1]),
             json.dumps(bad_venue), json.dumps(REQUESTS[2])]
    path.write_text("\n".join(lines) + "\n")
    return path


def _scenario() -> Scenario:
    return parse_scenario(json.loads(TUTORIAL.read_text()))


def test_sequential_batch(tmp_path: Path) -> None:
    """In file order, each staffed team is kept for the next request: r3 finds nobody.
    Bad lines are reported with their numbers; rosters and a flat CSV are written."""
    out = tmp_path / "out"
    outcome = run_batch(_scenario(), _jsonl(tmp_path), out, mode="sequential", seconds=5,
                        workers=1)
    assert (outcome.done, outcome.staffed, outcome.failed) == (3, 2, 1)
    assert [b.split(":")[0] for b in outcome.bad_lines] == ["line 2", "line 4"]
    assert "unknown unit 'atlantis'" in outcome.bad_lines[1]
    assert sorted(p.name for p in (out / "rosters").iterdir()) == ["r1.json", "r2.json", "r3.json"]
    rows = list(csv.DictReader((out / "assignments.csv").read_text().splitlines()))
    assert sorted(r["case"] for r in rows) == ["r1", "r2", "r2"]
    assert {r["home_office"] for r in rows} == {"hailar"}
    people = [r["prosecutor"] for r in rows]
    assert len(set(people)) == 3, "nobody serves two full-time cases at once"


def test_resume_after_interruption(tmp_path: Path) -> None:
    """Interrupted after the first request, a rerun skips it, keeps its roster as it was,
    and ends as an uninterrupted run would."""
    out = tmp_path / "out"

    def interrupt(outcome: Outcome, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(_scenario(), _jsonl(tmp_path), out, mode="sequential", seconds=5, workers=1,
                  on_step=interrupt)
    first = (out / "rosters" / "r1.json").read_text()
    assert not (out / "rosters" / "r2.json").exists()
    outcome = run_batch(_scenario(), _jsonl(tmp_path), out, mode="sequential", seconds=5,
                        workers=1)
    assert (outcome.skipped, outcome.done, outcome.staffed, outcome.failed) == (1, 2, 1, 1)
    assert (out / "rosters" / "r1.json").read_text() == first


def test_csv_requests_and_joint_mode(tmp_path: Path) -> None:
    """The same requests as CSV rows, solved jointly: two of the three staffed."""
    path = tmp_path / "requests.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "kind", "venue", "scope", "start", "end", "prosecutors", "load"])
        for r in REQUESTS:
            writer.writerow([r["id"], "criminal", "hailar", "unit", r["start"], r["end"],
                             r["team"]["members"]["prosecutor"], 1.0])
    outcome = run_batch(_scenario(), path, tmp_path / "out", mode="joint", seconds=5, workers=1)
    assert (outcome.done, outcome.staffed, outcome.failed, outcome.bad_lines) == (3, 2, 1, [])


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_requests_saved_with_a_byte_order_mark_are_read(tmp_path: Path, suffix: str) -> None:
    """Excel's "CSV UTF-8" (and Notepad) starts the file with a byte-order mark: every line
    is still read, none reported bad."""
    path = tmp_path / f"requests{suffix}"
    if suffix == ".csv":
        lines = ["id,kind,venue,scope,start,end,prosecutors,load"] + [
            f"{r['id']},criminal,hailar,unit,{r['start']},{r['end']},"
            f"{r['team']['members']['prosecutor']},1.0" for r in REQUESTS]
    else:
        lines = [json.dumps(r) for r in REQUESTS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    outcome = run_batch(_scenario(), path, tmp_path / "out", mode="joint", seconds=5, workers=1)
    assert outcome.bad_lines == [] and outcome.done == len(REQUESTS)


def test_cli_batch_reports_bad_lines(tmp_path: Path) -> None:
    """The command runs the batch, names the bad lines, and exits 2 because of them."""
    result = CliRunner().invoke(app, ["batch", str(_jsonl(tmp_path)), "--scenario",
                                      str(TUTORIAL), "--out", str(tmp_path / "out"),
                                      "--seconds", "5", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "line 2" in result.output and "line 4" in result.output
    assert "3 solved now (2 staffed, 1 not)" in result.output


def test_a_bad_request_is_named_by_its_id_and_the_csv_column_to_correct(
        tmp_path: Path) -> None:
    """A request's problem names the case's id, and for a CSV file the column the clerk
    fills in (`skills`), not the case's field inside it (`team.skills[0].skill`); a JSON
    request keeps the field."""
    csv_path = tmp_path / "requests.csv"
    csv_path.write_text("id,kind,venue,start,end,prosecutors,skills\n"
                        f"b2,criminal,hailar,2022-07-01,2022-07-03,1,{'s' * 201}:1\n",
                        encoding="utf-8")
    jsonl = tmp_path / "requests.jsonl"
    jsonl.write_text(json.dumps(_request("j1", 1) | {"title": "t" * 501}) + "\n")
    for path, words in ((csv_path, "skipped line 2: skills (b2): at most 200 characters"),
                        (jsonl, "skipped line 1: title (j1): at most 500 characters")):
        result = CliRunner().invoke(app, ["batch", str(path), "--scenario", str(TUTORIAL),
                                          "--out", str(tmp_path / path.suffix[1:]),
                                          "--lang", "en"])
        assert result.exit_code == 2, result.output
        assert words in " ".join(result.output.split()), result.output


def _stored_tutorial(database_url: str) -> str:
    """The tutorial stored in the service's database; its id."""
    settings = Settings(database_url=database_url, require_keys=False)
    with TestClient(create_app(settings)) as client:
        return str(client.post("/scenarios", json=json.loads(TUTORIAL.read_text())).json()["id"])


def _committed_cases(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.scalars(select(CommitmentRow).where(CommitmentRow.released_at.is_(None)))
        cases = sorted(r.case_id for r in rows)
    engine.dispose()
    return cases


def test_batch_on_a_stored_scenario_commits_each_request(tmp_path: Path,
                                                          database_url: str) -> None:
    """Against a stored scenario, each staffed request is committed before the next one
    is solved, and the commitments bind a later run too: Hailar has nobody left for r4."""
    sid = _stored_tutorial(database_url)
    result = CliRunner().invoke(app, ["batch", str(_jsonl(tmp_path)), "--scenario", sid,
                                      "--database-url", database_url, "--out",
                                      str(tmp_path / "out"), "--seconds", "5", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "3 solved now (2 staffed, 1 not)" in result.output
    assert _committed_cases(database_url) == ["r1", "r2", "r2"]
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps(_request("r4", 1)) + "\n")
    again = CliRunner().invoke(app, ["batch", str(later), "--scenario", sid, "--database-url",
                                     database_url, "--out", str(tmp_path / "later"),
                                     "--seconds", "5", "--workers", "1"])
    assert again.exit_code == 0, again.output
    assert "1 solved now (0 staffed, 1 not)" in again.output


class _Interrupted:
    """Bookings that stop the run right after the first commit, before it is recorded."""

    def __init__(self, real: StoredBookings) -> None:
        self.real = real

    def current(self, cases: list[Case]) -> Scenario:
        return self.real.current(cases)

    def commit(self, roster: Roster, cases: list[Case], key: str) -> str | None:
        self.real.commit(roster, cases, key)
        raise KeyboardInterrupt


def test_stored_batch_resumes_without_committing_twice(tmp_path: Path,
                                                       database_url: str) -> None:
    """Interrupted between a commit and its record, a rerun does not commit r1 again."""
    sid = _stored_tutorial(database_url)
    engine = make_engine(database_url)
    stored = StoredBookings(sessions(engine, seal_for(Settings(database_url=database_url))),
                            sid, "test")
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        run_batch(stored.base, _jsonl(tmp_path), out, mode="sequential", seconds=5,
                  workers=1, bookings=_Interrupted(stored))
    assert _committed_cases(database_url) == ["r1"]
    outcome = run_batch(stored.base, _jsonl(tmp_path), out, mode="sequential", seconds=5,
                        workers=1, bookings=stored)
    engine.dispose()
    assert (outcome.done, outcome.staffed, outcome.failed) == (3, 2, 1)
    assert _committed_cases(database_url) == ["r1", "r2", "r2"]


class _Refusing:
    """Bookings whose commits are always refused, as when someone else was faster."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def current(self, cases: list[Case]) -> Scenario:
        return self.scenario.replace(cases=cases, previous=[])

    def commit(self, roster: Roster, cases: list[Case], key: str) -> str | None:
        return "Wang Lei would be over capacity on 2022-06-01"


def test_refused_commit_leaves_the_request_unstaffed_with_the_reason(tmp_path: Path) -> None:
    """A roster whose commit is refused is written unstaffed, saying why."""
    out = tmp_path / "out"
    outcome = run_batch(_scenario(), _jsonl(tmp_path), out, mode="sequential", seconds=5,
                        workers=1, bookings=_Refusing(_scenario()))
    assert (outcome.staffed, outcome.failed, len(outcome.refused)) == (0, 3, 3)
    r1 = Roster.model_validate_json((out / "rosters" / "r1.json").read_text())
    assert not r1.cases[0].staffed
    assert r1.cases[0].unstaffed_reason is not None
    assert r1.cases[0].unstaffed_reason.text == \
        "not committed: Wang Lei would be over capacity on 2022-06-01"


def test_a_hostile_line_is_skipped_and_later_lines_keep_their_numbers(tmp_path: Path) -> None:
    """A 5000-digit integer, a lone surrogate or a raw U+2028 inside a string each stay
    within their own line: the first two are reported as bad lines, the third is a good
    request, and every later line keeps its number (tester's finding 8)."""
    from cli.batch import read_requests

    good = json.dumps(_request("ok", 1))
    lines = [good,
             good.replace('"ok"', '"big"').replace("{", '{"priority": ' + "9" * 5000 + ", ", 1),
             good.replace('"ok"', '"bad \\ud800"'),
             json.dumps(_request("sep", 1), ensure_ascii=False).replace(
                 '"sep"', '"sep\u2028arated"'),
             "[1]"]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = dict(read_requests(path))
    assert sorted(read) == [1, 2, 3, 4, 5]
    assert isinstance(read[1], dict) and read[4]["id"] == "sep\u2028arated"  # type: ignore[index]
    assert isinstance(read[2], Reason) and "digits" in render(read[2], "en")
    assert isinstance(read[3], Reason) and "surrogate" in render(read[3], "en")
    assert isinstance(read[5], Reason) and render(read[5], "en") == "a request must be a JSON object"
