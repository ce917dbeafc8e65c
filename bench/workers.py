"""Workers benchmark: the each-member sweep of the Hulunbuir roster through the service on
PostgreSQL, its re-plans made by 1, 2, ... `taskforce worker` processes.

Makes a fresh database on the PostgreSQL server named by --postgres (an admin URL, as
.ci/run's TASKFORCE_TEST_POSTGRES), starts one `taskforce serve` and the workers on
loopback (tools.cluster), solves the base roster once (not timed), then times
POST /rosters/{id}/sweeps with each number of workers: the wall time of the request, as a
client sees it. Writes a Markdown table with the machine and instance.

Run from the repository root:
python -m bench.workers --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

import argparse
import json
import os
import shlex
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from uuid import uuid4

from sqlalchemy import create_engine, text

from tools.cluster import cluster
from tools.machine import machine

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="admin URL of a PostgreSQL server")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "hulunbuir.json")
    parser.add_argument("--seconds", type=float, default=0.5, help="time limit of each re-plan")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-workers.md")
    args = parser.parse_args()
    scenario = json.loads(args.scenario.read_text())
    name = f"taskforce_bench_{uuid4().hex[:12]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.postgres.rsplit("/", 1)[0] + f"/{name}"
    load_before = os.getloadavg()[0]
    walls: dict[int, float] = {}
    count = 0
    try:
        with tempfile.TemporaryDirectory() as logs:
            env = {"AUDIT_SECRET": uuid4().hex, "AUDIT_ANCHOR_FILE": f"{logs}/witness"}
            with cluster(url, env, Path(logs)) as c:
                started = 0
                for n in sorted(args.workers):
                    while started < n:
                        started += 1
                        c.start_worker(f"w{started}")
                    if n == min(args.workers):
                        roster_id = c.roster(scenario, seconds=30)
                    begun = perf_counter()
                    answer = c.call("POST", f"/rosters/{roster_id}/sweeps",
                                    {"absent": "each-member", "seconds": args.seconds})
                    walls[n] = perf_counter() - begun
                    count = len(answer["sweep"]["outcomes"])
                    print(f"{n} workers: {count} re-plans in {walls[n]:.1f} s", file=sys.stderr)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    base = walls[min(walls)]
    rows = "\n".join(f"| {n} | {walls[n]:.1f} | {base / walls[n]:.2f} |" for n in sorted(walls))
    shown = [a for a in sys.argv[1:] if "://" not in a and a != "--postgres"]
    command = " ".join(shlex.quote(a) for a in shown)
    text_out = (
        "# Workers benchmark: a sweep's re-plans on 1 to N `taskforce worker` processes\n\n"
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- machine: {machine()}; 1-minute load average {load_before:.2f} before the run; "
        "server, workers and PostgreSQL 15 all on this one machine\n"
        f"- command: `nice -n 19 python -m bench.workers --postgres URL {command}`\n"
        f"- instance: `{args.scenario.relative_to(ROOT)}`, base roster solved in 30 s "
        "through the service (not timed); `POST /rosters/{id}/sweeps` with "
        f"`each-member`, {args.seconds} s per re-plan: {count} re-plans, each a queue task\n"
        "- wall: the request's time as the client sees it (queueing, the workers' re-plans "
        "and checks, ranking and storing)\n\n"
        "| workers | wall s | speedup |\n|---|---|---|\n" + rows + "\n\n"
        "Each worker runs one task at a time on one CP-SAT thread: with 2 cores, a third "
        "worker has no core of its own, and the server and PostgreSQL share the same two, so "
        "the speedup stays below 2; a machine shared with other work (see the load average) "
        "lowers it further. Workers on machines of their own add cores.\n")
    args.out.write_text(text_out, encoding="utf-8")


if __name__ == "__main__":
    main()
