"""One test per cost term: the solver prefers the cheaper roster, and reports the term's value.

Each instance offers two rosters that differ in the one term under test; the expected
component values are worked out by hand in the docstrings.
"""

from models import Slot, Status
from scheduler.model.core import make_context
from scheduler.model.costs import cheapest_by_slot
from tests.tiny import case, person, road, scenario, solved, team, unit


def test_travel() -> None:
    """Of two equal people 30 and 50 minutes away, the nearer serves: travel = 30."""
    s = scenario([unit("a"), unit("b"), unit("c")], [person("b1", "b"), person("c1", "c")],
                 [case("k", "a")], roads=[road("a", "b", 30), road("a", "c", 50)])
    roster = solved(s)
    assert team(roster, "k") == {"b1"}
    assert roster.objective is not None and roster.objective.components["travel"] == 30


def test_travel_great_circle_without_roads() -> None:
    """Without roads, minutes are km x 1.3 / 60 km/h x 60: one degree of latitude (~111.2 km)
    is ~144.6 minutes, not rounded."""
    s = scenario([unit("a", lat=49.0), unit("b", lat=50.0)], [person("b1", "b")],
                 [case("k", "a")])
    roster = solved(s)
    assert roster.objective is not None
    assert abs(roster.objective.components["travel"] - 111.195 * 1.3) < 0.1


def test_off_pair() -> None:
    """o1 is 5 minutes nearer, but only p is paired with the lead unit: p1 serves
    (30 against 25 + 60), off_pair = 0; requiring o1 instead costs one off-pair member, 60."""
    units = [unit("a"), unit("p"), unit("o")]
    people = [person("p1", "p"), person("o1", "o")]
    roads = [road("a", "p", 30), road("a", "o", 25)]
    pairs = [{"units": ["a", "p"]}]
    roster = solved(scenario(units, people, [case("k", "a")], roads=roads, pairs=pairs))
    assert team(roster, "k") == {"p1"}
    assert roster.objective is not None and roster.objective.components["off_pair"] == 0
    forced = solved(scenario(units, people, [case("k", "a", require_prosecutors=["o1"])],
                             roads=roads, pairs=pairs))
    assert forced.objective is not None and forced.objective.components["off_pair"] == 60


def test_peak_load() -> None:
    """x (at the venue) already carries 0.4 FTE, y (10 minutes away) 0.1; with a 0.5 case
    y peaks at 60 % against x's 90 %, so y serves: peak_load = 20 x 60."""
    s = scenario([unit("a"), unit("b")], [person("x", "a", load=0.4), person("y", "b", load=0.1)],
                 [case("k", "a")], roads=[road("a", "b", 10)], pairs=[{"units": ["a", "b"]}])
    roster = solved(s)
    assert team(roster, "k") == {"y"}
    assert roster.objective is not None and roster.objective.components["peak_load"] == 1200


def test_peak_load_floors_percent() -> None:
    """A person at 0.1 + 0.2 of a capacity of 0.9 is at 33.3 %: the term counts 33."""
    s = scenario([unit("a")], [person("x", "a", load=0.1, capacity=0.9)],
                 [case("k", "a", team={"leader": None, "members": {"prosecutor": 1},
                                       "load": 0.2})], policy={"weights": {"peak_load": 1}})
    roster = solved(s)
    assert roster.objective is not None and roster.objective.components["peak_load"] == 33


def test_units() -> None:
    """A two-person team from one unit costs 30; the solver does not split it across two."""
    s = scenario([unit("a"), unit("b"), unit("c")],
                 [person("a1", "a"), person("a2", "a"), person("b1", "b"), person("c1", "c")],
                 [case("k", "b", team={"leader": None, "members": {"prosecutor": 2}})],
                 roads=[road("a", "b", 20), road("c", "b", 15)],
                 pairs=[{"units": ["a", "b"]}, {"units": ["c", "b"]}])
    roster = solved(s)
    # {a1, a2}: travel 40 + units 30 = 70; {b1, c1}: 15 + 60 = 75; {b1, a1}: 20 + 60 = 80
    assert team(roster, "k") == {"a1", "a2"}
    assert roster.objective is not None and roster.objective.components["units"] == 30


