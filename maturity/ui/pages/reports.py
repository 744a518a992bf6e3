"""Reports: one self-contained HTML file per workshop, team or the organisation, charts included, to take to a meeting."""

import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import reports
from maturity.services import workshops as ws
from maturity.ui import context
from maturity.ui import leaders as lv
from maturity.ui.access import require
from maturity.ui.components import distinct_labels
from maturity.ui.downloads import download_ui
from maturity.ui.failures import attempt
from maturity.ui.text import md

require(Permission.VIEW_LEADERS)
url = context.database_url()
catalog = context.catalog()
READY = "report.ready"

st.title("Reports")
st.caption(
    "A single HTML file with the charts as pictures and the tables beside them. It opens in any browser, "
    "prints well (or use the browser's “Save as PDF”), and needs no connection."
)
kind = st.segmented_control(
    "Report on", ["A team or the organisation", "One workshop"], default="A team or the organisation", key="report_kind"
)
if kind == "One workshop":
    workshops = [w for w in ws.list_workshops(url, limit=500) if w.model_id in catalog.models]
    if not workshops:
        st.info("No workshop yet.", icon=":material/groups:")
        st.stop()
    titles = distinct_labels({w.id: f"{w.held_on:%d %b %Y} · {w.title}" for w in workshops})
    workshop_id = st.selectbox("Workshop", list(titles), format_func=titles.get, key="report_workshop")
    request = ("workshop", workshop_id)
else:
    filters, model, teams = lv.scope_ui(url, catalog)
    request = ("period", filters)

if st.button("Build the report", type="primary", icon=":material/description:", key="build_report"):
    with attempt("building a report", failed="The report could not be built") as build:
        with st.spinner("Drawing the charts…"):
            report = (
                reports.workshop_report(url, catalog, request[1])
                if request[0] == "workshop"
                else reports.period_report(url, catalog, request[1], min_size=lv.min_group_size())
            )
    if build.ok:
        st.session_state[READY] = (request, report)

ready = st.session_state.get(READY)
if ready and ready[0] == request:
    report = ready[1]
    ready_text = md("Ready: {file} ({kb:,.0f} KB).", file=report.file_name, kb=len(report.html.encode()) / 1024)
    st.success(ready_text, icon=":material/check_circle:")
    download_ui(
        "Download the report (HTML)", report.html, report.file_name, "text/html", key="report_download", icon=":material/download:"
    )
elif ready:
    st.caption("The choice changed since the last report; build it again.")
