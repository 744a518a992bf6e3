"""Content library: browse maturity models, surveys and playbooks, and see which files are broken."""

import streamlit as st

from maturity.domain.roles import Permission
from maturity.ui import context
from maturity.ui.access import can, require
from maturity.ui.components import ladder_ui, model_ui, playbook_browser_ui, problems_ui, survey_ui
from maturity.ui.content_files import content_files_ui
from maturity.ui.text import md

require(Permission.VIEW_CONTENT)
catalog = context.catalog()

st.title("Content library")
st.caption(
    "Maturity models, surveys and playbooks are YAML files: built-in ones ship with the app, your "
    "organisation's own come from MATURITY_CONTENT_DIR and replace built-ins with the same id."
)

managing = can(Permission.MANAGE_CONTENT)
tab_models, tab_surveys, tab_playbooks, tab_problems, *tab_files = st.tabs(
    [
        md("Models ({n})", n=len(catalog.models)),
        md("Surveys ({n})", n=len(catalog.surveys)),
        md("Playbooks ({n})", n=len(catalog.playbooks)),
        md("Problems ({n})", n=len(catalog.problems)),
        *(["Your files"] if managing else []),
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
        st.caption(md("From {origin}", origin=catalog.origins[("model", model.id)]))
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
        st.caption(md("From {origin}", origin=catalog.origins[("survey", survey_id)]))
        survey_ui(catalog.surveys[survey_id], catalog)

with tab_playbooks:
    playbook_browser_ui(catalog, prefix="playbook")

with tab_problems:
    problems_ui(catalog.problems)

if managing:
    with tab_files[0]:
        content_files_ui(context.database_url(), context.settings())
