"""Who is looking at this browser session, and keeping each role on its own pages."""

from __future__ import annotations

import streamlit as st

from maturity.ui import context
from maturity.ui.navigation import Role

FACILITATOR_FLAG = "signed_in_as_facilitator"
PARTICIPANT_PARAM = "p"


def current_role() -> Role:
    # A participant link wins: a phone that opened one must only ever see its ballot.
    if st.query_params.get(PARTICIPANT_PARAM):
        return Role.PARTICIPANT
    if st.session_state.get(FACILITATOR_FLAG) or not context.settings().auth:
        return Role.FACILITATOR
    return Role.VISITOR


def sign_in() -> None:
    st.session_state[FACILITATOR_FLAG] = True


def sign_out() -> None:
    st.session_state.pop(FACILITATOR_FLAG, None)


def require_facilitator() -> None:
    """Stop any facilitator page reached by someone else (defence in depth behind the navigation)."""
    if current_role() is not Role.FACILITATOR:
        st.error("This page is for the workshop facilitator. If you came to vote, use the link or code on the shared screen.")
        st.stop()
