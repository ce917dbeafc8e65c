"""Commits: make a stored roster (or some of its cases) binding; read and release commitments."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api import audit
from api.access import Caller, visible_cases
from api.commitments import CommitRefusedError, book
from api.deps import CallerDep, Limit, Offset, SessionDep, SettingsDep
from api.idempotency import IdempotencyKey, check_same_request, request_digest, scoped
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.scenarios import stored_body
from api.schemas import CommitmentView, CommitRequest, CommitView, Page, ReleaseRequest
from api.tables import CommitmentRow, CommitRow, RosterRow
from checker import staffed_teams
from models import Roster, Scenario
from models.enums import KeyRole
from models.validation import problem

router = APIRouter(route_class=InputRoute, tags=["commitments"], responses=documented(404, 409, 413, 422))
Filter = Annotated[str | None, Query(max_length=200)]
# PostgreSQL's "serialization failure" and "deadlock detected": the transaction may be retried.
RETRYABLE = {"40001", "40P01"}
ATTEMPTS = 5


# Shown instead of a case or venue that another office leads, where the caller sees a
# commitment only because one of its own people serves on that case.
OUTSIDE = "(outside your jurisdiction)"


def _commitment(row: CommitmentRow, caller: Caller) -> CommitmentView:
    """A commitment as the caller may see it: in full for a case it leads; for another
    office's case that one of its people serves on, the person's days and load (it must
    plan around them) but not the case, its venue, or who released it and why (only the
    case's leaders may release, so those are always the other office's)."""
    view = CommitmentView.model_validate(row, from_attributes=True)
    if caller.leads(row.lead_unit):
        return view
    return view.model_copy(update={"case_id": OUTSIDE, "venue": OUTSIDE,
                                   "released_by": None, "release_reason": None})


def _sees(caller: Caller, row: CommitmentRow) -> bool:
    """A commitment of the caller's province, for a case they lead or a person of theirs."""
    return caller.sees_province(row.province) and (caller.leads(row.lead_unit)
                                                   or caller.leads(row.unit_id))


def _view(session: Session, commit: CommitRow, caller: Caller) -> CommitView:
    rows = [r for r in session.scalars(
        select(CommitmentRow).where(CommitmentRow.commit_id == commit.id)
        .order_by(CommitmentRow.case_id, CommitmentRow.prosecutor_id)) if _sees(caller, r)]
    if not rows:
        raise ApiError(404, "problem.no_commit", id=commit.id)
    # Its own cases are those it leads; a case it sees only through one of its people
    # serving there is another office's, and must not make the whole commit its own.
    cases = sorted({r.case_id for r in rows if caller.leads(r.lead_unit)})
    views = [_commitment(r, caller) for r in rows]
    if cases == sorted(commit.cases):
        return CommitView(id=commit.id, province=commit.province, roster_id=commit.roster_id,
                          scenario_id=commit.scenario_id, scenario_version=commit.scenario_version,
                          cases=commit.cases, actor=commit.actor, reason=commit.reason,
                          created_at=commit.created_at, commitments=views)
    # The caller sees only part of the commit: its cases, not who made it, why, or from
    # which roster (all of which belong to the other cases' office too).
    return CommitView(id=commit.id, province=commit.province, roster_id=None,
                      scenario_id=commit.scenario_id, scenario_version=commit.scenario_version,
                      cases=cases, actor=None, reason=None, created_at=commit.created_at,
                      commitments=views)


def _retryable(err: OperationalError) -> bool:
    return getattr(err.orig, "sqlstate", None) in RETRYABLE


@router.post("/rosters/{roster_id}/commit", status_code=201, response_model=CommitView,
             summary="Commit a roster")
def commit_roster(roster_id: str, session: SessionDep, caller: CallerDep, response: Response,
                  body: CommitRequest | None = None,
                  idempotency_key: IdempotencyKey = None) -> CommitView:
    """Make a roster's staffed cases (or the chosen ones) binding. 409 names the people and
    offices, and the days, where commitments made since the roster was solved conflict.
    Outside the whole province, only cases of the caller's jurisdiction (all of those
    staffed when none are named)."""
    if body is None:  # no body: every staffed case, no reason given
        body = CommitRequest()
    caller.require(KeyRole.PLANNER, "commit_rosters")
    digest = request_digest([roster_id, body.model_dump(mode="json")])
    idempotency_key = scoped(caller.key_id, idempotency_key)
    if idempotency_key is not None and (earlier := _by_key(session, idempotency_key)):
        return _same_commit(session, earlier, digest, response, caller)
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, "problem.no_roster", id=roster_id)
    roster = Roster.model_validate(row.body)
    scenario = Scenario.model_validate(stored_body(session, row.scenario_id, row.scenario_version))
    if not caller.sees_province(scenario.province):
        raise ApiError(403, "problem.roster_elsewhere", id=roster_id)
    teams = staffed_teams(roster)
    if body.cases is not None:
        bad = [problem("cases", "invalid.not_staffed", c)
               for c in body.cases if c not in teams]
        if bad:
            raise ApiError(422, "problem.only_staffed", bad)
    mine = visible_cases(caller, scenario)
    chosen = body.cases if body.cases is not None else [c for c in teams if c in mine]
    outside = [problem("cases", "invalid.outside", c)
               for c in chosen if c not in mine]
    if outside:
        raise ApiError(403, "problem.cases_outside", outside)
    teams = {c: teams[c] for c in chosen}
    if not teams:
        raise ApiError(422, "problem.nothing_to_commit")
    scenario_id, version = row.scenario_id, row.scenario_version
    session.rollback()  # nothing read so far may hold a snapshot: the lock must come first
    for attempt in range(ATTEMPTS):
        try:
            commit = book(session, scenario=scenario, scenario_id=scenario_id,
                          scenario_version=version, roster_id=roster_id,
                          teams=teams, actor=caller.actor, reason=body.reason,
                          idempotency_key=idempotency_key, request_hash=digest,
                          show_who=caller.whole_province)
            session.commit()
            break
        except CommitRefusedError as refused:
            session.rollback()
            raise ApiError(409, refused.detail, refused.problems) from None
        except IntegrityError:  # the same key, committed at the same moment by a retry
            session.rollback()
            earlier = _by_key(session, idempotency_key) if idempotency_key else None
            if earlier is None:
                raise
            return _same_commit(session, earlier, digest, response, caller)
        except OperationalError as err:
            session.rollback()
            if not _retryable(err) or attempt + 1 == ATTEMPTS:
                raise
    return _same_commit(session, commit, digest, response, caller)


