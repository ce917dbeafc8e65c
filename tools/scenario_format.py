"""Writes docs/scenario-format.md from the pydantic models' field descriptions, so the
reference cannot drift from the code: `python -m tools.scenario_format` rewrites it, and
tests/test_scenario_format.py fails when it is stale."""

import sys
import types
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from api.routes.whatif import WhatIfRequest
from api.schemas import CommitRequest, ReleaseRequest, SolveRequest
from cli.batch import CSV_MEANINGS
from i18n import message
from models import Roster, Scenario
from sheets.layout import SHEETS, header, sheet_title

# How a workbook cell of each kind is written.
CELL_WORDS = {
    "text": "text", "id": "an id", "int": "whole number", "float": "number",
    "date": "date (2022-06-01 or 2022年6月1日, or a date cell)",
    "bool": "yes/no (是/否)", "choice": "one of the dropdown's words, either language",
    "list": "items separated by , ， 、 or ;", "needs": "need:count[:level]; ...",
    "intervals": "start..end; ...",
}

OUT = Path(__file__).resolve().parent.parent / "docs" / "scenario-format.md"

INTRO = """# Scenario, roster and request formats

Generated from the models' descriptions by `python -m tools.scenario_format`; do not edit
by hand (`tests/test_scenario_format.py` fails when this file is stale). Types are JSON's:
a *date* is `YYYY-MM-DD`; an *id* is a string naming another item; FTE is a share of one
person's full working time (1.0 = full time); minutes are one-way driving minutes.

There are three ways in: a workbook (`taskforce template`, then `taskforce import` or any
command that reads a scenario; see the README), a JSON or YAML file of the shape below, or
the service's `POST /scenarios` with either. Chinese names go in `name_zh` and `title_zh`.
"""


def _type(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(_type(a) for a in args)
    if origin is list:
        return f"list of {_type(args[0])}"
    if origin is tuple:
        return "pair of " + _type(args[0]) if len(args) == 2 and args[0] == args[1] else \
            "[" + ", ".join(_type(a) for a in args) + "]"
    if origin is dict:
        return f"map {_type(args[0])} → {_type(args[1])}"
    if origin is Annotated:
        return _type(args[0])
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(f"`{e.value}`" for e in annotation)
    if annotation is type(None):
        return "null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    name = getattr(annotation, "__name__", str(annotation))
    return {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
            "date": "date"}.get(name, name)


def _range(info: FieldInfo) -> str:
    parts = []
    for m in info.metadata:
        for kind, attr, sign in ((Ge, "ge", "≥"), (Gt, "gt", ">"), (Le, "le", "≤"), (Lt, "lt", "<")):
            if isinstance(m, kind):
                parts.append(f"{sign} {getattr(m, attr):,}")
        if isinstance(m, MinLen):
            parts.append(f"length ≥ {m.min_length}")
        if isinstance(m, MaxLen):
            parts.append(f"length ≤ {m.max_length}")
    own = ", ".join(p for p in parts if p)
    # A map's keys and values, or a list's items, say whose limits they are.
    origin = get_origin(info.annotation)
    labels = ("key: ", "value: ") if origin is dict else ("each: ",) if origin is list else ("",)
    inside = []
    for label, arg in zip(labels * 2, get_args(info.annotation), strict=False):
        # Annotated aliases such as Level and Count carry theirs inside
        limits = ", ".join(r for m in getattr(arg, "__metadata__", ())
                           if isinstance(m, FieldInfo) and (r := _range(m)))
        if limits:
            inside.append(label + limits)
    return "; ".join([own, *inside] if own else inside)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        return "empty" if value in ([], {}) else f"see {type(value).__name__}"
    if info.default is PydanticUndefined:
        return ""
    if info.default is None:
        return "`null`"
    if isinstance(info.default, bool):
        return f"`{str(info.default).lower()}`"
    return f'`"{info.default}"`' if isinstance(info.default, str) else f"`{info.default!s}`"


def _models(roots: list[type[BaseModel]]) -> list[type[BaseModel]]:
    """The roots and every model their fields reach, each once, in the order met."""
    seen: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
                and annotation not in seen:
            seen.append(annotation)
            for f in annotation.model_fields.values():
                visit(f.annotation)
        for arg in get_args(annotation):
            visit(arg)

    for root in roots:
        visit(root)
    return seen


def _table(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip().splitlines()
    lines = [f"### {model.__name__}", ""]
    if doc and not doc[0].startswith("Usage docs"):
        lines += [" ".join(line.strip() for line in doc), ""]
    lines += ["| field | type | default | range | meaning |", "|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        meaning = (info.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{name}` | {_type(info.annotation)} | {_default(info)} | "
                     f"{_range(info)} | {meaning} |")
    return "\n".join(lines) + "\n"


def _workbook() -> str:
    lines = ["## Workbook\n", "`taskforce template` writes these sheets; `taskforce import` "
             "reads them with either language's sheet names and headers. A staff sheet's "
             "skills are further columns headed `skill: NAME` / `技能：NAME`, holding the "
             "level (1 to 3).\n"]
    for sheet in SHEETS:
        need = " (required)" if sheet.required else ""
        lines += [f"### Sheet {sheet_title(sheet.key, 'en')} / {sheet_title(sheet.key, 'zh')}{need}",
                  "", "| column | 中文 | cell | required |", "|---|---|---|---|"]
        lines += [f"| {header(sheet.key, c.key, 'en')} | {header(sheet.key, c.key, 'zh')} | "
                  f"{CELL_WORDS[c.cell]} | {'yes' if c.required else ''} |" for c in sheet.columns]
        if sheet.key == "scenario":
            lines += ["", "Its rows: " + ", ".join(
                f"{message('en', 'field.' + f)} ({message('zh', 'field.' + f)})"
                for f in ("name", "road_factor", "speed_kmh")) + ", and one weight per cost term."]
        lines.append("")
    return "\n".join(lines)


def render() -> str:
    """The whole reference, as Markdown."""
    parts = [INTRO, "## Scenario\n"]
    parts += [_table(m) for m in _models([Scenario])]
    parts.append("## Roster\n\nWhat `taskforce solve --out` writes and `GET /rosters/{id}` "
                 "answers (inside `roster`).\n")
    parts += [_table(m) for m in _models([Roster]) if m not in _models([Scenario])]
    parts.append("## Batch requests\n\n`taskforce batch REQUESTS` reads JSONL (one "
                 "[Case](#case) object a line) or CSV with these columns:\n\n"
                 "| column | meaning |\n|---|---|\n"
                 + "".join(f"| `{c}` | {m} |\n" for c, m in CSV_MEANINGS))
    parts.append(_workbook())
    parts.append("## HTTP request bodies\n\n`POST /scenarios` and `PUT /scenarios/{id}` take "
                 "a [Scenario](#scenario) (or, for `POST`, a multipart form with a `workbook`); "
                 "the others take these.\n")
    known = set(_models([Scenario, Roster]))
    parts += [_table(m) for m in _models([SolveRequest, CommitRequest, ReleaseRequest,
                                           WhatIfRequest]) if m not in known]
    return "\n".join(parts)


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")  # noqa: T201 (a command-line tool)
    return 0


if __name__ == "__main__":
    sys.exit(main())
