"""Scenarios sent as workbooks: the body of POST /scenarios (and /scenarios/validate) is
JSON, or a multipart form whose `workbook` field is an .xlsx file (see `sheets`)."""

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile  # what request.form() gives, not FastAPI's subclass
from starlette.exceptions import HTTPException

from api.deps import LangDep
from api.problems import ApiError, json_problem
from api.reading import BodyProblems, body_json
from i18n import worded
from models.validation import Problem, problem
from sheets import WorkbookError, read_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# How the operation's body is documented, since it is read by hand: JSON or a workbook.
SCENARIO_OR_WORKBOOK: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object",
                                    "description": "A scenario (see the Scenario schema)."}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["workbook"],
        "properties": {"workbook": {"type": "string", "format": "binary",
                                    "description": "A scenario workbook (.xlsx), as "
                                                   "`taskforce template` writes."}}}},
}}}


# A scenario sent as JSON only (a replacement): documented here, as the body is read by
# `scenario_json` rather than by FastAPI.
SCENARIO_JSON: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": SCENARIO_OR_WORKBOOK["requestBody"]["content"]["application/json"]}}}


async def scenario_json(request: Request) -> dict[str, Any]:
    """The JSON body of the request as plain data, read as every scenario is
    (`models.read_json`): a number of thousands of digits is a number too large, refused at
    its field, where FastAPI's own parse made it a 400 naming none."""
    try:
        body = await body_json(request)
    except json.JSONDecodeError as e:
        raise ApiError(400, "problem.json_invalid", [json_problem(e.doc, e.pos)]) from None
    except UnicodeDecodeError:
        raise ApiError(400, "problem.body_unreadable") from None
    if not isinstance(body, dict):
        raise ApiError(422, "problem.request_invalid",
                       [problem("$", "invalid.not_object")])
    return body


ScenarioJson = Annotated[dict[str, Any], Depends(scenario_json)]


async def _scenario_or_workbook(request: Request, lang: LangDep) -> dict[str, Any]:
    """The scenario of the request as plain data: its JSON body, or its workbook read with
    every problem (sheet, row, column, id) in the reader's language (WorkbookError)."""
    # Media types are case-insensitive (RFC 9110).
    if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        try:
            form = await request.form(max_files=1, max_fields=4)
        except HTTPException as e:
            # Starlette's account of a form it cannot read is English ("Missing boundary
            # in multipart."), and a Chinese answer carried it as it was.
            raise ApiError(e.status_code, "problem.form_unreadable") from None
        upload = form.get("workbook")
        if not isinstance(upload, UploadFile):
            raise ApiError(422, "problem.workbook_missing")
        data = await upload.read()
        # openpyxl is CPU-bound: off the event loop, like the sync routes.
        found: dict[str, Any] = await run_in_threadpool(read_workbook, data, lang)
        return found
    return await scenario_json(request)


async def scenario_data(request: Request, lang: LangDep) -> dict[str, Any]:
    """The scenario of the request as plain data; a workbook with problems is a 422 listing
    each as data: sheet, row, column (letter and header), id, and what."""
    try:
        return await _scenario_or_workbook(request, lang)
    except WorkbookError as e:
        raise ApiError(422, "problem.workbook_invalid", e.found) from None


async def scenario_or_problems(request: Request, lang: LangDep) -> dict[str, Any] | list[Problem]:
    """The scenario of the request as plain data, or, for a workbook that does not read, its
    problems (sheet, row, column, header, id, what), for a report rather than an error."""
    try:
        return await _scenario_or_workbook(request, lang)
    except WorkbookError as e:
        return e.found
    except BodyProblems as e:  # a key named twice: problems to report, as any scenario's
        return [worded(p, lang) for p in e.problems]


ScenarioOrWorkbook = Annotated[dict[str, Any], Depends(scenario_data)]
ScenarioOrProblems = Annotated[dict[str, Any] | list[Problem], Depends(scenario_or_problems)]
