"""Long lists a page at a time: a search box, one page of rows and the way to the next; and people picked by search.

A registry of 100,000 people cannot be one table or one selectbox: the page drew for two minutes. So a page
asks the services for one page of rows (LIMIT/OFFSET, counted in SQL) and draws it with `pager_ui`; a box
that chooses a person lists at most PICK_LIMIT of them, and past that a search box above it narrows them
(`person_picker`). A small registry looks as it always did: every person listed, no search box.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import streamlit as st

from maturity.services import owners
from maturity.ui.text import md, plain

PICK_LIMIT = 50  # people a picker lists at once; past that, a search box narrows them


def search_box(label: str, *, key: str, placeholder: str, where=st) -> str:
    """A search box whose words the services match (owners.search_words); the text typed, trimmed."""
    return where.text_input(label, key=key, placeholder=placeholder, max_chars=200).strip()


def page_offset(key: str, total: int, *, size: int, scope: Hashable = ()) -> int:
    """Where the page the person is on starts; back on the first page when `scope` (the search, the filters) changed.

    The page is kept in the session under `{key}_page`, and pager_ui's buttons move it."""
    state = st.session_state
    if state.get(f"{key}_scope") != scope:
        state[f"{key}_scope"] = scope
        state[f"{key}_page"] = 0
    page = min(max(0, int(state.get(f"{key}_page", 0))), _last_page(total, size))
    state[f"{key}_page"] = page
    return page * size


def pager_ui(key: str, total: int, *, size: int, noun: str, where=st) -> None:
    """The previous page, "People 51–100 of 100,000", the next page (buttons `{key}_prev` and `{key}_next`)."""
    page = int(st.session_state.get(f"{key}_page", 0))
    last = _last_page(total, size)
    back, middle, forward = where.columns([1, 4, 1], vertical_alignment="center")
    back.button(
        "Previous", key=f"{key}_prev", icon=":material/chevron_left:", disabled=page <= 0, on_click=_turn, args=(key, -1),
        width="stretch",
    )  # fmt: skip
    first = page * size + 1 if total else 0
    middle.caption(
        md("{noun} {first:,}–{upto:,} of {total:,} · page {page:,} of {pages:,}", noun=noun, first=first,
           upto=min(total, (page + 1) * size), total=total, page=page + 1, pages=last + 1)
    )  # fmt: skip
    forward.button(
        "Next", key=f"{key}_next", icon=":material/chevron_right:", disabled=page >= last, on_click=_turn, args=(key, 1),
        width="stretch",
    )  # fmt: skip


def _last_page(total: int, size: int) -> int:
    return max(0, (total - 1) // size)


def _turn(key: str, step: int) -> None:
    st.session_state[f"{key}_page"] = max(0, int(st.session_state.get(f"{key}_page", 0)) + step)


# --------------------------------------------------------------------------- choosing a person


@dataclass(frozen=True)
class People:
    """The people a selectbox offers (ids, by name) and how each is labelled; any other id is labelled too."""

    ids: list[int]
    label: Callable[[int], str]


def person_label(person: owners.PersonView, *, with_role: bool = False) -> str:
    return plain(f"{person.name} ({person.role})" if with_role and person.role else person.name)


def person_picker(
    url: str, key: str, *, keep: Iterable[int | None] = (), active_only: bool = True, owning_actions: bool = False,
    with_role: bool = False, search_label: str = "Find a person", where=st,
) -> People:  # fmt: skip
    """People to choose from: everyone in a small registry; in a big one, those a search box (drawn here, so it
    must not be inside a form: a form would hold back what is typed) finds, PICK_LIMIT at most.

    Whoever `keep` names (the current owner, who may have left) is always among them."""
    filters = {"active_only": active_only, "owning_actions": owning_actions}
    typed = str(st.session_state.get(key, "") or "").strip()
    found = [] if typed else owners.find_people(url, limit=PICK_LIMIT + 1, **filters)
    if typed or len(found) > PICK_LIMIT:  # a big registry: search first
        search = search_box(search_label, key=key, placeholder="Type part of a name or an e-mail", where=where)
        if search:
            found = owners.find_people(url, search, limit=PICK_LIMIT + 1, **filters)
        if len(found) > PICK_LIMIT:
            where.caption(md("Showing the first {n} by name: type more of a name or an e-mail to find others.", n=PICK_LIMIT))
        elif search and not found:
            where.caption(md("Nobody matches {search}.", search=search))
    listed = {p.id: p for p in found[:PICK_LIMIT]}
    kept = [i for i in dict.fromkeys(keep) if i and i not in listed]
    extra = owners.people_by_id(url, kept) if kept else {}
    people = {**{i: extra[i] for i in kept if i in extra}, **listed}
    labels = person_labels(people, with_role=with_role)

    def label(person_id: int) -> str:
        if person_id not in labels:  # someone else's choice, named in a conflict's notice
            other = owners.people_by_id(url, [person_id]).get(person_id)
            labels[person_id] = person_label(other, with_role=with_role) if other else f"person {person_id}"
        return labels[person_id]

    return People(list(people), label)


def person_labels(people: dict[int, owners.PersonView], *, with_role: bool = False) -> dict[int, str]:
    """A selectbox label per person; two people with one name are told apart by their e-mail, since Streamlit tells
    options apart by their label (choosing the second would choose the first)."""
    labels = {i: person_label(p, with_role=with_role) for i, p in people.items()}
    seen = Counter(labels.values())
    return {i: plain(f"{label} · {people[i].email}") if seen[label] > 1 else label for i, label in labels.items()}
