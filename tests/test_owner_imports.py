"""Big owner-registry imports: checked first, saved in short batches with progress, linear, and safe to run again.

A 100,000-row people import used to be one write transaction: it took the write lock for minutes and the
room's votes timed out behind it. Sizes here are small; the batches are made small to match.
"""

from __future__ import annotations

import gc
import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from maturity.services import audit, owner_imports, owners, rounds, voting
from maturity.services import workshops as ws
from maturity.storage.engine import get_engine


def people(n: int, *, team: str = "Équipe", role: str = "Analyst") -> bytes:
    rows = [f"Person {i},person{i}@example.org,{team} {i % 3},{role}" for i in range(n)]
    return ("name,email,team,role\n" + "\n".join(rows) + "\n").encode()


@pytest.fixture
def batches_of(monkeypatch):
    def fixed(size: int) -> None:
        for name in ("FIRST_BATCH", "MIN_BATCH", "MAX_BATCH"):
            monkeypatch.setattr(owner_imports, name, size)

    return fixed


def test_an_import_saves_in_batches_and_says_how_far_it_got(db_url, batches_of):
    batches_of(10)
    seen = []
    assert owner_imports.import_people_csv(db_url, people(35), progress=lambda done, total: seen.append((done, total))) == (35, 0)
    assert seen == [(0, 35), (10, 35), (20, 35), (30, 35), (35, 35)]
    assert len(owners.list_people(db_url)) == 35
    assert sorted(t.name for t in ws.list_teams(db_url)) == ["Équipe 0", "Équipe 1", "Équipe 2"]


def test_one_bad_row_near_the_end_still_saves_nothing(db_url, batches_of):
    batches_of(10)
    bad = people(35).replace(b"person30@example.org", b"person30-at-example.org")
    with pytest.raises(owner_imports.ImportRejected, match="Row 32: 'person30-at-example.org' is not a valid e-mail"):
        owner_imports.import_people_csv(db_url, bad, progress=lambda *_: pytest.fail("nothing is saved, so no progress"))
    assert owners.list_people(db_url) == [] and ws.list_teams(db_url) == []


def test_the_statements_an_import_makes_do_not_grow_with_its_rows(db_url, batches_of):
    batches_of(5000)  # one batch at either size
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = get_engine(db_url)
    counts = {}
    for rows in (200, 2000):
        team = f"Team of {rows}"  # new teams at either size: a team is created with one statement, not a row
        for label, data in (("new", people(rows, team=team)), ("changed", people(rows, team=team, role="Steward"))):
            statements.clear()
            event.listen(engine, "before_cursor_execute", seen)
            try:
                owner_imports.import_people_csv(db_url, data.replace(b"person", f"p{rows}-".encode()))
            finally:
                event.remove(engine, "before_cursor_execute", seen)
            counts[label, rows] = len(statements)
    # No SELECT per row: the same few statements (reads by key, one bulk insert or update, the audit line) at either size.
    assert counts["new", 2000] == counts["new", 200] and counts["changed", 2000] == counts["changed", 200], counts
    assert max(counts.values()) <= 12, counts


def test_votes_go_in_between_the_batches_of_an_import(db_url, batches_of, dmm):
    batches_of(100)
    workshop = ws.create_workshop(db_url, team_name="Room", model=dmm, segment_ids=["skills"])
    round_id = rounds.segment_rounds(db_url, workshop.id, "skills")[0].id
    token = voting.join_workshop(db_url, workshop.join_code).token
    done: list[float] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def phone() -> None:
        level = 0
        while not stop.is_set():
            try:
                voting.cast_vote(db_url, token=token, round_id=round_id, level=level)
            except Exception as exc:  # noqa: BLE001 - the test says which
                errors.append(exc)
            done.append(time.perf_counter())
            level = (level + 1) % 6
            time.sleep(0.005)

    voter = threading.Thread(target=phone)
    voter.start()
    try:
        while not done:
            time.sleep(0.01)
        started = time.perf_counter()
        owner_imports.import_people_csv(db_url, people(3000))
        ended = time.perf_counter()
    finally:
        stop.set()
        voter.join()
    assert errors == []
    during = [t for t in done if started < t < ended]
    assert len(during) >= 3, f"{len(during)} votes got in during the import's {ended - started:.2f} s"


