"""Alembic environment: the URL comes from maturity, SQLite migrates in batch mode with foreign keys off."""

from alembic import context
from sqlmodel import SQLModel

from maturity.storage import tables  # noqa: F401  (registers every table on the metadata)
from maturity.storage.engine import get_engine, is_sqlite

config = context.config
url = config.attributes["database_url"]
target_metadata = config.attributes.get("target_metadata", SQLModel.metadata)


class ForeignKeysBroken(RuntimeError):
    """A migration left rows pointing at rows that are not there; it was rolled back."""


def run_migrations_online() -> None:
    engine = get_engine(url)
    sqlite = is_sqlite(url)
    # Two processes starting at once must not both migrate: a write connection takes the database
    # write lock up front (SQLite) or the application's advisory lock (PostgreSQL), see engine.py.
    with engine.execution_options(maturity_write=True).connect() as connection:
        if sqlite:
            # Batch mode rebuilds a table by copying it and dropping the old one. With foreign keys on, that
            # drop cascades to (or is refused by) every table pointing at it: a downgrade emptied the votes.
            # The pragma only works outside a transaction, so it is set before ours begins.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
                # One transaction for the whole run (SQLite does DDL in transactions), so the check below can undo it all.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:  # raising here rolls the whole migration back
                        raise ForeignKeysBroken(f"the migration left {len(broken)} row(s) pointing nowhere, e.g. {broken[:3]}; nothing was changed")
        finally:
            if sqlite:  # the connection goes back to the pool, where every connection enforces foreign keys
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
