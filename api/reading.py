"""JSON request bodies read as scenario files are (`models.validation.read_json`).

FastAPI's own reader asks Python for every integer, which refuses one of more than 4,300
digits: a job posted with such a seed came back as an unreadable body naming no field.
Read this way, the number reaches validation, which refuses it at its field.

Every body but a multipart form (a workbook) is read as JSON, whatever its media type
says, as the scenario routes always read theirs: FastAPI reads a body sent as text/plain
or as a form (curl -d without a header) as bytes, and refused it as "not an object"
showing b'...'; and the app-wide text check (`api.text`) looked only at bodies that said
they were JSON, so a scenario sent as text/plain passed it unchecked."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.types import Scope

from models import Problem, ScenarioError
from models.validation import read_json


class BodyProblems(HTTPException):
    """A JSON body `read_json` refuses with problems at their paths (a key named twice in
    one object): a 422. An HTTPException, as FastAPI lets only those out of its own
    reading of a body; any other error there becomes its 400 naming nothing."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(422)
        self.problems = problems


async def body_json(request: Request) -> Any:
    """The request's JSON body by `read_json`, read once per request: FastAPI's parse for
    a body parameter, the app-wide text check (`api.text`) and a scenario route's own
    (`api.workbooks`) share it, whichever request object asks (it is kept in the
    request's state). A body that does not parse raises each time it is asked for."""
    try:
        return request.state.json_body
    except AttributeError:
        try:
            request.state.json_body = read_json(await request.body())
        except ScenarioError as err:
            raise BodyProblems(err.problems) from None
        return request.state.json_body


class _Input(Request):
    """A request whose JSON body is `body_json`."""

    async def json(self) -> Any:
        return await body_json(self)


def as_json(scope: Scope) -> Scope:
    """`scope` saying its body is application/json, unless it says multipart/form-data (a
    workbook) in any case; the request's state stays shared with it."""
    headers = scope["headers"]
    kind = b"".join(v for k, v in headers if k == b"content-type").decode("latin-1")
    if kind.split(";")[0].strip().lower() == "multipart/form-data":
        return scope
    # Said plainly, whatever the client wrote: media types are case-insensitive, and
    # the text check (`api.text`) once let a lone surrogate through in a body sent as
    # Application/JSON, to fail as a 500 where it was stored.
    scope.setdefault("state", {})
    said = [(k, v) for k, v in headers if k != b"content-type"]
    return {**scope, "headers": [*said, (b"content-type", b"application/json")]}


class InputRoute(APIRoute):
    """The route class of every router: its handler sees the request as `_Input`, its
    body JSON unless it is a multipart form (`as_json`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read(request: Request) -> Response:
            return await handler(_Input(as_json(request.scope), request.receive))

        return read
