"""Survey rules with no I/O: which questions a respondent sees given earlier answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maturity.content.definitions import QuestionDefinition

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
