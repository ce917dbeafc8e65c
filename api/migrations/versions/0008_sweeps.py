"""Contingency sweeps of stored rosters: each re-plan's damage, ranked, kept for download.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sweep",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("roster_id", sa.String(32), sa.ForeignKey("roster.id"), nullable=False,
                  index=True),
        sa.Column("scenario_id", sa.String(32), sa.ForeignKey("scenario.id"), nullable=False),
        sa.Column("scenario_version", sa.Integer, nullable=False),
        sa.Column("province", sa.String(200), nullable=False, index=True),
        sa.Column("absent", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sweep")
