"""Answers within the request: a roster for one case, and what-if variants of a scenario.

Both solve in the request's thread, so they take one of a few solve slots; when none is
free the answer is 429 rather than a hang.
"""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from uuid import uuid4

import jsonpatch
import jsonpointer
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.access import Caller
from api.commitments import active, for_solving
from api.compare import Comparison, compare, localised_comparison
from api.deps import CallerDep, LangDep, SessionDep, SettingsDep
from api.jobs import JobParams, narrowed
from api.problems import ApiError, documented
from api.reading import InputRoute
from api.routes.jobs import cases_to_solve
from api.routes.scenarios import store_new, stored_body, writable_scenario
from api.schemas import Alternatives, Body, Differ, Robust, RosterView, Seed
from api.settings import Settings
from api.tables import RosterRow, ScenarioRow
from i18n import localised
from models import Problem, Roster, Scenario, ScenarioError, parse_scenario
from models.enums import KeyRole
from models.scenario import MAX_TEXT, PlainText
from models.validation import problem, shown_text
from scheduler import solve
from scheduler.sweep import with_previous

router = APIRouter(route_class=InputRoute, tags=["rosters"], responses=documented(404, 413, 422, 429))
Seconds = Annotated[float, Query(gt=0, le=120, allow_inf_nan=False,
                                          description="Time limit of each solve.")]


@contextmanager
def solve_slot(request: Request, settings: Settings) -> Iterator[None]:
    slots = request.app.state.solve_slots
    if not slots.acquire(blocking=False):
        raise ApiError(429, "problem.slots_busy",
                       headers={"Retry-After": str(settings.retry_after_seconds)})
    try:
        yield
    finally:
        slots.release()


def _current(session: Session, scenario_id: str, caller: Caller,
             action: str) -> tuple[ScenarioRow, dict[str, Any]]:
    row = writable_scenario(session, scenario_id, caller, KeyRole.PLANNER, action)
    return row, stored_body(session, row.id, row.version)


def _store(session: Session, scenario_id: str, version: int, params: JobParams,
           roster: Roster, base_roster_id: str | None = None) -> RosterRow:
    extra = {} if base_roster_id is None else {"base_roster_id": base_roster_id}
    row = RosterRow.of(roster, id=uuid4().hex, scenario_id=scenario_id,
                       scenario_version=version, params=params.model_dump() | extra)
    session.add(row)
    session.flush()
    return row


class CaseRosterRequest(Body):
    """Options of a single-case roster; the body may be left out."""

    alternatives: Alternatives = 1
    differ: Differ = 2
    robust: Robust = False


@router.post("/scenarios/{scenario_id}/cases/{case_id}/roster", response_model=RosterView,
             summary="A roster for one case, now")
def case_roster(scenario_id: str, case_id: str, session: SessionDep, settings: SettingsDep,
                caller: CallerDep, request: Request, lang: LangDep, seconds: Seconds = 10.0,
                wanted: CaseRosterRequest | None = None) -> RosterView:
    """The best task force for one case of a stored scenario, found within `seconds`; with
    `alternatives` K in the body, up to K - 1 other teams too (`roster.alternatives`),
    each at least `differ` assignments from the best and from each other; with `robust`,
    teams whose members of a mandatory case have standbys are preferred."""
    options = wanted or CaseRosterRequest()
    row, body = _current(session, scenario_id, caller, "request_rosters")
    scenario = Scenario.model_validate(body)
    if case_id not in scenario.case_by_id:
        raise ApiError(404, "problem.no_case", id=scenario_id, case=case_id)
    cases_to_solve(caller, scenario, [case_id])
    # Alternatives carry figures of the whole roster: none for a key that sees part of the
    # province, as for jobs.
    count = options.alternatives if caller.whole_province else 1
    params = JobParams(seconds=seconds, seed=0, workers=settings.solve_workers, cases=[case_id],
                       alternatives=count, differ=options.differ, robust=options.robust)
    booked = for_solving(narrowed(scenario, [case_id]), active(session, scenario.province))
    with solve_slot(request, settings):
        roster = solve(booked, seconds=seconds, workers=settings.solve_workers,
                       alternatives=count, differ=options.differ, robust=options.robust)
    stored = _store(session, row.id, row.version, params, roster)
    session.commit()
    return RosterView.of(stored, localised(roster, lang))


class Variant(Body):
    name: PlainText = Field(min_length=1, max_length=MAX_TEXT,
                      description="A label, e.g. 'Zhao falls ill'.")
    patch: list[dict[str, Any]] = Field(
        description="RFC 6902 JSON Patch operations on the base scenario.")


class WhatIfRequest(Body):
    variants: list[Variant] = Field(min_length=1, max_length=8, description="Variants to try.")
    base_roster_id: str | None = Field(
        default=None, description="The base roster; solved now when not given.")
    seed: Seed = 0


class VariantResult(BaseModel):
    name: str = Field(description="The variant's label.")
    scenario_id: str = Field(description="The variant, stored under its base scenario "
                                         "(/scenarios/{base}/variants/{id}).")
    roster_id: str = Field(description="Its roster, stored.")
    roster: Roster = Field(description="The roster of the changed scenario.")
    comparison: Comparison = Field(description="What changed against the base roster.")


class WhatIfResult(BaseModel):
    scenario_id: str = Field(description="The base scenario.")
    scenario_version: int = Field(description="The version used as the base.")
    base_roster_id: str = Field(description="The base roster.")
    base: Roster = Field(description="The base roster.")
    variants: list[VariantResult] = Field(description="One result per variant, in order.")


PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")
# What each operation must hold beside `op` and `path` (RFC 6902, section 4).
PATCH_MEMBERS = {"add": ("value",), "replace": ("value",), "test": ("value",), "move": ("from",),
                 "copy": ("from",), "remove": ()}


def _pointer(text: Any) -> bool:
    return isinstance(text, str) and (text == "" or text.startswith("/"))


def _apply(doc: Any, op: dict[str, Any], path: str, name: str) -> tuple[Any, Problem | None]:
    """`doc` with the operation `op` applied (in place), or why it cannot apply, in our words
    (the JSON Patch library's are English and name its internals). What the operation says
    is repeated cut short (`shown_text`): a pointer of 5,000 digits was repeated whole."""
    kind = op.get("op")
    if kind not in PATCH_OPS:
        return doc, (problem(path, "invalid.patch_member", name, member="op") if kind is None
                     else problem(path, "invalid.patch_op", name, value=shown_text(str(kind))))
    for member in ("path", *PATCH_MEMBERS[kind]):
        if member not in op:
            return doc, problem(path, "invalid.patch_member", name, member=member)
        if member in ("path", "from") and not _pointer(op[member]):
            return doc, problem(path, "invalid.patch_pointer", name,
                                pointer=shown_text(str(op[member])))
    try:
        return jsonpatch.JsonPatch([op]).apply(doc, in_place=True), None
    except jsonpatch.JsonPatchTestFailed:
        return doc, problem(path, "invalid.patch_test", name, pointer=shown_text(op["path"]))
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, KeyError,
            IndexError, ValueError):
        source = op.get("from") if kind in ("move", "copy") else None
        missing = source if source is not None and \
            jsonpointer.resolve_pointer(doc, source, _NOTHING) is _NOTHING else op["path"]
        return doc, problem(path, "invalid.patch_missing", name, pointer=shown_text(missing))


_NOTHING = object()


def _patched(body: dict[str, Any], variants: list[Variant]) -> list[Scenario]:
    """Each variant's scenario; every problem of every variant is reported together (of a
    patch, its first operation that does not apply)."""
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    for i, variant in enumerate(variants):
        changed: Any = copy.deepcopy(body)
        failed = None
        for j, op in enumerate(variant.patch):
            changed, failed = _apply(changed, op, f"variants[{i}].patch[{j}]", variant.name)
            if failed is not None:
                problems.append(failed)
                break
        if failed is not None:
            continue
        try:
            scenarios.append(parse_scenario(changed))
        except ScenarioError as err:
            problems += err.under(f"variants[{i}]", item_id=variant.name)
    if problems:
        raise ApiError(422, "problem.variant_invalid", problems)
    return scenarios


@router.post("/scenarios/{scenario_id}/what-if", response_model=WhatIfResult,
             summary="Solve variants of a scenario and compare them with its roster")
def what_if(scenario_id: str, body: WhatIfRequest, session: SessionDep, settings: SettingsDep,
            caller: CallerDep, request: Request, lang: LangDep, seconds: Seconds = 10.0
            ) -> WhatIfResult:
    """Apply each variant's JSON Patch to the base scenario, re-plan from the base roster,
    and compare. Nothing is stored unless every variant is valid and solved. Variants
    change the whole province, so they take a key of the whole province."""
    row, base_body = _current(session, scenario_id, caller, "ask_what_if")
    caller.require_province(row.province, "ask_what_if")
    base_scenario = Scenario.model_validate(base_body)
    variants = _patched(base_body, body.variants)
    # Every solve sees the province's commitments; the stored variants do not embed them.
    committed = active(session, base_scenario.province)
    booked_base = for_solving(base_scenario, committed)
    params = JobParams(seconds=seconds, seed=body.seed, workers=settings.solve_workers,
                       cases=None)
    with solve_slot(request, settings):
        if body.base_roster_id is not None:
            base_row = session.get(RosterRow, body.base_roster_id)
            if base_row is None or base_row.scenario_id != scenario_id:
                raise ApiError(404, "problem.no_base_roster", id=body.base_roster_id,
                               scenario=scenario_id)
            base = Roster.model_validate(base_row.body)
        else:
            base = solve(booked_base, seconds=seconds, workers=settings.solve_workers,
                         seed=body.seed)
            base_row = _store(session, row.id, row.version, params, base)
        results = []
        for variant, changed in zip(body.variants, variants, strict=True):
            replanned = with_previous(changed, base)
            booked = for_solving(replanned, committed)
            roster = solve(booked, seconds=seconds, workers=settings.solve_workers,
                           seed=body.seed)
            # Both parts may be 200 characters; the stored name is a label, so cut it to
            # what the column holds rather than refuse a what-if already solved.
            label = f"{base_scenario.name} / what-if: {variant.name}"[:MAX_TEXT]
            # Stored as a variant of the base: never listed or opened as a scenario.
            stored_scenario, _ = store_new(session, replanned.model_dump(mode="json") | {
                "name": label}, caller, base=row, label=variant.name)
            # The roster it was re-planned from goes with it, so that it can be compared
            # with that roster again later (GET .../variants/{id}/comparison).
            stored = _store(session, stored_scenario.id, 1, params, roster,
                            base_roster_id=base_row.id)
            results.append(VariantResult(
                name=variant.name, scenario_id=stored_scenario.id, roster_id=stored.id,
                roster=localised(roster, lang),
                comparison=localised_comparison(compare(booked_base, base, booked, roster), lang)))
    session.commit()
    return WhatIfResult(scenario_id=row.id, scenario_version=row.version,
                        base_roster_id=base_row.id, base=localised(base, lang),
                        variants=results)
