"""People and roles: who may sign in and what each of them may do; the admin's page."""

import pandas as pd
import streamlit as st

from maturity.domain.roles import PERMISSIONS, Permission, StaffRole
from maturity.services import accounts
from maturity.services.errors import Conflict
from maturity.ui import context
from maturity.ui.access import provider_auth, require
from maturity.ui.components import notice_ui
from maturity.ui.failures import attempt
from maturity.ui.merge import SharedForm
from maturity.ui.text import Md, code, md

require(Permission.MANAGE_PEOPLE)
url = context.database_url()
settings = context.settings()

st.title("People and roles")
notice_ui("people_message")

if provider_auth() is None:
    st.info(
        "Sign-in with your identity provider is not configured, so everyone signs in with the admin secret, as an admin. "
        "Set MATURITY_OIDC_ISSUER, MATURITY_OIDC_CLIENT_ID and MATURITY_OIDC_CLIENT_SECRET (see the README) for people "
        "to sign in as themselves; the roles given here then apply.",
        icon=":material/info:",
    )
else:
    where = (
        md("the identity provider's {claim} claim sets it at each sign-in, when the claim carries a role", claim=code(settings.role_claim))
        if settings.role_claim
        else md("an admin gives it here")
    )
    admins = (
        md("MATURITY_ADMIN_EMAILS makes these people admins: {emails}.", emails=Md(", ").join(settings.admin_emails))
        if settings.admin_emails
        else ""
    )
    st.caption(
        md("People appear here when they first sign in. Their role decides what they see: {where}. {admins}", where=where, admins=admins)
    )

ROLE_CHOICES = ["", *(r.value for r in StaffRole)]


def role_label(role: str) -> str:
    return StaffRole(role).label if role else "No access"


people = accounts.list_accounts(url)
waiting = [a for a in people if not a.role]
if waiting:
    st.warning(
        md(
            "{n} waiting for a role: {emails}{more}",
            n=len(waiting),
            emails=Md(", ").join(a.email for a in waiting[:10]),
            more=md(" …") if len(waiting) > 10 else "",
        ),
        icon=":material/hourglass_top:",
    )
if people:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "E-mail": a.email,
                    "Name": a.name,
                    "Role": role_label(a.role),
                    "Role from": accounts.SOURCE_LABELS.get(a.role_source, a.role_source),
                    "In the owner registry": a.person_id is not None,
                    "Last sign-in": a.last_sign_in_at,
                }
                for a in people
            ]
        ),
        hide_index=True,
        width="stretch",
    )

    st.subheader("Change a role")
    by_id = {a.id: a for a in people}
    chosen = st.selectbox("Person", list(by_id), format_func=lambda i: f"{by_id[i].email} ({role_label(by_id[i].role)})", key="role_pick")
    account = by_id[chosen]
    form = SharedForm(f"account_{account.id}", probe=f"role_{account.id}")
    draft = form.open({"role": account.role}, account.version)
    if account.role_source == accounts.FROM_PROVIDER:
        st.caption(
            md(
                "This role came from the identity provider's {claim} claim: it is set again from the claim at their next sign-in.",
                claim=code(settings.role_claim),
            )
        )
    elif account.role_source == accounts.FROM_SETTING:
        st.caption("This person is in MATURITY_ADMIN_EMAILS: they are an admin again at their next sign-in.")
    with st.form(f"role_form_{account.id}"):
        role = st.selectbox("Role", ROLE_CHOICES, index=ROLE_CHOICES.index(account.role), format_func=role_label, key=f"role_{account.id}")
        if st.form_submit_button("Save role", type="primary", icon=":material/save:"):
            with attempt("changing a role", failed="Not saved") as save:
                try:
                    saved = accounts.set_role(url, account.id, role, expected_version=draft.version)
                except Conflict:
                    form.saved({"role": account.role}, account.version)  # the next save starts from what the other admin saved
                    raise
            if save.ok:
                form.saved({"role": saved.role}, saved.version)
                st.session_state["people_message"] = f"{saved.email} is now {role_label(saved.role)}; it applies on their next page."
                st.rerun()

st.subheader("Give someone access before they first sign in")
with st.form("add_account"):
    a, b, c = st.columns([3, 2, 2])
    email = a.text_input("E-mail (as the identity provider knows it)", key="new_email")
    name = b.text_input("Name (optional)", key="new_name")
    # the least a person may do comes first: making an admin is a choice, never a default
    role = c.selectbox("Role", list(reversed(ROLE_CHOICES[1:])), key="new_role", format_func=role_label)
    if st.form_submit_button("Add", icon=":material/person_add:"):
        with attempt("adding an account", failed="Not saved") as add:
            added = accounts.add_account(url, email=email, name=name, role=role)
        if add.ok:
            st.session_state["people_message"] = f"{added.email} can sign in as {role_label(added.role)}."
            st.rerun()

with st.expander("What each role can do"):
    st.dataframe(
        pd.DataFrame(
            [{"May": p.value, **{r.label: p in PERMISSIONS[r] for r in StaffRole}} for p in Permission]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption("Participants and survey respondents need no account: the join code or survey link lets them in, and only there.")
