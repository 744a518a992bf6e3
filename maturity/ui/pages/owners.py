"""Data owner registry: people, and the data domains they own or steward; edit, import, export."""

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import owner_imports, owners
from maturity.services.errors import Conflict, NotFound
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.components import distinct_labels, notice_ui
from maturity.ui.downloads import download_ui
from maturity.ui.failures import attempt
from maturity.ui.merge import SharedForm
from maturity.ui.paging import page_offset, pager_ui, person_labels, person_picker, search_box
from maturity.ui.text import Md, md

require(Permission.VIEW_OWNERS)
SHOWN_PROBLEMS = 50  # a file with thousands of bad rows says the first ones and how many more
url = context.database_url()

st.title("Data owners")
st.caption("Who owns and who stewards each data domain. Actions are assigned to people from this registry.")


def store(function, *args, success: str, then=None, on_conflict=None, **kwargs) -> None:
    """Call a service; say what went wrong, or note `success` (formatted with a tuple result) for the next run.

    A conflict goes to `on_conflict`, where a shared form takes the other person's values."""
    rejected = None
    doing = f"saving in the owner registry ({function.__name__})"
    with attempt(doing, failed="Not saved", keep="What you typed is still in the form.") as call:
        try:
            result = function(*args, **kwargs)
        except Conflict:
            if on_conflict is None:
                raise
            on_conflict()
            return
        except owner_imports.ImportRejected as exc:  # every bad row is listed, not one sentence
            rejected = exc
    if rejected is not None:
        listed, more = rejected.problems[:SHOWN_PROBLEMS], len(rejected.problems) - SHOWN_PROBLEMS
        tail = md("  \n… and {n:,} more.", n=more) if more > 0 else ""
        st.error(md("Nothing was imported:  \n{problems}{tail}", problems=Md("  \n").join(listed), tail=tail))
    elif call.ok:
        if then is not None:
            then(result)
        st.session_state["owners_message"] = success.format(*result) if isinstance(result, tuple) else success
        st.rerun()


def save_entry(
    form: SharedForm, save, submitted: dict, *, id_name: str, entry_id: int, version: int, latest, fields, describe, keys: list[str]
) -> None:
    """Save a person or a domain (`id_name` names its id for `save`; 0 for a new one) as its form shows it.

    After someone else's save, the form takes their values where this person changed nothing (SharedForm);
    after a new entry is saved, its form starts empty for the next one."""
    ids = {id_name: entry_id or None, "expected_version": version if entry_id else None}

    def saved(view) -> None:
        if entry_id:
            form.saved(fields(view), view.version)
        else:
            for key in keys:
                st.session_state.pop(key, None)

    def merge() -> None:
        fresh = latest(url, entry_id)
        form.conflict(submitted, fields(fresh), fresh.version, describe)
        st.rerun()

    store(save, url, **submitted, **ids, success=f"Saved {' '.join(str(submitted['name']).split())}.", then=saved, on_conflict=merge)


def csv_ui(what: str, columns: tuple[str, ...], matching: str, importer, exporter) -> None:
    st.markdown("**Import and export**")
    st.caption(md("CSV columns: {columns}. {matching}; one bad row imports nothing.", columns=", ".join(columns), matching=matching))
    upload = st.file_uploader(md("Import {what} (CSV)", what=what), type=["csv"], key=f"{what}_upload")
    if upload is not None and st.button(md("Import {what}", what=what), key=f"{what}_import"):
        bar = st.progress(0.0, text="Checking every row before saving any…")

        def saved(done: int, total: int) -> None:  # the import saves in short batches, so votes go on meanwhile
            bar.progress(done / total if total else 1.0, text=md("Saved {done:,} of {total:,} rows", done=done, total=total))

        store(importer, url, upload.getvalue(), success="Imported: {} added, {} updated.", progress=saved)
    download_ui(md("Export {what} (CSV)", what=what), lambda: exporter(url), f"{what}.csv", "text/csv", key=f"{what}_export")