@pytest.mark.logs_errors  # the failure is logged with its reference, as an unexpected one should be
def test_an_import_stopped_half_way_says_which_rows_were_saved_and_the_same_file_again_finishes_it(db_url, batches_of, monkeypatch):
    batches_of(10)
    data = people(35)
    real_insert, calls = owner_imports.insert, []

    def failing_insert(table):
        calls.append(table)
        if len(calls) == 3:
            raise OperationalError("INSERT INTO person", {}, Exception("database or disk is full"))
        return real_insert(table)

    monkeypatch.setattr(owner_imports, "insert", failing_insert)
    with pytest.raises(owner_imports.ImportInterrupted) as caught:
        owner_imports.import_people_csv(db_url, data)
    stopped = caught.value
    assert (stopped.saved_through, stopped.added, stopped.updated) == (21, 20, 0)
    assert str(stopped).startswith(
        "The import stopped part-way: rows 2–21 were saved (20 added, 0 updated), rows 22–36 were not: the disk is full; "
        f"free some space and try again (ref {stopped.ref})."
    )
    assert "matched by e-mail" in str(stopped)
    assert len(owners.list_people(db_url)) == 20

    monkeypatch.setattr(owner_imports, "insert", real_insert)
    assert owner_imports.import_people_csv(db_url, data) == (15, 20)
    assert sorted(p.email for p in owners.list_people(db_url)) == sorted(f"person{i}@example.org" for i in range(35))


@pytest.mark.logs_errors
def test_an_import_that_fails_on_its_first_batch_says_nothing_was_imported(db_url, monkeypatch):
    def failing_insert(table):
        raise OperationalError("INSERT INTO person", {}, Exception("database or disk is full"))

    monkeypatch.setattr(owner_imports, "insert", failing_insert)
    with pytest.raises(owner_imports.ImportInterrupted, match="stopped before saving any row: the disk is full") as caught:
        owner_imports.import_people_csv(db_url, people(5))
    assert caught.value.saved_through is None and owners.list_people(db_url) == [] and ws.list_teams(db_url) == []


def test_a_domain_import_saves_in_batches_too(db_url, batches_of):
    batches_of(4)
    owner_imports.import_people_csv(db_url, people(3))
    rows = [f"Domaine {i},Desc,person{i % 3}@example.org,,Équipe {i % 2}," for i in range(10)]
    data = ("name,description,owner_email,steward_email,creating_team,consumers\n" + "\n".join(rows) + "\n").encode()
    seen = []
    assert owner_imports.import_domains_csv(db_url, data, progress=lambda done, total: seen.append(done)) == (10, 0)
    assert seen == [0, 4, 8, 10]
    assert owner_imports.import_domains_csv(db_url, data.upper()) == (0, 10)
    domains = owners.list_domains(db_url)
    assert len(domains) == 10 and {d.description for d in domains} == {"DESC"} and {d.version for d in domains} == {2}


class Rerun(BaseException):
    """What Streamlit's progress bar raises at an interrupt point when the person clicks or navigates (RerunException)."""


def test_a_click_during_an_import_still_saves_every_row_and_the_audit_line_then_lets_the_rerun_through(db_url, batches_of):
    batches_of(10)
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise Rerun

    with pytest.raises(Rerun):
        owner_imports.import_people_csv(db_url, people(35), progress=progress)
    assert seen == [0, 10]  # a bar that raised is not asked again
    assert sorted(p.email for p in owners.list_people(db_url)) == sorted(f"person{i}@example.org" for i in range(35))
    assert [e.summary for e in audit.list_events(db_url, entity="person")] == ["People imported from CSV: 35 added, 0 updated"]


def test_overlapping_imports_keep_the_garbage_collector_frozen_until_the_last_one_ends(db_url, batches_of):
    batches_of(10)
    assert gc.get_freeze_count() == 0
    frozen = []

    def progress(done: int, _total: int) -> None:
        if done == 10:  # a second import starts and ends while the first is between its batches
            owner_imports.import_people_csv(db_url, people(25).replace(b"person", b"other"))
            frozen.append(gc.get_freeze_count())

    assert owner_imports.import_people_csv(db_url, people(35), progress=progress) == (35, 0)
    assert frozen and frozen[0] > 0, "the second import unfroze the first one's objects"
    assert gc.get_freeze_count() == 0


def test_a_row_with_more_fields_than_the_header_is_refused_by_its_number(db_url):
    data = people(5) + b"Smith, John,john@example.org,Finance,Analyst\nAda,ada@example.org,Finance,Analyst\n"  # Smith is row 7
    with pytest.raises(owner_imports.ImportRejected) as caught:
        owner_imports.import_people_csv(db_url, data)
    assert caught.value.problems == ["Row 7 has more fields than the header: put a value with a comma in quotes."]
    assert owners.list_people(db_url) == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            b'name,description\nSales,ok\nFinance,"' + b"x" * 200_000 + b'"\n',
            "Line 3 could not be read: a value is longer than 131,072 characters.",
        ),
        (b"name,email\nAda,ada@example.org\nBob\x00,bob@example.org\n", "Line 3 holds a NUL character: is the file CSV text?"),
    ],
    ids=["a field over the csv module's limit", "a NUL byte"],
)
def test_a_file_the_csv_reader_cannot_read_is_refused_by_its_line(db_url, data, problem):
    importer = owner_imports.import_domains_csv if data.startswith(b"name,description") else owner_imports.import_people_csv
    with pytest.raises(owner_imports.ImportRejected) as caught:
        importer(db_url, data)
    assert caught.value.problems == [problem]
    assert owners.list_people(db_url) == [] and owners.list_domains(db_url) == []
