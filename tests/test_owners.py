"""The data owner registry: clear errors, CSV imports that are all or nothing, and no overwritten edits."""

from __future__ import annotations

import pytest

from maturity.services import owner_imports, owners
from maturity.services.errors import Conflict, InvalidInput

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


def test_a_second_save_of_the_same_version_of_a_person_is_a_conflict_and_overwrites_nothing(db_url):
    alex = owners.save_person(db_url, name="Alex", email="alex@example.org", role="Analyst")
    assert alex.version == 1
    first = owners.save_person(
        db_url, name="Alex", email="alex@example.org", role="CDO", person_id=alex.id, expected_version=alex.version
    )
    assert first.version == 2
    with pytest.raises(Conflict, match="Someone else saved this person while you were editing it"):
        owners.save_person(
            db_url, name="Alex", email="alex@example.org", team_name="Data", person_id=alex.id, expected_version=alex.version
        )
    kept = owners.get_person(db_url, alex.id)
    assert (kept.role, kept.team_name, kept.version) == ("CDO", "", 2)
    unchanged = owners.save_person(
        db_url, name="Alex", email="alex@example.org", role="CDO", person_id=alex.id, expected_version=2
    )
    assert unchanged.version == 2, "a save that changes nothing does not make other open forms stale"
    with pytest.raises(InvalidInput, match="must name the version"):
        owners.save_person(db_url, name="Alex", email="alex@example.org", person_id=alex.id)


def test_a_second_save_of_the_same_version_of_a_domain_is_a_conflict_and_overwrites_nothing(db_url):
    alex = owners.save_person(db_url, name="Alex", email="alex@example.org")
    grace = owners.save_person(db_url, name="Grace", email="grace@example.org")
    customers = owners.save_domain(db_url, name="Customers", owner_id=alex.id)
    owners.save_domain(db_url, name="Customers", owner_id=grace.id, domain_id=customers.id, expected_version=customers.version)
    with pytest.raises(Conflict, match="Someone else saved this data domain"):
        owners.save_domain(
            db_url, name="Customers", owner_id=alex.id, consumers="Finance", domain_id=customers.id,
            expected_version=customers.version,
        )  # fmt: skip
    kept = owners.get_domain(db_url, customers.id)
    assert (kept.owner_name, kept.consumers, kept.version) == ("Grace", "", 2)


def test_an_import_that_changes_an_entry_makes_open_forms_stale_and_one_that_does_not_leaves_them(db_url):
    owner_imports.import_people_csv(db_url, PEOPLE)
    owner_imports.import_people_csv(db_url, PEOPLE)  # the same file again changes nothing
    assert [p.version for p in owners.list_people(db_url)] == [1, 1]
    owner_imports.import_people_csv(db_url, PEOPLE.replace(b"Ops lead", b"Head of marketing ops"))
    assert [p.version for p in owners.list_people(db_url)] == [1, 2]  # only Grace changed
    domains = b"name,description,owner_email,steward_email,creating_team,consumers\nCustomers,Accounts,grace@example.org,,Marketing,Finance\n"
    owner_imports.import_domains_csv(db_url, domains)
    owner_imports.import_domains_csv(db_url, domains)
    assert [d.version for d in owners.list_domains(db_url)] == [1]
    owner_imports.import_domains_csv(db_url, domains.replace(b"Finance", b"Finance and Sales"))
    assert [d.version for d in owners.list_domains(db_url)] == [2]


def test_people_import_adds_updates_and_round_trips(db_url):
    assert owner_imports.import_people_csv(db_url, PEOPLE) == (2, 0)
    assert owner_imports.import_people_csv(db_url, PEOPLE.replace(b"Ops lead", b"Head of marketing ops")) == (0, 2)
    assert [p.role for p in owners.list_people(db_url)] == ["CDO", "Head of marketing ops"]
    exported = owner_imports.export_people_csv(db_url)
    assert owner_imports.import_people_csv(db_url, exported) == (0, 2)


def test_one_bad_row_imports_nothing_and_says_which_row_and_why(db_url):
    bad = PEOPLE + b"Bob,not-an-email,Data,Analyst\nDup,alex@example.org,Data,x\n"
    with pytest.raises(owner_imports.ImportRejected) as caught:
        owner_imports.import_people_csv(db_url, bad)
    assert caught.value.problems == [
        "Row 4: 'not-an-email' is not a valid e-mail address.",
        "Row 5: alex@example.org is also on row 2.",
    ]
    assert owners.list_people(db_url) == []  # nothing half-imported, not even the good rows or their teams


def test_domain_import_rejects_unknown_owners(db_url):
    owner_imports.import_people_csv(db_url, PEOPLE)
    good = b"name,description,owner_email,steward_email,creating_team,consumers\nCustomers,Accounts,grace@example.org,alex@example.org,Marketing,Finance\n"
    assert owner_imports.import_domains_csv(db_url, good) == (1, 0)
    bad = good + b"Orders,Invoices,nobody@example.org,,Finance,Everyone\n"
    with pytest.raises(owner_imports.ImportRejected, match="Row 3: owner nobody@example.org is not in the data owner registry"):
        owner_imports.import_domains_csv(db_url, bad)
    assert [d.name for d in owners.list_domains(db_url)] == ["Customers"]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"\xff\xfe", "not UTF-8"), (b"who,where\nx,y\n", "header row must include name, email"), (b"name,email\n", "no rows")],
)
def test_unreadable_files_are_explained(db_url, data, message):
    with pytest.raises(owner_imports.ImportRejected, match=message):
        owner_imports.import_people_csv(db_url, data)
