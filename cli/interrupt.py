"""Ctrl-C on the command line: one press stops a batch at once, and ends a solve early
with the best roster it has (a second press stops it at once, with none).

The work runs in a thread of its own while the main thread waits in Python, so the
signal is seen at once (not when CP-SAT next returns to Python), and the solver never
sees it as an exception. A solve is asked to stop (its `stop` event): it returns its best
valid roster within a second or two, which is written and shown with a line saying it was
cut short, and the exit code is still 130, so a search cut short never passes for a
finished one. Otherwise the interrupt handler says how to resume and ends the process
with exit 130 without unwinding, since CP-SAT may still be running in the work's thread
(unwinding the interpreter under it aborts). Nothing is recorded after that: what was
recorded before was finished.

A process started with SIGINT ignored (a job a script puts in the background, `nohup`)
keeps ignoring it throughout, as Python itself does while loading; taking it up only once
the solve starts made such a job deaf to it for its first second and then not.
"""

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import NoReturn, TypeVar

from cli.entry import EXIT_INTERRUPTED

Result = TypeVar("Result")
WAIT_SECONDS = 0.1  # how often the main thread wakes from joining the work


def exit_interrupted(message: str) -> NoReturn:
    """Say `message` (what was kept, how to resume) and end now with exit 130."""
    print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def on_sigint(handler: Callable[[int, FrameType | None], object]
              ) -> Callable[[int, FrameType | None], object] | int | None:
    """Install `handler` for SIGINT unless the process was started ignoring it; the
    handler it replaces, to be put back with `signal.signal`."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        return previous
    return signal.signal(signal.SIGINT, handler)


def run_until_interrupted(work: Callable[[], Result], on_interrupt: Callable[[], NoReturn],
                          on_ready: Callable[[], None] | None = None,
                          then: Callable[[Result], None] | None = None,
                          wind_down: Callable[[], None] | None = None) -> Result:
    """`work()`, run in a thread; the first SIGINT calls `on_interrupt`, which ends the
    process (or, in tests, raises). With `wind_down`, the first SIGINT calls that instead
    (it asks the work to finish early with what it has) and only the second ends the
    process. `on_ready` runs once the handler is in place, so a Ctrl-C after it is always
    handled here. `then(result)` runs once the work is done, with Ctrl-C held off: what
    the work produced is written and shown whole, never cut off half-printed with its file
    already replaced."""
    result: list[Result] = []
    failure: list[BaseException] = []
    finishing: list[bool] = []
    winding: list[bool] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as e:  # re-raised in the main thread below
            failure.append(e)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if finishing:
            return
        if wind_down is not None and not winding:
            winding.append(True)
            wind_down()
            return
        on_interrupt()

    thread = threading.Thread(target=run, name="work", daemon=True)
    previous = on_sigint(interrupt)
    try:
        if on_ready is not None:
            on_ready()
        thread.start()
        while thread.is_alive():
            thread.join(WAIT_SECONDS)
        if failure:
            raise failure[0]
        finishing.append(True)
        if then is not None:
            then(result[0])
    finally:
        signal.signal(signal.SIGINT, previous)
    return result[0]
