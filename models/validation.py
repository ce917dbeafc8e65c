"""Load a scenario from plain data and report every problem at once.

Each item of each collection is validated on its own, so one bad prosecutor does not hide a
bad case; then references across collections are checked on the items that parsed. Every
problem names the field path and the id of the item at fault, and says what is wrong as a
message code with parameters: the shell words it in the reader's language (`i18n.worded`).
"""

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from models.reason import Param, Reason, listing, term, why
from models.scenario import (
    MAX_TEXT,
    Assignment,
    Case,
    Group,
    Policy,
    Pool,
    Prosecutor,
    Road,
    Scenario,
    Unit,
)
from models.scenario import Pair as PairModel
from models.text import hidden_control


def _unset(value: object) -> bool:
    return value is None


class Problem(BaseModel):
    """One thing wrong with the input: where, the id at fault, and what, as a message code."""

    path: str = Field(description="The field at fault, e.g. 'cases[3].venue'.")
    id: str | None = Field(default=None, description="The id of the item at fault, if it has one.")
    code: str = Field(default="text", description="Message id of the problem in the catalogues "
                                                  "(e.g. 'invalid.unknown_unit').")
    params: dict[str, Param] = Field(default_factory=dict,
                                     description="The message's parameters by name.")
    message: str = Field(default="", description="The problem in words, in the language asked "
                                                 "for.")
    # Where in a workbook, for a scenario sent as one: a sheet alone for the sheet as a
    # whole, none of them for the file; left out of a problem that has no such place.
    sheet: str | None = Field(
        default=None, exclude_if=_unset,
        description="The workbook's sheet at fault, as the workbook names it.")
    row: int | None = Field(
        default=None, exclude_if=_unset, description="The sheet's row at fault, from 1 (the headers).")
    column: str | None = Field(
        default=None, exclude_if=_unset, description="The column's letter, e.g. 'F'.")
    header: str | None = Field(
        default=None, exclude_if=_unset,
        description="The column's header, as the workbook writes it (or as it should, if missing).")

    @property
    def reason(self) -> Reason:
        """What is wrong, as a reason to render; a problem given only in words reads as them."""
        if self.code == "text" and not self.params:
            return why("text", text=self.message)
        return why(self.code, **self.params)

    @property
    def located(self) -> Reason:
        """The problem with where it is: the field's path, and the id at fault if any."""
        if self.id:
            return why("problem.at_id", path=self.path, id=self.id, problem=self.reason)
        return why("problem.at", path=self.path, problem=self.reason)

    def __str__(self) -> str:
        # Unworded (straight from validation) it still says which check failed, for logs.
        where = f"{self.path} ({self.id})" if self.id else self.path
        return f"{where}: {self.message or self.code}"


# The longest path and id a problem repeats: a valid id is at most 200 characters, and an
# id or a map key of 100,000 made every message about it 100,000 characters long.
MOST_SHOWN_ID = 200
MOST_SHOWN_PATH = 600


def _clipped(text: str, most: int) -> str:
    """`text`, cut to `most` characters with an ellipsis if longer."""
    return text if len(text) <= most else text[:most - 1] + "…"


def problem(path: str, code: str, ident: str | None = None, **params: Param) -> Problem:
    """A problem at `path` (of the item `ident`) with message `code` and its parameters."""
    return Problem(path=_clipped(path, MOST_SHOWN_PATH),
                   id=None if ident is None else _clipped(ident, MOST_SHOWN_ID),
                   code=code, params=params)


