"""Alternatives: the next best rosters, each at least D assignments from every earlier one."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from checker import check_roster
from cli.main import app
from i18n import localised
from models import Roster, Scenario, parse_scenario
from models.roster import with_alternative
from scheduler import solve
from tests.tiny import case, person, road, scenario, unit

TUTORIAL_PATH = Path(__file__).resolve().parent.parent / "scenarios" / "tutorial.json"
TUTORIAL: dict[str, Any] = json.loads(TUTORIAL_PATH.read_text())


def _three_ways() -> Scenario:
    """One case at A needing one prosecutor: Ann at A, Bo 40 minutes away, Cy 100."""
    return scenario([unit("a"), unit("b"), unit("c")],
                    [person("ann", "a"), person("bo", "b"), person("cy", "c")],
                    [case("k", "a")], roads=[road("a", "b", 40), road("a", "c", 100)])


def _assignments(roster: Roster) -> set[tuple[str, str, str]]:
    return {(m.case, m.prosecutor, m.slot.value) for m in roster.assignments()}


def test_next_best_teams_in_order_with_their_trade_offs() -> None:
    """Bo, then Cy, come after Ann, each proven the next best, with the cost of each and
    what it trades said in words in both languages."""
    s = _three_ways()
    roster = solve(s, seconds=5, workers=1, alternatives=3)
    assert [m.prosecutor for m in roster.assignments()] == ["ann"]
    alts = roster.alternatives
    assert [a.rank for a in alts] == [2, 3]
    assert [a.cases[0].team[0].prosecutor for a in alts] == ["bo", "cy"]
    assert [a.objective.cost - roster.objective.cost for a in alts  # type: ignore[union-attr]
            ] == [40 + 60, 100 + 60]
    assert all(a.proven and a.distance == 2 for a in alts)
    en, zh = localised(roster, "en").alternatives[0], localised(roster, "zh").alternatives[0]
    assert en.difference.text == ("Bo replaces Ann as prosecutor: travel +40 min, 1 more "
                                  "member from outside the pairs, cost +100")
    assert zh.difference.text == "Bo接替Ann任检察官：差旅+40分钟、结对检察院以外的成员多1名、成本+100"


def test_no_alternative_when_none_keeps_the_distance() -> None:
    """A one-person team can differ from another in 2 assignments at most: asking for 3
    finds none, since CP-SAT proves none exists, rather than a near copy."""
    roster = solve(_three_ways(), seconds=5, workers=1, alternatives=3, differ=3)
    assert roster.objective is not None and roster.alternatives == []


def test_tutorial_alternatives_are_valid_and_pairwise_apart() -> None:
    """On the tutorial, each of 4 rosters passes the independent checker with the objective
    it claims, the objectives never improve down the list, and every two rosters differ
    in at least D = 3 assignments."""
    s = parse_scenario(TUTORIAL)
    roster = solve(s, seconds=10, workers=1, alternatives=4, differ=3)
    assert len(roster.alternatives) == 3
    rosters = [roster] + [with_alternative(roster, a) for a in roster.alternatives]
    for r in rosters:
        report = check_roster(s, r)
        assert report.ok, report.violations
        assert r.objective is not None and abs(report.cost - r.objective.cost) < 0.5
    keys = [(-r.objective.staffed_priority, r.objective.cost) for r in rosters
            if r.objective is not None]
    assert keys == sorted(keys)
    for i, a in enumerate(rosters):
        for b in rosters[i + 1:]:
            assert len(_assignments(a) ^ _assignments(b)) >= 3


@pytest.mark.parametrize(("field", "value"), [("alternatives", 0), ("differ", 0)])
def test_solve_refuses_counts_below_one(field: str, value: int) -> None:
    """alternatives and differ below 1 are refused, naming the field."""
    counts = {"alternatives": 1, "differ": 2} | {field: value}
    with pytest.raises(ValueError, match=field):
        solve(_three_ways(), seconds=1, alternatives=counts["alternatives"],
              differ=counts["differ"])


def test_cli_prints_the_alternatives_and_refuses_zero() -> None:
    """`taskforce solve --alternatives 2` prints the second roster with how it differs;
    `--differ 0` is bad input (exit 2) naming the option."""
    runner = CliRunner()
    ok = runner.invoke(app, ["solve", str(TUTORIAL_PATH), "--alternatives", "2",
                             "--seconds", "5", "--workers", "1", "--lang", "en"])
    assert ok.exit_code == 0, ok.output
    assert "Alternative 2" in ok.output and "replaces" in ok.output
    bad = runner.invoke(app, ["solve", str(TUTORIAL_PATH), "--differ", "0"])
    assert bad.exit_code == 2 and "--differ" in bad.output


def test_single_case_roster_answers_with_other_teams(client: TestClient) -> None:
    """The single-case roster with `alternatives: 3` returns the fraud team and two more,
    each differing from the others in at least two places, worded in Chinese on asking."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    answer = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": 5},
                         json={"alternatives": 3, "differ": 2},
                         headers={"Accept-Language": "zh"})
    assert answer.status_code == 200, answer.text
    roster = Roster.model_validate(answer.json()["roster"])
    assert len(roster.alternatives) == 2
    teams = [_assignments(roster)] + [_assignments(with_alternative(roster, a))
                                      for a in roster.alternatives]
    assert all(len(a ^ b) >= 2 for i, a in enumerate(teams) for b in teams[i + 1:])
    assert all("接替" in a.difference.text for a in roster.alternatives)


@pytest.mark.parametrize(("body", "field"), [({"alternatives": 0}, "alternatives"),
                                             ({"differ": 0}, "differ"),
                                             ({"alternatives": 1e400}, "alternatives")])
def test_bad_counts_are_refused_naming_the_field(client: TestClient, body: dict[str, Any],
                                                 field: str) -> None:
    """K or D below 1, or not a finite whole number, is a 422 naming the field, on the
    single-case roster and on a job alike."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    for path, payload in ((f"/scenarios/{sid}/cases/fraud/roster", body),
                          ("/jobs", {"scenario_id": sid, **body})):
        answer = client.post(path, content=json.dumps(payload).replace("Infinity", "1e400"),
                             headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert field in answer.text


def test_job_with_alternatives_stores_them(client: TestClient) -> None:
    """A solve job with `alternatives: 2` ends with a roster holding one alternative that
    the independent checker accepts."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5, "alternatives": 2})
    assert job.status_code == 202, job.text
    runner = client.app.state.runner  # type: ignore[attr-defined]
    assert runner.wait_for(job.json()["id"], {"done"}, timeout=60) == "done"
    roster = Roster.model_validate(client.get(f"/jobs/{job.json()['id']}").json()["roster"])
    assert len(roster.alternatives) == 1
    assert check_roster(parse_scenario(TUTORIAL), with_alternative(roster, roster.alternatives[0])).ok
