"""Characters a reader cannot see but a terminal or a workbook acts on."""

import unicodedata

# Bidirectional overrides and isolates: they reorder what is shown after them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Kept in text: a spreadsheet cell may hold a tab or a line break (Alt+Enter).
LAYOUT = frozenset("\t\n\r")


def is_control(c: str) -> bool:
    """Whether `c` is shown as an escape in a problem line: a control character (an
    escape, a bell, a newline), a format character (a bidirectional mark, a zero-width
    space) or a line or paragraph separator (U+2028, U+2029, which `str.splitlines`
    breaks at)."""
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")


def hidden_control(text: str) -> str | None:
    """The first character of `text` that a scenario's text may not hold, as U+XXXX; None
    if it holds none: a control character other than a tab or a line break, a
    bidirectional override or isolate, or a line or paragraph separator. (Marks of
    direction stay: Uyghur and other right-to-left names may need them.)"""
    for c in text:
        if c not in LAYOUT and (unicodedata.category(c) in ("Cc", "Zl", "Zp")
                                or c in BIDI_CONTROLS):
            return f"U+{ord(c):04X}"
    return None
