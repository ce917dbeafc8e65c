"""Contingency sweeps of stored rosters: run one (within the request), read it, download it.

A sweep re-plans the whole province once per contingency and shows every re-plan's
figures, so it takes a key of the whole province, as what-if does; others get 404 for a
sweep and 403 for starting one on a roster they can see.
"""

from datetime import datetime
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import Caller
from api.commitments import active, for_solving
from api.deps import CallerDep, LangDep, SessionDep, SettingsDep
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.rosters import shown_roster
from api.routes.scenarios import scenario_province, stored_body
from api.routes.whatif import solve_slot
from api.schemas import Body, Seed
from api.sweep_queue import queued_sweep
from api.tables import RosterRow, SweepRow
from api.workbooks import XLSX
from checker import check_roster
from i18n import Language, localised_sweep, render
from models import Roster, Scenario
from models.enums import KeyRole
from models.sweep import Absent, Sweep
from scheduler.sweep import roster_cases
from scheduler.sweep_run import SweepFailedError, TooManyError, sweep
from sheets.sweep import sweep_csv, sweep_workbook

CSV = "text/csv"
# A sweep is answered within its request: at most this many re-plan seconds per solve
# process (contingencies x seconds / processes), about ten minutes of waiting.
MAX_SWEEP_SECONDS = 600.0
MAX_CONTINGENCIES = 2000

router = APIRouter(route_class=InputRoute, tags=["sweeps"], responses=documented(404, 422, 429))


class SweepRequest(Body):
    """Which contingencies to try and how long each re-plan may take."""

    absent: Absent = Field(description="each-member, each-office or each-road.")
    seconds: float = Field(default=0.5, gt=0, le=30, allow_inf_nan=False, strict=True,
                           description="Time limit of each re-plan.")
    seed: Seed = 0


class SweepView(BaseModel):
    """A stored sweep, with the roster and scenario version it was run on."""

    id: str = Field(description="The sweep's id.")
    roster_id: str = Field(description="The base roster.")
    scenario_id: str = Field(description="The scenario the roster was solved on.")
    scenario_version: int = Field(description="Its version.")
    created_at: datetime = Field(description="When the sweep was run.")
    sweep: Sweep = Field(description="The contingencies, most damaging first.")


class SweepSummary(BaseModel):
    """A stored sweep in a list: what was tried, when, and the worst damage."""

    id: str = Field(description="The sweep's id.")
    absent: Absent = Field(description="The contingencies tried.")
    created_at: datetime = Field(description="When the sweep was run.")
    contingencies: int = Field(description="How many re-plans it made.")


def _view(row: SweepRow, lang: Language) -> SweepView:
    found = localised_sweep(Sweep.model_validate(row.body), lang)
    return SweepView(id=row.id, roster_id=row.roster_id, scenario_id=row.scenario_id,
                     scenario_version=row.scenario_version, created_at=row.created_at,
                     sweep=found)


def _base(session: Session, caller: Caller, roster_id: str) -> tuple[RosterRow, Scenario, Roster]:
    """The roster to sweep and its scenario as solved (with the commitments in force), or
    404 / 403 / 422."""
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, "problem.no_roster", id=roster_id)
    roster = shown_roster(session, caller, row)  # 404 for a roster the caller cannot see
    caller.require(KeyRole.PLANNER, "sweep_roster")
    caller.require_province(scenario_province(session, row.scenario_id), "sweep_roster")
    scenario = Scenario.model_validate(stored_body(session, row.scenario_id,
                                                   row.scenario_version))
    # A roster solved for some cases only is swept on those.
    booked = for_solving(roster_cases(scenario, roster), active(session, scenario.province))
    return row, booked, roster


@router.post("/rosters/{roster_id}/sweeps", response_model=SweepView, status_code=201,
             summary="Re-plan a roster once per contingency, ranked by damage")
