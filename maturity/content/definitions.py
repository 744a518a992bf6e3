"""Strict, frozen definitions of the three kinds of content; checks across fields live in checks.py."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Version = Annotated[str, Field(min_length=1, max_length=32)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=500)]
# Levels are strict integers: YAML's `yes` must not quietly become level 1.
Level = Annotated[StrictInt, Field(ge=0, le=10)]


class Strict(BaseModel):
    """Base for every definition: unknown keys are errors and loaded content never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --------------------------------------------------------------------------- maturity models


class SourceDefinition(Strict):
    credit: Text
    url: Url | None = None
    licence: Text


class LevelDefinition(Strict):
    value: Level
    label: Name
    description: str = ""
    colour: Colour | None = None


class SectionDefinition(Strict):
    id: Id
    name: Name
    description: str = ""


class SegmentDefinition(Strict):
    id: Id
    name: Name
    section: Id | None = None
    description: Text
    awful: Text
    excellent: Text
    levels: dict[Level, Text] = Field(default_factory=dict)


class ModelDefinition(Strict):
    kind: Literal["model"]
    id: Id
    name: Name
    version: Version
    description: Text
    source: SourceDefinition
    levels: list[LevelDefinition] = Field(min_length=3, max_length=11)
    sections: list[SectionDefinition] = Field(default_factory=list)
    segments: list[SegmentDefinition] = Field(min_length=1)

    @property
    def level_values(self) -> list[int]:
        return [level.value for level in self.levels]

    def segment(self, segment_id: str) -> SegmentDefinition | None:
        return next((s for s in self.segments if s.id == segment_id), None)

    def level(self, value: int) -> LevelDefinition | None:
        return next((lv for lv in self.levels if lv.value == value), None)

    def section_name(self, segment_id: str) -> str:
        """The name of the segment's section; a segment outside any section stands for itself."""
        segment = self.segment(segment_id)
        section = next((s for s in self.sections if segment and s.id == segment.section), None)
        return section.name if section else (segment.name if segment else segment_id)


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


ConditionValue = StrictStr | StrictInt


class ShowIfDefinition(Strict):
    """Show a question only when an earlier answer matches."""

    question: Id
    equals: ConditionValue | None = None
    any_of: list[ConditionValue] | None = Field(default=None, min_length=1)
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIfDefinition:
        given = [name for name in ("equals", "any_of", "answered") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("show_if needs exactly one of: equals, any_of, answered")
        return self

    @property
    def wanted(self) -> list[str | int]:
        return [self.equals] if self.equals is not None else list(self.any_of or [])


class QuestionDefinition(Strict):
    id: Id
    type: QuestionType
    text: Text
    help: str = ""
    required: bool = False
    scale: Id | None = None
    options: list[OptionDefinition] = Field(default_factory=list)
    min: float | None = Field(default=None, allow_inf_nan=False)
    max: float | None = Field(default=None, allow_inf_nan=False)
    unit: str = Field(default="", max_length=20)
    max_length: int = Field(default=2000, ge=1, le=20000)
    reverse: bool = False
    show_if: ShowIfDefinition | None = None
    segment: Id | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _plain_options(cls, value):
        # Authors may write options as plain labels; the value is then derived from the label.
        if not isinstance(value, list):
            return value
        options = []
        for item in value:
            if isinstance(item, bool | int | float):
                raise ValueError(f'option {item!r} is not text: quote it ("{item}") or write {{value: ..., label: ...}}')
            options.append({"value": slug(item), "label": item} if isinstance(item, str) else item)
        return options

    def answer_range(self, survey: SurveyDefinition) -> tuple[int, int] | None:
        """The whole numbers a scored answer can take (likert: scale positions from 1)."""
        if self.type == QuestionType.LIKERT:
            return (1, len(survey.all_scales.get(self.scale or "", ())))
        if self.type in (QuestionType.RATING, QuestionType.NPS):
            return (0, 10)
        return None


class SurveySectionDefinition(Strict):
    id: Id
    title: Title
    intro: str = ""
    questions: list[QuestionDefinition] = Field(min_length=1)


class SurveyDefinition(Strict):
    kind: Literal["survey"]
    id: Id
    title: Title
    version: Version
    intro: Text
    model: Id | None = None  # the maturity model that question `segment:` mappings refer to
    scales: dict[Id, list[Name]] = Field(default_factory=dict)
    sections: list[SurveySectionDefinition] = Field(min_length=1)

    @property
    def all_scales(self) -> dict[str, tuple[str, ...]]:
        return {**BUILTIN_SCALES, **{k: tuple(v) for k, v in self.scales.items()}}

    @property
    def questions(self) -> list[QuestionDefinition]:
        return [q for section in self.sections for q in section.questions]


def slug(label: str) -> str:
    """The option value derived from a plain label."""
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
    min: Level
    max: Level

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
    url: Url | None = None


class PlaybookDefinition(Strict):
    kind: Literal["playbook"]
    id: Id
    title: Title
    summary: Text
    applies_to: AppliesToDefinition
    horizon: Horizon
    owner_role: Name
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
