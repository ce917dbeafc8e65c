"""Solve jobs: submit (202 + Location), follow, cancel; and the rosters they store."""

from datetime import UTC, datetime
from uuid import uuid4

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api import audit
from api.access import Caller, foreign_ids, redact, shown_params, visible_cases
from api.deps import CallerDep, LangDep, SessionDep, SettingsDep
from api.idempotency import IdempotencyKey, check_same_request, request_digest, scoped
from api.jobs import TERMINAL, JobParams, Jobs
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.rosters import shown_roster
from api.routes.scenarios import (
    Reason,
    scenario_province,
    store_new,
    stored_body,
    writable_scenario,
)
from api.schemas import JobView, KeepTeams, SolveRequest
from api.tables import JobRow, RosterRow, aware
from checker import staffed_teams
from i18n import Language, localised
from models import Assignment, Progress, Roster, Scenario, ScenarioError
from models.enums import KeyRole
from models.reason import why
from models.validation import problem

router = APIRouter(route_class=InputRoute, tags=["jobs"], responses=documented(400, 404, 409, 413, 422, 429))


def _runner(request: Request) -> Jobs:
    runner: Jobs = request.app.state.runner
    return runner


def _visible_job(session: Session, caller: Caller, job_id: str) -> JobRow:
    """A job with a case in the caller's jurisdiction, or 404."""
    job = session.get(JobRow, job_id)
    if job is not None and caller.whole_province:
        if caller.sees_province(scenario_province(session, job.scenario_id)):
            return job
    elif job is not None:
        scenario = Scenario.model_validate(stored_body(session, job.scenario_id,
                                                       job.scenario_version))
        asked = JobParams.model_validate(job.params).cases
        mine = visible_cases(caller, scenario)
        if mine and (asked is None or mine & set(asked)):
            return job
    raise ApiError(404, "problem.no_job", id=job_id)


def _view(session: Session, job: JobRow, caller: Caller, lang: Language) -> JobView:
    roster_row = session.scalar(select(RosterRow).where(RosterRow.job_id == job.id))
    elapsed = None
    if job.started_at is not None:
        end = aware(job.finished_at) if job.finished_at else datetime.now(UTC)
        elapsed = (end - aware(job.started_at)).total_seconds()
    params, progress, error = job.params, job.progress, job.error
    if not caller.whole_province:
        # The job may cover other offices' cases: show only the caller's, and not the
        # progress figures, which add up the whole job.
        scenario = Scenario.model_validate(stored_body(session, job.scenario_id,
                                                       job.scenario_version))
        params = shown_params(caller, scenario, job.params)
        progress = None
        error = redact(error, foreign_ids(caller, scenario)) if error else error
    return JobView(
        id=job.id, state=job.state, scenario_id=job.scenario_id,
        scenario_version=job.scenario_version, params=params,
        progress=Progress.model_validate(progress) if progress else None,
        elapsed=elapsed, error=error, created_at=job.created_at,
        roster_id=roster_row.id if roster_row else None,
        roster=localised(shown_roster(session, caller, roster_row), lang) if roster_row else None)


def _scenario_version(session: Session, request: SolveRequest,
                      caller: Caller) -> tuple[str, int, Scenario]:
    if (request.scenario_id is None) == (request.scenario is None):
        raise ApiError(422, "problem.one_scenario", [problem("scenario_id", "invalid.one_scenario")])
    if request.scenario is not None:
        caller.require(KeyRole.ADMIN, "store_scenarios")
        try:
            new, scenario = store_new(session, request.scenario, caller)
        except ScenarioError as err:
            # Named from the request, as a what-if's variants are: `scenario.cases[0]`.
            raise ScenarioError(err.under("scenario")) from None
        return new.id, new.version, scenario
    assert request.scenario_id is not None  # exactly one of the two, checked above
    row = writable_scenario(session, request.scenario_id, caller, KeyRole.PLANNER,
                            "request_rosters")
    return row.id, row.version, Scenario.model_validate(stored_body(session, row.id, row.version))


def cases_to_solve(caller: Caller, scenario: Scenario, asked: list[str] | None) -> list[str] | None:
    """The cases a solve may cover: those asked for, all in the caller's jurisdiction (403
    otherwise); when none are named, every case of the caller's jurisdiction."""
    unknown = sorted(set(asked or []) - set(scenario.case_by_id))
    if unknown:
        raise ApiError(422, "problem.unknown_cases",
                       [problem("cases", "invalid.unknown_case", c, ref=c) for c in unknown])
    if caller.whole_province:
        return asked
    mine = visible_cases(caller, scenario)
    if asked is None:
        if not mine:
            raise ApiError(403, "problem.no_case_yours")
        return sorted(mine)
    outside = [c for c in asked if c not in mine]
    if outside:
        raise ApiError(403, "problem.cases_outside",
                       [problem("cases", "invalid.outside", c) for c in outside])
    return asked


