"""Commits: make a stored roster (or some of its cases) binding; read and release commitments."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api import audit
from api.commitments import CommitRefusedError, book
from api.deps import SessionDep, SettingsDep
from api.problems import ApiError, documented
from api.routes.jobs import IdempotencyKey
from api.routes.scenarios import stored_body
from api.schemas import CommitmentView, CommitRequest, CommitView, Page, ReleaseRequest
from api.tables import CommitmentRow, CommitRow, RosterRow
from checker import staffed_teams
from models import Problem, Roster, Scenario

router = APIRouter(tags=["commitments"], responses=documented(404, 409, 413, 422))
Filter = Annotated[str | None, Query(max_length=200)]
# PostgreSQL's "serialization failure" and "deadlock detected": the transaction may be retried.
RETRYABLE = {"40001", "40P01"}
ATTEMPTS = 5


def _commitment(row: CommitmentRow) -> CommitmentView:
    return CommitmentView.model_validate(row, from_attributes=True)


def _view(session: Session, commit: CommitRow) -> CommitView:
    rows = session.scalars(select(CommitmentRow).where(CommitmentRow.commit_id == commit.id)
                           .order_by(CommitmentRow.case_id, CommitmentRow.prosecutor_id))
    return CommitView(id=commit.id, province=commit.province, roster_id=commit.roster_id,
                      scenario_id=commit.scenario_id, scenario_version=commit.scenario_version,
                      cases=commit.cases, actor=commit.actor, reason=commit.reason,
                      created_at=commit.created_at, commitments=[_commitment(r) for r in rows])


def _retryable(err: OperationalError) -> bool:
    return getattr(err.orig, "sqlstate", None) in RETRYABLE


@router.post("/rosters/{roster_id}/commit", status_code=201, response_model=CommitView,
             summary="Commit a roster")
def commit_roster(roster_id: str, body: CommitRequest, session: SessionDep, response: Response,
                  idempotency_key: IdempotencyKey = None) -> CommitView:
    """Make a roster's staffed cases (or the chosen ones) binding. 409 names the people and
    offices, and the days, where commitments made since the roster was solved conflict."""
    digest = hashlib.sha256(json.dumps([roster_id, body.model_dump(mode="json")],
                                       sort_keys=True).encode()).hexdigest()
    if idempotency_key is not None and (earlier := _by_key(session, idempotency_key)):
        return _same_commit(session, earlier, digest, response)
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, f"no roster '{roster_id}'")
    roster = Roster.model_validate(row.body)
    scenario = Scenario.model_validate(stored_body(session, row.scenario_id, row.scenario_version))
    teams = staffed_teams(roster)
    if body.cases is not None:
        bad = [Problem(path="cases", id=c, message="not a staffed case of this roster")
               for c in body.cases if c not in teams]
        if bad:
            raise ApiError(422, "only staffed cases of the roster can be committed", bad)
        teams = {c: teams[c] for c in body.cases}
    if not teams:
        raise ApiError(422, "the roster has no staffed case to commit")
    scenario_id, version = row.scenario_id, row.scenario_version
    session.rollback()  # nothing read so far may hold a snapshot: the lock must come first
    for attempt in range(ATTEMPTS):
        try:
            commit = book(session, scenario=scenario, scenario_id=scenario_id,
                          scenario_version=version, roster_id=roster_id,
                          teams=teams, actor=audit.ANONYMOUS, reason=body.reason,
                          idempotency_key=idempotency_key, request_hash=digest)
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
            return _same_commit(session, earlier, digest, response)
        except OperationalError as err:
            session.rollback()
            if not _retryable(err) or attempt + 1 == ATTEMPTS:
                raise
    response.headers["Location"] = f"/commits/{commit.id}"
    return _view(session, commit)


def _by_key(session: Session, key: str) -> CommitRow | None:
    return session.scalar(select(CommitRow).where(CommitRow.idempotency_key == key))


def _same_commit(session: Session, commit: CommitRow, digest: str,
                 response: Response) -> CommitView:
    if commit.request_hash != digest:
        raise ApiError(422, "this Idempotency-Key was used with a different request",
                       [Problem(path="Idempotency-Key", message="reused with another body")])
    response.headers["Location"] = f"/commits/{commit.id}"
    return _view(session, commit)


@router.get("/commits/{commit_id}", response_model=CommitView, summary="Read a commit")
def read_commit(commit_id: str, session: SessionDep) -> CommitView:
    """A commit and the assignments it made binding (released ones included)."""
    commit = session.get(CommitRow, commit_id)
    if commit is None:
        raise ApiError(404, f"no commit '{commit_id}'")
    return _view(session, commit)


def _filtered(province: str | None, case: str | None, prosecutor: str | None,
              office: str | None, active: bool) -> Select[CommitmentRow]:
    query = select(CommitmentRow)
    for column, value in ((CommitmentRow.province, province), (CommitmentRow.case_id, case),
                          (CommitmentRow.prosecutor_id, prosecutor),
                          (CommitmentRow.unit_id, office)):
        if value is not None:
            query = query.where(column == value)
    return query.where(CommitmentRow.released_at.is_(None)) if active else query


@router.get("/commitments", response_model=Page[CommitmentView], summary="List commitments")
def list_commitments(session: SessionDep, settings: SettingsDep, province: Filter = None,
                     case: Filter = None, prosecutor: Filter = None, office: Filter = None,
                     active: bool = True, offset: Annotated[int, Query(ge=0)] = 0,
                     limit: Annotated[int | None, Query(ge=1, le=500)] = None
                     ) -> Page[CommitmentView]:
    """Commitments by first day, optionally only a province's, a case's, a person's or an
    office's; only those not released unless `active=false`."""
    query = _filtered(province, case, prosecutor, office, active)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size = limit or settings.page_size
    rows = session.scalars(query.order_by(CommitmentRow.start, CommitmentRow.id)
                           .offset(offset).limit(size))
    return Page[CommitmentView](items=[_commitment(r) for r in rows], total=total,
                                offset=offset, limit=size)


@router.post("/commitments/{commitment_id}/release", response_model=CommitmentView,
             summary="Release a committed assignment")
def release(commitment_id: str, body: ReleaseRequest, session: SessionDep) -> CommitmentView:
    """End a committed assignment (case closed, person replaced): its load no longer counts."""
    row = session.get(CommitmentRow, commitment_id)
    if row is None:
        raise ApiError(404, f"no commitment '{commitment_id}'")
    done = session.execute(
        update(CommitmentRow).where(CommitmentRow.id == commitment_id,
                                    CommitmentRow.released_at.is_(None))
        .values(released_at=datetime.now(UTC), released_by=audit.ANONYMOUS,
                release_reason=body.reason))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ApiError(409, f"commitment '{commitment_id}' is released already")
    commit = session.get(CommitRow, row.commit_id)
    assert commit is not None  # a foreign key
    audit.record(session, "assignment.released", scenario_id=commit.scenario_id,
                 scenario_version=commit.scenario_version, case_id=row.case_id,
                 prosecutor_id=row.prosecutor_id, unit_id=row.unit_id, reason=body.reason,
                 details={"commit": row.commit_id, "commitment": row.id})
    session.commit()
    session.refresh(row)
    return _commitment(row)
