"""Settings from the environment, read when asked for so tests and processes can differ."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from maturity.content.catalog import Source
from maturity.domain.roles import StaffRole

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_DB_URL = "sqlite:///data/maturity.db"


@dataclass(frozen=True)
class Settings:
    db_url: str
    content_dirs: tuple[Path, ...]
    public_url: str | None = None  # the address phones use to reach the app (join links, QR codes)
    admin_secret: str | None = None  # facilitator sign-in; generated and stored when unset
    auth: bool = True  # MATURITY_AUTH=off only for a laptop nobody else can reach
    min_group_size: int = 5  # leaders' view: a team with fewer participants is never shown on its own
    oidc: OidcSettings | None = None  # sign-in with the organisation's identity provider (st.login)
    admin_emails: tuple[str, ...] = ()  # these people are admins whenever they sign in (the first admin)
    role_claim: str = ""  # the identity provider's claim that carries roles, e.g. "groups"; empty: roles given in the app
    role_values: tuple[tuple[str, str], ...] = ()  # claim value -> role; empty: the role names themselves
    smtp: SmtpSettings | None = None  # reminder e-mails
    remind_days: int = 7  # a reminder lists actions due within this many days, and the overdue ones

    @property
    def content_sources(self) -> list[Source]:
        return [*builtin_sources(), *(Source(path, "organisation") for path in self.content_dirs)]


@dataclass(frozen=True)
class OidcSettings:
    """OpenID Connect sign-in: what Streamlit's st.login needs, and how a claim maps to a role."""

    metadata_url: str  # the provider's /.well-known/openid-configuration
    client_id: str
    client_secret: str
    redirect_uri: str  # this app's /oauth2callback, as registered with the provider
    cookie_secret: str  # signs the sign-in cookie; every app process must share it
    provider_name: str = "your organisation's sign-in"
    scopes: str = "openid email profile"

    def streamlit_auth(self) -> dict:
        """The [auth] section of Streamlit's secrets, as st.login reads it."""
        return {
            "redirect_uri": self.redirect_uri,
            "cookie_secret": self.cookie_secret,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": self.metadata_url,
            "client_kwargs": {"scope": self.scopes},
        }


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str  # the From address of reminder e-mails
    username: str = ""
    password: str = ""
    security: str = "starttls"  # starttls, ssl or none


def builtin_sources() -> list[Source]:
    return [
        Source(PACKAGE_DIR / "content" / "models", "built-in"),
        Source(PROJECT_DIR / "surveys", "built-in"),
        Source(PROJECT_DIR / "playbooks", "built-in"),
    ]


def get_settings() -> Settings:
    raw_dirs = os.environ.get("MATURITY_CONTENT_DIR", "")
    return Settings(
        db_url=os.environ.get("MATURITY_DB_URL", "").strip() or DEFAULT_DB_URL,
        content_dirs=tuple(Path(p).expanduser() for p in raw_dirs.split(os.pathsep) if p.strip()),
        public_url=os.environ.get("MATURITY_PUBLIC_URL", "").strip().rstrip("/") or None,
        admin_secret=os.environ.get("MATURITY_ADMIN_SECRET", "").strip() or None,
        auth=os.environ.get("MATURITY_AUTH", "on").strip().lower() not in ("off", "0", "false", "no"),
        min_group_size=_whole_number("MATURITY_MIN_GROUP_SIZE", 5, at_least=2),
        oidc=_oidc(),
        admin_emails=tuple(e.strip().lower() for e in os.environ.get("MATURITY_ADMIN_EMAILS", "").split(",") if e.strip()),
        role_claim=os.environ.get("MATURITY_OIDC_ROLE_CLAIM", "").strip(),
        role_values=_role_values(os.environ.get("MATURITY_OIDC_ROLE_VALUES", "")),
        smtp=_smtp(),
        remind_days=_whole_number("MATURITY_REMIND_DAYS", 7, at_least=1),
    )


class SettingError(ValueError):
    """An environment variable holds a value the app cannot use; the message names it and says what fits."""


