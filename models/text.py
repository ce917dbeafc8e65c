"""Characters a reader cannot see but a terminal or a workbook acts on."""

import unicodedata

# Bidirectional overrides and isolates: they reorder what is shown after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Kept in text: a spreadsheet cell may hold a tab or a line break (Alt+Enter).
LAYOUT = frozenset("\t\n\r")


def is_control(c: str) -> bool:
    """Whether `c` is a control character (an escape, a bell, a newline) or a
    bidirectional override."""
    return unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS


def hidden_control(text: str) -> str | None:
    """The first control character of `text` other than a tab or a line break, as
    U+XXXX; None if it holds none."""
    for c in text:
        if c not in LAYOUT and is_control(c):
            return f"U+{ord(c):04X}"
    return None
