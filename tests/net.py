"""The net (issue 17): every page each role reaches, every button and form pressed as it is drawn, every download fetched.

Tests written to the design miss what a person's clicks reach. The net signs in as each role
through the real app (AppTest), opens every page the role's navigation offers, and then presses
every button and submits every form with what it shows, checking the page after each click. It
fails on any exception element, any catch-all sentence ("Something went wrong", "(ref ...)") and
any ERROR log record of the `maturity` or `streamlit` loggers.

The data is the demo (services/demo) plus what the demo lacks for a person to click through:
three open workshops (lock-step with two phones that voted, self-paced, show of hands), two open
survey campaigns (one by link, one with single-use codes and five responses) and an account per
role. It is built once per session into a template that each test copies.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
import threading
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import sqlalchemy
import streamlit.testing.v1.app_test as app_test_module
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from maturity.content.definitions import QuestionType
from maturity.domain.roles import Actor, StaffRole
from maturity.services.authz import acting_as
from maturity.ui.access import PARTICIPANT_PARAM, SECRET_FLAG, SURVEY_PARAM, VISIT_PARAM, Visit
from maturity.ui.navigation import allowed_sections, page_path
from maturity.ui.text import unescape
from tests import databases

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 60
MAX_DEPTH = 1  # a click that lands on another page (or another workshop) has that page walked too, one level deep
MAX_PRESSES = 120  # per page state: a guard against a page that keeps drawing new buttons
AUTH = {  # an identity provider that is configured but never asked: the net seeds st.user itself (as tests/test_roles.py)
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-of-32-characters!",
    "client_id": "maturity",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
NET_ADMIN = Actor("Net builder", StaffRole.ADMIN, "net@example.org", how="test")

# Buttons the net does not press with the rest: each ends or takes away something the walk (or the person) still
# needs. Every one is pressed on purpose, on its own, in tests/test_net.py, and what it did is checked there.
SKIP = {
    "sign_out": "signs the person out (test_sign_out_*)",
    "sign_out_everywhere": "ends every sign-in with the admin secret, the net's too (test_sign_out_everywhere_*)",
    "end_workshop": "ends the workshop the phones are in (test_end_workshop_*)",
    "calendar_renew": "revokes the owner's calendar address (test_new_calendar_address_*)",
}
# Query parameters that only say which browser visit this is: a page with a new one is the same page.
VOLATILE_PARAMS = {VISIT_PARAM}
# A refusal on a page the role may see: something behind it ran as nobody, or as someone else.
REFUSED = re.compile(r"Sign in first|, who may not ")
# The catch-all's sentences (maturity/ui/failures.py), and describe_failure's fallback for a bug ("KeyError: 'x'"),
# which a page's own try/except still shows where it has not moved to failures.py.
CATCH_ALL = re.compile(r"Something went wrong|\(ref [0-9A-Z]+\)|\b[A-Z]\w*(?:Error|Exception): ")


# --------------------------------------------------------------------------- who


@dataclass(frozen=True)
class Role:
    name: str
    visit: Visit
    staff: StaffRole | None = None
    sign_in: str = ""  # "secret", "provider", or "" (a link, or nobody)
    workshop: str = "lock_step"  # a participant's: the mode of the open workshop their phone joined

    def pages(self) -> list[str]:
        """The pages this role's navigation offers, from maturity/ui/navigation.py (a new page is walked without a change here)."""
        actor = Actor(self.name, self.staff) if self.staff else None
        return [spec.name for specs in allowed_sections(self.visit, actor).values() for spec in specs]


ROLES = {
    role.name: role
    for role in (
        Role("admin", Visit.STAFF, StaffRole.ADMIN, "secret"),
        Role("facilitator", Visit.STAFF, StaffRole.FACILITATOR, "provider"),
        Role("leader", Visit.STAFF, StaffRole.LEADER, "provider"),
        Role("owner", Visit.STAFF, StaffRole.OWNER, "provider"),
        Role("participant", Visit.PARTICIPANT),
        Role("self-paced phone", Visit.PARTICIPANT, workshop="self_paced"),
        Role("respondent", Visit.RESPONDENT),
        Role("visitor", Visit.VISITOR),
        Role("waiting", Visit.WAITING, sign_in="provider"),
    )
}


