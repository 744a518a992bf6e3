"""Reports a leader takes to a meeting: one HTML file that opens anywhere, with the charts as images and the numbers."""

from __future__ import annotations

import base64
import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest

from maturity.services import demo, leaders, reports
from maturity.services import workshops as ws
from maturity.services.consensus import record_consensus
from maturity.services.errors import NotFound
from maturity.services.summary import workshop_summary

TODAY = date(2026, 11, 21)


class Page(HTMLParser):
    """Collects what a reader of the file would see: text, images and any script."""

    def __init__(self, html: str):
        super().__init__()
        self.text: list[str] = []
        self.images: list[str] = []
        self.scripts = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)

    @property
    def body(self) -> str:
        return " ".join(" ".join(self.text).split())


def png(src: str) -> bytes:
    assert src.startswith("data:image/png;base64,")
    data = base64.b64decode(src.split(",", 1)[1])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


@pytest.fixture
def demo_db(db_url, builtin_catalog):
    demo.load_demo(db_url, catalog=builtin_catalog, today=TODAY)
    return db_url


def test_a_team_report_holds_the_teams_numbers_and_the_charts(demo_db, builtin_catalog):
    finance = next(t.id for t in ws.list_teams(demo_db) if t.name == "Finance")
    filters = leaders.Filters("data-maturity", (finance,))
    report = reports.period_report(demo_db, builtin_catalog, filters, min_size=5, today=TODAY)
    page = Page(report.html)
    assert report.file_name == "maturity-report-finance-2026-11-21.html"
    assert page.scripts == 0
    assert len(page.images) == 6  # heatmap, trends, flow, effect, per segment, room vs survey
    assert all(len(png(src)) > 2_000 for src in page.images)

    # the team's latest consensus → target per segment, as the heatmap's table shows it
    history = leaders.consensus_history(demo_db, filters)
    latest = history.sort_values("held_on").groupby("segment_id").tail(1)
    for row in latest.itertuples():
        segment = builtin_catalog.models["data-maturity"].segment(row.segment_id).name
        assert segment in page.body
    cells = re.findall(r"<td>(\d → \d)</td>", report.html)
    assert sorted(cells) == sorted(f"{r.level:g} → {r.target:g}" for r in latest.itertuples())
    follow = leaders.follow_through(demo_db, history, filters, min_size=5, today=TODAY)
    assert f"{int(follow.flow['done'].sum())} action(s) done" in page.body
    assert "Legal & Compliance" not in page.body and "Marketing" not in page.body


def test_the_organisation_report_protects_the_small_team(demo_db, builtin_catalog):
    report = reports.period_report(demo_db, builtin_catalog, leaders.Filters("data-maturity"), min_size=5, today=TODAY)
    page = Page(report.html)
    assert "Anonymity: 1 team(s) with fewer than 5 participants are left out." in page.body
    assert "Legal & Compliance" not in page.body
    assert "Operations" in page.body and "stuck segment(s)" in page.body


def test_a_chart_that_cannot_be_drawn_leaves_a_sentence_and_keeps_the_tables(demo_db, builtin_catalog, monkeypatch):
    import vl_convert

    def broken(*args, **kwargs):
        raise RuntimeError("renderer unavailable")

    monkeypatch.setattr(vl_convert, "vegalite_to_png", broken)
    report = reports.period_report(demo_db, builtin_catalog, leaders.Filters("data-maturity"), min_size=5, today=TODAY)
    page = Page(report.html)
    assert not page.images
    assert page.body.count("could not be drawn (RuntimeError); the table has its numbers") == 6
    assert "Stuck segments" in page.body and "Quarter" in page.body


def test_a_workshop_report_escapes_what_people_typed(db_url, builtin_catalog, dmm):
    team = ws.get_or_create_team(db_url, "<script>alert(1)</script> team")
    workshop = ws.create_workshop(
        db_url, team_id=team.id, model=dmm, segment_ids=["data-strategy", "skills"], title="Q4 <b>review</b>"
    )
    record_consensus(
        db_url, workshop_id=workshop.id, segment_id="data-strategy", level=1, target_level=3, notes='=HYPERLINK("x") <img src=x>'
    )
    report = reports.workshop_report(db_url, builtin_catalog, workshop.id)
    page = Page(report.html)
    assert page.scripts == 0 and len(page.images) == 1 and png(page.images[0])
    assert "<b>review</b>" not in report.html and "&lt;b&gt;review&lt;/b&gt;" in report.html
    assert "<img src=x>" not in report.html
    assert workshop_summary(db_url, workshop.id).recorded == 1
    assert "1 of 2 segments recorded" in page.body


def test_an_empty_scope_and_an_unknown_model(db_url, builtin_catalog):
    report = reports.period_report(db_url, builtin_catalog, leaders.Filters("data-maturity"), min_size=5, today=TODAY)
    assert "No workshop in this scope recorded a consensus yet." in Page(report.html).body
    with pytest.raises(NotFound, match="not in the content library"):
        reports.period_report(db_url, builtin_catalog, leaders.Filters("no-such-model"), min_size=5, today=TODAY)


def test_a_report_on_a_small_team_alone_shows_none_of_its_levels(demo_db, builtin_catalog):
    legal = next(t.id for t in ws.list_teams(demo_db) if t.name == "Legal & Compliance")
    report = reports.period_report(demo_db, builtin_catalog, leaders.Filters("data-maturity", (legal,)), min_size=5, today=TODAY)
    page = Page(report.html)
    assert "Anonymity: 1 team(s) with fewer than 5 participants are left out." in page.body
    assert "no line is drawn (anonymity)" in page.body
    assert not re.findall(r"<td>\d → \d</td>", report.html)  # no cell of the standing grid
    assert "Between workshops, segments with an action done moved" not in page.body  # no level steps either


def test_a_table_behind_a_chart_exports_as_plain_safe_cells():
    from maturity.services.exports import frame_rows, to_csv

    frame = pd.DataFrame(
        {"team": ["=Finance", "Ops"], "level": [2.3456, float("nan")], "n": [3, 4], "on": pd.to_datetime(["2026-01-15", None])}
    )
    header, rows = frame_rows(frame)
    assert header == ["team", "level", "n", "on"]
    assert rows == [["=Finance", 2.35, 3, date(2026, 1, 15)], ["Ops", "", 4, ""]]
    assert type(rows[0][2]) is int  # not numpy's, which a spreadsheet writer does not know
    assert to_csv(header, rows).decode("utf-8-sig").splitlines()[1] == "'=Finance,2.35,3,2026-01-15"
