"""Exports that are safe to open: CSV that Excel will not execute, HTML that escapes all text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import select

from maturity.content.definitions import ModelDefinition
from maturity.domain.roles import Permission
from maturity.services.authz import requires
from maturity.services.report_html import e  # escaped, and without bidi controls
from maturity.services.summary import WorkshopSummary
from maturity.storage.engine import read_session
from maturity.storage.tables import Participant, Round, Vote

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _segment_name(model: ModelDefinition | None, segment_id: str) -> str:
    segment = model.segment(segment_id) if model else None
    return segment.name if segment else segment_id


def consensus_csv(summary: WorkshopSummary, model: ModelDefinition | None) -> bytes:
    header = [
        "segment",
        "consensus",
        "target",
        "gap",
        "confidence",
        "rule",
        "voters",
        "level_votes",
        "dont_know",
        "median",
        "lowest",
        "highest",
        "notes",
        "evidence",
    ]
    rows = []
    for s in summary.segments:
        c, first = s.consensus, s.first
        rows.append(
            [
                _segment_name(model, s.segment_id),
                c.level if c else "", c.target_level if c and c.target_level is not None else "",
                c.gap if c and c.gap is not None else "", c.confidence if c else "", c.rule if c else "",
                (first.votes + first.dont_know) if first else 0, first.votes if first else 0, first.dont_know if first else 0,
                first.median if first and first.median is not None else "",
                first.lowest if first and first.lowest is not None else "",
                first.highest if first and first.highest is not None else "",
                c.notes if c else "", c.evidence if c else "",
            ]
        )  # fmt: skip
    return to_csv(header, rows)


@requires(Permission.VIEW_WORKSHOPS)
def votes_csv(url: str, workshop_id: int, model: ModelDefinition | None) -> bytes:
    """Every revealed vote with the participant replaced by a number: no names, no tokens."""
    with read_session(url) as session:
        people = session.exec(select(Participant.id).where(Participant.workshop_id == workshop_id).order_by(Participant.id)).all()
        number = {pid: f"P{i}" for i, pid in enumerate(people, start=1)}
        rows = session.exec(
            select(Round.segment_id, Round.number, Vote.participant_id, Vote.level)
            .join(Vote, Vote.round_id == Round.id)
            .where(Round.workshop_id == workshop_id, Round.status == "revealed")
            .order_by(Round.id, Vote.participant_id)
        ).all()
    return to_csv(
        ["segment", "round", "participant", "level"],
        ([_segment_name(model, seg), n, number[pid], "don't know" if level is None else level] for seg, n, pid, level in rows),
    )


def summary_html(summary: WorkshopSummary, model: ModelDefinition | None, figures: Sequence[str] = ()) -> str:
    """A self-contained page that prints well: every piece of text escaped, no scripts.

    `figures` are ready HTML blocks (charts as embedded images, see services.reports) shown above the table."""
    w = summary.workshop
    level_label = {lv.value: lv.label for lv in model.levels} if model else {}

    def label(value):
        return "" if value is None else e(f"{value} {level_label.get(value, '')}".strip())

    rows = []
    for s in summary.segments:
        c, first = s.consensus, s.first
        spread = f"{first.lowest}–{first.highest}" if first and first.lowest is not None else "—"
        conv = s.convergence
        moved = "" if conv is None else f"{conv.spread_before} → {conv.spread_after}"
        gap = c.gap if c and c.gap is not None else None
        bar = f'<span class="bar" style="width:{gap * 18}px"></span> {gap}' if gap else ("0" if gap == 0 else "—")
        rows.append(
            f"<tr><td>{e(_segment_name(model, s.segment_id))}</td><td>{label(c.level) if c else '—'}</td>"
            f"<td>{label(c.target_level) if c else '—'}</td><td>{bar}</td><td>{e(c.confidence) if c else ''}</td>"
            f"<td>{(first.votes + first.dont_know) if first else 0}</td><td>{spread}</td><td>{e(moved)}</td>"
            f"<td>{e(c.notes) if c else ''}</td></tr>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(w.title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #111; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }} p.meta {{ color: #444; margin-top: 0; }}
table {{ border-collapse: collapse; width: 100%; font-size: .95rem; }}
th, td {{ border-bottom: 1px solid #ccc; padding: .4rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }} .bar {{ display: inline-block; height: .7rem; background: #b45309; }}
figure {{ margin: .8rem 0; }} figure img {{ max-width: 100%; height: auto; }} figcaption {{ color: #555; font-size: .85rem; }}
@media print {{ body {{ margin: 1cm; }} figure, tr {{ break-inside: avoid; }} }}
</style></head><body>
<h1>{e(w.title)}</h1>
<p class="meta">{e(w.team_name)} · {e(model.name if model else w.model_id)} · {w.held_on:%d %B %Y} ·
{w.participants} participant(s) · consensus rule: {e(w.consensus_rule)} · {summary.recorded} of {len(summary.segments)} segments recorded</p>
{"".join(figures)}
<table><thead><tr><th>Segment</th><th>Consensus</th><th>Target</th><th>Gap</th><th>Confidence</th>
<th>Votes</th><th>Range</th><th>Spread, 1st → 2nd vote</th><th>Notes</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>"""


def frame_rows(frame) -> tuple[list[str], list[list]]:
    """A DataFrame as a header and plain rows for to_csv/to_xlsx: dates, numbers and blanks a spreadsheet knows."""
    import pandas as pd

    def plain(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp):
            return value.date()
        if hasattr(value, "item"):  # numpy numbers, which spreadsheets do not know
            value = value.item()
        return round(value, 2) if isinstance(value, float) else value

    return [str(c) for c in frame.columns], [[plain(v) for v in row] for row in frame.itertuples(index=False)]


def to_xlsx(sheet: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """An Excel workbook where text stays text: nothing typed by a person becomes a formula or a link."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "remove_timezone": True}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet.write_row(0, 0, list(header), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, str):
                worksheet.write_string(r, c, value)
            elif hasattr(value, "year"):
                worksheet.write_datetime(
                    r, c, value if hasattr(value, "hour") else datetime.combine(value, datetime.min.time()), dates
                )
            elif value is None:
                worksheet.write_blank(r, c, None)
            else:
                worksheet.write(r, c, value)
    worksheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
