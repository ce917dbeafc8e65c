"""Admission and slow bodies: clients trickling request bodies must not hold the places of
everyone else (tester's finding 6, a slowloris). The stack is driven directly over ASGI,
with a body that never finishes; nothing here waits on the clock."""

from typing import Any

import anyio
from starlette.types import Message, Receive, Scope, Send

from api.admission import Admission, BodyFirst

SCOPE: dict[str, Any] = {"type": "http", "method": "POST", "path": "/scenarios",
                         "headers": []}


async def _echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads its whole body, then answers 200 with its length."""
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _stack(body_seconds: float) -> Any:
    """The service's order: BodyFirst outside Admission (one place only) outside the app."""
    return BodyFirst(Admission(_echo, limit=1, wait_seconds=0.05, retry_after_seconds=1),
                     max_bytes=1000, timeout_seconds=body_seconds)


async def _call(app: Any, receive: Receive) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(dict(SCOPE), receive, send)
    return sent


def _whole(body: bytes) -> Receive:
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}
    return receive


def test_a_trickling_body_does_not_hold_the_only_place() -> None:
    """While one client has sent a byte of its body and nothing more, another request with
    its whole body is admitted and answered 200 (before, the trickler held the one place
    and everyone else got 429)."""
    app = _stack(body_seconds=600)

    async def main() -> list[Message]:
        started = anyio.Event()

        async def trickle() -> Message:
            if not started.is_set():
                started.set()
                return {"type": "http.request", "body": b"{", "more_body": True}
            await anyio.sleep_forever()
            raise AssertionError("unreachable")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_call, app, trickle)
            await started.wait()
            answer = await _call(app, _whole(b'{"name": "x"}'))
            tasks.cancel_scope.cancel()
        return answer

    answer = anyio.run(main)
    assert answer[0]["status"] == 200 and answer[1]["body"] == b"13"


def test_a_body_that_never_finishes_gets_408() -> None:
    """A body not received in full within the read timeout is answered 408, naming it."""
    app = _stack(body_seconds=0.01)

    async def never() -> Message:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    answer = anyio.run(_call, app, never)
    assert answer[0]["status"] == 408
    assert b"did not arrive" in answer[1]["body"]


def test_an_oversize_streamed_body_gets_413() -> None:
    """A body over the limit, in chunks without a declared length, is refused with 413."""
    chunks = [{"type": "http.request", "body": b"x" * 600, "more_body": True}] * 2

    async def receive() -> Message:
        return chunks.pop(0)

    answer = anyio.run(_call, _stack(body_seconds=600), receive)
    assert answer[0]["status"] == 413
