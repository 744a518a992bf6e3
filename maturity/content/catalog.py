"""The content library: every valid definition from the configured folders, cross-checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from maturity.content.definitions import (
    Definition,
    ModelDefinition,
    PlaybookDefinition,
    SurveyDefinition,
)
from maturity.content.loader import ContentError, Problem, line_of, load_file

CONTENT_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Source:
    """A folder or file of content; later sources replace earlier ones item by item."""

    path: Path
    label: str  # "built-in" or "organisation"


@dataclass
class Catalog:
    models: dict[str, ModelDefinition] = field(default_factory=dict)
    surveys: dict[str, SurveyDefinition] = field(default_factory=dict)
    playbooks: dict[str, PlaybookDefinition] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    origins: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) -> file shown
    paths: dict[tuple[str, str], Path] = field(default_factory=dict)
    files_read: int = 0

    def playbooks_for(self, model_id: str, segment_id: str, level: int | None = None) -> list[PlaybookDefinition]:
        """Playbooks for a segment of a model, optionally only those covering `level`."""
        found = [
            p
            for p in self.playbooks.values()
            if p.applies_to.model == model_id
            and segment_id in p.applies_to.segments
            and (level is None or p.applies_to.levels.min <= level <= p.applies_to.levels.max)
        ]
        return sorted(found, key=lambda p: (p.applies_to.levels.min, p.id))

    @property
    def ok(self) -> bool:
        return not self.problems


def content_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        p
        for p in path.rglob("*")
        if p.suffix.lower() in CONTENT_SUFFIXES
        and p.is_file()
        # .github/, .git/ and editor files are not content, even when they are YAML
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_catalog(sources: Sequence[Source]) -> Catalog:
    """Load every file of every source; broken files become problems, the rest still loads."""
    catalog = Catalog()
    for source in sources:
        if not source.path.exists():
            catalog.problems.append(Problem(str(source.path), f"{source.label} content folder does not exist"))
            continue
        seen_here: dict[tuple[str, str], str] = {}
        for path in content_files(source.path):
            shown = display_path(path)
            catalog.files_read += 1
            try:
                definition = load_file(path, shown)
            except ContentError as exc:
                catalog.problems.extend(exc.problems)
                continue
            key = (definition.kind, definition.id)
            if key in seen_here:
                catalog.problems.append(
                    Problem(
                        shown,
                        f"{definition.kind} id {definition.id!r} is already used by {seen_here[key]}; ids must be unique",
                        "id",
                    )
                )
                continue
            seen_here[key] = shown
            _store(catalog, definition, shown)
            catalog.paths[key] = path
    _cross_check(catalog)
    return catalog


def _store(catalog: Catalog, definition: Definition, shown: str) -> None:
    bucket = {"model": catalog.models, "survey": catalog.surveys, "playbook": catalog.playbooks}[definition.kind]
    bucket[definition.id] = definition
    catalog.origins[(definition.kind, definition.id)] = shown


def _cross_check(catalog: Catalog) -> None:
    """Drop items whose references do not resolve, saying why, so pages never meet a dangling id."""
    for playbook in list(catalog.playbooks.values()):
        problems = list(_playbook_problems(playbook, catalog.models, catalog.origins[("playbook", playbook.id)]))
        if problems:
            catalog.problems.extend(_with_lines(problems, catalog.paths[("playbook", playbook.id)]))
            del catalog.playbooks[playbook.id]
    for survey in list(catalog.surveys.values()):
        problems = list(_survey_problems(survey, catalog.models, catalog.origins[("survey", survey.id)]))
        if problems:
            catalog.problems.extend(_with_lines(problems, catalog.paths[("survey", survey.id)]))
            del catalog.surveys[survey.id]


def _with_lines(problems: list[Problem], path: Path) -> list[Problem]:
    return [replace(p, line=line_of(path, _parse_field(p.field))) for p in problems]


def _parse_field(text: str) -> tuple:
    parts: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", text):
        parts.append(int(index) if index else name)
    return tuple(parts)


def _playbook_problems(playbook: PlaybookDefinition, models: dict[str, ModelDefinition], shown: str) -> Iterable[Problem]:
    applies = playbook.applies_to
    model = models.get(applies.model)
    if model is None:
        yield Problem(
            shown, f"model {applies.model!r} does not exist (models: {', '.join(sorted(models)) or 'none'})", "applies_to.model"
        )
        return
    segment_ids = {s.id for s in model.segments}
    for index, segment_id in enumerate(applies.segments):
        if segment_id not in segment_ids:
            yield Problem(
                shown,
                f"segment {segment_id!r} does not exist in model {model.id!r} (segments: {', '.join(s.id for s in model.segments)})",
                f"applies_to.segments[{index}]",
            )
    values = model.level_values
    for bound in ("min", "max"):
        level = getattr(applies.levels, bound)
        if level not in values:
            yield Problem(
                shown,
                f"level {level} is not on the ladder of model {model.id!r} ({values[0]}-{values[-1]})",
                f"applies_to.levels.{bound}",
            )


def _survey_problems(survey: SurveyDefinition, models: dict[str, ModelDefinition], shown: str) -> Iterable[Problem]:
    if survey.model is None:
        return
    model = models.get(survey.model)
    if model is None:
        yield Problem(shown, f"model {survey.model!r} does not exist (models: {', '.join(sorted(models)) or 'none'})", "model")
        return
    segment_ids = {s.id for s in model.segments}
    for s_index, section in enumerate(survey.sections):
        for q_index, question in enumerate(section.questions):
            if question.segment and question.segment not in segment_ids:
                yield Problem(
                    shown,
                    f"segment {question.segment!r} does not exist in model {model.id!r}",
                    f"sections[{s_index}].questions[{q_index}].segment",
                )


def validate_paths(paths: Sequence[Path], context: Sequence[Source]) -> Catalog:
    """Validate `paths`, resolving cross-references against `context` plus the paths themselves."""
    # A path that is already configured content is checked once, not twice.
    configured = {source.path.resolve() for source in context}
    checked = [Source(p, "checked") for p in paths if p.resolve() not in configured]
    catalog = load_catalog([*context, *checked])
    wanted = {display_path(f) for p in paths for f in content_files(p)}
    missing = [Problem(str(p), "no such file or folder") for p in paths if not p.exists()]
    catalog.problems = missing + list(dict.fromkeys(p for p in catalog.problems if p.path in wanted))
    catalog.files_read = len(wanted)
    return catalog


def check_joining(paths: Sequence[Path], sources: Sequence[Source], folder: Path | None = None) -> Catalog:
    """Check new content files as they would join the catalog of `sources`, and say everything that stops them.

    They join `folder` (the organisation's content folder), each replacing the file of its name there; without a
    folder they go on top of every source. The problems are, in this order and each only when the ones before
    are none: the files' own (their references checked against the catalog they join), an id that another file
    in `folder` already defines, and what they would break in the other files (a playbook naming a segment that
    a cut-down model no longer has). The app's upload and `python -m maturity validate FILE` both check this way.
    """
    files = [f for p in paths for f in content_files(p)]
    unreadable = [problem for f in files for problem in _load_problems(f)]
    if unreadable:  # refused on their own, before the rest of the catalog is loaded around them
        missing = [Problem(str(p), "no such file or folder") for p in paths if not p.exists()]
        return Catalog(problems=missing + unreadable, files_read=len(files))
    names = {f.name for f in files}
    into = folder if folder is not None and folder.is_dir() else None
    others = [s for s in sources if into is None or s.path.resolve() != into.resolve()]
    siblings = [p for p in content_files(into) if p.name not in names] if into else []
    replaced = [into / name for name in sorted(names) if into and (into / name).is_file()]
    base = [*others, *(Source(p, "organisation") for p in siblings)]
    checked = validate_paths(paths, base)
    if not checked.problems:
        checked.problems = _clashes(files, siblings)
    if not checked.problems:
        change = ("replacing " if replaced else "adding ") + ", ".join(sorted(names))
        checked.problems = breaks(base, old=replaced, new=files, change=change)
    return checked


def breaks(
    base: Sequence[Source], *, old: Sequence[Path] = (), new: Sequence[Path] = (), change: str = "this change"
) -> list[Problem]:
    """What taking `old` out of the catalog of `base` and putting `new` in would break in the other files."""
    before = {(p.path, p.message) for p in load_catalog([*base, *(Source(p, "organisation") for p in old)]).problems}
    after = load_catalog([*base, *(Source(p, "organisation") for p in new)]).problems
    changed = {display_path(p) for p in (*old, *new)}
    return [
        replace(p, message=f"{change} would break it: {p.message}")
        for p in after
        if p.path not in changed and (p.path, p.message) not in before
    ]


def _load_problems(path: Path) -> list[Problem]:
    try:
        load_file(path, display_path(path))
    except ContentError as exc:
        return exc.problems
    return []


def defines(path: Path) -> tuple[str, str] | None:
    """(kind, id) of the definition in a content file, or None when it does not load."""
    try:
        definition = load_file(path, path.name)
    except ContentError:
        return None
    return definition.kind, definition.id


def _clashes(files: Sequence[Path], siblings: Sequence[Path]) -> list[Problem]:
    taken = {key: path for path in siblings if (key := defines(path)) is not None}
    problems = []
    for path in files:
        key = defines(path)
        if key in taken:
            problems.append(
                Problem(
                    display_path(path),
                    f"{key[0]} id {key[1]!r} is already defined by {taken[key].name}: replace that file instead",
                    "id",
                )
            )
    return problems
