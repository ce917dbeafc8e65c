"""The checker reads the roster it is given, not only the teams it expects: a roster file
edited by hand may list a case twice or file a member under another case."""

from checker import check_roster
from i18n import render
from models import CaseRoster
from models.reason import Reason
from tests.test_rules import composition_scenario
from tests.tiny import roster_of

TEAM = [("boss", "leader"), ("pat", "prosecutor"), ("cle", "clerk")]


def test_a_valid_roster_has_no_roster_violation() -> None:
    """The composition scenario's right team, listed once with its own case, is valid."""
    s = composition_scenario()
    assert check_roster(s, roster_of(s, {"c": TEAM})).ok


def test_a_case_listed_twice_is_broken() -> None:
    """A second entry for the same case (whose team would otherwise go unchecked) is a
    violation naming the case."""
    s = composition_scenario()
    roster = roster_of(s, {"c": TEAM})
    twice = roster.model_copy(update={"cases": [*roster.cases, *roster.cases]})
    codes = [(v.rule, v.reason.code) for v in check_roster(s, twice).violations]
    assert ("roster", "check.case_twice") in codes


def test_a_member_filed_under_another_case_is_broken() -> None:
    """A member whose own `case` field names another case than the entry holding it is a
    violation naming the person and both cases."""
    s = composition_scenario()
    roster = roster_of(s, {"c": TEAM})
    entry = roster.cases[0]
    moved = [entry.team[0].model_copy(update={"case": "elsewhere"}), *entry.team[1:]]
    bad = roster.model_copy(update={"cases": [CaseRoster(id="c", staffed=True, team=moved)]})
    found = [v.reason for v in check_roster(s, bad).violations if v.reason.code == "check.member_case"]
    assert found, "the moved member is not reported"
    params = found[0].params
    assert isinstance(params["person"], Reason) and params["person"].params["id"] == "boss"
    assert isinstance(params["case"], Reason) and params["case"].params["id"] == "c"
    assert params["other"] == "elsewhere", "an id the scenario does not know stays as given"


def test_checker_reasons_name_people_by_their_names_in_chinese() -> None:
    """A violation worded in Chinese shows the person's Chinese name and the case's Chinese
    title, not their ids."""
    s = composition_scenario()
    people = [p.model_copy(update={"name_zh": "王磊"}) if p.id == "boss" else p
              for p in s.prosecutors]
    cases = [c.model_copy(update={"title_zh": "电信诈骗团伙案"}) for c in s.cases]
    s = s.replace(prosecutors=people, cases=cases)
    roster = roster_of(s, {"c": TEAM})
    entry = roster.cases[0]
    moved = [entry.team[0].model_copy(update={"case": "elsewhere"}), *entry.team[1:]]
    bad = roster.model_copy(update={"cases": [CaseRoster(id="c", staffed=True, team=moved)]})
    [violation] = [v for v in check_roster(s, bad).violations
                   if v.reason.code == "check.member_case"]
    words = render(violation.reason, "zh")
    assert "王磊" in words and "电信诈骗团伙案" in words and "boss" not in words
