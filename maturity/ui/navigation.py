"""Which pages each visitor reaches; app.py builds st.navigation from this and nothing else.

Staff pages each name the permission they need: the menu shows a signed-in person the pages their
role allows, and each page checks the same permission again when it runs (ui.access.require).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from maturity.domain.roles import Actor, Permission
from maturity.ui.access import Visit, can

PAGES_DIR = Path(__file__).parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    name: str  # file name in pages/ and URL path
    title: str
    icon: str
    permission: Permission | None = None  # staff pages only


PAGES: dict[Visit, dict[str, list[PageSpec]]] = {
    Visit.VISITOR: {
        "": [
            PageSpec("join", "Join a workshop", ":material/how_to_vote:"),
            PageSpec("signin", "Sign in", ":material/lock:"),
        ],
    },
    Visit.PARTICIPANT: {"": [PageSpec("vote", "Vote", ":material/how_to_vote:")]},
    Visit.RESPONDENT: {"": [PageSpec("respond", "Survey", ":material/quiz:")]},
    Visit.WAITING: {
        "": [
            PageSpec("waiting", "Waiting for access", ":material/hourglass_top:"),
            PageSpec("join", "Join a workshop", ":material/how_to_vote:"),
        ]
    },
}

STAFF_PAGES: dict[str, list[PageSpec]] = {
    "": [PageSpec("home", "Home", ":material/home:", Permission.RUN_WORKSHOPS)],
    "Leaders": [
        PageSpec("standing", "Where we stand", ":material/grid_view:", Permission.VIEW_LEADERS),
        PageSpec("trends", "Maturity trends", ":material/show_chart:", Permission.VIEW_LEADERS),
        PageSpec("follow_through", "Follow-through", ":material/task_alt:", Permission.VIEW_LEADERS),
        PageSpec("perception", "Room vs organisation", ":material/compare_arrows:", Permission.VIEW_LEADERS),
        PageSpec("reports", "Reports", ":material/description:", Permission.VIEW_LEADERS),
    ],
    "Workshops": [
        PageSpec("workshops", "Workshops", ":material/groups:", Permission.RUN_WORKSHOPS),
        PageSpec("screen", "Shared screen", ":material/co_present:", Permission.RUN_WORKSHOPS),
        PageSpec("summary", "Workshop summary", ":material/summarize:", Permission.VIEW_WORKSHOPS),
    ],
    "Surveys": [
        PageSpec("surveys", "Survey campaigns", ":material/campaign:", Permission.RUN_SURVEYS),
        PageSpec("results", "Survey results", ":material/bar_chart:", Permission.RUN_SURVEYS),
    ],
    "Governance": [
        PageSpec("my_actions", "My actions", ":material/assignment_ind:", Permission.EDIT_OWN_ACTIONS),
        PageSpec("gaps", "Gaps and actions", ":material/trending_up:", Permission.EDIT_ACTIONS),
        PageSpec("board", "Governance board", ":material/view_kanban:", Permission.VIEW_ACTIONS),
        PageSpec("owners", "Data owners", ":material/badge:", Permission.VIEW_OWNERS),
    ],
    "Content": [
        PageSpec("playbooks", "Playbook library", ":material/menu_book:", Permission.VIEW_CONTENT),
        PageSpec("library", "Content library", ":material/library_books:", Permission.VIEW_CONTENT),
    ],
    "Admin": [
        PageSpec("people", "People and roles", ":material/manage_accounts:", Permission.MANAGE_PEOPLE),
        PageSpec("audit", "Audit log", ":material/history:", Permission.VIEW_AUDIT),
        PageSpec("settings", "Settings", ":material/settings:", Permission.MANAGE_SETTINGS),
    ],
}


def page_path(name: str) -> str:
    """A page's file relative to app.py, as st.page_link and st.switch_page want it."""
    return f"maturity/ui/pages/{name}.py"


def allowed_sections(visit: Visit, actor: Actor | None) -> dict[str, list[PageSpec]]:
    """The menu's sections for this visitor: a signed-in person's are the pages their role allows."""
    if visit is not Visit.STAFF or actor is None:
        return PAGES[Visit.VISITOR if visit is Visit.STAFF else visit]
    sections = {name: [p for p in specs if actor.can(p.permission)] for name, specs in STAFF_PAGES.items()}
    return {name: specs for name, specs in sections.items() if specs}


def pages_for(visit: Visit, actor: Actor | None = None) -> dict[str, list[st.Page]]:
    """The st.navigation sections for a visitor; the first page is the default."""
    sections = allowed_sections(visit, actor)
    first = next(iter(sections.values()))[0]
    return {
        section: [
            st.Page(PAGES_DIR / f"{spec.name}.py", title=spec.title, icon=spec.icon, url_path=spec.name, default=spec is first)
            for spec in specs
        ]
        for section, specs in sections.items()
    }


SPECS: dict[str, PageSpec] = {spec.name: spec for specs in STAFF_PAGES.values() for spec in specs}


def page_link_ui(name: str, *, label: str, icon: str, query_params: dict | None = None, where=st) -> None:
    """A link to a staff page, drawn only when the signed-in person's role reaches that page.

    The label is Markdown: a literal, or md()/typed() when it names something typed (maturity.ui.text)."""
    spec = SPECS[name]
    if spec.permission is None or can(spec.permission):
        where.page_link(page_path(name), label=label, icon=icon, query_params=query_params)
