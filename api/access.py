"""Who is asking, and what they may see and do: API keys and jurisdictions.

A key belongs to a unit. The key of the unit at the top of a province (the provincial
procuratorate's command center) sees the whole province. Any other key sees the cases
led by its unit and the units it supervises, and other offices' people only as far as a
roster for one of those cases needs them. Reads outside a jurisdiction answer 404 (as if
there were nothing), writes 403. Only a hash of each key is stored.
"""

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.audit import key_problem
from api.problems import ApiError
from api.tables import ApiKeyRow
from i18n import render
from models import Roster, Scenario
from models.enums import KeyRole
from models.ids import CaseId, UnitId
from models.reason import Param, Reason, why

log = logging.getLogger("taskforce.api")

TOKEN_PREFIX = "tf"


RANK = {KeyRole.VIEWER: 0, KeyRole.PLANNER: 1, KeyRole.ADMIN: 2}


@dataclass(frozen=True)
class Caller:
    """The key behind a request. `province` None: any province (keys not required);
    `units` None: the whole province."""

    key_id: str | None
    unit: UnitId | None
    role: KeyRole
    province: str | None
    units: frozenset[UnitId] | None

    @property
    def actor(self) -> str:
        """How the audit trail names the caller."""
        if self.key_id is None:
            return "anonymous"
        return f"key {self.key_id} ({self.unit}, {self.role.value})"

    @property
    def whole_province(self) -> bool:
        return self.units is None

    def sees_province(self, province: str) -> bool:
        return self.province is None or self.province == province

    def leads(self, unit: UnitId) -> bool:
        """Whether a case led by `unit` lies in the caller's jurisdiction."""
        return self.units is None or unit in self.units

    def require(self, role: KeyRole, action: str) -> None:
        """403 unless the key's role allows `action`."""
        if RANK[self.role] < RANK[role]:
            raise ApiError(403, "problem.role_forbidden", role=self.role.value,
                           action=why(f"action.{action}"), needed=role.value)

    def require_province(self, province: str, action: str) -> None:
        """403 unless the caller sees the whole of `province` (writes of province data)."""
        if not self.sees_province(province) or not self.whole_province:
            raise ApiError(403, "problem.province_only", province=province,
                           action=why(f"action.{action}"))


# When keys are not required (a single user on their own machine): everything, anonymously.
OPEN = Caller(key_id=None, unit=None, role=KeyRole.ADMIN, province=None, units=None)


def hash_secret(secret: str) -> str:
    # Keys are long random strings, so a plain hash resists guessing as well as a slow one.
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, token: str) -> Caller | None:
    """The caller a token belongs to, or None for an unknown, malformed or revoked one."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not key_id or not secret:
        return None
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.id == key_id))
    if row is None or row.revoked_at is not None \
            or not hmac.compare_digest(row.secret_hash, hash_secret(secret)):
        return None
    # A row the audit trail does not vouch for (inserted or edited in the database by
    # someone who bypassed `taskforce keys`) grants nothing.
    if (problem := key_problem(session, row)) is not None:
        log.warning("refused a key: %s", render(problem, "en"))
        return None
    return Caller(key_id=row.id, unit=row.unit_id, role=KeyRole(row.role), province=row.province,
                  units=None if row.whole_province else frozenset(row.units))


def visible_cases(caller: Caller, scenario: Scenario) -> set[CaseId]:
    """The cases of `scenario` in the caller's jurisdiction."""
    if not caller.sees_province(scenario.province):
        return set()
    return {c.id for c in scenario.cases if caller.leads(c.lead)}


def _seen_units(caller: Caller, scenario: Scenario, cases: set[CaseId]) -> set[UnitId]:
    """The offices a partial key may see in a scenario: its own, those above them (the
    chain of supervision), those its cases name, and those paired or in a working group
    with its own (arrangements its offices are party to)."""
    units = scenario.unit_by_id
    own = {u for u in units if caller.leads(u)}
    seen = set(own)
    for group in scenario.groups:
        if group.units & own:
            seen |= group.units
    for uid in list(seen):
        parent = units[uid].parent
        while parent is not None and parent in units and parent not in seen:
            seen.add(parent)
            parent = units[parent].parent
    for c in scenario.cases:
        if c.id in cases:
            seen |= {c.venue, c.lead, *c.exclude_units}
    seen |= {u for pair in scenario.pairs if set(pair.units) & own for u in pair.units}
    return seen & set(units)


