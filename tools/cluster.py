"""One `taskforce serve` and any number of `taskforce worker` processes on this machine,
on a PostgreSQL database: what the multi-worker test and bench/workers.py run.

Everything listens on loopback only. Processes are ended by their own ids.
"""

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from urllib.error import URLError
from urllib.request import Request, urlopen

# The console script of the interpreter running this, as an operator would start it.
TASKFORCE = [str(Path(sys.executable).parent / "taskforce")]
ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Cluster:
    """A server on a free loopback port and workers started on demand, all on `database_url`
    with the environment `env` (AUDIT_SECRET and the like)."""

    def __init__(self, database_url: str, env: dict[str, str], logs: Path) -> None:
        self.env = {**os.environ, **env, "DATABASE_URL": database_url, "REQUIRE_KEYS": "false",
                    "SERVER_WORKERS": "0"}
        self.logs = logs
        self.port = free_port()
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: dict[str, subprocess.Popen[bytes]] = {}

    def _start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        return subprocess.Popen([*TASKFORCE, *args], env=self.env, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def start_server(self) -> None:
        """Start the server and wait until it answers /health."""
        self.server = self._start("server", ["serve", "--port", str(self.port)])
        deadline = monotonic() + START_SECONDS
        while True:
            try:
                self.call("GET", "/health")
                return
            except (URLError, ConnectionError):
                if monotonic() > deadline or self.server.poll() is not None:
                    raise RuntimeError("the server did not start; see server.log") from None
                sleep(0.2)  # a process starting up has nothing to wait on but its port

    def start_worker(self, name: str) -> subprocess.Popen[bytes]:
        process = self._start(name, ["worker", "--name", name])
        self.workers[name] = process
        return process

    def kill(self, name: str) -> None:
        """kill -9 one worker."""
        process = self.workers.pop(name)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self, name: str) -> None:
        """Stop one worker as Ctrl-C would (it hands its running tasks back)."""
        process = self.workers.pop(name)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        for name in list(self.workers):
            self.stop(name)
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def call(self, method: str, path: str, body: Any = None, timeout: float = 600) -> Any:
        """A request to the server; its JSON answer (HTTPError for 4xx and 5xx)."""
        data = None if body is None else json.dumps(body).encode()
        request = Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                          headers={"Content-Type": "application/json"})
        with urlopen(request, timeout=timeout) as answer:
            return json.loads(answer.read() or b"null")

    def roster(self, scenario: dict[str, Any], seconds: float, seed: int = 0) -> str:
        """Store `scenario`, solve it on the workers; the roster's id."""
        sid = self.call("POST", "/scenarios", scenario)["id"]
        job = self.call("POST", "/jobs", {"scenario_id": sid, "seconds": seconds, "seed": seed})
        deadline = monotonic() + seconds + START_SECONDS
        while True:
            state = self.call("GET", f"/jobs/{job['id']}")
            if state["state"] == "done":
                roster_id: str = state["roster_id"]
                return roster_id
            if state["state"] in ("failed", "cancelled") or monotonic() > deadline:
                raise RuntimeError(f"the base roster's job ended {state['state']}")
            sleep(0.2)  # the job's state is only in the database: poll it


@contextmanager
def cluster(database_url: str, env: dict[str, str], logs: Path) -> Iterator[Cluster]:
    """A started server; workers are the caller's to start."""
    made = Cluster(database_url, env, logs)
    try:
        made.start_server()
        yield made
    finally:
        made.close()
