"""The real app through AppTest: every page renders, the home page and library do their jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from maturity.ui.access import SECRET_FLAG, Visit
from maturity.ui.navigation import PAGES, STAFF_PAGES, page_path
from maturity.ui.text import unescape
from tests.conftest import ADMIN_SECRET

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60


def app() -> AppTest:
    """The app as a signed-in facilitator sees it."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[SECRET_FLAG] = True
    return at.run()


def visitor() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def page_names(visit: Visit) -> list[str]:
    sections = STAFF_PAGES if visit is Visit.STAFF else PAGES[visit]
    return [spec.name for specs in sections.values() for spec in specs]


@pytest.mark.parametrize("name", page_names(Visit.STAFF))
def test_every_staff_page_renders_for_an_admin_without_error(name):
    at = app()
    at.switch_page(page_path(name)).run()
    assert not at.exception, at.exception
    assert at.title, f"page {name} has no title"


@pytest.mark.parametrize("name", page_names(Visit.VISITOR))
def test_every_visitor_page_renders_without_error(name):
    at = visitor()
    at.switch_page(page_path(name)).run()
    assert not at.exception, at.exception
    assert at.title


def test_a_visitor_lands_on_join_and_cannot_reach_facilitator_pages():
    at = visitor()
    assert at.title[0].value == "Join a workshop"
    # the app opens here: a newcomer who runs it finds the facilitator's way in on the same page
    [sign_in] = [link for link in at.get("page_link") if link.proto.label == "Facilitator sign-in"]
    assert sign_in.proto.page.endswith("signin")
    for name in page_names(Visit.STAFF):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(name))


def test_sign_in_with_the_admin_secret():
    at = visitor()
    at.switch_page(page_path("signin")).run()
    at.text_input(key="admin_secret").input("wrong")
    at.button(key="FormSubmitter:signin_form-Sign in").click().run()
    assert "not right" in at.error[0].value
    at.text_input(key="admin_secret").input(ADMIN_SECRET)
    at.button(key="FormSubmitter:signin_form-Sign in").click().run()
    assert not at.exception
    assert at.session_state[SECRET_FLAG] is True
    at.run()  # the browser is back from the server with its cookie: the next run has the staff's pages
    at.switch_page(page_path("workshops")).run()
    assert at.title[0].value == "Workshops"


def test_home_on_an_empty_database_guides_a_newcomer_and_loads_the_demo():
    at = app()
    assert not at.exception
    assert any(h.value == "Start here" for h in at.subheader)
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert unescape(at.success[0].value).startswith("Demo data loaded: 6 teams")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Teams"] == "6" and int(metrics["Workshops"]) >= 30
    assert not any(b.key == "load_demo" for b in at.button)


def test_library_shows_every_model_survey_and_playbook(builtin_catalog):
    at = app()
    at.switch_page(page_path("library")).run()
    assert [t.label for t in at.tabs] == [
        "Models (2)",
        "Surveys (3)",
        f"Playbooks ({len(builtin_catalog.playbooks)})",
        "Problems (0)",
        "Your files",  # an admin's: the organisation's own content files
    ]
    assert at.selectbox(key="library_model").options == [m.name for m in builtin_catalog.models.values()]
    assert at.selectbox(key="library_survey").options == [s.title for s in builtin_catalog.surveys.values()]
    expanders = [e.label for e in at.expander]
    for playbook in builtin_catalog.playbooks.values():
        assert any(unescape(label).startswith(playbook.title) for label in expanders), playbook.id
    dmm = builtin_catalog.models["data-maturity"]
    for segment in dmm.segments:
        assert any(unescape(label).startswith(segment.name) for label in expanders), segment.id
    assert any(dmm.segments[0].awful in unescape(e.value) for e in at.error)
    assert any(dmm.segments[0].excellent in unescape(s.value) for s in at.success)
    assert any(dmm.segments[0].levels[3] in unescape(m.value) for m in at.markdown)
    for model_id, model in builtin_catalog.models.items():
        at.selectbox(key="library_model").set_value(model_id).run()
        assert any(unescape(h.value).startswith(model.name) for h in at.subheader)
    for survey_id, survey in builtin_catalog.surveys.items():
        at.selectbox(key="library_survey").set_value(survey_id).run()
        assert not at.exception
        assert any(unescape(h.value).startswith(survey.title) for h in at.subheader)


def test_library_playbook_search_and_filters():
    at = app()
    at.switch_page(page_path("library")).run()
    at.selectbox(key="playbook_model").set_value("data-team-health-check").run()
    at.selectbox(key="playbook_segment").set_value("privacy-pii").run()
    assert any(c.value == "2 of 48 playbooks" for c in at.caption)
    at.selectbox(key="playbook_horizon").set_value("urgent").run()
    assert any(c.value == "1 of 48 playbooks" for c in at.caption)
    at.text_input(key="playbook_search").input("no-such-word-anywhere").run()
    assert any(c.value == "0 of 48 playbooks" for c in at.caption)


def test_broken_organisation_content_is_listed_and_the_rest_still_loads(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text("kind: model\nid: ours\nname: [unclosed\n")
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(tmp_path))
    at = app()
    assert any("1 problem(s) in the content files" in w.value for w in at.warning)
    at.switch_page(page_path("library")).run()
    assert "Problems (1)" in [t.label for t in at.tabs]
    problems = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    assert problems["File"].iloc[0].endswith("broken.yaml") and "YAML syntax error" in problems["Problem"].iloc[0]
    files = next(d.value for d in at.dataframe if "Defines" in d.value.columns)  # the admin's "Your files" tab
    assert files["File"].tolist() == ["broken.yaml"] and files["Defines"].iloc[0].startswith("broken: YAML syntax error")
    assert "Models (2)" in [t.label for t in at.tabs]


@pytest.mark.logs_errors  # the failure is the point: it is logged with a reference
def test_an_unusable_database_is_explained_on_the_page(tmp_path, monkeypatch):
    (tmp_path / "maturity.db").mkdir()  # a folder where the database file should be
    monkeypatch.setenv("MATURITY_DB_URL", f"sqlite:///{tmp_path / 'maturity.db'}")
    at = app()
    assert not at.exception
    assert "The database is not available" in at.error[0].value and "cannot be opened" in at.error[0].value


def test_switching_model_after_choosing_a_segment_does_not_break_the_filter():
    at = app()
    at.switch_page(page_path("library")).run()
    at.selectbox(key="playbook_model").set_value("data-team-health-check").run()
    at.selectbox(key="playbook_segment").set_value("privacy-pii").run()
    at.selectbox(key="playbook_model").set_value("data-maturity").run()
    assert not at.exception
    assert any(c.value == "24 of 48 playbooks" for c in at.caption)


def test_a_join_link_opens_the_join_page_even_without_sign_in(monkeypatch):
    monkeypatch.setenv("MATURITY_AUTH", "off")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["join"] = "ACD347"
    at.run()
    assert at.title[0].value == "Join a workshop" and at.text_input(key="join_code").value == "ACD347"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert at.title[0].value == "maturity"  # with MATURITY_AUTH=off everyone else is a facilitator
