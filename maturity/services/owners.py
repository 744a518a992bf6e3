"""The data owner registry: people, and the data domains they own or steward; CSV in and out."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from sqlmodel import Session, func, select

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.services.exports import to_csv
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import DataDomain, Person, Team

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PEOPLE_COLUMNS = ("name", "email", "team", "role", "active")
DOMAIN_COLUMNS = ("name", "description", "owner_email", "steward_email", "creating_team", "consumers")


class ImportRejected(InvalidInput):
    """A CSV import found problems; nothing was imported. `problems` lists them by row."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "Nothing was imported. " + " ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
        self.problems = problems


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    email: str
    team_id: int | None
    team_name: str
    role: str
    active: bool
    version: int


@dataclass(frozen=True)
class DomainView:
    id: int
    name: str
    description: str
    owner_id: int | None
    owner_name: str
    steward_id: int | None
    steward_name: str
    creating_team_id: int | None
    creating_team: str
    consumers: str
    version: int


# --------------------------------------------------------------------------- people


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def list_people(url: str, *, active_only: bool = False) -> list[PersonView]:
    with read_session(url) as session:
        query = select(Person).order_by(Person.name)
        if active_only:
            query = query.where(Person.active)
        teams = dict(session.exec(select(Team.id, Team.name)).all())
        return [_person_view(p, teams.get(p.team_id, "")) for p in session.exec(query).all()]


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def get_person(url: str, person_id: int) -> PersonView:
    with read_session(url) as session:
        person = session.get(Person, person_id)
        if person is None:
            raise NotFound("That person is no longer in the registry.")
        team = session.get(Team, person.team_id) if person.team_id else None
        return _person_view(person, team.name if team else "")


def _person_view(p: Person, team_name: str) -> PersonView:
    return PersonView(p.id, p.name, p.email, p.team_id, team_name, p.role, p.active, p.version)


@requires(Permission.EDIT_OWNERS)
def save_person(
    url: str, *, name: str, email: str, team_name: str = "", role: str = "", active: bool = True,
    person_id: int | None = None, expected_version: int | None = None,
) -> PersonView:  # fmt: skip
    """Add a person, or change one (person_id, as shown at expected_version).

    Raise InvalidInput for a bad or duplicate e-mail, Conflict if someone saved the person since."""
    with write_session(url) as session:
        person = _editing(
            session, Person, person_id, expected_version, what="person", gone="That person is no longer in the registry."
        )
        values = _person_values(session, name, email, team_name, role, active, exclude_id=person_id)
        person = person or Person(**values)
        changes = _changes(person if person_id else None, values)
        for key, value in values.items():
            setattr(person, key, value)
        if person_id and changes:
            person.version += 1
        session.add(person)
        session.flush()
        if changes:
            audit.record(
                session, entity="person", entity_id=person.id, verb="changed" if person_id else "added",
                summary=f"{person.name} <{person.email}>" + (f": {', '.join(changes)}" if person_id else " added to the registry"),
                changes=changes,
            )  # fmt: skip
        team = session.get(Team, person.team_id) if person.team_id else None
        return _person_view(person, team.name if team else "")


def _editing(session: Session, table, row_id: int | None, expected_version: int | None, *, what: str, gone: str):
    """The row a form edits (None for a new one), refused if it went or someone saved it since the form showed it."""
    if not row_id:
        return None
    if expected_version is None:
        raise InvalidInput(f"A change to a {what} must name the version it was made on.")
    row = session.get(table, row_id)
    if row is None:
        raise NotFound(gone)
    if row.version != expected_version:
        raise Conflict(
            f"Someone else saved this {what} while you were editing it, so your changes were not saved and nothing "
            "was overwritten."
        )
    return row


def _changes(before: object | None, values: dict) -> dict:
    """{field: [old, new]} for what differs (everything for something new)."""
    return {
        key: [None if before is None else getattr(before, key), value]
        for key, value in values.items()
        if before is None or getattr(before, key) != value
    }


