"""Checks across the fields of one definition, each yielding the exact place it is about."""

from __future__ import annotations

from collections.abc import Iterator

from maturity.content.definitions import (
    CHOICE_TYPES,
    SCORED_TYPES,
    Definition,
    ModelDefinition,
    QuestionDefinition,
    QuestionType,
    SurveyDefinition,
)

Finding = tuple[tuple, str]  # (field path in the file, message)


def check(definition: Definition) -> list[Finding]:
    """Every cross-field problem of a definition that passed field validation."""
    if isinstance(definition, ModelDefinition):
        return list(_model(definition))
    if isinstance(definition, SurveyDefinition):
        return list(_survey(definition))
    return []


def _duplicates(items, attr: str, what: str, path: str) -> Iterator[Finding]:
    seen: set = set()
    for index, item in enumerate(items):
        key = getattr(item, attr)
        if key in seen:
            yield (path, index, attr), f"{what} {key!r} is used twice; every {what} must be unique"
        seen.add(key)


def _model(model: ModelDefinition) -> Iterator[Finding]:
    values = model.level_values
    if values[0] not in (0, 1):
        yield ("levels", 0, "value"), f"the level ladder must start at 0 or 1, not {values[0]}"
    else:
        for index, value in enumerate(values):
            if value != values[0] + index:
                yield (
                    ("levels", index, "value"),
                    f"level values must go up by one with no gaps: expected {values[0] + index} here, found {value}",
                )
                break
    yield from _duplicates(model.levels, "label", "level label", "levels")
    yield from _duplicates(model.sections, "id", "section id", "sections")
    yield from _duplicates(model.segments, "id", "segment id", "segments")
    section_ids = [s.id for s in model.sections]
    for index, segment in enumerate(model.segments):
        if section_ids and segment.section is None:
            yield (
                ("segments", index),
                f"segment {segment.id!r} needs a section (this model has sections: {', '.join(section_ids)})",
            )
        elif segment.section is not None and segment.section not in section_ids:
            known = ", ".join(section_ids) or "none defined"
            yield (
                ("segments", index, "section"),
                f"segment {segment.id!r} names section {segment.section!r}, which does not exist (sections: {known})",
            )
        for level in segment.levels:
            if level not in values:
                yield (
                    ("segments", index, "levels", level),
                    f"segment {segment.id!r} describes level {level}, which is not on the ladder ({values[0]}-{values[-1]})",
                )
    used = {segment.section for segment in model.segments}
    for index, section in enumerate(model.sections):
        if section.id not in used:
            yield ("sections", index), f"section {section.id!r} has no segments; add some or remove the section"


def _survey(survey: SurveyDefinition) -> Iterator[Finding]:
    for name, labels in survey.scales.items():
        if len(labels) < 2:
            yield ("scales", name), f"scale {name!r} needs at least two labels"
    yield from _duplicates(survey.sections, "id", "section id", "sections")
    earlier: dict[str, QuestionDefinition] = {}
    for s_index, section in enumerate(survey.sections):
        for q_index, question in enumerate(section.questions):
            at = ("sections", s_index, "questions", q_index)
            if question.id in earlier:
                yield at + ("id",), f"question id {question.id!r} is used twice; every question id must be unique"
            yield from _question(question, survey, at)
            if question.show_if:
                yield from _show_if(question, survey, earlier, at + ("show_if",))
            earlier[question.id] = question
    if not survey.model:
        for s_index, section in enumerate(survey.sections):
            for q_index, question in enumerate(section.questions):
                if question.segment:
                    yield (
                        ("sections", s_index, "questions", q_index, "segment"),
                        "this question maps to a segment, so the survey must name the model it belongs to (model: ...)",
                    )


def _question(question: QuestionDefinition, survey: SurveyDefinition, at: tuple) -> Iterator[Finding]:
    t = question.type
    if t == QuestionType.LIKERT and not question.scale:
        yield at + ("type",), f"likert question {question.id!r} needs a scale (e.g. scale: agreement)"
    if question.scale and t != QuestionType.LIKERT:
        yield at + ("scale",), f"only likert questions take a scale; {question.id!r} is {t.value}"
    if question.scale and question.scale not in survey.all_scales:
        known = ", ".join(sorted(survey.all_scales))
        yield at + ("scale",), f"scale {question.scale!r} does not exist (scales: {known})"
    if t in CHOICE_TYPES:
        if len(question.options) < 2:
            yield at + ("options",), f"{t.value} question {question.id!r} needs at least two options"
        seen: dict[str, str] = {}
        for index, option in enumerate(question.options):
            if option.value in seen:
                yield (
                    at + ("options", index),
                    f"options {seen[option.value]!r} and {option.label!r} both have the value {option.value!r};"
                    " reword one, or give each an explicit {value, label}",
                )
            seen[option.value] = option.label
    elif question.options:
        yield at + ("options",), f"only choice questions take options; {question.id!r} is {t.value}"
    if (question.min is not None or question.max is not None) and t != QuestionType.NUMBER:
        yield (
            at + ("min" if question.min is not None else "max",),
            f"only number questions take min/max; {question.id!r} is {t.value}",
        )
    if question.min is not None and question.max is not None and question.min > question.max:
        yield at + ("min",), f"min {question.min:g} is above max {question.max:g}"
    if question.segment and t not in SCORED_TYPES:
        yield at + ("segment",), f"only likert, rating and nps questions can map to a segment; {question.id!r} is {t.value}"
    if question.reverse and t not in SCORED_TYPES:
        yield at + ("reverse",), f"only likert, rating and nps questions can be reversed; {question.id!r} is {t.value}"


def _show_if(
    question: QuestionDefinition, survey: SurveyDefinition, earlier: dict[str, QuestionDefinition], at: tuple
) -> Iterator[Finding]:
    cond = question.show_if
    source = earlier.get(cond.question)
    if source is None:
        yield (
            at + ("question",),
            f"there is no earlier question {cond.question!r}; show_if can only look back at questions asked before this one",
        )
        return
    field = "equals" if cond.equals is not None else "any_of"
    if source.type in CHOICE_TYPES:
        valid = [o.value for o in source.options]
        for value in cond.wanted:
            if value not in valid:
                yield at + (field,), f"{value!r} is not an option of {source.id!r} (options: {', '.join(valid)})"
    elif (bounds := source.answer_range(survey)) is not None:
        low, high = bounds
        for value in cond.wanted:
            if not isinstance(value, int) or not low <= value <= high:
                what = "a scale position" if source.type == QuestionType.LIKERT else "a score"
                yield at + (field,), f"answers to {source.id!r} are {what} from {low} to {high}, so {value!r} can never match"
    elif source.type == QuestionType.NUMBER:
        for value in cond.wanted:
            if not isinstance(value, int):
                yield at + (field,), f"answers to {source.id!r} are numbers, so {value!r} can never match"
