"""Alternatives benchmark: the single-case roster with K alternatives, through the API.

Stores a synthetic province once, then asks, case after case in scenario order, for
`POST /scenarios/{id}/cases/{case}/roster` with `{"alternatives": K, "differ": D}` through
FastAPI's TestClient (in this process, one request at a time), until `--staffed` answers
have staffed their case. Cases that cannot be staffed alone answer at once with no team
and no alternatives; they are counted apart, so they do not flatter the percentiles.
Writes a Markdown table with the machine, instance and limits.

Run from the repository root: python -m bench.alternatives [--people 2000 --cases 300 ...]
"""

import argparse
import os
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from synth import province
from tests.load import percentile
from tools.machine import machine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0, help="time limit of each request")
    parser.add_argument("--alternatives", type=int, default=3, help="K: rosters asked for")
    parser.add_argument("--differ", type=int, default=2, help="D: assignments apart")
    parser.add_argument("--staffed", type=int, default=20,
                        help="stop after this many answers that staff their case")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-alternatives.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'alternatives.db'}"
    settings = Settings(database_url=url, require_keys=False, solve_workers=1)
    data = province(args.people, args.cases, args.seed)
    staffed: list[float] = []
    unstaffed: list[float] = []
    found = proven = 0
    with TestClient(create_app(settings)) as client:
        stored = client.post("/scenarios", json=data)
        stored.raise_for_status()
        sid = stored.json()["id"]
        for c in data["cases"]:
            if len(staffed) >= args.staffed:
                break
            began = perf_counter()
            answer = client.post(f"/scenarios/{sid}/cases/{c['id']}/roster",
                                 params={"seconds": args.seconds},
                                 json={"alternatives": args.alternatives, "differ": args.differ})
            took = perf_counter() - began
            answer.raise_for_status()
            roster = answer.json()["roster"]
            if not roster["cases"][0]["staffed"]:
                unstaffed.append(took)
                continue
            staffed.append(took)
            found += len(roster["alternatives"])
            proven += sum(a["proven"] for a in roster["alternatives"])
    staffed.sort()
    row = (f"| {args.people:,} x {args.cases} s{args.seed} | K = {args.alternatives}, "
           f"D = {args.differ} | {args.seconds:g} s | {len(staffed)} | {found} ({proven} proven) "
           f"| {percentile(staffed, 0.5):.3f} | {percentile(staffed, 0.95):.3f} "
           f"| {staffed[-1]:.3f} | {len(unstaffed)} |")
    text = "\n".join([
        "# Alternatives benchmark: K teams for one case, through the API", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}; 1-minute load average {load_before:.2f} before the run. "
        "The machine was shared with other work (another engineer's solver benchmarks), "
        "run under `nice -n 19`: read the times as an upper bound",
        f"- command: `nice -n 19 python -m bench.alternatives {shlex.join(sys.argv[1:])}`",
        f"- instance: `synth.province.province({args.people}, {args.cases}, {args.seed})`, "
        "stored once; the cases in scenario order, one request each, "
        f"`POST /scenarios/{{id}}/cases/{{case}}/roster?seconds={args.seconds:g}` with "
        f"`{{\"alternatives\": {args.alternatives}, \"differ\": {args.differ}}}`, until "
        f"{args.staffed} answers staffed their case",
        "- service: FastAPI's TestClient in the benchmark's process, SQLite, keys off, "
        "solve_workers 1; one request at a time",
        "- latency: seconds from sending a request to its answer (solve, alternatives, "
        "storing the roster, rendering its reasons), over the answers that staffed their "
        "case; cases that cannot be staffed alone answer without alternatives and are only "
        "counted", "",
        "| instance | asked | time limit | staffed answers | alternatives | p50 s | p95 s "
        "| max s | unstaffed answers |",
        "|---|---|---|---|---|---|---|---|---|",
        row, ""])
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
