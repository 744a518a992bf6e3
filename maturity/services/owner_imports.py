"""CSV in and out of the data owner registry: imports check every row before saving any (one bad row imports
nothing, and each bad row is named), then save in short batches, so a big import never locks out the room.

Each batch is a transaction of its own that holds the write lock about BATCH_SECONDS: a vote waits for
one batch at most, never for the whole import. Batches grow or shrink to keep to that time. The cost
is linear in the rows: existing people, domains and teams are looked up once per batch by their keys
(e-mail, name_key), never row by row, and rows go in with one statement per batch.

A failure half-way through (a full disk) stops the import with ImportInterrupted, which says which
rows were saved. Importing the same file again is safe: people are matched by e-mail and domains by
name, so saved rows are updated in place, never doubled.

The progress callback is not trusted to return: on a Streamlit page it draws a progress bar, and drawing is
where Streamlit raises its rerun or stop (BaseException subclasses) when the person clicks or navigates. An
import whose callback raised saves every remaining batch and its audit line, then raises what it raised.
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from maturity.domain.names import email_key, name_key
from maturity.domain.roles import Permission
from maturity.logs import log_unexpected
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import InvalidInput, ServiceError, known_failure
from maturity.services.exports import to_csv
from maturity.services.owners import clean_person, list_domains, list_people
from maturity.storage.engine import read_session, write_session
from maturity.storage.tables import DataDomain, Person, Team, utcnow

log = logging.getLogger(__name__)

PEOPLE_COLUMNS = ("name", "email", "team", "role", "active")
DOMAIN_COLUMNS = ("name", "description", "owner_email", "steward_email", "creating_team", "consumers")

BATCH_SECONDS = 0.1  # how long one batch may hold the write lock, as measured on the batch before it
FIRST_BATCH, MIN_BATCH, MAX_BATCH = 500, 50, 5000  # rows
# Between batches the import waits PAUSE_SHARE of the time the last one held the lock (PAUSE_SECONDS at least), so
# writers queued behind a batch go before the next: votes in this process at once, and votes in another app process,
# whose SQLite busy handler looks again only every 100 ms after a while of waiting, within a batch or two.
PAUSE_SECONDS, PAUSE_SHARE = 0.005, 0.5

Progress = Callable[[int, int], None]  # (rows saved so far, rows to save)


class ImportRejected(InvalidInput):
    """A CSV import found problems; nothing was imported. `problems` lists them by row."""

    def __init__(self, problems: list[str]):
        super().__init__(
            "Nothing was imported. " + " ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
        self.problems = problems


class ImportInterrupted(ServiceError):
    """The import stopped part-way through saving (the failure is logged with `ref`); the message says which rows were saved.

    `saved_through` is the last file row saved (None when none was); rows after it were not saved."""

    def __init__(self, message: str, *, saved_through: int | None, added: int, updated: int, ref: str):
        super().__init__(message)
        self.saved_through, self.added, self.updated, self.ref = saved_through, added, updated, ref


class _Checked(NamedTuple):
    """A row that passed every check, as it will be saved; `number` is its line in the file (the header is 1)."""

    number: int
    key: str  # what the row is matched by: the e-mail, or the domain's name_key
    values: dict
    team: str  # the team named in the row ("" for none), created when new
    team_key: str  # its name_key


def _rows(data: bytes, expected: tuple[str, ...]) -> list[dict]:
    """The file's rows as {column: text}, or ImportRejected when it cannot be read as CSV (naming the row or the line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(["The file is not UTF-8 text; save it as CSV UTF-8."]) from None
    nul = text.find("\x00")
    if nul >= 0:  # the csv module reads it, but PostgreSQL refuses it in text: the file is not CSV text
        line = text.count("\n", 0, nul) + 1
        raise ImportRejected([f"Line {line} holds a NUL character: is the file CSV text?"])
    reader = csv.DictReader(io.StringIO(text))
    rows, problems = [], []
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in expected[:2] if c not in header]
        if missing:
            raise ImportRejected(
                [
                    f"The header row must include {', '.join(expected[:2])} (columns: {', '.join(expected)}); missing: {', '.join(missing)}."
                ]
            )
        for number, row in enumerate(reader, start=2):  # row 1 is the header, as in the checks
            if None in row:  # the fields past the header's, as a list: "Smith, John" unquoted is two fields
                problems.append(f"Row {number} has more fields than the header: put a value with a comma in quotes.")
                continue
            rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()})
    except csv.Error as exc:
        line = reader.reader.line_num  # DictReader's own line_num counts only the rows it returned
        reason = f"a value is longer than {csv.field_size_limit():,} characters" if "field limit" in str(exc) else str(exc)
        raise ImportRejected([f"Line {line} could not be read: {reason}."]) from None
    if problems:
        raise ImportRejected(problems)
    if not rows:
        raise ImportRejected(["The file has a header but no rows."])
    return rows


