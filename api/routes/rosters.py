"""Stored rosters: read one, and its utilisation day by day."""

from fastapi import APIRouter
from sqlalchemy.orm import Session

from api.access import Caller, roster_view
from api.commitments import active, for_solving
from api.deps import CallerDep, SessionDep
from api.problems import ApiError, documented
from api.routes.scenarios import stored_body
from api.schemas import RosterView
from api.tables import RosterRow
from api.utilisation import Utilisation, utilisation
from models import Roster, Scenario

router = APIRouter(prefix="/rosters", tags=["rosters"], responses=documented(404))


def shown_roster(session: Session, caller: Caller, row: RosterRow) -> tuple[Scenario, Roster]:
    """The roster's scenario and the part of the roster the caller may see, or 404."""
    scenario = Scenario.model_validate(stored_body(session, row.scenario_id,
                                                   row.scenario_version))
    shown = roster_view(caller, scenario, Roster.model_validate(row.body))
    if shown is None:
        raise ApiError(404, f"no roster '{row.id}'")
    return scenario, shown


def _row(session: Session, roster_id: str) -> RosterRow:
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, f"no roster '{roster_id}'")
    return row


@router.get("/{roster_id}", response_model=RosterView, summary="Read a roster")
def read_roster(roster_id: str, session: SessionDep, caller: CallerDep) -> RosterView:
    """A stored roster with the exact scenario version and parameters it was solved on;
    outside the whole province, only the cases of the caller's jurisdiction."""
    row = _row(session, roster_id)
    return RosterView.of(row, shown_roster(session, caller, row)[1])


@router.get("/{roster_id}/utilisation", response_model=Utilisation,
            summary="Who is how loaded, day by day")
def roster_utilisation(roster_id: str, session: SessionDep, caller: CallerDep) -> Utilisation:
    """Each serving person's load on each day (with the commitments in force now), and each
    office's staff at home against its minimum, for the cases the caller may see."""
    row = _row(session, roster_id)
    scenario, shown = shown_roster(session, caller, row)
    return utilisation(for_solving(scenario, active(session, scenario.province)), shown)
