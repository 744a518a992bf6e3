"""The documentation tells the truth: its examples load, and it covers every command and setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from maturity.cli import build_parser
from maturity.content.catalog import Source, load_catalog

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DOC = (ROOT / "docs" / "content.md").read_text()
README = (ROOT / "README.md").read_text()


def test_content_doc_examples_are_valid_and_cover_each_kind(tmp_path):
    examples = re.findall(r"```yaml\n(.*?)```", CONTENT_DOC, re.S)
    for index, text in enumerate(examples):
        (tmp_path / f"example{index}.yaml").write_text(text)
    catalog = load_catalog([Source(tmp_path, "docs")])
    assert catalog.problems == []
    assert (len(catalog.models), len(catalog.surveys), len(catalog.playbooks)) == (1, 1, 1)


def test_content_doc_survey_example_uses_every_question_type():
    from maturity.content.definitions import QuestionType

    for question_type in QuestionType:
        assert f"type: {question_type.value}" in CONTENT_DOC


@pytest.mark.parametrize("command", sorted(build_parser()._subparsers._group_actions[0].choices))
def test_readme_mentions_every_command(command):
    assert f"python -m maturity {command}" in README


SETTINGS = sorted(set(re.findall(r'"(MATURITY_[A-Z_]+)"', (ROOT / "maturity" / "config.py").read_text())))


def test_settings_are_found():
    assert "MATURITY_DB_URL" in SETTINGS and len(SETTINGS) >= 5


@pytest.mark.parametrize("variable", SETTINGS)
def test_readme_documents_every_setting(variable):
    assert variable in README


def test_readme_shows_the_two_commands_first():
    first_code = README.index("```")
    block = README[first_code : README.index("```", first_code + 3)]
    assert "make run" in block and "make test" in block