def _by_key(session: Session, key: str) -> CommitRow | None:
    return session.scalar(select(CommitRow).where(CommitRow.idempotency_key == key))


def _same_commit(session: Session, commit: CommitRow, digest: str, response: Response,
                 caller: Caller) -> CommitView:
    check_same_request(commit.request_hash, digest)
    response.headers["Location"] = f"/commits/{commit.id}"
    return _view(session, commit, caller)


@router.get("/commits/{commit_id}", response_model=CommitView, summary="Read a commit")
def read_commit(commit_id: str, session: SessionDep, caller: CallerDep) -> CommitView:
    """A commit and the assignments it made binding (released ones included); outside the
    whole province, those of the caller's cases and people."""
    commit = session.get(CommitRow, commit_id)
    if commit is None:
        raise ApiError(404, "problem.no_commit", id=commit_id)
    return _view(session, commit, caller)


def _filtered(caller: Caller, province: str | None, case: str | None, prosecutor: str | None,
              office: str | None, active: bool) -> Select[CommitmentRow]:
    query = select(CommitmentRow)
    if caller.province is not None:
        query = query.where(CommitmentRow.province == caller.province)
    if caller.units is not None:
        query = query.where(or_(CommitmentRow.lead_unit.in_(caller.units),
                                CommitmentRow.unit_id.in_(caller.units)))
    for column, value in ((CommitmentRow.province, province), (CommitmentRow.case_id, case),
                          (CommitmentRow.prosecutor_id, prosecutor),
                          (CommitmentRow.unit_id, office)):
        if value is not None:
            query = query.where(column == value)
    if case is not None and caller.units is not None:
        # Filtering by a case the caller does not lead would tell it where its people
        # serve on that (foreign) case: a case filter matches only its own cases.
        query = query.where(CommitmentRow.lead_unit.in_(caller.units))
    return query.where(CommitmentRow.released_at.is_(None)) if active else query


@router.get("/commitments", response_model=Page[CommitmentView], summary="List commitments")
def list_commitments(session: SessionDep, settings: SettingsDep, caller: CallerDep,
                     province: Filter = None,
                     case: Filter = None, prosecutor: Filter = None, office: Filter = None,
                     active: bool = True, offset: Offset = 0,
                     limit: Limit = None
                     ) -> Page[CommitmentView]:
    """Commitments by first day, optionally only a province's, a case's, a person's or an
    office's; only those not released unless `active=false`. Outside the whole province,
    those of the caller's cases and people."""
    query = _filtered(caller, province, case, prosecutor, office, active)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size = limit or settings.page_size
    rows = session.scalars(query.order_by(CommitmentRow.start, CommitmentRow.id)
                           .offset(offset).limit(size))
    return Page[CommitmentView](items=[_commitment(r, caller) for r in rows], total=total,
                                offset=offset, limit=size)


@router.post("/commitments/{commitment_id}/release", response_model=CommitmentView,
             summary="Release a committed assignment")
def release(commitment_id: str, body: ReleaseRequest, session: SessionDep,
            caller: CallerDep) -> CommitmentView:
    """End a committed assignment (case closed, person replaced): its load no longer counts.
    Outside the whole province, only for cases the caller leads."""
    row = session.get(CommitmentRow, commitment_id)
    if row is None:
        raise ApiError(404, "problem.no_commitment", id=commitment_id)
    caller.require(KeyRole.PLANNER, "release_commitments")
    if not caller.sees_province(row.province) or not caller.leads(row.lead_unit):
        raise ApiError(403, "problem.commitment_outside", id=commitment_id)
    done = session.execute(
        update(CommitmentRow).where(CommitmentRow.id == commitment_id,
                                    CommitmentRow.released_at.is_(None))
        .values(released_at=datetime.now(UTC), released_by=caller.actor,
                release_reason=body.reason))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ApiError(409, "problem.released_already", id=commitment_id)
    commit = session.get(CommitRow, row.commit_id)
    assert commit is not None  # a foreign key
    audit.record(session, "assignment.released", province=row.province, actor=caller.actor,
                 scenario_id=commit.scenario_id,
                 scenario_version=commit.scenario_version, case_id=row.case_id,
                 prosecutor_id=row.prosecutor_id, unit_id=row.unit_id, reason=body.reason,
                 details={"commit": row.commit_id, "commitment": row.id})
    session.commit()
    session.refresh(row)
    return _commitment(row, caller)
