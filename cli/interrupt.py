"""Ctrl-C during a solve: the first asks the solver for its best roster so far, a second
one gives up."""

import signal
import threading
from collections.abc import Callable
from time import perf_counter
from types import FrameType

from models import Roster

# A second SIGINT sooner than this after the first is the same interrupt delivered twice:
# `timeout -s INT` signals the command and then its whole process group.
REPEAT_SECONDS = 0.5


def solve_until_interrupted(solve: Callable[[threading.Event], Roster],
                            on_first: Callable[[], None]) -> Roster:
    """Run `solve(stop)` in a thread; the first SIGINT sets `stop` (and calls `on_first`),
    so the solver ends early with the best roster it has; a second, at least
    REPEAT_SECONDS later, raises KeyboardInterrupt. The main thread waits in Python, not
    inside CP-SAT, so that the signal is seen at once."""
    stop = threading.Event()
    result: list[Roster] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(solve(stop))
        except BaseException as e:  # re-raised in the main thread below
            failure.append(e)

    first: list[float] = []

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if not first:
            first.append(perf_counter())
            stop.set()
            on_first()
        elif perf_counter() - first[0] >= REPEAT_SECONDS:
            raise KeyboardInterrupt

    thread = threading.Thread(target=work, name="solve", daemon=True)
    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        thread.start()
        while thread.is_alive():
            thread.join(0.1)
    finally:
        signal.signal(signal.SIGINT, previous)
    if failure:
        raise failure[0]
    return result[0]
