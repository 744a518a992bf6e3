"""Workshops: start a new one, or pick up a running or finished one."""

import uuid
from datetime import date

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import workshops as ws
from maturity.storage.tables import ConsensusRule, WorkshopMode
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.failures import attempt
from maturity.ui.navigation import page_path
from maturity.ui.text import md

require(Permission.RUN_WORKSHOPS)
url = context.database_url()
catalog = context.catalog()

st.title("Workshops")

running = [w for w in ws.list_workshops(url) if w.is_open]
if running:
    st.subheader("Running now")
    for w in running:
        with st.container(border=True):
            left, right = st.columns([3, 2])
            left.markdown(md("**{title}**", title=w.title))
            mode = ws.MODE_LABELS[WorkshopMode(w.mode)].split(":")[0]
            left.caption(
                md("{team} · {held:%d %b %Y} · {mode} · {n} joined", team=w.team_name, held=w.held_on, mode=mode, n=w.participants)
            )
            if right.button("Open the shared screen", key=f"open_{w.id}", icon=":material/co_present:", type="primary"):
                st.switch_page(page_path("screen"), query_params={"w": str(w.id)})

st.subheader("Start a workshop")
if not catalog.models:
    st.warning("No maturity model is loaded, so no workshop can start. See the Content library for problems.")
    st.stop()

model_id = st.selectbox("Maturity model", list(catalog.models), format_func=lambda m: catalog.models[m].name, key="new_model")
model = catalog.models[model_id]
# The segments start as the whole of the chosen model, and again when another model is chosen: a multiselect
# keeps its selection across a change of options, which left only the segments both models share (often none).
if st.session_state.get("new_segments_model") != model_id or "new_segments" not in st.session_state:
    st.session_state["new_segments"] = [s.id for s in model.segments]
    st.session_state["new_segments_model"] = model_id
teams = ws.list_teams(url)
NEW_TEAM = 0

with st.form("new_workshop"):
    left, right = st.columns(2)
    team_id = left.selectbox(
        "Team",
        [NEW_TEAM, *(t.id for t in teams)],
        format_func=lambda tid: "— a new team —" if tid == NEW_TEAM else next(t.name for t in teams if t.id == tid),
        index=1 if teams else 0,
        key="new_team_id",
    )
    new_team = right.text_input("New team name", key="new_team_name", help="Used when the team is “a new team”.")
    segments = st.multiselect(
        "Segments to vote on",
        [s.id for s in model.segments],
        format_func=lambda sid: model.segment(sid).name,
        key="new_segments",
    )
    mode = st.radio(
        "How people vote", [m.value for m in WorkshopMode], format_func=lambda m: ws.MODE_LABELS[WorkshopMode(m)], key="new_mode"
    )
    rule = st.selectbox(
        "Consensus rule (stated to the room)",
        [r.value for r in ConsensusRule],
        format_func=lambda r: ws.RULE_LABELS[ConsensusRule(r)],
        key="new_rule",
    )
    c1, c2, c3 = st.columns(3)
    second_vote = c1.checkbox("Second vote after discussion", key="new_second_vote", help="Shows whether the group converged.")
    names = c2.radio(
        "Names",
        ["anonymous", "optional"],
        format_func={"anonymous": "Anonymous", "optional": "Names optional"}.get,
        key="new_names",
    )
    auto_reveal = c3.checkbox("Reveal when everyone has voted", key="new_auto_reveal")
    held_on = st.date_input("Date", value=date.today(), key="new_date")
    title = st.text_input("Title (optional)", max_chars=200, key="new_title", placeholder="e.g. Finance · Q3 data maturity check")
    submitted = st.form_submit_button("Start the workshop", type="primary", icon=":material/play_arrow:")

# One workshop per click of the button, even when it is clicked twice before the page answers.
nonce = st.session_state.setdefault("new_workshop_nonce", uuid.uuid4().hex)
if submitted and st.session_state.get("new_workshop_done") != nonce:
    team = {"team_name": new_team} if team_id == NEW_TEAM else {"team_id": team_id}  # a new team comes with its workshop
    with attempt("starting a workshop", failed="The workshop could not be created") as start:
        created = ws.create_workshop(
            url, **team, model=model, segment_ids=segments, mode=mode, consensus_rule=rule,
            second_vote=second_vote, anonymous=names == "anonymous", auto_reveal=auto_reveal, held_on=held_on, title=title,
        )  # fmt: skip
    if start.ok:
        st.session_state["new_workshop_done"] = nonce
        st.session_state.pop("new_workshop_nonce", None)
        st.switch_page(page_path("screen"), query_params={"w": str(created.id)})

finished = [w for w in ws.list_workshops(url) if not w.is_open]
if finished:
    st.subheader("Finished")
    frame = pd.DataFrame(
        [
            {"Date": w.held_on, "Title": w.title, "Team": w.team_name, "Model": w.model_id, "People": w.participants}
            for w in finished
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", height=min(400, 38 + 35 * len(frame)))
    chosen = st.selectbox(
        "Open the summary of",
        [w.id for w in finished],
        format_func=lambda i: next(w.title for w in finished if w.id == i),
        key="finished_pick",
    )
    if st.button("Open summary", key="open_summary", icon=":material/summarize:"):
        st.switch_page(page_path("summary"), query_params={"w": str(chosen)})
