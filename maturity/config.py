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
    public_url: str | None = None  # the address phones use to reach the app (join links, QR codes)
    admin_secret: str | None = None  # facilitator sign-in; generated and stored when unset
    auth: bool = True  # MATURITY_AUTH=off only for a laptop nobody else can reach
    min_group_size: int = 5  # leaders' view: a team with fewer participants is never shown on its own

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
        public_url=os.environ.get("MATURITY_PUBLIC_URL", "").strip().rstrip("/") or None,
        admin_secret=os.environ.get("MATURITY_ADMIN_SECRET", "").strip() or None,
        auth=os.environ.get("MATURITY_AUTH", "on").strip().lower() not in ("off", "0", "false", "no"),
        min_group_size=_whole_number("MATURITY_MIN_GROUP_SIZE", 5, at_least=2),
    )


class SettingError(ValueError):
    """An environment variable holds a value the app cannot use; the message names it and says what fits."""


def _whole_number(name: str, default: int, *, at_least: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < at_least:
        raise SettingError(f"{name} must be a whole number of {at_least} or more, not {raw!r}; unset it to use {default}.")
    return int(raw)
