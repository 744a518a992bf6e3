"""Who is looking at this browser session, and keeping each role on its own pages."""

from __future__ import annotations

import streamlit as st

from maturity.services.access import SIGN_IN_HOURS, facilitator_token, valid_facilitator_token
from maturity.ui import context
from maturity.ui.navigation import Role

FACILITATOR_FLAG = "signed_in_as_facilitator"
PARTICIPANT_PARAM = "p"
JOIN_PARAM = "join"
SURVEY_PARAM = "survey"
VISIT_PARAM = "r"
COOKIE = "maturity_facilitator"
_COOKIE_PENDING = "facilitator_cookie_pending"
_SIGNED_OUT = "signed_out"


def current_role() -> Role:
    # A participant link wins: a phone that opened one must only ever see its ballot.
    if st.query_params.get(PARTICIPANT_PARAM):
        return Role.PARTICIPANT
    if st.query_params.get(SURVEY_PARAM):  # a survey link: that survey only, whoever opens it
        return Role.RESPONDENT
    if st.query_params.get(JOIN_PARAM):  # a join link or QR code: the join page, whoever opens it
        return Role.VISITOR
    if not context.settings().auth or st.session_state.get(FACILITATOR_FLAG):
        return Role.FACILITATOR
    # A reload starts a new Streamlit session; the signed cookie keeps the facilitator in.
    if not st.session_state.get(_SIGNED_OUT) and valid_facilitator_token(
        context.database_url(), context.settings(), st.context.cookies.get(COOKIE)
    ):
        st.session_state[FACILITATOR_FLAG] = True
        return Role.FACILITATOR
    return Role.VISITOR


def sign_in() -> None:
    st.session_state.pop(_SIGNED_OUT, None)
    st.session_state[FACILITATOR_FLAG] = True
    st.session_state[_COOKIE_PENDING] = facilitator_token(context.database_url(), context.settings())


def sign_out() -> None:
    st.session_state.pop(FACILITATOR_FLAG, None)
    st.session_state[_SIGNED_OUT] = True
    st.session_state[_COOKIE_PENDING] = ""


def write_pending_cookie() -> None:
    """After sign-in or sign-out, set or clear the cookie in the browser (on the next full run)."""
    token = st.session_state.pop(_COOKIE_PENDING, None)
    if token is None:
        return
    max_age = SIGN_IN_HOURS * 3600 if token else 0
    # The token is hex and digits from our own signer; no user text reaches this script.
    st.html(
        f"<script>document.cookie = '{COOKIE}={token}; path=/; max-age={max_age}; SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def require_facilitator() -> None:
    """Stop any facilitator page reached by someone else (defence in depth behind the navigation)."""
    if current_role() is not Role.FACILITATOR:
        st.error("This page is for the workshop facilitator. If you came to vote, use the link or code on the shared screen.")
        st.stop()


EDITOR_NAME = "editor_name"


def editor_name() -> str:
    """Who is making changes, for histories: the name typed in the sidebar, or "Facilitator"."""
    return " ".join(str(st.session_state.get(EDITOR_NAME) or "").split())[:120] or "Facilitator"
