"""Governance board: every action, filtered, as a list or by status; overdue ones stand out."""

from datetime import date

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import action_exports
from maturity.services import actions as ax
from maturity.services import workshops as ws
from maturity.services.owners import list_domains, list_people
from maturity.ui import context
from maturity.ui.access import editor_name, require
from maturity.ui.action_forms import LAST_SAVED, edit_action_ui
from maturity.ui.components import notice_ui
from maturity.ui.downloads import XLSX, download_ui

require(Permission.VIEW_ACTIONS)
url = context.database_url()
catalog = context.catalog()
today = date.today()

st.title("Governance board")
notice_ui("action_message", icon=":material/task_alt:")

people = list_people(url)
teams = ws.list_teams(url)
domains = list_domains(url)
segment_names = {s.id: s.name for m in catalog.models.values() for s in m.segments}

with st.container(border=True):
    f1, f2, f3 = st.columns(3)
    owner = f1.selectbox(
        "My actions / owner",
        [0, *(p.id for p in people)],
        format_func=lambda i: "Everyone" if i == 0 else next(p.name for p in people if p.id == i),
        key="board_owner",
    )
    statuses = f2.multiselect(
        "Status", list(ax.STATUS_LABELS), default=list(ax.OPEN_STATUSES), format_func=ax.STATUS_LABELS.get, key="board_status"
    )
    team = f3.selectbox(
        "Team",
        [0, *(t.id for t in teams)],
        format_func=lambda i: "All teams" if i == 0 else next(t.name for t in teams if t.id == i),
        key="board_team",
    )
    f4, f5, f6 = st.columns(3)
    segment = f4.selectbox(
        "Segment",
        ["", *sorted(segment_names, key=segment_names.get)],
        format_func=lambda s: segment_names.get(s, "All segments"),
        key="board_segment",
    )
    domain = f5.selectbox(
        "Data domain",
        [0, *(d.id for d in domains)],
        format_func=lambda i: "All domains" if i == 0 else next(d.name for d in domains if d.id == i),
        key="board_domain",
    )
    due = f6.selectbox(
        "Due",
        ["any", "overdue", "30", "90"],
        format_func={"any": "Any time", "overdue": "Overdue only", "30": "Within 30 days", "90": "Within 90 days"}.get,
        key="board_due",
    )

actions = ax.list_actions(
    url,
    owner_id=owner or None,
    statuses=tuple(statuses) or None,
    team_id=team or None,
    segment_id=segment or None,
    domain_id=domain or None,
    due_before=today + pd.Timedelta(days=int(due)).to_pytimedelta() if due.isdigit() else None,
    overdue_on=today if due == "overdue" else None,
)
overdue = [a for a in actions if a.overdue(today)]
m1, m2, m3 = st.columns(3)
m1.metric("Actions shown", len(actions))
m2.metric("Overdue", len(overdue))
m3.metric(
    "Done in the last 90 days",
    sum(1 for a in ax.list_actions(url, statuses=("done",)) if a.completed_at and (today - a.completed_at.date()).days <= 90),
)

view = st.segmented_control("View", ["List", "Board"], default="List", key="board_view")
if view == "Board":
    columns = st.columns(len(ax.STATUS_LABELS))
    for column, (status, label) in zip(columns, ax.STATUS_LABELS.items(), strict=True):
        column.markdown(f"**{label}** ({sum(a.status == status for a in actions)})")
        for a in [a for a in actions if a.status == status][:40]:
            with column.container(border=True):
                st.markdown(f"**{a.title}**")
                due_text = f"due {a.due_on:%d %b}" if a.due_on else "no due date"
                st.caption(f"{a.owner_name} · {due_text}" + (" · :red[overdue]" if a.overdue(today) else ""))
else:
    frame = pd.DataFrame(
        [
            {"#": a.id, "Title": a.title, "Status": ax.STATUS_LABELS[a.status], "Owner": a.owner_name, "Due": a.due_on,
             "Priority": a.priority, "Team": a.team_name, "Segment": segment_names.get(a.segment_id or "", ""), "Domain": a.domain_name,
             "Overdue": a.overdue(today)}
            for a in actions
        ],
        columns=["#", "Title", "Status", "Owner", "Due", "Priority", "Team", "Segment", "Domain", "Overdue"],
    )  # fmt: skip

    def highlight(row: pd.Series) -> list[str]:
        return ["background-color: #fee2e2; color: #7f1d1d" if row["Overdue"] else "" for _ in row]

    st.dataframe(
        frame.style.apply(highlight, axis=1), hide_index=True, width="stretch", height=min(560, 38 + 35 * max(1, len(frame)))
    )

e1, e2 = st.columns(2)
download_ui(
    "Export (CSV)",
    lambda: action_exports.export_csv(actions, segment_names),
    "actions.csv",
    "text/csv",
    key="board_csv",
    icon=":material/table:",
    where=e1,
)
download_ui(
    "Export (Excel)",
    lambda: action_exports.export_xlsx(actions, segment_names),
    "actions.xlsx",
    XLSX,
    key="board_xlsx",
    icon=":material/grid_on:",
    where=e2,
)

st.subheader("Update an action")
pickable = {a.id: f"#{a.id} {a.title}" for a in actions}
last = st.session_state.get(LAST_SAVED)
if last and last not in pickable:  # just saved out of the filters (e.g. marked done): keep it in hand
    saved = ax.get_action(url, last)
    pickable = {saved.id: f"#{saved.id} {saved.title} (outside these filters)", **pickable}
if not pickable:
    st.caption("No action matches these filters.")
else:
    chosen = st.selectbox("Action", list(pickable), format_func=pickable.get, key="board_pick")
    edit_action_ui(url, ax.get_action(url, chosen), by=editor_name())
