"""The content library as pages see it: load once per change on disk, search playbooks."""

from __future__ import annotations

from collections.abc import Sequence

from maturity.content.catalog import Catalog, Source, content_files, load_catalog
from maturity.content.definitions import PlaybookDefinition


def content_fingerprint(sources: Sequence[Source]) -> tuple:
    """Changes whenever a content file is added, removed or saved, so caches can reload."""
    stamp = []
    for source in sources:
        for path in content_files(source.path):
            try:
                info = path.stat()
            except OSError:
                continue
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def load_library(sources: Sequence[Source]) -> Catalog:
    return load_catalog(sources)


def search_playbooks(
    catalog: Catalog,
    text: str = "",
    *,
    model_id: str | None = None,
    segment_id: str | None = None,
    horizon: str | None = None,
    level: int | None = None,
) -> list[PlaybookDefinition]:
    """Playbooks matching every given filter; `text` matches any word of title, summary, steps or role."""
    words = text.lower().split()
    found = []
    for playbook in catalog.playbooks.values():
        applies = playbook.applies_to
        if model_id and applies.model != model_id:
            continue
        if segment_id and segment_id not in applies.segments:
            continue
        if horizon and playbook.horizon.value != horizon:
            continue
        if level is not None and not applies.levels.min <= level <= applies.levels.max:
            continue
        haystack = " ".join([playbook.title, playbook.summary, playbook.owner_role, playbook.outcome, *playbook.steps]).lower()
        if all(word in haystack for word in words):
            found.append(playbook)
    return sorted(found, key=lambda p: (p.applies_to.model, p.applies_to.segments[0], p.applies_to.levels.min, p.id))
