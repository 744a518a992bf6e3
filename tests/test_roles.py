"""Roles: every service use case and every page checks who is asking; each role sees exactly its pages."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import maturity.services
from maturity.domain.roles import PERMISSIONS, Actor, StaffRole, role_from_claim, strongest
from maturity.services import accounts
from maturity.services import actions as ax
from maturity.services.authz import NotAllowed, acting_as
from maturity.services.owners import save_person
from maturity.ui.access import ACTOR
from maturity.ui.navigation import STAFF_PAGES, page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60
AUTH = {  # an identity provider that is configured but never asked: these tests seed st.user themselves
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-of-32-characters!",
    "client_id": "maturity",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
PEOPLE = {role: f"{role.value}@example.org" for role in StaffRole}


# --------------------------------------------------------------------------- the services


def _use_cases():
    """Every public function of maturity.services.* that reads or writes the database (it takes `url`)."""
    for info in pkgutil.walk_packages(maturity.services.__path__, "maturity.services."):
        module = importlib.import_module(info.name)
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if "url" in inspect.signature(inspect.unwrap(fn)).parameters:
                yield f"{info.name}.{name}", fn


USE_CASES = dict(_use_cases())
GUARDED = {name: fn for name, fn in USE_CASES.items() if getattr(fn, "__permissions__", ())}


def test_there_are_use_cases_to_check():
    assert len(USE_CASES) > 60 and len(GUARDED) > 50
    assert "maturity.services.actions.update_action" in GUARDED and "maturity.services.voting.cast_vote" in USE_CASES


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_every_use_case_says_who_may_call_it(name):
    # @requires(...) for staff, @token_access for a phone or a survey link, @before_sign_in for the sign-in machinery
    assert hasattr(USE_CASES[name], "__permissions__"), f"{name} checks nobody: decorate it (services/authz.py)"


def _call(fn):
    """Call with placeholders: a refusal comes before the function looks at any of them."""
    params = inspect.signature(inspect.unwrap(fn)).parameters.values()
    args = [None for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    kwargs = {p.name: None for p in params if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    return fn(*args, **kwargs)


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_is_refused_every_use_case_its_permissions_do_not_cover(role):
    actor = Actor(f"A {role.value}", role, PEOPLE[role])
    refused = [name for name, fn in GUARDED.items() if not any(p in PERMISSIONS[role] for p in fn.__permissions__)]
    assert refused or role is StaffRole.ADMIN
    with acting_as(actor):
        for name in refused:
            with pytest.raises(NotAllowed, match=f"signed in as {role.label}, who may not"):
                _call(GUARDED[name])


def test_nobody_signed_in_is_refused_every_staff_use_case():
    with acting_as(None):
        for fn in GUARDED.values():
            with pytest.raises(NotAllowed, match="Sign in first"):
                _call(fn)


def test_role_from_a_claim_takes_the_strongest_named_role():
    assert role_from_claim(["Leader", "owner", "unrelated"]) is StaffRole.LEADER
    assert role_from_claim("facilitator") is StaffRole.FACILITATOR
    assert role_from_claim(None) is None and role_from_claim(["staff"]) is None
    mapping = (("data-admins", "admin"), ("data-leads", "leader"))
    assert role_from_claim(["data-leads", "data-admins"], mapping) is StaffRole.ADMIN
    assert role_from_claim(["admin"], mapping) is None  # with a mapping, only mapped values count
    assert strongest([]) is None


# --------------------------------------------------------------------------- an owner's own actions


@pytest.fixture
def owned(db_url):
    """Two people with an action each; the first person's owner actor."""
    mine = save_person(db_url, name="Olu Owner", email=PEOPLE[StaffRole.OWNER])
    theirs = save_person(db_url, name="Tess Other", email="tess@example.org")
    due = date.today() + timedelta(days=10)
    a = ax.create_action(db_url, title="Catalogue the CRM tables", owner_id=mine.id, due_on=due, by="Test admin")
    b = ax.create_action(db_url, title="Someone else's job", owner_id=theirs.id, due_on=due, by="Test admin")
    owner = Actor("Olu Owner", StaffRole.OWNER, PEOPLE[StaffRole.OWNER], person_id=mine.id, how="identity provider")
    return db_url, owner, a, b


