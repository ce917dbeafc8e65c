"""The audit chain keyed with HMAC-SHA256 from here on, and each entry's province.

Entries written before this revision keep their unkeyed SHA-256 links (they cannot be
re-signed without trusting the database they sit in); `audit_head.keyed_from` says where
the keyed part starts. Each entry gets the province it belongs to, so that entries with
no scenario (API keys made and revoked) reach their province's admins.

Revision ID: 0007
Revises: 0006
"""

import json
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MESSAGE = "the audit trail is append-only"
SQLITE_TRIGGERS = ("UPDATE", "DELETE")


def _without_append_only_guard(work: Callable[[], None]) -> None:
    """Run `work` on audit_entry with 0004's triggers lifted for the moment."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
    else:
        for event in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER audit_entry_no_{event.lower()}")
    work()
    if postgres:
        op.execute("ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only")
    else:
        for event in SQLITE_TRIGGERS:
            op.execute(f"""
                CREATE TRIGGER audit_entry_no_{event.lower()} BEFORE {event} ON audit_entry
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("keyed_from", sa.Integer, nullable=True))
    op.execute("UPDATE audit_head SET keyed_from = seq + 1")
    op.add_column("audit_entry", sa.Column("province", sa.String(200), nullable=True))
    op.create_index("ix_audit_entry_province", "audit_entry", ["province"])
    bind = op.get_bind()
    province_of_key: dict[str, str] = dict(bind.execute(sa.text("SELECT id, province FROM api_key")).all())
    key_entries = bind.execute(sa.text(
        "SELECT seq, details FROM audit_entry WHERE action LIKE 'key.%'")).all()

    def backfill() -> None:
        bind.execute(sa.text(
            "UPDATE audit_entry SET province = (SELECT province FROM scenario "
            "WHERE scenario.id = audit_entry.scenario_id) WHERE scenario_id IS NOT NULL"))
        for seq, details in key_entries:
            data = json.loads(details) if isinstance(details, str) else details
            province = data.get("province") or province_of_key.get(data.get("key"))
            if province is not None:
                bind.execute(sa.text("UPDATE audit_entry SET province = :province "
                                     "WHERE seq = :seq"), {"province": province, "seq": seq})

    _without_append_only_guard(backfill)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_province", "audit_entry")
    op.drop_column("audit_entry", "province")
    op.drop_column("audit_head", "keyed_from")
