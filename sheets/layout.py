"""What a scenario workbook holds: its sheets, their columns, and the words for both in
each language (headers come from the catalogues, so Chinese and English both read back)."""

from dataclasses import dataclass
from typing import Literal

from i18n import LANGUAGES, Language, message
from models import Kind, Role, Scope, Slot, Tier

Cell = Literal["text", "id", "int", "float", "date", "bool", "choice", "list", "needs",
               "intervals"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: the scenario field it fills and how its cells read."""

    key: str
    cell: Cell
    required: bool = False
    choices: str = ""  # the vocabulary of a choice column: role, tier, scope, kind, slot, leader


@dataclass(frozen=True)
class Sheet:
    key: str
    columns: tuple[Column, ...]
    required: bool = False


# A column for the clerk's own remarks, on every sheet of records: read past, kept nowhere.
NOTES = Column("notes", "text")

SHEETS: tuple[Sheet, ...] = (
    Sheet("offices", (
        Column("id", "id", True), Column("name", "text", True), Column("name_zh", "text"),
        Column("tier", "choice", True, "tier"), Column("parent", "id"),
        Column("lat", "float"), Column("lon", "float"), Column("min_staff_at_home", "int"),
        # An office sharing a seat (a district's and its city's procuratorate) may name the
        # other office, by id or name, instead of repeating its coordinates.
        Column("place", "text"), NOTES,
    ), required=True),
    Sheet("staff", (
        Column("id", "id", True), Column("name", "text", True), Column("name_zh", "text"),
        Column("home", "id", True), Column("role", "choice", True, "role"),
        Column("years", "int"), Column("capacity", "float"), Column("load", "float"),
        Column("languages", "list"), Column("unavailable", "intervals"), NOTES,
    ), required=True),
    Sheet("cases", (
        Column("id", "id", True), Column("title", "text"), Column("title_zh", "text"),
        Column("kind", "choice", True, "kind"), Column("venue", "id", True),
        Column("lead_unit", "id"), Column("start", "date", True), Column("end", "date", True),
        Column("priority", "int"), Column("mandatory", "bool"),
        Column("scope", "choice", False, "scope"), Column("pool", "id"),
        Column("leader_role", "choice", False, "leader"), Column("leader_level", "int"),
        Column("prosecutors", "int"), Column("assistants", "int"), Column("clerks", "int"),
        Column("load", "float"), Column("max_travel_minutes", "float"),
        Column("max_units", "int"), Column("min_units", "int"),
        Column("remote_roles", "list", False, "slot"),
        Column("from_provincial", "int"), Column("from_municipal", "int"),
        Column("from_grassroots", "int"), Column("skills", "needs"), Column("languages", "needs"),
        Column("exclude_units", "list"), Column("exclude_prosecutors", "list"),
        Column("require_prosecutors", "list"), NOTES,
    ), required=True),
    Sheet("roads", (Column("a", "id", True), Column("b", "id", True),
                    Column("minutes", "float", True), Column("km", "float"), NOTES)),
    Sheet("pairs", (Column("a", "id", True), Column("b", "id", True), Column("note", "text"))),
    Sheet("groups", (Column("id", "id", True), Column("lead", "id", True),
                     Column("members", "list", True), NOTES)),
    # A talent pool: the people a case with this pool may draw on.
    Sheet("pools", (Column("id", "id", True), Column("name", "text"),
                    Column("members", "list", True), NOTES)),
    # An earlier roster (`previous`): the assignments a re-plan keeps if it can, or must
    # keep when pinned.
    Sheet("previous", (Column("case", "id", True), Column("prosecutor", "id", True),
                       Column("slot", "choice", True, "slot"), Column("on_site", "bool"),
                       Column("pinned", "bool"), NOTES)),
    # Load committed to other scenarios' cases: a row per commitment, read onto its person.
    Sheet("commitments", (Column("prosecutor", "id", True), Column("start", "date", True),
                          Column("end", "date", True), Column("load", "float", True),
                          Column("away", "bool"), Column("ref", "text"), NOTES)),
    Sheet("scenario", (Column("field", "text", True), Column("value", "text"))),
)
SHEET_BY_KEY = {s.key: s for s in SHEETS}

# The rows of the scenario sheet: a field and the policy setting it fills.
SCENARIO_FIELDS = ("name", "road_factor", "speed_kmh", "weight.travel", "weight.off_pair",
                   "weight.peak_load", "weight.units", "weight.changes", "weight.no_junior",
                   "weight.no_standby")

VOCABULARY: dict[str, tuple[str, ...]] = {
    "role": tuple(r.value for r in Role),
    "tier": tuple(t.value for t in Tier),
    "scope": tuple(s.value for s in Scope),
    "kind": tuple(k.value for k in Kind),
    # Any slot may join by video, the leader's too (spec: remote_roles holds slot names).
    "slot": tuple(s.value for s in Slot),
    # The lowest rank that may lead; "none" for a team without a leader.
    "leader": ("chief", "deputy_chief", "prosecutor", "none"),
}
SKILL_PREFIXES = ("skill:", "技能:", "技能：")


def term_label(vocabulary: str, value: str, lang: Language) -> str:
    """A choice as a reader of `lang` writes it: 检察长 for chief."""
    if vocabulary == "leader" and value == "none":
        return message(lang, "leader.none")
    code = f"{'role' if vocabulary == 'leader' else vocabulary}.{value}"
    text = message(lang, code)
    return value if text == code else text


def choice_values(vocabulary: str) -> dict[str, str]:
    """Every way of writing a choice, in either language or as its code, folded, to its code."""
    out = {}
    for value in VOCABULARY[vocabulary]:
        out[fold(value)] = value
        for lang in LANGUAGES:
            out[fold(term_label(vocabulary, value, lang))] = value
    return out


# The specialties the spec names beside the four functions; the glossary gives their words.
SPECIALTIES = ("organized_crime", "false_litigation", "environment", "enforcement", "forensics")


def skill_label(skill: str, lang: Language) -> str:
    """A skill as a reader writes it: its word for a function or a named specialty (刑事,
    涉黑涉恶), else its id (a skill of the scenario's own)."""
    return term_label("kind", skill, lang) if skill in (*VOCABULARY["kind"], *SPECIALTIES) else skill


def skill_values() -> dict[str, str]:
    """The words for the four functions and the named specialties, in both languages, and
    their ids, folded, to their ids."""
    out = choice_values("kind")
    for skill in SPECIALTIES:
        out[fold(skill)] = skill
        for lang in LANGUAGES:
            out[fold(skill_label(skill, lang))] = skill
    return out


# The languages the catalogues name; others are written as their ISO 639-1 codes.
LANGUAGE_CODES = ("zh", "mn", "en", "ru", "ko", "ug", "bo", "kk")


def language_label(code: str, lang: Language) -> str:
    """A spoken language as a reader of `lang` writes it: 蒙古语 or Mongolian for mn."""
    return term_label("language", code, lang) if code in LANGUAGE_CODES else code


def language_values() -> dict[str, str]:
    """Every way of writing a language we name, folded, to its code."""
    out = {}
    for code in LANGUAGE_CODES:
        out[fold(code)] = code
        for lang in LANGUAGES:
            out[fold(language_label(code, lang))] = code
    return out


def header(sheet: str, column: str, lang: Language) -> str:
    return message(lang, f"col.{sheet}.{column}")


def sheet_title(sheet: str, lang: Language) -> str:
    return message(lang, f"sheet.{sheet}")


def fold(text: str) -> str:
    """A header or choice as compared: case, spaces, underscores and full-width colons aside."""
    return " ".join(text.replace("_", " ").replace("：", ":").split()).casefold()
