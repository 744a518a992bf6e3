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
    from maturity.content.catalog import load_catalog, validate_paths

    settings = get_settings()
    if args.paths:
        catalog = validate_paths(args.paths, settings.content_sources)
    else:
        catalog = load_catalog(settings.content_sources)
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
