"""Facilitator access: one admin secret, from the environment or generated once and shared by all processes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlparse

from maturity.config import Settings
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import AppSetting

SECRET_KEY = "admin_secret"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


@dataclass(frozen=True)
class AdminSecret:
    value: str
    source: str  # "environment" or "generated"


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
