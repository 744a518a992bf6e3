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


class LogSettingError(ValueError):
    """MATURITY_LOG_LEVEL or MATURITY_LOG_FORMAT holds a value we do not know."""


def log_settings(environ: dict[str, str] | None = None) -> tuple[str, str]:
    """(level, format) from the environment; raise LogSettingError with what to write instead."""
    environ = os.environ if environ is None else environ
    level = (environ.get("MATURITY_LOG_LEVEL") or "INFO").strip().upper()
    if level == "WARN":
        level = "WARNING"
    if level not in LEVELS:
        raise LogSettingError(
            f"MATURITY_LOG_LEVEL={environ['MATURITY_LOG_LEVEL']!r} is not a level; use one of {', '.join(LEVELS)}"
        )
    form = (environ.get("MATURITY_LOG_FORMAT") or "text").strip().lower()
    if form not in FORMATS:
        raise LogSettingError(f"MATURITY_LOG_FORMAT={environ['MATURITY_LOG_FORMAT']!r} is not a format; use text or json")
    return level, form


def configure_logging(*, level: str | None = None, stream=None) -> logging.Logger:
    """Set up the `maturity` logger once per process (later calls only change the level when given one)."""
    global _handler
    logger = logging.getLogger(ROOT)
    with _configured:
        if _handler is None:
            problem = None
            try:
                chosen_level, form = log_settings()
            except LogSettingError as exc:  # a mistyped setting must not stop the app: say it, and go on with the defaults
                chosen_level, form, problem = "INFO", "text", exc
            _handler = logging.StreamHandler(stream or sys.stderr)
            if form == "json":
                _handler.setFormatter(JsonFormatter())
            else:
                formatter = logging.Formatter(TEXT_FORMAT)
                formatter.default_msec_format = "%s.%03d"
                _handler.setFormatter(formatter)
            logger.addHandler(_handler)
            logger.setLevel(chosen_level)
            logger.propagate = False  # a library that configures the root logger must not print our lines twice
            if problem is not None:
                logger.warning("%s; logging at INFO as text", problem)
        if level is not None:
            logger.setLevel(level)
    return logger


def new_reference() -> str:
    """A short reference for one failure, shown to the person and written in the log line (e.g. 7F3K2)."""
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(5))


def log_unexpected(logger: logging.Logger, exc: BaseException, doing: str) -> str:
    """Log an unexpected failure with its traceback; return the reference written with it."""
    ref = new_reference()
    logger.error("ref %s: %s failed: %s: %s", ref, doing, type(exc).__name__, exc, exc_info=exc, extra={"ref": ref})
    return ref
