"""A survey respondent's page: reached only through the survey link, anonymous, one response per browser or code."""

import secrets

import streamlit as st

from maturity.content.definitions import QuestionType
from maturity.domain.surveys import is_shown
from maturity.services import surveys as sv
from maturity.ui import context
from maturity.ui.access import SURVEY_PARAM, VISIT_PARAM
from maturity.ui.failures import attempt
from maturity.ui.text import Md, md, typed, typed_lines

# The 0-10 scale on one row, even on a 375 px phone: eleven equal pills across the width (our own CSS).
SCALE_STYLE = """<style>
.stMain [data-testid="stButtonGroup"] [role="radiogroup"] { flex-wrap: nowrap; gap: 3px; width: 100%; max-width: 40rem; }
.stMain [data-testid="stButtonGroup"] [role="radiogroup"] > button {
  flex: 1 1 0; min-width: 0; min-height: 2.5rem; padding-left: 0; padding-right: 0; justify-content: center;
}
</style>"""
# A link campaign keeps one response per browser: after answering, the browser holds a cookie that says
# only "answered campaign N" (no response id, nothing about the person), checked when the link is opened.
ANSWERED_COOKIE = "maturity_answered_{}"
ANSWERED_MAX_AGE_S = 400 * 24 * 3600  # the longest a browser keeps a cookie; a new wave is a new campaign anyway


