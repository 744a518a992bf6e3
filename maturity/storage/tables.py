"""SQLModel tables for the whole domain; schema changes go through migrations in migrations/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, MetaData, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from maturity.domain.names import KEY_LENGTH, email_key, name_key

# Stable constraint names so migrations (batch mode on SQLite) can find them again.
SQLModel.metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    return datetime.now(UTC)


class WorkshopMode(StrEnum):
    LOCK_STEP = "lock_step"  # phones follow the segment on the shared screen
    SELF_PACED = "self_paced"  # everyone votes every segment first, reveals follow
    SHOW_OF_HANDS = "show_of_hands"  # no phones: the facilitator types the counts


class WorkshopStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ConsensusRule(StrEnum):
    MEDIAN = "median"
    MODE = "mode"
    LOWEST = "lowest"
    FACILITATOR = "facilitator"


class RoundStatus(StrEnum):
    PENDING = "pending"
    VOTING = "voting"
    REVEALED = "revealed"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    DROPPED = "dropped"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


# --------------------------------------------------------------------------- settings, teams, workshops


class AppSetting(SQLModel, table=True):
    """Small facts the whole installation shares across processes (e.g. the generated admin secret)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    # name_key(name), set on every insert and update (see _keep_name_key): names match on it, in any script
    name_key: str = Field(default="", max_length=KEY_LENGTH, sa_column_kwargs={"unique": True})
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow)


class Workshop(SQLModel, table=True):
    """A maturity model applied to a team on a date."""

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    model_id: str = Field(max_length=64)
    model_version: str = Field(max_length=32)
    title: str = Field(max_length=200)
    held_on: date = Field(index=True)
    mode: str = Field(default=WorkshopMode.LOCK_STEP.value, max_length=20)
    status: str = Field(default=WorkshopStatus.DRAFT.value, max_length=20)
    consensus_rule: str = Field(default=ConsensusRule.MEDIAN.value, max_length=20)
    second_vote: bool = False
    anonymous: bool = True
    join_code: str | None = Field(default=None, max_length=12, sa_column_kwargs={"unique": True})
    current_position: int = 0  # index of the segment on the shared screen
    auto_reveal: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The model's ladder when the workshop began, so votes stay valid if the YAML changes later.
    level_min: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    level_max: int = Field(default=5, sa_column_kwargs={"server_default": "5"})
    timer_ends_at: datetime | None = None  # the facilitator's optional discussion timer
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    version: int = 1  # optimistic concurrency between two facilitator screens


class WorkshopSegment(SQLModel, table=True):
    """A segment chosen for a workshop, in the order it is discussed."""

    __table_args__ = (UniqueConstraint("workshop_id", "segment_id"), UniqueConstraint("workshop_id", "position"))

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    segment_id: str = Field(max_length=64)
    position: int


