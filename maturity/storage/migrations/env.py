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
    # Two processes starting at once must not both migrate: SQLite takes the write lock up front,
    # PostgreSQL an advisory lock held until the transaction ends.
    with engine.execution_options(maturity_write=True).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
            context.run_migrations()


run_migrations_online()
