"""One pair of tests per hard rule of spec/problem.md.

`test_<rule>_holds`: a tiny instance where the cheapest roster would break the rule; the
solver must find the roster that keeps it (and the independent checker must agree).
`test_<rule>_broken`: a hand-written roster that breaks the rule; the checker must say so.
"""

from datetime import timedelta
from typing import Any

import pytest

from checker import check_roster
from i18n import render
from models import Commitment, Interval, Scenario, Status
from scheduler import solve
from tests.tiny import (
    broken_rules,
    case,
    english,
    person,
    road,
    roster_of,
    scenario,
    solved,
    staffed,
    team,
    unit,
)

# --- 1. Composition -----------------------------------------------------------------------


def composition_scenario() -> Scenario:
    team = {"leader": {"min_role": "deputy_chief", "min_level": 2},
            "members": {"prosecutor": 1, "clerk": 1}}
    return scenario(
        [unit("a")],
        [person("boss", "a", "deputy_chief"), person("pat", "a"), person("cle", "a", "clerk"),
         person("asst", "a", "assistant")],
        [case("c", "a", team=team)],
    )


def test_composition_holds() -> None:
    """The team is exactly a deputy-chief leader, one prosecutor and one clerk, all distinct."""
    roster = solved(composition_scenario())
    slots = {(m.prosecutor, m.slot.value) for m in roster.cases[0].team}
    assert slots == {("boss", "leader"), ("pat", "prosecutor"), ("cle", "clerk")}


def test_composition_holds_distinct_people() -> None:
    """One person cannot fill the leader and a member slot: with one prosecutor-rank person,
    a leader + prosecutor team stays unstaffed."""
    s = scenario([unit("a")], [person("solo", "a", "chief")],
                 [case("c", "a", team={"leader": {}, "members": {"prosecutor": 1}})])
    assert not staffed(solved(s), "c")


def test_composition_holds_leader_level() -> None:
    """The leader needs criminal level 3: the far chief with level 3 leads, not the near one."""
    lead = {"leader": {"min_role": "chief", "min_level": 3}, "members": {"prosecutor": 0}}
    s = scenario([unit("a"), unit("b")],
                 [person("near", "a", "chief"), person("far", "b", "chief", skills={"criminal": 3})],
                 [case("c", "a", team=lead)], roads=[road("a", "b", 300)])
    assert team(solved(s), "c") == {"far"}
    assert "1" in broken_rules(s, {"c": [("near", "leader")]})


@pytest.mark.parametrize("teams", [
    {"c": [("boss", "leader"), ("pat", "prosecutor")]},                     # clerk missing
    {"c": [("boss", "leader"), ("pat", "prosecutor"), ("asst", "clerk")]},  # wrong role
    {"c": [("pat", "leader"), ("boss", "prosecutor"), ("cle", "clerk")]},   # leader rank
    {"c": [("boss", "leader"), ("boss", "prosecutor"), ("cle", "clerk")]},  # same person twice
])
def test_composition_broken(teams: dict[str, list[tuple[str, str]]]) -> None:
    """A missing slot, a wrong role, a leader below min_role or a person twice breaks rule 1."""
    assert "1" in broken_rules(composition_scenario(), teams)


# --- 2. Eligibility -----------------------------------------------------------------------

# Each variant makes the nearby person "near" ineligible; "far" (2 hours away) is eligible.
ELIGIBILITY_VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    "scope": {"case": {"scope": "unit", "lead_unit": "b"}, "person": {}},
    "pool": {"case": {"pool": "talent"}, "person": {}},
    "exclude_units": {"case": {"exclude_units": ["a"]}, "person": {}},
    "exclude_prosecutors": {"case": {"exclude_prosecutors": ["near"]}, "person": {}},
    "unavailable": {"case": {}, "person": {"unavailable": [{"start": "2022-01-10",
                                                            "end": "2022-01-12"}]}},
}


def eligibility_scenario(variant: str) -> Scenario:
    v = ELIGIBILITY_VARIANTS[variant]
    return scenario(
        [unit("a"), unit("b")],
        [person("near", "a", **v["person"]), person("far", "b")],
        [case("c", "a", **v["case"])],
        roads=[road("a", "b", 120)],
        pools=[{"id": "talent", "members": ["far"]}],
    )