class ScenarioError(ValueError):
    """A scenario that failed validation, with all of its problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def under(self, path: str, item_id: str | None = None) -> list[Problem]:
        """The problems named from a request that holds the scenario at `path` (each
        `scenario.cases[0]...`, not `cases[0]...`), those naming no item given `item_id`."""
        return [p.model_copy(update={"path": f"{path}.{p.path}", "id": p.id or item_id})
                for p in self.problems]


COLLECTIONS: dict[str, type[BaseModel]] = {
    "units": Unit,
    "pairs": PairModel,
    "groups": Group,
    "pools": Pool,
    "roads": Road,
    "prosecutors": Prosecutor,
    "cases": Case,
    "previous": Assignment,
}


def _label(collection: str, raw: object) -> str | None:
    """A human label for an item: its id, or what identifies a pair, road or assignment."""
    if not isinstance(raw, Mapping):
        return None
    if "id" in raw:
        return str(raw["id"])
    if collection == "pairs" and isinstance(raw.get("units"), list):
        return "+".join(str(u) for u in raw["units"])
    if collection == "roads":
        return f"{raw.get('a')}-{raw.get('b')}"
    if collection == "previous":
        return f"{raw.get('case')}/{raw.get('prosecutor')}"
    return None


def field_path(prefix: str, loc: Iterable[int | str]) -> str:
    """Pydantic's location of an error as our path: `cases[0].team`, indices in brackets,
    after `prefix` (which may be empty)."""
    out = prefix
    for part in loc:
        if part == "[key]":  # pydantic's mark of a map's key at fault: the key says it
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.strip():  # a blank key shows, quoted: `skills[""]`, `skills["\t"]`
            out += f"[{json.dumps(part)}]"
        else:
            out += f".{part}" if out else part
    return out


# Pydantic's error types, by the message code that says the same in our catalogues.
PYDANTIC_CODES: dict[str, str] = {
    "missing": "invalid.missing", "extra_forbidden": "invalid.extra",
    "greater_than": "invalid.gt", "greater_than_equal": "invalid.ge",
    "less_than": "invalid.lt", "less_than_equal": "invalid.le",
    "enum": "invalid.choice", "literal_error": "invalid.choice",
    "int_parsing": "invalid.whole", "int_type": "invalid.whole", "int_from_float": "invalid.whole",
    "int_parsing_size": "invalid.whole_too_large",
    "float_parsing": "invalid.number", "float_type": "invalid.number",
    "finite_number": "invalid.finite", "bool_parsing": "invalid.bool", "bool_type": "invalid.bool",
    "string_type": "invalid.string", "list_type": "invalid.list", "tuple_type": "invalid.list",
    "dict_type": "invalid.object", "string_unicode": "invalid.not_unicode",
    "model_type": "invalid.object", "model_attributes_type": "invalid.object",
    "date_parsing": "invalid.date", "date_type": "invalid.date",
    "date_from_datetime_parsing": "invalid.date", "date_from_datetime_inexact": "invalid.date",
    "string_too_long": "invalid.text_too_long", "string_too_short": "invalid.text_too_short",
    "too_long": "invalid.too_many", "too_short": "invalid.too_few", "json_invalid": "invalid.json",
}
# The limit each kind of error carries in its context.
LIMITS = {"invalid.gt": "gt", "invalid.ge": "ge", "invalid.lt": "lt", "invalid.le": "le",
          "invalid.text_too_long": "max_length", "invalid.text_too_short": "min_length",
          "invalid.too_many": "max_length", "invalid.too_few": "min_length"}


def _number(value: Any) -> Param:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


# A value a problem repeats is shown up to this many characters.
MOST_SHOWN_VALUE = 60


def shown_text(text: str) -> str:
    """Text someone wrote, as a problem repeats it: a number of more than MAX_INT_DIGITS
    digits by its first and last (its end says as much as its start), anything else cut to
    MOST_SHOWN_VALUE characters."""
    digits = text.lstrip("+-")
    if len(digits) > MAX_INT_DIGITS and digits.isdecimal():
        return f"{text[:len(text) - len(digits)]}{digits[:12]}…{digits[-4:]}"
    return _clipped(text, MOST_SHOWN_VALUE)


def _shown(value: Any) -> Param:
    """An input value as a parameter: scalars as they are, anything larger as a short text
    (infinity and NaN too: a JSON answer cannot hold them; an integer too long to read as
    its first and last digits)."""
    if isinstance(value, LongNumber):
        return shown_text(value.digits)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bool):  # as the JSON or YAML that held it wrote it
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return value
    return shown_text(str(value))


def pydantic_problem(e: ErrorDetails, path: str, label: str | None = None) -> Problem:
    """One of pydantic's errors as our problem: its type as a message code of ours, with the
    limit or the choices it names, so that it can be worded in any language."""
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind.startswith("invalid."):  # raised by our own validators, parameters and all
        return problem(path, kind, label, **ctx)
    code = PYDANTIC_CODES.get(kind)
    if isinstance(e.get("input"), LongNumber) and code in NUMBER_CODES:
        code = "invalid.whole_too_large"  # not "should be finite, not inf": it was written whole
    if code is None:
        # A rarer kind keeps pydantic's English words, inside a sentence of the reader's.
        return problem(path, "invalid.other", label, text=str(e["msg"]).removeprefix("Value error, "))
    if code == "invalid.text_too_short" and ctx.get("min_length") == 1:
        code = "invalid.empty_text"  # "at least 1 characters" says it badly
    params: dict[str, Param] = {}
    if code in LIMITS:
        params["limit"] = _number(ctx.get(LIMITS[code], ""))
    elif code == "invalid.choice":
        expected = str(ctx.get("expected", ""))
        choices = re.findall(r"'((?:[^'\\]|\\.)*)'", expected) or [expected]
        vocabulary = _vocabulary(e["loc"])
        params["choices"] = listing(
            [why("text", text=f"'{c}'") if vocabulary is None
             else why("choice", value=c, term=term(vocabulary, c)) for c in choices],
            sep="comma")
    elif code == "invalid.json":
        params["error"] = str(ctx.get("error", ""))
    if code not in ("invalid.missing", "invalid.json") and "input" in e:
        params["value"] = _shown(e["input"])
    return problem(path, code, label, **params)


# Fields whose choices are words of the domain's vocabulary, by the field's name: a
# Chinese reader is offered 检察长（chief）, not 'chief'.
CHOICE_VOCABULARY = {"role": "role", "min_role": "role", "kind": "kind", "slot": "slot",
                     "remote_roles": "slot", "tier": "tier", "tiers": "tier", "scope": "scope"}


def _vocabulary(loc: tuple[int | str, ...]) -> str | None:
    """The vocabulary of the field at `loc` (a list's items take the list's), or None."""
    names = [part for part in loc if isinstance(part, str)]
    return CHOICE_VOCABULARY.get(names[-1]) if names else None


def _pydantic_problems(err: ValidationError, prefix: str, label: str | None) -> list[Problem]:
    return [pydantic_problem(e, field_path(prefix, e["loc"]), label) for e in err.errors()]


# No number a scenario holds has more digits than this; past it, a number is read as a
# float (too large, or infinite) for validation to refuse, not as an int, which Python
# refuses to make from more than 4,300 digits with an error of its own.
MAX_INT_DIGITS = 20


class LongNumber(float):
    """An integer of more than MAX_INT_DIGITS digits, as the float validation refuses, with
    the digits it was written with, for the problem to show."""

    # Said to be one of Python's own types, as pydantic takes it for a number only then:
    # FastAPI validates bodies from attributes too, and a model given an object of any
    # other module is filled from its attributes, here none, every field at its default.
    # A commit whose body was a 5,000-digit number committed every case (a tester's find).
    __module__ = "builtins"

    digits: str

    def __new__(cls, digits: str) -> "LongNumber":
        number = super().__new__(cls, float(digits))
        number.digits = digits
        return number

    def __repr__(self) -> str:
        # As its digits, cut short, wherever it is shown: inside a list a problem repeats,
        # it was "inf" (`{"cases": [[9…9]]}` said "[[inf]]").
        return shown_text(self.digits)

    __str__ = __repr__


# The errors of a number field that a long integer meets, each said as one too large: past
# a float's range it reads as infinite, and "should be finite, not inf" names what no one
# wrote. One within range keeps its field's own limit ("at most 90, not 123456789012…6789"
# for a latitude, not "a whole number small enough to read", an outside tester's finding).
NUMBER_CODES = {"invalid.finite", "invalid.whole", "invalid.number"}


def whole_number(digits: str) -> int | float:
    """A decimal integer as written, as input is read: an int, or a `LongNumber` past
    MAX_INT_DIGITS characters."""
    return int(digits) if len(digits) <= MAX_INT_DIGITS else LongNumber(digits)


# A scenario nests a handful of levels. Python's parser fails near 1,000 with a
# RecursionError; input nested deeper than this is refused where it passes it.
MAX_NESTING = 100
# A JSON string, or one bracket outside strings: what nesting is counted from.
_NESTING_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class NestedTooDeep(json.JSONDecodeError):
    """JSON nested deeper than any scenario is (MAX_NESTING), at the bracket passing it."""


def _too_deep_at(doc: str) -> int:
    """Where `doc` first nests deeper than MAX_NESTING (0 if it never does)."""
    depth = 0
    for token in _NESTING_TOKEN.finditer(doc):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return token.start()
        elif bracket in "]}":
            depth -= 1
    return 0


class _Repeated(dict[str, Any]):
    """An object of the input that names the keys `repeated` more than once."""

    repeated: list[str]


def printable(key: str) -> str:
    """A key as a path can show it: a lone surrogate ("\\ud800", which JSON allows and UTF-8
    cannot encode) as its escape."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _repeated_keys(data: Any, path: str = "") -> Iterator[str]:
    """The path of each key an object of `data` names more than once."""
    if isinstance(data, _Repeated):
        yield from (field_path(path, [printable(key)]) for key in data.repeated)
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _repeated_keys(value, field_path(path, [printable(key)]))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _repeated_keys(value, f"{path}[{i}]")


