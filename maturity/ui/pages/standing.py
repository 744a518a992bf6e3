"""Where we stand: every team's latest consensus per segment, the gap to target, and what is stuck."""

import streamlit as st

from maturity import charts
from maturity.domain.roles import Permission
from maturity.domain.trends import SMALLER_TEAMS, STUCK_AFTER
from maturity.services import leaders
from maturity.ui import context
from maturity.ui import leaders as lv
from maturity.ui.access import require
from maturity.ui.navigation import page_link_ui
from maturity.ui.text import md

require(Permission.VIEW_LEADERS)
url = context.database_url()
catalog = context.catalog()

st.title("Where we stand")
st.caption(
    md(
        "Each team's latest consensus on each segment, as “level → target”. The colour is the gap to target; "
        "a thick outline marks a segment that has not risen for {n} workshops in a row while below its target.",
        n=STUCK_AFTER,
    )
)
filters, model, teams = lv.scope_ui(url, catalog)
history = lv.history(url, filters)
if history.empty:
    st.info("No workshop in this scope recorded a consensus. Widen the period or pick other teams.", icon=":material/filter_alt:")
    st.stop()

min_size = lv.min_group_size()
standing = leaders.standing(history, min_size, pool=not filters.team_ids)
names = lv.segment_names(model)
order = [s.name for s in model.segments]
cells = standing.cells.assign(segment=standing.cells["segment_id"].map(names))
if cells.empty:
    st.warning(
        md(
            "Every team in this scope had fewer than {n} participants in its latest workshops, so none is shown "
            "on its own (anonymity).",
            n=min_size,
        ),
        icon=":material/visibility_off:",
    )
    st.stop()

c1, c2, c3 = st.columns(3)
c1.metric("Teams shown", cells["team"].nunique(), border=True)
gaps = cells["gap"].dropna()
c2.metric("Average gap to target", f"{gaps.mean():.1f} levels" if len(gaps) else "no targets", border=True)
c3.metric("Stuck segments", len(standing.stuck), border=True, help=md("No rise for {n}+ workshops, below target.", n=STUCK_AFTER))

team_order = sorted(set(cells["team"]), key=lambda t: (t == SMALLER_TEAMS, t))
st.altair_chart(charts.heatmap_chart(cells, model, order, team_order), key="standing_heatmap")
if standing.protected.note:
    st.caption(md(":material/visibility_off: Anonymity: {note}", note=standing.protected.note))

st.subheader("Stuck segments")
if standing.stuck.empty:
    st.success(
        "No team is stuck: every segment below its target rose within its last few workshops.", icon=":material/trending_up:"
    )
else:
    stuck = standing.stuck.assign(segment=standing.stuck["segment_id"].map(names)).sort_values(
        ["workshops", "team"], ascending=[False, True]
    )
    st.dataframe(
        stuck[["team", "segment", "level", "target", "since", "workshops"]],
        hide_index=True,
        column_config={
            "team": "Team",
            "segment": "Segment",
            "level": st.column_config.NumberColumn("Level", format="%.0f"),
            "target": st.column_config.NumberColumn("Target", format="%.0f"),
            "since": st.column_config.DateColumn("Flat since", format="D MMM YYYY"),
            "workshops": st.column_config.NumberColumn("Workshops without a rise"),
        },
    )
    page_link_ui("follow_through", label="Are the actions on them getting done?", icon=":material/task_alt:")

table = cells[["team", "segment", "level", "target", "gap", "stuck", "held_on"]].rename(columns={"held_on": "decided_on"})
lv.downloads(table, f"where-we-stand-{model.id}", key="standing")
