"""Gaps to actions: where a workshop or a team falls short of its target, what the playbooks say, who acts."""

import altair as alt
import pandas as pd
import streamlit as st

from maturity.content.definitions import HORIZON_LABELS
from maturity.domain.roles import Permission
from maturity.services import workshops as ws
from maturity.services.gaps import team_gaps, workshop_gaps
from maturity.ui import context
from maturity.ui.access import editor_name, require
from maturity.ui.action_forms import create_from_gap_ui
from maturity.ui.components import notice_ui, playbook_ui
from maturity.ui.text import md

require(Permission.EDIT_ACTIONS)
url = context.database_url()
catalog = context.catalog()

st.title("Gaps and actions")
notice_ui("action_message", icon=":material/task_alt:")

scope = st.segmented_control("Look at", ["A workshop", "A team's latest"], default="A workshop", key="gap_scope")
workshops = [w for w in ws.list_workshops(url) if w.model_id in catalog.models]
if not workshops:
    st.info("No workshop yet. Gaps appear once a workshop records a consensus and a target.")
    st.stop()

if scope == "A team's latest":
    teams = {w.team_id: w.team_name for w in workshops}
    left, right = st.columns(2)
    team_id = left.selectbox("Team", list(teams), format_func=teams.get, key="gap_team")
    models = sorted({w.model_id for w in workshops if w.team_id == team_id})
    model_id = right.selectbox("Model", models, format_func=lambda m: catalog.models[m].name, key="gap_model")
    gaps = team_gaps(url, team_id, model_id, catalog)
    origin = {g.gap.segment_id: g.workshop_id for g in gaps}
else:
    preset = st.query_params.get("w")
    ids = [w.id for w in workshops]
    index = ids.index(int(preset)) if preset and preset.isdigit() and int(preset) in ids else 0
    workshop_id = st.selectbox(
        "Workshop", ids, index=index, format_func=lambda i: next(w.title for w in workshops if w.id == i), key="gap_workshop"
    )
    chosen = next(w for w in workshops if w.id == workshop_id)
    model_id = chosen.model_id
    gaps = workshop_gaps(url, workshop_id, catalog)
    origin = {g.gap.segment_id: workshop_id for g in gaps}

model = catalog.models[model_id]


def name(segment_id: str) -> str:
    segment = model.segment(segment_id)
    return segment.name if segment else segment_id


if not gaps:
    st.success("No gaps: every recorded segment is at or above its target.", icon=":material/verified:")
    st.stop()

unowned = [g for g in gaps if g.gap.unowned]
c1, c2, c3 = st.columns(3)
c1.metric("Segments below target", len(gaps))
c2.metric("Largest gap", f"{gaps[0].gap.size} level(s)")
c3.metric("Gaps with no action", len(unowned))

frame = pd.DataFrame(
    [
        {"segment": name(g.gap.segment_id), "gap": g.gap.size, "now": g.gap.level, "target": g.gap.target,
         "horizon": g.gap.horizon or "—", "actions": "no action yet" if g.gap.unowned else f"{g.gap.open_actions} open",
         "flag": "no action yet" if g.gap.unowned else "has an action"}
        for g in gaps
    ]
)  # fmt: skip
chart = (
    alt.Chart(frame)
    .mark_bar()
    .encode(
        x=alt.X("gap:Q", title="Levels below target", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("segment:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color(
            "flag:N", scale=alt.Scale(domain=["no action yet", "has an action"], range=["#b91c1c", "#1d4ed8"]), legend=None
        ),
        tooltip=["segment", "now", "target", "gap", "horizon", "actions"],
    )
    .properties(height=alt.Step(32))
)
st.altair_chart(chart, width="stretch")
st.caption("Biggest gap first, then the most urgent horizon its playbooks suggest. Red: nobody has an action on it yet.")

for g in gaps:
    flag = md("⚠ no action yet") if g.gap.unowned else md("{n} open action(s)", n=g.gap.open_actions)
    horizon = md("{label} · ", label=HORIZON_LABELS.get(g.gap.horizon, g.gap.horizon)) if g.gap.horizon else ""
    with st.container(border=True):
        st.markdown(
            md(
                "#### {segment}: {level} → {target} (gap {size})",
                segment=name(g.gap.segment_id),
                level=g.gap.level,
                target=g.gap.target,
                size=g.gap.size,
            )
        )
        st.caption(md("{horizon}{flag}", horizon=horizon, flag=flag))
        if g.playbooks:
            st.markdown("**Playbooks for this level**")
            for playbook in g.playbooks:
                playbook_ui(playbook, catalog)
        else:
            st.caption("No playbook covers this segment at this level yet.")
        st.markdown("**Create an action**")
        create_from_gap_ui(
            url, key=f"gap_{origin[g.gap.segment_id]}_{g.gap.segment_id}", workshop_id=origin[g.gap.segment_id],
            segment_id=g.gap.segment_id, segment_name=name(g.gap.segment_id), playbooks=g.playbooks, by=editor_name(),
        )  # fmt: skip
