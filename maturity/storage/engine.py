"""One engine per database URL per process, SQLite tuned for many concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_S = 30

_engines: dict[str, Engine] = {}
_write_engines: dict[str, Engine] = {}
_workshop_scoped_engines: dict[str, Engine] = {}
_writer_locks: dict[str, threading.Lock | None] = {}
_lock = threading.Lock()


class WriteLockTimeout(RuntimeError):
    """Another write in this process held the database for longer than the busy timeout."""


def get_engine(url: str) -> Engine:
    """The process-wide engine for `url`, created on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _create(url)
            _write_engines[url] = engine.execution_options(maturity_write=True)
            _workshop_scoped_engines[url] = engine.execution_options(maturity_write=True, maturity_workshop_scoped=True)
            _writer_locks[url] = threading.Lock() if engine.dialect.name == "sqlite" else None
        return engine


def dispose_engines() -> None:
    """Close every pooled connection (tests, and before deleting a database file)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _write_engines.clear()
        _workshop_scoped_engines.clear()
        _writer_locks.clear()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "begin", _begin_postgresql_transaction)
        return engine
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite_transaction(connection) -> None:
    # A deferred transaction that reads and then writes can fail at once with "database is locked"
    # when another writer got there first (the busy timeout cannot help an upgrade from a read
    # lock). Write transactions therefore take the write lock up front and queue instead.
    mode = "IMMEDIATE" if connection.get_execution_options().get("maturity_write") else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


WRITE_LOCK_KEY = 727_274  # one application-wide advisory lock on PostgreSQL


def _begin_postgresql_transaction(connection) -> None:
    # The same guarantee as SQLite's BEGIN IMMEDIATE: write transactions run one at a time, so a
    # read-then-write cannot lose an update. The lock ends with the transaction. Reads never wait.
    # A vote holds its workshop's lock shared instead (write_session(workshop_scoped=True)) and does not queue here.
    options = connection.get_execution_options()
    if options.get("maturity_write") and not options.get("maturity_workshop_scoped"):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")


WORKSHOP_LOCKS = 1  # PostgreSQL advisory locks (WORKSHOP_LOCKS, workshop id): a key space of its own


def lock_workshop(session: Session, workshop_id: int) -> None:
    """PostgreSQL: hold the workshop's lock alone to the end of the transaction; SQLite: nothing (one writer at a time).

    Votes hold it shared (services.voting), so they pass beside each other; whatever changes what a
    vote checks (a reveal, the next segment, an end) holds it alone, so it waits for the votes in
    flight and the votes after it see the change. PostgreSQL's lock queue is fair: a reveal waiting
    for it is not overtaken by votes that come later.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({WORKSHOP_LOCKS}, {int(workshop_id)})")


@contextmanager
def write_session(url: str, *, workshop_scoped: bool = False) -> Iterator[Session]:
    """A session whose transaction holds the write lock from its start; commits on success.

    workshop_scoped=True is for the hot path of votes on PostgreSQL: the transaction takes its
    workshop's lock shared itself (see lock_workshop) and writes one upsert on a unique key, so it
    skips the application-wide lock and a room of votes does not queue behind one another. SQLite
    serialises writers either way.
    """
    get_engine(url)
    with _process_writer(url):
        with Session((_workshop_scoped_engines if workshop_scoped else _write_engines)[url], expire_on_commit=False) as session:
            with session.begin():
                yield session


@contextmanager
def _process_writer(url: str) -> Iterator[None]:
    # SQLite takes one writer at a time anyway; queueing this process's writers on a Python lock
    # serves them in turn, where SQLite's busy handler would make them sleep and retry (measured:
    # p99 of a 300-phone vote burst fell from ~0.7 s to ~0.2 s). Other processes still meet the
    # busy timeout. PostgreSQL needs no such queue.
    lock = _writer_locks[url]
    if lock is None:
        yield
        return
    if not lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
        raise WriteLockTimeout("the database stayed busy for too long; try again in a moment")
    try:
        yield
    finally:
        lock.release()


@contextmanager
def read_session(url: str) -> Iterator[Session]:
    """A short read-only session; it never holds the write lock."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        yield session
        session.rollback()