@pytest.mark.parametrize("variant", sorted(ELIGIBILITY_VARIANTS))
def test_eligibility_holds(variant: str) -> None:
    """The cheaper person at the venue is out of scope/pool, excluded or away: the team
    takes the eligible person two hours away instead."""
    assert team(solved(eligibility_scenario(variant)), "c") == {"far"}


@pytest.mark.parametrize("variant", sorted(ELIGIBILITY_VARIANTS))
def test_eligibility_broken(variant: str) -> None:
    """Putting the ineligible person on the team breaks rule 2."""
    assert "2" in broken_rules(eligibility_scenario(variant), {"c": [("near", "prosecutor")]})


def test_required_prosecutors_holds() -> None:
    """A required person is on the team even though someone at the venue is cheaper."""
    s = scenario([unit("a"), unit("b")], [person("near", "a"), person("far", "b")],
                 [case("c", "a", require_prosecutors=["far"])], roads=[road("a", "b", 120)])
    assert team(solved(s), "c") == {"far"}


def test_required_prosecutors_broken() -> None:
    """A team without its required person breaks rule 2."""
    s = scenario([unit("a"), unit("b")], [person("near", "a"), person("far", "b")],
                 [case("c", "a", require_prosecutors=["far"])], roads=[road("a", "b", 120)])
    assert "2" in broken_rules(s, {"c": [("near", "prosecutor")]})


# --- 3. Travel ----------------------------------------------------------------------------


def travel_scenario() -> Scenario:
    # "paired" is 80 min away from a paired unit; "other" is 30 min away but off-pair (+60),
    # so without the 60-minute limit "paired" (80) beats "other" (90).
    return scenario(
        [unit("a"), unit("p"), unit("o")],
        [person("paired", "p"), person("other", "o")],
        [case("c", "a", team={"leader": None, "members": {"prosecutor": 1},
                              "max_travel_minutes": 60})],
        roads=[road("a", "p", 80), road("a", "o", 30)],
        pairs=[{"units": ["a", "p"]}],
    )


def test_travel_holds() -> None:
    """On-site members live within max_travel_minutes of the venue."""
    roster = solved(travel_scenario())
    assert team(roster, "c") == {"other"}
    assert roster.cases[0].team[0].travel_minutes == 30


def test_travel_holds_unreachable() -> None:
    """A person with no road to the venue cannot serve on site; the case stays unstaffed."""
    s = scenario([unit("a"), unit("b"), unit("island")], [person("x", "island")],
                 [case("c", "a")], roads=[road("a", "b", 5)])
    roster = solved(s)
    assert not staffed(roster, "c")
    assert "no road to the venue" in english(roster.cases[0].unstaffed_reason)


def test_travel_holds_remote_roles() -> None:
    """A remote slot needs no road: the unreachable person joins by video, travelling 0."""
    s = scenario([unit("a"), unit("b"), unit("island")], [person("x", "island")],
                 [case("c", "a", team={"leader": None, "members": {"prosecutor": 1},
                                       "remote_roles": ["prosecutor"]})],
                 roads=[road("a", "b", 5)])
    member = solved(s).cases[0].team[0]
    assert (member.prosecutor, member.on_site, member.travel_minutes) == ("x", False, 0)


def test_travel_broken() -> None:
    """A member 80 minutes away on a 60-minute case breaks rule 3."""
    assert "3" in broken_rules(travel_scenario(), {"c": [("paired", "prosecutor")]})


def test_travel_broken_on_site_flag() -> None:
    """Marking an on-site slot as remote breaks rule 3 (on_site follows remote_roles)."""
    assert "3" in broken_rules(travel_scenario(), {"c": [("other", "prosecutor")]},
                               on_site=False)


# --- 4. Coverage --------------------------------------------------------------------------


def coverage_scenario(team_extra: dict[str, Any], far: dict[str, Any]) -> Scenario:
    """'near' sits at the venue; 'far' (2 hours away, in a municipal unit) has what is needed."""
    team = {"leader": None, "members": {"prosecutor": 1}, **team_extra}
    return scenario(
        [unit("city", tier="municipal"), unit("a", parent="city")],
        [person("near", "a"), person("far", "city", **far)],
        [case("c", "a", team=team)],
        roads=[road("a", "city", 120)],
    )


COVERAGE_VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "skills": ({"skills": [{"skill": "forensics", "count": 1, "min_level": 2}]},
               {"skills": {"criminal": 2, "forensics": 3}}),
    "languages": ({"languages": [{"language": "mn", "count": 1}]}, {"languages": ["mn", "zh"]}),
    "tiers": ({"tiers": {"municipal": 1}}, {}),
}


