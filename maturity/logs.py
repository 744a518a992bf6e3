"""The server log, configured in one place: MATURITY_LOG_LEVEL and MATURITY_LOG_FORMAT (text or json).

Every module logs to a child of the `maturity` logger (`logging.getLogger(__name__)`). Lines go to
stderr, beside Streamlit's own, in the same text layout by default; `MATURITY_LOG_FORMAT=json` gives
one JSON object a line for a log collector. An unexpected failure is logged with its traceback and a
short reference that the person who met it also sees, so an operator can find the line they quote.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import threading
from datetime import UTC, datetime

ROOT = "maturity"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname) -7s %(name)s: %(message)s"  # Streamlit's own layout, so both read alike
_REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud or typed from a screen without doubt
_configured = threading.Lock()
_handler: logging.Handler | None = None


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the traceback and reference when there are."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if ref := getattr(record, "ref", None):
            entry["ref"] = ref
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (a test or a daemon may swap it after set-up)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


class LogSettingError(ValueError):
    """MATURITY_LOG_LEVEL or MATURITY_LOG_FORMAT holds a value we do not know."""


def log_settings(environ: dict[str, str] | None = None, *, default_level: str = "INFO") -> tuple[str, str]:
    """(level, format) from the environment; raise LogSettingError with what to write instead."""
    environ = os.environ if environ is None else environ
    level = (environ.get("MATURITY_LOG_LEVEL") or default_level).strip().upper()
    if level == "WARN":
        level = "WARNING"
    if level not in LEVELS:
        raise LogSettingError(f"MATURITY_LOG_LEVEL={environ['MATURITY_LOG_LEVEL']!r} is not a level; use one of {', '.join(LEVELS)}")
    form = (environ.get("MATURITY_LOG_FORMAT") or "text").strip().lower()
    if form not in FORMATS:
        raise LogSettingError(f"MATURITY_LOG_FORMAT={environ['MATURITY_LOG_FORMAT']!r} is not a format; use text or json")
    return level, form


def configure_logging(*, level: str | None = None, default_level: str = "INFO", stream=None) -> logging.Logger:
    """Set up the `maturity` logger: its handler once per process, its level on every call.

    `level` wins over MATURITY_LOG_LEVEL, which wins over `default_level` (the command line's is WARNING:
    its stderr is read by a person, who gets one sentence per problem)."""
    global _handler
    logger = logging.getLogger(ROOT)
    with _configured:
        try:
            chosen_level, form = log_settings(default_level=default_level)
            problem = None
        except LogSettingError as exc:  # a mistyped setting must not stop the app: say it, and go on with the defaults
            chosen_level, form, problem = default_level, "text", exc
        if _handler is None:
            _handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
            if form == "json":
                _handler.setFormatter(JsonFormatter())
            else:
                formatter = logging.Formatter(TEXT_FORMAT)
                formatter.default_msec_format = "%s.%03d"
                _handler.setFormatter(formatter)
            logger.addHandler(_handler)
            logger.propagate = False  # a library that configures the root logger must not print our lines twice
            if problem is not None:
                logger.warning("%s; logging at %s as text", problem, default_level)
        wanted = logging.getLevelName(level or chosen_level)
        if logger.level != wanted:  # setLevel empties every logger's cache: not on each run of a page
            logger.setLevel(wanted)
    return logger


def new_reference() -> str:
    """A short reference for one failure, shown to the person and written in the log line (e.g. 7F3K2)."""
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(5))


def log_unexpected(logger: logging.Logger, exc: BaseException, doing: str) -> str:
    """Log an unexpected failure with its traceback; return the reference written with it."""
    ref = new_reference()
    logger.error("ref %s: %s failed: %s: %s", ref, doing, type(exc).__name__, exc, exc_info=exc, extra={"ref": ref})
    return ref
