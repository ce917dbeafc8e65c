"""The audit trail: append-only, each entry carrying an HMAC of its content and of the
entry before, keyed with a secret the database does not hold (`api.seal`).

An entry is written in the same transaction as the change it records, so a change and
its entry are stored together or not at all; once that transaction commits, the new head
of the chain is appended to a witness file outside the database. `verify` recomputes the
chain and compares it with the witness: an entry edited, removed, inserted or forged
afterwards, or the newest entries cut off, breaks it, even for someone who can change
the database at will, as long as they have neither the secret nor the witness file.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.seal import Seal
from api.tables import ApiKeyRow, AuditHeadRow, AuditRow, aware
from models.reason import Reason, why

GENESIS = "0" * 64
# Changes made without an API key (keys not required, or the command line).
ANONYMOUS = "anonymous"
SEAL, PENDING_HEAD = "audit_seal", "audit_pending_head"


def _content(seq: int, at: datetime, fields: dict[str, Any]) -> str:
    stamp = aware(at).astimezone(UTC).isoformat()
    return json.dumps({"seq": seq, "at": stamp, **fields}, sort_keys=True, default=str)


def entry_hash(prev_hash: str, seq: int, at: datetime, fields: dict[str, Any]) -> str:
    """The unkeyed link of an entry written before the audit secret (kept to check them)."""
    return hashlib.sha256((prev_hash + _content(seq, at, fields)).encode()).hexdigest()


def entry_mac(secret: bytes, prev_hash: str, seq: int, at: datetime,
              fields: dict[str, Any]) -> str:
    """The keyed link of an entry: HMAC-SHA256 of its predecessor's link and its content."""
    message = (prev_hash + _content(seq, at, fields)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _fields(row: AuditRow, keyed: bool) -> dict[str, Any]:
    fields = {"actor": row.actor, "action": row.action, "scenario_id": row.scenario_id,
              "scenario_version": row.scenario_version, "case_id": row.case_id,
              "prosecutor_id": row.prosecutor_id, "unit_id": row.unit_id, "reason": row.reason,
              "details": row.details}
    # The province came with the keyed chain: older entries were linked without it.
    return fields | {"province": row.province} if keyed else fields


def seal_sessions(factory: sessionmaker[Session], seal: Seal) -> None:
    """Give every session of `factory` the seal, and witness each new head once the
    transaction that wrote it has committed (a head rolled back never existed)."""
    factory.configure(info={SEAL: seal})

    @event.listens_for(factory, "after_commit")
    def _witness(session: Session) -> None:
        head = session.info.pop(PENDING_HEAD, None)
        if head is not None:
            seal.witness_head(*head)

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(PENDING_HEAD, None)


def record(session: Session, action: str, *, province: str | None, actor: str = ANONYMOUS,
           scenario_id: str | None = None, scenario_version: int | None = None,
           case_id: str | None = None, prosecutor_id: str | None = None,
           unit_id: str | None = None, reason: str | None = None,
           details: dict[str, Any] | None = None) -> AuditRow:
    """Append an entry in the session's transaction (the caller commits)."""
    seal: Seal | None = session.info.get(SEAL)
    if seal is None:
        raise RuntimeError("this session has no audit seal: make it with api.db.sessions")
    # Taking the head row first makes concurrent appends wait for each other.
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1)
                    .values(seq=AuditHeadRow.seq + 1))
    head = session.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1)
                           .execution_options(populate_existing=True)).one()
    row = AuditRow(seq=head.seq, at=datetime.now(UTC), actor=actor, action=action,
                   province=province, scenario_id=scenario_id,
                   scenario_version=scenario_version, case_id=case_id,
                   prosecutor_id=prosecutor_id, unit_id=unit_id, reason=reason,
                   details=details or {}, prev_hash=head.hash, hash="")
    row.hash = entry_mac(seal.secret, head.hash, row.seq, row.at, _fields(row, keyed=True))
    head.hash = row.hash
    session.add(row)
    session.info[PENDING_HEAD] = (row.seq, row.hash)
    return row


@dataclass(frozen=True)
class ChainReport:
    entries: int
    broken_at: int | None
    problem: Reason | None  # what is wrong, to be worded in the reader's language

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.problem is None


