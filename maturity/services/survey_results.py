"""Survey results that respect anonymity: counts per answer, breakdowns only for big enough groups."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import mean

from sqlmodel import select

from maturity.content.definitions import QuestionType, SurveyDefinition
from maturity.domain.roles import Permission
from maturity.domain.surveys import segment_score
from maturity.services.authz import requires
from maturity.services.exports import to_csv, to_xlsx
from maturity.services.surveys import CampaignView, get_campaign, list_campaigns
from maturity.storage.engine import read_session
from maturity.storage.tables import Answer, SurveyResponse

SCORED = (QuestionType.LIKERT, QuestionType.RATING, QuestionType.NPS)


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    answered: int
    counts: dict = field(default_factory=dict)  # option value / scale position / score -> respondents
    mean: float | None = None
    texts: tuple[str, ...] = ()

    @property
    def nps(self) -> int | None:
        """Promoters (9-10) minus detractors (0-6), as a whole percentage."""
        if not self.answered:
            return None
        promoters = sum(n for v, n in self.counts.items() if v >= 9)
        detractors = sum(n for v, n in self.counts.items() if v <= 6)
        return round(100 * (promoters - detractors) / self.answered)


@dataclass(frozen=True)
class SurveyResults:
    campaign: CampaignView
    respondents: int
    hidden: bool  # fewer respondents than the minimum group size: nothing but the count is shown
    questions: dict[str, QuestionResult]
    groups_hidden: tuple[str, ...] = ()  # group values left out of a breakdown because they are too small


def _responses(url: str, campaign_id: int) -> dict[int, dict[str, object]]:
    """response id -> {question id: value}; aggregated in Python because multiple-choice answers are lists."""
    with read_session(url) as session:
        rows = session.exec(
            select(Answer.response_id, Answer.question_id, Answer.value_number, Answer.value_text)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(SurveyResponse.campaign_id == campaign_id)
        ).all()
        everyone = session.exec(select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign_id)).all()
    answers: dict[int, dict[str, object]] = {rid: {} for rid in everyone}
    for response_id, question_id, number, text in rows:
        answers[response_id][question_id] = number if number is not None else text
    return answers


@requires(Permission.RUN_SURVEYS)
def results(
    url: str, campaign_id: int, survey: SurveyDefinition, *, group_by: str | None = None, group_value: str | None = None
) -> SurveyResults:
    """Per-question results, for everyone or for one group of a grouping question (if big enough)."""
    campaign = get_campaign(url, campaign_id)
    answers = _responses(url, campaign_id)
    minimum = campaign.min_group_size
    groups_hidden: tuple[str, ...] = ()
    if group_by:
        sizes = group_sizes(answers, group_by)
        groups_hidden = tuple(sorted(g for g, n in sizes.items() if n < minimum))
        answers = {rid: a for rid, a in answers.items() if _matches(a.get(group_by), group_value)}
    if len(answers) < minimum:
        return SurveyResults(campaign, len(answers), True, {}, groups_hidden)
    return SurveyResults(
        campaign, len(answers), False, {q.id: _question(q, survey, answers.values()) for q in survey.questions}, groups_hidden
    )


def _matches(given, wanted) -> bool:
    if isinstance(given, str) and given.startswith("["):
        return wanted in json.loads(given)
    return given == wanted


def group_sizes(answers: dict[int, dict[str, object]], group_by: str) -> dict[str, int]:
    sizes: Counter = Counter()
    for a in answers.values():
        value = a.get(group_by)
        values = json.loads(value) if isinstance(value, str) and value.startswith("[") else [value]
        for v in values:
            if v is not None:
                sizes[v] += 1
    return dict(sizes)


@requires(Permission.RUN_SURVEYS)
def visible_groups(url: str, campaign_id: int, group_by: str) -> dict[str, int]:
    """Groups of a grouping question with at least the minimum number of respondents (the rest never listed)."""
    minimum = get_campaign(url, campaign_id).min_group_size
    return {g: n for g, n in group_sizes(_responses(url, campaign_id), group_by).items() if n >= minimum}


def _question(question, survey: SurveyDefinition, answers) -> QuestionResult:
    values = [a[question.id] for a in answers if question.id in a]
    if question.type == QuestionType.TEXT:
        return QuestionResult(question.id, len(values), texts=tuple(str(v) for v in values))
    if question.type == QuestionType.MULTIPLE_CHOICE:
        counts = Counter(v for value in values for v in json.loads(str(value)))
        return QuestionResult(question.id, len(values), dict(counts))
    if question.type == QuestionType.SINGLE_CHOICE:
        return QuestionResult(question.id, len(values), dict(Counter(values)))
    numbers = [float(v) for v in values]
    counts = Counter(int(v) if float(v).is_integer() else v for v in numbers)
    return QuestionResult(question.id, len(values), dict(counts), mean(numbers) if numbers else None)


@requires(Permission.RUN_SURVEYS, Permission.VIEW_LEADERS)
def segment_scores(url: str, campaign_id: int, survey: SurveyDefinition, level_min: int, level_max: int) -> dict[str, float]:
    """Per mapped segment: the average answer placed on the model's ladder, comparable with workshop consensus."""
    answers = _responses(url, campaign_id)
    if len(answers) < get_campaign(url, campaign_id).min_group_size:
        return {}
    shares: dict[str, list[float]] = defaultdict(list)
    for question in survey.questions:
        if question.segment and question.type in SCORED:
            for a in answers.values():
                if question.id in a:
                    shares[question.segment].append(segment_score(question, survey, float(a[question.id])))
    return {segment: round(level_min + mean(values) * (level_max - level_min), 2) for segment, values in shares.items() if values}


