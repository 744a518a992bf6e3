"""Names in every script match one way on SQLite and PostgreSQL: teams, data domains and e-mails, typed or imported.

SQLite's lower() folds only ASCII, so "Équipe" and "ÉQUIPE" once missed each other and the second
insert failed on the unique name. Keys are folded in Python now (maturity.domain.names) and stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from maturity.domain.names import KEY_LENGTH, email_key, name_key
from maturity.services import accounts, owner_imports, owners
from maturity.services import workshops as ws
from maturity.services.errors import InvalidInput
from maturity.storage.engine import get_engine

# (a name as first typed, the same name typed otherwise): one key, one team.
SAME = [
    pytest.param("Équipe", "ÉQUIPE", id="french-upper"),
    pytest.param("Équipe", "e\u0301quipe", id="french-combining-accent"),
    pytest.param("Straße", "STRASSE", id="german-sharp-s"),  # full case folding: ß is ss (decided, see domain/names.py)
    pytest.param("Straße", "STRAẞE", id="german-capital-sharp-s"),
    pytest.param("İzmir", "izmir", id="turkish-dotted-capital-i"),
    pytest.param("İzmir", "IZMIR", id="turkish-dotted-and-plain-capital-i"),
    pytest.param("Işık", "işık", id="turkish-dotless-small-i"),
    pytest.param("ΣΊΣΥΦΟΣ", "Σίσυφος", id="greek-final-sigma"),
    pytest.param("Οδυσσέας", "ΟΔΥΣΣΈΑΣ", id="greek-sigma"),
    pytest.param("データ基盤", "ﾃﾞｰﾀ基盤", id="japanese-half-width-katakana"),
    pytest.param("ＡＢＣ部", "abc部", id="japanese-full-width-latin"),
    pytest.param("  Data\u3000Office ", "data office", id="ideographic-space"),
]
# Names that look alike but are other names.
OTHER = [
    pytest.param("Équipe", "Equipe", id="french-accent-counts"),
    pytest.param("ılık", "ilik", id="turkish-dotless-i-is-a-letter"),
    pytest.param("データ", "でーた", id="japanese-katakana-is-not-hiragana"),
    pytest.param("Σίσυφος", "Σισυφος", id="greek-accent-counts"),
]


@pytest.mark.parametrize(("first", "again"), SAME)
def test_the_same_name_in_another_case_or_width_has_one_key(first, again):
    assert name_key(first) == name_key(again)


@pytest.mark.parametrize(("first", "other"), OTHER)
def test_other_names_keep_other_keys(first, other):
    assert name_key(first) != name_key(other)


def test_a_key_stays_within_its_column():
    assert len(name_key("\ufdfa" * 120)) <= KEY_LENGTH  # one ligature is 18 letters after NFKC
    assert name_key("\ufdfa" * 120) != name_key("\ufdfa" * 119)


def test_emails_are_lower_cased_not_case_folded():
    assert email_key("  Özge.Yılmaz@Example.ORG ") == "özge.yılmaz@example.org"
    assert email_key("STRAßE@example.de") == "straße@example.de"  # another mailbox than strasse@…
    assert email_key("Jose\u0301@example.org") == email_key("JOSÉ@EXAMPLE.ORG")  # composed alike (NFC)


# --------------------------------------------------------------------------- teams typed for a workshop


@pytest.mark.parametrize(("first", "again"), SAME)
def test_a_new_workshop_team_typed_in_another_case_is_the_existing_team(db_url, dmm, first, again):
    team = ws.get_or_create_team(db_url, first)
    workshop = ws.create_workshop(db_url, team_name=again, model=dmm, segment_ids=["skills"])
    assert workshop.team_id == team.id and workshop.team_name == " ".join(first.split())
    assert len(ws.list_teams(db_url)) == 1


def test_typing_équipe_for_a_new_workshop_reuses_équipe(db_url, dmm):
    equipe = ws.get_or_create_team(db_url, "Équipe")
    assert ws.create_workshop(db_url, team_name="équipe", model=dmm, segment_ids=["skills"]).team_id == equipe.id
    assert ws.create_workshop(db_url, team_name="ÉQUIPE", model=dmm, segment_ids=["skills"]).team_id == equipe.id
    assert ws.get_or_create_team(db_url, "Equipe").id != equipe.id  # without its accent, another team


@pytest.mark.parametrize(("first", "other"), OTHER)
def test_look_alike_team_names_are_two_teams(db_url, first, other):
    assert ws.get_or_create_team(db_url, first).id != ws.get_or_create_team(db_url, other).id


# --------------------------------------------------------------------------- the owner registry and its imports

TEAMS = ["Équipe", "Straße", "İzmir", "Σίσυφος", "データ基盤", "Işık"]
PEOPLE = (
    "name,email,team,role\n"
    "Élodie Dupont,elodie@example.fr,Équipe,CDO\n"
    "Jürgen Groß,JUERGEN@example.de,Straße,Steward\n"
    "Özge Yılmaz,Özge@Example.com.tr,İzmir,Analyst\n"
    "Νίκος Παπαδόπουλος,nikos@example.gr,Σίσυφος,Owner\n"
    "山田太郎,yamada@example.jp,データ基盤,Engineer\n"
    "Işıl Kaya,isil@example.com.tr,Işık,Analyst\n"
).encode()
SHOUTED = (
    "name,email,team,role\n"
    "Élodie Dupont,ELODIE@EXAMPLE.FR,ÉQUIPE,CDO\n"
    "Jürgen Groß,juergen@example.de,STRASSE,Steward\n"
    "Özge Yılmaz,özge@example.com.tr,IZMIR,Analyst\n"
    "Νίκος Παπαδόπουλος,NIKOS@EXAMPLE.GR,ΣΊΣΥΦΟΣ,Owner\n"
    "山田太郎,yamada@example.jp,ﾃﾞｰﾀ基盤,Engineer\n"
    "Işıl Kaya,isil@example.com.tr,işık,Analyst\n"
).encode()


def team_names(url: str) -> list[str]:
    return sorted(t.name for t in ws.list_teams(url))


def test_importing_the_same_people_twice_in_every_script_adds_them_once(db_url):
    assert owner_imports.import_people_csv(db_url, PEOPLE) == (6, 0)
    assert owner_imports.import_people_csv(db_url, PEOPLE) == (0, 6)
    assert owner_imports.import_people_csv(db_url, SHOUTED) == (0, 6)  # e-mails and teams in other cases: the same ones
    assert team_names(db_url) == sorted(TEAMS)
    people = {p.email: p for p in owners.list_people(db_url)}
    assert sorted(people) == sorted(
        ["elodie@example.fr", "juergen@example.de", "özge@example.com.tr", "nikos@example.gr", "yamada@example.jp", "isil@example.com.tr"]
    )
    assert people["özge@example.com.tr"].team_name == "İzmir" and people["yamada@example.jp"].team_name == "データ基盤"
    assert {p.version for p in people.values()} == {1}  # nothing changed, so no open form goes stale


def test_a_team_named_in_other_cases_within_one_file_is_created_once(db_url):
    data = "name,email,team\nA,a@example.org,Équipe\nB,b@example.org,ÉQUIPE\nC,c@example.org,équipe\n".encode()
    assert owner_imports.import_people_csv(db_url, data) == (3, 0)
    assert team_names(db_url) == ["Équipe"]


def test_a_person_saved_in_the_form_matches_another_case_of_their_email(db_url):
    ozge = owners.save_person(db_url, name="Özge", email=" ÖZGE@Example.com.tr ", team_name="İzmir")
    assert ozge.email == "özge@example.com.tr"
    with pytest.raises(InvalidInput, match="already in the registry"):
        owners.save_person(db_url, name="Özge again", email="Özge@EXAMPLE.COM.TR")
    assert owners.save_person(db_url, name="Someone", email="x@example.org", team_name="izmir").team_id == ozge.team_id
    account = accounts.sign_in(db_url, email="ÖZGE@EXAMPLE.COM.TR", name="Özge")
    assert account.email == "özge@example.com.tr" and account.person_id == ozge.id


@pytest.mark.parametrize(("first", "again"), SAME)
def test_a_data_domain_in_another_case_is_the_same_domain(db_url, first, again):
    domain = owners.save_domain(db_url, name=first, creating_team=first)
    with pytest.raises(InvalidInput, match="already exists"):
        owners.save_domain(db_url, name=again)
    renamed = owners.save_domain(db_url, name=again, domain_id=domain.id, expected_version=domain.version)
    assert renamed.name == " ".join(again.split())  # its own spelling may change
    csv = f"name,description,owner_email,steward_email,creating_team,consumers\n{again},From the file,,,{again},\n".encode()
    assert owner_imports.import_domains_csv(db_url, csv) == (0, 1)
    assert owner_imports.import_domains_csv(db_url, csv) == (0, 1)
    [kept] = owners.list_domains(db_url)
    assert (kept.id, kept.description, kept.creating_team) == (domain.id, "From the file", " ".join(first.split()))


def test_a_domain_file_naming_one_domain_twice_in_two_cases_is_refused(db_url):
    csv = "name,description,owner_email,steward_email,creating_team,consumers\nStraße,,,,,\nSTRASSE,,,,,\n".encode()
    with pytest.raises(owner_imports.ImportRejected, match="Row 3: 'STRASSE' is also on row 2"):
        owner_imports.import_domains_csv(db_url, csv)


def test_no_query_folds_case_in_sql(db_url, dmm):
    # lower() in SQL folds only ASCII on SQLite, and a lower(column) comparison cannot use the column's unique index.
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = get_engine(db_url)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        owners.save_person(db_url, name="Özge", email="ÖZGE@example.com.tr", team_name="İzmir")
        owner_imports.import_people_csv(db_url, PEOPLE)
        owner_imports.import_domains_csv(db_url, "name,description,owner_email\nClients,,ÖZGE@example.com.tr\n".encode())
        owners.save_domain(db_url, name="Müşteriler", creating_team="İzmir")
        ws.create_workshop(db_url, team_name="izmir", model=dmm, segment_ids=["skills"])
        accounts.sign_in(db_url, email="Özge@example.com.tr")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements and not [s for s in statements if "lower(" in s.lower()]
