"""The data owner registry: people, and the data domains they own or steward (CSV in and out: owner_imports)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, exists, func, or_, select

from maturity.domain.names import email_key, name_key
from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import Conflict, InvalidInput, NotFound
from maturity.storage.engine import is_sqlite, read_session, write_session
from maturity.storage.tables import Action, DataDomain, Person, Team

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
    values = clean_person(name, email, role, active)
    email = values["email"]
    clash = session.exec(select(Person).where(Person.email == email)).first()
    if clash is not None and clash.id != exclude_id:
        raise InvalidInput(f"{email} is already in the registry ({clash.name}).")
    return {**values, "team_id": team_id_for(session, team_name, create=create_team)}


def clean_person(name, email, role, active) -> dict:
    """A person's fields as stored (without the team), or InvalidInput saying what is wrong; reads nothing."""
    name = " ".join(str(name or "").split())
    email = email_key(email)
    if not name:
        raise InvalidInput("A person needs a name.")
    if not EMAIL.match(email):
        raise InvalidInput(
            f"{email or 'An empty e-mail'!r} is not a valid e-mail address." if email else "A person needs an e-mail address."
        )
    return {"name": name[:120], "email": email, "role": str(role or "").strip()[:120], "active": bool(active)}


def team_id_for(session: Session, team_name: str, *, create: bool) -> int | None:
    clean = " ".join(str(team_name or "").split())[:120]
    if not clean:
        return None
    team = session.exec(select(Team).where(Team.name_key == name_key(clean))).first()  # "équipe" finds "Équipe"
    if team is None:
        if not create:
            raise InvalidInput(f"team {clean!r} does not exist")
        team = Team(name=clean)
        session.add(team)
        session.flush()
    return team.id


# --------------------------------------------------------------------------- domains


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def list_domains(url: str, search: str = "", *, limit: int | None = None, offset: int = 0) -> list[DomainView]:
    """Data domains by name (those whose name or description holds every word of `search`): `limit` of them from `offset`."""
    with read_session(url) as session:
        query = _domain_search(select(DataDomain), search).order_by(DataDomain.name, DataDomain.id)
        return _domain_views(session, query.offset(offset).limit(limit))


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def count_domains(url: str, search: str = "") -> int:
    with read_session(url) as session:
        return session.exec(_domain_search(select(func.count()).select_from(DataDomain), search)).one()


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def get_domain(url: str, domain_id: int) -> DomainView:
    with read_session(url) as session:
        views = _domain_views(session, select(DataDomain).where(DataDomain.id == domain_id))
        if not views:
            raise NotFound("That data domain no longer exists.")
        return views[0]


def _domain_views(session: Session, query) -> list[DomainView]:
    domains = session.exec(query).all()
    people = names_of(session, Person, {pid for d in domains for pid in (d.owner_id, d.steward_id)})
    teams = names_of(session, Team, {d.creating_team_id for d in domains})
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
        for d in domains
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
        clash = session.exec(select(DataDomain).where(DataDomain.name_key == name_key(clean[:120]))).first()
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


# --------------------------------------------------------------------------- finding people and domains in a big registry

PAGE_SIZE = 50  # rows a page of the registry shows
SEARCH_WORDS = 8  # words of a search that count; each at most SEARCH_WORD characters
SEARCH_WORD = 100
NAME_CHUNK = 500  # ids per IN (...) when names are looked up


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def find_people(
    url: str, search: str = "", *, active_only: bool = False, owning_actions: bool = False, limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[PersonView]:  # fmt: skip
    """People by name whose name, e-mail, role or team holds every word of `search` (in any case): `limit` from `offset`.

    active_only keeps people still active; owning_actions keeps people who own at least one action."""
    words = search_words(search)
    with read_session(url) as session:
        query = select(Person, Team.name).outerjoin(Team, Team.id == Person.team_id)
        query = _person_search(query, words, active_only=active_only, owning_actions=owning_actions, sqlite=is_sqlite(url))
        # Without a search, the name index gives any page at once. With one, SQLite would walk that index too and
        # read every person in name order to find a few (0.2-0.6 s in 100,000): sorting the matches is faster.
        by_name = Person.name.concat("") if words else Person.name
        rows = session.exec(query.order_by(by_name, Person.id).offset(offset).limit(limit)).all()
        return [_person_view(p, team or "") for p, team in rows]


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def count_people(url: str, search: str = "", *, active_only: bool = False, owning_actions: bool = False) -> int:
    """How many people find_people would page through."""
    with read_session(url) as session:
        query = _person_search(
            select(func.count()).select_from(Person), search_words(search), active_only=active_only,
            owning_actions=owning_actions, sqlite=is_sqlite(url),
        )  # fmt: skip
        return session.exec(query).one()


@requires(Permission.VIEW_OWNERS, Permission.VIEW_ACTIONS)
def people_by_id(url: str, ids) -> dict[int, PersonView]:
    """The people with these ids that are in the registry, whatever a search shows."""
    wanted = sorted({i for i in ids if i})
    found: dict[int, PersonView] = {}
    with read_session(url) as session:
        for start in range(0, len(wanted), NAME_CHUNK):
            query = select(Person, Team.name).outerjoin(Team, Team.id == Person.team_id)
            for p, team in session.exec(query.where(Person.id.in_(wanted[start : start + NAME_CHUNK]))).all():
                found[p.id] = _person_view(p, team or "")
    return found


def names_of(session: Session, table, ids) -> dict[int, str]:
    """{id: name} of the rows of `table` (with an id and a name) among `ids`, read a chunk at a time."""
    wanted = sorted({i for i in ids if i is not None})
    names: dict[int, str] = {}
    for start in range(0, len(wanted), NAME_CHUNK):
        names.update(session.exec(select(table.id, table.name).where(table.id.in_(wanted[start : start + NAME_CHUNK]))).all())
    return names


def search_words(search: str) -> list[str]:
    return [word[:SEARCH_WORD] for word in str(search or "").split()[:SEARCH_WORDS]]


def _contains(word: str) -> str:
    """A LIKE pattern for `word` anywhere, its own % and _ (and the escape) taken literally."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _person_search(query, words: list[str], *, active_only: bool, owning_actions: bool, sqlite: bool):
    if active_only:
        query = query.where(Person.active)
    if owning_actions:
        query = query.where(exists().where(Action.owner_id == Person.id))
    for word in words:
        teams = select(Team.id).where(Team.name_key.like(_contains(name_key(word)), escape="\\"))
        query = query.where(
            or_(
                *_any_case(Person.name, word, sqlite),
                Person.email.like(_contains(email_key(word)), escape="\\"),  # stored lower-cased
                *_any_case(Person.role, word, sqlite),
                Person.team_id.in_(teams),
            )
        )
    return query


def _any_case(column, word: str, sqlite: bool) -> list:
    """`column` holds `word` in any case. PostgreSQL's ILIKE folds every script; SQLite's LIKE folds only ASCII letters
    (and lower() too), so a word with other letters is also tried in the cases names are written in ("élif": "Élif")."""
    if not sqlite:
        return [column.ilike(_contains(word), escape="\\")]
    forms = [word] if word.isascii() else list(dict.fromkeys((word, word.lower(), word.capitalize(), word.upper())))
    return [column.like(_contains(form), escape="\\") for form in forms]


def _domain_search(query, search: str):
    for word in search_words(search):
        query = query.where(
            or_(
                DataDomain.name_key.like(_contains(name_key(word)), escape="\\"),
                DataDomain.description.ilike(_contains(word), escape="\\"),
            )
        )
    return query