@requires(Permission.RUN_SURVEYS, Permission.VIEW_LEADERS)
def wave_means(url: str, survey: SurveyDefinition) -> list[tuple[CampaignView, dict[str, float]]]:
    """Each wave of a survey, oldest first, with the mean of every scored question (waves under the minimum left out)."""
    out = []
    for campaign in reversed(list_campaigns(url, survey.id)):
        result = results(url, campaign.id, survey)
        if not result.hidden:
            out.append((campaign, {qid: r.mean for qid, r in result.questions.items() if r.mean is not None}))
    return out


# --------------------------------------------------------------------------- exports


def _response_rows(url: str, campaign_id: int, survey: SurveyDefinition) -> tuple[list[str], list[list]]:
    questions = survey.questions
    header = ["response", *(q.id for q in questions)]
    rows = []
    for number, (_, answers) in enumerate(sorted(_responses(url, campaign_id).items()), start=1):
        row: list = [number]
        for q in questions:
            value = answers.get(q.id)
            if isinstance(value, str) and q.type == QuestionType.MULTIPLE_CHOICE:
                value = "; ".join(json.loads(value))
            row.append(int(value) if isinstance(value, float) and value.is_integer() else ("" if value is None else value))
        rows.append(row)
    return header, rows


@requires(Permission.RUN_SURVEYS)
def responses_csv(url: str, campaign_id: int, survey: SurveyDefinition) -> bytes:
    """Every response, numbered in order, no keys or times; withheld below the minimum group size."""
    header, rows = _response_rows(url, campaign_id, survey)
    return to_csv(header, rows if len(rows) >= get_campaign(url, campaign_id).min_group_size else [])


@requires(Permission.RUN_SURVEYS)
def responses_xlsx(url: str, campaign_id: int, survey: SurveyDefinition) -> bytes:
    header, rows = _response_rows(url, campaign_id, survey)
    return to_xlsx("Responses", header, rows if len(rows) >= get_campaign(url, campaign_id).min_group_size else [])


def results_csv(result: SurveyResults, survey: SurveyDefinition) -> bytes:
    """One row per question and answer with its count; free text is left out (it is in the responses export)."""
    rows = []
    if not result.hidden:
        for question in survey.questions:
            r = result.questions[question.id]
            if question.type == QuestionType.TEXT:
                continue
            labels = _answer_labels(question, survey)
            for answer, count in sorted(r.counts.items(), key=lambda item: str(item[0])):
                rows.append([question.id, question.text, labels.get(answer, answer), count, r.answered])
            if question.type == QuestionType.NPS and r.nps is not None:
                rows.append([question.id, question.text, "net promoter score", r.nps, r.answered])
    return to_csv(["question", "text", "answer", "respondents", "answered"], rows)


def _answer_labels(question, survey: SurveyDefinition) -> dict:
    if question.type == QuestionType.LIKERT:
        return {i + 1: label for i, label in enumerate(survey.all_scales[question.scale])}
    return {o.value: o.label for o in question.options}