def verify(session: Session, seal: Seal) -> ChainReport:
    """Walk the chain from the start, then hold it against the witness; report the first
    entry that does not fit."""
    head = session.get(AuditHeadRow, 1)
    keyed_from = head.keyed_from if head is not None and head.keyed_from is not None else 1
    prev, count, expected_seq = GENESIS, 0, 1
    hashes: dict[int, str] = {}
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        if row.seq != expected_seq:
            return ChainReport(count, row.seq, why("audit.missing", entry=expected_seq))
        if row.prev_hash != prev:
            return ChainReport(count, row.seq, why("audit.unlinked"))
        keyed = row.seq >= keyed_from
        link = (entry_mac(seal.secret, prev, row.seq, row.at, _fields(row, keyed=True)) if keyed
                else entry_hash(prev, row.seq, row.at, _fields(row, keyed=False)))
        if not hmac.compare_digest(link, row.hash):
            return ChainReport(count, row.seq, why("audit.changed"))
        hashes[row.seq] = row.hash
        prev, count, expected_seq = row.hash, count + 1, expected_seq + 1
    if head is None or head.hash != prev or head.seq != count:
        return ChainReport(count, None, why("audit.removed"))
    report = _against_witness(seal, hashes, keyed_from, count)
    if report.intact and (keys := key_problems(session)):
        return ChainReport(count, None, keys[0])
    return report


def _against_witness(seal: Seal, hashes: dict[int, str], keyed_from: int,
                     count: int) -> ChainReport:
    """Every head the witness ever saw must still be in the chain, unchanged, and the
    witness must have seen the newest one. The witness is append-only in meaning: two
    different heads for one position mean the trail was cut back and regrown."""
    if seal.witness is None:
        return ChainReport(count, None, None)
    keyed = count >= keyed_from
    witnessed = seal.witnessed()
    if witnessed is None or not witnessed.heads:
        if keyed:
            state = "audit.witness_missing" if witnessed is None else "audit.witness_empty"
            return ChainReport(count, None, why(state, file=str(seal.witness), entries=count))
        return ChainReport(count, None, None)
    if witnessed.garbled_line is not None:
        return ChainReport(count, None, why("audit.witness_damaged", file=str(seal.witness),
                                            line=witnessed.garbled_line))
    seen: dict[int, str] = {}
    for seq, mac in witnessed.heads:
        if seq in seen and not hmac.compare_digest(seen[seq], mac):
            return ChainReport(count, seq, why("audit.regrown"))
        seen[seq] = mac
    for seq, mac in witnessed.heads:
        if seq not in hashes:
            return ChainReport(count, None, why("audit.cut_back", seen=seq, entries=count))
        if not hmac.compare_digest(hashes[seq], mac):
            return ChainReport(count, seq, why("audit.not_witnessed"))
    newest = max(seen)
    if keyed and newest < count:
        return ChainReport(count, None, why("audit.witness_behind", seen=newest, entries=count))
    return ChainReport(count, None, None)


def key_seal(row: ApiKeyRow) -> str:
    """A digest of what a key grants (its secret's hash, unit, role, jurisdiction), kept in
    its key.created entry: the chain then covers the key row, which it does not hold."""
    granted = [row.id, row.secret_hash, row.unit_id, row.role, row.province,
               bool(row.whole_province), sorted(row.units)]
    return hashlib.sha256(json.dumps(granted).encode()).hexdigest()


def key_problem(session: Session, row: ApiKeyRow) -> Reason | None:
    """Why the key row `row` is not one the audit trail vouches for, or None. A row put in
    the database directly (a known secret's hash, say) has no key.created entry, or one
    whose seal does not match; a revoked key made live again has a key.revoked entry."""
    entries = session.execute(
        select(AuditRow.action, AuditRow.details)
        .where(AuditRow.action.in_(("key.created", "key.revoked")),
               AuditRow.unit_id == row.unit_id)).all()
    created = [d for a, d in entries if a == "key.created" and d.get("key") == row.id]
    if not created:
        return why("audit.key_unaudited", id=row.id)
    seal = created[0].get("seal")
    # Keys made before key rows were sealed carry no seal: their entry is all there is.
    if seal is not None and not hmac.compare_digest(seal, key_seal(row)):
        return why("audit.key_changed", id=row.id)
    if row.revoked_at is None and any(a == "key.revoked" and d.get("key") == row.id
                                      for a, d in entries):
        return why("audit.key_revived", id=row.id)
    return None


def key_problems(session: Session) -> list[Reason]:
    """Every key row the audit trail does not vouch for."""
    return [p for row in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))
            if (p := key_problem(session, row)) is not None]
