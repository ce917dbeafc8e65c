"""Bad scenarios: every problem is reported at once, naming the field path and the id."""

import copy
from typing import Any

import pytest

from i18n import problem_line
from models import ScenarioError, parse_scenario, read_json

GOOD: dict[str, Any] = {
    "name": "v",
    "units": [
        {"id": "city", "name": "City", "tier": "municipal", "location": {"lat": 49, "lon": 119}},
        {"id": "a", "name": "A", "tier": "grassroots", "parent": "city",
         "location": {"lat": 49, "lon": 119}},
    ],
    "pairs": [{"units": ["a", "city"]}],
    "groups": [{"id": "g", "lead": "a", "members": ["city"]}],
    "pools": [{"id": "pool", "members": ["p1"]}],
    "roads": [{"a": "a", "b": "city", "minutes": 10}],
    "prosecutors": [{"id": "p1", "name": "P1", "home": "a", "role": "prosecutor",
                     "skills": {"criminal": 2}}],
    "cases": [{"id": "c1", "kind": "criminal", "venue": "a", "start": "2022-01-01",
               "end": "2022-01-05", "team": {"leader": None, "members": {"prosecutor": 1}}}],
    "previous": [{"case": "c1", "prosecutor": "p1", "slot": "prosecutor"}],
}


def problems_after(change: str, value: Any) -> list[str]:
    """Apply `value` at the dotted path `change` of a good scenario; return the problems."""
    data = copy.deepcopy(GOOD)
    *parents, last = change.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return [problem_line(p, "en") for p in caught.value.problems]


def test_good_scenario_loads() -> None:
    """The base scenario of these tests is valid, so each failure below is due to its change."""
    assert parse_scenario(GOOD).case_by_id["c1"].lead == "a"


