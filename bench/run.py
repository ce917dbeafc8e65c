"""Benchmark: families of synthetic provinces at fixed sizes, time limits and seeds.

Every row is one solve in a process of its own, so that its peak memory is its own. In the
same process, after the solve, the two baselines are built on the same scenario: the
solver's greedy and the independent rarest-first builder; the checker validates all three
rosters. Then what-ifs at province scale re-plan from the solved rosters, the targets are
summed up from the rows, and bench/growth.png draws how the solver grows with size.
Writes bench/results.md and bench/growth.png (matplotlib: `pip install '.[bench]'`).

Run: python bench/run.py                                   everything (about 30 minutes on 2 cores)
     python bench/run.py --quick --out /tmp/bench-quick.md  a smoke run (a few minutes)
     python bench/run.py --families standard dense --sizes 2000x300:30 --growth \\
         --what-if-sizes 2000x300 --out /tmp/part.md         a partial run
"""

import argparse
import importlib
import importlib.util
import json
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from time import perf_counter
from typing import Any

import networkx as nx

from checker import check_roster
from models import Assignment, Interval, Objective, Roster, Scenario, Status, parse_scenario
from models.ids import ProsecutorId
from scheduler import solve
from scheduler.construct.greedy import greedy
from scheduler.construct.rarest import rarest_first
from scheduler.instance.eligibility import Option
from scheduler.model.core import Context, build_model, make_context
from scheduler.report import case_rosters, evaluate, is_better
from synth.province import FAMILIES, province

# Run as a file (python bench/run.py), the repository root, which holds tools/, is not on
# the import path of its own.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.machine import machine, speed

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent / "scenarios"
WORKERS = 2
SEED = 0  # the solver's seed; an instance's seed is the generator's
HULUNBUIR = "hulunbuir"

# people x cases : time limit in seconds. The growth row goes beyond the families' sizes
# for the standard family only, to see how far one family scales.
SIZES = ["500x80:60", "2000x300:30", "4000x700:60"]
GROWTH = ["8000x1400:60"]
GROWTH_FAMILY = "standard"
WHAT_IF_SIZES = ["2000x300", "4000x700"]
WHAT_IF_SECONDS = 2.0
HULUNBUIR_SECONDS = 30.0
# Builds timed per instance: one build of 4,000 x 700 varied from 4.2 to 5.1 s here.
BUILD_RUNS = 3
# --quick: every family at two tiny sizes, a growth point, short limits; a smoke run only.
QUICK_SIZES = ["150x20:3", "300x40:3"]
QUICK_GROWTH = ["500x80:3"]
QUICK_WHAT_IF_SIZES = ["300x40"]
QUICK_HULUNBUIR_SECONDS = 5.0

# The targets (issue: families of provinces).
GAP_TARGET = 0.02
GAP_ROWS = {(2000, 300, 30.0), (4000, 700, 60.0)}
FIRST_TARGETS = {(4000, 700): 5.0, (8000, 1400): 20.0}
MEMORY_TARGET_MB = 4096.0
MEMORY_SIZE = (8000, 1400)
WALL_SLACK = 5.0


# ---------------------------------------------------------------- instances


@dataclass(frozen=True)
class Size:
    people: int
    cases: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> "Size":
        """`PxC:S`, e.g. 2000x300:30; `PxC` alone has no time limit (what-if sizes)."""
        shape, _, seconds = text.partition(":")
        people, cases = shape.lower().split("x")
        return cls(int(people), int(cases), float(seconds or 0))


@dataclass(frozen=True)
class Instance:
    family: str  # a family of synth.province, or HULUNBUIR for the shipped scenario
    people: int
    cases: int
    seed: int
    seconds: float
    growth: bool = False

    @property
    def source(self) -> str:
        """What a child process loads: the scenario file, or the generator's arguments."""
        if self.family == HULUNBUIR:
            return f"{HULUNBUIR}.json"
        return f"province:{self.family}:{self.people}:{self.cases}:{self.seed}"

    @property
    def label(self) -> str:
        if self.family == HULUNBUIR:
            return f"{HULUNBUIR} ({self.seconds:g} s)"
        return f"{self.family} {size_label(self.people, self.cases)} s{self.seed} ({self.seconds:g} s)"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def size_label(people: int, cases: int) -> str:
    return f"{people:,} x {cases:,}"


def load(source: str) -> Scenario:
    if source.startswith("province:"):
        _, family, people, cases, seed = source.split(":")
        return parse_scenario(province(int(people), int(cases), int(seed), family=family))
    return parse_scenario(json.loads((SCENARIOS / source).read_text()))


