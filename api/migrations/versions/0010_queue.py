"""Work for `taskforce worker` processes: a solve job names its task in the queue, and a
sweep's re-plans are rows that workers fill in. On PostgreSQL, the queue's own tables
(procrastinate's schema, of the version pinned in pyproject.toml) are made here too, so
that the server and every worker find them, however many start at once.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("queue_id", sa.BigInteger, nullable=True))
    op.create_table(
        "sweep_work",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("scenario", sa.JSON, nullable=False),
        sa.Column("roster", sa.JSON, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "replan",
        sa.Column("sweep_id", sa.String(32), sa.ForeignKey("sweep_work.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("index", sa.Integer, primary_key=True),
        sa.Column("queue_id", sa.BigInteger, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("completions", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("outcome", sa.JSON, nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    bind = op.get_bind()
    # The queue's schema outlives a downgrade (its jobs may still be wanted), so an upgrade
    # after one finds it there and leaves it be.
    if bind.dialect.name == "postgresql" and not sa.inspect(bind).has_table("procrastinate_jobs"):
        from procrastinate.schema import SchemaManager

        # SQLAlchemy hands the driver a parameter list, so a literal % is written %%.
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))


def downgrade() -> None:
    op.drop_table("replan")
    op.drop_table("sweep_work")
    with op.batch_alter_table("job") as batch:
        batch.drop_column("queue_id")
