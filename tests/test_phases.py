"""The two CP-SAT phases (scheduler/search/phases.py): a roster handed between them, and
hints completed so that CP-SAT starts from them."""

import threading

from ortools.sat.python import cp_model as cp

from models import Scenario
from scheduler.instance.eligibility import Option
from scheduler.model.core import RosterModel, build_model, make_context
from scheduler.search.phases import completed_hint, lexicographic
from tests.tiny import case, person, road, scenario, unit


def _two_cases() -> Scenario:
    """Two cases a month apart at venue `v`; `near` lives 10 minutes away, `far` 100."""
    return scenario([unit("v"), unit("f"), unit("n")], [person("far", "f"), person("near", "n")],
                    [case("c", "v"), case("d", "v", start="2022-02-01", end="2022-02-05")],
                    roads=[road("v", "f", 100), road("v", "n", 10)])


def _options(m: RosterModel, people: dict[str, str]) -> list[Option]:
    """The model's options putting each case of `people` (case -> person) on its team."""
    return [o for o in m.candidates.options if people.get(o.case) == o.person]


def test_completed_hint_hints_every_variable_with_the_roster() -> None:
    """The roster `far` on both cases, hinted and completed: every variable of the model
    has a hint, and fixing them all is a solution that puts `far` on both."""
    s = _two_cases()
    m = build_model(s, context=make_context(s))
    m.model.minimize(0)
    chosen = _options(m, {"c": "far", "d": "far"})
    completed_hint(m, chosen, {"c", "d"}, seconds=10, seed=0)
    proto = m.model.proto
    assert sorted(proto.solution_hint.vars) == list(range(len(proto.variables)))
    solver = cp.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(m.model) == cp.OPTIMAL
    on = {k for k, var in m.decisions.all_slot_vars().items() if solver.value(var)}
    assert {(p, c) for p, c, _ in on} == {("far", "c"), ("far", "d")}


def test_lexicographic_takes_the_roster_between_its_phases() -> None:
    """`between` is handed the priority phase's roster, both cases staffed, and returns
    `far` on both; stopped before the cost phase, that is the roster found."""
    s = _two_cases()
    m = build_model(s, context=make_context(s))
    stop = threading.Event()
    handed: list[set[str]] = []
    instead = _options(m, {"c": "far", "d": "far"})

    def between(model: RosterModel, chosen: list[Option], staffed: set[str]
                ) -> tuple[list[Option], set[str]]:
        handed.append(staffed)
        stop.set()
        return instead, {"c", "d"}

    found = lexicographic(m, [], set(), seconds=10, workers=1, seed=0, stop=stop,
                          between=between)
    assert handed == [{"c", "d"}]
    assert found.chosen == instead
    assert found.staffed == {"c", "d"}


def test_lexicographic_cost_phase_starts_from_the_roster_between() -> None:
    """The roster `between` returns is hinted whole to the cost phase, which then finds
    `near` on both cases, the cheapest."""
    s = _two_cases()
    m = build_model(s, context=make_context(s))
    instead = _options(m, {"c": "far", "d": "far"})
    found = lexicographic(m, [], set(), seconds=10, workers=1, seed=0,
                          between=lambda *_: (instead, {"c", "d"}))
    hinted = dict(zip(m.model.proto.solution_hint.vars, m.model.proto.solution_hint.values,
                      strict=True))
    slots = m.decisions.all_slot_vars()
    assert {(p, c) for (p, c, _), var in slots.items() if hinted[var.index]} == {
        ("far", "c"), ("far", "d")}
    assert {(o.person, o.case) for o in found.chosen} == {("near", "c"), ("near", "d")}
    assert found.cost_proven


def test_lexicographic_leaves_the_time_leave_asks_for() -> None:
    """`leave` is handed the priority phase's roster, both cases staffed; asking for all
    the time left, the cost phase does not run: the roster is the priority phase's, its
    cost unproven. Asking for none, the cost phase proves `near` on both the cheapest."""
    s = _two_cases()
    handed: list[set[str]] = []

    def everything(chosen: list[Option], staffed: set[str]) -> float:
        handed.append(staffed)
        return 10.0

    m = build_model(s, context=make_context(s))
    kept = lexicographic(m, [], set(), seconds=10, workers=1, seed=0, leave=everything)
    assert handed == [{"c", "d"}]
    assert kept.staffed == {"c", "d"} and not kept.cost_proven
    m = build_model(s, context=make_context(s))
    found = lexicographic(m, [], set(), seconds=10, workers=1, seed=0, leave=lambda *_: 0.0)
    assert found.cost_proven
    assert {(o.person, o.case) for o in found.chosen} == {("near", "c"), ("near", "d")}
