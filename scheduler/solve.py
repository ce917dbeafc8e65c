"""The one solve entry point: scenario in, roster out.

Lexicographic in two CP-SAT calls: first the highest staffed priority, then, with that
priority held, the lowest cost, warm-started from the first call's roster.
"""

from time import perf_counter

from ortools.sat.python import cp_model as cp

from models import Roster, Scenario, Status
from models.ids import CaseId, ProsecutorId
from scheduler.eligibility import Option
from scheduler.explain import infeasible_reason, unstaffed_reason
from scheduler.model import COST_SCALE, RosterModel, build_model, staffed_priority, weighted_cost
from scheduler.report import case_rosters, evaluate

# Below this, a second phase cannot do anything useful; the first phase's roster stands.
MIN_PHASE_SECONDS = 0.05
# Full-problem subsolvers, best first. The bound on cost comes from the LP relaxation of the
# unit-choice and travel terms: with max_lp (linearization level 2) the Hulunbuir cost is
# proven optimal in under half a second; CP-SAT's default two-worker portfolio lacks it and
# does not finish the proof within 30 seconds (bench/portfolio.py, bench/results.md).
PORTFOLIO = ("max_lp", "default_lp", "quick_restart", "core", "no_lp", "fixed")


def _solver(seconds: float, workers: int, seed: int) -> cp.CpSolver:
    solver = cp.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(seconds, MIN_PHASE_SECONDS)
    params.num_workers = workers
    params.random_seed = seed
    if workers == 1:
        params.linearization_level = 2
    else:
        params.subsolvers.extend(PORTFOLIO[:workers])
    return solver


def _chosen(m: RosterModel, solver: cp.CpSolver) -> tuple[list[Option], set[CaseId]]:
    by_key = {(o.person, o.case, o.slot): o for o in m.candidates.options}
    chosen = [by_key[k] for k, var in m.decisions.all_slot_vars().items() if solver.value(var)]
    staffed = {c.id for c in m.scenario.cases if solver.value(m.decisions.is_staffed(c.id))}
    return chosen, staffed


def _hint(m: RosterModel, chosen: list[Option] | None) -> None:
    """Hint the given roster, or the previous one, so the search starts from it."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    slots = m.decisions.all_slot_vars()
    if chosen is not None:
        keep = {(o.person, o.case, o.slot) for o in chosen}
        for key, var in slots.items():
            m.model.add_hint(var, key in keep)
        return
    for a in m.scenario.previous:
        previous = slots.get((a.prosecutor, a.case, a.slot))
        if previous is not None:
            m.model.add_hint(previous, True)


def solve(scenario: Scenario, *, seconds: float = 10.0, workers: int = 2, seed: int = 0,
          explain: bool = True) -> Roster:
    """Best roster for `scenario` within `seconds`; one worker and a seed give the same answer."""
    started = perf_counter()
    m = build_model(scenario)
    build_seconds = perf_counter() - started

    def left() -> float:
        return seconds - (perf_counter() - started)

    priority = staffed_priority(m)
    m.model.maximize(priority)
    _hint(m, None)
    solver = _solver(left(), workers, seed)
    first = solver.solve(m.model)
    if first == cp.MODEL_INVALID:
        raise RuntimeError(f"internal error, invalid CP-SAT model: {m.model.validate()}")
    if first == cp.INFEASIBLE:
        return Roster(scenario=scenario.name, status=Status.INFEASIBLE,
                      infeasible_reason=infeasible_reason(m, max(left(), 2.0)),
                      seconds=perf_counter() - started, build_seconds=build_seconds)
    if first not in (cp.OPTIMAL, cp.FEASIBLE):
        return Roster(scenario=scenario.name, status=Status.NO_SOLUTION_IN_TIME,
                      seconds=perf_counter() - started, build_seconds=build_seconds)
    priority_proven = first == cp.OPTIMAL
    chosen, staffed = _chosen(m, solver)
    best_priority = round(solver.objective_value)

    bound: float | None = None
    cost_proven = False
    if left() > MIN_PHASE_SECONDS:
        m.model.add(priority >= best_priority)
        m.model.minimize(weighted_cost(m))
        _hint(m, chosen)
        solver = _solver(left(), workers, seed)
        second = solver.solve(m.model)
        if second in (cp.OPTIMAL, cp.FEASIBLE):
            chosen, staffed = _chosen(m, solver)
            bound = solver.best_objective_bound / COST_SCALE
            cost_proven = second == cp.OPTIMAL

    objective = evaluate(m, chosen, staffed)
    teams: dict[CaseId, set[ProsecutorId]] = {c: set() for c in staffed}
    for o in chosen:
        teams[o.case].add(o.person)
    reasons = {c.id: unstaffed_reason(m, c, teams) for c in scenario.cases
               if c.id not in staffed} if explain else {}
    gap = None
    if bound is not None:
        bound = min(bound, objective.cost)
        gap = (objective.cost - bound) / max(1.0, objective.cost)
    return Roster(
        scenario=scenario.name,
        status=Status.OPTIMAL if priority_proven and cost_proven else Status.FEASIBLE,
        objective=objective, bound=bound, gap=gap,
        seconds=perf_counter() - started, build_seconds=build_seconds,
        cases=case_rosters(m, chosen, staffed, reasons),
    )