# ---------------------------------------------------------------- one solve (child process)


@dataclass
class Baseline:
    priority: int
    cost: float
    seconds: float  # the construction alone, given the context (eligibility and travel)
    valid: bool
    objective: Objective = field(repr=False)


@dataclass
class Solved:
    """What a child reports of one solve and its baselines."""

    people: int
    cases: int
    status: str
    valid: bool
    priority: int | None
    priority_bound: int | None
    cost: float | None
    bound: float | None
    gap: float | None
    first: float | None
    wall: float
    peak_mb: float
    greedy: Baseline
    rarest: Baseline
    at_least_both: bool
    # "proven of solved" parts (`Roster.parts_proven`), empty where the scenario was one model
    parts: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Solved":
        for name in ("greedy", "rarest"):
            base = data[name]
            base["objective"] = Objective.model_validate(base["objective"])
            data[name] = Baseline(**base)
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("greedy", "rarest"):
            data[name]["objective"] = getattr(self, name).objective.model_dump()
        return data


def baseline(ctx: Context, build: Callable[[], tuple[list[Option], set[Any]]]) -> Baseline:
    """One construction heuristic, timed, evaluated exactly and checked independently."""
    started = perf_counter()
    chosen, staffed = build()
    seconds = perf_counter() - started
    objective = evaluate(ctx, chosen, staffed)
    roster = Roster(scenario=ctx.scenario.name, status=Status.FEASIBLE, objective=objective,
                    cases=case_rosters(ctx, chosen, staffed, {}))
    return Baseline(objective.staffed_priority, objective.cost, seconds,
                    check_roster(ctx.scenario, roster).ok, objective)


def run_one(source: str, seconds: float, roster_path: Path) -> Solved:
    """Solve one instance, then build both baselines on the same scenario."""
    scenario = load(source)
    started = perf_counter()
    roster = solve(scenario, seconds=seconds, workers=WORKERS, seed=SEED)
    wall = perf_counter() - started
    # Read before the baselines run, so the peak is the solve's (and its scenario's).
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The what-ifs re-plan from this very roster.
    roster_path.write_text(roster.model_dump_json(), encoding="utf-8")
    ctx = make_context(scenario)
    own = baseline(ctx, lambda: greedy(ctx))
    rarest = baseline(ctx, lambda: rarest_first(ctx))
    obj = roster.objective
    return Solved(
        people=len(scenario.prosecutors), cases=len(scenario.cases),
        status=roster.status.value, valid=check_roster(scenario, roster).ok,
        priority=obj.staffed_priority if obj else None, priority_bound=roster.priority_bound,
        cost=obj.cost if obj else None, bound=roster.bound, gap=roster.gap,
        first=roster.first_roster_seconds, wall=wall, peak_mb=peak_mb,
        greedy=own, rarest=rarest,
        at_least_both=obj is not None and not any(
            is_better(b.objective, obj) for b in (own, rarest)),
        parts="" if roster.parts is None else f"{roster.parts_proven} of {roster.parts}",
    )


def build_one(source: str) -> float:
    """Time to build the CP-SAT model of the whole scenario, eligibility and travel included.

    Measured in a process of its own: a solve of a large scenario never builds this model,
    and building it beside a solve would count the solve's memory and garbage collection."""
    scenario = load(source)
    started = perf_counter()
    build_model(scenario, context=make_context(scenario))
    return perf_counter() - started


# ---------------------------------------------------------------- what-ifs (child process)

# A change to a scenario: the fields to replace and what was done, or why it does not apply.
Variant = Callable[[Scenario, Roster], tuple[dict[str, Any], str] | str]


def busiest(roster: Roster) -> ProsecutorId | None:
    """Who serves on the most teams (the smallest id among equals)."""
    teams = Counter(m.prosecutor for m in roster.assignments())
    return min(teams, key=lambda p: (-teams[p], p)) if teams else None


def on_smallest_team(roster: Roster) -> ProsecutorId | None:
    """The last member of the smallest staffed team: the Hulunbuir what-if of old."""
    staffed = [c for c in roster.cases if c.staffed and c.team]
    return min(staffed, key=lambda c: (len(c.team), c.id)).team[-1].prosecutor if staffed else None


def falls_ill(pick: Callable[[Roster], ProsecutorId | None]) -> Variant:
    def change(scenario: Scenario, base: Roster) -> tuple[dict[str, Any], str] | str:
        ill = pick(base)
        if ill is None:
            return "nobody serves on the base roster"
        whole = Interval(start=min(c.start for c in scenario.cases),
                         end=max(c.end for c in scenario.cases))
        people = [p.model_copy(update={"unavailable": [*p.unavailable, whole]}) if p.id == ill
                  else p for p in scenario.prosecutors]
        teams = sum(1 for m in base.assignments() if m.prosecutor == ill)
        return {"prosecutors": people}, f"{ill} (on {plural(teams, 'team')}) unavailable throughout"
    return change


