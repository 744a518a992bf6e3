"""The participant's ballot: small and cheap, because every phone in the room reruns it.

A vote reruns only the fragment that holds its buttons, and reads nothing back from the database:
the vote just stored is kept in this session's state (filled from the database on every full run).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import streamlit as st

from maturity.content.definitions import ModelDefinition, SegmentDefinition
from maturity.domain.tally import VoteSummary
from maturity.logs import log_unexpected
from maturity.services import rounds
from maturity.services.errors import ServiceError, is_transient
from maturity.services.rounds import RoundView
from maturity.services.voting import WorkshopSnapshot, cast_vote, workshop_snapshot
from maturity.ui.failures import attempt
from maturity.ui.shared import Shared
from maturity.ui.text import md, typed, typed_lines

DONT_KNOW = "dont_know"
MY_VOTES = "my_votes"  # round id -> level (None: don't know), as stored for this phone
VOTE_PROBLEM = "vote_problem"  # round id -> what went wrong with the last tap
log = logging.getLogger(__name__)


def level_text(model: ModelDefinition | None, value: int) -> str:
    """A level as people read it ("3 · Defined"), as plain text: put it in Markdown through `md` or `typed`."""
    level = model.level(value) if model else None
    return f"{value} · {level.label}" if level else str(value)


def segment_card_ui(segment: SegmentDefinition, *, compact: bool = True) -> None:
    st.markdown(md("### {name}", name=segment.name))
    if not compact:
        st.markdown(typed_lines(segment.description))
    st.markdown(md(":red[**Awful**] — {text}", text=segment.awful))
    st.markdown(md(":green[**Excellent**] — {text}", text=segment.excellent))


# The workshop as its phones show it: every phone of a workshop in this process draws from it and
# polls it, so a room of them costs one read a second, not one each.
shared_snapshot: Shared[WorkshopSnapshot] = Shared(workshop_snapshot, ttl=1)


def remember_votes(stored: dict[int, int | None]) -> None:
    """On a full run: this phone's votes as the database has them."""
    st.session_state[MY_VOTES] = dict(stored)


def my_vote(round_id: int):
    """This participant's vote in a round: a level, DONT_KNOW, or None when they have not voted."""
    votes = st.session_state.get(MY_VOTES, {})
    if round_id not in votes:
        return None
    return DONT_KNOW if votes[round_id] is None else votes[round_id]


def ballot_ui(
    url: str,
    token: str,
    model: ModelDefinition | None,
    segment: SegmentDefinition | None,
    levels: range,
    rnd: RoundView,
    *,
    rerun: Sequence[str] = (),
) -> None:
    """Level buttons for one round; the chosen one is highlighted and can change until the reveal.

    `rerun` names the fragments a tap redraws (by key); by default the fragment holding the buttons.
    """
    mine = my_vote(rnd.id)
    if rnd.number == 2:
        st.caption("Second vote, after the discussion.")
    if rnd.revealed:
        group_result_ui(url, rnd, model, mine)
        return
    for value in [*levels, None]:
        chosen = mine == (DONT_KNOW if value is None else value)
        st.button(
            "Don't know" if value is None else typed(level_text(model, value)),
            key=f"vote_{rnd.id}_{'dk' if value is None else value}",
            type="primary" if chosen else ("tertiary" if value is None else "secondary"),
            icon=":material/check_circle:" if chosen else None,
            help=typed(segment.levels.get(value)) if segment and value in segment.levels else None,
            width="stretch",
            on_click=_vote,
            args=(url, token, rnd.id, value, tuple(rerun)),
        )
    if problem := st.session_state.get(VOTE_PROBLEM, {}).pop(rnd.id, None):
        st.warning(typed_lines(problem), icon=":material/error:")
    elif mine is None:
        st.caption("Tap a level. You can change it until the votes are revealed.")
    else:
        shown = "don't know" if mine == DONT_KNOW else level_text(model, mine)
        st.success(md("Your vote: **{shown}**. You can change it until the reveal.", shown=shown), icon=":material/how_to_vote:")


def _vote(url: str, token: str, round_id: int, level: int | None, rerun: tuple[str, ...]) -> None:
    # A callback, so the run that follows already shows the new vote.
    # the problem is shown under the buttons by the run that follows, not where a callback would draw it
    with attempt("casting a vote", failed="Your vote was not saved", keep="Tap again.", show=False) as vote:
        cast_vote(url, token=token, round_id=round_id, level=level)
    if vote.ok:
        st.session_state.setdefault(MY_VOTES, {})[round_id] = level
    else:
        st.session_state.setdefault(VOTE_PROBLEM, {})[round_id] = vote.message
    if rerun:
        st.rerun(list(rerun))


_poll_failures: dict[str, float] = {}  # what a phone's poll met, and when it was last logged (for every phone of this process)
POLL_LOG_EVERY_S = 60


def poll_failed(exc: Exception) -> None:
    """A phone's poll failed; the next one tries again. A database blip is normal under load; anything else is
    logged, once a minute for each kind (a room of phones polls every few seconds and would meet it together)."""
    if is_transient(exc):
        log.debug("a phone's poll met a database blip: %s", exc)
        return
    kind = f"{type(exc).__name__}: {exc}"[:300]
    now = time.monotonic()
    if now - _poll_failures.get(kind, -POLL_LOG_EVERY_S) >= POLL_LOG_EVERY_S:
        if len(_poll_failures) > 100:  # kinds that differ by an id: forget them rather than grow
            _poll_failures.clear()
        _poll_failures[kind] = now
        log_unexpected(log, exc, "a phone's poll (logged once a minute while it lasts)")


# Votes cannot change once revealed, and at a reveal every phone in the room asks at once.
revealed_result: Shared[VoteSummary] = Shared(rounds.revealed_result, ttl=5)


def group_result_ui(url: str, rnd: RoundView, model: ModelDefinition | None, mine) -> None:
    try:
        summary, _ = revealed_result.get(url, rnd.id)
    except ServiceError as exc:
        st.info(typed_lines(str(exc)))
        return
    st.markdown("**The votes are in**")
    if not summary.votes:
        st.caption("Nobody chose a level.")
    most = max(summary.counts.values(), default=0)
    for value in sorted(summary.counts):
        n = summary.counts[value]
        st.progress(n / most if most else 0.0, text=md("{level}: {n}", level=level_text(model, value), n=n))
    if summary.median is not None and summary.lowest == summary.highest:
        st.caption(md("Everyone chose {level} · don't know: {n}", level=level_text(model, summary.lowest), n=summary.dont_know))
    elif summary.median is not None:
        st.caption(
            md(
                "Middle vote: {median} · from {lowest} to {highest} · don't know: {n}",
                median=level_text(model, summary.median),
                lowest=summary.lowest,
                highest=summary.highest,
                n=summary.dont_know,
            )
        )
    if mine is not None:
        shown = "don't know" if mine == DONT_KNOW else level_text(model, mine)
        st.caption(md("You voted {shown}.", shown=shown))
