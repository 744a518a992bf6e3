"""The web server around the app (`app = st.App(...)` in app.py): sign-in settings, the facilitator cookie and the
owners' calendar feeds.

Only what must be known before the first page runs lives here; it is built once per process.

The facilitator cookie (a sign-in with the admin secret) is set and cleared here, by the server, never by a page's
script: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), and Secure when the app's
public address is https. The sign-in page hands its browser a one-time ticket and sends it to SIGNIN_COMPLETE,
which swaps the ticket for the token (services/access.py), sets the cookie and redirects home; sign-out sends the
browser to SIGNOUT_COMPLETE, which revokes the cookie's token and clears it.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit import config as streamlit_config

from maturity.config import SettingError, get_settings
from maturity.logs import log_unexpected
from maturity.services import calendar_feeds
from maturity.services.access import FACILITATOR_COOKIE, redeem_ticket, revoke_facilitator_session
from maturity.services.database import prepare_database
from maturity.services.errors import known_failure

log = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar/{token}.ics"
SIGNIN_COMPLETE = "/signin/complete"  # ?ticket=...: the sign-in page's browser comes here for its cookie
SIGNOUT_COMPLETE = "/signout/complete"  # a signed-out browser comes here to have its cookie cleared


def secrets() -> dict | None:
    """Streamlit's [auth] section from MATURITY_OIDC_*, or None (then .streamlit/secrets.toml, if any, is used as is)."""
    try:
        oidc = get_settings().oidc
    except SettingError as exc:  # every page says the same, with what to fix; the server still starts
        log.warning("sign-in with an identity provider is off: %s", exc)
        return None
    return {"auth": oidc.streamlit_auth()} if oidc else None


def routes() -> list[Route]:
    return [
        Route(CALENDAR_PATH, calendar_feed, methods=["GET", "HEAD"]),
        Route(SIGNIN_COMPLETE, signin_complete, methods=["GET"]),
        Route(SIGNOUT_COMPLETE, signout_complete, methods=["GET"]),
    ]


@lru_cache(maxsize=4)
def _migrated(url: str) -> str:
    return prepare_database(url)


def calendar_feed(request: Request) -> Response:
    """An owner's due dates as an iCalendar feed that calendar apps subscribe to; the token in the path is the key."""
    try:
        settings = get_settings()
        _migrated(settings.db_url)
        feed = calendar_feeds.calendar_feed(settings.db_url, request.path_params["token"], public_url=settings.public_url)
    except Exception as exc:  # noqa: BLE001 - a calendar app shows the text; the log has the details under the same reference
        ref = log_unexpected(log, exc, "serving a calendar feed")
        known = known_failure(exc) or "the details are in the server log"
        return PlainTextResponse(f"The calendar is not available right now (ref {ref}): {known}.\n", status_code=503)
    if feed is None:
        return PlainTextResponse(
            "This calendar link is not valid (any more). Open 'My actions' in maturity for your current link.\n", status_code=404
        )
    return Response(feed, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"})


def home_path() -> str:
    """The app's start page on this server (Streamlit's server.baseUrlPath, if any)."""
    base = str(streamlit_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def _cookie_flags(request: Request) -> dict:
    try:
        public_url = get_settings().public_url or ""
    except SettingError:  # said on every page; the cookie is still set or cleared
        public_url = ""
    secure = public_url.lower().startswith("https://") or request.url.scheme == "https"
    return {"path": "/", "httponly": True, "samesite": "strict", "secure": secure}


def _redirect(location: str) -> RedirectResponse:
    response = RedirectResponse(location, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the ticket in this address goes nowhere else
    return response


def signin_complete(request: Request) -> Response:
    """Swap the sign-in page's one-time ticket for the facilitator cookie, set it, and go to the start page."""
    try:
        settings = get_settings()
        _migrated(settings.db_url)
        issued = redeem_ticket(settings.db_url, settings, request.query_params.get("ticket"))
    except Exception as exc:  # noqa: BLE001 - the browser shows the text; the log has the details under the same reference
        ref = log_unexpected(log, exc, "completing a sign-in with the admin secret")
        known = known_failure(exc) or "the details are in the server log"
        return PlainTextResponse(f"Signing you in did not work (ref {ref}): {known}. Go back and sign in again.\n", status_code=503)
    if issued is None:  # used, late, revoked, or never issued: sign in again
        log.info("a sign-in ticket was refused (used, late, revoked or unknown)")
        return _redirect(f"{home_path()}signin")
    response = _redirect(home_path())
    response.set_cookie(FACILITATOR_COOKIE, issued.token, max_age=issued.max_age(), **_cookie_flags(request))
    return response


def signout_complete(request: Request) -> Response:
    """Revoke the token of the cookie this browser sent (if any), clear the cookie, and go to the start page.

    Only a browser that sent the cookie has it cleared: another site's link here sends no SameSite=Strict cookie,
    so it can neither sign anyone out nor clear anything."""
    response = _redirect(home_path())
    token = request.cookies.get(FACILITATOR_COOKIE)
    if token is None:
        return response
    try:
        settings = get_settings()
        _migrated(settings.db_url)
        revoke_facilitator_session(settings.db_url, token=token)  # the page revoked it already; a second time is harmless
    except Exception as exc:  # noqa: BLE001 - the cookie is cleared all the same
        log_unexpected(log, exc, "revoking a sign-in at sign-out")
    response.delete_cookie(FACILITATOR_COOKIE, **_cookie_flags(request))
    return response
