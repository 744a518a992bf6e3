"""Settings from the environment, read when asked for so tests and processes can differ."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from maturity.content.catalog import Source

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DEFAULT_DB_URL = "sqlite:///data/maturity.db"


@dataclass(frozen=True)
class Settings:
    db_url: str
    content_dirs: tuple[Path, ...]

    @property
    def content_sources(self) -> list[Source]:
        return [*builtin_sources(), *(Source(path, "organisation") for path in self.content_dirs)]


def builtin_sources() -> list[Source]:
    return [
        Source(PACKAGE_DIR / "content" / "models", "built-in"),
        Source(PROJECT_DIR / "surveys", "built-in"),
        Source(PROJECT_DIR / "playbooks", "built-in"),
    ]


def get_settings() -> Settings:
    raw_dirs = os.environ.get("MATURITY_CONTENT_DIR", "")
    return Settings(
        db_url=os.environ.get("MATURITY_DB_URL", "").strip() or DEFAULT_DB_URL,
        content_dirs=tuple(Path(p).expanduser() for p in raw_dirs.split(os.pathsep) if p.strip()),
    )
