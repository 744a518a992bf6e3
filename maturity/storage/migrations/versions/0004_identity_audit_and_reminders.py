"""identity, audit and reminders: accounts with roles, the audit log, calendar feeds, sent digests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 00:44:36.525522
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("role_source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("email", name=op.f("uq_account_email")),
    )
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("actor_email", sa.String(length=254), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("verb", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("changes", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auditevent")),
    )
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditevent_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditevent_entity"), ["entity"], unique=False)

    op.create_table(
        "calendarfeed",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_calendarfeed_person_id_person"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_calendarfeed")),
        sa.UniqueConstraint("token", name=op.f("uq_calendarfeed_token")),
    )
    op.create_table(
        "remindersent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action_ids", sa.Text(), server_default="[]", nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_remindersent_person_id_person"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remindersent")),
        sa.UniqueConstraint("person_id", "sent_on", name=op.f("uq_remindersent_person_id_sent_on")),
    )
    with op.batch_alter_table("remindersent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remindersent_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("remindersent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remindersent_person_id"))

    op.drop_table("remindersent")
    op.drop_table("calendarfeed")
    with op.batch_alter_table("auditevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditevent_entity"))
        batch_op.drop_index(batch_op.f("ix_auditevent_at"))

    op.drop_table("auditevent")
    op.drop_table("account")
