"""A reason as data: a message code and its parameters, put into words per language later.

The scheduler builds reasons without words (it does no I/O); `i18n.render` looks the code
up in the gettext catalogues of the language asked for. A parameter is a number, a plain
string, a list, or another reason: a nested reason stands for a phrase (a requirement, a
term such as a role, a reference to a unit, person, case or date).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, TypeAlias

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

# A reason's parameter: JSON scalars, or phrases of their own.
Param: TypeAlias = "str | int | float | list[Reason] | Reason"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "Input should be a finite number",
                                  {"value": str(value)})
    return value


def _kind(value: Any) -> str:
    # Each parameter is validated as the one kind its value is, so that a bad value
    # inside it is one error, not one per kind it might have been (a NaN three reasons
    # deep gave nine).
    if isinstance(value, str):
        return "str"
    if isinstance(value, bool | int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "list" if isinstance(value, list) else "reason"


_Checked = Annotated[
    Annotated[str, Tag("str")] | Annotated[int, Tag("int")] | Annotated[float, Tag("float")]
    | Annotated[list["Reason"], Tag("list")] | Annotated["Reason", Tag("reason")],
    Discriminator(_kind), BeforeValidator(_finite)]


# Codes whose reason is a reference to data, not a catalogue message.
REF_CODES = frozenset({"unit", "person", "case", "date", "text", "list"})


class Reason(BaseModel):
    """Why something is so, as a message code with parameters; `text` once rendered."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="Message id in the catalogues (e.g. 'member.travel'), or a "
                                  "reference: unit, person, case, date, list, text.")
    params: dict[str, _Checked] = Field(
        default_factory=dict,
        description="The message's parameters by name: numbers, strings, or nested reasons.")
    text: str = Field(default="", description="The reason in words, in the language asked "
                                              "for; empty until rendered.")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        # Rosters stored before reasons had codes hold plain sentences: keep them as text.
        if isinstance(data, str):
            return {"code": "text", "params": {"text": data}, "text": data}
        return data

    def key(self) -> str:
        """A stable key for sorting and hashing: the code and parameters as JSON."""
        return self.model_dump_json(exclude={"text"})

    def __hash__(self) -> int:
        return hash(self.key())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and self.key() == other.key()


Reason.model_rebuild()


def why(code: str, **params: Param) -> Reason:
    """A reason built by the code itself, so unchecked (this is on the solver's hot path)."""
    return Reason.model_construct(code=code, params=params, text="")


def term(kind: str, value: str) -> Reason:
    """A word of the domain's vocabulary: role, slot, tier, scope, kind, language."""
    return why(f"{kind}.{value}", value=value)


def ref(code: str, id: str, name: str = "", name_zh: str = "") -> Reason:
    """A reference to a unit, person or case by id, with the names to show."""
    params: dict[str, Param] = {"id": id}
    if name:
        params["name"] = name
    if name_zh:
        params["name_zh"] = name_zh
    return why(code, **params)


def date(iso: str) -> Reason:
    """A calendar day, written as each language's reader expects."""
    return why("date", iso=iso)


def listing(items: list[Reason], sep: str = "semicolon") -> Reason:
    """Reasons in a row, joined by the language's `sep` ("semicolon" or "comma"); a single
    reason stands as itself, so its code tells what it is."""
    if len(items) == 1:
        return items[0]
    return why("list", items=items, sep=sep)
