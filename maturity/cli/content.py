"""`python -m maturity validate`: check content files."""

from __future__ import annotations

import sys
from pathlib import Path

from maturity.config import get_settings


def add_parsers(commands) -> None:
    validate = commands.add_parser("validate", help="check content files")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="a content file or folder")
    validate.set_defaults(handler=_validate)


def _validate(args) -> int:
    from maturity.content.catalog import Catalog, check_joining, load_catalog, validate_paths

    settings = get_settings()
    sources = settings.content_sources
    if args.paths:
        # A file already in a content folder is checked where it is; any other file as the app's upload would
        # check it: against the catalog it would join, in the organisation's folder, with what it would break.
        configured = [p for p in args.paths if _configured(p, sources)]
        new = [p for p in args.paths if p not in configured]
        catalog = validate_paths(configured, sources) if configured else Catalog()
        if new:
            joining = check_joining(new, sources, settings.content_dirs[0] if settings.content_dirs else None)
            catalog.problems += joining.problems
            catalog.files_read += joining.files_read
    else:
        catalog = load_catalog(sources)
    for problem in catalog.problems:
        print(problem)
    if catalog.problems:
        print(f"{len(catalog.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"ok: {catalog.files_read} file(s) checked"
        + (
            ""
            if args.paths
            else f"; {len(catalog.models)} models, {len(catalog.surveys)} surveys, {len(catalog.playbooks)} playbooks"
        ),
        file=sys.stderr,
    )
    return 0


def _configured(path: Path, sources) -> bool:
    """True when `path` is, or is inside, a configured content file or folder."""
    path = path.resolve()
    return any(path == source or path.is_relative_to(source) for source in (s.path.resolve() for s in sources))
