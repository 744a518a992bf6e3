"""Facilitator access and the join address."""

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import streamlit as st
from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response
from streamlit.testing.v1 import AppTest

from maturity.config import get_settings
from maturity.domain.roles import Actor, StaffRole
from maturity.services import access, audit
from maturity.services.access import (
    admin_secret,
    check_admin_secret,
    facilitator_token,
    join_base_url,
    join_link,
    valid_facilitator_token,
)
from maturity.services.authz import NotAllowed, acting_as
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import AppSetting, FacilitatorSession, utcnow
from maturity.ui import access as ui_access
from maturity.ui import server
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from tests.conftest import ADMIN_SECRET


def test_generated_secret_is_created_once_and_shared(db_url, monkeypatch):
    monkeypatch.delenv("MATURITY_ADMIN_SECRET")
    settings = get_settings()
    first = admin_secret(db_url, settings)
    assert first.source == "generated" and len(first.value) >= 16
    assert admin_secret(db_url, settings) == first  # a second process or a restart gets the same one
    assert check_admin_secret(db_url, settings, f"  {first.value} ")
    assert not check_admin_secret(db_url, settings, first.value[:-1])


def test_environment_secret_wins(db_url):
    settings = get_settings()
    assert admin_secret(db_url, settings).source == "environment"
    assert check_admin_secret(db_url, settings, "test-admin-secret")


def test_join_address_prefers_the_public_url_and_warns_about_localhost():
    settings = get_settings()
    assert join_base_url(settings, "http://localhost:8501/screen?w=1") == ("http://localhost:8501", False)
    assert join_base_url(settings, "http://10.0.0.5:8501/screen") == ("http://10.0.0.5:8501", True)
    public = replace(settings, public_url="https://maturity.example.org")
    assert join_base_url(public, "http://localhost:8501/") == ("https://maturity.example.org", True)
    assert join_link("https://maturity.example.org", "ACD347") == "https://maturity.example.org/?join=ACD347"


def test_facilitator_token_expires_and_follows_the_secret(db_url):
    settings = get_settings()
    token = facilitator_token(db_url, settings, now=1_000_000)
    assert valid_facilitator_token(db_url, settings, token, now=1_000_000 + 3600)
    assert not valid_facilitator_token(db_url, settings, token, now=1_000_000 + 13 * 3600)  # expired
    assert not valid_facilitator_token(db_url, settings, token[:-1] + ("A" if token[-1] != "A" else "B"), now=1_000_000)  # tampered
    assert not valid_facilitator_token(db_url, settings, "garbage", now=1_000_000)
    assert not valid_facilitator_token(db_url, settings, None)
    other = replace(settings, admin_secret="a-new-secret")
    assert not valid_facilitator_token(db_url, other, token, now=1_000_000)  # a new secret signs everyone out


# --------------------------------------------------------------------------- sign-out means signed out (issue 18)


def _signed_in_browser(db_url: str, settings=None) -> tuple[int, str]:
    """What a browser holds after signing in: the sign-in page's session id and, via the server's route, its cookie."""
    settings = settings or get_settings()
    started = access.start_facilitator_session(db_url, settings, ADMIN_SECRET)
    issued = access.redeem_ticket(db_url, settings, started.ticket)
    assert issued is not None and issued.max_age() > 11 * 3600
    return started.session_id, issued.token


def test_a_token_copied_before_sign_out_is_refused_after_it(db_url):
    settings = get_settings()
    session_id, token = _signed_in_browser(db_url)
    copied = str(token)
    assert access.facilitator_session(db_url, settings, copied) == session_id
    assert access.facilitator_session_alive(db_url, settings, session_id)

    assert access.revoke_facilitator_session(db_url, session_id=session_id)  # the sidebar's Sign out
    assert access.facilitator_session(db_url, settings, copied) is None
    assert not access.facilitator_session_alive(db_url, settings, session_id)
    # the same, revoking by the cookie (the server's /signout/complete route)
    _, token = _signed_in_browser(db_url)
    assert access.revoke_facilitator_session(db_url, token=token)
    assert not access.valid_facilitator_token(db_url, settings, token)
    assert not access.revoke_facilitator_session(db_url, token=token)  # a second time: nothing left to revoke


