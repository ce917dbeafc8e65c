"""A roster file's problems named as a scenario's are: the field's path and the ids at fault.

Pydantic locates an error by position only (`cases.3.team.0.slot`); a clerk looking for it
in a roster of a thousand cases needs the case's id and the person's, so each problem
carries the ids found along its path in the data as given.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from models.validation import Problem, pydantic_problem

# In a list under one of these keys, an item is known by this field of its own.
ITEM_IDS = {"cases": "id", "team": "prosecutor"}


def _where(data: Any, loc: Sequence[int | str]) -> tuple[str, str | None]:
    """The path of `loc` written as a scenario's are (`cases[3].team[0].slot`), and the
    ids of the items it passes through (`gang-110/wang`), or None if it passes none."""
    path, ids = "", []
    node: Any = data
    key: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            field = ITEM_IDS.get(key) if isinstance(key, str) else None
            if field and isinstance(item, Mapping) and isinstance(item.get(field), str | int):
                ids.append(str(item[field]))
            node = item
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
        key = part
    return path or "$", "/".join(ids) or None


def roster_problems(data: Any, err: ValidationError) -> list[Problem]:
    """Each of pydantic's errors in a roster file `data` as a problem with its path and ids."""
    problems = []
    for e in err.errors():
        path, label = _where(data, e["loc"])
        problems.append(pydantic_problem(e, path, label))
    return problems
