"""Full workshops through the real app: one facilitator AppTest and several phone AppTests on one database."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from maturity.services import workshops as ws
from maturity.ui.access import PARTICIPANT_PARAM, SECRET_FLAG
from maturity.ui.ballot import shared_snapshot
from maturity.ui.live import cached_tally
from maturity.ui.navigation import page_path
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60
SEGMENTS = ["data-strategy", "skills", "metrics"]


def facilitator() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[SECRET_FLAG] = True
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def start_workshop(at: AppTest, mode_label: str, **options) -> str:
    """Fill the real form; return the workshop id the shared screen opened with."""
    at.switch_page(page_path("workshops")).run()
    at.text_input(key="new_team_name").input("Finance")
    at.multiselect(key="new_segments").set_value(SEGMENTS)
    at.radio(key="new_mode").set_value(mode_label)
    if options.get("second_vote"):
        at.checkbox(key="new_second_vote").check()
    if options.get("names"):
        at.radio(key="new_names").set_value("optional")
    if options.get("auto_reveal"):
        at.checkbox(key="new_auto_reveal").check()
    at.button(key="FormSubmitter:new_workshop-Start the workshop").click().run()
    ok(at)
    return at.query_params["w"]


def screen(at: AppTest, workshop_id: str) -> AppTest:
    cached_tally.clear()  # the live tally is cached for a second; tests look straight away
    at.switch_page(page_path("screen"))
    at.query_params["w"] = workshop_id
    return ok(at.run())


def join_code(at: AppTest) -> str:
    link = next(unescape(c.value) for c in at.sidebar.caption if "?join=" in unescape(c.value))
    return link.rsplit("?join=", 1)[1]


def phone(code: str, name: str = "") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["join"] = code
    at.run()
    assert at.text_input(key="join_code").value == code  # the QR/link pre-fills the code
    at.text_input(key="join_nickname").input(name)
    at.button(key="FormSubmitter:join_form-Join").click().run()
    ok(at)
    assert at.query_params[PARTICIPANT_PARAM]
    return at


def look(at: AppTest) -> AppTest:
    """The phone's page now: phones share a snapshot of the workshop for a second; tests look straight away."""
    shared_snapshot.clear()
    return ok(at.run())


def tap(at: AppTest, label: str, nth: int = 0) -> None:
    buttons = [b for b in at.button if b.label == label]
    buttons[nth].click().run()
    ok(at)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def reveal(at: AppTest) -> None:
    next(b for b in at.button if (b.key or "").startswith("reveal_")).click().run()
    ok(at)


def save_consensus(at: AppTest) -> None:
    next(b for b in at.button if (b.key or "").startswith("FormSubmitter:consensus_")).click().run()
    ok(at)
    assert any(s.value.startswith("Saved:") for s in at.success)


def test_lock_step_workshop_from_join_to_summary():
    fac = facilitator()
    workshop_id = start_workshop(fac, "lock_step", second_vote=True, names=True)
    fac = screen(fac, workshop_id)
    code = join_code(fac)
    phones = [phone(code, name) for name in ("Ann", "Ben", "Cat")]
    for segment_number, segment in enumerate(["Data strategy", "Skills", "Metrics"]):
        fac = screen(fac, workshop_id)
        assert fac.header[0].value == segment
        for p, level in zip(phones, ["1 · Aware", "2 · Reactive", "4 · Managed"], strict=True):
            look(p)
            assert any(m.value == f"### {segment}" for m in p.markdown), "the phone follows the shared screen"
            tap(p, level)
            assert p.success[0].value.startswith(f"Your vote: **{level}**")
        tap(phones[0], "2 · Reactive")  # changed their mind before the reveal
        fac = screen(fac, workshop_id)
        assert (metric(fac, "Votes in"), metric(fac, "People joined")) == ("3", "3")
        reveal(fac)
        assert metric(fac, "Median") == "2" and metric(fac, "Lowest") == "2"
        assert any("Discuss before recording" in w.value for w in fac.warning)
        assert any("4 · Managed" in i.value and "speak first" in i.value for i in fac.info)
        for p in phones:
            look(p)
            assert any(m.value == "**The votes are in**" for m in p.markdown)
            assert not [b for b in p.button if b.label == "2 · Reactive"], "no voting after the reveal"
        if segment_number == 0:  # a second vote after the discussion, shown before vs after
            fac.button(key="second_data-strategy").click().run()
            for p in phones:
                look(p)
                tap(p, "2 · Reactive")
            fac = screen(fac, workshop_id)
            reveal(fac)
            assert any("the group converged" in c.value for c in fac.caption)
        save_consensus(fac)
        if segment_number < 2:
            fac.button(key="next_segment").click().run()
    fac.button(key="end_workshop").click().run()
    ok(fac)
    fac.switch_page(page_path("summary"))
    fac.query_params["w"] = workshop_id
    fac.run()
    ok(fac)
    assert metric(fac, "Segments recorded") == "3 of 3"
    assert metric(fac, "Converged on a re-vote") == "1 of 1"
    assert [d.label for d in fac.get("download_button")] == [
        "Consensus (CSV)",
        "Anonymised votes (CSV)",
        "Printable report (HTML)",
    ]
    for p in phones:
        look(p)
        assert "This workshop has ended" in p.info[0].value


