"""Every test gets its own real SQLite file and sees only the built-in content."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.storage.engine import dispose_engines
from maturity.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
ADMIN_SECRET = "test-admin-secret"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MATURITY_DB_URL", f"sqlite:///{tmp_path / 'maturity.db'}")
    monkeypatch.delenv("MATURITY_CONTENT_DIR", raising=False)
    monkeypatch.delenv("MATURITY_PUBLIC_URL", raising=False)
    monkeypatch.delenv("MATURITY_AUTH", raising=False)
    monkeypatch.setenv("MATURITY_ADMIN_SECRET", ADMIN_SECRET)
    monkeypatch.chdir(ROOT)
    yield
    dispose_engines()


@pytest.fixture
def db_url(tmp_path) -> str:
    """A migrated, empty database."""
    url = f"sqlite:///{tmp_path / 'maturity.db'}"
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