def _person_values(session: Session, name, email, team_name, role, active, *, exclude_id=None, create_team=True) -> dict:
    name = " ".join(str(name or "").split())
    email = str(email or "").strip().lower()
    if not name:
        raise InvalidInput("A person needs a name.")
    if not EMAIL.match(email):
        raise InvalidInput(
            f"{email or 'An empty e-mail'!r} is not a valid e-mail address." if email else "A person needs an e-mail address."
        )
    clash = session.exec(select(Person).where(func.lower(Person.email) == email)).first()
    if clash is not None and clash.id != exclude_id:
        raise InvalidInput(f"{email} is already in the registry ({clash.name}).")
    team_id = _team_id(session, team_name, create=create_team)
    return {"name": name[:120], "email": email, "team_id": team_id, "role": str(role or "").strip()[:120], "active": bool(active)}


def _team_id(session: Session, team_name: str, *, create: bool) -> int | None:
    clean = " ".join(str(team_name or "").split())
    if not clean:
        return None
    team = session.exec(select(Team).where(func.lower(Team.name) == clean.lower())).first()
    if team is None:
        if not create:
            raise InvalidInput(f"team {clean!r} does not exist")
        team = Team(name=clean[:120])
        session.add(team)
        session.flush()
    return team.id


# --------------------------------------------------------------------------- domains


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def list_domains(url: str) -> list[DomainView]:
    with read_session(url) as session:
        return _domain_views(session, select(DataDomain).order_by(DataDomain.name))


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def get_domain(url: str, domain_id: int) -> DomainView:
    with read_session(url) as session:
        views = _domain_views(session, select(DataDomain).where(DataDomain.id == domain_id))
        if not views:
            raise NotFound("That data domain no longer exists.")
        return views[0]


def _domain_views(session: Session, query) -> list[DomainView]:
    people = dict(session.exec(select(Person.id, Person.name)).all())
    teams = dict(session.exec(select(Team.id, Team.name)).all())
    return [
        DomainView(
            d.id,
            d.name,
            d.description,
            d.owner_id,
            people.get(d.owner_id, ""),
            d.steward_id,
            people.get(d.steward_id, ""),
            d.creating_team_id,
            teams.get(d.creating_team_id, ""),
            d.consumers,
            d.version,
        )  # fmt: skip
        for d in session.exec(query).all()
    ]


@requires(Permission.EDIT_OWNERS)
def save_domain(
    url: str, *, name: str, description: str = "", owner_id: int | None = None, steward_id: int | None = None,
    creating_team: str = "", consumers: str = "", domain_id: int | None = None, expected_version: int | None = None,
) -> DomainView:  # fmt: skip
    """Add or change a data domain (domain_id, as shown at expected_version); the owner and steward must be in the registry."""
    with write_session(url) as session:
        domain = _editing(
            session, DataDomain, domain_id, expected_version, what="data domain", gone="That data domain no longer exists."
        )
        clean = " ".join(str(name or "").split())
        if not clean:
            raise InvalidInput("A data domain needs a name.")
        clash = session.exec(select(DataDomain).where(func.lower(DataDomain.name) == clean.lower())).first()
        if clash is not None and clash.id != domain_id:
            raise InvalidInput(f"A data domain called {clash.name!r} already exists.")
        for role, person_id in (("owner", owner_id), ("steward", steward_id)):
            if person_id is not None and session.get(Person, person_id) is None:
                raise InvalidInput(f"The {role} is not in the data owner registry.")
        domain = domain or DataDomain(name=clean)
        values = {
            "name": clean[:120], "description": description.strip(), "owner_id": owner_id, "steward_id": steward_id,
            "creating_team_id": _team_id(session, creating_team, create=True), "consumers": consumers.strip()[:500],
        }  # fmt: skip
        changes = _changes(domain if domain_id else None, values)
        for key, value in values.items():
            setattr(domain, key, value)
        if domain_id and changes:
            domain.version += 1
        session.add(domain)
        session.flush()
        if changes:
            audit.record(
                session, entity="domain", entity_id=domain.id, verb="changed" if domain_id else "added",
                summary=f"Data domain {domain.name}" + (f": {', '.join(changes)}" if domain_id else " added"), changes=changes,
            )  # fmt: skip
        return _domain_views(session, select(DataDomain).where(DataDomain.id == domain.id))[0]


# --------------------------------------------------------------------------- CSV


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
                values = _person_values(
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
                if _changes(existing, values):
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
                "creating_team_id": _team_id(session, row.get("creating_team", ""), create=True),
                "consumers": row.get("consumers", "")[:500],
            }  # fmt: skip
            if domain.id is not None and _changes(domain, values):
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
