"""Why scheduler.search.phases sets the CP-SAT portfolio: time to prove the Hulunbuir cost optimal.

Runs the second (cost) phase with CP-SAT's default portfolio and with ours, same model,
same seeds, and writes the figures to bench/portfolio.md.
Run: python bench/portfolio.py
"""

import json
from pathlib import Path

from ortools.sat.python import cp_model as cp

from models import parse_scenario
from scheduler.model.core import build_model, staffed_priority, weighted_cost
from scheduler.tuning import PORTFOLIO

HERE = Path(__file__).resolve().parent
LIMIT = 30.0
SEEDS = [0, 1, 2]


def main() -> None:
    scenario = parse_scenario(json.loads((HERE.parent / "scenarios" / "hulunbuir.json").read_text()))
    m = build_model(scenario)
    priority = staffed_priority(m)
    m.model.maximize(priority)
    first = cp.CpSolver()
    first.parameters.num_workers = 2
    first.solve(m.model)
    m.model.add(priority >= round(first.objective_value))
    m.model.minimize(weighted_cost(m))
    lines = [f"# Cost phase on hulunbuir.json, 2 workers, limit {LIMIT:g} s", "",
             "| portfolio | seed | status | seconds |", "|---|---|---|---|"]
    for label, subsolvers in (("CP-SAT default", []), ("taskforce (max_lp first)",
                                                       list(PORTFOLIO[:2]))):
        for seed in SEEDS:
            solver = cp.CpSolver()
            solver.parameters.num_workers = 2
            solver.parameters.random_seed = seed
            solver.parameters.max_time_in_seconds = LIMIT
            solver.parameters.subsolvers.extend(subsolvers)
            status = solver.solve(m.model)
            lines.append(f"| {label} | {seed} | {solver.status_name(status)} | "
                         f"{solver.wall_time:.2f} |")
            print(lines[-1])
    (HERE / "portfolio.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
