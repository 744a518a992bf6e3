"""The net, in a real browser: every staff page on the demo data, every download on it, and a workshop through its phases.

What only a browser shows: fragments that refresh on their own, downloads (those built on the click, in a
server thread, included), phones that follow the shared screen. On every page and phase the net fails on
a traceback drawn on the page (stException), a download that failed (stDownloadButtonError), the calm
"Something went wrong" sentence, an error that quotes a failure's reference, and (conftest) on any ERROR
or CRITICAL entry in the server's log. The pages come from maturity/ui/navigation.py STAFF_PAGES, so a
new page is swept without a word here. The AppTest net presses every button; this one does not.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest

from maturity.domain.roles import PERMISSIONS, Actor, StaffRole
from maturity.services import accounts, actions, owners, surveys
from maturity.services import workshops as ws
from maturity.services.authz import acting_as
from maturity.storage.tables import WorkshopMode
from maturity.ui.navigation import STAFF_PAGES, PageSpec
from tests import databases

from . import server_log
from .conftest import (
    APP_TIMEOUT_MS,
    DESKTOP,
    REPO_ROOT,
    _free_port,
    _python,
    open_app,
    sign_in,
    streamlit_server,
    wait_for_app_idle,
)
from .helpers import button, main_area, metric

pytestmark = [pytest.mark.browser, pytest.mark.server]
pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed; see .ci/install-system-packages.sh")
expect = pw.expect

from .test_sign_in_journey import LEADERS, _json, _register, _settings, sign_in_as  # noqa: E402
from .test_sign_in_journey import provider as oidc_provider  # noqa: E402, F401 - a fixture, known by this name here
from .test_workshop_journeys import (  # noqa: E402
    LEVELS,
    PHONE_POLL_TIMEOUT_MS,
    SEGMENT_IDS,
    SEGMENTS,
    TALLY_TIMEOUT_MS,
    Started,
    join,
    next_segment,
    reveal,
    vote,
)

SPECS: list[PageSpec] = [spec for specs in STAFF_PAGES.values() for spec in specs]
SETUP = Actor("Net setup", StaffRole.ADMIN, how="test")
DOWNLOAD_TIMEOUT_S = 30  # a deferred report draws its charts (vl-convert) on the click
SOMETHING_WENT_WRONG = "Something went wrong"
REFERENCE = re.compile(r"\(ref [2-9A-Z]{5}\)")  # a failure's reference (maturity/logs.py) said on the page
MODEL_ID = "data-maturity"
# Downloads a page must offer on the demo data (at least): a page that lost one fails here, not silently.
EXPECTED_DOWNLOADS = {
    "summary": {"Consensus (CSV)", "Anonymised votes (CSV)", "Printable report (HTML)"},
    "results": {"Responses (CSV)", "Responses (Excel)", "Results (CSV)"},
    "board": {"Export (CSV)", "Export (Excel)"},
    "audit": {"Export (CSV)", "Export (Excel)"},
    "owners": {"Export people (CSV)", "Export domains (CSV)"},
    "standing": {"Table (CSV)", "Table (Excel)"},
    "trends": {"Table (CSV)", "Table (Excel)"},
    "follow_through": {"Table (CSV)", "Table (Excel)"},
    "perception": {"Table (CSV)", "Table (Excel)"},
    "reports": {"Download the report (HTML)"},
}


# --------------------------------------------------------------------------- what a page must not show


def problems_on(page, where: str) -> list[str]:
    """What is wrong on the page now: tracebacks, failed downloads, the calm failure sentence, errors with a reference."""
    found = [f"{where}: a traceback on the page: {text[:600]}" for text in page.get_by_test_id("stException").all_inner_texts()]
    found += [f"{where}: a download failed: {text}" for text in page.get_by_test_id("stDownloadButtonError").all_inner_texts()]
    found += [
        f"{where}: {text.strip()}" for text in page.get_by_role("dialog").filter(has_text="Page not found").all_inner_texts()
    ]
    for text in page.get_by_test_id("stAlertContentError").all_inner_texts():
        if SOMETHING_WENT_WRONG in text or REFERENCE.search(text):
            found.append(f"{where}: {text.strip()}")
    if not found and page.get_by_text(SOMETHING_WENT_WRONG).count():
        found.append(f"{where}: {page.get_by_text(SOMETHING_WENT_WRONG).first.inner_text()}")
    return found


def assert_no_problem(page, where: str) -> None:
    found = problems_on(page, where)
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- downloads


@dataclass(frozen=True)
class Downloaded:
    page: str
    label: str
    file_name: str
    size: int
    detail: str  # what the file held, e.g. "12 rows"


class _Text(HTMLParser):
    """The title and the visible text of an HTML file (not its style or scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.text, self._skip, self._in_title = "", "", 0, False

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        self._in_title = self._in_title or tag == "title"

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.text += data


def check_file(name: str, data: bytes) -> str:
    """Fail unless the file is non-empty and parses as its extension says; return what it held."""
    assert data, f"{name} is empty"
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = data.decode("utf-8-sig")  # UTF-8, with a BOM for Excel or without
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows and any(cell.strip() for cell in rows[0]), f"{name} has no header row"
        assert len({len(row) for row in rows}) == 1, f"{name}: rows of different lengths {sorted({len(r) for r in rows})}"
        return f"{len(rows) - 1} rows × {len(rows[0])} columns"
    if suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            names = book.namelist()
            assert "[Content_Types].xml" in names and "xl/workbook.xml" in names, f"{name} is not a workbook: {names}"
            sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            assert sheets, f"{name} has no sheet"
            for part in [n for n in names if n.endswith(".xml")]:
                ElementTree.fromstring(book.read(part))  # every XML part parses
            main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
            rows = ElementTree.fromstring(book.read(sheets[0])).iter(f"{main}row")
            count = sum(1 for _ in rows)
            assert count >= 1, f"{name}: the first sheet has no row"
            return f"{len(sheets)} sheet(s), {count} rows in the first"
    if suffix in (".html", ".htm"):
        parser = _Text()
        parser.feed(data.decode("utf-8"))
        parser.close()
        assert parser.title.strip() or parser.text.strip(), f"{name} has neither a title nor any text"
        return f"title {parser.title.strip()[:60]!r}, {len(parser.text.split())} words"
    if suffix == ".ics":
        return check_calendar(name, data.decode("utf-8"))
    raise AssertionError(f"{name}: the net does not know how to read a {suffix or 'nameless'} file; teach check_file")


def check_calendar(name: str, text: str) -> str:
    lines = text.replace("\r\n", "\n").strip().split("\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR", (
        f"{name} is not an iCalendar file: {lines[:1]}…{lines[-1:]}"
    )
    events = lines.count("BEGIN:VEVENT")
    assert events == lines.count("END:VEVENT"), f"{name}: unbalanced events"
    return f"{events} event(s)"


def _key_of(download_button) -> str:
    """The widget key of a download button (its container's st-key-… class), which tells it apart."""
    classes = download_button.evaluate("e => (e.closest('[class*=\"st-key-\"]') || {className: ''}).className")
    found = re.search(r"st-key-(\S+)", classes)
    return found.group(1) if found else download_button.inner_text()


def download(page, download_button, where: str) -> tuple[str, bytes]:
    """Click one download button and wait for its file, or for the error Streamlit draws under it."""
    arrived = []

    def arrive(file) -> None:  # a function of our own: playwright cannot wrap a built-in method such as list.append
        arrived.append(file)

    page.on("download", arrive)
    try:
        download_button.get_by_role("button").click()
        deadline = time.monotonic() + DOWNLOAD_TIMEOUT_S
        while not arrived:
            error = download_button.get_by_test_id("stDownloadButtonError")
            if error.count():  # shown for 5 s, then gone: look often
                raise AssertionError(f"{where}: the download failed: {error.first.inner_text()}")
            assert time.monotonic() < deadline, f"{where}: no file within {DOWNLOAD_TIMEOUT_S} s"
            page.wait_for_timeout(100)
    finally:
        page.remove_listener("download", arrive)
    got = arrived[0]
    assert got.failure() is None, f"{where}: {got.failure()}"
    return got.suggested_filename, Path(got.path()).read_bytes()


def click_downloads(page, page_name: str, done: set[str]) -> list[Downloaded]:
    """Click every visible download button not clicked yet (by key) and check each file."""
    got = []
    buttons = page.get_by_test_id("stDownloadButton")
    index = 0
    while index < buttons.count():
        found = buttons.nth(index)
        index += 1
        if not found.is_visible():
            continue
        key = _key_of(found)
        if key in done:
            continue
        done.add(key)
        label = found.get_by_role("button").inner_text().strip().splitlines()[-1].strip()  # after the icon's ligature
        where = f"{page_name}: {label!r}"
        file_name, data = download(page, found, where)
        wait_for_app_idle(page)  # a download button without on_click="ignore" reruns the page
        got.append(Downloaded(page_name, label, file_name, len(data), check_file(file_name, data)))
        assert_no_problem(page, where)
    return got


# --------------------------------------------------------------------------- sweeping one page


@dataclass
class Sweep:
    where: str = ""
    role: str = "admin"
    downloads: list[Downloaded] = field(default_factory=list)
    expanders: int = 0
    tabs: int = 0
    states: int = 1


def open_expanders(page) -> int:
    """Open every closed expander on screen (nested ones too, as they appear); return how many.

    Clicked from the page's own script, all at once: a playwright click each took a second on the library's 48."""
    opened = 0
    for _ in range(5):  # an opened expander may hold closed ones
        clicked = main_area(page).evaluate(
            """root => {
                const closed = [...root.querySelectorAll('details:not([open]) > summary')].filter(s => s.offsetParent !== null);
                closed.forEach(s => s.click());
                return closed.length;
            }"""
        )
        if not clicked:
            break
        opened += clicked
        page.wait_for_timeout(200)  # their content slides open
    closed = main_area(page).locator("details:not([open]) > summary:visible")
    assert not closed.count(), f"{closed.count()} expander(s) would not open"
    return opened


def explore_state(page, page_name: str, sweep: Sweep, done: set[str]) -> None:
    """Every tab of the page as it is now: open its expanders, check it, click its downloads."""
    tabs = main_area(page).get_by_test_id("stTab")
    for index in range(max(1, tabs.count())):
        where = page_name
        if tabs.count():
            tab = tabs.nth(index)
            where = f"{page_name} · tab {tab.inner_text().strip()!r}"
            tab.click()
            wait_for_app_idle(page, settle_ms=100)
            sweep.tabs += 1
        sweep.expanders += open_expanders(page)
        assert_no_problem(page, where)
        sweep.downloads += click_downloads(page, where, done)


def sweep_page(page, url: str, page_name: str, *, before: Callable | None = None) -> Sweep:
    """Open a page, then each option of each segmented control in turn; in each state run `before` (a page's
    own step, e.g. building a report), open tabs and expanders, check for problems and take every download."""
    open_app(page, url)
    expect(page).to_have_url(re.compile(rf"^{re.escape(url.split('?')[0])}(\?|$)"))
    assert_no_problem(page, page_name)
    sweep = Sweep(where=url.split("/", 3)[-1])
    states: list[tuple[int, int] | None] = [None]
    controls = main_area(page).get_by_test_id("stButtonGroup")
    for c in range(controls.count()):
        options = controls.nth(c).locator("button[role=radio]")
        states += [(c, o) for o in range(options.count()) if options.nth(o).get_attribute("aria-checked") != "true"]
    for state in states:
        where, done = page_name, set()
        if state is not None:
            option = controls.nth(state[0]).locator("button[role=radio]").nth(state[1])
            where = f"{page_name} · {option.inner_text().strip()!r}"
            option.click()
            wait_for_app_idle(page)
            expect(option).to_have_attribute("aria-checked", "true")
            sweep.states += 1
        assert_no_problem(page, where)
        if before is not None:
            before(page)
            assert_no_problem(page, where)
        explore_state(page, where, sweep, done)
    return sweep


def build_report(page) -> None:
    """Reports: the download appears once the report is built."""
    button(main_area(page), "Build the report").click()
    wait_for_app_idle(page)
    expect(main_area(page).get_by_test_id("stAlertContentSuccess").filter(has_text="Ready:")).to_be_visible(
        timeout=APP_TIMEOUT_MS
    )


def fetch_calendar(page) -> None:
    """My actions: the calendar feed's address is shown; fetch it as a calendar app would, and read it."""
    feed = main_area(page).get_by_text(re.compile(r"https?://\S+/calendar/[\w-]+\.ics"))
    if not feed.count():
        return
    address = re.search(r"https?://\S+/calendar/[\w-]+\.ics", feed.first.inner_text()).group(0)
    answer = page.request.get(address)
    assert answer.ok, f"the calendar feed {address} answered {answer.status}"
    FEEDS.append(f"{address}: {check_calendar(address, answer.text())}")


BEFORE: dict[str, Callable] = {"reports": build_report, "my_actions": fetch_calendar}


# --------------------------------------------------------------------------- what the net took

SWEPT: list[Sweep] = []
PHASES: list[str] = []
FEEDS: list[str] = []  # calendar feeds read


@pytest.fixture(scope="module", autouse=True)
def net_summary(artifacts) -> Iterator[None]:
    """At the end, what the net went through, in test-artifacts/net-browser.txt (and printed, with pytest -s)."""
    yield
    downloads = [(s.role, d) for s in SWEPT for d in s.downloads]
    lines = [
        f"{len(SWEPT)} page visits ({', '.join(sorted({s.role for s in SWEPT}))}), {len(downloads)} downloads, "
        f"{sum(s.expanders for s in SWEPT)} expanders opened, {sum(s.tabs for s in SWEPT)} tabs, "
        f"{sum(s.states for s in SWEPT)} page states",
        *(f"phases: {p}" for p in PHASES),
        *(f"calendar feed: {f}" for f in FEEDS),
        *(f"{role}: {d.page}: {d.label} -> {d.file_name} ({d.size:,} bytes): {d.detail}" for role, d in downloads),
    ]
    (artifacts / "net-browser.txt").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines))


