"""workshop facilitation: auto reveal, timer, the ladder of the workshop, app settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 06:36:24.734789
"""

import sqlalchemy as sa
from alembic import op

from maturity.storage.ladders import fit_ladders

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "appsetting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_appsetting")),
    )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auto_reveal", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("level_min", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("level_max", sa.Integer(), server_default="5", nullable=False))
    # The ladder of each existing workshop is its model's, not the 0..5 default (a health check runs 1..3).
    fit_ladders(op.get_bind())


def downgrade() -> None:

    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("level_max")
        batch_op.drop_column("level_min")
        batch_op.drop_column("timer_ends_at")
        batch_op.drop_column("auto_reveal")

    op.drop_table("appsetting")
