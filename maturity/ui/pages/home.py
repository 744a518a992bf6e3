"""Home: what this tool is, what the database holds, and what to do first."""

import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import demo, status
from maturity.ui import context
from maturity.ui.access import can, require
from maturity.ui.components import notice_ui
from maturity.ui.failures import attempt
from maturity.ui.navigation import page_link_ui
from maturity.ui.text import md

require(Permission.RUN_WORKSHOPS)
url = context.database_url()
catalog = context.catalog()
report = status.database_status(url)

st.title("maturity")
st.markdown(
    "Find out how mature your organisation is with data, **agree on it in the room**, and then "
    "**do something about it** — and see, quarter after quarter, whether it worked."
)

if report.empty:
    st.subheader("Start here")
    st.markdown(
        "1. **Start a workshop** — pick a team and a maturity model; people join from their phones with a code.\n"
        "   Or **browse the content library** first: the maturity models, surveys and playbooks you can use.\n"
        "   Reach the people who are not in the room with an anonymous **survey campaign**.\n"
        "2. **Load the demo data** to see a living tool: six teams, two years of quarterly workshops, "
        "survey waves, data owners and actions.\n"
        "3. **Add your own content**: put YAML files in a folder, point `MATURITY_CONTENT_DIR` at it and "
        "check them with `python -m maturity validate` (see `docs/content.md`)."
    )
    left, right = st.columns(2)
    page_link_ui("workshops", where=left, label="Start a workshop", icon=":material/groups:")
    page_link_ui("library", where=left, label="Open the content library", icon=":material/library_books:")
    if not can(Permission.MANAGE_CONTENT):
        right.caption("An admin can load the demo data.")
    elif right.button("Load demo data", key="load_demo", icon=":material/dataset:", type="primary"):
        # nothing half-written stays: each batch is one transaction, and the next load finishes the rest
        with attempt("loading the demo data", failed="The demo data could not be loaded") as load:
            with st.spinner("Creating teams, workshops, votes, surveys and actions…"):
                result = demo.load_demo(url, catalog=catalog)
        if load.ok:
            st.session_state["demo_message"] = demo.describe(result)
            st.rerun()
else:
    st.subheader("In this database")
    counts = list(report.counts.items())
    for start in range(0, len(counts), 4):
        for column, (name, count) in zip(st.columns(4), counts[start : start + 4], strict=False):
            column.metric(name.capitalize(), f"{count:,}")
    left, right = st.columns(2)
    page_link_ui("workshops", where=left, label="Run or start a workshop", icon=":material/groups:")
    page_link_ui("library", where=left, label="Browse the content library", icon=":material/library_books:")
    page_link_ui("standing", where=right, label="Where the teams stand, and what is stuck", icon=":material/grid_view:")
    page_link_ui("follow_through", where=right, label="Are the actions getting done?", icon=":material/task_alt:")

notice_ui("demo_message")

st.subheader("Content")
c1, c2, c3 = st.columns(3)
c1.metric("Maturity models", len(catalog.models))
c2.metric("Surveys", len(catalog.surveys))
c3.metric("Playbooks", len(catalog.playbooks))
if catalog.problems:
    st.warning(
        md(
            "{n} problem(s) in the content files; the broken files were skipped and "
            "everything else loaded. The content library lists them.",
            n=len(catalog.problems),
        ),
        icon=":material/warning:",
    )

with st.expander("Database and configuration"):
    st.text(f"Database: {report.url}\nSchema revision: {report.revision} (latest: {report.head})")
    st.caption("Set MATURITY_DB_URL to use another database and MATURITY_CONTENT_DIR to add your own content.")
