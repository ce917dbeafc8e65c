"""The one solve entry point: scenario in, roster out.

A greedy roster first (the baseline, and the answer if nothing better is found in time);
then two CP-SAT calls, lexicographic: the highest staffed priority, then, with that
priority held, the lowest cost; each warm-started from the best roster so far.
"""

from time import perf_counter

from ortools.sat.python import cp_model as cp

from models import Objective, Roster, Scenario, Status
from models.ids import CaseId, ProsecutorId
from scheduler.eligibility import Option
from scheduler.explain import infeasible_reason, unstaffed_reason
from scheduler.greedy import greedy
from scheduler.model import COST_SCALE, RosterModel, build_model, staffed_priority, weighted_cost
from scheduler.report import case_rosters, evaluate

# Below this, a second phase cannot do anything useful; the first phase's roster stands.
MIN_PHASE_SECONDS = 0.05
# The most of the time limit the priority phase may take before the cost phase starts.
PRIORITY_SHARE = 0.5
COST_TOLERANCE = 0.5
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


def _hint(m: RosterModel, chosen: list[Option], staffed: set[CaseId]) -> None:
    """Hint a whole roster, so the search starts from it (CP-SAT completes derived variables)."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    keep = {(o.person, o.case, o.slot) for o in chosen}
    for key, var in m.decisions.all_slot_vars().items():
        m.model.add_hint(var, key in keep)
    for case in m.scenario.cases:
        m.model.add_hint(m.decisions.is_staffed(case.id), case.id in staffed)


def _better(a: Objective, b: Objective) -> bool:
    """Whether `a` beats `b`: more staffed priority, or as much at lower cost."""
    return (a.staffed_priority, -a.cost) > (b.staffed_priority, -b.cost + COST_TOLERANCE)


def solve(scenario: Scenario, *, seconds: float = 10.0, workers: int = 2, seed: int = 0,
          explain: bool = True) -> Roster:
    """Best roster for `scenario` within `seconds`; one worker and a seed give the same answer.

    Anytime: a greedy roster is built first and stands if CP-SAT finds nothing better.
    """
    started = perf_counter()
    m = build_model(scenario)
    build_seconds = perf_counter() - started

    def left() -> float:
        return seconds - (perf_counter() - started)

    chosen, staffed = greedy(scenario, m.geography, m.candidates)
    baseline = evaluate(m, chosen, staffed)
    first_seconds = perf_counter() - started

    priority = staffed_priority(m)
    m.model.maximize(priority)
    _hint(m, chosen, staffed)
    # The priority phase may not use all the time: the cost phase needs its share.
    solver = _solver(left() * PRIORITY_SHARE, workers, seed)
    first = solver.solve(m.model)
    if first == cp.MODEL_INVALID:
        raise RuntimeError(f"internal error, invalid CP-SAT model: {m.model.validate()}")
    if first == cp.INFEASIBLE:
        return Roster(scenario=scenario.name, status=Status.INFEASIBLE,
                      infeasible_reason=infeasible_reason(m, max(left(), 2.0)),
                      seconds=perf_counter() - started, build_seconds=build_seconds)
    priority_proven = first == cp.OPTIMAL
    if first == cp.FEASIBLE or priority_proven:
        found, found_staffed = _chosen(m, solver)
        if evaluate(m, found, found_staffed).staffed_priority >= baseline.staffed_priority:
            chosen, staffed = found, found_staffed
    elif not chosen and any(c.mandatory for c in scenario.cases):
        return Roster(scenario=scenario.name, status=Status.NO_SOLUTION_IN_TIME,
                      seconds=perf_counter() - started, build_seconds=build_seconds)
    best_priority = evaluate(m, chosen, staffed).staffed_priority

    bound: float | None = None
    cost_proven = False
    if left() > MIN_PHASE_SECONDS:
        m.model.add(priority >= best_priority)
        m.model.minimize(weighted_cost(m))
        _hint(m, chosen, staffed)
        solver = _solver(left(), workers, seed)
        second = solver.solve(m.model)
        if second in (cp.OPTIMAL, cp.FEASIBLE):
            found, found_staffed = _chosen(m, solver)
            if not _better(evaluate(m, chosen, staffed), evaluate(m, found, found_staffed)):
                chosen, staffed = found, found_staffed
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
        objective=objective, baseline=baseline, bound=bound, gap=gap,
        seconds=perf_counter() - started, build_seconds=build_seconds,
        first_roster_seconds=first_seconds,
        cases=case_rosters(m, chosen, staffed, reasons),
    )
