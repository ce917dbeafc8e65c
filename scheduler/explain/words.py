"""Words for explanations: plural slot names and language names."""

from models import Slot

PLURAL = {Slot.LEADER: "leaders", Slot.PROSECUTOR: "prosecutors",
          Slot.ASSISTANT: "assistants", Slot.CLERK: "clerks"}
LANGUAGE_NAMES = {"mn": "Mongolian", "zh": "Chinese", "en": "English", "ru": "Russian",
                  "ko": "Korean", "ug": "Uyghur", "bo": "Tibetan", "kk": "Kazakh"}


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code, or the code itself."""
    return LANGUAGE_NAMES.get(code, code)
