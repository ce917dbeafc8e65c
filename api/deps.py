"""Typed dependencies: settings, a database session, and the caller, from the app's state."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.access import OPEN, Caller, authenticate
from api.db import session_scope
from api.problems import ApiError, request_default
from api.settings import Settings
from i18n import Language, from_accept_language

bearer = HTTPBearer(auto_error=False, description="An API key from `taskforce keys create`.")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    yield from session_scope(request.app.state.sessions)


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]

# Bounded so that a database's integer type holds them (SQLite's and PostgreSQL's bigint).
MAX_INDEX = 2**62
Offset = Annotated[int, Query(ge=0, le=MAX_INDEX, description="Index of the first item.")]
Limit = Annotated[int | None, Query(ge=1, le=500, description="Most items; default page_size.")]
Version = Annotated[int, Path(ge=1, le=MAX_INDEX, description="A version number, from 1.")]


def get_caller(settings: SettingsDep, session: SessionDep,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
               ) -> Caller:
    """The key behind the request: 401 without a valid one, unless keys are not required."""
    if not settings.require_keys:
        return OPEN
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ApiError(401, "problem.key_missing", headers=challenge)
    caller = authenticate(session, credentials.credentials)
    if caller is None:
        raise ApiError(401, "problem.key_unknown", headers=challenge)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_language(request: Request, response: Response, accept_language: Annotated[str | None, Header(
        description="zh or en (q-values honoured): the language of reasons and problems.")] = None
                 ) -> Language:
    """The reader's language, from Accept-Language; the service's default language (English
    unless `serve --lang` or DEFAULT_LANGUAGE says otherwise) when neither of ours is asked.
    The answer says which it is in (Content-Language), and that it depends on the header."""
    lang = from_accept_language(accept_language, request_default(request))
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return lang


LangDep = Annotated[Language, Depends(get_language)]
