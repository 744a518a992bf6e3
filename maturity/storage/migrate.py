"""Apply alembic migrations programmatically: at app start, from the CLI and in tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from maturity.storage.engine import get_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> str:
    """Bring the database at `url` to `revision` (creating it if needed); return the revision now applied.

    A database already at the latest revision is only read: an app on a read-only database file
    still shows what it holds, and a process starting beside others does not queue for the write lock.
    """
    if revision == "head":
        try:
            now = current_revision(url)
        except OperationalError:  # no file yet, or not readable: the upgrade below creates it or says why
            now = None
        if now is not None and now == head_revision():
            return now
    command.upgrade(alembic_config(url), revision)
    return current_revision(url) or "base"


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def revisions() -> list[str]:
    """All revision ids, oldest first."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]
