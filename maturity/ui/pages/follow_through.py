"""Follow-through: are the actions getting done, and do the levels move when they are?"""

from datetime import date

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

st.title("Follow-through")
st.caption("Actions opened, done and overdue over time, and whether segments rose after their actions were done.")
filters, model, teams = lv.scope_ui(url, catalog)
history = lv.history(url, filters)
follow = leaders.follow_through(url, history, filters, min_size=lv.min_group_size(), today=date.today())
flow = follow.flow
if flow.empty or (flow[["opened", "done", "overdue"]].sum().sum() == 0 and history.empty):
    st.info("No action and no workshop in this scope yet. Actions are created from gaps.", icon=":material/task_alt:")
    page_link_ui("gaps", label="Gaps and actions", icon=":material/trending_up:")
    st.stop()

effect = follow.effect
c1, c2, c3, c4 = st.columns(4)
c1.metric("Actions opened", int(flow["opened"].sum()), border=True)
c2.metric("Actions done", int(flow["done"].sum()), border=True)
c3.metric("Overdue now", int(flow["overdue"].iloc[-1]) if len(flow) else 0, border=True)
if effect.with_actions is not None and effect.without_actions is not None:
    c4.metric(
        "Rise after an action",
        f"{effect.with_actions:+.2f}",
        f"{effect.with_actions - effect.without_actions:+.2f} vs no action",
        border=True,
        help="Average level change between consecutive workshops on a segment, with at least one action on it done in between.",
    )

st.subheader("Actions over time")
st.altair_chart(charts.flow_chart(flow), key="flow_chart")
st.caption(
    "Overdue counts the actions past their due date and not done at each quarter's end (today for this quarter); dropped ones never count."
)

st.subheader("Are the actions working?")
if effect.rows:
    st.altair_chart(charts.effect_chart(effect.rows), key="effect_chart")
    st.caption(
        "Each step is one team's move on one segment from one workshop to the next. "
        "An action counts for a step when it was done after the first workshop and by the second."
    )
else:
    st.caption("Effects appear once a team has held two workshops on the same segment.")

names = lv.segment_names(model)
per_segment = follow.per_segment.assign(segment=follow.per_segment["segment_id"].map(names))
if len(per_segment):
    st.subheader("Per segment")
    st.altair_chart(charts.segment_follow_chart(per_segment, [s.name for s in model.segments]), key="segment_follow_chart")
    st.caption("Actions done in the period beside the level change per team from its first to its latest workshop in the period.")

lv.downloads(flow.drop(columns=["quarter_start"]), f"follow-through-{model.id}", key="flow")
if len(follow.done):
    with st.expander(md("The {n} action(s) done in this period", n=len(follow.done))):
        done = follow.done.assign(segment=follow.done["segment_id"].map(names), team=follow.done["team_id"].map(teams))
        st.dataframe(
            done[["completed_on", "team", "segment", "title"]].sort_values("completed_on", ascending=False),
            hide_index=True,
            column_config={"completed_on": st.column_config.DateColumn("Done on", format="D MMM YYYY")},
        )
    page_link_ui("board", label="Open the governance board", icon=":material/view_kanban:")