def test_self_paced_ballot_then_reveals_one_by_one():
    fac = facilitator()
    workshop_id = start_workshop(fac, "self_paced")
    fac = screen(fac, workshop_id)
    phones = [phone(join_code(fac)) for _ in range(3)]
    for p, level in zip(phones, ["1 · Aware", "3 · Proactive", "3 · Proactive"], strict=True):
        for segment in range(3):  # every segment is on the phone at once
            look(p)
            tap(p, level, nth=segment)
            # a tap redraws its own segment and the progress bar, not the other segments (AppTest shows what a run drew)
            assert len([b for b in p.button if b.key.startswith("vote_")]) == 7, "one segment's levels and don't know"
            assert p.success[0].value.startswith(f"Your vote: **{level}**")
            assert p.get("progress")[0].value >= 33 * (segment + 1)
        assert p.get("progress")[0].value == 100
    for position in range(3):
        fac = screen(fac, workshop_id)
        assert metric(fac, "Votes in") == "3"
        reveal(fac)
        assert metric(fac, "Median") == "3"
        save_consensus(fac)
        if position < 2:
            fac.button(key="next_segment").click().run()
    look(phones[0])  # what its poll redraws without a tap (tests/browser/test_workshop_journeys.py waits for it)
    assert sum(m.value == "**The votes are in**" for m in phones[0].markdown) == 3
    assert not [b for b in phones[0].button if not (b.key or "").startswith("vote_")], "no button to ask for the results"


def test_show_of_hands_without_phones():
    fac = facilitator()
    workshop_id = start_workshop(fac, "show_of_hands")
    fac = screen(fac, workshop_id)
    assert not [c for c in fac.sidebar.caption if "?join=" in c.value], "no join code when nobody uses a phone"
    for position in range(3):
        fac.number_input(key=next(n.key for n in fac.number_input if n.key.endswith("_2"))).set_value(4)
        fac.number_input(key=next(n.key for n in fac.number_input if n.key.endswith("_3"))).set_value(2)
        next(b for b in fac.button if (b.key or "").startswith("FormSubmitter:hands_")).click().run()
        ok(fac)
        assert metric(fac, "Median") == "2"
        save_consensus(fac)
        if position < 2:
            fac.button(key="next_segment").click().run()
    fac.button(key="end_workshop").click().run()
    fac.switch_page(page_path("summary"))
    fac.query_params["w"] = workshop_id
    fac.run()
    assert metric(fac, "Segments recorded") == "3 of 3"


