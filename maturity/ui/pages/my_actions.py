"""My actions: what the signed-in person owns, what is due, and an update in a few taps; a calendar feed of due dates."""

from datetime import date

import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import actions as ax
from maturity.services import calendar_feeds
from maturity.services.access import join_base_url
from maturity.services.errors import Conflict, ServiceError
from maturity.ui import context
from maturity.ui.access import editor_name, require
from maturity.ui.components import notice_ui
from maturity.ui.failures import attempt
from maturity.ui.merge import SharedForm
from maturity.ui.text import code, md, typed_lines

actor = require(Permission.EDIT_OWN_ACTIONS)
url = context.database_url()
catalog = context.catalog()
today = date.today()
LAST_UPDATED = "my_last_updated"
segment_names = {s.id: s.name for m in catalog.models.values() for s in m.segments}

st.title("My actions")
notice_ui("my_action_message", icon=":material/task_alt:")
if actor.person_id is None:
    if actor.email:
        st.info(
            md(
                "No one in the data owner registry has your e-mail ({email}), so no action can be assigned to you yet. "
                "A facilitator adds people on the *Data owners* page.",
                email=code(actor.email),
            ),
            icon=":material/person_search:",
        )
    else:
        st.info(
            "You signed in with the shared admin secret, not as a person, so no action is yours. "
            "Every action is on the *Governance board*.",
            icon=":material/key:",
        )
    st.stop()

show_closed = st.toggle("Show done and dropped ones too", key="my_closed")
mine = ax.my_actions(url, include_closed=show_closed)
open_ones = [a for a in mine if a.is_open]
a, b, c = st.columns(3)
a.metric("Open", len(open_ones))
b.metric("Overdue", sum(a.overdue(today) for a in open_ones))
c.metric("Due in 30 days", sum(1 for a in open_ones if a.due_on and 0 <= (a.due_on - today).days <= 30))
if not mine:
    st.info("Nothing assigned to you." if show_closed else "Nothing assigned to you is open.", icon=":material/celebration:")

STATUSES = list(ax.STATUS_LABELS)
# One action open at a time, so a long list stays a list: the one just updated, else the most overdue (soonest due first).
overdue = [a.id for a in open_ones if a.overdue(today)]
last = st.session_state.get(LAST_UPDATED)
focus = last if any(a.id == last for a in mine) else next(iter(overdue), None)
if len(overdue) > 1:
    st.caption(md(":red[{n} of your actions are overdue], most overdue first. Open one to update it.", n=len(overdue)))
for action in mine:
    due = md("no due date") if action.due_on is None else md("due {on:%d %b %Y}", on=action.due_on)
    late = md(" · :red[{days} days overdue]", days=(today - action.due_on).days) if action.overdue(today) else ""
    title = md("#{id} {title} — {status}, {due}", id=action.id, title=action.title, status=ax.STATUS_LABELS[action.status], due=due)
    with st.expander(title, expanded=action.id == focus):
        st.caption(
            md(
                "{team} · {segment} · priority {priority}{late}",
                team=action.team_name or "No team",
                segment=segment_names.get(action.segment_id or "", "no segment"),
                priority=action.priority,
                late=late,
            )
        )
        if action.description:
            st.text(action.description)  # what people typed stays plain text
        form = SharedForm(f"my_action_{action.id}", probe=f"my_status_{action.id}")
        draft = form.open({"status": action.status, "evidence_url": action.evidence_url}, action.version)
        if notice := form.notice():
            st.warning(typed_lines(notice), icon=":material/sync_problem:")
        with st.form(f"my_action_{action.id}"):
            left, right = st.columns(2)
            status = left.selectbox(
                "Status", STATUSES, index=STATUSES.index(draft.values["status"]), format_func=ax.STATUS_LABELS.get,
                key=f"my_status_{action.id}{draft.suffix}",
            )  # fmt: skip
            evidence = right.text_input(
                "Evidence link",
                value=draft.values["evidence_url"],
                key=f"my_evidence_{action.id}{draft.suffix}",
                placeholder="https://…",
            )
            comment = st.text_input(
                "Comment (optional)", key=f"my_comment_{action.id}", placeholder="e.g. waiting for access to the CRM"
            )
            saved = st.form_submit_button("Update", type="primary", icon=":material/save:")
        if saved:
            submitted = {"status": status, "evidence_url": evidence.strip()}
            with attempt("updating one's own action", failed="Not saved", keep="What you typed is still in the form.") as save:
                try:  # only what this person changed is sent, so nobody else's edit is written back
                    view = ax.update_action(
                        url, action.id, expected_version=draft.version, by=editor_name(), comment=comment, **form.changes(submitted)
                    )
                except Conflict:
                    try:
                        latest = ax.get_action(url, action.id)
                    except ServiceError as exc:  # e.g. given to someone else meanwhile: nothing to merge into
                        raise ServiceError(f"Your update was not saved: {exc}") from exc
                    theirs = {"status": latest.status, "evidence_url": latest.evidence_url}
                    form.conflict(
                        submitted,
                        theirs,
                        latest.version,
                        lambda f, v: f"{f.replace('_url', '').replace('_', ' ')} {ax.STATUS_LABELS.get(v, v) or '—'}",
                    )
                    st.rerun()
            if save.ok:
                form.saved({"status": view.status, "evidence_url": view.evidence_url}, view.version)
                st.session_state[LAST_UPDATED] = view.id
                st.session_state["my_action_message"] = f"Updated “{view.title}” ({ax.STATUS_LABELS[view.status]})."
                st.rerun()

st.subheader("Due dates in your calendar")
base, reachable = join_base_url(context.settings(), st.context.url)
st.caption(
    'Subscribe to this address in Outlook, Google Calendar or Apple Calendar ("add calendar from URL") to see the due '
    "dates of your open actions. Anyone with the address can read them: get a new one if it leaks, and the old one stops working."
)
left, right = st.columns([4, 1])
renew = right.button("New address", key="calendar_renew", icon=":material/autorenew:")
with attempt("finding the owner's calendar address", failed="The calendar address is not available") as calendar:
    token = calendar_feeds.calendar_token(url, actor.person_id, renew=renew)
if calendar.ok:
    left.code(calendar_feeds.calendar_url(base, token), language=None)
    if not reachable:
        st.caption(":orange[This address uses localhost; set MATURITY_PUBLIC_URL so calendar apps elsewhere can reach it.]")
