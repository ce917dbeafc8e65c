"""no_standby and `solve --robust`: members of mandatory cases with someone to stand by."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.jobs import Runner
from checker import check_roster
from cli.main import app
from i18n import localised
from models import Roster, Scenario
from models.roster import with_alternative
from models.scenario import ROBUST_NO_STANDBY
from scheduler import solve
from scheduler.model.core import make_context
from scheduler.model.costs import lacking_standby
from tests.tiny import Data, case, person, road, roster_of, scenario, solved, team, unit

MONGOLIAN = {"leader": None, "members": {"prosecutor": 1},
             "languages": [{"language": "mn", "count": 1}]}
runner = CliRunner()


def _two_at_home(c_speaks: list[str] | None = None) -> Scenario:
    """Mandatory m at U needs a Mongolian speaker; o at U, the same days, anyone. Ann and
    Bo at U speak Mongolian; Cy at V, 50 minutes away, speaks only Chinese (or `c_speaks`)."""
    return scenario([unit("u"), unit("v")],
                    [person("ann", "u", languages=["zh", "mn"]),
                     person("bo", "u", languages=["zh", "mn"]),
                     person("cy", "v", languages=c_speaks or ["zh"])],
                    [case("m", "u", mandatory=True, team=MONGOLIAN), case("o", "u")],
                    roads=[road("u", "v", 50)])


def _robust(s: Scenario) -> Scenario:
    weights = s.policy.weights.robust()
    return s.replace(policy=s.policy.model_copy(update={"weights": weights}))


def test_no_standby_holds() -> None:
    """Without --robust, Bo (at home) takes o and no Mongolian speaker is left free to stand
    by for m's member. With it, Cy travels to o (50 minutes + 60 off the pairs = 110, below
    the 150 a member without standby costs), so Bo stands by: no_standby is 0, the checker
    agrees, and the roster says the weights it was costed with."""
    s = _two_at_home()
    plain = solved(s)
    assert team(plain, "o") == {"bo"} and team(plain, "m") == {"ann"}
    robust = solve(s, seconds=10, workers=1, seed=0, robust=True)
    assert robust.weights is not None and robust.weights.no_standby == ROBUST_NO_STANDBY
    assert team(robust, "o") == {"cy"} and team(robust, "m") in ({"ann"}, {"bo"})
    assert robust.objective is not None and robust.objective.components["no_standby"] == 0
    assert robust.objective.components["travel"] == 50
    report = check_roster(s, robust)
    assert report.ok, report.violations
    assert report.components["no_standby"] == 0
    # The plain roster, costed with the robust weights, pays for Ann's missing standby.
    assert check_roster(_robust(s), plain).components["no_standby"] == ROBUST_NO_STANDBY


def test_no_standby_broken() -> None:
    """When nobody else speaks Mongolian, m is still staffed (it is mandatory) and its
    member has no standby whatever the roster: the term is paid once, solver and checker
    agree, and a roster that reports its cost without the term is caught."""
    s = _robust(scenario([unit("u")],
                         [person("ann", "u", languages=["zh", "mn"]), person("bo", "u")],
                         [case("m", "u", mandatory=True, team=MONGOLIAN), case("o", "u")]))
    roster = solved(s)
    assert team(roster, "m") == {"ann"} and team(roster, "o") == {"bo"}
    assert roster.objective is not None
    assert roster.objective.components["no_standby"] == ROBUST_NO_STANDBY
    assert roster.bound is not None and roster.bound <= roster.objective.cost + 0.5
    lying = roster.model_copy(update={"objective": roster.objective.model_copy(update={
        "cost": roster.objective.cost - ROBUST_NO_STANDBY})})
    assert "objective" in check_roster(s, lying).rules_broken()


Teams = dict[str, list[tuple[str, str]]]


def _counts(s: Scenario, teams: Teams) -> tuple[int, int]:
    """no_standby of a hand-written roster, unweighted: counted by the solver's report and
    by the checker."""
    ctx = make_context(s)
    wanted = {(p, c, slot) for c, members in teams.items() for p, slot in members}
    chosen = [o for o in ctx.candidates.options if (o.person, o.case, o.slot.value) in wanted]
    assert len(chosen) == len(wanted)
    solver = lacking_standby(ctx, chosen, set(teams))
    checked = check_roster(s, roster_of(s, teams)).components["no_standby"]
    return solver, round(checked / s.policy.weights.no_standby)


def _people(**extra: dict[str, Any]) -> list[Data]:
    base = {"ann": person("ann", "u"), "bo": person("bo", "u"), "cy": person("cy", "u")}
    return [{**p, **extra.get(pid, {})} for pid, p in base.items()]


@pytest.mark.parametrize(("why", "people", "cases", "teams", "lacking"), [
    ("a free colleague stands by", _people(), [case("m", "u", mandatory=True)],
     {"m": [("ann", "prosecutor")]}, 0),
    ("a case that is not mandatory counts no one", _people(bo={"role": "clerk"}, cy={"role": "clerk"}),
     [case("m", "u")], {"m": [("ann", "prosecutor")]}, 0),
    ("clerks may not stand by for a prosecutor's slot",
     _people(bo={"role": "clerk"}, cy={"role": "clerk"}),
     [case("m", "u", mandatory=True)], {"m": [("ann", "prosecutor")]}, 1),
    ("people on leave or without room may not",
     _people(bo={"unavailable": [{"start": "2022-01-05", "end": "2022-01-05"}]},
             cy={"load": 0.8}),
     [case("m", "u", mandatory=True)], {"m": [("ann", "prosecutor")]}, 1),
    ("someone on a case overlapping in time is not free",
     _people(cy={"role": "clerk"}),
     [case("m", "u", mandatory=True), case("k", "u", start="2022-01-10", end="2022-01-12")],
     {"m": [("ann", "prosecutor")], "k": [("bo", "prosecutor")]}, 1),
    ("someone on a case on other days is",
     _people(cy={"role": "clerk"}),
     [case("m", "u", mandatory=True), case("k", "u", start="2022-01-11", end="2022-01-12")],
     {"m": [("ann", "prosecutor")], "k": [("bo", "prosecutor")]}, 0),
    ("team mates are not standbys, and the one who lacks a skill the member covers is none",
     _people(ann={"skills": {"criminal": 3}}),
     [case("m", "u", mandatory=True, team={"leader": None, "members": {"prosecutor": 2},
                                          "skills": [{"skill": "criminal", "count": 1,
                                                      "min_level": 3}]})],
     {"m": [("ann", "prosecutor"), ("bo", "prosecutor")]}, 1),
])
def test_who_may_stand_by(why: str, people: list[Data], cases: list[Data], teams: Teams,
                          lacking: int) -> None:
    """Each part of the definition, on hand-written rosters at one office, counted alike
    by the solver's report and by the independent checker."""
    s = _robust(scenario([unit("u")], people, cases))
    assert _counts(s, teams) == (lacking, lacking), why


