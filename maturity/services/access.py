"""Facilitator access: one admin secret, from the environment or generated once and shared by all processes;
the sign-ins made with it, which sign-out, "sign out everywhere" and a new secret revoke."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from maturity.config import Settings
from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import before_sign_in, requires
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import AppSetting, FacilitatorSession, utcnow

SECRET_KEY = "admin_secret"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminSecret:
    value: str
    source: str  # "environment" or "generated"


@before_sign_in
def admin_secret(url: str, settings: Settings) -> AdminSecret:
    """The secret facilitators sign in with; generated on first start and kept in the database."""
    if settings.admin_secret:
        return AdminSecret(settings.admin_secret, "environment")
    with read_session(url) as session:
        stored = session.get(AppSetting, SECRET_KEY)
        if stored is not None:
            return AdminSecret(stored.value, "generated")
    with write_session(url) as session:  # two processes starting at once agree on one secret
        stored = session.get(AppSetting, SECRET_KEY)
        if stored is None:
            stored = AppSetting(key=SECRET_KEY, value=secrets.token_urlsafe(12))
            session.add(stored)
        return AdminSecret(stored.value, "generated")


@before_sign_in
def check_admin_secret(url: str, settings: Settings, attempt: str) -> bool:
    expected = admin_secret(url, settings).value
    return hmac.compare_digest(attempt.strip().encode(), expected.encode())


def join_base_url(settings: Settings, browser_url: str | None) -> tuple[str, bool]:
    """The address to put in join links and QR codes, and whether phones can probably reach it.

    MATURITY_PUBLIC_URL wins; otherwise the address the facilitator's browser used, which is a
    problem when it is localhost: phones in the room cannot reach the facilitator's own laptop.
    """
    if settings.public_url:
        return settings.public_url, True
    parsed = urlparse(browser_url or "http://localhost:8501")
    base = f"{parsed.scheme or 'http'}://{parsed.netloc or 'localhost:8501'}"
    return base, (parsed.hostname or "") not in LOCAL_HOSTS


def join_link(base_url: str, code: str) -> str:
    return f"{base_url}/?join={code}"


# --------------------------------------------------------------------------- signed-in browsers (the facilitator cookie)
#
# A sign-in with the admin secret is a row of FacilitatorSession. The browser's cookie holds a random token; the
# database holds only its SHA-256, so a copy of the database signs nobody in. Signing out revokes the row (every
# process sees it: the row is in the one database), "sign out everywhere" revokes every row, and each row is bound to
# the secret it was signed in with (a slow hash of it), so a new secret refuses, and revokes, every older sign-in.
#
# The sign-in page never sees the token: it gets a one-time ticket, good for TICKET_S seconds, which the browser
# hands to the server's /signin/complete route (maturity/ui/server.py); the route swaps it for the token and sets
# the cookie itself, HttpOnly. Checking a token or a sign-in is one indexed read, remembered for CHECK_CACHE_S
# seconds per process: a revocation made in another process is honoured here within that many seconds (at once
# in the process that made it).

FACILITATOR_COOKIE = "maturity_facilitator"
SIGN_IN_HOURS = 12  # a workday: long enough for a workshop, short enough for a shared laptop
TICKET_S = 60  # the sign-in page's ticket: long enough for the browser to follow it, too short to be worth stealing
CHECK_CACHE_S = 5.0  # how stale a "still signed in" may be, in a process other than the one that revoked it
PRUNE_AFTER_S = 24 * 3600  # expired or revoked rows are deleted this long after their end, at the next sign-in
SIGNED_OUT, EVERYWHERE, SECRET_CHANGED = "signed out", "signed out everywhere", "secret changed"
_TAG_SALT = b"maturity facilitator sessions v1"
_TAG_ROUNDS = 100_000  # once per secret per process (cached): a stolen database does not make guessing the secret cheap
_CACHE_MAX = 10_000


@dataclass(frozen=True)
class StartedSignIn:
    """A sign-in with the admin secret: the row this browser session keeps, and the ticket its browser swaps for the cookie."""

    session_id: int
    ticket: str
    expires: int  # Unix seconds


@dataclass(frozen=True)
class IssuedToken:
    token: str  # the cookie's value; nothing but the browser keeps it
    expires: int  # Unix seconds

    def max_age(self, now: float | None = None) -> int:
        return max(0, self.expires - int(_now(now)))


@dataclass(frozen=True)
class _Live:
    session_id: int
    expires: int


_checked: dict[tuple, tuple[float, _Live | None]] = {}  # (url, env secret, what) -> (monotonic time, live row or None)
_checked_lock = threading.Lock()
_generation = [0]  # bumped by every forget: a read begun before a revocation is not remembered after it


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@lru_cache(maxsize=8)
def _tag_of(secret: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), _TAG_SALT, _TAG_ROUNDS).hex()


def _secret_tag(url: str, settings: Settings) -> str:
    return _tag_of(admin_secret(url, settings).value)


def _forget_checks() -> None:
    with _checked_lock:
        _checked.clear()
        _generation[0] += 1


@before_sign_in
def start_facilitator_session(url: str, settings: Settings, attempt: str, *, now: float | None = None) -> StartedSignIn | None:
    """Sign in with the admin secret: None when `attempt` is not the secret; else a new sign-in and its one-time ticket."""
    if not check_admin_secret(url, settings, attempt):
        return None
    ticket = secrets.token_urlsafe(32)
    row = _new_session(url, settings, now=now, ticket_hash=_digest(ticket), ticket_expires=int(_now(now)) + TICKET_S)
    return StartedSignIn(row.session_id, ticket, row.expires)


@before_sign_in
def facilitator_token(url: str, settings: Settings, *, now: float | None = None) -> str:
    """A signed-in token straight away, without the secret or a ticket: for the command line, benchmarks and tests."""
    token = secrets.token_urlsafe(32)
    _new_session(url, settings, now=now, token_hash=_digest(token))
    return token


def _new_session(url: str, settings: Settings, *, now: float | None, **fields) -> _Live:
    moment = int(_now(now))
    tag = _secret_tag(url, settings)
    with write_session(url) as session:
        # Rows long expired are of no more use (revoked ones expire too), and rows signed in with another
        # secret are revoked for good (so a secret changed back does not bring them back).
        session.execute(delete(FacilitatorSession).where(col(FacilitatorSession.expires) < moment - PRUNE_AFTER_S))
        _revoke_where(session, FacilitatorSession.secret_tag != tag, SECRET_CHANGED)
        row = FacilitatorSession(secret_tag=tag, expires=moment + SIGN_IN_HOURS * 3600, **fields)
        session.add(row)
        session.flush()
        live = _Live(row.id, row.expires)
    _forget_checks()
    return live


@before_sign_in
def redeem_ticket(url: str, settings: Settings, ticket: str | None, *, now: float | None = None) -> IssuedToken | None:
    """Swap a sign-in page's ticket, once, for the cookie's token; None for a ticket unknown, used, late or revoked."""
    if not isinstance(ticket, str) or not ticket or len(ticket) > 100:
        return None
    moment = int(_now(now))
    tag = _secret_tag(url, settings)
    with write_session(url) as session:
        row = session.exec(select(FacilitatorSession).where(FacilitatorSession.ticket_hash == _digest(ticket))).first()
        if row is None:
            return None
        row.ticket_hash = None  # one use, whatever comes next
        live = row.revoked_at is None and row.ticket_expires >= moment and row.expires > moment
        if not live or not hmac.compare_digest(row.secret_tag, tag):
            session.add(row)
            return None
        token = secrets.token_urlsafe(32)
        row.token_hash = _digest(token)
        session.add(row)
        return IssuedToken(token, row.expires)


@before_sign_in
def facilitator_session(url: str, settings: Settings, token: str | None, *, now: float | None = None) -> int | None:
    """The sign-in a cookie's token belongs to, while it is neither expired nor revoked and the secret is the same."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    return _live(url, settings, ("token", _digest(token)), now)