def run_sweep(roster_id: str, body: SweepRequest, session: SessionDep, settings: SettingsDep,
              caller: CallerDep, request: Request, response: Response,
              lang: LangDep) -> SweepView:
    """Re-plan the roster once per contingency (each member on the roster absent on the
    days of their cases; each office closed, with the cases held at it; each road closed),
    with the roster as `previous`, every re-plan checked by the independent checker; rank
    them by damage (mandatory cases lost, priority lost, cases unstaffed, cost added,
    people moved) and store the result. Answered within the request: 422 when the sweep
    would take more than ten minutes of re-plans per solve process."""
    row, scenario, roster = _base(session, caller, roster_id)
    broken = check_roster(scenario, roster).violations
    if broken:
        # A roster the commitments made since overtake, or one solved for some cases only.
        raise ApiError(422, "problem.sweep_roster_invalid", id=roster_id,
                       problem=render(broken[0].reason, lang))
    parallel = settings.solve_workers
    limit = min(MAX_CONTINGENCIES, int(MAX_SWEEP_SECONDS * parallel / body.seconds))
    sweep_id = uuid4().hex
    try:
        if request.app.state.queued:  # re-plans by the queue's workers, not this process
            found = queued_sweep(request.app.state.sessions, request.app.state.runner.queue,
                                 scenario, roster, body.absent, seconds=body.seconds,
                                 seed=body.seed, limit=limit,
                                 stalled_seconds=settings.worker_stalled_seconds,
                                 sweep_id=sweep_id)
        else:
            with solve_slot(request, settings):
                found = sweep(scenario, roster, body.absent, seconds=body.seconds,
                              parallel=parallel, check=check_roster, seed=body.seed,
                              limit=limit)
    except TooManyError as e:
        raise ApiError(422, "problem.sweep_too_many", n=e.count, limit=e.limit,
                       absent=body.absent.value) from None
    except SweepFailedError:
        raise ApiError(503, "problem.sweep_failed") from None
    stored = SweepRow(id=sweep_id, roster_id=row.id, scenario_id=row.scenario_id,
                      scenario_version=row.scenario_version, province=scenario.province,
                      absent=body.absent.value, params=body.model_dump(mode="json"),
                      body=found.model_dump(mode="json"), actor=caller.actor)
    session.add(stored)
    session.commit()
    response.headers["Location"] = f"/sweeps/{stored.id}"
    return _view(stored, lang)


@router.get("/rosters/{roster_id}/sweeps", response_model=list[SweepSummary],
            summary="The sweeps run on a roster")
def list_sweeps(roster_id: str, session: SessionDep, caller: CallerDep) -> list[SweepSummary]:
    """The sweeps of a roster, newest first (a key of the whole province)."""
    row = session.get(RosterRow, roster_id)
    if row is None or not _sees(caller, scenario_province(session, row.scenario_id)):
        raise ApiError(404, "problem.no_roster", id=roster_id)
    rows = session.scalars(select(SweepRow).where(SweepRow.roster_id == roster_id)
                           .order_by(SweepRow.created_at.desc(), SweepRow.id)).all()
    return [SweepSummary(id=r.id, absent=Absent(r.absent), created_at=r.created_at,
                         contingencies=len(r.body.get("outcomes", []))) for r in rows]


def _sees(caller: Caller, province: str) -> bool:
    return caller.whole_province and caller.sees_province(province)


AcceptHeader = Annotated[str | None, Header(description="application/json (the default), "
                                                        "text/csv, or the .xlsx media type.")]


@router.get("/sweeps/{sweep_id}", response_model=SweepView, summary="Read a sweep",
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}},
                                         CSV: {"schema": {"type": "string"}}},
                             "description": "The sweep, as JSON, CSV or a workbook (by Accept)."}})
def read_sweep(sweep_id: str, session: SessionDep, caller: CallerDep, lang: LangDep,
               accept: AcceptHeader = None) -> SweepView | Response:
    """A stored sweep, most damaging contingency first. With `Accept: text/csv`, the ranked
    table as CSV; with the .xlsx media type, a workbook (the ranked table, and every
    assignment each re-plan added or dropped)."""
    row = session.get(SweepRow, sweep_id)
    if row is None or not _sees(caller, row.province):
        raise ApiError(404, "problem.no_sweep", id=sweep_id)
    view = _view(row, lang)
    if accept is not None and XLSX in accept:
        return Response(sweep_workbook(view.sweep, lang), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="sweep-{row.id}.xlsx"'})
    if accept is not None and CSV in accept:
        return Response(sweep_csv(view.sweep, lang), media_type=f"{CSV}; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="sweep-{row.id}.csv"'})
    return view
