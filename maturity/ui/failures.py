"""Failures on a page: a refusal is said as the service put it, a surprise is logged and said calmly.

Every page calls services through `attempt` (a block) or `act` (a button's one call), never through a
try/except of its own. A refusal (not allowed, conflict, invalid input, a closed workshop) is logged
at INFO without a traceback and shown as the service worded it. Anything else is logged at ERROR
with its traceback and a short reference, and the person sees one sentence with that reference.
Whatever a page, a fragment or a callback lets through reaches `script_error`, which the web server
(app.py, st.App) calls instead of drawing a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from maturity.logs import log_unexpected
from maturity.services.errors import ServiceError, known_failure
from maturity.ui.text import typed_lines

log = logging.getLogger("maturity.ui")


def failure_message(exc: Exception, *, doing: str, failed: str = "", keep: str = "") -> str:
    """Log `exc` (met while `doing`) as it deserves and return the one sentence the person sees.

    `failed` opens the sentence when the surroundings failed ("Not saved"); `keep` closes it with what
    was kept ("Your entries are still in the form.")."""
    if isinstance(exc, ServiceError):
        log.info("refused: %s: %s", doing, exc)
        return str(exc)
    ref = log_unexpected(log, exc, doing)
    known = known_failure(exc)
    if known:
        sentence = f"{failed or 'That did not work'}: {known} (ref {ref})."
    else:
        sentence = f"Something went wrong (ref {ref}); the details are in the server log."
    return f"{sentence} {keep}".strip()


@dataclass
class Attempt:
    """How an `attempt` block ended: ok, or the sentence that was shown."""

    ok: bool = True
    message: str = ""
    error: Exception | None = None


@contextmanager
def attempt(doing: str, *, failed: str = "", keep: str = "", show: bool = True, where=None) -> Iterator[Attempt]:
    """Run a block of service calls; on failure log it, show one sentence (unless `show` is False) and carry on.

        with attempt("launching a survey campaign", failed="Not launched") as launch:
            new = launch_campaign(...)
        if launch.ok: ...

    st.stop, st.rerun and st.switch_page pass through: they are not failures."""
    outcome = Attempt()
    try:
        yield outcome
    except Exception as exc:  # noqa: BLE001 - logged by failure_message, said to the person
        outcome.ok, outcome.error = False, exc
        outcome.message = failure_message(exc, doing=doing, failed=failed, keep=keep)
        if show:
            (where or st).error(typed_lines(outcome.message), icon=":material/error:")  # a refusal may quote what was typed


def act(function: Callable[..., object], *args, then: Callable[[], object] | None = None, doing: str = "") -> None:
    """A button's one service call: say what went wrong, otherwise refresh the page (or `then`)."""
    with attempt(doing or getattr(function, "__name__", "an action")) as done:
        function(*args)
    if not done.ok:
        return
    if then is not None:
        then()
    st.rerun()


def script_error(exc: Exception) -> bool:
    """st.App's on_script_error: whatever a page, a fragment or a callback let through is logged with a
    reference (Streamlit logs its traceback too) and said in one sentence instead of a traceback."""
    st.error(typed_lines(failure_message(exc, doing="running the page")), icon=":material/error:")
    return True  # Streamlit draws no traceback
