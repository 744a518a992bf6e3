"""Charts for survey results: diverging Likert bars, answer counts, waves over time."""

from __future__ import annotations

import altair as alt
import pandas as pd

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
