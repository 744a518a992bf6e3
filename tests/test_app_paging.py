"""A big registry through the real app: *Data owners* and the board show a page at a time, searches find people, and
every box that chooses a person lists a handful, found by a search, not the whole registry."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from maturity.services import actions as ax
from maturity.services import owners
from maturity.services import workshops as ws
from maturity.ui.access import SECRET_FLAG
from maturity.ui.navigation import page_path
from maturity.ui.paging import PICK_LIMIT

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = owners.PAGE_SIZE


def facilitator(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[SECRET_FLAG] = True
    at.run()
    at.switch_page(page_path(page)).run()
    assert not at.exception, at.exception
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def shown(at: AppTest, column: str, table: int = 0) -> list:
    return list(at.dataframe[table].value[column])


def register(db_url: str, count: int, *, team: str = "") -> list[owners.PersonView]:
    """People "Person 00"… with e-mails person00@example.org…, all active."""
    return [
        owners.save_person(db_url, name=f"Person {n:02d}", email=f"person{n:02d}@example.org", team_name=team)
        for n in range(count)
    ]


def test_the_registry_shows_a_page_of_people_at_a_time_and_finds_them_by_name_and_email(db_url):
    register(db_url, PAGE + 10, team="Finance")
    owners.save_person(db_url, name="Élif Yılmaz", email="elif@example.org", team_name="Équipe données", role="Steward")
    at = facilitator("owners")
    first = shown(at, "Name")
    assert len(first) == PAGE and first[:2] == ["Person 00", "Person 01"]  # by name
    assert any("People 1–50 of 61" in c.value.replace("\\", "") for c in at.caption)
    assert len(at.selectbox(key="person_pick").options) == PAGE + 1  # this page's people, and "a new person"

    ok(at.button(key="people_next").click().run())
    second = shown(at, "Name")
    assert second == [*(f"Person {n:02d}" for n in range(PAGE, PAGE + 10)), "Élif Yılmaz"]  # different people: the rest
    assert at.button(key="people_next").disabled and not at.button(key="people_prev").disabled

    ok(at.text_input(key="people_search").input("person07@example").run())  # by e-mail, back on the first page
    assert shown(at, "Name") == ["Person 07"]
    ok(at.text_input(key="people_search").input("Person 42").run())  # by name
    assert shown(at, "E-mail") == ["person42@example.org"]
    for search in ("élif", "ÉLIF yılmaz", "équipe", "steward"):  # any case, accents too; team and role
        ok(at.text_input(key="people_search").input(search).run())
        assert shown(at, "Name") == ["Élif Yılmaz"], search
    for search in ("%", "_", "Person 42 Élif"):  # a LIKE wildcard is a character; every word must match
        ok(at.text_input(key="people_search").input(search).run())
        assert not at.dataframe and "Nobody matches" in at.info[0].value.replace("\\", ""), search

    ok(at.text_input(key="people_search").input("person 13").run())
    [found] = owners.find_people(db_url, "person 13")
    at.selectbox(key="person_pick").set_value(found.id)
    ok(at.run())
    assert at.text_input(key=f"person_email_{found.id}").value == "person13@example.org"
    ok(at.text_input(key="people_search").input("person 2").run())  # the search moves on; the person in hand stays
    assert at.selectbox(key="person_pick").value == found.id
    assert at.text_input(key=f"person_email_{found.id}").value == "person13@example.org"


def test_a_domain_owner_is_found_by_a_search_in_a_big_registry(db_url):
    register(db_url, PICK_LIMIT + 5)
    zed = owners.save_person(db_url, name="Zed Zimmer", email="zed@example.org")  # last by name: not listed at first
    at = facilitator("owners")
    owner_box = at.selectbox(key="domain_owner_id_0")
    assert len(owner_box.options) == PICK_LIMIT + 1 and "Zed Zimmer" not in owner_box.options  # nobody, then 50
    assert any("type more of a name" in c.value for c in at.caption)

    ok(at.text_input(key="domain_people_0").input("zimmer").run())
    assert at.selectbox(key="domain_owner_id_0").options == ["— nobody —", "Zed Zimmer"]
    at.text_input(key="domain_name_0").input("Payroll")
    at.selectbox(key="domain_owner_id_0").set_value(zed.id)
    ok(next(b for b in at.button if b.key == "FormSubmitter:domain_form_0-Save domain").click().run())
    [domain] = owners.list_domains(db_url)
    assert (domain.name, domain.owner_name) == ("Payroll", "Zed Zimmer")


def test_a_small_registry_lists_everyone_without_a_search_box(db_url):
    register(db_url, 3)
    at = facilitator("owners")
    assert at.selectbox(key="domain_owner_id_0").options == ["— nobody —", "Person 00", "Person 01", "Person 02"]
    assert "Find an owner or a steward" not in [t.label for t in at.text_input]


def test_two_people_with_one_name_are_two_choices(db_url):
    first = owners.save_person(db_url, name="Sam Lee", email="sam.lee@example.org")
    second = owners.save_person(db_url, name="Sam Lee", email="sam.lee2@example.org")
    at = facilitator("owners")
    box = at.selectbox(key="domain_owner_id_0")
    assert box.options[1:] == ["Sam Lee · sam.lee@example.org", "Sam Lee · sam.lee2@example.org"]
    at.text_input(key="domain_name_0").input("Payroll")
    box.set_value(second.id)
    ok(next(b for b in at.button if b.key == "FormSubmitter:domain_form_0-Save domain").click().run())
    assert owners.list_domains(db_url)[0].owner_id == second.id != first.id


def actions_for(db_url, team: str, count: int, *, owner_ids=(None,), due_in: int = 1) -> list[ax.ActionView]:
    """`count` open actions for `team`, due one a day from `due_in` days from now, owned by `owner_ids` in turn."""
    team_id = ws.get_or_create_team(db_url, team).id
    due = [date.today() + timedelta(days=due_in + n) for n in range(count)]
    owner = [owner_ids[n % len(owner_ids)] for n in range(count)]
    return [
        ax.create_action(db_url, title=f"{team} action {n:02d}", team_id=team_id, due_on=due[n], owner_id=owner[n])
        for n in range(count)
    ]


def test_the_board_shows_a_page_of_actions_at_a_time_and_its_filters_still_work(db_url):
    finance = actions_for(db_url, "Finance", PAGE + 10)
    marketing = actions_for(db_url, "Marketing", 3, due_in=PAGE + 20)
    at = facilitator("board")
    assert next(m.value for m in at.metric if m.label == "Actions shown") == str(PAGE + 13)  # counted, not the page
    first = shown(at, "#")
    assert first == [a.id for a in finance[:PAGE]]  # soonest due first
    assert at.selectbox(key="board_pick").options == [f"#{a.id} {a.title}" for a in finance[:PAGE]]

    ok(at.button(key="actions_next").click().run())
    second = shown(at, "#")
    assert second == [a.id for a in finance[PAGE:]] + [a.id for a in marketing]
    assert not set(first) & set(second)

    team = ws.get_or_create_team(db_url, "Marketing").id
    ok(at.selectbox(key="board_team").set_value(team).run())  # a filter: back on its first page
    assert next(m.value for m in at.metric if m.label == "Actions shown") == "3"
    assert shown(at, "Title") == [a.title for a in marketing]
    assert at.button(key="actions_next").disabled

    ok(at.segmented_control(key="board_view").set_value("Board").run())  # the status columns count in SQL too
    assert "**Open** (3)" in [m.value for m in at.markdown]


def test_the_board_finds_an_owner_by_search_and_the_form_keeps_the_current_one(db_url):
    people = register(db_url, PICK_LIMIT + 5)
    zed = owners.save_person(db_url, name="Zed Zimmer", email="zed@example.org")
    actions_for(db_url, "Finance", PICK_LIMIT + 5, owner_ids=[p.id for p in people])  # 55 people own an action
    zeds = actions_for(db_url, "Operations", 2, owner_ids=[zed.id], due_in=PICK_LIMIT + 20)
    at = facilitator("board")
    assert len(at.selectbox(key="board_owner").options) == PICK_LIMIT + 1  # everyone, then 50 owners
    ok(at.text_input(key="board_owner_search").input("zed@").run())
    at.selectbox(key="board_owner").set_value(zed.id)
    ok(at.run())
    assert next(m.value for m in at.metric if m.label == "Actions shown") == "2"
    assert shown(at, "Owner") == ["Zed Zimmer", "Zed Zimmer"]

    action = zeds[0]
    ok(at.selectbox(key="board_pick").set_value(action.id).run())
    owner_box = at.selectbox(key=f"ea_owner_{action.id}")
    assert owner_box.value == zed.id  # the current owner, though the first 50 by name are others
    assert len(owner_box.options) == PICK_LIMIT + 2  # unassigned, the current owner, 50 others
    ok(at.text_input(key=f"ea_owner_search_{action.id}").input("Person 03").run())
    assert at.selectbox(key=f"ea_owner_{action.id}").options == ["— unassigned —", "Zed Zimmer", "Person 03"]
    at.selectbox(key=f"ea_owner_{action.id}").set_value(people[3].id)
    ok(next(b for b in at.button if b.key == f"FormSubmitter:edit_action_{action.id}-Save changes").click().run())
    assert ax.get_action(db_url, action.id).owner_name == "Person 03"