def _team_name(text: str) -> str:
    return " ".join(text.split())[:120]


# --------------------------------------------------------------------------- people


@requires(Permission.EDIT_OWNERS)
def import_people_csv(url: str, data: bytes, *, progress: Progress | None = None) -> tuple[int, int]:
    """Add or update people by e-mail; every row is checked before any is saved. Returns (added, updated).

    ImportRejected (nothing saved) lists the bad rows; ImportInterrupted says which rows a failure
    half-way left saved. `progress(saved, total)` is called before the first batch and after each."""
    checked = _check_people(_rows(data, PEOPLE_COLUMNS))
    teams = _Teams(url)

    def write(session: Session, batch: Sequence[_Checked]) -> tuple[int, int]:
        team_ids = teams.ids(session, batch)
        table = Person.__table__
        existing = {
            email: (pid, name, team_id, role, active)
            for pid, email, name, team_id, role, active in session.execute(
                select(table.c.id, table.c.email, table.c.name, table.c.team_id, table.c.role, table.c.active).where(
                    table.c.email.in_([row.key for row in batch])
                )
            ).all()
        }
        new, changed, now = [], [], utcnow()
        for row in batch:
            values = {**row.values, "team_id": team_ids[row.team_key] if row.team else None}
            before = existing.get(row.key)
            if before is None:
                new.append({**values, "created_at": now, "version": 1})
            elif before[1:] != (values["name"], values["team_id"], values["role"], values["active"]):
                changed.append({"b_id": before[0], **{f"b_{k}": values[k] for k in ("name", "team_id", "role", "active")}})
        if new:
            session.execute(insert(table), new)
        if changed:  # a form open on one of them sees the import as someone else's save
            session.execute(
                update(table).where(table.c.id == bindparam("b_id")).values(
                    name=bindparam("b_name"), team_id=bindparam("b_team_id"), role=bindparam("b_role"),
                    active=bindparam("b_active"), version=table.c.version + 1,
                ),  # fmt: skip
                changed,
            )
        return len(new), len(batch) - len(new)

    def finish(session: Session, added: int, updated: int) -> None:
        audit.record(
            session, entity="person", verb="imported",
            summary=f"People imported from CSV: {added} added, {updated} updated", changes={"rows": [None, len(checked)]},
        )  # fmt: skip

    return _save_in_batches(url, checked, write, finish, progress=progress, what="people")


def _check_people(rows: list[dict]) -> list[_Checked]:
    """Every row as it will be saved, or ImportRejected naming each bad row; reads nothing."""
    problems, seen, checked = [], {}, []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        email = email_key(row.get("email", ""))
        if email and email in seen:
            problems.append(f"Row {number}: {email} is also on row {seen[email]}.")
            continue
        seen[email] = number
        try:
            active = row.get("active", "yes").lower() not in ("no", "false", "0", "inactive")
            values = clean_person(row.get("name"), email, row.get("role"), active)
        except InvalidInput as exc:
            problems.append(f"Row {number}: {exc}")
            continue
        team = _team_name(row.get("team", ""))
        checked.append(_Checked(number, values["email"], values, team, name_key(team)))
    if problems:
        raise ImportRejected(problems)
    return checked


# --------------------------------------------------------------------------- data domains


