"""Reports to take to a meeting: one self-contained HTML file with the charts as images and the tables.

The page, tables and chart images come from report_html; this module decides what goes in them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from maturity import charts
from maturity.content.catalog import Catalog
from maturity.domain import trends
from maturity.domain.roles import Permission
from maturity.services import leaders, perception
from maturity.services.authz import requires
from maturity.services.errors import NotFound
from maturity.services.exports import summary_html
from maturity.services.report_html import Report, chart_figure, e, slug, table_html
from maturity.services.report_html import page as page_html
from maturity.services.summary import workshop_summary
from maturity.services.workshops import list_teams

# --------------------------------------------------------------------------- one workshop


@requires(Permission.VIEW_WORKSHOPS)
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
    return Report(page, f"workshop-{slug(w.team_name)}-{w.held_on:%Y-%m-%d}.html")


# --------------------------------------------------------------------------- a team or the organisation over a period


@requires(Permission.VIEW_LEADERS)
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
    standing = leaders.standing(history, min_size, pool=not filters.team_ids)
    actions = leaders.action_dates(url, filters)
    follow = leaders.follow_through(url, history, filters, min_size=min_size, today=today)
    room = perception.room_vs_survey(url, catalog, model, history, filters, min_size=min_size)

    title = f"Data maturity report — {model.name}"
    parts = [
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{e(scope)} · generated {today:%d %B %Y} · {history["workshop_id"].nunique()} workshop(s), '
        f"{len(set(standing.cells['team']))} team(s) shown</p>",
    ]
    if history.empty:
        parts.append('<p class="note">No workshop in this scope recorded a consensus yet.</p>')
        return Report(page_html(title, "\n".join(parts)), _file_name(scope, today))

    parts.append(_headline(standing, follow, names))

    # where we stand
    cells = standing.cells.assign(segment=standing.cells["segment_id"].map(names))
    teams_order = sorted(set(cells["team"]), key=lambda t: (t == "Smaller teams", t))
    parts += [
        "<h2>Where we stand</h2>",
        chart_figure(
            charts.heatmap_chart(cells, model, order, teams_order),
            "Latest consensus → target per team and segment; colour = gap to target; thick outline = stuck "
            f"(no rise for {trends.STUCK_AFTER} workshops in a row, below target)",
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
    parts.append("<h2>How the levels moved</h2>")
    if points.points.empty:
        parts.append(
            f'<p class="note">No workshop in this scope had {min_size} or more participants, so no line is drawn (anonymity).</p>'
        )
    else:
        parts.append(
            chart_figure(
                charts.trend_chart(charts.trend_frame(points.points, points.done), model, points.panels),
                "Consensus per segment over time (solid), target (dashed), actions done (green lines)",
            )
        )
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
    if len(room.rows):
        rows = room.rows.assign(segment=room.rows["segment_id"].map(names))
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
            f'<p class="note">{room.unmapped} segment(s) have no survey question mapped to them.</p>',
        ]
    else:
        parts.append(
            '<p class="note">No survey wave in this period maps questions to this model with enough responses to show.</p>'
        )
    return Report(page_html(title, "\n".join(parts)), _file_name(scope, today))


def _file_name(scope: str, today: date) -> str:
    """maturity-report-<teams>-<day it was made>.html: the period is inside the file, the teams say which one it is."""
    return f"maturity-report-{slug(scope.split(' · ')[0])}-{today:%Y-%m-%d}.html"


def _headline(standing: leaders.Standing, follow: leaders.FollowThrough, names: dict[str, str]) -> str:
    """Three sentences a leader can read out: who is stuck where, what got done, whether it moved the levels."""
    items = []
    if len(standing.stuck):
        by_team = standing.stuck.groupby("team")["segment_id"].apply(lambda s: ", ".join(names.get(x, x) for x in s))
        items.append(
            f"<b>{len(standing.stuck)} stuck segment(s)</b> (no rise for {trends.STUCK_AFTER}+ workshops, below target): "
            + "; ".join(f"{e(team)} — {e(segments)}" for team, segments in by_team.items())
        )
    else:
        items.append("No team is stuck: every segment below its target rose in the last few workshops.")
    flow = follow.flow
    if len(flow):
        items.append(
            f"<b>{int(flow['done'].sum())} action(s) done</b> and {int(flow['opened'].sum())} opened in the period; "
            f"{int(flow['overdue'].iloc[-1])} overdue at the end of the period."
        )
    effect = follow.effect
    if effect.with_actions is not None and effect.without_actions is not None:
        items.append(
            f"Between workshops, segments with an action done moved <b>{effect.with_actions:+.2f}</b> levels on average "
            f"({effect.steps_with} steps), against {effect.without_actions:+.2f} without ({effect.steps_without} steps)."
        )
    return '<ul class="headline">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
