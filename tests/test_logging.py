"""The server log and failures on a page: set up once, refusals at INFO, surprises at ERROR with a reference people see."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from maturity import cli
from maturity.logs import LogSettingError, log_settings, new_reference
from maturity.services.errors import InvalidInput, is_transient, known_failure
from maturity.ui.failures import failure_message
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
REF = re.compile(r"\(ref ([2-9A-Z]{5})\)")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """A fresh process: logging is set up once per process, as in the app and the command line."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATURITY_LOG")} | env
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=environ, timeout=60)


LOG_AN_ERROR = """
import logging
from maturity.logs import configure_logging, log_unexpected
configure_logging()
log = logging.getLogger("maturity.example")
log.debug("a detail")
log.info("a refusal")
try:
    raise RuntimeError("kaput")
except RuntimeError as exc:
    print(log_unexpected(log, exc, "doing something"))
"""


def test_the_log_is_readable_text_on_stderr_by_default_with_the_reference_and_the_traceback():
    done = run_python(LOG_AN_ERROR)
    ref = done.stdout.strip()
    lines = done.stderr.splitlines()
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO    maturity\.example: a refusal$", lines[0]), lines
    assert f"ERROR   maturity.example: ref {ref}: doing something failed: RuntimeError: kaput" in lines[1]
    assert "Traceback (most recent call last):" in done.stderr and "a detail" not in done.stderr


def test_json_lines_for_a_log_collector_and_the_level_from_the_environment():
    done = run_python(LOG_AN_ERROR, MATURITY_LOG_FORMAT="json", MATURITY_LOG_LEVEL="debug")
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    assert [e["level"] for e in entries] == ["DEBUG", "INFO", "ERROR"]
    error = entries[-1]
    assert error["logger"] == "maturity.example" and error["ref"] == done.stdout.strip()
    assert "RuntimeError: kaput" in error["traceback"] and error["message"].startswith(f"ref {error['ref']}:")


def test_a_mistyped_log_setting_is_said_and_the_defaults_are_used():
    done = run_python(LOG_AN_ERROR, MATURITY_LOG_LEVEL="loud", MATURITY_LOG_FORMAT="xml")
    assert "MATURITY_LOG_LEVEL='loud' is not a level; use one of DEBUG, INFO, WARNING, ERROR, CRITICAL; logging at INFO as text" in done.stderr
    assert "ERROR   maturity.example: ref" in done.stderr  # text, at INFO
    with pytest.raises(LogSettingError, match="MATURITY_LOG_FORMAT='xml' is not a format; use text or json"):
        log_settings({"MATURITY_LOG_FORMAT": "xml"})
    assert log_settings({"MATURITY_LOG_LEVEL": "warn"}) == ("WARNING", "text")


def test_references_are_short_and_unambiguous():
    refs = {new_reference() for _ in range(200)}
    assert len(refs) > 190 and all(re.fullmatch(r"[2-9A-HJKMNP-Z]{5}", r) for r in refs)


def test_a_refusal_is_said_as_worded_and_logged_at_info_without_a_traceback(monkeypatch):
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.DEBUG)
    listener.emit = records.append
    logger = logging.getLogger("maturity")
    monkeypatch.setattr(logger, "level", logging.INFO)
    logger.addHandler(listener)
    try:
        message = failure_message(InvalidInput("Give the team a name."), doing="starting a workshop")
    finally:
        logger.removeHandler(listener)
    assert message == "Give the team a name."
    [record] = records
    assert record.levelno == logging.INFO and record.exc_info is None
    assert record.getMessage() == "refused: starting a workshop: Give the team a name."


@pytest.mark.logs_errors
def test_a_surprise_is_logged_with_its_traceback_and_the_person_gets_one_sentence_with_the_reference(no_unexpected_failures):
    try:
        raise KeyError("segment")
    except KeyError as exc:
        message = failure_message(exc, doing="saving", keep="Your entries are still in the form.")
    ref = REF.search(message).group(1)
    assert message == f"Something went wrong (ref {ref}); the details are in the server log. Your entries are still in the form."
    [record] = no_unexpected_failures.records
    assert record.exc_info[0] is KeyError and record.ref == ref and f"ref {ref}: saving failed" in record.getMessage()


@pytest.mark.logs_errors
def test_a_full_disk_is_named_with_what_to_do_and_a_reference():
    full = OperationalError("INSERT …", {}, Exception("database or disk is full"))
    message = failure_message(full, doing="saving", failed="Not saved")
    assert re.fullmatch(r"Not saved: the disk is full, so nothing was saved; free some space and try again \(ref \w{5}\)\.", message)


def test_transient_database_errors_are_told_from_bugs():
    assert is_transient(OperationalError("SELECT", {}, Exception("database is locked")))
    assert not is_transient(OperationalError("SELECT", {}, Exception("no such column: x")))
    assert not is_transient(KeyError("x"))
    assert known_failure(KeyError("x")) is None


def test_a_bug_whose_message_sounds_like_the_disk_is_not_blamed_on_it():
    # Streamlit's own refusal once read as "the database file cannot be written"
    assert known_failure(ValueError("st.session_state.x is a read-only session state key")) is None
    assert known_failure(ValueError("malformed date")) is None
    assert known_failure(OSError(28, "No space left on device")).startswith("the disk is full")
    assert known_failure(OperationalError("SELECT", {}, Exception("attempt to write a readonly database"))).startswith(
        "the database file cannot be written"
    )


@pytest.mark.logs_errors
def test_a_page_shows_a_calm_sentence_and_the_log_has_the_same_reference(db_url, monkeypatch, no_unexpected_failures):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("maturity.services.voting.join_workshop", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page_path("join")).run()
    at.text_input(key="join_code").input("ACD347")
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert not at.exception
    [shown] = [unescape(e.value) for e in at.error]
    ref = REF.search(shown).group(1)
    assert shown == f"Something went wrong (ref {ref}); the details are in the server log."
    assert [r.ref for r in no_unexpected_failures.records] == [ref]


@pytest.mark.logs_errors
def test_script_error_draws_a_sentence_instead_of_a_traceback():
    def script():
        from maturity.ui.failures import script_error

        assert script_error(RuntimeError("a bug")) is True

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert re.fullmatch(r"Something went wrong \(ref \w{5}\); the details are in the server log\.", unescape(at.error[0].value))


@pytest.mark.logs_errors
def test_the_command_line_says_one_line_and_debug_gives_the_traceback(monkeypatch, capsys):
    def broken(args):
        raise ZeroDivisionError("a bug")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser(), "status", broken))
    assert cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert err == "error: ZeroDivisionError: a bug (run again with --debug for the full traceback)\n"
    assert cli.main(["status", "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err and err.endswith("error: ZeroDivisionError: a bug\n")


def test_a_refusal_on_the_command_line_has_no_traceback(monkeypatch, capsys):
    def refused(args):
        raise InvalidInput("Choose a team that exists.")

    parser = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser(), "status", refused))
    assert cli.main(["status"]) == 2
    assert capsys.readouterr().err == "error: Choose a team that exists.\n"


def _with_handler(parser, command: str, handler):
    for action in parser._subparsers._group_actions:
        action.choices[command].set_defaults(handler=handler)
    return parser
