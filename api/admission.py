"""Admission: at most `limit` requests are inside the service at once; the others wait a
little for their turn, then get 429 with Retry-After.

Why: each request inside holds one pooled database connection and one worker thread
from its first dependency to its last. Admitting more requests than there are
connections (or threads) lets the admitted ones wait on each other for 30 s and then
fail with 500. With the limit below both, nobody inside ever waits for a connection, and
an overload is answered quickly and honestly.

A request is admitted only once its whole body has arrived (BodyFirst, outside
Admission): otherwise a few dozen clients trickling bodies a byte a second, with no key
at all, would hold every place and lock everyone out. A body not received within
body_read_seconds gets 408.

Both answer in the request's Accept-Language, else in the service's language (`serve
--lang`, DEFAULT_LANGUAGE), which they are given: they run outside the app, so they do not
rely on finding its settings in the request's scope.

The counter is a plain lock-guarded integer, not an asyncio semaphore: a test client may
run each request on an event loop of its own, and an asyncio primitive belongs to one.
"""

import threading
from time import monotonic

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from i18n import DEFAULT_LANGUAGE, Language
from models.reason import why

# Waiting requests look again this often (doubling from the first to the last).
FIRST_LOOK_SECONDS, LAST_LOOK_SECONDS = 0.002, 0.05


class Admission:
    """ASGI middleware letting at most `limit` HTTP requests in at once."""

    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float,
                 retry_after_seconds: int, default_language: Language = DEFAULT_LANGUAGE) -> None:
        self.app, self.limit, self.lang = app, limit, default_language
        self.wait_seconds, self.retry_after = wait_seconds, retry_after_seconds
        self._inside = 0
        self._lock = threading.Lock()

    def _enter(self) -> bool:
        with self._lock:
            if self._inside >= self.limit:
                return False
            self._inside += 1
            return True

    def _leave(self) -> None:
        with self._lock:
            self._inside -= 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline, pause = monotonic() + self.wait_seconds, FIRST_LOOK_SECONDS
        while not self._enter():
            if monotonic() >= deadline:
                response = problem_response(
                    Request(scope), 429, "problem.service_busy",
                    headers={"Retry-After": str(self.retry_after)}, default=self.lang)
                await response(scope, receive, send)
                return
            await anyio.sleep(pause)
            pause = min(pause * 2, LAST_LOOK_SECONDS)
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()


class BodyFirst:
    """ASGI middleware reading a request's whole body, within `timeout_seconds` and up to
    `max_bytes`, before passing the request on; the app then reads it from memory."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float,
                 default_language: Language = DEFAULT_LANGUAGE) -> None:
        self.app, self.max_bytes, self.timeout = app, max_bytes, timeout_seconds
        self.lang = default_language

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem_response(Request(scope), 413, why("problem.body_too_large", limit=self.max_bytes),
                               default=self.lang)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            # Refused before a byte is read.
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        try:
            with anyio.fail_after(self.timeout):
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client left: nobody to answer
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._too_large(scope, receive, send)
                        return
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            await problem_response(Request(scope), 408, why("problem.body_timeout", seconds=self.timeout),
                                   default=self.lang)(scope, receive, send)
            return
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: the disconnect, when it comes

        await self.app(scope, replay, send)