@pytest.mark.parametrize("variant", sorted(COVERAGE_VARIANTS))
def test_coverage_holds(variant: str) -> None:
    """The skill, language or tier rule forces the distant person who has it onto the team."""
    assert team(solved(coverage_scenario(*COVERAGE_VARIANTS[variant])), "c") == {"far"}


@pytest.mark.parametrize("variant", sorted(COVERAGE_VARIANTS))
def test_coverage_broken(variant: str) -> None:
    """A team lacking the skill, language or tier breaks rule 4."""
    s = coverage_scenario(*COVERAGE_VARIANTS[variant])
    assert "4" in broken_rules(s, {"c": [("near", "prosecutor")]})


def units_scenario(max_units: int | None, min_units: int | None,
                   minutes: float = 40) -> Scenario:
    """Paired units a (venue) and b. With a 40-minute road {a1, b1} costs 40 + 2 x 30 and
    {b1, b2} 80 + 30; with a 20-minute road the order flips (80 against 70)."""
    team = {"leader": None, "members": {"prosecutor": 2}, "max_units": max_units,
            "min_units": min_units}
    return scenario(
        [unit("a"), unit("b")],
        [person("a1", "a"), person("b1", "b"), person("b2", "b")],
        [case("c", "a", team=team)],
        roads=[road("a", "b", minutes)], pairs=[{"units": ["a", "b"]}],
    )


def test_unit_count_holds_max() -> None:
    """max_units 1: both members come from b, though a1 + b1 would cost less."""
    assert team(solved(units_scenario(1, None, minutes=40)), "c") == {"b1", "b2"}


def test_unit_count_holds_min() -> None:
    """min_units 2: a1 joins one of b's people, though b1 + b2 would cost less."""
    members = team(solved(units_scenario(None, 2, minutes=20)), "c")
    assert "a1" in members and len(members) == 2


def test_unit_count_broken() -> None:
    """Two units on a max_units 1 team, or one unit on a min_units 2 team, break rule 4."""
    assert "4" in broken_rules(units_scenario(1, None), {"c": [("a1", "prosecutor"),
                                                                ("b1", "prosecutor")]})
    assert "4" in broken_rules(units_scenario(None, 2), {"c": [("b1", "prosecutor"),
                                                                ("b2", "prosecutor")]})


# --- 5. Capacity --------------------------------------------------------------------------


def capacity_scenario() -> Scenario:
    """Two overlapping cases at 'a'; 'near' is cheapest for both but has room for one.
    Peak load is not weighted here, so only the capacity rule keeps 'near' off one case."""
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 0.5}
    return scenario(
        [unit("a"), unit("b")],
        [person("near", "a", load=0.3), person("far", "b")],
        [case("c1", "a", team=team), case("c2", "a", start="2022-01-10", end="2022-01-20",
                                          team=team)],
        roads=[road("a", "b", 120)],
        policy={"weights": {"peak_load": 0}},
    )


def test_capacity_holds() -> None:
    """Load 0.3 + 0.5 + 0.5 would exceed capacity 1 on 2022-01-10: 'far' takes one case."""
    roster = solved(capacity_scenario())
    assert team(roster, "c1") | team(roster, "c2") == {"near", "far"}


def test_capacity_holds_exact_fit() -> None:
    """0.1 + 0.2 FTE fills a capacity of 0.3 exactly: the person may serve (no float slack lost)."""
    s = scenario([unit("a")], [person("x", "a", load=0.1, capacity=0.3)],
                 [case("c", "a", team={"leader": None, "members": {"prosecutor": 1},
                                       "load": 0.2})])
    assert team(solved(s), "c") == {"x"}


def test_capacity_holds_with_loads_a_hair_from_a_ten_thousandth() -> None:
    """Twelve overlapping cases of 0.08330000009 FTE (12 x 0.0833 is exactly 0.9996) and a
    capacity of 0.9996: the model and the checker read one amount, and the roster keeps
    rule 5 (taken as written, the model fit all twelve and the checker found them over)."""
    spec = {"leader": None, "members": {"prosecutor": 1}, "load": 0.08330000009}
    s = scenario([unit("a")], [person("x", "a", capacity=0.9996)],
                 [case(f"c{i}", "a", team=spec) for i in range(12)])
    roster = solved(s)  # the independent checker must agree
    assert all(team(roster, f"c{i}") == {"x"} for i in range(12))


