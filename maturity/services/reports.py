"""Reports to take to a meeting: one self-contained HTML file with the charts as images and the tables.

Charts are drawn to PNG by vl-convert (no browser, no network) and embedded as data: images, so the
file opens anywhere, prints well and runs no script. Every piece of user text is escaped. A chart
that cannot be drawn is replaced by a sentence; its numbers are still in the table beside it.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd

from maturity import charts
from maturity.content.catalog import Catalog
from maturity.services import leaders
from maturity.services.errors import NotFound
from maturity.services.exports import summary_html
from maturity.services.summary import workshop_summary
from maturity.services.workshops import list_teams

e = html.escape

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
    except Exception as exc:  # a report is still worth having without one picture
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


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{STYLE}</style></head><body>\n{body}\n</body></html>"
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "report"


# --------------------------------------------------------------------------- one workshop


def workshop_report(url: str, catalog: Catalog, workshop_id: int) -> Report:
    """The workshop summary (consensus, target, gap, spread, notes per segment) with its chart."""
    summary = workshop_summary(url, workshop_id)
    model = catalog.models.get(summary.workshop.model_id)
    figures = []
    if model:
        names = {s.id: s.name for s in model.segments}
        rows = [
            (names.get(s.segment_id, s.segment_id), s.consensus.level, s.consensus.target_level)
            for s in summary.segments
            if s.consensus
        ]
        if rows:
            figures.append(chart_figure(charts.summary_chart(model, rows), "Consensus (circle) and target (diamond) per segment"))
    page = summary_html(summary, model, figures=figures)
    w = summary.workshop
    return Report(page, f"workshop-{_slug(w.team_name)}-{w.held_on:%Y-%m-%d}.html")


# --------------------------------------------------------------------------- a team or the organisation over a period


def period_report(url: str, catalog: Catalog, filters: leaders.Filters, *, min_size: int, today: date | None = None) -> Report:
    """Where the teams stand, how they moved, whether the actions got done, and how the room compares with the survey."""
    today = today or date.today()
    model = catalog.models.get(filters.model_id)
    if model is None:
        raise NotFound(f"The maturity model “{filters.model_id}” is not in the content library.")
    team_names = {t.id: t.name for t in list_teams(url)}
    scope = filters.describe(team_names)
    names = {s.id: s.name for s in model.segments}
    order = [s.name for s in model.segments]

    history = leaders.consensus_history(url, filters)
    standing = leaders.standing(history, min_size)
    actions = leaders.action_dates(url, filters)
    follow = leaders.follow_through(url, history, filters, today=today)
    perception = leaders.perception(url, catalog, model, history, filters, min_size=min_size)

    title = f"Data maturity report — {model.name}"
    parts = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{e(scope)} · generated {today:%d %B %Y} · {history["workshop_id"].nunique()} workshop(s), '
        f"{len(set(standing.cells['team']))} team(s) shown</p>",
    ]
    if history.empty:
        parts.append('<p class="note">No workshop in this scope recorded a consensus yet.</p>')
        return Report(_page(title, "\n".join(parts)), _file_name(scope, today))

    parts.append(_headline(standing, follow, names))

    # where we stand
    cells = standing.cells.assign(segment=standing.cells["segment_id"].map(names))
    teams_order = sorted(set(cells["team"]), key=lambda t: (t == "Smaller teams", t))
    parts += [
        "<h2>Where we stand</h2>",
        chart_figure(
            charts.heatmap_chart(cells, model, order, teams_order),
            "Latest consensus → target per team and segment; colour = gap to target; thick outline = stuck "
            f"(no rise for {leaders.trends.STUCK_AFTER} workshops in a row, below target)",
        ),
    ]
    if standing.protected.note:
        parts.append(f'<p class="note">Anonymity: {e(standing.protected.note)}</p>')
    grid = cells.assign(
        cell=[f"{lv:g} → {tg:g}" if pd.notna(tg) else f"{lv:g}" for lv, tg in zip(cells["level"], cells["target"], strict=True)]
    )
    wide = grid.pivot_table(index="team", columns="segment", values="cell", aggfunc="first").reindex(
        columns=[o for o in order if o in set(grid["segment"])]
    )
    parts.append(table_html(wide.reset_index().rename(columns={"team": "Team"}), css="grid"))
    if len(standing.stuck):
        stuck = standing.stuck.assign(segment=standing.stuck["segment_id"].map(names))
        parts += [
            "<h3>Stuck segments</h3>",
            table_html(
                stuck[["team", "segment", "level", "target", "since", "workshops"]].rename(
                    columns={
                        "team": "Team",
                        "segment": "Segment",
                        "level": "Level",
                        "target": "Target",
                        "since": "Flat since",
                        "workshops": "Workshops without a rise",
                    }  # fmt: skip
                ),
                numbers=("Level", "Target", "Workshops without a rise"),
                digits=0,
            ),
        ]

    # trends
    points = leaders.trend_points(history, actions, model, filters, by="segment", min_size=min_size)
    sections = leaders.trend_points(history, actions, model, filters, by="section", min_size=min_size)
    parts += [
        "<h2>How the levels moved</h2>",
        chart_figure(
            charts.trend_chart(charts.trend_frame(points.points, points.done), model, points.panels),
            "Consensus per segment over time (solid), target (dashed), actions done (green lines)",
        ),
    ]
    table = sections.points.assign(when=sections.points["held_on"].dt.strftime("%b %Y"))
    wide = table.pivot_table(index=["series", "when", "held_on"], columns="panel", values="level").reset_index()
    wide = wide.sort_values(["series", "held_on"]).drop(columns="held_on").rename(columns={"series": "Who", "when": "When"})
    parts += ["<h3>Section averages</h3>", table_html(wide, numbers=tuple(sections.panels))]
    if points.hidden_workshops:
        parts.append(
            f'<p class="note">{points.hidden_workshops} workshop(s) with fewer than {min_size} participants are left out of the team lines.</p>'
        )

    # follow-through
    per_segment = follow.per_segment.assign(segment=follow.per_segment["segment_id"].map(names))
    parts += [
        "<h2>Are the actions getting done, and are they working?</h2>",
        chart_figure(
            charts.flow_chart(follow.flow), "Actions opened and done per quarter; red line: overdue at the quarter's end"
        ),
        table_html(
            follow.flow[["quarter", "opened", "done", "overdue"]].rename(columns=str.capitalize),
            numbers=("Opened", "Done", "Overdue"),
        ),
    ]
    if follow.effect.rows:
        parts.append(chart_figure(charts.effect_chart(follow.effect.rows), "Average level change between consecutive workshops"))
    if len(per_segment):
        parts += [
            chart_figure(
                charts.segment_follow_chart(per_segment, order), "Per segment: actions done, and the level change per team"
            ),
            table_html(
                per_segment[["segment", "actions_done", "change", "teams"]].rename(
                    columns={
                        "segment": "Segment",
                        "actions_done": "Actions done",
                        "change": "Level change per team",
                        "teams": "Teams",
                    }
                ),
                numbers=("Actions done", "Level change per team", "Teams"),
                digits=2,
            ),
        ]

    # room vs organisation
    parts.append("<h2>The room and the wider organisation</h2>")
    if len(perception.rows):
        rows = perception.rows.assign(segment=perception.rows["segment_id"].map(names))
        parts += [
            chart_figure(
                charts.perception_chart(rows, model, order), "Workshop consensus beside the survey score on the same ladder"
            ),
            table_html(
                rows[["segment", "room", "survey", "difference", "source"]].rename(
                    columns={
                        "segment": "Segment",
                        "room": "Workshop",
                        "survey": "Survey",
                        "difference": "Difference",
                        "source": "Survey wave",
                    }
                ),
                numbers=("Workshop", "Survey", "Difference"),
                digits=2,
            ),
            f'<p class="note">{perception.unmapped} segment(s) have no survey question mapped to them.</p>',
        ]
    else:
        parts.append(
            '<p class="note">No survey wave in this period maps questions to this model with enough responses to show.</p>'
        )
    return Report(_page(title, "\n".join(parts)), _file_name(scope, today))


def _file_name(scope: str, today: date) -> str:
    """maturity-report-<teams>-<day it was made>.html: the period is inside the file, the teams say which one it is."""
    return f"maturity-report-{_slug(scope.split(' · ')[0])}-{today:%Y-%m-%d}.html"


def _headline(standing: leaders.Standing, follow: leaders.FollowThrough, names: dict[str, str]) -> str:
    """Three sentences a leader can read out: who is stuck where, what got done, whether it moved the levels."""
    items = []
    if len(standing.stuck):
        by_team = standing.stuck.groupby("team")["segment_id"].apply(lambda s: ", ".join(names.get(x, x) for x in s))
        items.append(
            f"<b>{len(standing.stuck)} stuck segment(s)</b> (no rise for {leaders.trends.STUCK_AFTER}+ workshops, below target): "
            + "; ".join(f"{e(team)} — {e(segments)}" for team, segments in by_team.items())
        )
    else:
        items.append("No team is stuck: every segment below its target rose in the last few workshops.")
    flow = follow.flow
    if len(flow):
        items.append(
            f"<b>{int(flow['done'].sum())} action(s) done</b> and {int(flow['opened'].sum())} opened in the period; "
            f"{int(flow['overdue'].iloc[-1])} overdue now."
        )
    effect = follow.effect
    if effect.with_actions is not None and effect.without_actions is not None:
        items.append(
            f"Between workshops, segments with an action done moved <b>{effect.with_actions:+.2f}</b> levels on average "
            f"({effect.steps_with} steps), against {effect.without_actions:+.2f} without ({effect.steps_without} steps)."
        )
    return '<ul class="headline">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
