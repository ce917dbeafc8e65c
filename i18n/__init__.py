"""Words for people: gettext catalogues in Chinese and English, and what renders with them."""

from i18n.catalogue import DEFAULT_LANGUAGE, LANGUAGES, Language, message, space_after
from i18n.negotiate import from_accept_language, from_locale
from i18n.problems import problem_line, worded
from i18n.render import (
    day,
    localised,
    localised_resilience,
    localised_sweep,
    render,
    rendered,
    shown_name,
)

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "day", "from_accept_language", "from_locale",
           "localised", "localised_resilience", "localised_sweep", "message", "problem_line",
           "render", "rendered", "shown_name", "space_after", "worded"]
