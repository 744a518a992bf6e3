"""What changes while people vote: join panel, live tally, timer, ballots in, hand counts."""

from __future__ import annotations

import html
import io
from datetime import UTC, datetime

import segno
import streamlit as st

from maturity.content.definitions import ModelDefinition
from maturity.services import rounds
from maturity.services.access import join_base_url, join_link
from maturity.services.rounds import RoundView
from maturity.services.workshops import WorkshopView, get_workshop
from maturity.ui import context
from maturity.ui.ballot import level_text
from maturity.ui.facilitation import act
from maturity.ui.text import link as web_link
from maturity.ui.text import md, typed

SCREEN_POLL_S = 1.0  # with the 0.5 s tally cache, a new vote shows within about 1.5 s (bench/phones.py)


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def join_panel_ui(workshop: WorkshopView, *, presenting: bool = False) -> None:
    """The join code, link and QR code where they stay in view for late joiners: the sidebar, or a
    panel fixed in the corner of the projected screen."""
    base, reachable = join_base_url(context.settings(), st.context.url)
    link = join_link(base, workshop.join_code)
    with st.container(key="join_panel") if presenting else st.sidebar:
        st.markdown("**Join on your phone**")
        # Big enough to read from the back of a room; the code only holds our own alphabet.
        st.html(
            f'<div class="join-code" style="font:800 3.2rem/1.1 monospace;letter-spacing:.35rem">{html.escape(workshop.join_code)}</div>'
        )
        st.image(qr_png(link), width=300 if presenting else 200)
        st.caption(web_link(link, link))  # a live link, copied as it is
        if not reachable:
            st.warning(
                "This address is the facilitator's own computer (localhost): phones cannot reach it. "
                "Set MATURITY_PUBLIC_URL to an address the room can open (e.g. http://192.168.1.20:8501).",
                icon=":material/wifi_off:",
            )


@st.cache_resource(ttl=0.5, show_spinner=False, max_entries=256)
def cached_tally(url: str, round_id: int) -> rounds.TallyView:
    # Several screens on one workshop share one query per second.
    return rounds.round_tally(url, round_id)


def live_tally_ui(url: str, rnd: RoundView) -> None:
    """Votes in against people joined, refreshed every second; the reveal by hand (the last vote makes an auto-reveal)."""

    @st.fragment(run_every=SCREEN_POLL_S)
    def tally_fragment() -> None:
        tally = cached_tally(url, rnd.id)
        if tally.status != rnd.status:  # revealed elsewhere: another screen, or the last vote with auto-reveal on
            st.rerun(scope="app")
        a, b = st.columns(2)
        a.metric("Votes in", tally.votes)
        b.metric("People joined", tally.participants)
        if tally.participants and not tally.everyone_voted:
            if tally.waiting_for:
                st.caption(md("Still to vote: {names}", names=typed(", ".join(tally.waiting_for), limit=None)))
            else:
                st.caption(md("{n} still to vote.", n=tally.participants - tally.votes))
        elif tally.everyone_voted:
            st.success("Everyone has voted.", icon=":material/done_all:")

    tally_fragment()
    if st.button("Reveal the votes", key=f"reveal_{rnd.id}", type="primary", icon=":material/visibility:", shortcut="V"):
        act(rounds.reveal_round, url, rnd.id)


def timer_ui(workshop: WorkshopView) -> None:
    """The discussion timer, ticking on its own without rerunning the page."""
    if workshop.timer_ends_at is None:
        return
    ends = workshop.timer_ends_at if workshop.timer_ends_at.tzinfo else workshop.timer_ends_at.replace(tzinfo=UTC)

    @st.fragment(run_every=1)
    def tick() -> None:
        left = int((ends - datetime.now(UTC)).total_seconds())
        if left > 0:
            st.metric("Time left", f"{left // 60}:{left % 60:02d}")
        else:
            st.warning("Time is up.", icon=":material/timer_off:")

    tick()


def ws_participants(url: str, workshop_id: int) -> int:
    return get_workshop(url, workshop_id).participants


def ballot_progress_ui(url: str, workshop: WorkshopView, model: ModelDefinition) -> None:
    """Self-paced: ballots in per segment, so the facilitator knows when to start the reveals."""

    @st.fragment(run_every=SCREEN_POLL_S)
    def progress() -> None:
        counts = rounds.ballot_progress(url, workshop.id)
        people = ws_participants(url, workshop.id)
        with st.expander(md("Ballots in ({people} joined)", people=people), expanded=False):
            for segment_id in workshop.segment_ids:
                segment = model.segment(segment_id)
                done = counts.get(segment_id, 0)
                name = segment.name if segment else segment_id
                st.progress(min(1.0, done / people) if people else 0.0, text=md("{name}: {done} of {people}", name=name, done=done, people=people))

    progress()


def hand_count_ui(url: str, workshop: WorkshopView, rnd: RoundView, model: ModelDefinition) -> None:
    """Show of hands: the facilitator types how many hands went up for each level."""
    with st.form(f"hands_{rnd.id}"):
        st.markdown("**Count the hands for each level**")
        columns = st.columns(len(workshop.levels) + 1)
        counts = {
            value: columns[i].number_input(
                typed(level_text(model, value)), min_value=0, max_value=500, step=1, key=f"hands_{rnd.id}_{value}"
            )
            for i, value in enumerate(workshop.levels)
        }
        dont_know = columns[-1].number_input("Don't know", min_value=0, max_value=500, step=1, key=f"hands_{rnd.id}_dk")
        if st.form_submit_button("Record the count", type="primary"):
            act(rounds.record_hand_counts, url, rnd.id, {k: int(v) for k, v in counts.items()}, int(dont_know))
