"""Turn low-level failures into sentences a facilitator can act on."""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class ServiceError(Exception):
    """A use case refused; the message is meant for the person who asked."""


def known_failure(exc: BaseException) -> str | None:
    """What a failure of the surroundings means (a full disk, a locked or unreachable database…), or None for a bug."""
    original = getattr(exc, "orig", None) or exc
    if isinstance(exc, ArgumentError):
        return f"the database URL is not valid ({original}); check MATURITY_DB_URL, e.g. sqlite:///data/maturity.db"
    # Words are matched only in the database's and the system's own errors: a bug's message may say "read-only"
    # (Streamlit's session state does) or "malformed" (a date) and must not be blamed on the disk.
    if not isinstance(exc, DBAPIError | sqlite3.Error | OSError):
        return None
    text = str(original).lower()
    if "could not parse sqlalchemy url" in text:
        return f"the database URL is not valid ({original}); check MATURITY_DB_URL, e.g. sqlite:///data/maturity.db"
    if (
        isinstance(original, OSError)
        and original.errno == errno.ENOSPC
        or "database or disk is full" in text
        or "disk full" in text
    ):
        return "the disk is full, so nothing was saved; free some space and try again"
    if "readonly database" in text or "read-only" in text or isinstance(original, PermissionError):
        return "the database file cannot be written (read-only file or folder); check its permissions"
    if "unable to open database file" in text:
        return "the database file cannot be opened; check that its folder exists and can be written (MATURITY_DB_URL)"
    if "database is locked" in text:
        return "the database stayed busy for too long; another process is holding it, so try again in a moment"
    if isinstance(exc, OperationalError) and ("connection" in text or "could not connect" in text):
        return f"cannot reach the database server ({original}); check MATURITY_DB_URL and that the server runs"
    if isinstance(original, sqlite3.DatabaseError) and "file is not a database" in text:
        return "the database file is not a SQLite database (wrong file in MATURITY_DB_URL?)"
    if "malformed" in text or "database corruption" in text:
        return (
            "the database file is damaged (SQLite says it is malformed); stop the app, restore the latest backup "
            "(python -m maturity restore FILE) or repair a copy with sqlite3's .recover, and keep the damaged file"
        )
    return None


def is_transient(exc: BaseException) -> bool:
    """A database blip that the next try may not meet: busy, locked, a dropped or exhausted connection."""
    if isinstance(exc, DisconnectionError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    text = str(getattr(exc, "orig", None) or exc).lower()
    return isinstance(exc, OperationalError) and any(
        word in text for word in ("database is locked", "busy", "could not connect", "connection", "timeout", "terminating")
    )


class NotFound(ServiceError):
    """The thing asked for does not exist (any more)."""


class InvalidInput(ServiceError):
    """The request itself is wrong; the message says how to put it right."""


class UnknownCode(ServiceError):
    """No workshop answers to this join code."""


class WorkshopClosed(ServiceError):
    """The workshop has ended; it takes no joins or votes."""


class RoundNotOpen(ServiceError):
    """Votes are not being taken for this segment right now (not started, or already revealed)."""


class Conflict(ServiceError):
    """Someone else saved a change first; nothing was overwritten."""
