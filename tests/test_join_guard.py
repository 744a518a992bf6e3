"""Guessing join codes stays slow: repeated wrong codes from one client lock that client out, and nobody else."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from maturity.domain.codes import ALPHABET, LENGTH
from maturity.domain.throttle import FailureThrottle, Policy
from maturity.services import voting
from maturity.services import workshops as ws
from maturity.services.errors import UnknownCode
from maturity.services.join_guard import JOIN_GUARD, SESSION_POLICY, Client, JoinGuard, TooManyWrongCodes
from maturity.ui.access import PARTICIPANT_PARAM
from maturity.ui.text import unescape

APP = str(Path(__file__).resolve().parent.parent / "app.py")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The guard the app uses, emptied, on a clock the test moves."""
    fake = Clock()
    fresh = JoinGuard(clock=fake)
    monkeypatch.setattr(JOIN_GUARD, "clock", fake)
    monkeypatch.setattr(JOIN_GUARD, "sessions", fresh.sessions)
    monkeypatch.setattr(JOIN_GUARD, "addresses", fresh.addresses)
    return fake


@pytest.fixture
def workshop(db_url, dmm):
    team = ws.get_or_create_team(db_url, "Finance")
    return ws.create_workshop(db_url, team_id=team.id, model=dmm, segment_ids=["data-strategy"])


