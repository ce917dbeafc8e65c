"""JSON request bodies read as scenario files are (`models.validation.read_json`).

FastAPI's own reader asks Python for every integer, which refuses one of more than 4,300
digits: a job posted with such a seed came back as an unreadable body naming no field.
Read this way, the number reaches validation, which refuses it at its field."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from models.validation import read_json


async def body_json(request: Request) -> Any:
    """The request's JSON body by `read_json`, read once per request: FastAPI's parse for
    a body parameter, the app-wide text check (`api.text`) and a scenario route's own
    (`api.workbooks`) share it, whichever request object asks (it is kept in the
    request's state). A body that does not parse raises each time it is asked for."""
    try:
        return request.state.json_body
    except AttributeError:
        request.state.json_body = read_json(await request.body())
        return request.state.json_body


class _Input(Request):
    """A request whose JSON body is `body_json`."""

    async def json(self) -> Any:
        return await body_json(self)


class InputRoute(APIRoute):
    """The route class of every router: its handler sees the request as `_Input`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read(request: Request) -> Response:
            return await handler(_Input(request.scope, request.receive))

        return read
