"""surveys and governance: campaigns, owners, actions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:17:13.027376
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_person_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_team_id"), ["team_id"], unique=False)

    op.create_table(
        "surveycampaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("survey_version", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("audience_size", sa.Integer(), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("link_token", sa.String(length=64), nullable=False),
        sa.Column("single_use_codes", sa.Boolean(), nullable=False),
        sa.Column("min_group_size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_surveycampaign_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveycampaign")),
        sa.UniqueConstraint("link_token", name=op.f("uq_surveycampaign_link_token")),
    )
    with op.batch_alter_table("surveycampaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveycampaign_survey_id"), ["survey_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_surveycampaign_team_id"), ["team_id"], unique=False)

    op.create_table(
        "accesscode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["surveycampaign.id"], name=op.f("fk_accesscode_campaign_id_surveycampaign"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accesscode")),
        sa.UniqueConstraint("code", name=op.f("uq_accesscode_code")),
    )
    with op.batch_alter_table("accesscode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accesscode_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "datadomain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("steward_id", sa.Integer(), nullable=True),
        sa.Column("creating_team_id", sa.Integer(), nullable=True),
        sa.Column("consumers", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["creating_team_id"], ["team.id"], name=op.f("fk_datadomain_creating_team_id_team")),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_datadomain_owner_id_person")),
        sa.ForeignKeyConstraint(["steward_id"], ["person.id"], name=op.f("fk_datadomain_steward_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datadomain")),
        sa.UniqueConstraint("name", name=op.f("uq_datadomain_name")),
    )
    with op.batch_alter_table("datadomain", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_datadomain_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_datadomain_steward_id"), ["steward_id"], unique=False)

    op.create_table(
        "surveyresponse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["surveycampaign.id"], name=op.f("fk_surveyresponse_campaign_id_surveycampaign"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveyresponse")),
        sa.UniqueConstraint("campaign_id", "respondent_key", name=op.f("uq_surveyresponse_campaign_id_respondent_key")),
    )
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surveyresponse_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.String(length=64), nullable=True),
        sa.Column("segment_id", sa.String(length=64), nullable=True),
        sa.Column("playbook_id", sa.String(length=64), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("domain_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("horizon", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["domain_id"], ["datadomain.id"], name=op.f("fk_action_domain_id_datadomain")),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_action_owner_id_person")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_action_team_id_team")),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], name=op.f("fk_action_workshop_id_workshop")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_domain_id"), ["domain_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_status"), ["status"], unique=False)
        batch_op.create_index("ix_action_team_id_segment_id", ["team_id", "segment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_action_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("value_number", sa.Float(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"], ["surveyresponse.id"], name=op.f("fk_answer_response_id_surveyresponse"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("response_id", "question_id", name=op.f("uq_answer_response_id_question_id")),
    )
    op.create_table(
        "actionevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=120), nullable=False),
        sa.Column("changes", sa.Text(), server_default="{}", nullable=False),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["action.id"], name=op.f("fk_actionevent_action_id_action"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actionevent")),
    )
    with op.batch_alter_table("actionevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actionevent_action_id"), ["action_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("actionevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actionevent_action_id"))

    op.drop_table("actionevent")
    op.drop_table("answer")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_workshop_id"))
        batch_op.drop_index("ix_action_team_id_segment_id")
        batch_op.drop_index(batch_op.f("ix_action_status"))
        batch_op.drop_index(batch_op.f("ix_action_owner_id"))
        batch_op.drop_index(batch_op.f("ix_action_due_on"))
        batch_op.drop_index(batch_op.f("ix_action_domain_id"))

    op.drop_table("action")
    with op.batch_alter_table("surveyresponse", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveyresponse_campaign_id"))

    op.drop_table("surveyresponse")
    with op.batch_alter_table("datadomain", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_datadomain_steward_id"))
        batch_op.drop_index(batch_op.f("ix_datadomain_owner_id"))

    op.drop_table("datadomain")
    with op.batch_alter_table("accesscode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accesscode_campaign_id"))

    op.drop_table("accesscode")
    with op.batch_alter_table("surveycampaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surveycampaign_team_id"))
        batch_op.drop_index(batch_op.f("ix_surveycampaign_survey_id"))

    op.drop_table("surveycampaign")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_team_id"))

    op.drop_table("person")
