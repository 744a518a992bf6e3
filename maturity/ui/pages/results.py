"""Survey results: distributions per question, breakdowns only for big enough groups, waves over time."""

import pandas as pd
import streamlit as st

from maturity.charts import counts_chart, likert_chart, waves_chart
from maturity.content.definitions import QuestionType
from maturity.domain.roles import Permission
from maturity.services import survey_results as sr
from maturity.services import surveys as sv
from maturity.services.survey_results import visible_groups
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.components import distinct_labels
from maturity.ui.downloads import XLSX, download_ui
from maturity.ui.text import md, typed

require(Permission.RUN_SURVEYS)
url = context.database_url()
catalog = context.catalog()

st.title("Survey results")
campaigns = [c for c in sv.list_campaigns(url) if c.survey_id in catalog.surveys]
if not campaigns:
    st.info("No survey campaign yet. Launch one on the Survey campaigns page.")
    st.stop()
ids = [c.id for c in campaigns]
preset = st.query_params.get("c")
index = ids.index(int(preset)) if preset and preset.isdigit() and int(preset) in ids else 0
titles = distinct_labels({c.id: c.title for c in campaigns})
campaign_id = st.selectbox(
    "Campaign", ids, index=index, format_func=titles.get, key="results_campaign"
)
st.query_params["c"] = str(campaign_id)
campaign = next(c for c in campaigns if c.id == campaign_id)
survey = catalog.surveys[campaign.survey_id]

a, b, c = st.columns(3)
a.metric("Responses", campaign.responses)
b.metric(
    "Response rate",
    f"{campaign.response_rate:.0%}" if campaign.response_rate is not None else "—",
    help="Against the audience size given at launch.",
)
c.metric("Smallest group shown", campaign.min_group_size)

groupers = [q for q in survey.questions if q.type == QuestionType.SINGLE_CHOICE]
group_by = st.selectbox(
    "Break down by",
    ["", *(q.id for q in groupers)],
    format_func=lambda qid: next((q.text for q in groupers if q.id == qid), "Everyone"),
    key="results_group_by",
)
group_value = None
if group_by:
    groups = visible_groups(url, campaign_id, group_by)
    labels = {o.value: o.label for o in next(q for q in groupers if q.id == group_by).options}
    if not groups:
        st.info(md("No group of this question has {n} or more respondents yet, so none is shown.", n=campaign.min_group_size))
        st.stop()
    group_value = st.selectbox(
        "Group", list(groups), format_func=lambda g: f"{labels.get(g, g)} ({groups[g]})", key=f"results_group_{group_by}"
    )
result = sr.results(url, campaign_id, survey, group_by=group_by or None, group_value=group_value)
if result.groups_hidden:
    st.caption(
        md(
            "{hidden} group(s) with fewer than {n} respondents are not shown, so nobody can be singled out.",
            hidden=len(result.groups_hidden),
            n=campaign.min_group_size,
        )
    )
if result.hidden:
    st.info(
        md(
            "Results appear once {n} people have answered ({so_far} so far). This keeps answers anonymous.",
            n=campaign.min_group_size,
            so_far=result.respondents,
        ),
        icon=":material/lock:",
    )
    st.stop()

for section in survey.sections:
    st.subheader(typed(section.title))
    for question in section.questions:
        r = result.questions[question.id]
        with st.container(border=True):
            st.markdown(md("**{text}**", text=question.text))
            reverse = md(" · reverse-scored") if question.reverse else ""
            st.caption(md("{answered} of {total} answered{reverse}", answered=r.answered, total=result.respondents, reverse=reverse))
            if not r.answered:
                continue
            if question.type == QuestionType.LIKERT:
                st.altair_chart(likert_chart(survey.all_scales[question.scale], r.counts), width="stretch")
            elif question.type == QuestionType.NPS:
                st.metric("Net promoter score", f"{r.nps:+d}", help="Promoters (9-10) minus detractors (0-6), in % of answers.")
                st.altair_chart(counts_chart({k: r.counts.get(k, 0) for k in range(11)}), width="stretch")
            elif question.type == QuestionType.RATING:
                st.metric("Average", f"{r.mean:.1f} / 10")
                st.altair_chart(counts_chart({k: r.counts.get(k, 0) for k in range(11)}), width="stretch")
            elif question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
                labels = {o.value: o.label for o in question.options}
                st.altair_chart(counts_chart(r.counts, labels, sort_by_value=True), width="stretch")
            elif question.type == QuestionType.NUMBER:
                st.metric("Average", f"{r.mean:.1f} {question.unit}".strip())
            else:
                # Plain text in a table: never rendered as HTML or Markdown, whatever was typed.
                st.dataframe(pd.DataFrame({"Answer": list(r.texts)}), hide_index=True, width="stretch")

model = catalog.models.get(survey.model) if survey.model else None
if model and not group_by:
    scores = sr.segment_scores(url, campaign_id, survey, model.level_values[0], model.level_values[-1])
    if scores:
        st.subheader(md("As levels of {name}", name=model.name))
        st.caption("Mapped answers averaged and placed on the model's ladder, to set beside a workshop's consensus.")
        st.dataframe(
            pd.DataFrame(
                [{"Segment": model.segment(s).name if model.segment(s) else s, "Survey score": v} for s, v in scores.items()]
            ),
            hide_index=True,
            width="stretch",
        )

waves = sr.wave_means(url, survey)
if len(waves) > 1:
    st.subheader("Wave by wave")
    texts = {q.id: q.text for q in survey.questions}
    scored = [q.id for q in survey.questions if q.type in (QuestionType.LIKERT, QuestionType.RATING)]
    frame = pd.DataFrame(
        [
            {"wave": c.title, "opened": pd.Timestamp(c.opens_on), "question": texts[qid][:60], "mean": means[qid]}
            for c, means in waves
            for qid in scored
            if qid in means
        ]
    )
    if not frame.empty:
        st.altair_chart(waves_chart(frame), width="stretch")

st.subheader("Export")
e1, e2, e3 = st.columns(3)
# built when clicked: the responses are read from the database only by someone who wants them
stem = f"survey-{campaign_id}"
download_ui(
    "Responses (CSV)",
    lambda: sr.responses_csv(url, campaign_id, survey),
    f"{stem}-responses.csv",
    "text/csv",
    key="survey_csv",
    where=e1,
)
download_ui(
    "Responses (Excel)",
    lambda: sr.responses_xlsx(url, campaign_id, survey),
    f"{stem}-responses.xlsx",
    XLSX,
    key="survey_xlsx",
    where=e2,
)
download_ui(
    "Results (CSV)", lambda: sr.results_csv(result, survey), f"{stem}-results.csv", "text/csv", key="results_csv", where=e3
)
