"""Which pages each role can reach; app.py builds st.navigation from this and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).parent / "pages"


class Role(StrEnum):
    VISITOR = "visitor"  # not signed in: can join a workshop or sign in, nothing else
    PARTICIPANT = "participant"  # arrived with a participant token: sees only their workshop's ballot
    RESPONDENT = "respondent"  # arrived with a survey link: sees only that survey
    FACILITATOR = "facilitator"  # signed in: runs workshops and sees everything


@dataclass(frozen=True)
class PageSpec:
    name: str  # file name in pages/ and URL path
    title: str
    icon: str


PAGES: dict[Role, dict[str, list[PageSpec]]] = {
    Role.VISITOR: {
        "": [
            PageSpec("join", "Join a workshop", ":material/how_to_vote:"),
            PageSpec("signin", "Facilitator sign-in", ":material/lock:"),
        ],
    },
    Role.PARTICIPANT: {
        "": [PageSpec("vote", "Vote", ":material/how_to_vote:")],
    },
    Role.RESPONDENT: {
        "": [PageSpec("respond", "Survey", ":material/quiz:")],
    },
    Role.FACILITATOR: {
        "": [PageSpec("home", "Home", ":material/home:")],
        "Leaders": [
            PageSpec("standing", "Where we stand", ":material/grid_view:"),
            PageSpec("trends", "Maturity trends", ":material/show_chart:"),
            PageSpec("follow_through", "Follow-through", ":material/task_alt:"),
            PageSpec("perception", "Room vs organisation", ":material/compare_arrows:"),
            PageSpec("reports", "Reports", ":material/description:"),
        ],
        "Workshops": [
            PageSpec("workshops", "Workshops", ":material/groups:"),
            PageSpec("screen", "Shared screen", ":material/co_present:"),
            PageSpec("summary", "Workshop summary", ":material/summarize:"),
        ],
        "Surveys": [
            PageSpec("surveys", "Survey campaigns", ":material/campaign:"),
            PageSpec("results", "Survey results", ":material/bar_chart:"),
        ],
        "Governance": [
            PageSpec("gaps", "Gaps and actions", ":material/trending_up:"),
            PageSpec("board", "Governance board", ":material/view_kanban:"),
            PageSpec("owners", "Data owners", ":material/badge:"),
        ],
        "Content": [
            PageSpec("playbooks", "Playbook library", ":material/menu_book:"),
            PageSpec("library", "Content library", ":material/library_books:"),
        ],
    },
}


def page_path(name: str) -> str:
    """A page's file relative to app.py, as st.page_link and st.switch_page want it."""
    return f"maturity/ui/pages/{name}.py"


def pages_for(role: Role) -> dict[str, list[st.Page]]:
    """The st.navigation sections for a role; its first page is the default."""
    sections = PAGES[role]
    first = next(iter(sections.values()))[0]
    return {
        section: [
            st.Page(PAGES_DIR / f"{spec.name}.py", title=spec.title, icon=spec.icon, url_path=spec.name, default=spec is first)
            for spec in specs
        ]
        for section, specs in sections.items()
    }
