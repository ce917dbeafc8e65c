"""What a benchmark's results name as its machine: CPU, cores and versions."""

import os
import platform
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from time import perf_counter

from ortools.sat.python import cp_model as cp


def machine() -> str:
    """The CPU's model, the cores, and the Python, OR-Tools and kernel versions."""
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}, {platform.system()} {platform.release()}")


def _python_work() -> None:
    """A fixed amount of pure Python work."""
    total = 0
    for i in range(3_000_000):
        total += i * i % 7


def _cpsat_work() -> None:
    """A Golomb ruler of 11 marks, searched for a fixed deterministic time on one worker:
    the same work on every machine, so its wall time measures the machine."""
    model = cp.CpModel()
    marks = [model.new_int_var(0, 120, f"m{i}") for i in range(11)]
    model.add(marks[0] == 0)
    diffs = []
    for i, a in enumerate(marks):
        for b in marks[i + 1:]:
            diff = model.new_int_var(1, 120, "")
            model.add(diff == b - a)
            diffs.append(diff)
    model.add_all_different(diffs)
    model.minimize(marks[-1])
    solver = cp.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = 0.3
    solver.solve(model)


def _best_of_three(work: Callable[[], None]) -> float:
    """The least wall time of three runs of `work`: the machine's speed, not its hiccups."""
    times = []
    for _ in range(3):
        began = perf_counter()
        work()
        times.append(perf_counter() - began)
    return min(times)


def speed() -> str:
    """How fast the machine runs now: the seconds a fixed amount of Python work and of
    CP-SAT work took. The same kind of machine ran 3 to 5 times slower in one session than
    in the one before (the greedy roster of standard 4,000 x 700 took 0.15 s in one
    benchmark and 0.57 to 0.83 s in the next), and a time limit buys that much less
    search: these say which machine a result was measured on."""
    return (f"Python work {_best_of_three(_python_work):.2f} s, "
            f"CP-SAT work {_best_of_three(_cpsat_work):.2f} s")


if __name__ == "__main__":
    print(f"{machine()}\nspeed: {speed()}")  # noqa: T201  # a command's output