def road_graph(scenario: Scenario) -> Any:
    """The road graph as scheduler.instance.travel sees it: the faster of parallel legs."""
    graph = nx.Graph()
    for road in scenario.roads:
        old = graph.get_edge_data(road.a, road.b, {}).get("minutes", float("inf"))
        graph.add_edge(road.a, road.b, minutes=min(old, road.minutes))
    return graph


def close_road(scenario: Scenario, base: Roster) -> tuple[dict[str, Any], str] | str:
    """Close the road leg on the most on-site members' shortest paths to their venue: the
    closure that can disturb the roster most (travel is what a closure changes)."""
    if not scenario.roads:
        return "skipped: this family has no roads (travel is the great-circle estimate)"
    graph = road_graph(scenario)
    homes: dict[str, list[str]] = defaultdict(list)
    for m in base.assignments():
        venue = scenario.case_by_id[m.case].venue
        home = scenario.prosecutor_by_id[m.prosecutor].home
        if m.on_site and home != venue:
            homes[venue].append(home)
    use: Counter[tuple[str, str]] = Counter()
    for venue, starts in homes.items():
        paths = nx.single_source_dijkstra_path(graph, venue, weight="minutes")
        for home in starts:
            path = paths.get(home, [])
            use.update((min(a, b), max(a, b)) for a, b in pairwise(path))
    if not use:
        return "skipped: no on-site member of the base roster travels by road"
    (a, b), users = min(use.items(), key=lambda item: (-item[1], item[0]))
    roads = [r for r in scenario.roads if {r.a, r.b} != {a, b}]
    return {"roads": roads}, f"{a}-{b} closed (on the shortest paths of {plural(users, 'member')})"


VARIANTS: dict[str, Variant] = {
    "ill": falls_ill(busiest),
    "road": close_road,
    "ill-small-team": falls_ill(on_smallest_team),
}


@dataclass
class Change:
    """One what-if: the change made and how the re-planned roster differs from the base."""

    what: str
    skipped: bool = False
    wall: float | None = None
    status: str | None = None
    priority_before: int | None = None
    priority_after: int | None = None
    assignments_changed: int | None = None
    teams_changed: list[str] = field(default_factory=list)
    affected: list[str] = field(default_factory=list)  # base teams the change touches
    valid: bool | None = None
    # When the re-plan staffs less than before: the most any roster can staff after the
    # change, proven by solving the changed scenario afresh at the row's limit (None if
    # that solve proved no more than the re-plan's priority bound).
    possible: int | None = None


def most_possible(changed: Scenario, seconds: float, at_most: int) -> int | None:
    """The highest staffed priority any roster of `changed` can reach, at most `at_most`,
    if a fresh solve of `seconds` proves it."""
    fresh = solve(changed.replace(previous=[]), seconds=seconds, workers=WORKERS, seed=SEED,
                  explain=False)
    if fresh.priority_bound is None:
        return None
    return min(at_most, fresh.priority_bound)


def teams_of(roster: Roster) -> dict[str, frozenset[tuple[str, str]]]:
    return {c.id: frozenset((m.prosecutor, m.slot.value) for m in c.team)
            for c in roster.cases if c.staffed}


def what_if(source: str, roster_path: Path, kind: str, seconds: float,
            fresh_seconds: float) -> Change:
    """Re-plan after one change, with the base roster as `previous`; if it staffs less
    than before, solve the changed scenario afresh for `fresh_seconds` to learn whether
    it could have staffed more."""
    scenario = load(source)
    base = Roster.model_validate_json(roster_path.read_text(encoding="utf-8"))
    made = VARIANTS[kind](scenario, base)
    if isinstance(made, str):
        return Change(what=made, skipped=True)
    fields, what = made
    previous = [Assignment(case=m.case, prosecutor=m.prosecutor, slot=m.slot, on_site=m.on_site)
                for m in base.assignments()]
    changed = scenario.replace(**fields, previous=previous)
    started = perf_counter()
    roster = solve(changed, seconds=seconds, workers=WORKERS, seed=SEED)
    wall = perf_counter() - started
    before, after = teams_of(base), teams_of(roster)
    pairs = {(c, *m) for c, team in before.items() for m in team}
    pairs_after = {(c, *m) for c, team in after.items() for m in team}
    # Whose records the change replaced: the base teams they were on are the ones it touches.
    ill = {p.id for p, q in zip(scenario.prosecutors, changed.prosecutors, strict=True) if p != q}
    had = base.objective.staffed_priority if base.objective else 0
    has = roster.objective.staffed_priority if roster.objective else 0
    return Change(
        what=what, wall=wall, status=roster.status.value,
        priority_before=base.objective.staffed_priority if base.objective else None,
        priority_after=roster.objective.staffed_priority if roster.objective else None,
        assignments_changed=len(pairs ^ pairs_after),
        teams_changed=sorted(c for c in before.keys() | after.keys()
                             if before.get(c) != after.get(c)),
        affected=sorted(c.id for c in base.cases if any(m.prosecutor in ill for m in c.team)),
        valid=check_roster(changed, roster).ok,
        possible=most_possible(changed, fresh_seconds, had) if has < had else None,
    )


