"""Sign-in through a real OpenID Connect provider, started here: each role sees exactly its pages; sign-out; a wrong secret.

The provider is oidc-provider-mock (PyPI), a real OpenID provider built on Authlib, run as its own
process with client registration required, so a wrong client secret is refused as a real provider
refuses it. The app runs as `streamlit run app.py` with the MATURITY_OIDC_* settings, in Chromium.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from maturity.domain.roles import PERMISSIONS, Actor, StaffRole
from maturity.services import accounts, actions, owners
from maturity.services.authz import acting_as
from maturity.ui.navigation import STAFF_PAGES
from tests import databases

from .conftest import DESKTOP, REPO_ROOT, _free_port, _python, open_app, sign_in, streamlit_server, wait_for_app_idle
from .helpers import download_csv, main_area

pytestmark = [pytest.mark.browser, pytest.mark.server]

FACILITATORS, LEADERS = "maturity-facilitators", "maturity-leaders"
USERS = {  # sub -> claims the provider puts in the ID token
    "ada": {"email": "ada@example.org", "name": "Ada Admin", "groups": ["staff"]},  # admin by MATURITY_ADMIN_EMAILS
    "fran": {"email": "fran@example.org", "name": "Fran Facilitator", "groups": ["staff", FACILITATORS]},
    "leo": {"email": "leo@example.org", "name": "Leo Leader", "groups": [LEADERS]},
    "olu": {"email": "olu@example.org", "name": "Olu Owner", "groups": ["staff"]},  # owner: given by the admin in the app
    "nia": {"email": "nia@example.org", "name": "Nia Newcomer", "groups": []},  # nobody gave her a role
}
ADMIN_TITLES = {"People and roles", "Audit log", "Settings"}


def _json(url: str, data: dict | None = None, method: str = "GET") -> tuple[int, dict | None]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:  # not listening yet
        return 0, None


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[str]:
    """oidc-provider-mock on a free port, clients must register (so their secret is checked)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [_python(), "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port), "--require-registration"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while _json(f"{base}/.well-known/openid-configuration")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the OpenID provider did not start:\n{log.read_text()}")
            time.sleep(0.2)
        for sub, claims in USERS.items():
            assert _json(f"{base}/users/{sub}", claims, "PUT")[0] == 204
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _register(provider: str, app_base: str) -> dict:
    status, client = _json(f"{provider}/oauth2/clients", {"redirect_uris": [f"{app_base}/oauth2callback"]}, "POST")
    assert status == 201, status
    return client


def _settings(provider: str, app_base: str, client_id: str, client_secret: str) -> dict:
    return {
        "MATURITY_PUBLIC_URL": app_base,
        "MATURITY_OIDC_ISSUER": provider,
        "MATURITY_OIDC_CLIENT_ID": client_id,
        "MATURITY_OIDC_CLIENT_SECRET": client_secret,
        "MATURITY_OIDC_NAME": "Example Login",
        "MATURITY_OIDC_ROLE_CLAIM": "groups",
        "MATURITY_OIDC_ROLE_VALUES": f"{FACILITATORS}=facilitator,{LEADERS}=leader",
        "MATURITY_ADMIN_EMAILS": "ada@example.org",
    }