def _whole_number(name: str, default: int, *, at_least: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < at_least:
        raise SettingError(f"{name} must be a whole number of {at_least} or more, not {raw!r}; unset it to use {default}.")
    return int(raw)


WELL_KNOWN = "/.well-known/openid-configuration"


def _oidc() -> OidcSettings | None:
    issuer = os.environ.get("MATURITY_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    missing = [name for name in ("MATURITY_OIDC_CLIENT_ID", "MATURITY_OIDC_CLIENT_SECRET") if not os.environ.get(name, "").strip()]
    if missing:
        raise SettingError(
            f"MATURITY_OIDC_ISSUER is set, so sign-in needs {' and '.join(missing)} too: the client your identity "
            "provider registered for this app. Unset MATURITY_OIDC_ISSUER to sign in with the admin secret instead."
        )
    if not issuer.startswith(("https://", "http://")):
        raise SettingError(f"MATURITY_OIDC_ISSUER must be an address starting with https://, not {issuer!r}.")
    client_secret = os.environ["MATURITY_OIDC_CLIENT_SECRET"].strip()
    public = os.environ.get("MATURITY_PUBLIC_URL", "").strip().rstrip("/")
    redirect = os.environ.get("MATURITY_OIDC_REDIRECT_URI", "").strip() or f"{public or 'http://localhost:{port}'}/oauth2callback"
    if not redirect.endswith("/oauth2callback"):
        raise SettingError(f"MATURITY_OIDC_REDIRECT_URI must end with /oauth2callback (Streamlit's sign-in callback), not {redirect!r}.")
    # Derived from the client secret unless given: every process agrees without a shared file, and a new
    # client secret signs everyone out, as it should.
    cookie = os.environ.get("MATURITY_OIDC_COOKIE_SECRET", "").strip() or hashlib.sha256(
        f"maturity sign-in cookie:{client_secret}".encode()
    ).hexdigest()
    return OidcSettings(
        metadata_url=issuer if issuer.endswith(WELL_KNOWN) else issuer + WELL_KNOWN,
        client_id=os.environ["MATURITY_OIDC_CLIENT_ID"].strip(),
        client_secret=client_secret,
        redirect_uri=redirect,
        cookie_secret=cookie,
        provider_name=os.environ.get("MATURITY_OIDC_NAME", "").strip() or OidcSettings.provider_name,
        scopes=" ".join(os.environ.get("MATURITY_OIDC_SCOPES", "").split()) or OidcSettings.scopes,
    )


ROLE_NAMES = tuple(role.value for role in StaffRole)


def _role_values(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        value, _, role = item.rpartition("=")
        if not value.strip() or role.strip().lower() not in ROLE_NAMES:
            raise SettingError(
                f"MATURITY_OIDC_ROLE_VALUES: {item!r} should read claim-value=role, with a role of "
                f"{', '.join(ROLE_NAMES)}; e.g. data-platform-admins=admin,data-leaders=leader"
            )
        pairs.append((value.strip(), role.strip().lower()))
    return tuple(pairs)


def _smtp() -> SmtpSettings | None:
    host = os.environ.get("MATURITY_SMTP_HOST", "").strip()
    if not host:
        return None
    security = os.environ.get("MATURITY_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
    if security not in ("starttls", "ssl", "none"):
        raise SettingError(f"MATURITY_SMTP_SECURITY must be starttls, ssl or none, not {security!r}.")
    sender = os.environ.get("MATURITY_SMTP_FROM", "").strip()
    if "@" not in sender:
        raise SettingError("MATURITY_SMTP_HOST is set, so reminders need MATURITY_SMTP_FROM: the address they come from, e.g. maturity@example.org.")
    return SmtpSettings(
        host=host,
        port=_whole_number("MATURITY_SMTP_PORT", {"ssl": 465, "starttls": 587, "none": 25}[security], at_least=1),
        sender=sender,
        username=os.environ.get("MATURITY_SMTP_USER", "").strip(),
        password=os.environ.get("MATURITY_SMTP_PASSWORD", ""),
        security=security,
    )