# ---------------------------------------------------------------- the run (parent process)


@dataclass
class Row:
    instance: Instance
    solved: Solved
    builds: list[float]


@dataclass
class WhatIfRow:
    instance: Instance
    kind: str
    change: Change


def child(*args: str) -> Any:
    """Run this script on one job in a fresh process; its JSON answer."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def failure(error: subprocess.CalledProcessError) -> str:
    """The last line a failed child wrote, e.g. MemoryError, for the results."""
    lines = (error.stderr or "").strip().splitlines()
    return lines[-1] if lines else f"exit status {error.returncode}"


def instances(args: argparse.Namespace) -> list[Instance]:
    sizes = [Size.parse(s) for s in args.sizes]
    growth = [Size.parse(s) for s in args.growth]
    chosen = []
    if args.hulunbuir:
        chosen.append(Instance(HULUNBUIR, 0, 0, 0, args.hulunbuir_seconds))
    for seed in args.seeds:
        chosen += [Instance(f, s.people, s.cases, seed, args.limit or s.seconds)
                   for s in sizes for f in args.families]
        chosen += [Instance(GROWTH_FAMILY, s.people, s.cases, seed, args.limit or s.seconds,
                            growth=True) for s in growth]
    return chosen


def solve_rows(todo: list[Instance], builds: int, rosters: Path
               ) -> tuple[list[Row], list[tuple[Instance, str]]]:
    rows, errors = [], []
    for inst in todo:
        try:
            solved = Solved.from_json(child("row", inst.source, str(inst.seconds),
                                            str(roster_file(rosters, inst))))
            timings = sorted(child("build", inst.source) for _ in range(builds))
        except subprocess.CalledProcessError as error:
            errors.append((inst, failure(error)))
            print(f"{inst.label}: FAILED {failure(error)}", flush=True)
            continue
        rows.append(Row(inst, solved, timings))
        s = solved
        print(f"{inst.label}: {s.status} priority {s.priority} cost {_fmt(s.cost, '.1f')} "
              f"gap {_fmt(s.gap, '.2%')} wall {s.wall:.1f}s valid {s.valid} "
              f"≥ both {s.at_least_both}", flush=True)
    return rows, errors


def roster_file(folder: Path, inst: Instance) -> Path:
    return folder / f"{inst.family}-{inst.people}x{inst.cases}-s{inst.seed}-{inst.growth}.json"


def what_ifs(rows: list[Row], sizes: set[tuple[int, int]], rosters: Path
             ) -> tuple[list[WhatIfRow], list[tuple[Instance, str]]]:
    """Hulunbuir's what-if of old (at its own limit), then each family at the chosen sizes."""
    jobs: list[tuple[Instance, str, float]] = []
    for row in rows:
        inst = row.instance
        if inst.family == HULUNBUIR:
            jobs.append((inst, "ill-small-team", inst.seconds))
        elif (inst.people, inst.cases) in sizes and not inst.growth:
            jobs += [(inst, kind, WHAT_IF_SECONDS) for kind in ("ill", "road")]
    done, errors = [], []
    for inst, kind, seconds in jobs:
        try:
            answer = child("what-if", inst.source, str(roster_file(rosters, inst)), kind,
                           str(seconds), str(inst.seconds))
        except subprocess.CalledProcessError as error:
            errors.append((inst, f"what-if {kind}: {failure(error)}"))
            continue
        done.append(WhatIfRow(inst, kind, Change(**answer)))
        print(f"what-if {kind} on {inst.label}: {answer['what']}", flush=True)
    return done, errors


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    text: str
    applies: Callable[[Row], bool]
    met: Callable[[Row], bool]
    detail: Callable[[Row], str]  # what a row that misses has instead