def test_capacity_broken() -> None:
    """'near' on both overlapping cases breaks rule 5."""
    assert "5" in broken_rules(capacity_scenario(), {"c1": [("near", "prosecutor")],
                                                     "c2": [("near", "prosecutor")]})


def commitment_capacity_scenario() -> Scenario:
    """'near' has 0.3 FTE committed on 2022-01-10 only, the day two cases of 0.4 share."""
    four = {"leader": None, "members": {"prosecutor": 1}, "load": 0.4}
    return scenario(
        [unit("a"), unit("b")],
        [person("near", "a", commitments=[{"start": "2022-01-10", "end": "2022-01-10",
                                           "load": 0.3, "ref": "earlier roster"}]),
         person("far", "b")],
        [case("c1", "a", end="2022-01-10", team=four),
         case("c2", "a", start="2022-01-10", end="2022-01-20", team=four)],
        roads=[road("a", "b", 100)],
        # Without the peak-load cost, only rule 5 keeps 'near' off one of the cases.
        policy={"weights": {"peak_load": 0}},
    )


def test_capacity_holds_with_commitments() -> None:
    """0.4 + 0.4 alone fits, but with the 0.3 committed that day it does not: 'far' takes one."""
    roster = solved(commitment_capacity_scenario())
    assert team(roster, "c1") | team(roster, "c2") == {"near", "far"}


def test_capacity_broken_with_commitments() -> None:
    """'near' on both cases goes to 1.1 FTE on 2022-01-10 with the commitment: rule 5."""
    assert "5" in broken_rules(commitment_capacity_scenario(),
                               {"c1": [("near", "prosecutor")], "c2": [("near", "prosecutor")]})


# --- 6. Home staffing ---------------------------------------------------------------------


def home_scenario(remote: bool = False) -> Scenario:
    """Case at 'a' needs two; 'b' (close, 2 prosecutors, must keep 1) or 'c' (far)."""
    team = {"leader": None, "members": {"prosecutor": 2},
            "remote_roles": ["prosecutor"] if remote else []}
    return scenario(
        [unit("a"), unit("b", min_staff=1), unit("c")],
        [person("b1", "b"), person("b2", "b"), person("c1", "c")],
        [case("k", "a", team=team)],
        roads=[road("a", "b", 10), road("a", "c", 100)],
    )


def test_home_staffing_holds() -> None:
    """'b' keeps one prosecutor at home, so the team is one from 'b' and one from 'c'."""
    members = team(solved(home_scenario()), "k")
    assert "c1" in members and len(members & {"b1", "b2"}) == 1


def test_home_staffing_holds_remote_members_stay_home() -> None:
    """Members joining by video are not away: both can come from 'b'."""
    assert team(solved(home_scenario(remote=True)), "k") == {"b1", "b2"}


def test_home_staffing_holds_counts_only_available_staff() -> None:
    """If b2 is on leave, 'b' needs min(1, 1 available) = 1 at home: b1 may not go."""
    s = home_scenario()
    s.prosecutor_by_id["b2"].unavailable = [Interval(start=s.cases[0].start, end=s.cases[0].end)]
    assert not staffed(solved(s), "k")


def test_home_staffing_holds_counts_leave_ending_on_the_first_day() -> None:
    """b2's leave ends on the case's first day: that day 'b' has b1 alone available, who
    must stay, so the case (b1 and c1, b2 being on leave) cannot be staffed."""
    s = home_scenario()
    k = s.cases[0]
    s.prosecutor_by_id["b2"].unavailable = [
        Interval(start=k.start - timedelta(days=3), end=k.start)]
    assert not staffed(solved(s), "k")


def test_home_staffing_holds_on_leave_while_committed_away() -> None:
    """b3 is on leave and committed away at once: counted once, as unavailable, so 'b'
    (b1, b2 available, must keep 1) can still send one of them with c1."""
    s = home_scenario()
    k = s.cases[0]
    b3 = s.prosecutor_by_id["b2"].model_copy(update={
        "id": "b3", "unavailable": [Interval(start=k.start, end=k.end)],
        "commitments": [Commitment(start=k.start, end=k.end, load=0.5, away=True)]})
    s = s.replace(prosecutors=[*s.prosecutors, b3])
    members = team(solved(s), "k")
    assert "c1" in members and len(members & {"b1", "b2"}) == 1


