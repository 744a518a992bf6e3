"""What the database holds: for the home page, `maturity status` and `make run`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, inspect
from sqlmodel import select

from maturity.domain.roles import Permission
from maturity.services.authz import requires
from maturity.storage.engine import get_engine, read_session
from maturity.storage.migrate import current_revision, head_revision
from maturity.storage.tables import Action, Person, SurveyCampaign, SurveyResponse, Team, Vote, Workshop

COUNTED = {
    "teams": Team,
    "workshops": Workshop,
    "votes": Vote,
    "survey campaigns": SurveyCampaign,
    "survey responses": SurveyResponse,
    "people": Person,
    "actions": Action,
}


@dataclass(frozen=True)
class DatabaseStatus:
    url: str
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


@requires(Permission.RUN_WORKSHOPS, Permission.MANAGE_SETTINGS)
def database_status(url: str) -> DatabaseStatus:
    """Revision and row counts; a database not yet migrated reports zero rows."""
    revision = current_revision(url)
    counts = {name: 0 for name in COUNTED}
    if revision is not None:
        existing = set(inspect(get_engine(url)).get_table_names())
        with read_session(url) as session:
            for name, table in COUNTED.items():
                if table.__tablename__ in existing:
                    counts[name] = session.exec(select(func.count()).select_from(table)).one()
    return DatabaseStatus(url=_hide_password(url), revision=revision, head=head_revision(), counts=counts)


@requires(Permission.RUN_WORKSHOPS, Permission.MANAGE_SETTINGS)
def is_empty(url: str) -> bool:
    """True when nobody has created a team, workshop, survey or person yet."""
    return database_status(url).empty


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