def _size(row: Row) -> tuple[int, int]:
    return row.instance.people, row.instance.cases


def _versus(row: Row) -> str:
    s = row.solved
    return (f"{s.priority} / {_fmt(s.cost, '.1f')} against greedy {s.greedy.priority} / "
            f"{s.greedy.cost:.1f} and rarest-first {s.rarest.priority} / {s.rarest.cost:.1f}")


def _first_target(row: Row) -> float:
    return FIRST_TARGETS.get(_size(row), float("inf"))


def _at(size: tuple[int, int]) -> Callable[[Row], bool]:
    return lambda row: _size(row) == size


TARGETS = [
    Target("the roster is ≥ both baselines (priority first, then cost)",
           lambda r: True, lambda r: r.solved.at_least_both, _versus),
    Target(f"within {GAP_TARGET:.0%} of the bound at 2,000 x 300 (30 s) and 4,000 x 700 (60 s)",
           lambda r: (*_size(r), r.instance.seconds) in GAP_ROWS,
           lambda r: r.solved.gap is not None and r.solved.gap <= GAP_TARGET,
           lambda r: "no bound" if r.solved.gap is None else f"gap {r.solved.gap:.2%}"),
    *(Target(f"first roster within {limit:g} s at {size_label(*size)}",
             _at(size),
             lambda r: r.solved.first is not None and r.solved.first <= _first_target(r),
             lambda r: f"first roster at {_fmt(r.solved.first, '.1f')} s")
      for size, limit in FIRST_TARGETS.items()),
    Target(f"peak memory under {MEMORY_TARGET_MB / 1024:g} GB at {size_label(*MEMORY_SIZE)}",
           lambda r: _size(r) == MEMORY_SIZE, lambda r: r.solved.peak_mb < MEMORY_TARGET_MB,
           lambda r: f"{r.solved.peak_mb:,.0f} MB"),
    Target(f"wall within the limit + {WALL_SLACK:g} s",
           lambda r: True, lambda r: r.solved.wall <= r.instance.seconds + WALL_SLACK,
           lambda r: f"{r.solved.wall:.1f} s"),
    Target("the checker accepts the roster and both baselines",
           lambda r: True, lambda r: r.solved.valid and r.solved.greedy.valid and r.solved.rarest.valid,
           lambda r: f"roster {r.solved.valid}, greedy {r.solved.greedy.valid}, "
                     f"rarest-first {r.solved.rarest.valid}"),
]


def target_lines(rows: list[Row], errors: list[tuple[Instance, str]]) -> list[str]:
    lines = ["## Targets", "",
             "Computed from the rows below (a partial run checks only the rows it has).", "",
             "| target | rows | met | missed on |", "|---|---|---|---|"]
    misses = []
    for t in TARGETS:
        applied = [r for r in rows if t.applies(r)]
        missed = [f"{r.instance.label}: {t.detail(r)}" for r in applied if not t.met(r)]
        shown = "; ".join(missed) or ("none" if applied else "no such row in this run")
        lines.append(f"| {t.text} | {len(applied)} | {len(applied) - len(missed)} | {shown} |")
        misses += [f"{t.text} — missed on {m}" for m in missed]
    lines.append("")
    if misses:
        lines += ["Missed:", "", *(f"- {m}" for m in misses)]
    else:
        lines.append("Every target was met on every row it applies to.")
    if errors:
        lines += ["", "Failed (no figures):", "", *(f"- {i.label}: {e}" for i, e in errors)]
    short = [r.instance.label for r in rows if r.solved.priority is not None
             and r.solved.priority_bound is not None and r.solved.priority < r.solved.priority_bound]
    if short:
        lines += ["", "Staffed priority below its proven bound (the gap is then on cost at "
                  "a lower priority, and says less): " + ", ".join(short) + "."]
    return lines


# ---------------------------------------------------------------- results.md


def _fmt(value: Any, spec: str = "") -> str:
    return "" if value is None else format(value, spec)


