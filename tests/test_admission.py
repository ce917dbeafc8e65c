"""Admission and slow bodies: clients trickling request bodies must not hold the places of
everyone else (tester's finding 6, a slowloris). The stack is driven directly over ASGI,
with a body that never finishes; nothing here waits on the clock."""

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.types import Message, Receive, Scope, Send

from api.admission import Admission, BodyFirst
from api.app import create_app
from api.settings import Settings

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


def _zh_app(tmp_path: Path) -> Any:
    """The whole service with Chinese as its language (as `serve --lang zh` or
    DEFAULT_LANGUAGE=zh makes it), one place, small bodies and short waits."""
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 't.db'}", require_keys=False,
                               default_language="zh", max_requests=1, busy_wait_seconds=0.01,
                               max_body_bytes=100, body_read_seconds=0.01))


def _scope(accept: str | None = None, length: int | None = None) -> dict[str, Any]:
    headers = [(b"accept-language", accept.encode())] if accept else []
    headers += [(b"content-length", str(length).encode())] if length is not None else []
    return {"type": "http", "method": "POST", "path": "/scenarios/validate", "headers": headers,
            "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
            "server": ("testserver", 80), "client": ("testclient", 1)}


async def _answer(app: Any, scope: dict[str, Any], receive: Receive) -> tuple[int, dict[str, Any], str]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], json.loads(sent[1]["body"]), headers.get("content-language", "")


def _busy_answer(app: Any, accept: str | None) -> tuple[int, dict[str, Any], str]:
    """The answer to a request while another holds the only place: the first is admitted
    and stays inside until the second has been answered (its response is held at send)."""
    async def main() -> tuple[int, dict[str, Any], str]:
        inside, done = anyio.Event(), anyio.Event()

        async def holding(message: Message) -> None:
            inside.set()
            await done.wait()

        async with anyio.create_task_group() as tasks:
            first = {**_scope(), "method": "GET", "path": "/messages/en"}
            tasks.start_soon(app, first, _whole(b""), holding)
            await inside.wait()
            answer = await _answer(app, _scope(accept), _whole(b"{}"))
            done.set()
        return answer
    return anyio.run(main)


@pytest.mark.parametrize(("accept", "lang"), [(None, "zh"), ("fr", "zh"), ("en-GB,en;q=0.9", "en")])
def test_busy_and_body_problems_speak_the_services_language(tmp_path: Path, accept: str | None,
                                                             lang: str) -> None:
    """408, 413 (declared or streamed) and 429, answered before the app is reached, are in
    the language of Accept-Language, else in the service's own (serve --lang zh), like every
    other problem+json answer, with Content-Language saying which."""
    app = _zh_app(tmp_path)

    async def never() -> Message:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    chunks = [{"type": "http.request", "body": b"x" * 60, "more_body": True}] * 2

    async def streamed() -> Message:
        return chunks.pop(0)

    answers = [
        (408, anyio.run(_answer, app, _scope(accept), never)),
        (413, anyio.run(_answer, app, _scope(accept, length=500), _whole(b"x" * 500))),
        (413, anyio.run(_answer, app, _scope(accept), streamed)),
        (429, _busy_answer(app, accept)),
    ]
    words = {"zh": {408: "请求超时", 413: "内容过大", 429: "请求过多"},
             "en": {408: "Request Timeout", 413: "Content Too Large", 429: "Too Many Requests"}}
    for status, (got, body, content_language) in answers:
        assert got == status, (status, body)
        assert content_language == lang and body["title"] == words[lang][status], (status, body)


def test_the_middlewares_are_given_the_language_not_left_to_find_it() -> None:
    """Outside the app (no app in the request's scope, as for any ASGI server that calls the
    middleware first), each middleware still answers in the language it was given."""
    app = BodyFirst(Admission(_echo, limit=1, wait_seconds=0.05, retry_after_seconds=1,
                              default_language="zh"),
                    max_bytes=10, timeout_seconds=600, default_language="zh")
    status, body, lang = anyio.run(_answer, app, _scope(length=50), _whole(b"x" * 50))
    assert (status, lang, body["detail"]) == (413, "zh", "请求体超过10字节")
