"""The audit trail: append-only, each entry carrying the hash of the one before.

An entry is written in the same transaction as the change it records, so a change and
its entry are stored together or not at all. `verify` recomputes the chain: an entry
edited, removed or inserted afterwards breaks it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.tables import AuditHeadRow, AuditRow, aware

GENESIS = "0" * 64
# Changes made without an API key (keys not required, or the command line).
ANONYMOUS = "anonymous"


def entry_hash(prev_hash: str, seq: int, at: datetime, fields: dict[str, Any]) -> str:
    """The hash of an entry: its predecessor's hash and its own content, canonically."""
    stamp = aware(at).astimezone(UTC).isoformat()
    content = json.dumps({"seq": seq, "at": stamp, **fields}, sort_keys=True, default=str)
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


def _fields(row: AuditRow) -> dict[str, Any]:
    return {"actor": row.actor, "action": row.action, "scenario_id": row.scenario_id,
            "scenario_version": row.scenario_version, "case_id": row.case_id,
            "prosecutor_id": row.prosecutor_id, "unit_id": row.unit_id, "reason": row.reason,
            "details": row.details}


def record(session: Session, action: str, *, actor: str = ANONYMOUS,
           scenario_id: str | None = None, scenario_version: int | None = None,
           case_id: str | None = None, prosecutor_id: str | None = None,
           unit_id: str | None = None, reason: str | None = None,
           details: dict[str, Any] | None = None) -> AuditRow:
    """Append an entry in the session's transaction (the caller commits)."""
    # Taking the head row first makes concurrent appends wait for each other.
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1)
                    .values(seq=AuditHeadRow.seq + 1))
    head = session.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1)
                           .execution_options(populate_existing=True)).one()
    row = AuditRow(seq=head.seq, at=datetime.now(UTC), actor=actor, action=action,
                   scenario_id=scenario_id, scenario_version=scenario_version, case_id=case_id,
                   prosecutor_id=prosecutor_id, unit_id=unit_id, reason=reason,
                   details=details or {}, prev_hash=head.hash, hash="")
    row.hash = entry_hash(head.hash, row.seq, row.at, _fields(row))
    head.hash = row.hash
    session.add(row)
    return row


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.problem is None


def verify(session: Session) -> ChainReport:
    """Walk the chain from the start; report the first entry that does not fit."""
    prev, count, expected_seq = GENESIS, 0, 1
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        if row.seq != expected_seq:
            return ChainReport(count, row.seq, f"entry {expected_seq} is missing")
        if row.prev_hash != prev:
            return ChainReport(count, row.seq, "does not follow the entry before it")
        if entry_hash(prev, row.seq, row.at, _fields(row)) != row.hash:
            return ChainReport(count, row.seq, "its content was changed after it was written")
        prev, count, expected_seq = row.hash, count + 1, expected_seq + 1
    head = session.get(AuditHeadRow, 1)
    if head is None or head.hash != prev or head.seq != count:
        return ChainReport(count, None, "the newest entries were removed")
    return ChainReport(count, None, None)
