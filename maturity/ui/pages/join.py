"""Join a workshop: type the code from the shared screen (or arrive by its QR code), optionally a name."""

import streamlit as st

from maturity.services.voting import join_workshop
from maturity.ui import context
from maturity.ui.access import PARTICIPANT_PARAM
from maturity.ui.failures import attempt

url = context.database_url()

st.title("Join a workshop")
st.caption("Type the code shown on the shared screen. Your vote stays private until everyone's votes are revealed together.")

with st.form("join_form", border=False, enter_to_submit=True):
    code = st.text_input(
        "Join code", value=st.query_params.get("join", ""), max_chars=12, key="join_code", placeholder="e.g. ACD347"
    )
    nickname = st.text_input(
        "Your name (optional)",
        max_chars=40,
        key="join_nickname",
        help="Shown to the facilitator only while waiting for votes, if the workshop uses names. Leave empty to stay anonymous.",
    )
    joined = st.form_submit_button("Join", type="primary", width="stretch")

if joined:
    with attempt("joining a workshop", failed="Could not join") as join:
        participant = join_workshop(url, code, nickname)
    if join.ok:
        # The token in the URL keeps this phone's identity when it locks and reconnects.
        st.query_params.clear()
        st.query_params[PARTICIPANT_PARAM] = participant.token
        st.rerun()
