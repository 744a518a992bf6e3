"""Governance board: actions filtered, a page at a time as a list, or by status; overdue ones stand out.

Every figure is counted in SQL and only the rows on screen are read: 20,000 actions and 100,000 people drew
for over a minute when the page read them all."""

from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import action_exports
from maturity.services import actions as ax
from maturity.services import workshops as ws
from maturity.services.owners import list_domains
from maturity.ui import context
from maturity.ui.access import editor_name, require
from maturity.ui.action_forms import LAST_SAVED, edit_action_ui
from maturity.ui.components import distinct_labels, notice_ui
from maturity.ui.downloads import XLSX, download_ui
from maturity.ui.paging import page_offset, pager_ui, person_picker
from maturity.ui.text import md, plain

PAGE_SIZE = 50  # rows of the list
CARDS = 40  # cards per status column

require(Permission.VIEW_ACTIONS)
url = context.database_url()
catalog = context.catalog()
today = date.today()

st.title("Governance board")
notice_ui("action_message", icon=":material/task_alt:")

teams = ws.list_teams(url)
domains = list_domains(url)
segment_names = {s.id: s.name for m in catalog.models.values() for s in m.segments}

with st.container(border=True):
    f1, f2, f3 = st.columns(3)
    # People who own an action (with a big registry, those a search finds), and whoever is chosen now.
    owners_found = person_picker(
        url, "board_owner_search", keep=[st.session_state.get("board_owner")], active_only=False, owning_actions=True,
        search_label="Find an owner", where=f1,
    )  # fmt: skip
    owner = f1.selectbox(
        "My actions / owner",
        [0, *owners_found.ids],
        format_func=lambda i: "Everyone" if i == 0 else owners_found.label(i),
        key="board_owner",
    )
    statuses = f2.multiselect(
        "Status", list(ax.STATUS_LABELS), default=list(ax.OPEN_STATUSES), format_func=ax.STATUS_LABELS.get, key="board_status"
    )
    team_names = distinct_labels({t.id: t.name for t in teams})
    team = f3.selectbox(
        "Team",
        [0, *team_names],
        format_func=lambda i: "All teams" if i == 0 else team_names[i],
        key="board_team",
    )
    f4, f5, f6 = st.columns(3)
    segment = f4.selectbox(
        "Segment",
        ["", *sorted(segment_names, key=segment_names.get)],
        format_func=lambda s: segment_names.get(s, "All segments"),
        key="board_segment",
    )
    domain_names = distinct_labels({d.id: d.name for d in domains})
    domain = f5.selectbox(
        "Data domain",
        [0, *domain_names],
        format_func=lambda i: "All domains" if i == 0 else domain_names[i],
        key="board_domain",
    )
    due = f6.selectbox(
        "Due",
        ["any", "overdue", "30", "90"],
        format_func={"any": "Any time", "overdue": "Overdue only", "30": "Within 30 days", "90": "Within 90 days"}.get,
        key="board_due",
    )

filters = {
    "owner_id": owner or None,
    "statuses": tuple(statuses) or None,
    "team_id": team or None,
    "segment_id": segment or None,
    "domain_id": domain or None,
    "due_before": today + timedelta(days=int(due)) if due.isdigit() else None,
    "overdue_on": today if due == "overdue" else None,
}
counts = ax.count_actions(url, today=today, **filters)
m1, m2, m3 = st.columns(3)
m1.metric("Actions shown", counts.total)
m2.metric("Overdue", counts.overdue)
m3.metric("Done in the last 90 days", ax.count_done_since(url, datetime.combine(today - timedelta(days=90), time.min, UTC)))

view = st.segmented_control("View", ["List", "Board"], default="List", key="board_view")
if view == "Board":
    shown = []
    columns = st.columns(len(ax.STATUS_LABELS))
    for column, (status, label) in zip(columns, ax.STATUS_LABELS.items(), strict=True):
        matching = counts.by_status.get(status, 0)
        column.markdown(md("**{label}** ({n:,})", label=label, n=matching))
        cards = ax.list_actions(url, **{**filters, "statuses": (status,)}, limit=CARDS) if matching else []
        shown += cards
        for a in cards:
            with column.container(border=True):
                st.markdown(md("**{title}**", title=a.title))
                due_text = md("due {due:%d %b}", due=a.due_on) if a.due_on else md("no due date")
                late = md(" · :red[overdue]") if a.overdue(today) else md("")
                st.caption(md("{owner} · {due}{late}", owner=a.owner_name, due=due_text, late=late))
        if matching > len(cards):
            column.caption(md("and {n:,} more: the list shows them all, a page at a time", n=matching - len(cards)))
else:
    offset = page_offset("actions", counts.total, size=PAGE_SIZE, scope=tuple(filters.items()))
    shown = ax.list_actions(url, **filters, limit=PAGE_SIZE, offset=offset) if counts.total else []
    frame = pd.DataFrame(
        [
            {"#": a.id, "Title": a.title, "Status": ax.STATUS_LABELS[a.status], "Owner": a.owner_name, "Due": a.due_on,
             "Priority": a.priority, "Team": a.team_name, "Segment": segment_names.get(a.segment_id or "", ""), "Domain": a.domain_name,
             "Overdue": a.overdue(today)}
            for a in shown
        ],
        columns=["#", "Title", "Status", "Owner", "Due", "Priority", "Team", "Segment", "Domain", "Overdue"],
    )  # fmt: skip

    def highlight(row: pd.Series) -> list[str]:
        return ["background-color: #fee2e2; color: #7f1d1d" if row["Overdue"] else "" for _ in row]

    st.dataframe(
        frame.style.apply(highlight, axis=1), hide_index=True, width="stretch", height=min(560, 38 + 35 * max(1, len(frame)))
    )
    if counts.total:
        pager_ui("actions", counts.total, size=PAGE_SIZE, noun="Actions")


def matching_actions() -> list[ax.ActionView]:
    return ax.list_actions(url, **filters, limit=None)  # every action the filters match, read when the file is built


e1, e2 = st.columns(2)
download_ui(
    "Export (CSV)",
    lambda: action_exports.export_csv(matching_actions(), segment_names),
    "actions.csv",
    "text/csv",
    key="board_csv",
    icon=":material/table:",
    where=e1,
)
download_ui(
    "Export (Excel)",
    lambda: action_exports.export_xlsx(matching_actions(), segment_names),
    "actions.xlsx",
    XLSX,
    key="board_xlsx",
    icon=":material/grid_on:",
    where=e2,
)

st.subheader("Update an action")
pickable = {a.id: plain(f"#{a.id} {a.title}") for a in shown}
last = st.session_state.get(LAST_SAVED)
if last and last not in pickable:  # just saved out of the filters (e.g. marked done): keep it in hand
    saved = ax.get_action(url, last)
    pickable = {saved.id: plain(f"#{saved.id} {saved.title} (outside these filters)"), **pickable}
if not pickable:
    st.caption("No action matches these filters.")
else:
    chosen = st.selectbox("Action", list(pickable), format_func=pickable.get, key="board_pick")
    edit_action_ui(url, ax.get_action(url, chosen), by=editor_name())
