"""The web server around the app (`app = st.App(...)` in app.py): sign-in settings and the owners' calendar feeds.

Only what must be known before the first page runs lives here; it is built once per process.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from maturity.config import SettingError, get_settings
from maturity.logs import log_unexpected
from maturity.services import calendar_feeds
from maturity.services.database import prepare_database
from maturity.services.errors import known_failure

log = logging.getLogger(__name__)

CALENDAR_PATH = "/calendar/{token}.ics"


def secrets() -> dict | None:
    """Streamlit's [auth] section from MATURITY_OIDC_*, or None (then .streamlit/secrets.toml, if any, is used as is)."""
    try:
        oidc = get_settings().oidc
    except SettingError as exc:  # every page says the same, with what to fix; the server still starts
        log.warning("sign-in with an identity provider is off: %s", exc)
        return None
    return {"auth": oidc.streamlit_auth()} if oidc else None


def routes() -> list[Route]:
    return [Route(CALENDAR_PATH, calendar_feed, methods=["GET", "HEAD"])]


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
