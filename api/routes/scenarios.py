"""Scenarios as stored resources: create, read, list, replace (If-Match), delete, validate.

Every version is kept: a replacement adds a version, a deletion hides the scenario.
"""

from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Header, Query, Response
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api import audit
from api.access import Caller, foreign_ids, redact, scenario_view
from api.deps import CallerDep, LangDep, Limit, Offset, SessionDep, SettingsDep, Version
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.schemas import Page, ScenarioResource, ScenarioSummary, ValidationReport
from api.tables import ScenarioRow, ScenarioVersionRow, _now
from api.workbooks import (
    SCENARIO_JSON,
    SCENARIO_OR_WORKBOOK,
    ScenarioJson,
    ScenarioOrProblems,
    ScenarioOrWorkbook,
)
from i18n import worded
from models import Scenario, ScenarioError, parse_scenario
from models.enums import KeyRole
from models.validation import problem

router = APIRouter(route_class=InputRoute, prefix="/scenarios", tags=["scenarios"],
                   responses=documented(400, 404, 413, 422))

IfMatch = Annotated[str | None, Header(description="The ETag of the version being replaced.")]
Reason = Annotated[str | None, Query(max_length=2000, description="Why; kept in the audit trail.")]


def etag(scenario_id: str, version: int) -> str:
    return f'"{scenario_id}-v{version}"'


def _summary(row: ScenarioRow, caller: Caller, scenario: Scenario | None = None,
             session: Session | None = None) -> ScenarioSummary:
    """A scenario's summary; outside the whole province, its name with other offices'
    cases, people and units blanked out (a name, like a reason, is free text, and a
    what-if's names the change it tried)."""
    name = row.name
    if not caller.whole_province:
        if scenario is None:
            assert session is not None
            scenario = Scenario.model_validate(stored_body(session, row.id, row.version))
        name = redact(name, foreign_ids(caller, scenario))
    return ScenarioSummary(id=row.id, name=name, version=row.version,
                           created_at=row.created_at, updated_at=row.updated_at)


def _resource(row: ScenarioRow, version: int, body: dict[str, Any],
              caller: Caller) -> ScenarioResource:
    scenario = Scenario.model_validate(body)
    return ScenarioResource(**_summary(row, caller, scenario).model_dump() | {"version": version},
                            scenario=scenario_view(caller, scenario))


def live_scenario(session: Session, scenario_id: str, caller: Caller) -> ScenarioRow:
    """A stored scenario that has not been deleted, of the caller's province, or 404."""
    row = session.get(ScenarioRow, scenario_id)
    if row is None or row.deleted or row.base_id is not None or not caller.sees_province(row.province):
        raise ApiError(404, "problem.no_scenario", id=scenario_id)
    return row


def scenario_province(session: Session, scenario_id: str) -> str:
    """The province of a stored scenario (every version of one scenario has the same)."""
    row = session.get(ScenarioRow, scenario_id)
    if row is None:
        raise ApiError(404, "problem.no_scenario", id=scenario_id)
    return row.province


def stored_body(session: Session, scenario_id: str, version: int) -> dict[str, Any]:
    """One stored version of a scenario, as validated JSON, or 404."""
    stored = session.get(ScenarioVersionRow, (scenario_id, version))
    if stored is None:
        raise ApiError(404, "problem.no_version", id=scenario_id, version=version)
    return stored.body


@router.post("", status_code=201, response_model=ScenarioResource,
             summary="Store a new scenario", openapi_extra=SCENARIO_OR_WORKBOOK)
def create_scenario(data: ScenarioOrWorkbook, session: SessionDep, caller: CallerDep,
                    response: Response, reason: Reason = None) -> ScenarioResource:
    """Validate and store a scenario as version 1, sent as JSON or as a workbook (a
    multipart form's `workbook` field); 422 lists every problem."""
    caller.require(KeyRole.ADMIN, "store_scenarios")
    row, scenario = store_new(session, data, caller, reason)
    session.commit()
    response.headers["Location"] = f"/scenarios/{row.id}"
    response.headers["ETag"] = etag(row.id, 1)
    return _resource(row, 1, scenario.model_dump(mode="json"), caller)