def role_pages() -> list[tuple[str, str]]:
    return [(role.name, page) for role in ROLES.values() for page in role.pages()]


# --------------------------------------------------------------------------- the data


@dataclass
class World:
    """What the template holds beyond the demo, for signing in and for the checks."""

    source: str  # the template: a SQLite file, or a PostgreSQL database name
    emails: dict[str, str]
    participant_tokens: dict[str, str]  # workshop mode -> a phone's token
    survey_link: str
    workshops: dict[str, int]  # workshop mode -> the open workshop of that mode

    def copy(self, folder: Path) -> str:
        """A database of this test's own with the template's data."""
        if databases.ON_POSTGRES:
            server = databases.postgres()
            name = f"{server.prefix}_{uuid.uuid4().hex[:10]}"  # the suite's prefix: dropped with the rest at its end
            with server.admin.connect() as connection:
                connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}" TEMPLATE "{self.source}"'))
            return server.url(name)
        target = folder / "maturity.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(self.source + suffix).exists():
                shutil.copyfile(self.source + suffix, str(target) + suffix)
        return f"sqlite:///{target}"


def build_world(folder: Path) -> World:
    """Migrate, load the demo, and add the open workshops, campaigns and accounts; the URL is left closed (a template)."""
    from maturity.storage.engine import dispose_engines

    if databases.ON_POSTGRES:
        url = databases.postgres().create(migrated=True)
    else:
        url = databases.fresh_url(folder, migrated=True)
    world = _fill(url)
    dispose_engines()  # a PostgreSQL template must have no connection; a SQLite file is copied whole
    if databases.ON_POSTGRES:
        from sqlalchemy.engine import make_url

        world.source = make_url(url).database
    else:
        world.source = url.removeprefix("sqlite:///")
    return world


def _fill(url: str) -> World:
    from maturity.config import builtin_sources
    from maturity.content.catalog import load_catalog
    from maturity.services import accounts, consensus, rounds, surveys, voting
    from maturity.services import actions as ax
    from maturity.services import workshops as ws
    from maturity.services.demo import load_demo
    from maturity.services.owners import list_people

    catalog = load_catalog(builtin_sources())
    today = date.today()
    with acting_as(NET_ADMIN):
        load_demo(url, catalog=catalog)
        team = ws.list_teams(url)[0]
        model = catalog.models["data-maturity"]
        segments = [s.id for s in model.segments[:3]]
        created = {
            mode: ws.create_workshop(
                url,
                team_id=team.id,
                model=model,
                segment_ids=segments,
                mode=mode,
                second_vote=True,
                anonymous=mode != "lock_step",
                title=f"Net · {mode.replace('_', ' ')}",
            )
            for mode in ("show_of_hands", "self_paced", "lock_step")  # the lock-step one is the newest: first in every list
        }
        lock = created["lock_step"]
        phone = voting.join_workshop(url, lock.join_code, "Net phone")
        other = voting.join_workshop(url, lock.join_code, "Second phone")
        first_round = rounds.segment_rounds(url, lock.id, segments[0])[0]
        voting.cast_vote(url, token=phone.token, round_id=first_round.id, level=1)
        voting.cast_vote(url, token=other.token, round_id=first_round.id, level=4)  # far apart: the screen says discuss
        ballot = voting.join_workshop(url, created["self_paced"].join_code, "")
        # a gap on the newest workshop (the one every picker offers first), so Gaps and actions has one to work on
        consensus.record_consensus(url, workshop_id=lock.id, segment_id=segments[2], level=1, target_level=3, recorded_by="Net")

        people = {p.id: p for p in list_people(url)}
        open_counts = Counter(a.owner_id for a in ax.list_actions(url, statuses=ax.OPEN_STATUSES) if a.owner_id in people)
        owner_id = open_counts.most_common(1)[0][0]
        emails = {
            "facilitator": "facilitator@example.org",
            "leader": "leader@example.org",
            "owner": people[owner_id].email,
            "waiting": "newcomer@example.org",
        }
        for role in ("facilitator", "leader", "owner"):
            accounts.add_account(url, email=emails[role], role=role, name=f"Net {role}")

        survey = catalog.surveys["data-trust-pulse"]
        by_link = surveys.launch_campaign(url, survey, title="Net · by link", opens_on=today - timedelta(days=1))
        with_codes = surveys.launch_campaign(url, survey, title="Net · with codes", access_codes=10)  # first in the list
        codes = [code for code, _used in surveys.access_codes(url, with_codes.id)]
        for n, code in enumerate(codes[:5]):
            surveys.submit_response(url, survey, link_token=with_codes.link_token, code=code, answers=_answers(survey, n))
    return World(
        source="",
        emails=emails,
        participant_tokens={"lock_step": phone.token, "self_paced": ballot.token},
        survey_link=by_link.link_token,
        workshops={mode: view.id for mode, view in created.items()},
    )