def committed_away_scenario() -> Scenario:
    """As home_scenario, but b2 is committed on site elsewhere (0.6 FTE) during the case."""
    s = home_scenario()
    k = s.cases[0]
    s.prosecutor_by_id["b2"].commitments = [
        Commitment(start=k.start, end=k.end, load=0.6, away=True, ref="case elsewhere")]
    return s


def test_home_staffing_holds_with_commitments() -> None:
    """b2 is away on a commitment, so 'b' keeps only b1 at home: b1 may not go, and with
    b2 out of capacity the case cannot be staffed."""
    assert not staffed(solved(committed_away_scenario()), "k")


def test_home_staffing_broken_with_commitments() -> None:
    """Sending b1 away while b2 is committed elsewhere leaves 'b' empty: rule 6."""
    assert "6" in broken_rules(committed_away_scenario(), {"k": [("b1", "prosecutor"),
                                                                 ("c1", "prosecutor")]})


def test_home_staffing_broken() -> None:
    """Sending both of 'b''s prosecutors away breaks rule 6."""
    assert "6" in broken_rules(home_scenario(), {"k": [("b1", "prosecutor"),
                                                       ("b2", "prosecutor")]})


# --- 7. Pinning ---------------------------------------------------------------------------


def pinning_scenario(pinned: bool = True) -> Scenario:
    return scenario(
        [unit("a"), unit("b")],
        [person("near", "a"), person("far", "b")],
        [case("c", "a")],
        roads=[road("a", "b", 500)],
        previous=[{"case": "c", "prosecutor": "far", "slot": "prosecutor", "pinned": pinned}],
    )


def test_pinning_holds() -> None:
    """A pinned assignment is kept although dropping it would save 500 travel minutes."""
    roster = solved(pinning_scenario())
    assert team(roster, "c") == {"far"}
    assert roster.cases[0].team[0].pinned


def test_pinning_broken() -> None:
    """A roster without the pinned assignment breaks rule 7."""
    assert "7" in broken_rules(pinning_scenario(), {"c": [("near", "prosecutor")]})


# --- 8. Mandatory -------------------------------------------------------------------------


def mandatory_scenario() -> Scenario:
    """One person, two overlapping cases; the mandatory one has the lower priority."""
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 1.0}
    return scenario([unit("a")], [person("x", "a")],
                    [case("big", "a", priority=5, team=team),
                     case("must", "a", mandatory=True, team=team)])


def test_mandatory_holds() -> None:
    """The mandatory case is staffed even though the other case has higher priority."""
    roster = solved(mandatory_scenario())
    assert staffed(roster, "must") and not staffed(roster, "big")


def test_mandatory_broken() -> None:
    """A roster leaving the mandatory case unstaffed breaks rule 8."""
    assert "8" in broken_rules(mandatory_scenario(), {"big": [("x", "prosecutor")]})


def test_mandatory_infeasible_says_which_requirement() -> None:
    """A mandatory case nobody can staff makes the scenario infeasible, and the answer says why."""
    s = scenario([unit("a")], [person("x", "a")],
                 [case("must", "a", mandatory=True,
                       team={"leader": None, "members": {"prosecutor": 1},
                             "languages": [{"language": "mn", "count": 1}]})])
    roster = solved(s)
    assert roster.status is Status.INFEASIBLE
    assert "must" in english(roster.infeasible_reason)
    assert "Mongolian" in english(roster.infeasible_reason)


def test_mandatory_infeasible_on_the_path_provinces_take() -> None:
    """The same impossible mandatory case, searched by parts and neighbourhoods as a
    province would be: the answer is infeasible with its reason, never a roster without
    the case."""
    s = scenario([unit("a")], [person("x", "a")],
                 [case("must", "a", mandatory=True,
                       team={"leader": None, "members": {"prosecutor": 1},
                             "languages": [{"language": "mn", "count": 1}]})])
    roster = solve(s, seconds=2, workers=1, seed=0, method="neighbourhood")
    assert roster.status is Status.INFEASIBLE and roster.objective is None
    assert "Mongolian" in english(roster.infeasible_reason)


