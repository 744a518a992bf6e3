"""Every test gets its own real database (a SQLite file, or PostgreSQL with MATURITY_TEST_DB) and sees only the built-in content."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from maturity.domain.roles import Actor, StaffRole
from maturity.services.authz import acting_as
from maturity.storage.engine import dispose_engines
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
ADMIN_SECRET = "test-admin-secret"


def pytest_report_header(config):
    return f"database: {'PostgreSQL at ' + databases.PG_ADMIN_URL if databases.ON_POSTGRES else 'a SQLite file per test'}"


def pytest_collection_modifyitems(config, items):
    if databases.ON_POSTGRES:
        skip = pytest.mark.skip(reason="checks SQLite itself (MATURITY_TEST_DB=postgresql)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    dispose_engines()
    databases.release_all()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    url = databases.fresh_url(tmp_path)
    for name in [n for n in os.environ if n.startswith("MATURITY_") and not n.startswith("MATURITY_TEST_")]:
        monkeypatch.delenv(name)  # a developer's own settings (content, sign-in, SMTP…) never reach a test
    monkeypatch.setenv("MATURITY_DB_URL", url)
    monkeypatch.setenv("MATURITY_ADMIN_SECRET", ADMIN_SECRET)
    monkeypatch.chdir(ROOT)
    yield url
    dispose_engines()
    databases.release(url)


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_unexpected_failures(request):
    """A test fails when the app logged an unexpected failure (ERROR), unless it is marked as provoking one.

    Pages turn a surprise into a calm sentence with a reference (maturity/ui/failures.py), so a page test that
    only looks for exception elements would pass over it: the log line is what gives it away."""
    handler = _Failures()
    logger = logging.getLogger("maturity")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("logs_errors") is None:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in handler.records)
        pytest.fail(f"the app logged {len(handler.records)} unexpected failure(s):\n{lines}", pytrace=False)


TEST_ADMIN = Actor(name="Test admin", role=StaffRole.ADMIN, email="admin@example.org", how="test")


@pytest.fixture(autouse=True)
def acting_admin():
    """Service calls in a test act as an admin unless the test says who acts (`with acting_as(...)`)."""
    with acting_as(TEST_ADMIN) as actor:
        yield actor


@pytest.fixture
def db_url(tmp_path, isolated_environment, monkeypatch) -> str:
    """A migrated, empty database; MATURITY_DB_URL names it too, so the app and the CLI use it."""
    if not databases.ON_POSTGRES:
        from maturity.storage.migrate import upgrade

        upgrade(isolated_environment)
        yield isolated_environment
        return
    url = databases.fresh_url(tmp_path, migrated=True)  # a copy of a template migrated once
    monkeypatch.setenv("MATURITY_DB_URL", url)
    yield url
    dispose_engines()
    databases.release(url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated SQLite file, whatever the suite runs on (to compare the two databases)."""
    from maturity.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'sqlite-side.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def builtin_catalog():
    from maturity.config import builtin_sources
    from maturity.content.catalog import load_catalog

    return load_catalog(builtin_sources())


@pytest.fixture(scope="session")
def dmm(builtin_catalog):
    return builtin_catalog.models["data-maturity"]
