"""Contingency sweeps: re-plan a roster once per contingency and measure the damage.

A contingency changes the scenario; the re-plan solves the changed scenario with the base
roster as `previous`, so every team that still holds stays (README, "How a solve goes").

- **member**: a person on the roster is absent (`unavailable`) on the days of every case
  they serve.
- **office**: an office is closed from the first day of any case to the last: its people
  are unavailable, and the cases held at it (their venue) cannot go ahead, so they are
  taken out of the re-plan and count as lost. A case it leads but holds elsewhere goes on
  with people from other offices. Roads through it stay open: a closed procuratorate
  does not close the county's roads.
- **road**: every road leg between two offices is closed; travel goes round by the other
  roads, or the offices become unreachable. A scenario with a single road has no road
  contingency: without roads, travel would be estimated from distance instead.

A mandatory case that a contingency makes impossible would make the re-plan infeasible
and hide everything else it does; the re-plan is solved again with those cases optional,
and the outcome names them (`mandatory_lost`), ranked before any other damage.

Everything here is pure computation; `scheduler.sweep_run` runs the re-plans side by side.
"""

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Protocol

from models import Assignment, Interval, Roster, Scenario, Status
from models.ids import CaseId
from models.reason import Reason, why
from models.sweep import Absent, Move, Outcome, Sweep
from scheduler.explain.words import person_ref, unit_ref


class Report(Protocol):
    """What a checker answers: whether every hard rule holds."""

    @property
    def ok(self) -> bool: ...


# An independent checker of a roster against a scenario (`checker.check_roster`), passed in
# by the caller so that the scheduler does not share code with it.
Check = Callable[[Scenario, Roster], Report]
Solve = Callable[[Scenario], Roster]


@dataclass(frozen=True)
class Contingency:
    """One thing that goes wrong: kind 'member', 'office' or 'road', and its target."""

    kind: str
    target: str  # a person's id, an office's id, or a road's ends joined by '~'
    reason: Reason
    ends: tuple[str, str] = ("", "")  # a road's two offices, in `road_ends` order


def road_ends(a: str, b: str) -> tuple[str, str]:
    """A road's ends in a stable order: roads are undirected."""
    first, second = sorted((a, b))
    return first, second


def road_key(a: str, b: str) -> str:
    """A road's ends joined by '~', to show; ids are free text and may hold '~' themselves,
    so roads are told apart by their `road_ends`, never by this."""
    return "~".join(road_ends(a, b))


def contingencies(scenario: Scenario, roster: Roster, absent: Absent) -> tuple[
        list[Contingency], list[Reason]]:
    """The contingencies a sweep tries, in scenario order, and those it cannot (with why)."""
    if absent is Absent.EACH_MEMBER:
        on_roster = {m.prosecutor for m in roster.assignments()}
        return [Contingency("member", p.id, why("sweep.member", person=person_ref(p)))
                for p in scenario.prosecutors if p.id in on_roster], []
    if absent is Absent.EACH_OFFICE:
        return [Contingency("office", u.id, why("sweep.office", unit=unit_ref(u)))
                for u in scenario.units], []
    units = scenario.unit_by_id
    seen: dict[tuple[str, str], Contingency] = {}
    for r in scenario.roads:
        ends = road_ends(r.a, r.b)
        if ends not in seen:
            seen[ends] = Contingency("road", road_key(r.a, r.b),
                                     why("sweep.road", a=unit_ref(units[ends[0]]),
                                         b=unit_ref(units[ends[1]])), ends)
    if len(seen) == 1:
        # Closing the only road would switch travel to the distance estimate.
        return [], [why("sweep.only_road", road=next(iter(seen.values())).reason)]
    return list(seen.values()), []


def roster_cases(scenario: Scenario, roster: Roster) -> Scenario:
    """The scenario cut down to the cases the roster lists (a roster solved for some cases
    only is swept on those), with their previous assignments."""
    listed = {c.id for c in roster.cases}
    if listed >= set(scenario.case_by_id):
        return scenario
    return scenario.replace(cases=[c for c in scenario.cases if c.id in listed],
                            previous=[a for a in scenario.previous if a.case in listed])


def with_previous(scenario: Scenario, base: Roster) -> Scenario:
    """The scenario with the base roster as `previous` (pinned assignments kept), so that
    unchanged teams stay unless moving them pays; and with the weights the base roster was
    solved with (`solve --robust`), so that the re-plans cost what it cost."""
    kept = [a for a in scenario.previous if a.pinned]
    taken = {(a.case, a.prosecutor) for a in kept}
    for m in base.assignments():
        case = scenario.case_by_id.get(m.case)
        if (case is None or m.prosecutor not in scenario.prosecutor_by_id
                or m.slot not in case.team.slots() or (m.case, m.prosecutor) in taken):
            continue
        taken.add((m.case, m.prosecutor))
        kept.append(Assignment(case=m.case, prosecutor=m.prosecutor, slot=m.slot,
                               on_site=m.on_site))
    if base.weights is not None:
        policy = scenario.policy.model_copy(update={"weights": base.weights})
        return scenario.replace(previous=kept, policy=policy)
    return scenario.replace(previous=kept)


def _horizon(scenario: Scenario) -> Interval | None:
    if not scenario.cases:
        return None
    return Interval(start=min(c.start for c in scenario.cases),
                    end=max(c.end for c in scenario.cases))