def store_new(session: SessionDep, data: dict[str, Any], caller: Caller,
              reason: str | None = None, *, base: ScenarioRow | None = None,
              label: str | None = None) -> tuple[ScenarioRow, Scenario]:
    """Validate `data` and add it as a new scenario at version 1 (the caller commits);
    403 unless `caller` sees the whole of its province. With `base`, it is a what-if
    variant of base's current version, named `label`: it belongs to the base and is
    never listed or opened as a scenario of its own."""
    scenario = parse_scenario(data)
    caller.require_province(scenario.province, "store_scenarios")
    row = ScenarioRow(id=uuid4().hex, name=label or scenario.name, province=scenario.province,
                      version=1, base_id=base.id if base else None,
                      base_version=base.version if base else None)
    session.add(row)
    session.flush()
    session.add(ScenarioVersionRow(scenario_id=row.id, version=1,
                                   body=scenario.model_dump(mode="json")))
    details: dict[str, Any] = {"name": row.name}
    if base is not None:
        details |= {"variant_of": base.id, "base_version": base.version}
    audit.record(session, "scenario.created", province=scenario.province,
                 actor=caller.actor, scenario_id=row.id,
                 scenario_version=1, reason=reason, details=details)
    return row, scenario


@router.post("/validate", response_model=ValidationReport, summary="Check without storing",
             openapi_extra=SCENARIO_OR_WORKBOOK)
def validate_scenario(data: ScenarioOrProblems, _: CallerDep, lang: LangDep) -> ValidationReport:
    """List every problem of a scenario, sent as JSON or as a workbook (a multipart form's
    `workbook` field), without storing or solving it, each in the reader's language
    (Accept-Language); a workbook's problems name their sheet, row, column and header."""
    if isinstance(data, list):
        return ValidationReport(valid=False, problems=data)
    try:
        parse_scenario(data)
    except ScenarioError as err:
        return ValidationReport(valid=False, problems=[worded(p, lang) for p in err.problems])
    return ValidationReport(valid=True, problems=[])


@router.get("", response_model=Page[ScenarioSummary], summary="List scenarios")
def list_scenarios(session: SessionDep, settings: SettingsDep, caller: CallerDep,
                   offset: Offset = 0,
                   limit: Limit = None
                   ) -> Page[ScenarioSummary]:
    """Stored scenarios, newest first, a page at a time."""
    size = limit or settings.page_size
    live = select(ScenarioRow).where(ScenarioRow.deleted.is_(False), ScenarioRow.base_id.is_(None))
    if caller.province is not None:
        live = live.where(ScenarioRow.province == caller.province)
    total = session.scalar(select(func.count()).select_from(live.subquery())) or 0
    rows = session.scalars(live.order_by(ScenarioRow.created_at.desc(), ScenarioRow.id)
                           .offset(offset).limit(size))
    return Page[ScenarioSummary](items=[_summary(r, caller, session=session) for r in rows],
                                 total=total, offset=offset,
                                 limit=size)


@router.get("/{scenario_id}", response_model=ScenarioResource, summary="Read a scenario")
def read_scenario(scenario_id: str, session: SessionDep, caller: CallerDep,
                  response: Response) -> ScenarioResource:
    """The current version, with its ETag for a later replacement; outside the whole
    province, only the cases and people of the caller's jurisdiction."""
    row = live_scenario(session, scenario_id, caller)
    response.headers["ETag"] = etag(row.id, row.version)
    return _resource(row, row.version, stored_body(session, row.id, row.version), caller)


@router.get("/{scenario_id}/versions/{version}", response_model=ScenarioResource,
            summary="Read one version of a scenario")