def test_an_owner_sees_and_updates_only_their_own_actions(owned):
    url, owner, mine, theirs = owned
    with acting_as(owner):
        assert [a.id for a in ax.my_actions(url)] == [mine.id]
        done = ax.update_action(url, mine.id, expected_version=mine.version, status="done", evidence_url="https://wiki/crm", comment="catalogued")
        assert done.status == "done" and ax.get_action(url, mine.id).evidence_url == "https://wiki/crm"
        with pytest.raises(NotAllowed, match="not yours"):
            ax.get_action(url, theirs.id)
        with pytest.raises(NotAllowed, match="not yours"):
            ax.update_action(url, theirs.id, expected_version=theirs.version, status="done")
        with pytest.raises(NotAllowed, match="not yours"):
            ax.action_history(url, theirs.id)
        with pytest.raises(NotAllowed, match="who may not see every action"):
            ax.list_actions(url)
    assert ax.get_action(url, theirs.id).status == "open"  # nothing changed by the refusals


def test_an_owner_cannot_change_what_the_facilitator_decides(owned):
    url, owner, mine, _ = owned
    with acting_as(owner), pytest.raises(NotAllowed, match="ask a facilitator to change the due date, title"):
        ax.update_action(url, mine.id, expected_version=mine.version, title="Something easier", due_on=date.today() + timedelta(days=400))
    assert ax.get_action(url, mine.id).title == "Catalogue the CRM tables"


def test_a_change_and_its_audit_line_commit_together(owned):
    from maturity.services import audit

    url, owner, mine, _ = owned
    with acting_as(owner):
        ax.update_action(url, mine.id, expected_version=mine.version, status="in_progress")
    events = audit.list_events(url, entity="action")
    assert events[0].actor == "Olu Owner" and events[0].actor_role == "owner" and events[0].changes == {"status": ["open", "in_progress"]}
    assert [e.verb for e in events] == ["updated", "created", "created"]


# --------------------------------------------------------------------------- accounts and sign-in


def test_first_sign_in_creates_an_account_without_access(db_url):
    account = accounts.sign_in(db_url, email="New.Person@Example.org", name="New Person")
    assert (account.email, account.role, account.actor()) == ("new.person@example.org", "", None)
    again = accounts.sign_in(db_url, email="new.person@example.org", name="New Person")
    assert again.id == account.id


def test_a_claim_gives_the_role_and_takes_it_back_when_it_goes(db_url):
    first = accounts.sign_in(db_url, email="ada@example.org", claim_role=StaffRole.LEADER, claim_used=True)
    assert (first.role, first.role_source) == ("leader", accounts.FROM_PROVIDER)
    gone = accounts.sign_in(db_url, email="ada@example.org", claim_role=None, claim_used=True)
    assert gone.role == "" and gone.actor() is None  # left the group at the provider: no access here either


def test_a_role_given_in_the_app_stays_when_there_is_no_claim(db_url):
    account = accounts.add_account(db_url, email="fay@example.org", role="facilitator")
    signed = accounts.sign_in(db_url, email="fay@example.org", claim_role=None, claim_used=True)
    assert (signed.id, signed.role) == (account.id, "facilitator")


def test_admin_emails_make_an_admin_and_the_last_admin_stays(db_url):
    admin = accounts.sign_in(db_url, email="boss@example.org", admin_emails=("boss@example.org",))
    assert admin.role == "admin"
    with pytest.raises(accounts.InvalidInput, match="only admin account"):
        accounts.set_role(db_url, admin.id, "leader", expected_version=admin.version)


def test_two_admins_changing_one_role_the_second_is_told(db_url):
    account = accounts.add_account(db_url, email="sam@example.org", role="owner")
    accounts.set_role(db_url, account.id, "leader", expected_version=account.version)
    with pytest.raises(accounts.Conflict, match="Another admin changed sam@example.org"):
        accounts.set_role(db_url, account.id, "facilitator", expected_version=account.version)
    assert accounts.current_account(db_url, account.id).role == "leader"


