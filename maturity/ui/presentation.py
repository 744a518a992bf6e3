"""Presentation mode for the shared screen on a projector: no menu, the join code always in view, big numbers.

It lives in the URL (?present=1), so the projector's tab can be opened, or reloaded, straight into it.
The style below is our own CSS; no user or content text ever reaches it.
"""

from __future__ import annotations

import streamlit as st

PRESENT_PARAM = "present"
PRESENT_SHORTCUT = "P"

# Sizes chosen to read from the back of a room on a 1920x1080 projector (checked in a browser test's screenshot).
_STYLE = """
<style>
header[data-testid="stHeader"] { display: none; }
.stMainBlockContainer { max-width: none; padding: 1.25rem 25rem 3rem 2.5rem; }
.stMain p, .stMain li { font-size: 1.3rem; line-height: 1.45; }
.stMain h2 { font-size: 2.6rem; }
.stMain h3 { font-size: 2rem; }
.stMain [data-testid="stMetricValue"] p { font-size: 4.25rem; line-height: 1.1; }
.stMain [data-testid="stMetricLabel"] p { font-size: 1.3rem; }
.st-key-join_panel {
  position: fixed; top: 1rem; right: 1.25rem; width: 22rem; z-index: 1000;
  background: #ffffff; color: #0f172a; border: 3px solid #1d4ed8; border-radius: 1rem; padding: 1rem 1.25rem;
}
.st-key-join_panel p { font-size: 1.15rem; }
.st-key-join_panel .join-code { font: 800 4.6rem/1.05 monospace !important; letter-spacing: .35rem; }
</style>
"""


def presenting() -> bool:
    """True when the page was opened in presentation mode (only facilitator pages ask)."""
    return st.query_params.get(PRESENT_PARAM) == "1"


def presentation_style_ui() -> None:
    st.html(_STYLE)


def _toggle() -> None:
    if presenting():
        del st.query_params[PRESENT_PARAM]
    else:
        st.query_params[PRESENT_PARAM] = "1"


def toggle_ui(*, container=st) -> None:
    """Enter or leave presentation mode; a full rerun follows, so the menu hides or comes back."""
    container.button(
        "Leave presentation" if presenting() else "Present",
        key="presentation_toggle",
        icon=":material/close_fullscreen:" if presenting() else ":material/open_in_full:",
        help="Presentation mode for a projector: no menu, the join code always in view, big numbers. "
        "Keys: ← previous segment, → next, V reveals the votes, P leaves or enters presentation mode.",
        shortcut=PRESENT_SHORTCUT,
        on_click=_toggle,
        width="stretch",
    )
