"""The data owner registry: clear errors, and CSV imports that are all or nothing."""

from __future__ import annotations

import pytest

from maturity.services import owners
from maturity.services.errors import InvalidInput

PEOPLE = b"name,email,team,role\nAlex Morgan,alex@example.org,Data,CDO\nGrace Liu,grace@example.org,Marketing,Ops lead\n"


def test_people_need_a_valid_unique_email(db_url):
    owners.save_person(db_url, name="Alex", email="alex@example.org")
    with pytest.raises(InvalidInput, match="not a valid e-mail"):
        owners.save_person(db_url, name="Bob", email="bob-at-example")
    with pytest.raises(InvalidInput, match="already in the registry"):
        owners.save_person(db_url, name="Alex again", email="ALEX@example.org")


def test_domains_need_owners_from_the_registry(db_url):
    alex = owners.save_person(db_url, name="Alex", email="alex@example.org")
    domain = owners.save_domain(db_url, name="Customers", owner_id=alex.id, creating_team="Marketing", consumers="Finance")
    assert (domain.owner_name, domain.creating_team) == ("Alex", "Marketing")
    with pytest.raises(InvalidInput, match="owner is not in the data owner registry"):
        owners.save_domain(db_url, name="Orders", owner_id=999)
    with pytest.raises(InvalidInput, match="already exists"):
        owners.save_domain(db_url, name="customers")


def test_people_import_adds_updates_and_round_trips(db_url):
    assert owners.import_people_csv(db_url, PEOPLE) == (2, 0)
    assert owners.import_people_csv(db_url, PEOPLE.replace(b"Ops lead", b"Head of marketing ops")) == (0, 2)
    assert [p.role for p in owners.list_people(db_url)] == ["CDO", "Head of marketing ops"]
    exported = owners.export_people_csv(db_url)
    assert owners.import_people_csv(db_url, exported) == (0, 2)


def test_one_bad_row_imports_nothing_and_says_which_row_and_why(db_url):
    bad = PEOPLE + b"Bob,not-an-email,Data,Analyst\nDup,alex@example.org,Data,x\n"
    with pytest.raises(owners.ImportRejected) as caught:
        owners.import_people_csv(db_url, bad)
    assert caught.value.problems == [
        "Row 4: 'not-an-email' is not a valid e-mail address.",
        "Row 5: alex@example.org is also on row 2.",
    ]
    assert owners.list_people(db_url) == []  # nothing half-imported, not even the good rows or their teams


def test_domain_import_rejects_unknown_owners(db_url):
    owners.import_people_csv(db_url, PEOPLE)
    good = b"name,description,owner_email,steward_email,creating_team,consumers\nCustomers,Accounts,grace@example.org,alex@example.org,Marketing,Finance\n"
    assert owners.import_domains_csv(db_url, good) == (1, 0)
    bad = good + b"Orders,Invoices,nobody@example.org,,Finance,Everyone\n"
    with pytest.raises(owners.ImportRejected, match="Row 3: owner nobody@example.org is not in the data owner registry"):
        owners.import_domains_csv(db_url, bad)
    assert [d.name for d in owners.list_domains(db_url)] == ["Customers"]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe", "not UTF-8"), (b"who,where\nx,y\n", "header row must include name, email"), (b"name,email\n", "no rows")],
)
def test_unreadable_files_are_explained(db_url, data, message):
    with pytest.raises(owners.ImportRejected, match=message):
        owners.import_people_csv(db_url, data)