def _answers(survey, n: int) -> dict:
    """A plausible, valid answer to every question (varied a little per respondent)."""
    answers: dict = {}
    for question in survey.questions:
        t = question.type
        if t == QuestionType.LIKERT:
            answers[question.id] = 1 + (n + len(question.id)) % len(survey.all_scales[question.scale])
        elif t in (QuestionType.RATING, QuestionType.NPS):
            answers[question.id] = (5 + n * 2) % 11
        elif t == QuestionType.SINGLE_CHOICE:
            answers[question.id] = question.options[n % len(question.options)].value
        elif t == QuestionType.MULTIPLE_CHOICE:
            answers[question.id] = [question.options[0].value]
        elif t == QuestionType.NUMBER:
            answers[question.id] = question.min if question.min is not None else 1
        else:
            answers[question.id] = f"Answer {n}: the numbers need a second look."
    return answers


# --------------------------------------------------------------------------- what the net listens to


class Records(logging.Handler):
    """Every ERROR (and worse) record of the `maturity` and `streamlit` loggers, which do not propagate; and the app's refusals (INFO)."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.refusals: list[str] = []  # expected ("refused: ..."), listed in the summary: what pressing with the defaults met
        self._loggers: list[logging.Logger] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.records.append(record)
        elif record.name.startswith("maturity") and record.getMessage().startswith("refused"):
            self.refusals.append(record.getMessage())

    def attach(self) -> Records:
        import streamlit.logger as streamlit_logger

        names = {"maturity", "streamlit"} | set(streamlit_logger._loggers)
        names |= {n for n in logging.root.manager.loggerDict if n.startswith(("streamlit", "maturity"))}
        for name in sorted(names):
            logger = logging.getLogger(name)
            if name in ("maturity", "streamlit") or not logger.propagate:  # children that propagate reach these
                logger.addHandler(self)
                self._loggers.append(logger)
        return self

    def detach(self) -> None:
        for logger in self._loggers:
            logger.removeHandler(self)

    def take(self) -> list[str]:
        taken, self.records = self.records, []
        out = []
        for r in taken:
            text = f"log {r.levelname} {r.name}: {r.getMessage()}"
            if r.exc_info:
                text += "\n" + logging.Formatter().formatException(r.exc_info)
            out.append(text)
        return out


class Media:
    """The media file manager of AppTest's latest run: where download buttons' files (and deferred builders) live."""

    def __init__(self) -> None:
        self.latest: MediaFileManager | None = None

    def install(self, monkeypatch) -> Media:
        media = self

        class Recorded(MediaFileManager):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                media.latest = self

        monkeypatch.setattr(app_test_module, "MediaFileManager", Recorded)
        return self

    def fetch(self, button) -> tuple[str, bytes]:
        """(file name, bytes) behind a download button; a deferred one is built as the browser's request would build it."""
        proto = button.proto
        manager = self.latest
        assert manager is not None, "no AppTest run has happened"
        if proto.deferred_file_id:
            entry = manager._deferred_callables.get(proto.deferred_file_id)
            assert entry is not None, "the deferred download was not registered"
            name = entry["filename"] or ""
            outcome: dict = {}

            def request() -> None:  # a thread of its own, as Streamlit's server: no script run, nobody signed in
                try:
                    outcome["url"] = manager.execute_deferred(proto.deferred_file_id)
                except Exception as exc:  # noqa: BLE001 - reported by the net
                    outcome["error"] = exc

            worker = threading.Thread(target=request, name="net-deferred-download")
            worker.start()
            worker.join(TIMEOUT)
            if "error" in outcome:
                raise DownloadProblem(f"building it failed: {outcome['error']}")
            if "url" not in outcome:
                raise DownloadProblem("building it did not finish")
            url = outcome["url"]
        else:
            url = proto.url
            name = ""
        if not url:
            raise DownloadProblem("it has no file (no URL)")
        stored = manager.read_file(url.rsplit("/", 1)[-1])
        if stored is None:
            raise DownloadProblem(f"its file {url} is not in the media store")
        return name or stored.filename or url.rsplit("/", 1)[-1], stored.content


