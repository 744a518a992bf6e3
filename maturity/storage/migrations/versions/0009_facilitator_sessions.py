"""facilitator sessions: every sign-in with the admin secret is a row, so sign-out, "sign out everywhere" and a new
secret revoke it for every app process (the browser's cookie holds a random token; the row only its SHA-256)

Before, the cookie was a signed expiry time that nothing could revoke: a copy kept signing in for 12 hours
after sign-out. Those cookies are simply refused now; their holders sign in again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "facilitatorsession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("ticket_hash", sa.String(length=64), nullable=True),
        sa.Column("ticket_expires", sa.BigInteger(), nullable=False),
        sa.Column("secret_tag", sa.String(length=64), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_why", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitatorsession")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_facilitatorsession_token_hash")),
        sa.UniqueConstraint("ticket_hash", name=op.f("uq_facilitatorsession_ticket_hash")),
    )
    with op.batch_alter_table("facilitatorsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilitatorsession_expires"), ["expires"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("facilitatorsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilitatorsession_expires"))
    op.drop_table("facilitatorsession")
