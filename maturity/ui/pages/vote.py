"""The participant's phone: only the workshop they joined, a ballot, and the group result after the reveal.

Every phone in the room runs this page, so each kind of rerun does as little as it can (measured in
bench/phones.py): a poll compares one cached value and draws nothing, a vote redraws only its own
segment's buttons, and only a change the phone shows (the next segment in lock-step, a reveal, a
second vote, the end) redraws the whole page.
"""

import streamlit as st

from maturity.services.errors import NotFound
from maturity.services.voting import ParticipantState, my_ballot
from maturity.storage.tables import WorkshopMode
from maturity.ui import context
from maturity.ui.access import PARTICIPANT_PARAM
from maturity.ui.ballot import ballot_ui, my_vote, poll_failed, remember_votes, segment_card_ui, shared_snapshot
from maturity.ui.failures import attempt
from maturity.ui.text import md

POLL_S = 3  # a phone sees the facilitator's next segment, a reveal or the end within about four seconds
PROGRESS_KEY = "ballot_progress"

url = context.database_url()
token = st.query_params.get(PARTICIPANT_PARAM, "")


def load_state() -> tuple[ParticipantState, float]:
    """This phone's state, and when the workshop part of it was read (a shared read, up to a second old)."""
    with attempt("opening a phone's ballot", failed="Cannot load your ballot", keep="Reload the page in a moment.") as load:
        mine = my_ballot(url, token)
        snapshot, read_at = shared_snapshot.get(url, mine.participant.workshop_id)
    if not load.ok:
        if isinstance(load.error, NotFound):  # an old link: the way back in is the code on the screen
            st.link_button("Join with a code", "./")
        st.stop()
    return ParticipantState(mine.participant, snapshot, mine.votes), read_at


state, drawn_at = load_state()
workshop = state.workshop
remember_votes(state.my_votes)
model = context.catalog().models.get(workshop.model_id)
who = md(" · you are **{nickname}**", nickname=state.participant.nickname) if state.participant.nickname else ""
st.caption(md("{title}{who}", title=workshop.title, who=who))

if model is None:
    st.error("The maturity model of this workshop is missing from the content library. Tell the facilitator.")
    st.stop()


@st.fragment(run_every=POLL_S)
def follow_the_screen() -> None:
    """Redraw the page when what it shows changed (the segment on the screen, a reveal, the end); else draw nothing.

    Self-paced phones poll too, so nobody has to ask for a reveal; a tap on their ballot reruns only
    its segment, never this, and a redraw reads the votes back from the database, so none is lost.
    """
    try:
        snapshot, read_at = shared_snapshot.get(url, workshop.id)
    except Exception as exc:  # noqa: BLE001 - the next poll tries again; poll_failed logs what is not a database blip
        poll_failed(exc)
        return
    # A snapshot read before the one this page was drawn from says nothing new (and must not rerun it again and again).
    if read_at > drawn_at and snapshot.signal != state.signal:
        st.rerun(scope="app")


@st.fragment
def lock_step_ballot() -> None:
    """The segment on the shared screen and its vote; a tap reruns only this."""
    if not workshop.is_open:
        st.info("This workshop has ended. Thank you for taking part!", icon=":material/celebration:")
        return
    segment_id = workshop.current_segment_id
    rnd = state.latest_round(segment_id)
    segment = model.segment(segment_id)
    st.caption(md("Segment {n} of {count}", n=workshop.current_position + 1, count=len(workshop.segment_ids)))
    if segment:
        segment_card_ui(segment)
    if rnd is None:
        st.info("Waiting for the facilitator to open the vote…", icon=":material/hourglass_top:")
        return
    ballot_ui(url, token, model, segment, workshop.levels, rnd)


def ballot_progress() -> None:
    rounds = [r for sid in workshop.segment_ids if (r := state.latest_round(sid))]
    voted = sum(1 for r in rounds if my_vote(r.id) is not None)
    st.progress(voted / len(workshop.segment_ids), text=md("{voted} of {count} segments voted", voted=voted, count=len(workshop.segment_ids)))


def segment_ballot(position: int, segment_id: str) -> None:
    segment = model.segment(segment_id)
    rnd = state.latest_round(segment_id)
    with st.container(border=True, key=f"segment_{segment_id}"):
        st.caption(md("Segment {n} of {count}", n=position, count=len(workshop.segment_ids)))
        if segment:
            segment_card_ui(segment)
        if rnd is not None and (workshop.is_open or rnd.revealed):
            # A tap redraws this segment and the progress bar, not the other segments.
            ballot_ui(url, token, model, segment, workshop.levels, rnd, rerun=(f"ballot_{segment_id}", PROGRESS_KEY))


def self_paced_ballot() -> None:
    """Self-paced: every segment on one page; reveals and the end arrive by the poll, without a tap."""
    if not workshop.is_open:
        st.info("This workshop has ended. Thank you for taking part!", icon=":material/celebration:")
    st.fragment(ballot_progress, key=PROGRESS_KEY)()
    for position, segment_id in enumerate(workshop.segment_ids, start=1):
        st.fragment(segment_ballot, key=f"ballot_{segment_id}")(position, segment_id)


follow_the_screen()
if workshop.mode == WorkshopMode.SELF_PACED.value:
    self_paced_ballot()
else:
    lock_step_ballot()