@pytest.mark.parametrize(("change", "value", "expected"), [
    ("units.1.id", "city", "units[1].id (city): duplicate id"),
    ("prosecutors.0.home", "nowhere", "prosecutors[0].home (p1): unknown unit 'nowhere'"),
    ("units.1.parent", "ghost", "units[1].parent (a): unknown unit 'ghost'"),
    ("pairs.0", {"units": ["a", "zz"]}, "pairs[0].units[1] (a+zz): unknown unit 'zz'"),
    ("groups.0.lead", "zz", "groups[0].lead (g): unknown unit 'zz'"),
    ("pools.0.members", ["p9"], "pools[0].members[0] (pool): unknown prosecutor 'p9'"),
    ("roads.0.b", "zz", "roads[0].b (a-zz): unknown unit 'zz'"),
    ("cases.0.venue", "zz", "cases[0].venue (c1): unknown unit 'zz'"),
    ("cases.0.pool", "nopool", "cases[0].pool (c1): unknown pool 'nopool'"),
    ("cases.0.require_prosecutors", ["p9"],
     "cases[0].require_prosecutors[0] (c1): unknown prosecutor 'p9'"),
    ("cases.0.exclude_units", ["zz"], "cases[0].exclude_units[0] (c1): unknown unit 'zz'"),
    ("previous.0.case", "c9", "previous[0].case (c9/p1): unknown case 'c9'"),
    ("cases.0.end", "2021-12-31", "cases[0] (c1): end 2021-12-31 is before start 2022-01-01"),
    ("prosecutors.0.skills", {"criminal": 4},
     "prosecutors[0].skills.criminal (p1): Input should be less than or equal to 3"),
    ("prosecutors.0.skills", {"": 2},
     'prosecutors[0].skills[""] (p1): Input should not be empty'),
    ("prosecutors.0.languages", ["mn", ""],
     "prosecutors[0].languages[1] (p1): Input should not be empty"),
    ("prosecutors.0.skills", {"\u3000": 2},
     'prosecutors[0].skills["\\u3000"] (p1): Input should not be empty'),
    ("prosecutors.0.languages", [" "], "prosecutors[0].languages[0] (p1): Input should not be empty"),
    ("roads.0.minutes", 0, "roads[0].minutes (a-city): Input should be greater than 0"),
    ("prosecutors.0.name", "x" * 10_000_000,
     "prosecutors[0].name (p1): at most 200 characters"),
    ("units.1.name", "x" * 201, "units[1].name (a): at most 200 characters"),
    ("cases.0.title", "x" * 501, "cases[0].title (c1): at most 500 characters"),
    ("prosecutors.0.languages", ["m" * 201],
     "prosecutors[0].languages[0] (p1): at most 200 characters"),
    ("cases.0.venue", "z" * 10_000, "cases[0].venue (c1): at most 200 characters"),
    ("prosecutors.0.name", "\ud800x",
     "prosecutors[0].name (p1): not Unicode text: it holds a lone UTF-16 surrogate"),
    ("prosecutors.0.name", "P\x1b[2J1",
     "prosecutors[0].name (p1): holds the control character U+001B (an escape, a bell, a "
     "bidirectional override); only tabs and line breaks may be in text"),
    ("cases.0.title", "T\u202e1", "cases[0].title (c1): holds the control character U+202E"),
    ("units.1.name_zh", "\x07", "units[1].name_zh (a): holds the control character U+0007"),
    ("units.1.name", "A\u2028B", "units[1].name (a): holds the control character U+2028"),
    ("name", "v\x1b[31m", "name: holds the control character U+001B"),
    ("prosecutors.0.skills", {"crim\x1b": 2}, "prosecutors[0].skills.crim\x1b (p1): holds the "
                                              "control character U+001B"),
    ("prosecutors.0.languages", ["mn\u202e"],
     "prosecutors[0].languages[0] (p1): holds the control character U+202E"),
    ("pairs.0", {"units": ["a", "c\x1b"]},
     "pairs[0].units[1] (a+c\x1b): holds the control character U+001B"),
    ("cases.0.exclude_prosecutors", ["p\u202e1"],
     "cases[0].exclude_prosecutors[0] (c1): holds the control character U+202E"),
    ("pairs.0", {"units": ["a", "z" * 201]}, "pairs[0].units[1] ("),
    ("previous.0.prosecutor", "q" * 201, "previous[0].prosecutor ("),
    ("prosecutors.0.load", -0.1, "prosecutors[0].load (p1): Input should be greater than or "
                                 "equal to 0"),
    ("prosecutors.0.capacity", -1, "prosecutors[0].capacity (p1): Input should be greater "
                                   "than or equal to 0.01"),
    ("prosecutors.0.capacity", True,
     "prosecutors[0].capacity (p1): Input should be a number, not 'true'"),
    ("prosecutors.0.years", False,
     "prosecutors[0].years (p1): Input should be a whole number, not 'false'"),
    ("prosecutors.0.skills", {"criminal": True},
     "prosecutors[0].skills.criminal (p1): Input should be a whole number, not 'true'"),
    ("roads.0.minutes", True, "roads[0].minutes (a-city): Input should be a number, not 'true'"),
    ("prosecutors.0.capacity", "1.0",
     "prosecutors[0].capacity (p1): Input should be a number, not '1.0'"),
    ("prosecutors.0.skills", {"criminal": "2"},
     "prosecutors[0].skills.criminal (p1): Input should be a whole number, not '2'"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 1}, "tiers": {"municipal": "1"}},
     "cases[0].team.tiers.municipal (c1): Input should be a whole number, not '1'"),
    ("cases.0.mandatory", "yes",
     "cases[0].mandatory (c1): Input should be true or false, not 'yes'"),
    ("cases.0.mandatory", 1, "cases[0].mandatory (c1): Input should be true or false, not '1'"),
    ("cases", None, "cases: Input should be a list"),
    ("pairs.0", {"units": "a"}, "pairs[0].units: Input should be a list"),
    ("policy", None, "policy: Input should be an object of named fields"),
    ("prosecutors.0.capacity", None,
     "prosecutors[0].capacity (p1): Input should be a number, not 'null'"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 1}, "tiers": {"county": 1}},
     "cases[0].team.tiers.county (c1): Input should be one of"),
    ("cases.0.priority", "5", "cases[0].priority (c1): Input should be a whole number, not '5'"),
    ("prosecutors.0.role", "judge", "prosecutors[0].role (p1): Input should be one of 'chief'"),
    ("units.0.tier", "county", "units[0].tier (city): Input should be one of 'provincial'"),
    ("cases.0.scope", "nation", "cases[0].scope (c1): Input should be one of 'unit'"),
    ("cases.0.team", {"members": {"prosecutor": -1}},
     "cases[0].team.members.prosecutor (c1): Input should be greater than or equal to 0"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 3}, "min_units": 3,
                      "max_units": 2}, "cases[0].team (c1): min_units 3 is above max_units 2"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 2},
                      "languages": [{"language": "mn", "count": 3}]},
     "cases[0].team (c1): 3 members must speak Mongolian but the team has 2"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 1},
                      "skills": [{"skill": "forensics", "count": 2}]},
     "cases[0].team (c1): 2 members need skill forensics but the team has 1"),
])
def test_each_problem_names_field_and_id(change: str, value: Any, expected: str) -> None:
    """Each kind of bad input is reported with its field path and the id at fault."""
    problems = problems_after(change, value)
    assert any(p.startswith(expected) for p in problems), problems


