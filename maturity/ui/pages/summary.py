"""Workshop summary: consensus against target, gaps, convergence, participation, corrections and exports."""

import pandas as pd
import streamlit as st

from maturity.charts import summary_chart
from maturity.domain.roles import Permission
from maturity.services import exports, reports
from maturity.services import workshops as ws
from maturity.services.actions import open_action_counts
from maturity.services.summary import workshop_summary
from maturity.ui import context
from maturity.ui.access import can, require
from maturity.ui.ballot import level_text
from maturity.ui.downloads import download_ui
from maturity.ui.facilitation import act, chosen_workshop
from maturity.ui.navigation import page_link_ui, page_path
from maturity.ui.text import Md, md, typed

require(Permission.VIEW_WORKSHOPS)
url = context.database_url()
catalog = context.catalog()

summary = chosen_workshop(url, "Workshop summary", load=workshop_summary)
workshop = summary.workshop
model = catalog.models.get(workshop.model_id)
if model is None:
    st.error(
        md("The model {model!r} is not in the content library any more; names and levels are shown as ids.", model=workshop.model_id)
    )


def name(segment_id: str) -> str:
    segment = model.segment(segment_id) if model else None
    return segment.name if segment else segment_id


def label(value) -> str:
    return "—" if value is None else (level_text(model, value) if model else str(value))


st.title(typed(workshop.title))
st.caption(
    md(
        "{team} · {held:%d %B %Y} · {state} · consensus rule: {rule}",
        team=workshop.team_name,
        held=workshop.held_on,
        state="open" if workshop.is_open else "ended",
        rule=workshop.consensus_rule,
    )
)
if workshop.is_open:
    page_link_ui("screen", label="Back to the shared screen", icon=":material/co_present:", query_params={"w": str(workshop.id)}
    )

a, b, c, d = st.columns(4)
a.metric("People joined", workshop.participants)
b.metric("Segments recorded", f"{summary.recorded} of {len(summary.segments)}")
c.metric("Segments below target", len(summary.gaps))
converged = [s for s in summary.segments if s.convergence and s.convergence.converged]
revoted = [s for s in summary.segments if s.convergence]
d.metric("Converged on a re-vote", f"{len(converged)} of {len(revoted)}" if revoted else "—")

if model and summary.recorded:
    st.subheader("Where we are and where we want to be")
    rows = [(name(s.segment_id), s.consensus.level, s.consensus.target_level) for s in summary.segments if s.consensus]
    st.altair_chart(summary_chart(model, rows), width="stretch")

st.subheader("Segment by segment")
table = pd.DataFrame(
    [
        {
            "Segment": name(s.segment_id),
            "Consensus": label(s.consensus.level) if s.consensus else "not recorded",
            "Target": label(s.consensus.target_level) if s.consensus else "—",
            "Gap": s.consensus.gap if s.consensus else None,
            "Confidence": s.consensus.confidence if s.consensus else "",
            "Voters": summary.voters_per_segment[s.segment_id],
            "Range (1st vote)": f"{s.first.lowest}–{s.first.highest}" if s.first and s.first.lowest is not None else "—",
            "Spread 1st → 2nd": f"{s.convergence.spread_before} → {s.convergence.spread_after}" if s.convergence else "",
            "Notes": s.consensus.notes if s.consensus else "",
        }
        for s in summary.segments
    ]
)
table["Gap"] = table["Gap"].astype("Int64")
st.dataframe(table, hide_index=True, width="stretch")
if summary.gaps:
    largest = Md("; ").join(md("{name} (+{gap})", name=name(s.segment_id), gap=s.consensus.gap) for s in summary.gaps)
    st.markdown(md("**Largest gaps first:** {largest}", largest=largest))
    open_counts = open_action_counts(url, team_id=workshop.team_id, model_id=workshop.model_id)
    no_action = [s for s in summary.gaps if not open_counts.get(s.segment_id)]
    if no_action:
        st.warning(
            md(
                "No action yet on: {segments}. Turn them into owned, dated actions.",
                segments=Md(", ").join(name(s.segment_id) for s in no_action),
            ),
            icon=":material/assignment_late:",
        )
    else:
        st.success("Every gap has at least one open action.", icon=":material/assignment_turned_in:")
    page_link_ui("gaps", label="Go from gaps to actions", icon=":material/trending_up:", query_params={"w": str(workshop.id)}
    )

if can(Permission.RUN_WORKSHOPS):  # leaders read summaries; correcting one is the facilitator's
    st.subheader("Correct a segment")
    st.caption("Reopening takes the shared screen back to that segment; every change to a consensus is kept in its history.")
    left, right = st.columns([3, 1])
    to_fix = left.selectbox(
        "Segment", list(workshop.segment_ids), format_func=name, key="reopen_segment", label_visibility="collapsed"
    )
    if right.button("Reopen it", key="reopen", icon=":material/edit:"):
        act(
            ws.reopen_segment,
            url,
            workshop.id,
            to_fix,
            then=lambda: st.switch_page(page_path("screen"), query_params={"w": str(workshop.id)}),
        )

st.subheader("Export")
stem = f"workshop-{workshop.id}-{workshop.held_on:%Y-%m-%d}"
downloads = [
    ("Consensus (CSV)", exports.consensus_csv(summary, model), "consensus.csv", "text/csv", ":material/table:"),
    # read from the database only when asked for, as the report: most runs of this page download nothing
    ("Anonymised votes (CSV)", lambda: exports.votes_csv(url, workshop.id, model), "votes.csv", "text/csv", ":material/table:"),
    # the chart image takes vl-convert a few hundred milliseconds
    (
        "Printable report (HTML)",
        lambda: reports.workshop_report(url, catalog, workshop.id).html,
        "report.html",
        "text/html",
        ":material/print:",
    ),
]
for column, (label, data, suffix, mime, icon) in zip(st.columns(len(downloads)), downloads, strict=True):
    download_ui(label, data, f"{stem}-{suffix}", mime, key=f"dl_{suffix}", icon=icon, where=column)