class DownloadProblem(AssertionError):
    pass


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.tags += 1


def check_file(name: str, data: bytes) -> str:
    """Parse a downloaded file by its kind; return what it holds in a few words, or raise DownloadProblem."""
    if not data:
        raise DownloadProblem("the file is empty")
    kind = Path(name).suffix.lower().lstrip(".")
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        if not rows or not any(rows[0]):
            raise DownloadProblem("the CSV has no header")
        return f"CSV, {len(rows) - 1} row(s) of {len(rows[0])} column(s)"
    if kind == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            names = book.namelist()
            sheets = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
            if "xl/workbook.xml" not in names or not sheets:
                raise DownloadProblem(f"not an Excel workbook: {names[:5]}")
            rows = sum(len(ET.fromstring(book.read(s)).findall(".//{*}row")) for s in sheets)
        return f"Excel, {len(sheets)} sheet(s), {rows} row(s)"
    if kind in ("html", "htm"):
        parser = _Html()
        parser.feed(data.decode("utf-8"))
        parser.close()
        if parser.tags < 2:
            raise DownloadProblem("the HTML has no elements")
        return f"HTML, {parser.tags} elements, {len(data) // 1024} KB"
    return f"{len(data)} bytes"


# --------------------------------------------------------------------------- the walk


