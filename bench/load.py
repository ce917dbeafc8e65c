"""Load benchmark: throughput and latency of the single-case roster
(`POST /scenarios/{id}/cases/{case}/roster`) on a synthetic province, served by a real
uvicorn server in this process, from clients that each send the next request as soon as
the last is answered. Writes a Markdown table with the machine, instance and limits.

Run from the repository root: python -m bench.load [--people 2000 --cases 300 ...]
"""

import argparse
import os
import shlex
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter

import httpx2

from api.settings import Settings
from synth import province
from tests.load import Call, closed_loop, live_server, percentile
from tools.machine import machine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=2.0, help="time limit of each solve")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--clients", type=int, default=2,
                        help="concurrent clients (the service answers beyond its solve "
                             "slots with 429)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-load.md")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'load.db'}"
    settings = Settings(database_url=url, require_keys=False, solve_workers=1)
    data = province(args.people, args.cases, args.seed)
    with live_server(settings) as base:
        stored = httpx2.post(f"{base}/scenarios", json=data, timeout=120)
        stored.raise_for_status()
        sid = stored.json()["id"]
        cases = [c["id"] for c in data["cases"]]
        calls = [Call("roster", "POST", f"/scenarios/{sid}/cases/{cases[i % len(cases)]}/"
                                        f"roster?seconds={args.seconds:g}")
                 for i in range(args.requests)]
        began = perf_counter()
        outcomes = closed_loop(base, {}, calls, args.clients)
        wall = perf_counter() - began
    ok = sorted(o.seconds for o in outcomes if o.status == 200)
    statuses = Counter(o.status for o in outcomes)
    row = (f"| {args.people:,} x {args.cases} s{args.seed} | {args.seconds:g} s | {args.clients} "
           f"| {len(outcomes)} | {', '.join(f'{n} x {s}' for s, n in sorted(statuses.items()))} "
           f"| {wall:.1f} | {len(ok) / wall:.2f} | {percentile(ok, 0.5):.2f} "
           f"| {percentile(ok, 0.95):.2f} | {percentile(ok, 0.99):.2f} | {ok[-1]:.2f} |")
    text = "\n".join([
        "# Load benchmark: the single-case roster", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}; 1-minute load average {load_before:.2f} before the run "
        "(the machine may be shared: read the times as an upper bound)",
        f"- command: `python -m bench.load {shlex.join(sys.argv[1:])}`",
        f"- instance: `synth.province.province({args.people}, {args.cases}, {args.seed})`, "
        "stored once; each request asks for the roster of the next case in turn, "
        f"`POST /scenarios/{{id}}/cases/{{case}}/roster?seconds={args.seconds:g}`",
        f"- service: uvicorn in the benchmark's process, {url.split(':', 1)[0]}, keys off, "
        f"solve_workers 1, solve_slots {settings.solve_slots}; {args.clients} clients, each "
        "sending its next request when the last is answered",
        "- latency: seconds from sending a request to its answer, of the 200 answers; "
        "throughput: 200 answers per second of wall time", "",
        "| instance | time limit | clients | requests | answers | wall s | rosters/s "
        "| p50 s | p95 s | p99 s | max s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        row, ""])
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
