"""The `taskforce` command's entry point: the CLI, with a Ctrl-C while it is still loading
(OR-Tools and the rest take about a second to import) ending quietly, as one during a
solve does."""

import sys

EXIT_INTERRUPTED = 130  # what a shell reports for a program ended by Ctrl-C


INTERRUPTED_EARLY = ("interrupted before anything was done or recorded; run the same "
                     "command again to start it")


def _from_interrupt(error: BaseException) -> bool:
    """Whether `error` was caused by a Ctrl-C: an extension module (OR-Tools) whose
    initialisation a KeyboardInterrupt cuts short reports "ImportError: initialization
    failed", with the interrupt only as its cause."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _interrupted_early() -> str:
    """What to say about an early Ctrl-C, in the locale's language when the catalogues can
    still be loaded (the interrupt may have cut their import short: then in English)."""
    try:
        from i18n import from_locale, message

        return message(from_locale(), "interrupted.early")
    except (ImportError, KeyboardInterrupt, OSError):
        return INTERRUPTED_EARLY


def main() -> None:
    """Import and run the CLI in the language asked for; a Ctrl-C before it handles signals
    itself exits 130."""
    try:
        from cli.language import argv_language, typer_speaks

        lang = argv_language(sys.argv[1:])
        with typer_speaks(lang):  # before Typer is imported: it reads some words then
            from cli.main import app  # the slow import (OR-Tools), where a Ctrl-C may land
            from cli.run import run

            code = run(app, sys.argv[1:], lang)
        sys.exit(code)
    except KeyboardInterrupt:
        _say_interrupted_early()
    except ImportError as error:
        if not _from_interrupt(error):
            raise
        _say_interrupted_early()


def _say_interrupted_early() -> None:
    """Say so on the real stderr, and exit 130. A Ctrl-C as the progress spinner starts
    leaves sys.stderr redirected into the spinner's buffer, where the words were lost."""
    stream = sys.__stderr__ or sys.stderr
    print(_interrupted_early(), file=stream, flush=True)
    sys.exit(EXIT_INTERRUPTED)
