"""CSV in and out of the data owner registry: imports that are all or nothing and name every bad row."""

from __future__ import annotations

import csv
import io

from sqlmodel import func, select

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import InvalidInput
from maturity.services.exports import to_csv
from maturity.services.owners import field_changes, list_domains, list_people, person_values, team_id_for
from maturity.storage.engine import write_session
from maturity.storage.tables import DataDomain, Person

PEOPLE_COLUMNS = ("name", "email", "team", "role", "active")
DOMAIN_COLUMNS = ("name", "description", "owner_email", "steward_email", "creating_team", "consumers")


class ImportRejected(InvalidInput):
    """A CSV import found problems; nothing was imported. `problems` lists them by row."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "Nothing was imported. " + " ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
        self.problems = problems


def _rows(data: bytes, expected: tuple[str, ...]) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(["The file is not UTF-8 text; save it as CSV UTF-8."]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in expected[:2] if c not in header]
    if missing:
        raise ImportRejected(
            [
                f"The header row must include {', '.join(expected[:2])} (columns: {', '.join(expected)}); missing: {', '.join(missing)}."
            ]
        )
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
    if not rows:
        raise ImportRejected(["The file has a header but no rows."])
    return rows


@requires(Permission.EDIT_OWNERS)
def import_people_csv(url: str, data: bytes) -> tuple[int, int]:
    """Add or update people by e-mail, all or nothing; returns (added, updated)."""
    rows = _rows(data, PEOPLE_COLUMNS)
    problems, seen, added, updated = [], {}, 0, 0
    with write_session(url) as session:
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            email = row.get("email", "").lower()
            if email in seen:
                problems.append(f"Row {number}: {email} is also on row {seen[email]}.")
                continue
            seen[email] = number
            existing = session.exec(select(Person).where(func.lower(Person.email) == email)).first() if email else None
            try:
                active = row.get("active", "yes").lower() not in ("no", "false", "0", "inactive")
                values = person_values(
                    session,
                    row.get("name"),
                    email,
                    row.get("team"),
                    row.get("role"),
                    active,
                    exclude_id=existing.id if existing else None,
                )
            except InvalidInput as exc:
                problems.append(f"Row {number}: {exc}")
                continue
            if existing:
                if field_changes(existing, values):
                    existing.version += 1  # a form open on this person sees the import as someone else's save
                for key, value in values.items():
                    setattr(existing, key, value)
                session.add(existing)
                updated += 1
            else:
                session.add(Person(**values))
                added += 1
            session.flush()
        if problems:
            raise ImportRejected(problems)  # raising inside the transaction rolls every row back
        audit.record(
            session, entity="person", verb="imported",
            summary=f"People imported from CSV: {added} added, {updated} updated", changes={"rows": [None, len(rows)]},
        )  # fmt: skip
    return added, updated


@requires(Permission.EDIT_OWNERS)
def import_domains_csv(url: str, data: bytes) -> tuple[int, int]:
    """Add or update data domains by name, all or nothing; owners and stewards are found by e-mail."""
    rows = _rows(data, DOMAIN_COLUMNS)
    problems, seen, added, updated = [], {}, 0, 0
    with write_session(url) as session:
        people = {email.lower(): pid for pid, email in session.exec(select(Person.id, Person.email)).all()}
        for number, row in enumerate(rows, start=2):
            name = " ".join(row.get("name", "").split())
            if not name:
                problems.append(f"Row {number}: a data domain needs a name.")
                continue
            if name.lower() in seen:
                problems.append(f"Row {number}: {name!r} is also on row {seen[name.lower()]}.")
                continue
            seen[name.lower()] = number
            ids = {}
            for role in ("owner", "steward"):
                email = row.get(f"{role}_email", "").lower()
                if email and email not in people:
                    problems.append(f"Row {number}: {role} {email} is not in the data owner registry; add the person first.")
                ids[role] = people.get(email) if email else None
            if problems and problems[-1].startswith(f"Row {number}:"):
                continue
            domain = session.exec(select(DataDomain).where(func.lower(DataDomain.name) == name.lower())).first()
            if domain is None:
                domain = DataDomain(name=name[:120])
                added += 1
            else:
                updated += 1
            values = {
                "description": row.get("description", ""), "owner_id": ids["owner"], "steward_id": ids["steward"],
                "creating_team_id": team_id_for(session, row.get("creating_team", ""), create=True),
                "consumers": row.get("consumers", "")[:500],
            }  # fmt: skip
            if domain.id is not None and field_changes(domain, values):
                domain.version += 1  # a form open on this domain sees the import as someone else's save
            for key, value in values.items():
                setattr(domain, key, value)
            session.add(domain)
            session.flush()
        if problems:
            raise ImportRejected(problems)
        audit.record(
            session, entity="domain", verb="imported",
            summary=f"Data domains imported from CSV: {added} added, {updated} updated", changes={"rows": [None, len(rows)]},
        )  # fmt: skip
    return added, updated


@requires(Permission.VIEW_OWNERS)
def export_people_csv(url: str) -> bytes:
    return to_csv(PEOPLE_COLUMNS, ([p.name, p.email, p.team_name, p.role, "yes" if p.active else "no"] for p in list_people(url)))


@requires(Permission.VIEW_OWNERS)
def export_domains_csv(url: str) -> bytes:
    emails = {p.id: p.email for p in list_people(url)}
    return to_csv(
        DOMAIN_COLUMNS,
        (
            [d.name, d.description, emails.get(d.owner_id, ""), emails.get(d.steward_id, ""), d.creating_team, d.consumers]
            for d in list_domains(url)
        ),
    )