# --------------------------------------------------------------------------- the demo server


@dataclass
class Demo:
    url: str
    database: str
    log: Path
    queries: dict[str, list[str]]  # page -> the query strings to open it with (a workshop or campaign chosen)


def load_demo(database: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_") or k.startswith("MATURITY_TEST_")}
    done = subprocess.run(
        [_python(), "-m", "maturity", "demo"], cwd=REPO_ROOT, env=env | {"MATURITY_DB_URL": database},
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, f"python -m maturity demo failed:\n{done.stdout}\n{done.stderr}"


def queries_for(database: str) -> dict[str, list[str]]:
    """Pages with a picker are opened on a chosen workshop (?w=) or campaign (?c=): the last workshop of each
    mode, and the campaign with the most answers for each survey; other pages as they open."""
    with acting_as(SETUP):
        workshops = ws.list_workshops(database, limit=500)
        campaigns = surveys.list_campaigns(database)
    by_mode = {w.mode: w.id for w in sorted(workshops, key=lambda w: w.id)}
    best = {}
    for campaign in sorted(campaigns, key=lambda c: c.responses):
        best[campaign.survey_id] = campaign.id
    assert len(by_mode) == len(WorkshopMode) and best, f"the demo data changed: modes {sorted(by_mode)}, surveys {sorted(best)}"
    return {
        "summary": [f"?w={i}" for i in by_mode.values()],
        "screen": [f"?w={by_mode[WorkshopMode.LOCK_STEP.value]}"],
        "gaps": [f"?w={by_mode[WorkshopMode.LOCK_STEP.value]}"],
        "results": [f"?c={i}" for i in best.values()],
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    """A server of the module's own on the demo data (signed in with the admin secret)."""
    work = tmp_path_factory.mktemp("net-demo")
    database = databases.fresh_url(work)
    load_demo(database)
    try:
        with streamlit_server(work, database=database) as base_url:
            yield Demo(base_url, database, work / "server.log", queries_for(database))
    finally:
        databases.release(database)


@pytest.fixture(scope="module")
def app_url(demo: Demo) -> str:
    """page, projector_page and new_phone open this module's demo server."""
    return demo.url


@pytest.fixture(scope="module")
def admin_page(browser, demo: Demo):
    """One signed-in admin (the secret) for every page: each page is opened by its address, the cookie keeps the sign-in."""
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(APP_TIMEOUT_MS)
    try:
        yield sign_in(context.new_page(), demo.url)
    finally:
        context.close()


def _menu(page) -> set[str]:
    nav = page.get_by_test_id("stSidebarNav")
    return {text.strip().splitlines()[-1].strip() for text in nav.get_by_role("link").all_inner_texts()}


def first_page(role: StaffRole) -> PageSpec:
    """The role's first page, which st.navigation serves at / (its own path is "page not found")."""
    return next(spec for spec in SPECS if spec.permission in PERMISSIONS[role])


def sweep_visits(page, demo: Demo, spec: PageSpec, role: StaffRole = StaffRole.ADMIN) -> list[Sweep]:
    swept = []
    path = "" if spec is first_page(role) else spec.name
    for query in demo.queries.get(spec.name, [""]):
        name = spec.name + query
        sweep = sweep_page(page, f"{demo.url}/{path}{query}", spec.name, before=BEFORE.get(spec.name))
        labels = {d.label for d in sweep.downloads}
        missing = EXPECTED_DOWNLOADS.get(spec.name, set()) - labels
        assert not missing, f"{name}: these downloads were not offered: {sorted(missing)} (offered: {sorted(labels)})"
        swept.append(sweep)
    return swept


# --------------------------------------------------------------------------- every page, as the admin


def test_the_admins_menu_lists_every_staff_page(admin_page, demo):
    open_app(admin_page, f"{demo.url}/")
    assert_no_problem(admin_page, "home")
    assert _menu(admin_page) == {spec.title for spec in SPECS}


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_every_staff_page_and_its_downloads_as_the_admin(admin_page, demo, spec):
    since = server_log.size(demo.log)
    SWEPT.extend(sweep_visits(admin_page, demo, spec))
    server_log.assert_clean(demo.log, since, doing=f"sweeping {spec.name} as the admin")


def test_launching_a_campaign_with_the_defaults_then_with_codes(admin_page, demo):
    """Survey campaigns → Launch, as it comes (the new campaign is chosen in the box above the form), and with
    single-use codes, whose printable slips are a download."""
    page = admin_page
    open_app(page, f"{demo.url}/surveys")
    main = main_area(page)
    form = main.get_by_test_id("stForm").filter(has=button(page, "Launch"))
    button(form, "Launch").click()
    wait_for_app_idle(page)
    assert_no_problem(page, "surveys: Launch with the defaults")
    expect(main.get_by_text(re.compile(r"^Launched “.+”\. Share its link below\.$"))).to_be_visible()

    form.get_by_role("textbox", name="Title (optional)").fill("Net wave with codes")
    codes = form.get_by_role("spinbutton", name="Single-use access codes (0: none, anyone with the link)")
    codes.fill("10")
    codes.press("Tab")
    button(form, "Launch").click()
    wait_for_app_idle(page)
    assert_no_problem(page, "surveys: Launch with codes")
    expect(main.get_by_text("Launched “Net wave with codes”. Share its link below.")).to_be_visible()
    expect(main.get_by_role("combobox", name="Campaign")).to_have_value("Net wave with codes")
    got = click_downloads(page, "surveys", set())
    assert [d.label for d in got] == ["Printable codes (HTML)"], got
    SWEPT.append(Sweep(where="surveys (launched with codes)", downloads=got))


# --------------------------------------------------------------------------- every page, as a leader and as an owner


@pytest.fixture(scope="module")
def signed_demo(oidc_provider, tmp_path_factory) -> Iterator[Demo]:  # noqa: F811 - the fixture imported above
    """The demo data behind sign-in with the OpenID provider; the demo person with the most open actions may sign in as an owner."""
    work = tmp_path_factory.mktemp("net-signed-demo")
    database = databases.fresh_url(work)
    load_demo(database)
    with acting_as(SETUP):
        open_owned = [
            a.owner_id for a in actions.list_actions(database, statuses=("open", "in_progress", "blocked")) if a.owner_id
        ]
        person = owners.get_person(database, max(set(open_owned), key=open_owned.count))
        accounts.add_account(database, email=person.email, role="owner")
    users = {
        "net-owner": {"email": person.email, "name": person.name, "groups": []},
        "net-leader": {"email": "lee@example.org", "name": "Lee Leader", "groups": [LEADERS]},
    }
    for sub, claims in users.items():
        assert _json(f"{oidc_provider}/users/{sub}", claims, "PUT")[0] == 204
    port = _free_port()
    app_base = f"http://127.0.0.1:{port}"
    client = _register(oidc_provider, app_base)
    env = _settings(oidc_provider, app_base, client["client_id"], client["client_secret"]) | {"MATURITY_ADMIN_SECRET": ""}
    try:
        with streamlit_server(work, env_extra=env, port=port, database=database) as base_url:
            yield Demo(base_url, database, work / "server.log", queries_for(database))
    finally:
        databases.release(database)


ROLES = {StaffRole.LEADER: "net-leader", StaffRole.OWNER: "net-owner"}
ROLE_PAGES = [(role, spec) for role in ROLES for spec in SPECS if spec.permission in PERMISSIONS[role]]


@pytest.fixture(scope="module")
def role_page(browser, signed_demo) -> Iterator[Callable[[StaffRole], object]]:
    """A signed-in page per role, made on first use and kept for the module."""
    contexts, pages = [], {}

    def signed_in(role: StaffRole):
        if role not in pages:
            context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
            context.set_default_timeout(APP_TIMEOUT_MS)
            contexts.append(context)
            pages[role] = context.new_page()
            sign_in_as(pages[role], signed_demo.url, ROLES[role])
            assert _menu(pages[role]) == {s.title for s in SPECS if s.permission in PERMISSIONS[role]}
        return pages[role]

    try:
        yield signed_in
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize(("role", "spec"), ROLE_PAGES, ids=[f"{role}-{spec.name}" for role, spec in ROLE_PAGES])
def test_every_page_of_a_role_and_its_downloads(role_page, signed_demo, role, spec):
    page = role_page(role)
    since = server_log.size(signed_demo.log)
    swept = sweep_visits(page, signed_demo, spec, role)
    for sweep in swept:
        sweep.role = role.value
    SWEPT.extend(swept)
    if spec.name == "my_actions":  # the owner's own actions, each opened, and their calendar feed
        assert swept[0].expanders >= 1, "the owner sees none of their actions"
        expect(main_area(page).get_by_text(re.compile(r"/calendar/[\w-]+\.ics"))).to_be_visible()
    server_log.assert_clean(signed_demo.log, since, doing=f"sweeping {spec.name} as {role}")


# --------------------------------------------------------------------------- workshops through their phases


def create_workshop(database: str, builtin_catalog, *, team: str, mode: WorkshopMode, second_vote: bool) -> Started:
    """A workshop on the three SEGMENTS, names optional, created as the Workshops page creates one."""
    with acting_as(SETUP):
        team_id = ws.get_or_create_team(database, team).id
        made = ws.create_workshop(
            database, team_id=team_id, model=builtin_catalog.models[MODEL_ID], segment_ids=SEGMENT_IDS, mode=mode.value,
            second_vote=second_vote, anonymous=False,
        )  # fmt: skip
    return Started(made.id, made.join_code, made.title)


@dataclass
class Room:
    """The shared screen and the phones, checked together at each phase; the server log with them."""

    screen: object
    phones: list
    log: Path
    since: int = 0
    phases: list[str] = field(default_factory=list)

    def check(self, phase: str) -> None:
        found = problems_on(self.screen, f"{phase}: the screen")
        for number, phone in enumerate(self.phones, start=1):
            found += problems_on(phone, f"{phase}: phone {number}")
        assert not found, "\n".join(found)
        self.since = server_log.assert_clean(self.log, self.since, doing=phase)
        self.phases.append(phase)


def phones_show(phones, text: str, *, since: float, count: int = 1) -> list[float]:
    """Wait, without a tap, until every phone shows `text` (`count` times); return how long after `since` each did."""
    took = []
    for phone in phones:
        timeout = max(1_000, PHONE_POLL_TIMEOUT_MS - int((time.monotonic() - since) * 1000))
        expect(main_area(phone).get_by_text(text, exact=True)).to_have_count(count, timeout=timeout)
        took.append(time.monotonic() - since)
    return took


def ask_for_results(phone) -> None:
    """An older self-paced phone did not poll: it had a button to ask for the reveals. Press it if it is there."""
    ask = button(main_area(phone), "Check for revealed results")
    if ask.count():
        ask.click()
        wait_for_app_idle(phone)


def test_a_lock_step_workshop_through_every_phase_on_a_projector_and_two_phones(
    projector_page, new_phone, demo, builtin_catalog, artifacts
):
    screen = projector_page
    started = create_workshop(
        demo.database, builtin_catalog, team="Net lock-step team", mode=WorkshopMode.LOCK_STEP, second_vote=True
    )
    sign_in(screen, demo.url)
    open_app(screen, f"{demo.url}/screen?w={started.workshop_id}")
    main = main_area(screen)
    expect(main.get_by_role("heading", level=3, name=started.title)).to_be_visible()
    phones = [new_phone(), new_phone()]
    room = Room(screen, phones, demo.log, server_log.size(demo.log))

    # Waiting: both joined, nobody voted yet.
    for phone, name in zip(phones, ("Ana", "Ben"), strict=True):
        join(phone, demo.url, started, name)
        expect(main_area(phone).get_by_text("Segment 1 of 3", exact=True)).to_be_visible()
        expect(main_area(phone).get_by_role("button", name=LEVELS[3], exact=True)).to_be_visible()
        expect(main_area(phone).get_by_text("Tap a level. You can change it until the votes are revealed.")).to_be_visible()
    expect(metric(screen, "People joined")).to_have_text("2", timeout=TALLY_TIMEOUT_MS)
    expect(metric(screen, "Votes in")).to_have_text("0")
    room.check("waiting")

    # Voting: both vote; the screen's tally follows on its own.
    vote(phones[0], 1)
    vote(phones[1], 4)
    expect(metric(screen, "Votes in")).to_have_text("2", timeout=TALLY_TIMEOUT_MS)
    room.check("voting")

    # Revealed, on the projector in presentation mode: the phones show the result without a tap.
    button(main, "Present").click()
    wait_for_app_idle(screen)
    expect(screen).to_have_url(re.compile(r"[?&]present=1"))
    revealed_at = time.monotonic()
    reveal(screen, expected_voters=2)
    expect(screen.locator(".st-key-join_panel")).to_be_visible()
    expect(screen.get_by_test_id("stSidebarNav")).to_have_count(0)
    waits = phones_show(phones, "The votes are in", since=revealed_at)
    for phone in phones:
        expect(main_area(phone).get_by_role("button", name=LEVELS[3], exact=True)).to_have_count(0)
    screen.screenshot(path=artifacts / "net-revealed-presentation-1920x1080.png")
    room.check("revealed (presentation mode)")

    # The discussion timer: a fragment on the projector that ticks every second by itself.
    screen.get_by_test_id("stPopoverButton").filter(has_text="Timer and options").click()
    options = screen.get_by_test_id("stPopoverBody")
    minutes = options.get_by_role("spinbutton", name="Discussion timer (minutes)")
    minutes.fill("2")
    minutes.press("Tab")
    button(options, "Start the timer").click()
    wait_for_app_idle(screen)
    left = metric(screen, "Time left")
    expect(left).to_have_text(re.compile(r"^[12]:\d\d$"))
    expect(left).not_to_have_text(left.inner_text(), timeout=5_000)
    room.check("discussion timer ticking")

    # Second vote: the phones get the levels back by themselves, vote closer together, and see the second result.
    button(main, "Open a second vote").click()
    wait_for_app_idle(screen)
    expect(main.get_by_role("heading", name="Second vote", exact=True)).to_be_visible()
    for phone in phones:
        expect(main_area(phone).get_by_text("Second vote, after the discussion.")).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
        expect(main_area(phone).get_by_role("button", name=LEVELS[3], exact=True)).to_be_visible()
    room.check("second vote open")
    vote(phones[0], 2)
    vote(phones[1], 3)
    revealed_at = time.monotonic()
    reveal(screen, expected_voters=2)
    expect(main.get_by_text(re.compile(r"^Spread went from 3 to 1 levels"))).to_be_visible()
    waits += phones_show(phones, "The votes are in", since=revealed_at)
    for phone in phones:
        expect(main_area(phone).get_by_text("Second vote, after the discussion.")).to_be_visible()
    room.check("second vote revealed")

    # Next segment: out of presentation mode; the phones follow the screen.
    screen.keyboard.press("p")
    wait_for_app_idle(screen)
    expect(screen.get_by_test_id("stSidebarNav")).to_be_visible()
    next_segment(screen, 2)
    for phone in phones:
        expect(main_area(phone).get_by_text("Segment 2 of 3", exact=True)).to_be_visible(timeout=PHONE_POLL_TIMEOUT_MS)
        expect(main_area(phone).get_by_role("heading", name=SEGMENTS[1])).to_be_visible()
    room.check("next segment")

    # Ended: the screen goes to the summary (every download on it works), the phones say so without a tap.
    ended_at = time.monotonic()
    main.get_by_role("button", name="End workshop").click()
    expect(screen).to_have_url(re.compile(rf"/summary\?w={started.workshop_id}$"))
    wait_for_app_idle(screen)
    waits += phones_show(phones, "This workshop has ended. Thank you for taking part!", since=ended_at)
    for phone in phones:
        expect(main_area(phone).get_by_role("button", name=LEVELS[0], exact=True)).to_have_count(0)
    room.check("ended")
    sweep = sweep_page(screen, screen.url, "summary")
    sweep.where = "summary of the lock-step workshop"
    SWEPT.append(sweep)
    assert {d.label for d in sweep.downloads} >= EXPECTED_DOWNLOADS["summary"]
    room.check("ended: the summary's downloads")
    PHASES.append(
        f"lock-step: {', '.join(room.phases)}; the phones showed the reveals and the end after "
        f"{', '.join(f'{w:.1f}' for w in waits)} s (from the click)"
    )


def test_a_self_paced_workshop_phones_vote_everything_then_the_facilitator_reveals(
    projector_page, new_phone, demo, builtin_catalog
):
    screen = projector_page
    started = create_workshop(
        demo.database, builtin_catalog, team="Net self-paced team", mode=WorkshopMode.SELF_PACED, second_vote=False
    )
    sign_in(screen, demo.url)
    open_app(screen, f"{demo.url}/screen?w={started.workshop_id}")
    main = main_area(screen)
    phones = [new_phone(), new_phone()]
    room = Room(screen, phones, demo.log, server_log.size(demo.log))
    votes = {"Cas": [1, 2, None], "Dee": [3, 2, 5]}

    for phone, name in zip(phones, votes, strict=True):
        join(phone, demo.url, started, name)
        expect(main_area(phone).get_by_text("0 of 3 segments voted")).to_be_visible()
    expect(metric(screen, "People joined")).to_have_text("2", timeout=TALLY_TIMEOUT_MS)
    room.check("self-paced: joined")

    for phone, name in zip(phones, votes, strict=True):
        for segment_id, choice in zip(SEGMENT_IDS, votes[name], strict=True):
            vote(phone, choice, scope=main_area(phone).locator(f".st-key-segment_{segment_id}"))
        expect(main_area(phone).get_by_text("3 of 3 segments voted")).to_be_visible()
    room.check("self-paced: every segment voted")

    for position in range(1, len(SEGMENTS) + 1):
        revealed_at = time.monotonic()
        reveal(screen, expected_voters=2)
        room.check(f"self-paced: segment {position} revealed")
        if position < len(SEGMENTS):
            next_segment(screen, position + 1)

    for phone in phones:
        ask_for_results(phone)
    waits = phones_show(phones, "The votes are in", since=revealed_at, count=len(SEGMENTS))
    room.check("self-paced: every result on the phones")

    ended_at = time.monotonic()
    main.get_by_role("button", name="End workshop").click()
    expect(screen).to_have_url(re.compile(rf"/summary\?w={started.workshop_id}$"))
    wait_for_app_idle(screen)
    for phone in phones:
        ask_for_results(phone)
    waits += phones_show(phones, "This workshop has ended. Thank you for taking part!", since=ended_at)
    room.check("self-paced: ended")
    PHASES.append(
        f"{', '.join(room.phases)}; the phones showed the last reveal and the end after {', '.join(f'{w:.1f}' for w in waits)} s"
    )