PERSON_LABELS = {"name": "Name", "email": "E-mail", "team_name": "Team", "role": "Role", "active": "Active"}
DOMAIN_LABELS = {
    "name": "Domain or asset", "description": "Description", "owner_id": "Owner", "steward_id": "Steward",
    "creating_team": "Team that creates the data", "consumers": "Main consumers",
}  # fmt: skip


def person_fields(person: owners.PersonView | None) -> dict:
    if person is None:
        return {"name": "", "email": "", "team_name": "", "role": "", "active": True}
    return {field: getattr(person, field) for field in PERSON_LABELS}


def describe_person(field: str, value) -> str:
    shown = ("yes" if value else "no") if field == "active" else (value or "—")
    return f"{PERSON_LABELS[field].lower()} {shown}"


def domain_fields(domain: owners.DomainView | None) -> dict:
    if domain is None:
        return {"name": "", "description": "", "owner_id": None, "steward_id": None, "creating_team": "", "consumers": ""}
    return {field: getattr(domain, field) for field in DOMAIN_LABELS}


notice_ui("owners_message")

people_tab, domains_tab = st.tabs(["People", "Data domains"])

with people_tab:
    search = search_box("Search people", key="people_search", placeholder="Part of a name, an e-mail, a team or a role")
    total = owners.count_people(url, search)
    offset = page_offset("people", total, size=owners.PAGE_SIZE, scope=search)
    people = owners.find_people(url, search, limit=owners.PAGE_SIZE, offset=offset) if total else []
    if people:
        st.dataframe(
            pd.DataFrame(
                [{"Name": p.name, "E-mail": p.email, "Team": p.team_name, "Role": p.role, "Active": p.active} for p in people]
            ),
            hide_index=True,
            width="stretch",
        )
        pager_ui("people", total, size=owners.PAGE_SIZE, noun="People")
    elif search:
        st.info(md("Nobody matches {search}.", search=search))
    else:
        st.info("Nobody yet. Add people below or import a CSV.")
    # The people on this page, and whoever is being edited even when the search or the page moved on.
    picked = st.session_state.get("person_pick") or 0
    listed = {p.id: p for p in people}
    kept = owners.people_by_id(url, [picked]) if picked and picked not in listed else {}
    choices = {**kept, **listed}
    labels = person_labels(choices)
    editing = st.selectbox(
        "Add or edit",
        [0, *choices],
        format_func=lambda i: "— a new person —" if i == 0 else labels[i],
        key="person_pick",
    )
    current = choices.get(editing)
    person_form = SharedForm(f"person_{editing}", probe=f"person_name_{editing}")
    draft = person_form.open(person_fields(current), current.version if current else 0)
    d, k = draft.values, draft.suffix
    if notice := person_form.notice():
        st.warning(notice, icon=":material/sync_problem:")
    keys = {field: f"person_{field}_{editing}{k}" for field in PERSON_LABELS}
    with st.form(f"person_form_{editing}"):
        a, b = st.columns(2)
        submitted = {
            "name": a.text_input("Name", value=d["name"], key=keys["name"]),
            "email": b.text_input("E-mail", value=d["email"], key=keys["email"]),
            "team_name": a.text_input("Team", value=d["team_name"], key=keys["team_name"]),
            "role": b.text_input("Role", value=d["role"], key=keys["role"]),
            "active": st.checkbox("Active", value=d["active"], key=keys["active"]),
        }
        if st.form_submit_button("Save person", type="primary"):
            save_entry(
                person_form, owners.save_person, submitted, id_name="person_id", entry_id=editing, version=draft.version,
                latest=owners.get_person, fields=person_fields, describe=describe_person, keys=list(keys.values()),
            )  # fmt: skip
    csv_ui("people", owner_imports.PEOPLE_COLUMNS, "People are matched by e-mail", owner_imports.import_people_csv, owner_imports.export_people_csv)

