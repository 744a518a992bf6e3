"""Data owner registry: people, and the data domains they own or steward; edit, import, export."""

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import owners
from maturity.services.errors import ServiceError, describe_failure
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.components import notice_ui

require(Permission.VIEW_OWNERS)
url = context.database_url()

st.title("Data owners")
st.caption("Who owns and who stewards each data domain. Actions are assigned to people from this registry.")


def attempt(function, *args, success: str, **kwargs) -> None:
    try:
        result = function(*args, **kwargs)
    except owners.ImportRejected as exc:
        st.error("Nothing was imported:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
    except ServiceError as exc:
        st.error(str(exc))
    except Exception as exc:  # noqa: BLE001 - said to a person; nothing half-saved (one transaction)
        st.error(f"Not saved: {describe_failure(exc)}")
    else:
        st.session_state["owners_message"] = success.format(*result) if isinstance(result, tuple) else success
        st.rerun()


def csv_ui(what: str, columns: tuple[str, ...], matching: str, importer, exporter) -> None:
    st.markdown("**Import and export**")
    st.caption(f"CSV columns: {', '.join(columns)}. {matching}; one bad row imports nothing.")
    upload = st.file_uploader(f"Import {what} (CSV)", type=["csv"], key=f"{what}_upload")
    if upload is not None and st.button(f"Import {what}", key=f"{what}_import"):
        attempt(importer, url, upload.getvalue(), success="Imported: {} added, {} updated.")
    st.download_button(f"Export {what} (CSV)", exporter(url), f"{what}.csv", "text/csv", key=f"{what}_export")


notice_ui("owners_message")

people_tab, domains_tab = st.tabs(["People", "Data domains"])

with people_tab:
    people = owners.list_people(url)
    if people:
        st.dataframe(
            pd.DataFrame(
                [{"Name": p.name, "E-mail": p.email, "Team": p.team_name, "Role": p.role, "Active": p.active} for p in people]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("Nobody yet. Add people below or import a CSV.")
    editing = st.selectbox(
        "Add or edit",
        [0, *(p.id for p in people)],
        format_func=lambda i: "— a new person —" if i == 0 else next(p.name for p in people if p.id == i),
        key="person_pick",
    )
    current = next((p for p in people if p.id == editing), None)
    with st.form(f"person_form_{editing}"):
        a, b = st.columns(2)
        name = a.text_input("Name", value=current.name if current else "", key=f"person_name_{editing}")
        email = b.text_input("E-mail", value=current.email if current else "", key=f"person_email_{editing}")
        team = a.text_input("Team", value=current.team_name if current else "", key=f"person_team_{editing}")
        role = b.text_input("Role", value=current.role if current else "", key=f"person_role_{editing}")
        active = st.checkbox("Active", value=current.active if current else True, key=f"person_active_{editing}")
        if st.form_submit_button("Save person", type="primary"):
            attempt(
                owners.save_person,
                url,
                name=name,
                email=email,
                team_name=team,
                role=role,
                active=active,
                person_id=current.id if current else None,
                success=f"Saved {name}.",
            )
    csv_ui("people", owners.PEOPLE_COLUMNS, "People are matched by e-mail", owners.import_people_csv, owners.export_people_csv)

with domains_tab:
    domains = owners.list_domains(url)
    if domains:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Domain": d.name,
                        "Owner": d.owner_name,
                        "Steward": d.steward_name,
                        "Created by": d.creating_team,
                        "Main consumers": d.consumers,
                        "Description": d.description,
                    }
                    for d in domains
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No data domains yet. Add one below or import a CSV.")
    active_people = [p for p in owners.list_people(url) if p.active]
    choice = st.selectbox(
        "Add or edit",
        [0, *(d.id for d in domains)],
        format_func=lambda i: "— a new domain —" if i == 0 else next(d.name for d in domains if d.id == i),
        key="domain_pick",
    )
    current_domain = next((d for d in domains if d.id == choice), None)
    person_ids = [None, *(p.id for p in active_people)]

    def person_name(pid):
        return "— nobody —" if pid is None else next(p.name for p in active_people if p.id == pid)

    def index_of(pid):
        return person_ids.index(pid) if pid in person_ids else 0

    with st.form(f"domain_form_{choice}"):
        name = st.text_input("Domain or asset", value=current_domain.name if current_domain else "", key=f"domain_name_{choice}")
        description = st.text_area(
            "Description", value=current_domain.description if current_domain else "", key=f"domain_desc_{choice}", height=80
        )
        a, b = st.columns(2)
        owner_id = a.selectbox(
            "Owner",
            person_ids,
            index=index_of(current_domain.owner_id if current_domain else None),
            format_func=person_name,
            key=f"domain_owner_{choice}",
        )
        steward_id = b.selectbox(
            "Steward",
            person_ids,
            index=index_of(current_domain.steward_id if current_domain else None),
            format_func=person_name,
            key=f"domain_steward_{choice}",
        )
        creating = a.text_input(
            "Team that creates the data",
            value=current_domain.creating_team if current_domain else "",
            key=f"domain_team_{choice}",
        )
        consumers = b.text_input(
            "Main consumers", value=current_domain.consumers if current_domain else "", key=f"domain_consumers_{choice}"
        )
        if st.form_submit_button("Save domain", type="primary"):
            attempt(
                owners.save_domain, url, name=name, description=description, owner_id=owner_id, steward_id=steward_id,
                creating_team=creating, consumers=consumers, domain_id=current_domain.id if current_domain else None, success=f"Saved {name}.",
            )  # fmt: skip
    csv_ui(
        "domains",
        owners.DOMAIN_COLUMNS,
        "Owners and stewards are people's e-mails",
        owners.import_domains_csv,
        owners.export_domains_csv,
    )
