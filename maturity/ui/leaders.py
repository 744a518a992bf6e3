"""Pieces shared by the leaders' pages: the scope filters (kept while moving between pages) and cached queries."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from maturity.content.catalog import Catalog
from maturity.content.definitions import ModelDefinition
from maturity.services import leaders
from maturity.services import workshops as ws
from maturity.services.exports import frame_rows, to_csv, to_xlsx
from maturity.ui import context
from maturity.ui.downloads import XLSX, download_ui

SCOPE = "leaders.scope"  # plain session state: widget state is dropped when a page without the widget runs
PERIODS = {"Last 12 months": 365, "Last 2 years": 730, "Last 5 years": 1826, "All time": None}


@st.cache_data(ttl=30, show_spinner=False, max_entries=32)
def history(url: str, filters: leaders.Filters) -> pd.DataFrame:
    return leaders.consensus_history(url, filters)


@st.cache_data(ttl=30, show_spinner=False, max_entries=32)
def actions(url: str, filters: leaders.Filters) -> pd.DataFrame:
    return leaders.action_dates(url, filters)


def _remember(name: str) -> None:
    st.session_state.setdefault(SCOPE, {})[name] = st.session_state[f"leaders_{name}"]


def scope_ui(url: str, catalog: Catalog, *, teams_help: str = "") -> tuple[leaders.Filters, ModelDefinition, dict[int, str]]:
    """Model, teams and period; the same choice follows the leader from page to page. Stops when there is nothing.

    `teams_help` is a tooltip, read as Markdown: a literal, or md() when it names a value (maturity.ui.text)."""
    used = leaders.models_in_use(url) & set(catalog.models)
    if not used:
        st.info(
            "No workshop has recorded a consensus yet. Run a workshop, or load the demo data from the home page, "
            "and the trends appear here.",
            icon=":material/insights:",
        )
        st.stop()
    remembered = st.session_state.setdefault(SCOPE, {})
    model_ids = sorted(used, key=lambda m: catalog.models[m].name)
    teams = {t.id: t.name for t in ws.list_teams(url)}
    left, middle, right = st.columns([2, 3, 2])
    model_id = left.selectbox(
        "Maturity model",
        model_ids,
        index=model_ids.index(remembered["model"]) if remembered.get("model") in model_ids else 0,
        format_func=lambda m: catalog.models[m].name,
        key="leaders_model",
        on_change=_remember,
        args=("model",),
    )
    chosen = middle.multiselect(
        "Teams",
        list(teams),
        default=[t for t in remembered.get("teams", []) if t in teams],
        format_func=teams.get,
        placeholder="All teams",
        help=teams_help or "Leave empty to see the organisation as a whole; pick teams to compare them.",
        key="leaders_teams",
        on_change=_remember,
        args=("teams",),
    )
    names = list(PERIODS)
    period = right.selectbox(
        "Period",
        names,
        index=names.index(remembered["period"]) if remembered.get("period") in names else 1,
        key="leaders_period",
        on_change=_remember,
        args=("period",),
    )
    days = PERIODS[period]
    today = date.today()
    filters = leaders.Filters(model_id, tuple(chosen), today - timedelta(days=days) if days else None, today)
    return filters, catalog.models[model_id], teams


def segment_names(model: ModelDefinition) -> dict[str, str]:
    return {s.id: s.name for s in model.segments}


def downloads(frame: pd.DataFrame, stem: str, *, key: str) -> None:
    """The table behind a chart as CSV and Excel, both safe to open in Excel."""
    header, rows = frame_rows(frame)
    left, right, _ = st.columns([1, 1, 3])
    # built when clicked: most visits never download, and an Excel file takes tens of milliseconds
    download_ui(
        "Table (CSV)",
        lambda: to_csv(header, rows),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/table:",
        where=left,
    )
    download_ui(
        "Table (Excel)",
        lambda: to_xlsx("Data", header, rows),
        f"{stem}.xlsx",
        XLSX,
        key=f"{key}_xlsx",
        icon=":material/grid_on:",
        where=right,
    )


def min_group_size() -> int:
    return context.settings().min_group_size
