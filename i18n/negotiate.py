"""Which of our languages a reader asked for: from an Accept-Language header or the locale."""

import os

from babel import Locale, UnknownLocaleError

from i18n.catalogue import DEFAULT_LANGUAGE, LANGUAGES, Language


def _ours(tag: str) -> Language | None:
    try:
        found = Locale.parse(tag.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    for lang in LANGUAGES:
        if found.language == lang:
            return lang
    return None


def from_accept_language(header: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The best of our languages by an Accept-Language header's q-values; `default` (English
    unless the service is told otherwise) if none."""
    if not header:
        return default
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, rest = part.partition(";")
        q = 1.0
        if rest.strip().startswith("q="):
            try:
                q = float(rest.strip()[2:])
            except ValueError:
                q = 0.0
        if tag.strip() and q > 0:
            ranked.append((-q, i, tag.strip()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return default
        if (lang := _ours(tag)) is not None:
            return lang
    return default


def from_locale() -> Language:
    """The language of the user's locale, read as gettext does (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG: the first one set); English when it is neither of ours."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            tag = value.split(":")[0].split(".")[0].split("@")[0]
            return _ours(tag) or DEFAULT_LANGUAGE if tag not in ("C", "POSIX") else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE
