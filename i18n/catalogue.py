"""The compiled gettext catalogues shipped beside this module, one per language.

Message ids are codes ('member.travel'), not English sentences: English is a catalogue like
Chinese, so a test can hold every id to have both. Messages use named `{placeholders}`;
those with a `count` parameter are plural entries.
"""

from functools import cache
from pathlib import Path
from typing import Literal

from babel.messages.pofile import read_po
from babel.support import Translations

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")
DEFAULT_LANGUAGE: Language = "en"
DOMAIN = "taskforce"
LOCALES = Path(__file__).resolve().parent / "locales"


@cache  # the catalogues are read-only: each is read once per process
def translations(lang: Language) -> Translations:
    """The catalogue of `lang`, read from its compiled .mo file."""
    with open(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
        return Translations(f, domain=DOMAIN)


def lookup(lang: Language, code: str, count: int | None = None) -> str | None:
    """The message `code` in `lang` (its plural form for `count`), or None if missing."""
    t = translations(lang)
    text = t.gettext(code) if count is None else t.ngettext(code, code, count)
    return None if text == code else text


def message(lang: Language, code: str, **params: object) -> str:
    """The message `code` in `lang` with `params` filled in; the code itself if missing."""
    count = params.get("count")
    text = lookup(lang, code, count if isinstance(count, int) else None)
    return code if text is None else text.format(**params)


def space_after(label: str) -> str:
    """What goes between a label and the text after it: nothing after a full-width colon,
    which holds its own space ("错误：..."), one space after anything else ("error: ...")."""
    return "" if label.endswith("：") else " "


@cache
def messages(lang: Language, prefix: str) -> dict[str, str]:
    """Every message of `lang` whose code starts with `prefix`, by code (a plural message in
    its first form): what the console asks for, since it cannot read gettext files."""
    with open(LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as f:
        catalogue = read_po(f)
    out = {}
    for m in catalogue:
        code = m.id if isinstance(m.id, str) else m.id[0]
        if code and code.startswith(prefix):
            text = m.string
            out[code] = text if isinstance(text, str) else (text[0] if text else "")
    return out