@before_sign_in
def valid_facilitator_token(url: str, settings: Settings, token: str | None, *, now: float | None = None) -> bool:
    return facilitator_session(url, settings, token, now=now) is not None


@before_sign_in
def facilitator_session_alive(url: str, settings: Settings, session_id: int, *, now: float | None = None) -> bool:
    """Is this browser session's sign-in still good (checked on every full run of a page)?"""
    return _live(url, settings, ("id", int(session_id)), now) is not None


def _live(url: str, settings: Settings, what: tuple[str, object], now: float | None) -> int | None:
    key = (url, settings.admin_secret, what)
    clock = time.monotonic()
    with _checked_lock:
        seen = _checked.get(key)
        generation = _generation[0]
    if seen is None or clock - seen[0] > CHECK_CACHE_S:
        seen = (clock, _read_live(url, settings, what))
        with _checked_lock:
            if generation == _generation[0]:  # no revocation in this process since the read began
                if len(_checked) >= _CACHE_MAX:
                    _checked.clear()
                _checked[key] = seen
    live = seen[1]
    return live.session_id if live is not None and live.expires > _now(now) else None


def _read_live(url: str, settings: Settings, what: tuple[str, object]) -> _Live | None:
    kind, value = what
    column = FacilitatorSession.id if kind == "id" else FacilitatorSession.token_hash
    with read_session(url) as session:
        row = session.exec(
            select(FacilitatorSession.id, FacilitatorSession.expires, FacilitatorSession.secret_tag).where(
                column == value, col(FacilitatorSession.revoked_at).is_(None)
            )
        ).first()
    if row is None:
        return None
    session_id, expires, secret_tag = row
    tag = _secret_tag(url, settings)
    if not hmac.compare_digest(secret_tag, tag):
        _revoke_other_secrets(url, tag)
        return None
    return _Live(session_id, expires)


