"""Forms for governance actions: create one from a gap, and edit one with a comment and conflict check."""

from __future__ import annotations

import streamlit as st

from maturity.content.definitions import HORIZON_LABELS, Horizon, PlaybookDefinition
from maturity.services import actions as ax
from maturity.services.errors import Conflict
from maturity.services.owners import list_domains
from maturity.ui.failures import attempt
from maturity.ui.merge import SharedForm
from maturity.ui.paging import person_picker
from maturity.ui.text import md, typed_lines

NOBODY = 0
LAST_SAVED = "last_saved_action"


def _people_choices(url: str, key: str, *keep: int | None, search_label: str = "Find an owner"):
    """Active people to own an action (and whoever `keep` names, who may have left); in a big registry, those a search
    box finds. The box is drawn here: call this before the form, which would hold back what is typed."""
    people = person_picker(url, key, keep=keep, with_role=True, search_label=search_label)
    return [NOBODY, *people.ids], (lambda i: "— unassigned —" if i == NOBODY else people.label(i))


def _domain_choices(url: str):
    domains = list_domains(url)
    ids = [NOBODY, *(d.id for d in domains)]
    names = {d.id: d.name for d in domains}
    return ids, (lambda i: "— none —" if i == NOBODY else names[i])


def create_from_gap_ui(
    url: str,
    *,
    key: str,
    workshop_id: int,
    segment_id: str,
    segment_name: str,
    playbooks: tuple[PlaybookDefinition, ...],
    by: str,
) -> None:
    """Title and steps pre-filled from a playbook when one is chosen; due date from its horizon."""
    options = [None, *playbooks]
    playbook = st.selectbox(
        "Start from a playbook",
        options,
        format_func=lambda p: "— no playbook, write my own —" if p is None else f"{p.title} ({p.horizon.value})",
        key=f"{key}_playbook",
    )
    horizon = playbook.horizon.value if playbook else "quick-win"
    people, person_label = _people_choices(url, f"{key}_owner_search")
    domains, domain_label = _domain_choices(url)
    with st.form(f"{key}_form"):
        title = st.text_input(
            "Title",
            value=playbook.title if playbook else f"Improve {segment_name.lower()}",
            max_chars=200,
            key=f"{key}_title_{playbook.id if playbook else 'own'}",
        )
        description = st.text_area(
            "Steps",
            value="\n".join(f"- {s}" for s in playbook.steps) if playbook else "",
            key=f"{key}_steps_{playbook.id if playbook else 'own'}",
            height=140,
        )
        a, b, c = st.columns(3)
        owner_id = a.selectbox("Owner", people, format_func=person_label, key=f"{key}_owner")
        due_on = b.date_input("Due", value=ax.default_due_date(horizon), key=f"{key}_due_{horizon}")
        priority = c.selectbox("Priority", ["high", "medium", "low"], index=1, format_func=str.capitalize, key=f"{key}_priority")
        horizon_choice = a.selectbox(
            "Horizon",
            list(ax.HORIZONS),
            index=list(ax.HORIZONS).index(horizon),
            format_func=lambda h: HORIZON_LABELS[Horizon(h)],
            key=f"{key}_horizon_{horizon}",
        )
        domain_id = b.selectbox("Data domain", domains, format_func=domain_label, key=f"{key}_domain")
        evidence = c.text_input("Evidence link", key=f"{key}_evidence", placeholder="https://…")
        created = st.form_submit_button("Create the action", type="primary", icon=":material/add_task:")
    if created:
        with attempt("creating an action", failed="Not created", keep="What you typed is still in the form.") as create:
            action = ax.create_action(
                url, title=title, description=description, workshop_id=workshop_id, segment_id=segment_id,
                playbook_id=playbook.id if playbook else None, owner_id=owner_id or None, domain_id=domain_id or None,
                due_on=due_on, priority=priority, horizon=horizon_choice, evidence_url=evidence, by=by,
            )  # fmt: skip
        if create.ok:
            st.session_state["action_message"] = (
                f"Created “{action.title}” for {action.owner_name}, due {action.due_on:%d %b %Y}."
            )
            st.rerun()


