"""The participant's ballot: small and cheap, because every phone in the room reruns it."""

from __future__ import annotations

import streamlit as st

from maturity.content.definitions import ModelDefinition, SegmentDefinition
from maturity.domain.tally import VoteSummary
from maturity.services.errors import ServiceError, describe_failure
from maturity.services.rounds import RoundView, round_result
from maturity.services.voting import ParticipantState, cast_vote

DONT_KNOW = "dont_know"


def level_text(model: ModelDefinition | None, value: int) -> str:
    level = model.level(value) if model else None
    return f"{value} · {level.label}" if level else str(value)


def segment_card_ui(segment: SegmentDefinition, *, compact: bool = True) -> None:
    st.markdown(f"### {segment.name}")
    if not compact:
        st.markdown(segment.description)
    st.markdown(f":red[**Awful**] — {segment.awful}")
    st.markdown(f":green[**Excellent**] — {segment.excellent}")


def ballot_ui(url: str, state: ParticipantState, model: ModelDefinition | None, segment_id: str, rnd: RoundView) -> None:
    """Level buttons for one round; the chosen one is highlighted and can change until the reveal."""
    workshop = state.workshop
    segment = model.segment(segment_id) if model else None
    mine = my_vote(state, rnd)
    if rnd.number == 2:
        st.caption("Second vote, after the discussion.")
    if rnd.revealed:
        group_result_ui(url, rnd, model, mine)
        return
    for value in workshop.levels:
        help_text = segment.levels.get(value) if segment else None
        chosen = mine == value
        st.button(
            level_text(model, value),
            key=f"vote_{rnd.id}_{value}",
            type="primary" if chosen else "secondary",
            icon=":material/check_circle:" if chosen else None,
            help=help_text,
            width="stretch",
            on_click=_vote,
            args=(url, state.participant.token, rnd.id, value),
        )
    chosen = mine == DONT_KNOW
    st.button(
        "Don't know",
        key=f"vote_{rnd.id}_dk",
        type="primary" if chosen else "tertiary",
        icon=":material/check_circle:" if chosen else None,
        width="stretch",
        on_click=_vote,
        args=(url, state.participant.token, rnd.id, None),
    )
    if problem := st.session_state.pop(VOTE_PROBLEM, None):
        st.warning(problem, icon=":material/error:")
    elif mine is None:
        st.caption("Tap a level. You can change it until the votes are revealed.")
    else:
        shown = "don't know" if mine == DONT_KNOW else level_text(model, mine)
        st.success(f"Your vote: **{shown}**. You can change it until the reveal.", icon=":material/how_to_vote:")


VOTE_PROBLEM = "vote_problem"


def my_vote(state: ParticipantState, rnd: RoundView):
    """This participant's vote in a round: a level, DONT_KNOW, or None when they have not voted."""
    if rnd.id not in state.my_votes:
        return None
    level = state.my_votes[rnd.id]
    return DONT_KNOW if level is None else level


def _vote(url: str, token: str, round_id: int, level: int | None) -> None:
    # A callback, so the page that follows already shows the new vote.
    try:
        cast_vote(url, token=token, round_id=round_id, level=level)
    except ServiceError as exc:
        st.session_state[VOTE_PROBLEM] = str(exc)
    except Exception as exc:  # noqa: BLE001 - a person reads this on a phone
        st.session_state[VOTE_PROBLEM] = f"Your vote was not saved: {describe_failure(exc)}. Tap again."


def group_result_ui(url: str, rnd: RoundView, model: ModelDefinition | None, mine) -> None:
    try:
        summary: VoteSummary = round_result(url, rnd.id)
    except ServiceError as exc:
        st.info(str(exc))
        return
    st.markdown("**The votes are in**")
    if not summary.votes:
        st.caption("Nobody chose a level.")
    most = max(summary.counts.values(), default=0)
    for value in sorted(summary.counts):
        n = summary.counts[value]
        st.progress(n / most if most else 0.0, text=f"{level_text(model, value)}: {n}")
    if summary.median is not None and summary.lowest == summary.highest:
        st.caption(f"Everyone chose {level_text(model, summary.lowest)} · don't know: {summary.dont_know}")
    elif summary.median is not None:
        st.caption(
            f"Middle vote: {level_text(model, summary.median)} · from {summary.lowest} to {summary.highest}"
            f" · don't know: {summary.dont_know}"
        )
    if mine is not None:
        shown = "don't know" if mine == DONT_KNOW else level_text(model, mine)
        st.caption(f"You voted {shown}.")
