"""Pieces of the facilitator's screens: the segment, its history, the results, the consensus form."""

from __future__ import annotations

import streamlit as st

from maturity.charts import distribution_chart
from maturity.content.definitions import ModelDefinition, SegmentDefinition
from maturity.domain.tally import VoteSummary, discussion_reason, outlier_levels, suggested_consensus
from maturity.services import actions as ax
from maturity.services import consensus as cs
from maturity.services.errors import Conflict, NotFound
from maturity.services.workshops import RULE_LABELS, WorkshopView, get_workshop, list_workshops
from maturity.storage.tables import Confidence, ConsensusRule
from maturity.ui.access import editor_name
from maturity.ui.ballot import level_text
from maturity.ui.components import distinct_labels
from maturity.ui.failures import act, attempt  # noqa: F401 - act: the pages' one way to call a service from a button
from maturity.ui.merge import SharedForm
from maturity.ui.navigation import page_link_ui
from maturity.ui.text import Md, md, typed, typed_lines


def segment_ui(segment: SegmentDefinition, model: ModelDefinition) -> None:
    st.header(typed(segment.name))
    st.markdown(typed_lines(segment.description))
    awful, excellent = st.columns(2)
    awful.error(md("**Awful** — {text}", text=segment.awful), icon=":material/sentiment_very_dissatisfied:")
    excellent.success(md("**Excellent** — {text}", text=segment.excellent), icon=":material/sentiment_very_satisfied:")
    if segment.levels:
        with st.expander("What each level looks like", expanded=False):
            st.markdown(
                Md("\n").join(
                    md("- **{level}** — {text}", level=level_text(model, v), text=segment.levels[v])
                    for v in model.level_values
                    if v in segment.levels
                )
            )


def history_ui(url: str, workshop: WorkshopView, segment_id: str, model: ModelDefinition) -> None:
    """Before the vote: what earlier workshops decided, and the team's open and recently done actions."""
    past = cs.previous_decisions(url, workshop_id=workshop.id, segment_id=segment_id)
    st.markdown("**Earlier workshops**")
    if past:
        st.markdown(
            Md("\n").join(
                md("- {held:%d %b %Y}: **{level}**", held=p.held_on, level=level_text(model, p.level))
                + (md(", target {level}", level=level_text(model, p.target_level)) if p.target_level is not None else "")
                for p in past
            )
        )
    else:
        st.caption("This is the first time this team votes on this segment.")
    actions = ax.actions_for_segment(url, team_id=workshop.team_id, model_id=workshop.model_id, segment_id=segment_id)
    st.markdown("**Actions on this segment**")
    if actions:
        for a in actions:
            when = (
                f"done {a.completed_at:%d %b}" if a.status == "done" and a.completed_at
                else ax.STATUS_LABELS[a.status].lower() + (f", due {a.due_on:%d %b}" if a.due_on else "")
            )  # fmt: skip
            late = Md(" · :red[overdue]") if a.overdue() else ""
            st.markdown(md("- {title} — {owner}, {when}{late}", title=a.title, owner=a.owner_name, when=when, late=late))
    else:
        st.caption("No open or recently done actions for this team.")


def results_ui(model: ModelDefinition, workshop: WorkshopView, results: dict[str, VoteSummary]) -> VoteSummary:
    """The distribution (first and second vote side by side), the figures, and whether to discuss."""
    latest = list(results.values())[-1]
    st.altair_chart(distribution_chart(model, results), width="stretch")
    cols = st.columns(5)
    figures = [("Median", latest.median), ("Mode", latest.mode), ("Lowest", latest.lowest), ("Highest", latest.highest)]
    for col, (name, value) in zip(cols, figures, strict=False):
        col.metric(name, "—" if value is None else str(value))
        if value is not None and model.level(value):
            col.caption(model.level(value).label)  # the number reads from afar; the word sits under it
    cols[4].metric("Don't know", latest.dont_know)
    reason = discussion_reason(latest)
    if reason:
        st.warning(
            md("**Discuss before recording** — {reason}. Our rule: votes spanning two levels or more mean we talk first.", reason=reason),
            icon=":material/forum:",
        )
        outliers = outlier_levels(latest)
        if outliers:
            st.info(
                md("Invite the people who voted {levels} to speak first.", levels=" and ".join(level_text(model, v) for v in outliers)),
                icon=":material/record_voice_over:",
            )
    elif latest.votes:
        st.success("The room broadly agrees (within one level).", icon=":material/handshake:")
    if len(results) == 2:
        first, second = results.values()
        if first.spread is not None and second.spread is not None:
            moved = "converged" if second.spread < first.spread else "did not converge"
            st.caption(md("Spread went from {a} to {b} levels: the group {moved}.", a=first.spread, b=second.spread, moved=moved))
    return latest


