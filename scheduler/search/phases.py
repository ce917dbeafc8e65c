"""The two CP-SAT phases on one model: highest staffed priority, then lowest cost.

Used on the whole scenario by `solve`, and on each reopened neighbourhood by `lns`.
"""

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model as cp

from models.ids import CaseId
from scheduler import clock, tuning
from scheduler.instance.eligibility import Option
from scheduler.model.core import COST_SCALE, RosterModel, staffed_priority, weighted_cost

# How often a running CP-SAT search looks whether it has been asked to stop.
STOP_POLL_SECONDS = 0.1
# Below this, a phase cannot do anything useful; what was found before stands.
MIN_PHASE_SECONDS = 0.05


class _Reporter(cp.CpSolverSolutionCallback):
    """Calls `report(objective, bound)` on every solution CP-SAT finds."""

    def __init__(self, report: Callable[[float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.objective_value, self.best_objective_bound)


class _PriorityWatch(cp.CpSolverSolutionCallback):
    """Reads staffed priority out of the priority phase's objective (`scale` x priority +
    kept places), reports each roster, and stops the search once its priority is proven:
    the kept places only break ties, and are not worth the time of proving them."""

    def __init__(self, solver: cp.CpSolver, scale: int,
                 report: Callable[[int, int], None] | None) -> None:
        super().__init__()
        self._solver, self._scale, self._report = solver, scale, report
        self._best = -1
        solver.best_bound_callback = self._on_bound

    def priority(self, objective: float) -> int:
        """The staffed priority of an objective value, or of a bound on it."""
        return math.floor(objective + 1e-6) // self._scale

    def on_solution_callback(self) -> None:
        self._best = self.priority(self.objective_value)
        if self._report is not None:
            self._report(self._best, self.priority(self.best_objective_bound))
        self._on_bound(self.best_objective_bound)

    def _on_bound(self, bound: float) -> None:
        if self._best >= self.priority(bound):
            self._solver.stop_search()


# Called with (phase, objective, bound) as CP-SAT finds better rosters; phase "priority"
# reports staffed priority, phase "cost" the cost.
OnSolution = Callable[[str, float, float], None]
# Given the model and its priority phase's teams and staffed cases, better ones of the
# model staffing at least as much (or None): the cost phase starts from them.
Between = Callable[[RosterModel, list[Option], set[CaseId]],
                   tuple[list[Option], set[CaseId]] | None]
# Given the priority phase's teams and staffed cases, how many of the seconds left the
# cost phase should leave to the caller.
Leave = Callable[[list[Option], set[CaseId]], float]


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
    # Ctrl-C is the caller's to handle (it sets `stop`): CP-SAT's own handler would end
    # only the call under way, and the solve would go on with the next.
    params.catch_sigint_signal = False
    clock.current().limit(params, max(seconds, MIN_PHASE_SECONDS))
    params.num_workers = workers
    params.random_seed = seed
    if workers == 1:
        params.linearization_level = 2
    else:
        params.subsolvers.extend(tuning.PORTFOLIO[:workers])
    return solver


def light_presolve(solver: cp.CpSolver) -> None:
    """Presolve once, without probing: for a search that starts from a hinted roster and
    is proven by the first bound it meets, as the priority phase mostly is."""
    solver.parameters.max_presolve_iterations = tuning.PRESOLVE_ITERATIONS
    solver.parameters.cp_model_probing_level = tuning.PROBING_LEVEL


def light_proof(solver: cp.CpSolver) -> None:
    """For the many small models of the parts, each on one worker: the light presolve in
    both phases, no symmetry detection and no SAT inprocessing (`tuning.PART_PROOF_INPROCESSING`)."""
    light_presolve(solver)
    solver.parameters.symmetry_level = 0
    solver.parameters.use_sat_inprocessing = tuning.PART_PROOF_INPROCESSING


def _read(m: RosterModel, solver: cp.CpSolver) -> tuple[list[Option], set[CaseId]]:
    by_key = {(o.person, o.case, o.slot): o for o in m.candidates.options}
    chosen = [by_key[k] for k, var in m.decisions.all_slot_vars().items() if solver.value(var)]
    staffed = {c.id for c in m.scenario.cases if solver.value(m.decisions.is_staffed(c.id))}
    return chosen, staffed


def hint(m: RosterModel, chosen: list[Option], staffed: set[CaseId]) -> None:
    """Hint a whole roster, so the search starts from it (CP-SAT completes derived variables)."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    keep = {(o.person, o.case, o.slot) for o in chosen}
    slots = m.decisions.all_slot_vars()
    cases = m.scenario.cases
    # Written to the proto at once: add_hint, one call a variable, took about 3 % of a dense
    # 4,000 x 700 solve's thread time, hinting tens of thousands of variables a part.
    hinted = m.model.proto.solution_hint
    hinted.vars.extend([v.index for v in slots.values()]
                       + [m.decisions.is_staffed(c.id).index for c in cases])
    hinted.values.extend([int(key in keep) for key in slots]
                         + [int(c.id in staffed) for c in cases])


def solution_hint(m: RosterModel, solver: cp.CpSolver) -> None:
    """Hint every variable of the model with its value in `solver`'s last solution."""
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools
    values = solver.response_proto.solution
    hinted = m.model.proto.solution_hint
    hinted.vars.extend(range(len(values)))
    hinted.values.extend(values)


def completed_hint(m: RosterModel, chosen: list[Option], staffed: set[CaseId], *,
                   seconds: float, seed: int, stop: threading.Event | None = None) -> None:
    """Hint a whole roster, its derived variables too, as CP-SAT works them out with its
    places and staffed cases fixed; if it cannot in `seconds`, its places alone."""
    # CP-SAT completes a hint of places alone by a short search, which on a model of
    # 23,000 variables failed: the cost phase then began from scratch, 40,000 above it.
    hint(m, chosen, staffed)
    probe = m.model.clone()
    solver = make_solver(seconds, 1, seed)
    solver.parameters.fix_variables_to_their_hinted_value = True
    if solve_stoppably(solver, probe, None, stop) in (cp.OPTIMAL, cp.FEASIBLE):
        solution_hint(m, solver)


def solve_stoppably(solver: cp.CpSolver, model: cp.CpModel,
                    callback: cp.CpSolverSolutionCallback | None,
                    stop: threading.Event | None) -> Any:
    """Solve; if `stop` is set meanwhile, CP-SAT stops and keeps what it has found."""
    if stop is None:
        status = solver.solve(model, callback)
        clock.current().spent(solver, model)
        return status
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(STOP_POLL_SECONDS):
            if stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        status = solver.solve(model, callback)
    finally:
        finished.set()
        watcher.join()
    clock.current().spent(solver, model)
    return status


def most_priority(m: RosterModel, chosen: list[Option], staffed: set[CaseId], *,
                  seconds: float, workers: int, seed: int,
                  on_solution: OnSolution | None = None,
                  stop: threading.Event | None = None,
                  light: bool = False) -> tuple[Found, cp.CpSolver | None]:
    """The priority phase: a roster of the highest staffed priority, from a hinted one,
    and the solver that found it (None if it found nothing); with `light`, searched as a
    part's (`light_proof`)."""
    found = Found()
    # Among rosters of the best priority, the one keeping most of the hinted places: any
    # other may cost twice the hint (on 2,000 x 300, 101,214 against 57,391), and the cost
    # phase would spend its time winning that back.
    slots = m.decisions.all_slot_vars()
    kept = [var for o in chosen if (var := slots.get((o.person, o.case, o.slot))) is not None]
    scale = len(kept) + 1  # all kept places count for less than one priority
    m.model.maximize(cp.LinearExpr.weighted_sum([staffed_priority(m), cp.LinearExpr.sum(kept)],
                                                [scale, 1]))
    hint(m, chosen, staffed)
    solver = make_solver(seconds, workers, seed)
    # With this objective and a hint, CP-SAT 9.15's symmetry detection in presolve could
    # hang: on one 4,000 x 700 part, 130 s past a 20 s limit with nothing found, where
    # without it the priority was proven in 5 s.
    solver.parameters.symmetry_level = 0
    (light_proof if light else light_presolve)(solver)
    report = None if on_solution is None else (
        lambda value, bound: on_solution("priority", value, bound))
    watch = _PriorityWatch(solver, scale, report)
    status = solve_stoppably(solver, m.model, watch, stop)
    if status == cp.MODEL_INVALID:
        raise RuntimeError(f"internal error, invalid CP-SAT model: {m.model.validate()}")
    if status == cp.INFEASIBLE:
        found.infeasible = True
    if status not in (cp.OPTIMAL, cp.FEASIBLE):
        return found, None  # CP-SAT's bound is 0, not a bound, when it found nothing
    found.solved = True
    found.priority = watch.priority(solver.objective_value)
    found.priority_bound = watch.priority(solver.best_objective_bound)
    found.priority_proven = found.priority >= found.priority_bound
    found.chosen, found.staffed = _read(m, solver)
    return found, solver


def _least_cost(m: RosterModel, found: Found, first: cp.CpSolver | None, *, seconds: float,
                workers: int, seed: int, on_solution: OnSolution | None,
                stop: threading.Event | None, start: bool = False, light: bool = False) -> None:
    """The cost phase: the cheapest roster staffing at least `found.priority`, from the
    roster `first` found, or with `start` `found`'s roster (else the roster already
    hinted); updates `found` if it finds one. With `light`, searched as a part's."""
    assert found.priority is not None
    until = clock.now() + seconds
    m.model.add(staffed_priority(m) >= found.priority)
    m.model.minimize(weighted_cost(m))
    if start:
        completed_hint(m, found.chosen, found.staffed, seconds=seconds * tuning.HINT_SHARE,
                       seed=seed, stop=stop)
        seconds = until - clock.now()
    elif first is not None:
        # The whole roster just found, derived variables too: a complete, feasible hint
        # is CP-SAT's first roster of the cost phase, where an incomplete one may be lost.
        solution_hint(m, first)
    solver = make_solver(seconds, workers, seed)
    if light:
        light_proof(solver)
    status = solve_stoppably(solver, m.model, _callback(on_solution, "cost", COST_SCALE), stop)
    if status in (cp.OPTIMAL, cp.FEASIBLE):
        found.solved = True
        found.chosen, found.staffed = _read(m, solver)
        found.bound = solver.best_objective_bound / COST_SCALE
        found.cost_proven = status == cp.OPTIMAL


def least_cost_at(m: RosterModel, priority: int, chosen: list[Option], staffed: set[CaseId], *,
                  seconds: float, workers: int, seed: int,
                  stop: threading.Event | None = None, light: bool = False) -> Found:
    """The cost phase alone, for a model whose highest staffed priority, `priority`, is
    proven already: the cheapest roster staffing at least that, from a hinted roster that
    does (its teams are complete, so the hint is too). With `light`, searched as a part's."""
    found = Found(priority=priority, priority_bound=priority, priority_proven=True)
    hint(m, chosen, staffed)
    _least_cost(m, found, None, seconds=seconds, workers=workers, seed=seed, on_solution=None,
                stop=stop, light=light)
    return found


def staffing_all(m: RosterModel, chosen: list[Option], staffed: set[CaseId], *,
                 seconds: float, seed: int, stop: threading.Event | None = None,
                 light: bool = False) -> Found:
    """The cheapest roster staffing every case of the model, in one CP-SAT call on one
    worker, from a hinted roster: for a model of one case, where the priority phase would
    only ask whether it can be staffed at all. With `light`, searched as a part's."""
    found = Found()
    for case in m.scenario.cases:
        m.model.add(m.decisions.is_staffed(case.id) == 1)
    m.model.minimize(weighted_cost(m))
    hint(m, chosen, staffed)
    solver = make_solver(seconds, 1, seed)
    if light:
        light_proof(solver)
    status = solve_stoppably(solver, m.model, None, stop)
    total = sum(c.priority for c in m.scenario.cases)
    if status == cp.INFEASIBLE:
        found.infeasible, found.priority_bound = True, 0
    elif status in (cp.OPTIMAL, cp.FEASIBLE):
        found.solved, found.priority_proven = True, True
        found.priority = found.priority_bound = total
        found.chosen, found.staffed = _read(m, solver)
        found.bound = solver.best_objective_bound / COST_SCALE
        found.cost_proven = status == cp.OPTIMAL
    return found


def lexicographic(m: RosterModel, chosen: list[Option], staffed: set[CaseId], *,
                  seconds: float, workers: int, seed: int,
                  on_solution: OnSolution | None = None,
                  stop: threading.Event | None = None,
                  between: Between | None = None, leave: Leave | None = None,
                  light: bool = False) -> Found:
    """Maximise staffed priority, then minimise cost at that priority, from a hinted roster;
    `between`, if given, may improve the first phase's roster for the second to start from,
    and `leave` may keep some of the time from the second. With `light`, both phases are
    searched as a part's (`light_proof`).

    The roster returned is CP-SAT's (or `between`'s); the caller compares it with what it had."""
    until = clock.now() + seconds
    found, first = most_priority(m, chosen, staffed, seconds=seconds * tuning.PRIORITY_SHARE,
                                 workers=workers, seed=seed, on_solution=on_solution,
                                 stop=stop, light=light)
    better = None
    if first is not None and between is not None:
        better = between(m, found.chosen, found.staffed)
        if better is not None:
            found.chosen, found.staffed = better
    if first is not None and leave is not None:
        until -= leave(found.chosen, found.staffed)
    left = until - clock.now()
    if first is not None and left > MIN_PHASE_SECONDS and not (stop is not None and stop.is_set()):
        _least_cost(m, found, first, seconds=left, workers=workers, seed=seed,
                    on_solution=on_solution, stop=stop, start=better is not None, light=light)
    return found


def _callback(on_solution: OnSolution | None, phase: str, scale: int) -> _Reporter | None:
    if on_solution is None:
        return None
    return _Reporter(lambda value, bound: on_solution(phase, value / scale, bound / scale))
