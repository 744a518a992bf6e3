"""Signed in with the identity provider, but without a role yet: say so, and who can change it."""

import streamlit as st

from maturity.ui.access import last_who
from maturity.ui.text import code, md, typed_lines

who = last_who()

st.title("Waiting for access")
if who.problem:
    st.error(typed_lines(who.problem), icon=":material/error:")
else:
    st.info(
        md(
            "You are signed in as {email}, but nobody has given you access to "
            "maturity yet. An admin gives people a role on the *People and roles* page: ask them to give this address "
            "the role you need (facilitator, leader or owner). Then reload this page.",
            email=code(who.email),
        ),
        icon=":material/hourglass_top:",
    )
st.caption("Came to vote in a workshop? You do not need access for that: join with the code on the shared screen.")
st.page_link("maturity/ui/pages/join.py", label="Join a workshop", icon=":material/how_to_vote:")