def test_a_facilitator_cannot_give_roles(db_url):
    with acting_as(Actor("Fay", StaffRole.FACILITATOR)), pytest.raises(NotAllowed, match="give people access"):
        accounts.add_account(db_url, email="me@example.org", role="admin")


# --------------------------------------------------------------------------- the pages, per role


def _signed_in(role: StaffRole | None, url: str, *, email: str | None = None) -> AppTest:
    """The real app as someone signed in with the identity provider sees it (st.user seeded, account in the database)."""
    email = email or (PEOPLE[role] if role else "nobody@example.org")
    with acting_as(authz_admin()):
        if role is not None and email not in {a.email for a in accounts.list_accounts(url)}:
            accounts.add_account(url, email=email, role=role.value, name=f"A {role.value}")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "name": f"A {role.value if role else 'newcomer'}"}
    return at.run()


def authz_admin() -> Actor:
    return Actor("Test admin", StaffRole.ADMIN, how="test")


def _allowed(role: StaffRole) -> list[str]:
    return [spec.name for specs in STAFF_PAGES.values() for spec in specs if spec.permission in PERMISSIONS[role]]


ALL_PAGES = [spec.name for specs in STAFF_PAGES.values() for spec in specs]
TITLES = {spec.name: spec.title for specs in STAFF_PAGES.values() for spec in specs} | {"home": "maturity"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """One database with the demo data for the page tests of this module (they only read)."""
    from maturity.services.demo import load_demo
    from tests import databases

    url = databases.fresh_url(tmp_path_factory.mktemp("roles"), migrated=True)
    with acting_as(authz_admin()):
        load_demo(url)
    yield url
    databases.release(url)


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_sees_exactly_its_pages_and_each_renders(role, demo_url, monkeypatch):
    monkeypatch.setenv("MATURITY_DB_URL", demo_url)
    at = _signed_in(role, demo_url)
    assert not at.exception
    allowed = _allowed(role)
    assert at.title[0].value == TITLES[allowed[0]]  # lands on the first page the role may see
    for name in ALL_PAGES:
        if name in allowed:
            at.switch_page(page_path(name)).run()
            assert not at.exception, (name, at.exception)
            refusals = [e.value for e in at.error if "may not" in e.value or "Sign in first" in e.value]
            assert not refusals, (role, name, refusals)  # nothing on an allowed page is refused behind it
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page_path(name))


@pytest.mark.parametrize("name", ALL_PAGES)
def test_every_staff_page_refuses_whoever_may_not_see_it_even_when_run_directly(name, demo_url, monkeypatch):
    monkeypatch.setenv("MATURITY_DB_URL", demo_url)
    spec = next(s for specs in STAFF_PAGES.values() for s in specs if s.name == name)
    page = str(Path(APP).parent / page_path(name))
    nobody = AppTest.from_file(page, default_timeout=TIMEOUT).run()
    assert not nobody.exception and "sign in first" in nobody.error[0].value
    for role in StaffRole:
        if spec.permission in PERMISSIONS[role]:
            continue  # rendered through the navigation above
        at = AppTest.from_file(page, default_timeout=TIMEOUT)
        at.session_state[ACTOR] = Actor(f"A {role.value}", role, PEOPLE[role], how="identity provider")
        at.run()
        assert not at.exception
        assert at.error and f"signed in as {role.label}, who may not {spec.permission.value}" in unescape(at.error[0].value), (role, name)
        assert not (at.dataframe or at.metric or at.text_input or at.button), "nothing but the refusal is drawn"


def test_someone_without_a_role_waits_and_sees_nothing_else(db_url):
    at = _signed_in(None, db_url, email="newcomer@example.org")
    assert not at.exception
    assert at.title[0].value == "Waiting for access" and "newcomer@example.org" in unescape(at.info[0].value)
    for name in ALL_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page_path(name))
    assert [a.email for a in accounts.list_accounts(db_url)] == ["newcomer@example.org"]


