"""Every download button of the app: files built on the click run as the person who was shown the button.

Streamlit builds a deferred file (`data` given as a function) in a server thread of its own, outside
the page's run, where nobody is signed in; without this the services refuse it, and the button
shows only "Failed to generate file for download". The function runs here as the person who drew the
button, and a failure is logged with a reference before Streamlit says that sentence under the button.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from maturity.services.authz import acting_as
from maturity.ui.access import current_actor
from maturity.ui.failures import failure_message

Data = str | bytes
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DownloadFailed(RuntimeError):
    """The file behind a download button could not be built; the log line with this reference says why."""


def as_drawn(build: Callable[[], Data], *, file_name: str) -> Callable[[], Data]:
    """`build`, run later as whoever is signed in now, with its failure logged."""
    actor = current_actor()

    def run() -> Data:
        with acting_as(actor):
            try:
                return build()
            except Exception as exc:  # noqa: BLE001 - logged here; Streamlit tells the person under the button
                message = failure_message(exc, doing=f"building the download {file_name}")
                raise DownloadFailed(message) from None

    return run


def download_ui(
    label: str,
    data: Data | Callable[[], Data],
    file_name: str,
    mime: str,
    *,
    key: str,
    icon: str | None = None,
    where=st,
    **options,
) -> None:
    """A download button; `data` may be a function, called only when the person clicks.

    A click does not rerun the page: a rerun would drop the other deferred files drawn beside it."""
    if callable(data):
        data = as_drawn(data, file_name=file_name)
    where.download_button(label, data, file_name, mime, key=key, icon=icon, on_click="ignore", **options)
