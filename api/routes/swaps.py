"""Swapping one member of a stored roster's team by hand: the people the solver holds
eligible for that place, and the swap checked at once by the independent checker."""

from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.access import Caller
from api.commitments import active, for_solving
from api.deps import CallerDep, LangDep, SessionDep
from api.jobs import narrowed
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.scenarios import scenario_province, stored_body
from api.schemas import Body, RosterView
from api.tables import RosterRow
from checker import check_roster
from i18n import localised
from models import Objective, Roster, Scenario, Slot, Status
from models.enums import KeyRole
from models.scenario import MAX_TEXT
from models.validation import problem
from scheduler.model.core import make_context

router = APIRouter(route_class=InputRoute, prefix="/rosters", tags=["rosters"],
                   responses=documented(404, 422))
SlotQuery = Annotated[Slot, Query(description="The place on the team: leader, prosecutor, "
                                               "assistant or clerk.")]


class Candidate(BaseModel):
    prosecutor: str = Field(description="A person the solver holds eligible for the place.")
    name: str = Field(description="Their name.")
    home: str = Field(description="Their home office.")
    on_site: bool = Field(description="Whether they would work at the venue (else by video).")
    travel_minutes: float = Field(description="One-way travel minutes to the venue.")


class SwapRequest(Body):
    case: str = Field(min_length=1, max_length=MAX_TEXT, description="The staffed case.")
    out: str = Field(min_length=1, max_length=MAX_TEXT, description="The member who leaves.")
    into: str = Field(min_length=1, max_length=MAX_TEXT,
                      description="Who takes the place: one of its candidates.")


def _loaded(session: Session, roster_id: str, caller: Caller,
            action: str) -> tuple[RosterRow, Roster, Scenario]:
    """The roster and its scenario as a solve now sees it (commitments in force); the
    people of the whole province are offered, so this takes a key of the whole province."""
    row = session.get(RosterRow, roster_id)
    if row is None or not caller.sees_province(scenario_province(session, row.scenario_id)):
        raise ApiError(404, "problem.no_roster", id=roster_id)
    caller.require_province(scenario_province(session, row.scenario_id), action)
    scenario = Scenario.model_validate(stored_body(session, row.scenario_id, row.scenario_version))
    return row, Roster.model_validate(row.body), for_solving(scenario, active(session, scenario.province))


def _candidates(scenario: Scenario, roster: Roster, case_id: str, slot: Slot) -> list[Candidate]:
    entry = next((c for c in roster.cases if c.id == case_id and c.staffed), None)
    if entry is None:
        raise ApiError(404, "problem.not_staffed_case", case=case_id)
    on_team = {m.prosecutor for m in entry.team}
    people = scenario.prosecutor_by_id
    ctx = make_context(narrowed(scenario, [case_id]))
    return sorted((Candidate(prosecutor=o.person, name=people[o.person].name,
                             home=people[o.person].home, on_site=o.on_site,
                             travel_minutes=round(o.travel_minutes, 1))
                   for o in ctx.candidates.by_case.get(case_id, [])
                   if o.slot is slot and o.person not in on_team),
                  key=lambda c: (c.travel_minutes, c.prosecutor))


@router.get("/{roster_id}/cases/{case_id}/candidates", response_model=list[Candidate],
            summary="Who may take a place on a team")
def candidates(roster_id: str, case_id: str, slot: SlotQuery, session: SessionDep,
               caller: CallerDep) -> list[Candidate]:
    """The people the solver holds eligible for `slot` on the staffed case's team (scope,
    rank, expertise, travel, leave), not on the team already, nearest first. Whether they
    have room for it beside their other cases is the checker's to say when swapping."""
    _, roster, scenario = _loaded(session, roster_id, caller, "swap_members")
    return _candidates(scenario, roster, case_id, slot)


@router.post("/{roster_id}/swaps", status_code=201, response_model=RosterView,
             summary="Swap a member of a team by hand", responses=documented(403))
def swap(roster_id: str, body: SwapRequest, session: SessionDep, caller: CallerDep,
         lang: LangDep) -> RosterView:
    """Put `into` in `out`'s place on the case's team and check the roster at once with the
    independent checker: 422 naming each rule the swap breaks (capacity, home staffing, a
    skill or language no longer covered, ...); else the new roster, stored, to be committed
    or solved again from."""
    caller.require(KeyRole.PLANNER, "swap_members")
    row, roster, scenario = _loaded(session, roster_id, caller, "swap_members")
    entry = next((c for c in roster.cases if c.id == body.case and c.staffed), None)
    if entry is None:
        raise ApiError(404, "problem.not_staffed_case", case=body.case)
    leaving = next((m for m in entry.team if m.prosecutor == body.out), None)
    if leaving is None:
        raise ApiError(422, "problem.swap_invalid", [problem("out", "invalid.not_on_team", body.out)])
    offered = {c.prosecutor: c for c in _candidates(scenario, roster, body.case, leaving.slot)}
    if body.into not in offered:
        raise ApiError(422, "problem.swap_invalid",
                       [problem("into", "invalid.not_candidate", body.into)])
    joining = offered[body.into]
    member = leaving.model_copy(update={
        "prosecutor": joining.prosecutor, "name": joining.name, "home": joining.home,
        "on_site": joining.on_site, "travel_minutes": joining.travel_minutes,
        "pinned": False, "reasons": []})
    team = [member if m is leaving else m for m in entry.team]
    swapped = roster.model_copy(update={"cases": [
        c.model_copy(update={"team": team}) if c is entry else c for c in roster.cases]})
    # The rules the swap breaks: not those the roster broke already (commitments made
    # since it was solved), nor its figures, which are recomputed below.
    before = {(v.rule, repr(v.reason)) for v in check_roster(scenario, roster).violations}
    report = check_roster(scenario, swapped)
    broken = [v for v in report.violations
              if v.rule != "objective" and (v.rule, repr(v.reason)) not in before]
    if broken:
        raise ApiError(422, "problem.swap_breaks", [
            problem(f"rule {v.rule}", v.reason.code, body.case, **v.reason.params) for v in broken])
    cost = report.cost
    swapped = swapped.model_copy(update={
        "status": Status.FEASIBLE,
        "objective": Objective(staffed_priority=report.staffed_priority, cost=round(cost, 4),
                               components=report.components),
        "gap": None if roster.bound is None else (cost - roster.bound) / max(1.0, cost),
        "alternatives": []})
    stored = RosterRow.of(swapped, id=uuid4().hex, scenario_id=row.scenario_id,
                          scenario_version=row.scenario_version,
                          params=row.params | {"swap": {"from": row.id, "case": body.case,
                                                         "out": body.out, "into": body.into}})
    session.add(stored)
    session.commit()
    return RosterView.of(stored, localised(swapped, lang))
