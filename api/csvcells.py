"""CSV cells that a spreadsheet will not run as formulas."""

from typing import Any

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets
# (=HYPERLINK(...) can leak data or lure a click); tab and carriage return also start one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` for a CSV cell: text that would start a formula gets a leading apostrophe,
    which spreadsheets show as text and do not display; numbers and None stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
