"""JSON request bodies read as scenario files are (`models.validation.read_json`).

FastAPI's own reader asks Python for every integer, which refuses one of more than 4,300
digits: a job posted with such a seed came back as an unreadable body naming no field.
Read this way, the number reaches validation, which refuses it at its field."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from models.validation import read_json


class _Input(Request):
    """A request whose JSON body is read by `read_json`."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = read_json(await self.body())
        return self._json


class InputRoute(APIRoute):
    """The route class of every router: its handler sees the request as `_Input`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read(request: Request) -> Response:
            return await handler(_Input(request.scope, request.receive))

        return read
