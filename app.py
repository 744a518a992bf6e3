"""maturity: entry point. Page config, navigation for the visitor's role, then the page."""

import streamlit as st

from maturity.ui.navigation import current_role, pages_for

st.set_page_config(page_title="maturity", page_icon=":material/stairs:", layout="wide")
page = st.navigation(pages_for(current_role()))
page.run()
