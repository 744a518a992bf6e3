"""Facilitator sign-in with the admin secret."""

import streamlit as st

from maturity.services.access import check_admin_secret
from maturity.ui import context
from maturity.ui.access import sign_in

url = context.database_url()

st.title("Facilitator sign-in")
st.caption(
    "Enter the admin secret. It is the MATURITY_ADMIN_SECRET setting, or the secret printed on the console "
    "when the app first started. Participants do not need it: they join with the workshop code."
)
with st.form("signin_form", border=False):
    secret = st.text_input("Admin secret", type="password", key="admin_secret")
    submitted = st.form_submit_button("Sign in", type="primary")
if submitted:
    if check_admin_secret(url, context.settings(), secret):
        sign_in()
        st.rerun()
    else:
        st.error("That secret is not right. Check the console where the app started, or MATURITY_ADMIN_SECRET.")
st.page_link("maturity/ui/pages/join.py", label="Came to vote? Join a workshop", icon=":material/how_to_vote:")
