"""The browser servers' log reader (server_log.py), on lines in the layouts the servers write: no browser needed."""

from __future__ import annotations

import io
import json
import logging

from maturity.logs import TEXT_FORMAT, JsonFormatter

from . import server_log


def _logged(*records: tuple[str, int, str], formatter: logging.Formatter | None = None, exc: bool = False) -> str:
    """Lines as a logger with `formatter` (default: the servers' text layout) writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter or logging.Formatter(TEXT_FORMAT))
    for name, level, message in records:
        logger = logging.getLogger(f"net.{name}")
        logger.propagate = False
        logger.addHandler(handler)
        try:
            if exc:
                try:
                    raise RuntimeError("boom")
                except RuntimeError:
                    logger.log(level, message, exc_info=True)
            else:
                logger.log(level, message)
        finally:
            logger.removeHandler(handler)
    return out.getvalue()


def test_error_and_critical_entries_are_failures_with_their_traceback():
    text = _logged(
        ("streamlit.runtime", logging.INFO, "started"), ("maturity.ui", logging.ERROR, "ref 7F3K2: it failed"), exc=True
    )
    text += _logged(("streamlit.error_util", logging.CRITICAL, "Uncaught app execution"))
    found = server_log.failures(text)
    assert [(f.level, f.first_line.split(": ", 1)[1]) for f in found] == [
        ("ERROR", "ref 7F3K2: it failed"),
        ("CRITICAL", "Uncaught app execution"),
    ]
    assert found[0].rest[0] == "Traceback (most recent call last):" and found[0].rest[-1] == "RuntimeError: boom"


def test_info_and_warnings_are_not_failures_even_with_a_traceback():
    text = _logged(("maturity.ui", logging.INFO, "refused: not allowed"), ("streamlit", logging.WARNING, "slow"), exc=True)
    assert server_log.failures(text) == []


def test_streamlits_comma_milliseconds_and_json_lines_are_read_too():
    streamlit_style = logging.Formatter(TEXT_FORMAT)  # asctime with a comma, as logging writes it by default
    text = _logged(
        ("streamlit.runtime.backend_operation_handler", logging.ERROR, "Error executing deferred callable"),
        formatter=streamlit_style,
    )
    text += _logged(("maturity.ui", logging.ERROR, "ref ABCDE: failed"), formatter=JsonFormatter())
    found = server_log.failures(text)
    assert [f.level for f in found] == ["ERROR", "ERROR"]
    assert json.loads(found[1].first_line)["message"] == "ref ABCDE: failed"


def test_an_exception_python_printed_itself_is_a_failure():
    text = _logged(("streamlit", logging.INFO, "started")) + (
        'Exception in thread Thread-3 (run):\nTraceback (most recent call last):\n  File "x.py", line 1\nValueError: no\n'
    )
    [found] = server_log.failures(text)
    assert found.level == "UNLOGGED" and found.rest[-1] == "ValueError: no"


def test_reading_from_an_offset_gives_only_what_came_after(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(_logged(("maturity.ui", logging.ERROR, "before")))
    since = server_log.size(log)
    with log.open("a") as out:
        out.write(_logged(("maturity.ui", logging.ERROR, "after")))
    assert [f.first_line.rsplit(": ", 1)[1] for f in server_log.failures(server_log.read_from(log, since))] == ["after"]
