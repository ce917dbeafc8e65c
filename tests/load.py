"""Load for the service: a real uvicorn server in a thread, and bursts of concurrent
requests from an asyncio client, each timed. Used by tests/test_load.py and bench/load.py."""

import asyncio
import socket
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import httpx2
import uvicorn

from api.app import create_app
from api.settings import Settings


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """Serve an app on `settings` on a free loopback port; yield its base URL. The server
    runs uvicorn's own event loop and thread pool, as `taskforce serve` does."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the server did not start")
            threading.Event().wait(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


@dataclass(frozen=True)
class Call:
    """One request of a burst."""

    kind: str
    method: str
    url: str
    json: Any = None


# The status recorded for a request that got no answer within the burst's timeout.
NO_ANSWER = 0


@dataclass(frozen=True)
class Outcome:
    """How one request of a burst went."""

    kind: str
    status: int
    seconds: float
    retry_after: str | None


async def _one(client: httpx2.AsyncClient, call: Call, start: asyncio.Event) -> Outcome:
    await start.wait()
    began = perf_counter()
    try:
        answer = await client.request(call.method, call.url, json=call.json)
    except httpx2.TimeoutException:
        return Outcome(call.kind, NO_ANSWER, perf_counter() - began, None)
    return Outcome(call.kind, answer.status_code, perf_counter() - began,
                   answer.headers.get("retry-after"))


async def _burst(base: str, headers: dict[str, str], calls: list[Call],
                 timeout: float) -> list[Outcome]:
    limits = httpx2.Limits(max_connections=len(calls), max_keepalive_connections=len(calls))
    async with httpx2.AsyncClient(base_url=base, headers=headers, timeout=timeout,
                                  limits=limits) as client:
        start = asyncio.Event()
        tasks = [asyncio.ensure_future(_one(client, c, start)) for c in calls]
        await asyncio.sleep(0)  # every request is waiting on `start` before any goes
        start.set()
        return list(await asyncio.gather(*tasks))


def burst(base: str, headers: dict[str, str], calls: list[Call],
          timeout: float = 60.0) -> list[Outcome]:
    """Send every call at the same moment, each on its own connection; their outcomes."""
    return asyncio.run(_burst(base, headers, calls, timeout))


async def _closed_loop(base: str, headers: dict[str, str], calls: list[Call], clients: int,
                       timeout: float) -> list[Outcome]:
    queue = list(reversed(calls))
    outcomes: list[Outcome] = []
    start = asyncio.Event()
    start.set()
    async with httpx2.AsyncClient(base_url=base, headers=headers, timeout=timeout) as client:

        async def worker() -> None:
            while queue:
                outcomes.append(await _one(client, queue.pop(), start))

        await asyncio.gather(*(worker() for _ in range(clients)))
    return outcomes


def closed_loop(base: str, headers: dict[str, str], calls: list[Call], clients: int,
                timeout: float = 600.0) -> list[Outcome]:
    """`clients` clients, each sending the next call as soon as its last one is answered,
    until every call is sent; their outcomes, in the order they were answered."""
    return asyncio.run(_closed_loop(base, headers, calls, clients, timeout))


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile of `values` (0 < share < 1), by linear interpolation."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]