def _revoke_other_secrets(url: str, tag: str) -> None:
    """The secret changed since these sign-ins: revoke them for good, so changing it back does not bring them back."""
    try:
        with write_session(url) as session:
            count = _revoke_where(session, FacilitatorSession.secret_tag != tag, SECRET_CHANGED)
        _forget_checks()
    except Exception as exc:  # noqa: BLE001 - they are refused all the same (their tag does not match); the next check tries again
        log.warning("could not revoke the sign-ins of an older admin secret: %s", exc)
        return
    if count:
        log.info("the admin secret changed: %d earlier sign-in(s) revoked", count)


def _revoke_where(session: Session, condition, why: str) -> int:
    """Revoke the live rows that match (the caller forgets this process's checks once the transaction is committed)."""
    result = session.execute(
        update(FacilitatorSession)
        .where(condition, col(FacilitatorSession.revoked_at).is_(None))
        .values(revoked_at=utcnow(), revoked_why=why, ticket_hash=None)
    )
    return result.rowcount or 0


@before_sign_in
def revoke_facilitator_session(url: str, *, session_id: int | None = None, token: str | None = None) -> bool:
    """Sign out: the sign-in (this browser session's, or a cookie's) is refused from now on, by every process."""
    if session_id is None and not token:
        return False
    if session_id is not None:
        condition = FacilitatorSession.id == int(session_id)
    else:
        condition = FacilitatorSession.token_hash == _digest(token or "")
    with write_session(url) as session:
        revoked = _revoke_where(session, condition, SIGNED_OUT) > 0
    _forget_checks()
    return revoked


@requires(Permission.MANAGE_SETTINGS)
def sign_out_everywhere(url: str) -> int:
    """End every sign-in with the admin secret, on every browser (this one too); how many were still signed in."""
    with write_session(url) as session:
        now = int(time.time())
        live = _revoke_where(session, col(FacilitatorSession.expires) > now, EVERYWHERE)
        audit.record(
            session, entity="sign-in", verb=EVERYWHERE,
            summary=f"every sign-in with the admin secret ended ({live} browser{'s' if live != 1 else ''} signed in)",
        )  # fmt: skip
    _forget_checks()
    return live


@requires(Permission.MANAGE_SETTINGS)
def live_facilitator_sessions(url: str, *, now: float | None = None) -> int:
    """How many browsers are signed in with the admin secret now (sign-ins whose ticket was swapped for a cookie)."""
    moment = int(_now(now))
    with read_session(url) as session:
        return session.exec(
            select(func.count())
            .select_from(FacilitatorSession)
            .where(
                col(FacilitatorSession.revoked_at).is_(None),
                col(FacilitatorSession.expires) > moment,
                col(FacilitatorSession.token_hash).is_not(None),
            )
        ).one()
