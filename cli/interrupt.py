"""Ctrl-C on the command line: one press stops a batch at once, and ends a solve early
with the best roster it has (a second press stops it at once, with none). SIGTERM, which
`timeout`, a job scheduler or a service manager sends, is taken as one Ctrl-C, with exit
code 143 instead of 130.

The work runs in a thread of its own while the main thread waits in Python, so the
signal is seen at once (not when CP-SAT next returns to Python), and the solver never
sees it as an exception. A solve is asked to stop (its `stop` event): it returns its best
valid roster within a second or two, which is written and shown with a line saying it was
cut short, and the exit code is still 130 (143), so a search cut short never passes for a
finished one. Otherwise the interrupt handler says how to resume and ends the process
with that exit code without unwinding, since CP-SAT may still be running in the work's
thread (unwinding the interpreter under it aborts). Nothing is recorded after that: what
was recorded before was finished.

A process started with a signal ignored (a job a script puts in the background, `nohup`)
keeps ignoring it throughout, as Python itself does while loading; taking it up only once
the solve starts made such a job deaf to it for its first second and then not.
"""

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Literal, NoReturn, TypeVar

if TYPE_CHECKING:
    from i18n import Language

Result = TypeVar("Result")
# The commands that say what they did not write when stopped before their work.
Command = Literal["solve", "sweep", "batch"]
COMMANDS: tuple[Command, ...] = ("solve", "sweep", "batch")
Handler = Callable[[int, FrameType | None], object] | int | None
WAIT_SECONDS = 0.1  # how often the main thread wakes from joining the work
# The signals that stop the work: Ctrl-C, and the polite request to end of `kill` and
# `timeout`. SIGKILL cannot be caught, and leaves nothing written.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# What a stop before the work says where the catalogues cannot be loaded: true of every
# command, which has written nothing by then.
INTERRUPTED_EARLY = ("interrupted by {signal} before anything was done or recorded; run "
                     "the same command again to start it")
# A signal repeated within this many seconds of the one that asked to wind down is the
# same request, not a second one: GNU `timeout` sends its signal to the command and then
# to the command's whole process group, and taken as two, they quit without a roster.
# Two presses of Ctrl-C by hand come further apart.
REPEAT_SECONDS = 0.25


def exit_code(signum: int) -> int:
    """What a shell reports for a program ended by `signum`: 130 for Ctrl-C (SIGINT),
    143 for SIGTERM."""
    return 128 + signum


def signal_name(signum: int) -> str:
    """How the stop is named in messages: Ctrl-C, or the signal's own name."""
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


def exit_interrupted(message: str, signum: int = signal.SIGINT) -> NoReturn:
    """Say `message` (what was kept, how to resume) and end now with the exit code of
    `signum`."""
    print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    _end_children()
    os._exit(exit_code(signum))


def _end_children() -> None:
    """End this process's child processes at once. A sweep's worker still starting,
    reading its start-up data from this process, printed a traceback on finding it gone
    (and is not yet among multiprocessing's children while it is being sent that data:
    Linux lists every child under /proc)."""
    pids = {child.pid for child in multiprocessing.active_children() if child.pid}
    for pid in pids | children("self"):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue  # ended already


def children(pid: int | str) -> set[int]:
    """The process ids of `pid`'s children (or "self"'s), as Linux lists them under /proc
    (none where there is no /proc)."""
    found: set[int] = set()
    for listed in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found |= {int(child) for child in listed.read_text().split()}
        except OSError:
            continue  # a thread that ended meanwhile
    return found


def on_stop_signals(handler: Callable[[int, FrameType | None], object]) -> dict[int, Handler]:
    """Install `handler` for each of `STOP_SIGNALS` the process was not started ignoring;
    the handlers it replaces, to be put back with `put_back`."""
    previous: dict[int, Handler] = {}
    for signum in STOP_SIGNALS:
        previous[signum] = signal.getsignal(signum)
        if previous[signum] is not signal.SIG_IGN:
            signal.signal(signum, handler)
    return previous


def put_back(previous: dict[int, Handler]) -> None:
    """The handlers `on_stop_signals` replaced, put back."""
    for signum, handler in previous.items():
        if handler is not None:  # None: not installed from Python, and left as it is
            signal.signal(signum, handler)


