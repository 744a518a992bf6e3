"""Audit log: who changed what and when, filtered, and exported for whoever asks."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.downloads import XLSX, download_ui
from maturity.ui.text import md

require(Permission.VIEW_AUDIT)
url = context.database_url()

st.title("Audit log")
st.caption(
    "Every change to a consensus, an action, the owner registry, content files, workshops, surveys and roles, with who made it."
)

with st.container(border=True):
    a, b, c, d = st.columns([2, 2, 1, 1])
    entity = a.selectbox(
        "What", ["", *audit.ENTITIES], format_func=lambda e: audit.ENTITIES.get(e, "Everything"), key="audit_entity"
    )
    who = b.text_input("Who (name or e-mail, any part)", key="audit_who")
    since = c.date_input("From", value=date.today() - timedelta(days=90), key="audit_since")
    until = d.date_input("To", value=date.today(), key="audit_until")

if since and until and since > until:
    st.error("The first day is after the last one: swap them.")
    st.stop()
events = audit.list_events(url, entity=entity or None, actor=who or None, since=since, until=until)
newest = md(", the newest {n} shown", n=audit.LIMIT) if len(events) >= audit.LIMIT else ""
st.caption(md("{n} change(s){newest}.", n=len(events), newest=newest))
if not events:
    st.info("Nothing changed that matches these filters.")
    st.stop()

frame = pd.DataFrame(
    [
        {
            "When (UTC)": e.at.replace(tzinfo=None),
            "Who": e.actor,
            "E-mail": e.actor_email,
            "Role": e.actor_role,
            "What": audit.ENTITIES.get(e.entity, e.entity),
            "Id": e.entity_id,
            "Change": e.verb,
            "Summary": e.summary,
        }
        for e in events
    ]
)
st.dataframe(frame, hide_index=True, width="stretch", height=min(600, 38 + 35 * len(frame)))

left, right = st.columns(2)
# Built when clicked, not on every run of the page (2,000 events: ~80 ms for both files). A click must not
# rerun the page: the rerun drops the other button's deferred file, and a second click then fails.
download_ui(
    "Export (CSV)",
    lambda: audit.export_csv(events),
    "audit-log.csv",
    "text/csv",
    key="audit_csv",
    icon=":material/table:",
    where=left,
)
download_ui(
    "Export (Excel)",
    lambda: audit.export_xlsx(events),
    "audit-log.xlsx",
    XLSX,
    key="audit_xlsx",
    icon=":material/grid_on:",
    where=right,
)

with st.expander("Field by field, for one change"):
    picked = st.selectbox(
        "Change",
        [e.id for e in events],
        format_func=lambda i: next(f"{e.at:%d %b %H:%M} · {e.actor} · {e.summary[:80]}" for e in events if e.id == i),
        key="audit_pick",
    )
    event = next(e for e in events if e.id == picked)
    if event.changes:
        st.dataframe(
            pd.DataFrame([{"Field": k, "Before": str(v[0]), "After": str(v[1])} for k, v in event.changes.items()]),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("No field-by-field detail for this change.")
