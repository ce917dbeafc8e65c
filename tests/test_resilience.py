"""Standbys and fragility: who could take each member's place alone, and why not."""

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from checker import check_roster
from cli.main import app
from i18n import localised_resilience
from models import Roster, Scenario, parse_scenario
from models.resilience import MemberCover, Resilience
from scheduler import roster_resilience
from tests.tiny import case, person, road, scenario, solved, unit

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL_PATH = ROOT / "scenarios" / "tutorial.json"
TUTORIAL: dict[str, Any] = json.loads(TUTORIAL_PATH.read_text())


def _one_case(bo: dict[str, Any], *, min_staff: int = 0, **extra: Any) -> Scenario:
    """A case at A for one prosecutor: Ann at A serves it; Bo, at B 30 minutes away, is
    the only other person who might."""
    return scenario([unit("a"), unit("b", min_staff=min_staff)],
                    [person("ann", "a"), bo], [case("k", "a", **extra)],
                    roads=[road("a", "b", 30)])


def _cover(s: Scenario) -> tuple[MemberCover, Resilience]:
    """The first member's cover, and the whole answer, in English."""
    found = localised_resilience(roster_resilience(s, solved(s)), "en")
    return found.teams[0].members[0], found


def test_the_one_free_person_stands_in() -> None:
    """Bo is free and eligible: he is Ann's standby, at the cost of his travel and one
    member from outside the pairs, and the team is not fragile."""
    cover, found = _cover(_one_case(person("bo", "b")))
    assert cover.prosecutor == "ann" and cover.standby == "bo"
    assert cover.cost_change == 30 + 60
    assert cover.reason.text == "Bo can stand in for Ann as prosecutor"
    assert found.teams[0].without_standby == 0 and found.fragile_mandatory == []


def test_no_standby_when_the_only_other_is_over_capacity() -> None:
    """Bo (capacity 0.5) serves case j at home at the same time: taking Ann's place too
    would put him over capacity, so Ann has no standby, the rule named is capacity, and
    the mandatory case k is fragile."""
    s = scenario([unit("a"), unit("b")],
                 [person("ann", "a"), person("bo", "b", capacity=0.5)],
                 [case("k", "a", mandatory=True), case("j", "b", scope="unit")],
                 roads=[road("a", "b", 30)])
    roster = solved(s)
    assert {m.prosecutor: m.case for m in roster.assignments()} == {"ann": "k", "bo": "j"}
    found = localised_resilience(roster_resilience(s, roster), "en")
    cover = found.teams[0].members[0]
    assert cover.standby is None and cover.blocked_by == "capacity"
    assert cover.reason.text == ("no standby: k falls if Ann is absent, because 1 eligible "
                                 "would be over capacity")
    assert found.fragile_mandatory == ["k"] and found.teams[0].falls_if_absent == ["ann"]


def test_no_standby_when_his_office_must_keep_him_at_home() -> None:
    """B must keep one prosecutor at home and Bo is its only one: he cannot leave, so the
    rule that blocks is home staffing."""
    cover, _ = _cover(_one_case(person("bo", "b"), min_staff=1))
    assert cover.standby is None and cover.blocked_by == "home_staffing"
    assert "below its minimum at home" in cover.reason.text


def test_no_standby_for_a_required_member() -> None:
    """A case that requires Ann falls without her, whoever else is free."""
    cover, _ = _cover(_one_case(person("bo", "b"), require_prosecutors=["ann"]))
    assert cover.standby is None and cover.blocked_by == "required"
    assert "the case requires Ann" in cover.reason.text


def test_hulunbuir_standbys_pass_the_checker() -> None:
    """On the Hulunbuir roster, every named standby (up to 40), substituted alone for the
    member, gives a roster the independent checker accepts."""
    s = parse_scenario(json.loads((ROOT / "scenarios" / "hulunbuir.json").read_text()))
    roster = solved(s, seconds=20)
    found = roster_resilience(s, roster)
    named = [(t.case, m) for t in found.teams for m in t.members if m.standby is not None]
    assert len(named) >= 40
    for case_id, m in named[:40]:
        assert m.standby is not None
        body = roster.model_dump(mode="json")
        for c in body["cases"]:
            if c["id"] == case_id:
                for member in c["team"]:
                    if member["prosecutor"] == m.prosecutor:
                        member["prosecutor"] = m.standby
        substituted = Roster.model_validate(body | {"bound": None, "gap": None,
                                                    "status": "feasible", "objective": None})
        report = check_roster(s, substituted)
        assert not [v for v in report.violations if v.rule != "objective"], (case_id, m)


def test_cli_lists_standbys_in_chinese(tmp_path: Path) -> None:
    """`taskforce resilience` prints each team's fragility and each member's standby."""
    out = tmp_path / "roster.json"
    runner = CliRunner()
    assert runner.invoke(app, ["solve", str(TUTORIAL_PATH), "--out", str(out), "--seconds",
                               "5", "--workers", "1"]).exit_code == 0
    shown = runner.invoke(app, ["resilience", str(TUTORIAL_PATH), str(out), "--lang", "zh"])
    assert shown.exit_code == 0, shown.output
    assert "刘洋可替补王磊任组长" in shown.output and "2名成员中2名无替补人员" in shown.output


def test_api_answers_standbys_and_404_for_unknown_roster(client: TestClient) -> None:
    """GET /rosters/{id}/resilience names Liu Yang as Wang Lei's standby on fraud; an
    unknown roster id is a 404 naming it."""
    sid = client.post("/scenarios", json=TUTORIAL).json()["id"]
    made = client.post(f"/scenarios/{sid}/cases/fraud/roster", params={"seconds": 5})
    answer = client.get(f"/rosters/{made.json()['id']}/resilience")
    assert answer.status_code == 200, answer.text
    leader = answer.json()["teams"][0]["members"][0]
    assert (leader["prosecutor"], leader["standby"]) == ("wang", "liu")
    missing = client.get("/rosters/nope/resilience")
    assert missing.status_code == 404 and "nope" in missing.text
