"""show_if conditions decide which questions a respondent sees."""

from maturity.content.definitions import QuestionDefinition
from maturity.domain.surveys import is_shown


def question(**show_if) -> QuestionDefinition:
    return QuestionDefinition(id="q", type="text", text="Why?", show_if={"question": "role", **show_if})


def test_unconditional_question_is_always_shown():
    assert is_shown(QuestionDefinition(id="q", type="text", text="Why?"), {})


def test_equals_and_any_of():
    assert is_shown(question(equals="consumer"), {"role": "consumer"})
    assert not is_shown(question(equals="consumer"), {"role": "creator"})
    assert not is_shown(question(equals="consumer"), {})
    assert is_shown(question(any_of=["creator", "consumer"]), {"role": "creator"})
    assert is_shown(question(any_of=["sql"]), {"role": ["sheets", "sql"]})  # multiple choice
    assert is_shown(question(equals=3), {"role": 3.0})  # numbers compare as numbers


def test_answered():
    assert is_shown(question(answered=True), {"role": "x"})
    assert not is_shown(question(answered=True), {"role": ""})
    assert is_shown(question(answered=False), {})
