"""Demo teams, people and data domains, each added only when missing (by name or e-mail)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from maturity.domain.names import name_key
from maturity.services.demo.common import DemoSummary
from maturity.storage.tables import DataDomain, Person, Team

# (team, description, starting level, progress per quarter, models run)
TEAMS = [
    ("Finance", "Group finance, FP&A and the month-end close.", 1.6, 0.22, ["data-maturity"]),
    ("Marketing", "Brand, acquisition and lifecycle campaigns.", 1.0, 0.12, ["data-maturity"]),
    (
        "Product & Engineering",
        "Product squads and the platform teams that build the app.",
        1.9,
        0.18,
        ["data-maturity", "data-team-health-check"],
    ),
    ("Operations", "Fulfilment, logistics and supplier management.", 0.8, 0.05, ["data-maturity"]),
    ("Data & Analytics", "The central data team: engineering, analytics and BI.", 2.3, 0.2, ["data-team-health-check"]),
    # three or four people: too few to be shown on their own in the leaders' view
    ("Legal & Compliance", "Contracts, privacy and regulatory reporting.", 1.2, 0.1, ["data-maturity"]),
]
SMALL_TEAMS = {"Legal & Compliance"}

PEOPLE = [
    ("Alex Morgan", "alex.morgan", "Chief Data Officer", None),
    ("Bea Santos", "bea.santos", "Head of data engineering", "Data & Analytics"),
    ("Chris Okafor", "chris.okafor", "Analytics lead", "Data & Analytics"),
    ("Dana Kim", "dana.kim", "Data protection officer", None),
    ("Elif Yilmaz", "elif.yilmaz", "Finance controller", "Finance"),
    ("Femi Adeyemi", "femi.adeyemi", "FP&A manager", "Finance"),
    ("Grace Liu", "grace.liu", "Marketing operations lead", "Marketing"),
    ("Hugo Petit", "hugo.petit", "CRM manager", "Marketing"),
    ("Isla Brown", "isla.brown", "Engineering manager", "Product & Engineering"),
    ("Jamal Reed", "jamal.reed", "Product manager", "Product & Engineering"),
    ("Kasia Nowak", "kasia.nowak", "Operations analyst", "Operations"),
    ("Luis Ortega", "luis.ortega", "Head of operations", "Operations"),
]

DOMAINS = [
    (
        "Customers",
        "Customer accounts, contacts and consent.",
        "grace.liu",
        "hugo.petit",
        "Marketing",
        "Marketing, Customer success, Finance",
    ),
    (
        "Orders & revenue",
        "Orders, invoices, refunds and recognised revenue.",
        "elif.yilmaz",
        "femi.adeyemi",
        "Finance",
        "Finance, Leadership, Operations",
    ),
    (
        "Product events",
        "Click-stream and feature usage events from the app.",
        "isla.brown",
        "jamal.reed",
        "Product & Engineering",
        "Product, Marketing, Data & Analytics",
    ),
    ("Campaigns", "Campaign spend, audiences and attribution.", "grace.liu", "chris.okafor", "Marketing", "Marketing, Finance"),
    (
        "Fulfilment",
        "Shipments, stock levels and supplier lead times.",
        "luis.ortega",
        "kasia.nowak",
        "Operations",
        "Operations, Finance",
    ),
    (
        "Data platform",
        "Warehouse, pipelines and the metrics layer.",
        "bea.santos",
        "chris.okafor",
        "Data & Analytics",
        "Everyone",
    ),
]


@dataclass
class _Teams:
    all: dict[str, Team]
    new: set[str]


def teams(session: Session, summary: DemoSummary) -> _Teams:
    by_key = {t.name_key: t for t in session.exec(select(Team)).all()}
    existing = {}
    new = set()
    for name, description, *_ in TEAMS:
        existing[name] = by_key.get(name_key(name))  # a "FINANCE" typed before the demo is its Finance
        if existing[name] is None:
            existing[name] = Team(name=name, description=description)
            session.add(existing[name])
            new.add(name)
            summary.add("teams")
    session.flush()
    return _Teams(existing, new)


def people(session: Session, teams: _Teams, summary: DemoSummary) -> dict[str, Person]:
    existing = {p.email: p for p in session.exec(select(Person)).all()}
    people = {}
    for name, handle, role, team in PEOPLE:
        email = f"{handle}@example.org"
        if email not in existing:
            existing[email] = Person(name=name, email=email, role=role, team_id=teams.all[team].id if team else None)
            session.add(existing[email])
            summary.add("people")
        people[handle] = existing[email]
    session.flush()
    return people


def domains(session: Session, teams: _Teams, people: dict[str, Person], summary: DemoSummary) -> None:
    existing = set(session.exec(select(DataDomain.name_key)).all())
    for name, description, owner, steward, team, consumers in DOMAINS:
        if name_key(name) in existing:
            continue
        session.add(
            DataDomain(
                name=name,
                description=description,
                owner_id=people[owner].id,
                steward_id=people[steward].id,
                creating_team_id=teams.all[team].id,
                consumers=consumers,
            )
        )
        summary.add("data domains")
