"""Join a workshop: type the code from the shared screen (or arrive by its QR code), optionally a name."""

import streamlit as st

from maturity.services.errors import ServiceError, describe_failure
from maturity.services.voting import join_workshop
from maturity.ui import context
from maturity.ui.access import PARTICIPANT_PARAM

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
    try:
        participant = join_workshop(url, code, nickname)
    except ServiceError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 - said to a person, with what to do
        st.error(f"Could not join: {describe_failure(exc)}")
    else:
        # The token in the URL keeps this phone's identity when it locks and reconnects.
        st.query_params.clear()
        st.query_params[PARTICIPANT_PARAM] = participant.token
        st.rerun()