def test_an_endless_id_or_key_is_not_repeated_whole() -> None:
    """A unit id and a skill name of 100,000 characters are refused as too long, and the
    problem's path and id repeat at most a few hundred characters of them."""
    data = copy.deepcopy(GOOD)
    data["units"][1]["id"] = "u" * 100_000
    data["prosecutors"][0]["skills"] = {"s" * 100_000: 2}
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    problems = caught.value.problems
    assert any(p.path == "units[1].id" and p.code == "invalid.text_too_long" for p in problems)
    assert any(p.path.startswith("prosecutors[0].skills") and p.code == "invalid.text_too_long"
               for p in problems), problems
    for p in problems:
        assert len(p.path) <= 600 and len(p.id or "") <= 200, (len(p.path), len(p.id or ""))
        assert len(problem_line(p, "en")) < 2_000


def test_every_problem_at_once() -> None:
    """Three unrelated problems in three collections come back together, not one at a time."""
    data = copy.deepcopy(GOOD)
    data["prosecutors"][0]["skills"] = {"criminal": 9}
    data["cases"][0]["venue"] = "zz"
    data["roads"][0]["minutes"] = -5
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    paths = {p.path for p in caught.value.problems}
    assert {"prosecutors[0].skills.criminal", "cases[0].venue", "roads[0].minutes"} <= paths


def test_a_bad_item_is_not_reported_again_as_an_unknown_reference() -> None:
    """A person whose capacity is wrong is one problem: the pool, the case's previous
    assignment and the roster that name that person do not add 'unknown prosecutor' lines;
    a reference to someone who is really missing still does."""
    data = copy.deepcopy(GOOD)
    data["prosecutors"][0]["capacity"] = 20
    data["pools"][0]["members"] = ["p1", "ghost"]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    found = {(p.path, p.code) for p in caught.value.problems}
    assert ("pools[0].members[1]", "invalid.unknown_prosecutor") in found
    assert not any((code == "invalid.unknown_prosecutor" and "members[0]" in path)
                   or path.startswith("previous") for path, code in found), found
    assert any(path.startswith("prosecutors[0]") for path, _ in found)


@pytest.mark.parametrize("units", [None, "missing"])
def test_no_units_is_one_problem_on_units(units: str | None) -> None:
    """`units` null or left out is one problem on `units`, not one 'unknown unit' for
    every office a person, case, pair or road names."""
    data = copy.deepcopy(GOOD)
    if units is None:
        data["units"] = None
    else:
        del data["units"]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    assert [(p.path, p.code) for p in caught.value.problems] == [("units", "invalid.units_required")]


def test_unknown_field_is_an_error() -> None:
    """A misspelt field is reported rather than silently ignored."""
    problems = problems_after("cases.0.priorty", 3)
    assert any("cases[0].priorty (c1)" in p for p in problems), problems


def test_not_an_object() -> None:
    """A scenario that is not a JSON object gets a clear problem, not a traceback."""
    with pytest.raises(ScenarioError) as caught:
        parse_scenario([1, 2, 3])
    assert [problem_line(p, "en") for p in caught.value.problems] == \
        ["$: a scenario must be an object"]