def test_a_participant_cannot_open_facilitator_pages():
    fac = facilitator()
    workshop_id = start_workshop(fac, "lock_step")
    fac = screen(fac, workshop_id)
    p = phone(join_code(fac))
    assert [t.value for t in p.title] == []  # the ballot, no facilitator title
    for name in ("screen", "workshops", "summary", "home", "library"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            p.switch_page(page_path(name))


def test_an_unknown_code_and_a_stale_link_get_plain_messages():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_input(key="join_code").input("ccc ccc")
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert "No workshop has the code CCCCCC" in at.error[0].value
    stale = AppTest.from_file(APP, default_timeout=TIMEOUT)
    stale.query_params[PARTICIPANT_PARAM] = "not-a-real-token"
    stale.run()
    assert not stale.exception and "not valid" in stale.error[0].value


def test_a_retried_consensus_after_a_conflict_keeps_the_other_facilitators_notes(db_url, dmm):
    from maturity.services import consensus, rounds
    from maturity.services import workshops as ws

    team = ws.get_or_create_team(db_url, "Finance")
    workshop = ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=SEGMENTS)
    rounds.reveal_round(db_url, rounds.segment_rounds(db_url, workshop.id, SEGMENTS[0])[0].id)
    first, second = screen(facilitator(), str(workshop.id)), screen(facilitator(), str(workshop.id))
    key = f"{workshop.id}_{SEGMENTS[0]}"
    first.text_area(key=f"c_notes_{key}").input("Finance reconciles by hand every month")
    save_consensus(first)
    second.selectbox(key=f"c_level_{key}").set_value(2)
    next(b for b in second.button if (b.key or "").startswith("FormSubmitter:consensus_")).click().run()
    ok(second)
    assert "The form now shows their changes: notes edited" in unescape(second.warning[0].value)
    assert second.text_area(key=f"c_notes_{key}_g1").value == "Finance reconciles by hand every month"
    assert second.selectbox(key=f"c_level_{key}_g1").value == 2
    save_consensus(second)
    saved = consensus.get_consensus(db_url, workshop.id, SEGMENTS[0])
    assert (saved.level, saved.notes) == (2, "Finance reconciles by hand every month")  # before: the notes went blank again


def test_with_auto_reveal_the_last_phone_to_vote_reveals_the_segment():
    fac = facilitator()
    workshop_id = start_workshop(fac, "lock_step", auto_reveal=True)
    fac = screen(fac, workshop_id)
    phones = [phone(join_code(fac)) for _ in range(2)]
    for p in phones:
        look(p)
        tap(p, "3 · Proactive")
    fac = screen(fac, workshop_id)
    assert metric(fac, "Median") == "3", "revealed without anyone pressing Reveal"
    assert any(m.value == "**The votes are in**" for m in look(phones[0]).markdown)


def test_a_workshop_refused_on_its_form_leaves_no_new_team(db_url):
    fac = facilitator()
    fac.switch_page(page_path("workshops")).run()
    fac.text_input(key="new_team_name").input("Finance")
    fac.multiselect(key="new_segments").set_value([])
    fac.button(key="FormSubmitter:new_workshop-Start the workshop").click().run()
    ok(fac)
    assert len(fac.error) == 1 and "Choose at least one segment" in fac.error[0].value
    assert ws.list_teams(db_url) == []


def test_choosing_another_model_selects_that_models_segments(db_url, builtin_catalog):
    # A multiselect keeps its selection across a change of options: switching models kept only the segments both
    # models share, and the two built-in models share none.
    first, second = list(builtin_catalog.models)[:2]
    fac = facilitator()
    fac.switch_page(page_path("workshops")).run()
    fac.selectbox(key="new_model").set_value(first).run()
    assert fac.multiselect(key="new_segments").value == [s.id for s in builtin_catalog.models[first].segments]
    fac.multiselect(key="new_segments").set_value(SEGMENTS)
    fac.selectbox(key="new_model").set_value(second).run()
    ok(fac)
    assert fac.multiselect(key="new_segments").value == [s.id for s in builtin_catalog.models[second].segments]
    fac.selectbox(key="new_model").set_value(first).run()
    assert fac.multiselect(key="new_segments").value == [s.id for s in builtin_catalog.models[first].segments]
    fac.multiselect(key="new_segments").set_value(SEGMENTS)  # a choice within one model is kept, and used
    fac.text_input(key="new_team_name").input("Finance")
    fac.button(key="FormSubmitter:new_workshop-Start the workshop").click().run()
    ok(fac)
    assert list(ws.get_workshop(db_url, int(fac.query_params["w"])).segment_ids) == SEGMENTS
