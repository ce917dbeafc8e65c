"""What-if variants, which belong to their base scenario: listed and read only through
it, and adopted (their roster committed) from there."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.access import Caller
from api.commitments import active, for_solving
from api.compare import Comparison, compare, localised_comparison
from api.deps import CallerDep, LangDep, Limit, Offset, SessionDep, SettingsDep
from api.idempotency import IdempotencyKey
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.commitments import commit_roster
from api.routes.scenarios import live_scenario, stored_body
from api.schemas import CommitRequest, CommitView, Page, VariantResource, VariantSummary
from api.tables import RosterRow, ScenarioRow
from models import Roster, Scenario

router = APIRouter(route_class=InputRoute, prefix="/scenarios/{scenario_id}/variants", tags=["what-if"],
                   responses=documented(404))


def _base(session: Session, scenario_id: str, caller: Caller) -> ScenarioRow:
    """The base scenario; variants change the whole province, so only a key of the whole
    province sees them (a what-if needs one too)."""
    row = live_scenario(session, scenario_id, caller)
    if not caller.whole_province:
        raise ApiError(404, "problem.no_scenario", id=scenario_id)
    return row


def _variant(session: Session, base: ScenarioRow, variant_id: str) -> ScenarioRow:
    row = session.get(ScenarioRow, variant_id)
    if row is None or row.base_id != base.id:
        raise ApiError(404, "problem.no_variant", id=variant_id, scenario=base.id)
    return row


def _roster_of(session: Session, variant: ScenarioRow) -> RosterRow | None:
    """The variant's roster (a what-if stores one per variant; the newest if more)."""
    return session.scalar(select(RosterRow).where(RosterRow.scenario_id == variant.id)
                          .order_by(RosterRow.created_at.desc(), RosterRow.id).limit(1))


def _summary(session: Session, row: ScenarioRow) -> VariantSummary:
    roster = _roster_of(session, row)
    assert row.base_id is not None and row.base_version is not None
    base_roster = roster.params.get("base_roster_id") if roster else None
    return VariantSummary(id=row.id, name=row.name, base_id=row.base_id,
                          base_version=row.base_version,
                          roster_id=roster.id if roster else None,
                          base_roster_id=base_roster if isinstance(base_roster, str) else None,
                          created_at=row.created_at)


@router.get("", response_model=Page[VariantSummary], summary="List a scenario's what-if variants")
def list_variants(scenario_id: str, session: SessionDep, settings: SettingsDep,
                  caller: CallerDep, offset: Offset = 0, limit: Limit = None
                  ) -> Page[VariantSummary]:
    """The variants tried on this scenario, newest first, each with its roster."""
    base = _base(session, scenario_id, caller)
    size = limit or settings.page_size
    query = select(ScenarioRow).where(ScenarioRow.base_id == base.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ScenarioRow.created_at.desc(), ScenarioRow.id)
                           .offset(offset).limit(size))
    return Page[VariantSummary](items=[_summary(session, r) for r in rows], total=total,
                                offset=offset, limit=size)


@router.get("/{variant_id}", response_model=VariantResource, summary="Read a what-if variant")
def read_variant(scenario_id: str, variant_id: str, session: SessionDep,
                 caller: CallerDep) -> VariantResource:
    """A variant: the changed scenario, the base version it changed, and its roster."""
    row = _variant(session, _base(session, scenario_id, caller), variant_id)
    scenario = Scenario.model_validate(stored_body(session, row.id, row.version))
    return VariantResource(**_summary(session, row).model_dump(), scenario=scenario)


class VariantComparison(BaseModel):
    id: str = Field(description="The variant's id.")
    name: str = Field(description="Its label.")
    base_version: int = Field(description="The version of the base it changes.")
    base_roster_id: str = Field(description="The base scenario's roster it is compared with.")
    roster_id: str = Field(description="The variant's roster.")
    comparison: Comparison = Field(description="What changes from the base roster to the "
                                               "variant's, as the what-if answered it.")


BaseRoster = Annotated[str | None, Query(
    max_length=64, description="A roster of the base scenario to compare with; by default the "
                               "one the variant was re-planned from.")]


@router.get("/{variant_id}/comparison", response_model=VariantComparison,
            summary="Compare a stored variant with a roster of its base")
def compare_variant(scenario_id: str, variant_id: str, session: SessionDep, caller: CallerDep,
                    lang: LangDep, base_roster_id: BaseRoster = None) -> VariantComparison:
    """A stored variant's roster against a roster of its base scenario (the one it was
    re-planned from, or `base_roster_id`), figure by figure and team by team, as the what-if
    answered, so that variants tried earlier can be set side by side. Commitments count as
    they stand now. 404 if the variant has no roster, or the base roster is unknown or of
    another scenario."""
    base = _base(session, scenario_id, caller)
    row = _variant(session, base, variant_id)
    roster_row = _roster_of(session, row)
    if roster_row is None:
        raise ApiError(404, "problem.no_roster", id=variant_id)
    chosen = base_roster_id or roster_row.params.get("base_roster_id")
    base_row = session.get(RosterRow, chosen) if isinstance(chosen, str) else None
    if base_row is None or base_row.scenario_id != base.id:
        raise ApiError(404, "problem.no_base_roster", id=str(chosen or "-"), scenario=base.id)
    assert row.base_version is not None
    # Every solve sees the province's commitments, and so does a comparison.
    committed = active(session, base.province)
    base_scenario = for_solving(Scenario.model_validate(
        stored_body(session, base.id, base_row.scenario_version)), committed)
    changed = for_solving(Scenario.model_validate(stored_body(session, row.id, row.version)),
                          committed)
    found = compare(base_scenario, Roster.model_validate(base_row.body), changed,
                    Roster.model_validate(roster_row.body))
    return VariantComparison(id=row.id, name=row.name, base_version=row.base_version,
                             base_roster_id=base_row.id, roster_id=roster_row.id,
                             comparison=localised_comparison(found, lang))


@router.post("/{variant_id}/adopt", status_code=201, response_model=CommitView,
             summary="Adopt a variant: commit its roster", responses=documented(403, 409, 422))
def adopt_variant(scenario_id: str, variant_id: str, session: SessionDep, caller: CallerDep,
                  response: Response, body: CommitRequest | None = None,
                  idempotency_key: IdempotencyKey = None) -> CommitView:
    """Commit the variant's roster (its staffed cases, or `cases`), as
    `POST /rosters/{id}/commit` does: 409 when the base scenario has a newer version than
    the variant changed, or when commitments made since clash with its teams (the
    checker's rules 5 and 6, naming who committed them and when)."""
    base = _base(session, scenario_id, caller)
    row = _variant(session, base, variant_id)
    assert row.base_version is not None  # every variant names its base's version
    if row.base_version != base.version:
        raise ApiError(409, "problem.base_changed", id=scenario_id, version=row.base_version,
                       current=base.version)
    roster = _roster_of(session, row)
    if roster is None:
        raise ApiError(404, "problem.no_roster", id=variant_id)
    return commit_roster(roster.id, session, caller, response, body, idempotency_key)
