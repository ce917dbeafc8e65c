"""The two CP-SAT phases on one model: highest staffed priority, then lowest cost.

Used on the whole scenario by `solve`, and on each reopened neighbourhood by `lns`.
"""

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from ortools.sat.python import cp_model as cp

from models.ids import CaseId
from scheduler.eligibility import Option
from scheduler.model import COST_SCALE, RosterModel, staffed_priority, weighted_cost

# How often a running CP-SAT search looks whether it has been asked to stop.
STOP_POLL_SECONDS = 0.1
# Below this, a phase cannot do anything useful; what was found before stands.
MIN_PHASE_SECONDS = 0.05
# The most of the time limit the priority phase may take before the cost phase starts.
PRIORITY_SHARE = 0.5
# Full-problem subsolvers, best first. The bound on cost comes from the LP relaxation of the
# unit-choice and travel terms: with max_lp (linearization level 2) the Hulunbuir cost is
# proven optimal in under half a second; CP-SAT's default two-worker portfolio lacks it and
# does not finish the proof within 30 seconds (bench/portfolio.py, bench/portfolio.md).
PORTFOLIO = ("max_lp", "default_lp", "quick_restart", "core", "no_lp", "fixed")


class _Reporter(cp.CpSolverSolutionCallback):
    """Calls `report(objective, bound)` on every solution CP-SAT finds."""

    def __init__(self, report: Callable[[float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.objective_value, self.best_objective_bound)


# Called with (phase, objective, bound) as CP-SAT finds better rosters; phase "priority"
# reports staffed priority, phase "cost" the cost.
OnSolution = Callable[[str, float, float], None]


@dataclass
class Found:
    """What the two phases found: a roster (or none), and what was proven about it."""

    chosen: list[Option] = field(default_factory=list)
    staffed: set[CaseId] = field(default_factory=set)
    solved: bool = False
    infeasible: bool = False
    priority_proven: bool = False
    priority_bound: int | None = None
    # The priority the first phase reached; the cost phase keeps at least this much, so
    # `bound` holds for every roster of the model that staffs at least this priority.
    priority: int | None = None
    cost_proven: bool = False
    bound: float | None = None


def make_solver(seconds: float, workers: int, seed: int) -> cp.CpSolver:
    """A CP-SAT solver with our time limit, workers, seed and portfolio."""
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


def _read(m: RosterModel, solver: cp.CpSolver) -> tuple[list[Option], set[CaseId]]:
    by_key = {(o.person, o.case, o.slot): o for o in m.candidates.options}
    chosen = [by_key[k] for k, var in m.decisions.all_slot_vars().items() if solver.value(var)]
    staffed = {c.id for c in m.scenario.cases if solver.value(m.decisions.is_staffed(c.id))}
    return chosen, staffed


def hint(m: RosterModel, chosen: list[Option], staffed: set[CaseId]) -> None:
    """Hint a whole roster, so the search starts from it (CP-SAT completes derived variables)."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    keep = {(o.person, o.case, o.slot) for o in chosen}
    for key, var in m.decisions.all_slot_vars().items():
        m.model.add_hint(var, key in keep)
    for case in m.scenario.cases:
        m.model.add_hint(m.decisions.is_staffed(case.id), case.id in staffed)


def solve_stoppably(solver: cp.CpSolver, model: cp.CpModel, callback: _Reporter | None,
                    stop: threading.Event | None) -> Any:
    """Solve; if `stop` is set meanwhile, CP-SAT stops and keeps what it has found."""
    if stop is None:
        return solver.solve(model, callback)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(STOP_POLL_SECONDS):
            if stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        return solver.solve(model, callback)
    finally:
        finished.set()
        watcher.join()


def lexicographic(m: RosterModel, chosen: list[Option], staffed: set[CaseId], *,
                  seconds: float, workers: int, seed: int,
                  on_solution: OnSolution | None = None,
                  stop: threading.Event | None = None) -> Found:
    """Maximise staffed priority, then minimise cost at that priority, from a hinted roster.

    The roster returned is CP-SAT's; the caller compares it with what it had."""
    started = perf_counter()

    def left() -> float:
        return seconds - (perf_counter() - started)

    found = Found()
    priority = staffed_priority(m)
    m.model.maximize(priority)
    hint(m, chosen, staffed)
    solver = make_solver(left() * PRIORITY_SHARE, workers, seed)
    status = solve_stoppably(solver, m.model, _callback(on_solution, "priority", 1), stop)
    if status == cp.MODEL_INVALID:
        raise RuntimeError(f"internal error, invalid CP-SAT model: {m.model.validate()}")
    if status == cp.INFEASIBLE:
        found.infeasible = True
        return found
    if status not in (cp.OPTIMAL, cp.FEASIBLE):
        return found  # CP-SAT's bound is 0, not a bound, when it found nothing
    found.solved = True
    found.priority_proven = status == cp.OPTIMAL
    # Priorities are integers, so a fractional bound rounds down.
    found.priority_bound = math.floor(solver.best_objective_bound + 1e-6)
    found.priority = round(solver.objective_value)
    found.chosen, found.staffed = _read(m, solver)
    if left() <= MIN_PHASE_SECONDS or (stop is not None and stop.is_set()):
        return found
    m.model.add(priority >= found.priority)
    m.model.minimize(weighted_cost(m))
    # The priority phase ignores cost, so its teams can cost twice the incumbent's: start
    # the cost phase from the incumbent's teams wherever both staff a case (CP-SAT repairs
    # the hint where the two do not fit together).
    hint(m, [o for o in chosen if o.case in found.staffed]
         + [o for o in found.chosen if o.case not in staffed], found.staffed)
    solver = make_solver(left(), workers, seed)
    status = solve_stoppably(solver, m.model, _callback(on_solution, "cost", COST_SCALE), stop)
    if status in (cp.OPTIMAL, cp.FEASIBLE):
        found.chosen, found.staffed = _read(m, solver)
        found.bound = solver.best_objective_bound / COST_SCALE
        found.cost_proven = status == cp.OPTIMAL
    return found


def _callback(on_solution: OnSolution | None, phase: str, scale: int) -> _Reporter | None:
    if on_solution is None:
        return None
    return _Reporter(lambda value, bound: on_solution(phase, value / scale, bound / scale))
