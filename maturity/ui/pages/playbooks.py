"""Playbook library: every recommendation, searchable by words, model, segment and horizon."""

import streamlit as st

from maturity.domain.roles import Permission
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.components import playbook_browser_ui

require(Permission.VIEW_CONTENT)
catalog = context.catalog()

st.title("Playbook library")
st.caption("Reusable recommendations for a segment at a range of levels, with steps a data team can start on Monday.")
playbook_browser_ui(catalog, prefix="library_pb")
