"""Committed rosters: the commits, the assignments they bind, and a lock row per province.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "province_lock",
        sa.Column("province", sa.String(200), primary_key=True),
        sa.Column("commits", sa.Integer, nullable=False),
    )
    op.create_table(
        "roster_commit",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("province", sa.String(200), nullable=False, index=True),
        sa.Column("roster_id", sa.String(32), sa.ForeignKey("roster.id"), nullable=False),
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenario.id"), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "commitment",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("commit_id", sa.String(32), sa.ForeignKey("roster_commit.id"), nullable=False,
                  index=True),
        sa.Column("province", sa.String(200), nullable=False, index=True),
        sa.Column("case_id", sa.String(200), nullable=False, index=True),
        sa.Column("lead_unit", sa.String(200), nullable=False, index=True),
        sa.Column("prosecutor_id", sa.String(200), nullable=False, index=True),
        sa.Column("unit_id", sa.String(200), nullable=False, index=True),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("slot", sa.String(16), nullable=False),
        sa.Column("on_site", sa.Boolean, nullable=False),
        sa.Column("away", sa.Boolean, nullable=False),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("load", sa.Float, nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("release_reason", sa.String(2000), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("commitment")
    op.drop_table("roster_commit")
    op.drop_table("province_lock")