def header_lines(todo: list[Instance], builds: int, speeds: tuple[str, str]) -> list[str]:
    provinces = [i for i in todo if i.family != HULUNBUIR]
    sizes = sorted({(i.people, i.cases, i.seconds) for i in provinces if not i.growth})
    growth = sorted({(i.people, i.cases, i.seconds) for i in provinces if i.growth})
    families = sorted({i.family for i in provinces if not i.growth}, key=list(FAMILIES).index)
    seeds = sorted({i.seed for i in provinces})

    def listed(shapes: Iterable[tuple[int, int, float]]) -> str:
        return ", ".join(f"{size_label(p, c)} ({s:g} s)" for p, c, s in shapes) or "none"

    hulunbuir = [i for i in todo if i.family == HULUNBUIR]
    return [
        "# Benchmark results", "",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {machine()}",
        f"- speed (the same fixed work on any machine; less is faster): {speeds[0]} before "
        f"the run, {speeds[1]} after",
        f"- command: `{shlex.join(['python', 'bench/run.py', *sys.argv[1:]])}`; "
        f"{WORKERS} workers, solver seed {SEED}",
        "- instances: the shipped Hulunbuir scenario"
        + (f" ({hulunbuir[0].seconds:g} s)" if hulunbuir else " (not in this run)")
        + f"; provinces `synth.province.province(P, C, seed, family=F)`, seeds "
        f"{', '.join(map(str, seeds)) or 'none'}, families {', '.join(families) or 'none'} at "
        f"{listed(sizes)}; growth: {GROWTH_FAMILY} at {listed(growth)} (time limits in brackets)",
        "- valid: the independent checker (`checker/`) accepts the roster; `≥ both`: the roster "
        "is at least as good as both baselines, built in the same process on the same scenario "
        "right after the solve (priority first, then cost): the solver's own greedy, and the "
        "independent rarest-first builder (`scheduler.construct.rarest`); a baseline's seconds "
        "are its construction alone, given eligibility and travel, which `first s` includes",
        "- first: time to the first valid roster (the greedy one); build: "
        + (f"the CP-SAT model of the whole scenario with eligibility and travel, the median of "
           f"{plural(builds, 'build')} (the fastest and slowest in brackets), each timed in a "
           "process of its own (a solve of a large province solves parts and never builds it)"
           if builds else "not timed in this run")
        + "; wall: the whole solve() call, explanations of unstaffed cases included; peak MB: "
        "the solve's own process",
        "- priority bound: no valid roster staffs more; bound and gap: on cost at that staffed "
        "priority (see README, What the answers mean); parts proven: of the parts the search "
        "cut the province into, those CP-SAT proved alone within the limit (empty where the "
        "scenario was one model)",
    ]


def family_lines(todo: list[Instance]) -> list[str]:
    used = {i.family for i in todo}
    return ["## Families", "", "| family | what it stresses |", "|---|---|",
            *(f"| {name} | {about} |" for name, about in FAMILIES.items() if name in used)]


def row_lines(rows: list[Row]) -> list[str]:
    lines = [
        "## Rows", "",
        "| family | people x cases | seed | limit s | status | valid | staffed priority "
        "| priority bound | cost | bound | gap | parts proven | greedy priority | greedy cost "
        "| greedy s "
        "| rarest-first priority | rarest-first cost | rarest-first s | ≥ both | first s "
        "| build s | wall s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
        "---|",
    ]
    for r in rows:
        i, s, g, rf = r.instance, r.solved, r.solved.greedy, r.solved.rarest
        family = f"{i.family} (growth)" if i.growth else i.family
        built = (f"{statistics.median(r.builds):.2f} ({r.builds[0]:.2f}-{r.builds[-1]:.2f})"
                 if r.builds else "")
        lines.append(
            f"| {family} | {size_label(s.people, s.cases)} | {'' if i.family == HULUNBUIR else i.seed} "
            f"| {i.seconds:g} | {s.status} | {s.valid} | {_fmt(s.priority)} "
            f"| {_fmt(s.priority_bound)} | {_fmt(s.cost, '.1f')} | {_fmt(s.bound, '.1f')} "
            f"| {_fmt(s.gap, '.2%')} | {s.parts} | {g.priority} | {g.cost:.1f} | {g.seconds:.2f} "
            f"| {rf.priority} | {rf.cost:.1f} | {rf.seconds:.2f} | {s.at_least_both} "
            f"| {_fmt(s.first, '.2f')} | {built} | {s.wall:.2f} | {s.peak_mb:.0f} |")
    return lines


def _kept(c: Change) -> str:
    """Whether a re-plan kept the staffed priority, or the most of it the change left
    possible."""
    before, after = c.priority_before or 0, c.priority_after or 0
    if after >= before:
        return "yes"
    if c.possible is None:
        return "unknown"
    return "yes (the most possible)" if after >= c.possible else f"no ({c.possible - after} short)"


