"""Stored rosters: read one, and its utilisation day by day."""

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api.access import Caller, roster_view, shown_params
from api.commitments import active, for_solving
from api.deps import CallerDep, LangDep, SessionDep
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.scenarios import scenario_province, stored_body
from api.schemas import RosterView
from api.tables import RosterRow
from api.utilisation import Utilisation, utilisation
from api.workbooks import XLSX
from i18n import localised, localised_resilience
from models import Roster, Scenario
from models.resilience import Resilience
from notice import NoticeError, notice_html
from scheduler import roster_resilience
from sheets import roster_workbook

AcceptHeader = Annotated[str | None, Header(description="application/json (the default) or "
                                                        "the .xlsx media type for a workbook.")]

router = APIRouter(route_class=InputRoute, prefix="/rosters", tags=["rosters"], responses=documented(404))


def shown_roster(session: Session, caller: Caller, row: RosterRow) -> Roster:
    """The part of a stored roster the caller may see, or 404 when there is none."""
    roster = Roster.model_validate(row.body)
    if caller.whole_province:  # the province is on the scenario's row: no need to parse it
        if caller.sees_province(scenario_province(session, row.scenario_id)):
            return roster
    else:
        shown = roster_view(caller, _scenario(session, row), roster)
        if shown is not None:
            return shown
    raise ApiError(404, "problem.no_roster", id=row.id)


def _scenario(session: Session, row: RosterRow) -> Scenario:
    return Scenario.model_validate(stored_body(session, row.scenario_id, row.scenario_version))


def _row(session: Session, roster_id: str) -> RosterRow:
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, "problem.no_roster", id=roster_id)
    return row


@router.get("/{roster_id}", response_model=RosterView, summary="Read a roster",
            responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The roster, as JSON or (by Accept) a workbook."}})
def read_roster(roster_id: str, session: SessionDep, caller: CallerDep, lang: LangDep,
                accept: AcceptHeader = None) -> RosterView | Response:
    """A stored roster with the exact scenario version and parameters it was solved on;
    outside the whole province, only the cases of the caller's jurisdiction. With
    `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, a workbook:
    summary, a sheet per team, the unstaffed cases with reasons, the load per person and day."""
    row = _row(session, roster_id)
    if accept is not None and XLSX in accept:
        roster = shown_roster(session, caller, row)
        scenario = _scenario(session, row)
        booked = for_solving(scenario, active(session, scenario.province))
        return Response(roster_workbook(booked, roster, lang), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="roster-{row.id}.xlsx"'})
    shown = RosterView.of(row, localised(shown_roster(session, caller, row), lang))
    if caller.whole_province:
        return shown
    return shown.model_copy(update={"params": shown_params(caller, _scenario(session, row),
                                                           row.params)})


@router.get("/{roster_id}/utilisation", response_model=Utilisation,
            summary="Who is how loaded, day by day")
def roster_utilisation(roster_id: str, session: SessionDep, caller: CallerDep) -> Utilisation:
    """Each serving person's load on each day (with the commitments in force now), and each
    office's staff at home against its minimum, for the cases the caller may see."""
    row = _row(session, roster_id)
    shown = shown_roster(session, caller, row)
    scenario = _scenario(session, row)
    return utilisation(for_solving(scenario, active(session, scenario.province)), shown)


@router.get("/{roster_id}/resilience", response_model=Resilience,
            summary="Standbys for every member, and each team's fragility")
def roster_resilience_view(roster_id: str, session: SessionDep, caller: CallerDep,
                           lang: LangDep) -> Resilience:
    """For every member of every staffed team, the best standby (one person who could take
    that place alone, every hard rule and every other team kept), or why there is none;
    per team, how many members have none; the mandatory cases one absence unstaffs.
    Standbys come from the whole province, so this takes a key of the whole province."""
    row = _row(session, roster_id)
    roster = shown_roster(session, caller, row)  # 404 for a roster the caller cannot see
    caller.require_province(scenario_province(session, row.scenario_id), "read_standbys")
    scenario = _scenario(session, row)
    booked = for_solving(scenario, active(session, scenario.province))
    return localised_resilience(roster_resilience(booked, roster), lang)


NoticeLang = Annotated[Literal["zh", "en"], Query(description="The notice's language; Chinese "
                                                               "unless asked otherwise.")]


@router.get("/{roster_id}/cases/{case_id}/notice", response_class=HTMLResponse,
            summary="The printable task-force notice of a staffed case")
def case_notice(roster_id: str, case_id: str, session: SessionDep, caller: CallerDep,
                lang: NoticeLang = "zh") -> HTMLResponse:
    """The task-force notice (专案组组成通知) of one staffed case of a stored roster: an HTML
    page with print CSS that fetches nothing; 404 for a case the caller may not see or
    that is not staffed."""
    row = _row(session, roster_id)
    roster = shown_roster(session, caller, row)
    try:
        page = notice_html(_scenario(session, row), roster, case_id, lang)
    except NoticeError as e:
        raise ApiError(404, e.reason) from None
    # The notice's language is the query's (Chinese by default), never Accept-Language's.
    return HTMLResponse(page, headers={"Content-Language": lang})
