"""Migrations: existing data survives every upgrade, and the models match the migrations."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from maturity.storage.engine import get_engine
from maturity.storage.migrate import current_revision, downgrade, head_revision, revisions, upgrade


@pytest.mark.sqlite_only  # reads the file with sqlite3; the PostgreSQL suite migrates every test's database
def test_upgrade_from_the_first_revision_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    first = revisions()[0]
    assert first != head_revision(), "need at least two revisions for this test to mean anything"
    upgrade(url, first)

    # Fill the first release's schema the way that release would have, with plain SQL.
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("INSERT INTO team (id, name, description, created_at) VALUES (1, 'Finance', 'FP&A', '2024-01-01 10:00:00')")
        db.execute(
            "INSERT INTO workshop (id, team_id, model_id, model_version, title, held_on, mode, status, consensus_rule,"
            " second_vote, anonymous, join_code, current_position, created_at, version)"
            " VALUES (1, 1, 'data-maturity', '1.0', 'Q1', '2024-02-01', 'lock_step', 'closed', 'median', 0, 1, 'ABC234', 0, '2024-02-01 09:00:00', 1)"
        )
        db.execute("INSERT INTO round (id, workshop_id, segment_id, number, status) VALUES (1, 1, 'skills', 1, 'revealed')")
        for pid in range(1, 6):
            db.execute(
                "INSERT INTO participant (id, workshop_id, token, joined_at, last_seen_at) VALUES (?, 1, ?, '2024-02-01', '2024-02-01')",
                (pid, f"token-{pid}"),
            )
            db.execute(
                "INSERT INTO vote (round_id, participant_id, level, cast_at, updated_at) VALUES (1, ?, ?, '2024-02-01', '2024-02-01')",
                (pid, pid % 4),
            )
        db.execute(
            "INSERT INTO consensus (id, workshop_id, segment_id, level, target_level, confidence, rule, notes, evidence,"
            " recorded_by, recorded_at, version) VALUES (1, 1, 'skills', 2, 3, 'high', 'median', 'n', 'e', 'F', '2024-02-01', 1)"
        )
        db.execute(
            "INSERT INTO consensuschange (consensus_id, level, target_level, confidence, rule, notes, evidence, changed_by, changed_at)"
            " VALUES (1, 2, 3, 'high', 'median', 'n', 'e', 'F', '2024-02-01')"
        )
        before = _counts(db)

    assert upgrade(url) == head_revision()

    with sqlite3.connect(path) as db:
        assert _counts(db, before) == before
        assert db.execute("SELECT name, description FROM team").fetchall() == [("Finance", "FP&A")]
        assert db.execute("SELECT join_code FROM workshop").fetchone() == ("ABC234",)
        assert db.execute("SELECT COUNT(*) FROM person").fetchone() == (0,)  # the new tables exist


def _counts(db: sqlite3.Connection, tables=None) -> dict[str, int]:
    names = tables or [
        r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")
    ]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def test_models_and_migrations_agree(db_url):
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_is_idempotent_and_downgrade_works(db_url):
    assert current_revision(db_url) == head_revision()
    assert upgrade(db_url) == head_revision()
    downgrade(db_url, revisions()[0])
    assert current_revision(db_url) == revisions()[0]
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()


@pytest.mark.sqlite_only  # batch mode recreates SQLite tables; PostgreSQL alters them in place
def test_downgrade_and_upgrade_of_a_populated_database_keep_every_row(tmp_path):
    from maturity.services.demo import load_demo

    path = tmp_path / "populated.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    load_demo(url)
    with sqlite3.connect(path) as db:
        before = _counts(db)
    assert before["vote"] > 1000 and before["consensuschange"] > 100 and before["actionevent"] > 10

    downgrade(url, "0002")  # 0003 rebuilds the workshop table: with foreign keys on, its copy and drop cascaded
    with sqlite3.connect(path) as db:
        kept = _counts(db)
        assert {name: kept[name] for name in kept} == {name: before[name] for name in kept}
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []

    upgrade(url)
    with sqlite3.connect(path) as db:
        after = _counts(db)
        assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA foreign_keys").fetchone() == (0,)  # a plain connection: the app's turn it on
    from maturity.storage.engine import get_engine

    with get_engine(url).connect() as connection:  # the pool's connections still enforce foreign keys
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _old_workshops(url: str) -> None:
    """A data maturity workshop (0..5) and a health check (1..3), as a database before 0003 held them."""
    from sqlalchemy import text

    with get_engine(url).begin() as db:
        db.execute(text("INSERT INTO team (id, name, description, created_at) VALUES (1, 'Finance', '', '2024-01-01 10:00:00')"))
        for wid, model in ((1, "data-maturity"), (2, "data-team-health-check")):
            db.execute(
                text(
                    "INSERT INTO workshop (id, team_id, model_id, model_version, title, held_on, mode, status, consensus_rule,"
                    " second_vote, anonymous, join_code, current_position, created_at, version)"
                    " VALUES (:id, 1, :model, '1', :title, '2024-02-01', 'lock_step', 'closed', 'median', :no, :yes, NULL, 0,"
                    " '2024-02-01 09:00:00', 1)"
                ),
                {"id": wid, "model": model, "title": f"Q1 {model}", "no": False, "yes": True},
            )
            db.execute(text("INSERT INTO workshopsegment (workshop_id, segment_id, position) VALUES (:w, 'trust-in-numbers', 0)"), {"w": wid})
        db.execute(
            text(
                "INSERT INTO consensus (workshop_id, segment_id, level, target_level, confidence, rule, notes, evidence, recorded_by,"
                " recorded_at, version) VALUES (2, 'trust-in-numbers', 2, 3, 'high', 'median', '', '', 'F', '2024-02-01', 1)"
            )
        )


def _ladders(url: str) -> dict[int, tuple[int, int]]:
    from sqlalchemy import text

    with get_engine(url).connect() as db:
        return {w: (low, high) for w, low, high in db.execute(text("SELECT id, level_min, level_max FROM workshop")).all()}


def test_existing_workshops_get_their_models_ladder_when_the_ladder_columns_arrive(tmp_path):
    from maturity.services.consensus import record_consensus
    from maturity.services.errors import InvalidInput
    from tests import databases

    url = databases.fresh_url(tmp_path)
    upgrade(url, "0002")
    _old_workshops(url)
    upgrade(url)
    assert _ladders(url) == {1: (0, 5), 2: (1, 3)}
    with pytest.raises(InvalidInput, match="from 1 to 3"):
        record_consensus(url, workshop_id=2, segment_id="trust-in-numbers", level=5, target_level=3, expected_version=1)
    databases.release(url)


def test_a_database_migrated_with_the_old_fixed_ladder_is_repaired(tmp_path):
    from sqlalchemy import text

    from tests import databases

    url = databases.fresh_url(tmp_path)
    upgrade(url, "0002")
    _old_workshops(url)
    upgrade(url, "0004")
    with get_engine(url).begin() as db:  # what the first 0003 did to every workshop
        db.execute(text("UPDATE workshop SET level_min = 0, level_max = 5"))
    upgrade(url)
    assert _ladders(url) == {1: (0, 5), 2: (1, 3)}
    databases.release(url)


def _name_clashes(url: str) -> None:
    """A database before 0007 holding teams, people and domains that differ only in case, each with references."""
    from sqlalchemy import text

    with get_engine(url).begin() as db:

        def put(sql: str, rows: list[dict]) -> None:
            for row in rows:
                db.execute(text(sql), row)

        put(
            "INSERT INTO team (id, name, description, created_at) VALUES (:id, :name, :d, '2024-01-01 10:00:00')",
            [
                {"id": 1, "name": "Équipe", "d": ""}, {"id": 2, "name": "ÉQUIPE", "d": "Les données"},
                {"id": 3, "name": "Straße", "d": ""}, {"id": 4, "name": "STRASSE", "d": ""},
                {"id": 5, "name": "İzmir", "d": ""}, {"id": 6, "name": "IZMIR", "d": ""},
                {"id": 7, "name": "Equipe", "d": ""}, {"id": 8, "name": "ΣΊΣΥΦΟΣ", "d": ""}, {"id": 9, "name": "Σίσυφος", "d": ""},
            ],
        )  # fmt: skip
        put(
            "INSERT INTO person (id, name, email, team_id, role, active, created_at, version)"
            " VALUES (:id, :name, :email, :team, :role, :yes, '2024-01-01', 1)",
            [
                {"id": 1, "name": "Özge", "email": "Özge@Example.com.tr", "team": 2, "role": "", "yes": True},
                {"id": 2, "name": "Özge Y.", "email": "özge@example.com.tr", "team": 1, "role": "Analyst", "yes": True},
                {"id": 3, "name": "Jürgen", "email": "J@EXAMPLE.DE", "team": 4, "role": "", "yes": True},
            ],
        )
        put(
            "INSERT INTO datadomain (id, name, description, owner_id, steward_id, creating_team_id, consumers, created_at, version)"
            " VALUES (:id, :name, :d, :owner, :steward, :team, :consumers, '2024-01-01', 1)",
            [
                {"id": 1, "name": "Müşteriler", "d": "", "owner": 2, "steward": None, "team": 2, "consumers": ""},
                {"id": 2, "name": "MÜŞTERİLER", "d": "Customers", "owner": None, "steward": 2, "team": 5, "consumers": "Sales"},
            ],
        )  # fmt: skip
        put(
            "INSERT INTO workshop (id, team_id, model_id, model_version, title, held_on, mode, status, consensus_rule,"
            " second_vote, anonymous, join_code, current_position, created_at, version)"
            " VALUES (1, :team, 'data-maturity', '1', 'Q1', '2024-02-01', 'lock_step', 'closed', 'median', :no, :yes, NULL, 0,"
            " '2024-02-01 09:00:00', 1)",
            [{"team": 2, "no": False, "yes": True}],
        )
        put(
            "INSERT INTO surveycampaign (id, survey_id, survey_version, title, team_id, audience, opens_on, status, link_token,"
            " single_use_codes, min_group_size, created_at) VALUES (1, 's', '1', 'Wave', :team, '', '2024-02-01', 'open', 'tok',"
            " :no, 5, '2024-02-01')",
            [{"team": 4, "no": False}],
        )
        put(
            "INSERT INTO action (id, title, team_id, owner_id, domain_id, priority, status, evidence_url, created_at, updated_at,"
            " version) VALUES (1, 'Fix it', :team, :owner, :domain, 'high', 'open', '', '2024-02-01', '2024-02-01', 1)",
            [{"team": 6, "owner": 2, "domain": 2}],
        )
        put(
            "INSERT INTO calendarfeed (person_id, token, created_at) VALUES (:person, :token, '2024-02-01')",
            [{"person": 1, "token": "feed-1"}, {"person": 2, "token": "feed-2"}],
        )
        put(
            "INSERT INTO remindersent (person_id, sent_on, sent_at, action_ids) VALUES (:person, :on, '2024-02-01', '[1]')",
            [{"person": 2, "on": "2024-03-01"}, {"person": 1, "on": "2024-03-01"}, {"person": 2, "on": "2024-03-08"}],
        )


def test_rows_that_differ_only_in_case_are_merged_keeping_every_reference(tmp_path, dmm):
    from sqlalchemy import text

    from maturity.services import workshops as ws
    from tests import databases

    url = databases.fresh_url(tmp_path)
    upgrade(url, "0006")
    _name_clashes(url)
    upgrade(url)

    with get_engine(url).connect() as db:

        def rows(sql: str) -> list[tuple]:
            return [tuple(r) for r in db.execute(text(sql)).all()]

        # The oldest of each clash is kept; its empty fields take the others' values.
        assert rows("SELECT id, name, name_key, description FROM team ORDER BY id") == [
            (1, "Équipe", "équipe", "Les données"), (3, "Straße", "strasse", ""), (5, "İzmir", "izmir", ""),
            (7, "Equipe", "equipe", ""), (8, "ΣΊΣΥΦΟΣ", "σίσυφοσ", ""),
        ]  # fmt: skip
        assert rows("SELECT id, email, team_id, role FROM person ORDER BY id") == [
            (1, "özge@example.com.tr", 1, "Analyst"), (3, "j@example.de", 3, ""),
        ]  # fmt: skip
        assert rows(
            "SELECT id, name_key, description, owner_id, steward_id, creating_team_id, consumers FROM datadomain"
        ) == [(1, "müşteriler", "Customers", 1, 1, 1, "Sales")]
        # Every reference to a merged row now points at the row it was merged into.
        assert rows("SELECT team_id FROM workshop") == [(1,)]
        assert rows("SELECT team_id FROM surveycampaign") == [(3,)]
        assert rows("SELECT team_id, owner_id, domain_id FROM action") == [(5, 1, 1)]
        assert rows("SELECT person_id, token FROM calendarfeed") == [(1, "feed-1")]  # one feed a person: the kept one's
        sent = rows("SELECT person_id, sent_on FROM remindersent")
        assert sorted((person, str(on)) for person, on in sent) == [(1, "2024-03-01"), (1, "2024-03-08")]  # one a day
        merged = rows("SELECT entity, entity_id, verb FROM auditevent ORDER BY id")
        assert sorted(merged) == sorted(
            [("person", "1", "merged")] + [("team", str(t), "merged") for t in (1, 3, 5, 8)] + [("domain", "1", "merged")]
        )

    # Names typed from now on find the merged rows, whatever their case.
    assert ws.get_or_create_team(url, "équipe").id == 1
    assert ws.create_workshop(url, team_name="STRAẞE", model=dmm, segment_ids=["skills"]).team_id == 3
    assert ws.get_or_create_team(url, "σίσυφος").id == 8
    databases.release(url)


def test_the_merge_repoints_every_foreign_key_to_the_tables_it_merges(tmp_path):
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from maturity.storage.migrate import alembic_config
    from tests import databases

    url = databases.fresh_url(tmp_path)
    upgrade(url, "0007")
    merge = ScriptDirectory.from_config(alembic_config(url)).get_revision("0007").module
    found: dict[str, set] = {table: set() for table in merge.REFERENCES}
    with get_engine(url).connect() as db:
        inspector = inspect(db)
        for table in inspector.get_table_names():
            for fk in inspector.get_foreign_keys(table):
                if fk["referred_table"] in found:
                    found[fk["referred_table"]].update((table, column) for column in fk["constrained_columns"])
    assert found == {table: set(refs) for table, refs in merge.REFERENCES.items()}
    databases.release(url)


def test_a_merge_keeps_a_person_active_if_either_was_and_audits_every_value_of_the_merged_row(tmp_path):
    import json

    from sqlalchemy import text

    from tests import databases

    url = databases.fresh_url(tmp_path)
    upgrade(url, "0006")
    with get_engine(url).begin() as db:
        db.execute(text("INSERT INTO team (id, name, description, created_at) VALUES (1, 'Finance', '', '2024-01-01 10:00:00')"))
        db.execute(
            text(
                "INSERT INTO person (id, name, email, team_id, role, active, created_at, version)"
                " VALUES (:id, :name, :email, :team, :role, :active, :at, :version)"
            ),
            [
                {"id": 1, "name": "A. Lovelace", "email": "Ada@Example.org", "team": None, "role": "Owner", "active": False,
                 "at": "2024-01-01 10:00:00", "version": 1},
                {"id": 2, "name": "Ada Lovelace", "email": "ada@example.org", "team": 1, "role": "Steward", "active": True,
                 "at": "2024-05-01 10:00:00", "version": 3},
            ],
        )  # fmt: skip
    upgrade(url)

    with get_engine(url).connect() as db:
        person = db.execute(text("SELECT id, name, email, team_id, role, active FROM person")).all()
        assert [tuple(p) for p in person] == [(1, "A. Lovelace", "ada@example.org", 1, "Owner", True)]  # active: either was
        summary, changes = db.execute(text("SELECT summary, changes FROM auditevent WHERE entity = 'person'")).one()
    changes = json.loads(changes)
    # Every value of the merged row that differed is in the audit line: the merged row's value, then the kept row's.
    assert {field: before for field, (before, _after) in changes.items()} == {
        "merged_id": 2, "name": "Ada Lovelace", "email": "ada@example.org", "team_id": 1, "role": "Steward", "active": True,
        "created_at": changes["created_at"][0], "version": 3,
    }  # fmt: skip
    assert "2024-05-01" in str(changes["created_at"][0])
    assert changes["role"] == ["Steward", "Owner"] and changes["team_id"] == [1, 1] and changes["active"] == [True, True]
    assert changes["name"] == ["Ada Lovelace", "A. Lovelace"] and changes["email"] == ["ada@example.org", "ada@example.org"]
    assert summary.startswith("'ada@example.org' (id 2) merged into 'Ada@Example.org' (id 1)")
    databases.release(url)
