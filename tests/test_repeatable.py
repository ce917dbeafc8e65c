"""One worker and a seed give the same roster in every process, not only twice in one.

Python salts the hash of every string anew in each process (PYTHONHASHSEED), so a set of
ids iterates in another order in the next run. Where such an order decides the order of a
model's constraints or a builder's choices, two runs with the same seed can return
different rosters of equal value: a tester's province with commitments did (28 of 430
assignments differed). These tests run the same work in processes with different salts.
"""

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from synth import province

ROOT = Path(__file__).resolve().parent.parent
SALTS = ("1", "2", "3")


def _with_commitments(data: dict[str, Any], seed: int) -> dict[str, Any]:
    """`data` with two to four commitments for everyone, some away, over the cases' days:
    a person's load then varies by day, and the load check has many checkpoints, each
    with several cases running."""
    rng = random.Random(seed)
    days = [date.fromisoformat(c["start"]) for c in data["cases"]]
    first, last = min(days), max(date.fromisoformat(c["end"]) for c in data["cases"])
    span = (last - first).days
    for person in data["prosecutors"]:
        person["commitments"] = []
        for _ in range(rng.randint(2, 4)):
            start = first + timedelta(days=rng.randint(0, span))
            end = start + timedelta(days=rng.randint(0, 20))
            person["commitments"].append({"start": start.isoformat(), "end": end.isoformat(),
                                          "load": rng.choice([0.1, 0.3, 0.5]),
                                          "away": rng.random() < 0.3, "ref": "earlier"})
    return data


def _in_processes(script: str, scenario: Path) -> list[str]:
    """What `script` prints, run on `scenario` once per hash salt, one after another (side
    by side, two solves on a busy 2-core machine could be ended by the wall clock)."""
    outputs = []
    for salt in SALTS:
        env = {**os.environ, "PYTHONHASHSEED": salt,
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        done = subprocess.run([sys.executable, "-c", script, str(scenario)], env=env,
                              capture_output=True, text=True, cwd=ROOT, timeout=600,
                              check=False)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    return outputs


MODEL = """
import json, sys
from models import parse_scenario
from scheduler.model.core import build_model
m = build_model(parse_scenario(json.load(open(sys.argv[1]))))
print(m.model.proto)
"""

# The wall clock's safety net is moved out of the way, as in tests/test_properties.py: a
# slow machine would end a run early, and a run so ended may differ (scheduler/clock.py).
SOLVE = """
import json, sys
from models import parse_scenario
from scheduler import solve, tuning
tuning.WORK_GRACE_SHARE, tuning.WORK_GRACE_SECONDS = 100.0, 300.0
roster = solve(parse_scenario(json.load(open(sys.argv[1]))), seconds=3, workers=1, seed=7,
               method="neighbourhood")
print(roster.status.value, roster.objective)
print(json.dumps([c.model_dump(mode="json") for c in roster.cases], sort_keys=True))
"""


def test_the_model_is_written_alike_in_every_process(tmp_path: Path) -> None:
    """The CP-SAT model of a province whose people have commitments (load checkpoints of
    several cases each) is the same, constraint for constraint and in the same order,
    whatever the process's hash salt."""
    path = tmp_path / "province.json"
    path.write_text(json.dumps(_with_commitments(province(300, 40, 1, family="tight"), 1)))
    first, *others = _in_processes(MODEL, path)
    assert "linear" in first
    for other in others:
        assert other == first


def test_a_repeatable_solve_repeats_in_every_process(tmp_path: Path) -> None:
    """One worker and a seed give the same roster in processes with different hash salts,
    on a province with commitments that the time limit, not a proof, ends."""
    path = tmp_path / "province.json"
    path.write_text(json.dumps(_with_commitments(province(800, 120, 2, family="dense"), 2)))
    first, *others = _in_processes(SOLVE, path)
    assert first.startswith("feasible"), "the time limit should end this search"
    for other in others:
        assert other == first
