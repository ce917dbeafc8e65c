"""Creating and revoking API keys (the `taskforce keys` commands); checking them is in
`api.access`."""

import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import audit
from api.access import TOKEN_PREFIX, hash_secret
from api.tables import ApiKeyRow, ScenarioRow, ScenarioVersionRow
from models import Scenario, Tier
from models.enums import KeyRole
from models.ids import UnitId
from models.reason import Reason, why
from scheduler.instance.scope import Geography

CLI_ACTOR = "command line"


class KeyRequestError(ValueError):
    """A key cannot be made or revoked as asked; `reason` says why, to be worded."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.code)
        self.reason = reason


def organisation_of(session: Session, unit: UnitId) -> Scenario:
    """The newest stored scenario that has `unit`: it says what the unit supervises."""
    rows = session.scalars(select(ScenarioRow).where(ScenarioRow.deleted.is_(False),
                                               ScenarioRow.base_id.is_(None))
                           .order_by(ScenarioRow.updated_at.desc()))
    for row in rows:
        body = session.get(ScenarioVersionRow, (row.id, row.version))
        if body is not None and any(u["id"] == unit for u in body.body["units"]):
            return Scenario.model_validate(body.body)
    raise KeyRequestError(why("key.no_scenario", unit=unit))


def create_key(session: Session, *, unit: UnitId, role: KeyRole, name: str,
               scenario: Scenario) -> tuple[ApiKeyRow, str]:
    """Add a key for `unit`, its jurisdiction taken from `scenario` (the caller commits).
    The token is returned once; only its hash is stored."""
    if unit not in scenario.unit_by_id:
        raise KeyRequestError(why("key.unit_not_in", unit=unit, scenario=scenario.name))
    whole = unit == scenario.province or scenario.unit_by_id[unit].tier is Tier.PROVINCIAL
    units = sorted(scenario.unit_by_id) if whole else sorted(Geography(scenario).supervised(unit))
    key_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    row = ApiKeyRow(id=key_id, secret_hash=hash_secret(secret), name=name or unit, unit_id=unit,
                    role=role.value, province=scenario.province, whole_province=whole,
                    units=units)
    session.add(row)
    audit.record(session, "key.created", province=scenario.province, actor=CLI_ACTOR, unit_id=unit,
                 details={"key": key_id, "role": role.value, "province": scenario.province,
                          "whole_province": whole, "seal": audit.key_seal(row)})
    return row, f"{TOKEN_PREFIX}_{key_id}_{secret}"


def revoke_key(session: Session, key_id: str, reason: str | None) -> ApiKeyRow:
    """Revoke a key at once (the caller commits)."""
    row = session.get(ApiKeyRow, key_id)
    if row is None:
        raise KeyRequestError(why("key.unknown", id=key_id))
    if row.revoked_at is not None:
        raise KeyRequestError(why("key.revoked_already", id=key_id))
    row.revoked_at = datetime.now(UTC)
    audit.record(session, "key.revoked", province=row.province,
                 actor=CLI_ACTOR, unit_id=row.unit_id, reason=reason,
                 details={"key": key_id})
    return row
