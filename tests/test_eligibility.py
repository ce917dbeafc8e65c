"""Eligibility's fast tests agree with the rules that give its reasons."""

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from models import Role, Scenario, Slot, parse_scenario
from scheduler.instance.eligibility import Columns, Option, option_for, role_fits, why_not_role
from scheduler.instance.scope import Geography, units_in_scope
from scheduler.instance.travel import TravelTable
from scheduler.model.core import make_context
from synth import province
from tests.test_properties import scenarios
from tests.tiny import case, person, road, scenario, unit


@pytest.mark.parametrize("leader", [
    {"min_role": "prosecutor", "min_level": 2},
    {"min_role": "deputy_chief", "min_level": 3},
    {"min_role": "chief", "min_level": 1},
])
def test_role_fits_says_what_why_not_role_says(leader: dict[str, object]) -> None:
    """For every role, level and slot, `role_fits` (eligibility's test, which builds no
    reason) holds exactly where `why_not_role` finds no reason against the person."""
    team = {"leader": leader, "members": {"prosecutor": 1, "assistant": 1, "clerk": 1}}
    c = scenario([unit("a")], [], [case("c", "a", team=team)]).cases[0]
    for role in Role:
        for level in range(0, 6):
            for slot in Slot:
                if slot is not Slot.LEADER and c.team.slot_count(slot) == 0:
                    continue
                assert role_fits(role, level, c, slot) == (
                    why_not_role(role, level, c, slot) is None), (role, level, slot)


def _by_the_rules(s: Scenario) -> set[Option]:
    """Every option that `why_not` finds no rule against, asked one by one (`option_for`)."""
    geography = Geography(s)
    travel = TravelTable(s, {c.venue for c in s.cases})
    out = set()
    for c in s.cases:
        scope = units_in_scope(s, geography, c)
        for p in s.prosecutors:
            for slot in c.team.slots():
                if (option := option_for(s, travel, scope, p, c, slot)) is not None:
                    out.add(option)
    return out


def _found(s: Scenario) -> set[Option]:
    options = make_context(s).candidates.options
    found = set(options)
    assert len(found) == len(options)  # no option twice
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_candidates_are_what_the_rules_allow_on_small_scenarios(data: dict[str, Any]) -> None:
    """Eligibility asks the person rules inline, for speed; on random small scenarios (with
    leave, commitments, existing load and pools) its options are exactly the triples that
    `why_not`, which gives the reasons, finds nothing against, with the same travel."""
    s = parse_scenario(data)
    assert _found(s) == _by_the_rules(s)


@pytest.mark.parametrize(("family", "seed"), [("standard", 1), ("tight", 2), ("scarce", 3)])
def test_candidates_are_what_the_rules_allow_on_a_province(family: str, seed: int) -> None:
    """The same on generated provinces of 300 people and 40 cases, with leave, existing
    load, pools, exclusions and travel caps."""
    s = parse_scenario(province(300, 40, seed, family=family))
    assert _found(s) == _by_the_rules(s)


def test_candidates_keep_the_person_rules_at_their_edges() -> None:
    """Leave that starts on the case's last day or ends on its first keeps a person off;
    a commitment that overlaps the case on one day only counts on that day, and one that
    ends the day before it does not count; commitments whose loads add up past capacity
    but never run at once do not: exactly as `why_not`."""
    case_days = {"start": "2022-03-10", "end": "2022-03-20"}

    def committed(*spans: tuple[str, str, float]) -> dict[str, Any]:
        return {"commitments": [{"start": a, "end": b, "load": load} for a, b, load in spans]}

    people = [
        person("leave_last", "a", unavailable=[{"start": "2022-03-20", "end": "2022-03-25"}]),
        person("leave_first", "a", unavailable=[{"start": "2022-03-01", "end": "2022-03-10"}]),
        person("leave_after", "a", unavailable=[{"start": "2022-03-21", "end": "2022-03-25"}]),
        person("full_last_day", "a", **committed(("2022-03-20", "2022-04-01", 0.6))),
        person("room_last_day", "a", **committed(("2022-03-20", "2022-04-01", 0.4))),
        person("full_day_before", "a", **committed(("2022-03-01", "2022-03-09", 0.6))),
        person("never_at_once", "a", **committed(("2022-03-01", "2022-03-12", 0.5),
                                                 ("2022-03-13", "2022-03-30", 0.5))),
        person("at_once", "a", **committed(("2022-03-01", "2022-03-12", 0.3),
                                           ("2022-03-12", "2022-03-30", 0.3))),
    ]
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 0.5}
    s = scenario([unit("a")], people, [case("c", "a", team=team, **case_days)])
    assert {o.person for o in _found(s)} == {"leave_after", "room_last_day", "full_day_before",
                                            "never_at_once"}
    assert _found(s) == _by_the_rules(s)


def _ids_out_of_unit_order() -> Scenario:
    """People listed, and numbered, in neither unit nor id order."""
    return scenario([unit("a"), unit("b")],
                    [person("z", "a"), person("m", "b"), person("b", "a", "assistant")],
                    [case("c", "a", team={"leader": None,
                                          "members": {"prosecutor": 1, "assistant": 1}})],
                    roads=[road("a", "b", 30)])


@pytest.mark.parametrize("made", [
    lambda: parse_scenario(province(300, 40, 1, family="standard")),
    lambda: parse_scenario(province(300, 40, 2, family="tight")),
    lambda: parse_scenario(province(300, 40, 3, family="large-teams")),
    _ids_out_of_unit_order,
])
def test_columns_are_the_options_as_arrays(made: Callable[[], Scenario]) -> None:
    """Each case's columns, made with the options, say what its options say one by one
    (person by place in id order, as `PeopleArrays` numbers them; slot; on site; travel),
    and so do those of a narrowed case, made when first asked."""
    s = made()
    ctx = make_context(s)
    candidates = ctx.candidates
    assert candidates.place == ctx.arrays.place
    for c in s.cases:
        with_options, one_by_one = candidates.columns(c), Columns.of(
            candidates.by_case.get(c.id, []), c.team.slots(), candidates.place)
        for a, b in zip(with_options, one_by_one, strict=True):
            assert a.dtype == b.dtype and a.tolist() == b.tolist(), c.id
    case = max(s.cases, key=lambda c: len(candidates.by_case.get(c.id, [])))
    some = {(o.person, o.slot) for o in candidates.by_case[case.id][::3]}
    narrowed = candidates.narrowed([case.id], {case.id: some})
    columns = narrowed.columns(case)
    assert [(candidates.place[o.person], o.travel_minutes) for o in narrowed.by_case[case.id]] \
        == list(zip(columns.place.tolist(), columns.travel.tolist(), strict=True))