@requires(Permission.EDIT_OWNERS)
def import_domains_csv(url: str, data: bytes, *, progress: Progress | None = None) -> tuple[int, int]:
    """Add or update data domains by name (in any case or script); owners and stewards are found by e-mail.

    Every row is checked before any is saved, as for people (import_people_csv)."""
    rows = _rows(data, DOMAIN_COLUMNS)
    with read_session(url) as session:
        people = dict(session.execute(select(Person.__table__.c.email, Person.__table__.c.id)).all())
    checked = _check_domains(rows, people)
    teams = _Teams(url)
    fields = ("description", "owner_id", "steward_id", "creating_team_id", "consumers")

    def write(session: Session, batch: Sequence[_Checked]) -> tuple[int, int]:
        team_ids = teams.ids(session, batch)
        table = DataDomain.__table__
        existing = {
            row[1]: row
            for row in session.execute(
                select(table.c.id, table.c.name_key, *(table.c[f] for f in fields)).where(
                    table.c.name_key.in_([row.key for row in batch])
                )
            ).all()
        }
        new, changed, now = [], [], utcnow()
        for row in batch:
            values = {**row.values, "creating_team_id": team_ids[row.team_key] if row.team else None}
            before = existing.get(row.key)
            if before is None:
                new.append({"name": row.values["name"], "name_key": row.key, **values, "created_at": now, "version": 1})
            elif tuple(before[2:]) != tuple(values[f] for f in fields):
                changed.append({"b_id": before[0], **{f"b_{f}": values[f] for f in fields}})
        if new:
            session.execute(insert(table), new)
        if changed:  # an existing domain keeps the name it has; a form open on it sees the import as someone else's save
            session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(**{f: bindparam(f"b_{f}") for f in fields}, version=table.c.version + 1),
                changed,
            )
        return len(new), len(batch) - len(new)

    def finish(session: Session, added: int, updated: int) -> None:
        audit.record(
            session, entity="domain", verb="imported",
            summary=f"Data domains imported from CSV: {added} added, {updated} updated", changes={"rows": [None, len(checked)]},
        )  # fmt: skip

    return _save_in_batches(url, checked, write, finish, progress=progress, what="data domains")


def _check_domains(rows: list[dict], people: dict[str, int]) -> list[_Checked]:
    problems, seen, checked = [], {}, []
    for number, row in enumerate(rows, start=2):
        name = " ".join(row.get("name", "").split())[:120]
        if not name:
            problems.append(f"Row {number}: a data domain needs a name.")
            continue
        key = name_key(name)
        if key in seen:
            problems.append(f"Row {number}: {name!r} is also on row {seen[key]}.")
            continue
        seen[key] = number
        ids, bad = {}, False
        for role in ("owner", "steward"):
            email = email_key(row.get(f"{role}_email", ""))
            if email and email not in people:
                problems.append(f"Row {number}: {role} {email} is not in the data owner registry; add the person first.")
                bad = True
            ids[role] = people.get(email) if email else None
        if bad:
            continue
        values = {
            "name": name, "description": row.get("description", ""), "owner_id": ids["owner"], "steward_id": ids["steward"],
            "consumers": row.get("consumers", "")[:500],
        }  # fmt: skip
        team = _team_name(row.get("creating_team", ""))
        checked.append(_Checked(number, key, values, team, name_key(team)))
    if problems:
        raise ImportRejected(problems)
    return checked


# --------------------------------------------------------------------------- saving in batches


class _Teams:
    """Team ids by name_key, read once, then only for keys not seen yet; a team named for the first time is created."""

    def __init__(self, url: str) -> None:
        with read_session(url) as session:
            self.known: dict[str, int] = {key: tid for tid, key in session.execute(select(Team.id, Team.name_key)).all()}

    def ids(self, session: Session, rows: Sequence[_Checked]) -> dict[str, int]:
        wanted = {}
        for row in rows:
            if row.team and row.team_key not in self.known:
                wanted.setdefault(row.team_key, row.team)  # the first spelling in the file names a new team
        if wanted:  # another import or a workshop may have created some since
            found = session.execute(select(Team.id, Team.name_key).where(Team.name_key.in_(list(wanted)))).all()
            self.known.update({key: tid for tid, key in found})
            for key, name in wanted.items():
                if key not in self.known:
                    team = Team(name=name)
                    session.add(team)
                    session.flush()
                    self.known[key] = team.id
        return self.known