def test_the_sign_in_ticket_works_once_and_only_briefly(db_url):
    settings = get_settings()
    assert access.start_facilitator_session(db_url, settings, "not the secret") is None
    started = access.start_facilitator_session(db_url, settings, ADMIN_SECRET, now=1_000_000)
    assert access.redeem_ticket(db_url, settings, started.ticket, now=1_000_000 + access.TICKET_S + 1) is None  # late
    assert access.redeem_ticket(db_url, settings, started.ticket, now=1_000_000) is None  # and now used up
    started = access.start_facilitator_session(db_url, settings, ADMIN_SECRET)
    assert access.redeem_ticket(db_url, settings, started.ticket) is not None
    assert access.redeem_ticket(db_url, settings, started.ticket) is None  # one use
    assert access.redeem_ticket(db_url, settings, "made-up") is None and access.redeem_ticket(db_url, settings, None) is None
    started = access.start_facilitator_session(db_url, settings, ADMIN_SECRET)
    access.revoke_facilitator_session(db_url, session_id=started.session_id)  # signed out before the browser came back
    assert access.redeem_ticket(db_url, settings, started.ticket) is None


def test_sign_out_everywhere_revokes_every_other_browser(db_url):
    settings = get_settings()
    laptop, laptop_token = _signed_in_browser(db_url)
    _, projector_token = _signed_in_browser(db_url)
    assert access.live_facilitator_sessions(db_url) == 2
    with acting_as(Actor("Fran", StaffRole.FACILITATOR, "fran@example.org")), pytest.raises(NotAllowed):
        access.sign_out_everywhere(db_url)  # an admin's to do
    assert access.sign_out_everywhere(db_url) == 2
    assert not access.valid_facilitator_token(db_url, settings, laptop_token)
    assert not access.valid_facilitator_token(db_url, settings, projector_token)
    assert not access.facilitator_session_alive(db_url, settings, laptop)
    assert access.live_facilitator_sessions(db_url) == 0
    event = audit.list_events(db_url)[0]
    assert (event.entity, event.verb, event.actor) == ("sign-in", "signed out everywhere", "Test admin (test)")
    _, fresh = _signed_in_browser(db_url)  # signing in again works as before
    assert access.valid_facilitator_token(db_url, settings, fresh)


def test_a_new_admin_secret_revokes_every_sign_in_for_good(db_url):
    settings = get_settings()
    _, token = _signed_in_browser(db_url)
    new = replace(settings, admin_secret="a-new-secret")
    assert not access.valid_facilitator_token(db_url, new, token)
    assert not access.valid_facilitator_token(db_url, settings, token)  # changed back: still refused, it was revoked
    with read_session(db_url) as session:
        assert [r.revoked_why for r in session.exec(select(FacilitatorSession))] == [access.SECRET_CHANGED]


def test_a_new_generated_secret_revokes_too(db_url, monkeypatch):
    monkeypatch.delenv("MATURITY_ADMIN_SECRET")
    monkeypatch.setattr(access, "CHECK_CACHE_S", 0.0)  # as another process would, past its few seconds of cache
    settings = get_settings()
    generated = admin_secret(db_url, settings).value
    token = access.facilitator_token(db_url, settings)
    assert access.valid_facilitator_token(db_url, settings, token)
    with write_session(db_url) as session:
        session.get(AppSetting, access.SECRET_KEY).value = generated + "-new"
    assert not access.valid_facilitator_token(db_url, settings, token)


