"""Bring a database to the schema this code needs: at app start, from the CLI, in tests."""

from __future__ import annotations

from maturity.services.authz import before_sign_in
from maturity.storage.migrate import upgrade


@before_sign_in
def prepare_database(url: str) -> str:
    """Create or upgrade the database at `url`; return the schema revision now applied."""
    return upgrade(url)