def remember_answered(campaign_id: int) -> None:
    """Tell this browser it has answered the campaign (read back through st.context.cookies on its next visit)."""
    # The name holds the campaign's id and the value is "1": no user text reaches this script.
    # Lax, not Strict: the link usually arrives from a mail or a chat, and the marker grants nothing.
    st.html(
        f"<script>document.cookie = '{ANSWERED_COOKIE.format(int(campaign_id))}=1; path=/; "
        f"max-age={ANSWERED_MAX_AGE_S}; SameSite=Lax';</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def option_label(labels: dict[str, str], *, markdown: bool = False):
    """An option's label; a value off the list (sent by a crafted client) as its own text, so Streamlit drops it.

    Streamlit formats every value it is sent to compare it with the options; a None there (dict.get's answer for
    an unknown value) raised a TypeError inside the widget, before any of our code could refuse it."""
    if markdown:  # a radio reads its options as Markdown; a multiselect shows them as they are
        return lambda value: typed(labels.get(value, str(value)))
    return lambda value: labels.get(value, str(value))


url = context.database_url()
link = st.query_params.get(SURVEY_PARAM, "")
try:
    campaign = sv.open_campaign(url, link)
except sv.CampaignUnavailable as exc:
    st.info(typed_lines(str(exc)), icon=":material/info:")
    st.stop()
survey = context.catalog().surveys.get(campaign.survey_id)
if survey is None:
    st.error("This survey's questions are missing from the content library. Please tell the person who sent you the link.")
    st.stop()

# A random visit token in the URL: a reload or a second tap on Submit is still the same respondent.
if not campaign.single_use_codes and not st.query_params.get(VISIT_PARAM):
    st.query_params[VISIT_PARAM] = secrets.token_urlsafe(12)
visit = st.query_params.get(VISIT_PARAM)

st.title(typed(survey.title))
if any(q.type in (QuestionType.RATING, QuestionType.NPS) for q in survey.questions):
    st.html(SCALE_STYLE)
st.markdown(typed_lines(survey.intro))
st.caption(
    md(
        "Anonymous: your answers are stored without your name, and results are only shown for groups of {n} or more "
        "people. Questions marked \\* need an answer; the rest are optional.",
        n=campaign.min_group_size,
    )
)

if st.session_state.get("survey_done") == link or (
    visit and sv.has_responded(url, campaign.id, sv.respondent_key(campaign.id, visit))
):
    st.success("Thank you! Your answers are in.", icon=":material/check_circle:")
    if not campaign.single_use_codes:  # with codes, one device may be passed round: the code is the guarantee
        remember_answered(campaign.id)
    st.stop()
if not campaign.single_use_codes and st.context.cookies.get(ANSWERED_COOKIE.format(campaign.id)) == "1":
    st.success(
        "This browser has already answered this survey, so it does not take a second response. Thank you for taking part!",
        icon=":material/check_circle:",
    )
    st.stop()

code = ""
if campaign.single_use_codes:
    code = st.text_input(
        "Your access code",
        max_chars=12,
        key="survey_code",
        help="The code on the slip you were given. It is not linked to your name.",
    )

answers: dict = {}
problems: dict = st.session_state.get("survey_problems", {})
shown_count = 0
for section in survey.sections:
    st.subheader(typed(section.title))
    if section.intro:
        st.caption(typed_lines(section.intro))
    for question in section.questions:
        if not is_shown(question, answers):
            continue  # conditions use the answers given above, live
        shown_count += 1
        label = md("{text}{required}", text=question.text, required=Md(" \\*") if question.required else "")
        helped = typed_lines(question.help) if question.help else None
        key = f"q_{question.id}"
        t = question.type
        if t == QuestionType.LIKERT:
            scale = survey.all_scales[question.scale]
            value = st.radio(
                label,
                list(range(1, len(scale) + 1)),
                format_func=lambda v, s=scale: typed(s[v - 1]),
                index=None,
                key=key,
                help=helped,
            )
        elif t in (QuestionType.RATING, QuestionType.NPS):
            value = st.pills(label, list(range(0, 11)), key=key, help=helped)
        elif t == QuestionType.SINGLE_CHOICE:
            labels = {o.value: o.label for o in question.options}
            value = st.radio(
                label, list(labels), format_func=option_label(labels, markdown=True), index=None, key=key, help=helped
            )
        elif t == QuestionType.MULTIPLE_CHOICE:
            labels = {o.value: o.label for o in question.options}
            value = st.multiselect(label, list(labels), format_func=option_label(labels), key=key, help=helped)
        elif t == QuestionType.NUMBER:
            value = st.number_input(
                label, min_value=question.min, max_value=question.max, value=None, key=key, help=helped
            )
            if value is not None and float(value).is_integer():
                value = int(value)
        else:
            value = st.text_area(label, max_chars=question.max_length, key=key, help=helped) or None
        if value not in (None, "", []):
            answers[question.id] = value
        if question.id in problems and question.id not in answers:  # answered since: the message goes
            st.error(typed_lines(problems[question.id]), icon=":material/error:")

required = [q for q in survey.questions if q.required and is_shown(q, answers)]
missing = [q for q in required if q.id not in answers]
answered = sum(1 for q in survey.questions if q.id in answers)
st.progress(
    (len(required) - len(missing)) / len(required) if required else 1.0,
    text=md(
        "{done} of {required} required answered · {answered} of {shown} in all",
        done=len(required) - len(missing),
        required=len(required),
        answered=answered,
        shown=shown_count,
    ),
)
outstanding = [q for q in survey.questions if q.id in problems and q.id not in answers]
if outstanding:
    # Beside the button, because on a phone the messages by the questions are screens away.
    st.error(
        md("{n} question(s) need an answer: {questions}", n=len(outstanding), questions=Md("; ").join(md("“{text}”", text=q.text) for q in outstanding)),
        icon=":material/error:",
    )
if st.button("Submit", type="primary", key="survey_submit", icon=":material/send:"):
    # nothing is stored unless all of it is: the answers stay in the form to send again
    with attempt("submitting a survey response", failed="Your answers were not saved", keep="Please try again in a moment.") as submit:
        try:
            sv.submit_response(url, survey, link_token=link, visit_token=visit, code=code or None, answers=answers)
        except sv.AnswersInvalid as exc:  # said by each question that needs it
            st.session_state["survey_problems"] = exc.problems
            st.rerun()
    if submit.ok:
        st.session_state.pop("survey_problems", None)
        st.session_state["survey_done"] = link
        st.rerun()
