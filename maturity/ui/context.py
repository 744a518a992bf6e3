"""Per-process resources for pages: settings, a migrated database, the content library."""

from __future__ import annotations

import streamlit as st

from maturity.config import SettingError, Settings, get_settings
from maturity.content.catalog import Catalog
from maturity.services import library
from maturity.services.access import admin_secret
from maturity.services.database import prepare_database
from maturity.services.errors import describe_failure


def settings() -> Settings:
    try:
        return get_settings()
    except SettingError as exc:  # a mistyped environment variable: say which, and how to fix it
        st.error(f"The app's configuration needs fixing: {exc}", icon=":material/settings:")
        st.stop()


@st.cache_resource(show_spinner="Preparing the database…")
def _migrated(url: str) -> str:
    # Once per process and URL: a restarted or second app process upgrades (or waits) here.
    return prepare_database(url)


def database_url() -> str:
    """The database URL, migrated to the latest schema; stops the page with a clear error if it cannot be."""
    url = settings().db_url
    try:
        _migrated(url)
    except Exception as exc:  # shown to a person: say what happened and what to do
        st.error(f"The database is not available: {describe_failure(exc)}", icon=":material/database:")
        st.stop()
    return url


@st.cache_resource(max_entries=4, show_spinner="Loading content…")
def _library(fingerprint: tuple, sources: tuple) -> Catalog:
    return library.load_library(list(sources))


@st.cache_resource(ttl=2, max_entries=4, show_spinner=False)
def _fingerprint(sources: tuple) -> tuple:
    # Looking at every content file costs more than a phone's whole poll; every two seconds is soon enough.
    return library.content_fingerprint(sources)


def catalog() -> Catalog:
    """The content library, reloaded within two seconds of a content file changing on disk."""
    sources = tuple(settings().content_sources)
    return _library(_fingerprint(sources), sources)


@st.cache_resource(show_spinner=False)
def _announced(url: str) -> bool:
    secret = admin_secret(url, settings())
    if settings().auth and secret.source == "generated":
        # Like a notebook server: the console that started the app shows how to get in.
        print(f"\n  Facilitator sign-in secret: {secret.value}\n  (set MATURITY_ADMIN_SECRET to choose your own)\n", flush=True)
    return True


def announce_admin_secret() -> None:
    """Once per process: make sure the admin secret exists and print it when it was generated."""
    _announced(database_url())
