"""Strict, frozen definitions of the three kinds of content: maturity models, surveys, playbooks."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class Strict(BaseModel):
    """Base for every definition: unknown keys are errors and loaded content never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _unique(items, attr: str, what: str) -> None:
    seen: set = set()
    for item in items:
        key = getattr(item, attr)
        if key in seen:
            raise ValueError(f"{what} {key!r} is used twice; every {what} must be unique")
        seen.add(key)


# --------------------------------------------------------------------------- maturity models


class SourceDefinition(Strict):
    credit: Text
    url: str | None = None
    licence: Text


class LevelDefinition(Strict):
    value: int = Field(ge=0, le=10)
    label: Text
    description: str = ""
    colour: Colour | None = None


class SectionDefinition(Strict):
    id: Id
    name: Text
    description: str = ""


class SegmentDefinition(Strict):
    id: Id
    name: Text
    section: Id | None = None
    description: Text
    awful: Text
    excellent: Text
    levels: dict[int, Text] = Field(default_factory=dict)


class ModelDefinition(Strict):
    kind: Literal["model"]
    id: Id
    name: Text
    version: Text
    description: Text
    source: SourceDefinition
    levels: list[LevelDefinition] = Field(min_length=3, max_length=11)
    sections: list[SectionDefinition] = Field(default_factory=list)
    segments: list[SegmentDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ModelDefinition:
        values = [level.value for level in self.levels]
        if values[0] not in (0, 1):
            raise ValueError(f"the level ladder must start at 0 or 1, not {values[0]}")
        expected = list(range(values[0], values[0] + len(values)))
        if values != expected:
            raise ValueError(
                f"level values must go up by one with no gaps ({', '.join(map(str, expected))}),"
                f" found {', '.join(map(str, values))}"
            )
        _unique(self.levels, "label", "level label")
        _unique(self.sections, "id", "section id")
        _unique(self.segments, "id", "segment id")
        section_ids = {s.id for s in self.sections}
        for segment in self.segments:
            if self.sections and segment.section is None:
                raise ValueError(f"segment {segment.id!r} needs a section (this model has sections)")
            if segment.section is not None and segment.section not in section_ids:
                known = ", ".join(sorted(section_ids)) or "none defined"
                raise ValueError(
                    f"segment {segment.id!r} names section {segment.section!r}, which does not exist (sections: {known})"
                )
            outside = sorted(set(segment.levels) - set(values))
            if outside:
                raise ValueError(
                    f"segment {segment.id!r} describes level {outside[0]}, which is not on the ladder ({values[0]}-{values[-1]})"
                )
        return self

    @property
    def level_values(self) -> list[int]:
        return [level.value for level in self.levels]

    def segment(self, segment_id: str) -> SegmentDefinition | None:
        return next((s for s in self.segments if s.id == segment_id), None)

    def level(self, value: int) -> LevelDefinition | None:
        return next((lv for lv in self.levels if lv.value == value), None)


# --------------------------------------------------------------------------- surveys


class QuestionType(StrEnum):
    LIKERT = "likert"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"  # 0-10
    NPS = "nps"  # 0-10, grouped as detractors / passives / promoters
    NUMBER = "number"
    TEXT = "text"


CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
SCORED_TYPES = {QuestionType.LIKERT, QuestionType.RATING, QuestionType.NPS}

BUILTIN_SCALES: dict[str, tuple[str, ...]] = {
    "agreement": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    "frequency": ("Never", "Rarely", "Sometimes", "Often", "Always"),
    "confidence": ("Not at all confident", "Slightly confident", "Fairly confident", "Confident", "Very confident"),
}


class OptionDefinition(Strict):
    value: Id
    label: Text


class ShowIfDefinition(Strict):
    """Show a question only when an earlier answer matches."""

    question: Id
    equals: str | int | None = None
    any_of: list[str | int] | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIfDefinition:
        given = [name for name in ("equals", "any_of", "answered") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("show_if needs exactly one of: equals, any_of, answered")
        return self


class QuestionDefinition(Strict):
    id: Id
    type: QuestionType
    text: Text
    help: str = ""
    required: bool = False
    scale: Id | None = None
    options: list[OptionDefinition] = Field(default_factory=list)
    min: float | None = None
    max: float | None = None
    unit: str = ""
    max_length: int = Field(default=2000, ge=1, le=20000)
    reverse: bool = False
    show_if: ShowIfDefinition | None = None
    segment: Id | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _plain_options(cls, value):
        # Authors may write options as plain labels; the value is then derived from the label.
        if isinstance(value, list):
            return [{"value": _slug(item), "label": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _check(self) -> QuestionDefinition:
        t = self.type
        if t == QuestionType.LIKERT and not self.scale:
            raise ValueError(f"likert question {self.id!r} needs a scale (e.g. scale: agreement)")
        if t != QuestionType.LIKERT and self.scale:
            raise ValueError(f"only likert questions take a scale; {self.id!r} is {t.value}")
        if t in CHOICE_TYPES:
            if len(self.options) < 2:
                raise ValueError(f"{t.value} question {self.id!r} needs at least two options")
            _unique(self.options, "value", "option")
        elif self.options:
            raise ValueError(f"only choice questions take options; {self.id!r} is {t.value}")
        if (self.min is not None or self.max is not None) and t != QuestionType.NUMBER:
            raise ValueError(f"only number questions take min/max; {self.id!r} is {t.value}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"question {self.id!r}: min {self.min} is above max {self.max}")
        if self.segment and t not in SCORED_TYPES:
            raise ValueError(
                f"question {self.id!r} maps to a segment but is {t.value}; only likert, rating and nps questions can be scored"
            )
        if self.reverse and t not in SCORED_TYPES:
            raise ValueError(f"only scored questions can be reversed; {self.id!r} is {t.value}")
        return self


class SurveySectionDefinition(Strict):
    id: Id
    title: Text
    intro: str = ""
    questions: list[QuestionDefinition] = Field(min_length=1)


class SurveyDefinition(Strict):
    kind: Literal["survey"]
    id: Id
    title: Text
    version: Text
    intro: Text
    model: Id | None = None  # the maturity model that question `segment:` mappings refer to
    scales: dict[Id, list[Text]] = Field(default_factory=dict)
    sections: list[SurveySectionDefinition] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> SurveyDefinition:
        for name, labels in self.scales.items():
            if len(labels) < 2:
                raise ValueError(f"scale {name!r} needs at least two labels")
        _unique(self.sections, "id", "section id")
        seen: dict[str, QuestionDefinition] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id {question.id!r} is used twice; every question id must be unique")
            if question.scale and question.scale not in self.all_scales:
                known = ", ".join(sorted(self.all_scales))
                raise ValueError(
                    f"question {question.id!r} uses scale {question.scale!r}, which does not exist (scales: {known})"
                )
            if question.show_if:
                _check_show_if(question, seen)
            seen[question.id] = question
        if any(q.segment for q in self.questions) and not self.model:
            raise ValueError("questions map to segments, so the survey must name the model they belong to (model: ...)")
        return self

    @property
    def all_scales(self) -> dict[str, tuple[str, ...]]:
        return {**BUILTIN_SCALES, **{k: tuple(v) for k, v in self.scales.items()}}

    @property
    def questions(self) -> list[QuestionDefinition]:
        return [q for section in self.sections for q in section.questions]


def _check_show_if(question: QuestionDefinition, earlier: dict[str, QuestionDefinition]) -> None:
    cond = question.show_if
    source = earlier.get(cond.question)
    if source is None:
        raise ValueError(
            f"question {question.id!r} is shown only if {cond.question!r} ..., but there is no earlier"
            " question with that id (show_if can only look back)"
        )
    wanted = [cond.equals] if cond.equals is not None else (cond.any_of or [])
    if source.type in CHOICE_TYPES:
        valid = {o.value for o in source.options}
        for value in wanted:
            if value not in valid:
                raise ValueError(
                    f"question {question.id!r} is shown if {cond.question!r} is {value!r}, which is not"
                    f" one of its options ({', '.join(sorted(valid))})"
                )


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:64] or "option"


# --------------------------------------------------------------------------- playbooks


class Horizon(StrEnum):
    URGENT = "urgent"  # about a month
    QUICK_WIN = "quick-win"  # about six months
    LONG_TERM = "long-term"  # the target state


HORIZON_LABELS = {
    Horizon.URGENT: "Urgent (about 1 month)",
    Horizon.QUICK_WIN: "Quick win (about 6 months)",
    Horizon.LONG_TERM: "Long-term target",
}


class Effort(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class LevelRange(Strict):
    min: int
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> LevelRange:
        if self.min > self.max:
            raise ValueError(f"min level {self.min} is above max level {self.max}")
        return self


class AppliesToDefinition(Strict):
    model: Id
    segments: list[Id] = Field(min_length=1)
    levels: LevelRange


class ReferenceDefinition(Strict):
    title: Text
    url: str | None = None


class PlaybookDefinition(Strict):
    kind: Literal["playbook"]
    id: Id
    title: Text
    summary: Text
    applies_to: AppliesToDefinition
    horizon: Horizon
    owner_role: Text
    effort: Effort
    steps: list[Text] = Field(min_length=1)
    outcome: Text
    measures: list[Text] = Field(min_length=1)
    references: list[ReferenceDefinition] = Field(default_factory=list)


Definition = ModelDefinition | SurveyDefinition | PlaybookDefinition
DEFINITION_BY_KIND: dict[str, type[Strict]] = {
    "model": ModelDefinition,
    "survey": SurveyDefinition,
    "playbook": PlaybookDefinition,
}