def interrupted_early(signum: int, lang: "Language | None" = None,
                      command: "Command | None" = None) -> str:
    """What a command stopped by `signum` before its work began says, in `lang` (as
    `--lang` asked for) or the locale's language when the catalogues can be loaded (a stop
    while the CLI still loads may cut their import short: then in English). Once the
    `command` is known, the line says what it did not write, as its line later does."""
    name = signal_name(signum)
    code = "interrupted.early" if command is None else f"interrupted.early_{command}"
    try:
        from i18n import from_locale, message

        return message(lang or from_locale(), code, signal=name)
    except (ImportError, KeyboardInterrupt, OSError):
        return INTERRUPTED_EARLY.format(signal=name)


class _EarlyStop:
    """The handler of `stopped_before_work`: ends the command with its early line."""

    def __init__(self, lang: "Language", command: "Command") -> None:
        self.lang, self.command = lang, command

    def __call__(self, signum: int, frame: FrameType | None) -> NoReturn:
        exit_interrupted(interrupted_early(signum, self.lang, self.command), signum)


def _work_done(signum: int, frame: FrameType | None) -> None:
    """A stop once a command's work is done and said: not acted on, so that the exit code
    stays the work's (killed there, a finished solve exited -2 or -15 without a word, as
    if cut short)."""


@contextmanager
def stopped_before_work(lang: "Language", command: "Command") -> Iterator[None]:
    """While `command` reads its input, before its work begins: a Ctrl-C or SIGTERM ends it
    at once, saying so in `lang` (`interrupted_early`), with that signal's exit code. Left
    to the defaults there, a SIGTERM ended a solve of a scenario still being read without
    a word, and a Ctrl-C with exit 130 and none either.

    Inside another's (`cli.run` covers the reading of the command line so), the command's
    own ends with its work done, its lines said and its files written: from there to the
    end of the outer one, a stop is not acted on (`_work_done`), and may no longer say the
    work had not begun."""
    previous = on_stop_signals(_EarlyStop(lang, command))
    try:
        yield
    finally:
        _put_back_after_work(previous)


def _put_back_after_work(previous: dict[int, Handler]) -> None:
    """`put_back`, but where an early stretch's handler was, the work is over by now (one way
    or the other): a stop there is not acted on (`_work_done`), and may no longer say the
    work had not begun."""
    put_back({signum: _work_done if isinstance(h, _EarlyStop) else h
              for signum, h in previous.items()})


def command_of(args: Sequence[str]) -> Command | None:
    """The command of a command line (without the program's name) that has an early line of
    its own, if it names one."""
    return next((c for c in COMMANDS if list(args[:1]) == [c]), None)


def work_done_from_here() -> None:
    """The process is ending with its work done and said: stop signals are ignored from
    here, so that one arriving while the interpreter shuts down cannot make the exit code
    say it was cut short."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def run_until_interrupted(work: Callable[[], Result],
                          on_interrupt: Callable[[int], NoReturn],
                          on_ready: Callable[[], None] | None = None,
                          then: Callable[[Result], None] | None = None,
                          wind_down: Callable[[int], None] | None = None) -> Result:
    """`work()`, run in a thread; the first SIGINT or SIGTERM calls `on_interrupt` with
    its number, which ends the process (or, in tests, raises). With `wind_down`, the first
    calls that instead (it asks the work to finish early with what it has) and only the
    second ends the process. `on_ready` runs once the handler is in place, so a Ctrl-C
    after it is always handled here. `then(result)` runs once the work is done, with
    Ctrl-C held off: what the work produced is written and shown whole, never cut off
    half-printed with its file already replaced."""
    result: list[Result] = []
    failure: list[BaseException] = []
    finishing: list[bool] = []
    winding: list[tuple[int, float]] = []  # the signal that asked to wind down, and when

    def run() -> None:
        try:
            result.append(work())
        except BaseException as e:  # re-raised in the main thread below
            failure.append(e)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if finishing:
            return
        now = time.monotonic()
        if winding and winding[0][0] == signum and now - winding[0][1] < REPEAT_SECONDS:
            return  # the same request again, as `timeout` sends it
        if wind_down is not None and not winding:
            winding.append((signum, now))
            wind_down(signum)
            return
        on_interrupt(signum)

    thread = threading.Thread(target=run, name="work", daemon=True)
    previous = on_stop_signals(interrupt)
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
        # Inside a command's early stretch, its handler would come back for the moments
        # until that stretch ends (a spinner closing): a stop there said "before the solve
        # began" of a roster written and printed (the tester: 4 times in 13).
        _put_back_after_work(previous)
    return result[0]
