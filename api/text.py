"""JSON bodies whose strings are not Unicode text are refused before anything reads them,
and the body is read once for every route (`models.read_json`).

JSON lets a string hold a lone UTF-16 surrogate ("\\ud800"); Python keeps it, but no
database column, CSV export or JSON answer can encode it as UTF-8, so it failed late with
a 500 wherever it was first written out. One check on the parsed body, before any route
runs, answers 422 with the path of the string instead.
"""

import json
from typing import Any

from fastapi import Request

from api.problems import ApiError, json_problem
from api.reading import BodyProblems, body_json
from models.validation import NestedTooDeep, printable, problem


def _is_text(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_non_text(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) in a parsed JSON value that is not valid
    Unicode text, e.g. "cases[0]"; None when every string is."""
    if isinstance(value, str):
        return None if _is_text(value) else (path or "$")
    if isinstance(value, list):
        for i, item in enumerate(value):
            if (found := first_non_text(item, f"{path}[{i}]")) is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{printable(key)}" if path else printable(key)
            if not _is_text(key):
                return where
            if (found := first_non_text(item, where)) is not None:
                return found
    return None


async def refuse_non_text(request: Request) -> None:
    """An app-wide dependency: a JSON body with a lone surrogate anywhere is a 422 naming
    where. Bodies that are not JSON, or not valid JSON, are left to the route."""
    content_type = request.headers.get("content-type", "").lower()
    if "json" not in content_type or not await request.body():
        return
    try:
        data = await body_json(request)
    except NestedTooDeep as e:
        # The route would parse it again, and fail the same way inside FastAPI (a 500).
        raise ApiError(400, "problem.json_invalid", [json_problem(e.doc, e.pos)]) from None
    except (json.JSONDecodeError, UnicodeDecodeError, BodyProblems):
        return  # the route's to answer: POST /scenarios/validate reports problems
    if (where := first_non_text(data)) is not None:
        raise ApiError(422, "problem.request_invalid", [problem(where, "invalid.not_unicode")])
