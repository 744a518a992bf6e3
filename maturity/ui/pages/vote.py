"""The participant's phone: only the workshop they joined, a ballot, and the group result after the reveal."""

import streamlit as st

from maturity.services.errors import NotFound, describe_failure
from maturity.services.voting import participant_state
from maturity.storage.tables import WorkshopMode
from maturity.ui import context
from maturity.ui.access import PARTICIPANT_PARAM
from maturity.ui.ballot import ballot_ui, segment_card_ui

LOCK_STEP_POLL_S = 3  # phones follow the shared screen; slow enough to keep each rerun cheap

url = context.database_url()
token = st.query_params.get(PARTICIPANT_PARAM, "")


def load_state():
    try:
        return participant_state(url, token)
    except NotFound as exc:
        st.error(str(exc))
        st.link_button("Join with a code", "./")
        st.stop()
    except Exception as exc:  # noqa: BLE001 - a person reads this on a phone
        st.error(f"Cannot load your ballot: {describe_failure(exc)}. Reload the page in a moment.")
        st.stop()


state = load_state()
workshop = state.workshop
model = context.catalog().models.get(workshop.model_id)
who = f" · you are **{state.participant.nickname}**" if state.participant.nickname else ""
st.caption(f"{workshop.title}{who}")

if model is None:
    st.error("The maturity model of this workshop is missing from the content library. Tell the facilitator.")
    st.stop()


@st.fragment(run_every=LOCK_STEP_POLL_S)
def follow_the_screen() -> None:
    """Lock-step: show whatever segment the facilitator has on the shared screen."""
    current = participant_state(url, token)
    if not current.workshop.is_open:
        st.info("This workshop has ended. Thank you for taking part!", icon=":material/celebration:")
        return
    segment_id = current.workshop.current_segment_id
    rnd = current.latest_round(segment_id)
    segment = model.segment(segment_id)
    st.caption(f"Segment {current.workshop.current_position + 1} of {len(current.workshop.segment_ids)}")
    if segment:
        segment_card_ui(segment)
    if rnd is None:
        st.info("Waiting for the facilitator to open the vote…", icon=":material/hourglass_top:")
        return
    ballot_ui(url, current, model, segment_id, rnd)


def self_paced_ballot() -> None:
    """Self-paced: every segment on one page, no polling; a button fetches the reveals."""
    if not workshop.is_open:
        st.info("This workshop has ended. Thank you for taking part!", icon=":material/celebration:")
    voted = sum(1 for sid in workshop.segment_ids if (r := state.latest_round(sid)) and r.id in state.my_votes)
    st.progress(voted / len(workshop.segment_ids), text=f"{voted} of {len(workshop.segment_ids)} segments voted")
    for position, segment_id in enumerate(workshop.segment_ids, start=1):
        segment = model.segment(segment_id)
        rnd = state.latest_round(segment_id)
        with st.container(border=True):
            st.caption(f"Segment {position} of {len(workshop.segment_ids)}")
            if segment:
                segment_card_ui(segment)
            if rnd is not None and (workshop.is_open or rnd.revealed):
                ballot_ui(url, state, model, segment_id, rnd)
    st.button("Check for revealed results", icon=":material/refresh:", key="refresh_results")


if workshop.mode == WorkshopMode.SELF_PACED.value:
    self_paced_ballot()
else:
    follow_the_screen()
