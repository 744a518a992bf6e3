"""Whatever people type stays text, on every page, in every report and e-mail (issue 18).

Two checks:
- a static one: no Markdown place in maturity/ui or app.py is handed an f-string, a concatenation,
  a `%`, a `.format()` or a `.join()` (pages build Markdown with maturity.ui.text.md, which escapes
  every value), so a page cannot splice a typed value in by hand;
- a table-driven one: the net's world (the demo plus open workshops and campaigns) has every
  column people type into overwritten with hostile values (Markdown links, emphasis and headings,
  HTML, javascript:, formula prefixes, a right-to-left override, a 10,000-character string, line
  breaks), and every page of every role is drawn through AppTest. No Markdown place (bodies,
  labels, tooltips, radio options, pills, tabs, expanders, progress texts) may hold a hostile
  value raw, no plain place (selectbox options, dataframes, st.text) may show its escapes, and
  every hostile column must have been shown somewhere, so the check cannot pass by drawing nothing.
  The reports and the reminder e-mail get the same values.

tests/browser/test_typed_text_browser.py looks at what Streamlit's renderer makes of them.
"""

from __future__ import annotations

import ast
import email
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from maturity.domain.names import name_key
from maturity.ui.text import typed, unescape
from tests import net

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- the static check

BODY_PLACES = {"markdown", "caption", "write", "title", "header", "subheader", "info", "success", "warning", "error", "toast", "badge"}
LABEL_PLACES = {
    "button", "download_button", "link_button", "page_link", "expander", "popover", "status", "metric", "checkbox",
    "toggle", "radio", "selectbox", "multiselect", "pills", "segmented_control", "select_slider", "slider", "text_input",
    "text_area", "number_input", "date_input", "time_input", "file_uploader", "form_submit_button", "progress", "spinner",
    "tabs", "download_ui", "page_link_ui", "color_picker", "camera_input", "feedback",
}  # fmt: skip
TEXT_KEYWORDS = {"body", "label", "text", "help", "caption"}


def _spliced(node: ast.expr) -> str | None:
    """How an argument splices text by hand, or None."""
    if isinstance(node, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in node.values):
        return "an f-string"
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return "a + or % of strings"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        if not (node.func.attr == "join" and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "Md"):
            return f"a .{node.func.attr}()"
    if isinstance(node, ast.IfExp):
        return _spliced(node.body) or _spliced(node.orelse)
    return None