def read_json(text: str | bytes) -> Any:
    """JSON input as plain data, whatever the length of its numbers (see MAX_INT_DIGITS);
    bytes that are not UTF-8 raise `UnicodeDecodeError`, malformed JSON
    `json.JSONDecodeError`, JSON nested too deeply for Python's parser `NestedTooDeep`,
    an object naming a key twice `ScenarioError` at each such key."""
    # JSON is UTF-8 (RFC 8259); Python's reader would also take UTF-16 and UTF-32 bytes.
    # A byte order mark is let pass, as the RFC allows.
    doc = text.decode("utf-8-sig") if isinstance(text, bytes) else text
    # Python keeps the last of a key named twice: a scenario edited by hand with two
    # "cases" lists lost the first without a word. RFC 8259 leaves such objects to the
    # reader; ours refuses them.
    repeated = False

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        out = dict(pairs)
        if len(out) == len(pairs):
            return out
        repeated = True
        marked = _Repeated(out)
        counts = Counter(key for key, _ in pairs)
        marked.repeated = [key for key in out if counts[key] > 1]
        return marked

    try:
        data = json.loads(doc, parse_int=whole_number, object_pairs_hook=unique)
    except RecursionError:
        raise NestedTooDeep("nested too deeply", doc, _too_deep_at(doc)) from None
    if repeated:
        raise ScenarioError([problem(path or "$", "invalid.key_repeated")
                             for path in _repeated_keys(data)])
    return data


