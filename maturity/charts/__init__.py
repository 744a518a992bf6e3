"""Altair chart specs, built from aggregated data only; shared by the pages (st.altair_chart) and the reports (vl-convert).

No Streamlit here: a chart is a spec, and whoever shows it decides how.
"""

from maturity.charts.leaders import (
    ACTION_DONE,
    GAP_COLOURS,
    effect_chart,
    flow_chart,
    heatmap_chart,
    perception_chart,
    segment_follow_chart,
    trend_chart,
    trend_frame,
)
from maturity.charts.surveys import LIKERT_COLOURS, counts_chart, likert_chart, waves_chart
from maturity.charts.workshops import (
    DEFAULT_COLOUR,
    distribution_chart,
    distribution_frame,
    summary_chart,
    summary_frame,
)

__all__ = [
    "ACTION_DONE",
    "DEFAULT_COLOUR",
    "GAP_COLOURS",
    "LIKERT_COLOURS",
    "counts_chart",
    "distribution_chart",
    "distribution_frame",
    "effect_chart",
    "flow_chart",
    "heatmap_chart",
    "likert_chart",
    "perception_chart",
    "segment_follow_chart",
    "summary_chart",
    "summary_frame",
    "trend_chart",
    "trend_frame",
    "waves_chart",
]