def test_changes() -> None:
    """Keeping the previous member (50 minutes away) beats a nearer one, as dropping costs 200;
    with the weight lowered to 10 the solver drops it and counts one change."""
    units, people = [unit("a"), unit("b")], [person("a1", "a"), person("b1", "b")]
    previous = [{"case": "k", "prosecutor": "b1", "slot": "prosecutor"}]
    roads, pairs = [road("a", "b", 50)], [{"units": ["a", "b"]}]
    kept = solved(scenario(units, people, [case("k", "a")], roads=roads, pairs=pairs,
                           previous=previous))
    assert team(kept, "k") == {"b1"}
    assert kept.objective is not None and kept.objective.components["changes"] == 0
    dropped = solved(scenario(units, people, [case("k", "a")], roads=roads, pairs=pairs,
                              previous=previous, policy={"weights": {"changes": 10}}))
    assert team(dropped, "k") == {"a1"}
    assert dropped.objective is not None and dropped.objective.components["changes"] == 10


def test_no_junior() -> None:
    """A team of three takes the junior (2 years) over a senior 20 minutes nearer:
    no_junior saves 100; with no junior available the term is 100."""
    team3 = {"leader": None, "members": {"prosecutor": 3}}
    units = [unit("a"), unit("b")]
    roads, pairs = [road("a", "b", 20)], [{"units": ["a", "b"]}]
    seniors = [person("s1", "a"), person("s2", "a"), person("s3", "a")]
    roster = solved(scenario(units, [*seniors, person("j", "b", years=2)],
                             [case("k", "a", team=team3)], roads=roads, pairs=pairs))
    assert "j" in team(roster, "k")
    assert roster.objective is not None and roster.objective.components["no_junior"] == 0
    none = solved(scenario(units, seniors, [case("k", "a", team=team3)]))
    assert none.objective is not None and none.objective.components["no_junior"] == 100


def test_priority_before_cost() -> None:
    """Staffed priority comes first: a costly priority-3 case beats two cheap priority-1 cases
    competing for the same person."""
    full = {"leader": None, "members": {"prosecutor": 1}, "load": 1.0}
    s = scenario([unit("a"), unit("b")], [person("x", "b")],
                 [case("big", "a", priority=3, team=full),
                  case("s1", "b", priority=1, team=full, start="2022-01-01", end="2022-01-05"),
                  case("s2", "b", priority=1, team=full, start="2022-01-06", end="2022-01-10")],
                 roads=[road("a", "b", 600)])
    roster = solved(s)
    assert roster.status is Status.OPTIMAL
    assert team(roster, "big") == {"x"}
    assert roster.objective is not None and roster.objective.staffed_priority == 3


def test_cheapest_by_slot_orders_each_slot_by_cost_alone_then_id() -> None:
    """Each slot's menu holds that slot's options of the case, cheapest by travel and
    off_pair first, ties to the person first in id order, with the cost of each."""
    s = scenario(
        [unit("a"), unit("b"), unit("c")],
        [person("p3", "b"), person("p1", "b"), person("p2", "a"),
         person("l1", "c", role="chief", years=20), person("l0", "a", role="chief")],
        [case("k", "a", lead_unit="a", team={"leader": {"min_role": "chief"},
                                              "members": {"prosecutor": 2}})],
        roads=[road("a", "b", 30), road("a", "c", 5)])
    ctx = make_context(s)
    menus = cheapest_by_slot(ctx, s.cases[0])
    assert [o.person for o in menus[Slot.LEADER].options] == ["l0", "l1"]
    assert menus[Slot.LEADER].costs == [0.0, 65.0]
    # Both leaders may fill a prosecutor's slot too (a higher role takes a lower slot).
    assert [o.person for o in menus[Slot.PROSECUTOR].options] == ["l0", "p2", "l1", "p1", "p3"]
    assert menus[Slot.PROSECUTOR].costs == [0.0, 0.0, 65.0, 90.0, 90.0]
    assert all(o.slot is slot for slot, m in menus.items() for o in m.options)
    assert sum(len(m.options) for m in menus.values()) == len(ctx.candidates.by_case["k"])
    assert cheapest_by_slot(ctx, s.cases[0]) is menus  # worked out once per context
