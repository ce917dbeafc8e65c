"""The audit trail, read-only: filter by case, prosecutor, office or scenario; export CSV."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.access import Caller, foreign_ids, redact, redact_data
from api.audit import verify
from api.csvcells import cell
from api.deps import CallerDep, LangDep, Limit, Offset, SessionDep, SettingsDep
from api.reading import InputRoute
from api.schemas import AuditEntry, AuditVerdict, Page
from api.tables import AuditRow, CommitRow, ScenarioVersionRow
from i18n import message, render
from models import Scenario
from models.enums import KeyRole

OUTSIDE = "(outside your jurisdiction)"
router = APIRouter(route_class=InputRoute, prefix="/audit", tags=["audit"])
Filter = Annotated[str | None, Query(max_length=200)]
CSV_COLUMNS = ("seq", "at", "actor", "action", "scenario_id", "scenario_version", "case_id",
               "prosecutor_id", "unit_id", "reason", "hash")


def _filtered(caller: Caller, case: str | None, prosecutor: str | None, office: str | None,
              scenario: str | None) -> Select[AuditRow]:
    query = select(AuditRow)
    if caller.province is not None:
        query = query.where(AuditRow.province == caller.province)
    if not (caller.whole_province and caller.role is KeyRole.ADMIN):
        # Keys made and revoked are the province admins' business.
        query = query.where(AuditRow.action.not_like("key.%"))
    if caller.units is not None:
        query = query.where(AuditRow.unit_id.in_(caller.units))
    for column, value in ((AuditRow.case_id, case), (AuditRow.prosecutor_id, prosecutor),
                          (AuditRow.unit_id, office), (AuditRow.scenario_id, scenario)):
        if value is not None:
            query = query.where(column == value)
    return query


def _numbered(session: Session, caller: Caller,
              query: Select[AuditRow]) -> list[tuple[AuditRow, int]]:
    """The rows of `query` with the number each shows as its seq: its place in the whole
    chain for a caller of every province, its place among its province's entries for any
    other. The chain's own numbers would show, by their gaps, how much every other province
    did and when."""
    if caller.province is None:
        return [(row, row.seq) for row in session.scalars(query)]
    places = select(AuditRow.seq.label("seq"), func.row_number().over(
        partition_by=AuditRow.province, order_by=AuditRow.seq).label("place")).subquery()
    numbered = query.add_columns(places.c.place).join(places, places.c.seq == AuditRow.seq)
    return [(row, int(place)) for row, place in session.execute(numbered)]


class _Shown:
    """Entries as a caller may see them: outside the whole province, a reason or detail
    that names another office's case, person or unit has that id blanked out."""

    def __init__(self, session: Session, caller: Caller) -> None:
        self._session, self._caller = session, caller
        self._foreign: dict[tuple[str, int], set[str]] = {}
        self._commits: dict[str, list[str]] = {}

    def _shared_commit(self, entry: AuditEntry, foreign: set[str]) -> bool:
        """Whether the entry is part of a commit that also booked another office's cases:
        who made such a commit and why belong to that office too (as in /commits/{id})."""
        commit_id = entry.details.get("commit")
        if entry.action != "assignment.committed" or not isinstance(commit_id, str):
            return False
        if commit_id not in self._commits:
            row = self._session.get(CommitRow, commit_id)
            self._commits[commit_id] = [] if row is None else list(row.cases)
        return any(c in foreign for c in self._commits[commit_id])

    def _ids(self, row: AuditRow) -> set[str]:
        if row.scenario_id is None or row.scenario_version is None:
            return set()
        version = (row.scenario_id, row.scenario_version)
        if version not in self._foreign:
            stored = self._session.get(ScenarioVersionRow, version)
            self._foreign[version] = set() if stored is None else foreign_ids(
                self._caller, Scenario.model_validate(stored.body))
        return self._foreign[version]

    def __call__(self, row: AuditRow, number: int) -> AuditEntry:
        entry = AuditEntry.model_validate(row, from_attributes=True).model_copy(
            update={"seq": number} | ({} if self._caller.province is None
                                      else {"prev_hash": None}))
        if self._caller.whole_province:
            return entry
        foreign = self._ids(row)
        update = {"reason": redact(entry.reason, foreign) if entry.reason else entry.reason,
                  "details": redact_data(entry.details, foreign)}
        if entry.case_id is not None and entry.case_id in foreign:
            # Seen only because one of the caller's people serves on another office's
            # case: the person and days are its business, the case, who acted and why
            # are the other office's.
            update |= {"case_id": OUTSIDE, "actor": OUTSIDE, "reason": None}
        elif self._shared_commit(entry, foreign):
            update |= {"actor": OUTSIDE, "reason": None}
        return entry.model_copy(update=update)


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
    rows = _numbered(session, caller, query.order_by(AuditRow.seq).offset(offset).limit(size))
    shown = _Shown(session, caller)
    return Page[AuditEntry](items=[shown(r, n) for r, n in rows], total=total, offset=offset,
                            limit=size)


@router.get("/export.csv", response_class=PlainTextResponse, summary="Export as CSV",
            responses={200: {"content": {"text/csv": {}}}})
def export_audit(session: SessionDep, caller: CallerDep, case: Filter = None,
                 prosecutor: Filter = None,
                 office: Filter = None, scenario: Filter = None) -> PlainTextResponse:
    """The filtered entries as CSV, one row each; text that a spreadsheet would run as a
    formula (starting with = + - @) is escaped with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    shown = _Shown(session, caller)
    for row, n in _numbered(session, caller, _filtered(caller, case, prosecutor, office,
                                                       scenario).order_by(AuditRow.seq)):
        entry = shown(row, n)
        writer.writerow([cell(getattr(entry, c)) for c in CSV_COLUMNS])
    return PlainTextResponse(out.getvalue(), media_type="text/csv")


@router.get("/verify", response_model=AuditVerdict, summary="Check the hash chain")
def verify_audit(session: SessionDep, caller: CallerDep, request: Request, lang: LangDep
                 ) -> AuditVerdict:
    """Recompute the whole chain; say whether it is intact. The count and the entry where
    it breaks are those the caller may see: other provinces' entries are not counted."""
    report = verify(session, request.app.state.seal)
    if caller.province is None:
        return AuditVerdict(intact=report.intact, entries=report.entries,
                            broken_at=report.broken_at,
                            problem=None if report.problem is None else render(report.problem, lang))
    seen = _filtered(caller, None, None, None, None)
    mine = session.scalar(select(func.count()).select_from(seen.subquery())) or 0
    broken_at = report.broken_at
    last = session.scalar(seen.with_only_columns(func.max(AuditRow.seq)))
    if broken_at is not None and (last is None or broken_at > last):
        # A break after the caller's last entry leaves every entry it sees vouched for;
        # saying more would tell it about other provinces' entries.
        return AuditVerdict(intact=True, entries=mine, broken_at=None, problem=None)
    if broken_at is not None and session.scalar(
            seen.where(AuditRow.seq == broken_at).with_only_columns(AuditRow.seq)) is None:
        broken_at = None
    if broken_at is not None:  # numbered as /audit shows it: among the province's entries
        broken_at = session.scalar(select(func.count()).where(
            AuditRow.province == caller.province, AuditRow.seq <= broken_at))
    return AuditVerdict(intact=report.intact, entries=mine, broken_at=broken_at,
                        problem=None if report.intact else message(lang, "audit.tampered"))
