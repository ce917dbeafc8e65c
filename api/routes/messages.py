"""GET /messages/{lang}: the console's words, from the same catalogues as everything else."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.reading import InputRoute
from i18n.catalogue import messages

router = APIRouter(route_class=InputRoute, tags=["console"])

# The console's own labels, and the vocabulary its tables show.
PREFIXES = ("console.", "role.", "slot.", "status.", "kind.", "member.video", "sep.", "job.",
            "phase.", "sweep.", "sheet.problem", "language.", "event.")


class Messages(BaseModel):
    lang: Literal["zh", "en"] = Field(description="The language of the messages.")
    messages: dict[str, str] = Field(description="Each message by its code, e.g. "
                                                 "console.sign_in: 登录.")


@router.get("/messages/{lang}", response_model=Messages, summary="The console's words")
def read_messages(lang: Literal["zh", "en"]) -> Messages:
    """The console's labels and vocabulary in `lang`; no key needed, since the page shows
    them before anyone signs in."""
    found: dict[str, str] = {}
    for prefix in PREFIXES:
        found |= messages(lang, prefix)
    return Messages(lang=lang, messages=found)