@pytest.mark.parametrize("method", ["whole", "neighbourhood"])
def test_pinning_impossible_names_the_rule_that_refuses_it(method: str) -> None:
    """A pinned person on leave is refused by counting on either path, the province's
    (parts and neighbourhoods) too: the answer is infeasible, never a roster that drops
    the pin (it once was), and names the person, the case and the leave, in both
    languages."""
    s = scenario([unit("a")], [person("p", "a", unavailable=[{"start": "2022-01-01",
                                                              "end": "2022-01-03"}]),
                               person("q", "a")],
                 [case("c", "a")],
                 previous=[{"case": "c", "prosecutor": "p", "slot": "prosecutor",
                            "pinned": True}])
    roster = solve(s, seconds=2, workers=1, seed=0, method=method)  # type: ignore[arg-type]
    assert roster.status is Status.INFEASIBLE and roster.objective is None
    assert roster.infeasible_reason is not None
    words = english(roster.infeasible_reason)
    assert "unavailable" in words and "c" in words and "p" in words
    assert "无法满足" in render(roster.infeasible_reason, "zh")


def mandatory_clash() -> Scenario:
    """Two mandatory cases at once and one person: each alone can be staffed, not both."""
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 1.0}
    return scenario([unit("a")], [person("x", "a")],
                    [case("one", "a", mandatory=True, team=team),
                     case("two", "a", mandatory=True, team=team)])


@pytest.mark.parametrize("method", ["whole", "neighbourhood"])
def test_mandatory_clash_is_explained_by_a_core(method: str) -> None:
    """Counting cannot see two mandatory cases competing for one person; the core of those
    cases alone names both, and the person they compete for, before any search (the
    province path once searched a whole province first, then answered "no roster in
    time")."""
    roster = solve(mandatory_clash(), seconds=5, workers=1, seed=0,
                   method=method)  # type: ignore[arg-type]
    assert roster.status is Status.INFEASIBLE and roster.build_seconds == 0
    words = english(roster.infeasible_reason)
    assert "one" in words and "two" in words and "compete for X" in words


@pytest.mark.parametrize("method", ["whole", "neighbourhood"])
def test_pinned_clash_of_a_replan_is_explained_by_a_core(method: str) -> None:
    """A re-plan asks whether its musts can be met only once its repaired roster misses
    one: two cases at once, each with the one person pinned, cannot both keep the pin.
    The answer is infeasible and names both cases, never a roster dropping a pin."""
    team = {"leader": None, "members": {"prosecutor": 1}, "load": 1.0}
    pins = [{"case": c, "prosecutor": "x", "slot": "prosecutor", "pinned": True}
            for c in ("one", "two")]
    s = scenario([unit("a")], [person("x", "a"), person("y", "a")],
                 [case("one", "a", team=team), case("two", "a", team=team)], previous=pins)
    roster = solve(s, seconds=5, workers=1, seed=0, method=method)  # type: ignore[arg-type]
    assert roster.status is Status.INFEASIBLE and roster.objective is None
    words = english(roster.infeasible_reason)
    assert "one" in words and "two" in words


def test_proven_infeasible_without_a_core_in_time_says_so(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """When CP-SAT proves the whole model infeasible but no core comes in time, the roster
    is still infeasible, and says that which requirements conflict was not found; it does
    not claim the time ran out on the proof."""
    monkeypatch.setattr("scheduler.explain.unstaffed._core", lambda *args, **kwargs: None)
    roster = solve(mandatory_clash(), seconds=2, workers=1, seed=0, method="whole")
    assert roster.status is Status.INFEASIBLE
    assert roster.infeasible_reason is not None
    assert roster.infeasible_reason.code == "infeasible.unexplained"


def test_unproven_must_on_the_province_path_is_no_solution_in_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On the province path nothing proved the clash infeasible but the core; without it
    the answer is "no roster in time", never "infeasible"."""
    monkeypatch.setattr("scheduler.explain.unstaffed._core", lambda *args, **kwargs: None)
    roster = solve(mandatory_clash(), seconds=2, workers=1, seed=0, method="neighbourhood")
    assert roster.status is Status.NO_SOLUTION_IN_TIME
    assert roster.infeasible_reason is None and roster.objective is None


def test_coverage_broken_says_which_skill_and_level_in_either_language() -> None:
    """The checker's line for a missing skill names it in the reader's words with its
    level ("forensics at level 2 or above", "司法鉴定2级以上"), not as the raw skill id."""
    s = coverage_scenario(*COVERAGE_VARIANTS["skills"])
    [violation] = check_roster(s, roster_of(s, {"c": [("near", "prosecutor")]})).violations
    assert "forensics at level 2 or above" in render(violation.reason, "en")
    chinese = render(violation.reason, "zh")
    assert "2级以上" in chinese and "forensics" not in chinese
