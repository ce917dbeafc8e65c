"""Every 4xx and 5xx answer is an RFC 9457 problem: application/problem+json."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException

from i18n import from_accept_language, message
from i18n.catalogue import lookup
from models import Problem, ScenarioError

log = logging.getLogger("taskforce.api")
PROBLEM_JSON = "application/problem+json"


class ProblemDetail(BaseModel):
    """An RFC 9457 problem; `errors` lists each field at fault, with the id of its item."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str | None = Field(default=None, description="What went wrong this time.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[Problem] = Field(default_factory=list, description="Each field at fault.")


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for problem answers, with their real media type."""
    schema = {"$ref": "#/components/schemas/ProblemDetail"}
    return {code: {"model": ProblemDetail, "description": HTTPStatus(code).phrase,
                   "content": {PROBLEM_JSON: {"schema": schema}}} for code in codes}


# Answers any route may give.
COMMON_PROBLEMS = (400, 401, 403, 404, 413, 422, 429, 500, 503)


class ApiError(Exception):
    """Raised by routes: becomes a problem response."""

    def __init__(self, status: int, detail: str, errors: list[Problem] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors or [], headers


# A detail that is a catalogue code (the generic ones) is put into the reader's words.
DETAIL_CODE = "problem."


def problem_response(request: Request | None, status: int, detail: str | None,
                     errors: list[Problem] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    lang = from_accept_language(request.headers.get("accept-language") if request else None)
    title = lookup(lang, f"http.{status}") or HTTPStatus(status).phrase
    if detail is not None and detail.startswith(DETAIL_CODE):
        detail = message(lang, detail)
    body = ProblemDetail(title=title, status=status, detail=detail,
                         instance=request.url.path if request else None, errors=errors or [])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON,
                        headers={**(headers or {}), "Content-Language": lang})


def _request_problems(err: RequestValidationError) -> tuple[int, list[Problem]]:
    problems, status = [], 422
    for e in err.errors():
        loc = [str(part) for part in e["loc"]]
        if e.get("type") == "json_invalid":
            status = 400
        where = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        problems.append(Problem(path=".".join(where) or loc[0] if loc else "$",
                                message=str(e["msg"])))
    return status, problems


def install(app: FastAPI) -> None:
    """Route every error through problem_response."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(ScenarioError)
    async def _scenario_error(request: Request, exc: ScenarioError) -> JSONResponse:
        return problem_response(request, 422, "problem.scenario_invalid", exc.problems)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, problems = _request_problems(exc)
        detail = "problem.json_invalid" if status == 400 else "problem.request_invalid"
        return problem_response(request, status, detail, problems)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            # Starlette names only the first route on the path; list every route's methods.
            headers["Allow"] = ", ".join(sorted(_allowed(app, request)))
        return problem_response(request, exc.status_code, str(exc.detail), headers=headers or None)

    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _no_connection(request: Request, exc: SQLAlchemyTimeoutError) -> JSONResponse:
        log.warning("no database connection for %s: %s", request.url.path, exc)
        return _busy(request)

    @app.exception_handler(OperationalError)
    async def _database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        if not _busy_database(exc):
            return await _unexpected(request, exc)
        log.warning("database busy on %s: %s", request.url.path, exc)
        return _busy(request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem_response(request, 500, "an internal error; it has been logged")


# SQLite's "database is locked"; PostgreSQL's lock_not_available and query_canceled
# (lock or statement timeouts): the same request may succeed a moment later.
BUSY_SQLSTATES = {"55P03", "57014"}


def _busy_database(exc: OperationalError) -> bool:
    return ("database is locked" in str(exc.orig)
            or getattr(exc.orig, "sqlstate", None) in BUSY_SQLSTATES)


def _busy(request: Request) -> JSONResponse:
    """503 with Retry-After: the database could not serve the request in time (nothing of
    it was stored; its transaction rolled back)."""
    seconds = request.app.state.settings.busy_retry_after_seconds
    return problem_response(request, 503, "the database is busy; try again shortly",
                            headers={"Retry-After": str(seconds)})


def _allowed(app: FastAPI, request: Request) -> set[str]:
    """The methods of every route whose path matches the request's."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return methods
