"""Your organisation's content files: add, replace or remove one from the app, validated before anything is written."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from maturity.content.catalog import CONTENT_SUFFIXES, Source, breaks, check_joining, content_files, defines
from maturity.content.loader import ContentError, Problem, load_file, too_big
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
    if too_big(len(data)):
        raise InvalidInput(f"{name} {too_big(len(data))}.")
    folder = _folder(folder)
    target = folder / name
    with tempfile.TemporaryDirectory(prefix=".check-", dir=folder) as scratch:
        candidate = Path(scratch) / name
        candidate.write_bytes(data)
        checked = check_joining([candidate], sources, folder)  # the same check as `python -m maturity validate FILE`
        if checked.problems:
            raise ContentRejected(name, [Problem(Path(p.path).name, p.message, p.field, p.line) for p in checked.problems])
        definition = load_file(candidate, name)
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
    kind_id = defines(target)
    others = [s for s in sources if s.path.resolve() != folder.resolve()]
    siblings = [Source(p, "organisation") for p in content_files(folder) if p.name != name]
    broken = breaks([*others, *siblings], old=[target], change=f"removing {name}")
    if broken:
        raise ContentRejected(name, [Problem(Path(p.path).name, p.message, p.field, p.line) for p in broken])
    with write_session(url) as session:
        audit.record(
            session, entity="content", entity_id=name[:64], verb="removed",
            summary=f"{name} removed" + (f" ({kind_id[0]} {kind_id[1]!r})" if kind_id else ""),
        )  # fmt: skip
        session.flush()
        target.unlink()


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
