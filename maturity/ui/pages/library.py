"""Content library: browse maturity models, surveys and playbooks, and see which files are broken."""

import streamlit as st

from maturity.content.definitions import HORIZON_LABELS, Horizon
from maturity.services.library import search_playbooks
from maturity.ui import context
from maturity.ui.access import require_facilitator
from maturity.ui.components import ladder_ui, model_ui, playbook_ui, problems_ui, survey_ui

require_facilitator()
catalog = context.catalog()

st.title("Content library")
st.caption(
    "Maturity models, surveys and playbooks are YAML files: built-in ones ship with the app, your "
    "organisation's own come from MATURITY_CONTENT_DIR and replace built-ins with the same id."
)

tab_models, tab_surveys, tab_playbooks, tab_problems = st.tabs(
    [
        f"Models ({len(catalog.models)})",
        f"Surveys ({len(catalog.surveys)})",
        f"Playbooks ({len(catalog.playbooks)})",
        f"Problems ({len(catalog.problems)})",
    ]
)

with tab_models:
    if not catalog.models:
        st.info("No maturity model loaded. Check the Problems tab, or add a model file (see docs/content.md).")
    else:
        model_id = st.selectbox(
            "Maturity model",
            list(catalog.models),
            format_func=lambda mid: catalog.models[mid].name,
            key="library_model",
        )
        model = catalog.models[model_id]
        st.caption(f"From {catalog.origins[('model', model.id)]}")
        ladder_ui(model)
        model_ui(model, catalog)

with tab_surveys:
    if not catalog.surveys:
        st.info("No survey loaded. Check the Problems tab, or add a survey file (see docs/content.md).")
    else:
        survey_id = st.selectbox(
            "Survey",
            list(catalog.surveys),
            format_func=lambda sid: catalog.surveys[sid].title,
            key="library_survey",
        )
        st.caption(f"From {catalog.origins[('survey', survey_id)]}")
        survey_ui(catalog.surveys[survey_id], catalog)

with tab_playbooks:
    search, model_col, segment_col, horizon_col = st.columns([3, 2, 2, 2])
    text = search.text_input("Search", key="playbook_search", placeholder="e.g. owner, dashboard, privacy")
    model_filter = model_col.selectbox(
        "Model",
        ["", *catalog.models],
        format_func=lambda mid: catalog.models[mid].name if mid else "All models",
        key="playbook_model",
    )
    segments = catalog.models[model_filter].segments if model_filter else []
    segment_filter = segment_col.selectbox(
        "Segment",
        ["", *(s.id for s in segments)],
        format_func=lambda sid: next((s.name for s in segments if s.id == sid), "All segments"),
        key="playbook_segment",
        disabled=not model_filter,
    )
    if segment_filter not in {s.id for s in segments}:
        segment_filter = ""  # left over from another model
    horizon_filter = horizon_col.selectbox(
        "Horizon",
        ["", *(h.value for h in Horizon)],
        format_func=lambda h: HORIZON_LABELS[Horizon(h)] if h else "Any horizon",
        key="playbook_horizon",
    )
    found = search_playbooks(
        catalog, text, model_id=model_filter or None, segment_id=segment_filter or None, horizon=horizon_filter or None
    )
    st.caption(f"{len(found)} of {len(catalog.playbooks)} playbooks")
    for playbook in found:
        playbook_ui(playbook, catalog)

with tab_problems:
    problems_ui(catalog.problems)
