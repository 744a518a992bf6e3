"""Your organisation's content files: add, replace or remove one from the app, validated before anything is written."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from maturity.content.catalog import CONTENT_SUFFIXES, Source, content_files, load_catalog, validate_paths
from maturity.content.loader import MAX_FILE_BYTES, ContentError, Problem, load_file
from maturity.domain.roles import Permission
from maturity.services import audit
from maturity.services.authz import requires
from maturity.services.errors import InvalidInput, NotFound
from maturity.storage.engine import write_session

FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


class ContentRejected(InvalidInput):
    """The file is not valid content; nothing was written. `problems` says what to fix, line by line."""

    def __init__(self, name: str, problems: list[Problem]):
        super().__init__(f"{name} was not saved: {len(problems)} problem(s) to fix first.")
        self.problems = problems


@dataclass(frozen=True)
class ContentFileView:
    name: str
    size: int
    modified: datetime
    defines: str  # "model data-maturity", or the first problem when the file is broken


@requires(Permission.VIEW_CONTENT)
def list_files(folder: Path) -> list[ContentFileView]:
    """The content files in the organisation's folder, and what each defines."""
    found = []
    for path in content_files(folder):
        try:
            definition = load_file(path, path.name)
            defines = f"{definition.kind} {definition.id}"
        except ContentError as exc:
            defines = f"broken: {exc.problems[0].message}"
        info = path.stat()
        found.append(ContentFileView(path.name, info.st_size, datetime.fromtimestamp(info.st_mtime, UTC), defines))
    return found


@requires(Permission.MANAGE_CONTENT)
def save_file(url: str, folder: Path, sources: Sequence[Source], name: str, data: bytes) -> ContentFileView:
    """Add a content file, or replace the one of that name, once it passes every check the app makes on load.

    ContentRejected (with the problems) when it does not; nothing is written then, so the file that
    was there keeps working. The audit line and the file change go together.
    """
    name = _checked_name(name)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name} is {len(data):,} bytes; a content file can be at most {MAX_FILE_BYTES:,}.")
    folder = _folder(folder)
    target = folder / name
    with tempfile.TemporaryDirectory(prefix=".check-", dir=folder) as scratch:
        candidate = Path(scratch) / name
        candidate.write_bytes(data)
        others = [s for s in sources if s.path.resolve() != folder.resolve()]
        siblings = [p for p in content_files(folder) if p.name != name]
        checked = validate_paths([candidate], [*others, *(Source(p, "organisation") for p in siblings)])
        problems = [Problem(name, p.message, p.field, p.line) for p in checked.problems]
        if not problems:
            definition = load_file(candidate, name)
            clash = next((p.name for p in siblings if _defines(p) == (definition.kind, definition.id)), None)
            if clash:
                problems = [
                    Problem(
                        name,
                        f"{definition.kind} id {definition.id!r} is already defined by {clash}: replace that file instead",
                        "id",
                    )
                ]
        if not problems:
            problems = _breaks(others, siblings, old=target if target.exists() else None, new=candidate)
        if problems:
            raise ContentRejected(name, problems)
        replaced = target.exists()
        staged = folder / f".{name}.saving"
        staged.write_bytes(data)
        try:
            with write_session(url) as session:
                audit.record(
                    session, entity="content", entity_id=name[:64], verb="replaced" if replaced else "added",
                    summary=f"{name} ({definition.kind} {definition.id!r}, {len(data):,} bytes) {'replaced' if replaced else 'added'}",
                )  # fmt: skip
                session.flush()
                os.replace(staged, target)  # atomic: readers see the old file or the new one, never half of it
        finally:
            staged.unlink(missing_ok=True)
    return next(f for f in list_files(folder) if f.name == name)


@requires(Permission.MANAGE_CONTENT)
def remove_file(url: str, folder: Path, sources: Sequence[Source], name: str) -> None:
    """Remove one of the organisation's content files (a built-in it replaced comes back)."""
    name = _checked_name(name)
    target = _folder(folder) / name
    if not target.is_file():
        raise NotFound(f"There is no content file {name} any more.")
    defines = _defines(target)
    others = [s for s in sources if s.path.resolve() != folder.resolve()]
    broken = _breaks(others, [p for p in content_files(folder) if p.name != name], old=target, new=None)
    if broken:
        raise ContentRejected(name, broken)
    with write_session(url) as session:
        audit.record(
            session, entity="content", entity_id=name[:64], verb="removed",
            summary=f"{name} removed" + (f" ({defines[0]} {defines[1]!r})" if defines else ""),
        )  # fmt: skip
        session.flush()
        target.unlink()


def _breaks(others: list[Source], siblings: list[Path], *, old: Path | None, new: Path | None) -> list[Problem]:
    """What taking `old` out and putting `new` in would break in the other files (a playbook naming a removed segment…)."""
    base = [*others, *(Source(p, "organisation") for p in siblings)]
    before = {
        (Path(p.path).name, p.message) for p in load_catalog([*base, *([Source(old, "organisation")] if old else [])]).problems
    }
    after = load_catalog([*base, *([Source(new, "organisation")] if new else [])]).problems
    changed = {path.name for path in (old, new) if path is not None}
    return [
        Problem(Path(p.path).name, f"this change would break it: {p.message}", p.field, p.line)
        for p in after
        if Path(p.path).name not in changed and (Path(p.path).name, p.message) not in before
    ]


def _checked_name(name: str) -> str:
    name = Path(str(name or "")).name
    if not FILE_NAME.match(name) or Path(name).suffix.lower() not in CONTENT_SUFFIXES:
        raise InvalidInput(f"{name!r} is not a content file name: use letters, digits, dots, - and _, ending in .yaml or .yml.")
    return name


def _folder(folder: Path) -> Path:
    if not folder.is_dir():
        raise InvalidInput(
            f"The content folder {folder} does not exist; create it, or point MATURITY_CONTENT_DIR at one that does."
        )
    return folder


def _defines(path: Path) -> tuple[str, str] | None:
    try:
        definition = load_file(path, path.name)
    except ContentError:
        return None
    return definition.kind, definition.id
