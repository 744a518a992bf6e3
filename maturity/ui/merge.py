"""A form two people may edit at once: what this person changed, and taking the other person's values after a conflict.

The form remembers the values it was opened with (its base) and the version they came from. A save
sends only the fields that differ from the base. When someone else saved first, the save is
refused (services raise Conflict); then every field this person left alone takes the other
person's value, the fields they changed keep theirs, and the base moves to the new version: the
next save writes only this person's changes and never puts back what the other person replaced.

The widgets are drawn again under new keys (a suffix) with the merged values as their defaults:
Streamlit lets a script set a widget's value only before it is first drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import streamlit as st

from maturity.ui.text import Md, typed_lines


@dataclass(frozen=True)
class Draft:
    values: dict  # what the widgets start from
    version: int  # the version this person is editing
    suffix: str  # add to every widget key of the form


@dataclass(frozen=True)
class SharedForm:
    name: str  # unique per record, e.g. "action_12"
    probe: str  # the key of one of its widgets without the suffix: gone from the session when the form was not drawn

    @property
    def _key(self) -> str:
        return f"_shared_form_{self.name}"

    def open(self, values: Mapping[str, object], version: int) -> Draft:
        """Call before drawing the widgets. A form drawn afresh (not on the last run) starts from `values`."""
        state = st.session_state.get(self._key)
        drawn = state is not None and (state["merged"] or f"{self.probe}{state['suffix']}" in st.session_state)
        if not drawn:
            state = {"base": dict(values), "draft": dict(values), "version": version, "suffix": state["suffix"] if state else ""}
        state["merged"] = False
        st.session_state[self._key] = state
        return Draft(dict(state["draft"]), state["version"], state["suffix"])

    def changes(self, submitted: Mapping[str, object]) -> dict[str, object]:
        """The fields this person changed since the form was opened (or since the last merge)."""
        base = st.session_state[self._key]["base"]
        return {field: value for field, value in submitted.items() if value != base.get(field)}

    def saved(self, values: Mapping[str, object], version: int) -> None:
        state = st.session_state[self._key]
        state.update(base=dict(values), draft=dict(values), version=version)

    def conflict(
        self, submitted: Mapping[str, object], latest: Mapping[str, object], version: int, describe: Callable[[str, object], str]
    ) -> None:
        """After a refused save: the other person's values where this person changed nothing; then st.rerun()."""
        state = st.session_state[self._key]
        base = state["base"]
        mine = {f for f, v in submitted.items() if v != base.get(f)}
        theirs = [f for f, v in latest.items() if v != base.get(f)]
        generation = int(state["suffix"].lstrip("_g") or 0) + 1
        state.update(
            base=dict(latest),
            draft={f: (submitted[f] if f in mine else latest[f]) for f in latest},
            version=version,
            suffix=f"_g{generation}",
            merged=True,
            notice=_notice(
                [describe(f, latest[f]) for f in theirs if f not in mine],
                [describe(f, latest[f]) for f in theirs if f in mine],
                bool(mine),
            ),
        )

    def notice(self) -> Md | None:
        """What the last conflict did to the form, once, ready to draw (it quotes what the other person typed)."""
        state = st.session_state.get(self._key) or {}
        notice = state.pop("notice", None)
        return typed_lines(notice) if notice else None


def _notice(took: list[str], both: list[str], changed: bool) -> str:
    text = "Someone else saved this while you were editing, so your save was refused and nothing was overwritten. "
    if took:
        text += "The form now shows their changes: " + "; ".join(took) + ". "
    if both:
        text += "You both changed " + "; ".join(both) + " (the form keeps your value). "
    return text + (
        "Your own changes are still in the form: save again to add them." if changed else "You had changed nothing yet."
    )
