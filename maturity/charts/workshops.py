"""Charts for the shared screen and the workshop summary: votes per level, consensus against target."""

from __future__ import annotations

import altair as alt
import pandas as pd

from maturity.content.definitions import ModelDefinition
from maturity.domain.tally import VoteSummary

DEFAULT_COLOUR = "#64748b"


def _level_domain(model: ModelDefinition) -> tuple[list[str], list[str]]:
    labels = [f"{lv.value} {lv.label}" for lv in model.levels]
    colours = [lv.colour or DEFAULT_COLOUR for lv in model.levels]
    return labels, colours


def distribution_frame(model: ModelDefinition, rounds: dict[str, VoteSummary]) -> pd.DataFrame:
    """One row per (round, level), zeros included, so every level keeps its place on the axis."""
    rows = [
        {"round": name, "level": f"{lv.value} {lv.label}", "value": lv.value, "votes": summary.counts.get(lv.value, 0)}
        for name, summary in rounds.items()
        for lv in model.levels
    ]
    return pd.DataFrame(rows, columns=["round", "level", "value", "votes"])


def distribution_chart(model: ModelDefinition, rounds: dict[str, VoteSummary]) -> alt.Chart:
    """Votes per level, one panel per round (first vote, second vote), in the model's colours."""
    labels, colours = _level_domain(model)
    frame = distribution_frame(model, rounds)
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusTopLeft=4, cornerRadiusTopRight=4)
        .encode(
            x=alt.X("level:N", sort=labels, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=16, labelLimit=160)),
            y=alt.Y("votes:Q", title="Votes", axis=alt.Axis(tickMinStep=1, labelFontSize=14, titleFontSize=14)),
            color=alt.Color("level:N", scale=alt.Scale(domain=labels, range=colours), legend=None),
            tooltip=["round", "level", "votes"],
        )
        .properties(height=260)
    )
    if len(rounds) > 1:
        chart = chart.facet(column=alt.Column("round:N", title=None, sort=list(rounds), header=alt.Header(labelFontSize=16)))
    return chart


def summary_frame(model: ModelDefinition, rows: list[tuple[str, int | None, int | None]]) -> pd.DataFrame:
    """(segment name, consensus, target) -> long form for a dot-and-arrow chart."""
    return pd.DataFrame(
        [
            {"segment": name, "what": what, "level": value}
            for name, level, target in rows
            for what, value in (("Consensus", level), ("Target", target))
            if value is not None
        ],
        columns=["segment", "what", "level"],
    )


def dumbbell_chart(
    frame: pd.DataFrame, model: ModelDefinition, order: list[str], marks: dict[str, tuple[str, str]], *, step: int = 34
) -> alt.LayerChart:
    """Two values per segment on the model's ladder, joined by a line (the gap between them).

    `frame` is long: segment, what, level. `marks` maps each `what` to its (colour, shape), in legend order."""
    values = model.level_values
    y = alt.Y("segment:N", sort=order, title=None, axis=alt.Axis(labelFontSize=14, labelLimit=260))
    x = alt.X(
        "level:Q",
        scale=alt.Scale(domain=[values[0], values[-1]]),
        axis=alt.Axis(values=values, tickMinStep=1, labelFontSize=14),
        title="Level",
    )
    kinds = list(marks)
    gap = alt.Chart(frame).mark_line(color="#94a3b8", strokeWidth=3).encode(x=x, y=y, detail="segment:N")
    dots = (
        alt.Chart(frame)
        .mark_point(filled=True, size=220)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=kinds, range=[c for c, _ in marks.values()]),
                title=None,
                legend=alt.Legend(orient="top"),
            ),
            shape=alt.Shape("what:N", scale=alt.Scale(domain=kinds, range=[s for _, s in marks.values()]), title=None),
            tooltip=["segment:N", "what:N", alt.Tooltip("level:Q", format=".2f")],
        )
    )
    return (gap + dots).properties(height=alt.Step(step))


def summary_chart(model: ModelDefinition, rows: list[tuple[str, int | None, int | None]]) -> alt.LayerChart:
    """Consensus and target per segment on the model's ladder; the line between them is the gap."""
    marks = {"Consensus": ("#1d4ed8", "circle"), "Target": ("#15803d", "diamond")}
    return dumbbell_chart(summary_frame(model, rows), model, [name for name, _, _ in rows], marks)
