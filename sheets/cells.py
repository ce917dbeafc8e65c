"""One cell's value read as its column says: a number, a date, a choice, a list, needs.
A cell that does not read raises `BadCellError` with the reason, worded later in the reader's language."""

import re
from datetime import date, datetime
from typing import Any

from models.reason import Reason, term, why
from models.validation import shown_text
from sheets.layout import VOCABULARY, Column, choice_values, fold, language_values, skill_values

LIST_SEPARATORS = re.compile(r"[,，、;；\n]")
NEED_SEPARATORS = re.compile(r"[;；\n]")
# 2022年6月1日, and the forms Chinese Excel shows or clerks type: 2022/6/1, 2022.6.1,
# 2022-6-1 (year first: 6/1/2022 is not read, as it means different days to different readers).
DAY_FORMS = (
    re.compile(r"^\s*(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?\s*$"),
    re.compile(r"^\s*(?P<y>\d{4})\s*(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})\s*$"),
)


# Every integer below this is a float exactly; Excel's numbers are floats.
WHOLE_FLOATS = 2**53


class BadCellError(Exception):
    """A cell that does not read: why, as a reason."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < WHOLE_FLOATS:
        return str(int(value))  # an id typed as 101 comes back as 101.0
    return str(value).strip()


def _said(value: Any) -> str:
    """A cell's value as a problem repeats it (a 5,000-digit number by its ends)."""
    return shown_text(_text(value))


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadCellError(why("bad.number", value=_said(value)))
    if isinstance(value, int | float):
        return float(value)
    try:
        found = float(_text(value).replace(",", ""))
    except ValueError:
        raise BadCellError(why("bad.number", value=_said(value))) from None
    if found != found or found in (float("inf"), float("-inf")):
        raise BadCellError(why("bad.number", value=_said(value)))
    return found


def whole(value: Any) -> int | float:
    found = number(value)
    if not found.is_integer():
        raise BadCellError(why("bad.whole", value=_said(value)))
    # Past WHOLE_FLOATS a cell's number is no integer anyone typed (Excel keeps 15 digits):
    # left as read, for validation to refuse as too large showing it so, not as the
    # integer of 29 digits it rounds to.
    return int(found) if abs(found) < WHOLE_FLOATS else found


def day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    typed = _text(value)
    for form in DAY_FORMS:
        if m := form.match(typed):
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                break  # 2022年13月1日: a date's form, not a date
    # Said as typed, not as rewritten.
    raise BadCellError(why("bad.date", value=shown_text(typed)))


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in ("yes", "y", "true", "1", "是", "x", "✓"):
        return True
    if text in ("no", "n", "false", "0", "否"):
        return False
    raise BadCellError(why("bad.bool", value=_said(value)))


def choice(value: Any, vocabulary: str) -> str:
    known = choice_values(vocabulary)
    text = _text(value)
    if fold(text) not in known:
        words = [why("leader.none") if v == "none" else
                 term("role" if vocabulary == "leader" else vocabulary, v)
                 for v in VOCABULARY[vocabulary]]
        raise BadCellError(why("bad.choice", value=shown_text(text), choices=words))
    return known[fold(text)]


def items(value: Any) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(_text(value)) if part.strip()]


# A language we have no word for is written as its ISO 639-1 code: two letters.
ISO_639_1 = re.compile(r"^[a-z]{2}$")


def language(text: str) -> str:
    """A language's code from its name in either language or its code; a cell naming no
    language we know and not a code ('蒙语', '火星语') is refused, not taken as a new one."""
    code = language_values().get(fold(text))
    if code is not None:
        return code
    if ISO_639_1.match(text.strip().lower()):
        return text.strip().lower()
    raise BadCellError(why("bad.language", value=shown_text(text.strip())))


def languages(value: Any) -> list[str]:
    return [language(x) for x in items(value)]


def intervals(value: Any) -> list[dict[str, str]]:
    out = []
    for part in NEED_SEPARATORS.split(_text(value)):
        if not part.strip():
            continue
        ends = re.split(r"\.\.|\uff5e|~|至", part)  # "..", a full-width tilde or 至
        if len(ends) != 2:
            raise BadCellError(why("bad.interval", value=shown_text(part.strip())))
        out.append({"start": day(ends[0]), "end": day(ends[1])})
    return out


def needs(value: Any, column: str) -> list[dict[str, Any]]:
    """skill:count:level (skills) or language:count (languages), separated by semicolons."""
    out: list[dict[str, Any]] = []
    skills = skill_values()
    for part in NEED_SEPARATORS.split(_text(value)):
        if not part.strip():
            continue
        bits = [b.strip() for b in re.split(r"[:：]", part)]
        if column == "skills" and len(bits) == 3 and bits[0]:
            out.append({"skill": skills.get(fold(bits[0]), bits[0]), "count": whole(bits[1]),
                        "min_level": whole(bits[2])})
        elif column == "languages" and len(bits) == 2 and bits[0]:
            out.append({"language": language(bits[0]), "count": whole(bits[1])})
        else:
            raise BadCellError(why("bad.needs", value=shown_text(part.strip())))
    return out


def read(value: Any, column: Column) -> Any:
    """The cell's value as `column` reads it (the caller skips blank cells)."""
    match column.cell:
        case "text" | "id":
            return _text(value)
        case "int":
            return whole(value)
        case "float":
            return number(value)
        case "date":
            return day(value)
        case "bool":
            return flag(value)
        case "choice":
            return choice(value, column.choices)
        case "list":
            if column.choices:
                return [choice(x, column.choices) for x in items(value)]
            return languages(value) if column.key == "languages" else items(value)
        case "needs":
            return needs(value, column.key)
        case "intervals":
            return intervals(value)