def wrong_codes(right: str):
    for i in range(10_000):
        code = "".join(ALPHABET[(i // len(ALPHABET) ** k) % len(ALPHABET)] for k in range(LENGTH))
        if code != right:
            yield code


def test_the_throttle_doubles_the_lockout_up_to_a_ceiling_and_forgets_a_quiet_client():
    throttle = FailureThrottle(Policy(free=2, first_lock_s=2, max_lock_s=10, forget_s=60))
    locks = [throttle.failed("a", now=float(i)).lock_s for i in range(6)]
    assert locks == [0, 0, 2, 4, 8, 10]
    assert throttle.locked_for("a", now=5.0) == 10 and throttle.locked_for("b", now=5.0) == 0
    assert [throttle.failed("a", now=6.0).burst_began, throttle.failed("b", now=6.0).burst_began] == [False, False]
    assert throttle.failed("a", now=200.0).lock_s == 0  # quiet for longer than forget_s: a clean slate
    throttle.failed("a", now=201.0)
    assert throttle.failed("a", now=202.0).burst_began  # a new burst, worth a new warning
    throttle.succeeded("a")
    assert throttle.locked_for("a", now=202.0) == 0


def test_the_throttle_stays_bounded_under_a_flood_of_clients():
    throttle = FailureThrottle(Policy(free=0, first_lock_s=60, max_lock_s=60, forget_s=600, max_keys=100))
    for i in range(10_000):
        throttle.failed(f"client-{i}", now=1.0)
    assert len(throttle) == 100
    assert throttle.locked_for("client-9999", now=2.0) > 0  # the most recent are kept


def test_four_clients_guessing_fast_are_each_slowed_and_the_room_still_joins(db_url, workshop, clock, caplog):
    guessers = [Client(session=f"guesser-{i}", address=f"203.0.113.{i}") for i in range(4)]
    codes = wrong_codes(workshop.join_code)
    refused_fast = {c: 0 for c in guessers}
    with caplog.at_level(logging.WARNING, logger="maturity.services.join_guard"):
        for _ in range(66):  # a second's worth, at the rate the attack reached, without the clock moving
            for client in guessers:
                try:
                    voting.join_workshop(db_url, next(codes), client=client)
                except TooManyWrongCodes as exc:
                    refused_fast[client] += 1
                    assert str(exc) == "Too many wrong codes from this device; try again in 2 seconds."
                except UnknownCode:
                    pass
    # Each got its free tries and one more; everything after was refused without a look at the code.
    assert all(count == 66 - SESSION_POLICY.free - 1 for count in refused_fast.values()), refused_fast
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 4 and all("wrong in a row" in r.getMessage() for r in warnings)  # once per burst

    # Nobody else waits: a phone in the room, and one on the same network as a guesser.
    assert voting.join_workshop(db_url, workshop.join_code, client=Client("phone-1", "198.51.100.7"))
    assert voting.join_workshop(db_url, workshop.join_code, client=Client("phone-2", guessers[0].address))
    # A guesser's right code is refused while it is locked out, and works once the lockout is over.
    with pytest.raises(TooManyWrongCodes):
        voting.join_workshop(db_url, workshop.join_code, client=guessers[0])
    clock.now += 2.01
    assert voting.join_workshop(db_url, workshop.join_code, client=guessers[0]).workshop_id == workshop.id


def test_each_further_wrong_code_waits_longer(db_url, workshop, clock):
    client = Client("guesser")
    codes = wrong_codes(workshop.join_code)
    waits = []
    for _ in range(SESSION_POLICY.free + 5):
        try:
            voting.join_workshop(db_url, next(codes), client=client)
        except UnknownCode:
            pass
        try:
            JOIN_GUARD.check(client)
            waits.append(0)
        except TooManyWrongCodes as exc:
            waits.append(exc.retry_after_s)
            clock.now += exc.retry_after_s  # the guesser waits it out, then guesses again
    assert waits == [0] * SESSION_POLICY.free + [2, 4, 8, 16, 32]


def _guess_once_per_session(db_url, codes, sessions: int) -> int:
    """A wrong code from each of `sessions` sessions, all from one address; how many were refused by the address."""
    refused = 0
    for i in range(sessions):
        try:
            voting.join_workshop(db_url, next(codes), client=Client(f"s{i}", "203.0.113.9"))
        except TooManyWrongCodes as exc:
            refused += 1
            assert "from this network" in str(exc)
        except UnknownCode:
            pass
    return refused


def test_new_sessions_from_one_address_do_not_reset_the_count_and_the_room_still_joins(db_url, workshop, clock, caplog):
    codes = wrong_codes(workshop.join_code)
    with caplog.at_level(logging.WARNING, logger="maturity.services.join_guard"):
        assert _guess_once_per_session(db_url, codes, 80) == 0  # each new session gets its one try
        # ... and its second waits with the address, once the address is past its allowance
        assert _guess_once_per_session(db_url, codes, 80) == 80
    assert sum("across sessions" in r.getMessage() for r in caplog.records) == 1
    assert voting.join_workshop(db_url, workshop.join_code, client=Client("elsewhere", "198.51.100.1"))
    # someone in the same room who has not got a code wrong joins all the same
    assert voting.join_workshop(db_url, workshop.join_code, client=Client("a neighbour", "203.0.113.9"))


def test_a_phone_that_keeps_typing_wrong_codes_is_told_to_wait_then_joins(db_url, workshop, clock):
    at = AppTest.from_file(APP, default_timeout=60).run()
    codes = wrong_codes(workshop.join_code)
    for _ in range(SESSION_POLICY.free + 1):
        at.text_input(key="join_code").input(next(codes))
        at.button(key="FormSubmitter:join_form-Join").click().run()
        assert not at.exception and unescape(at.error[0].value).startswith("No workshop has the code")
    at.text_input(key="join_code").input(workshop.join_code)
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert [unescape(e.value) for e in at.error] == ["Too many wrong codes from this device; try again in 2 seconds."]
    other = AppTest.from_file(APP, default_timeout=60).run()  # another phone in the room: not held up
    other.text_input(key="join_code").input(workshop.join_code)
    other.button(key="FormSubmitter:join_form-Join").click().run()
    assert not other.error and other.query_params[PARTICIPANT_PARAM]
    clock.now += 2.5
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert not at.exception and not at.error and at.query_params[PARTICIPANT_PARAM]