def consensus_form_ui(
    url: str, workshop: WorkshopView, segment_id: str, model: ModelDefinition, latest: VoteSummary | None
) -> None:
    """Record the consensus, pre-filled by the workshop's rule; a save that crosses another is refused and merged."""
    existing = cs.get_consensus(url, workshop.id, segment_id)
    suggested = suggested_consensus(workshop.consensus_rule, latest) if latest and latest.votes else None
    level_default = existing.level if existing else (suggested if suggested is not None else workshop.level_min)
    opened = _consensus_fields(existing) if existing else {
        "level": level_default, "target_level": min(workshop.level_max, level_default + 1), "confidence": "medium", "notes": "", "evidence": "",
    }  # fmt: skip
    form = SharedForm(f"consensus_{workshop.id}_{segment_id}", probe=f"c_level_{workshop.id}_{segment_id}")
    draft = form.open(opened, existing.version if existing else 0)
    d, k = draft.values, draft.suffix
    levels = list(workshop.levels)
    st.subheader("Record the consensus")
    st.caption(
        md(
            "{rule}{suggests}",
            rule=RULE_LABELS[ConsensusRule(workshop.consensus_rule)],
            suggests=md(" suggests **{level}**.", level=level_text(model, suggested)) if suggested is not None else "",
        )
    )
    if notice := form.notice():
        st.warning(typed_lines(notice), icon=":material/sync_problem:")
    with st.form(f"consensus_{workshop.id}_{segment_id}"):
        a, b, c = st.columns(3)
        level = a.selectbox(
            "Consensus level", levels, index=levels.index(d["level"]) if d["level"] in levels else 0,
            format_func=lambda v: level_text(model, v), key=f"c_level_{workshop.id}_{segment_id}{k}",
        )  # fmt: skip
        targets = [None, *levels]
        target = b.selectbox(
            "Target level", targets, index=targets.index(d["target_level"]) if d["target_level"] in targets else 0,
            format_func=lambda v: "no target" if v is None else level_text(model, v), key=f"c_target_{workshop.id}_{segment_id}{k}",
        )  # fmt: skip
        confidences = [x.value for x in Confidence]
        confidence = c.selectbox(
            "Confidence", confidences, index=confidences.index(d["confidence"]), key=f"c_conf_{workshop.id}_{segment_id}{k}"
        )
        notes = st.text_area("Notes from the discussion", value=d["notes"], key=f"c_notes_{workshop.id}_{segment_id}{k}")
        evidence = st.text_area(
            "Evidence (links, examples)", value=d["evidence"], key=f"c_evidence_{workshop.id}_{segment_id}{k}", height=80
        )
        saved = st.form_submit_button("Save the consensus", type="primary", icon=":material/save:")
    if saved:
        submitted = {
            "level": level,
            "target_level": target,
            "confidence": confidence,
            "notes": notes.strip(),
            "evidence": evidence.strip(),
        }
        with attempt("recording a consensus", failed="Not saved", keep="Your entries are still in the form.") as save:
            try:
                view = cs.record_consensus(
                    url, workshop_id=workshop.id, segment_id=segment_id, rule=workshop.consensus_rule, recorded_by=editor_name(),
                    expected_version=draft.version or None, **submitted,
                )  # fmt: skip
            except Conflict:  # another screen saved first: keep both changes (ui/merge.py)
                latest_saved = cs.get_consensus(url, workshop.id, segment_id)
                theirs = _consensus_fields(latest_saved) if latest_saved else opened
                form.conflict(
                    submitted, theirs, latest_saved.version if latest_saved else 0, lambda f, v: _consensus_change(model, f, v)
                )
                st.rerun()
        if save.ok:
            form.saved(_consensus_fields(view), view.version)
            target = "" if view.target_level is None else md(", target {level}", level=level_text(model, view.target_level))
            st.success(md("Saved: {level}{target}.", level=level_text(model, view.level), target=target))
    elif existing:
        st.caption(md("Recorded {at:%H:%M} by {who}.", at=existing.recorded_at, who=existing.recorded_by or "the facilitator"))
    history = cs.consensus_history(url, workshop.id, segment_id)
    if len(history) > 1:
        with st.expander(md("History ({n} versions)", n=len(history))):
            st.markdown(
                Md("\n").join(
                    md(
                        "- {at:%d %b %H:%M}: {level} → target {target}, {confidence}",
                        at=h.changed_at,
                        level=level_text(model, h.level),
                        target="—" if h.target_level is None else level_text(model, h.target_level),
                        confidence=h.confidence,
                    )
                    for h in history
                )
            )


def _consensus_fields(view: cs.ConsensusView) -> dict:
    return {
        "level": view.level,
        "target_level": view.target_level,
        "confidence": view.confidence,
        "notes": view.notes,
        "evidence": view.evidence,
    }


def _consensus_change(model: ModelDefinition, field: str, value) -> str:
    if field in ("level", "target_level"):
        shown = "no target" if value is None else level_text(model, value)
        return f"{'consensus' if field == 'level' else 'target'} {shown}"
    return f"{field} {value!r}" if field == "confidence" else f"{field} edited"


def chosen_workshop(url: str, page_title: str, load=get_workshop):
    """The workshop this page is about (?w= in the URL, or the last one opened), kept in the URL so a
    reload shows the same one; stops the page with a way forward when there is none."""
    raw_id = str(st.query_params.get("w") or st.session_state.get("workshop_id") or "")
    loaded = None
    if raw_id.isdigit():
        try:
            loaded = load(url, int(raw_id))
        except NotFound:  # an old link or bookmark: offer the list instead
            loaded = None
    if loaded is None:
        st.title(page_title)
        workshops = distinct_labels({w.id: f"{w.title} ({'open' if w.is_open else 'ended'})" for w in list_workshops(url)})
        picked = st.selectbox("Workshop", [None, *workshops], format_func=lambda i: "— choose one —" if i is None else workshops[i],
                              key="pick_workshop") if workshops else None  # fmt: skip
        if picked is None:
            st.info("Choose a workshop." if workshops else "No workshop has been run yet.", icon=":material/info:")
            page_link_ui("workshops", label="Go to Workshops", icon=":material/groups:")
            st.stop()
        loaded = load(url, picked)
    workshop_id = getattr(loaded, "workshop", loaded).id
    st.session_state["workshop_id"] = workshop_id
    st.query_params["w"] = str(workshop_id)
    return loaded
