"""Workshop services: set-up, joining, voting rules, reveals, consensus history, summary and exports."""

from __future__ import annotations

import csv
import io

import pytest

from maturity.services import audit, rounds, voting
from maturity.services import consensus as cs
from maturity.services import workshops as ws
from maturity.services.errors import Conflict, InvalidInput, NotFound, RoundNotOpen, UnknownCode, WorkshopClosed
from maturity.services.exports import consensus_csv, safe_cell, summary_html, votes_csv
from maturity.services.summary import workshop_summary


def new_workshop(db_url, dmm, **options):
    team = ws.get_or_create_team(db_url, "Finance")
    return ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["data-strategy", "skills", "metrics"], **options)


def first_round(db_url, workshop, segment_id="data-strategy", number=1):
    return next(r for r in rounds.segment_rounds(db_url, workshop.id, segment_id) if r.number == number)


def test_create_workshop_gives_a_readable_join_code_and_opens_the_first_vote(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    assert workshop.is_open and len(workshop.join_code) == 6 and workshop.join_code.isupper()
    assert workshop.segment_ids == ("data-strategy", "skills", "metrics")
    assert (workshop.level_min, workshop.level_max) == (0, 5)
    assert [r.status for r in rounds.segment_rounds(db_url, workshop.id, "data-strategy")] == ["voting"]
    assert [r.status for r in rounds.segment_rounds(db_url, workshop.id, "skills")] == ["pending"]


def test_create_workshop_for_a_new_team_creates_it_once(db_url, dmm):
    workshop = ws.create_workshop(db_url, team_name="  Data   Office ", model=dmm, segment_ids=["skills"])
    again = ws.create_workshop(db_url, team_name="data office", model=dmm, segment_ids=["skills"])
    assert workshop.team_name == "Data Office" and again.team_id == workshop.team_id
    assert [t.name for t in ws.list_teams(db_url)] == ["Data Office"]
    assert [e.verb for e in audit.list_events(db_url, entity="workshop")] == ["created", "created"]
    with pytest.raises(InvalidInput, match="Choose the workshop's team"):
        ws.create_workshop(db_url, model=dmm)


def test_a_workshop_that_fails_to_be_created_leaves_no_new_team(db_url, dmm, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("the disk filled up as the audit line was written")

    monkeypatch.setattr(audit, "record", fail)  # the create's last step, long after the team's
    with pytest.raises(RuntimeError, match="disk filled up"):
        ws.create_workshop(db_url, team_name="Brand new team", model=dmm)
    assert ws.list_teams(db_url) == []
    monkeypatch.undo()
    with pytest.raises(InvalidInput, match="at least one segment"):
        ws.create_workshop(db_url, team_name="Brand new team", model=dmm, segment_ids=[])
    assert ws.list_teams(db_url) == []


def test_self_paced_opens_every_segment_and_show_of_hands_has_no_code(db_url, dmm):
    paced = new_workshop(db_url, dmm, mode="self_paced")
    assert all(r.voting for s in paced.segment_ids for r in rounds.segment_rounds(db_url, paced.id, s))
    hands = new_workshop(db_url, dmm, mode="show_of_hands")
    assert hands.join_code is None


def test_bad_setup_is_refused(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Finance")
    with pytest.raises(InvalidInput, match="no segment 'nope'"):
        ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["nope"])
    with pytest.raises(InvalidInput, match="name"):
        ws.get_or_create_team(db_url, "   ")
    assert ws.get_or_create_team(db_url, " finance ").id == team.id  # same team, not a duplicate


def test_join_with_a_typed_code_and_resume_by_token(db_url, dmm):
    workshop = new_workshop(db_url, dmm, anonymous=False)
    typed = f" {workshop.join_code[:3].lower()}-{workshop.join_code[3:]} "
    alice = voting.join_workshop(db_url, typed, "  Alice  ")
    assert alice.nickname == "Alice" and alice.workshop_id == workshop.id
    assert voting.resume(db_url, alice.token) == alice
    assert ws.get_workshop(db_url, workshop.id).participants == 1  # resuming never adds a participant


def test_anonymous_workshops_drop_names(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    assert voting.join_workshop(db_url, workshop.join_code, "Alice").nickname is None


@pytest.mark.parametrize("code", ["", "ABC", "AAAAAA", "0O1IL8"])
def test_unknown_codes_get_a_plain_message(db_url, dmm, code):
    new_workshop(db_url, dmm)
    with pytest.raises(UnknownCode, match="code"):
        voting.join_workshop(db_url, code)


def test_closed_workshop_takes_no_joins_or_votes(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    bob = voting.join_workshop(db_url, workshop.join_code)
    ws.close_workshop(db_url, workshop.id)
    ws.close_workshop(db_url, workshop.id)  # twice is harmless
    with pytest.raises(WorkshopClosed):
        voting.join_workshop(db_url, workshop.join_code)
    with pytest.raises(WorkshopClosed):
        voting.cast_vote(db_url, token=bob.token, round_id=first_round(db_url, workshop).id, level=2)


def test_vote_changes_until_the_reveal_and_never_after(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    carol = voting.join_workshop(db_url, workshop.join_code)
    rnd = first_round(db_url, workshop)
    for level in (1, 3, 3, None, 2):
        voting.cast_vote(db_url, token=carol.token, round_id=rnd.id, level=level)
    assert rounds.round_tally(db_url, rnd.id).votes == 1
    with pytest.raises(RoundNotOpen):
        rounds.round_result(db_url, rnd.id)  # nothing leaks before the reveal
    rounds.reveal_round(db_url, rnd.id)
    rounds.reveal_round(db_url, rnd.id)  # a double click on Reveal is harmless
    assert rounds.round_result(db_url, rnd.id).counts == {2: 1}
    with pytest.raises(RoundNotOpen, match="revealed"):
        voting.cast_vote(db_url, token=carol.token, round_id=rnd.id, level=4)


def test_votes_are_checked_against_the_ladder_and_the_workshop(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    other = new_workshop(db_url, dmm)
    dan = voting.join_workshop(db_url, workshop.join_code)
    with pytest.raises(InvalidInput, match="from 0 to 5"):
        voting.cast_vote(db_url, token=dan.token, round_id=first_round(db_url, workshop).id, level=6)
    with pytest.raises(NotFound):
        voting.cast_vote(db_url, token=dan.token, round_id=first_round(db_url, other).id, level=1)
    with pytest.raises(RoundNotOpen, match="not started"):
        voting.cast_vote(db_url, token=dan.token, round_id=first_round(db_url, workshop, "skills").id, level=1)
    with pytest.raises(NotFound):
        voting.cast_vote(db_url, token="forged", round_id=first_round(db_url, workshop).id, level=1)


def test_tally_names_who_is_still_to_vote_only_in_named_workshops(db_url, dmm):
    named = new_workshop(db_url, dmm, anonymous=False)
    people = [voting.join_workshop(db_url, named.join_code, name) for name in ("Ann", "Ben", "Cat")]
    rnd = first_round(db_url, named)
    voting.cast_vote(db_url, token=people[0].token, round_id=rnd.id, level=2)
    tally = rounds.round_tally(db_url, rnd.id)
    assert (tally.votes, tally.participants, tally.waiting_for) == (1, 3, ("Ben", "Cat"))
    anonymous = new_workshop(db_url, dmm)
    voting.join_workshop(db_url, anonymous.join_code, "Dee")
    assert rounds.round_tally(db_url, first_round(db_url, anonymous).id).waiting_for == ()


def test_with_auto_reveal_the_last_vote_reveals_the_round_without_any_screen(db_url, dmm):
    workshop = new_workshop(db_url, dmm, auto_reveal=True)
    a, b, c = (voting.join_workshop(db_url, workshop.join_code) for _ in range(3))
    rnd = first_round(db_url, workshop)
    voting.cast_vote(db_url, token=a.token, round_id=rnd.id, level=1)
    voting.cast_vote(db_url, token=b.token, round_id=rnd.id, level=None)  # don't know is a vote too
    voting.cast_vote(db_url, token=a.token, round_id=rnd.id, level=2)  # a change is not a new voter
    assert first_round(db_url, workshop).voting, "one person has still to vote"
    voting.cast_vote(db_url, token=c.token, round_id=rnd.id, level=3)
    assert first_round(db_url, workshop).revealed
    assert rounds.revealed_result(db_url, rnd.id).counts == {2: 1, 3: 1}
    with pytest.raises(RoundNotOpen, match="revealed"):
        voting.cast_vote(db_url, token=c.token, round_id=rnd.id, level=4)


def test_without_auto_reveal_the_round_waits_for_the_facilitator(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    people = [voting.join_workshop(db_url, workshop.join_code) for _ in range(2)]
    rnd = first_round(db_url, workshop)
    for person in people:
        voting.cast_vote(db_url, token=person.token, round_id=rnd.id, level=2)
    assert first_round(db_url, workshop).voting
    rounds.reveal_round(db_url, rnd.id)
    assert first_round(db_url, workshop).revealed


def test_auto_reveal_keeps_a_self_paced_ballot_hidden_until_the_room_reaches_the_segment(db_url, dmm):
    workshop = new_workshop(db_url, dmm, mode="self_paced")
    people = [voting.join_workshop(db_url, workshop.join_code) for _ in range(2)]
    for segment in ("data-strategy", "skills"):
        for person in people:
            voting.cast_vote(db_url, token=person.token, round_id=first_round(db_url, workshop, segment).id, level=2)
    ws.set_auto_reveal(db_url, workshop.id, True)  # switched on late: the segment on screen is complete
    assert first_round(db_url, workshop).revealed
    assert first_round(db_url, workshop, "skills").voting, "not on the screen yet"
    ws.go_to_segment(db_url, workshop.id, 1)
    assert first_round(db_url, workshop, "skills").revealed
    ws.go_to_segment(db_url, workshop.id, 2)
    assert first_round(db_url, workshop, "metrics").voting


def test_second_vote_and_convergence(db_url, dmm):
    workshop = new_workshop(db_url, dmm, second_vote=True)
    people = [voting.join_workshop(db_url, workshop.join_code) for _ in range(3)]
    with pytest.raises(RoundNotOpen):
        rounds.open_second_round(db_url, workshop.id, "data-strategy")
    first = first_round(db_url, workshop)
    for person, level in zip(people, (0, 2, 4), strict=True):
        voting.cast_vote(db_url, token=person.token, round_id=first.id, level=level)
    rounds.reveal_round(db_url, first.id)
    second = rounds.open_second_round(db_url, workshop.id, "data-strategy")
    assert rounds.open_second_round(db_url, workshop.id, "data-strategy") == second  # idempotent
    for person, level in zip(people, (2, 2, 3), strict=True):
        voting.cast_vote(db_url, token=person.token, round_id=second.id, level=level)
    rounds.reveal_round(db_url, second.id)
    segment = workshop_summary(db_url, workshop.id).segments[0]
    assert (segment.first.spread, segment.second.spread, segment.convergence.converged) == (4, 1, True)


def test_show_of_hands_counts(db_url, dmm):
    workshop = new_workshop(db_url, dmm, mode="show_of_hands")
    rnd = first_round(db_url, workshop)
    with pytest.raises(InvalidInput, match="negative"):
        rounds.record_hand_counts(db_url, rnd.id, {1: -1})
    rounds.record_hand_counts(db_url, rnd.id, {1: 3, 2: 4}, dont_know=1)
    rounds.record_hand_counts(db_url, rnd.id, {1: 2, 2: 4, 3: 1}, dont_know=1)  # a correction
    result = rounds.round_result(db_url, rnd.id)
    assert (result.counts, result.dont_know, result.median) == ({1: 2, 2: 4, 3: 1}, 1, 2)


def test_moving_through_segments_opens_their_votes(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    moved = ws.go_to_segment(db_url, workshop.id, 2)
    assert moved.current_segment_id == "metrics"
    assert first_round(db_url, workshop, "metrics").voting
    with pytest.raises(InvalidInput):
        ws.go_to_segment(db_url, workshop.id, 3)


def test_consensus_history_and_conflicting_saves(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    first = cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="skills", level=2, target_level=3, notes="first")
    assert first.version == 1 and first.gap == 1
    # a second screen saves with the version it loaded ...
    second = cs.record_consensus(
        db_url, workshop_id=workshop.id, segment_id="skills", level=1, target_level=3, expected_version=1
    )
    # ... so the first screen, still showing version 1, is refused and nothing is overwritten
    with pytest.raises(Conflict, match="Someone else recorded"):
        cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="skills", level=4, target_level=5, expected_version=1)
    assert cs.get_consensus(db_url, workshop.id, "skills").level == 1 == second.level
    assert [h.level for h in cs.consensus_history(db_url, workshop.id, "skills")] == [2, 1]
    with pytest.raises(InvalidInput):
        cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="skills", level=9, target_level=None, expected_version=2)
    with pytest.raises(InvalidInput, match="did not cover"):
        cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="technology", level=1, target_level=None)


def test_reopened_segment_can_be_corrected_after_the_end(db_url, dmm):
    workshop = new_workshop(db_url, dmm)
    cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="metrics", level=2, target_level=3)
    ws.close_workshop(db_url, workshop.id)
    reopened = ws.reopen_segment(db_url, workshop.id, "metrics")
    assert reopened.is_open and reopened.current_segment_id == "metrics"
    cs.record_consensus(db_url, workshop_id=workshop.id, segment_id="metrics", level=3, target_level=4, expected_version=1)
    assert len(cs.consensus_history(db_url, workshop.id, "metrics")) == 2


def test_previous_decisions_show_the_teams_earlier_workshops(db_url, dmm):
    from datetime import date

    team = ws.get_or_create_team(db_url, "Finance")
    old = ws.create_workshop(db_url, team_id=team.id, model=dmm, held_on=date(2025, 5, 1))
    cs.record_consensus(db_url, workshop_id=old.id, segment_id="skills", level=1, target_level=3)
    other_team = ws.get_or_create_team(db_url, "Marketing")
    theirs = ws.create_workshop(db_url, team_id=other_team.id, model=dmm, held_on=date(2025, 6, 1))
    cs.record_consensus(db_url, workshop_id=theirs.id, segment_id="skills", level=4, target_level=5)
    now = ws.create_workshop(db_url, team_id=team.id, model=dmm, held_on=date(2025, 8, 1))
    past = cs.previous_decisions(db_url, workshop_id=now.id, segment_id="skills")
    assert [(p.held_on, p.level, p.target_level) for p in past] == [(date(2025, 5, 1), 1, 3)]


def test_exports_are_anonymous_and_safe_to_open_in_excel(db_url, dmm):
    workshop = new_workshop(db_url, dmm, anonymous=False)
    people = [voting.join_workshop(db_url, workshop.join_code, name) for name in ("=HYPERLINK(1)", "Zed")]
    rnd = first_round(db_url, workshop)
    voting.cast_vote(db_url, token=people[0].token, round_id=rnd.id, level=1)
    voting.cast_vote(db_url, token=people[1].token, round_id=rnd.id, level=None)
    rounds.reveal_round(db_url, rnd.id)
    cs.record_consensus(
        db_url, workshop_id=workshop.id, segment_id="data-strategy", level=1, target_level=3, notes="=cmd|'/c calc'!A1"
    )
    summary = workshop_summary(db_url, workshop.id)
    rows = list(csv.reader(io.StringIO(consensus_csv(summary, dmm).decode("utf-8-sig"))))
    assert rows[1][:4] == ["Data strategy", "1", "3", "2"] and rows[1][-2] == "'=cmd|'/c calc'!A1"
    assert dict(zip(rows[0], rows[1], strict=True))["voters"] == "2"
    votes = votes_csv(db_url, workshop.id, dmm).decode("utf-8-sig")
    assert "P1" in votes and "HYPERLINK" not in votes and "Zed" not in votes and people[0].token not in votes
    assert list(csv.reader(io.StringIO(votes)))[1:] == [
        ["Data strategy", "1", "P1", "1"],
        ["Data strategy", "1", "P2", "don't know"],
    ]
    page = summary_html(summary, dmm)
    assert "&#x27;/c calc&#x27;" in page or "=cmd|&#x27;" in page
    assert "<script" not in page


def test_safe_cell():
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@x", "ok", 3, None)] == ["'=1+1", "'+1", "'-1", "'@x", "ok", 3, None]


def test_timer_and_ballot_progress(db_url, dmm):
    workshop = new_workshop(db_url, dmm, mode="self_paced")
    ends = ws.start_timer(db_url, workshop.id, 5)
    assert ws.get_workshop(db_url, workshop.id).timer_ends_at == ends
    assert ws.start_timer(db_url, workshop.id, 0) is None
    with pytest.raises(InvalidInput):
        ws.start_timer(db_url, workshop.id, 500)
    people = [voting.join_workshop(db_url, workshop.join_code) for _ in range(2)]
    for person in people:
        voting.cast_vote(db_url, token=person.token, round_id=first_round(db_url, workshop, "skills").id, level=1)
    voting.cast_vote(db_url, token=people[0].token, round_id=first_round(db_url, workshop, "metrics").id, level=2)
    assert rounds.ballot_progress(db_url, workshop.id) == {"data-strategy": 0, "skills": 2, "metrics": 1}


def test_the_phone_signal_changes_exactly_when_a_lock_step_phone_must_redraw(db_url, dmm):
    """Phones poll the workshop's snapshot and redraw when its signal differs from the one they drew."""
    workshop = new_workshop(db_url, dmm, second_vote=True)
    token = voting.join_workshop(db_url, workshop.join_code).token

    def signal():
        return voting.workshop_snapshot(db_url, workshop.id).signal

    seen = [signal()]
    first = first_round(db_url, workshop)
    voting.cast_vote(db_url, token=token, round_id=first.id, level=2)
    assert signal() == seen[-1], "a vote is not a change on the shared screen: no phone redraws for it"
    rounds.reveal_round(db_url, first.id)
    seen.append(signal())
    rounds.open_second_round(db_url, workshop.id, "data-strategy")
    seen.append(signal())
    ws.start_timer(db_url, workshop.id, 5)
    assert signal() == seen[-1], "phones show no timer"
    ws.go_to_segment(db_url, workshop.id, 1)
    seen.append(signal())
    ws.go_to_segment(db_url, workshop.id, 0)  # back: the revealed second vote again, but a new position
    seen.append(signal())
    ws.close_workshop(db_url, workshop.id)
    seen.append(signal())
    assert len(set(seen)) == len(seen) - 1 and seen[2] == seen[4], "each step a new signal, except coming back"
    assert [s.rounds[0][1] for s in seen] == ["voting", "revealed", "voting", "voting", "voting", "voting"]
    with pytest.raises(NotFound):
        voting.workshop_snapshot(db_url, workshop.id + 99)
    assert voting.my_ballot(db_url, token).votes == {first.id: 2}
    with pytest.raises(NotFound):
        voting.my_ballot(db_url, "no-such-token")


def test_the_phone_signal_of_a_self_paced_ballot_changes_on_a_reveal_a_second_vote_and_the_end(db_url, dmm):
    """Self-paced phones show every segment: they redraw for what happens to any of them, not for the screen's Next."""
    workshop = new_workshop(db_url, dmm, mode="self_paced", second_vote=True)
    token = voting.join_workshop(db_url, workshop.join_code).token

    def signal():
        return voting.workshop_snapshot(db_url, workshop.id).signal

    seen = [signal()]
    for segment in ("data-strategy", "skills", "metrics"):
        voting.cast_vote(db_url, token=token, round_id=first_round(db_url, workshop, segment).id, level=2)
    assert signal() == seen[-1], "votes redraw no phone"
    ws.go_to_segment(db_url, workshop.id, 2)
    assert signal() == seen[-1], "the screen moving on redraws no self-paced phone"
    rounds.reveal_round(db_url, first_round(db_url, workshop, "metrics").id)  # a reveal off the first segment
    seen.append(signal())
    rounds.open_second_round(db_url, workshop.id, "metrics")
    seen.append(signal())
    ws.close_workshop(db_url, workshop.id)
    seen.append(signal())
    assert len(set(seen)) == len(seen) == 4
    assert seen[1].position is None and [r[1] for r in seen[1].rounds] == ["voting", "voting", "revealed"]
