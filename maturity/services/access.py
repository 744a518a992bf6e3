"""Facilitator access: one admin secret, from the environment or generated once and shared by all processes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from maturity.config import Settings
from maturity.services.authz import before_sign_in
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import AppSetting

SECRET_KEY = "admin_secret"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


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


SIGN_IN_HOURS = 12  # a workday: long enough for a workshop, short enough for a shared laptop


@before_sign_in
def facilitator_token(url: str, settings: Settings, *, now: float | None = None) -> str:
    """A signed, expiring token that keeps a facilitator signed in across page reloads (a cookie)."""
    expires = int((now if now is not None else time.time()) + SIGN_IN_HOURS * 3600)
    return f"{expires}.{_signature(url, settings, expires)}"


@before_sign_in
def valid_facilitator_token(url: str, settings: Settings, token: str | None, *, now: float | None = None) -> bool:
    """True for an unexpired token signed with the current secret; changing the secret signs everyone out."""
    if not token or "." not in token:
        return False
    expires_text, signature = token.split(".", 1)
    if not expires_text.isdigit() or int(expires_text) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature, _signature(url, settings, int(expires_text)))


def _signature(url: str, settings: Settings, expires: int) -> str:
    key = admin_secret(url, settings).value.encode()
    return hmac.new(key, f"facilitator:{expires}".encode(), hashlib.sha256).hexdigest()
