"""Ctrl-C during a solve: the first asks the solver for its best roster so far, a second
one gives up."""

import signal
import threading
from collections.abc import Callable
from types import FrameType

from models import Roster


def solve_until_interrupted(solve: Callable[[threading.Event], Roster],
                            on_first: Callable[[], None]) -> Roster:
    """Run `solve(stop)` in a thread; the first SIGINT sets `stop` (and calls `on_first`),
    so the solver ends early with the best roster it has; a second raises
    KeyboardInterrupt. The main thread waits in Python, not inside CP-SAT, so that the
    signal is seen at once."""
    stop = threading.Event()
    result: list[Roster] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(solve(stop))
        except BaseException as e:  # re-raised in the main thread below
            failure.append(e)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        on_first()

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
