"""The admin adds, replaces and removes the organisation's content files: checked first, audited, nothing broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from maturity.config import get_settings
from maturity.content.catalog import load_catalog
from maturity.domain.roles import Actor, StaffRole
from maturity.services import audit, content_files
from maturity.services.authz import NotAllowed, acting_as
from maturity.services.errors import InvalidInput, NotFound

DOC = (Path(__file__).resolve().parent.parent / "docs" / "content.md").read_text()
MODEL, _SURVEY, PLAYBOOK = re.findall(r"```yaml\n(.*?)```", DOC, re.S)


@pytest.fixture
def folder(tmp_path, monkeypatch, db_url):
    folder = tmp_path / "content"
    folder.mkdir()
    monkeypatch.setenv("MATURITY_CONTENT_DIR", str(folder))
    return folder


def save(folder, name, text, url):
    return content_files.save_file(url, folder, get_settings().content_sources, name, text.encode())


def test_a_valid_file_is_saved_loaded_by_the_app_and_audited(folder, db_url):
    saved = save(folder, "our-model.yaml", MODEL, db_url)
    assert (saved.name, saved.defines) == ("our-model.yaml", "model example-model")
    save(folder, "our-playbook.yaml", PLAYBOOK, db_url)
    catalog = load_catalog(get_settings().content_sources)
    assert "example-model" in catalog.models and "example-skills-first-steps" in catalog.playbooks and not catalog.problems
    assert [f.name for f in content_files.list_files(folder)] == ["our-model.yaml", "our-playbook.yaml"]
    events = audit.list_events(db_url, entity="content")
    assert [(e.verb, e.entity_id, e.actor) for e in events] == [("added", "our-playbook.yaml", "Test admin (test)"), ("added", "our-model.yaml", "Test admin (test)")]


def test_a_broken_file_is_refused_with_its_problems_and_the_old_one_keeps_working(folder, db_url):
    save(folder, "our-model.yaml", MODEL, db_url)
    before = (folder / "our-model.yaml").read_bytes()
    with pytest.raises(content_files.ContentRejected) as refused:
        save(folder, "our-model.yaml", MODEL.replace("name: Example data maturity model", "nmae: typo"), db_url)
    assert any(p.field == "nmae" or "nmae" in p.message for p in refused.value.problems), refused.value.problems
    assert all(p.path == "our-model.yaml" and p.line for p in refused.value.problems)
    assert (folder / "our-model.yaml").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["our-model.yaml"]  # no scratch or half-written file left
    assert [e.verb for e in audit.list_events(db_url, entity="content")] == ["added"]


def test_a_change_that_would_break_another_file_is_refused(folder, db_url):
    save(folder, "our-model.yaml", MODEL, db_url)
    save(folder, "our-playbook.yaml", PLAYBOOK, db_url)
    without_skills = MODEL.replace("id: skills", "id: know-how")
    assert without_skills != MODEL
    with pytest.raises(content_files.ContentRejected) as refused:
        save(folder, "our-model.yaml", without_skills, db_url)
    assert refused.value.problems[0].path == "our-playbook.yaml" and "would break it" in refused.value.problems[0].message
    with pytest.raises(content_files.ContentRejected, match="our-model.yaml was not saved"):
        content_files.remove_file(db_url, folder, get_settings().content_sources, "our-model.yaml")
    assert (folder / "our-model.yaml").exists()


def test_the_same_id_in_a_second_file_is_refused(folder, db_url):
    save(folder, "our-model.yaml", MODEL, db_url)
    with pytest.raises(content_files.ContentRejected) as refused:
        save(folder, "copy-of-model.yaml", MODEL, db_url)
    assert "already defined by our-model.yaml" in refused.value.problems[0].message


def test_removing_a_file_is_audited_and_a_missing_one_is_said(folder, db_url):
    save(folder, "our-model.yaml", MODEL, db_url)
    content_files.remove_file(db_url, folder, get_settings().content_sources, "our-model.yaml")
    assert not (folder / "our-model.yaml").exists()
    assert audit.list_events(db_url, entity="content")[0].summary == "our-model.yaml removed (model 'example-model')"
    with pytest.raises(NotFound):
        content_files.remove_file(db_url, folder, get_settings().content_sources, "our-model.yaml")


@pytest.mark.parametrize("name", ["notes.txt", ".hidden.yaml", "a b.yaml", ""])
def test_only_plain_yaml_file_names_are_taken(folder, db_url, name):
    with pytest.raises(InvalidInput, match="is not a content file name"):
        save(folder, name, MODEL, db_url)


def test_a_path_in_the_name_is_dropped_so_nothing_lands_outside_the_folder(folder, db_url):
    saved = save(folder, "../../escaped.yaml", MODEL, db_url)
    assert saved.name == "escaped.yaml" and (folder / "escaped.yaml").exists() and not (folder.parent.parent / "escaped.yaml").exists()


def test_only_an_admin_changes_content(folder, db_url):
    with acting_as(Actor("Fay", StaffRole.FACILITATOR)), pytest.raises(NotAllowed, match="add, replace or remove content files"):
        save(folder, "our-model.yaml", MODEL, db_url)
    assert not (folder / "our-model.yaml").exists()