def read_version(scenario_id: str, version: Version, session: SessionDep,
                 caller: CallerDep) -> ScenarioResource:
    """Any stored version, even of a deleted scenario: rosters name the version they used.
    A what-if variant is read through its base (/scenarios/{base}/variants/{id})."""
    row = session.get(ScenarioRow, scenario_id)
    if row is None or row.base_id is not None or not caller.sees_province(row.province):
        raise ApiError(404, "problem.no_scenario", id=scenario_id)
    return _resource(row, version, stored_body(session, scenario_id, version), caller)


@router.put("/{scenario_id}", response_model=ScenarioResource, summary="Replace a scenario",
            responses=documented(412, 428), openapi_extra=SCENARIO_JSON)
def replace_scenario(scenario_id: str, data: ScenarioJson, session: SessionDep,
                     caller: CallerDep, response: Response, if_match: IfMatch = None,
                     reason: Reason = None) -> ScenarioResource:
    """Store a new version. If-Match must carry the current ETag, so that two editors do
    not overwrite each other: a missing one gets 428, a stale one 412."""
    row = writable_scenario(session, scenario_id, caller, KeyRole.ADMIN, "store_scenarios")
    if if_match is None:
        raise ApiError(428, "problem.if_match")
    scenario = parse_scenario(data)
    if scenario.province != row.province:
        # Rosters and keys rely on a stored scenario staying in its province.
        raise ApiError(422, "problem.other_province", [problem("units", "invalid.changes_province")],
                       province=row.province, other=scenario.province)
    caller.require_province(scenario.province, "store_scenarios")
    current = row.version
    if if_match != etag(scenario_id, current):
        raise ApiError(412, "problem.changed", etag=etag(scenario_id, current))
    # Compare-and-set, so that of two replacements racing on one version only one wins.
    won = session.execute(
        update(ScenarioRow).where(ScenarioRow.id == scenario_id, ScenarioRow.version == current)
        .values(version=current + 1, name=scenario.name, province=scenario.province,
                updated_at=_now()))
    if won.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ApiError(412, "problem.changed_meanwhile")
    body = scenario.model_dump(mode="json")
    session.add(ScenarioVersionRow(scenario_id=scenario_id, version=current + 1, body=body))
    audit.record(session, "scenario.replaced", province=row.province,
                 actor=caller.actor, scenario_id=scenario_id,
                 scenario_version=current + 1, reason=reason, details={"name": scenario.name})
    session.commit()
    session.refresh(row)
    response.headers["ETag"] = etag(scenario_id, current + 1)
    return _resource(row, current + 1, body, caller)


@router.delete("/{scenario_id}", status_code=204, summary="Delete a scenario",
               responses=documented(412))
def delete_scenario(scenario_id: str, session: SessionDep, caller: CallerDep,
                    if_match: IfMatch = None, reason: Reason = None) -> None:
    """Hide the scenario from lists and reads; its versions stay for traceability."""
    row = writable_scenario(session, scenario_id, caller, KeyRole.ADMIN, "delete_scenarios")
    caller.require_province(row.province, "delete_scenarios")
    if if_match is not None and if_match != etag(scenario_id, row.version):
        raise ApiError(412, "problem.changed", etag=etag(scenario_id, row.version))
    row.deleted = True
    audit.record(session, "scenario.deleted", province=row.province,
                 actor=caller.actor, scenario_id=scenario_id,
                 scenario_version=row.version, reason=reason)
    session.commit()


def writable_scenario(session: Session, scenario_id: str, caller: Caller, role: KeyRole,
                      action: str) -> ScenarioRow:
    """A live scenario the caller may act on with `role`: 404 if there is none, 403 if it
    is another province's (acting on a part of it is checked by the caller)."""
    row = session.get(ScenarioRow, scenario_id)
    if row is None or row.deleted or row.base_id is not None:
        raise ApiError(404, "problem.no_scenario", id=scenario_id)
    caller.require(role, action)
    if not caller.sees_province(row.province):
        raise ApiError(403, "problem.scenario_elsewhere", id=scenario_id)
    return row
