"""Survey campaigns: launch a wave with an anonymous link (and codes), close or reopen it, run it again."""

import html
import uuid
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from maturity.domain.roles import Permission
from maturity.services import surveys as sv
from maturity.services import workshops as ws
from maturity.services.access import join_base_url
from maturity.ui import context
from maturity.ui.access import require
from maturity.ui.components import distinct_labels, notice_ui
from maturity.ui.downloads import download_ui
from maturity.ui.failures import attempt
from maturity.ui.live import qr_png
from maturity.ui.navigation import page_path
from maturity.ui.text import md

LAUNCHED = "campaign_launched"
# What "one response per person" really means, said where the campaign is chosen and shared.
ONE_PER_BROWSER = (
    "One response per browser: after answering, the browser remembers it (a cookie that says only that this survey "
    "was answered) and shows a thank-you instead of the form. A person with two devices, or who clears their "
    "cookies, can answer twice: use single-use codes when that matters."
)
ONE_PER_CODE = "One response per code: a code that has answered is refused, and the person is asked for another code."

require(Permission.RUN_SURVEYS)
url = context.database_url()
catalog = context.catalog()

st.title("Survey campaigns")
st.caption(
    "Reach the people who are not in the workshop room with an anonymous link, or with single-use codes when "
    "one response per person must hold."
)
notice_ui("survey_message")
if not catalog.surveys:
    st.warning("No survey is loaded; see the Content library for problems.")
    st.stop()

campaigns = sv.list_campaigns(url)
if campaigns:
    frame = pd.DataFrame(
        [
            {"Campaign": c.title, "Survey": c.survey_id, "Status": "taking answers" if c.accepting() else c.status, "Opens": c.opens_on,
             "Closes": c.closes_on, "Responses": c.responses, "Rate": f"{c.response_rate:.0%}" if c.response_rate is not None else "—"}
            for c in campaigns
        ]
    )  # fmt: skip
    st.dataframe(frame, hide_index=True, width="stretch", height=min(360, 38 + 35 * len(frame)))
    if (launched_id := st.session_state.pop(LAUNCHED, None)) is not None:
        st.session_state["campaign_pick"] = launched_id  # before the box is drawn: Streamlit refuses a drawn widget's value
    titles = distinct_labels({c.id: c.title for c in campaigns})
    chosen_id = st.selectbox("Campaign", list(titles), format_func=titles.get, key="campaign_pick")
    campaign = next(c for c in campaigns if c.id == chosen_id)
    base, reachable = join_base_url(context.settings(), st.context.url)
    link = f"{base}/?survey={campaign.link_token}"
    left, right = st.columns([3, 1])
    with left:
        st.markdown("**Anonymous link**")
        st.code(link, language=None)
        st.caption(ONE_PER_CODE if campaign.single_use_codes else ONE_PER_BROWSER)
        if not reachable:
            st.warning(
                "This is the address of your own computer (localhost). Set MATURITY_PUBLIC_URL so respondents can reach it."
            )
        if campaign.single_use_codes:
            codes = sv.access_codes(url, campaign.id)
            used = sum(u for _, u in codes)
            st.caption(
                md("{n} single-use codes, {used} used. Hand them out at random: a code is not linked to anyone.", n=len(codes), used=used)
            )
            slips = "".join(
                f"<div class='slip'>{html.escape(campaign.title)}<br>{html.escape(link)}<br><b>{c}</b></div>"
                for c, u in codes
                if not u
            )
            page = f"<!doctype html><meta charset='utf-8'><style>.slip{{display:inline-block;width:30%;border:1px dashed #999;margin:4px;padding:8px;font:14px sans-serif}}b{{font:700 20px monospace}}</style>{slips}"
            download_ui("Printable codes (HTML)", page, f"codes-{campaign.id}.html", "text/html", key="codes_html")
        b1, b2, b3 = st.columns(3)
        if campaign.status == "open":
            if b1.button("Close the campaign", key="close_campaign"):
                sv.set_campaign_status(url, campaign.id, "closed")
                st.rerun()
        elif b1.button("Reopen the campaign", key="reopen_campaign"):
            sv.set_campaign_status(url, campaign.id, "open")
            st.rerun()
        if b2.button("Results", key="to_results", icon=":material/bar_chart:"):
            st.switch_page(page_path("results"), query_params={"c": str(campaign.id)})
    right.image(qr_png(link), caption="Scan to answer", width=180)

st.subheader("Launch a campaign")
teams = ws.list_teams(url)
with st.form("launch_campaign"):
    survey_id = st.selectbox("Survey", list(catalog.surveys), format_func=lambda s: catalog.surveys[s].title, key="launch_survey")
    title = st.text_input("Title (optional)", max_chars=200, key="launch_title", placeholder="e.g. Data trust pulse — spring")
    a, b = st.columns(2)
    team_id = a.selectbox(
        "Team (optional)",
        [0, *(t.id for t in teams)],
        format_func=lambda i: "— whole organisation —" if i == 0 else next(t.name for t in teams if t.id == i),
        key="launch_team",
    )
    audience = b.text_input("Audience", key="launch_audience", placeholder="e.g. everyone in Finance")
    size = a.number_input(
        "Audience size (for the response rate)", min_value=0, max_value=1_000_000, value=0, step=1, key="launch_size"
    )
    codes = b.number_input(
        "Single-use access codes (0: none, anyone with the link)",
        help="With codes, each code answers once, whatever the device. Without them, each browser answers once, "
        "so a person with two devices could answer twice.",
        min_value=0,
        max_value=sv.MAX_CODES,
        value=0,
        step=10,
        key="launch_codes",
    )
    opens = a.date_input("Opens", value=date.today(), key="launch_opens")
    closes = b.date_input("Closes", value=date.today() + timedelta(days=14), key="launch_closes")
    minimum = st.number_input("Minimum group size shown in results", min_value=2, max_value=100, value=5, key="launch_min")
    launched = st.form_submit_button("Launch", type="primary", icon=":material/campaign:")
# One campaign per click of Launch, even when it is clicked twice before the page answers.
nonce = st.session_state.setdefault("launch_nonce", uuid.uuid4().hex)
if launched and st.session_state.get("launch_done") != nonce:
    with attempt("launching a survey campaign", failed="Not launched") as launch:
        new = sv.launch_campaign(
            url, catalog.surveys[survey_id], title=title, team_id=team_id or None, audience=audience, audience_size=int(size) or None,
            opens_on=opens, closes_on=closes, access_codes=int(codes), min_group_size=int(minimum),
        )  # fmt: skip
    if launch.ok:
        st.session_state["launch_done"] = nonce
        st.session_state.pop("launch_nonce", None)
        st.session_state["survey_message"] = f"Launched “{new.title}”. Share its link below."
        st.session_state[LAUNCHED] = new.id  # the next run opens it in the campaign box
        st.rerun()