class Round(SQLModel, table=True):
    """One vote on one segment of a workshop: round 1, and round 2 after discussion."""

    __table_args__ = (
        UniqueConstraint("workshop_id", "segment_id", "number"),
        CheckConstraint("number IN (1, 2)", name="round_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    segment_id: str = Field(max_length=64)
    number: int = 1
    status: str = Field(default=RoundStatus.PENDING.value, max_length=20)
    opened_at: datetime | None = None
    revealed_at: datetime | None = None
    hands_dont_know: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # show of hands only


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    token: str = Field(max_length=64, sa_column_kwargs={"unique": True})  # opaque, in the phone's URL
    nickname: str | None = Field(default=None, max_length=40)
    joined_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class Vote(SQLModel, table=True):
    """A participant's level for a round; NULL level means "don't know"."""

    __table_args__ = (UniqueConstraint("round_id", "participant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE")
    participant_id: int = Field(foreign_key="participant.id", index=True, ondelete="CASCADE")
    level: int | None = None
    cast_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class HandCount(SQLModel, table=True):
    """Show-of-hands mode: how many hands went up for a level ("don't know" hands: Round.hands_dont_know)."""

    __table_args__ = (UniqueConstraint("round_id", "level"), CheckConstraint("count >= 0", name="count_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", ondelete="CASCADE")
    level: int
    count: int = 0


class Consensus(SQLModel, table=True):
    """The level a workshop agreed for a segment, and where it wants to be."""

    __table_args__ = (UniqueConstraint("workshop_id", "segment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE")
    segment_id: str = Field(max_length=64)
    level: int
    target_level: int | None = None
    confidence: str = Field(default=Confidence.MEDIUM.value, max_length=10)
    rule: str = Field(default=ConsensusRule.MEDIAN.value, max_length=20)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    recorded_by: str = Field(default="", max_length=120)
    recorded_at: datetime = Field(default_factory=utcnow)
    version: int = 1


class ConsensusChange(SQLModel, table=True):
    """Append-only history of every consensus record, including the first."""

    id: int | None = Field(default=None, primary_key=True)
    consensus_id: int = Field(foreign_key="consensus.id", index=True, ondelete="CASCADE")
    level: int
    target_level: int | None = None
    confidence: str = Field(max_length=10)
    rule: str = Field(max_length=20)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    changed_by: str = Field(default="", max_length=120)
    changed_at: datetime = Field(default_factory=utcnow)


# --------------------------------------------------------------------------- surveys


class SurveyCampaign(SQLModel, table=True):
    """One wave of a survey sent to an audience."""

    id: int | None = Field(default=None, primary_key=True)
    survey_id: str = Field(max_length=64, index=True)
    survey_version: str = Field(max_length=32)
    title: str = Field(max_length=200)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    audience: str = Field(default="", max_length=200)
    audience_size: int | None = None
    opens_on: date
    closes_on: date | None = None
    status: str = Field(default=CampaignStatus.OPEN.value, max_length=20)
    link_token: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    single_use_codes: bool = False
    min_group_size: int = 5
    created_at: datetime = Field(default_factory=utcnow)


class AccessCode(SQLModel, table=True):
    """A single-use code printed for a once-per-person survey without tracking people."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="surveycampaign.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=16, sa_column_kwargs={"unique": True})
    used_at: datetime | None = None


class SurveyResponse(SQLModel, table=True):
    """One anonymous response; respondent_key is a hash of the link token or access code."""

    __table_args__ = (UniqueConstraint("campaign_id", "respondent_key"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="surveycampaign.id", index=True, ondelete="CASCADE")
    respondent_key: str = Field(max_length=64)
    submitted_at: datetime = Field(default_factory=utcnow)


class Answer(SQLModel, table=True):
    """One answer; numbers go in value_number, everything else as text (JSON for multiple choice)."""

    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="surveyresponse.id", ondelete="CASCADE")
    question_id: str = Field(max_length=64)
    value_number: float | None = None
    value_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


# --------------------------------------------------------------------------- governance


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)  # the registry and every person picker list people by name, a page at a time
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})  # email_key(): lower case, matched as stored
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    role: str = Field(default="", max_length=120)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # a save names the version it started from


class DataDomain(SQLModel, table=True):
    """A data domain or asset, and who answers for it."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    name_key: str = Field(default="", max_length=KEY_LENGTH, sa_column_kwargs={"unique": True})  # as Team.name_key
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    steward_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    creating_team_id: int | None = Field(default=None, foreign_key="team.id")
    consumers: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Action(SQLModel, table=True):
    """A governance action, usually born from a gap in a workshop."""

    __table_args__ = (Index("ix_action_team_id_segment_id", "team_id", "segment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    team_id: int | None = Field(default=None, foreign_key="team.id")
    workshop_id: int | None = Field(default=None, foreign_key="workshop.id", index=True)
    model_id: str | None = Field(default=None, max_length=64)
    segment_id: str | None = Field(default=None, max_length=64)
    playbook_id: str | None = Field(default=None, max_length=64)
    owner_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    domain_id: int | None = Field(default=None, foreign_key="datadomain.id", index=True)
    due_on: date | None = Field(default=None, index=True)
    priority: str = Field(default=Priority.MEDIUM.value, max_length=10)
    horizon: str | None = Field(default=None, max_length=20)
    status: str = Field(default=ActionStatus.OPEN.value, max_length=20, index=True)
    evidence_url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    version: int = 1  # optimistic concurrency: a save must name the version it started from


class ActionEvent(SQLModel, table=True):
    """Append-only history of an action: what changed, who, when, and why."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True, ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    by: str = Field(default="", max_length=120)
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # JSON {field: [old, new]}
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


# --- identity, audit and reminders ---------------------------------------------------------------


class Account(SQLModel, table=True):
    """Someone who signs in with the organisation's identity provider, and the role an admin gave them."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})  # kept lower-case
    name: str = Field(default="", max_length=120)
    role: str = Field(default="", max_length=20)  # "" until an admin assigns one (or the provider's claim does)
    role_source: str = Field(default="", max_length=20)  # "app" (an admin), "provider" (a claim), "setting" (MATURITY_ADMIN_EMAILS)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_sign_in_at: datetime | None = None
    version: int = 1


class AuditEvent(SQLModel, table=True):
    """Append-only: who changed what (consensus, actions, owners, content, roles), when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(default="", max_length=120)
    actor_email: str = Field(default="", max_length=254)
    actor_role: str = Field(default="", max_length=20)
    entity: str = Field(max_length=30, index=True)  # consensus, action, person, domain, account, content
    entity_id: str = Field(default="", max_length=64)
    verb: str = Field(max_length=40)  # created, updated, role changed, segment reopened, ...
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # JSON {field: [old, new]}


class CalendarFeed(SQLModel, table=True):
    """A person's private ICS feed of the due dates of their actions; a new token revokes the old link."""

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    token: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    created_at: datetime = Field(default_factory=utcnow)


class FacilitatorSession(SQLModel, table=True):
    """A sign-in with the admin secret (services/access.py): its browser's cookie holds a token, this row only its hash.

    Sign-out, "sign out everywhere" and a new admin secret set revoked_at; every app process refuses the row from then on."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})  # SHA-256 of the cookie
    ticket_hash: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})  # one use, then None
    ticket_expires: int = Field(default=0, sa_type=BigInteger)  # Unix seconds
    secret_tag: str = Field(max_length=64)  # a slow hash of the admin secret it was signed in with
    expires: int = Field(sa_type=BigInteger, index=True)  # Unix seconds
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    revoked_why: str = Field(default="", max_length=40)  # signed out, signed out everywhere, secret changed


class ReminderSent(SQLModel, table=True):
    """One digest e-mail per owner per day, so a cron job that runs twice sends once."""

    __table_args__ = (UniqueConstraint("person_id", "sent_on"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    sent_on: date
    sent_at: datetime = Field(default_factory=utcnow)
    action_ids: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))  # JSON list


# --- keys kept with the rows they match ---------------------------------------------------------


@event.listens_for(Team, "before_insert")
@event.listens_for(Team, "before_update")
@event.listens_for(DataDomain, "before_insert")
@event.listens_for(DataDomain, "before_update")
def _keep_name_key(_mapper, _connection, target) -> None:
    # Every ORM write of a name writes its key; bulk Core inserts (owner_imports) set it themselves.
    target.name_key = name_key(target.name)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_email_key(_mapper, _connection, target) -> None:
    target.email = email_key(target.email)  # stored folded once, so a lookup compares plain values on the unique index