def edit_action_ui(url: str, action: ax.ActionView, *, by: str) -> None:
    """Change status, owner, due date…, with an optional comment; only what this person changed is saved."""
    form = SharedForm(f"action_{action.id}", probe=f"ea_title_{action.id}")
    draft = form.open(_fields(action), action.version)
    d, k = draft.values, draft.suffix
    if notice := form.notice():
        st.warning(typed_lines(notice), icon=":material/sync_problem:")
    people, person_label = _people_choices(
        url, f"ea_owner_search_{action.id}", action.owner_id, d["owner_id"], search_label="Find a new owner"
    )
    domains, domain_label = _domain_choices(url)
    statuses = list(ax.STATUS_LABELS)
    with st.form(f"edit_action_{action.id}"):
        title = st.text_input("Title", value=d["title"], max_chars=200, key=f"ea_title_{action.id}{k}")
        a, b, c = st.columns(3)
        status = a.selectbox(
            "Status",
            statuses,
            index=statuses.index(d["status"]),
            format_func=ax.STATUS_LABELS.get,
            key=f"ea_status_{action.id}{k}",
        )
        owner_id = b.selectbox(
            "Owner", people, index=people.index(d["owner_id"] or NOBODY) if (d["owner_id"] or NOBODY) in people else 0,
            format_func=person_label, key=f"ea_owner_{action.id}{k}",
        )  # fmt: skip
        due_on = c.date_input("Due", value=d["due_on"], key=f"ea_due_{action.id}{k}")
        priority = a.selectbox(
            "Priority", ["high", "medium", "low"], index=["high", "medium", "low"].index(d["priority"]), format_func=str.capitalize,
            key=f"ea_priority_{action.id}{k}",
        )  # fmt: skip
        domain_id = b.selectbox(
            "Data domain", domains, index=domains.index(d["domain_id"] or NOBODY) if (d["domain_id"] or NOBODY) in domains else 0,
            format_func=domain_label, key=f"ea_domain_{action.id}{k}",
        )  # fmt: skip
        evidence = c.text_input("Evidence link", value=d["evidence_url"], key=f"ea_evidence_{action.id}{k}")
        description = st.text_area("Steps and notes", value=d["description"], key=f"ea_desc_{action.id}{k}", height=110)
        comment = st.text_input(
            "Comment for the history (optional)", key=f"ea_comment_{action.id}", placeholder="e.g. blocked on access to the CRM"
        )
        saved = st.form_submit_button("Save changes", type="primary", icon=":material/save:")
    if saved:
        submitted = {
            "title": title, "status": status, "owner_id": owner_id or None, "due_on": due_on, "priority": priority,
            "domain_id": domain_id or None, "evidence_url": evidence, "description": description,
        }  # fmt: skip
        with attempt("saving an action", failed="Not saved", keep="Your changes are still in the form.") as save:
            try:
                view = ax.update_action(
                    url, action.id, expected_version=draft.version, by=by, comment=comment, **form.changes(submitted)
                )
            except Conflict:  # someone saved first: keep both changes (ui/merge.py)
                latest = ax.get_action(url, action.id)
                form.conflict(
                    submitted,
                    _fields(latest),
                    latest.version,
                    lambda f, v: _describe(f, None, v, people=person_label, domains=domain_label),
                )
                st.rerun()
        if save.ok:
            form.saved(_fields(view), view.version)
            st.session_state[LAST_SAVED] = view.id
            st.session_state["action_message"] = f"Saved “{view.title}” ({ax.STATUS_LABELS[view.status]})."
            st.rerun()
    history = ax.action_history(url, action.id)
    with st.expander(md("History ({n})", n=len(history))):
        for event in reversed(history):
            changes = "; ".join(_describe(name, old, new) for name, (old, new) in event.changes.items())
            st.markdown(md("**{at:%d %b %Y %H:%M}** · {by} · {changes}", at=event.at, by=event.by or "someone", changes=changes or "comment"))
            if event.comment:
                st.text(event.comment)  # plain text: whatever people typed, never HTML or Markdown


def _fields(action: ax.ActionView) -> dict:
    return {
        name: getattr(action, name)
        for name in ("title", "status", "owner_id", "due_on", "priority", "domain_id", "evidence_url", "description")
    }


def _describe(name: str, old, new, *, people=None, domains=None) -> str:
    """One change in words: "status Open → Done"; with `old` None (a conflict's notice), what the field is now."""
    if name == "created":
        return "created"
    if name == "status":
        return (
            f"status {ax.STATUS_LABELS.get(old, old)} → {ax.STATUS_LABELS.get(new, new)}"
            if old
            else f"status {ax.STATUS_LABELS.get(new, new)}"
        )
    if name in ("description",):
        return "steps edited"
    label = name.replace("_id", "").replace("_", " ")
    if people is None:
        return f"{label} changed"
    shown = {"owner_id": lambda v: people(v or NOBODY), "domain_id": lambda v: domains(v or NOBODY)}.get(
        name, lambda v: "—" if v in (None, "") else str(v)
    )
    return f"{label} {shown(new)}"
