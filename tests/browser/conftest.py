"""Real-browser fixtures: a Streamlit server on a fresh database, and Debian's Chromium driven by Playwright.

The browser is /usr/bin/chromium (installed by .ci/install-system-packages.sh), never a Playwright download.
Without it, or without the playwright package, every browser test is skipped with the reason.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import databases

from . import server_log

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
PROJECTOR = {"width": 1920, "height": 1080}
SERVER_START_TIMEOUT_S = 60
APP_TIMEOUT_MS = 25_000
EXPECT_TIMEOUT_MS = 15_000
ADMIN_SECRET = "browser-secret"  # the server's MATURITY_ADMIN_SECRET; sign_in() types it
LIVE_LOGS: list[Path] = []  # the server.log of every server running now; each test fails on what it made them log
_REPORTED: set[str] = set()  # failing log entries a test already failed on (by their first line, which has the time)


def _python() -> str:
    venv_python = REPO_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health(base_url: str) -> tuple[int, str] | None:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status, response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


def _read(log: Path) -> str:
    return log.read_text(errors="replace") if log.exists() else ""


@contextmanager
def streamlit_server(
    workdir: Path, *, env_extra: dict | None = None, port: int | None = None, database: str | None = None
) -> Iterator[str]:
    """Run `streamlit run app.py` on a free port with a fresh database (a SQLite file in `workdir`, or
    PostgreSQL when the suite runs on it) unless given one; yield its base URL. `env_extra` adds settings (e.g. sign-in)."""
    log = workdir / "server.log"
    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    own_database = database is None
    database = database or databases.fresh_url(workdir)
    # the built-in content, sign-in with the secret, join links on the server's own address: none of the developer's settings
    env = {name: value for name, value in os.environ.items() if not name.startswith("MATURITY_") or name.startswith("MATURITY_TEST_")}
    env |= {"MATURITY_DB_URL": database, "MATURITY_ADMIN_SECRET": ADMIN_SECRET, **(env_extra or {})}
    command = [
        _python(), "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        # The code under test is the code at start: no module reloads when a file in the tree changes mid-run.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health(base_url) != (200, "ok"):
            if server.poll() is not None:
                pytest.fail(f"the Streamlit server exited with code {server.returncode}:\n{_read(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Streamlit server did not answer within {SERVER_START_TIMEOUT_S} s:\n{_read(log)}")
            time.sleep(0.25)
        LIVE_LOGS.append(log)
        yield base_url
    finally:
        if log in LIVE_LOGS:
            LIVE_LOGS.remove(log)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if own_database:
            databases.release(database)
    # Reached only when nothing failed above: what no test was blamed for (its start, between tests, its stop).
    unreported = [f for f in server_log.failures(_read(log)) if f.first_line not in _REPORTED]
    if unreported:
        pytest.fail(server_log.describe(log, unreported), pytrace=False)


@pytest.fixture(autouse=True)
def server_log_stays_clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test (at its teardown) on every ERROR or CRITICAL entry the servers logged while it ran, unless it is
    marked logs_errors (it provokes one on purpose)."""
    start = {log: server_log.size(log) for log in LIVE_LOGS}
    yield
    problems = []
    for log in list(LIVE_LOGS):
        found = [f for f in server_log.failures(server_log.read_from(log, start.get(log, 0))) if f.first_line not in _REPORTED]
        _REPORTED.update(f.first_line for f in found)
        if found:
            problems.append(server_log.describe(log, found))
    if problems and request.node.get_closest_marker("logs_errors") is None:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the session, on a fresh database."""
    with streamlit_server(tmp_path_factory.mktemp("browser-server")) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def own_app_url(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    """A server of the module's own on a fresh database, for journeys that must not share data with others."""
    with streamlit_server(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; skips every browser test when it or playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed; run .ci/install-system-packages.sh (as root) to install it")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]'); see .ci/install-system-packages.sh")
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)  # the default 5 s is tight for a cold server on CI
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(APP_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser context (own cookies and Streamlit session) at desktop size."""
    yield from _new_page(browser, DESKTOP)


@pytest.fixture
def projector_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser context at a projector's 1920x1080."""
    yield from _new_page(browser, PROJECTOR)


@pytest.fixture
def phone_page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser context at phone size (375x812)."""
    yield from _new_page(browser, PHONE)


@pytest.fixture
def new_phone(browser: Browser, app_url: str) -> Iterator[Callable[[], Page]]:
    """A factory of phones: each call opens a fresh context (own Streamlit session) at 375x812; all closed at the end."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        context.set_default_timeout(APP_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the repo root (git-ignored), for screenshots."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def wait_for_app_idle(page: Page, *, settle_ms: int = 200) -> None:
    """Wait until Streamlit is connected and its script has finished running.

    Streamlit publishes its state on the root element (as its own e2e tests use):
    <div data-testid="stApp" data-test-connection-state="CONNECTED" data-test-script-state="notRunning">.
    The first short wait lets a rerun triggered by the last interaction start before we look.
    """
    from playwright.sync_api import expect

    page.wait_for_timeout(settle_ms)
    page.locator("[data-testid='stApp'][data-test-connection-state='CONNECTED']").wait_for(
        state="attached", timeout=APP_TIMEOUT_MS
    )
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached", timeout=APP_TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=APP_TIMEOUT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=APP_TIMEOUT_MS)


def open_app(page: Page, url: str) -> Page:
    """Go to a page of the app and wait until it has rendered."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"GET {url} answered {response and response.status}"
    page.get_by_test_id("stAppViewContainer").wait_for(state="attached", timeout=APP_TIMEOUT_MS)
    wait_for_app_idle(page)
    return page


def sign_in(page: Page, base_url: str) -> Page:
    """Sign in as the facilitator on /signin; the app then shows Home with the facilitator's pages.

    The sign-in page sends the browser to the server's /signin/complete, which sets the maturity_facilitator
    cookie (HttpOnly) and redirects to the start page: a new Streamlit session, signed in by that cookie, as
    every later one (page.goto, a reload) is. This returns once that start page is drawn.
    """
    from playwright.sync_api import expect

    open_app(page, f"{base_url}/signin")
    main = page.get_by_test_id("stMain")
    main.get_by_role("textbox", name="Admin secret").fill(ADMIN_SECRET)
    with page.expect_response(lambda r: r.url == f"{base_url}/" and r.request.is_navigation_request()):
        main.get_by_role("button", name="Sign in").click()  # -> /signin/complete?ticket=... -> 303 to /
    page.get_by_test_id("stAppViewContainer").wait_for(state="attached", timeout=APP_TIMEOUT_MS)
    wait_for_app_idle(page)
    expect(main.get_by_role("heading", name="maturity", exact=True)).to_be_visible()
    return page
