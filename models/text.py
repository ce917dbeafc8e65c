"""Characters a reader cannot see but a terminal or a workbook acts on."""

import re
import unicodedata

# Bidirectional overrides and isolates: they reorder what is shown after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_control(c: str) -> bool:
    """Whether `c` is shown as an escape in a problem line: a control character (an
    escape, a bell, a newline), a format character (a bidirectional mark, a zero-width
    space) or a line or paragraph separator (U+2028, U+2029, which `str.splitlines`
    breaks at)."""
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")


# What scenario text may not hold: the control characters (Unicode's Cc: U+0000 to U+001F
# and U+007F to U+009F) but tabs and line breaks, the line and paragraph separators, and
# the bidirectional overrides and isolates. A pattern, not a loop over characters: every
# text field of a province of 8,000 people passes through it.
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
                      + "".join(sorted(BIDI_CONTROLS)) + "]")


def hidden_control(text: str) -> str | None:
    """The first character of `text` that a scenario's text may not hold, as U+XXXX; None
    if it holds none: a control character other than a tab or a line break, a
    bidirectional override or isolate, or a line or paragraph separator. (Marks of
    direction stay: Uyghur and other right-to-left names may need them.)"""
    found = _REFUSED.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"
