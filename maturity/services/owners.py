"""The data owner registry: people, and the data domains they own or steward (CSV in and out: owner_imports)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, func, select

from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import DataDomain, Person, Team

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
        values = person_values(session, name, email, team_name, role, active, exclude_id=person_id)
        person = person or Person(**values)
        changes = field_changes(person if person_id else None, values)
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


def field_changes(before: object | None, values: dict) -> dict:
    """{field: [old, new]} for what differs (everything for something new)."""
    return {
        key: [None if before is None else getattr(before, key), value]
        for key, value in values.items()
        if before is None or getattr(before, key) != value
    }


def person_values(session: Session, name, email, team_name, role, active, *, exclude_id=None, create_team=True) -> dict:
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
    team_id = team_id_for(session, team_name, create=create_team)
    return {"name": name[:120], "email": email, "team_id": team_id, "role": str(role or "").strip()[:120], "active": bool(active)}


def team_id_for(session: Session, team_name: str, *, create: bool) -> int | None:
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
            "creating_team_id": team_id_for(session, creating_team, create=True), "consumers": consumers.strip()[:500],
        }  # fmt: skip
        changes = field_changes(domain if domain_id else None, values)
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
