"""Builders for hand-made scenarios of two or three prosecutors, and a checked solve."""

from typing import Any

from checker import check_roster
from i18n import render
from models import Reason, Roster, Scenario, Slot, Status, TeamMember, parse_scenario
from models.roster import CaseRoster
from scheduler import solve

Data = dict[str, Any]


def unit(uid: str, tier: str = "grassroots", parent: str | None = None, min_staff: int = 0,
         lat: float = 49.0, lon: float = 119.0) -> Data:
    """A unit; min_staff_at_home is 0 unless a test is about home staffing."""
    return {"id": uid, "name": uid.title(), "tier": tier, "parent": parent,
            "location": {"lat": lat, "lon": lon}, "min_staff_at_home": min_staff}


def person(pid: str, home: str, role: str = "prosecutor", **extra: Any) -> Data:
    """A person with criminal level 2 and 10 years of experience unless told otherwise."""
    return {"id": pid, "name": pid.title(), "home": home, "role": role,
            "skills": {"criminal": 2}, "years": 10, **extra}


def case(cid: str, venue: str, start: str = "2022-01-01", end: str = "2022-01-10",
         **extra: Any) -> Data:
    """A criminal case needing one prosecutor-rank member and no leader unless told otherwise."""
    data: Data = {"id": cid, "kind": "criminal", "venue": venue, "start": start, "end": end,
                  "scope": "provincial", "team": {"leader": None, "members": {"prosecutor": 1}}}
    data.update(extra)
    return data


def road(a: str, b: str, minutes: float) -> Data:
    return {"a": a, "b": b, "minutes": minutes}


def scenario(units: list[Data], people: list[Data], cases: list[Data], **extra: Any) -> Scenario:
    """A validated scenario built from the parts above."""
    return parse_scenario({"name": "tiny", "units": units, "prosecutors": people,
                           "cases": cases, **extra})


def solved(s: Scenario, seconds: float = 10.0) -> Roster:
    """Solve with one worker and a fixed seed, and insist the independent checker agrees."""
    roster = solve(s, seconds=seconds, workers=1, seed=0)
    if roster.objective is not None:
        report = check_roster(s, roster)
        assert report.ok, report.violations
    return roster


def team(roster: Roster, cid: str) -> set[str]:
    """Ids of the people on case `cid`'s team."""
    return {m.prosecutor for c in roster.cases if c.id == cid for m in c.team}


def staffed(roster: Roster, cid: str) -> bool:
    return next(c.staffed for c in roster.cases if c.id == cid)


def roster_of(s: Scenario, teams: dict[str, list[tuple[str, str]]],
              on_site: bool | None = None) -> Roster:
    """A hand-written roster: case id -> [(person, slot)]; on_site follows remote_roles
    unless forced."""
    cases = []
    for c in s.cases:
        members = [TeamMember(case=c.id, prosecutor=p, slot=Slot(slot),
                              on_site=c.team.on_site(Slot(slot)) if on_site is None else on_site)
                   for p, slot in teams.get(c.id, [])]
        cases.append(CaseRoster(id=c.id, staffed=c.id in teams, team=members))
    return Roster(scenario=s.name, status=Status.FEASIBLE, cases=cases)


def broken_rules(s: Scenario, teams: dict[str, list[tuple[str, str]]],
                 on_site: bool | None = None) -> set[str]:
    """The rule numbers the checker finds broken in a hand-written roster."""
    return {v.rule.split()[0] for v in check_roster(s, roster_of(s, teams, on_site)).violations}


def english(reason: Reason | None) -> str:
    """A reason in English words, or "" for none."""
    return "" if reason is None else render(reason, "en")
