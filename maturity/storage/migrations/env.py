"""Alembic environment: the URL comes from maturity, SQLite migrates in batch mode."""

from alembic import context
from sqlmodel import SQLModel

from maturity.storage import tables  # noqa: F401  (registers every table on the metadata)
from maturity.storage.engine import get_engine, is_sqlite

config = context.config
url = config.attributes["database_url"]
target_metadata = config.attributes.get("target_metadata", SQLModel.metadata)


def run_migrations_online() -> None:
    engine = get_engine(url)
    sqlite = is_sqlite(url)
    # Two processes starting at once must not both migrate: a write connection takes the database
    # write lock up front (SQLite) or the application's advisory lock (PostgreSQL), see engine.py.
    with engine.execution_options(maturity_write=True).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
