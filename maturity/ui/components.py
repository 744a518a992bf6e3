"""Reusable pieces of pages: notices, level ladders, models, surveys, playbooks, content problems."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from maturity.content.catalog import Catalog
from maturity.content.definitions import (
    CHOICE_TYPES,
    HORIZON_LABELS,
    Horizon,
    ModelDefinition,
    PlaybookDefinition,
    QuestionDefinition,
    QuestionType,
    SurveyDefinition,
)
from maturity.content.loader import Problem
from maturity.services.library import search_playbooks
from maturity.ui.text import Md, link, md, plain, typed, typed_lines

QUESTION_TYPE_LABELS = {
    QuestionType.LIKERT: "Likert",
    QuestionType.SINGLE_CHOICE: "Single choice",
    QuestionType.MULTIPLE_CHOICE: "Multiple choice",
    QuestionType.RATING: "Rating 0–10",
    QuestionType.NPS: "NPS 0–10",
    QuestionType.NUMBER: "Number",
    QuestionType.TEXT: "Free text",
}


def notice_ui(key: str, *, icon: str = ":material/check_circle:") -> None:
    """Show, once, what the last action said (left in the session under `key` before its rerun).

    The slot is drawn whether or not there is a message, so what comes below keeps its place from one run to
    the next. Without it the widgets below shift up when the message goes, and while that run draws they are
    on screen twice (the new ones, and the old ones faded until the run ends)."""
    slot = st.empty()
    if message := st.session_state.pop(key, None):
        slot.success(typed_lines(message), icon=icon)  # a sentence that may name what someone typed


def distinct_labels(labels: dict[int, str]) -> dict[int, str]:
    """Labels for a selectbox of things by id, each shown once: a repeated one gets its id (#12).

    Streamlit tells the options of a box apart by their label, so two campaigns or workshops with the
    same title would be one option, and choosing the second would open the first."""
    shown = {key: plain(label) for key, label in labels.items()}  # as drawn: two labels may differ only in what plain() drops
    seen = Counter(shown.values())
    return {key: plain(f"{label} (#{key})") if seen[label] > 1 else label for key, label in shown.items()}


def ladder_ui(model: ModelDefinition) -> None:
    """The level ladder as a table, each level on its own colour."""
    frame = pd.DataFrame([{"Level": lv.value, "Label": lv.label, "What it looks like": lv.description} for lv in model.levels])
    colours = {lv.value: lv.colour for lv in model.levels}

    def paint(row: pd.Series) -> list[str]:
        colour = colours.get(row["Level"])
        style = f"background-color: {colour}; color: white; font-weight: 600" if colour else ""
        return [style if column == "Label" else "" for column in row.index]

    st.dataframe(frame.style.apply(paint, axis=1), hide_index=True, width="stretch")


def model_ui(model: ModelDefinition, catalog: Catalog) -> None:
    st.subheader(md("{name} · v{version}", name=model.name, version=model.version))
    st.markdown(typed_lines(model.description))
    st.caption(md("Source: {credit} Licence: {licence}", credit=model.source.credit, licence=model.source.licence))
    groups = [(s.name, s.description, [seg for seg in model.segments if seg.section == s.id]) for s in model.sections]
    if not model.sections:
        groups = [("Segments", "", list(model.segments))]
    for name, description, segments in groups:
        st.markdown(md("#### {name}", name=name))
        if description:
            st.caption(typed_lines(description))
        for segment in segments:
            playbooks = catalog.playbooks_for(model.id, segment.id)
            with st.expander(md("{name}  ·  {n} playbook(s)", name=segment.name, n=len(playbooks))):
                st.markdown(typed_lines(segment.description))
                awful, excellent = st.columns(2)
                awful.error(md("**Awful** — {text}", text=segment.awful), icon=":material/sentiment_very_dissatisfied:")
                excellent.success(md("**Excellent** — {text}", text=segment.excellent), icon=":material/sentiment_very_satisfied:")
                if segment.levels:
                    # A list, not a table: level texts are sentences and a table cell would cut them.
                    st.markdown(
                        Md("\n").join(
                            md("- **{value} {label}** — {text}", value=lv.value, label=lv.label, text=segment.levels[lv.value])
                            for lv in model.levels
                            if lv.value in segment.levels
                        )
                    )
                if playbooks:
                    listed = "; ".join(f"{p.title} (levels {p.applies_to.levels.min}–{p.applies_to.levels.max})" for p in playbooks)
                    st.caption(md("Playbooks: {listed}", listed=typed(listed, limit=None)))


def survey_ui(survey: SurveyDefinition, catalog: Catalog) -> None:
    st.subheader(md("{title} · v{version}", title=survey.title, version=survey.version))
    st.markdown(typed_lines(survey.intro))
    model = catalog.models.get(survey.model) if survey.model else None
    counted = len(survey.questions)
    towards = md("; scores towards the segments of {name}", name=model.name) if model else ""
    st.caption(md("{counted} questions in {n} sections{towards}", counted=counted, n=len(survey.sections), towards=towards))
    for section in survey.sections:
        st.markdown(md("#### {title}", title=section.title))
        if section.intro:
            st.caption(typed_lines(section.intro))
        for number, question in enumerate(section.questions, start=1):
            _question_ui(number, question, survey, model)


def _question_ui(number: int, question: QuestionDefinition, survey: SurveyDefinition, model: ModelDefinition | None) -> None:
    flags = [QUESTION_TYPE_LABELS[question.type]]
    if question.required:
        flags.append("required")
    if question.reverse:
        flags.append("reverse-scored")
    with st.container(border=True):
        st.markdown(md("**{number}. {text}**", number=number, text=question.text))
        st.caption(typed(" · ".join(flags)))
        if question.help:
            st.caption(typed_lines(question.help))
        if question.type == QuestionType.LIKERT:
            st.text(" → ".join(survey.all_scales[question.scale]))
        elif question.type in CHOICE_TYPES:
            st.text("\n".join(f"○ {option.label}" for option in question.options))
        elif question.type == QuestionType.NUMBER and (question.min is not None or question.max is not None):
            st.text(
                f"From {question.min if question.min is not None else '…'} to {question.max if question.max is not None else '…'} {question.unit}".strip()
            )
        if question.show_if:
            st.caption(md("Shown only if {condition}", condition=_condition_text(question, survey)))
        if question.segment:
            segment = model.segment(question.segment) if model else None
            st.caption(md("Scores towards: {name}", name=segment.name if segment else question.segment))


def _condition_text(question: QuestionDefinition, survey: SurveyDefinition) -> str:
    cond = question.show_if
    source = next(q for q in survey.questions if q.id == cond.question)
    labels = {o.value: o.label for o in source.options}
    if cond.answered is not None:
        return f"“{source.text}” is {'answered' if cond.answered else 'not answered'}"
    wanted = [cond.equals] if cond.equals is not None else list(cond.any_of or [])
    return f"“{source.text}” is " + " or ".join(f"“{labels.get(w, w)}”" for w in wanted)


def playbook_ui(playbook: PlaybookDefinition, catalog: Catalog) -> None:
    applies = playbook.applies_to
    model = catalog.models[applies.model]
    segments = ", ".join(model.segment(s).name for s in applies.segments)
    low, high = model.level(applies.levels.min), model.level(applies.levels.max)
    levels = low.label if low == high else f"{low.label} – {high.label}"
    with st.expander(md("{title}  ·  {segments}  ·  {levels}", title=playbook.title, segments=segments, levels=levels)):
        st.markdown(typed_lines(playbook.summary))
        a, b, c = st.columns(3)
        a.markdown(md("**Horizon**  \n{value}", value=HORIZON_LABELS[playbook.horizon]))
        b.markdown(md("**Owner**  \n{value}", value=playbook.owner_role))
        c.markdown(md("**Effort**  \n{value}", value=playbook.effort.value.capitalize()))
        st.markdown("**Steps**")
        st.markdown(Md("\n").join(md("{i}. {step}", i=i, step=step) for i, step in enumerate(playbook.steps, start=1)))
        st.markdown(md("**Expected outcome** — {outcome}", outcome=playbook.outcome))
        st.markdown("**How to measure success**")
        st.markdown(Md("\n").join(md("- {measure}", measure=m) for m in playbook.measures))
        if playbook.references:
            st.markdown("**References**")
            st.markdown(Md("\n").join(md("- {reference}", reference=link(r.title, r.url)) for r in playbook.references))
        origin = catalog.origins[("playbook", playbook.id)]
        st.caption(md("{model} · id {id} · from {origin}", model=model.name, id=playbook.id, origin=origin))


def problems_ui(problems: list[Problem]) -> None:
    if not problems:
        st.success("Every content file is valid.", icon=":material/check_circle:")
        return
    st.warning(
        md(
            "{n} problem(s). Each broken file was skipped; everything else loaded. Fix the file, "
            "save it, and this page picks the change up. `python -m maturity validate` shows the same list.",
            n=len(problems),
        ),
        icon=":material/warning:",
    )
    frame = pd.DataFrame([{"File": p.path, "Line": p.line, "Field": p.field, "Problem": p.message} for p in problems])
    st.dataframe(frame, hide_index=True, width="stretch")


def playbook_browser_ui(catalog: Catalog, *, prefix: str) -> None:
    """Search and filter every playbook; used by the content library and the playbook library."""
    search, model_col, segment_col, horizon_col = st.columns([3, 2, 2, 2])
    text = search.text_input("Search", key=f"{prefix}_search", placeholder="e.g. owner, dashboard, privacy")
    model_filter = model_col.selectbox(
        "Model",
        ["", *catalog.models],
        format_func=lambda mid: catalog.models[mid].name if mid else "All models",
        key=f"{prefix}_model",
    )
    segments = catalog.models[model_filter].segments if model_filter else []
    segment_filter = segment_col.selectbox(
        "Segment",
        ["", *(s.id for s in segments)],
        format_func=lambda sid: next((s.name for s in segments if s.id == sid), "All segments"),
        key=f"{prefix}_segment",
        disabled=not model_filter,
    )
    if segment_filter not in {s.id for s in segments}:
        segment_filter = ""  # left over from another model
    horizon_filter = horizon_col.selectbox(
        "Horizon",
        ["", *(h.value for h in Horizon)],
        format_func=lambda h: HORIZON_LABELS[Horizon(h)] if h else "Any horizon",
        key=f"{prefix}_horizon",
    )
    found = search_playbooks(
        catalog, text, model_id=model_filter or None, segment_id=segment_filter or None, horizon=horizon_filter or None
    )
    st.caption(md("{found} of {all} playbooks", found=len(found), all=len(catalog.playbooks)))
    for playbook in found:
        playbook_ui(playbook, catalog)