with domains_tab:
    domain_search = search_box("Search data domains", key="domains_search", placeholder="Part of a name or a description")
    domain_total = owners.count_domains(url, domain_search)
    domain_offset = page_offset("domains", domain_total, size=owners.PAGE_SIZE, scope=domain_search)
    domains = owners.list_domains(url, domain_search, limit=owners.PAGE_SIZE, offset=domain_offset) if domain_total else []
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
        pager_ui("domains", domain_total, size=owners.PAGE_SIZE, noun="Data domains")
    elif domain_search:
        st.info(md("No data domain matches {search}.", search=domain_search))
    else:
        st.info("No data domains yet. Add one below or import a CSV.")
    picked_domain = st.session_state.get("domain_pick") or 0
    domain_choices = {d.id: d for d in domains}
    if picked_domain and picked_domain not in domain_choices:  # still in hand when the search or the page moved on
        try:
            domain_choices = {picked_domain: owners.get_domain(url, picked_domain), **domain_choices}
        except NotFound:
            pass
    domain_labels = distinct_labels({i: d.name for i, d in domain_choices.items()})
    choice = st.selectbox(
        "Add or edit",
        [0, *domain_choices],
        format_func=lambda i: "— a new domain —" if i == 0 else domain_labels[i],
        key="domain_pick",
    )
    current_domain = domain_choices.get(choice)
    domain_form = SharedForm(f"domain_{choice}", probe=f"domain_name_{choice}")
    draft = domain_form.open(domain_fields(current_domain), current_domain.version if current_domain else 0)
    d, k = draft.values, draft.suffix
    # Active people (found by a search in a big registry), and whoever the domain names now even if they have left
    # (so the form shows the truth).
    candidates = person_picker(
        url, f"domain_people_{choice}", keep=(d["owner_id"], d["steward_id"]), search_label="Find an owner or a steward"
    )
    person_ids = [None, *candidates.ids]
    person_ids += [pid for pid in (d["owner_id"], d["steward_id"]) if pid is not None and pid not in person_ids]

    def person_name(pid):
        return "— nobody —" if pid is None else candidates.label(pid)

    def describe_domain(field: str, value) -> str:
        shown = person_name(value) if field in ("owner_id", "steward_id") else (value or "—")
        return f"{DOMAIN_LABELS[field].lower()} {shown}"

    if notice := domain_form.notice():
        st.warning(notice, icon=":material/sync_problem:")
    keys = {field: f"domain_{field}_{choice}{k}" for field in DOMAIN_LABELS}
    with st.form(f"domain_form_{choice}"):
        submitted = {"name": st.text_input(DOMAIN_LABELS["name"], value=d["name"], key=keys["name"])}
        submitted["description"] = st.text_area(
            DOMAIN_LABELS["description"], value=d["description"], key=keys["description"], height=80
        )
        a, b = st.columns(2)
        for column, field in ((a, "owner_id"), (b, "steward_id")):
            submitted[field] = column.selectbox(
                DOMAIN_LABELS[field], person_ids, index=person_ids.index(d[field]), format_func=person_name, key=keys[field]
            )
        submitted["creating_team"] = a.text_input(
            DOMAIN_LABELS["creating_team"], value=d["creating_team"], key=keys["creating_team"]
        )
        submitted["consumers"] = b.text_input(DOMAIN_LABELS["consumers"], value=d["consumers"], key=keys["consumers"])
        if st.form_submit_button("Save domain", type="primary"):
            save_entry(
                domain_form, owners.save_domain, submitted, id_name="domain_id", entry_id=choice, version=draft.version,
                latest=owners.get_domain, fields=domain_fields, describe=describe_domain, keys=list(keys.values()),
            )  # fmt: skip
    csv_ui(
        "domains",
        owner_imports.DOMAIN_COLUMNS,
        "Owners and stewards are people's e-mails",
        owner_imports.import_domains_csv,
        owner_imports.export_domains_csv,
    )
