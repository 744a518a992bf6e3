"""Who is looking at this browser session, and keeping each of them on their own pages.

A phone with a participant link, a survey respondent and someone with a join link need no account.
Everyone else is a visitor until they sign in: with the organisation's identity provider
(st.login, when it is configured) or with the admin secret. A signed-in person acts through an
`Actor` kept in session state, which every service call checks (services.authz).

A sign-in with the admin secret is a row on the server (services/access.py) that this browser session keeps
the id of and checks on every full run, so sign-out anywhere, "sign out everywhere" and a new secret end it
here too. The browser keeps it across reloads in a cookie that only the server sets and clears (ui/server.py):
this module sends the browser there, with Streamlit's own redirect (the one st.login uses), and never writes
the cookie from a script.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner import get_script_run_ctx

from maturity.config import get_settings
from maturity.domain.names import email_key
from maturity.domain.roles import Actor, Permission, StaffRole, role_from_claim
from maturity.services import access, accounts, authz
from maturity.services.access import FACILITATOR_COOKIE, StartedSignIn
from maturity.ui import context
from maturity.ui.failures import attempt, failure_message
from maturity.ui.server import SIGNIN_COMPLETE, SIGNOUT_COMPLETE
from maturity.ui.text import md

SECRET_FLAG = "signed_in_with_secret"
ACTOR = "actor"  # the signed-in Actor (a small frozen dataclass), refreshed on every full run
ACCOUNT_ID = "account_id"
WHO = "who"  # this run's Who, for the pages that speak to the person about their access
PARTICIPANT_PARAM = "p"
JOIN_PARAM = "join"
SURVEY_PARAM = "survey"
VISIT_PARAM = "r"
COOKIE = FACILITATOR_COOKIE
SECRET_SESSION = "facilitator_session_id"  # the server's row for this sign-in with the admin secret
_REDIRECT_PENDING = "redirect_pending"  # where to send the browser on the next full run (the server sets the cookie)
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
    actor = st.session_state.get(ACTOR)
    session_id = st.session_state.get(SECRET_SESSION)
    # A fragment's run or a button's callback does not pass through who_is_here: a sign-in revoked since the last
    # full run acts no more (the check is remembered a few seconds, so this costs a dictionary lookup).
    if actor is not None and session_id is not None:
        settings = get_settings()
        if not access.facilitator_session_alive(settings.db_url, settings, session_id):
            return None
    return actor


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
    url, settings = context.database_url(), context.settings()
    if st.session_state.get(SECRET_FLAG):
        session_id = st.session_state.get(SECRET_SESSION)
        if session_id is None:  # signed in by a test harness, which has no server row
            return True
        if access.facilitator_session_alive(url, settings, session_id):
            return True
        # Signed out in another tab, signed out everywhere, a new secret, or 12 hours are up.
        log.info("a sign-in with the admin secret ended elsewhere: this browser session is signed out")
        for key in (SECRET_FLAG, SECRET_SESSION, ACTOR):
            st.session_state.pop(key, None)
        st.session_state[_SIGNED_OUT] = True
        return False
    # A reload starts a new Streamlit session; the cookie keeps the admin in while its sign-in lives on the server.
    if st.session_state.get(_SIGNED_OUT):
        return False
    session_id = access.facilitator_session(url, settings, browser_cookie())
    if session_id is None:
        return False
    st.session_state[SECRET_FLAG] = True
    st.session_state[SECRET_SESSION] = session_id
    return True


def browser_cookie() -> str | None:
    """The facilitator cookie this browser sent when it opened the app (HttpOnly: only the server sees it)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None  # AppTest's stand-in browser has no cookies of its own


def _provider_person() -> Who:
    """The identity provider vouched for this person: find their account and its role (once per session, then a read a run)."""
    url = context.database_url()
    email = email_key(st.user.get("email"))  # as accounts store it
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


def sign_in_with_secret(started: StartedSignIn) -> None:
    """This session is signed in (as the server's row `started`); its browser is sent for the cookie on the next run."""
    st.session_state.pop(_SIGNED_OUT, None)
    st.session_state[SECRET_FLAG] = True
    st.session_state[SECRET_SESSION] = started.session_id
    st.session_state[_REDIRECT_PENDING] = f"{SIGNIN_COMPLETE}?ticket={quote(started.ticket, safe='')}"


def sign_out() -> None:
    """End this session's sign-in: revoke it on the server (its cookie and every copy of it are refused from now
    on) and have the server clear the cookie; with the identity provider, end its session there too."""
    secret = bool(st.session_state.get(SECRET_FLAG))
    provider = not secret and provider_auth() is not None
    session_id = st.session_state.get(SECRET_SESSION)
    for key in (SECRET_FLAG, SECRET_SESSION, ACTOR, ACCOUNT_ID):
        st.session_state.pop(key, None)
    st.session_state[_SIGNED_OUT] = True
    if session_id is not None:
        with attempt("signing out", failed="You are signed out of this browser, but your sign-in was not ended on the server"):
            access.revoke_facilitator_session(context.database_url(), session_id=session_id)
    if provider:
        st.logout()
    elif session_id is not None or browser_cookie() is not None:
        st.session_state[_REDIRECT_PENDING] = SIGNOUT_COMPLETE  # the server revokes the cookie's token too, and clears it


def sign_out_everywhere() -> None:
    """An admin ends every sign-in with the admin secret, on every browser; this one too, when it is one of them."""
    with attempt("signing out everywhere", failed="Nobody was signed out") as done:
        ended = access.sign_out_everywhere(context.database_url())
    if not done.ok:
        return
    log.info("every sign-in with the admin secret ended by an admin (%d)", ended)
    if st.session_state.get(SECRET_FLAG):
        sign_out()
    else:
        plural = "s" if ended != 1 else ""
        st.toast(
            md("Signed out everywhere: {ended} sign-in{plural} with the admin secret ended.", ended=ended, plural=plural),
            icon=":material/logout:",
        )


def follow_pending_redirect() -> None:
    """After a secret sign-in or a sign-out, send the browser to the server, which sets or clears the cookie.

    Streamlit's own redirect message (what st.login and st.logout send) moves the browser; no script is injected."""
    location = st.session_state.pop(_REDIRECT_PENDING, None)
    ctx = get_script_run_ctx(suppress_warning=True)
    if not location or ctx is None:
        return
    message = ForwardMsg()
    message.auth_redirect.url = location
    ctx.enqueue(message)


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
            md(
                "You are signed in as {role}, who may not {permission}. If you need this page, ask an admin for another role.",
                role=actor.role.label,
                permission=permission.value,
            )
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