@router.post("/jobs", status_code=202, response_model=JobView, summary="Submit a solve")
def submit(body: SolveRequest, session: SessionDep, settings: SettingsDep, caller: CallerDep,
           request: Request, response: Response, lang: LangDep,
           idempotency_key: IdempotencyKey = None, reason: Reason = None) -> JobView:
    """Queue a solve; follow it at Location. A full queue answers 429 with Retry-After."""
    caller.require(KeyRole.PLANNER, "request_rosters")
    digest = request_digest(body.model_dump(mode="json"))
    idempotency_key = scoped(caller.key_id, idempotency_key)
    if idempotency_key is not None:
        earlier = session.scalar(select(JobRow).where(JobRow.idempotency_key == idempotency_key))
        if earlier is not None:
            return _same_job(session, earlier, digest, response, caller, lang)
    if body.seconds > settings.max_seconds:
        raise ApiError(422, "problem.seconds", [problem("seconds", "invalid.le", limit=settings.max_seconds,
                                                        value=body.seconds)], limit=settings.max_seconds)
    runner = _runner(request)
    if not runner.has_room(session):
        raise ApiError(429, "problem.queue_full",
                       headers={"Retry-After": str(settings.retry_after_seconds)})
    scenario_id, version, scenario = _scenario_version(session, body, caller)
    cases = cases_to_solve(caller, scenario, body.cases)
    params = JobParams(seconds=body.seconds, seed=body.seed, workers=settings.solve_workers,
                       cases=cases, alternatives=body.alternatives, differ=body.differ,
                       robust=body.robust,
                       pinned=_kept(session, caller, scenario_id, body.keep))
    job = JobRow(id=uuid4().hex, scenario_id=scenario_id, scenario_version=version,
                 params=params.model_dump(), state="queued", request_hash=digest,
                 idempotency_key=idempotency_key)
    try:
        # The insert is flushed by the audit append's first statement, so a duplicate key
        # can surface there as well as at the commit.
        session.add(job)
        audit.record(session, "solve.started", province=scenario.province,
                     actor=caller.actor, scenario_id=scenario_id,
                     scenario_version=version,
                     case_id=cases[0] if cases and len(cases) == 1 else None,
                     reason=reason, details={"job": job.id, **params.model_dump()})
        session.commit()
    except IntegrityError:  # the same key, submitted at the same moment by a retry
        session.rollback()
        earlier = session.scalar(select(JobRow).where(JobRow.idempotency_key == idempotency_key))
        if earlier is None:
            raise
        return _same_job(session, earlier, digest, response, caller, lang)
    runner.notify(job.id)
    response.headers["Location"] = f"/jobs/{job.id}"
    return _as_submitted(_view(session, job, caller, lang))


def _kept(session: Session, caller: Caller, scenario_id: str,
          keep: KeepTeams | None) -> list[Assignment]:
    """The assignments of the teams to keep: staffed cases of a roster of this scenario
    (a roster names people of every office, so a key of the whole province)."""
    if keep is None:
        return []
    caller.require_province(scenario_province(session, scenario_id), "request_rosters")
    row = session.get(RosterRow, keep.roster_id)
    if row is None or row.scenario_id != scenario_id:
        raise ApiError(404, "problem.no_base_roster", id=keep.roster_id, scenario=scenario_id)
    teams = staffed_teams(Roster.model_validate(row.body))
    bad = [problem("keep.cases", "invalid.not_staffed", c) for c in keep.cases if c not in teams]
    if bad:
        raise ApiError(422, "problem.only_staffed", bad)
    return [Assignment(case=c, prosecutor=m.prosecutor, slot=m.slot, on_site=m.on_site,
                       pinned=True) for c in keep.cases for m in teams[c]]


def _same_job(session: Session, job: JobRow, digest: str, response: Response,
              caller: Caller, lang: Language) -> JobView:
    check_same_request(job.request_hash, digest)
    response.headers["Location"] = f"/jobs/{job.id}"
    return _as_submitted(_view(session, _visible_job(session, caller, job.id), caller, lang))


def _as_submitted(view: JobView) -> JobView:
    """The answer to a submission: the job as it was queued, whatever it has done since.
    A retry with the same Idempotency-Key gets this very answer again, byte for byte;
    the job's progress is at Location."""
    return view.model_copy(update={"state": "queued", "progress": None, "elapsed": None,
                                   "error": None, "roster_id": None, "roster": None})


@router.get("/jobs/{job_id}", response_model=JobView, summary="Follow a solve")
def read_job(job_id: str, session: SessionDep, caller: CallerDep, lang: LangDep) -> JobView:
    """State, best roster so far, elapsed time; the roster once done."""
    return _view(session, _visible_job(session, caller, job_id), caller, lang)


@router.delete("/jobs/{job_id}", status_code=202, response_model=JobView,
               summary="Cancel a solve")
def cancel_job(job_id: str, session: SessionDep, caller: CallerDep, request: Request, lang: LangDep,
               reason: Reason = None) -> JobView:
    """Cancel: a queued job at once; a solving one stops and keeps the best roster found."""
    if session.get(JobRow, job_id) is None:
        raise ApiError(404, "problem.no_job", id=job_id)
    try:
        job = _visible_job(session, caller, job_id)
    except ApiError:
        raise ApiError(403, "problem.job_outside", id=job_id) from None
    caller.require(KeyRole.PLANNER, "cancel_solves")
    if not caller.whole_province:
        # Cancelling stops every case of the job: it takes a key that leads them all.
        scenario = Scenario.model_validate(stored_body(session, job.scenario_id,
                                                       job.scenario_version))
        asked = JobParams.model_validate(job.params).cases
        outside = sorted(set(asked if asked is not None else scenario.case_by_id)
                         - visible_cases(caller, scenario))
        if outside:
            # Not how many: a count would tell the key about other offices' cases.
            raise ApiError(403, "problem.job_mixed", id=job_id)
    if job.state in TERMINAL:
        raise ApiError(409, "problem.job_over", id=job_id, state=why(f"job.{job.state}"))
    audit.record(session, "solve.cancelled", actor=caller.actor,
                 province=scenario_province(session, job.scenario_id), scenario_id=job.scenario_id,
                 scenario_version=job.scenario_version, reason=reason, details={"job": job_id})
    session.commit()
    _runner(request).cancel(session, job_id)
    session.refresh(job)
    return _view(session, job, caller, lang)
