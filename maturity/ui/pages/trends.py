"""Maturity trends: consensus per segment or section over time, with the target and the actions done."""

import streamlit as st

from maturity import charts
from maturity.domain.roles import Permission
from maturity.services import leaders
from maturity.ui import context
from maturity.ui import leaders as lv
from maturity.ui.access import require
from maturity.ui.navigation import page_link_ui
from maturity.ui.text import md

require(Permission.VIEW_LEADERS)
url = context.database_url()
catalog = context.catalog()

st.title("Maturity trends")
st.caption(
    "Is the level moving? Solid lines are the consensus each workshop recorded, dashed lines the target, "
    "green lines mark the days actions on that segment were done. Click a team's point to open the workshop behind it."
)
filters, model, teams = lv.scope_ui(url, catalog)
by = st.segmented_control(
    "Show", ["Segments", "Sections"], default="Segments", key="trend_by", help="Sections average their segments."
)
history = lv.history(url, filters)
if history.empty:
    st.info("No workshop in this scope recorded a consensus. Widen the period or pick other teams.", icon=":material/filter_alt:")
    st.stop()

min_size = lv.min_group_size()
drawn = leaders.trend_points(
    history, lv.actions(url, filters), model, filters, by="section" if by == "Sections" else "segment", min_size=min_size
)
if drawn.points.empty:
    st.warning(
        md(
            "Every workshop of the chosen teams had fewer than {n} participants, so no team line is shown "
            "(anonymity). Leave the team choice empty to see the organisation's average.",
            n=min_size,
        ),
        icon=":material/visibility_off:",
    )
    st.stop()

ends = drawn.points.groupby("series")["held_on"].agg(["min", "max"])
columns = st.columns(4)
for column, (series, (start, end)) in zip(columns * 10, ends.iterrows(), strict=False):
    rows = drawn.points[drawn.points["series"] == series]
    now, then = rows[rows["held_on"] == end]["level"].mean(), rows[rows["held_on"] == start]["level"].mean()
    column.metric(md("{series} · average level", series=series), f"{now:.1f}", f"{now - then:+.1f} since {start:%b %Y}", border=True)

event = st.altair_chart(
    charts.trend_chart(charts.trend_frame(drawn.points, drawn.done), model, drawn.panels),
    on_select="rerun",
    selection_mode="workshop",
    key="trend_chart",
)
if drawn.hidden_workshops:
    st.caption(
        md("{hidden} workshop(s) with fewer than {n} participants are left out of the team lines.", hidden=drawn.hidden_workshops, n=min_size)
    )

workshops = (
    drawn.points.dropna(subset=["workshop_id"])
    .drop_duplicates("workshop_id")
    .sort_values("held_on", ascending=False)[["workshop_id", "workshop", "held_on"]]
)
picked = [p.get("workshop_id") for p in (event.selection.get("workshop", []) if event else []) if p.get("workshop_id")]
if picked:
    chosen = workshops[workshops["workshop_id"] == picked[0]]
    if len(chosen):
        row = chosen.iloc[0]
        page_link_ui("summary",
            label=md("Open {title} ({held:%d %b %Y})", title=row["workshop"], held=row["held_on"]),
            icon=":material/open_in_new:",
            query_params={"w": str(int(row["workshop_id"]))},
        )
if len(workshops):
    with st.expander(md("The {n} workshop(s) behind these lines", n=len(workshops))):
        ids = [int(i) for i in workshops["workshop_id"]]
        titles = {int(r.workshop_id): f"{r.held_on:%d %b %Y} · {r.workshop}" for r in workshops.itertuples()}
        target = st.selectbox("Workshop", ids, format_func=titles.get, key="trend_workshop")
        page_link_ui("summary", label="Open its summary", icon=":material/summarize:", query_params={"w": str(target)})
else:
    st.caption("Pick one or more teams above to click through to their workshops.")

table = drawn.points.rename(columns={"panel": "segment" if by != "Sections" else "section", "series": "who"})
lv.downloads(table.drop(columns=["workshop_id"]), f"trends-{model.id}", key="trends")
