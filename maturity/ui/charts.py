"""Altair charts for the shared screen: built from aggregated counts, never from raw votes."""

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


def summary_chart(model: ModelDefinition, rows: list[tuple[str, int | None, int | None]]) -> alt.LayerChart:
    """Consensus and target per segment on the model's ladder; the line between them is the gap."""
    frame = summary_frame(model, rows)
    order = [name for name, _, _ in rows]
    values = model.level_values
    y = alt.Y("segment:N", sort=order, title=None, axis=alt.Axis(labelFontSize=14, labelLimit=260))
    x = alt.X(
        "level:Q",
        scale=alt.Scale(domain=[values[0], values[-1]]),
        axis=alt.Axis(values=values, tickMinStep=1, labelFontSize=14),
        title="Level",
    )
    gap = alt.Chart(frame).mark_line(color="#94a3b8", strokeWidth=3).encode(x=x, y=y, detail="segment:N")
    dots = (
        alt.Chart(frame)
        .mark_point(filled=True, size=220)
        .encode(
            x=x,
            y=y,
            color=alt.Color("what:N", scale=alt.Scale(domain=["Consensus", "Target"], range=["#1d4ed8", "#15803d"]), title=None),
            shape=alt.Shape("what:N", scale=alt.Scale(domain=["Consensus", "Target"], range=["circle", "diamond"]), title=None),
            tooltip=["segment", "what", "level"],
        )
    )
    return (gap + dots).properties(height=alt.Step(34))


LIKERT_COLOURS = ["#b91c1c", "#f87171", "#d4d4d8", "#60a5fa", "#1d4ed8"]


def likert_chart(labels: tuple[str, ...], counts: dict) -> alt.Chart:
    """A diverging bar: disagreement to the left of zero, agreement to the right, the middle split across."""
    n = len(labels)
    total = sum(counts.values()) or 1
    rows, left = [], 0.0
    middle = (n - 1) / 2
    shares = [counts.get(i + 1, 0) / total for i in range(n)]
    left = -(sum(shares[: int(middle)]) + (shares[int(middle)] / 2 if n % 2 else 0))
    for i, share in enumerate(shares):
        rows.append({"answer": labels[i], "order": i, "start": left, "end": left + share, "share": share})
        left += share
    colours = LIKERT_COLOURS if n == 5 else [LIKERT_COLOURS[round(i * 4 / max(1, n - 1))] for i in range(n)]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_bar(height=26)
        .encode(
            x=alt.X(
                "start:Q", title=None, axis=alt.Axis(format="%", values=[-1, -0.5, 0, 0.5, 1]), scale=alt.Scale(domain=[-1, 1])
            ),
            x2="end:Q",
            color=alt.Color(
                "answer:N",
                sort=list(labels),
                scale=alt.Scale(domain=list(labels), range=colours),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["answer", alt.Tooltip("share:Q", format=".0%")],
        )
        .properties(height=70)
    )


def counts_chart(counts: dict, labels: dict | None = None, *, sort_by_value: bool = False) -> alt.Chart:
    """Respondents per answer, as horizontal bars."""
    frame = pd.DataFrame([{"answer": (labels or {}).get(k, str(k)), "key": k, "respondents": n} for k, n in counts.items()])
    if frame.empty:
        frame = pd.DataFrame(columns=["answer", "key", "respondents"])
    order = (
        list(frame.sort_values("respondents", ascending=False)["answer"])
        if sort_by_value
        else list(frame.sort_values("key")["answer"])
    )
    return (
        alt.Chart(frame)
        .mark_bar(color="#1d4ed8")
        .encode(
            y=alt.Y("answer:N", sort=order, title=None, axis=alt.Axis(labelLimit=280)),
            x=alt.X("respondents:Q", title="Respondents", axis=alt.Axis(tickMinStep=1)),
            tooltip=["answer", "respondents"],
        )
        .properties(height=alt.Step(30))  # a band per answer, so no label is dropped for lack of room
    )


def waves_chart(frame: pd.DataFrame) -> alt.Chart:
    """The mean of each scored question per wave (columns: wave, opened, question, mean)."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("opened:T", title="Wave opened"),
            y=alt.Y("mean:Q", title="Average answer"),
            color=alt.Color("question:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400)),
            tooltip=["wave", "question", alt.Tooltip("mean:Q", format=".2f")],
        )
        .properties(height=280)
    )
