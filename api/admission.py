"""Admission: at most `limit` requests are inside the service at once; the others wait a
little for their turn, then get 429 with Retry-After.

Why: each request inside holds one pooled database connection and one worker thread
from its first dependency to its last. Admitting more requests than there are
connections (or threads) lets the admitted ones wait on each other for 30 s and then
fail with 500. With the limit below both, nobody inside ever waits for a connection, and
an overload is answered quickly and honestly.

The counter is a plain lock-guarded integer, not an asyncio semaphore: a test client may
run each request on an event loop of its own, and an asyncio primitive belongs to one.
"""

import threading
from time import monotonic

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import problem_response

# Waiting requests look again this often (doubling from the first to the last).
FIRST_LOOK_SECONDS, LAST_LOOK_SECONDS = 0.002, 0.05


class Admission:
    """ASGI middleware letting at most `limit` HTTP requests in at once."""

    def __init__(self, app: ASGIApp, limit: int, wait_seconds: float,
                 retry_after_seconds: int) -> None:
        self.app, self.limit = app, limit
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
                    None, 429, "the service is busy; try again shortly",
                    headers={"Retry-After": str(self.retry_after)})
                await response(scope, receive, send)
                return
            await anyio.sleep(pause)
            pause = min(pause * 2, LAST_LOOK_SECONDS)
        try:
            await self.app(scope, receive, send)
        finally:
            self._leave()
