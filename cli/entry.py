"""The `taskforce` command's entry point: the CLI, with a Ctrl-C while it is still loading
(OR-Tools and the rest take about a second to import) ending quietly, as one during a
solve does."""

import sys

EXIT_INTERRUPTED = 130  # what a shell reports for a program ended by Ctrl-C


def main() -> None:
    """Import and run the CLI; a Ctrl-C before it handles signals itself exits 130."""
    try:
        from cli.main import app

        app()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