def parse_scenario(data: Any) -> Scenario:
    """Validate plain data (parsed JSON or YAML) into a Scenario, or raise ScenarioError."""
    if not isinstance(data, Mapping):
        raise ScenarioError([problem("$", "invalid.not_object")])
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    # Where each parsed item stood in the input: an item that failed is left out of
    # `parsed`, and the later items' paths must still name their own place.
    positions: dict[str, list[int]] = {}
    # The ids of items that failed: already reported, so references to them are not.
    failed: dict[str, set[str]] = {c: set() for c in COLLECTIONS}
    known = set(COLLECTIONS) | {"name", "policy"}
    for key in data:
        if key not in known:
            problems.append(problem(str(key), "invalid.extra"))
    if not isinstance(data.get("name"), str):
        problems.append(problem("name", "invalid.name_required"))
    elif len(data["name"]) > MAX_TEXT:
        problems.append(problem("name", "invalid.text_too_long", limit=MAX_TEXT))
    elif (control := hidden_control(data["name"])) is not None:
        problems.append(problem("name", "invalid.control_character", character=control))
    no_units = data.get("units") is None
    if no_units:
        problems.append(problem("units", "invalid.units_required"))
    try:
        parsed["policy"] = Policy.model_validate(data.get("policy", {}))
    except ValidationError as err:
        problems += _pydantic_problems(err, "policy", None)

    for collection, model in COLLECTIONS.items():
        # Left out, a collection is empty; `null` is a broken export, not an empty list.
        raw_items = data.get(collection, [])
        if raw_items is None and collection == "units":
            raw_items = []  # already said: units are required
        if not isinstance(raw_items, list):
            problems.append(problem(collection, "invalid.list"))
            raw_items = []
        adapter = TypeAdapter(model)
        items, positions[collection] = [], []
        for i, raw in enumerate(raw_items):
            try:
                items.append(adapter.validate_python(raw))
                positions[collection].append(i)
            except ValidationError as err:
                problems += _pydantic_problems(err, f"{collection}[{i}]", _label(collection, raw))
                if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
                    failed[collection].add(raw["id"])
        parsed[collection] = items

    # Items are validated model instances already; pydantic does not validate them again.
    scenario = Scenario.model_construct(name=str(data.get("name", "")), **parsed)
    references = reference_problems(scenario, positions, failed)
    if no_units:  # said once, on `units`: each reference to an office would only echo it
        references = [p for p in references if p.code != "invalid.unknown_unit"]
    problems += references
    if problems:
        raise ScenarioError(problems)
    return Scenario.model_validate({"name": scenario.name, **parsed})


