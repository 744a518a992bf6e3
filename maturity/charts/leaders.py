"""Charts for the leaders' view: trends, the standing heatmap, room vs survey, follow-through."""

from __future__ import annotations

import altair as alt
import pandas as pd

from maturity.charts.workshops import dumbbell_chart
from maturity.content.definitions import ModelDefinition
from maturity.domain.trends import NO_ACTION, WITH_ACTION

GAP_COLOURS = ["#dcfce7", "#fef08a", "#fdba74", "#f87171", "#b91c1c"]  # on target … four or more levels short
ACTION_DONE = "Action done"


def _ladder_axis(model: ModelDefinition, title: str | None = "Level") -> alt.Y:
    values = model.level_values
    return alt.Y(
        "level:Q",
        title=title,
        scale=alt.Scale(domain=[values[0], values[-1]]),
        axis=alt.Axis(values=values, tickMinStep=1, grid=True),
    )


def trend_frame(points: pd.DataFrame, done: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long form for trend_chart from aggregated points (panel, series, held_on, level, target, workshop_id, workshop)
    and done actions (panel, series, completed_on, title): one row per drawn mark, with `kind` saying which."""
    cols = ["panel", "series", "held_on", "level", "kind", "workshop_id", "workshop", "title"]
    base = points.assign(title="")
    consensus = base.assign(kind="Consensus")
    target = base.assign(kind="Target", level=base["target"]).dropna(subset=["level"])
    parts = [consensus[cols], target[cols]]
    if done is not None and len(done):
        marks = done.rename(columns={"completed_on": "held_on"}).assign(
            kind=ACTION_DONE, level=None, workshop_id=None, workshop=""
        )
        parts.append(marks[cols])
    frame = (
        pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else pd.DataFrame(columns=cols)
    )
    frame["workshop_id"] = frame["workshop_id"].astype("Int64")
    return frame


def trend_chart(frame: pd.DataFrame, model: ModelDefinition, panels: list[str], *, columns: int = 3) -> alt.FacetChart:
    """Small multiples, one per segment or section: consensus lines per series, the target dashed behind them,
    and a green line across the panel on the day an action on that segment was done. Clicking a point selects
    its workshop (selection parameter `workshop`)."""
    pick = alt.selection_point(name="workshop", fields=["workshop_id"], on="click", clear="dblclick")
    days = (frame["held_on"].max() - frame["held_on"].min()).days if len(frame) else 0
    step = "month" if days <= 3 * 366 else "year"  # about four labels under each small chart
    ticks = {"interval": step, "step": 6 if step == "month" else max(1, round(days / 365 / 4))}
    x = alt.X("held_on:T", title=None, axis=alt.Axis(format="%b %y" if step == "month" else "%Y", labelAngle=0, tickCount=ticks))
    y = _ladder_axis(model, title=None)
    colour = alt.Color("series:N", title=None, legend=alt.Legend(orient="top", labelLimit=220))
    base = alt.Chart().encode(x=x)
    target = (
        base.transform_filter(alt.datum.kind == "Target")
        .mark_line(strokeDash=[5, 4], strokeWidth=1.5, opacity=0.7)
        .encode(
            y=y,
            color=colour,
            detail="series:N",
            tooltip=[
                "series:N",
                alt.Tooltip("held_on:T", title="Workshop"),
                alt.Tooltip("level:Q", title="Target", format=".1f"),
            ],
        )
    )
    line = (
        base.transform_filter(alt.datum.kind == "Consensus")
        .mark_line(strokeWidth=2.5)
        .encode(y=y, color=colour, detail="series:N")
    )
    points = (
        base.transform_filter(alt.datum.kind == "Consensus")
        .mark_point(filled=True, size=70, cursor="pointer")
        .encode(
            y=y,
            color=colour,
            opacity=alt.condition(pick, alt.value(1), alt.value(0.35)),
            tooltip=[
                "series:N",
                alt.Tooltip("workshop:N", title="Workshop"),
                alt.Tooltip("held_on:T", title="Held on", format="%d %b %Y"),
                alt.Tooltip("level:Q", title="Consensus", format=".1f"),
            ],
        )
        .add_params(pick)
    )
    done = (
        base.transform_filter(alt.datum.kind == ACTION_DONE)
        .mark_rule(color="#15803d", strokeWidth=2, opacity=0.45)  # a green line across the panel on the day it was done
        .encode(
            tooltip=[
                alt.Tooltip("title:N", title=ACTION_DONE),
                "series:N",
                alt.Tooltip("held_on:T", title="Done on", format="%d %b %Y"),
            ],
        )
    )
    return (
        alt.layer(target, line, points, done, data=frame)
        .properties(width=230, height=150)
        .facet(
            facet=alt.Facet(
                "panel:N", sort=panels, title=None, header=alt.Header(labelFontSize=13, labelFontWeight="bold", labelLimit=230)
            ),
            columns=columns,
        )
        .resolve_scale(x="shared", y="shared")
    )


def heatmap_chart(cells: pd.DataFrame, model: ModelDefinition, segment_order: list[str], team_order: list[str]) -> alt.LayerChart:
    """Teams down, segments across: each cell coloured by the gap to target and labelled "level → target";
    a thick outline marks a segment stuck for several workshops below its target."""
    frame = cells[["team", "segment", "level", "target", "gap", "stuck", "held_on"]].assign(
        label=[
            (f"{lv:g}" if pd.notna(lv) else "–") + (f" → {tg:g}" if pd.notna(tg) else "")
            for lv, tg in zip(cells["level"], cells["target"], strict=False)
        ],
        gap_shown=cells["gap"].clip(lower=0),
        state=["Stuck" if s else "" for s in cells["stuck"]],
    )
    x = alt.X(
        "segment:N",
        sort=segment_order,
        title=None,
        # every name shown, each starting at its own column (Vega's overlap check drops long rotated labels)
        axis=alt.Axis(orient="top", labelAngle=-40, labelAlign="left", labelOverlap=False, labelLimit=200, labelPadding=6),
    )
    y = alt.Y("team:N", sort=team_order, title=None, axis=alt.Axis(labelLimit=220))
    tooltip = [
        "team:N",
        "segment:N",
        alt.Tooltip("level:Q", title="Latest consensus", format=".1f"),
        alt.Tooltip("target:Q", title="Target", format=".1f"),
        alt.Tooltip("gap:Q", title="Gap", format=".1f"),
        alt.Tooltip("held_on:T", title="Decided", format="%d %b %Y"),
        alt.Tooltip("state:N", title="Flag"),
    ]
    top = max(len(GAP_COLOURS) - 1, 1)
    rect = (
        alt.Chart(frame)
        .mark_rect(cornerRadius=3)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "gap_shown:Q",
                title="Gap to target",
                scale=alt.Scale(domain=list(range(top + 1)), range=GAP_COLOURS, clamp=True),
                legend=alt.Legend(orient="bottom", values=list(range(top + 1)), format="d"),
            ),
            stroke=alt.condition(alt.datum.stuck, alt.value("#111827"), alt.value(None)),
            strokeWidth=alt.condition(alt.datum.stuck, alt.value(3), alt.value(0)),
            tooltip=tooltip,
        )
    )
    text = (
        alt.Chart(frame)
        .mark_text(fontSize=12)
        .encode(
            x=x,
            y=y,
            text="label:N",
            color=alt.condition(alt.datum.gap_shown >= 3, alt.value("white"), alt.value("#111827")),
            tooltip=tooltip,
        )
    )
    return (rect + text).properties(width=alt.Step(78), height=alt.Step(34))


def perception_chart(frame: pd.DataFrame, model: ModelDefinition, segment_order: list[str]) -> alt.LayerChart:
    """Room (workshop consensus) and survey score per segment on the same ladder; the line between is the perception gap.
    Columns: segment, room, survey."""
    long = frame.melt(id_vars=["segment"], value_vars=["room", "survey"], var_name="what", value_name="level").dropna()
    long["what"] = long["what"].map({"room": "Workshop consensus", "survey": "Survey score"})
    marks = {"Workshop consensus": ("#1d4ed8", "circle"), "Survey score": ("#c2410c", "square")}
    return dumbbell_chart(long, model, segment_order, marks, step=40)


def flow_chart(flow: pd.DataFrame) -> alt.LayerChart:
    """Per quarter: actions opened and done as bars, and the overdue count at the quarter's end as a red line."""
    bars_frame = flow.melt(id_vars=["quarter"], value_vars=["opened", "done"], var_name="what", value_name="actions")
    bars_frame["what"] = bars_frame["what"].map({"opened": "Opened", "done": "Done"})
    order = list(flow["quarter"])
    x = alt.X("quarter:N", sort=order, title=None, axis=alt.Axis(labelAngle=0))
    scale = alt.Scale(domain=["Opened", "Done", "Overdue"], range=["#93c5fd", "#15803d", "#dc2626"])
    bars = (
        alt.Chart(bars_frame)
        .mark_bar()
        .encode(
            x=x,
            xOffset=alt.XOffset("what:N", sort=["Opened", "Done"]),
            y=alt.Y("actions:Q", title="Actions", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("what:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
            tooltip=["quarter:N", "what:N", "actions:Q"],
        )
    )
    overdue = (
        alt.Chart(flow.assign(what="Overdue"))
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("overdue:Q"),
            color=alt.Color("what:N", scale=scale, title=None),
            tooltip=["quarter:N", alt.Tooltip("overdue:Q", title="Overdue at quarter end")],
        )
    )
    return (bars + overdue).properties(height=260, width=alt.Step(44, **{"for": "position"}))


def effect_chart(rows: list[dict]) -> alt.LayerChart:
    """The mean level change between consecutive workshops, with and without an action done in between."""
    frame = pd.DataFrame(rows, columns=["steps", "change", "n"])
    frame["label"] = [f"{c:+.2f} levels ({n} steps)" for c, n in zip(frame["change"], frame["n"], strict=False)]
    frame["at"] = frame["change"].clip(lower=0)  # the label starts right of the bar and of zero, never over a bar
    low, high = min(0.0, frame["change"].min()), max(0.0, frame["change"].max())
    y = alt.Y("steps:N", title=None, sort=list(frame["steps"]), axis=alt.Axis(labelLimit=260, labelFontSize=13))
    x = alt.X(
        "change:Q",
        title="Average level change to the next workshop",
        scale=alt.Scale(domain=[low, high + (high - low) * 0.8 + 0.1]),
    )
    bars = alt.Chart(frame).mark_bar(height=30).encode(
        x=x, y=y,
        color=alt.Color("steps:N", scale=alt.Scale(domain=[NO_ACTION, WITH_ACTION], range=["#94a3b8", "#15803d"]), legend=None),
        tooltip=["steps:N", alt.Tooltip("change:Q", format="+.2f"), alt.Tooltip("n:Q", title="Steps")],
    )  # fmt: skip
    text = alt.Chart(frame).mark_text(align="left", dx=6, fontSize=13).encode(x=alt.X("at:Q"), y=y, text="label:N")
    return (bars + text).properties(height=alt.Step(46))


def segment_follow_chart(frame: pd.DataFrame, segment_order: list[str]) -> alt.HConcatChart:
    """Per segment, side by side: actions done in the period, and the mean level change per team."""
    y = alt.Y("segment:N", sort=segment_order, title=None, axis=alt.Axis(labelLimit=240))
    done = (
        alt.Chart(frame)
        .mark_bar(color="#15803d")
        .encode(
            x=alt.X("actions_done:Q", title="Actions done", axis=alt.Axis(tickMinStep=1)),
            y=y,
            tooltip=["segment:N", "actions_done:Q"],
        )
        .properties(width=220, height=alt.Step(26))
    )
    change = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("change:Q", title="Level change per team"),
            y=alt.Y("segment:N", sort=segment_order, title=None, axis=None),
            color=alt.condition(alt.datum.change < 0, alt.value("#dc2626"), alt.value("#1d4ed8")),
            tooltip=["segment:N", alt.Tooltip("change:Q", format="+.2f"), alt.Tooltip("teams:Q", title="Teams")],
        )
        .properties(width=220, height=alt.Step(26))
    )
    return alt.hconcat(done, change, spacing=28)
