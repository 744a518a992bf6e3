"""Actions: validated, history for every change, conflicts refused, exports safe for Excel."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest

from maturity.services import action_exports, owners
from maturity.services import actions as ax
from maturity.services import workshops as ws
from maturity.services.consensus import record_consensus
from maturity.services.errors import Conflict, InvalidInput
from maturity.services.gaps import team_gaps, workshop_gaps


@pytest.fixture
def owner(db_url):
    return owners.save_person(
        db_url, name="Bea Santos", email="Bea@Example.org", team_name="Data", role="Head of data engineering"
    )


@pytest.fixture
def workshop(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Finance")
    w = ws.create_workshop(
        db_url, team_id=team.id, model=dmm, segment_ids=["data-strategy", "skills", "metrics"], held_on=date(2026, 3, 1)
    )
    record_consensus(db_url, workshop_id=w.id, segment_id="data-strategy", level=1, target_level=3)
    record_consensus(db_url, workshop_id=w.id, segment_id="skills", level=2, target_level=3)
    record_consensus(db_url, workshop_id=w.id, segment_id="metrics", level=3, target_level=3)
    return w


def test_gaps_are_prioritised_and_flag_segments_nobody_works_on(db_url, workshop, builtin_catalog, owner):
    gaps = workshop_gaps(db_url, workshop.id, builtin_catalog)
    assert [(g.gap.segment_id, g.gap.size) for g in gaps] == [("data-strategy", 2), ("skills", 1)]  # metrics: no gap
    assert all(g.gap.unowned for g in gaps)
    assert gaps[0].playbooks and gaps[0].gap.horizon == gaps[0].playbooks[0].horizon.value
    ax.create_action(db_url, title="Write the strategy", workshop_id=workshop.id, segment_id="data-strategy", owner_id=owner.id)
    gaps = workshop_gaps(db_url, workshop.id, builtin_catalog)
    assert [g.gap.unowned for g in gaps] == [False, True]


def test_team_gaps_use_the_latest_consensus_per_segment(db_url, workshop, dmm, builtin_catalog):
    later = ws.create_workshop(db_url, team_id=workshop.team_id, model=dmm, segment_ids=["skills"], held_on=date(2026, 6, 1))
    record_consensus(db_url, workshop_id=later.id, segment_id="skills", level=3, target_level=3)
    gaps = team_gaps(db_url, workshop.team_id, "data-maturity", builtin_catalog)
    assert [(g.gap.segment_id, g.gap.level, g.decided_on) for g in gaps] == [("data-strategy", 1, date(2026, 3, 1))]


def test_create_from_a_gap_records_where_it_came_from(db_url, workshop, owner, builtin_catalog):
    playbook = builtin_catalog.playbooks["dm-data-strategy-foundations"]
    action = ax.create_action(
        db_url, title=playbook.title, description="\n".join(playbook.steps), workshop_id=workshop.id, segment_id="data-strategy",
        playbook_id=playbook.id, owner_id=owner.id, due_on=ax.default_due_date(playbook.horizon.value, date(2026, 3, 1)),
        horizon=playbook.horizon.value, by="Facilitator", comment="From the March workshop",
    )  # fmt: skip
    assert (action.team_name, action.model_id, action.owner_name, action.status, action.version) == (
        "Finance",
        "data-maturity",
        "Bea Santos",
        "open",
        1,
    )
    history = ax.action_history(db_url, action.id)
    assert history[0].changes == {"created": [None, playbook.title]} and history[0].comment == "From the March workshop"


def test_every_change_is_appended_with_who_and_why(db_url, workshop, owner):
    action = ax.create_action(db_url, title="Name metric owners", workshop_id=workshop.id, segment_id="metrics")
    moved = ax.update_action(
        db_url, action.id, expected_version=1, by="Bea", comment="Started", status="in_progress", owner_id=owner.id
    )
    done = ax.update_action(
        db_url, action.id, expected_version=moved.version, by="Bea", status="done", evidence_url="https://wiki/x"
    )
    assert done.completed_at is not None and done.version == 3
    history = ax.action_history(db_url, action.id)
    assert [h.changes for h in history[1:]] == [
        {"owner_id": [None, owner.id], "status": ["open", "in_progress"]},
        {"status": ["in_progress", "done"], "evidence_url": ["", "https://wiki/x"]},
    ]
    assert history[1].comment == "Started" and history[2].by == "Bea"
    reopened = ax.update_action(db_url, action.id, expected_version=3, status="open", comment="Not really done")
    assert reopened.completed_at is None
    commented = ax.update_action(db_url, action.id, expected_version=4, comment="Just a note")
    assert ax.action_history(db_url, action.id)[-1].changes == {} and commented.version == 5
    with pytest.raises(InvalidInput, match="Nothing changed"):
        ax.update_action(db_url, action.id, expected_version=5)


def test_second_save_of_the_same_version_is_a_conflict_and_overwrites_nothing(db_url, workshop):
    action = ax.create_action(db_url, title="Publish a policy", workshop_id=workshop.id, segment_id="skills")
    ax.update_action(db_url, action.id, expected_version=1, by="Ann", status="blocked")
    with pytest.raises(Conflict, match="by Ann"):
        ax.update_action(db_url, action.id, expected_version=1, by="Ben", status="done")
    assert ax.get_action(db_url, action.id).status == "blocked"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x", "status": "finished"}, "Status must be"),
        ({"title": "x", "priority": "urgent"}, "Priority"),
        ({"title": "x", "horizon": "soon"}, "Horizon"),
        ({"title": "x", "evidence_url": "javascript:alert(1)"}, "http"),
        ({"title": "x", "owner_id": 999}, "not in the data owner registry"),
        ({"title": "x", "domain_id": 999}, "data domain"),
    ],
)
def test_bad_values_are_refused(db_url, fields, message):
    with pytest.raises(InvalidInput, match=message):
        ax.create_action(db_url, **fields)


def test_filters_overdue_and_the_next_workshop_view(db_url, workshop, owner):
    late = ax.create_action(
        db_url, title="Late", workshop_id=workshop.id, segment_id="skills", owner_id=owner.id, due_on=date(2026, 4, 1)
    )
    done = ax.create_action(db_url, title="Done", workshop_id=workshop.id, segment_id="skills", due_on=date(2026, 4, 1))
    ax.update_action(db_url, done.id, expected_version=1, status="done")
    ax.create_action(db_url, title="Dropped", workshop_id=workshop.id, segment_id="skills", status="dropped")
    assert [a.title for a in ax.list_actions(db_url, overdue_on=date(2026, 5, 1))] == ["Late"]
    assert late.overdue(date(2026, 5, 1)) and not ax.get_action(db_url, done.id).overdue(date(2026, 5, 1))
    assert [a.title for a in ax.list_actions(db_url, owner_id=owner.id)] == ["Late"]
    assert {a.title for a in ax.list_actions(db_url, statuses=("done", "dropped"))} == {"Done", "Dropped"}
    shown = ax.actions_for_segment(db_url, team_id=workshop.team_id, model_id="data-maturity", segment_id="skills")
    assert [a.title for a in shown] == ["Late", "Done"]  # open first, then recently done; dropped stays out


def test_exports_keep_text_as_text(db_url, workshop):
    ax.create_action(
        db_url, title='=HYPERLINK("http://evil","x")', workshop_id=workshop.id, segment_id="skills", due_on=date(2026, 4, 1)
    )
    actions = ax.list_actions(db_url)
    rows = list(csv.reader(io.StringIO(action_exports.export_csv(actions, {"skills": "Skills"}).decode("utf-8-sig"))))
    assert rows[1][1].startswith("'=HYPERLINK") and rows[1][6] == "Skills" and rows[1][9] == "2026-04-01"
    workbook = action_exports.export_xlsx(actions, {"skills": "Skills"})
    sheet = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cells, whatever the text says
    strings = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/sharedStrings.xml").decode()
    assert "=HYPERLINK" in strings
