"""What-if variants belong to their base scenario: a variant row names its base, and is
never listed or opened as a scenario of its own.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scenario") as batch:
        batch.add_column(sa.Column("base_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("base_version", sa.Integer, nullable=True))
        batch.create_index("ix_scenario_base_id", ["base_id"])
        batch.create_foreign_key("fk_scenario_base_id", "scenario", ["base_id"], ["id"])
    # Variants stored before this revision were named "<base> / what-if: <label>"; their
    # base cannot be told for certain, so they are hidden as deleted scenarios are.
    scenario = sa.table("scenario", sa.column("name", sa.String), sa.column("deleted", sa.Boolean))
    op.get_bind().execute(scenario.update().where(scenario.c.name.like("% / what-if: %"))
                          .values(deleted=True))


def downgrade() -> None:
    with op.batch_alter_table("scenario") as batch:
        batch.drop_constraint("fk_scenario_base_id", type_="foreignkey")
        batch.drop_index("ix_scenario_base_id")
        batch.drop_column("base_version")
        batch.drop_column("base_id")