def what_if_lines(changes: list[WhatIfRow]) -> list[str]:
    lines = [
        "## What-if", "",
        "The solved roster of the row is given as `previous`, then one thing changes and the "
        f"scenario is re-solved ({WHAT_IF_SECONDS:g} s for the provinces; the Hulunbuir what-if "
        "at its row's limit): **ill**, the person on the most teams is unavailable for the whole "
        "horizon; **road**, the road between two offices (every leg joining them) on the most "
        "on-site members' shortest paths is closed; on Hulunbuir, as before, the last member of "
        "the smallest team falls ill. Assignments changed: those that left plus those that "
        "joined; teams changed: cases whose team differs (unstaffed counts as empty).", "",
        "Most possible: when the re-plan staffs less than before, the changed scenario is "
        "solved afresh (no `previous`) at the row's limit, and its proven priority bound is "
        "the most any roster can staff after the change. Teams with the person: the base "
        "roster's teams the ill person was on, which must change.", "",
        "| instance | change | wall s | status | priority before | priority after "
        "| most possible | kept what it could | teams with the person | teams changed "
        "| assignments changed | valid |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in changes:
        c = w.change
        if c.skipped:
            lines.append(f"| {w.instance.label} | {w.kind}: {c.what} |" + " |" * 10)
            continue
        lines.append(
            f"| {w.instance.label} | {w.kind}: {c.what} | {_fmt(c.wall, '.2f')} | {c.status} "
            f"| {_fmt(c.priority_before)} | {_fmt(c.priority_after)} | {_fmt(c.possible)} "
            f"| {_kept(c)} | {len(c.affected) if w.kind != 'road' else ''} | {len(c.teams_changed)} "
            f"| {c.assignments_changed} | {c.valid} |")
    timed = [w for w in changes if not w.change.skipped and w.kind != "ill-small-team"]
    slow = [f"{w.instance.label} {w.kind} ({w.change.wall:.2f} s)" for w in timed
            if (w.change.wall or 0.0) > WHAT_IF_SECONDS]
    short = [f"{w.instance.label} {w.kind}" for w in timed if _kept(w.change).startswith("no")]
    lines += ["", f"Answered within {WHAT_IF_SECONDS:g} s: {len(timed) - len(slow)} of "
              f"{len(timed)}" + (f" (not: {'; '.join(slow)})" if slow else "") + ". "
              f"Kept the most priority possible: {len(timed) - len(short)} of {len(timed)}"
              + (f" (not: {'; '.join(short)})" if short else "") + "."]
    for w in changes:
        if w.kind == "ill-small-team" and not w.change.skipped:
            lines += ["", f"Hulunbuir: teams with that person: {', '.join(w.change.affected)}; teams "
                      f"that changed: {', '.join(w.change.teams_changed) or 'none'}."]
    if changes and all(w.change.valid is not False for w in changes):
        lines += ["", "The checker accepted every re-planned roster."]
    return lines


# ---------------------------------------------------------------- growth.png


def growth_points(rows: list[Row]) -> dict[str, list[tuple[int, float | None, float | None, float]]]:
    """Per family: (people, first s, gap %, peak MB) by size, the mean over seeds."""
    by: dict[tuple[str, int], list[Solved]] = defaultdict(list)
    for r in rows:
        if r.instance.family != HULUNBUIR:
            by[(r.instance.family, r.instance.people)].append(r.solved)

    def mean(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.fmean(known) if known else None

    points: dict[str, list[tuple[int, float | None, float | None, float]]] = defaultdict(list)
    for (family, people), solved in sorted(by.items()):
        gap = mean([s.gap for s in solved])
        points[family].append((people, mean([s.first for s in solved]),
                               None if gap is None else 100 * gap,
                               statistics.fmean(s.peak_mb for s in solved)))
    return points


def draw_growth(rows: list[Row], path: Path) -> None:
    # Imported here: matplotlib is the optional `bench` extra, and the children that solve
    # never draw, so it stays out of their peak memory.
    import matplotlib
    from matplotlib import figure

    matplotlib.use("Agg")

    points = growth_points(rows)
    limits = sorted({(r.instance.people, r.instance.cases, r.instance.seconds)
                     for r in rows if r.instance.family != HULUNBUIR})
    ticks = sorted({p for p, _, _ in limits})
    fig = figure.Figure(figsize=(16, 5.2), layout="constrained")
    panels = fig.subplots(1, 3)
    titles = [("Time to the first roster", "seconds"), ("Gap at the time limit", "% of cost"),
              ("Peak memory", "MB")]
    # Families often coincide (e.g. every gap 0 when proven optimal): markers tell them apart.
    markers = "osD^v<>Xph"
    for k, (ax, (title, unit)) in enumerate(zip(panels, titles, strict=True)):
        for n, family in enumerate(sorted(points, key=list(FAMILIES).index)):
            shown = [(p[0], p[k + 1]) for p in points[family] if p[k + 1] is not None]
            if shown:
                ax.plot(*zip(*shown, strict=True), marker=markers[n % len(markers)],
                        markerfacecolor="none", label=family)
        ax.set_title(title)
        ax.set_ylabel(unit)
        ax.set_xscale("log")
        ax.set_xticks(ticks, [f"{p:,}" for p in ticks])
        ax.minorticks_off()
        ax.set_xlabel("people (log scale)")
        ax.grid(True, alpha=0.3)
    handles, labels = panels[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", title="family")
    fig.suptitle("Solver growth by family; time limits: "
                 + ", ".join(f"{size_label(p, c)} {s:g} s" for p, c, s in limits)
                 + f"; {WORKERS} workers")
    fig.savefig(path, dpi=110)


# ---------------------------------------------------------------- main


def run_child(args: list[str]) -> Any:
    """The job of a child process; its answer is printed as JSON."""
    job, rest = args[0], args[1:]
    if job == "row":
        return run_one(rest[0], float(rest[1]), Path(rest[2])).to_json()
    if job == "build":
        return build_one(rest[0])
    if job == "what-if":
        return asdict(what_if(rest[0], Path(rest[1]), rest[2], float(rest[3]), float(rest[4])))
    raise SystemExit(f"unknown child job {job!r}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--families", nargs="+", choices=list(FAMILIES), default=list(FAMILIES))
    parser.add_argument("--sizes", nargs="*", metavar="PxC:S", default=None,
                        help=f"people x cases : time limit (default {' '.join(SIZES)})")
    parser.add_argument("--growth", nargs="*", metavar="PxC:S", default=None,
                        help=f"growth rows, {GROWTH_FAMILY} family only (default {' '.join(GROWTH)}; "
                        "none if given empty)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[1], help="instance seeds")
    parser.add_argument("--limit", type=float, help="one time limit for every province row")
    parser.add_argument("--what-if-sizes", nargs="*", metavar="PxC", default=None,
                        help=f"sizes whose rows get what-ifs (default {' '.join(WHAT_IF_SIZES)})")
    parser.add_argument("--no-hulunbuir", dest="hulunbuir", action="store_false")
    parser.add_argument("--builds", type=int, default=None,
                        help=f"model builds timed per row (default {BUILD_RUNS}; 0 for none)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: tiny sizes and short limits (results not for committing)")
    parser.add_argument("--out", type=Path, default=HERE / "results.md")
    parser.add_argument("--png", type=Path, help="default: bench/growth.png with the default --out, "
                        "else <out>-growth.png beside --out")
    args = parser.parse_args()
    if not args.limit and any(Size.parse(s).seconds <= 0 for s in (args.sizes or []) + (args.growth or [])):
        parser.error("every size needs a time limit (PxC:S), or give --limit")
    quick = args.quick
    for name, full, small in (("sizes", SIZES, QUICK_SIZES), ("growth", GROWTH, QUICK_GROWTH),
                              ("what_if_sizes", WHAT_IF_SIZES, QUICK_WHAT_IF_SIZES)):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    args.builds = args.builds if args.builds is not None else 1 if quick else BUILD_RUNS
    args.hulunbuir_seconds = QUICK_HULUNBUIR_SECONDS if quick else HULUNBUIR_SECONDS
    if args.png is None:
        default_out = args.out.resolve() == (HERE / "results.md").resolve()
        args.png = HERE / "growth.png" if default_out else args.out.with_name(f"{args.out.stem}-growth.png")
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        print(json.dumps(run_child(args.child)))
        return
    # Fail now rather than after an hour of solving.
    if importlib.util.find_spec("matplotlib") is None:
        raise SystemExit("bench/run.py draws with matplotlib: pip install '.[bench]'")
    todo = instances(args)
    print(f"{len(todo)} solves, time limits adding up to {sum(i.seconds for i in todo):,.0f} s",
          flush=True)
    before = speed()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        rosters = Path(folder)
        rows, errors = solve_rows(todo, args.builds, rosters)
        sizes = {(s.people, s.cases) for s in map(Size.parse, args.what_if_sizes)}
        changes, failed = what_ifs(rows, sizes, rosters)
    speeds = (before, speed())
    draw_growth(rows, args.png)
    picture = ([f"![growth]({args.png.name})", ""]
               if args.png.resolve().parent == args.out.resolve().parent else [])
    lines = [*header_lines(todo, args.builds, speeds), "", *target_lines(rows, errors + failed), "",
             *picture, *row_lines(rows), "", *what_if_lines(changes), "", *family_lines(todo)]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out} and {args.png}")


if __name__ == "__main__":
    main()
