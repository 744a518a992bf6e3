"""maturity: entry point. Page config, navigation for the visitor's role, then the page."""

import streamlit as st

from maturity.ui.access import EDITOR_NAME, current_role, sign_out, write_pending_cookie
from maturity.ui.context import announce_admin_secret, settings
from maturity.ui.navigation import Role, pages_for

st.set_page_config(page_title="maturity", page_icon=":material/stairs:", layout="wide")
announce_admin_secret()
role = current_role()
# Participants and visitors get no menu: there is nowhere else for them to go.
# every page listed: the facilitator moves between sections mid-workshop, a "View more" fold would hide some
page = st.navigation(pages_for(role), position="sidebar" if role is Role.FACILITATOR else "hidden", expanded=True)
write_pending_cookie()
if role is Role.FACILITATOR:
    with st.sidebar:
        st.text_input("Your name", key=EDITOR_NAME, placeholder="shown in histories", max_chars=120)
if role is Role.FACILITATOR and settings().auth:
    with st.sidebar:
        st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=sign_out, type="tertiary")
page.run()