def _absent(scenario: Scenario, people: dict[str, list[Interval]]) -> Scenario:
    """`people` unavailable on their intervals, and no longer pinned anywhere (a pin the
    contingency breaks is the contingency's damage, not an infeasible re-plan)."""
    prosecutors = [p.model_copy(update={"unavailable": [*p.unavailable, *people[p.id]]})
                   if people.get(p.id) else p for p in scenario.prosecutors]
    previous = [a.model_copy(update={"pinned": False}) if a.prosecutor in people and a.pinned
                else a for a in scenario.previous]
    return scenario.replace(prosecutors=prosecutors, previous=previous)


def changed(scenario: Scenario, roster: Roster, c: Contingency) -> Scenario:
    """The scenario as the contingency leaves it (the base roster already `previous`)."""
    if c.kind == "member":
        cases = scenario.case_by_id
        days = [Interval(start=cases[m.case].start, end=cases[m.case].end)
                for m in roster.assignments() if m.prosecutor == c.target and m.case in cases]
        return _absent(scenario, {c.target: days})
    if c.kind == "office":
        horizon = _horizon(scenario)
        people = {p.id: [horizon] for p in scenario.prosecutors
                  if p.home == c.target and horizon is not None}
        closed = _absent(scenario, people)
        held = {k.id for k in scenario.cases if k.venue == c.target}
        return closed.replace(cases=[k for k in closed.cases if k.id not in held],
                              previous=[a for a in closed.previous if a.case not in held])
    return scenario.replace(roads=[r for r in scenario.roads if road_ends(r.a, r.b) != c.ends])


def _optional(scenario: Scenario, cases: set[CaseId]) -> Scenario:
    return scenario.replace(
        cases=[k.model_copy(update={"mandatory": False}) if k.id in cases else k
               for k in scenario.cases],
        previous=[a.model_copy(update={"pinned": False}) if a.case in cases and a.pinned else a
                  for a in scenario.previous])


def replan(scenario: Scenario, roster: Roster, c: Contingency, solve: Solve,
           check: Check) -> Outcome:
    """Re-plan `roster` of `scenario` (with it as `previous`) under contingency `c`, check
    the re-plan, and measure the damage (ranked later: `rank` 1 until then)."""
    started = perf_counter()
    base = with_previous(scenario, roster)
    after = changed(base, roster, c)
    gone = [k for k in base.cases if k.mandatory and k.id not in after.case_by_id]
    replanned = solve(after)
    lost = [k.id for k in gone]
    if replanned.status is Status.INFEASIBLE:
        # Which mandatory cases fell is what the command center needs; the re-plan with
        # them optional tells the rest. Those it still staffs were not lost.
        mandatory = {k.id for k in after.cases if k.mandatory}
        after = _optional(after, mandatory)
        replanned = solve(after)
        staffed = {k.id for k in replanned.cases if k.staffed}
        lost += sorted(mandatory - staffed)
    valid = replanned.objective is not None and check(after, replanned).ok
    return _outcome(base, roster, c, replanned, valid, lost, perf_counter() - started)


def _placed(roster: Roster) -> set[tuple[str, str, str]]:
    return {(m.case, m.prosecutor, m.slot.value) for m in roster.assignments()}


def _outcome(base: Scenario, roster: Roster, c: Contingency, replanned: Roster, valid: bool,
             lost: list[CaseId], seconds: float) -> Outcome:
    before, after = _placed(roster), _placed(replanned)
    moves = sorted([Move(case=k, prosecutor=p, slot=s, joins=False) for k, p, s in before - after]
                   + [Move(case=k, prosecutor=p, slot=s, joins=True) for k, p, s in after - before],
                   key=lambda m: (m.case, m.joins, m.prosecutor))
    was = {k.id for k in roster.cases if k.staffed}
    now = {k.id for k in replanned.cases if k.staffed}
    cases = base.case_by_id
    was_priority = sum(cases[k].priority for k in was if k in cases)
    now_priority = sum(cases[k].priority for k in now if k in cases)
    return Outcome(
        rank=1, kind=c.kind, target=c.target, contingency=c.reason, status=replanned.status,
        valid=valid, mandatory_lost=sorted(set(lost)), priority_lost=was_priority - now_priority,
        cases_unstaffed=sorted(was - now), cost_added=round(_cost(replanned) - _cost(roster), 2),
        people_moved=len({m.prosecutor for m in moves}), moves=moves, seconds=round(seconds, 3))


def _cost(roster: Roster) -> float:
    """The roster's cost without the 'changes' term, which a re-plan pays for every
    assignment it drops (people moved counts those)."""
    if roster.objective is None:
        return 0.0
    return roster.objective.cost - roster.objective.components.get("changes", 0.0)


def damage(o: Outcome) -> tuple[int, int, int, float, int]:
    """The order of damage, worst first once negated: an invalid re-plan, mandatory cases
    lost, priority lost, cases unstaffed, cost added, people moved."""
    return (len(o.mandatory_lost) + (not o.valid), o.priority_lost, len(o.cases_unstaffed),
            o.cost_added, o.people_moved)


def rank(scenario: Scenario, roster: Roster, absent: Absent, outcomes: list[Outcome],
         skipped: list[Reason], seconds_per_replan: float, seconds: float) -> Sweep:
    """The sweep: outcomes from the most damaging to the least (ties in scenario order)."""
    order = sorted(outcomes, key=lambda o: tuple(-x for x in damage(o)))
    objective = roster.objective
    return Sweep(scenario=scenario.name, absent=absent, seconds_per_replan=seconds_per_replan,
                 base_priority=objective.staffed_priority if objective else 0,
                 base_cost=_cost(roster),
                 outcomes=[o.model_copy(update={"rank": i}) for i, o in enumerate(order, 1)],
                 skipped=skipped, seconds=round(seconds, 3))
