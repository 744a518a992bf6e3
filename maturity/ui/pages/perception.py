"""Room vs organisation: what the workshop agreed beside what the wider survey says, per segment."""

import streamlit as st

from maturity import charts
from maturity.domain.roles import Permission
from maturity.services import perception
from maturity.ui import context
from maturity.ui import leaders as lv
from maturity.ui.access import require
from maturity.ui.navigation import page_link_ui
from maturity.ui.text import md, typed

require(Permission.VIEW_LEADERS)
url = context.database_url()
catalog = context.catalog()

st.title("Room vs organisation")
st.caption(
    "The room's consensus (the latest per team, averaged) beside the score a survey gives the same segment, "
    "placed on the same ladder. A wide gap is a perception gap worth talking about."
)
filters, model, teams = lv.scope_ui(url, catalog, teams_help="A survey wave run for the one team you pick is used first.")
history = lv.history(url, filters)
result = perception.room_vs_survey(url, catalog, model, history, filters, min_size=lv.min_group_size())
mapped = [s for s in catalog.surveys.values() if s.model == model.id]
if not mapped:
    st.info(
        md(
            "No survey maps its questions to {name}. A survey question with `segment:` (and the survey's "
            "`model:`) links it to a segment; see docs/content.md.",
            name=model.name,
        ),
        icon=":material/link_off:",
    )
    st.stop()
if result.rows.empty:
    st.info(
        md(
            "No wave of {titles} in this period has enough responses to show. Launch or widen one from Survey campaigns.",
            titles=", ".join(s.title for s in mapped),
        ),
        icon=":material/campaign:",
    )
    page_link_ui("surveys", label="Survey campaigns", icon=":material/campaign:")
    st.stop()

names = lv.segment_names(model)
rows = result.rows.assign(segment=result.rows["segment_id"].map(names))
compared = rows.dropna(subset=["difference"])
if len(compared):
    w = compared.loc[compared["difference"].abs().idxmax()]
    side = "above" if w["difference"] > 0 else "below"
    st.metric(
        md("Widest gap: {segment}", segment=w["segment"]),
        f"{abs(w['difference']):.1f} levels",
        f"the room sits {side} the survey",
        delta_color="off",
        border=True,
    )
st.altair_chart(charts.perception_chart(rows, model, [s.name for s in model.segments]), key="perception_chart")
st.caption(
    md(
        "Survey waves used: {sources}. {n} segment(s) have no survey question mapped.",
        sources=typed("; ".join(result.sources), limit=None),
        n=result.unmapped,
    )
)
if rows["room"].isna().any():
    st.caption("A segment without a circle has no workshop consensus in this scope.")
st.dataframe(
    rows[["segment", "room", "survey", "difference", "source"]],
    hide_index=True,
    column_config={
        "segment": "Segment",
        "room": st.column_config.NumberColumn("Workshop", format="%.2f"),
        "survey": st.column_config.NumberColumn("Survey", format="%.2f"),
        "difference": st.column_config.NumberColumn("Room − survey", format="%+.2f"),
        "source": "Survey wave",
    },
)
lv.downloads(rows[["segment", "room", "survey", "difference", "source"]], f"room-vs-survey-{model.id}", key="perception")
