"""workshop ladders: give the workshops that 0003 set to 0..5 their own model's ladder

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 19:30:00
"""

from alembic import op

from maturity.storage.ladders import fit_ladders

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Databases migrated before 0003 took ladders from the models still hold 0..5 for every older workshop.
    fit_ladders(op.get_bind())


def downgrade() -> None:
    pass  # the right ladder is right at every revision
