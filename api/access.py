"""Who is asking, and what they may see and do: API keys and jurisdictions.

A key belongs to a unit. The key of the unit at the top of a province (the provincial
procuratorate's command center) sees the whole province. Any other key sees the cases
led by its unit and the units it supervises, and other offices' people only as far as a
roster for one of those cases needs them. Reads outside a jurisdiction answer 404 (as if
there were nothing), writes 403. Only a hash of each key is stored.
"""

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.problems import ApiError
from api.tables import ApiKeyRow
from models import Roster, Scenario
from models.enums import KeyRole
from models.ids import CaseId, UnitId

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
            raise ApiError(403, f"a {self.role.value} key may not {action}; "
                                f"it takes a {role.value} key")

    def require_province(self, province: str, action: str) -> None:
        """403 unless the caller sees the whole of `province` (writes of province data)."""
        if not self.sees_province(province) or not self.whole_province:
            raise ApiError(403, f"only a key of the whole province '{province}' may {action}")


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
    return Caller(key_id=row.id, unit=row.unit_id, role=KeyRole(row.role), province=row.province,
                  units=None if row.whole_province else frozenset(row.units))


def visible_cases(caller: Caller, scenario: Scenario) -> set[CaseId]:
    """The cases of `scenario` in the caller's jurisdiction."""
    if not caller.sees_province(scenario.province):
        return set()
    return {c.id for c in scenario.cases if caller.leads(c.lead)}


def scenario_view(caller: Caller, scenario: Scenario) -> Scenario:
    """What of a scenario the caller may see: every office and road, but only the cases
    led in the jurisdiction and the people whose home office lies in it."""
    if caller.whole_province:
        return scenario
    cases = visible_cases(caller, scenario)
    people = [p for p in scenario.prosecutors if caller.leads(p.home)]
    ids = {p.id for p in people}
    pools = [p.model_copy(update={"members": [m for m in p.members if m in ids]})
             for p in scenario.pools]
    return scenario.replace(
        cases=[c for c in scenario.cases if c.id in cases], prosecutors=people, pools=pools,
        previous=[a for a in scenario.previous if a.case in cases and a.prosecutor in ids])


def roster_view(caller: Caller, scenario: Scenario, roster: Roster) -> Roster | None:
    """The cases of a roster the caller may see, with their whole teams (the people a
    roster for their case needs); None when there is none."""
    if caller.whole_province and caller.sees_province(scenario.province):
        return roster
    cases = visible_cases(caller, scenario)
    shown = [c for c in roster.cases if c.id in cases]
    return roster.model_copy(update={"cases": shown}) if shown else None