def test_paths_keep_their_index_after_an_earlier_item_failed() -> None:
    """With a misspelt field in prosecutors[0] and a duplicate id at prosecutors[2], the
    duplicate is reported at prosecutors[1] and [2] (where they are in the file), not at
    [0] and [1] (where they are among the items that parsed); the same for cases."""
    data = copy.deepcopy(GOOD)
    zhao = {"id": "zhao", "name": "Zhao", "home": "a", "role": "prosecutor"}
    data["prosecutors"] = [{**zhao, "id": "wang", "skils": {}}, zhao, zhao]
    data["cases"] = [{**GOOD["cases"][0], "kind": "crimnal"}, GOOD["cases"][0],
                     {**GOOD["cases"][0], "venue": "nowhere", "id": "c2"}]
    data["previous"] = []
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    found = [problem_line(p, "en") for p in caught.value.problems]
    assert "prosecutors[0].skils (wang): Extra inputs are not permitted" in found
    assert "prosecutors[1].id (zhao): duplicate id" in found
    assert "prosecutors[2].id (zhao): duplicate id" in found
    assert "cases[2].venue (c2): unknown unit 'nowhere'" in found
    assert not any(p.startswith(("prosecutors[0].id", "cases[1].venue")) for p in found)


@pytest.mark.parametrize(("change", "value", "field"), [
    ("prosecutors.0.capacity", 0.50004, "prosecutors[0].capacity (p1)"),
    ("prosecutors.0.load", 0.12345, "prosecutors[0].load (p1)"),
    ("cases.0.team", {"leader": None, "members": {"prosecutor": 1}, "load": 0.25004},
     "cases[0].team.load (c1)"),
    ("prosecutors.0.commitments", [{"start": "2022-01-01", "end": "2022-01-02",
                                    "load": 0.00001}],
     "prosecutors[0].commitments[0].load (p1)"),
])
def test_fte_finer_than_a_ten_thousandth_is_refused(change: str, value: Any,
                                                    field: str) -> None:
    """The solver counts FTE in ten-thousandths: a finer capacity or load is refused at its
    field and id, where it was rounded (0.25004 twice fitting a capacity of 0.5, against
    rule 5, or a peak_load read 1 % high)."""
    assert any(line.startswith(field) and "at most 4 decimal places" in line
               for line in problems_after(change, value)), problems_after(change, value)


def test_fte_in_ten_thousandths_is_accepted() -> None:
    """Four decimal places, and amounts such as 0.1 that floats hold only nearly, load."""
    data = copy.deepcopy(GOOD)
    data["prosecutors"][0] |= {"capacity": 0.5001, "load": 0.1}
    data["cases"][0]["team"]["load"] = 0.3333
    s = parse_scenario(data)
    assert s.prosecutors[0].capacity == 0.5001 and s.cases[0].team.load == 0.3333


def test_fte_within_float_rounding_of_a_step_is_read_as_that_step() -> None:
    """An amount a hair from a ten-thousandth (0.1 + 0.2, 0.50000000009) is read as that
    step, so the solver and the checker see one amount: let through as written, a
    capacity of 0.50000000009 read 100 % busy in the model and 99 % in the checker."""
    data = copy.deepcopy(GOOD)
    data["prosecutors"][0] |= {"capacity": 0.50000000009, "load": 0.1 + 0.2}
    s = parse_scenario(data)
    assert s.prosecutors[0].capacity == 0.5 and s.prosecutors[0].load == 0.3


def test_a_key_named_twice_is_refused_at_its_path() -> None:
    """JSON naming `name` twice at the top and `id` twice in the first case is refused
    with one problem at each key (Python's reader would keep the last of each, silently);
    the same keys once each read as they are."""
    with pytest.raises(ScenarioError) as err:
        read_json('{"name": "a", "cases": [{"id": "x", "id": "y"}], "name": "b"}')
    assert [(p.path, p.code) for p in err.value.problems] == [
        ("name", "invalid.key_repeated"), ("cases[0].id", "invalid.key_repeated")]
    assert read_json('{"name": "a", "cases": [{"id": "x"}]}') == {
        "name": "a", "cases": [{"id": "x"}]}


def test_text_keeps_its_tabs_and_line_breaks() -> None:
    """A title or a name may hold a tab or a line break (a spreadsheet cell with Alt+Enter,
    a Windows line end): only the other control characters are refused."""
    data = copy.deepcopy(GOOD)
    data["cases"][0]["title"] = "Gang case\r\nphase 2\tnorth"
    data["prosecutors"][0]["name"] = "P\n1"
    s = parse_scenario(data)
    assert s.case_by_id["c1"].title == "Gang case\r\nphase 2\tnorth"
