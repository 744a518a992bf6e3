"""The pieces every report is made of: a printable page, tables, and charts drawn to embedded PNG images.

Charts are drawn by vl-convert (no browser, no network) and embedded as data: images, so the file
opens anywhere, prints well and runs no script. Every piece of text is escaped on the way in.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd

from maturity.domain.typed import without_bidi_controls

log = logging.getLogger(__name__)


def e(text: object, quote: bool = True) -> str:
    """Text for HTML: escaped, and without the controls that would reorder the line (maturity/domain/typed.py)."""
    return html.escape(without_bidi_controls(text), quote=quote)


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 70rem; color: #111; line-height: 1.4; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #1d4ed8; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
p.meta { color: #444; margin-top: 0; } p.note { color: #555; font-size: .9rem; }
ul.headline li { margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .6rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f4f6; } th.num { text-align: right; } table.grid { font-size: .72rem; table-layout: fixed; } table.grid td, table.grid th { padding: .2rem; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: .8rem 0; } figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: .85rem; }
.missing { border: 1px dashed #999; padding: .6rem; color: #555; }
.bar { display: inline-block; height: .7rem; background: #b45309; }
@media print { body { margin: 1cm; max-width: none; } h2 { break-before: auto; } figure, table { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class Report:
    html: str
    file_name: str


IMAGE_SCALE = 2  # pixels per CSS pixel: sharp on paper and on high-density screens


def chart_figure(chart: alt.TopLevelMixin, caption: str) -> str:
    """The chart as an embedded PNG with a caption, or a sentence saying why it is missing.

    PNG rather than SVG: vl-convert lays text out with its own fonts, and an SVG shown by a browser
    with other fonts lets labels spill over the edges. Nothing outside the spec is fetched."""
    try:
        import vl_convert

        png = vl_convert.vegalite_to_png(chart.to_dict(), scale=IMAGE_SCALE, allowed_base_urls=[])
    except Exception as exc:  # noqa: BLE001 - a report is still worth having without one picture; the log says why
        log.warning("the chart %r could not be drawn for a report", caption, exc_info=exc)
        return f'<p class="missing">The chart “{e(caption)}” could not be drawn ({e(type(exc).__name__)}); the table has its numbers.</p>'
    width = int.from_bytes(png[16:20], "big") // IMAGE_SCALE  # from the PNG header
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{e(caption)}" width="{width}" src="data:image/png;base64,{data}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def table_html(frame: pd.DataFrame, *, numbers: Sequence[str] = (), digits: int = 1, css: str = "") -> str:
    """A plain HTML table; `numbers` columns are right-aligned and rounded."""
    if frame.empty:
        return '<p class="note">Nothing to show for this scope.</p>'
    head = "".join(f'<th class="num">{e(str(c))}</th>' if c in numbers else f"<th>{e(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            if column in numbers:
                text = (
                    ""
                    if pd.isna(value)
                    else (f"{value:.{digits}f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value))
                )
                cells.append(f'<td class="num">{e(text)}</td>')
            elif isinstance(value, pd.Timestamp | date):
                cells.append(f"<td>{value:%d %b %Y}</td>")
            else:
                cells.append(f"<td>{e('' if value is None or value is pd.NA else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>"
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "report"
