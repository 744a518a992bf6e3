"""Which database the suite runs on: a SQLite file per test (default), or a PostgreSQL database per test.

MATURITY_TEST_DB=postgresql runs the whole suite on PostgreSQL (`make test-postgres`): every test,
app test and browser server gets a database of its own on MATURITY_TEST_PG_URL's server, dropped
afterwards. Migrated databases are copied from a template migrated once, so a test costs a
CREATE DATABASE, not a migration.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN_URL = os.environ.get("MATURITY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKEND = os.environ.get("MATURITY_TEST_DB", "sqlite").strip().lower() or "sqlite"
ON_POSTGRES = BACKEND in ("postgres", "postgresql", "pg")
if BACKEND not in ("sqlite", "postgres", "postgresql", "pg"):
    raise SystemExit(f"MATURITY_TEST_DB must be sqlite or postgresql, not {BACKEND!r}")


class PostgresServer:
    """Creates and drops the suite's databases on one server."""

    def __init__(self, admin_url: str = PG_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        self.prefix = f"maturity_t{uuid.uuid4().hex[:8]}"
        self._template: str | None = None

    def url(self, name: str) -> str:
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create(self, *, migrated: bool = False) -> str:
        name = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        template = f' TEMPLATE "{self.template()}"' if migrated else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
        return self.url(name)

    def template(self) -> str:
        if self._template is None:
            from maturity.storage.engine import dispose_engines
            from maturity.storage.migrate import upgrade

            name = f"{self.prefix}_template"
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            upgrade(self.url(name))
            dispose_engines()  # a template must have no open connections
            self._template = name
        return self._template

    def drop(self, url: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))

    def drop_all(self) -> None:
        with self.admin.connect() as connection:
            names = connection.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{self.prefix}%"})
            for (name,) in names.all():
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


_server: PostgresServer | None = None


def postgres() -> PostgresServer:
    global _server
    if _server is None:
        _server = PostgresServer()
    return _server


def fresh_url(folder: Path, *, migrated: bool = False) -> str:
    """An empty (or migrated) database of the suite's backend; SQLite files live in `folder`."""
    if ON_POSTGRES:
        return postgres().create(migrated=migrated)
    url = f"sqlite:///{folder / 'maturity.db'}"
    if migrated:
        from maturity.storage.migrate import upgrade

        upgrade(url)
    return url


def release(url: str) -> None:
    if ON_POSTGRES and url.startswith("postgresql"):
        postgres().drop(url)


def release_all() -> None:
    if _server is not None:
        _server.drop_all()
