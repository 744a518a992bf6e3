"""The baseline for bench/phones.py: a bare Streamlit page whose only work is a fragment polling on a timer.

It costs what any Streamlit page costs per poll (a fragment rerun and one element), nothing of ours.
"""

import streamlit as st


@st.fragment(run_every=3)
def waiting() -> None:
    st.caption("Waiting for the facilitator…")


waiting()
