"""Access by jurisdiction: API keys, and the province each stored scenario belongs to.

Revision ID: 0006
Revises: 0005
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _province(body: dict[str, Any]) -> str:
    """As Scenario.province: the provincial unit, or else the top units joined by '+'."""
    units = body.get("units", [])
    provincial = sorted(u["id"] for u in units if u.get("tier") == "provincial")
    if len(provincial) == 1:
        return str(provincial[0])
    ids = {u["id"] for u in units}
    return "+".join(sorted(u["id"] for u in units if u.get("parent") not in ids))


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_id", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("province", sa.String(200), nullable=False, index=True),
        sa.Column("whole_province", sa.Boolean, nullable=False),
        sa.Column("units", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("scenario") as batch:
        batch.add_column(sa.Column("province", sa.String(200), nullable=False,
                                   server_default=""))
        batch.create_index("ix_scenario_province", ["province"])
    bind = op.get_bind()
    scenario = sa.table("scenario", sa.column("id", sa.String), sa.column("version", sa.Integer),
                        sa.column("province", sa.String))
    version = sa.table("scenario_version", sa.column("scenario_id", sa.String),
                       sa.column("version", sa.Integer), sa.column("body", sa.JSON))
    rows = bind.execute(sa.select(version.c.scenario_id, version.c.body).join(
        scenario, sa.and_(scenario.c.id == version.c.scenario_id,
                          scenario.c.version == version.c.version))).all()
    for scenario_id, body in rows:
        bind.execute(scenario.update().where(scenario.c.id == scenario_id)
                     .values(province=_province(body)))


def downgrade() -> None:
    with op.batch_alter_table("scenario") as batch:
        batch.drop_index("ix_scenario_province")
        batch.drop_column("province")
    op.drop_table("api_key")
