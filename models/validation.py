"""Load a scenario from plain data and report every problem at once.

Each item of each collection is validated on its own, so one bad prosecutor does not hide a
bad case; then references across collections are checked on the items that parsed. Every
problem names the field path and the id of the item at fault.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

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


class Problem(BaseModel):
    """One thing wrong with a scenario."""

    path: str
    id: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.path} ({self.id})" if self.id else self.path
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that failed validation, with all of its problems."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


def _path(prefix: str, loc: Iterable[int | str]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _pydantic_problems(err: ValidationError, prefix: str, label: str | None) -> list[Problem]:
    problems = []
    for e in err.errors():
        msg = e["msg"].removeprefix("Value error, ")
        problems.append(Problem(path=_path(prefix, e["loc"]), id=label, message=msg))
    return problems


def parse_scenario(data: Any) -> Scenario:
    """Validate plain data (parsed JSON or YAML) into a Scenario, or raise ScenarioError."""
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem(path="$", message="a scenario must be an object")])
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    # Where each parsed item stood in the input: an item that failed is left out of
    # `parsed`, and the later items' paths must still name their own place.
    positions: dict[str, list[int]] = {}
    known = set(COLLECTIONS) | {"name", "policy"}
    for key in data:
        if key not in known:
            problems.append(Problem(path=str(key), message="unknown field"))
    if not isinstance(data.get("name"), str):
        problems.append(Problem(path="name", message="a name (string) is required"))
    elif len(data["name"]) > MAX_TEXT:
        problems.append(Problem(path="name", message=f"at most {MAX_TEXT} characters"))
    if "units" not in data:
        problems.append(Problem(path="units", message="a list of units is required"))
    try:
        parsed["policy"] = Policy.model_validate(data.get("policy") or {})
    except ValidationError as err:
        problems += _pydantic_problems(err, "policy", None)

    for collection, model in COLLECTIONS.items():
        raw_items = data.get(collection) or []
        if not isinstance(raw_items, list):
            problems.append(Problem(path=collection, message="must be a list"))
            raw_items = []
        adapter = TypeAdapter(model)
        items, positions[collection] = [], []
        for i, raw in enumerate(raw_items):
            try:
                items.append(adapter.validate_python(raw))
                positions[collection].append(i)
            except ValidationError as err:
                problems += _pydantic_problems(err, f"{collection}[{i}]", _label(collection, raw))
        parsed[collection] = items

    # Items are validated model instances already; pydantic does not validate them again.
    scenario = Scenario.model_construct(name=str(data.get("name", "")), **parsed)
    problems += reference_problems(scenario, positions)
    if problems:
        raise ScenarioError(problems)
    return Scenario.model_validate({"name": scenario.name, **parsed})


def reference_problems(s: Scenario,
                       positions: Mapping[str, list[int]] | None = None) -> list[Problem]:
    """Every broken reference or duplicate id across the scenario's collections. Paths
    name each item's place in the input (`positions`: for each collection, the input index
    of each of its items), or in `s` when not given."""
    problems: list[Problem] = []

    def at(collection: str, i: int) -> int:
        return positions[collection][i] if positions is not None else i

    def bad(path: str, ident: str | None, message: str) -> None:
        problems.append(Problem(path=path, id=ident, message=message))

    id_lists: dict[str, list[str]] = {
        "units": [u.id for u in s.units], "groups": [g.id for g in s.groups],
        "pools": [p.id for p in s.pools], "prosecutors": [p.id for p in s.prosecutors],
        "cases": [c.id for c in s.cases],
    }
    for collection, ids in id_lists.items():
        counts = Counter(ids)
        for i, ident in enumerate(ids):
            if counts[ident] > 1:
                bad(f"{collection}[{at(collection, i)}].id", ident, "duplicate id")

    units = {u.id: u for u in s.units}
    people = {p.id for p in s.prosecutors}
    pools = {p.id for p in s.pools}
    cases = {c.id: c for c in s.cases}

    def unit_ref(path: str, ident: str, ref: str | None) -> None:
        if ref is not None and ref not in units:
            bad(path, ident, f"unknown unit '{ref}'")

    def person_ref(path: str, ident: str, ref: str) -> None:
        if ref not in people:
            bad(path, ident, f"unknown prosecutor '{ref}'")

    for i, u in enumerate(s.units):
        unit_ref(f"units[{at('units', i)}].parent", u.id, u.parent)
        seen = {u.id}
        parent = u.parent
        while parent in units:
            if parent in seen:
                bad(f"units[{at('units', i)}].parent", u.id, "the chain of parents loops")
                break
            seen.add(parent)
            parent = units[parent].parent
    for i, pair in enumerate(s.pairs):
        label = "+".join(pair.units)
        for j, ref in enumerate(pair.units):
            unit_ref(f"pairs[{at('pairs', i)}].units[{j}]", label, ref)
        if pair.units[0] == pair.units[1]:
            bad(f"pairs[{at('pairs', i)}].units", label, "a unit cannot be paired with itself")
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
            bad(f"roads[{at('roads', i)}]", label, "a road must join two different units")
    for i, p in enumerate(s.prosecutors):
        unit_ref(f"prosecutors[{at('prosecutors', i)}].home", p.id, p.home)
    for i, c in enumerate(s.cases):
        path = f"cases[{at('cases', i)}]"
        unit_ref(f"{path}.venue", c.id, c.venue)
        unit_ref(f"{path}.lead_unit", c.id, c.lead_unit)
        if c.pool is not None and c.pool not in pools:
            bad(f"{path}.pool", c.id, f"unknown pool '{c.pool}'")
        for j, ref in enumerate(c.exclude_units):
            unit_ref(f"{path}.exclude_units[{j}]", c.id, ref)
        for j, ref in enumerate(c.exclude_prosecutors):
            person_ref(f"{path}.exclude_prosecutors[{j}]", c.id, ref)
        for j, ref in enumerate(c.require_prosecutors):
            person_ref(f"{path}.require_prosecutors[{j}]", c.id, ref)
            if ref in c.exclude_prosecutors:
                bad(f"{path}.require_prosecutors[{j}]", c.id,
                    f"'{ref}' is both required and excluded")
        if len(set(c.require_prosecutors)) > c.team.size:
            bad(f"{path}.require_prosecutors", c.id,
                f"{len(set(c.require_prosecutors))} people required but the team has "
                f"{c.team.size}")
    seen_previous: set[tuple[str, str]] = set()
    for i, a in enumerate(s.previous):
        label = f"{a.case}/{a.prosecutor}"
        person_ref(f"previous[{at('previous', i)}].prosecutor", label, a.prosecutor)
        case = cases.get(a.case)
        if case is None:
            bad(f"previous[{at('previous', i)}].case", label, f"unknown case '{a.case}'")
        elif a.slot not in case.team.slots():
            bad(f"previous[{at('previous', i)}].slot", label,
                f"case '{a.case}' has no {a.slot.value} slot")
        if (a.case, a.prosecutor) in seen_previous:
            bad(f"previous[{at('previous', i)}]", label,
                "the same person appears twice on this case")
        seen_previous.add((a.case, a.prosecutor))
    return problems
