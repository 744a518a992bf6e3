"""The admin's pages through AppTest: people and roles, the audit log, settings."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from maturity.services import accounts
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def admin_page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    return at.switch_page(page_path(name)).run()


def test_the_admin_gives_a_role_and_a_second_admin_with_a_stale_page_is_told(db_url):
    leo = accounts.sign_in(db_url, email="leo@example.org", name="Leo")
    first, second = admin_page("people"), admin_page("people")
    assert "1 waiting for a role: leo@example.org" in unescape(first.warning[0].value)
    for at in (first, second):
        at.selectbox(key="role_pick").set_value(leo.id).run()
    first.selectbox(key=f"role_{leo.id}").set_value("leader")
    first.button(key=f"FormSubmitter:role_form_{leo.id}-Save role").click().run()
    assert "leo@example.org is now Leader" in unescape(first.success[0].value)
    second.selectbox(key=f"role_{leo.id}").set_value("admin")
    second.button(key=f"FormSubmitter:role_form_{leo.id}-Save role").click().run()
    assert not second.exception and "Another admin changed leo@example.org" in unescape(second.error[0].value)
    assert accounts.current_account(db_url, leo.id).role == "leader"  # the second save changed nothing


def test_adding_someone_defaults_to_the_least_role_and_a_bad_address_is_said(db_url):
    at = admin_page("people")
    assert at.selectbox(key="new_role").value == "owner"
    at.text_input(key="new_email").input("not an address")
    at.button(key="FormSubmitter:add_account-Add").click().run()
    assert "'not an address' is not an e-mail address" in unescape(at.error[0].value)
    at.text_input(key="new_email").input("olu@example.org")
    at.button(key="FormSubmitter:add_account-Add").click().run()
    assert "olu@example.org can sign in as Owner" in unescape(at.success[0].value)


def test_the_audit_log_lists_changes_filters_them_and_exports_them(db_url):
    accounts.add_account(db_url, email="olu@example.org", role="owner")
    at = admin_page("audit")
    assert not at.exception
    frame = at.dataframe[0].value
    assert frame["Summary"].tolist() == ["olu@example.org given access as owner"] and frame["Who"].tolist() == ["Test admin (test)"]
    at.selectbox(key="audit_entity").set_value("action").run()
    assert "Nothing changed that matches these filters." in unescape(at.info[0].value)
    at.selectbox(key="audit_entity").set_value("").run()
    at.text_input(key="audit_who").input("nobody-like-this").run()
    assert at.info and not at.dataframe


def test_the_settings_page_says_how_sign_in_and_e_mail_are_set_up(db_url):
    at = admin_page("settings")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "signs in with the **admin secret**" in text and "Not configured: set MATURITY_SMTP_HOST" in text
    assert db_url.split("///")[-1][-20:] in text or "postgresql" in text
