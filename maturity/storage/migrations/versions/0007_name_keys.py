"""name keys: teams and data domains match by a case-folded key that works in every script, e-mails are stored
lower-cased, and rows that differed only in case are merged into one, keeping every reference

SQLite's lower() folds only ASCII, so "Équipe" and "ÉQUIPE" could both be stored (and the next import
of either failed on the unique name). Keys come from maturity.domain.names, computed here in Python.
Of rows whose keys clash, the oldest (lowest id) is kept; every row that pointed at another one of
them points at it instead; its empty fields take the others' values, and a person is active if any
of them was; the others are deleted, and each merge leaves a line in the audit log holding every
value of the deleted row that differed from the kept one's, as [merged row's, kept row's after the
merge], so nothing goes without a trace. Teams merge first, so people and domains that named two
spellings of one team compare equal there. A downgrade drops the key columns; merged rows stay merged.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 10:00:00
"""

import json
from collections import defaultdict
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from maturity.domain.names import KEY_LENGTH, email_key, name_key

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Every foreign key to a table whose rows may merge, as the schema stands at this revision (tests/test_migrations.py
# checks the list against the database): table -> [(referring table, column)].
REFERENCES = {
    "person": [
        ("datadomain", "owner_id"),
        ("datadomain", "steward_id"),
        ("action", "owner_id"),
        ("calendarfeed", "person_id"),
        ("remindersent", "person_id"),
    ],
    "team": [
        ("workshop", "team_id"),
        ("surveycampaign", "team_id"),
        ("person", "team_id"),
        ("datadomain", "creating_team_id"),
        ("action", "team_id"),
    ],
    "datadomain": [("action", "domain_id")],
}
# Referring rows that are unique with their reference: the merged row's row goes when the kept row has one alike.
UNIQUE_WITH = {("calendarfeed", "person_id"): (), ("remindersent", "person_id"): ("sent_on",)}
# Fields of the kept row that take a merged row's value when the kept row has none.
FILL = {
    "person": ("team_id", "role"),
    "team": ("description",),
    "datadomain": ("description", "owner_id", "steward_id", "creating_team_id", "consumers"),
}
# Fields of the kept row that are true when any merged row's is: an active person stays active.
ANY = {"person": ("active",), "team": (), "datadomain": ()}
AUDIT_ENTITY = {"person": "person", "team": "team", "datadomain": "domain"}
KEY_TABLES = ("team", "datadomain")

audit = sa.table(
    "auditevent",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String),
    sa.column("actor_email", sa.String),
    sa.column("actor_role", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("verb", sa.String),
    sa.column("summary", sa.Text),
    sa.column("changes", sa.Text),
)


def upgrade() -> None:
    for table in KEY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("name_key", sa.String(length=KEY_LENGTH), nullable=True))
    bind = op.get_bind()
    _merge(bind, "team", "name", name_key)
    _merge(bind, "person", "email", email_key, shown="e-mail address")
    _merge(bind, "datadomain", "name", name_key)
    for table in KEY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("name_key", existing_type=sa.String(length=KEY_LENGTH), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_name_key"), ["name_key"])
    _fold_account_emails(bind)


def downgrade() -> None:
    for table in KEY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_name_key"), type_="unique")
            batch_op.drop_column("name_key")


def _merge(bind, table: str, column: str, key_of, *, shown: str = "name") -> None:
    """Merge the rows of `table` whose `column` has the same key, then store the key (in name_key, or in place)."""
    columns = sa.inspect(bind).get_columns(table)
    flags = {c["name"] for c in columns if isinstance(c["type"], sa.Boolean)}  # SQLite gives 0 and 1: audited as false, true
    shown_columns = [c["name"] for c in columns if c["name"] not in ("id", "name_key")]
    rows = [
        {name: bool(value) if name in flags and value is not None else value for name, value in row.items()}
        for row in bind.execute(sa.text(f"SELECT * FROM {table} ORDER BY id")).mappings().all()
    ]
    groups: dict[str, list] = defaultdict(list)
    for row in rows:
        groups[key_of(row[column])].append(row)
    for key, (kept, *merged) in groups.items():
        fill, now = {}, dict(kept)  # now: the kept row as the merge leaves it
        if table not in KEY_TABLES:
            now[column] = key  # folded in place below
        for row in merged:
            for referring, ref_column in REFERENCES[table]:
                _repoint(bind, referring, ref_column, row["id"], kept["id"])
            for field in FILL[table]:
                if now[field] in (None, "") and row[field] not in (None, ""):
                    fill[field] = now[field] = row[field]
            for field in ANY[table]:
                if row[field] and not now[field]:
                    fill[field] = now[field] = True
            differed = {name: [row[name], now[name]] for name in shown_columns if row[name] != kept[name]}
            bind.execute(sa.text(f"DELETE FROM {table} WHERE id = :id"), {"id": row["id"]})
            bind.execute(
                audit.insert().values(
                    at=datetime.now(UTC), actor="migration 0007", actor_email="", actor_role="",
                    entity=AUDIT_ENTITY[table], entity_id=str(kept["id"]), verb="merged",
                    summary=f"{row[column]!r} (id {row['id']}) merged into {kept[column]!r} (id {kept['id']}): "
                    f"the same {shown} in another case. Each field shows the merged row's value, then the kept row's.",
                    changes=json.dumps({"merged_id": [row["id"], kept["id"]], **differed}, default=str),
                )  # fmt: skip
            )
        values = dict(fill)
        if table in KEY_TABLES:
            values["name_key"] = key
        elif kept[column] != key:
            values[column] = key
        if values:
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            bind.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), {**values, "id": kept["id"]})


def _repoint(bind, table: str, column: str, old: int, new: int) -> None:
    if (table, column) in UNIQUE_WITH:
        alike = "".join(f" AND k.{c} = {table}.{c}" for c in UNIQUE_WITH[table, column])
        bind.execute(
            sa.text(
                f"DELETE FROM {table} WHERE {column} = :old"
                f" AND EXISTS (SELECT 1 FROM {table} AS k WHERE k.{column} = :new{alike})"
            ),
            {"old": old, "new": new},
        )
    bind.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old"), {"old": old, "new": new})


def _fold_account_emails(bind) -> None:
    # Accounts were kept lower-case already; the key also composes accents (NFC). Never two accounts into one.
    rows = bind.execute(sa.text("SELECT id, email FROM account")).all()
    taken = {email for _, email in rows}
    for account_id, email in rows:
        key = email_key(email)
        if key != email and key not in taken:
            bind.execute(sa.text("UPDATE account SET email = :email WHERE id = :id"), {"email": key, "id": account_id})
            taken.add(key)
