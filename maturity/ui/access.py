"""Who is looking at this browser session, and keeping each of them on their own pages.

A phone with a participant link, a survey respondent and someone with a join link need no account.
Everyone else is a visitor until they sign in: with the organisation's identity provider
(st.login, when it is configured) or with the admin secret. A signed-in person acts through an
`Actor` kept in session state, which every service call checks (services.authz).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from maturity.domain.roles import Actor, Permission, StaffRole, role_from_claim
from maturity.services import accounts, authz
from maturity.services.access import SIGN_IN_HOURS, facilitator_token, valid_facilitator_token
from maturity.ui import context
from maturity.ui.failures import failure_message

SECRET_FLAG = "signed_in_with_secret"
ACTOR = "actor"  # the signed-in Actor (a small frozen dataclass), refreshed on every full run
ACCOUNT_ID = "account_id"
WHO = "who"  # this run's Who, for the pages that speak to the person about their access
PARTICIPANT_PARAM = "p"
JOIN_PARAM = "join"
SURVEY_PARAM = "survey"
VISIT_PARAM = "r"
COOKIE = "maturity_facilitator"
_COOKIE_PENDING = "facilitator_cookie_pending"
_SIGNED_OUT = "signed_out"
EDITOR_NAME = "editor_name"
log = logging.getLogger(__name__)
_said_secrets: list[bool] = []


class Visit(StrEnum):
    VISITOR = "visitor"  # not signed in: can join a workshop or sign in, nothing else
    PARTICIPANT = "participant"  # arrived with a participant token: sees only their workshop's ballot
    RESPONDENT = "respondent"  # arrived with a survey link: sees only that survey
    WAITING = "waiting"  # signed in with the identity provider, but nobody has given them a role yet
    STAFF = "staff"  # signed in with a role: sees the pages their role allows


@dataclass(frozen=True)
class Who:
    visit: Visit
    actor: Actor | None = None
    email: str = ""  # a WAITING person's e-mail, to tell the admin
    problem: str = ""  # why a signed-in person has no access, when something went wrong


def _session_actor() -> Actor | None:
    if get_script_run_ctx(suppress_warning=True) is None:  # a thread of no browser session (tests, the CLI)
        return None
    return st.session_state.get(ACTOR)


authz.set_actor_provider(_session_actor)


def who_is_here() -> Who:
    """Decide who this session is, once per full run (app.py); keeps the actor for every service call."""
    who = _decide()
    st.session_state[WHO] = who
    if who.actor is None:
        st.session_state.pop(ACTOR, None)
    else:
        st.session_state[ACTOR] = who.actor
    return who


def _decide() -> Who:
    # A participant link wins: a phone that opened one must only ever see its ballot.
    if st.query_params.get(PARTICIPANT_PARAM):
        return Who(Visit.PARTICIPANT)
    if st.query_params.get(SURVEY_PARAM):  # a survey link: that survey only, whoever opens it
        return Who(Visit.RESPONDENT)
    if st.query_params.get(JOIN_PARAM):  # a join link or QR code: the join page, whoever opens it
        return Who(Visit.VISITOR)
    settings = context.settings()
    if not settings.auth:
        return Who(Visit.STAFF, Actor(typed_name() or "Facilitator", StaffRole.ADMIN, how="no sign-in"))
    provider = provider_auth() is not None  # looked up once a run
    if secret_sign_in_allowed(provider) and _secret_session():  # a cookie from before a provider no longer works
        return Who(Visit.STAFF, Actor(typed_name() or "Admin", StaffRole.ADMIN, how="admin secret"))
    if provider and st.user.get("is_logged_in"):
        return _provider_person()
    return Who(Visit.VISITOR)


def _secret_session() -> bool:
    if st.session_state.get(SECRET_FLAG):
        return True
    # A reload starts a new Streamlit session; the signed cookie keeps the admin in.
    if not st.session_state.get(_SIGNED_OUT) and valid_facilitator_token(
        context.database_url(), context.settings(), st.context.cookies.get(COOKIE)
    ):
        st.session_state[SECRET_FLAG] = True
        return True
    return False


def _provider_person() -> Who:
    """The identity provider vouched for this person: find their account and its role (once per session, then a read a run)."""
    url = context.database_url()
    email = str(st.user.get("email") or "").strip().lower()
    try:
        account = None
        if ACCOUNT_ID in st.session_state:
            account = accounts.current_account(url, st.session_state[ACCOUNT_ID])
        if account is None or account.email != email:
            if not email:
                return Who(
                    Visit.WAITING,
                    problem="Your identity provider signed you in but did not say your e-mail address, which is how "
                    "maturity knows people. Ask your admin to release the 'email' claim to this app.",
                )
            settings = context.settings()
            claim = st.user.get(settings.role_claim) if settings.role_claim else None
            account = accounts.sign_in(
                url,
                email=email,
                name=str(st.user.get("name") or st.user.get("preferred_username") or ""),
                claim_role=role_from_claim(claim, settings.role_values) if settings.role_claim else None,
                claim_used=bool(settings.role_claim),
                admin_emails=settings.admin_emails,
            )
            st.session_state[ACCOUNT_ID] = account.id
    except Exception as exc:  # noqa: BLE001 - logged by failure_message and said to the person, who can do nothing else here
        message = failure_message(exc, doing="signing in with the identity provider", failed="Signing you in did not work")
        return Who(Visit.WAITING, email=email, problem=message)
    actor = account.actor()
    return Who(Visit.STAFF, actor) if actor else Who(Visit.WAITING, email=account.email)


def provider_auth() -> dict | None:
    """Streamlit's [auth] settings when sign-in with an identity provider is configured (MATURITY_OIDC_* or secrets.toml)."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError as exc:  # no secrets at all: no identity provider
        if exc.__cause__ is not None and not _said_secrets:  # a secrets.toml that does not parse: say it once a process
            _said_secrets.append(True)
            log.warning("the identity provider is ignored: %s", exc)
        return None
    if not section:
        return None
    return section.to_dict() if hasattr(section, "to_dict") else dict(section)