def scenario_view(caller: Caller, scenario: Scenario) -> Scenario:
    """What of a scenario the caller may see: the cases led in the jurisdiction, the people
    whose home office lies in it, and only the offices (with their pairs, groups and roads)
    that those concern, so no other office's case, person or unit shows."""
    if caller.whole_province:
        return scenario
    cases = visible_cases(caller, scenario)
    units = _seen_units(caller, scenario, cases)
    people = [p for p in scenario.prosecutors if caller.leads(p.home)]
    ids = {p.id for p in people}
    pools = [p.model_copy(update={"members": [m for m in p.members if m in ids]})
             for p in scenario.pools]
    groups = [g for g in scenario.groups if g.units <= units]
    shown = [c.model_copy(update={"exclude_prosecutors": [p for p in c.exclude_prosecutors
                                                          if p in ids],
                                  "require_prosecutors": [p for p in c.require_prosecutors
                                                          if p in ids]})
             for c in scenario.cases if c.id in cases]
    return scenario.replace(
        name=redact(scenario.name, foreign_ids(caller, scenario)),
        units=[u for u in scenario.units if u.id in units],
        pairs=[p for p in scenario.pairs if set(p.units) <= units], groups=groups,
        roads=[r for r in scenario.roads if r.a in units and r.b in units],
        cases=shown, prosecutors=people, pools=pools,
        previous=[a for a in scenario.previous if a.case in cases and a.prosecutor in ids])


OUTSIDE = "[outside your jurisdiction]"
REF_NAMES = frozenset({"unit", "person", "case"})


def foreign_ids(caller: Caller, scenario: Scenario) -> set[str]:
    """The ids of `scenario` a partial key may not be shown: other offices' cases, people
    and units (a free-text reason or a detail may name any of them)."""
    if caller.whole_province:
        return set()
    cases = visible_cases(caller, scenario)
    seen = _seen_units(caller, scenario, cases)
    return ({c.id for c in scenario.cases} - cases
            | {p.id for p in scenario.prosecutors if not caller.leads(p.home)}
            | set(scenario.unit_by_id) - seen)


def redact(text: str, foreign: set[str]) -> str:
    """`text` with each id of `foreign` replaced, where it stands as a word of its own."""
    if not foreign:
        return text
    pattern = "|".join(re.escape(i) for i in sorted(foreign, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])(?:{pattern})(?![\w-])", OUTSIDE, text)


def redact_reason(reason: Reason, foreign: set[str]) -> Reason:
    """`reason` with every unit, person or case of `foreign` it names replaced, and any
    free text in it redacted; its words are rendered afterwards, so no name slips out."""
    if reason.code in REF_NAMES and reason.params.get("id") in foreign:
        return why("outside")
    params: dict[str, Param] = {}
    for name, value in reason.params.items():
        if isinstance(value, Reason):
            params[name] = redact_reason(value, foreign)
        elif isinstance(value, list):
            params[name] = [redact_reason(r, foreign) for r in value]
        elif isinstance(value, str):
            params[name] = redact(value, foreign)
        else:
            params[name] = value
    return reason.model_copy(update={"params": params, "text": redact(reason.text, foreign)})


def redact_data(data: Any, foreign: set[str]) -> Any:
    """JSON-like `data` with every string (keys too) redacted."""
    if isinstance(data, str):
        return redact(data, foreign)
    if isinstance(data, list):
        return [redact_data(x, foreign) for x in data]
    if isinstance(data, dict):
        return {redact(k, foreign): redact_data(v, foreign) for k, v in data.items()}
    return data


def shown_cases(caller: Caller, scenario: Scenario, asked: list[str] | None) -> list[str] | None:
    """A job's or roster's case subset as the caller may see it: only its own cases."""
    if caller.whole_province:
        return asked
    mine = visible_cases(caller, scenario)
    return sorted(mine if asked is None else mine & set(asked))


def shown_params(caller: Caller, scenario: Scenario, params: dict[str, Any]) -> dict[str, Any]:
    """A job's or roster's stored parameters with their case subset as the caller may see it,
    without the teams a solve kept or the swap it came from (they name any office's
    cases and people)."""
    if caller.whole_province:
        return params
    shown = {k: v for k, v in params.items() if k not in ("pinned", "swap")}
    if "cases" not in shown:
        return shown
    return shown | {"cases": shown_cases(caller, scenario, shown["cases"])}


def roster_view(caller: Caller, scenario: Scenario, roster: Roster) -> Roster | None:
    """The cases of a roster the caller may see, with their whole teams (the people a
    roster for their case needs); None when there is none. Outside the whole province the
    figures of the whole roster (objective, bounds) are left out, and unstaffed reasons
    do not name other offices' cases."""
    if caller.whole_province and caller.sees_province(scenario.province):
        return roster
    cases = visible_cases(caller, scenario)
    foreign = foreign_ids(caller, scenario)
    shown = [c.model_copy(update={"unstaffed_reason": redact_reason(c.unstaffed_reason, foreign)
                                  if c.unstaffed_reason else None})
             for c in roster.cases if c.id in cases]
    if not shown:
        return None
    return roster.model_copy(update={
        "cases": shown, "objective": None, "baseline": None, "bound": None, "gap": None,
        "priority_bound": None, "parts": None, "parts_proven": None,
        # Alternatives are whole rosters: their objectives and differences concern every
        # case, so a part of the province sees none.
        "alternatives": [],
        "infeasible_reason": redact_reason(roster.infeasible_reason, foreign)
        if roster.infeasible_reason else None})