def open_app(role: Role, world: World) -> AppTest:
    """The app as this role's browser opens it (not yet run)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if role.sign_in == "secret":
        at.session_state[SECRET_FLAG] = True
    elif role.sign_in == "provider":
        at.secrets["auth"] = AUTH
        email = world.emails[role.name]
        at.user = {"is_logged_in": True, "email": email, "name": f"Net {role.name}"}
    at.query_params.update(base_params(role, world))
    return at


def base_params(role: Role, world: World) -> dict[str, str]:
    if role.visit is Visit.PARTICIPANT:
        return {PARTICIPANT_PARAM: world.participant_tokens[role.workshop]}
    if role.visit is Visit.RESPONDENT:
        return {SURVEY_PARAM: world.survey_link}
    return {}


def current_page(at: AppTest) -> str:
    """The page file the latest run ended on (a page's file name is its name in navigation.py)."""
    info = at._registered_pages.get(at._finished_page_script_hash) or {}
    return Path(str(info.get("script_path") or "?")).stem


def shown_none(box) -> int:
    """How many leading options of a selectbox showing no value stand for that "none" (a placeholder like "— choose one —")."""
    return 1 if box.proto.HasField("default") else 0  # index=None boxes have no default; a None option is drawn first


def choose_index(box, index: int) -> None:
    """Select a selectbox's option by position, as the browser sends it (AppTest's select_index passes the label as the value)."""

    class Chosen(type(box)):
        @property
        def _widget_state(self):
            state = WidgetState()
            state.id = self.id
            state.string_value = self.options[index]
            return state

    box.__class__ = Chosen
    box._value = box.options[index]


def is_switch(node) -> bool:
    """A toggle, or a segmented control: it changes what the page shows (pills are answers, left as drawn)."""
    from streamlit.proto.ButtonGroup_pb2 import ButtonGroup

    if node.type == "toggle":
        return True
    return (
        node.proto.style == ButtonGroup.Style.SEGMENTED_CONTROL and node.proto.click_mode == ButtonGroup.ClickMode.SINGLE_SELECT
    )


def view(at: AppTest) -> tuple:
    """Which view of its page a state shows: its segmented controls' choices (a button pressed in one view is pressed again in another)."""
    return tuple(
        (ident(node), *node.formatted_values)
        for node, _path in containers(at._tree)
        if getattr(node, "type", "") == "button_group" and not node.form_id and is_switch(node)
    )


def switch_values(node) -> list[str]:
    if node.type == "toggle":
        return ["on" if node.value else "off"]
    return list(node.formatted_values)


def flip(node, index: int) -> None:
    """Show another view: a toggle the other way, or a segmented control's option `index` (sent as the browser sends it)."""
    if node.type == "toggle":
        node.set_value(not node.value)
        return

    class Chosen(type(node)):
        @property
        def _widget_state(self):
            state = WidgetState()
            state.id = self.id
            state.string_array_value.data[:] = [self.options[index]]
            return state

    node.__class__ = Chosen
    node._value = node.options[index]


def ident(widget) -> str:
    return widget.key or widget.id


def containers(node, path=()):
    """Every element of the tree with the tabs, expanders, popovers and forms it sits in."""
    if isinstance(node, Block):
        label = None
        if node.type == "tab":
            label = f"tab “{node.label}”"
        elif node.type in ("expander", "status"):
            label = f"expander “{node.label}”"
        elif node.type == "popover":
            label = f"popover “{node.proto.popover.label}”"
        elif node.type == "form":
            label = f"form {node.proto.form.form_id}"
        here = (*path, label) if label else path
        if label:
            yield node, here
        for child in node.children.values():
            yield from containers(child, here)
    else:
        yield node, path


@dataclass
class Tally:
    role: str
    page: str
    runs: int = 0
    fragment_runs: int = 0  # runs that reran only fragments, followed by a full run
    states: list[str] = field(default_factory=list)
    pressed: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    pickers: list[str] = field(default_factory=list)
    switched: list[str] = field(default_factory=list)  # other views of a segmented control or a toggle
    refusals: list[str] = field(default_factory=list)  # what the app refused (INFO): expected, listed for a reader
    skipped: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # tabs, expanders, popovers and forms, with what they hold
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def record(self) -> list[str]:
        """Everything the walk did, a line each: what MUST_REACH looks for, and what the summary file lists."""
        return [
            *(f"state {s}" for s in self.states),
            *(f"pressed {p}" for p in self.pressed),
            *(f"form {f}" for f in self.forms),
            *(f"download {d}" for d in self.downloads),
            *(f"picked {p}" for p in self.pickers),
            *(f"switched {p}" for p in self.switched),
            *(f"skipped {s}" for s in self.skipped),
            *(f"disabled {d}" for d in self.disabled),
            *(f"inside {c}" for c in sorted(self.seen)),
            *(f"refused {r}" for r in self.refusals),
            *(f"FAILED {f}" for f in self.failures),
        ]

    def line(self) -> str:
        return (
            f"{self.role:<16} {self.page:<15} {self.seconds:5.1f}s runs={self.runs:<3} fragment-only={self.fragment_runs:<2} states={len(self.states):<2} "
            f"buttons={len(self.pressed):<3} (forms {len(self.forms)}) downloads={len(self.downloads):<2} "
            f"pickers={len(self.pickers)} switches={len(self.switched)} containers={len(self.seen):<3} skipped={len(self.skipped)} "
            f"disabled={len(self.disabled)} failures={len(self.failures)}"
        )


@dataclass(frozen=True)
class Control:
    label: str
    press: Callable[[], object]
    key: str = ""
    switch: bool = False  # another view of a segmented control or a toggle, not a button


class Net:
    """Walks one role's page: opens it, then presses every button it draws, one at a time, checking after each."""

    def __init__(self, role: Role, page: str, world: World, media: Media, records: Records) -> None:
        self.role, self.page, self.world, self.media, self.records = role, page, world, media, records
        self.tally = Tally(role.name, page)
        self.pressed: dict[tuple, set[str]] = {}
        self.fetched: set[tuple] = set()
        self.visited: set[tuple] = set()
        self.where = "the first page"  # the page the walk is on, for the failures it records

    # ---- running and checking

    def run(self, at: AppTest, doing: str) -> bool:
        self.tally.runs += 1
        try:
            at.run()
        except Exception as exc:  # noqa: BLE001 - a run that does not finish is a failure of the page
            self.fail(doing, f"the run did not finish: {type(exc).__name__}: {exc}")
            return False
        at._page_hash = ""  # stay where this run ended, as a browser does (AppTest would go back to the switched-to page)
        self.check(at, doing)
        if current_page(at) == "?":
            # Only fragments reran (a callback's st.rerun(fragments)): AppTest's tree holds just them, the browser
            # still shows the rest. A full run draws the page as the person sees it now.
            self.tally.fragment_runs += 1
            return self.run(at, f"{doing}, then the whole page")
        return True

    def check(self, at: AppTest, doing: str) -> None:
        for e in at.exception:
            self.fail(doing, f"exception on the page: {e.message}\n" + "\n".join(e.stack_trace[-12:]))
        for e in at.error:
            said = unescape(e.value)  # as the person reads it: typed text in it is escaped Markdown
            if CATCH_ALL.search(said):
                self.fail(doing, f"catch-all sentence: {said}")
            elif REFUSED.search(said):
                self.fail(doing, f"refused on a page this role may see: {said}")
        for text in self.records.refusals:
            self.tally.refusals.append(f"{self.where}: {doing}: {text}")
        self.records.refusals.clear()
        for text in self.records.take():
            self.fail(doing, text)

    def fail(self, doing: str, what: str) -> None:
        self.tally.failures.append(f"[{self.role.name} › {self.page}] {doing} (on {self.where}): {what}")

    def state(self, at: AppTest) -> tuple:
        params = tuple(sorted((k, str(v)) for k, v in at.query_params.items() if k not in VOLATILE_PARAMS))
        return current_page(at), params

    # ---- the walk

    def walk(self) -> Tally:
        at = open_app(self.role, self.world)
        if not self.run(at, "opening the app"):
            return self.tally
        if current_page(at) != self.page:
            at.switch_page(page_path(self.page))
            if not self.run(at, f"opening {self.page} from the menu"):
                return self.tally
        self.explore(at, self.settle(at), depth=0)
        return self.tally

    def settle(self, at: AppTest) -> tuple:
        """Choose the first item of a box that offers a choice but shows none (a workshop picker), as a person would."""
        tried: set[str] = set()
        while True:
            box = next(
                (
                    node
                    for node, _path in containers(at._tree)
                    if getattr(node, "type", "") == "selectbox"
                    and not node.form_id
                    and not node.disabled
                    and node.value is None
                    and ident(node) not in tried
                    and len(node.options) > shown_none(node)
                ),
                None,
            )
            if box is None:
                return self.state(at)
            tried.add(ident(box))
            index = shown_none(box)  # the first option after the one that means "none"
            self.tally.pickers.append(f"{self.where}: {box.label} → {box.options[index]}")
            choose_index(box, index)
            self.run(at, f"choosing {box.options[index]!r} in {box.label!r}")

    def observe(self, at: AppTest, state: tuple) -> None:
        """Note the containers, and fetch and parse each download of this state once."""
        for node, path in containers(at._tree):
            if isinstance(node, Block):
                self.tally.seen.add(" › ".join(path))
                continue
            if getattr(node, "type", "") != "download_button":
                continue
            key = (state, view(at), ident(node))
            if key in self.fetched:
                continue
            self.fetched.add(key)
            kind = "deferred" if node.proto.deferred_file_id else "eager"
            try:
                name, data = self.media.fetch(node)
                what = check_file(name, data)
            except Exception as exc:  # noqa: BLE001 - a file that cannot be had or read (bad zip, bad UTF-8…) is a failure
                self.fail(f"downloading {node.label!r} ({kind})", f"{type(exc).__name__}: {exc}")
                continue
            self.tally.downloads.append(f"{state[0]}: {node.label} ({kind}) → {name}: {what}")
        for text in self.records.take():  # a deferred build logs before it fails
            self.fail("downloading", text)

    def next_control(self, at: AppTest, state: tuple) -> Control | None:
        """The next thing to press on this page state: a button, else another view of a switch (segmented control, toggle)."""
        done = self.pressed.setdefault((state, view(at)), set())
        switches = []
        for node, path in containers(at._tree):
            kind = getattr(node, "type", "")
            where = f" (in {' › '.join(path)})" if path else ""
            if kind in ("toggle", "button_group") and not node.form_id and is_switch(node):
                switches.append((node, where))
            if kind not in ("button", "download_button") or ident(node) in done:
                continue
            done.add(ident(node))
            label = f"{node.label}{where}"
            if node.key in SKIP:
                self.tally.skipped.append(f"{state[0]}: {label}: {SKIP[node.key]}")
                continue
            if node.disabled:
                self.tally.disabled.append(f"{state[0]}: {label}")
                continue
            return Control(label, node.click, node.key or "")
        for node, where in switches:  # once the buttons are done: each other view, whose buttons are then pressed too
            for index, option in enumerate(node.options if node.type == "button_group" else ("on", "off")):
                choice = f"{ident(node)}={option}"
                if choice in done or node.disabled or option in switch_values(node):
                    continue
                done.add(choice)
                label = f"{node.label or ident(node)} → {option}{where}"
                return Control(label, lambda node=node, index=index: flip(node, index), switch=True)
        return None

    def explore(self, at: AppTest, state: tuple, depth: int) -> None:
        self.visited.add(state)
        self.tally.states.append(f"{state[0]}?{'&'.join(f'{k}={v}' for k, v in state[1])}")
        self.where = state[0]
        self.observe(at, state)
        presses = 0
        while presses < MAX_PRESSES:
            control = self.next_control(at, state)
            if control is None:
                return
            presses += 1
            (self.tally.switched if control.switch else self.tally.pressed).append(f"{state[0]}: {control.label}")
            if control.key.startswith("FormSubmitter:"):
                self.tally.forms.append(f"{state[0]}: {control.key.removeprefix('FormSubmitter:')}")
            control.press()
            if not self.run(at, f"pressing {control.label!r}"):
                return
            after = self.state(at)
            if after != state:
                if depth < MAX_DEPTH and after not in self.visited:
                    self.explore(at, self.settle(at), depth + 1)
                if not self.back_to(at, state):
                    return
            else:
                self.observe(at, state)
        self.fail("pressing", f"more than {MAX_PRESSES} buttons on one page: the walk stopped")

    def back_to(self, at: AppTest, state: tuple) -> bool:
        """Go back to a page state by the menu and the address, as a person would."""
        self.where = state[0]
        page, params = state
        at.query_params.clear()
        at.query_params.update(dict(params))
        at.switch_page(page_path(page))
        if not self.run(at, f"going back to {page}"):
            return False
        reached = self.settle(at)
        if reached != state:
            self.fail(f"going back to {page}", f"landed on {reached}")
            return False
        return True
