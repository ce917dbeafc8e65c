"""Solve jobs: submit (202 + Location), follow, cancel; and the rosters they store."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api import audit
from api.deps import SessionDep, SettingsDep
from api.jobs import TERMINAL, JobParams, Runner
from api.problems import ApiError, documented
from api.routes.scenarios import Reason, live_scenario, store_new, stored_body
from api.schemas import JobView, RosterView, SolveRequest
from api.tables import JobRow, RosterRow, aware
from models import Problem, Progress, Roster, Scenario

router = APIRouter(tags=["jobs"], responses=documented(400, 404, 409, 413, 422, 429))
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=200,
    description="A retried request with the same key and body returns the same job.")]


def _runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def _view(session: SessionDep, job: JobRow) -> JobView:
    roster_row = session.scalar(select(RosterRow).where(RosterRow.job_id == job.id))
    elapsed = None
    if job.started_at is not None:
        end = aware(job.finished_at) if job.finished_at else datetime.now(UTC)
        elapsed = (end - aware(job.started_at)).total_seconds()
    return JobView(
        id=job.id, state=job.state, scenario_id=job.scenario_id,
        scenario_version=job.scenario_version, params=job.params,
        progress=Progress.model_validate(job.progress) if job.progress else None,
        elapsed=elapsed, error=job.error, created_at=job.created_at,
        roster_id=roster_row.id if roster_row else None,
        roster=Roster.model_validate(roster_row.body) if roster_row else None)


def _scenario_version(session: SessionDep, request: SolveRequest) -> tuple[str, int, Scenario]:
    if (request.scenario_id is None) == (request.scenario is None):
        raise ApiError(422, "give exactly one of scenario_id and scenario",
                       [Problem(path="scenario_id", message="exactly one of scenario_id, scenario")])
    if request.scenario is not None:
        new, scenario = store_new(session, request.scenario)
        return new.id, new.version, scenario
    assert request.scenario_id is not None  # exactly one of the two, checked above
    row = live_scenario(session, request.scenario_id)
    return row.id, row.version, Scenario.model_validate(stored_body(session, row.id, row.version))


@router.post("/jobs", status_code=202, response_model=JobView, summary="Submit a solve")
def submit(body: SolveRequest, session: SessionDep, settings: SettingsDep, request: Request,
           response: Response, idempotency_key: IdempotencyKey = None,
           reason: Reason = None) -> JobView:
    """Queue a solve; follow it at Location. A full queue answers 429 with Retry-After."""
    digest = hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True)
                            .encode()).hexdigest()
    if idempotency_key is not None:
        earlier = session.scalar(select(JobRow).where(JobRow.idempotency_key == idempotency_key))
        if earlier is not None:
            return _same_job(session, earlier, digest, response)
    if body.seconds > settings.max_seconds:
        raise ApiError(422, f"seconds may be at most {settings.max_seconds:g}",
                       [Problem(path="seconds", message=f"at most {settings.max_seconds:g}")])
    runner = _runner(request)
    if not runner.has_room(session):
        raise ApiError(429, "the solver queue is full; try again later",
                       headers={"Retry-After": str(settings.retry_after_seconds)})
    scenario_id, version, scenario = _scenario_version(session, body)
    unknown = sorted(set(body.cases or []) - {c.id for c in scenario.cases})
    if unknown:
        session.rollback()
        raise ApiError(422, "unknown cases", [Problem(path="cases", id=c, message="unknown case")
                                              for c in unknown])
    params = JobParams(seconds=body.seconds, seed=body.seed, workers=settings.solve_workers,
                       cases=body.cases)
    job = JobRow(id=uuid4().hex, scenario_id=scenario_id, scenario_version=version,
                 params=params.model_dump(), state="queued", request_hash=digest,
                 idempotency_key=idempotency_key)
    session.add(job)
    audit.record(session, "solve.started", scenario_id=scenario_id, scenario_version=version,
                 case_id=body.cases[0] if body.cases and len(body.cases) == 1 else None,
                 reason=reason, details={"job": job.id, **params.model_dump()})
    try:
        session.commit()
    except IntegrityError:  # the same key, submitted at the same moment by a retry
        session.rollback()
        earlier = session.scalar(select(JobRow).where(JobRow.idempotency_key == idempotency_key))
        if earlier is None:
            raise
        return _same_job(session, earlier, digest, response)
    runner.notify()
    response.headers["Location"] = f"/jobs/{job.id}"
    return _view(session, job)


def _same_job(session: SessionDep, job: JobRow, digest: str, response: Response) -> JobView:
    if job.request_hash != digest:
        raise ApiError(422, "this Idempotency-Key was used with a different request",
                       [Problem(path="Idempotency-Key", message="reused with another body")])
    response.headers["Location"] = f"/jobs/{job.id}"
    return _view(session, job)


@router.get("/jobs/{job_id}", response_model=JobView, summary="Follow a solve")
def read_job(job_id: str, session: SessionDep) -> JobView:
    """State, best roster so far, elapsed time; the roster once done."""
    job = session.get(JobRow, job_id)
    if job is None:
        raise ApiError(404, f"no job '{job_id}'")
    return _view(session, job)


@router.delete("/jobs/{job_id}", status_code=202, response_model=JobView,
               summary="Cancel a solve")
def cancel_job(job_id: str, session: SessionDep, request: Request,
               reason: Reason = None) -> JobView:
    """Cancel: a queued job at once; a solving one stops and keeps the best roster found."""
    job = session.get(JobRow, job_id)
    if job is None:
        raise ApiError(404, f"no job '{job_id}'")
    if job.state in TERMINAL:
        raise ApiError(409, f"job '{job_id}' is already {job.state}")
    audit.record(session, "solve.cancelled", scenario_id=job.scenario_id,
                 scenario_version=job.scenario_version, reason=reason, details={"job": job_id})
    session.commit()
    _runner(request).cancel(session, job_id)
    session.refresh(job)
    return _view(session, job)


@router.get("/rosters/{roster_id}", response_model=RosterView, summary="Read a roster",
            tags=["rosters"])
def read_roster(roster_id: str, session: SessionDep) -> RosterView:
    """A stored roster with the exact scenario version and parameters it was solved on."""
    row = session.get(RosterRow, roster_id)
    if row is None:
        raise ApiError(404, f"no roster '{roster_id}'")
    return RosterView.of(row)
