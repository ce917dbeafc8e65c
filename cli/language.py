"""Which language the command line speaks, decided before Click parses a word of it.

Help and usage errors are written while the arguments are parsed, before any command's
`--lang` option has a value; so the language is read from the arguments first: the last
`--lang zh|en` (or `--lang=zh`) anywhere before a bare `--`, as Click itself keeps the
last of an option given twice. A `--lang` with any other value (its error is reported by
Click) or none at all leaves the choice to the locale (`i18n.from_locale`: LANGUAGE,
LC_ALL, LC_MESSAGES, LANG, the first one set; English for C, POSIX or any other language).
"""

import gettext
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from i18n import LANGUAGES, Language, from_locale
from i18n.catalogue import LOCALES

# Typer's own words (panel titles "Options", "Arguments", "Commands", "Error", "[default: ...]",
# "No such command ...") go through the standard library's gettext under the global domain;
# their Chinese is in this catalogue beside ours (English needs none: it is the message id).
TYPER_DOMAIN = "typer"


def argv_language(argv: Sequence[str]) -> Language:
    """The language asked for by `--lang` in `argv`, else the locale's."""
    chosen: str | None = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.removeprefix("--lang=")
    for lang in LANGUAGES:
        if chosen == lang:
            return lang
    return from_locale()


@contextmanager
def typer_speaks(lang: Language) -> Iterator[None]:
    """Typer's own gettext words in `lang` while the block runs; as before afterwards.

    Python's gettext takes the language only from the environment (LANGUAGE first), so it
    is set for the block; and Typer reads some words once, when `typer.rich_utils` is first
    imported, so this must start before Typer prints anything."""
    old_domain, old_env = gettext.textdomain(), os.environ.get("LANGUAGE")
    gettext.bindtextdomain(TYPER_DOMAIN, str(LOCALES))
    gettext.textdomain(TYPER_DOMAIN)
    os.environ["LANGUAGE"] = lang
    try:
        yield
    finally:
        gettext.textdomain(old_domain)
        if old_env is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = old_env