def test_weight_zero_leaves_rosters_as_they_were() -> None:
    """By default the term weighs nothing: the roster and its cost are those of before."""
    roster = solved(_two_at_home())
    assert roster.weights is None and roster.objective is not None
    assert roster.objective.components["no_standby"] == 0


def test_a_scenario_weight_is_kept() -> None:
    """--robust keeps a positive weight the scenario gives (here 20, below Cy's 110: Bo
    serves o and the term is paid)."""
    base = _two_at_home()
    s = base.replace(policy=base.policy.model_copy(
        update={"weights": base.policy.weights.model_copy(update={"no_standby": 20})}))
    roster = solve(s, seconds=10, workers=1, seed=0, robust=True)
    assert roster.weights is None and team(roster, "o") == {"bo"}
    assert roster.objective is not None and roster.objective.components["no_standby"] == 20
    assert check_roster(s, roster).ok


def test_cli_robust_and_check(tmp_path: Path) -> None:
    """`taskforce solve --robust` sends Cy to o, and `taskforce check` accepts the roster
    it wrote, costing it with the weights the roster names."""
    path, out = tmp_path / "s.json", tmp_path / "roster.json"
    path.write_text(_two_at_home().model_dump_json())
    result = runner.invoke(app, ["solve", str(path), "--robust", "--workers", "1",
                                 "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    roster = Roster.model_validate_json(out.read_text())
    assert team(roster, "o") == {"cy"} and roster.weights is not None
    checked = runner.invoke(app, ["check", str(path), str(out)])
    assert checked.exit_code == 0, checked.output


def _wait(client: TestClient) -> None:
    r: Runner = client.app.state.runner  # type: ignore[attr-defined]
    assert r.wait_until_idle(60)


def test_api_robust_on_jobs_and_single_case_rosters(client: TestClient) -> None:
    """`"robust": true` on a job sends Cy to o, kept in the job's parameters; on a
    single-case roster the weights are those of --robust; left out, nothing changes."""
    body: dict[str, Any] = json.loads(_two_at_home().model_dump_json())
    sid = client.post("/scenarios", json=body).json()["id"]
    job = client.post("/jobs", json={"scenario_id": sid, "seconds": 5, "robust": True})
    assert job.status_code == 202, job.text
    _wait(client)
    done = client.get(job.headers["location"]).json()
    roster = Roster.model_validate(done["roster"])
    assert team(roster, "o") == {"cy"} and roster.weights is not None
    assert client.get(f"/rosters/{done['roster_id']}").json()["params"]["robust"] is True
    one = client.post(f"/scenarios/{sid}/cases/m/roster", params={"seconds": 5},
                      json={"robust": True})
    assert one.status_code == 200, one.text
    single = Roster.model_validate(one.json()["roster"])
    assert single.weights is not None and single.weights.no_standby == ROBUST_NO_STANDBY
    plain = client.post(f"/scenarios/{sid}/cases/m/roster", params={"seconds": 5})
    assert Roster.model_validate(plain.json()["roster"]).weights is None


def test_a_repaired_roster_missing_a_mandatory_case_is_not_kept() -> None:
    """The previous roster had Ann lead k; Bat must lead it now (it needs a Mongolian
    speaker), with Cl, the only clerk, who cannot also serve m, the mandatory case. The
    repaired roster staffs k at no cost; the valid roster staffs m and pays for Cl's missing
    standby. The valid one is the answer: a roster that misses a mandatory case never wins
    on cost (it did, and the solve ended with no roster)."""
    zero = dict.fromkeys(("travel", "off_pair", "peak_load", "units", "changes", "no_junior"), 0)
    s = scenario([unit("u")], [person("ann", "u", role="chief"), person("cl", "u", role="clerk"),
                               person("bat", "u", role="chief", languages=["zh", "mn"])],
                 [case("m", "u", mandatory=True, team={"leader": None, "members": {"clerk": 1}}),
                  case("k", "u", team={"leader": {"min_role": "prosecutor", "min_level": 1},
                                       "members": {"clerk": 1}, "load": 0.6,
                                       "languages": [{"language": "mn", "count": 1}]})],
                 previous=[{"case": "k", "prosecutor": "ann", "slot": "leader"}],
                 policy={"weights": {**zero, "no_standby": ROBUST_NO_STANDBY}})
    roster = solved(s)
    assert team(roster, "m") == {"cl"} and team(roster, "k") == set()
    assert roster.objective is not None and roster.objective.cost == ROBUST_NO_STANDBY


def test_robust_alternatives_pass_the_checker_and_say_what_they_cost() -> None:
    """Alternatives of a robust roster carry its weights: each passes the checker, and the
    one that puts Bo back on o says it leaves a member without a standby, in both languages."""
    s = _two_at_home()
    roster = solve(s, seconds=5, workers=1, seed=0, robust=True, alternatives=3, differ=2)
    assert len(roster.alternatives) == 2
    for alternative in roster.alternatives:
        report = check_roster(s, with_alternative(roster, alternative))
        assert report.ok, report.violations
    en = [a.difference.text for a in localised(roster, "en").alternatives]
    zh = [a.difference.text for a in localised(roster, "zh").alternatives]
    assert any("1 more member of a mandatory case without a standby" in t for t in en), en
    assert any("必办案件无替补人员的成员多1名" in t for t in zh), zh
