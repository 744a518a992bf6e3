"""Survey rules with no I/O: which questions a respondent sees given earlier answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maturity.content.definitions import QuestionDefinition, QuestionType, SurveyDefinition

Answers = Mapping[str, Any]  # question id -> option value, list of values, number or text


def is_shown(question: QuestionDefinition, answers: Answers) -> bool:
    """True when the question has no condition, or its condition holds for the answers so far."""
    cond = question.show_if
    if cond is None:
        return True
    given = answers.get(cond.question)
    answered = given not in (None, "", [])
    if cond.answered is not None:
        return answered == cond.answered
    if not answered:
        return False
    wanted = [cond.equals] if cond.equals is not None else list(cond.any_of or [])
    chosen = given if isinstance(given, list | tuple | set) else [given]
    return any(_same(c, w) for c in chosen for w in wanted)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return str(a) == str(b)


def validate_answers(survey: SurveyDefinition, given: Answers) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers to keep (hidden questions dropped) and, per question id, what is wrong with the rest."""
    kept: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for question in survey.questions:
        if not is_shown(question, kept):
            continue
        value = given.get(question.id)
        if value in (None, "", []):
            if question.required:
                problems[question.id] = "Please answer this question."
            continue
        problem = _check_value(question, survey, value)
        if problem:
            problems[question.id] = problem
        else:
            kept[question.id] = value
    return kept, problems


def _check_value(question: QuestionDefinition, survey: SurveyDefinition, value: Any) -> str | None:
    t = question.type
    if t in (QuestionType.LIKERT, QuestionType.RATING, QuestionType.NPS):
        low, high = question.answer_range(survey)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"Choose a value from {low} to {high}."
    elif t == QuestionType.SINGLE_CHOICE:
        # Only text is looked up: a list or a mapping sent in its place is off the list, not a TypeError.
        if not isinstance(value, str) or value not in _option_values(question):
            return "Choose one of the options."
    elif t == QuestionType.MULTIPLE_CHOICE:
        valid = _option_values(question)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v in valid for v in value):
            return "Choose among the options."
    elif t == QuestionType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "Enter a number."
        if (question.min is not None and value < question.min) or (question.max is not None and value > question.max):
            low = "" if question.min is None else f" from {question.min:g}"
            high = "" if question.max is None else f" up to {question.max:g}"
            return f"Enter a number{low}{high}."
    elif t == QuestionType.TEXT:
        if not isinstance(value, str) or len(value) > question.max_length:
            return f"Keep it under {question.max_length} characters."
    return None


def _option_values(question: QuestionDefinition) -> set[str]:
    return {o.value for o in question.options}


def segment_score(question: QuestionDefinition, survey: SurveyDefinition, value: float) -> float:
    """An answer as a share of the way from worst (0) to best (1), reversed where a high answer is bad."""
    low, high = question.answer_range(survey)
    share = (value - low) / (high - low) if high > low else 0.0
    return 1 - share if question.reverse else share
