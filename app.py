"""maturity: entry point. Page config, navigation for the visitor's role, then the page."""

import streamlit as st

from maturity.ui.access import EDITOR_NAME, current_role, sign_out, write_pending_cookie
from maturity.ui.context import announce_admin_secret, settings
from maturity.ui.navigation import Role, pages_for
from maturity.ui.presentation import PRESENT_PARAM, presenting

st.set_page_config(page_title="maturity", page_icon=":material/stairs:", layout="wide")
announce_admin_secret()
role = current_role()
facilitator = role is Role.FACILITATOR
# On a projector in presentation mode the menu is hidden; participants and visitors never get one.
presenting_now = facilitator and presenting()
# every page listed: the facilitator moves between sections mid-workshop, a "View more" fold would hide some
page = st.navigation(pages_for(role), position="sidebar" if facilitator and not presenting_now else "hidden", expanded=True)
if presenting_now and page.url_path != "screen":  # only the shared screen presents; elsewhere bring the menu back
    del st.query_params[PRESENT_PARAM]
    st.rerun()
write_pending_cookie()
if presenting_now:
    # The name field is not drawn while presenting; keep what was typed for the histories.
    if EDITOR_NAME in st.session_state:
        st.session_state[EDITOR_NAME] = st.session_state[EDITOR_NAME]
elif facilitator:
    with st.sidebar:
        st.text_input("Your name", key=EDITOR_NAME, placeholder="shown in histories", max_chars=120)
        if settings().auth:
            st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=sign_out, type="tertiary")
page.run()