def test_a_revocation_by_another_process_is_seen_within_the_cache_bound(db_url, monkeypatch):
    """Each process remembers a check for CHECK_CACHE_S seconds: a revocation written by another one is honoured after."""
    settings = get_settings()
    session_id, token = _signed_in_browser(db_url)
    assert access.facilitator_session_alive(db_url, settings, session_id)
    with write_session(db_url) as session:  # another process signs it out: this process's memory is not told
        session.get(FacilitatorSession, session_id).revoked_at = utcnow()
    assert access.facilitator_session_alive(db_url, settings, session_id)  # still remembered, for a few seconds at most
    monkeypatch.setattr(access, "CHECK_CACHE_S", -1.0)  # as when those seconds are up
    assert not access.facilitator_session_alive(db_url, settings, session_id)
    assert not access.valid_facilitator_token(db_url, settings, token)


# --------------------------------------------------------------------------- the same, through the app and the server's routes

APP = str(Path(__file__).resolve().parent.parent / "app.py")


class Browser:
    """What AppTest cannot be: a browser's cookie jar, and where the app last sent the browser (Streamlit's redirect)."""

    def __init__(self, monkeypatch) -> None:
        self.cookie: str | None = None
        self.sent_to: list[str] = []
        original = ui_access.follow_pending_redirect

        def follow() -> None:  # app.py imports it on every run, so it finds this one
            pending = st.session_state.get(ui_access._REDIRECT_PENDING)
            if pending:
                self.sent_to.append(pending)
            original()

        monkeypatch.setattr(ui_access, "follow_pending_redirect", follow)
        monkeypatch.setattr(ui_access, "browser_cookie", lambda: self.cookie)

    def open(self, page: str = "") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60).run()
        return at.switch_page(page_path(page)).run() if page else at

    def follow(self, *, secure: bool = False) -> Response:
        """Follow the app's last redirect to the server's route, keeping the cookie it sets or clears."""
        target = urlsplit(self.sent_to[-1])
        response = _get(target.path, target.query, cookie=self.cookie)
        for header in response.headers.getlist("set-cookie"):
            name, value = header.split(";", 1)[0].split("=", 1)
            if name == access.FACILITATOR_COOKIE:
                self.cookie = value.strip('"') or None if "Max-Age=0" not in header else None
        return response


def _get(path: str, query: str = "", *, cookie: str | None = None) -> Response:
    """Call the server's route for `path` as Starlette would for a GET."""
    route = next(r for r in server.routes() if r.path == path)
    headers = [(b"cookie", f"{access.FACILITATOR_COOKIE}={cookie}".encode())] if cookie else []
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": headers,
             "scheme": "http", "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5000), "root_path": ""}  # fmt: skip
    return route.endpoint(Request(scope))


def _cookie_header(response: Response) -> str:
    [header] = [h for h in response.headers.getlist("set-cookie") if h.startswith(f"{access.FACILITATOR_COOKIE}=")]
    return header


def _signed_in(at: AppTest) -> bool:
    return bool(at.session_state[SECRET_FLAG]) if SECRET_FLAG in at.session_state else False


