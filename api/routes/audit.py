"""The audit trail, read-only: filter by case, prosecutor, office or scenario; export CSV."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse
from sqlalchemy import Select, func, select

from api.access import Caller
from api.audit import verify
from api.deps import CallerDep, Limit, Offset, SessionDep, SettingsDep
from api.schemas import AuditEntry, AuditVerdict, Page
from api.tables import AuditRow, ScenarioRow

router = APIRouter(prefix="/audit", tags=["audit"])
Filter = Annotated[str | None, Query(max_length=200)]
CSV_COLUMNS = ("seq", "at", "actor", "action", "scenario_id", "scenario_version", "case_id",
               "prosecutor_id", "unit_id", "reason", "hash")


def _filtered(caller: Caller, case: str | None, prosecutor: str | None, office: str | None,
              scenario: str | None) -> Select[AuditRow]:
    query = select(AuditRow)
    if caller.province is not None:
        query = query.where(AuditRow.scenario_id.in_(
            select(ScenarioRow.id).where(ScenarioRow.province == caller.province)))
    if caller.units is not None:
        query = query.where(AuditRow.unit_id.in_(caller.units))
    for column, value in ((AuditRow.case_id, case), (AuditRow.prosecutor_id, prosecutor),
                          (AuditRow.unit_id, office), (AuditRow.scenario_id, scenario)):
        if value is not None:
            query = query.where(column == value)
    return query


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry.model_validate(row, from_attributes=True)


@router.get("", response_model=Page[AuditEntry], summary="Read the audit trail")
def read_audit(session: SessionDep, settings: SettingsDep, caller: CallerDep, case: Filter = None,
               prosecutor: Filter = None, office: Filter = None, scenario: Filter = None,
               offset: Offset = 0,
               limit: Limit = None) -> Page[AuditEntry]:
    """Entries, oldest first, optionally only those about a case, person, office or scenario.
    A key sees its province's entries; outside the whole province, those about its offices."""
    query = _filtered(caller, case, prosecutor, office, scenario)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size = limit or settings.page_size
    rows = session.scalars(query.order_by(AuditRow.seq).offset(offset).limit(size))
    return Page[AuditEntry](items=[_entry(r) for r in rows], total=total, offset=offset,
                            limit=size)


@router.get("/export.csv", response_class=PlainTextResponse, summary="Export as CSV",
            responses={200: {"content": {"text/csv": {}}}})
def export_audit(session: SessionDep, caller: CallerDep, case: Filter = None,
                 prosecutor: Filter = None,
                 office: Filter = None, scenario: Filter = None) -> PlainTextResponse:
    """The filtered entries as CSV, one row each."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in session.scalars(_filtered(caller, case, prosecutor, office, scenario)
                               .order_by(AuditRow.seq)):
        writer.writerow([getattr(row, c) for c in CSV_COLUMNS])
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


@router.get("/verify", response_model=AuditVerdict, summary="Check the hash chain")
def verify_audit(session: SessionDep, _: CallerDep) -> AuditVerdict:
    """Recompute the chain; say where it breaks, if it does."""
    report = verify(session)
    return AuditVerdict(intact=report.intact, entries=report.entries,
                        broken_at=report.broken_at, problem=report.problem)
