"""One cell's value read as its column says: a number, a date, a choice, a list, needs.
A cell that does not read raises `BadCellError` with the reason, worded later in the reader's language."""

import re
from datetime import date, datetime
from typing import Any

from models.reason import Reason, term, why
from sheets.layout import VOCABULARY, Column, choice_values, fold, language_values, skill_values

LIST_SEPARATORS = re.compile(r"[,，、;；\n]")
NEED_SEPARATORS = re.compile(r"[;；\n]")
CHINESE_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")


class BadCellError(Exception):
    """A cell that does not read: why, as a reason."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as 101 comes back as 101.0
    return str(value).strip()


def number(value: Any) -> float:
    if isinstance(value, bool):
        raise BadCellError(why("bad.number", value=_text(value)))
    if isinstance(value, int | float):
        return float(value)
    try:
        found = float(_text(value).replace(",", ""))
    except ValueError:
        raise BadCellError(why("bad.number", value=_text(value))) from None
    if found != found or found in (float("inf"), float("-inf")):
        raise BadCellError(why("bad.number", value=_text(value)))
    return found


def whole(value: Any) -> int:
    found = number(value)
    if not found.is_integer():
        raise BadCellError(why("bad.whole", value=_text(value)))
    return int(found)


def day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if m := CHINESE_DATE.match(text):
        text = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadCellError(why("bad.date", value=text)) from None


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_text(value))
    if text in ("yes", "y", "true", "1", "是", "x", "✓"):
        return True
    if text in ("no", "n", "false", "0", "否"):
        return False
    raise BadCellError(why("bad.bool", value=_text(value)))


def choice(value: Any, vocabulary: str) -> str:
    known = choice_values(vocabulary)
    text = _text(value)
    if fold(text) not in known:
        words = [why("leader.none") if v == "none" else
                 term("role" if vocabulary == "leader" else vocabulary, v)
                 for v in VOCABULARY[vocabulary]]
        raise BadCellError(why("bad.choice", value=text, choices=words))
    return known[fold(text)]


def items(value: Any) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(_text(value)) if part.strip()]


def languages(value: Any) -> list[str]:
    known = language_values()
    return [known.get(fold(x), x) for x in items(value)]


def intervals(value: Any) -> list[dict[str, str]]:
    out = []
    for part in NEED_SEPARATORS.split(_text(value)):
        if not part.strip():
            continue
        ends = re.split(r"\.\.|\uff5e|~|至", part)  # "..", a full-width tilde or 至
        if len(ends) != 2:
            raise BadCellError(why("bad.interval", value=part.strip()))
        out.append({"start": day(ends[0]), "end": day(ends[1])})
    return out


def needs(value: Any, column: str) -> list[dict[str, Any]]:
    """skill:count:level (skills) or language:count (languages), separated by semicolons."""
    out: list[dict[str, Any]] = []
    skills, langs = skill_values(), language_values()
    for part in NEED_SEPARATORS.split(_text(value)):
        if not part.strip():
            continue
        bits = [b.strip() for b in re.split(r"[:：]", part)]
        if column == "skills" and len(bits) == 3 and bits[0]:
            out.append({"skill": skills.get(fold(bits[0]), bits[0]), "count": whole(bits[1]),
                        "min_level": whole(bits[2])})
        elif column == "languages" and len(bits) == 2 and bits[0]:
            out.append({"language": langs.get(fold(bits[0]), bits[0]), "count": whole(bits[1])})
        else:
            raise BadCellError(why("bad.needs", value=part.strip()))
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
