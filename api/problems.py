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

from api.reading import BodyProblems
from i18n import Language, from_accept_language, render, worded
from i18n.catalogue import DEFAULT_LANGUAGE, lookup
from models import Problem, ScenarioError
from models.reason import Param, Reason, why
from models.validation import field_path, problem, pydantic_problem

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


# FastAPI's words for a body its JSON reader refused other than as malformed JSON: a byte
# that is not UTF-8 (numbers of any length are read, `api.reading`).
FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"

# A detail that is a catalogue code is put into the reader's words with its parameters.
DETAIL_CODE = "problem."


def detail_reason(detail: str | Reason, params: dict[str, Param] | None = None) -> Reason:
    """A problem's detail as a reason: a `problem.` code with `params`, or words as they are."""
    if isinstance(detail, Reason):
        return detail
    if detail.startswith(DETAIL_CODE):
        return why(detail, **(params or {}))
    return why("text", text=detail)


class ApiError(Exception):
    """Raised by routes: becomes a problem response. `detail` is a `problem.` message code,
    worded in the reader's language with `params`."""

    def __init__(self, status: int, detail: str | Reason, errors: list[Problem] | None = None,
                 headers: dict[str, str] | None = None, **params: Param) -> None:
        self.reason = detail_reason(detail, params)
        super().__init__(render(self.reason, "en"))
        self.status, self.errors, self.headers = status, errors or [], headers


def request_default(request: Request | None) -> Language:
    """The service's language for a request that asks for neither of ours."""
    # A middleware's request may come before the app is in its scope: the middleware then
    # says the service's language itself (`default` of problem_response).
    app = request.scope.get("app") if request is not None else None
    settings = getattr(getattr(app, "state", None), "settings", None)
    lang: Language = getattr(settings, "default_language", DEFAULT_LANGUAGE)
    return lang


def request_language(request: Request | None, default: Language | None = None) -> Language:
    """The language the request asked for in Accept-Language, else `default`, else the
    service's default."""
    return from_accept_language(request.headers.get("accept-language") if request else None,
                                default or request_default(request))


def problem_response(request: Request | None, status: int, detail: str | Reason | None,
                     errors: list[Problem] | None = None,
                     headers: dict[str, str] | None = None,
                     default: Language | None = None) -> JSONResponse:
    """A problem+json answer in the request's language (Accept-Language, else `default`,
    else the service's `default_language`)."""
    lang = request_language(request, default)
    title = lookup(lang, f"http.{status}") or HTTPStatus(status).phrase
    text = None if detail is None else render(detail_reason(detail), lang)
    body = ProblemDetail(title=title, status=status, detail=text,
                         instance=request.url.path if request else None,
                         errors=[worded(p, lang) for p in errors or []])
    return JSONResponse(body.model_dump(mode="json"), status_code=status, media_type=PROBLEM_JSON,
                        headers={**(headers or {}), "Content-Language": lang})


def json_problem(doc: object, at: object) -> Problem:
    """Malformed JSON, said as a scenario file's is: where it stops, by line and column,
    without Python's parser's English account (which a Chinese answer carried)."""
    text = doc if isinstance(doc, str) else ""
    pos = at if isinstance(at, int) and 0 <= at <= len(text) else 0
    line = text.count("\n", 0, pos) + 1
    return problem("$", "invalid.json_at", line=line, column=pos - text.rfind("\n", 0, pos))


def _request_problems(err: RequestValidationError) -> tuple[int, list[Problem]]:
    problems, status = [], 422
    for e in err.errors():
        loc = list(e["loc"])
        if e.get("type") == "json_invalid":
            problems.append(json_problem(err.body, loc[-1] if loc else 0))
            status = 400
            continue
        # Paths as a scenario's are written (`cases[0]`), without FastAPI's `body.`.
        where = loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc
        problems.append(pydantic_problem(e, field_path("", where) or str(loc[0]) if loc
                                         else "$"))
    return status, problems


def install(app: FastAPI) -> None:
    """Route every error through problem_response."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem_response(request, exc.status, exc.reason, exc.errors, exc.headers)

    @app.exception_handler(BodyProblems)
    async def _body_problems(request: Request, exc: BodyProblems) -> JSONResponse:
        return problem_response(request, 422, "problem.request_invalid", exc.problems)

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
        detail = str(exc.detail)
        if exc.status_code == 400 and detail == FASTAPI_UNREADABLE_BODY:
            detail_code: str | Reason = "problem.body_unreadable"
        elif detail == HTTPStatus(exc.status_code).phrase:
            # Starlette's generic detail (an unknown path): the title's words, in the language.
            detail_code = why(f"http.{exc.status_code}")
        else:
            detail_code = detail
        return problem_response(request, exc.status_code, detail_code, headers=headers or None)

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
        return problem_response(request, 500, "problem.internal")


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
    return problem_response(request, 503, "problem.database_busy",
                            headers={"Retry-After": str(seconds)})


def _allowed(app: FastAPI, request: Request) -> set[str]:
    """The methods of every route whose path matches the request's."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return methods
