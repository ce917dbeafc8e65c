"""The `taskforce` command's entry point: the CLI, with a Ctrl-C or SIGTERM while it is
still loading (OR-Tools and the rest take about a second to import) ending quietly, as
one during a solve does, and naming the signal as that does."""

import signal
import sys
from types import FrameType
from typing import TYPE_CHECKING

# The standard library's alone: quick.
from cli.interrupt import command_of, exit_code, interrupted_early, work_done_from_here

if TYPE_CHECKING:
    from i18n import Language

EXIT_INTERRUPTED = 130  # what a shell reports for a program ended by Ctrl-C


class _Terminated(BaseException):
    """SIGTERM while the CLI still loads: a BaseException, as KeyboardInterrupt is, so that
    no `except Exception` on the way swallows it."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _signal_of(error: BaseException) -> int | None:
    """The signal that caused `error`, if one did: an extension module (OR-Tools) whose
    initialisation an interrupt cuts short reports "ImportError: initialization failed",
    with the interrupt only as its cause."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return signal.SIGINT
        if isinstance(seen, _Terminated):
            return signal.SIGTERM
        seen = seen.__cause__ or seen.__context__
    return None


def main() -> None:
    """Import and run the CLI in the language asked for; a Ctrl-C before it handles signals
    itself exits 130, a SIGTERM 143."""
    # Until the commands are loaded; then SIGTERM is theirs to handle, or ends the process.
    # One that the caller has us ignore stays ignored.
    loading = signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    if loading:
        signal.signal(signal.SIGTERM, _terminated)
    lang: Language | None = None
    try:
        from cli.language import argv_language, typer_speaks

        lang = argv_language(sys.argv[1:])
        with typer_speaks(lang):  # before Typer is imported: it reads some words then
            from cli.main import app  # the slow import (OR-Tools), where a Ctrl-C may land
            from cli.run import run

            if loading:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = run(app, sys.argv[1:], lang)
            work_done_from_here()
        sys.exit(code)
    except KeyboardInterrupt:
        _say_interrupted_early(signal.SIGINT, lang)
    except _Terminated:
        _say_interrupted_early(signal.SIGTERM, lang)
    except ImportError as error:
        signum = _signal_of(error)
        if signum is None:
            raise
        _say_interrupted_early(signum, lang)


def _say_interrupted_early(signum: int, lang: "Language | None") -> None:
    """Say so on the real stderr, and exit 130 (Ctrl-C) or 143 (SIGTERM). A Ctrl-C as the
    progress spinner starts leaves sys.stderr redirected into the spinner's buffer, where
    the words were lost."""
    if signal.getsignal(signal.SIGTERM) is _terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one ends it without more
    stream = sys.__stderr__ or sys.stderr
    # The command is known from the command line already: its line says what it did not
    # write, as once it has loaded (the generic line while loading read as another's).
    print(interrupted_early(signum, lang, command_of(sys.argv[1:])), file=stream, flush=True)
    sys.exit(exit_code(signum))