def reference_problems(s: Scenario, positions: Mapping[str, list[int]] | None = None,
                       failed: Mapping[str, set[str]] | None = None) -> list[Problem]:
    """Every broken reference or duplicate id across the scenario's collections. Paths
    name each item's place in the input (`positions`: for each collection, the input index
    of each of its items), or in `s` when not given. A reference to an id in `failed` (of
    an item reported as invalid already, by collection) is not reported again."""
    gone = failed or {}
    problems: list[Problem] = []

    def at(collection: str, i: int) -> int:
        return positions[collection][i] if positions is not None else i

    def bad(path: str, ident: str | None, code: str, **params: Param) -> None:
        problems.append(problem(path, code, ident, **params))

    id_lists: dict[str, list[str]] = {
        "units": [u.id for u in s.units], "groups": [g.id for g in s.groups],
        "pools": [p.id for p in s.pools], "prosecutors": [p.id for p in s.prosecutors],
        "cases": [c.id for c in s.cases],
    }
    for collection, ids in id_lists.items():
        counts = Counter(ids)
        for i, ident in enumerate(ids):
            if counts[ident] > 1:
                bad(f"{collection}[{at(collection, i)}].id", ident, "invalid.duplicate_id")

    units = {u.id: u for u in s.units}
    people = {p.id for p in s.prosecutors}
    pools = {p.id for p in s.pools}
    cases = {c.id: c for c in s.cases}

    def unit_ref(path: str, ident: str, ref: str | None) -> None:
        if ref is not None and ref not in units and ref not in gone.get("units", ()):
            bad(path, ident, "invalid.unknown_unit", ref=ref)

    def person_ref(path: str, ident: str, ref: str) -> None:
        if ref not in people and ref not in gone.get("prosecutors", ()):
            bad(path, ident, "invalid.unknown_prosecutor", ref=ref)

    for i, u in enumerate(s.units):
        unit_ref(f"units[{at('units', i)}].parent", u.id, u.parent)
        seen = {u.id}
        parent = u.parent
        while parent in units:
            if parent in seen:
                bad(f"units[{at('units', i)}].parent", u.id, "invalid.parent_loop")
                break
            seen.add(parent)
            parent = units[parent].parent
    for i, pair in enumerate(s.pairs):
        label = "+".join(pair.units)
        for j, ref in enumerate(pair.units):
            unit_ref(f"pairs[{at('pairs', i)}].units[{j}]", label, ref)
        if pair.units[0] == pair.units[1]:
            bad(f"pairs[{at('pairs', i)}].units", label, "invalid.self_pair")
    for i, g in enumerate(s.groups):
        unit_ref(f"groups[{at('groups', i)}].lead", g.id, g.lead)
        for j, ref in enumerate(g.members):
            unit_ref(f"groups[{at('groups', i)}].members[{j}]", g.id, ref)
    for i, pool in enumerate(s.pools):
        for j, ref in enumerate(pool.members):
            person_ref(f"pools[{at('pools', i)}].members[{j}]", pool.id, ref)
    for i, r in enumerate(s.roads):
        label = f"{r.a}-{r.b}"
        unit_ref(f"roads[{at('roads', i)}].a", label, r.a)
        unit_ref(f"roads[{at('roads', i)}].b", label, r.b)
        if r.a == r.b:
            bad(f"roads[{at('roads', i)}]", label, "invalid.self_road")
    for i, p in enumerate(s.prosecutors):
        unit_ref(f"prosecutors[{at('prosecutors', i)}].home", p.id, p.home)
    for i, c in enumerate(s.cases):
        path = f"cases[{at('cases', i)}]"
        unit_ref(f"{path}.venue", c.id, c.venue)
        unit_ref(f"{path}.lead_unit", c.id, c.lead_unit)
        if c.pool is not None and c.pool not in pools and c.pool not in gone.get("pools", ()):
            bad(f"{path}.pool", c.id, "invalid.unknown_pool", ref=c.pool)
        for j, ref in enumerate(c.exclude_units):
            unit_ref(f"{path}.exclude_units[{j}]", c.id, ref)
        for j, ref in enumerate(c.exclude_prosecutors):
            person_ref(f"{path}.exclude_prosecutors[{j}]", c.id, ref)
        for j, ref in enumerate(c.require_prosecutors):
            person_ref(f"{path}.require_prosecutors[{j}]", c.id, ref)
            if ref in c.exclude_prosecutors:
                bad(f"{path}.require_prosecutors[{j}]", c.id, "invalid.required_excluded", ref=ref)
        if len(set(c.require_prosecutors)) > c.team.size:
            bad(f"{path}.require_prosecutors", c.id, "invalid.too_many_required",
                required=len(set(c.require_prosecutors)), size=c.team.size)
    seen_previous: set[tuple[str, str]] = set()
    for i, a in enumerate(s.previous):
        label = f"{a.case}/{a.prosecutor}"
        person_ref(f"previous[{at('previous', i)}].prosecutor", label, a.prosecutor)
        case = cases.get(a.case)
        if case is None and a.case not in gone.get("cases", ()):
            bad(f"previous[{at('previous', i)}].case", label, "invalid.unknown_case", ref=a.case)
        elif case is not None and a.slot not in case.team.slots():
            bad(f"previous[{at('previous', i)}].slot", label, "invalid.no_slot", case=a.case,
                slot=why(f"slot.{a.slot.value}", value=a.slot.value))
        if (a.case, a.prosecutor) in seen_previous:
            bad(f"previous[{at('previous', i)}]", label, "invalid.twice_on_case")
        seen_previous.add((a.case, a.prosecutor))
    return problems