@pytest.fixture(scope="module")
def signed_app(provider, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The app with sign-in through the provider, on a database holding one action for Olu; yields (URL, database)."""
    work = tmp_path_factory.mktemp("signed-app")
    database = databases.fresh_url(work, migrated=True)
    admin = Actor("Test setup", StaffRole.ADMIN, how="test")
    with acting_as(admin):
        olu = owners.save_person(database, name="Olu Owner", email="olu@example.org", team_name="Finance")
        actions.create_action(database, title="Write the CRM data dictionary", owner_id=olu.id, due_on=date.today() - timedelta(days=3))
    port = _free_port()
    app_base = f"http://127.0.0.1:{port}"
    client = _register(provider, app_base)
    env = _settings(provider, app_base, client["client_id"], client["client_secret"]) | {"MATURITY_ADMIN_SECRET": ""}
    with streamlit_server(work, env_extra=env, port=port, database=database) as base_url:
        yield base_url, database
    databases.release(database)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(25_000)
    yield context
    context.close()


def sign_in_as(page, base_url: str, sub: str) -> None:
    """The whole round trip: the app's sign-in page, the provider's form, and back to the app."""
    from playwright.sync_api import expect

    open_app(page, f"{base_url}/signin")
    main = main_area(page)
    expect(main.get_by_role("heading", name="Sign in")).to_be_visible()
    main.get_by_role("button", name="Sign in with Example Login").click()
    page.wait_for_url(re.compile(r".*/oauth2/authorize.*"))
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/.*"))
    page.get_by_test_id("stAppViewContainer").wait_for(state="attached")
    wait_for_app_idle(page)


def menu(page) -> set[str]:
    nav = page.get_by_test_id("stSidebarNav")
    if nav.count() == 0:
        return set()
    return {text.strip().splitlines()[-1].strip() for text in nav.get_by_role("link").all_inner_texts()}  # after the icon


def titles_for(role: StaffRole) -> set[str]:
    return {spec.title for specs in STAFF_PAGES.values() for spec in specs if spec.permission in PERMISSIONS[role]}


def test_the_admin_signs_in_sees_every_page_and_gives_the_owner_their_role(signed_app, context):
    from playwright.sync_api import expect

    base_url, database = signed_app
    page = context.new_page()
    sign_in_as(page, base_url, "ada")
    assert menu(page) == titles_for(StaffRole.ADMIN) and ADMIN_TITLES <= menu(page)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Signed in as Ada Admin · Admin")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="People and roles", exact=True).click()
    wait_for_app_idle(page)
    main = main_area(page)
    main.get_by_role("textbox", name="E-mail (as the identity provider knows it)").fill("olu@example.org")
    main.get_by_role("button", name="Add").click()
    wait_for_app_idle(page)
    # a word joiner sits before the @ of typed text, so Markdown does not turn the address into a mailto: link
    expect(main.get_by_text(re.compile("can sign in as Owner"))).to_contain_text(re.compile("olu\u2060?@example\\.org"))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Audit log", exact=True).click()
    wait_for_app_idle(page)
    rows = download_csv(page, "Export (CSV)")  # the table's text is drawn on a canvas: read the export
    given = [r for r in rows if r["Summary"] == "olu@example.org given access as owner"]
    assert len(given) == 1 and given[0]["Who"] == "Ada Admin" and given[0]["E-mail"] == "ada@example.org" and given[0]["Role"] == "admin"
    assert any(r["Summary"].startswith("Ada Admin <ada@example.org> signed in for the first time as admin") for r in rows)
    with acting_as(Actor("Test", StaffRole.ADMIN, how="test")):
        olu = next(a for a in accounts.list_accounts(database) if a.email == "olu@example.org")
    assert (olu.role, olu.role_source) == ("owner", accounts.FROM_APP)


@pytest.mark.parametrize(("sub", "role"), [("fran", StaffRole.FACILITATOR), ("leo", StaffRole.LEADER)])
def test_a_role_from_the_providers_groups_claim_shows_exactly_that_roles_pages(signed_app, context, sub, role):
    base_url, _ = signed_app
    page = context.new_page()
    sign_in_as(page, base_url, sub)
    assert menu(page) == titles_for(role)
    assert not ADMIN_TITLES & menu(page)
    # a page of another role, typed in the address bar, is not there for them
    open_app(page, f"{base_url}/people")
    assert "People and roles" not in main_area(page).inner_text()


def test_the_owner_sees_their_action_and_marks_it_done_then_signs_out(signed_app, context):
    from playwright.sync_api import expect

    base_url, database = signed_app
    with acting_as(Actor("Test setup", StaffRole.ADMIN, how="test")):
        if not any(a.email == "olu@example.org" and a.role for a in accounts.list_accounts(database)):
            accounts.add_account(database, email="olu@example.org", role="owner")  # when run alone, without the admin's test
    page = context.new_page()
    sign_in_as(page, base_url, "olu")
    assert menu(page) == titles_for(StaffRole.OWNER) == {"My actions", "Playbook library", "Content library"}
    main = main_area(page)
    expect(main.get_by_role("heading", name="My actions")).to_be_visible()
    expect(main.get_by_text(re.compile(r"#\d+ Write the CRM data dictionary — Open"))).to_be_visible()
    expect(main.get_by_text("3 days overdue")).to_be_visible()
    expect(main.get_by_text(re.compile(rf"{re.escape(base_url)}/calendar/[\w-]+\.ics"))).to_be_visible()

    # sign out: the app forgets the person, the provider ends its session, and the app is back to its visitors' pages
    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*/oauth2/end_session.*"))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/.*"))
    wait_for_app_idle(page)
    expect(main_area(page).get_by_role("heading", name="Join a workshop")).to_be_visible()
    assert menu(page) == set()
    open_app(page, f"{base_url}/my_actions")
    expect(main_area(page).get_by_role("heading", name="Join a workshop")).to_be_visible()


def test_someone_without_a_role_is_told_to_ask_an_admin(signed_app, context):
    from playwright.sync_api import expect

    base_url, _ = signed_app
    page = context.new_page()
    sign_in_as(page, base_url, "nia")
    main = main_area(page)
    expect(main.get_by_role("heading", name="Waiting for access")).to_be_visible()
    expect(main.get_by_text("nia@example.org")).to_be_visible()
    assert menu(page) == {"Waiting for access", "Join a workshop"}


def test_a_wrong_client_secret_is_explained_on_the_sign_in_page_and_by_the_cli(provider, tmp_path, context):
    from playwright.sync_api import expect

    port = _free_port()
    app_base = f"http://127.0.0.1:{port}"
    client = _register(provider, app_base)
    env = _settings(provider, app_base, client["client_id"], client["client_secret"] + "-wrong")
    with streamlit_server(tmp_path, env_extra=env, port=port) as base_url:
        page = context.new_page()
        open_app(page, f"{base_url}/signin")
        main = main_area(page)
        expect(main.get_by_text(re.compile("Sign-in with Example Login is not working.*refused this app's client credentials"))).to_be_visible()
        expect(main.get_by_text(re.compile("compare MATURITY_OIDC_CLIENT_ID and MATURITY_OIDC_CLIENT_SECRET"))).to_be_visible()
        assert main.get_by_role("button", name="Sign in with Example Login").count() == 0
        # MATURITY_ADMIN_SECRET is set for this server: an admin still has a way in
        expect(main.get_by_text("Sign in with the admin secret")).to_be_visible()

    cli_env = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_")} | env | {"MATURITY_DB_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    wrong = subprocess.run([sys.executable, "-m", "maturity", "check-sign-in"], env=cli_env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "refused this app's client credentials" in wrong.stderr, wrong.stderr
    right = subprocess.run(
        [sys.executable, "-m", "maturity", "check-sign-in"],
        env=cli_env | {"MATURITY_OIDC_CLIENT_SECRET": client["client_secret"]}, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert right.returncode == 0 and right.stdout.startswith(f"ok: {provider} answers"), right.stdout + right.stderr


def test_the_admin_secret_cookie_is_the_servers_httponly_and_strict_and_sign_out_ends_every_copy(app_url, browser):
    """Issue 18: the facilitator cookie as the browser sees it, and a copy of it taken before sign-out refused after it."""
    from playwright.sync_api import expect

    facilitator, thief = browser.new_context(viewport=DESKTOP), browser.new_context(viewport=DESKTOP)
    try:
        page = facilitator.new_page()
        sign_in(page, app_url)
        [cookie] = [c for c in facilitator.cookies() if c["name"] == "maturity_facilitator"]
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["secure"], cookie["path"]) == (True, "Strict", False, "/")
        assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600
        assert "maturity_facilitator" not in page.evaluate("document.cookie")  # no script on the page can read it

        # Someone copies it into another browser: it signs in there too, for now.
        thief.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")}])
        copy = thief.new_page()
        open_app(copy, app_url)
        expect(main_area(copy).get_by_role("heading", name="maturity", exact=True)).to_be_visible()

        with page.expect_response(lambda r: r.url == f"{app_url}/" and r.request.is_navigation_request()):
            page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()  # -> /signout/complete -> /
        wait_for_app_idle(page)
        expect(main_area(page).get_by_role("heading", name="Join a workshop")).to_be_visible()
        assert not [c for c in facilitator.cookies() if c["name"] == "maturity_facilitator"]  # cleared by the server

        copy.reload()  # the copy still holds the cookie, and the server refuses it
        wait_for_app_idle(copy)
        expect(main_area(copy).get_by_role("heading", name="Join a workshop")).to_be_visible()
        assert copy.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").count() == 0
        assert [c for c in thief.cookies() if c["name"] == "maturity_facilitator"]
    finally:
        facilitator.close()
        thief.close()


def test_a_provider_that_is_down_is_explained_by_the_cli(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_")} | {
        "MATURITY_DB_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "MATURITY_OIDC_ISSUER": f"http://127.0.0.1:{_free_port()}",
        "MATURITY_OIDC_CLIENT_ID": "maturity",
        "MATURITY_OIDC_CLIENT_SECRET": "secret",
    }
    done = subprocess.run([sys.executable, "-m", "maturity", "check-sign-in"], env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "cannot be reached" in done.stderr and "MATURITY_OIDC_ISSUER" in done.stderr