def secret_sign_in_allowed(provider: bool | None = None) -> bool:
    """The admin secret signs in unless an identity provider is configured; then only a secret chosen on purpose does."""
    if provider is None:
        provider = provider_auth() is not None
    return not provider or context.settings().admin_secret is not None


def sign_in_with_secret() -> None:
    st.session_state.pop(_SIGNED_OUT, None)
    st.session_state[SECRET_FLAG] = True
    st.session_state[_COOKIE_PENDING] = facilitator_token(context.database_url(), context.settings())


def sign_out() -> None:
    """Forget this session's sign-in; with the identity provider, end its session there too."""
    provider = not st.session_state.get(SECRET_FLAG) and provider_auth() is not None
    for key in (SECRET_FLAG, ACTOR, ACCOUNT_ID):
        st.session_state.pop(key, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_PENDING] = ""
    if provider:
        st.logout()


def write_pending_cookie() -> None:
    """After a secret sign-in or a sign-out, set or clear the cookie in the browser (on the next full run)."""
    token = st.session_state.pop(_COOKIE_PENDING, None)
    if token is None:
        return
    max_age = SIGN_IN_HOURS * 3600 if token else 0
    # The token is hex and digits from our own signer; no user text reaches this script.
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def last_who() -> Who:
    return st.session_state.get(WHO) or Who(Visit.VISITOR)


def current_actor() -> Actor | None:
    return st.session_state.get(ACTOR)


def require(permission: Permission) -> Actor:
    """Stop a page reached by someone whose role does not allow it (defence in depth behind the navigation)."""
    actor = current_actor()
    if actor is None:
        st.error("This page is for signed-in staff: sign in first. If you came to vote, use the link or code on the shared screen.")
        st.stop()
    if not actor.can(permission):
        st.error(
            f"You are signed in as {actor.role.label}, who may not {permission.value}. "
            "If you need this page, ask an admin for another role."
        )
        st.stop()
    return actor


def can(permission: Permission) -> bool:
    actor = current_actor()
    return actor is not None and actor.can(permission)


def typed_name() -> str:
    return " ".join(str(st.session_state.get(EDITOR_NAME) or "").split())[:120]


def editor_name() -> str:
    """Who is making changes, for histories: the signed-in person, or the name typed in the sidebar."""
    actor = current_actor()
    return actor.name if actor else typed_name() or "Facilitator"
