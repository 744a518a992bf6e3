"""Gaps to owned actions through the real app: create from a gap, update with a comment, refuse a crossed save."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from maturity.services import actions as ax
from maturity.services import demo, owners
from maturity.services import workshops as ws
from maturity.services.consensus import record_consensus
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def facilitator(page: str, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    at.switch_page(page_path(page))
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def finished_workshop(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Finance")
    workshop = ws.create_workshop(
        db_url, team_id=team.id, model=dmm, segment_ids=["data-strategy", "skills"], held_on=date(2026, 9, 1)
    )
    record_consensus(db_url, workshop_id=workshop.id, segment_id="data-strategy", level=1, target_level=3)
    record_consensus(db_url, workshop_id=workshop.id, segment_id="skills", level=2, target_level=3)
    ws.close_workshop(db_url, workshop.id)
    owners.save_person(db_url, name="Bea Santos", email="bea@example.org", role="Head of data engineering")
    return workshop


def test_create_an_action_from_a_gap_with_a_playbook(db_url, finished_workshop, builtin_catalog):
    at = facilitator("gaps", w=str(finished_workshop.id))
    assert next(m.value for m in at.metric if m.label == "Gaps with no action") == "2"
    key = f"gap_{finished_workshop.id}_data-strategy"
    playbook = builtin_catalog.playbooks_for("data-maturity", "data-strategy", 1)[0]
    at.selectbox(key=f"{key}_playbook").set_value(playbook).run()
    assert at.text_input(key=f"{key}_title_{playbook.id}").value == playbook.title  # pre-filled from the playbook
    assert playbook.steps[0] in at.text_area(key=f"{key}_steps_{playbook.id}").value
    owner = owners.list_people(db_url)[0]
    at.selectbox(key=f"{key}_owner").set_value(owner.id)
    next(b for b in at.button if b.key == f"FormSubmitter:{key}_form-Create the action").click().run()
    assert not at.exception
    assert unescape(at.success[0].value).startswith(f"Created “{playbook.title}” for Bea Santos")
    assert next(m.value for m in at.metric if m.label == "Gaps with no action") == "1"
    created = ax.list_actions(db_url)[0]
    assert (created.playbook_id, created.segment_id, created.workshop_id, created.horizon) == (
        playbook.id, "data-strategy", finished_workshop.id, playbook.horizon.value,
    )  # fmt: skip


def test_update_status_with_a_comment_and_see_it_in_the_history(db_url, finished_workshop):
    action = ax.create_action(
        db_url, title="Draft a one-page data strategy", workshop_id=finished_workshop.id, segment_id="data-strategy"
    )
    at = facilitator("board")
    at.selectbox(key="board_pick").set_value(action.id)
    at.run()
    at.selectbox(key=f"ea_status_{action.id}").set_value("in_progress")
    at.text_input(key=f"ea_comment_{action.id}").input("Kick-off held with finance")
    next(b for b in at.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run()
    assert not at.exception
    assert "Saved “Draft a one-page data strategy” (In progress)" in unescape(at.success[0].value)
    history = ax.action_history(db_url, action.id)
    assert history[-1].changes == {"status": ["open", "in_progress"]} and history[-1].comment == "Kick-off held with finance"
    assert any(t.value == "Kick-off held with finance" for t in at.text)


def test_two_people_editing_the_same_action_the_second_gets_a_conflict(db_url, finished_workshop):
    action = ax.create_action(db_url, title="Name metric owners", workshop_id=finished_workshop.id, segment_id="skills")
    first, second = facilitator("board"), facilitator("board")
    for at in (first, second):
        at.selectbox(key="board_pick").set_value(action.id)
        at.run()
    first.selectbox(key=f"ea_status_{action.id}").set_value("blocked")
    next(b for b in first.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run()
    second.selectbox(key=f"ea_status_{action.id}").set_value("done")
    second.text_input(key=f"ea_comment_{action.id}").input("Finished!")
    next(b for b in second.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run()
    assert "your save was refused and nothing was overwritten" in unescape(second.warning[0].value)
    assert "You both changed status Blocked (the form keeps your value)" in unescape(second.warning[0].value)
    assert second.text_input(key=f"ea_comment_{action.id}").value == "Finished!"  # what they typed is kept
    assert second.selectbox(key=f"ea_status_{action.id}_g1").value == "done"
    assert ax.get_action(db_url, action.id).status == "blocked"


def save(at, action_id):
    next(b for b in at.button if b.key == f"FormSubmitter:edit_action_{action_id}-Save changes").click().run()
    assert not at.exception, at.exception


def test_a_retried_save_after_a_conflict_keeps_the_other_persons_change(db_url, finished_workshop):
    """The second person changed only the status; their retry must not put back the evidence link the first one set."""
    action = ax.create_action(db_url, title="Name metric owners", workshop_id=finished_workshop.id, segment_id="skills")
    first, second = facilitator("board"), facilitator("board")
    for at in (first, second):
        at.selectbox(key="board_pick").set_value(action.id)
        at.run()
    first.text_input(key=f"ea_evidence_{action.id}").input("https://wiki.example.org/from-A")
    save(first, action.id)
    second.selectbox(key=f"ea_status_{action.id}").set_value("in_progress")
    save(second, action.id)
    notice = unescape(second.warning[0].value)
    assert "The form now shows their changes: evidence url https://wiki.example.org/from-A" in notice, notice
    assert second.text_input(key=f"ea_evidence_{action.id}_g1").value == "https://wiki.example.org/from-A"
    assert second.selectbox(key=f"ea_status_{action.id}_g1").value == "in_progress"  # theirs kept
    save(second, action.id)
    saved = ax.get_action(db_url, action.id)
    assert (saved.status, saved.evidence_url) == ("in_progress", "https://wiki.example.org/from-A")
    last = ax.action_history(db_url, action.id)[-1]
    assert last.changes == {"status": ["open", "in_progress"]}  # before the fix: evidence_url: [from-A, ""] as well


def test_owner_registry_form_explains_a_bad_email(db_url):
    at = facilitator("owners")
    at.text_input(key="person_name_0").input("Sam")
    at.text_input(key="person_email_0").input("sam-at-example")
    next(b for b in at.button if b.key == "FormSubmitter:person_form_0-Save person").click().run()
    assert "not a valid e-mail address" in unescape(at.error[0].value)
    at.text_input(key="person_email_0").input("sam@example.org")
    next(b for b in at.button if b.key == "FormSubmitter:person_form_0-Save person").click().run()
    assert unescape(at.success[0].value) == "Saved Sam." and [p.email for p in owners.list_people(db_url)] == ["sam@example.org"]
    assert (at.text_input(key="person_name_0").value, at.text_input(key="person_email_0").value) == ("", "")  # ready for the next


def save_entry(at, form: str, button: str) -> None:
    next(b for b in at.button if b.key == f"FormSubmitter:{form}-{button}").click().run()
    assert not at.exception, at.exception


def test_two_people_editing_one_person_in_the_registry_keep_both_changes(db_url, finished_workshop):
    """The first changes the role, the second the team: the second is told, keeps their team, and saves both."""
    bea = owners.list_people(db_url)[0]
    first, second = facilitator("owners"), facilitator("owners")
    for at in (first, second):
        at.selectbox(key="person_pick").set_value(bea.id).run()
    first.text_input(key=f"person_role_{bea.id}").input("Chief data officer")
    save_entry(first, f"person_form_{bea.id}", "Save person")
    assert unescape(first.success[0].value) == "Saved Bea Santos."
    second.text_input(key=f"person_team_name_{bea.id}").input("Data platform")
    save_entry(second, f"person_form_{bea.id}", "Save person")
    notice = unescape(second.warning[0].value)
    assert "your save was refused and nothing was overwritten" in notice, notice
    assert "The form now shows their changes: role Chief data officer" in notice, notice
    assert second.text_input(key=f"person_role_{bea.id}_g1").value == "Chief data officer"
    assert second.text_input(key=f"person_team_name_{bea.id}_g1").value == "Data platform"  # theirs kept
    assert owners.get_person(db_url, bea.id).team_name == ""  # nothing saved yet
    save_entry(second, f"person_form_{bea.id}", "Save person")
    saved = owners.get_person(db_url, bea.id)
    assert (saved.role, saved.team_name, saved.version) == ("Chief data officer", "Data platform", 3)
    assert unescape(second.success[0].value) == "Saved Bea Santos."


def test_two_people_editing_one_domain_keep_both_changes_and_a_departed_owner_stays(db_url, finished_workshop):
    """Before the fix, saving a domain whose owner had left cleared its owner: the form only listed active people."""
    bea = owners.list_people(db_url)[0]
    carl = owners.save_person(db_url, name="Carl Okafor", email="carl@example.org")
    domain = owners.save_domain(db_url, name="Customers", owner_id=bea.id)
    owners.save_person(
        db_url, name=bea.name, email=bea.email, role=bea.role, active=False, person_id=bea.id, expected_version=bea.version
    )
    first, second = facilitator("owners"), facilitator("owners")
    for at in (first, second):
        at.selectbox(key="domain_pick").set_value(domain.id).run()
        assert at.selectbox(key=f"domain_owner_id_{domain.id}").value == bea.id
    first.selectbox(key=f"domain_steward_id_{domain.id}").set_value(carl.id)
    save_entry(first, f"domain_form_{domain.id}", "Save domain")
    assert owners.get_domain(db_url, domain.id).owner_name == "Bea Santos"  # still the (departed) owner
    second.text_input(key=f"domain_consumers_{domain.id}").input("Finance")
    save_entry(second, f"domain_form_{domain.id}", "Save domain")
    assert "The form now shows their changes: steward Carl Okafor" in unescape(second.warning[0].value)
    save_entry(second, f"domain_form_{domain.id}", "Save domain")
    saved = owners.get_domain(db_url, domain.id)
    assert (saved.owner_name, saved.steward_name, saved.consumers) == ("Bea Santos", "Carl Okafor", "Finance")


@pytest.mark.parametrize("page", ["gaps", "board", "owners", "playbooks", "screen", "summary"])
def test_governance_pages_render_with_the_demo_data(db_url, builtin_catalog, page):
    demo.load_demo(db_url, catalog=builtin_catalog)
    at = facilitator(page, w="1")
    assert not at.exception and (at.title or at.markdown)
    if page == "board":
        assert int(next(m.value for m in at.metric if m.label == "Actions shown")) > 0
        at.segmented_control(key="board_view").set_value("Board").run()
        assert not at.exception


def test_the_name_in_the_sidebar_goes_into_the_history(db_url, finished_workshop):
    action = ax.create_action(
        db_url, title="Publish the metric dictionary", workshop_id=finished_workshop.id, segment_id="skills"
    )
    at = facilitator("board")
    at.sidebar.text_input(key="editor_name").input("Chris Okafor")
    at.selectbox(key="board_pick").set_value(action.id)
    at.run()
    at.selectbox(key=f"ea_status_{action.id}").set_value("in_progress")
    next(b for b in at.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run()
    assert ax.action_history(db_url, action.id)[-1].by == "Chris Okafor"


def test_an_action_marked_done_stays_in_hand_outside_the_open_filter(db_url, finished_workshop):
    action = ax.create_action(db_url, title="Run a skills baseline", workshop_id=finished_workshop.id, segment_id="skills")
    at = facilitator("board")
    at.selectbox(key="board_pick").set_value(action.id)
    at.run()
    at.selectbox(key=f"ea_status_{action.id}").set_value("done")
    next(b for b in at.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run()
    assert next(m.value for m in at.metric if m.label == "Actions shown") == "0"  # the default filter shows open work
    assert at.selectbox(key="board_pick").value == action.id  # but the one just saved is still there to check
    assert at.expander[-1].label == "History (2)"


def test_importing_people_with_one_bad_row_imports_nothing_and_names_the_row(db_url):
    at = facilitator("owners")
    bad = b"name,email,team,role\nAnn,ann@example.org,Data,Analyst\nBob,bob-at-example,Data,Analyst\n"
    at.file_uploader(key="people_upload").upload("people.csv", bad, "text/csv").run()
    at.button(key="people_import").click().run()
    assert not at.exception
    shown = re.sub(r"\\(.)", r"\1", at.error[0].value)  # the rows are drawn literally: Markdown escapes in the source
    assert "Nothing was imported" in shown and "Row 3: 'bob-at-example' is not a valid e-mail address." in shown
    assert owners.list_people(db_url) == []
    good = bad.replace(b"bob-at-example", b"bob@example.org")
    at.file_uploader(key="people_upload").upload("people.csv", good, "text/csv").run()
    at.button(key="people_import").click().run()
    assert unescape(at.success[0].value) == "Imported: 2 added, 0 updated."