def test_signing_in_sets_an_httponly_strict_cookie_from_the_server_and_signing_out_revokes_it(db_url, monkeypatch):
    browser = Browser(monkeypatch)
    at = browser.open("signin")
    at.text_input(key="admin_secret").input(ADMIN_SECRET)
    at.button(key="FormSubmitter:signin_form-Sign in").click().run()
    assert not at.exception and _signed_in(at)
    assert not at.get("html"), "no script on the page writes the cookie"
    assert browser.sent_to[-1].startswith(f"{server.SIGNIN_COMPLETE}?ticket=")

    response = browser.follow()  # the browser swaps the ticket for the cookie
    assert (response.status_code, response.headers["location"]) == (303, "/")
    flags = [f.strip().lower() for f in _cookie_header(response).split(";")[1:]]
    assert {"httponly", "samesite=strict", "path=/"} <= set(flags)
    max_age = int(next(f for f in flags if f.startswith("max-age=")).split("=")[1])
    assert access.SIGN_IN_HOURS * 3600 - 5 <= max_age <= access.SIGN_IN_HOURS * 3600
    assert "secure" not in flags  # plain http, no https public address
    copied = browser.cookie
    assert copied and access.valid_facilitator_token(db_url, get_settings(), copied)
    again = _get(server.SIGNIN_COMPLETE, urlsplit(browser.sent_to[-1]).query)  # the ticket, a second time
    assert again.headers["location"] == "/signin" and not again.headers.getlist("set-cookie")

    reloaded = browser.open()  # a reload: a new Streamlit session, signed in by the cookie
    assert _signed_in(reloaded) and reloaded.button(key="sign_out")
    reloaded.button(key="sign_out").click().run()
    assert not _signed_in(reloaded) and reloaded.title[0].value == "Join a workshop"
    assert browser.sent_to[-1] == server.SIGNOUT_COMPLETE
    assert not access.valid_facilitator_token(db_url, get_settings(), copied)  # revoked before the browser even got there
    response = browser.follow()
    assert response.headers["location"] == "/" and "max-age=0" in _cookie_header(response).lower() and browser.cookie is None

    browser.cookie = copied  # someone kept a copy of the cookie
    copy = browser.open()
    assert not _signed_in(copy) and copy.title[0].value == "Join a workshop"
    assert not at.run().exception and not _signed_in(at)  # and the first tab, still open, is signed out too


def test_sign_out_everywhere_signs_out_another_browser_that_is_still_open(db_url, monkeypatch):
    browser = Browser(monkeypatch)
    browser.cookie = access.facilitator_token(db_url, get_settings())
    projector, admin = browser.open(), browser.open("settings")  # two tabs signed in with the same cookie
    assert _signed_in(projector) and "Browsers signed in with the admin secret now: **1**" in " ".join(m.value for m in admin.markdown)
    browser.cookie = None
    other = Browser(monkeypatch)  # a second browser, its own cookie
    other.cookie = access.facilitator_token(db_url, get_settings())
    laptop = other.open()
    assert _signed_in(laptop)

    laptop.switch_page(page_path("settings")).run()
    laptop.button(key="sign_out_everywhere").click().run()
    assert not laptop.exception and not _signed_in(laptop) and other.sent_to[-1] == server.SIGNOUT_COMPLETE
    assert not projector.run().exception and not _signed_in(projector)
    assert projector.title[0].value == "Join a workshop"


def test_the_cookie_is_secure_when_the_public_address_is_https(db_url, monkeypatch):
    monkeypatch.setenv("MATURITY_PUBLIC_URL", "https://maturity.example.org")
    started = access.start_facilitator_session(db_url, get_settings(), ADMIN_SECRET)
    response = _get(server.SIGNIN_COMPLETE, f"ticket={started.ticket}")
    flags = [f.strip().lower() for f in _cookie_header(response).split(";")[1:]]
    assert {"secure", "httponly", "samesite=strict"} <= set(flags)
    token = _cookie_header(response).split(";", 1)[0].split("=", 1)[1]
    cleared = _get(server.SIGNOUT_COMPLETE, cookie=token)
    assert {"secure", "httponly", "samesite=strict", "max-age=0"} <= {f.strip().lower() for f in _cookie_header(cleared).split(";")[1:]}
    assert not access.valid_facilitator_token(db_url, get_settings(), token)


def test_the_sign_out_route_clears_nothing_for_a_request_without_the_cookie(db_url):
    """Another site's link to it carries no SameSite=Strict cookie: nobody is signed out, nothing is cleared."""
    token = access.facilitator_token(db_url, get_settings())
    response = _get(server.SIGNOUT_COMPLETE)
    assert response.status_code == 303 and not response.headers.getlist("set-cookie")
    assert access.valid_facilitator_token(db_url, get_settings(), token)
