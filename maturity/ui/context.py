"""Per-process resources for pages: settings, a migrated database, the content library."""

from __future__ import annotations

import hashlib
import time

import streamlit as st

from maturity.config import SettingError, Settings, get_settings
from maturity.content.catalog import Catalog
from maturity.services import library
from maturity.services.access import admin_secret
from maturity.services.database import prepare_database
from maturity.ui.failures import attempt, failure_message
from maturity.ui.text import md


def settings() -> Settings:
    try:
        return get_settings()
    except SettingError as exc:  # a mistyped environment variable: say which, and how to fix it
        st.error(md("The app's configuration needs fixing: {problem}", problem=str(exc)), icon=":material/settings:")
        st.stop()


@st.cache_resource(show_spinner="Preparing the database…")
def _migrated(url: str) -> str:
    # Once per process and URL: a restarted or second app process upgrades (or waits) here.
    return prepare_database(url)


def database_url() -> str:
    """The database URL, migrated to the latest schema; stops the page with a clear error if it cannot be."""
    url = settings().db_url
    with attempt("preparing the database", failed="The database is not available") as prepared:
        _migrated(url)
    if not prepared.ok:
        st.stop()
    return url


CONTENT_CHECK_S = 2  # how soon an edited content file shows in the app
_checked: dict[tuple, tuple[float, str]] = {}  # sources -> (when, fingerprint digest), for every session of this process


@st.cache_resource(max_entries=4, show_spinner="Loading content…")
def _library(fingerprint: str, _sources: tuple) -> Catalog:
    # Keyed by the digest alone (the underscore keeps Streamlit from hashing the sources on every call).
    return library.load_library(list(_sources))


def catalog() -> Catalog:
    """The content library, reloaded within two seconds of a content file changing on disk.

    Every phone's full run asks for it, and looking at every content file takes about 1.5 ms, half
    of what a phone's whole poll costs the server; so it is looked at every two seconds, without a
    lock that a room of phones redrawing at once would queue on.
    """
    sources = tuple(settings().content_sources)
    now = time.monotonic()
    checked = _checked.get(sources)
    if checked is None or now - checked[0] > CONTENT_CHECK_S:  # two sessions may both look: harmless
        digest = hashlib.sha1(repr(library.content_fingerprint(sources)).encode()).hexdigest()
        checked = _checked[sources] = (now, digest)
    return _library(checked[1], sources)


_announced: set[str] = set()  # database URLs whose generated secret this process has printed


def announce_admin_secret() -> str | None:
    """Make sure the admin secret exists, printing it on the console the first time this process sees it generated.

    Asked by the sign-in page only: a phone never writes to the database to open its ballot. Returns
    what went wrong, in a sentence, when the secret could not be read or stored (a read-only or full disk).
    """
    url = database_url()
    try:
        secret = admin_secret(url, settings())
    except Exception as exc:  # noqa: BLE001 - logged by failure_message; the sign-in page says it, and nothing unstored is printed
        problem = failure_message(exc, doing="storing the admin secret", failed="The admin secret could not be stored")
        return f"{problem} Nobody can sign in with it yet: set MATURITY_ADMIN_SECRET to choose one without the database."
    if url not in _announced and settings().auth and secret.source == "generated":
        # Like a notebook server: the console that started the app shows how to get in.
        print(f"\n  Facilitator sign-in secret: {secret.value}\n  (set MATURITY_ADMIN_SECRET to choose your own)\n", flush=True)
    _announced.add(url)
    return None