def markdown_built_by_hand(root: Path = ROOT) -> list[str]:
    found = []
    for path in [root / "app.py", *sorted((root / "maturity" / "ui").rglob("*.py"))]:
        for call in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(call, ast.Call):
                continue
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in BODY_PLACES | LABEL_PLACES:
                continue
            arguments = [*call.args[: 2 if name == "page_link" else 1]]
            arguments += [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
            for argument in arguments:
                if how := _spliced(argument):
                    where = path.relative_to(root)
                    found.append(f"{where}:{argument.lineno}: st.{name} gets {how}: {ast.unparse(argument)[:90]}")
    return found


def test_no_page_builds_markdown_by_hand():
    found = markdown_built_by_hand()
    assert not found, "build Markdown with maturity.ui.text.md (it escapes every value):\n" + "\n".join(found)


def test_the_static_check_finds_a_spliced_value(tmp_path):
    page = tmp_path / "maturity" / "ui" / "pages" / "bad.py"
    page.parent.mkdir(parents=True)
    page.write_text(
        'st.caption(f"Hello {name}")\nst.button("Go " + name)\nst.markdown(", ".join(names))\n'
        'st.caption(md("{x}", x=1))\nst.markdown(Md("\\n").join(lines))\nst.caption(f"constant")\n'
    )
    (tmp_path / "app.py").write_text("")
    found = markdown_built_by_hand(tmp_path)
    assert [line.split(": st.")[1].split(" gets")[0] for line in found] == ["caption", "button", "markdown"]


# --------------------------------------------------------------------------- the hostile world

LONG = "[x](http://e.x/) " * 600  # 10,200 characters
HOSTILE = [
    "[Click me](https://evil.example/)",
    "**bold** _em_ # Heading",
    "<b>html</b><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '=HYPERLINK("http://x","y")',
    "abc\u202edef",
    "+cmd|' /C calc'!A0",
    LONG,
    "line one\n# not a heading\n    not code",
]
# Raw, any of these in a Markdown place means a hostile value went in unescaped.
MARKERS = ["[Click me](", "**bold**", "<b>html", "http://x", "\u202e", "+cmd|", "[x](http", "\n# not a heading"]

# Every column people type into that a page, a report or an e-mail shows. Team and domain names are unique.
TYPED_COLUMNS = {
    "team": ["name", "description"],
    "workshop": ["title"],
    "participant": ["nickname"],
    "consensus": ["notes", "evidence", "recorded_by"],
    "consensuschange": ["notes", "evidence", "changed_by"],
    "surveycampaign": ["title", "audience"],
    "answer": ["value_text"],
    "person": ["name", "role"],
    "datadomain": ["name", "description", "consumers"],
    "action": ["title", "description"],
    "actionevent": ["by", "comment"],
    "account": ["name"],
    "auditevent": ["actor", "summary"],
}
UNIQUE = {("team", "name"), ("datadomain", "name")}


def tag(table: str, column: str) -> str:
    """A word that survives escaping and says which column a shown value came from."""
    return f"Z{table[:4]}{column[:4]}Z".replace("_", "")


def make_hostile(url: str) -> dict[str, int]:
    """Overwrite every typed column of every row with a tagged hostile value; returns rows changed per column."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    changed: dict[str, int] = {}
    with engine.begin() as connection:
        for table_name, columns in TYPED_COLUMNS.items():
            table = metadata.tables[table_name]
            query = sa.select(table.c.id)
            if table_name == "answer":  # free-text answers only: the others hold option ids and JSON
                query = query.where(table.c.value_text.like("Answer %"))
            rows = connection.execute(query).scalars().all()
            for n, row_id in enumerate(rows):
                values = {}
                for column in columns:
                    width = getattr(table.c[column].type, "length", None)
                    value = f"{tag(table_name, column)} {HOSTILE[(n + len(column)) % len(HOSTILE)]}"
                    if (table_name, column) in UNIQUE:
                        value = f"{value[: (width or 999) - 8]} #{row_id}"
                        values["name_key"] = name_key(value)
                    values[column] = value[:width] if width else value
                connection.execute(table.update().where(table.c.id == row_id).values(**values))
            for column in columns:
                changed[f"{table_name}.{column}"] = len(rows)
        # the reminder e-mail and the audit log read these as JSON: one hostile comment in each
        connection.execute(sa.text("UPDATE actionevent SET changes = :c"), {"c": json.dumps({"title": ["old", HOSTILE[0]]})})
    engine.dispose()
    return changed


@pytest.fixture(scope="module")
def hostile_world(tmp_path_factory) -> net.World:
    world = net.build_world(tmp_path_factory.mktemp("hostile-template"))
    url = world.copy(tmp_path_factory.mktemp("hostile-fill"))
    changed = make_hostile(url)
    from maturity.services import rounds
    from maturity.services import workshops as ws
    from maturity.services.authz import acting_as

    with acting_as(net.NET_ADMIN):  # the screen then shows the segment with a consensus: who recorded it, and its notes
        moved = ws.go_to_segment(url, world.workshops["lock_step"], 2)
        rounds.reveal_round(url, rounds.segment_rounds(url, moved.id, moved.current_segment_id)[0].id)
    assert all(changed[f"{t}.{c}"] for t, cs in TYPED_COLUMNS.items() for c in cs if t != "consensuschange"), changed
    from maturity.storage.engine import dispose_engines

    dispose_engines()
    world.source = url.removeprefix("sqlite:///") if url.startswith("sqlite") else sa.engine.make_url(url).database
    return world


@pytest.fixture
def hostile_db(hostile_world, tmp_path, monkeypatch) -> str:
    from tests import databases

    url = hostile_world.copy(tmp_path)
    monkeypatch.setenv("MATURITY_DB_URL", url)
    yield url
    from maturity.storage.engine import dispose_engines

    dispose_engines()
    databases.release(url)


# --------------------------------------------------------------------------- reading what a page drew

# (proto message, field) pairs Streamlit draws as Markdown; every other string field is plain text.
MARKDOWN_FIELDS = {
    ("Markdown", "body"), ("Heading", "body"), ("Alert", "body"), ("Toast", "body"), ("Progress", "text"),
    ("Radio", "options"), ("Slider", "options"), ("ButtonGroup.Option", "content"), ("Metric", "label"),
    ("Badge", "label"), ("Spinner", "text"),
}  # fmt: skip
MARKDOWN_ANYWHERE = {"label", "help", "tooltip"}  # every widget's label and tooltip; expanders', tabs', popovers' labels


def drawn_strings(at) -> list[tuple[bool, str, str]]:
    """(is Markdown, where, text) for every string of every element and block of the page."""
    found: list[tuple[bool, str, str]] = []

    def visit(message, where: str) -> None:
        descriptor = message.DESCRIPTOR
        outer = descriptor.containing_type
        kind = f"{outer.name}.{descriptor.name}" if outer else descriptor.name
        for field, value in message.ListFields():
            values = value if field.is_repeated else [value]
            for item in values:
                if field.type == field.TYPE_MESSAGE:
                    visit(item, f"{where}.{field.name}")
                elif field.type == field.TYPE_STRING:
                    markdown = (kind, field.name) in MARKDOWN_FIELDS or field.name in MARKDOWN_ANYWHERE
                    found.append((markdown, f"{where}.{field.name}", item))

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", type(node).__name__)
        if kind in ("dataframe", "table"):  # a table's cells are plain text (its data is not a string field)
            frame = node.value
            cells = [str(c) for c in frame.columns] + [str(v) for row in frame.astype(str).itertuples(index=False) for v in row]
            found.extend((False, f"{kind} cell", cell) for cell in cells)
        elif proto is not None and hasattr(proto, "ListFields"):
            visit(proto, kind)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def problems_on(at, where: str, shown: set[str]) -> list[str]:
    problems = []
    for markdown, field, text in drawn_strings(at):
        for marker in MARKERS:
            if markdown and marker in text:
                problems.append(f"{where}: {field} draws {marker!r} as Markdown: {text[:160]!r}")
            elif not markdown and marker != "\u202e" and typed(marker) != marker and typed(marker) in text:
                problems.append(f"{where}: {field} is plain text but shows escapes: {text[:160]!r}")
        read = unescape(text) if markdown else text
        shown.update(re.findall(r"Z[a-z]+Z", read))
    return problems


# --------------------------------------------------------------------------- every page of every role

_shown: set[str] = set()
PAGES = net.role_pages()


@pytest.mark.parametrize(("role", "page"), PAGES, ids=[f"{r}-{p}" for r, p in PAGES])
def test_every_page_draws_typed_text_as_text(role, page, hostile_world, hostile_db):
    walk = net.Net(net.ROLES[role], page, hostile_world, net.Media(), net.Records().attach())
    try:
        at = net.open_app(walk.role, hostile_world)
        assert walk.run(at, "opening the app"), walk.tally.failures
        if net.current_page(at) != page:
            at.switch_page(net.page_path(page))
            assert walk.run(at, f"opening {page}"), walk.tally.failures
        walk.settle(at)
        problems = problems_on(at, f"{role} › {page}", _shown)
        for expander in at.expander:  # AppTest draws closed expanders too: nothing to open
            assert expander.label is not None
    finally:
        walk.records.detach()
    assert not walk.tally.failures, "\n".join(walk.tally.failures)
    assert not problems, "\n".join(problems[:20])


def test_every_typed_column_was_shown_somewhere():
    """Runs after the pages (same module, in order): a column nobody drew proves nothing."""
    if len(_shown) == 0:
        pytest.skip("the page walk did not run (selected alone)")
    expected = {tag(t, c) for t, cs in TYPED_COLUMNS.items() for c in cs}
    # drawn by no page: a consensus' change history (the demo has none), a team's description and a campaign's
    # audience (kept, never shown)
    never_drawn = {tag("consensuschange", c) for c in TYPED_COLUMNS["consensuschange"]}
    never_drawn |= {tag("team", "description"), tag("surveycampaign", "audience")}
    missing = expected - never_drawn - _shown
    assert not missing, f"no page drew these columns: {sorted(missing)}"


# --------------------------------------------------------------------------- reports and e-mails


def test_reports_escape_every_typed_value(hostile_world, hostile_db):
    from maturity.config import builtin_sources
    from maturity.content.catalog import load_catalog
    from maturity.services import leaders, reports
    from maturity.services.authz import acting_as

    catalog = load_catalog(builtin_sources())
    with acting_as(net.NET_ADMIN):
        workshop = reports.workshop_report(hostile_db, catalog, hostile_world.workshops["lock_step"])
        period = reports.period_report(
            hostile_db, catalog, leaders.Filters(model_id="data-maturity", start=date.today() - timedelta(days=3650)), min_size=1
        )
    for report in (workshop, period):
        page = report.html
        assert "<b>html</b>" not in page and "<img src=x" not in page and "\u202e" not in page
        assert "&lt;b&gt;html&lt;/b&gt;" in page or "[Click me](https://evil.example/)" in page
        assert re.search(r"Z(team|work)[a-z]*Z", page), "the report shows no typed name at all"
        net.check_file(report.file_name, page.encode())


def test_the_reminder_e_mail_is_plain_text_with_the_titles_as_typed(hostile_db):
    from maturity.config import SmtpSettings
    from maturity.services import reminders

    smtp = SmtpSettings("localhost", 25, "maturity@example.org")
    digests = reminders.digests(hostile_db, today=date.today() + timedelta(days=400), within_days=7)
    assert digests, "no reminder to look at"
    titles = 0
    for digest in digests:
        message = reminders._message(smtp, digest, public_url="http://maturity.example", feed_link=None)
        parsed = email.message_from_bytes(bytes(message))
        assert [part.get_content_type() for part in parsed.walk() if not part.is_multipart()] == ["text/plain"]
        body = parsed.get_payload(decode=True).decode()
        titles += body.count(tag("action", "title"))
        assert "&lt;" not in body and "\\[" not in body  # plain text: neither HTML- nor Markdown-escaped
    assert titles, "no action title in any reminder"