# A full garbage collection walks every object the process holds: with 100,000 checked rows it took 250-450 ms,
# and one that fell inside a batch held the write lock that long. Objects frozen are not walked again. Freezing is
# process-wide, so it is counted: imports running at once unfreeze when the last of them ends, not the first.
_frozen_by = 0
_frozen_lock = threading.Lock()


@contextmanager
def _gc_frozen() -> Iterator[None]:
    global _frozen_by
    with _frozen_lock:
        _frozen_by += 1
        gc.freeze()  # every import freezes its own rows too, not only the first one to start
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_by -= 1
            if _frozen_by == 0:
                gc.unfreeze()


class _Progress:
    """The caller's progress callback, not trusted to return: the first time it raises (a Streamlit rerun or stop, which
    are BaseExceptions, or anything else) it is kept in `raised` and the callback is not called again."""

    def __init__(self, callback: Progress | None) -> None:
        self.callback: Progress | None = callback
        self.raised: BaseException | None = None

    def __call__(self, done: int, total: int) -> None:
        if self.callback is None:
            return
        try:
            self.callback(done, total)
        except BaseException as exc:  # noqa: BLE001 - raised again once every row is saved
            self.callback, self.raised = None, exc


def _save_in_batches(
    url: str,
    rows: list[_Checked],
    write: Callable[[Session, Sequence[_Checked]], tuple[int, int]],
    finish: Callable[[Session, int, int], None],
    *,
    progress: Progress | None,
    what: str,
) -> tuple[int, int]:
    """Save `rows` in batches, each its own short write transaction; `finish` runs in the last one. Returns (added, updated).

    Whatever `progress` raises is raised once every row and the audit line are saved (a Streamlit rerun still happens,
    after the import, not half-way through it); a failure to save is raised instead, as ImportInterrupted."""
    total, done, added, updated, size = len(rows), 0, 0, 0, FIRST_BATCH
    report = _Progress(progress)
    report(0, total)
    with _gc_frozen():
        while done < total:
            batch = rows[done : done + size]
            try:
                with write_session(url) as session:
                    started = time.perf_counter()
                    a, u = write(session, batch)
                    if done + len(batch) == total:
                        finish(session, added + a, updated + u)
                held = time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - logged with a reference, said with what was saved
                # what the person must be told; a rerun the progress bar raised before is dropped for it
                raise _interrupted(exc, rows, done, added, updated, what) from exc
            done, added, updated = done + len(batch), added + a, updated + u
            # Aim the next batch at BATCH_SECONDS of lock, growing by half at most.
            size = max(MIN_BATCH, min(MAX_BATCH, size * 3 // 2, int(size * BATCH_SECONDS / max(held, 1e-3))))
            report(done, total)
            if done < total:
                time.sleep(max(PAUSE_SECONDS, held * PAUSE_SHARE))  # writers queued behind this batch (votes) go first
    if report.raised is not None:
        raise report.raised
    return added, updated


def _interrupted(exc: Exception, rows: list[_Checked], done: int, added: int, updated: int, what: str) -> ImportInterrupted:
    ref = log_unexpected(log, exc, f"importing {what} from CSV (after {done} of {len(rows)} rows were saved)")
    reason = known_failure(exc) or "something went wrong; the details are in the server log"
    reason = reason.replace(", so nothing was saved", "")  # what was saved is said below
    last = rows[done - 1].number if done else None
    rest = f"rows {rows[done].number:,}–{rows[-1].number:,} were" if done < len(rows) - 1 else f"row {rows[done].number:,} was"
    if last is None:
        message = (
            f"The import stopped before saving any row: {reason} (ref {ref}). Nothing was imported; "
            "import the file again once that is fixed."
        )
    else:
        message = (
            f"The import stopped part-way: rows {rows[0].number:,}–{last:,} were saved ({added:,} added, {updated:,} updated), "
            f"{rest} not: {reason} (ref {ref}). Import the same file again once that is fixed: saved rows are "
            f"matched {'by e-mail' if what == 'people' else 'by name'} and updated, never doubled."
        )
    return ImportInterrupted(message, saved_through=last, added=added, updated=updated, ref=ref)


# --------------------------------------------------------------------------- export


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