def test_a_role_change_applies_on_the_next_page(db_url):
    at = _signed_in(StaffRole.LEADER, db_url)
    assert at.session_state[ACTOR].role is StaffRole.LEADER
    account = next(a for a in accounts.list_accounts(db_url) if a.email == PEOPLE[StaffRole.LEADER])
    accounts.set_role(db_url, account.id, "", expected_version=account.version)
    at.run()
    assert at.title[0].value == "Waiting for access"


def test_an_owner_updates_their_action_on_my_actions(owned, monkeypatch):
    url, _owner, mine, _theirs = owned
    at = _signed_in(StaffRole.OWNER, url)
    assert at.title[0].value == "My actions"
    assert [e.label for e in at.expander if e.label.startswith("#")] == [f"#{mine.id} Catalogue the CRM tables — Open, due {mine.due_on:%d %b %Y}"]
    at.selectbox(key=f"my_status_{mine.id}").set_value("in_progress")
    at.text_input(key=f"my_comment_{mine.id}").input("started with the sales tables")
    at.button(key=f"FormSubmitter:my_action_{mine.id}-Update").click().run()
    assert not at.exception and "Updated “Catalogue the CRM tables” (In progress)" in unescape(at.success[0].value)
    history = ax.action_history(url, mine.id)
    assert history[-1].by == "A owner" and history[-1].changes == {"status": ["open", "in_progress"]}


def test_my_actions_opens_one_action_at_a_time(owned):
    """Before: every overdue action opened at once, a page of forms for an owner who is behind."""
    url, owner, mine, _theirs = owned
    late = [
        ax.create_action(url, title=f"Late by {days} days", owner_id=owner.person_id, due_on=date.today() - timedelta(days=days), by="Test admin")
        for days in (3, 20, 9)
    ]
    at = _signed_in(StaffRole.OWNER, url)
    expanded = {e.label.split(" ")[0]: e.proto.expanded for e in at.expander if e.label.startswith("#")}
    assert expanded == {f"#{late[1].id}": True, f"#{late[2].id}": False, f"#{late[0].id}": False, f"#{mine.id}": False}
    assert "3 of your actions are overdue" in unescape(at.caption[0].value)
    at.selectbox(key=f"my_status_{late[0].id}").set_value("blocked")
    at.button(key=f"FormSubmitter:my_action_{late[0].id}-Update").click().run()
    assert not at.exception and "Updated “Late by 3 days” (Blocked)" in unescape(at.success[0].value)
    expanded = {e.label.split(" ")[0]: e.proto.expanded for e in at.expander if e.label.startswith("#")}
    assert [label for label, is_open in expanded.items() if is_open] == [f"#{late[0].id}"]  # the one just updated


def test_an_owner_whose_action_was_given_to_someone_else_meanwhile_is_told_not_shown_a_traceback(owned, monkeypatch):
    """The action changed hands between the refused save and the look at the latest version (a narrow race)."""
    url, _owner, mine, theirs = owned
    at = _signed_in(StaffRole.OWNER, url)
    update = ax.update_action

    def refused(*_args, **_kwargs):
        with acting_as(authz_admin()):
            update(url, mine.id, expected_version=mine.version, owner_id=theirs.owner_id, by="Test admin")
        raise accounts.Conflict("Someone else saved this action while you were editing it.")

    monkeypatch.setattr(ax, "update_action", refused)
    at.selectbox(key=f"my_status_{mine.id}").set_value("in_progress")
    at.button(key=f"FormSubmitter:my_action_{mine.id}-Update").click().run()
    assert not at.exception, at.exception
    assert unescape(at.error[0].value).startswith("Your update was not saved: This action is not yours"), at.error[0].value
    monkeypatch.undo()
    assert ax.get_action(url, mine.id).status == "open"


def test_the_sign_in_page_says_when_the_provider_cannot_be_reached(db_url):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["auth"] = AUTH
    at.run()
    at.switch_page(page_path("signin")).run()
    assert not at.exception
    assert "is not working" in at.error[0].value and "cannot be reached" in unescape(at.error[0].value)
    assert not any(b.key == "oidc_sign_in" for b in at.button)
    # MATURITY_ADMIN_SECRET is set in the tests: an admin still has a way in
    assert any(e.label == "Sign in with the admin secret" for e in at.expander)
