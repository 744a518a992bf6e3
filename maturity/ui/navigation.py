"""Which pages each role can reach; app.py builds st.navigation from this and nothing else."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).parent / "pages"


def page_path(name: str) -> str:
    """A page's file relative to app.py, as st.page_link and st.switch_page want it."""
    return f"maturity/ui/pages/{name}.py"


class Role(StrEnum):
    # Facilitators and admins run the tool. Participants and survey respondents arrive with a
    # code or link and must only ever see the page they were given: their pages are listed apart.
    FACILITATOR = "facilitator"


def _page(name: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(PAGES_DIR / f"{name}.py", title=title, icon=icon, url_path=name, default=default)


def pages_for(role: Role) -> dict[str, list[st.Page]]:
    if role is Role.FACILITATOR:
        return {
            "": [_page("home", "Home", ":material/home:", default=True)],
            "Content": [_page("library", "Content library", ":material/library_books:")],
        }
    raise ValueError(f"no pages for role {role!r}")


def current_role() -> Role:
    return Role.FACILITATOR
