"""The shared screen: one segment at a time, the vote, the reveal, the discussion, the consensus."""

import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import rounds
from maturity.services import workshops as ws
from maturity.storage.tables import WorkshopMode
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.facilitation import (
    act,
    chosen_workshop,
    consensus_form_ui,
    history_ui,
    results_ui,
    segment_ui,
)
from maturity.ui.live import (
    ballot_progress_ui,
    hand_count_ui,
    join_panel_ui,
    live_tally_ui,
    timer_ui,
)
from maturity.ui.navigation import page_link_ui, page_path
from maturity.ui.presentation import presentation_style_ui, presenting, toggle_ui
from maturity.ui.text import md

require(Permission.RUN_WORKSHOPS)
url = context.database_url()
catalog = context.catalog()

workshop = chosen_workshop(url, "Shared screen")
model = catalog.models.get(workshop.model_id)
if model is None:
    st.error(
        md(
            "The model “{model}” of this workshop is not in the content library any more. Restore its file to continue.",
            model=workshop.model_id,
        )
    )
    st.stop()

on_projector = presenting()
if on_projector:
    presentation_style_ui()
st.markdown(md("### {title}", title=workshop.title))
if not workshop.is_open:
    st.info("This workshop has ended. Its summary has the results and exports.", icon=":material/flag:")
    page_link_ui("summary", label="Open the summary", icon=":material/summarize:", query_params={"w": str(workshop.id)}
    )
    st.stop()

if workshop.uses_phones:
    join_panel_ui(workshop, presenting=on_projector)

# ----------------------------------------------------------------- which segment
count = len(workshop.segment_ids)
position = workshop.current_position
back, where, forward, present, end = st.columns([1.2, 2.2, 1.2, 1.4, 1.6])
if back.button(
    "Previous", key="prev_segment", icon=":material/arrow_back:", disabled=position == 0, width="stretch", shortcut="left"
):
    act(ws.go_to_segment, url, workshop.id, position - 1)
where.markdown(md("**Segment {n} of {count}**", n=position + 1, count=count))
if forward.button(
    "Next", key="next_segment", icon=":material/arrow_forward:", disabled=position >= count - 1, width="stretch", shortcut="right"
):
    act(ws.go_to_segment, url, workshop.id, position + 1)
toggle_ui(container=present)
if end.button("End workshop", key="end_workshop", icon=":material/flag:", width="stretch"):
    act(ws.close_workshop, url, workshop.id, then=lambda: st.switch_page(page_path("summary"), query_params={"w": str(workshop.id)}))

segment_id = workshop.current_segment_id
segment = model.segment(segment_id)
segment_votes = rounds.segment_rounds(url, workshop.id, segment_id)
current = next((r for r in reversed(segment_votes) if r.status != "pending"), None)
revealed = {
    ("First vote" if r.number == 1 else "Second vote"): rounds.round_result(url, r.id) for r in segment_votes if r.revealed
}

# The vote sits at the top right, beside the segment, so Reveal never falls below the fold.
main, side = st.columns([2.6, 1.4])
with main:
    if segment:
        segment_ui(segment, model)
with side:
    if current is None:
        st.info("The vote on this segment has not started.")
    elif current.voting and workshop.uses_phones:
        st.subheader("Second vote" if current.number == 2 else "Voting")
        live_tally_ui(url, current)
    timer_ui(workshop)
    if workshop.mode == WorkshopMode.SELF_PACED.value:
        st.caption("Self-paced ballot: everyone votes every segment on their phone; reveal each segment here in turn.")
        ballot_progress_ui(url, workshop, model)
    with st.popover("Timer and options", icon=":material/timer:"):
        minutes = st.number_input(
            "Discussion timer (minutes)", min_value=0.0, max_value=120.0, value=5.0, step=1.0, key="timer_minutes"
        )
        if st.button("Start the timer", key="start_timer"):
            act(ws.start_timer, url, workshop.id, minutes)
        if workshop.uses_phones:
            auto = st.toggle("Reveal when everyone has voted", value=workshop.auto_reveal, key="auto_reveal")
            if auto != workshop.auto_reveal:
                act(ws.set_auto_reveal, url, workshop.id, auto)
    history_ui(url, workshop, segment_id, model)

if current is not None and current.voting and not workshop.uses_phones:
    hand_count_ui(url, workshop, current, model)

latest = None
if revealed:
    st.subheader("The votes")
    latest = results_ui(model, workshop, revealed)
    if workshop.second_vote and len(segment_votes) == 1 and workshop.uses_phones:
        if st.button("Open a second vote", key=f"second_{segment_id}", icon=":material/replay:"):
            act(rounds.open_second_round, url, workshop.id, segment_id)
    if workshop.mode == WorkshopMode.SHOW_OF_HANDS.value:
        with st.expander("Correct the count"):
            hand_count_ui(url, workshop, current, model)
    consensus_form_ui(url, workshop, segment_id, model, latest)
